#!/usr/bin/env bash
# SARIF at GitHub's limits: scans a generated tree holding SECRETS fake GitHub tokens (default
# 30,000: more than one run may hold) and prints how custos split the report, each file's size
# and its gzip size against GitHub's 10 MB upload limit, and the compression ratio that
# SarifLimits.bytesPerFile assumes.
# Usage: bench/sarif_size.sh   (SECRETS=30000 CUSTOS=.build/debug/custos)
set -euo pipefail
cd "$(dirname "$0")/.."
SECRETS=${SECRETS:-30000}
CUSTOS=${CUSTOS:-.build/debug/custos}
OUT=bench/out/sarif
TREE=$OUT/tree-$SECRETS
[ -x "$CUSTOS" ] || { echo "build custos first: swift build" >&2; exit 2; }
CUSTOS=$(cd "$(dirname "$CUSTOS")" && pwd)/$(basename "$CUSTOS")
mkdir -p "$OUT"
if [ ! -d "$TREE" ]; then
  python3 - "$TREE" "$SECRETS" <<'PY'
import os, random, string, sys
tree, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(12)
alnum = string.ascii_letters + string.digits
for index in range(count):
    folder = os.path.join(tree, f"service-{index // 10000}", f"module-{index // 100 % 100}")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"settings-{index // 10 % 10}.env"), "a") as file:
        token = "ghp_" + "".join(rng.choice(alnum) for _ in range(36))
        file.write(f"# deploy settings for job {index}\nGITHUB_TOKEN={token}\n")
PY
fi
rm -f "$OUT"/custos*.sarif
ABS_OUT=$(cd "$OUT" && pwd)
(cd "$TREE" && "$CUSTOS" scan . --format sarif --output "$ABS_OUT/custos.sarif" >/dev/null 2>"$ABS_OUT/stderr") || true
cat "$OUT/stderr"
python3 - "$OUT" <<'PY'
import glob, gzip, json, os, sys
out = sys.argv[1]
files = sorted(glob.glob(os.path.join(out, "custos*.sarif")), key=lambda p: (len(p), p))
total_raw = total_gz = 0
for path in files:
    raw = open(path, "rb").read()
    packed = len(gzip.compress(raw, 6))
    total_raw += len(raw); total_gz += packed
    runs = json.loads(raw)["runs"]
    print(f"{os.path.basename(path)}: {len(runs)} runs, results per run {[len(r['results']) for r in runs]}, "
          f"{len(raw) / 1048576:.1f} MB, gzip {packed / 1048576:.2f} MB (GitHub's limit: 10 MB)")
print(f"compression ratio {total_raw / max(total_gz, 1):.1f} : 1")
PY
