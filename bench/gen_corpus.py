#!/usr/bin/env python3
"""Generate a deterministic corpus of source-like text with planted fake secrets for the core
throughput benchmark.

Usage: gen_corpus.py OUTDIR [--megabytes 320] [--seed 7]

The corpus looks like a monorepo plus an engineering share: Python, JavaScript, Go and Java
sources, YAML/JSON/INI/.env configs, logs with long lines, CSV exports, and a few large files
(tens of MB) that custos reads in chunks. It is dense in the things that cost a scanner work:
hex ids, base64 blobs, `password = get_x()` lines, URLs, and JSON with key/value pairs.
About one secret per megabyte is planted, in formats both custos and Kingfisher know; each is
written to OUTDIR.planted.jsonl ({"path": ..., "kind": ..., "secret": ...}). Every secret is a
random string in the provider's format, generated here; none is real.
"""
import argparse
import base64
import json
import os
import random
import string

ALNUM = string.ascii_letters + string.digits
B64 = ALNUM + "+/"
UPPER32 = string.ascii_uppercase + "234567"
WORDS = ("account buffer cache client config context cursor device engine event factory filter "
         "handler index item kernel ledger loader manager message metric node option packet parser "
         "payload queue record region report request resolver result router schema session signal "
         "source stream table task timer update user value vector worker line station batch recipe "
         "historian plc hmi tag alarm shift order material").split()


def rand(rng, alphabet, n):
    return "".join(rng.choices(alphabet, k=n))


def fake_secret(rng, kind):
    """(secret, the line that carries it) for one planted credential."""
    if kind == "github":
        s = "ghp_" + rand(rng, ALNUM, 36)
        return s, f'GITHUB_TOKEN = "{s}"'
    if kind == "aws":
        key_id = "AKIA" + rand(rng, UPPER32, 16)
        s = rand(rng, B64, 40)
        return s, f"aws_access_key_id = {key_id}\naws_secret_access_key = {s}"
    if kind == "slack":
        s = "xoxb-%d-%d-%s" % (rng.randrange(10**11, 10**12), rng.randrange(10**12, 10**13), rand(rng, ALNUM, 24))
        return s, f"slack_token: {s}"
    if kind == "stripe":
        s = "sk_live_" + rand(rng, ALNUM, 99)
        return s, f"stripe.api_key = '{s}'"
    if kind == "gitlab":
        s = "glpat-" + rand(rng, ALNUM + "-_", 20)
        return s, f"GITLAB_TOKEN={s}"
    if kind == "npm":
        s = "npm_" + rand(rng, ALNUM, 36)
        return s, f"//registry.npmjs.org/:_authToken={s}"
    if kind == "sendgrid":
        s = "SG." + rand(rng, ALNUM + "-_", 22) + "." + rand(rng, ALNUM + "-_", 43)
        return s, f'SENDGRID_API_KEY="{s}"'
    if kind == "google":
        s = "AIza" + rand(rng, ALNUM + "-_", 35)
        return s, f'"apiKey": "{s}",'
    if kind == "postgres":
        s = rand(rng, ALNUM, 18)
        return s, f"DATABASE_URL=postgres://app_user:{s}@db{rng.randrange(100)}.internal:5432/app"
    if kind == "slack-webhook":
        s = "https://hooks.slack.com/services/T%s/B%s/%s" % (rand(rng, string.ascii_uppercase + string.digits, 10),
                                                           rand(rng, string.ascii_uppercase + string.digits, 10),
                                                           rand(rng, ALNUM, 24))
        return s, f"webhook_url: {s}"
    raise ValueError(kind)


KINDS = ["github", "aws", "slack", "stripe", "gitlab", "npm", "sendgrid", "google", "postgres", "slack-webhook"]


def line_pool(rng):
    """Lines of many shapes; files are drawn from these so generation stays fast."""
    pool = {"py": [], "js": [], "go": [], "java": [], "yaml": [], "json": [], "ini": [], "log": [], "csv": []}
    for _ in range(6000):
        a, b, c = rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS)
        n = rng.randrange(10**6)
        pool["py"] += [f"def {a}_{b}({c}, timeout={n % 90}):", f"    {a} = {b}.{c}({n})",
                       f"    # {a} the {b} before {c}", f"    password = get_{a}_password({b})",
                       f"    {a}_id = \"{rng.getrandbits(128):032x}\"", f"    return {c}.{a}_{b}",
                       f"    token = self.{a}_token", f"    if not {a}.{b}: raise ValueError(\"{c}\")"]
        pool["js"] += [f"const {a}{b.title()} = require('./{c}');", f"  {a}: '{rng.getrandbits(64):016x}',",
                       f"export function {a}{c.title()}({b}) {{ return {b}.{a}; }}",
                       f"  const secret = process.env.{a.upper()}_SECRET;", f"  apiKey: config.{b}ApiKey,",
                       f"  integrity: 'sha512-{base64.b64encode(rng.randbytes(48)).decode()}',"]
        pool["go"] += [f"func ({a[0]} *{a.title()}) {b.title()}({c} string) error {{", f"\t{a} := {b}.New{c.title()}()",
                       f"\tif err != nil {{ return fmt.Errorf(\"{a} {b}: %w\", err) }}",
                       f"\t{a}Token := os.Getenv(\"{b.upper()}_TOKEN\")"]
        pool["java"] += [f"    private final {a.title()}{b.title()} {c} = new {a.title()}{b.title()}();",
                         f"    public String get{a.title()}Password() {{ return this.{b}Password; }}",
                         f"    @Value(\"${{{a}.{b}.secret}}\") String {c}Secret;"]
        pool["yaml"] += [f"  {a}_{b}: {c}", f"    {a}: \"{rng.getrandbits(96):024x}\"", f"  password: ${{{a.upper()}_PASSWORD}}",
                         f"  {a}_url: https://{b}.example.org/{c}", f"  secret_name: {a}-{b}-credentials",
                         f"  checksum: {base64.b64encode(rng.randbytes(32)).decode()}"]
        pool["json"] += [f'{{"{a}": "{b}", "{c}_id": "{rng.getrandbits(128):032x}", "count": {n}}}',
                         f'  "{a}Token": "{{{{ {b}.token }}}}",', f'  "{a}": {{"{b}": [{n}, {n // 7}], "{c}": null}},',
                         f'  "blob": "{base64.b64encode(rng.randbytes(90)).decode()}",']
        pool["ini"] += [f"{a}_{b} = {c}", f"{a}.password = ${{{b}_pw}}", f"[{a}.{b}]", f"{a}_timeout = {n % 300}"]
        pool["log"] += [f"2026-11-{n % 28 + 1:02d}T{n % 24:02d}:{n % 60:02d}:{n % 59:02d}Z INFO {a}.{b} {c} id={rng.getrandbits(64):016x} took={n % 997}ms",
                        f"2026-11-{n % 28 + 1:02d}T{n % 24:02d}:{n % 60:02d}:00Z WARN {a} retry {c} session={base64.urlsafe_b64encode(rng.randbytes(24)).decode()}"]
        pool["csv"] += [f"{n},{a},{b},{c},{rng.getrandbits(32):08x},{n / 7:.3f}"]
    return pool


EXTENSIONS = [("py", "py"), ("js", "js"), ("go", "go"), ("java", "java"), ("yaml", "yaml"),
              ("json", "json"), ("ini", "ini"), ("log", "log"), ("csv", "csv")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir")
    parser.add_argument("--megabytes", type=int, default=320)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pool = line_pool(rng)
    target = args.megabytes * 1024 * 1024
    written = 0
    planted = []
    serial = 0
    os.makedirs(args.outdir, exist_ok=True)
    next_plant = 0
    while written < target:
        kind, ext = EXTENSIONS[serial % len(EXTENSIONS)]
        # Mostly small files, some medium, and every 400th a large one read in chunks.
        if serial % 400 == 399:
            lines_wanted = rng.randrange(150_000, 400_000)
        elif serial % 10 == 0:
            lines_wanted = rng.randrange(2_000, 8_000)
        else:
            lines_wanted = rng.randrange(40, 600)
        lines = rng.choices(pool[kind], k=lines_wanted)
        if kind == "log" and serial % 3 == 0:
            # Log lines joined into very long lines, as some exporters write them.
            lines = [" | ".join(lines[i:i + 400]) for i in range(0, len(lines), 400)]
        text_size = sum(len(line) + 1 for line in lines)
        while next_plant <= written + text_size and lines:
            secret_kind = KINDS[len(planted) % len(KINDS)]
            secret, carrier = fake_secret(rng, secret_kind)
            position = rng.randrange(len(lines) + 1)
            lines.insert(position, carrier)
            path = f"{args.outdir}/d{serial % 97:02d}/s{serial // 97:03d}/file{serial}.{ext}"
            planted.append({"path": path, "kind": secret_kind, "secret": secret})
            next_plant += 1024 * 1024
        path = f"{args.outdir}/d{serial % 97:02d}/s{serial // 97:03d}/file{serial}.{ext}"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = ("\n".join(lines) + "\n").encode()
        with open(path, "wb") as handle:
            handle.write(data)
        written += len(data)
        serial += 1
    with open(args.outdir.rstrip("/") + ".planted.jsonl", "w") as handle:
        for entry in planted:
            handle.write(json.dumps(entry) + "\n")
    print(f"files={serial} bytes={written} planted={len(planted)}")


if __name__ == "__main__":
    main()
