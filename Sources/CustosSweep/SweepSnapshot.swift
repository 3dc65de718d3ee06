import CustosCore
import Foundation
import GRDB

/// Everything a sweep state holds that a central store may keep: the finished sweeps' counts
/// and every finding (resolved ones too) with its places and ownership. No file contents, no
/// snippets, no secret: fingerprints, the secret's SHA-256 and its redacted form.
public struct SweepSnapshot: Sendable {
    /// Where the state lives (for the central store's record of it).
    public var statePath: String
    /// Finished sweeps, oldest first.
    public var sweeps: [SweepRecord]
    /// Every finding, in fingerprint order; places carry no snippet.
    public var findings: [FindingRecord]
    /// True when a sweep was interrupted and not yet taken up again: findings then hold part of
    /// it, so a central store should wait for the sweep to finish.
    public var interrupted: Bool
}

extension SweepState {
    /// The state as it stands after its last finished sweep (read in one snapshot).
    public func snapshot() throws(SweepStateError) -> SweepSnapshot {
        try read { db in
            let sweeps = try SweepRecord.finished(db)
            let fingerprints = try String.fetchAll(db, sql: "SELECT fingerprint FROM findings ORDER BY fingerprint")
            let findings = try fingerprints.compactMap { fingerprint -> FindingRecord? in
                guard var record = try Self.record(db, fingerprint: fingerprint) else { return nil }
                for index in record.places.indices { record.places[index].snippet = nil }
                return record
            }
            let interrupted = try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM sweeps WHERE finished_at IS NULL") ?? false
            return SweepSnapshot(statePath: path, sweeps: sweeps, findings: findings, interrupted: interrupted)
        }
    }
}
