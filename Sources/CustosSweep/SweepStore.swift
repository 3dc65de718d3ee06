import CustosCore
import CustosSources
import Foundation
import GRDB
import GRDBSQLite

/// SQLite's SQLITE_TRANSIENT (a cast in C, so not imported): bound text is copied.
private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A file as the state last saw it.
public struct StoredFile: Sendable {
    public var id: Int64
    public var metadata: FileStatus?
    public var digest: Data?
    public var findings: Int
    public var ownersDigest: String?
    public var seenSweep: Int64
    public var hasError: Bool
}

/// The sweep being run: a new one, or the one an interruption left unfinished.
public struct SweepTicket: Sendable {
    public var id: Int64
    /// True when an interrupted sweep is taken up again.
    public var resumed: Bool
    public var startedAt: Date
}

/// Counts a batch adds to its sweep's row, committed with the batch so an interruption never
/// counts a file twice.
struct SweepCounts: Sendable {
    var seen = 0
    var scanned = 0
    var unchanged = 0
    var contentUnchanged = 0
    var bytesRead: Int64 = 0
    var errors = 0
}

extension SweepState: SweepStore {
    public var location: String { path }

    public func begin(roots: [String]) throws(SweepStateError) -> SweepTicket {
        try begin(roots: roots, now: Date())
    }

    public func makeFileReader() throws(SweepStateError) -> any StoredFileReader {
        try SQLiteFileReader(path: path)
    }

    public func history(today: IsoDay) throws(SweepStateError) -> SweepHistory {
        try SweepHistory.load(from: self, today: today)
    }

    public func compact() { checkpoint() }

    /// Starts a sweep over `roots`, or resumes the unfinished one.
    func begin(roots: [String], now: Date) throws(SweepStateError) -> SweepTicket {
        let rootsJSON = String(decoding: (try? JSONEncoder().encode(roots)) ?? Data("[]".utf8), as: UTF8.self)
        return try write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT id, started_at FROM sweeps WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1") {
                let id: Int64 = row["id"]
                try db.execute(sql: "UPDATE sweeps SET roots = ? WHERE id = ?", arguments: [rootsJSON, id])
                return SweepTicket(id: id, resumed: true, startedAt: Date(timeIntervalSince1970: row["started_at"]))
            }
            try db.execute(sql: "INSERT INTO sweeps(started_at, roots) VALUES (?, ?)",
                           arguments: [now.timeIntervalSince1970, rootsJSON])
            return SweepTicket(id: db.lastInsertedRowID, resumed: false, startedAt: now)
        }
    }

    /// How many files the state holds under `roots` (the progress estimate's total).
    public func fileCount(roots: [String]) -> Int {
        (try? read { db in
            try roots.reduce(0) { $0 + (try Int.fetchOne(db, sql: "SELECT count(*) FROM files WHERE root = ?", arguments: [$1]) ?? 0) }
        }) ?? 0
    }

    /// Commits one batch of worker results and its counts.
    public func apply(_ batch: [FileResult], sweep: Int64, ownersDigest: String) throws(SweepStateError) {
        try write { db in
            var counts = SweepCounts()
            for submitted in batch {
                counts.seen += 1
                var result = submitted
                if case let .rechecked(inner) = submitted {
                    counts.seen -= 1
                    result = inner
                }
                switch result {
                case .unchanged:
                    // Never sent: unchanged files are remembered in memory and counted at the end.
                    counts.seen -= 1
                case let .contentUnchanged(id, metadata, bytes):
                    counts.contentUnchanged += 1
                    counts.bytesRead += bytes
                    try db.cachedStatement(sql: """
                        UPDATE files SET size = ?, mtime_ns = ?, ctime_ns = ?, inode = ?, seen_sweep = ?, error = NULL, error_sweep = NULL
                        WHERE id = ?
                        """).execute(arguments: [metadata.size, metadata.modifiedNanoseconds, metadata.changedNanoseconds,
                                                 metadata.inode, sweep, id])
                case let .scanned(file):
                    counts.scanned += 1
                    counts.bytesRead += file.bytesRead
                    try store(file, db: db, sweep: sweep, ownersDigest: ownersDigest)
                case let .failed(file):
                    counts.errors += 1
                    try store(file, db: db, sweep: sweep)
                case .rechecked:
                    break  // unwrapped above; never nested
                }
            }
            try db.cachedStatement(sql: """
                UPDATE sweeps SET files_seen = files_seen + ?, files_scanned = files_scanned + ?,
                  files_unchanged = files_unchanged + ?, files_content_unchanged = files_content_unchanged + ?,
                  bytes_read = bytes_read + ?, errors = errors + ?
                WHERE id = ?
                """).execute(arguments: [counts.seen, counts.scanned, counts.unchanged, counts.contentUnchanged,
                                         counts.bytesRead, counts.errors, sweep])
        }
    }

    private func store(_ file: ScannedFile, db: Database, sweep: Int64, ownersDigest: String) throws {
        let notes: String? = file.notes.isEmpty ? nil : file.notes.joined(separator: "; ")
        let id = try Int64.fetchOne(db.cachedStatement(sql: """
            INSERT INTO files(path, root, size, mtime_ns, ctime_ns, inode, content_sha256, findings, owners_digest,
                              seen_sweep, scanned_sweep, error, error_sweep, notes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)
            ON CONFLICT(path) DO UPDATE SET root = excluded.root, size = excluded.size, mtime_ns = excluded.mtime_ns,
              ctime_ns = excluded.ctime_ns, inode = excluded.inode, content_sha256 = excluded.content_sha256,
              findings = excluded.findings, owners_digest = excluded.owners_digest, seen_sweep = excluded.seen_sweep,
              scanned_sweep = excluded.scanned_sweep, error = NULL, error_sweep = NULL, notes = excluded.notes
            RETURNING id
            """), arguments: [file.path, file.root, file.metadata.size, file.metadata.modifiedNanoseconds,
                              file.metadata.changedNanoseconds, file.metadata.inode, file.digest, file.locations.count,
                              ownersDigest, sweep, sweep, notes])!
        try db.cachedStatement(sql: "DELETE FROM locations WHERE file_id = ?").execute(arguments: [id])
        for location in file.locations {
            // A fingerprint seen before keeps its row (first seen, status); the final step of
            // the sweep decides its status from where it is now.
            try db.cachedStatement(sql: """
                INSERT INTO findings(fingerprint, rule_id, secret_sha256, secret_redacted, identity, status,
                                     first_seen_sweep, last_seen_sweep)
                VALUES (?, ?, ?, ?, ?, 'new', ?, ?)
                ON CONFLICT(fingerprint) DO NOTHING
                """).execute(arguments: [location.fingerprint, location.ruleID, location.secretSHA256,
                                         location.secretRedacted, location.identity, sweep, sweep])
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO locations(file_id, fingerprint, path, line, column, byte_start, snippet, place, ownership)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [id, location.fingerprint, location.path, location.line, location.column,
                                         location.byteStart, location.snippet, location.place, location.ownership?.json])
            // Every place a finding was ever found, for `custos who` (first and last sweep).
            try db.cachedStatement(sql: """
                INSERT INTO place_history(fingerprint, path, line, place, ownership, first_seen_sweep, last_seen_sweep)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(fingerprint, path) DO UPDATE SET line = excluded.line, place = excluded.place,
                  ownership = excluded.ownership, last_seen_sweep = excluded.last_seen_sweep
                """).execute(arguments: [location.fingerprint, location.path, location.line, location.place,
                                         location.ownership?.json, sweep, sweep])
        }
    }

    private func store(_ file: FailedFile, db: Database, sweep: Int64) throws {
        if let id = file.existingID {
            // Its previous findings stay: an unreadable file is not a fixed one.
            try db.cachedStatement(sql: "UPDATE files SET seen_sweep = ?, error = ?, error_sweep = ? WHERE id = ?")
                .execute(arguments: [sweep, file.message, sweep, id])
        } else {
            try db.cachedStatement(sql: """
                INSERT INTO files(path, root, size, mtime_ns, ctime_ns, inode, seen_sweep, error, error_sweep)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(path) DO UPDATE SET seen_sweep = excluded.seen_sweep, error = excluded.error,
                  error_sweep = excluded.error_sweep
                """).execute(arguments: [file.path, file.root, file.metadata?.size, file.metadata?.modifiedNanoseconds,
                                         file.metadata?.changedNanoseconds, file.metadata?.inode, sweep, file.message, sweep])
        }
    }
}

/// What the last step of a sweep was told about the walk.
public struct SweepClosing: Sendable {
    public var roots: [String]
    /// Folders (and roots) that could not be listed, or roots that look unmounted: files under
    /// them were not seen, but they are not gone either, so they keep their findings.
    public var unreachable: [String]
    /// Folders that could not be listed and other problems of the walk itself.
    public var walkErrors: [ScanWarning]
    /// Files found unchanged (not written during the sweep): still there.
    public var unchanged: RowBitmap
    public var unchangedFiles: Int
    public var finishedAt: Date
}

/// Counts of one finished sweep.
public struct SweepOutcome: Sendable, Hashable {
    public var sweep: Int64
    public var resumed: Bool
    public var new: Int
    /// Every finding not resolved after the sweep (new and reopened ones included).
    public var open: Int
    public var resolved: Int
    public var reopened: Int
    public var filesSeen: Int
    public var filesScanned: Int
    /// Not read: metadata as stored.
    public var filesUnchanged: Int
    /// Read, but the content hash was unchanged.
    public var filesContentUnchanged: Int
    public var filesRemoved: Int
    public var bytesRead: Int64
    public var errors: Int
    public var seconds: Double
    /// Folders (and roots) the walk could not list: their findings were kept as they were.
    public var unreachable: [String] = []
}

extension SweepState {
    /// The last step of a sweep, in one transaction: files not seen are gone (their findings'
    /// locations with them), then every finding's status follows from where it is now.
    public func finish(_ ticket: SweepTicket, closing: SweepClosing) throws(SweepStateError) -> SweepOutcome {
        let sweep = ticket.id
        return try write { db in
            for folder in closing.unreachable {
                try db.execute(sql: """
                    UPDATE files SET seen_sweep = ?
                    WHERE seen_sweep < ? AND (path = ? OR substr(path, 1, length(?) + 1) = ? || '/')
                    """, arguments: [sweep, sweep, folder, folder, folder])
            }
            for error in closing.walkErrors {
                try db.execute(sql: "INSERT INTO walk_errors(sweep, path, message) VALUES (?, ?, ?)",
                               arguments: [sweep, error.path, error.message])
            }
            try db.execute(sql: "UPDATE sweeps SET errors = errors + ? WHERE id = ?", arguments: [closing.walkErrors.count, sweep])
            // Gone: under a swept root, not written in this sweep and not found unchanged.
            // The ids are read once and tested against the bitmap here (a SQL function called
            // per row from Swift cost more than the rest of an unchanged sweep's finish).
            let unchanged = closing.unchanged
            var removed = 0
            for root in closing.roots {
                let stale = try Int64.fetchCursor(db, sql: "SELECT id FROM files WHERE root = ? AND seen_sweep < ?",
                                                  arguments: [root, sweep])
                var gone: [Int64] = []
                while let id = try stale.next() {
                    if !unchanged.contains(id) { gone.append(id) }
                }
                for start in stride(from: 0, to: gone.count, by: 500) {
                    let ids = gone[start..<min(start + 500, gone.count)].map(String.init).joined(separator: ",")
                    try db.execute(sql: "DELETE FROM locations WHERE file_id IN (\(ids))")
                    try db.execute(sql: "DELETE FROM files WHERE id IN (\(ids))")
                    removed += db.changesCount
                }
            }
            try db.execute(sql: "UPDATE sweeps SET files_seen = files_seen + ?, files_unchanged = ? WHERE id = ?",
                           arguments: [closing.unchangedFiles, closing.unchangedFiles, sweep])
            // Seen in this sweep only and already gone again (an interrupted run saw it): never was.
            try db.execute(sql: """
                DELETE FROM findings WHERE first_seen_sweep = ?
                AND NOT EXISTS (SELECT 1 FROM locations WHERE locations.fingerprint = findings.fingerprint)
                """, arguments: [sweep])
            try db.execute(sql: """
                UPDATE findings SET
                  status = CASE WHEN first_seen_sweep = ?1 THEN 'new' WHEN status = 'resolved' THEN 'reopened' ELSE 'open' END,
                  times_reopened = times_reopened + (status = 'resolved'),
                  resolved_sweep = NULL,
                  last_seen_sweep = ?1
                WHERE EXISTS (SELECT 1 FROM locations WHERE locations.fingerprint = findings.fingerprint)
                """, arguments: [sweep])
            try db.execute(sql: """
                UPDATE findings SET status = 'resolved', resolved_sweep = ?
                WHERE status != 'resolved'
                AND NOT EXISTS (SELECT 1 FROM locations WHERE locations.fingerprint = findings.fingerprint)
                """, arguments: [sweep])
            // Places still held (in files found unchanged too) were seen in this sweep; places
            // of findings that never were (see above) go with them.
            try db.execute(sql: """
                UPDATE place_history SET last_seen_sweep = ?1
                WHERE last_seen_sweep < ?1 AND EXISTS (SELECT 1 FROM locations l
                  WHERE l.fingerprint = place_history.fingerprint AND l.path = place_history.path)
                """, arguments: [sweep])
            try db.execute(sql: """
                DELETE FROM place_history WHERE first_seen_sweep = ?
                AND NOT EXISTS (SELECT 1 FROM findings WHERE findings.fingerprint = place_history.fingerprint)
                """, arguments: [sweep])
            func count(_ sql: String) throws -> Int { try Int.fetchOne(db, sql: sql, arguments: [sweep]) ?? 0 }
            let new = try count("SELECT count(*) FROM findings WHERE status = 'new' AND first_seen_sweep = ?")
            let reopened = try count("SELECT count(*) FROM findings WHERE status = 'reopened' AND last_seen_sweep = ?")
            let resolved = try count("SELECT count(*) FROM findings WHERE resolved_sweep = ?")
            let open = try Int.fetchOne(db, sql: "SELECT count(*) FROM findings WHERE status != 'resolved'") ?? 0
            try db.execute(sql: """
                UPDATE sweeps SET finished_at = ?, files_removed = ?, new = ?, open = ?, resolved = ?, reopened = ? WHERE id = ?
                """, arguments: [closing.finishedAt.timeIntervalSince1970, removed, new, open, resolved, reopened, sweep])
            let row = try Row.fetchOne(db, sql: "SELECT * FROM sweeps WHERE id = ?", arguments: [sweep])!
            return SweepOutcome(
                sweep: sweep, resumed: ticket.resumed, new: new, open: open, resolved: resolved, reopened: reopened,
                filesSeen: row["files_seen"], filesScanned: row["files_scanned"], filesUnchanged: row["files_unchanged"],
                filesContentUnchanged: row["files_content_unchanged"], filesRemoved: removed, bytesRead: row["bytes_read"],
                errors: row["errors"], seconds: closing.finishedAt.timeIntervalSince(ticket.startedAt))
        }
    }
}

/// One worker's own read-only connection to the state file, with the lookup statement
/// prepared once; readers scale with workers. Consecutive lookups share one read snapshot, up
/// to `lookupsPerSnapshot` of them and `snapshotNanoseconds` long, or until the worker is about
/// to read a large file (`endReading`): an autocommit read per lookup takes and drops SQLite's
/// file locks each time (three `fcntl` calls a file, 6 % of an unchanged sweep). So no snapshot
/// outlives a short run of small files, and the log can always be checkpointed soon; nor can it
/// be stale for the file asked about: each path is looked up once a sweep, and the writer only
/// writes files already looked up.
final class SQLiteFileReader: StoredFileReader {
    /// How much of the state each reader maps (SQLite maps no more than the file holds).
    static let mapBytes = 4 * 1024 * 1024 * 1024
    /// Lookups in one read snapshot at most.
    static let lookupsPerSnapshot = 256
    /// How long one read snapshot lasts at most by default (checked at each lookup).
    static let snapshotNanoseconds: UInt64 = 50_000_000
    private let snapshotNanoseconds: UInt64
    private let path: String
    private let connection: OpaquePointer
    private let statement: OpaquePointer
    /// Lookups since the open snapshot began; 0 when none is open.
    private var lookupsInSnapshot = 0
    /// When the open snapshot began (monotonic clock).
    private var snapshotBegan: UInt64 = 0

    init(path: String, snapshotNanoseconds: UInt64 = SQLiteFileReader.snapshotNanoseconds) throws(SweepStateError) {
        self.path = path
        self.snapshotNanoseconds = snapshotNanoseconds
        var connection: OpaquePointer?
        let opened = sqlite3_open_v2(path, &connection, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        guard opened == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let connection { sqlite3_close(connection) }
            throw .database(path: path, detail: message)
        }
        sqlite3_busy_timeout(connection, 10_000)
        // Pages read through a memory map rather than a read call each: every file of every
        // sweep is looked up, and the state (hundreds of MB for millions of files) is larger
        // than SQLite's own page cache.
        sqlite3_exec(connection, "PRAGMA mmap_size = \(Self.mapBytes)", nil, nil, nil)
        var statement: OpaquePointer?
        let sql = """
            SELECT id, size, mtime_ns, ctime_ns, inode, content_sha256, findings, owners_digest, seen_sweep, error IS NOT NULL
            FROM files WHERE path = ?
            """
        guard sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK,
              let statement else {
            let message = String(cString: sqlite3_errmsg(connection))
            sqlite3_close(connection)
            throw .database(path: path, detail: message)
        }
        self.connection = connection
        self.statement = statement
    }

    deinit {
        endReading()
        sqlite3_finalize(statement)
        sqlite3_close(connection)
    }

    func endReading() {
        guard lookupsInSnapshot > 0 else { return }
        sqlite3_exec(connection, "COMMIT", nil, nil, nil)
        lookupsInSnapshot = 0
    }

    func storedFile(at path: String) throws(SweepStateError) -> StoredFile? {
        if lookupsInSnapshot > 0, Self.now() &- snapshotBegan > snapshotNanoseconds { endReading() }
        // A snapshot that cannot begin (the state busy) leaves the lookup to run on its own.
        if lookupsInSnapshot > 0 {
            lookupsInSnapshot += 1
        } else if sqlite3_exec(connection, "BEGIN", nil, nil, nil) == SQLITE_OK {
            lookupsInSnapshot = 1
            snapshotBegan = Self.now()
        }
        // Runs after the statement is reset (defers run last first).
        defer { if lookupsInSnapshot >= Self.lookupsPerSnapshot { endReading() } }
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        let bound = path.withCString { sqlite3_bind_text(statement, 1, $0, -1, SQLITE_TRANSIENT) }
        guard bound == SQLITE_OK else { throw failure() }
        switch sqlite3_step(statement) {
        case SQLITE_DONE:
            return nil
        case SQLITE_ROW:
            var metadata: FileStatus?
            if sqlite3_column_type(statement, 1) != SQLITE_NULL {
                metadata = FileStatus(size: sqlite3_column_int64(statement, 1), modifiedNanoseconds: sqlite3_column_int64(statement, 2),
                                      changedNanoseconds: sqlite3_column_int64(statement, 3), inode: sqlite3_column_int64(statement, 4))
            }
            var digest: Data?
            if let bytes = sqlite3_column_blob(statement, 5) {
                digest = Data(bytes: bytes, count: Int(sqlite3_column_bytes(statement, 5)))
            }
            let owners = sqlite3_column_text(statement, 7).map { String(cString: $0) }
            return StoredFile(id: sqlite3_column_int64(statement, 0), metadata: metadata, digest: digest,
                              findings: Int(sqlite3_column_int64(statement, 6)), ownersDigest: owners,
                              seenSweep: sqlite3_column_int64(statement, 8), hasError: sqlite3_column_int64(statement, 9) != 0)
        default:
            throw failure()
        }
    }

    /// The coarse monotonic clock (a few nanoseconds to read, millisecond resolution).
    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    private func failure() -> SweepStateError {
        let code = sqlite3_errcode(connection)
        let message = String(cString: sqlite3_errmsg(connection))
        if code == SQLITE_CORRUPT { return .corrupt(path: path, detail: message) }
        if code == SQLITE_NOTADB { return .notADatabase(path: path) }
        return .database(path: path, detail: message)
    }
}
