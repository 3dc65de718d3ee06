#!/usr/bin/env bash
# Fleet benchmark, on a throwaway PostgreSQL cluster (initdb + pg_ctl as the postgres user, in a
# temporary folder, on a loopback port, stopped at the end):
#  1. a generated share (FILES files, bench/gen_share.py) swept by 1 worker and by 2 workers
#     (two local processes, `custos sweep --queue`): wall time, the ratio, CPU seconds per file;
#     a plain `custos sweep` of the same share beside them;
#  2. publish time for 3 plants × FILES files (`custos sweep --publish`, then `custos fleet
#     publish` of the same states again: the no-change publish);
#  3. every fleet view and `custos fleet report` on a database filled with synthetic rows for
#     SITES plants, each with FILES_PER_SITE files per sweep, 365 daily sweeps, and FINDINGS
#     findings in all (a tenth of the secrets shared by 2-6 plants): milliseconds per view
#     (target: under 2,000 each).
# Usage: bench/fleet_bench.sh   (FILES=200000 PROFILE=plant SITES=50 FILES_PER_SITE=1000000
#        FINDINGS=50000 CUSTOS=.build/release/custos)
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${FILES:-200000}
PROFILE=${PROFILE:-plant}
SITES=${SITES:-50}
FILES_PER_SITE=${FILES_PER_SITE:-1000000}
FINDINGS=${FINDINGS:-50000}
CUSTOS=${CUSTOS:-.build/release/custos}
[ -x "$CUSTOS" ] || { echo "build custos first: make build" >&2; exit 2; }
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$PG_BIN" ] || { echo "needs Debian's postgresql package (apt-get install postgresql)" >&2; exit 2; }

OUT=bench/out/fleet
mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/custos-fleet-bench.XXXXXX")
RUN_AS=()
[ "$(id -u)" = 0 ] && RUN_AS=(runuser -u postgres --) && chown postgres "$WORK"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export PGPASSWORD="bench-$RANDOM$RANDOM"
printf '%s' "$PGPASSWORD" >"$WORK/pwfile"
[ "$(id -u)" = 0 ] && chown postgres "$WORK/pwfile"
stop() {
  "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$WORK/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap stop EXIT
"${RUN_AS[@]}" "$PG_BIN/initdb" -D "$WORK/data" -U bench --auth=scram-sha-256 --pwfile="$WORK/pwfile" \
  -E UTF8 --locale=C --no-sync >/dev/null
"${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w \
  -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
URL="postgresql://bench@127.0.0.1:$PORT/postgres?sslmode=disable"
psql_() { psql "$URL" -X -q -At "$@"; }

timed() {  # name command…: wall and CPU seconds into $OUT/NAME.time, output into $OUT/NAME.out/.err
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$OUT/$name.time" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" || {
    local status=$?
    [ $status -le 1 ] || { echo "$name failed ($status):" >&2; tail -5 "$OUT/$name.err" >&2; exit 1; }
  }
}
wall() { cut -d' ' -f1 "$OUT/$1.time"; }
cpu() { awk '{print $2 + $3}' "$OUT/$1.time"; }

# 1. One share, plain and sharded.
SHARE=$WORK/share
python3 bench/gen_share.py "$SHARE" --files "$FILES" --profile "$PROFILE" >/dev/null
"$CUSTOS" scan bench/gen_share.py >/dev/null 2>&1 || true   # the rule cache, warm
sync
timed plain "$CUSTOS" sweep "$SHARE" --state "$WORK/plain.db" --fail-on never --log-interval 3600
timed one-worker "$CUSTOS" sweep "$SHARE" --queue "$URL" --site one-worker --worker-id w1 --fail-on never
START=$(date +%s.%N)
( /usr/bin/time -f "%e %U %S %M" -o "$OUT/two-a.time" "$CUSTOS" sweep "$SHARE" --queue "$URL" --site two-workers \
    --worker-id a --run bench --fail-on never >"$OUT/two-a.out" 2>"$OUT/two-a.err" ) &
( /usr/bin/time -f "%e %U %S %M" -o "$OUT/two-b.time" "$CUSTOS" sweep "$SHARE" --queue "$URL" --site two-workers \
    --worker-id b --run bench --fail-on never >"$OUT/two-b.out" 2>"$OUT/two-b.err" ) &
wait
TWO_WALL=$(python3 -c "import time; print(f'{time.time() - $START:.2f}')")
TWO_CPU=$(python3 -c "print($(cpu two-a) + $(cpu two-b))")
SAME=$(psql_ -c "SELECT (SELECT string_agg(fingerprint || path || line, ',' ORDER BY fingerprint, path) FROM custos.places WHERE site = 'one-worker')
                      = (SELECT string_agg(fingerprint || path || line, ',' ORDER BY fingerprint, path) FROM custos.places WHERE site = 'two-workers')")
PARTS=$(psql_ -c "SELECT count(*) FROM custos.queue_items WHERE site = 'two-workers'")

# 2. Publishing three plants (three copies of the share's state, under three names).
for plant in a b c; do cp "$WORK/plain.db" "$WORK/plant-$plant.db"; done
for plant in a b c; do
  timed "publish-$plant" "$CUSTOS" fleet publish --state "$WORK/plant-$plant.db" --site "plant-$plant" --db "$URL"
done
timed publish-again "$CUSTOS" fleet publish --state "$WORK/plant-a.db" --site plant-a --db "$URL"
PLACES=$(psql_ -c "SELECT count(*) FROM custos.places WHERE site = 'plant-a'")

# 3. A fleet's worth of synthetic rows, then every view.
psql_ -v sites="$SITES" -v files="$FILES_PER_SITE" -v findings="$FINDINGS" -f bench/fleet_synthetic.sql >/dev/null
ROWS=$(psql_ -c "SELECT (SELECT count(*) FROM custos.findings) || ' findings, ' || (SELECT count(*) FROM custos.places) || ' places, ' || (SELECT count(*) FROM custos.sweeps) || ' sweeps, ' || (SELECT count(*) FROM custos.sites) || ' sites'")
view_ms() {  # view: milliseconds the server spends computing every row and column of it, best of three
  for _ in 1 2 3; do
    psql_ -c "EXPLAIN (ANALYZE, TIMING OFF) SELECT * FROM custos.$1" | sed -n 's/^Execution Time: \([0-9.]*\) ms/\1/p'
  done | sort -n | head -1
}
declare -A VIEWS
for view in shared_credentials site_authority_gap fleet_trend oldest_open; do VIEWS[$view]=$(view_ms "$view"); done
for format in html json; do timed "report-$format" "$CUSTOS" fleet report --db "$URL" --format "$format" --output "$WORK/report.$format"; done
SHARED=$(psql_ -c "SELECT count(*) FROM custos.shared_credentials")

SIZE_MB=$(du -sm "$SHARE" | cut -f1)
echo "custos fleet benchmark: $(git rev-parse --short HEAD 2>/dev/null), $(nproc) cores, PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}')"
echo
echo "## One share, $FILES files ($PROFILE profile, $SIZE_MB MB), swept by queue workers ($PARTS parts)"
echo "| sweep | wall s | CPU s | CPU ms per file |"
echo "|---|---|---|---|"
for name in plain one-worker; do
  echo "| $name | $(wall $name) | $(cpu $name) | $(python3 -c "print(f'{1000 * $(cpu $name) / $FILES:.3f}')") |"
done
echo "| two workers (two processes) | $TWO_WALL | $TWO_CPU | $(python3 -c "print(f'{1000 * $TWO_CPU / $FILES:.3f}')") |"
echo "speed-up of two workers over one (wall time): $(python3 -c "print(f'{$(wall one-worker) / $TWO_WALL:.2f}')")x; same places: $SAME"
echo
echo "## Publishing 3 plants × $FILES files ($PLACES places each)"
echo "| publish | wall s |"
echo "|---|---|"
for plant in a b c; do echo "| plant-$plant (first) | $(wall publish-$plant) |"; done
echo "| plant-a again (nothing changed) | $(wall publish-again) |"
echo
echo "## Fleet views: $SITES synthetic plants × $FILES_PER_SITE files, $ROWS ($SHARED shared credentials)"
echo "| view | ms (best of 3) |"
echo "|---|---|"
for view in shared_credentials site_authority_gap fleet_trend oldest_open; do echo "| custos.$view | ${VIEWS[$view]} |"; done
for format in html json; do echo "| custos fleet report --format $format (whole command) | $(python3 -c "print(f'{1000 * $(wall report-$format):.0f}')") |"; done
