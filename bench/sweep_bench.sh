#!/usr/bin/env bash
# Sweep benchmark: a generated plant share (default 200,000 files: configs, CSV exports, zip
# archives, a few fake secrets) swept three times with one state: first sweep, again with
# nothing changed, again after rewriting 1 % of the files. Prints wall time, files/s, peak RSS
# and the state's size for each, and the speed-up of the unchanged sweep over the first, for
# each profile of bench/gen_share.py (plant: files sized as on a share; small: every file small).
# Usage: bench/sweep_bench.sh   (FILES=200000 PROFILES="plant small" CUSTOS=.build/release/custos)
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${FILES:-200000}
PROFILES=${PROFILES:-plant small}
CUSTOS=${CUSTOS:-.build/release/custos}
[ -x "$CUSTOS" ] || { echo "build custos first: make build" >&2; exit 2; }

for PROFILE in $PROFILES; do
OUT=bench/out/sweep/$PROFILE
SHARE=$OUT/share-$FILES
STATE=$OUT/state-$FILES.db
mkdir -p "$OUT"

# A fresh share every run, so the 1 % change always starts from the same files.
rm -rf "$SHARE" "$STATE" "$STATE-wal" "$STATE-shm"
python3 bench/gen_share.py "$SHARE" --files "$FILES" --profile "$PROFILE"
SIZE_MB=$(du -sm "$SHARE" | cut -f1)
# Warm the rule cache, so the first sweep is not charged for compiling the rules.
"$CUSTOS" scan bench/gen_share.py >/dev/null 2>&1 || true
sync

sweep() {  # name
  /usr/bin/time -f "%e %M" -o "$OUT/$1.time" "$CUSTOS" sweep "$SHARE" --state "$STATE" --fail-on never \
    --log-interval 3600 >"$OUT/$1.out" 2>"$OUT/$1.err"
  local state_bytes
  state_bytes=$(( $(stat -c %s "$STATE") + $( [ -f "$STATE-wal" ] && stat -c %s "$STATE-wal" || echo 0) ))
  echo "$1 $(cat "$OUT/$1.time") $state_bytes" >>"$OUT/results"
}

rm -f "$OUT/results"
sweep first
sweep unchanged
python3 bench/gen_share.py "$SHARE" --files "$FILES" --profile "$PROFILE" --change 0.01 >/dev/null
sweep changed-1%

python3 - "$OUT" "$FILES" "$SIZE_MB" "$PROFILE" <<'PY'
import sys
out, files, size, profile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rows = [line.split() for line in open(f"{out}/results")]
content = next(l for l in open(f"{out}/first.out") if l.startswith("files:")).split("; ")[1]
print(f"profile {profile}: {files:,} files, {size} MB on disk, {content}")
print("| sweep | wall s | files/s | peak RSS MB | state MB | files read |")
print("|---|---|---|---|---|---|")
walls = {}
for name, wall, rss_kb, state in rows:
    wall = float(wall)
    walls[name] = wall
    summary = open(f"{out}/{name}.out").read().splitlines()
    read = next((l.split(" seen, ")[1].split(" scanned")[0] for l in summary if l.startswith("files:")), "?")
    print(f"| {name} | {wall:.2f} | {files / wall:,.0f} | {int(rss_kb) / 1024:.0f} | {int(state) / 1048576:.1f} | {read} |")
print(f"unchanged sweep: {walls['first'] / walls['unchanged']:.1f}x faster than the first")
PY
# The share is large: keep the state and the numbers, not the files.
rm -rf "$SHARE"
done
