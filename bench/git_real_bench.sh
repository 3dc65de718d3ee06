#!/usr/bin/env bash
# Git history on real repositories, fetched at pinned commits: custos against Kingfisher's git
# mode (validation off), with git's own read limits in the same run — `git rev-list --objects
# --all` (the walk: every commit and tree once) and `git cat-file --batch-all-objects --batch`
# (every object inflated once) — and custos's walk alone (`--walk-only`). With BASE_CUSTOS set
# (an older build), that build is timed too and its findings are compared with this one's.
#
# Each repository is a bare clone holding one branch at the pinned commit, built once under
# bench/out/real/ from SOURCE (a URL, or a local mirror: GIT_SOURCE=/path NIO_SOURCE=/path).
# Usage: bench/git_real_bench.sh   (RUNS=3 REPOS="swift-nio git" CUSTOS=.build/release/custos BASE_CUSTOS=…)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
CUSTOS=${CUSTOS:-.build/release/custos}
REPOS=${REPOS:-"swift-nio git"}
OUT=bench/out/real
mkdir -p "$OUT"

source bench/lib.sh
ensure_kingfisher
[ -x "$CUSTOS" ] || { echo "build custos first: make build" >&2; exit 2; }

# name  source  pinned commit  branch
pinned() {
  case $1 in
    git) echo "${GIT_SOURCE:-https://github.com/git/git.git} 1a3e64c6c4a623626ff0687008732a8e007e2a1c master" ;;
    swift-nio) echo "${NIO_SOURCE:-https://github.com/apple/swift-nio.git} 63018571c88ab6807d5d80ea0f1ef7d9197c0489 main" ;;
    *) echo "unknown repository $1" >&2; exit 2 ;;
  esac
}

prepare() {
  local name=$1 repo=$OUT/$1.git
  read -r source commit branch <<<"$(pinned "$name")"
  if [ ! -d "$repo" ]; then
    case $source in /*) source=file://$source ;; esac
    git init -q --bare "$repo.tmp"
    git -C "$repo.tmp" fetch -q --no-tags "$source" "$commit:refs/heads/$branch"
    git -C "$repo.tmp" symbolic-ref HEAD "refs/heads/$branch"
    mv "$repo.tmp" "$repo"
  fi
  [ "$(git -C "$repo" rev-parse HEAD)" = "$commit" ] || { echo "$repo is not at $commit" >&2; exit 2; }
}

# Findings as comparable lines: rule, secret, path, blob, introducing commit.
findings_key() {
  python3 - "$1" <<'PY'
import json, sys
rows = set()
for line in open(sys.argv[1]):
    f = json.loads(line)
    git = f.get("git") or {}
    commits = git.get("commits") or [{}]
    rows.add("\t".join([f.get("rule_id", ""), f.get("secret", ""), f.get("path", ""), git.get("blob", ""), commits[0].get("commit", "")]))
print("\n".join(sorted(rows)))
PY
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "cores: $(nproc); load at start: $(load); runs: $RUNS (median)"
for name in $REPOS; do
  prepare "$name"
  repo=$OUT/$name.git
  stats=$(git -C "$repo" rev-list --objects --all | cut -d' ' -f1 \
    | git -C "$repo" cat-file --batch-check='%(objecttype) %(objectsize)' \
    | awk '{c[$1]++; s[$1]+=$2} END {printf "%d %d %d %d", c["commit"], c["tree"], c["blob"], s["blob"]}')
  read -r commits trees blobs blob_bytes <<<"$stats"
  # Warm the page cache and both tools' rule caches.
  git -C "$repo" cat-file --batch-all-objects --batch --unordered > /dev/null
  "$CUSTOS" git "$repo" --walk-only >/dev/null 2>&1 || true
  "$KINGFISHER" scan "$repo" --no-validate --format json -o "$OUT/$name.kingfisher.json" >/dev/null 2>&1 || true

  measure "$name.rev-list" bash -c "git -C '$repo' rev-list --objects --all > /dev/null"
  measure "$name.cat-file" bash -c "git -C '$repo' cat-file --batch-all-objects --batch --unordered > /dev/null"
  measure "$name.walk" "$CUSTOS" git "$repo" --walk-only
  measure "$name.custos" "$CUSTOS" git "$repo" --format jsonl --no-redact --output "$OUT/$name.custos.jsonl"
  measure "$name.custos-1" "$CUSTOS" git "$repo" --threads 1 --format jsonl --no-redact --output "$OUT/$name.custos-1.jsonl"
  measure "$name.kingfisher" "$KINGFISHER" scan "$repo" --no-validate --format json -o "$OUT/$name.kingfisher.json"
  rows="custos custos-1 kingfisher rev-list cat-file walk"
  compare="-"
  if [ -n "${BASE_CUSTOS:-}" ]; then
    measure "$name.base" "$BASE_CUSTOS" git "$repo" --format jsonl --no-redact --output "$OUT/$name.base.jsonl"
    rows="$rows base"
    findings_key "$OUT/$name.custos.jsonl" > "$OUT/$name.custos.keys"
    findings_key "$OUT/$name.base.jsonl" > "$OUT/$name.base.keys"
    if cmp -s "$OUT/$name.custos.keys" "$OUT/$name.base.keys"; then compare="identical"; else compare="DIFFERENT (diff $OUT/$name.base.keys $OUT/$name.custos.keys)"; fi
  fi
  findings_key "$OUT/$name.custos-1.jsonl" | cmp -s - <(findings_key "$OUT/$name.custos.jsonl") && threads="same" || threads="DIFFERENT"
  python3 - "$OUT" "$name" "$commits" "$trees" "$blobs" "$blob_bytes" "$compare" "$threads" "$(load)" $rows <<'PY'
import json, sys
out, name, commits, trees, blobs, blob_bytes, compare, threads, load, *rows = sys.argv[1:]
def summary(row):
    wall, cpu, rss = map(float, open(f"{out}/{name}.{row}.summary").read().split())
    return wall, cpu, rss
def count(path):
    try:
        if path.endswith(".json"):
            return len(json.load(open(path)).get("findings", []))
        return sum(1 for _ in open(path))
    except Exception:
        return "-"
labels = {"custos": "custos git (default threads)", "custos-1": "custos git --threads 1", "kingfisher": "kingfisher scan (--no-validate)",
          "rev-list": "git rev-list --objects --all", "cat-file": "git cat-file --batch-all-objects --batch", "walk": "custos git --walk-only",
          "base": "custos git, before (BASE_CUSTOS)"}
files = {"custos": f"{out}/{name}.custos.jsonl", "custos-1": f"{out}/{name}.custos-1.jsonl", "kingfisher": f"{out}/{name}.kingfisher.json",
         "base": f"{out}/{name}.base.jsonl"}
king = summary("kingfisher")[0]
lines = [f"## {name}: {int(commits):,} commits, {int(trees):,} trees, {int(blobs):,} blobs ({int(blob_bytes) / 1e6:,.0f} MB of blobs)", "",
         "| what | wall s | CPU s | peak RSS MB | findings | vs Kingfisher |", "|---|---|---|---|---|---|"]
for row in rows:
    wall, cpu, rss = summary(row)
    lines.append(f"| {labels[row]} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {count(files[row]) if row in files else ''} | {king / wall:.2f}× |")
walk, revlist = summary("walk")[0], summary("rev-list")[0]
lines += ["", f"walk / rev-list: {walk / revlist:.2f}×; findings before vs after: {compare}; --threads 1 vs default: {threads}; load at end: {load}", ""]
print("\n".join(lines))
open(f"{out}/{name}.results.md", "w").write("\n".join(lines) + "\n")
PY
done
