#!/usr/bin/env python3
"""Offline RustSec check: every crate in Cargo.lock against a local advisory-db copy.

Usage: scripts/check-advisories.py [ADVISORY_DB_DIR] [--markdown]
Default database: ../shared/advisory-db (the project's offline copy). Prints one line per
advisory on record for a locked crate, saying whether the locked version is affected.
Exits 1 if an affected advisory is not in the IGNORED list (with its reason in
docs/SECURITY.md). Version ranges are RustSec's: comma-joined comparators, `^x.y.z` caret.
"""
import os
import re
import sys
import tomllib

IGNORED = {"RUSTSEC-2023-0071": "rsa Marvin timing: local offline blinded use (docs/SECURITY.md)"}


def parse_version(v):
    core = re.split(r"[-+]", v)[0]
    parts = [int(p) for p in core.split(".")]
    while len(parts) < 3:
        parts.append(0)
    pre = "-" in v.split("+")[0]
    return tuple(parts), pre


def cmp(a, b):
    return (a > b) - (a < b)


def satisfies(version, req):
    """True if `version` satisfies one RustSec requirement string like '>= 1.2.3, < 2'."""
    (v, _pre) = parse_version(version)
    for comp in [c.strip() for c in req.split(",") if c.strip()]:
        m = re.match(r"^(>=|<=|>|<|=|\^|~)?\s*([0-9][0-9A-Za-z.\-+]*)$", comp)
        if not m:
            return False
        op, target = m.group(1) or "^", m.group(2)
        (t, _) = parse_version(target)
        c = cmp(v, t)
        if op == ">=" and c < 0:
            return False
        if op == ">" and c <= 0:
            return False
        if op == "<=" and c > 0:
            return False
        if op == "<" and c >= 0:
            return False
        if op == "=" and c != 0:
            return False
        if op == "^":
            # Caret: same left-most non-zero component, and >= target.
            if c < 0:
                return False
            nz = next((i for i, x in enumerate(t) if x != 0), 2)
            if v[: nz + 1] != t[: nz + 1] and not (nz == 2 and v[:2] == t[:2]):
                return False
            if v[:nz] != t[:nz]:
                return False
        if op == "~" and (c < 0 or v[:2] != t[:2]):
            return False
    return True


def advisory_meta(path):
    text = open(path, encoding="utf-8").read()
    block = text.split("```toml", 1)[1].split("```", 1)[0]
    data = tomllib.loads(block)
    after = text.split("```toml", 1)[1].split("```", 1)[1]
    title = next((l[2:].strip() for l in after.splitlines() if l.startswith("# ")), "")
    return data, title


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    markdown = "--markdown" in sys.argv
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    db = args[0] if args else os.path.join(root, "..", "shared", "advisory-db")
    crates_dir = os.path.join(db, "crates")
    if not os.path.isdir(crates_dir):
        print(f"advisory database not found at {db}: pass its path as the first argument", file=sys.stderr)
        return 2
    lock = tomllib.load(open(os.path.join(root, "Cargo.lock"), "rb"))
    packages = sorted({(p["name"], p["version"]) for p in lock["package"] if "source" in p})
    rows, bad = [], 0
    for name, version in packages:
        d = os.path.join(crates_dir, name)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if not f.endswith(".md"):
                continue
            data, title = advisory_meta(os.path.join(d, f))
            adv = data.get("advisory", {})
            ver = data.get("versions", {})
            patched = ver.get("patched", [])
            unaffected = ver.get("unaffected", [])
            safe = any(satisfies(version, r) for r in patched + unaffected)
            aid = adv.get("id", f[:-3])
            withdrawn = "withdrawn" in adv
            if safe or withdrawn:
                status = "not affected (patched/unaffected version)" if safe else "withdrawn"
            elif aid in IGNORED:
                status = "AFFECTED, accepted: " + IGNORED[aid]
            else:
                status = "AFFECTED"
                bad += 1
            rows.append((name, version, aid, title, status))
    if markdown:
        print("| crate | locked | advisory | title | status |")
        print("|---|---|---|---|---|")
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        for r in rows:
            print("  ".join(r))
    print(f"{len(packages)} locked crates checked, {len(rows)} advisories on record, {bad} unaccepted affecting", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
