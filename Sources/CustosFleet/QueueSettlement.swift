import Foundation
import PostgresNIO

/// The last step of a sharded sweep, in one transaction under the site's lock: the parts'
/// findings become the site's findings, places and sweep row, with each finding's status
/// following from where it was before, as the local state's `finish` decides it:
/// first seen in this run → new; resolved before and back → reopened; else open; open before
/// and not seen now → resolved, unless one of its places lies in a folder a worker could not
/// list (an unmounted or unreadable folder keeps its findings as they were).
struct QueueSettlement: Sendable {
    let site: String
    let run: Int64

    func settle(_ database: FleetDatabase) async throws(FleetError) -> QueueOutcome? {
        let site = self.site, run = self.run
        let logger = database.logger
        return try await database.transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('custos-site:' || \(site)))", logger: logger)
            for try await (finished, new, open, resolved, reopened) in try await connection.query("""
                SELECT finished_at IS NOT NULL, coalesce(new, 0), coalesce(open, 0), coalesce(resolved, 0), coalesce(reopened, 0)
                FROM custos.queue_runs WHERE site = \(site) AND run = \(run) FOR UPDATE
                """, logger: logger).decode((Bool, Int32, Int32, Int32, Int32).self) where finished {
                let files = try await Self.fileCounts(connection, site: site, run: run, logger: logger)
                return QueueOutcome(run: run, new: Int(new), open: Int(open), resolved: Int(resolved), reopened: Int(reopened),
                                    filesSeen: files.seen, filesScanned: files.scanned, errors: files.errors, settledHere: false)
            }
            for try await remaining in try await connection.query(
                "SELECT count(*)::bigint FROM custos.queue_items WHERE site = \(site) AND run = \(run) AND state <> 'done'",
                logger: logger
            ).decode(Int64.self) where remaining > 0 {
                return nil
            }
            for try await path in try await connection.query(
                "SELECT state_path FROM custos.sites WHERE site = \(site)", logger: logger
            ).decode(String.self) where path != ShareQueue.statePath {
                throw FleetError.query("""
                    site '\(site)' is published from the state \(path), not swept through the queue: \
                    give the sharded sweep its own --site name
                    """)
            }
            try await connection.query("""
                INSERT INTO custos.sites (site, state_path, last_sweep, last_swept_at)
                VALUES (\(site), \(ShareQueue.statePath), \(run), now())
                ON CONFLICT (site) DO UPDATE SET last_sweep = excluded.last_sweep, last_swept_at = excluded.last_swept_at
                """, logger: logger)
            // This run's findings, one row each (a secret in two parts is one finding).
            try await connection.query("""
                CREATE TEMPORARY TABLE seen ON COMMIT DROP AS
                SELECT DISTINCT ON (fingerprint) * FROM custos.queue_findings
                WHERE site = \(site) AND run = \(run) ORDER BY fingerprint, item
                """, logger: logger)
            try await connection.query("""
                CREATE TEMPORARY TABLE unreachable ON COMMIT DROP AS
                SELECT DISTINCT unnest(unreachable) AS folder FROM custos.queue_items WHERE site = \(site) AND run = \(run)
                """, logger: logger)
            var counts = (new: Int32(0), reopened: Int32(0), resolved: Int32(0))
            for try await row in try await connection.query("""
                SELECT count(*) FILTER (WHERE f.fingerprint IS NULL)::integer,
                       count(*) FILTER (WHERE f.status = 'resolved')::integer
                FROM seen s LEFT JOIN custos.findings f ON f.site = \(site) AND f.fingerprint = s.fingerprint
                """, logger: logger).decode((Int32, Int32).self) {
                counts.new = row.0
                counts.reopened = row.1
            }
            try await connection.query("""
                INSERT INTO custos.findings AS f (site, fingerprint, rule_id, secret_sha256, secret_redacted, identity, status,
                  first_seen, last_seen, first_seen_sweep, last_seen_sweep, identity_id, identity_kind, owner, secondary_owner,
                  revocation_authority, vendor, attributed_by, ownership)
                SELECT \(site), s.fingerprint, s.rule_id, s.secret_sha256, s.secret_redacted, s.identity, 'new',
                  current_date, current_date, \(run), \(run), s.identity_id, s.identity_kind, s.owner, s.secondary_owner,
                  s.revocation_authority, s.vendor, s.attributed_by, s.ownership
                FROM seen s
                ON CONFLICT (site, fingerprint) DO UPDATE SET rule_id = excluded.rule_id, secret_sha256 = excluded.secret_sha256,
                  secret_redacted = excluded.secret_redacted, identity = excluded.identity,
                  status = CASE WHEN f.status = 'resolved' THEN 'reopened' ELSE 'open' END,
                  last_seen = excluded.last_seen, last_seen_sweep = excluded.last_seen_sweep,
                  identity_id = excluded.identity_id, identity_kind = excluded.identity_kind, owner = excluded.owner,
                  secondary_owner = excluded.secondary_owner, revocation_authority = excluded.revocation_authority,
                  vendor = excluded.vendor, attributed_by = excluded.attributed_by, ownership = excluded.ownership
                """, logger: logger)
            let resolved: PostgresQueryResult = try await connection.query("""
                UPDATE custos.findings f SET status = 'resolved'
                WHERE f.site = \(site) AND f.status <> 'resolved'
                  AND NOT EXISTS (SELECT 1 FROM seen s WHERE s.fingerprint = f.fingerprint)
                  AND NOT EXISTS (SELECT 1 FROM custos.places p JOIN unreachable u
                                    ON p.path = u.folder OR starts_with(p.path, u.folder || '/')
                                  WHERE p.site = f.site AND p.fingerprint = f.fingerprint AND p.current)
                """, logger: logger).get()
            counts.resolved = Int32(clamping: resolved.metadata.rows ?? 0)
            try await connection.query("""
                INSERT INTO custos.places AS p (site, fingerprint, path, line, current, first_seen, last_seen)
                SELECT \(site), q.fingerprint, q.path, min(q.line), true, current_date, current_date
                FROM custos.queue_places q WHERE q.site = \(site) AND q.run = \(run)
                GROUP BY q.fingerprint, q.path
                ON CONFLICT (site, fingerprint, path) DO UPDATE SET line = excluded.line, current = true,
                  last_seen = excluded.last_seen
                """, logger: logger)
            try await connection.query("""
                UPDATE custos.places p SET current = false
                WHERE p.site = \(site) AND p.current
                  AND NOT EXISTS (SELECT 1 FROM custos.queue_places q
                                  WHERE q.site = p.site AND q.run = \(run) AND q.fingerprint = p.fingerprint AND q.path = p.path)
                  AND NOT EXISTS (SELECT 1 FROM unreachable u WHERE p.path = u.folder OR starts_with(p.path, u.folder || '/'))
                """, logger: logger)
            var open: Int32 = 0
            for try await value in try await connection.query(
                "SELECT count(*)::integer FROM custos.findings WHERE site = \(site) AND status <> 'resolved'", logger: logger
            ).decode(Int32.self) {
                open = value
            }
            let files = try await Self.fileCounts(connection, site: site, run: run, logger: logger)
            try await connection.query("""
                INSERT INTO custos.sweeps (site, sweep, started_at, finished_at, files_seen, files_scanned, errors,
                                           new, open, resolved, reopened)
                SELECT \(site), \(run), started_at, now(), \(files.seen), \(files.scanned), \(files.errors),
                       \(counts.new), \(open), \(counts.resolved), \(counts.reopened)
                FROM custos.queue_runs WHERE site = \(site) AND run = \(run)
                """, logger: logger)
            try await connection.query("""
                UPDATE custos.queue_runs SET finished_at = now(), new = \(counts.new), open = \(open),
                  resolved = \(counts.resolved), reopened = \(counts.reopened)
                WHERE site = \(site) AND run = \(run)
                """, logger: logger)
            return QueueOutcome(run: run, new: Int(counts.new), open: Int(open), resolved: Int(counts.resolved),
                                reopened: Int(counts.reopened), filesSeen: files.seen, filesScanned: files.scanned,
                                errors: files.errors, settledHere: true)
        }
    }

    private static func fileCounts(_ connection: PostgresConnection, site: String, run: Int64,
                                   logger: Logger) async throws -> (seen: Int64, scanned: Int64, errors: Int64) {
        for try await row in try await connection.query("""
            SELECT coalesce(sum(files_seen), 0)::bigint, coalesce(sum(files_scanned), 0)::bigint, coalesce(sum(errors), 0)::bigint
            FROM custos.queue_items WHERE site = \(site) AND run = \(run)
            """, logger: logger).decode((Int64, Int64, Int64).self) {
            return row
        }
        return (0, 0, 0)
    }
}
