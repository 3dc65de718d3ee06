-- Synthetic fleet rows for bench/fleet_bench.sh: psql -v sites=50 -v files=1000000 -v findings=50000 -f …
INSERT INTO custos.sites (site, state_path, last_sweep, last_swept_at)
SELECT 'synthetic-' || s, '/var/lib/custos/state.db', 365, now() FROM generate_series(1, :sites) s;
INSERT INTO custos.sweeps (site, sweep, started_at, finished_at, files_seen, files_scanned, errors, new, open, resolved, reopened)
SELECT 'synthetic-' || s, d, now() - (366 - d) * interval '1 day', now() - (366 - d) * interval '1 day' + interval '2 hours',
       :files, :files / 100, 0, (s + d) % 7, :findings / :sites, (s * d) % 5, 0
FROM generate_series(1, :sites) s, generate_series(1, 365) d;
-- Each finding: one site; a tenth of the secrets also sit at 1-5 other sites.
INSERT INTO custos.findings (site, fingerprint, rule_id, secret_sha256, secret_redacted, status, first_seen, last_seen,
                             first_seen_sweep, last_seen_sweep, owner, revocation_authority, vendor)
SELECT 'synthetic-' || (1 + n % :sites), md5('f' || n), (ARRAY['github-classic-pat', 'named-password', 'aws-access-key'])[1 + n % 3],
       encode(sha256(CASE WHEN n % 10 = 0 THEN 'shared-' || (n / 50) ELSE 'own-' || n END::bytea), 'hex'), 'ghp_…(40 chars)',
       CASE WHEN n % 9 = 0 THEN 'resolved' ELSE 'open' END, current_date - (n % 700), current_date, 1 + n % 365, 365,
       CASE WHEN n % 4 = 0 THEN NULL ELSE 'team-' || (n % 40) END,
       CASE WHEN n % 3 = 0 THEN NULL ELSE 'ciso-' || (n % 12) END,
       CASE WHEN n % 5 = 0 THEN 'vendor-' || (n % 17) END
FROM generate_series(1, :findings) n
ON CONFLICT DO NOTHING;
INSERT INTO custos.places (site, fingerprint, path, line, current, first_seen, last_seen)
SELECT f.site, f.fingerprint, '/srv/share/line-' || k || '/' || f.fingerprint || '.cfg', 1 + k, f.status <> 'resolved',
       f.first_seen, f.last_seen
FROM custos.findings f, generate_series(1, 2) k WHERE f.site LIKE 'synthetic-%';
ANALYZE;
