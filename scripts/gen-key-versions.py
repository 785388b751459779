#!/usr/bin/env python3
"""Generate rules/key-versions.json: which API-M versions (4.0.0 ... 4.7.0) read
each deployment.toml key, the role names each distribution maps, the renames,
the defaults that differ between versions, and the units.

Sources (machine-read from git mirrors, `git show <tag>:<path>`, nothing else):
  * wso2/product-apim tags v4.0.0 ... v4.7.0:
    modules/distribution/product/src/main/resources/conf/{default,infer,
    key-mappings,unit-resolve}.json and templates/**.j2 (4.0-4.4);
    <dist>/modules/distribution/product/src/main/resources/conf/... for the
    four distributions of 4.5+ (all-in-one-apim, api-control-plane, gateway,
    traffic-manager); each version's shipped deployment.toml and
    deployment-templates/*.toml (WSO2's own files: what they write is read).
  * wso2/carbon-kernel at the tag each product pom.xml names
    (<carbon.kernel.version>): distribution/kernel/carbon-home/repository/
    resources/conf/{default,key-mappings,unit-resolve}.json and templates.
  * rules/key-catalog.json (the union catalog): a key it records as read by a
    source this script cannot read per version (carbon-apimgt's and the
    identity features' templates, the assembled 4.0.0 pack, config-mapper) is
    read by every version, unless CURATED below says otherwise. So a version
    restriction is only ever derived from sources read at every tag.
  * CURATED: the few carbon-apimgt facts (its repository is too large to
    fetch whole), each with its basis.

Usage:
  python3 scripts/gen-key-versions.py \
      --product /work/.mirror/wso2+product-apim/repo \
      --kernel /work/.mirror/wso2+carbon-kernel/repo \
      [--out rules/key-versions.json]
(the mirrors are bare git directories; `git fetch` them, or clone
https://github.com/wso2/product-apim and .../carbon-kernel with tags.)
Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

VERSIONS = ["4.0.0", "4.1.0", "4.2.0", "4.3.0", "4.4.0", "4.5.0", "4.6.0", "4.7.0"]
DISTS = {
    "all-in-one": "all-in-one-apim",
    "acp": "api-control-plane",
    "universal-gw": "gateway",
    "tm": "traffic-manager",
}
CONF = "modules/distribution/product/src/main/resources/conf"
SHIPPED = "modules/distribution/product/src/main/conf/deployment.toml"
KCONF = "distribution/kernel/carbon-home/repository/resources/conf"

# carbon-apimgt facts the script cannot read per tag (api-manager.xml.j2 of
# carbon-apimgt 9.x): renames and removals, with their basis.
CURATED_RENAMES = [
    {
        "from": "integration.transaction_counter",
        "to": "apim.transaction_counter",
        "in": "4.4.0",
        "basis": "product-apim v4.3.0 synapse-handlers.xml.j2 reads integration.transaction_counter; "
        "4.4.0+ carbon-apimgt api-manager.xml.j2 reads apim.transaction_counter (issue #30)",
    },
    {
        "from": "apim.key_manager.enable_apikey_subscription_validation",
        "to": "apim.key_manager.enable_lightweight_apikey_generation",
        "in": "4.4.0",
        "basis": "4.0.0 api-manager.xml.j2 reads the first, recent carbon-apimgt the second "
        "(key-catalog.json notes; spec rules.md, issue #30)",
    },
]
# keys read only from a version on (carbon-apimgt, not machine-read)
CURATED_ADDED = {
    "apim.transaction_counter": "4.4.0",
    "apim.key_manager.enable_lightweight_apikey_generation": "4.4.0",
}
# defaults that change behaviour (and are not all in default.json)
CURATED_DEFAULTS = [
    {
        "key": "encryption.internal_crypto_provider",
        "from": "4.7.0",
        "before": "asymmetric (the primary/internal keystore's RSA key)",
        "after": "symmetric AES-GCM with [encryption] key: every node sharing a database needs the same key",
        "basis": "product-apim v4.7.0 default.json (SymmetricKeyInternalCryptoProvider, "
        "CipherTransformation AES/GCM/NoPadding); wso2/api-manager#4692",
    },
    {
        "key": "resource_access_control.default_access_allow",
        "from": "4.7.0",
        "before": "true (the identity feature's default: a resource no rule names is open)",
        "after": "false (product-apim v4.7.0 default.json: a resource no rule names is denied)",
        "basis": "product-apim v4.7.0 default.json and identity.xml.j2; key-catalog.json default_variants",
    },
]

UNVERSIONED_SOURCES = {"4.0.0-pack", "carbon-apimgt-recent", "config-mapper"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def show(repo: Path, tag: str, path: str) -> str | None:
    r = subprocess.run(
        ["git", "--git-dir", str(repo), "show", f"{tag}:{path}"], capture_output=True, text=True
    )
    return r.stdout if r.returncode == 0 else None


def ls(repo: Path, tag: str, under: str) -> list[str]:
    out = git(repo, "ls-tree", "-r", "--name-only", tag, "--", under)
    return [p for p in out.splitlines() if p]


def quote(seg: str) -> str:
    return f"'{seg}'" if "." in seg and not seg.startswith("'") else seg


NAME = re.compile(r"[A-Za-z_][\w-]*(?:\s*(?:\.[A-Za-z_][\w-]*|\[\s*'[^']*'\s*\]|\[\s*\"[^\"]*\"\s*\]))*")
TAG = re.compile(r"\{\{(.*?)\}\}|\{%-?(.*?)-?%\}", re.S)
SKIP = {"true", "false", "none", "loop", "is", "defined", "not", "and", "or", "in", "if", "else",
        "elif", "endif", "for", "endfor", "set", "macro", "endmacro", "range", "items", "lower",
        "upper", "length", "endraw", "raw", "call", "import", "include", "with", "endwith"}


def name_segments(text: str) -> list[str]:
    segs: list[str] = []
    for m in re.finditer(r"\.([A-Za-z_][\w-]*)|\[\s*['\"]([^'\"]*)['\"]\s*\]|^([A-Za-z_][\w-]*)", text):
        seg = m.group(1) or m.group(2) or m.group(3)
        segs.append(quote(seg))
    return segs


def template_keys(text: str, roots: set[str]) -> set[str]:
    """Dotted paths a Jinja template reads: loop variables become `x[]`,
    `.items()` loops open maps (`x.*`), `set` aliases are followed."""
    text = text.replace("!", " not ").replace("&&", " and ").replace("||", " or ")
    alias: dict[str, list[str]] = {}
    keys: set[str] = set()
    for m in TAG.finditer(text):
        body = (m.group(1) or m.group(2) or "").strip()
        fm = re.match(r"for\s+([\w\s,]+?)\s+in\s+(.+)$", body, re.S)
        if fm:
            names = [n.strip() for n in fm.group(1).split(",")]
            src = fm.group(2).strip()
            im = re.match(r"(.+?)\.items\(\)", src)
            target = resolve(name_segments((im or fm).group(1)), alias)
            if target and target[0] in roots:
                if im:
                    keys.add(".".join(target + ["*"]))
                    if len(names) == 2:
                        alias[names[1]] = target + ["*"]
                else:
                    keys.add(".".join(target))
                    alias[names[-1]] = target[:-1] + [target[-1] + "[]"]
            continue
        sm = re.match(r"set\s+(\w+)\s*=\s*(.+)$", body, re.S)
        if sm:
            t = resolve(name_segments(sm.group(2).strip()), alias)
            if t and t[0] in roots:
                alias[sm.group(1)] = t
            continue
        for nm in NAME.finditer(body):
            segs = resolve(name_segments(re.sub(r"\s+", "", nm.group(0))), alias)
            if not segs or segs[0] in SKIP:
                continue
            if segs[0] in roots and len(segs) > 1:
                keys.add(".".join(s for s in segs if s not in ("items", "keys", "values")))
    return keys


def resolve(segs: list[str], alias: dict[str, list[str]]) -> list[str]:
    if segs and segs[0] in alias:
        return alias[segs[0]] + segs[1:]
    return segs


def toml_keys(text: str) -> set[str]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return set()
    out: set[str] = set()

    def walk(prefix: list[str], value: object) -> None:
        if isinstance(value, dict):
            if prefix:
                out.add(".".join(prefix))
            for k, v in value.items():
                walk(prefix + [quote(k)], v)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            out.add(".".join(prefix))
            for v in value:
                walk(prefix[:-1] + [prefix[-1] + "[]"], v)
        else:
            out.add(".".join(prefix))

    walk([], doc)
    return out


def json_file(repo: Path, tag: str, path: str) -> dict:
    text = show(repo, tag, path)
    if text is None:
        return {}
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return {}


def conf_dirs(repo: Path, tag: str) -> dict[str, str]:
    """Distribution name -> its conf directory at this tag."""
    if show(repo, tag, f"{CONF}/default.json") is not None:
        return {"all-in-one": CONF}
    return {d: f"{p}/{CONF}" for d, p in DISTS.items() if show(repo, tag, f"{p}/{CONF}/default.json") is not None}


def unit_keys(data: dict) -> dict[str, str]:
    out = {}
    for kind, table in data.items():
        if isinstance(table, dict):
            for key, unit in table.items():
                out[key] = f"{kind}:{unit}"
    return out


class Version:
    def __init__(self, v: str):
        self.version = v
        self.keys: set[str] = set()
        self.defaults: dict[str, object] = {}
        self.units: dict[str, str] = {}
        self.roles: dict[str, list[str]] = {}
        self.mappings: dict[str, list[str]] = {}
        # key -> the files (relative to their conf directory) that read it
        self.src: dict[str, set[str]] = {}
        # the template files this version has (relative)
        self.files: set[str] = set()
        # keys only WSO2's own shipped deployment.toml files write
        self.shipped: set[str] = set()

    def add(self, keys: set[str], rel: str) -> None:
        self.files.add(rel)
        for k in keys:
            self.keys.add(k)
            self.src.setdefault(k, set()).add(rel)


def read_version(product: Path, kernel: Path, roots: set[str], v: str, sources: list) -> Version:
    tag = f"v{v}"
    out = Version(v)
    dirs = conf_dirs(product, tag)
    pom_dir = "all-in-one-apim/" if "acp" in dirs else ""
    pom = show(product, tag, f"{pom_dir}pom.xml") or ""
    kv = re.search(r"<carbon.kernel.version>([^<]+)<", pom)
    av = re.search(r"<carbon.apimgt.version>([^<]+)<", pom)
    ktag = f"v{kv.group(1)}" if kv else None
    kernel_paths: list[str] = []
    if ktag:
        kdefault = json_file(kernel, ktag, f"{KCONF}/default.json")
        out.defaults.update(kdefault)
        out.keys |= set(kdefault)
        for p in ls(kernel, ktag, f"{KCONF}/templates"):
            if p.endswith(".j2"):
                out.add(template_keys(show(kernel, ktag, p) or "", roots), p[len(KCONF):])
        for k, t in json_file(kernel, ktag, f"{KCONF}/key-mappings.json").items():
            out.keys.add(k)
        out.units.update(unit_keys(json_file(kernel, ktag, f"{KCONF}/unit-resolve.json")))
        kernel_paths = [KCONF]
        sources.append({"version": v, "repo": "wso2/carbon-kernel", "tag": ktag,
                        "commit": git(kernel, "rev-parse", f"{ktag}^{{commit}}").strip(),
                        "paths": kernel_paths})
    paths = []
    for dist, conf in dirs.items():
        default = json_file(product, tag, f"{conf}/default.json")
        out.defaults.update(default)
        out.keys |= set(default)
        infer = json_file(product, tag, f"{conf}/infer.json")
        out.roles[dist] = sorted(infer.get("server.server_role", {}))
        for trigger, values in infer.items():
            out.keys.add(trigger)
            if isinstance(values, dict):
                for sets in values.values():
                    if isinstance(sets, dict):
                        out.keys |= set(sets)
        for k, t in json_file(product, tag, f"{conf}/key-mappings.json").items():
            out.keys.add(k)
            out.mappings[k] = t if isinstance(t, list) else [t]
        out.units.update(unit_keys(json_file(product, tag, f"{conf}/unit-resolve.json")))
        for p in ls(product, tag, f"{conf}/templates"):
            if p.endswith(".j2"):
                out.add(template_keys(show(product, tag, p) or "", roots), p[len(conf):])
        base = conf[: -len(CONF)]
        shipped = [f"{base}{SHIPPED}"] + [
            p for p in ls(product, tag, f"{conf}/deployment-templates") if p.endswith(".toml")
        ]
        for p in shipped:
            out.shipped |= toml_keys(show(product, tag, p) or "")
        paths += [conf, *shipped]
    sources.append({"version": v, "repo": "wso2/product-apim", "tag": tag,
                    "commit": git(product, "rev-parse", f"{tag}^{{commit}}").strip(),
                    "paths": paths, "carbon_apimgt": av.group(1) if av else None,
                    "carbon_kernel": kv.group(1) if kv else None})
    out.shipped -= out.keys
    # the parent of every key is read too
    for k in list(out.keys):
        segs = split(k)
        for n in range(1, len(segs)):
            prefix = ".".join(segs[:n])
            out.keys.add(prefix[:-2] if prefix.endswith("[]") else prefix)
    return out


def split(path: str) -> list[str]:
    segs, cur, q = [], "", False
    for c in path:
        if c == "'":
            q = not q
        if c == "." and not q:
            segs.append(cur)
            cur = ""
        else:
            cur += c
    segs.append(cur)
    return segs


def span(vs: list[str]) -> str:
    """`4.0.0-4.3.0` for a contiguous run of versions (holes are filled: a key
    that one tag's sources miss and the next reads again is noise)."""
    idx = [VERSIONS.index(v) for v in vs]
    return f"{VERSIONS[min(idx)]}-{VERSIONS[max(idx)]}"


def widen(a: str, b: str) -> str:
    lo = min(a.split("-")[0], b.split("-")[0], key=VERSIONS.index)
    hi = max(a.split("-")[1], b.split("-")[1], key=VERSIONS.index)
    return f"{lo}-{hi}"


def unversioned(union: dict) -> set[str]:
    out = set()
    for section in ("keys", "tables", "patterns"):
        for path, info in union.get(section, {}).items():
            seen = set(info.get("seen_in", []))
            if seen & UNVERSIONED_SOURCES or not seen:
                out.add(path)
    return out


def write_fixtures(product: Path, out: Path) -> None:
    """Each version's shipped deployment.toml and deployment-templates/*.toml
    (Apache-2.0, WSO2 LLC), stored once per content: index.json says which
    tag, commit and path each came from (tests/versions.rs lints them)."""
    import hashlib

    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.toml"):
        old.unlink()
    index: dict[str, list] = {}
    for v in VERSIONS:
        tag = f"v{v}"
        commit = git(product, "rev-parse", f"{tag}^{{commit}}").strip()
        entries = []
        for p in git(product, "ls-tree", "-r", "--name-only", tag).splitlines():
            if not (p.endswith(SHIPPED) or ("/deployment-templates/" in p and p.endswith(".toml"))):
                continue
            text = show(product, tag, p) or ""
            name = hashlib.sha256(text.encode()).hexdigest()[:12] + ".toml"
            (out / name).write_text(text)
            entries.append({"path": p, "file": name})
        index[v] = {"repo": "wso2/product-apim", "tag": tag, "commit": commit, "files": entries}
    (out / "index.json").write_text(json.dumps({
        "about": "WSO2 API-M's own deployment.toml files (Apache License 2.0, WSO2 LLC), written by "
        "scripts/gen-key-versions.py; each version's files lint with no unknown-key or "
        "key-not-in-version at that version (tests/versions.rs)",
        "versions": index}, indent=1) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--product", type=Path, required=True)
    ap.add_argument("--kernel", type=Path, required=True)
    ap.add_argument("--catalog", type=Path, default=Path("rules/key-catalog.json"))
    ap.add_argument("--out", type=Path, default=Path("rules/key-versions.json"))
    ap.add_argument("--fixtures", type=Path, default=Path("fixtures/wso2-shipped"),
                    help="where WSO2's shipped deployment.toml files go (test fixtures)")
    a = ap.parse_args()
    write_fixtures(a.product, a.fixtures)
    union = json.loads(a.catalog.read_text())
    roots = {split(p)[0].replace("[]", "") for s in ("keys", "tables", "patterns") for p in union.get(s, {})}
    sources: list = []
    per = {v: read_version(a.product, a.kernel, roots, v, sources) for v in VERSIONS}
    free = unversioned(union)
    renamed_from = {r["from"] for r in CURATED_RENAMES}
    keys: dict[str, str] = {}
    every = {k for v in per.values() for k in v.keys}
    union_paths = {p for sec in ("keys", "tables", "patterns") for p in union.get(sec, {})}
    def added(k: str) -> str | None:
        return next((v for p, v in CURATED_ADDED.items() if k == p or k.startswith(p + ".")), None)
    for k in sorted(every | set(CURATED_ADDED) | {k for k in union_paths if added(k)}):
        # a version whose sources lack every file that reads the key elsewhere
        # (a feature template the product overrides only later) cannot say
        # it does not read it
        files = {f for v in VERSIONS for f in per[v].src.get(k, set())}
        vs = [v for v in VERSIONS if k in per[v].keys or (files and not files & per[v].files and all(f.startswith("/templates") for f in files))]
        if added(k):
            vs = VERSIONS[VERSIONS.index(added(k)):]
        elif k in free and not any(k == f or k.startswith(f + ".") for f in renamed_from):
            vs = VERSIONS
        if not vs:
            continue
        keys[k] = span(vs)
    # a table is read by every version one of its keys is read by
    for k, sp in sorted(keys.items(), key=lambda kv: -len(kv[0])):
        segs = split(k)
        for n in range(1, len(segs)):
            prefix = ".".join(segs[:n])
            prefix = prefix[:-2] if prefix.endswith("[]") else prefix
            if prefix in keys:
                keys[prefix] = widen(keys[prefix], keys[k])
    for r in CURATED_RENAMES:
        last = VERSIONS[VERSIONS.index(r["in"]) - 1]
        for k in [k for k in keys if k == r["from"] or k.startswith(r["from"] + ".")]:
            keys[k] = f"{keys[k].split('-')[0]}-{last}"
        keys.setdefault(r["from"], f"4.0.0-{last}")
    shipped: dict[str, str] = {}
    for k in sorted({k for v in per.values() for k in v.shipped}):
        vs = [v for v in VERSIONS if k in per[v].shipped]
        if k not in keys or keys[k] == f"{VERSIONS[0]}-{VERSIONS[-1]}":
            if k not in keys:
                shipped[k] = span(vs)
    # defaults that differ between versions
    defaults: dict[str, dict[str, object]] = {}
    for k in sorted({k for v in per.values() for k in v.defaults}):
        seq = [(v, per[v].defaults.get(k)) for v in VERSIONS]
        # a default that only names the version (`server.serverDetails`) changes nothing
        named = [d for _, d in seq if d is not None]
        if all(isinstance(d, str) and re.search(r"\b[34]\.\d+\.\d+\b", d) for d in named):
            continue
        if len({json.dumps(d, sort_keys=True) for _, d in seq if d is not None}) > 1:
            changes: dict[str, object] = {}
            prev = object()
            for v, d in seq:
                if d is not None and d != prev:
                    changes[v] = d
                prev = d if d is not None else prev
            defaults[k] = changes
    units = {}
    for v in VERSIONS:
        for k, u in per[v].units.items():
            units.setdefault(k, u)
    out = {
        "about": "Generated by scripts/gen-key-versions.py from WSO2's sources; do not edit. "
        "Regenerate: python3 scripts/gen-key-versions.py --product <product-apim git dir> "
        "--kernel <carbon-kernel git dir> (see the script's docstring).",
        "versions": VERSIONS,
        "sources": sources,
        "conventions": {
            "keys": "path -> 'first-last' versions that read it (paths as in key-catalog.json); "
            "a key of key-catalog.json absent here is read by every version",
            "roles": "version -> distribution -> server_role values its infer.json maps",
        },
        "roles": {v: per[v].roles for v in VERSIONS},
        "renames": CURATED_RENAMES,
        "behaviour_defaults": CURATED_DEFAULTS,
        "defaults": defaults,
        "units": dict(sorted(units.items())),
        "keys": keys,
        "shipped": shipped,
    }
    a.out.write_text(json.dumps(out, indent=1, sort_keys=False) + "\n")
    restricted = sum(1 for s in keys.values() if s != f"{VERSIONS[0]}-{VERSIONS[-1]}")
    print(f"{a.out}: {len(keys)} keys, {restricted} not read by every version", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
