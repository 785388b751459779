#!/usr/bin/env python3
"""Run apimlint on real deployments assembled from ../shared/corpus and
compare its findings with the hand-reviewed expected.json.

    python3 corpus-check/check.py [--bin target/debug/apimlint] [--corpus DIR] [--update]

Each set of sets.toml becomes a deployment tree in a temporary directory
(`<node id>/repository/conf/deployment.toml`, copied from the corpus, plus the
set's committed apimlint.toml). Corpus files are never written into this
repository. Files with Helm `{{ }}` templates are skipped.

The comparison is on (rule, node, severity) with multiplicity; messages are
kept in expected.json for review and shown when a finding changes. --update
rewrites expected.json from the current findings, keeping the `review` notes
of findings that are still there: review every new entry by hand.
"""

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def assemble(name, spec, corpus, tmp):
    root = os.path.join(tmp, name)
    os.makedirs(root)
    used = 0
    for node, rel in spec["nodes"].items():
        src = os.path.join(corpus, rel)
        with open(src, encoding="utf-8") as f:
            text = f.read()
        if "{{" in text:
            continue
        dst = os.path.join(root, node, "repository", "conf")
        os.makedirs(dst)
        with open(os.path.join(dst, "deployment.toml"), "w", encoding="utf-8") as f:
            f.write(text)
        used += 1
    if not used:
        return None
    shutil.copy(os.path.join(HERE, name, "apimlint.toml"), root)
    return root


def run(binary, root):
    p = subprocess.run(
        [binary, "check", "--format", "json", "--fail-on", "error", root],
        capture_output=True,
        text=True,
        check=False,
    )
    if p.returncode not in (0, 1):
        raise SystemExit(f"apimlint failed on {root} (exit {p.returncode}):\n{p.stderr}")
    out = json.loads(p.stdout)
    return sorted(
        (
            {
                "rule": d["rule"],
                "node": d["node"],
                "severity": d["severity"],
                "message": d["message"],
            }
            for d in out["diagnostics"]
        ),
        key=lambda d: (d["node"], d["rule"], d["message"]),
    )


def key(d):
    return (d["rule"], d["node"], d["severity"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target")), "debug", "apimlint"))
    ap.add_argument("--corpus", default=os.path.join(REPO, "..", "shared", "corpus"))
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()
    if not os.path.isdir(args.corpus):
        print(f"corpus-check: no corpus at {args.corpus}, nothing to check")
        return 0
    with open(os.path.join(HERE, "sets.toml"), "rb") as f:
        sets = tomllib.load(f)
    exp_path = os.path.join(HERE, "expected.json")
    expected = {}
    if os.path.exists(exp_path):
        with open(exp_path, encoding="utf-8") as f:
            expected = json.load(f)
    got = {}
    with tempfile.TemporaryDirectory(prefix="apimlint-corpus-") as tmp:
        for name, spec in sets.items():
            root = assemble(name, spec, args.corpus, tmp)
            if root is None:
                print(f"corpus-check: {name}: skipped (Helm templates)")
                continue
            got[name] = run(args.bin, root)
    if args.update:
        out = {}
        for name, findings in got.items():
            notes = {(d["rule"], d["node"], d["message"]): d.get("review") for d in expected.get(name, [])}
            out[name] = []
            for d in findings:
                note = notes.get((d["rule"], d["node"], d["message"]))
                out[name].append({**d, "review": note or "NEW: review by hand"})
        with open(exp_path, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=2, ensure_ascii=False)
            f.write("\n")
        print(f"corpus-check: wrote {exp_path}")
        return 0
    passed = failed = 0
    for name in sorted(set(got) | set(expected)):
        want = collections.Counter(key(d) for d in expected.get(name, []))
        have = collections.Counter(key(d) for d in got.get(name, []))
        if want == have:
            passed += 1
            print(f"corpus-check: {name}: ok ({sum(have.values())} findings)")
            continue
        failed += 1
        print(f"corpus-check: {name}: findings differ from expected.json")
        for k in sorted((have - want).keys()):
            msgs = [d["message"] for d in got.get(name, []) if key(d) == k]
            print(f"  + {k[2]} {k[0]} {k[1]}: {msgs[0] if msgs else ''}")
        for k in sorted((want - have).keys()):
            msgs = [d["message"] for d in expected.get(name, []) if key(d) == k]
            print(f"  - {k[2]} {k[0]} {k[1]}: {msgs[0] if msgs else ''}")
    print(f"corpus-check: {passed} passed, {failed} failed")
    if failed:
        print("corpus-check: fix the rule (a false positive) or review and run with --update")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
