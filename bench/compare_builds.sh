#!/usr/bin/env bash
# Two builds of custos measured one after the other on the same machine and the same inputs,
# their runs alternating so that the machine's noise falls on both: a directory scan of the
# generated corpus (bench/gen_corpus.py, as bench/run.sh), a history scan of the generated
# repository (bench/gen_git_repo.py, as bench/git_bench.sh), and a first and an unchanged
# sweep of a generated share (bench/gen_share.py, as bench/sweep_bench.sh). Prints the median
# and the fastest wall time of each workload for both builds, and the ratios new/old: on a
# shared machine the fastest run is the one least disturbed, the median the one to expect.
#
# Reports and states go to files under bench/out/compare: never to a device (an old build that
# renames over its output would replace /dev/null for the whole machine when run as root).
# Usage: bench/compare_builds.sh OLD_BINARY NEW_BINARY
#   (RUNS=5 MEGABYTES=320 COMMITS=10000 FILES=30000 PROFILE=small THREADS=1
#    NEW_ARGS="--exclude-rule named-values")
# THREADS=1 measures what each build costs with no scheduling between workers: on a shared
# virtual machine two threads' timings vary by a fifth from run to run, one thread's far less.
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=${1:?usage: bench/compare_builds.sh OLD_BINARY NEW_BINARY}
NEW=${2:?usage: bench/compare_builds.sh OLD_BINARY NEW_BINARY}
RUNS=${RUNS:-5}
MEGABYTES=${MEGABYTES:-320}
COMMITS=${COMMITS:-10000}
FILES=${FILES:-30000}
PROFILE=${PROFILE:-small}
# Options given to the new build only (one it has and the old one lacks is switched off so
# both do the same work).
read -r -a NEW_ARGS <<<"${NEW_ARGS:-}"
COMMON_ARGS=()
[ -n "${THREADS:-}" ] && COMMON_ARGS=(--threads "$THREADS")
OUT=bench/out/compare
mkdir -p "$OUT"
rm -f "$OUT"/*.time
for binary in "$OLD" "$NEW"; do [ -x "$binary" ] || { echo "not an executable: $binary" >&2; exit 2; }; done

CORPUS=bench/out/corpus-$MEGABYTES
if [ ! -f "$CORPUS.planted.jsonl" ]; then
  rm -rf "$CORPUS"
  python3 bench/gen_corpus.py "$CORPUS" --megabytes "$MEGABYTES"
fi
REPO=bench/out/git/repo-$COMMITS
if [ ! -d "$REPO/.git" ]; then
  rm -rf "$REPO" "$REPO.planted.jsonl"
  python3 bench/gen_git_repo.py "$REPO" --commits "$COMMITS"
fi
SHARE=$OUT/share-$PROFILE-$FILES
if [ ! -d "$SHARE" ]; then
  python3 bench/gen_share.py "$SHARE" --files "$FILES" --profile "$PROFILE" >/dev/null
fi
find "$CORPUS" "$SHARE" -type f -print0 | xargs -0 cat > /dev/null
git -C "$REPO" cat-file --batch-all-objects --batch --unordered > /dev/null

# timed NAME COMMAND...: appends "wall cpu" seconds to $OUT/NAME.time.
timed() {
  local name=$1; shift
  /usr/bin/time -f "%e %U %S" -a -o "$OUT/$name.time" "$@" >/dev/null 2>"$OUT/$name.stderr" || true
}

# build LABEL BINARY EXTRA...: one run of every workload.
one_round() {
  local label=$1 binary=$2; shift 2
  timed "$label.scan" "$binary" scan "$CORPUS" "$@" --format jsonl --output "$OUT/$label.scan.jsonl"
  timed "$label.git" "$binary" git "$REPO" "$@" --format jsonl --output "$OUT/$label.git.jsonl"
  rm -f "$OUT/$label.db" "$OUT/$label.db-wal" "$OUT/$label.db-shm"
  timed "$label.first-sweep" "$binary" sweep "$SHARE" --state "$OUT/$label.db" --log-interval 3600 "$@"
  timed "$label.unchanged-sweep" "$binary" sweep "$SHARE" --state "$OUT/$label.db" --log-interval 3600 "$@"
}

# Warm both builds' rule caches.
"$OLD" scan bench/gen_share.py >/dev/null 2>&1 || true
"$NEW" scan bench/gen_share.py "${NEW_ARGS[@]}" >/dev/null 2>&1 || true
for run in $(seq "$RUNS"); do
  one_round old "$OLD" "${COMMON_ARGS[@]}"
  one_round new "$NEW" "${COMMON_ARGS[@]}" "${NEW_ARGS[@]}"
done

python3 - "$OUT" "$RUNS" "$OLD" "$NEW" "${NEW_ARGS[*]:-}" "${THREADS:-default}" <<'PY'
import statistics, sys
out, runs, old, new, new_args, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
print(f"old: {old}\nnew: {new} {new_args}".rstrip())
print(f"threads: {threads}; {runs} alternating runs each; seconds as median (fastest-slowest)")
print("| workload | old wall | new wall | new/old wall | old CPU | new CPU | new/old CPU |")
print("|---|---|---|---|---|---|---|")
def rows(build, workload):
    # /usr/bin/time also writes "Command exited with non-zero status 1" (findings found).
    result = []
    for line in open(f"{out}/{build}.{workload}.time"):
        fields = line.split()
        if len(fields) == 3 and fields[0].replace(".", "", 1).isdigit():
            result.append((float(fields[0]), float(fields[1]) + float(fields[2])))
    return result
for workload in ["scan", "git", "first-sweep", "unchanged-sweep"]:
    cells = []
    ratios = []
    for column in (0, 1):
        values = {build: [row[column] for row in rows(build, workload)] for build in ("old", "new")}
        o, n = statistics.median(values["old"]), statistics.median(values["new"])
        spread = lambda xs: f"{min(xs):.2f}-{max(xs):.2f}"
        cells += [f"{o:.2f} ({spread(values['old'])})", f"{n:.2f} ({spread(values['new'])})", f"{n / o:.3f}"]
    print(f"| {workload} | " + " | ".join(cells) + " |")
PY
