#!/usr/bin/env python3
"""Write the inputs of bench/hostile_bench.sh into a folder (deterministic, fake secrets only):

- genuine-1g.zip: a genuine archive of about 1 GB (compressed), normal ratio (~1.3:1): large
  log members streamed through the scanner, small config members, and three planted fake
  GitHub tokens: in the first member, in a member after 600 MB of expanded data, in the last.
- overlap-20000.zip: 20,000 central-directory entries sharing one failing deflate stream.
- failing-20000.zip: 20,000 local entries, each a failing deflate stream (no directory).
- loop-146.zip: 146 bytes, a deflate stream that runs past the end of the file.
Usage: gen_hostile.py FOLDER [--megabytes 1024]
"""
import argparse, base64, os, random, struct, sys, zipfile, zlib

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def token(rng):
    return "ghp_" + "".join(rng.choice(ALNUM) for _ in range(36))


def log_chunk(rng, size):
    """Log-like lines: a counter, a level and a base64 payload (random: ~1.3:1 with deflate)."""
    raw = base64.b64encode(rng.randbytes(size * 3 // 4 + 64))
    out, pos, line = [], 0, 0
    while pos < size:
        body = raw[pos % (len(raw) - 120): pos % (len(raw) - 120) + 96]
        out.append(b"%010d INFO frame=%s\n" % (line, body))
        pos += 118
        line += 1
    return b"".join(out)[:size]


def local(name, data, method=8, csize=None, size=None):
    name = name.encode()
    return (struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x5821, 0,
                        len(data) if csize is None else csize, len(data) if size is None else size, len(name), 0)
            + name + data)


def central(name, offset, method=8, csize=0, size=0):
    name = name.encode()
    return (struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x5821, 0, csize, size,
                        len(name), 0, 0, 0, 0, 0, offset) + name)


def end(entries, directory_size, directory_offset):
    return struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, entries, entries, directory_size, directory_offset, 0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--megabytes", type=int, default=1024)
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)
    rng = random.Random(11)
    planted = []

    path = os.path.join(args.folder, "genuine-1g.zip")
    if not os.path.exists(path):
        target = args.megabytes << 20
        with zipfile.ZipFile(path + ".part", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            first = token(rng)
            planted.append(("configs/gateway-000.ini", first))
            archive.writestr("configs/gateway-000.ini", "[auth]\ntoken = %s\n" % first)
            member, expanded, late_done = 0, 0, False
            while os.path.getsize(path + ".part") < target - (48 << 20):
                name = "logs/historian-%03d.log" % member
                with archive.open(name, "w") as out:
                    for _ in range(48):
                        chunk = log_chunk(rng, 1 << 20)
                        out.write(chunk)
                        expanded += len(chunk)
                        if not late_done and expanded > (600 << 20):
                            late = token(rng)
                            planted.append((name, late))
                            out.write(b"GITHUB_TOKEN=%s\n" % late.encode())
                            late_done = True
                for index in range(20):
                    archive.writestr("configs/site-%03d/device-%02d.ini" % (member, index),
                                     "[device]\nhost = 10.0.%d.%d\nport = 502\n" % (member, index))
                member += 1
                archive.fp.flush()
            last = token(rng)
            planted.append(("configs/zz-last.ini", last))
            archive.writestr("configs/zz-last.ini", "[auth]\ntoken = %s\n" % last)
        os.rename(path + ".part", path)
        with open(os.path.join(args.folder, "genuine-1g.planted"), "w") as out:
            for name, secret in planted:
                out.write("%s\t%s\n" % (name, secret))

    broken = b"\xff\xff\xff\xff" + b"\xa5" * 60
    head = local("shared.txt", broken, csize=64, size=1 << 20)
    directory = b"".join(central("f%05d.txt" % i, 0, csize=64, size=1 << 20) for i in range(20000))
    with open(os.path.join(args.folder, "overlap-20000.zip"), "wb") as out:
        out.write(head + directory + end(20000, len(directory), len(head)))

    with open(os.path.join(args.folder, "failing-20000.zip"), "wb") as out:
        out.write(b"".join(local("f%05d.txt" % i, b"\xff\xff\xff\xff" + b"\xa5" * 28, size=1 << 20) for i in range(20000)))

    stream = bytes([0xEC, 0xBD, 0x07, 0x60, 0x1C, 0x49, 0x96, 0x25, 0x26, 0x2F, 0x6D, 0xCA]) + b"\x7b" * 20
    head = local("loop.txt", stream, csize=4000, size=1 << 30)
    directory = central("loop.txt", 0, csize=4000, size=1 << 30)
    data = head + directory + end(1, len(directory), len(head))
    with open(os.path.join(args.folder, "loop-146.zip"), "wb") as out:
        out.write(data + b"\0" * max(0, 146 - len(data)))


if __name__ == "__main__":
    sys.exit(main())
