#!/usr/bin/env bash
# Named-value scanning throughput: NamedValueScanner alone (files read into memory first) over
# the generated core corpus (bench/gen_corpus.py: source, configs, JSON, YAML, logs, CSV), over
# fixtures/ and, when present, a field collection. Prints files, MB, values and MB/s for each.
# Usage: bench/named_values.sh   (MEGABYTES=64 FIELD=/path/to/fixtures/field)
set -euo pipefail
cd "$(dirname "$0")/.."
MEGABYTES=${MEGABYTES:-64}
CORPUS=bench/out/corpus-$MEGABYTES
swift build -c release --product named-values-bench >/dev/null
BENCH=.build/release/named-values-bench
if [ ! -f "$CORPUS.planted.jsonl" ]; then
  rm -rf "$CORPUS"
  python3 bench/gen_corpus.py "$CORPUS" --megabytes "$MEGABYTES"
fi
echo "corpus ($MEGABYTES MB of generated source and config text):"
"$BENCH" "$CORPUS"
echo "fixtures/:"
"$BENCH" fixtures
if [ -n "${FIELD:-}" ] && [ -d "$FIELD" ]; then
  echo "field collection:"
  "$BENCH" "$FIELD"
fi
