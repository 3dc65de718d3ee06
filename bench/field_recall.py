#!/usr/bin/env python3
"""Recall and decoy share of custos on the field-shaped collection (fixtures/field/).

    python3 bench/field_recall.py [--binary PATH] [--root fixtures/field]

Runs `custos scan ROOT --format json --no-redact` from the repository root (leaving out the
generator, the manifests and the README, which hold every planted value) and compares its
findings (path, line, secret, rule_id) with the manifests fixtures/field/generate.py writes:

- credentials.tsv (`path, line, family, kind, plaintext, as_written`): a credential is found when
  a finding has the same path and one of its lines (the field may list several, comma-separated,
  where the export writes the value twice) and its secret equals the plaintext or the as-written
  form, or contains / is contained in one of them with at least 6 characters in common.
  Credentials missed although a finding sits on their line with another value are counted apart.
- decoys.tsv (`path, line, family, why, value`): a decoy is reported when a finding on its line
  that found no credential has a secret overlapping the decoy's value (equal, the value inside
  the secret, or the secret of 3+ characters inside the value), or, for an empty value, when any
  such finding sits on the line.

Prints recall per family, per kind and overall, the decoy share, every missed credential, every
reported decoy and every finding that is neither (unexpected). Exit status 0 always: this is a
measuring tool, not a test.
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys


def read_tsv(path, columns):
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle.read().split("\n"):
            if not line or line.startswith("#"):
                continue
            cells = line.split("\t")
            cells += [""] * (columns - len(cells))
            rows.append(cells[:columns])
    return rows


def lines_of(field):
    return {int(n) for n in field.split(",") if n}


CONTINUATION = re.compile(r"\\\r?\n[ \t]*")
MANIFESTS = ("generate.py", "credentials.tsv", "decoys.tsv", "SOURCES.md", "README.md")


def same_value(secret, value):
    secret = CONTINUATION.sub("", secret)
    if not secret or not value:
        return False
    if secret == value:
        return True
    shorter = min(len(secret), len(value))
    return shorter >= 6 and (secret in value or value in secret)


def overlaps_decoy(secret, value):
    if secret == value:
        return True
    if value and value in secret:
        return True
    return len(secret) >= 3 and secret in value


def short(text, n=40):
    text = text.replace("\n", "\\n").replace("\t", "\\t")
    return text if len(text) <= n else text[:n] + "…"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", help="custos binary (default: the newest of .build/release and .build/debug)")
    parser.add_argument("--root", default="fixtures/field")
    parser.add_argument("--min-confidence", choices=["low", "medium", "high"],
                        help="passed to custos scan (default: custos's own default)")
    args = parser.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    binary = args.binary
    if not binary:
        candidates = [os.path.join(repo, ".build", kind, "custos") for kind in ("release", "debug")]
        existing = [c for c in candidates if os.path.exists(c)]
        if not existing:
            print("field_recall.py: no custos binary found; build one or pass --binary")
            return 0
        binary = max(existing, key=os.path.getmtime)
    command = [binary, "scan", args.root, "--format", "json", "--no-redact"]
    if args.min_confidence:
        command += ["--min-confidence", args.min_confidence]
    for name in MANIFESTS:  # the generator and manifests hold every planted value; they are not part of the collection
        command += ["--exclude", "/" + name]
    result = subprocess.run(command, cwd=repo, capture_output=True, text=True)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(f"field_recall.py: custos exited with {result.returncode} and no JSON report: {result.stderr.strip()[:400]}")
        return 0
    findings = [(f["path"], int(f["line"]), f.get("secret") or "", f.get("rule_id", "")) for f in report["findings"]]
    by_place = collections.defaultdict(list)
    for index, (path, line, _, _) in enumerate(findings):
        by_place[(path, line)].append(index)

    try:
        creds = read_tsv(os.path.join(repo, args.root, "credentials.tsv"), 6)
        decoys = read_tsv(os.path.join(repo, args.root, "decoys.tsv"), 5)
    except OSError as error:
        print(f"field_recall.py: no manifests under {args.root} ({error}); run fixtures/field/generate.py")
        return 0
    used = set()
    found_family, total_family = collections.Counter(), collections.Counter()
    found_kind, total_kind = collections.Counter(), collections.Counter()
    missed, other_value = [], []
    for path, line_field, family, kind, plain, written in creds:
        total_family[family] += 1
        total_kind[kind] += 1
        hits, near = [], []
        for line in lines_of(line_field):
            for index in by_place.get((path, line), []):
                secret = findings[index][2]
                (hits if same_value(secret, plain) or same_value(secret, written) else near).append(index)
        if hits:
            used.update(hits)
            found_family[family] += 1
            found_kind[kind] += 1
        else:
            missed.append((path, line_field, family, kind, plain, [findings[i] for i in near]))
            if near:
                other_value.append(path)

    reported = []
    for path, line_field, family, why, value in decoys:
        culprits = []
        for line in lines_of(line_field):
            for index in by_place.get((path, line), []):
                if index in used:
                    continue
                if not value or overlaps_decoy(findings[index][2], value):
                    culprits.append(index)
        if culprits:
            used.update(culprits)
            reported.append((path, line_field, family, why, value, [findings[i] for i in culprits]))

    print(f"custos: {binary}")
    print(f"collection: {args.root} ({len(creds)} credentials, {len(decoys)} decoys, {len(findings)} findings)")
    print()
    print(f"{'family':<24} {'found':>6} {'planted':>8}  recall")
    for name in sorted(total_family):
        print(f"{name:<24} {found_family[name]:>6} {total_family[name]:>8}  {100 * found_family[name] / total_family[name]:6.1f}%")
    all_found, all_planted = sum(found_family.values()), sum(total_family.values())
    print(f"{'all':<24} {all_found:>6} {all_planted:>8}  {100 * all_found / max(all_planted, 1):6.1f}%")
    print()
    print(f"{'kind':<24} {'found':>6} {'planted':>8}  recall")
    for name in sorted(total_kind):
        print(f"{name:<24} {found_kind[name]:>6} {total_kind[name]:>8}  {100 * found_kind[name] / total_kind[name]:6.1f}%")
    print()
    print(f"recall: {all_found}/{all_planted} = {all_found / max(all_planted, 1):.3f}"
          f" ({len(other_value)} missed credentials had a finding on their line with another value)")
    print(f"decoys reported: {len(reported)}/{len(decoys)} = {100 * len(reported) / max(len(decoys), 1):.1f}%")
    print()
    for path, line_field, family, kind, plain, near in missed:
        extra = "; on the line: " + ", ".join(f"{r} {short(s, 24)!r}" for _, _, s, r in near) if near else ""
        print(f"  missed {path}:{line_field} [{kind}] {short(plain)!r}{extra}")
    for path, line_field, family, why, value, culprits in reported:
        rules = ", ".join(sorted({r for _, _, _, r in culprits}))
        print(f"  decoy  {path}:{line_field} [{why}] {short(value)!r} reported by {rules}")
    unexpected = [findings[i] for i in range(len(findings)) if i not in used]
    for path, line, secret, rule in unexpected:
        print(f"  unexpected {path}:{line} {rule} {short(secret, 16)!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
