import CustosCore
import Foundation
import GRDB

/// One finished sweep as the state records it.
public struct SweepRecord: Sendable, Hashable {
    public var id: Int64
    public var startedAt: Date
    public var finishedAt: Date?
    public var new: Int
    public var open: Int
    public var resolved: Int
    public var reopened: Int
    public var filesSeen: Int
    public var filesScanned: Int
    public var errors: Int
}

extension SweepRecord {
    /// Every finished sweep in the state, oldest first.
    static func finished(_ db: Database) throws -> [SweepRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM sweeps WHERE finished_at IS NOT NULL ORDER BY id").map { row in
            SweepRecord(id: row["id"], startedAt: Date(timeIntervalSince1970: row["started_at"]),
                        finishedAt: (row["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                        new: row["new"], open: row["open"], resolved: row["resolved"], reopened: row["reopened"],
                        filesSeen: row["files_seen"], filesScanned: row["files_scanned"], errors: row["errors"])
        }
    }
}

/// A finding that is not resolved, with every place it is now.
public struct OpenFinding: Sendable, Hashable {
    public struct Place: Sendable, Hashable {
        public var path: String
        public var line: Int
        public var column: Int
        public var place: String
        public var snippet: String
    }

    public var fingerprint: String
    public var ruleID: String
    public var secretRedacted: String
    public var secretSHA256: String
    public var identity: String?
    /// New, open or reopened.
    public var status: FindingStatus
    public var firstSeen: Date
    public var firstSeenSweep: Int64
    public var lastSeenSweep: Int64
    public var timesReopened: Int
    /// In path order; the first one's ownership stands for the finding.
    public var locations: [Place]
    /// Judged on the day the report is made; nil when no registry or CODEOWNERS was used.
    public var ownership: Ownership?
}

/// A file or folder the last sweep could not read, or read with a note.
public struct SweepProblem: Sendable, Hashable {
    public var path: String
    public var message: String
}

/// What a report for people needs, read from the state in one snapshot.
public struct SweepHistory: Sendable {
    public var sweeps: [SweepRecord]
    public var openFindings: [OpenFinding]
    public var problems: [SweepProblem]
    public var notes: [SweepProblem]

    /// Reads the state (finished sweeps only); `today` (YYYY-MM-DD) judges expiry.
    public static func load(from state: SweepState, today: IsoDay = .today) throws(SweepStateError) -> SweepHistory {
        try state.read { db in
            let sweeps = try SweepRecord.finished(db)
            let started = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, started_at FROM sweeps").map {
                ($0["id"] as Int64, Date(timeIntervalSince1970: $0["started_at"]))
            })
            var findings: [OpenFinding] = []
            let rows = try Row.fetchCursor(db, sql: """
                SELECT * FROM findings WHERE status != 'resolved' ORDER BY first_seen_sweep, rule_id, fingerprint
                """)
            while let row = try rows.next() {
                let fingerprint: String = row["fingerprint"]
                var ownership: Ownership?
                var places: [OpenFinding.Place] = []
                for location in try Row.fetchAll(db, sql: """
                    SELECT path, line, column, place, snippet, ownership FROM locations WHERE fingerprint = ?
                    ORDER BY path, byte_start
                    """, arguments: [fingerprint]) {
                    if places.isEmpty {
                        ownership = Ownership.decode(location["ownership"])?.judgingExpiry(today: today)
                    }
                    places.append(OpenFinding.Place(path: location["path"], line: location["line"], column: location["column"],
                                                    place: location["place"], snippet: location["snippet"]))
                }
                let firstSweep: Int64 = row["first_seen_sweep"]
                findings.append(OpenFinding(
                    fingerprint: fingerprint, ruleID: row["rule_id"], secretRedacted: row["secret_redacted"],
                    secretSHA256: row["secret_sha256"], identity: row["identity"], status: FindingStatus(rawValue: row["status"]) ?? .open,
                    firstSeen: started[firstSweep] ?? Date(), firstSeenSweep: firstSweep, lastSeenSweep: row["last_seen_sweep"],
                    timesReopened: row["times_reopened"], locations: places, ownership: ownership))
            }
            let lastSweep = sweeps.last?.id ?? -1
            var problems = try Row.fetchAll(db, sql: "SELECT path, error FROM files WHERE error IS NOT NULL ORDER BY path").map {
                SweepProblem(path: $0["path"], message: $0["error"])
            }
            problems += try Row.fetchAll(db, sql: "SELECT path, message FROM walk_errors WHERE sweep = ? ORDER BY path",
                                         arguments: [lastSweep]).map { SweepProblem(path: $0["path"], message: $0["message"]) }
            let notes = try Row.fetchAll(db, sql: "SELECT path, notes FROM files WHERE notes IS NOT NULL ORDER BY path").map {
                SweepProblem(path: $0["path"], message: $0["notes"])
            }
            return SweepHistory(sweeps: sweeps, openFindings: findings, problems: problems, notes: notes)
        }
    }
}

extension OpenFinding {
    /// The finding as people reports see it; `days` gives each sweep's day.
    public func record(days: [Int64: IsoDay]) -> FindingRecord {
        let first = Sighting(day: days[firstSeenSweep], sweep: firstSeenSweep)
        let last = Sighting(day: days[lastSeenSweep], sweep: lastSeenSweep)
        return FindingRecord(
            fingerprint: fingerprint, ruleID: ruleID, secretSHA256: secretSHA256, secretRedacted: secretRedacted,
            identity: identity, status: status, firstSeen: first, lastSeen: last,
            places: locations.map { FindingRecord.Place(path: $0.path, line: $0.line, site: $0.place, fingerprint: fingerprint,
                                                        snippet: $0.snippet, lastSeen: last) },
            ownership: ownership)
    }
}

extension SweepHistory {
    /// Each sweep's day (UTC).
    public var days: [Int64: IsoDay] {
        Dictionary(sweeps.compactMap { sweep in IsoDay(IsoDayText.day(sweep.startedAt)).map { (sweep.id, $0) } },
                   uniquingKeysWith: { first, _ in first })
    }

    /// The open findings as people reports see them.
    public var records: [FindingRecord] {
        let days = self.days
        return openFindings.map { $0.record(days: days) }
    }
}

/// Dates as YYYY-MM-DD in UTC.
public enum IsoDayText {
    public static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}
