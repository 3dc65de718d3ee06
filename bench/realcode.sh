#!/usr/bin/env bash
# Precision on real code nobody on the project wrote: scans the code that ships on this machine
# (the Python interpreter's standard library and site-packages, the system C headers, and the
# Python, Node and Perl libraries Debian installs; whatever of it exists) with custos and
# Kingfisher in the same run, and prints findings per tool and per rule, then every custos
# finding (path, line, rule, redacted secret) for review.
#
#   bash bench/realcode.sh [CUSTOS_BINARY]      (default .build/release/custos)
#   REALCODE_ROOTS="/a /b" bash bench/realcode.sh   to scan other folders
set -euo pipefail
cd "$(dirname "$0")/.."
CUSTOS=${1:-.build/release/custos}
OUT=bench/out/realcode
mkdir -p "$OUT"
source bench/lib.sh
ensure_kingfisher

default_roots="/root/.pyenv/versions/3.11.7/lib/python3.11 /usr/lib/python3.11 /usr/include /usr/lib/python3/dist-packages
/usr/share/perl5 /usr/share/perl /usr/lib/x86_64-linux-gnu/perl5 /usr/lib/x86_64-linux-gnu/perl-base /usr/share/nodejs /usr/lib/node_modules"
roots=()
for root in ${REALCODE_ROOTS:-$default_roots}; do
  [ -d "$root" ] && roots+=("$root")
done
[ ${#roots[@]} -gt 0 ] || { echo "realcode: none of the folders exists" >&2; exit 2; }
size=$(du -scb "${roots[@]}" | tail -1 | cut -f1)
echo "realcode: ${#roots[@]} folders, $((size / 1000000)) MB: ${roots[*]}"

# Exit status 1 means findings; anything above is a failure of the tool.
status=0
"$CUSTOS" scan "${roots[@]}" --format json --output "$OUT/custos.json" 2>"$OUT/custos.stderr" || status=$?
[ "$status" -le 1 ] || { echo "custos failed ($status): $(tail -3 "$OUT/custos.stderr")" >&2; exit 2; }
# Kingfisher honours the .gitignore of a git checkout that encloses a scanned folder (pyenv's
# `/versions` holds the whole Python tree): it reads those files and reports nothing in them.
# Such roots are copied outside any checkout for Kingfisher, so both tools judge the same files.
kf_roots=()
copies=$(mktemp -d)
trap 'rm -rf "$copies"' EXIT
for root in "${roots[@]}"; do
  if git -C "$root" rev-parse --show-toplevel >/dev/null 2>&1 && git -C "$root" check-ignore -q "$root"; then
    copy="$copies/$(echo "$root" | tr / _)"
    cp -a "$root" "$copy"
    echo "realcode: $root is ignored by its enclosing git checkout; Kingfisher scans a copy ($copy)"
    kf_roots+=("$copy")
  else
    kf_roots+=("$root")
  fi
done
"$KINGFISHER" scan "${kf_roots[@]}" --no-validate --format json -o "$OUT/kingfisher.json" >/dev/null 2>"$OUT/kingfisher.stderr" || true

python3 - "$OUT" <<'PY'
import collections, json, sys
out = sys.argv[1]
custos = json.load(open(f"{out}/custos.json"))
custos_findings = custos["findings"] if isinstance(custos, dict) else custos
try:
    kf = json.load(open(f"{out}/kingfisher.json"))
    kf_findings = kf.get("findings", []) if isinstance(kf, dict) else kf
except (OSError, ValueError):
    kf_findings = []

def kf_rule(f):
    rule = f.get("rule", {})
    return rule.get("id") or rule.get("name") or "?"

for tool, findings, rule_of in (("custos", custos_findings, lambda f: f["rule_id"]),
                                ("kingfisher", kf_findings, kf_rule)):
    counts = collections.Counter(rule_of(f) for f in findings)
    print(f"\n{tool}: {len(findings)} findings")
    for rule, count in counts.most_common():
        print(f"  {count:5d}  {rule}")

print("\nkingfisher findings:")
for f in kf_findings:
    finding = f.get("finding", {})
    print(f"  {kf_rule(f):32s} {finding.get('path', '?')}:{finding.get('line', '?')}")

print("\ncustos findings:")
for f in custos_findings:
    print(f"  {f['rule_id']:32s} {f['path']}:{f.get('line', '?')}  {f.get('secret', f.get('redacted', ''))[:40]}")
PY
