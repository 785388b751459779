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
  * wso2/carbon-apimgt at the release each product pom.xml names
    (<carbon.apimgt.version>, 9.0.174 for 4.0.0 ... 9.33.122 for 4.7.0):
    features/apimgt/org.wso2.carbon.apimgt.core.feature/src/main/resources/
    conf_templates/ (templates/**.j2 -- api-manager.xml.j2, master-datasources,
    jndi*.properties, dependency.properties -- read with template_keys(), the
    same extraction as product-apim's templates; the core default.json and
    unit-resolve.json keys). wso2/carbon-apimgt itself is too large for the
    mirror tool, so it is read from a bare git directory holding its history
    (`--apimgt`; we used the fork dpiyumal2319/wso2-carbon-apimgt, whose master
    carries WSO2's release commits "[WSO2 Release] ... prepare release v9.x.y"
    up to 9.33.89 of 2026-04-03): the release commit of each wanted version,
    else the closest earlier release (recorded as exact: false; 4.7.0's 9.33.122
    is read at 9.33.89). Only the extracted key lists are kept, in
    scripts/carbon-apimgt-keys.json (release, commit, exact, file -> keys), not
    WSO2's template text; without `--apimgt` the script reads that file. Each
    version's entry in `sources` names the carbon-apimgt release, the commit
    used and whether it is exact.
  * rules/key-catalog.json (the union catalog): a key it records as read by a
    source this script cannot read per version (the identity features'
    templates, config-mapper) is read by every version, unless CURATED below
    says otherwise. A sighting in the assembled 4.0.0 pack or the recent
    carbon-apimgt fork counts only through files the per-tag sources do not
    hold (PER_TAG_CONF and every template file name read at some tag): the
    pack carries WSO2 updates past the v4.0.0 tag (e.g. broker.xml.j2 reading
    broker.flowControl, which product-apim's templates read only from 4.2.0),
    and the tags are the versions this file describes. So a version
    restriction is only ever derived from sources read at every tag. A table
    the catalog records no sightings for is read by every version one of its
    keys is.
  * CURATED: the few carbon-apimgt facts not visible as template reads (the
    renames), each with its basis.

Usage:
  python3 scripts/gen-key-versions.py \
      --product /work/.mirror/wso2+product-apim/repo \
      --kernel /work/.mirror/wso2+carbon-kernel/repo \
      [--apimgt /work/.mirror/dpiyumal2319+wso2-carbon-apimgt/repo] \
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
ALL = f"{VERSIONS[0]}-{VERSIONS[-1]}"
DISTS = {
    "all-in-one": "all-in-one-apim",
    "acp": "api-control-plane",
    "universal-gw": "gateway",
    "tm": "traffic-manager",
}
CONF = "modules/distribution/product/src/main/resources/conf"
SHIPPED = "modules/distribution/product/src/main/conf/deployment.toml"
KCONF = "distribution/kernel/carbon-home/repository/resources/conf"
ACONF = "features/apimgt/org.wso2.carbon.apimgt.core.feature/src/main/resources/conf_templates"
APIMGT_CACHE = Path(__file__).with_name("carbon-apimgt-keys.json")
APIMGT_ORIGIN = ("the release commits of wso2/carbon-apimgt as held by the fork "
                 "dpiyumal2319/wso2-carbon-apimgt (history to 9.33.89, 2026-04-03); "
                 "key lists cached in scripts/carbon-apimgt-keys.json")
RELEASE = re.compile(r"prepare release v(\d+(?:\.\d+)+)\s*$")
# the catalog's file names that the per-tag sources (product-apim, carbon-kernel,
# carbon-apimgt's core feature) hold at every tag: a sighting in an unversioned
# source (the assembled 4.0.0 pack, a recent carbon-apimgt fork) through one of
# these is explained by the tags, so it no longer makes a key read by every version
PER_TAG_CONF = {"default.json", "key-mappings.json", "infer.json", "unit-resolve.json"}

# carbon-apimgt facts template reads alone do not tell (that one key replaces
# another): renames and removals, with their basis.
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
        "basis": "carbon-apimgt api-manager.xml.j2 reads the first at 9.20.74-9.29.120 (API-M 4.1.0-4.3.0; "
        "not at 4.0.0's 9.0.174, only the updated 4.0.0 pack), the second from 9.30.67 (4.4.0) on "
        "(scripts/carbon-apimgt-keys.json; spec rules.md, issue #30)",
    },
]
# keys read only from a version on (carbon-apimgt; now also machine-read from
# scripts/carbon-apimgt-keys.json, which agrees)
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


def vtuple(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", v))


def read_apimgt(repo: Path, wanted: set[str], roots: set[str]) -> dict[str, dict]:
    """carbon-apimgt release -> the keys its core feature's conf_templates read.
    `repo` is a bare git directory holding carbon-apimgt's history (its release
    commits, `[WSO2 Release] ... prepare release v9.x.y`; tags are not needed):
    the release commit of each wanted version, or of the closest release before
    it (exact = false) when the mirror lacks it."""
    releases: dict[str, tuple[str, str]] = {}
    for line in git(repo, "log", "--all", "--format=%H%x09%cs%x09%s").splitlines():
        commit, date, subject = line.split("\t", 2)
        m = RELEASE.search(subject)
        if m and m.group(1) not in releases:
            releases[m.group(1)] = (commit, date)
    out: dict[str, dict] = {}
    for want in sorted(wanted, key=vtuple):
        older = [r for r in releases if vtuple(r) <= vtuple(want)]
        if not older:
            print(f"carbon-apimgt {want}: no release at or before it in {repo}", file=sys.stderr)
            continue
        used = max(older, key=vtuple)
        commit, date = releases[used]
        files: dict[str, list[str]] = {}
        for p in ls(repo, commit, ACONF):
            rel = p[len(ACONF) + 1:]
            if p.endswith(".j2"):
                files[rel] = sorted(template_keys(show(repo, commit, p) or "", roots))
            elif p.endswith(".default.json"):
                files[rel] = sorted(json_file(repo, commit, p))
            elif p.endswith(".unit-resolve.json"):
                files[rel] = sorted(unit_keys(json_file(repo, commit, p)))
        out[want] = {"release_used": used, "exact": used == want, "commit": commit,
                     "commit_date": date, "path": ACONF, "files": files}
    return out


def load_apimgt(repo: Path | None, wanted: set[str], roots: set[str], origin: str) -> dict[str, dict]:
    """Read carbon-apimgt from a mirror and cache the extracted key lists in
    scripts/carbon-apimgt-keys.json, or (no mirror) use that cache."""
    if repo is not None:
        data = read_apimgt(repo, wanted, roots)
        APIMGT_CACHE.write_text(json.dumps({
            "about": "Deployment.toml keys read by wso2/carbon-apimgt's core feature conf_templates "
            "(" + ACONF + ") at the carbon-apimgt release each API-M tag's pom.xml names; "
            "extracted by scripts/gen-key-versions.py --apimgt (template_keys) from the release "
            "commits of " + origin + "; only the key lists are kept, not WSO2's template text.",
            "repo": "wso2/carbon-apimgt", "read_from": origin, "releases": data}, indent=1) + "\n")
        return data
    if APIMGT_CACHE.exists():
        return json.loads(APIMGT_CACHE.read_text()).get("releases", {})
    print(f"no carbon-apimgt mirror and no {APIMGT_CACHE}: carbon-apimgt keys stay unversioned",
          file=sys.stderr)
    return {}


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


def read_version(product: Path, kernel: Path, roots: set[str], v: str, sources: list,
                 apimgt: dict[str, dict]) -> Version:
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
    rel_info = apimgt.get(av.group(1)) if av else None
    if rel_info:
        for rel, keys in rel_info["files"].items():
            out.add(set(keys), f"carbon-apimgt:{rel}")
        sources.append({"version": v, "repo": "wso2/carbon-apimgt", "release": av.group(1),
                        "release_used": rel_info["release_used"], "exact": rel_info["exact"],
                        "commit": rel_info["commit"], "commit_date": rel_info.get("commit_date"),
                        "path": rel_info["path"], "files": sorted(rel_info["files"]),
                        "read_from": APIMGT_ORIGIN})
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


def unversioned(union: dict, per_tag: set[str] | None = None) -> set[str]:
    """Catalog paths some source this script cannot read per tag reads. With
    carbon-apimgt read per release (`per_tag`: the file names the per-tag
    sources hold), a sighting in the assembled 4.0.0 pack or the recent
    carbon-apimgt fork whose files are all per-tag files is explained by the
    tags (the pack carries updates past the 4.0.0 tag), so it does not count."""
    out = set()
    for section in ("keys", "tables", "patterns"):
        for path, info in union.get(section, {}).items():
            seen = set(info.get("seen_in", []))
            if not seen or "config-mapper" in seen:
                out.add(path)
            elif seen & UNVERSIONED_SOURCES:
                files = set(info.get("sources", []))
                if per_tag is None or not files or not files <= per_tag:
                    out.add(path)
    if per_tag is not None:
        # a table (the catalog records no sightings for tables) is unversioned
        # when one of its keys is, or when the catalog has no key under it
        leaves = [p for sec in ("keys", "patterns") for p in union.get(sec, {})]
        for path, info in union.get("tables", {}).items():
            if info.get("seen_in"):
                continue
            under = [p for p in leaves if p.startswith(path + ".") or p.startswith(path + "[].")]
            if under and not any(p in out for p in under):
                out.discard(path)
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
    ap.add_argument("--apimgt", type=Path, default=None,
                    help="bare git directory with carbon-apimgt's history (release commits); "
                    "without it scripts/carbon-apimgt-keys.json is used")
    a = ap.parse_args()
    write_fixtures(a.product, a.fixtures)
    union = json.loads(a.catalog.read_text())
    roots = {split(p)[0].replace("[]", "") for s in ("keys", "tables", "patterns") for p in union.get(s, {})}
    sources: list = []
    wanted = set()
    for v in VERSIONS:
        dirs = conf_dirs(a.product, f"v{v}")
        pom = show(a.product, f"v{v}", ("all-in-one-apim/" if "acp" in dirs else "") + "pom.xml") or ""
        m = re.search(r"<carbon.apimgt.version>([^<]+)<", pom)
        if m:
            wanted.add(m.group(1))
    apimgt = load_apimgt(a.apimgt, wanted, roots, APIMGT_ORIGIN)
    per = {v: read_version(a.product, a.kernel, roots, v, sources, apimgt) for v in VERSIONS}
    # file names every tag's sources hold: a catalog sighting through them is
    # explained by the tags
    per_tag = set(PER_TAG_CONF)
    for v in VERSIONS:
        per_tag |= {f.rsplit("/", 1)[-1] for f in per[v].files}
    free = unversioned(union, per_tag if apimgt else None)
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
        # the assembled 4.0.0 pack is what users of 4.0.0 run (with WSO2's
        # updates past the v4.0.0 tag): a key it reads is read by 4.0.0
        seen = set(union.get("keys", {}).get(k, {}).get("seen_in", []))
        if "4.0.0-pack" in seen and VERSIONS[0] not in vs:
            vs = [VERSIONS[0], *vs]
        keys[k] = span(vs)
    # a table is read by every version one of its keys is read by
    for k, sp in sorted(keys.items(), key=lambda kv: -len(kv[0])):
        segs = split(k)
        for n in range(1, len(segs)):
            prefix = ".".join(segs[:n])
            prefix = prefix[:-2] if prefix.endswith("[]") else prefix
            if prefix in keys:
                keys[prefix] = widen(keys[prefix], keys[k])
    # a table the catalog records no sightings for is read by every version one
    # of its catalog keys is read by (an unversioned key: by every version; a
    # key no per-tag source reads says nothing about versions)
    if apimgt:
        leaves = [p for sec in ("keys", "patterns") for p in union.get(sec, {})]
        for t, info in union.get("tables", {}).items():
            if info.get("seen_in") or t not in keys:
                continue
            under = [p for p in leaves if p.startswith(t + ".") or p.startswith(t + "[].")]
            if not under:
                continue
            sp = keys[t]
            for p in under:
                if p in free:
                    sp = ALL
                elif p in keys:
                    sp = widen(sp, keys[p])
            keys[t] = sp
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
        "--kernel <carbon-kernel git dir> [--apimgt <carbon-apimgt git dir>] (see the script's docstring).",
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
