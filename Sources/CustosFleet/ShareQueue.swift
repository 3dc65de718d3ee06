import CustosSources
import CustosSweep
import Foundation
import PostgresNIO

/// One part of a share a worker claimed: sweep it, then `complete` it before the lease ends.
public struct ClaimedPart: Sendable {
    public var run: Int64
    public var item: Int32
    public var scope: WalkScope
}

/// Where a run stands: parts done, held by a live lease, waiting.
public struct QueueProgress: Sendable {
    public var done: Int
    public var claimed: Int
    public var pending: Int
    /// Workers holding parts now.
    public var workers: [String]
    public var total: Int { done + claimed + pending }
}

/// A finished sharded sweep, as the site now stands in the fleet database.
public struct QueueOutcome: Sendable {
    public var run: Int64
    public var new: Int
    public var open: Int
    public var resolved: Int
    public var reopened: Int
    public var filesSeen: Int64
    public var filesScanned: Int64
    public var errors: Int64
    /// True for the worker whose call settled the run.
    public var settledHere: Bool
}

/// A share swept by many workers (`custos sweep ROOT --queue URL --worker-id ID`): the first
/// worker splits the share into parts (`SharePlanner`), every worker claims parts with
/// `FOR UPDATE SKIP LOCKED` under a lease it renews, and writes each part's findings with the
/// part's completion in one transaction. A worker that dies stops renewing; its part is
/// claimed again when the lease has run out. The worker that sees every part done settles the
/// run into the site's findings, places and sweeps, as a sweep of the whole share would.
///
/// A run's results stay in PostgreSQL until the next run of the site starts; they hold no
/// secret (fingerprints, SHA-256, redacted forms), like everything custos publishes.
public struct ShareQueue: Sendable {
    /// What `custos.sites.state_path` says of a site swept through the queue.
    public static let statePath = "custos sweep --queue"

    public let site: String
    public let root: String
    public let worker: String
    /// Seconds a claim holds without renewal.
    public let leaseSeconds: Int

    public init(site: String, root: String, worker: String, leaseSeconds: Int) throws(FleetError) {
        guard !site.isEmpty else { throw .badAddress("--site needs a name") }
        guard !worker.isEmpty else { throw .badAddress("--worker-id needs a name") }
        self.site = site
        self.root = root
        self.worker = worker
        self.leaseSeconds = max(1, leaseSeconds)
    }

    /// The run to work on: the one named `name` (created when missing), or else the site's
    /// unfinished run, or else a new one split into `plan()`'s parts.
    public func join(_ database: FleetDatabase, name: String?,
                     plan: @escaping @Sendable () -> [WalkScope]) async throws(FleetError) -> Int64 {
        let site = self.site, root = self.root
        let logger = database.logger
        return try await database.transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('custos-queue:' || \(site)))", logger: logger)
            let existing: PostgresQuery = name.map { "SELECT run, root FROM custos.queue_runs WHERE site = \(site) AND name = \($0)" }
                ?? "SELECT run, root FROM custos.queue_runs WHERE site = \(site) AND finished_at IS NULL ORDER BY run DESC LIMIT 1"
            for try await (run, runRoot) in try await connection.query(existing, logger: logger).decode((Int64, String).self) {
                guard runRoot == root else {
                    throw FleetError.query("""
                        run \(run) of site '\(site)' sweeps \(runRoot), this worker was given \(root): \
                        mount the share at the same path on every worker
                        """)
                }
                return run
            }
            var run: Int64 = 1
            for try await last in try await connection.query("""
                SELECT greatest((SELECT max(run) FROM custos.queue_runs WHERE site = \(site)),
                                (SELECT max(sweep) FROM custos.sweeps WHERE site = \(site)), 0)::bigint
                """, logger: logger).decode(Int64.self) {
                run = last + 1
            }
            // Results of earlier runs are settled into the site's tables: only the new run's stay.
            try await connection.query("DELETE FROM custos.queue_runs WHERE site = \(site) AND finished_at IS NOT NULL", logger: logger)
            try await connection.query("""
                INSERT INTO custos.queue_runs (site, run, name, root) VALUES (\(site), \(run), \(name), \(root))
                """, logger: logger)
            let parts = plan()
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let folders = parts.map(\.folder)
            let scopes = parts.map { String(decoding: (try? encoder.encode($0)) ?? Data("{}".utf8), as: UTF8.self) }
            try await connection.query("""
                INSERT INTO custos.queue_items (site, run, item, folder, scope)
                SELECT \(site), \(run), (n - 1)::integer, f, s::jsonb
                FROM unnest(\(folders)::text[], \(scopes)::text[]) WITH ORDINALITY AS p(f, s, n)
                """, logger: logger)
            return run
        }
    }

    /// Claims a waiting part, or one whose lease has run out; nil when none is left to claim.
    public func claim(_ database: FleetDatabase, run: Int64) async throws(FleetError) -> ClaimedPart? {
        let rows = try await database.rows("""
            UPDATE custos.queue_items i SET state = 'claimed', worker = \(worker), attempts = i.attempts + 1,
              lease_until = now() + make_interval(secs => \(leaseSeconds))
            WHERE (i.site, i.run, i.item) = (
              SELECT site, run, item FROM custos.queue_items
              WHERE site = \(site) AND run = \(run)
                AND (state = 'pending' OR (state = 'claimed' AND lease_until < now()))
              ORDER BY item LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING i.item, i.scope::text
            """)
        guard let row = rows.first else { return nil }
        do {
            let (item, scopeJSON) = try row.decode((Int32, String).self)
            let scope = try JSONDecoder().decode(WalkScope.self, from: Data(scopeJSON.utf8))
            return ClaimedPart(run: run, item: item, scope: scope)
        } catch {
            throw .query("a work item of run \(run) cannot be read: \(error)")
        }
    }

    /// Extends the lease of `part`; false when the part is no longer this worker's (its lease
    /// ran out and another worker took it).
    public func renew(_ database: FleetDatabase, _ part: ClaimedPart) async throws(FleetError) -> Bool {
        let rows = try await database.rows("""
            UPDATE custos.queue_items SET lease_until = now() + make_interval(secs => \(leaseSeconds))
            WHERE site = \(site) AND run = \(part.run) AND item = \(part.item) AND state = 'claimed' AND worker = \(worker)
            RETURNING item
            """)
        return !rows.isEmpty
    }

    /// Gives `part` back undone (this worker cannot read the share).
    public func release(_ database: FleetDatabase, _ part: ClaimedPart) async throws(FleetError) {
        _ = try await database.rows("""
            UPDATE custos.queue_items SET state = 'pending', worker = NULL, lease_until = NULL
            WHERE site = \(site) AND run = \(part.run) AND item = \(part.item) AND state = 'claimed' AND worker = \(worker)
            """)
    }

    /// Writes the part's findings and marks it done, in one transaction; false (and nothing
    /// written) when the part is no longer this worker's.
    public func complete(_ database: FleetDatabase, _ part: ClaimedPart, findings snapshot: SweepSnapshot,
                         swept outcome: SweepOutcome) async throws(FleetError) -> Bool {
        let rows = PublishRows(snapshot)
        let site = self.site, worker = self.worker
        let logger = database.logger
        let unreachable = outcome.unreachable
        return try await database.transaction { connection in
            var mine = false
            for try await _ in try await connection.query("""
                SELECT item FROM custos.queue_items
                WHERE site = \(site) AND run = \(part.run) AND item = \(part.item) AND state = 'claimed' AND worker = \(worker)
                FOR UPDATE
                """, logger: logger) {
                mine = true
            }
            guard mine else { return false }
            try await connection.query("""
                INSERT INTO custos.queue_findings (site, run, item, fingerprint, rule_id, secret_sha256, secret_redacted,
                  identity, identity_id, identity_kind, owner, secondary_owner, revocation_authority, vendor, attributed_by,
                  ownership)
                SELECT \(site), \(part.run), \(part.item), r.fingerprint, r.rule_id, r.secret_sha256, r.secret_redacted,
                  nullif(r.identity, ''), nullif(r.identity_id, ''), nullif(r.identity_kind, ''), nullif(r.owner, ''),
                  nullif(r.secondary_owner, ''), nullif(r.revoker, ''), nullif(r.vendor, ''), nullif(r.attributed_by, ''),
                  nullif(r.ownership, '')::jsonb
                FROM unnest(\(rows.fingerprints)::text[], \(rows.ruleIDs)::text[], \(rows.secretHashes)::text[],
                  \(rows.redacted)::text[], \(rows.identities)::text[], \(rows.identityIDs)::text[],
                  \(rows.identityKinds)::text[], \(rows.owners)::text[], \(rows.secondaryOwners)::text[],
                  \(rows.revokers)::text[], \(rows.vendors)::text[], \(rows.attributions)::text[], \(rows.ownerships)::text[])
                  AS r(fingerprint, rule_id, secret_sha256, secret_redacted, identity, identity_id, identity_kind, owner,
                       secondary_owner, revoker, vendor, attributed_by, ownership)
                """, logger: logger)
            try await connection.query("""
                INSERT INTO custos.queue_places (site, run, item, fingerprint, path, line)
                SELECT \(site), \(part.run), \(part.item), r.fingerprint, r.path, r.line
                FROM unnest(\(rows.placeFingerprints)::text[], \(rows.placePaths)::text[], \(rows.placeLines)::integer[],
                  \(rows.placeCurrent)::boolean[]) AS r(fingerprint, path, line, current)
                WHERE r.current
                """, logger: logger)
            try await connection.query("""
                UPDATE custos.queue_items SET state = 'done', lease_until = NULL, finished_at = now(),
                  files_seen = \(Int64(outcome.filesSeen)), files_scanned = \(Int64(outcome.filesScanned)),
                  errors = \(Int64(outcome.errors)), unreachable = \(unreachable)::text[]
                WHERE site = \(site) AND run = \(part.run) AND item = \(part.item)
                """, logger: logger)
            return true
        }
    }

    /// How far `run` has come.
    public func progress(_ database: FleetDatabase, run: Int64) async throws(FleetError) -> QueueProgress {
        let rows = try await database.rows("""
            SELECT count(*) FILTER (WHERE state = 'done')::bigint,
                   count(*) FILTER (WHERE state = 'claimed' AND lease_until >= now())::bigint,
                   count(*) FILTER (WHERE state = 'pending' OR (state = 'claimed' AND lease_until < now()))::bigint,
                   coalesce(array_agg(DISTINCT worker ORDER BY worker) FILTER (WHERE state = 'claimed'), '{}')
            FROM custos.queue_items WHERE site = \(site) AND run = \(run)
            """)
        do {
            let (done, claimed, pending, workers) = try rows[0].decode((Int64, Int64, Int64, [String]).self)
            return QueueProgress(done: Int(done), claimed: Int(claimed), pending: Int(pending), workers: workers)
        } catch {
            throw .query("the progress of run \(run) cannot be read: \(error)")
        }
    }

    /// When every part is done: the run settled into the site (by this call or an earlier one);
    /// nil while parts remain.
    public func settle(_ database: FleetDatabase, run: Int64) async throws(FleetError) -> QueueOutcome? {
        try await QueueSettlement(site: site, run: run).settle(database)
    }
}
