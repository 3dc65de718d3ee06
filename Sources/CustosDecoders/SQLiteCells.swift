// SQLite databases read from memory, never from disk: the bytes are handed to SQLite with
// `sqlite3_deserialize`, read-only, and nothing is ever written back or beside them (no
// journal, no -wal or -shm file). A database in WAL mode is read from a copy whose header says
// rollback journal (what `sqlite3_deserialize` can open); what only its -wal file holds is not
// seen. The trade-off: SQLite itself is robust against corrupt files, so this reader only
// hardens the connection (no triggers, views, schema functions or extensions), bounds the
// work (rows, cells, the file's deadline through a progress handler) and turns every failure
// into a problem; a damaged table does not stop the others.

import CSQLite
import Foundation

/// Reads the text cells of a SQLite database held in memory (a file read whole, or a member
/// of an archive such as an Ignition gateway backup), read-only.
public enum SQLiteCells {
    /// The 16-byte header every SQLite 3 database starts with.
    public static func isDatabase(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let magic = Array("SQLite format 3\u{0}".utf8)
        return bytes.count >= 100 && magic.indices.allSatisfy { bytes[$0] == magic[$0] }
    }

    /// Whether the header says WAL mode (file format write or read version 2, bytes 18–19).
    public static func isWriteAheadLog(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 20 && (bytes[18] == 2 || bytes[19] == 2)
    }

    /// One text cell: where it is, and its bytes.
    public struct Cell {
        /// `table.column[rowid]`.
        public var location: String
        public var text: UnsafeRawBufferPointer
    }

    /// The text cells of one row, in column order.
    public struct Row {
        public var table: String
        /// 1-based, in the table's scan order.
        public var number: Int
        public var cells: [(column: String, text: UnsafeRawBufferPointer)]

        /// `table.column[row]`.
        public func location(of column: String) -> String { "\(table).\(column)[\(number)]" }
    }

    /// A database, or some of its tables, that could not be read; the rows visited before
    /// were visited.
    public struct ReadError: Error, CustomStringConvertible {
        public var issues: [DecodeIssue]

        public var description: String { issues.map(\.description).joined(separator: "; ") }
    }

    /// Calls `visit` for every non-empty text cell of every table, in table, row, column order.
    /// Cells longer than `maxCellBytes` are skipped.
    public static func forEachTextCell(in data: Data, maxCellBytes: Int = 16 * 1024 * 1024,
                                       _ visit: (Cell) -> Void) throws(ReadError) {
        try forEachRow(in: data, maxCellBytes: maxCellBytes) { row in
            for cell in row.cells { visit(Cell(location: row.location(of: cell.column), text: cell.text)) }
        }
    }

    public static func forEachRow(in data: Data, maxCellBytes: Int = 16 * 1024 * 1024,
                                  _ visit: (Row) -> Void) throws(ReadError) {
        let budget = DecodeBudget(sourceBytes: data.count)
        let result: Result<Void, ReadError> = data.withUnsafeBytes { raw in
            Result { () throws(ReadError) in try forEachRow(in: raw, maxCellBytes: maxCellBytes, budget: budget, visit) }
        }
        try result.get()
    }

    /// Calls `visit` for every row with a non-empty text cell, in table and row order; the
    /// cells are valid only during the call. Cells longer than `maxCellBytes` are skipped.
    public static func forEachRow(in bytes: UnsafeRawBufferPointer, maxCellBytes: Int = 16 * 1024 * 1024,
                                  _ visit: (Row) -> Void) throws(ReadError) {
        try forEachRow(in: bytes, maxCellBytes: maxCellBytes, budget: DecodeBudget(sourceBytes: bytes.count), visit)
    }

    /// As above, charging rows and cells to `budget` and stopping at its deadline.
    public static func forEachRow(in bytes: UnsafeRawBufferPointer, maxCellBytes: Int = 16 * 1024 * 1024,
                                  budget: DecodeBudget, _ visit: (Row) -> Void) throws(ReadError) {
        guard isDatabase(bytes), let base = bytes.baseAddress else {
            throw ReadError(issues: [DecodeIssue(.unreadable("not a SQLite database"), scope: .member)])
        }
        // SQLite keeps reading the buffer while the connection lives. Read-only, it never
        // writes to it, so the caller's bytes serve as they are; a WAL-mode database is read
        // from a copy with its header patched.
        var copy: UnsafeMutableRawBufferPointer?
        defer { copy?.deallocate() }
        var pointer = UnsafeMutableRawPointer(mutating: base)
        if isWriteAheadLog(bytes) {
            let patched = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 16)
            patched.copyMemory(from: bytes)
            patched[18] = 1
            patched[19] = 1
            copy = patched
            pointer = patched.baseAddress!
        }
        var database: OpaquePointer?
        guard sqlite3_open_v2(":memory:", &database, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK, let database else {
            if let database { sqlite3_close(database) }
            throw ReadError(issues: [DecodeIssue(.unreadable("SQLite could not open an in-memory database"), scope: .member)])
        }
        defer { sqlite3_close(database) }
        custos_sqlite3_harden(database)
        let status = sqlite3_deserialize(database, "main", pointer.assumingMemoryBound(to: UInt8.self),
                                         sqlite3_int64(bytes.count), sqlite3_int64(bytes.count),
                                         UInt32(SQLITE_DESERIALIZE_READONLY))
        guard status == SQLITE_OK else {
            throw ReadError(issues: [DecodeIssue(.unreadable("not a readable SQLite database (\(status))"), scope: .member)])
        }
        // The deadline, checked by SQLite every few thousand steps of its virtual machine.
        let watch = Deadline(budget.deadline)
        sqlite3_progress_handler(database, 10_000, progressHandler, Unmanaged.passUnretained(watch).toOpaque())
        defer { sqlite3_progress_handler(database, 0, nil, nil) }
        var reader = Reader(database: database, maxCellBytes: maxCellBytes, budget: budget, watch: watch)
        withExtendedLifetime(watch) { reader.run(visit) }
        if !reader.issues.isEmpty { throw ReadError(issues: reader.issues) }
    }

    /// One pass over a database: tables in name order, rows in scan order.
    private struct Reader {
        let database: OpaquePointer
        let maxCellBytes: Int
        let budget: DecodeBudget
        let watch: Deadline
        var issues: [DecodeIssue] = []
        var stopped = false

        init(database: OpaquePointer, maxCellBytes: Int, budget: DecodeBudget, watch: Deadline) {
            self.database = database
            self.maxCellBytes = maxCellBytes
            self.budget = budget
            self.watch = watch
        }

        mutating func run(_ visit: (Row) -> Void) {
            var names: [String] = []
            let listed = query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") { statement in
                if let text = sqlite3_column_text(statement, 0) { names.append(String(cString: text)) }
                return true
            }
            if let listed {
                issues.append(DecodeIssue(.unreadable(listed), scope: .restOfArchive, location: "sqlite_master"))
                return
            }
            for table in names where !stopped {
                cells(of: table, visit)
            }
        }

        private mutating func cells(of table: String, _ visit: (Row) -> Void) {
            let quoted = "\"" + table.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            // Tables without rowid still list their rows; their location then uses the row number.
            var row = 0
            let maxCellBytes = self.maxCellBytes
            var limit: DecodeIssue?
            let budget = self.budget
            let failed = query("SELECT * FROM \(quoted)") { statement in
                row += 1
                let columns = sqlite3_column_count(statement)
                var cells: [(column: String, text: UnsafeRawBufferPointer)] = []
                for column in 0..<columns where sqlite3_column_type(statement, column) == SQLITE_TEXT {
                    guard let text = sqlite3_column_text(statement, column) else { continue }
                    let length = Int(sqlite3_column_bytes(statement, column))
                    guard length > 0, length <= maxCellBytes else { continue }
                    let name = sqlite3_column_name(statement, column).map { String(cString: $0) } ?? "column\(column)"
                    cells.append((name, UnsafeRawBufferPointer(start: text, count: length)))
                }
                do throws(DecodeIssue) {
                    try budget.chargeRow(cells: cells.count)
                    try budget.checkDeadline()
                } catch {
                    limit = error
                    return false
                }
                if !cells.isEmpty { visit(Row(table: table, number: row, cells: cells)) }
                return true
            }
            if let limit {
                issues.append(DecodeIssue(limit.kind, scope: .restOfArchive, location: table))
                stopped = true
            } else if watch.expired {
                issues.append(DecodeIssue(.limitExceeded(.time(budget.limits.timeLimit)), scope: .restOfArchive, location: table))
                stopped = true
            } else if let failed {
                issues.append(DecodeIssue(.unreadable(failed), scope: row > 0 ? .restOfMember : .member, location: table))
            }
        }

        /// Runs `sql`, calling `row` for each row until it returns false; the error, or nil.
        private func query(_ sql: String, _ row: (OpaquePointer) -> Bool) -> String? {
            var statement: OpaquePointer?
            guard sqlite3_prepare_v2(database, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
                return String(cString: sqlite3_errmsg(database))
            }
            defer { sqlite3_finalize(statement) }
            while true {
                let step = sqlite3_step(statement)
                if step == SQLITE_ROW {
                    if row(statement) { continue }
                    return nil
                }
                if step == SQLITE_DONE { return nil }
                return String(cString: sqlite3_errmsg(database))
            }
        }
    }
}

/// The file's deadline where SQLite's progress handler can reach it.
private final class Deadline {
    let instant: ContinuousClock.Instant
    private(set) var expired = false

    init(_ instant: ContinuousClock.Instant) {
        self.instant = instant
    }

    func check() -> Bool {
        if ContinuousClock.now >= instant { expired = true }
        return expired
    }
}

/// Non-zero interrupts the statement running.
private func progressHandler(_ client: UnsafeMutableRawPointer?) -> Int32 {
    guard let client else { return 0 }
    return Unmanaged<Deadline>.fromOpaque(client).takeUnretainedValue().check() ? 1 : 0
}
