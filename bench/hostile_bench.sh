#!/usr/bin/env bash
# Hostile and large archives (issue 11): a genuine ~1 GB zip scanned whole, members past the
# first 512 MB included, with peak RSS; and the CPU bombs: 20,000 directory entries sharing
# one failing stream, 20,000 failing local entries, a 146-byte deflate stream running past the
# end of the file. Prints wall time, peak RSS (/usr/bin/time -v), findings and warnings of each.
# Usage: bench/hostile_bench.sh   (MEGABYTES=1024 CUSTOS=.build/release/custos)
set -euo pipefail
cd "$(dirname "$0")/.."
MEGABYTES=${MEGABYTES:-1024}
CUSTOS=${CUSTOS:-.build/release/custos}
OUT=bench/out/hostile
[ -x "$CUSTOS" ] || { echo "build custos first: make build" >&2; exit 2; }
mkdir -p "$OUT"
python3 bench/gen_hostile.py "$OUT" --megabytes "$MEGABYTES"
cat "$OUT/genuine-1g.zip" > /dev/null   # page cache warm: the scan, not the disk, is measured

printf '%-20s %10s %9s %12s %9s %9s\n' input "size MB" "wall s" "peak RSS MB" findings warnings
for input in genuine-1g.zip overlap-20000.zip failing-20000.zip loop-146.zip; do
  /usr/bin/time -v -o "$OUT/$input.time" "$CUSTOS" scan "$OUT/$input" --format json --no-redact \
    --output "$OUT/$input.json" 2>"$OUT/$input.stderr" || true
  python3 - "$OUT" "$input" <<'PY'
import json, os, re, sys
out, name = sys.argv[1], sys.argv[2]
timing = open(f"{out}/{name}.time").read()
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", timing).group(1)
seconds = sum(float(part) * 60 ** index for index, part in enumerate(reversed(wall.split(":"))))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing).group(1)) / 1024
report = json.load(open(f"{out}/{name}.json"))
findings = report.get("findings", [])
warnings = report.get("warnings", [])
size = os.path.getsize(f"{out}/{name}") / 1048576
print(f"{name:<20} {size:10.1f} {seconds:9.2f} {rss:12.0f} {len(findings):9d} {len(warnings):9d}")
if name == "genuine-1g.zip":
    planted = [line.rstrip("\n").split("\t") for line in open(f"{out}/genuine-1g.planted")]
    found = {(f["path"].split("!/", 1)[-1], f["secret"]) for f in findings}
    for member, secret in planted:
        print(f"  planted in {member}: {'found' if (member, secret) in found else 'MISSED'}")
for warning in warnings[:3]:
    print(f"  warning: {warning.get('message', warning)[:140]}")
PY
done
