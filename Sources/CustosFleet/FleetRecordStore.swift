import CustosCore
import Dispatch
import Foundation
import PostgresNIO

/// The fleet database as a store of findings for `custos who`: one secret answers with every
/// place at every plant that published it. A fingerprint found at several sites is one record
/// whose places name their site; its status is the most pressing one any site holds.
public final class FleetRecordStore: FindingRecordStore, Sendable {
    let database: FleetDatabase

    public init(database: FleetDatabase) {
        self.database = database
    }

    public var location: String { database.address.description }

    public func recordedRuleIDs() throws(RecordStoreError) -> [String] {
        let database = self.database
        return try answer {
            try await database.rows("SELECT DISTINCT rule_id FROM custos.findings ORDER BY rule_id").map {
                try $0.decode(String.self)
            }
        }
    }

    public func records(fingerprints: [String]) throws(RecordStoreError) -> [FindingRecord] {
        let database = self.database
        return try answer { try await Self.records(database, matching: "f.fingerprint = ANY(\(fingerprints)::text[])") }
    }

    public func records(secretSHA256: String) throws(RecordStoreError) -> [FindingRecord] {
        let database = self.database
        return try answer { try await Self.records(database, matching: "f.secret_sha256 = \(secretSHA256)") }
    }

    public func fingerprint(ofFindingID id: String) throws(RecordStoreError) -> String? {
        let database = self.database
        return try answer {
            for row in try await database.rows("SELECT DISTINCT fingerprint, path FROM custos.places") {
                let (fingerprint, path) = try row.decode((String, String).self)
                if FindingID.make(fingerprint: fingerprint, path: path) == id { return fingerprint }
            }
            return nil
        }
    }

    /// Findings matching `condition` (a bound SQL condition on `custos.findings f`), merged by
    /// fingerprint across sites.
    static func records(_ database: FleetDatabase, matching condition: PostgresQuery) async throws -> [FindingRecord] {
        var sql = PostgresQuery(unsafeSQL: """
            SELECT f.site, f.fingerprint, f.rule_id, f.secret_sha256, f.secret_redacted, f.identity, f.status,
                   to_char(f.first_seen, 'YYYY-MM-DD'), to_char(f.last_seen, 'YYYY-MM-DD'), f.ownership::text,
                   p.path, p.line, p.current, to_char(p.first_seen, 'YYYY-MM-DD'), to_char(p.last_seen, 'YYYY-MM-DD')
            FROM custos.findings f LEFT JOIN custos.places p ON p.site = f.site AND p.fingerprint = f.fingerprint
            WHERE
            """)
        sql.sql += " " + condition.sql + " ORDER BY f.fingerprint, p.current DESC, f.site, p.path"
        sql.binds = condition.binds
        var records: [FindingRecord] = []
        for row in try await database.rows(sql) {
            let (site, fingerprint, rule, hash, redacted, identity, statusText, first, last, ownershipJSON,
                 path, line, current, placeFirst, placeLast) = try row.decode(
                (String, String, String, String, String, String?, String, String?, String?, String?,
                 String?, Int?, Bool?, String?, String?).self)
            let status = FindingStatus(rawValue: statusText) ?? .open
            if records.last?.fingerprint != fingerprint {
                let ownership = ownershipJSON.flatMap { try? JSONDecoder().decode(Ownership.self, from: Data($0.utf8)) }
                records.append(FindingRecord(
                    fingerprint: fingerprint, ruleID: rule, secretSHA256: hash, secretRedacted: redacted, identity: identity,
                    status: status, firstSeen: first.map { Sighting(day: IsoDay($0)) }, lastSeen: last.map { Sighting(day: IsoDay($0)) },
                    places: [], ownership: ownership))
            }
            let index = records.count - 1
            records[index].status = Self.morePressing(records[index].status, status)
            if let first = first.flatMap(IsoDay.init), (records[index].firstSeen?.day).map({ first < $0 }) ?? true {
                records[index].firstSeen = Sighting(day: first)
            }
            if let last = last.flatMap(IsoDay.init), (records[index].lastSeen?.day).map({ last > $0 }) ?? true {
                records[index].lastSeen = Sighting(day: last)
            }
            if let path, let line, let current {
                records[index].places.append(FindingRecord.Place(
                    path: path, line: line, site: site, fingerprint: fingerprint, current: current,
                    firstSeen: placeFirst.map { Sighting(day: IsoDay($0)) }, lastSeen: placeLast.map { Sighting(day: IsoDay($0)) }))
            }
        }
        for index in records.indices {
            records[index].places.sort { ($0.current ? 0 : 1, $0.site, $0.path) < ($1.current ? 0 : 1, $1.site, $1.path) }
        }
        return records
    }

    /// Of two sites' statuses, the one that asks for action first.
    static func morePressing(_ a: FindingStatus?, _ b: FindingStatus) -> FindingStatus {
        let order: [FindingStatus] = [.resolved, .open, .new, .reopened]
        guard let a else { return b }
        return (order.firstIndex(of: a) ?? 0) >= (order.firstIndex(of: b) ?? 0) ? a : b
    }

    private func answer<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws(RecordStoreError) -> T {
        do {
            return try BlockingCall.run(body)
        } catch {
            throw RecordStoreError(FleetDatabase.explain(error))
        }
    }
}

/// Runs async work from synchronous code (the command line's commands, `FindingRecordStore`)
/// and waits for it. Never call it from inside Swift concurrency's own threads.
public enum BlockingCall {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                box.result = .success(try await body())
            } catch {
                box.result = .failure(error)
            }
            done.signal()
        }
        done.wait()
        guard let result = box.result else { throw FleetError.query("the database call ended without an answer") }
        return try result.get()
    }
}

/// The answer of one `BlockingCall`. `@unchecked Sendable` is safe: the task writes `result`
/// once, before it signals the semaphore, and the caller reads it only after the wait, which
/// orders the two.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
