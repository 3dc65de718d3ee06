#!/usr/bin/env python3
"""Recall of custos on the public rule-example corpora of Nosey Parker and Kingfisher.

    python3 bench/corpus.py [BINARY] [--min-confidence LEVEL] [--rules PATH [--no-builtin-rules]] [--keep DIR]
                            [--noseyparker-git DIR] [--kingfisher-git DIR] [--list-missed]

Both projects ship their detection rules as YAML files whose entries carry `examples` (text that
must match) and, for some rules, `negative_examples` / `non_examples` (text that must not). This
script reads those files at a pinned commit of each repository, writes one file per example into
a temporary folder (`pos/` and `neg/`, one sub-folder per corpus), runs

    BINARY scan DIR --format json --no-redact [--min-confidence LEVEL] [--rules PATH]

once, and prints per corpus:

- positives found / total: a positive counts as found when custos reports any finding in its file;
- negatives flagged / total: a negative counts as flagged when custos reports any finding in it
  (also given leaving out negatives whose text is a positive example of another upstream rule);
- the provider families (the rule file's name, `aws.yml` -> `aws`) with positives and no hit.

Nothing fetched is committed: the examples are a test set, read at run time from bare git
directories. By default those are the mirrors at /work/.mirror/<owner>+<name>/repo; when a
directory is missing the repository is cloned bare (blobs on demand) into
~/.cache/custos-corpus/. The commit ids below are the ones the published figures were measured
at; change them only together with the figures.

Exit status 0 always: this is a measuring tool, not a test.
"""

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

CORPORA = [
    {
        "name": "noseyparker",
        "url": "https://github.com/praetorian-inc/noseyparker",
        "mirror": "/work/.mirror/praetorian-inc+noseyparker/repo",
        "commit": "2e6e7f36ce36619852532bbe698d8cb7a26d2da7",
        "rules_dir": "crates/noseyparker/data/default/builtin/rules",
    },
    {
        "name": "kingfisher",
        "url": "https://github.com/mongodb/kingfisher",
        "mirror": "/work/.mirror/mongodb+kingfisher/repo",
        "commit": "ee7c0db3ef87575768f817820c24736249ffcdef",
        "rules_dir": "data/rules",
    },
]

NEGATIVE_KEYS = ("negative_examples", "non_examples")


def git(git_dir, *args):
    return subprocess.run(
        ["git", "--git-dir", git_dir, *args], check=True, capture_output=True
    ).stdout


def git_dir_for(corpus, override):
    if override:
        return override
    if os.path.isdir(corpus["mirror"]):
        return corpus["mirror"]
    cache = os.path.expanduser(f"~/.cache/custos-corpus/{corpus['name']}.git")
    if not os.path.isdir(cache):
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        subprocess.run(
            ["git", "clone", "--bare", "--filter=blob:none", corpus["url"], cache], check=True
        )
    try:
        git(cache, "cat-file", "-e", corpus["commit"])
    except subprocess.CalledProcessError:
        subprocess.run(["git", "--git-dir", cache, "fetch", "origin", corpus["commit"]], check=True)
    return cache


def examples_of(corpus, git_dir):
    """Yields (family, rule_id, kind, text) for every example of every rule file."""
    commit, rules_dir = corpus["commit"], corpus["rules_dir"]
    names = git(git_dir, "ls-tree", "--name-only", f"{commit}:{rules_dir}").decode().split()
    for name in sorted(names):
        if not name.endswith((".yml", ".yaml")):
            continue
        family = name.rsplit(".", 1)[0]
        text = git(git_dir, "show", f"{commit}:{rules_dir}/{name}").decode("utf-8", "replace")
        document = yaml.safe_load(text) or {}
        for rule in document.get("rules") or []:
            rule_id = str(rule.get("id", "?"))
            for example in rule.get("examples") or []:
                yield family, rule_id, "pos", str(example)
            for key in NEGATIVE_KEYS:
                for example in rule.get(key) or []:
                    yield family, rule_id, "neg", str(example)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary", nargs="?", default=".build/debug/custos")
    parser.add_argument("--min-confidence", help="passed to custos scan (e.g. low)")
    parser.add_argument("--rules", help="extra rules file or folder, passed to custos scan")
    parser.add_argument("--no-builtin-rules", action="store_true",
                        help="passed to custos scan: only the --rules folder runs (e.g. another branch's rules/)")
    parser.add_argument("--exclude-rule", action="append", default=[],
                        help="passed to custos scan (repeatable), e.g. to score without some rules")
    parser.add_argument("--keep", help="write the example files here and keep them")
    parser.add_argument("--noseyparker-git")
    parser.add_argument("--kingfisher-git")
    parser.add_argument("--list-missed", action="store_true", help="print every missed positive")
    args = parser.parse_args()

    root = args.keep or tempfile.mkdtemp(prefix="custos-corpus-")
    if args.keep and os.path.isdir(root):
        shutil.rmtree(root)
    items = {}  # relative path -> (corpus, family, rule_id, kind, text)
    for corpus in CORPORA:
        git_dir = git_dir_for(corpus, getattr(args, f"{corpus['name']}_git"))
        print(f"{corpus['name']}: {corpus['url']} @ {corpus['commit']}")
        for index, (family, rule_id, kind, text) in enumerate(examples_of(corpus, git_dir)):
            relative = os.path.join(kind, corpus["name"], f"{family}-{index:05d}.txt")
            path = os.path.join(root, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text if text.endswith("\n") else text + "\n")
            items[relative] = (corpus["name"], family, rule_id, kind, text)

    command = [args.binary, "scan", root, "--format", "json", "--no-redact"]
    if args.min_confidence:
        command += ["--min-confidence", args.min_confidence]
    if args.rules:
        command += ["--rules", args.rules]
    if args.no_builtin_rules:
        command += ["--no-builtin-rules"]
    for rule in args.exclude_rule:
        command += ["--exclude-rule", rule]
    print("$ " + " ".join(command) if len(command) < 40 else "$ " + " ".join(command[:12]) + f" … ({len(command)} arguments)")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        sys.stderr.write(result.stderr)
        sys.exit(f"custos exited with {result.returncode}")
    report = json.loads(result.stdout)
    findings = report.get("findings", report) if isinstance(report, dict) else report

    hit_rules = collections.defaultdict(set)  # relative path -> rule ids
    for finding in findings:
        path = finding.get("path") or finding.get("file") or ""
        relative = os.path.relpath(os.path.join(root, path) if not os.path.isabs(path) else path, root)
        hit_rules[relative].add(finding.get("rule_id") or finding.get("rule") or "?")

    for corpus in CORPORA:
        name = corpus["name"]
        mine = {p: v for p, v in items.items() if v[0] == name}
        pos = [p for p, v in mine.items() if v[3] == "pos"]
        neg = [p for p, v in mine.items() if v[3] == "neg"]
        found = [p for p in pos if hit_rules.get(p)]
        flagged = [p for p in neg if hit_rules.get(p)]
        # A negative example of one upstream rule is sometimes a positive of another (a Slack
        # user token given as a near miss for the bot-token rule): those are counted apart.
        positive_texts = {mine[p][4].strip() for p in pos}
        plain_neg = [p for p in neg if mine[p][4].strip() not in positive_texts]
        plain_flagged = [p for p in flagged if p in plain_neg]
        families = collections.defaultdict(lambda: [0, 0])
        for p in pos:
            families[mine[p][1]][0] += 1
            families[mine[p][1]][1] += bool(hit_rules.get(p))
        zero = sorted(f for f, (total, hits) in families.items() if hits == 0)

        def share(part, whole):
            return f"{len(part)}/{len(whole)} ({100 * len(part) / max(len(whole), 1):.1f} %)"

        print(f"\n== {name} ==")
        print(f"positives found:   {share(found, pos)}")
        print(f"negatives flagged: {share(flagged, neg)}")
        print(f"negatives flagged, leaving out the {len(neg) - len(plain_neg)} that are also "
              f"positives of another rule: {share(plain_flagged, plain_neg)}")
        print(f"families with positives: {len(families)}, with no hit: {len(zero)}")
        print("zero-hit families: " + ", ".join(zero))
        for p in sorted(flagged):
            _, family, rule_id, _, text = mine[p]
            also = "" if p in plain_neg else " [also a positive]"
            print(f"  flagged negative{also} {rule_id} ({', '.join(sorted(hit_rules[p]))}): {text.strip()[:160]!r}")
        if args.list_missed:
            for p in sorted(set(pos) - set(found)):
                _, family, rule_id, _, text = mine[p]
                print(f"  missed {rule_id}: {text.strip()[:160]!r}")

    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    else:
        print(f"\nexample files kept in {root}")


if __name__ == "__main__":
    main()
