#!/usr/bin/env bash
# Core throughput benchmark: custos against Kingfisher (validation off) on a generated corpus of
# source-like text with planted fake secrets, plus `cat` of the corpus as the read limit.
# custos runs twice: as shipped, and without the named-value pass (`--exclude-rule named-values`).
# Prints MB/s, CPU seconds, peak RSS and planted secrets found for each, and writes the table to
# bench/out/core/results.md.
# Usage: bench/run.sh   (MEGABYTES=320 RUNS=3 CUSTOS=.build/release/custos)
set -euo pipefail
cd "$(dirname "$0")/.."
MEGABYTES=${MEGABYTES:-320}
RUNS=${RUNS:-3}
CUSTOS=${CUSTOS:-.build/release/custos}
OUT=bench/out/core
CORPUS=bench/out/corpus-$MEGABYTES
mkdir -p "$OUT"

source bench/lib.sh
ensure_kingfisher
[ -x "$CUSTOS" ] || { echo "build custos first: make build" >&2; exit 2; }

if [ ! -f "$CORPUS.planted.jsonl" ]; then
  rm -rf "$CORPUS"
  python3 bench/gen_corpus.py "$CORPUS" --megabytes "$MEGABYTES"
fi
BYTES=$(du -sb "$CORPUS" | cut -f1)
FILES=$(find "$CORPUS" -type f | wc -l)

# Warm the page cache and both tools' rule caches, so every run reads from memory.
find "$CORPUS" -type f -print0 | xargs -0 cat > /dev/null
# Reports go to files of our own: an output path is never a device (a tool that renames over
# its output would replace /dev/null for the whole machine when run as root).
"$CUSTOS" scan "$CORPUS" --format jsonl --output "$OUT/warm-custos.jsonl" >/dev/null 2>&1 || true
"$KINGFISHER" scan "$CORPUS" --no-validate --format json -o "$OUT/warm-kingfisher.json" >/dev/null 2>&1 || true


measure cat bash -c "find '$CORPUS' -type f -print0 | xargs -0 cat > /dev/null"
measure custos "$CUSTOS" scan "$CORPUS" --format jsonl --no-redact --output "$OUT/custos.jsonl"
# The same binary without the named-value pass: what reading names and values costs.
measure custos-patterns "$CUSTOS" scan "$CORPUS" --exclude-rule named-values --format jsonl --no-redact --output "$OUT/custos-patterns.jsonl"
measure kingfisher "$KINGFISHER" scan "$CORPUS" --no-validate --format json -o "$OUT/kingfisher.json"

python3 - "$OUT" "$CORPUS" "$BYTES" "$FILES" "$(nproc)" "$("$KINGFISHER" --version 2>/dev/null | head -1)" <<'PY'
import json, sys
out, corpus, size, files, cores, kingfisher_version = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
planted = [json.loads(line) for line in open(corpus + ".planted.jsonl")]
def found(texts):
    blob = "\n".join(texts)
    return sum(p["secret"] in blob for p in planted)
custos = [json.loads(line)["secret"] for line in open(f"{out}/custos.jsonl")]
custos_patterns = [json.loads(line)["secret"] for line in open(f"{out}/custos-patterns.jsonl")]
try:
    kingfisher = [json.dumps(f) for f in json.load(open(f"{out}/kingfisher.json"))["findings"]]
except Exception:
    kingfisher = []
megabytes = size / 1_048_576
rows = []
for name, label, texts in (("cat", "cat (read limit)", None), ("custos", "custos", custos),
                           ("custos-patterns", "custos --exclude-rule named-values", custos_patterns),
                           ("kingfisher", kingfisher_version or "kingfisher", kingfisher)):
    wall, cpu, rss = map(float, open(f"{out}/{name}.summary").read().split())
    hits = "—" if texts is None else f"{found(texts)}/{len(planted)}"
    findings = "—" if texts is None else f"{len(texts):,}"
    rows.append(f"| {label} | {wall:.2f} | {megabytes / wall:,.0f} | {cpu:.2f} | {rss:.0f} | {hits} | {findings} |")
table = "\n".join([
    f"Corpus: {megabytes:,.0f} MB in {files:,} files, {len(planted)} planted secrets; {cores} cores; page cache warm; median wall of runs",
    "",
    "| tool | wall s | MB/s | CPU s | peak RSS MB | planted found | findings |",
    "|---|---|---|---|---|---|---|",
    *rows,
])
print(table)
open(f"{out}/results.md", "w").write(table + "\n")
PY
