import CustosCore
import CustosSweep
import Foundation
import PostgresNIO

/// What one publish wrote.
public struct PublishOutcome: Sendable, Hashable {
    public var site: String
    public var sweeps: Int
    public var findings: Int
    public var places: Int
    /// Rows inserted, changed or removed; 0 when the database already held this state.
    public var rowsChanged: Int
}

/// Writes one site's sweep state to the fleet database.
///
/// The whole state goes in one transaction (every finished sweep's counts, every finding with
/// its status, ownership and places), so a publish is idempotent (rows already as published
/// are left untouched), a publish cut off by a lost connection leaves nothing half-written,
/// and the next publish sends whatever earlier ones could not: the backlog is the state.
public struct SitePublisher: Sendable {
    public let site: String

    public init(site: String) throws(FleetError) {
        let trimmed = site.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 200, !trimmed.contains(where: \.isNewline) else {
            throw .badAddress("site name '\(site)' must be one line of 1 to 200 characters")
        }
        self.site = trimmed
    }

    public func publish(_ snapshot: SweepSnapshot, to database: FleetDatabase) async throws(FleetError) -> PublishOutcome {
        guard !snapshot.interrupted else {
            throw .state("\(snapshot.statePath) holds an interrupted sweep: run the sweep again to finish it, then publish")
        }
        guard let last = snapshot.sweeps.last, let lastFinished = last.finishedAt else {
            throw .state("\(snapshot.statePath) holds no finished sweep yet: nothing to publish")
        }
        let rows = PublishRows(snapshot)
        let site = self.site
        let logger = database.logger
        let changed = try await database.transaction { connection in
            // One publisher per site at a time; other sites publish alongside.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('custos-site:' || \(site)))", logger: logger)
            for try await existing in try await connection.query(
                "SELECT state_path FROM custos.sites WHERE site = \(site)", logger: logger
            ).decode(String.self) where existing != snapshot.statePath {
                throw FleetError.query("""
                    site '\(site)' is already published from the state \(existing); this state is \(snapshot.statePath). \
                    Give this plant its own --site name (or move the state back)
                    """)
            }
            var changed = 0
            changed += try await changedRows(connection, """
                INSERT INTO custos.sites AS s (site, state_path, last_sweep, last_swept_at)
                VALUES (\(site), \(snapshot.statePath), \(last.id), \(lastFinished))
                ON CONFLICT (site) DO UPDATE SET state_path = excluded.state_path, last_sweep = excluded.last_sweep,
                  last_swept_at = excluded.last_swept_at
                WHERE (s.state_path, s.last_sweep, s.last_swept_at)
                  IS DISTINCT FROM (excluded.state_path, excluded.last_sweep, excluded.last_swept_at)
                """)
            changed += try await changedRows(connection, """
                INSERT INTO custos.sweeps AS w (site, sweep, started_at, finished_at, files_seen, files_scanned, errors,
                                                new, open, resolved, reopened)
                SELECT \(site), * FROM unnest(\(rows.sweepIDs)::bigint[], \(rows.sweepStarted)::timestamptz[],
                  \(rows.sweepFinished)::timestamptz[], \(rows.sweepFilesSeen)::bigint[], \(rows.sweepFilesScanned)::bigint[],
                  \(rows.sweepErrors)::bigint[], \(rows.sweepNew)::integer[], \(rows.sweepOpen)::integer[],
                  \(rows.sweepResolved)::integer[], \(rows.sweepReopened)::integer[])
                ON CONFLICT (site, sweep) DO UPDATE SET started_at = excluded.started_at, finished_at = excluded.finished_at,
                  files_seen = excluded.files_seen, files_scanned = excluded.files_scanned, errors = excluded.errors,
                  new = excluded.new, open = excluded.open, resolved = excluded.resolved, reopened = excluded.reopened
                WHERE (w.started_at, w.finished_at, w.files_seen, w.files_scanned, w.errors, w.new, w.open, w.resolved, w.reopened)
                  IS DISTINCT FROM (excluded.started_at, excluded.finished_at, excluded.files_seen, excluded.files_scanned,
                    excluded.errors, excluded.new, excluded.open, excluded.resolved, excluded.reopened)
                """)
            changed += try await changedRows(connection, """
                DELETE FROM custos.sweeps WHERE site = \(site) AND NOT (sweep = ANY(\(rows.sweepIDs)::bigint[]))
                """)
            // Findings the state no longer holds (an interrupted sweep's that never were).
            changed += try await changedRows(connection, """
                DELETE FROM custos.findings WHERE site = \(site) AND NOT (fingerprint = ANY(\(rows.fingerprints)::text[]))
                """)
            changed += try await changedRows(connection, """
                INSERT INTO custos.findings AS f (site, fingerprint, rule_id, secret_sha256, secret_redacted, identity, status,
                  first_seen, last_seen, first_seen_sweep, last_seen_sweep, identity_id, identity_kind, owner, secondary_owner,
                  revocation_authority, vendor, attributed_by, ownership)
                SELECT \(site), r.fingerprint, r.rule_id, r.secret_sha256, r.secret_redacted, nullif(r.identity, ''), r.status,
                  nullif(r.first_seen, '')::date, nullif(r.last_seen, '')::date, r.first_sweep, r.last_sweep,
                  nullif(r.identity_id, ''), nullif(r.identity_kind, ''), nullif(r.owner, ''), nullif(r.secondary_owner, ''),
                  nullif(r.revoker, ''), nullif(r.vendor, ''), nullif(r.attributed_by, ''), nullif(r.ownership, '')::jsonb
                FROM unnest(\(rows.fingerprints)::text[], \(rows.ruleIDs)::text[], \(rows.secretHashes)::text[],
                  \(rows.redacted)::text[], \(rows.identities)::text[], \(rows.statuses)::text[], \(rows.firstSeen)::text[],
                  \(rows.lastSeen)::text[], \(rows.firstSweeps)::bigint[], \(rows.lastSweeps)::bigint[],
                  \(rows.identityIDs)::text[], \(rows.identityKinds)::text[], \(rows.owners)::text[],
                  \(rows.secondaryOwners)::text[], \(rows.revokers)::text[], \(rows.vendors)::text[],
                  \(rows.attributions)::text[], \(rows.ownerships)::text[])
                  AS r(fingerprint, rule_id, secret_sha256, secret_redacted, identity, status, first_seen, last_seen,
                       first_sweep, last_sweep, identity_id, identity_kind, owner, secondary_owner, revoker, vendor,
                       attributed_by, ownership)
                ON CONFLICT (site, fingerprint) DO UPDATE SET rule_id = excluded.rule_id, secret_sha256 = excluded.secret_sha256,
                  secret_redacted = excluded.secret_redacted, identity = excluded.identity, status = excluded.status,
                  first_seen = excluded.first_seen, last_seen = excluded.last_seen, first_seen_sweep = excluded.first_seen_sweep,
                  last_seen_sweep = excluded.last_seen_sweep, identity_id = excluded.identity_id,
                  identity_kind = excluded.identity_kind, owner = excluded.owner, secondary_owner = excluded.secondary_owner,
                  revocation_authority = excluded.revocation_authority, vendor = excluded.vendor,
                  attributed_by = excluded.attributed_by, ownership = excluded.ownership
                WHERE (f.rule_id, f.secret_sha256, f.secret_redacted, f.identity, f.status, f.first_seen, f.last_seen,
                       f.first_seen_sweep, f.last_seen_sweep, f.identity_id, f.identity_kind, f.owner, f.secondary_owner,
                       f.revocation_authority, f.vendor, f.attributed_by, f.ownership)
                  IS DISTINCT FROM (excluded.rule_id, excluded.secret_sha256, excluded.secret_redacted, excluded.identity,
                       excluded.status, excluded.first_seen, excluded.last_seen, excluded.first_seen_sweep,
                       excluded.last_seen_sweep, excluded.identity_id, excluded.identity_kind, excluded.owner,
                       excluded.secondary_owner, excluded.revocation_authority, excluded.vendor, excluded.attributed_by,
                       excluded.ownership)
                """)
            changed += try await changedRows(connection, """
                DELETE FROM custos.places p WHERE p.site = \(site) AND NOT EXISTS (
                  SELECT 1 FROM unnest(\(rows.placeFingerprints)::text[], \(rows.placePaths)::text[]) AS k(fingerprint, path)
                  WHERE k.fingerprint = p.fingerprint AND k.path = p.path)
                """)
            changed += try await changedRows(connection, """
                INSERT INTO custos.places AS p (site, fingerprint, path, line, current, first_seen, last_seen)
                SELECT \(site), r.fingerprint, r.path, r.line, r.current, nullif(r.first_seen, '')::date, nullif(r.last_seen, '')::date
                FROM unnest(\(rows.placeFingerprints)::text[], \(rows.placePaths)::text[], \(rows.placeLines)::integer[],
                  \(rows.placeCurrent)::boolean[], \(rows.placeFirstSeen)::text[], \(rows.placeLastSeen)::text[])
                  AS r(fingerprint, path, line, current, first_seen, last_seen)
                ON CONFLICT (site, fingerprint, path) DO UPDATE SET line = excluded.line, current = excluded.current,
                  first_seen = excluded.first_seen, last_seen = excluded.last_seen
                WHERE (p.line, p.current, p.first_seen, p.last_seen)
                  IS DISTINCT FROM (excluded.line, excluded.current, excluded.first_seen, excluded.last_seen)
                """)
            return changed
        }
        return PublishOutcome(site: site, sweeps: rows.sweepIDs.count, findings: rows.fingerprints.count,
                              places: rows.placePaths.count, rowsChanged: changed)
    }
}

/// Runs one statement and says how many rows it inserted, changed or deleted (its command tag).
private func changedRows(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> Int {
    let result: PostgresQueryResult = try await connection.query(query, logger: FleetDatabase.quietLogger).get()
    return result.metadata.rows ?? 0
}

/// A snapshot as column arrays, bound to `unnest(...)` so each table is written by one
/// statement whatever the number of rows. Absent values travel as "" and become NULL.
struct PublishRows: Sendable {
    var sweepIDs: [Int64] = [], sweepStarted: [Date] = [], sweepFinished: [Date] = []
    var sweepFilesSeen: [Int64] = [], sweepFilesScanned: [Int64] = [], sweepErrors: [Int64] = []
    var sweepNew: [Int32] = [], sweepOpen: [Int32] = [], sweepResolved: [Int32] = [], sweepReopened: [Int32] = []

    var fingerprints: [String] = [], ruleIDs: [String] = [], secretHashes: [String] = [], redacted: [String] = []
    var identities: [String] = [], statuses: [String] = [], firstSeen: [String] = [], lastSeen: [String] = []
    var firstSweeps: [Int64] = [], lastSweeps: [Int64] = []
    var identityIDs: [String] = [], identityKinds: [String] = [], owners: [String] = [], secondaryOwners: [String] = []
    var revokers: [String] = [], vendors: [String] = [], attributions: [String] = [], ownerships: [String] = []

    var placeFingerprints: [String] = [], placePaths: [String] = [], placeLines: [Int32] = []
    var placeCurrent: [Bool] = [], placeFirstSeen: [String] = [], placeLastSeen: [String] = []

    init(_ snapshot: SweepSnapshot) {
        for sweep in snapshot.sweeps {
            guard let finished = sweep.finishedAt else { continue }
            sweepIDs.append(sweep.id)
            sweepStarted.append(sweep.startedAt)
            sweepFinished.append(finished)
            sweepFilesSeen.append(Int64(sweep.filesSeen))
            sweepFilesScanned.append(Int64(sweep.filesScanned))
            sweepErrors.append(Int64(sweep.errors))
            sweepNew.append(Int32(clamping: sweep.new))
            sweepOpen.append(Int32(clamping: sweep.open))
            sweepResolved.append(Int32(clamping: sweep.resolved))
            sweepReopened.append(Int32(clamping: sweep.reopened))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for record in snapshot.findings {
            fingerprints.append(record.fingerprint)
            ruleIDs.append(record.ruleID)
            secretHashes.append(record.secretSHA256 ?? "")
            redacted.append(record.secretRedacted)
            identities.append(record.identity ?? "")
            statuses.append((record.status ?? .open).rawValue)
            firstSeen.append(record.firstSeen?.day?.description ?? "")
            lastSeen.append(record.lastSeen?.day?.description ?? "")
            firstSweeps.append(record.firstSeen?.sweep ?? 0)
            lastSweeps.append(record.lastSeen?.sweep ?? 0)
            let ownership = record.ownership
            identityIDs.append(ownership?.identityID ?? "")
            identityKinds.append(ownership?.kind?.rawValue ?? "")
            owners.append(ownership?.owner ?? "")
            secondaryOwners.append(ownership?.secondaryOwner ?? "")
            revokers.append(ownership?.revocationAuthority ?? "")
            vendors.append(ownership?.vendor ?? "")
            attributions.append(ownership?.attributedBy.rawValue ?? "")
            ownerships.append(ownership.flatMap { try? encoder.encode($0) }.map { String(decoding: $0, as: UTF8.self) } ?? "")
            var paths = Set<String>()
            for place in record.places where paths.insert(place.path).inserted {
                placeFingerprints.append(record.fingerprint)
                placePaths.append(place.path)
                placeLines.append(Int32(clamping: place.line))
                placeCurrent.append(place.current)
                placeFirstSeen.append(place.firstSeen?.day?.description ?? "")
                placeLastSeen.append(place.lastSeen?.day?.description ?? "")
            }
        }
    }
}

extension PublishOutcome {
    /// "site A: 3 sweeps, 12 findings, 20 places (5 rows changed)".
    public var summary: String {
        "site \(site): \(sweeps) sweeps, \(findings) findings, \(places) places (\(rowsChanged == 0 ? "already up to date" : "\(rowsChanged) rows changed"))"
    }
}

/// Publishing from synchronous code (the command line).
public enum FleetPublishing {
    /// Reads `state` and publishes it as `site`, in one transaction.
    public static func publish(state: SweepState, site: String, to address: FleetDatabaseAddress) throws -> PublishOutcome {
        let publisher = try SitePublisher(site: site)
        let snapshot: SweepSnapshot
        do {
            snapshot = try state.snapshot()
        } catch {
            throw FleetError.state("\(error)")
        }
        return try BlockingCall.run {
            try await FleetDatabase.using(address) { database in try await publisher.publish(snapshot, to: database) }
        }
    }
}
