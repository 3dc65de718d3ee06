# Shared by the benchmark scripts: the peer's virtualenv and a timing helper.
# Source it after setting OUT (results folder) and RUNS (runs per tool).

# Installs Kingfisher from PyPI into bench/.venv once; sets KINGFISHER.
ensure_kingfisher() {
  if [ ! -x bench/.venv/bin/kingfisher ]; then
    python3 -m venv bench/.venv
    bench/.venv/bin/pip install --quiet kingfisher-bin
  fi
  KINGFISHER=bench/.venv/bin/kingfisher
}

# measure NAME COMMAND...: runs COMMAND $RUNS times under /usr/bin/time and writes
# "median-wall median-cpu max-rss-MB" to $OUT/NAME.summary.
measure() {
  local name=$1; shift
  for run in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %U %S %M" -o "$OUT/$name.time.$run" "$@" >/dev/null 2>"$OUT/$name.stderr" || true
  done
  python3 - "$name" "$RUNS" "$OUT" <<'PY'
import statistics, sys
name, runs, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = [list(map(float, open(f"{out}/{name}.time.{i}").read().split()[-4:])) for i in range(1, runs + 1)]
wall = statistics.median(r[0] for r in rows)
cpu = statistics.median(r[1] + r[2] for r in rows)
rss = max(r[3] for r in rows) / 1024
open(f"{out}/{name}.summary", "w").write(f"{wall} {cpu} {rss}\n")
PY
}
