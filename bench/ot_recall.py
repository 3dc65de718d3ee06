#!/usr/bin/env python3
"""Recall and decoy share of custos on the OT fixtures (fixtures/ot/).

    python3 bench/ot_recall.py [--binary PATH] [--root fixtures/ot]

Runs `custos scan <root> --format json` from the repository root and compares its findings
with the two manifests generate.py writes:

- expected-findings.tsv: every planted credential (`path<TAB>line<TAB>rule_id`). Recall is the
  share of them reported (same path, line and rule). Lines after a `# known-false-positive:`
  comment are decoys a rule outside rules/ot.yaml reports today; they are not credentials and
  count as decoys reported, not towards recall.
- decoys.tsv: masked values, empty defaults, vendor defaults, placeholders, hashes and
  references planted to be left alone (`path<TAB>line<TAB>what`). A decoy is reported when any
  finding on its line is not a planted credential. The decoy share is decoys reported over
  decoys planted.

Findings that are neither planted nor on a decoy line are listed as unexpected. Exit status 0
when recall is 100% and no decoy is reported, 1 otherwise.
"""

import argparse
import collections
import json
import os
import subprocess
import sys

MARKER = "# known-false-positive:"


def read_manifest(path):
    planted, known = [], []
    pending = False
    with open(path, encoding="utf-8") as handle:
        for line in handle.read().split("\n"):
            if line.startswith(MARKER):
                pending = True
                continue
            if not line or line.startswith("#"):
                continue
            (known if pending else planted).append(tuple(line.split("\t")[:3]))
            pending = False
    return planted, known


def family(path, root):
    rest = path[len(root) + 1:] if path.startswith(root + "/") else path
    return rest.split("/", 1)[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", help="custos binary (default: the newest of .build*/release and debug)")
    parser.add_argument("--root", default="fixtures/ot")
    args = parser.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    binary = args.binary
    if not binary:
        candidates = [os.path.join(repo, d, kind, "custos") for d in (".build", ".build-ot")
                      for kind in ("release", "debug")]
        existing = [c for c in candidates if os.path.exists(c)]
        if not existing:
            sys.exit("ot_recall.py: no custos binary found; build one or pass --binary")
        binary = max(existing, key=os.path.getmtime)
    result = subprocess.run([binary, "scan", args.root, "--format", "json"], cwd=repo, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        sys.exit(f"ot_recall.py: custos exited with {result.returncode}: {result.stderr.strip()}")
    findings = json.loads(result.stdout)["findings"]
    reported = collections.Counter((f["path"], str(f["line"]), f["rule_id"]) for f in findings)
    planted, known = read_manifest(os.path.join(repo, args.root, "expected-findings.tsv"))
    decoys = []
    with open(os.path.join(repo, args.root, "decoys.tsv"), encoding="utf-8") as handle:
        for line in handle.read().split("\n"):
            if line and not line.startswith("#"):
                path, number, what = line.split("\t")[:3]
                decoys.append((path, number, what))

    remaining = reported.copy()
    found = collections.Counter()
    total = collections.Counter()
    for entry in planted:
        total[family(entry[0], args.root)] += 1
        if remaining[entry] > 0:
            remaining[entry] -= 1
            found[family(entry[0], args.root)] += 1
    missed = [e for e in planted if reported[e] < planted.count(e)]
    stray = collections.Counter({key: count for key, count in remaining.items() if count > 0})
    by_line = collections.defaultdict(list)
    for (path, number, rule), count in stray.items():
        by_line[(path, number)].append(rule)
    decoys_reported = [(p, n, w, by_line[(p, n)]) for p, n, w in decoys if by_line.get((p, n))]
    decoy_lines = {(p, n) for p, n, _ in decoys}
    unexpected = [(p, n, r) for (p, n, r) in stray.elements() if (p, n) not in decoy_lines]

    print(f"custos: {binary}")
    print(f"{'family':<14} {'found':>7} {'planted':>8}  recall")
    for name in sorted(total):
        print(f"{name:<14} {found[name]:>7} {total[name]:>8}  {100 * found[name] / total[name]:6.1f}%")
    all_found, all_planted = sum(found.values()), sum(total.values())
    print(f"{'all':<14} {all_found:>7} {all_planted:>8}  {100 * all_found / max(all_planted, 1):6.1f}%")
    print(f"decoys reported: {len(decoys_reported)} of {len(decoys)} "
          f"({100 * len(decoys_reported) / max(len(decoys), 1):.1f}%), "
          f"{len(known)} of them known false positives of rules outside rules/ot.yaml")
    for path, number, what, rules in decoys_reported:
        print(f"  decoy {path}:{number} ({what}) reported by {', '.join(sorted(rules))}")
    for path, number, rule in missed:
        print(f"  missed {path}:{number} {rule}")
    for path, number, rule in unexpected:
        print(f"  unexpected {path}:{number} {rule}")
    return 0 if not missed and not decoys_reported and not unexpected else 1


if __name__ == "__main__":
    sys.exit(main())
