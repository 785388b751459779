"""Writes one case of the `front` batch: case.toml + tree/ (files given as {path: text|bytes})."""
import json, os, shutil

HERE = os.path.dirname(os.path.abspath(__file__))


def s(x):
    return json.dumps(x, ensure_ascii=False)


def case(name, kind, summary, cite, files, expect=(), paths=None, args=None, allow=None):
    d = os.path.join(HERE, name)
    if os.path.exists(d):
        shutil.rmtree(d)
    os.makedirs(os.path.join(d, "tree"))
    lines = [f"kind = {s(kind)}", f"summary = {s(summary)}", f"cite = {s(cite)}"]
    if paths:
        lines.append("paths = [" + ", ".join(s(p) for p in paths) + "]")
    if args:
        lines.append("args = [" + ", ".join(s(a) for a in args) + "]")
    if allow:
        lines.append("allow = [" + ", ".join(s(a) for a in allow) + "]")
    for e in expect:
        lines.append("")
        lines.append("[[expect]]")
        for k, v in e.items():
            lines.append(f"{k} = {s(v)}")
    with open(os.path.join(d, "case.toml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    for p, t in files.items():
        fp = os.path.join(d, "tree", p)
        os.makedirs(os.path.dirname(fp), exist_ok=True)
        with open(fp, "wb" if isinstance(t, bytes) else "w") as f:
            f.write(t)
