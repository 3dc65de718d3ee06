#!/usr/bin/env python3
"""Checks that every finding of a custos JSON report is where it says it is.

    custos scan TREE --format json --no-redact | python3 check_spans.py

For each finding it opens what a person opens — the file, or the archive member or database
cell inside it (`artifact` and `members` in the report) — reads the reported byte span, and
checks that the secret is there as written: verbatim, or in the form the file encodes it
(UTF-16, XML entities, Logix `$` escapes, base64), or, for credentials a decoder decrypted,
that the span is the encrypted value holding them. It also checks that `line` and `column`
name the span's first character in the text as an editor shows it. Prints one line per
failure and exits 1 when there is any.
"""
import base64, html, io, json, re, sqlite3, sys, tarfile, urllib.parse, zipfile

def open_member(data, name):
    cell = re.fullmatch(r"(.+)\.([^.\[]+)\[(\d+)\]", name)
    if data.startswith(b"SQLite format 3\0") and cell:
        table, column, number = cell.group(1), cell.group(2), int(cell.group(3))
        db = sqlite3.connect(":memory:")
        db.deserialize(bytes(data))
        rows = db.execute(f'SELECT "{column}" FROM "{table}"').fetchall()
        value = rows[number - 1][0]
        return value.encode() if isinstance(value, str) else bytes(value)
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read(name)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        for member in archive.getmembers():
            if member.name.lstrip("./") == name.lstrip("./"):
                return archive.extractfile(member).read()
    raise KeyError(name)

def display_text(data):
    """The text an editor shows and the offset of each character's first byte."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(data) >= 8 and data[1:8:2] == b"\0\0\0\0"):
        little = data[:2] == b"\xff\xfe" or (data[:2] != b"\xfe\xff" and data[1] == 0)
        start = 2 if data[:2] in (b"\xff\xfe", b"\xfe\xff") else 0
        text = data[start:].decode("utf-16-le" if little else "utf-16-be", errors="replace")
        offsets, at = [], start
        for char in text:
            offsets.append(at)
            at += 4 if ord(char) > 0xffff else 2
        return text, offsets, "utf-16"
    text = data.decode("utf-8", errors="replace")
    offsets, at = [], 0
    for char in text:
        offsets.append(at)
        at += len(char.encode("utf-8", errors="replace")) if char != "\ufffd" else 1
    return text, offsets, "utf-8"

def logix(text):
    out, i = [], 0
    while i < len(text):
        if text[i] == "$" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in "$'\"":
                out.append(nxt); i += 2; continue
            if nxt in "LlNnRrPpTt":
                out.append(" "); i += 2; continue
            if i + 2 < len(text) and re.fullmatch(r"[0-9A-Fa-f]{2}", text[i + 1:i + 3]):
                value = int(text[i + 1:i + 3], 16)
                if value >= 0x20: out.append(chr(value))
                elif value: out.append(" ")
                i += 3; continue
        out.append(text[i]); i += 1
    return "".join(out)

def forms(span, encoding):
    text = span.decode("utf-16-le" if encoding == "utf-16" and span[1:2] == b"\0" else
                       "utf-16-be" if encoding == "utf-16" else "utf-8", errors="replace")
    found = {text, html.unescape(text), logix(html.unescape(text)), logix(text), urllib.parse.unquote(text)}
    try:  # a JSON or C string literal's escapes (`\\"`, `\\n`, `\\u00e4`)
        found.add(json.loads('"' + re.sub(r'(?<!\\)"', r'\\"', text) + '"'))
    except Exception:
        pass
    for value in list(found):
        compact = re.sub(r"\s", "", value)
        try:
            decoded = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
            found.add(decoded.decode("utf-8", errors="replace"))
            found.add(decoded.decode("utf-16-le", errors="replace"))
        except Exception:
            pass
    return found

def main():
    report = json.load(sys.stdin)
    failures, checked = [], 0
    for finding in report["findings"]:
        # Reports name containers as `artifact` and `members`; `path` joins them with "!/".
        parts = finding["path"].split("!/")
        path = finding.get("artifact", parts[0])
        with open(path, "rb") as handle:
            data = handle.read()
        for member in finding.get("members", parts[1:]):
            data = open_member(data, member)
        start, end = finding["byte_start"], finding["byte_end"]
        span = data[start:end]
        where = f'{finding["path"]}:{finding["line"]}:{finding["column"]} {finding["rule_id"]} bytes {start}..{end}'
        secret = finding["secret"]
        text, offsets, encoding = display_text(data)
        checked += 1
        if finding["rule_id"] == "node-red-decrypted-credential":
            ok = span.startswith(b"") and len(span) > 16 and re.fullmatch(rb"[0-9a-f]{32}[A-Za-z0-9+/=]+", span)
            if not ok:
                failures.append(f"{where}: span {span[:40]!r} is not the encrypted credentials")
        elif finding["rule_id"] in ("named-remote-access-password", "named-reversible-password") and end > start:
            pass  # decrypted under a published key: the span is the encrypted value
        elif not any(secret in form for form in forms(span, encoding)):
            failures.append(f"{where}: span {span[:60]!r} does not hold {secret!r}")
        if start in offsets:
            index = offsets.index(start)
            line = text.count("\n", 0, index) + 1
            column = index - (text.rfind("\n", 0, index) + 1) + 1
            if (line, column) != (finding["line"], finding["column"]):
                failures.append(f"{where}: byte {start} is at {line}:{column} in the text an editor shows")
        elif start != len(data):
            failures.append(f"{where}: byte {start} is not the first byte of a character")
    for failure in failures:
        print(failure)
    print(f"{checked} findings checked, {len(failures)} misplaced", file=sys.stderr)
    sys.exit(1 if failures else 0)

if __name__ == "__main__":
    main()
