#!/usr/bin/env python3
"""Generate a deterministic git repository with a long history for the git benchmark.

Usage: gen_git_repo.py OUTDIR [--commits 10000] [--files-per-commit 10] [--seed 1]

Each commit rewrites a few files with new source-like content, so the history holds about
commits x files-per-commit distinct blobs. Every 97th commit plants a fake credential in a new
file, and a commit 40 later deletes it: history scanners must still find it. The planted
secrets are written to OUTDIR.planted.jsonl ({"commit": n, "path": ..., "kind": ..., "secret": ...}).
All secrets are random strings in the providers' formats, generated here; none is real.
"""
import argparse
import json
import os
import random
import string
import subprocess

ALNUM = string.ascii_letters + string.digits
UPPER32 = string.ascii_uppercase + "234567"
WORDS = ("account buffer cache client config context cursor device engine event factory filter "
         "handler index item kernel ledger loader manager message metric node option packet parser "
         "payload queue record region report request resolver result router schema session signal "
         "source stream table task timer token_count update user value vector worker").split()


def fake_secret(rng, kind):
    if kind == "github":
        return "ghp_" + "".join(rng.choice(ALNUM) for _ in range(36))
    if kind == "aws":
        return "".join(rng.choice(ALNUM + "/+") for _ in range(40))
    if kind == "slack":
        return "xoxb-%d-%d-%s" % (rng.randrange(10**11, 10**12), rng.randrange(10**11, 10**12),
                                   "".join(rng.choice(ALNUM) for _ in range(24)))
    if kind == "stripe":
        return "sk_live_" + "".join(rng.choice(ALNUM) for _ in range(32))
    if kind == "gitlab":
        return "glpat-" + "".join(rng.choice(ALNUM + "-_") for _ in range(20))
    if kind == "npm":
        return "npm_" + "".join(rng.choice(ALNUM) for _ in range(36))
    raise ValueError(kind)


KINDS = ["github", "aws", "slack", "stripe", "gitlab", "npm"]
ASSIGN = {"github": "GITHUB_TOKEN={}", "aws": "AWS_ACCESS_KEY_ID=AKIA{key_id}\nAWS_SECRET_ACCESS_KEY={}", "slack": "SLACK_BOT_TOKEN={}",
          "stripe": "STRIPE_SECRET_KEY={}", "gitlab": "GITLAB_TOKEN={}", "npm": "NPM_TOKEN={}"}


def source_file(rng, serial):
    lines = ["# generated module %d" % serial]
    for _ in range(rng.randrange(20, 60)):
        a, b, c = rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS)
        kind = rng.randrange(5)
        if kind == 0:
            lines.append("def %s_%s(%s):" % (a, b, c))
        elif kind == 1:
            lines.append("    %s = %s.%s(%d)" % (a, b, c, rng.randrange(10**6)))
        elif kind == 2:
            lines.append("    # %s the %s before %s" % (a, b, c))
        elif kind == 3:
            lines.append("    password = get_%s_password(%s)" % (a, b))
        else:
            lines.append("    %s_id = \"%032x\"" % (a, rng.getrandbits(128)))
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir")
    parser.add_argument("--commits", type=int, default=10000)
    parser.add_argument("--files-per-commit", type=int, default=10)
    parser.add_argument("--paths", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.outdir, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", args.outdir], check=True)
    paths = ["src/%s/%s_%d.py" % (rng.choice(WORDS), rng.choice(WORDS), i) for i in range(args.paths)]
    planted = []
    pending_removal = {}
    fast_import = subprocess.Popen(["git", "-C", args.outdir, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    out = fast_import.stdin
    mark = 0
    serial = 0
    when = 1_600_000_000
    for number in range(1, args.commits + 1):
        changes = []
        for path in rng.sample(paths, args.files_per_commit):
            serial += 1
            mark += 1
            data = source_file(rng, serial).encode()
            out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n")
            changes.append(b"M 100644 :%d %s\n" % (mark, path.encode()))
        if number % 97 == 0:
            kind = KINDS[(number // 97) % len(KINDS)]
            secret = fake_secret(rng, kind)
            path = "config/service_%d.env" % number
            key_id = "".join(rng.choice(UPPER32) for _ in range(16))
            data = ("# service settings\nREGION=eu-west-1\n" + ASSIGN[kind].format(secret, key_id=key_id) + "\n").encode()
            mark += 1
            out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n")
            changes.append(b"M 100644 :%d %s\n" % (mark, path.encode()))
            entry = {"commit": number, "path": path, "kind": kind, "secret": secret}
            if kind == "aws":
                entry["also"] = "AKIA" + key_id  # the paired key id names the same credential
            planted.append(entry)
            pending_removal[number + 40] = path
        if number in pending_removal:
            changes.append(b"D %s\n" % pending_removal.pop(number).encode())
        when += 3600
        message = b"change %d\n" % number
        out.write(b"commit refs/heads/main\nmark :%d\n" % (mark + 1))
        mark += 1
        out.write(b"author Dev %d <dev%d@example.org> %d +0000\n" % (number % 17, number % 17, when))
        out.write(b"committer Dev %d <dev%d@example.org> %d +0000\n" % (number % 17, number % 17, when))
        out.write(b"data %d\n" % len(message) + message)
        out.writelines(changes)
        out.write(b"\n")
    out.close()
    if fast_import.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", args.outdir, "reset", "-q", "--hard", "main"], check=True)
    with open(args.outdir.rstrip("/") + ".planted.jsonl", "w") as handle:
        for entry in planted:
            handle.write(json.dumps(entry) + "\n")
    print("commits=%d blobs~%d planted=%d" % (args.commits, serial + len(planted), len(planted)))


if __name__ == "__main__":
    main()
