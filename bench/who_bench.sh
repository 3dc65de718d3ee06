#!/usr/bin/env bash
# custos who on a large sweep state: a real `custos sweep` of a small tree writes the state
# (so the schema is exactly what custos writes), then SQL adds rows in the same shape until it
# holds FILES files (default 1,000,000) and FINDINGS findings (default 10,000) under ~180 rule
# ids, with one to three places each and a place history. Then the real binary answers by
# secret (a fingerprint for every rule id in the state, and the secret's SHA-256), by
# fingerprint, by finding id, and as JSON and a playbook; each timed from process start,
# RUNS times (median and max printed). Target: under a second.
# Usage: bench/who_bench.sh   (FILES=1000000 FINDINGS=10000 RUNS=11 CUSTOS=.build/release/custos)
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${FILES:-1000000}
FINDINGS=${FINDINGS:-10000}
RUNS=${RUNS:-11}
CUSTOS=$(realpath "${CUSTOS:-.build/release/custos}")
[ -x "$CUSTOS" ] || { echo "build custos first: swift build -c release" >&2; exit 2; }
OUT=bench/out/who
STATE=$OUT/state.db
rm -rf "$OUT"
mkdir -p "$OUT/share/plant-a/historian"

# The one secret the benchmark asks about, fake and random, planted in a real file.
SECRET=$(python3 -c 'import random, string; r = random.SystemRandom(); print("ghp_" + "".join(r.choice(string.ascii_letters + string.digits) for _ in range(36)))')
printf 'token = %s\n' "$SECRET" >"$OUT/share/plant-a/historian/collector.ini"
"$CUSTOS" sweep "$OUT/share" --state "$STATE" --fail-on never --log-interval 3600 >/dev/null
"$CUSTOS" rules list | awk 'NF >= 3 {print $1}' >"$OUT/rule-ids"

python3 - "$STATE" "$FILES" "$FINDINGS" "$OUT/rule-ids" <<'PY'
import hashlib, json, random, sqlite3, sys, time
state, files, findings, rules_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rules = [line.strip() for line in open(rules_file) if line.strip()]
rng = random.Random(15)
db = sqlite3.connect(state)
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = OFF")
started = time.time()
have_files = db.execute("SELECT count(*) FROM files").fetchone()[0]
sweep = db.execute("SELECT max(id) FROM sweeps").fetchone()[0]
root = db.execute("SELECT root FROM files LIMIT 1").fetchone()[0]
# Files: ten to a folder, as shares hold them; metadata and content hashes in the shape custos stores.
db.execute("""
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
    INSERT INTO files(path, root, size, mtime_ns, ctime_ns, inode, content_sha256, findings, owners_digest, seen_sweep, scanned_sweep)
    SELECT ?2 || '/plant-' || (i % 7) || '/project-' || (i / 1000) || '/folder-' || ((i / 10) % 100) || '/device_' || i || '.ini',
           ?2, 1000 + i % 5000, 1700000000000000000 + i, 1700000000000000000 + i, 5000000 + i, randomblob(32), 0, 'none', ?3, ?3
    FROM n""", (files - have_files, root, sweep))
ownership = json.dumps({"attributedBy": "none", "escalation": [], "expiry": "unknown", "sites": []}, sort_keys=True)
finding_rows, location_rows, history_rows = [], [], []
for index in range(findings - 1):
    rule = rules[index % len(rules)]
    fingerprint = hashlib.sha256(f"{rule}\0bench-{index}".encode()).hexdigest()
    secret_sha = hashlib.sha256(f"bench-{index}".encode()).hexdigest()
    finding_rows.append((fingerprint, rule, secret_sha, "benc…(20 chars)", None, "open", sweep, sweep))
    for place in range(1 + index % 3):
        file_id = 2 + rng.randrange(files - 1)
        path = f"{root}/bench/{index}/{place}.ini"
        location_rows.append((file_id, fingerprint, path, 3, 9, 40, "token = benc…(20 chars)", f"plant-{place}", ownership))
        history_rows.append((fingerprint, path, 3, f"plant-{place}", ownership, sweep, sweep))
db.executemany("""INSERT INTO findings(fingerprint, rule_id, secret_sha256, secret_redacted, identity, status, first_seen_sweep, last_seen_sweep)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", finding_rows)
db.executemany("""INSERT INTO locations(file_id, fingerprint, path, line, column, byte_start, snippet, place, ownership)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""", location_rows)
db.executemany("""INSERT INTO place_history(fingerprint, path, line, place, ownership, first_seen_sweep, last_seen_sweep)
                  VALUES (?, ?, ?, ?, ?, ?, ?)""", history_rows)
db.execute("UPDATE sweeps SET files_seen = ?, open = ? WHERE id = ?", (files, findings, sweep))
db.commit()
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
counts = [db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ("files", "findings", "locations", "place_history")]
rule_count = db.execute("SELECT count(DISTINCT rule_id) FROM findings").fetchone()[0]
print(f"state: {counts[0]:,} files, {counts[1]:,} findings under {rule_count} rule ids, {counts[2]:,} locations, "
      f"{counts[3]:,} places in history; built in {time.time() - started:.1f} s")
PY
echo "state size: $(( $(stat -c %s "$STATE") / 1048576 )) MB"

FINGERPRINT=$(printf '%s' "$SECRET" | "$CUSTOS" owners fingerprint --rule github-classic-pat | tail -1)
printf '%s' "$SECRET" | "$CUSTOS" who --state "$STATE" --format json >"$OUT/answer.json"
FINDING_ID=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["findings"][0]["places"][0]["id"])' "$OUT/answer.json")
sync

python3 - "$CUSTOS" "$STATE" "$SECRET" "$FINGERPRINT" "$FINDING_ID" "$RUNS" <<'PY'
import statistics, subprocess, sys, time
custos, state, secret, fingerprint, finding, runs = sys.argv[1:7]
cases = [
    ("by secret (stdin), text", ["who", "--state", state], secret),
    ("by secret, --format json", ["who", "--state", state, "--format", "json"], secret),
    ("by fingerprint", ["who", "--state", state, "--fingerprint", fingerprint], None),
    ("by finding id", ["who", "--state", state, "--finding", finding], None),
    ("--playbook", ["who", "--state", state, "--playbook"], secret),
]
print("| question | median s | max s | answered |")
print("|---|---|---|---|")
for name, arguments, stdin in cases:
    times, found = [], True
    for _ in range(int(runs)):
        start = time.perf_counter()
        done = subprocess.run([custos] + arguments, input=(stdin or "").encode(), capture_output=True)
        times.append(time.perf_counter() - start)
        found = found and done.returncode == 0 and b"not found" not in done.stdout
    print(f"| {name} | {statistics.median(times):.3f} | {max(times):.3f} | {'yes' if found else 'NO'} |")
PY
rm -f "$OUT/share/plant-a/historian/collector.ini"
