#!/usr/bin/env python3
"""Generates a plant engineering share for the sweep benchmark, and changes a part of it.

    gen_share.py OUT --files 200000 [--profile plant|small]   # the share, with a few fake secrets
    gen_share.py OUT --change 0.01 [--profile ...]            # rewrite 1 % of its files (one in fifty with a new secret)

Profiles: "plant" sizes files as engineering shares hold them (configs of a few KB, exports of
20-200 KB, zip backups of a few hundred KB; about 35 KB a file); "small" keeps every file small
(configs under 1 KB, exports of 5-40 KB; about 5 KB a file), the worst case for a sweep's
per-file cost against its reading cost.

Fake secrets are made here at run time in real formats (ghp_ + 36 alphanumerics, AKIA + 16 of
[A-Z2-7]); none is real. The same seed gives the same share.
"""
import argparse
import io
import os
import random
import string
import zipfile

ALNUM = string.ascii_letters + string.digits
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def ghp(r):
    return "ghp_" + "".join(r.choice(ALNUM) for _ in range(36))


def akia(r):
    return "AKIA" + "".join(r.choice(BASE32) for _ in range(16))


def words(r, n):
    vocabulary = ["pump", "valve", "tank", "line", "motor", "setpoint", "alarm", "batch", "recipe", "sensor",
                  "conveyor", "press", "oven", "filler", "mixer", "scada", "historian", "tag", "shift", "lot"]
    return " ".join(r.choice(vocabulary) for _ in range(n))


def config(r, secret):
    lines = [f"[{words(r, 1)}]"]
    for i in range(r.randint(8, 60) if PROFILE == "small" else r.randint(20, 200)):
        lines.append(f"{words(r, 1)}_{i} = {r.randint(0, 99999)}")
    if secret:
        lines.append(f"github_token = {ghp(r)}" if r.random() < 0.5 else f"aws_access_key_id = {akia(r)}")
    return "\n".join(lines) + "\n"


PROFILE = "plant"
BLOCKS = []


def blocks(r):
    """64 blocks of about 4 KB of historian rows, made once: big exports are put together from them."""
    if not BLOCKS:
        for b in range(64):
            BLOCKS.append("".join(f"2024-03-{1 + i % 28:02d}T{i % 24:02d}:{b % 60:02d}:00Z,{words(r, 1)}_{i % 40},"
                                  f"{r.random() * 100:.3f},good\n" for i in range(90)))
    return BLOCKS


def export(r, secret):
    if PROFILE == "plant":
        body = "".join(r.choice(blocks(r)) for _ in range(r.randint(5, 50)))
        return "timestamp,tag,value,quality\n" + body + (f"# exported with token {ghp(r)}\n" if secret else "")
    rows = ["timestamp,tag,value,quality"]
    for i in range(r.randint(100, 900)):
        rows.append(f"2024-03-{1 + i % 28:02d}T{i % 24:02d}:00:00Z,{words(r, 1)}_{i % 40},{r.random() * 100:.3f},good")
    if secret:
        rows.append(f"# exported with token {ghp(r)}")
    return "\n".join(rows) + "\n"


def archive(r, secret):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(r.randint(3, 8)):
            z.writestr(f"project/config_{i}.ini", config(r, secret and i == 0))
        if PROFILE == "plant":
            for i in range(r.randint(2, 6)):
                z.writestr(f"project/history_{i}.csv", export(r, False))
    return buffer.getvalue()


def kind_of(index):
    bucket = index % 100
    return "archive" if bucket < 3 else "export" if bucket < 25 else "config"


def path_of(out, index):
    # 8 plants × 100 projects × 25 folders: about ten files per folder, as on a real share.
    plant, project, folder = index % 8, (index // 8) % 100, (index // 800) % 25
    name = {"archive": f"backup_{index}.zip", "export": f"export_{index}.csv", "config": f"device_{index}.ini"}[kind_of(index)]
    return os.path.join(out, f"plant-{plant}", f"project-{project:03d}", f"folder-{folder:02d}", name)


def content(r, index, secret):
    kind = kind_of(index)
    if kind == "archive":
        return archive(r, secret)
    return (export(r, secret) if kind == "export" else config(r, secret)).encode()


def generate(out, files, seed):
    r = random.Random(seed)
    secrets = 0
    for index in range(files):
        path = path_of(out, index)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        secret = r.random() < 0.001
        secrets += secret
        with open(path, "wb") as f:
            f.write(content(r, index, secret))
    print(f"{files} files, {secrets} with a fake secret, under {out}")


def change(out, files, fraction, seed):
    r = random.Random(seed + 1)
    chosen = r.sample(range(files), int(files * fraction))
    for number, index in enumerate(chosen):
        path = path_of(out, index)
        with open(path, "wb") as f:
            f.write(content(r, index, number % 50 == 0))
    print(f"{len(chosen)} files rewritten under {out}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--files", type=int, default=200_000)
    parser.add_argument("--change", type=float)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", choices=["plant", "small"], default="plant")
    arguments = parser.parse_args()
    global PROFILE
    PROFILE = arguments.profile
    if arguments.change:
        change(arguments.out, arguments.files, arguments.change, arguments.seed)
    else:
        generate(arguments.out, arguments.files, arguments.seed)


if __name__ == "__main__":
    main()
