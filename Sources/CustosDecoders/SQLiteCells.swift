import CSQLite
import Foundation

/// Reads the text cells of a SQLite database held in memory (a file read whole, or a member
/// of an archive such as an Ignition gateway backup), read-only: the bytes are handed to
/// SQLite with `sqlite3_deserialize` and nothing is ever written back.
public enum SQLiteCells {
    /// The 16-byte header every SQLite 3 database starts with.
    public static func isDatabase(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let magic = Array("SQLite format 3\u{0}".utf8)
        return bytes.count >= 100 && magic.indices.allSatisfy { bytes[$0] == magic[$0] }
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

    /// A database that cannot be read.
    public struct ReadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Calls `visit` for every non-empty text cell of every table, in table, row, column order.
    /// Cells longer than `maxCellBytes` are skipped.
    public static func forEachTextCell(in data: Data, maxCellBytes: Int = 16 * 1024 * 1024,
                                       _ visit: (Cell) -> Void) throws(ReadError) {
        try forEachRow(in: data, maxCellBytes: maxCellBytes) { row in
            for cell in row.cells { visit(Cell(location: row.location(of: cell.column), text: cell.text)) }
        }
    }

    /// Calls `visit` for every row with a non-empty text cell, in table and row order; the
    /// cells are valid only during the call. Cells longer than `maxCellBytes` are skipped.
    public static func forEachRow(in data: Data, maxCellBytes: Int = 16 * 1024 * 1024,
                                  _ visit: (Row) -> Void) throws(ReadError) {
        var database: OpaquePointer?
        guard sqlite3_open_v2(":memory:", &database, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK, let database else {
            throw ReadError(description: "SQLite could not open an in-memory database")
        }
        defer { sqlite3_close(database) }
        var copy = data  // SQLite reads from this buffer for as long as the connection lives
        let status = copy.withUnsafeMutableBytes { raw -> Int32 in
            sqlite3_deserialize(database, "main", raw.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                sqlite3_int64(raw.count), sqlite3_int64(raw.count), UInt32(SQLITE_DESERIALIZE_READONLY))
        }
        guard status == SQLITE_OK else { throw ReadError(description: "not a readable SQLite database (\(status))") }
        try withExtendedLifetime(copy) { () throws(ReadError) in
            for table in try tables(database) {
                try cells(of: table, in: database, maxCellBytes: maxCellBytes, visit)
            }
        }
    }

    private static func tables(_ database: OpaquePointer) throws(ReadError) -> [String] {
        var names: [String] = []
        try query(database, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") { statement in
            if let text = sqlite3_column_text(statement, 0) { names.append(String(cString: text)) }
        }
        return names
    }

    private static func cells(of table: String, in database: OpaquePointer, maxCellBytes: Int,
                              _ visit: (Row) -> Void) throws(ReadError) {
        let quoted = "\"" + table.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        // Tables without rowid still list their rows; their location then uses the row number.
        var row = 0
        let sql = "SELECT * FROM \(quoted)"
        try query(database, sql) { statement in
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
            if !cells.isEmpty { visit(Row(table: table, number: row, cells: cells)) }
        }
    }

    private static func query(_ database: OpaquePointer, _ sql: String, _ row: (OpaquePointer) -> Void) throws(ReadError) {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(database, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw ReadError(description: String(cString: sqlite3_errmsg(database)))
        }
        defer { sqlite3_finalize(statement) }
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_ROW { row(statement); continue }
            if step == SQLITE_DONE { return }
            throw ReadError(description: String(cString: sqlite3_errmsg(database)))
        }
    }
}
