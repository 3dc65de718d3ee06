// The sweep state answering `custos who`: indexed reads only (findings by fingerprint and by the
// secret's SHA-256, locations and place history by fingerprint), never a scan of the files
// table, so a state of a million files answers in milliseconds. Writing the history is the
// sweep's (SweepStore.swift); this file only reads.

import CustosCore
import Foundation
import GRDB

/// A sweep state as a store of findings for `custos who`: every lookup is an indexed query
/// (findings by fingerprint and by the secret's SHA-256, locations and place history by
/// fingerprint), so the answer costs milliseconds whatever the number of files. Resolved
/// findings answer too: their places come from the place history with the sweeps that first
/// and last saw them. A state written before place history (schema 1) answers with current
/// places only until the next sweep migrates it.
extension SweepState: FindingRecordStore {
    public func recordedRuleIDs() throws(RecordStoreError) -> [String] {
        try query { db in try String.fetchAll(db, sql: "SELECT DISTINCT rule_id FROM findings ORDER BY rule_id") }
    }

    public func records(fingerprints: [String]) throws(RecordStoreError) -> [FindingRecord] {
        try query { db in try fingerprints.compactMap { try Self.record(db, fingerprint: $0) } }
    }

    public func records(secretSHA256: String) throws(RecordStoreError) -> [FindingRecord] {
        try query { db in
            try String.fetchAll(db, sql: "SELECT fingerprint FROM findings WHERE secret_sha256 = ? ORDER BY fingerprint",
                                arguments: [secretSHA256]).compactMap { try Self.record(db, fingerprint: $0) }
        }
    }

    public func fingerprint(ofFindingID id: String) throws(RecordStoreError) -> String? {
        try query { db in
            let history = try Self.hasPlaceHistory(db)
            let sql = history
                ? "SELECT fingerprint, path FROM place_history UNION SELECT fingerprint, path FROM locations"
                : "SELECT fingerprint, path FROM locations"
            let rows = try Row.fetchCursor(db, sql: sql)
            while let row = try rows.next() {
                let fingerprint: String = row[0]
                if FindingID.make(fingerprint: fingerprint, path: row[1]) == id { return fingerprint }
            }
            return nil
        }
    }

    private func query<T>(_ body: (Database) throws -> T) throws(RecordStoreError) -> T {
        do {
            return try read(body)
        } catch {
            throw RecordStoreError("\(error)")
        }
    }

    static func hasPlaceHistory(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'place_history'") ?? false
    }

    /// One finding with its current places (locations) and past ones (place history).
    static func record(_ db: Database, fingerprint: String) throws -> FindingRecord? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM findings WHERE fingerprint = ?", arguments: [fingerprint]) else {
            return nil
        }
        let days = try Dictionary(Row.fetchAll(db, sql: "SELECT id, started_at FROM sweeps").map { row -> (Int64, IsoDay?) in
            (row["id"], IsoDay(IsoDayText.day(Date(timeIntervalSince1970: row["started_at"]))))
        }, uniquingKeysWith: { first, _ in first })
        func sighting(_ sweep: Int64?) -> Sighting? { sweep.map { Sighting(day: days[$0] ?? nil, sweep: $0) } }
        var history: [String: (first: Int64, last: Int64, line: Int, place: String, ownership: String?)] = [:]
        var historyOrder: [String] = []
        if try hasPlaceHistory(db) {
            for place in try Row.fetchAll(db, sql: """
                SELECT path, line, place, ownership, first_seen_sweep, last_seen_sweep FROM place_history
                WHERE fingerprint = ? ORDER BY path
                """, arguments: [fingerprint]) {
                let path: String = place["path"]
                historyOrder.append(path)
                history[path] = (place["first_seen_sweep"], place["last_seen_sweep"], place["line"], place["place"], place["ownership"])
            }
        }
        let firstSweep: Int64 = row["first_seen_sweep"]
        let lastSweep: Int64 = row["last_seen_sweep"]
        var places: [FindingRecord.Place] = []
        var ownershipJSON: String?
        var current = Set<String>()
        for location in try Row.fetchAll(db, sql: """
            SELECT path, line, place, snippet, ownership FROM locations WHERE fingerprint = ? ORDER BY path, byte_start
            """, arguments: [fingerprint]) {
            let path: String = location["path"]
            guard current.insert(path).inserted else { continue }
            if ownershipJSON == nil { ownershipJSON = location["ownership"] }
            let seen = history[path]
            places.append(FindingRecord.Place(path: path, line: location["line"], site: location["place"], fingerprint: fingerprint,
                                              snippet: location["snippet"], current: true,
                                              firstSeen: sighting(seen?.first ?? firstSweep), lastSeen: sighting(seen?.last ?? lastSweep)))
        }
        for path in historyOrder where !current.contains(path) {
            guard let seen = history[path] else { continue }
            if ownershipJSON == nil { ownershipJSON = seen.ownership }
            places.append(FindingRecord.Place(path: path, line: seen.line, site: seen.place, fingerprint: fingerprint, current: false,
                                              firstSeen: sighting(seen.first), lastSeen: sighting(seen.last)))
        }
        return FindingRecord(
            fingerprint: fingerprint, ruleID: row["rule_id"], secretSHA256: row["secret_sha256"],
            secretRedacted: row["secret_redacted"], identity: row["identity"],
            status: FindingStatus(rawValue: row["status"]), firstSeen: sighting(firstSweep), lastSeen: sighting(lastSweep),
            places: places, ownership: Ownership.decode(ownershipJSON))
    }
}
