#!/usr/bin/env python3
"""Compares two folders of runner outputs (made by compare-outputs.sh) field by field.

JSON files are compared value by value, CSV files cell by cell (as text: a number that prints differently is a difference).
Keys and columns that hold wall-clock times, dates, paths or machine facts are skipped (IGNORED below); every other field counts.
Prints one line per file and a total; exit code 0 when nothing differs, 1 otherwise.
"""
import csv
import json
import os
import re
import sys

IGNORED = re.compile(r"(wall|elapsed|started|finished|timestamp|created|utc|path|folder|directory|host|machine|"
                     r"version|commit|duration|cases_per_min|throughput|seconds_total|_dir$|^out$|run_folder|"
                     r"cpu_time|cpu_seconds|phase_seconds)", re.I)
SKIP_FILES = re.compile(r"\.(png|svg|pdf|log|clef|lock|lock\.holder)$|^build\.log$|^exit-codes\.txt$|^\.complete$")


PATH = re.compile(r"(/[^\s'\"]+)")


def normalise(value):
    """Paths differ between the two trees by construction: keep only their last component."""
    if isinstance(value, str) and "/" in value:
        return PATH.sub(lambda m: "…/" + m.group(1).rstrip("/").split("/")[-1], value)
    return value


def flatten(value, prefix=""):
    if isinstance(value, dict):
        for k, v in value.items():
            if IGNORED.search(k):
                continue
            yield from flatten(v, f"{prefix}.{k}" if prefix else k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from flatten(v, f"{prefix}[{i}]")
    else:
        yield prefix, normalise(value)


def compare_json(a, b):
    fa = dict(flatten(json.load(open(a, encoding="utf-8"))))
    fb = dict(flatten(json.load(open(b, encoding="utf-8"))))
    diffs = []
    for k in sorted(set(fa) | set(fb)):
        if k not in fa:
            diffs.append(f"{k}: only after ({fb[k]!r})")
        elif k not in fb:
            diffs.append(f"{k}: only before ({fa[k]!r})")
        elif fa[k] != fb[k] or type(fa[k]) is not type(fb[k]):
            diffs.append(f"{k}: {fa[k]!r} → {fb[k]!r}")
    return len(fa), diffs


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def compare_jsonl(a, b):
    ra, rb = read_jsonl(a), read_jsonl(b)
    diffs = [] if len(ra) == len(rb) else [f"{len(ra)} lines before, {len(rb)} after"]
    n = 0
    for i, (x, y) in enumerate(zip(ra, rb)):
        fx, fy = dict(flatten(x)), dict(flatten(y))
        n += len(fx)
        for k in sorted(set(fx) | set(fy)):
            if fx.get(k, "<missing>") != fy.get(k, "<missing>"):
                diffs.append(f"line {i + 1} {k}: {fx.get(k, '<missing>')!r} → {fy.get(k, '<missing>')!r}")
    return n, diffs


def compare_csv(a, b):
    with open(a, newline="", encoding="utf-8") as fa, open(b, newline="", encoding="utf-8") as fb:
        ra, rb = list(csv.reader(fa)), list(csv.reader(fb))
    if not ra or not rb:
        return 0, [] if ra == rb else ["one file is empty"]
    ha, hb = ra[0], rb[0]
    diffs = []
    if ha != hb:
        diffs.append(f"header {ha} → {hb}")
    keep = [c for c in ha if c in hb and not IGNORED.search(c)]
    ia = {c: ha.index(c) for c in keep}
    ib = {c: hb.index(c) for c in keep}
    if len(ra) != len(rb):
        diffs.append(f"{len(ra) - 1} rows before, {len(rb) - 1} after")
    # Hunt rows are written as cases finish, so their order depends on threads: match rows by case id where there is one.
    key = "case" if "case" in keep else None
    if key:
        ma = {r[ia[key]]: r for r in ra[1:]}
        mb = {r[ib[key]]: r for r in rb[1:]}
        pairs = [(k, ma[k], mb[k]) for k in sorted(set(ma) & set(mb), key=lambda s: (len(s), s))]
        diffs += [f"case {k}: only on one side" for k in sorted(set(ma) ^ set(mb))]
    else:
        pairs = [(str(i + 1), x, y) for i, (x, y) in enumerate(zip(ra[1:], rb[1:]))]
    cells = 0
    for label, x, y in pairs:
        for c in keep:
            cells += 1
            vx = x[ia[c]] if ia[c] < len(x) else "<missing>"
            vy = y[ib[c]] if ib[c] < len(y) else "<missing>"
            if vx != vy:
                diffs.append(f"row {label} {c}: {vx} → {vy}")
    return cells, diffs


def main(before, after):
    total_diffs = 0
    total_values = 0
    files = set()
    for root, side in ((before, "before"), (after, "after")):
        for d, _, names in os.walk(root):
            for n in names:
                rel = os.path.relpath(os.path.join(d, n), root)
                if rel.startswith("tree-") or SKIP_FILES.search(n) or rel.startswith("configs" + os.sep):
                    continue
                files.add(rel)
    for rel in sorted(files):
        a, b = os.path.join(before, rel), os.path.join(after, rel)
        if not os.path.exists(a) or not os.path.exists(b):
            print(f"DIFF  {rel}: only {'after' if os.path.exists(b) else 'before'}")
            total_diffs += 1
            continue
        if rel.endswith(".json"):
            n, diffs = compare_json(a, b)
        elif rel.endswith(".jsonl"):
            n, diffs = compare_jsonl(a, b)
        elif rel.endswith(".csv"):
            n, diffs = compare_csv(a, b)
        else:
            same = open(a, "rb").read() == open(b, "rb").read()
            n, diffs = 1, [] if same else ["bytes differ"]
        total_values += n
        total_diffs += len(diffs)
        print(f"{'same' if not diffs else 'DIFF'}  {rel}: {n} values" + ("" if not diffs else f", {len(diffs)} differ"))
        for line in diffs[:8]:
            print(f"        {line}")
    print(f"compared {len(files)} files, {total_values} values: {total_diffs} differences")
    return 0 if total_diffs == 0 else 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
