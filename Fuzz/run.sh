#!/usr/bin/env bash
# make fuzz: builds the fuzz targets with libFuzzer and AddressSanitizer, writes each target's
# seed corpus from fixtures/, runs each target for FUZZ_SECONDS (default 600) and prints, per
# target, the inputs executed, crashes, timeouts (hangs), out-of-memory kills, peak RSS and the
# time it ran. A crash does not end the run: the input is kept in Fuzz/artifacts/TARGET/ and
# the target starts again for the time left. Exit status 1 when anything was found.
#   FUZZ_SECONDS=60 FUZZ_TARGETS="archives sqlite-cells" bash Fuzz/run.sh
# FUZZ_RESULTS=DIR writes the logs and summary.tsv there (results/ by default), so that two
# runs with different FUZZ_TARGETS can share the built targets (FUZZ_SKIP_BUILD=1) in parallel.
set -uo pipefail
cd "$(dirname "$0")"
SECONDS_PER_TARGET=${FUZZ_SECONDS:-600}
ALL_TARGETS="archives xml-entities logix-escapes utf16 base64 sqlite-cells delimited-tables logical-paths scl node-red-credentials rule-engine named-values"
TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}
# A unit running longer than this is a hang (the decoders' own deadline under fuzzing is 5 s).
UNIT_TIMEOUT=${FUZZ_UNIT_TIMEOUT:-30}
RSS_LIMIT_MB=${FUZZ_RSS_LIMIT_MB:-2048}
RESULTS=${FUZZ_RESULTS:-results}
mkdir -p corpus artifacts "$RESULTS"

if [ -z "${FUZZ_SKIP_BUILD:-}" ]; then
  # lld: gold cannot link the package's build tool with the sanitizer runtime.
  swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld || exit 2
fi

max_len() {
  case $1 in archives|sqlite-cells) echo 262144 ;; *) echo 65536 ;; esac
}

summary=$RESULTS/summary.tsv
printf 'target\tinputs\tcrashes\ttimeouts\tooms\tpeak_rss_mb\tseconds\tcoverage\n' > "$summary"
status=0
for target in $TARGETS; do
  binary=.build/release/fuzz-$target
  mkdir -p "corpus/$target" "artifacts/$target"
  CUSTOS_FUZZ_WRITE_SEEDS="corpus/$target" "$binary" || { echo "custos fuzz: $target cannot write its seeds" >&2; exit 2; }
  log=$RESULTS/$target.log
  : > "$log"
  inputs=0; crashes=0; timeouts=0; ooms=0; peak=0; coverage=0
  started=$(date +%s)
  while true; do
    left=$(( SECONDS_PER_TARGET - ($(date +%s) - started) ))
    [ "$left" -gt 0 ] || break
    run_log=$(mktemp)
    "$binary" "corpus/$target" -max_total_time="$left" -max_len="$(max_len "$target")" \
      -timeout="$UNIT_TIMEOUT" -rss_limit_mb="$RSS_LIMIT_MB" -print_final_stats=1 \
      -artifact_prefix="artifacts/$target/" >"$run_log" 2>&1
    code=$?
    cat "$run_log" >> "$log"
    executed=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$run_log" | grep -o '[0-9]*$' | tail -1)
    if [ -z "$executed" ]; then
      # A crash ends a run before its final stats: take the last progress line.
      executed=$(grep -oE '^#[0-9]+' "$run_log" | tail -1 | tr -d '#')
    fi
    inputs=$(( inputs + ${executed:-0} ))
    rss=$(grep -oE 'stat::peak_rss_mb: *[0-9]+|rss: [0-9]+Mb' "$run_log" | grep -oE '[0-9]+' | sort -n | tail -1)
    [ -n "$rss" ] && [ "$rss" -gt "$peak" ] && peak=$rss
    cov=$(grep -oE 'cov: [0-9]+' "$run_log" | tail -1 | grep -oE '[0-9]+')
    [ -n "$cov" ] && coverage=$cov
    if [ "$code" -ne 0 ]; then
      if grep -q 'ERROR: libFuzzer: timeout' "$run_log"; then timeouts=$((timeouts + 1))
      elif grep -qE 'ERROR: libFuzzer: (out-of-memory|malloc)' "$run_log"; then ooms=$((ooms + 1))
      else crashes=$((crashes + 1)); fi
      grep -E 'Test unit written to|SUMMARY:' "$run_log" | sed "s/^/  $target: /" >&2
      status=1
    fi
    rm -f "$run_log"
  done
  elapsed=$(( $(date +%s) - started ))
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$inputs" "$crashes" "$timeouts" "$ooms" "$peak" "$elapsed" "$coverage" >> "$summary"
  printf 'custos fuzz: %-22s %10s inputs  %s crashes  %s timeouts  %s ooms  peak %s MB  %s s\n' \
    "$target" "$inputs" "$crashes" "$timeouts" "$ooms" "$peak" "$elapsed"
done
echo
column -t -s $'\t' "$summary"
exit $status
