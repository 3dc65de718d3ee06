#!/usr/bin/env bash
# Git history benchmark: custos against Kingfisher's git mode on a generated repository with
# a long history (default 10,000 commits, ~100,000 distinct blobs, ~100 planted secrets that
# are later deleted), with git's read limits in the same run (`git rev-list --objects --all`
# for the walk, `git cat-file --batch-all-objects --batch` for reading every object) and
# custos's walk alone, plus the wall time of `custos protect --staged` from process start.
# Real repositories at pinned commits: bench/git_real_bench.sh.
# Usage: bench/git_bench.sh   (COMMITS=10000 RUNS=3 CUSTOS=.build/release/custos)
set -euo pipefail
cd "$(dirname "$0")/.."
COMMITS=${COMMITS:-10000}
RUNS=${RUNS:-3}
CUSTOS=${CUSTOS:-.build/release/custos}
OUT=bench/out/git
REPO=$OUT/repo-$COMMITS
mkdir -p "$OUT"

source bench/lib.sh
ensure_kingfisher
[ -x "$CUSTOS" ] || { echo "build custos first: make build" >&2; exit 2; }

if [ ! -d "$REPO/.git" ]; then
  rm -rf "$REPO" "$REPO.planted.jsonl"
  python3 bench/gen_git_repo.py "$REPO" --commits "$COMMITS"
fi
BLOBS=$(git -C "$REPO" rev-list --objects --all | git -C "$REPO" cat-file --batch-check='%(objecttype) %(rest)' | grep -c '^blob ')

# Warm the cache for both tools (rule databases, page cache). Reports go to files: never
# point a benchmark's --output at a device.
git -C "$REPO" cat-file --batch-all-objects --batch --unordered > /dev/null
"$CUSTOS" git "$REPO" --format jsonl --output "$OUT/warm.jsonl" >/dev/null 2>&1 || true
"$KINGFISHER" scan "$REPO" --no-validate --format json -o "$OUT/warm.json" >/dev/null 2>&1 || true

measure rev-list bash -c "git -C '$REPO' rev-list --objects --all > /dev/null"
measure cat-file bash -c "git -C '$REPO' cat-file --batch-all-objects --batch --unordered > /dev/null"
measure walk "$CUSTOS" git "$REPO" --walk-only
measure custos "$CUSTOS" git "$REPO" --format jsonl --no-redact --output "$OUT/custos.jsonl"
measure custos-1 "$CUSTOS" git "$REPO" --threads 1 --format jsonl --no-redact --output "$OUT/custos-1.jsonl"
measure kingfisher "$KINGFISHER" scan "$REPO" --no-validate --format json -o "$OUT/kingfisher.json"

# protect --staged from process start: one small staged change in the same repository.
echo "TIMEOUT_SECONDS=30" >> "$REPO/src/staged_change.cfg"
git -C "$REPO" add src/staged_change.cfg
python3 - "$CUSTOS" "$REPO" "$OUT" <<'PY'
import statistics, subprocess, sys, time
custos, repo, out = sys.argv[1:4]
times = []
for _ in range(21):
    start = time.perf_counter()
    subprocess.run([custos, "protect", "--staged", "--repository", repo], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append((time.perf_counter() - start) * 1000)
open(f"{out}/staged.summary", "w").write(f"{statistics.median(times[1:]):.1f} {max(times[1:]):.1f}\n")
PY
git -C "$REPO" reset -q src/staged_change.cfg && rm -f "$REPO/src/staged_change.cfg"

python3 - "$OUT" "$REPO" "$COMMITS" "$BLOBS" "$(nproc)" <<'PY'
import json, sys
out, repo, commits, blobs, cores = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
planted = [json.loads(line) for line in open(repo + ".planted.jsonl")]
def found(secrets):
    def match(p, s):
        return any(t in s or (len(s) >= 12 and s in t) for t in [p["secret"]] + ([p["also"]] if "also" in p else []))
    return sum(any(match(p, s) for s in secrets) for p in planted)
custos = [json.loads(line)["secret"] for line in open(f"{out}/custos.jsonl")]
try:
    kingfisher = [f["finding"]["snippet"] for f in json.load(open(f"{out}/kingfisher.json"))["findings"]]
except Exception:
    kingfisher = []
rows = []
custos_one = [json.loads(line)["secret"] for line in open(f"{out}/custos-1.jsonl")]
for name, secrets in (("custos", custos), ("custos-1", custos_one), ("kingfisher", kingfisher), ("rev-list", None), ("cat-file", None), ("walk", None)):
    wall, cpu, rss = map(float, open(f"{out}/{name}.summary").read().split())
    label = {"custos-1": "custos --threads 1", "rev-list": "git rev-list --objects --all", "cat-file": "git cat-file --batch-all-objects --batch",
             "walk": "custos git --walk-only"}.get(name, name)
    rows.append(f"| {label} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {blobs / wall:,.0f} | {'' if secrets is None else f'{found(secrets)}/{len(planted)}'} |")
staged_median, staged_max = open(f"{out}/staged.summary").read().split()
table = "\n".join([
    f"Repository: {commits:,} commits, {blobs:,} blobs, {len(planted)} planted secrets (deleted later); {cores} cores; median of runs",
    "",
    "| tool | wall s | CPU s | peak RSS MB | blobs/s | planted found |",
    "|---|---|---|---|---|---|",
    *rows,
    "",
    f"`custos protect --staged` (one small staged change, full rule set, from process start): median {staged_median} ms, max {staged_max} ms over 20 runs",
])
print(table)
open(f"{out}/results.md", "w").write(table + "\n")
PY
