#!/usr/bin/env bash
# The people reports as a plant security lead sees them, from the multi-plant fixture
# (fixtures/plants): the by-owner page, the sweep report and the incident playbook of
# `custos who`, rendered by headless Chromium into docs/*.png (linked from the README).
# Usage: bash docs/screenshots.sh   (CUSTOS=.build/debug/custos)
set -euo pipefail
cd "$(dirname "$0")/.."
CUSTOS=$(realpath "${CUSTOS:-.build/debug/custos}")
[ -x "$CUSTOS" ] || { echo "build custos first: swift build" >&2; exit 2; }
CHROMIUM=$(command -v chromium || command -v chromium-browser) || { echo "install chromium" >&2; exit 2; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cp -r fixtures/plants/plant-a fixtures/plants/plant-b fixtures/plants/plant-c fixtures/plants/registry "$OUT/"
cd "$OUT"
"$CUSTOS" report --by-owner plant-a plant-b plant-c --owners registry/owners.yaml --output-dir owners >/dev/null 2>&1 || true
"$CUSTOS" sweep plant-a plant-b plant-c --owners registry/owners.yaml --state state.db --fail-on never >/dev/null
rm plant-c/historian/collector.env
"$CUSTOS" sweep plant-a plant-b plant-c --owners registry/owners.yaml --state state.db --report sweep --fail-on never >/dev/null 2>&1
awk '$1=="historian"{printf "%s", $2}' "$OLDPWD/fixtures/plants/secrets.tsv" \
  | "$CUSTOS" who --state state.db --owners registry/owners.yaml --format html --output playbook.html
shoot() {  # page png height
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$OUT/profile" \
    --window-size=1280,"$3" --screenshot="$OLDPWD/docs/$2" "file://$OUT/$1" 2>/dev/null
}
shoot owners/owners.html owners-report.png 2600
shoot sweep/sweep-report.html sweep-report.png 2600
shoot playbook.html who-playbook.png 2200
ls -la "$OLDPWD"/docs/*.png
