import Foundation
import GRDB

/// The state of a series of sweeps, in one SQLite file (WAL): files seen, findings, where each
/// finding is, and every sweep's counts.
///
/// A foreign, damaged or newer file is refused with a `SweepStateError` before anything is
/// written to it. One sweep at a time holds the file (an advisory `flock`); reports can read
/// while a sweep runs.
public final class SweepState: Sendable {
    /// "cstw" in the SQLite header's application id: tells a custos state from any database.
    static let applicationID: UInt32 = 0x6373_7477
    /// The schema this custos writes; older ones are migrated, newer ones refused.
    /// 2: `place_history` (every place a finding was ever found, first and last sweep) and an
    /// index of findings by the secret's SHA-256, for `custos who`.
    static let schemaVersion = 2

    public let path: String
    /// A pool for a sweep (workers read while one writer commits); a read-only queue for reports.
    let pool: any DatabaseWriter
    /// The descriptor holding the sweep lock, or -1 for a reader.
    private let lockDescriptor: Int32

    private init(path: String, pool: any DatabaseWriter, lockDescriptor: Int32) {
        self.path = path
        self.pool = pool
        self.lockDescriptor = lockDescriptor
    }

    deinit {
        if lockDescriptor >= 0 { close(lockDescriptor) }
    }

    /// Opens the state for a sweep, creating it when missing, and takes the sweep lock.
    public static func openForSweep(path: String) throws(SweepStateError) -> SweepState {
        try open(path: path, forSweep: true)
    }

    /// Opens an existing state to read it (reports), read-only: nothing is written to the
    /// file or beside it, and a state on a read-only mount or owned by another user can be
    /// reported on. When no sweep runs (its lock is free) and no log is pending, SQLite is
    /// told the file cannot change (`immutable`), so not even its shared-memory file is made.
    public static func openForReading(path: String) throws(SweepStateError) -> SweepState {
        guard FileManager.default.fileExists(atPath: path) else { throw .missing(path: path) }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let pendingLog = ((try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? NSNumber)?.intValue ?? 0
        let probe = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        var idle = false
        if probe >= 0 {
            idle = flock(probe, LOCK_SH | LOCK_NB) == 0
            close(probe)
        }
        let location = idle && pendingLog == 0 ? "file:" + uriEncoded(path) + "?immutable=1" : path
        _ = try inspect(path, location: location)
        do {
            return SweepState(path: path, pool: try DatabaseQueue(path: location, configuration: configuration), lockDescriptor: -1)
        } catch {
            throw map(error, path: path)
        }
    }

    /// A path as the path part of a SQLite URI filename.
    static func uriEncoded(_ path: String) -> String {
        var encoded = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "%"), 0..<0x21, 0x7f...:
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            default:
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return encoded
    }

    private static func open(path: String, forSweep: Bool) throws(SweepStateError) -> SweepState {
        let fresh = try inspect(path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.maximumReaderCount = 8
        configuration.prepareDatabase { db in
            // NORMAL is durable at every checkpoint and never corrupts in WAL mode: a crash
            // can lose at most the last batches, which the next run reads again.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw map(error, path: path)
        }
        var lock: Int32 = -1
        if forSweep {
            lock = Foundation.open(path, O_RDONLY | O_CLOEXEC)
            guard lock >= 0 else { throw .database(path: path, detail: String(cString: strerror(errno))) }
            if flock(lock, LOCK_EX | LOCK_NB) != 0 {
                close(lock)
                throw .inUse(path: path)
            }
        }
        let state = SweepState(path: path, pool: pool, lockDescriptor: lock)
        if fresh || forSweep {
            try state.write { db in try SweepSchema.install(db, fresh: fresh) }
        }
        return state
    }

    /// Refuses anything that is not a custos state before it is opened for writing; true when
    /// the file is missing or empty (a new state).
    private static func inspect(_ path: String, location: String? = nil) throws(SweepStateError) -> Bool {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let attributes else { return true }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        if size > 0 {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw .database(path: path, detail: "cannot read it: \(String(cString: strerror(errno)))")
            }
            let header = [UInt8]((try? handle.read(upToCount: 100)) ?? Data())
            try? handle.close()
            guard header.count >= 16, header[0..<16].elementsEqual("SQLite format 3\0".utf8) else {
                if header.count < 16 { throw .corrupt(path: path, detail: "truncated to \(size) bytes") }
                throw .notADatabase(path: path)
            }
            if let expected = Self.declaredSize(header), size < expected, !FileManager.default.fileExists(atPath: path + "-wal") {
                throw .corrupt(path: path, detail: "truncated: \(size) bytes where its header says \(expected)")
            }
        } else if !FileManager.default.fileExists(atPath: path + "-wal") {
            return true
        }
        // Read-only and through SQLite, so a write-ahead log that holds the newest header counts.
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: location ?? path, configuration: configuration)
            defer { try? queue.close() }
            let (application, version, tables) = try queue.read { db in
                (try Int.fetchOne(db, sql: "PRAGMA application_id") ?? 0,
                 try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0)
            }
            let id = UInt32(truncatingIfNeeded: application)
            if id == applicationID {
                guard version <= schemaVersion else {
                    throw SweepStateError.newerSchema(path: path, found: version, supported: schemaVersion)
                }
                return version == 0
            }
            guard id == 0 && tables == 0 else { throw SweepStateError.foreign(path: path, applicationID: id) }
            return true
        } catch let error as SweepStateError {
            throw error
        } catch {
            throw map(error, path: path)
        }
    }

    /// The size a database file's header says it has: page size × page count, when the
    /// header's count is valid (its version-valid-for number equals its change counter).
    static func declaredSize(_ header: [UInt8]) -> Int? {
        guard header.count >= 100 else { return nil }
        func word(_ offset: Int) -> Int {
            Int(header[offset]) << 24 | Int(header[offset + 1]) << 16 | Int(header[offset + 2]) << 8 | Int(header[offset + 3])
        }
        let rawPageSize = Int(header[16]) << 8 | Int(header[17])
        let pageSize = rawPageSize == 1 ? 65_536 : rawPageSize
        guard pageSize >= 512, word(92) == word(24), word(28) > 0 else { return nil }
        return pageSize * word(28)
    }

    /// Runs `body` in a write transaction.
    func write<T>(_ body: (Database) throws -> T) throws(SweepStateError) -> T {
        do {
            return try pool.write(body)
        } catch let error as SweepStateError {
            throw error
        } catch {
            throw Self.map(error, path: path)
        }
    }

    /// Runs `body` in a read transaction (a snapshot of the last commit).
    func read<T>(_ body: (Database) throws -> T) throws(SweepStateError) -> T {
        do {
            return try pool.read(body)
        } catch let error as SweepStateError {
            throw error
        } catch {
            throw Self.map(error, path: path)
        }
    }

    static func map(_ error: any Error, path: String) -> SweepStateError {
        guard let error = error as? DatabaseError else { return .database(path: path, detail: "\(error)") }
        switch error.resultCode {
        case .SQLITE_NOTADB: return .notADatabase(path: path)
        case .SQLITE_CORRUPT: return .corrupt(path: path, detail: error.message ?? "malformed")
        default: return .database(path: path, detail: error.message ?? "\(error)")
        }
    }

    /// Size of the state on disk: the database and its write-ahead log.
    public var bytesOnDisk: Int64 {
        [path, path + "-wal"].reduce(0) { total, file in
            total + (((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }

    /// Folds the write-ahead log back into the database file (after a sweep).
    func checkpoint() {
        _ = try? pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }
}

/// The tables of a state, created in one transaction with the application id and version.
enum SweepSchema {
    static func install(_ db: Database, fresh: Bool) throws {
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        guard version < SweepState.schemaVersion else { return }
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS sweeps (
              id INTEGER PRIMARY KEY,
              started_at REAL NOT NULL,
              finished_at REAL,
              roots TEXT NOT NULL,
              files_seen INTEGER NOT NULL DEFAULT 0,
              files_scanned INTEGER NOT NULL DEFAULT 0,
              files_unchanged INTEGER NOT NULL DEFAULT 0,
              files_content_unchanged INTEGER NOT NULL DEFAULT 0,
              files_removed INTEGER NOT NULL DEFAULT 0,
              bytes_read INTEGER NOT NULL DEFAULT 0,
              errors INTEGER NOT NULL DEFAULT 0,
              new INTEGER NOT NULL DEFAULT 0,
              open INTEGER NOT NULL DEFAULT 0,
              resolved INTEGER NOT NULL DEFAULT 0,
              reopened INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS files (
              id INTEGER PRIMARY KEY,
              path TEXT NOT NULL UNIQUE,
              root TEXT NOT NULL,
              size INTEGER,
              mtime_ns INTEGER,
              ctime_ns INTEGER,
              inode INTEGER,
              content_sha256 BLOB,
              findings INTEGER NOT NULL DEFAULT 0,
              owners_digest TEXT,
              seen_sweep INTEGER NOT NULL,
              scanned_sweep INTEGER,
              error TEXT,
              error_sweep INTEGER,
              notes TEXT);
            CREATE TABLE IF NOT EXISTS findings (
              fingerprint TEXT PRIMARY KEY,
              rule_id TEXT NOT NULL,
              secret_sha256 TEXT NOT NULL,
              secret_redacted TEXT NOT NULL,
              identity TEXT,
              status TEXT NOT NULL,
              first_seen_sweep INTEGER NOT NULL,
              last_seen_sweep INTEGER NOT NULL,
              resolved_sweep INTEGER,
              times_reopened INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS locations (
              file_id INTEGER NOT NULL,
              fingerprint TEXT NOT NULL,
              path TEXT NOT NULL,
              line INTEGER NOT NULL,
              column INTEGER NOT NULL,
              byte_start INTEGER NOT NULL,
              snippet TEXT NOT NULL,
              place TEXT NOT NULL,
              ownership TEXT,
              PRIMARY KEY (file_id, fingerprint, path, byte_start)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS locations_by_fingerprint ON locations(fingerprint);
            CREATE TABLE IF NOT EXISTS walk_errors (sweep INTEGER NOT NULL, path TEXT NOT NULL, message TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS place_history (
              fingerprint TEXT NOT NULL,
              path TEXT NOT NULL,
              line INTEGER NOT NULL,
              place TEXT NOT NULL,
              ownership TEXT,
              first_seen_sweep INTEGER NOT NULL,
              last_seen_sweep INTEGER NOT NULL,
              PRIMARY KEY (fingerprint, path)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS findings_by_secret ON findings(secret_sha256);
            INSERT OR REPLACE INTO meta(key, value) VALUES ('format', 'custos-sweep-state');
            """)
        if version == 1 {
            // A state from before place history: its current places start the history.
            try db.execute(sql: """
                INSERT OR IGNORE INTO place_history(fingerprint, path, line, place, ownership, first_seen_sweep, last_seen_sweep)
                SELECT l.fingerprint, l.path, l.line, l.place, l.ownership, f.first_seen_sweep, f.last_seen_sweep
                FROM locations l JOIN findings f ON f.fingerprint = l.fingerprint
                """)
        }
        try db.execute(sql: "PRAGMA application_id = \(Int32(bitPattern: SweepState.applicationID))")
        try db.execute(sql: "PRAGMA user_version = \(SweepState.schemaVersion)")
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
