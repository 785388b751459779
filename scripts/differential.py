#!/usr/bin/env python3
"""Differential harness: run two apimlint binaries over the same inputs and
report every difference in their behaviour (stdout, stderr, exit code, and
the files `--fix` / `--write-baseline` leave behind), byte for byte.

    python3 scripts/differential.py --old OLD_BIN --new NEW_BIN \
        [--random N] [--seed S] [--corpus DIR] [--keep DIR] [--jobs J]

For refactors that must not change behaviour. Exit 0 when both binaries
behave identically, 1 on any difference (or when a read-only command wrote
into its input), 2 when the harness itself cannot run.

Inputs (each a "tree", copied into a private temporary workspace first, so
nothing is ever written into the repository and concurrent edits of the
working tree cannot race the run):

* fixtures: every tree under the repository's fixtures/: a directory holding
  an `apimlint.toml`, or a `bad`/`good` directory; any other
  `deployment.toml` (under fixtures/ or elsewhere in the repository, outside
  target/ and corpus-check/) becomes a tree of its own: its nearest enclosing
  tree, else its first-level directory;
* corpus: the deployments corpus-check/sets.toml assembles from the corpus
  (default ../shared/corpus), with corpus-check/check.py's own `assemble`;
* random: N trees made from fixtures/deployments/pattern-1 and
  pattern-1-broken by seeded random mutations of their deployment.toml and
  apimlint.toml texts (see MUTATIONS); tree i depends only on (seed, i);
* global: `rules` in every format and `explain` for every rule id (and an
  unknown one), plus a few CLI error paths over several deployments.

Per tree, each binary runs (same cwd, same relative paths, same environment:
PATH, HOME=<workspace>/home, LC_ALL=C.UTF-8, TZ=UTC, nothing else, plus
--old-env / --new-env; `--old X --new X --new-env RAYON_NUM_THREADS=1`
probes whether the output depends on the thread count):
READ_ONLY below, then, on a fresh copy at the same absolute path for both
binaries, `check --write-baseline`, `check --baseline`,
`check --fix --unsafe-fixes --format json`, and on another fresh copy
`check --fix --format compact`; the files left (every path, type, mode and
byte, the baseline file included) are compared too.

Normalisation: one. The GitHub format's `::stop-commands::` token is random
on purpose (a finding's text cannot guess it to end the pause and inject a
workflow command), so every `apimlint-<32 hex>` token reads `apimlint-TOKEN`
in both outputs. Otherwise both binaries run in the same directories, so paths
(including the absolute cwd that SARIF puts in `originalUriBaseIds`) are the
same for both; apimlint prints no timings. A difference is a difference.
"""

import argparse
import collections
import concurrent.futures
import dataclasses
import difflib
import importlib.util
import json
import os
import random
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
FIXTURES = os.path.join(REPO, "fixtures")
NODE_FILE = "deployment.toml"
CONFIG_FILE = "apimlint.toml"

# (label, arguments before the paths). The first seven are the brief's; the
# rest cover the other output formats and code paths at little cost.
READ_ONLY = [
    ("check-json", ["check", "--format", "json"]),
    ("check-sarif", ["check", "--format", "sarif"]),
    ("check-compact", ["check", "--format", "compact"]),
    ("check-human", ["check", "--format", "human", "--color", "never"]),
    ("check-github", ["check", "--format", "github"]),
    ("graph-json", ["graph", "--format", "json"]),
    ("check-require-reason-json", ["check", "--require-reason", "--format", "json"]),
    ("check-diff-unsafe", ["check", "--diff", "--unsafe-fixes"]),
    ("check-diff", ["check", "--diff"]),
    ("graph-dot", ["graph", "--format", "dot"]),
    ("graph-mermaid", ["graph", "--format", "mermaid"]),
    ("check-human-color-fail-info", ["check", "--format", "human", "--color", "always", "--fail-on", "info"]),
]


# --------------------------------------------------------------------------
# running a binary


@dataclasses.dataclass
class Result:
    code: object  # int, or "timeout"
    stdout: bytes
    stderr: bytes

    def key(self):
        return (self.code, self.stdout, self.stderr)


STOP_TOKEN = re.compile(rb"apimlint-[0-9a-f]{32}")


def untokened(out):
    """`out` with the random stop-commands token of the GitHub format fixed."""
    return STOP_TOKEN.sub(b"apimlint-TOKEN", out)


class Runner:
    def __init__(self, env, timeout):
        self.env = env
        self.timeout = timeout

    def run(self, binary, argv, cwd, extra_env=None):
        try:
            p = subprocess.run(
                [binary, *argv],
                cwd=cwd,
                env={**self.env, **(extra_env or {})},
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=self.timeout,
                check=False,
            )
            return Result(p.returncode, untokened(p.stdout), untokened(p.stderr))
        except subprocess.TimeoutExpired as e:
            return Result("timeout", e.stdout or b"", e.stderr or b"")


# --------------------------------------------------------------------------
# file trees


def snapshot(root):
    """Every entry under root: relative path -> (type, mode, content)."""
    out = {}
    if not os.path.lexists(root):
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            mode = stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("symlink", 0, os.readlink(p).encode())
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", mode, b"")
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    out[rel] = ("file", mode, f.read())
            else:
                out[rel] = ("other", mode, b"")
        # do not descend into symlinked directories (os.walk does not by default)
    return out


def restore(snap, root):
    """Write a snapshot back to disk (for --keep)."""
    os.makedirs(root, exist_ok=True)
    for rel, (kind, mode, data) in sorted(snap.items()):
        p = os.path.join(root, rel)
        if kind == "dir":
            os.makedirs(p, exist_ok=True)
        elif kind == "symlink":
            os.makedirs(os.path.dirname(p), exist_ok=True)
            os.symlink(data.decode(), p)
        elif kind == "file":
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(data)
            os.chmod(p, mode)


def copy_tree(src, dst):
    shutil.copytree(src, dst, symlinks=True)


def remove_tree(p):
    if os.path.islink(p) or os.path.isfile(p):
        os.unlink(p)
    elif os.path.isdir(p):
        # a test tree may hold unreadable directories
        for dirpath, dirnames, _ in os.walk(p):
            for d in dirnames:
                try:
                    os.chmod(os.path.join(dirpath, d), 0o755)
                except OSError:
                    pass
        shutil.rmtree(p)


# --------------------------------------------------------------------------
# trees


@dataclasses.dataclass
class Tree:
    kind: str  # fixtures | corpus | random
    name: str  # shown in reports
    rel: str  # path under the workspace's trees/ (and fix/<n>/)
    style: str = "dir"  # how the paths are given, see Tree.invocation
    files: list = dataclasses.field(default_factory=list)  # for style "files"
    log: str = ""  # the mutations of a random tree

    def invocation(self, base):
        """(cwd, paths) of a run against this tree placed under base."""
        if self.style == "dir":
            return base, [self.rel]
        if self.style == "cwd":
            return os.path.join(base, self.rel), []
        if self.style == "dot":
            return os.path.join(base, self.rel), ["."]
        if self.style == "config":
            return base, [os.path.join(self.rel, CONFIG_FILE)]
        if self.style == "files":
            return base, [os.path.join(self.rel, f) for f in self.files]
        raise ValueError(self.style)


def discover_fixture_trees(root, skip_top=()):
    """Trees under root: dirs holding apimlint.toml, dirs named bad/good, and
    for any deployment.toml outside those its first-level directory."""
    trees = set()
    orphans = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        parts = [] if rel == "." else rel.split(os.sep)
        if parts and parts[0] in skip_top:
            dirnames[:] = []
            continue
        dirnames[:] = sorted(d for d in dirnames if d not in (".git", "target", "node_modules"))
        if CONFIG_FILE in filenames or (parts and parts[-1] in ("bad", "good")):
            trees.add(rel)
        if NODE_FILE in filenames or NODE_FILE in dirnames:
            orphans.append(rel)
    result = set(trees)
    for o in orphans:
        parts = o.split(os.sep) if o != "." else []
        inside = any(o == t or o.startswith(t + os.sep) or t == "." for t in trees)
        if not inside:
            result.add(parts[0] if parts else ".")
    return sorted(result)


def load_check_py():
    path = os.path.join(REPO, "corpus-check", "check.py")
    sys.dont_write_bytecode = True  # no __pycache__ in the repository
    spec = importlib.util.spec_from_file_location("apimlint_corpus_check", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# --------------------------------------------------------------------------
# random trees: a deployment held in memory, mutated as text


class Special:
    """A node file that is not text: invalid UTF-8 bytes, a directory, a
    dangling symlink."""

    def __init__(self, kind, data=b""):
        self.kind = kind
        self.data = data


class Deployment:
    def __init__(self, files, config):
        self.files = files  # rel path of deployment.toml -> str | Special
        self.config = config  # str | None

    @staticmethod
    def load(root):
        files = {}
        for dirpath, _, filenames in os.walk(root):
            if NODE_FILE in filenames:
                p = os.path.join(dirpath, NODE_FILE)
                with open(p, encoding="utf-8", newline="") as f:
                    files[os.path.relpath(p, root)] = f.read()
        cfg = None
        if os.path.exists(os.path.join(root, CONFIG_FILE)):
            with open(os.path.join(root, CONFIG_FILE), encoding="utf-8", newline="") as f:
                cfg = f.read()
        return Deployment(dict(sorted(files.items())), cfg)

    def copy(self):
        return Deployment(dict(self.files), self.config)

    def write(self, root):
        os.makedirs(root)
        for rel, content in self.files.items():
            p = os.path.join(root, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            if isinstance(content, Special):
                if content.kind == "bytes":
                    with open(p, "wb") as f:
                        f.write(content.data)
                elif content.kind == "dir":
                    os.makedirs(p)
                elif content.kind == "symlink":
                    os.symlink(content.data.decode(), p)
            else:
                with open(p, "w", encoding="utf-8", newline="") as f:
                    f.write(content)
        if self.config is not None:
            with open(os.path.join(root, CONFIG_FILE), "w", encoding="utf-8", newline="") as f:
                f.write(self.config)

    def texts(self):
        return [k for k, v in self.files.items() if isinstance(v, str)]


def node_id(rel):
    d = os.path.dirname(rel)
    if d.endswith("repository/conf"):
        d = os.path.dirname(os.path.dirname(d))
    return d


URL_RE = re.compile(
    r'(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<host>\[[^\]]*\]|[^:/"\s,\]\';]+)(?::(?P<port>[^/"\s,\]\';]*))?'
)
HEADER_RE = re.compile(r"^\s*\[")
KEY_RE = re.compile(r"^(\s*)([A-Za-z0-9_.'\"-]+)(\s*=\s*)(.*)$")

ROLES = ["gateway-worker", "control-plane", "traffic-manager", "key-manager",
         "api-key-manager-deprecated", "api-publisher-deprecated", "api-devportal-deprecated",
         "default", "is-key-manager", "all-in-one"]
BAD_ROLES = ["traffic_manager", "gateway", "Gateway-Worker", "control_plane", "cp", "", "tm ",
             "gateway-workr", "api-key-manager", "controlplane"]
PORTS = ["5672", "5673", "5674", "9611", "9612", "9711", "9712", "9443", "9444", "9445", "8243",
         "8244", "8280", "8281", "9099", "8099", "9763", "443", "80", "0", "65536", "99999", "abc",
         "${mgt.transport.https.port}", "", "-1", "09443"]
PLACEHOLDERS = [
    "$secret{admin_password}", "$secret{db_password}", "$secret{keystore_password}",
    "$secret{missing_alias}", "$secret{}", "$secret{admin password}", "$ref{super_admin.password}",
    "$ref{super_admin.username}", "$ref{super_admin.user_name}", "$ref{apim.throttling.username}",
    "$ref{apim.event_hub.password}", "$ref{no.such.key}", "$ref{super_admin}", "$env{DB_PASSWORD}",
    "$env{}", "$sys{carbon.home}", "${admin.password}", "${admin.username}", "${carbon.local.ip}",
    "${mgt.transport.https.port}", "$secret{admin_password", "$ref{server.hostname}",
]
PLAINTEXT = ["admin", "wso2carbon", "Ap1m-DB-pass!", "changeit", "", "[Plain-In-Brackets]",
             "secret with spaces", "p\u00e4ssw\u00f6rd", "\u5bc6\u7801", "ZW5jcnlwdGVk"]
UNICODE_BITS = ["caf\u00e9", "\u00e9t\u00e9 \u2013 \u00ab interne \u00bb", "\U0001F680 rocket",
                "\u0928\u092e\u0938\u094d\u0924\u0947", "\t tab", "\u200b zero width", "\u00a0nbsp",
                "line\\u2028sep", "\u05e9\u05dc\u05d5\u05dd"]


class Mutator:
    """Seeded mutations of a Deployment. Each returns a description, or None
    when it does not apply (then another is drawn)."""

    def __init__(self, rng, dep, rule_ids, catalog_keys):
        self.rng = rng
        self.dep = dep
        self.rule_ids = rule_ids
        self.catalog_keys = catalog_keys

    # ---- helpers

    def pick_node(self, contains=None, role=None):
        keys = self.dep.texts()
        if contains is not None:
            if isinstance(contains, str):
                contains = [contains]
            keys = [k for k in keys if any(c in self.dep.files[k] for c in contains)]
        if role is not None:
            keys = [k for k in keys if f'server_role = "{role}"' in self.dep.files[k]]
        return self.rng.choice(keys) if keys else None

    def hosts(self):
        hs = set()
        for k in self.dep.texts():
            t = self.dep.files[k]
            for m in URL_RE.finditer(t):
                hs.add(m.group("host"))
            for m in re.finditer(r'^\s*(?:hostname|node_ip)\s*=\s*"([^"]*)"', t, re.M):
                hs.add(m.group(1))
            hs.add(os.path.basename(node_id(k)))
        return sorted(h for h in hs if h)

    def typo(self, s):
        if len(s) < 2:
            return s + "x"
        i = self.rng.randrange(len(s) - 1)
        op = self.rng.randrange(4)
        if op == 0:  # swap
            return s[:i] + s[i + 1] + s[i] + s[i + 2:]
        if op == 1:  # drop
            return s[:i] + s[i + 1:]
        if op == 2:  # duplicate
            return s[:i] + s[i] + s[i:]
        return s[:i] + self.rng.choice("abcdefghijklmnopqrstuvwxyz") + s[i + 1:]

    def host_choice(self, current):
        hs = self.hosts()
        r = self.rng.random()
        if r < 0.35:
            return self.rng.choice(hs)
        if r < 0.5:
            return self.typo(current)
        if r < 0.65:  # the other region / a third one
            for a, b in (("r1", "r2"), ("r2", "r1"), ("region-1", "region-2")):
                if a in current:
                    return current.replace(a, self.rng.choice([b, "r3"]))
            return current + ".r3"
        return self.rng.choice(["localhost", "127.0.0.1", "[::1]", "LOCALHOST", current.upper(),
                                "km.partner.example.net", "10.10.2.21", "10.10.9.99",
                                "$env{KM_HOST}", "${carbon.local.ip}", "api.r1.example.com",
                                "api.r2.example.com", "tm-1", "cp-2", "gw", "", "h\u00f6st.example.com",
                                "db.r1.example.com"])

    def lines(self, key):
        return self.dep.files[key].split("\n")

    def set_lines(self, key, lines):
        self.dep.files[key] = "\n".join(lines)

    def tables(self, key):
        """(start, end) line ranges of each table, header included."""
        lines = self.lines(key)
        starts = [i for i, l in enumerate(lines) if HEADER_RE.match(l)]
        return [(s, starts[j + 1] if j + 1 < len(starts) else len(lines)) for j, s in enumerate(starts)], lines

    def key_lines(self, key, names=None):
        lines = self.lines(key)
        out = []
        for i, l in enumerate(lines):
            m = KEY_RE.match(l)
            if m and not l.lstrip().startswith("#") and (names is None or m.group(2) in names):
                out.append(i)
        return out

    def replace_value(self, key, names, values, quote=True):
        idxs = self.key_lines(key, names)
        if not idxs:
            return None
        i = self.rng.choice(idxs)
        lines = self.lines(key)
        m = KEY_RE.match(lines[i])
        v = self.rng.choice(values)
        nv = json.dumps(v, ensure_ascii=False) if (quote and isinstance(v, str)) else (
            v if isinstance(v, str) else json.dumps(v))
        lines[i] = f"{m.group(1)}{m.group(2)}{m.group(3)}{nv}"
        self.set_lines(key, lines)
        return f"{node_id(key)}: {m.group(2)} = {nv}"

    def insert_after_header(self, key, header, line):
        lines = self.lines(key)
        for i, l in enumerate(lines):
            if l.strip() == header:
                lines.insert(i + 1, line)
                self.set_lines(key, lines)
                return True
        return False

    # ---- mutations: wiring

    def m_url_host(self):
        k = self.pick_node(contains="://")
        if not k:
            return None
        t = self.dep.files[k]
        ms = list(URL_RE.finditer(t))
        if not ms:
            return None
        m = self.rng.choice(ms)
        new = self.host_choice(m.group("host"))
        self.dep.files[k] = t[: m.start("host")] + new + t[m.end("host"):]
        return f"{node_id(k)}: url host {m.group('host')} -> {new}"

    def m_url_port(self):
        k = self.pick_node(contains="://")
        if not k:
            return None
        t = self.dep.files[k]
        ms = list(URL_RE.finditer(t))
        if not ms:
            return None
        m = self.rng.choice(ms)
        new = self.rng.choice(PORTS)
        if m.group("port") is None:
            if not new:
                return None
            self.dep.files[k] = t[: m.end("host")] + ":" + new + t[m.end("host"):]
        elif not new and self.rng.random() < 0.5:
            self.dep.files[k] = t[: m.start("port") - 1] + t[m.end("port"):]
            new = "(none)"
        else:
            self.dep.files[k] = t[: m.start("port")] + new + t[m.end("port"):]
        return f"{node_id(k)}: url port {m.group('port')} -> {new}"

    def m_url_scheme(self):
        k = self.pick_node(contains="://")
        if not k:
            return None
        t = self.dep.files[k]
        m = self.rng.choice(list(URL_RE.finditer(t)))
        new = self.rng.choice(["tcp", "ssl", "https", "http", "ws", "wss", "jdbc:mysql", "", "HTTPS", "tcps"])
        if new == "":
            self.dep.files[k] = t[: m.start("scheme")] + t[m.end("scheme") + 3:]
        else:
            self.dep.files[k] = t[: m.start("scheme")] + new + t[m.end("scheme"):]
        return f"{node_id(k)}: url scheme {m.group('scheme')} -> {new or '(none)'}"

    def m_url_swap(self):
        a = self.pick_node(contains="://")
        b = self.pick_node(contains="://")
        if not a or not b:
            return None
        ma = self.rng.choice(list(URL_RE.finditer(self.dep.files[a])))
        mb = self.rng.choice(list(URL_RE.finditer(self.dep.files[b])))
        ua, ub = ma.group(0), mb.group(0)
        ta = self.dep.files[a]
        self.dep.files[a] = ta[: ma.start()] + ub + ta[ma.end():]
        if a != b:
            tb = self.dep.files[b]
            self.dep.files[b] = tb[: mb.start()] + ua + tb[mb.end():]
        return f"swap url {node_id(a)} {ua} <-> {node_id(b)} {ub}"

    def m_url_array_add(self):
        k = self.pick_node(contains='= ["')
        if not k:
            return None
        lines = self.lines(k)
        idxs = [i for i, l in enumerate(lines) if re.match(r'^\s*\w+\s*=\s*\[\s*"[a-z]+://', l)]
        if not idxs:
            return None
        i = self.rng.choice(idxs)
        all_urls = [m.group(0) for kk in self.dep.texts() for m in URL_RE.finditer(self.dep.files[kk])]
        u = self.rng.choice(all_urls)
        if self.rng.random() < 0.3:
            u = u.replace(".r1.", ".r2.") if ".r1." in u else u.replace(".r2.", ".r1.")
        j = lines[i].rfind("]")
        if j < 0:
            return None
        lines[i] = lines[i][:j] + f', "{u}"' + lines[i][j:]
        self.set_lines(k, lines)
        return f"{node_id(k)}: add {u} to line {i + 1}"

    def m_url_array_remove(self):
        k = self.pick_node(contains='", "')
        if not k:
            return None
        lines = self.lines(k)
        idxs = [i for i, l in enumerate(lines) if re.match(r'^\s*\w+\s*=\s*\[".*", ".*"\]', l)]
        if not idxs:
            return None
        i = self.rng.choice(idxs)
        m = re.match(r'^(\s*\w+\s*=\s*\[)(.*)(\].*)$', lines[i])
        items = [x.strip() for x in m.group(2).split(",")]
        if self.rng.random() < 0.15:
            items = []
        else:
            items.pop(self.rng.randrange(len(items)))
        lines[i] = m.group(1) + ", ".join(items) + m.group(3)
        self.set_lines(k, lines)
        return f"{node_id(k)}: array on line {i + 1} -> [{', '.join(items)}]"

    def m_delete_url_group(self):
        k = self.pick_node(contains="url_group]]")
        if not k:
            return None
        ts, lines = self.tables(k)
        cand = [(s, e) for s, e in ts if "url_group]]" in lines[s]]
        s, e = self.rng.choice(cand)
        del lines[s:e]
        self.set_lines(k, lines)
        return f"{node_id(k)}: delete url_group at line {s + 1}"

    def m_remove_key(self):
        names = ["event_duplicate_url", "service_url", "event_listening_endpoints",
                 "throttle_decision_endpoints", "gateway_labels", "server_role", "hostname",
                 "node_ip", "notification_endpoint", "traffic_manager_auth_urls", "auth_urls",
                 "enable", "username", "password", "type", "url", "file_name", "offset", "domain"]
        k = self.pick_node()
        idxs = self.key_lines(k, names)
        if not idxs:
            return None
        i = self.rng.choice(idxs)
        lines = self.lines(k)
        gone = lines.pop(i)
        self.set_lines(k, lines)
        return f"{node_id(k)}: remove `{gone.strip()[:60]}`"

    def m_rename_label(self):
        k = self.pick_node(contains=["gateway_labels", "[[apim.gateway.environment]]"])
        if not k:
            return None
        lines = self.lines(k)
        idxs = [i for i, l in enumerate(lines)
                if re.match(r'^\s*(gateway_labels|name)\s*=', l)]
        if not idxs:
            return None
        i = self.rng.choice(idxs)
        names = re.findall(r'"([^"]*)"', lines[i])
        if not names:
            return None
        old = self.rng.choice(names)
        new = self.rng.choice([self.typo(old), old.lower(), old.upper(), "Production", "Sandbox",
                               "Internal", "Default", "", "Partner", "Default ", "D\u00e9faut"])
        lines[i] = lines[i].replace(f'"{old}"', f'"{new}"', 1)
        if self.rng.random() < 0.1:
            lines[i] = lines[i].replace(f'"{new}"', f'"{new}", "{new}"', 1)
        self.set_lines(k, lines)
        return f"{node_id(k)}: label/environment {old!r} -> {new!r}"

    def m_offset(self):
        k = self.pick_node(contains="[server]")
        if not k:
            return None
        v = self.rng.choice(["1", "2", "0", "-1", "10", "100", '"1"', "65535", "1.5", "true"])
        idxs = self.key_lines(k, ["offset"])
        if idxs:
            lines = self.lines(k)
            m = KEY_RE.match(lines[idxs[0]])
            lines[idxs[0]] = f"{m.group(1)}offset{m.group(3)}{v}"
            self.set_lines(k, lines)
        else:
            self.insert_after_header(k, "[server]", f"offset = {v}")
        return f"{node_id(k)}: [server] offset = {v}"

    def m_server_role(self):
        k = self.pick_node()
        if self.rng.random() < 0.25:
            idxs = self.key_lines(k, ["server_role"])
            if not idxs:
                if not self.insert_after_header(k, "[server]", f'server_role = "{self.rng.choice(ROLES)}"'):
                    return None
                return f"{node_id(k)}: add server_role"
            lines = self.lines(k)
            lines.pop(idxs[0])
            self.set_lines(k, lines)
            return f"{node_id(k)}: remove server_role"
        return self.replace_value(k, ["server_role"], ROLES + BAD_ROLES)

    def m_revocation(self):
        k = self.pick_node(contains="notification_endpoint")
        if not k:
            return None
        return self.replace_value(k, ["notification_endpoint"], [
            "https://tm-1.r1.example.com:9443/internal/data/v1/notify",
            "https://cp-2.r1.example.com:9443/internal/data/v1/notify",
            "https://localhost:9444/internal/data/v1/notify",
            "https://api.r1.example.com/internal/data/v1/notify",
            "https://cp-1.r2.example.com:9443/internal/data/v1/notify",
            "localhost/internal/data/v1/notify",
            "https://localhost:${mgt.transport.https.port}/internal/data/v1/notify",
            "https://unknown.example.org:9443/notify",
        ])

    def m_cache_invalidation(self):
        k = self.pick_node(role=self.rng.choice(["control-plane", "gateway-worker", None]))
        if not k:
            return None
        dom = self.rng.choice(["apim-r1", "apim-r2", "apim-region-1", "wso2.apim.domain", ""])
        enabled = self.rng.choice(["true", "false", '"yes"'])
        block = f"\n[apim.cache_invalidation]\nenabled = {enabled}\ndomain = \"{dom}\"\n"
        self.insert_table(k, block)
        return f"{node_id(k)}: cache_invalidation domain {dom}"

    def insert_table(self, k, block):
        """Insert a table before [secrets] (or at the end)."""
        lines = self.lines(k)
        idx = [i for i, l in enumerate(lines) if l.strip() == "[secrets]"]
        if idx and self.rng.random() < 0.85:
            lines[idx[0]:idx[0]] = block.split("\n")
        else:
            lines.extend(block.split("\n"))
        self.set_lines(k, lines)

    def m_copy_table(self):
        src = self.pick_node()
        dst = self.pick_node()
        ts, lines = self.tables(src)
        if not ts:
            return None
        s, e = self.rng.choice(ts)
        if lines[s].strip() == "[secrets]":
            return None
        block = "\n".join(lines[s:e])
        dl = self.lines(dst)
        if lines[s].strip() in [l.strip() for l in dl] and not lines[s].strip().startswith("[["):
            # the table exists there: replace it (role-section / drift) rather than duplicate it
            dts, _ = self.tables(dst)
            for ds, de in dts:
                if dl[ds].strip() == lines[s].strip():
                    dl[ds:de] = lines[s:e]
                    break
            self.set_lines(dst, dl)
        else:
            self.insert_table(dst, block)
        return f"copy table {lines[s].strip()} from {node_id(src)} to {node_id(dst)}"

    def m_delete_table(self):
        k = self.pick_node()
        ts, lines = self.tables(k)
        if not ts:
            return None
        s, e = self.rng.choice(ts)
        h = lines[s].strip()
        del lines[s:e]
        self.set_lines(k, lines)
        return f"{node_id(k)}: delete table {h}"

    # ---- shared configuration

    def m_database(self):
        k = self.pick_node(contains="[database.")
        if not k:
            return None
        r = self.rng.random()
        if r < 0.45:
            types = ["h2", "mysql", "postgre", "postgres", "oracle", "mssql", "db2", "MySQL",
                     "mariadb", "unknown-db"]
            return self.replace_value(k, ["type"], types)
        if r < 0.8:
            urls = [
                "jdbc:h2:./repository/database/WSO2SHARED_DB;DB_CLOSE_ON_EXIT=FALSE",
                "jdbc:mysql://db.r1.example.com:3306/WSO2AM_SHARED_DB?useSSL=true",
                "jdbc:sqlserver://db2.r1.example.com:1433;databaseName=WSO2AM_SHARED_DB;encrypt=true",
                "jdbc:sqlserver://db.r2.example.com:1433;databaseName=WSO2AM_SHARED_DB;encrypt=true",
                "jdbc:sqlserver://DB.r1.example.com:1433;databaseName=WSO2AM_DB;encrypt=true",
                "jdbc:postgresql://db.r1.example.com:5432/WSO2AM_DB",
                "jdbc:oracle:thin:@db.r1.example.com:1521/WSO2AM",
                "not a jdbc url",
            ]
            return self.replace_value(k, ["url"], urls)
        # hostname/port/name style, replacing url
        idxs = self.key_lines(k, ["url"])
        if not idxs:
            return None
        lines = self.lines(k)
        i = self.rng.choice(idxs)
        host = self.rng.choice(["db.r1.example.com", "DB.r1.example.com", "db2.r1.example.com"])
        lines[i:i + 1] = [f'hostname = "{host}"', "port = 1433",
                          f'name = "{self.rng.choice(["WSO2AM_SHARED_DB", "WSO2AM_DB"])}"']
        self.set_lines(k, lines)
        return f"{node_id(k)}: database url -> hostname {host}"

    def m_db_engine(self):
        # type and url switched together, on one node or on every node of a region
        engines = {
            "h2": "jdbc:h2:./repository/database/WSO2{db};DB_CLOSE_ON_EXIT=FALSE",
            "mysql": "jdbc:mysql://db.{r}.example.com:3306/WSO2{db}?useSSL=true",
            "postgre": "jdbc:postgresql://db.{r}.example.com:5432/WSO2{db}",
            "oracle": "jdbc:oracle:thin:@db.{r}.example.com:1521/WSO2{db}",
            "db2": "jdbc:db2://db.{r}.example.com:50000/WSO2{db}",
        }
        eng = self.rng.choice(sorted(engines))
        which = self.rng.choice(["apim_db", "shared_db"])
        db = "AM_DB" if which == "apim_db" else "AM_SHARED_DB"
        keys = [k for k in self.dep.texts() if f"[database.{which}]" in self.dep.files[k]]
        if not keys:
            return None
        if self.rng.random() < 0.5:
            keys = [self.rng.choice(keys)]
        else:
            region = node_id(self.rng.choice(keys)).split("/")[0]
            keys = [k for k in keys if node_id(k).startswith(region + "/")]
        for k in keys:
            lines = self.lines(k)
            inside = False
            for i, l in enumerate(lines):
                if HEADER_RE.match(l):
                    inside = l.strip() == f"[database.{which}]"
                    continue
                m = KEY_RE.match(l)
                if inside and m and m.group(2) == "type":
                    lines[i] = f'type = "{eng}"'
                elif inside and m and m.group(2) == "url":
                    r = "r2" if "region-2" in k else "r1"
                    lines[i] = f'url = "{engines[eng].format(r=r, db=db)}"'
            self.set_lines(k, lines)
        return f"database.{which} -> {eng} on {', '.join(node_id(k) for k in keys)}"

    def m_listener_ref(self):
        k = self.pick_node(contains="[event_listener.properties]")
        if not k:
            return None
        t = self.dep.files[k]
        a = self.rng.choice(["${admin.username}", "${admin.password}"])
        b = self.rng.choice(["$ref{super_admin.username}", "$ref{super_admin.password}", "$secret{admin_password}",
                             "admin", "${admin.user}", "$ref{super_admin.user_name}"])
        if a not in t:
            return None
        self.dep.files[k] = t.replace(a, b, 1)
        return f"{node_id(k)}: event listener {a} -> {b}"

    def m_keystore(self):
        k = self.pick_node(contains="[keystore.")
        if not k:
            return None
        r = self.rng.random()
        if r < 0.4:
            return self.replace_value(k, ["file_name"], [
                "apim-primary.jks", "apim-internal.jks", "apim-internal-old.jks", "tm1-primary.jks",
                "wso2carbon.jks", "client-truststore.jks", "apim-tls.jks"])
        if r < 0.6:
            return self.replace_value(k, ["alias"], ["apim-primary", "wso2carbon", "apim-internal", "x"])
        if r < 0.85:
            return self.replace_value(k, ["password", "key_password"], [
                "$secret{keystore_password}", "$secret{tls_key_password}", "$secret{other_ks}",
                "wso2carbon", "$ref{keystore.primary.password}"])
        block = ('\n[keystore.tls]\nfile_name = "gw1-tls.jks"\ntype = "JKS"\nalias = "gw1-tls"\n'
                 'password = "$secret{keystore_password}"\nkey_password = "$secret{tls_key_password}"\n')
        self.insert_table(k, block)
        return f"{node_id(k)}: add a [keystore.tls] with another key password"

    def m_super_admin(self):
        k = self.pick_node(contains=["[super_admin]", "[user_store]"])
        if not k:
            return None
        r = self.rng.random()
        if r < 0.5:
            return self.replace_value(k, ["username"], ["admin", "apim-admin", "Admin", "root", ""])
        if r < 0.7:
            return self.replace_value(k, ["create_admin_account"], ["false", "true", '"true"'], quote=False)
        return self.replace_value(k, ["type"], ["database_unique_id", "read_write_ldap_unique_id",
                                                "read_only_ldap", "active_directory_unique_id", "jdbc"])

    def m_region_drift(self):
        # one value changed the same way on every node of one region
        region = self.rng.choice(sorted({node_id(k).split("/")[0] for k in self.dep.texts()}))
        choices = [
            ('type = "hybrid"', 'type = "production"'),
            ('gateway_type = "Regular"', 'gateway_type = "APK"'),
            ('type = "loadbalance"', 'type = "failover"'),
            ('create_admin_account = true', 'create_admin_account = false'),
            ('enable = true', 'enable = false'),
            ('file_name = "apim-tls.jks"', 'file_name = "apim-tls-2.jks"'),
            ('type = "JKS"', 'type = "PKCS12"'),
        ]
        a, b = self.rng.choice(choices)
        n = 0
        for k in self.dep.texts():
            if node_id(k).startswith(region + "/") and a in self.dep.files[k]:
                self.dep.files[k] = self.dep.files[k].replace(a, b)
                n += 1
        return f"{region}: {a} -> {b} on {n} nodes" if n else None

    # ---- files and values

    def m_unknown_key(self):
        k = self.pick_node()
        r = self.rng.random()
        if r < 0.4:
            idxs = self.key_lines(k)
            if not idxs:
                return None
            i = self.rng.choice(idxs)
            lines = self.lines(k)
            m = KEY_RE.match(lines[i])
            new = self.typo(m.group(2))
            lines[i] = f"{m.group(1)}{new}{m.group(3)}{m.group(4)}"
            self.set_lines(k, lines)
            return f"{node_id(k)}: key {m.group(2)} -> {new}"
        if r < 0.55:
            ts, lines = self.tables(k)
            if not ts:
                return None
            s, _ = self.rng.choice(ts)
            h = lines[s]
            inner = h.strip().strip("[]")
            new_inner = self.typo(inner)
            lines[s] = h.replace(inner, new_inner, 1)
            self.set_lines(k, lines)
            return f"{node_id(k)}: table [{inner}] -> [{new_inner}]"
        if r < 0.8 and self.catalog_keys:
            name, typ = self.rng.choice(self.catalog_keys)
            table, _, leaf = name.rpartition(".")
            good = {"boolean": ["true", "false"], "integer": ["5", "0", "-1"], "number": ["1.5"],
                    "string": ['"x"', '"10s"'], "array": ['["a", "b"]'], "any": ['"v"']}[typ]
            bad = ['"yes"', "1", '"five"', "[1]", "{ a = 1 }", '"true"', "1.0", '"1m"', "2024-01-01"]
            v = self.rng.choice(good + bad)
            if table:
                if not self.insert_after_header(k, f"[{table}]", f"{leaf} = {v}"):
                    self.insert_table(k, f"\n[{table}]\n{leaf} = {v}\n")
            else:
                lines = self.lines(k)
                lines.insert(0, f"{leaf} = {v}")
                self.set_lines(k, lines)
            return f"{node_id(k)}: catalog key {name} = {v}"
        block = self.rng.choice([
            "\n[company.settings]\nowner = \"platform-team\"\n",
            "\n[apim.key_manager]\nservice_urll = \"https://api.r1.example.com/services/\"\n",
            "\n[event_listener.propertie]\nevent_waiting_tme = 5000\n",
            "\n[server]\nhostnme = \"x\"\n",
            "\n[apim.throttling]\nenable_unlimited_tier = true\n",
        ])
        self.insert_table(k, block)
        return f"{node_id(k)}: unknown table {block.split(chr(10))[1]}"

    def m_invalid_value(self):
        k = self.pick_node()
        r = self.rng.random()
        if r < 0.3:
            return self.replace_value(k, ["enable", "create_admin_account", "display_in_api_console",
                                          "show_as_token_endpoint_url"],
                                      ['"yes"', "1", '"true"', "True", "0"], quote=False)
        if r < 0.55:
            return self.replace_value(k, ["type"], ["hybird", "production", "sandbox", "HYBRID",
                                                    "loadbalance", "failover", "round-robin", "JKS",
                                                    "PKCS12", "jks"])
        if r < 0.75:
            return self.replace_value(k, ["gateway_type", "provider"], ["Regular", "APK", "regular", "wso2", ""])
        if r < 0.9:
            return self.replace_value(k, ["order", "offset", "port"], ['"1"', "-5", "1e3", "0x10", "99999999999"],
                                      quote=False)
        block = self.rng.choice([
            "\n[apim.cache.gateway_token]\nenable = true\nexpiry_time = \"900s\"\n",
            "\n[apim.cache.gateway_token]\nexpiry_time = \"15 minutes\"\n",
            "\n[apim.cache.resource]\nexpiry_time = -1\n",
            "\n[transport.https.properties]\nport = \"9443\"\n",
            "\n[apim.analytics]\nenable = \"false\"\n",
        ])
        self.insert_table(k, block)
        return f"{node_id(k)}: values block {block.split(chr(10))[1]}"

    def m_invalid_url(self):
        k = self.pick_node(contains="://")
        if not k:
            return None
        names = ["service_url", "notification_endpoint", "https_endpoint", "http_endpoint", "ws_endpoint",
                 "wss_endpoint", "url"]
        return self.replace_value(k, names, [
            "apim.example.com/devportal", "tcp://cp-1.r1.example.com:9443/services/",
            "https://", "https:// cp-1.r1.example.com", "https://cp-1.r1.example.com:port/",
            "ftp://cp-1.r1.example.com", "", "https://[::1:9443/", "https://cp-1.r1.example.com:9443/services",
            "https://api.r1.example.com:443/services/", "HTTPS://API.R1.EXAMPLE.COM/services/"])

    def m_break_syntax(self):
        k = self.pick_node()
        lines = self.lines(k)
        idxs = self.key_lines(k)
        if not idxs:
            return None
        i = self.rng.choice(idxs)
        op = self.rng.randrange(9)
        l = lines[i]
        if op == 0 and '"' in l:
            lines[i] = l[: l.rfind('"')] + l[l.rfind('"') + 1:]  # unclosed string
        elif op == 1:
            lines[i] = l + "]"
        elif op == 2:
            lines[i] = l.split("=")[0] + "="
        elif op == 3:
            lines.insert(i + 1, l)  # a key defined twice
        elif op == 4:
            lines.insert(i, "pool_options = { maxActive = 100, maxWait = 60000, }")
        elif op == 5:
            lines.insert(i, "[apim.key_manager")
        elif op == 6:
            lines.insert(i, 'multi = """\nnever closed')
        elif op == 7:
            lines.insert(i, "a.b = 1\n[a]\nb = 2")
        else:
            lines.insert(i, "key with spaces = 1")
        self.set_lines(k, lines)
        return f"{node_id(k)}: syntax break #{op} at line {i + 1}"

    def m_dup_line(self):
        k = self.pick_node()
        lines = self.lines(k)
        i = self.rng.randrange(len(lines))
        lines.insert(self.rng.randrange(len(lines)), lines[i])
        self.set_lines(k, lines)
        return f"{node_id(k)}: duplicate line {i + 1}"

    def m_del_line(self):
        k = self.pick_node()
        lines = self.lines(k)
        i = self.rng.randrange(len(lines))
        gone = lines.pop(i)
        self.set_lines(k, lines)
        return f"{node_id(k)}: delete line {i + 1} `{gone.strip()[:50]}`"

    def m_dup_table(self):
        k = self.pick_node()
        ts, lines = self.tables(k)
        if not ts:
            return None
        s, e = self.rng.choice(ts)
        block = lines[s:e]
        at = self.rng.choice([e, len(lines)])
        lines[at:at] = block
        self.set_lines(k, lines)
        return f"{node_id(k)}: duplicate table {lines[s].strip()}"

    def m_unicode(self):
        k = self.pick_node()
        lines = self.lines(k)
        i = self.rng.randrange(len(lines))
        bit = self.rng.choice(UNICODE_BITS)
        op = self.rng.randrange(3)
        if op == 0:
            lines.insert(i, f"# {bit}")
        elif op == 1 and KEY_RE.match(lines[i]) and not lines[i].lstrip().startswith("#"):
            lines[i] = lines[i] + f"  # {bit}"
        else:
            lines.insert(i, f'description = "{bit}"')
        self.set_lines(k, lines)
        return f"{node_id(k)}: unicode {bit!r} near line {i + 1}"

    def m_whitespace(self):
        k = self.pick_node()
        op = self.rng.randrange(6)
        t = self.dep.files[k]
        if op == 0:
            self.dep.files[k] = t.replace("\n", "\r\n")
            what = "CRLF"
        elif op == 1:
            lines = t.split("\n")
            for j in range(len(lines) - 1):
                if self.rng.random() < 0.3:
                    lines[j] += "\r"
            self.dep.files[k] = "\n".join(lines)
            what = "mixed CRLF"
        elif op == 2:
            self.dep.files[k] = "\ufeff" + t
            what = "BOM"
        elif op == 3:
            self.dep.files[k] = t.rstrip("\n")
            what = "no final newline"
        elif op == 4:
            self.dep.files[k] = "\n".join("  " + l if self.rng.random() < 0.2 else l for l in t.split("\n"))
            what = "indentation"
        else:
            self.dep.files[k] = t.replace(" = ", "=")
            what = "no spaces around ="
        return f"{node_id(k)}: {what}"

    def m_empty(self):
        k = self.pick_node()
        self.dep.files[k] = self.rng.choice(["", "\n", "# nothing here\n", "   ", "[server]\n"])
        return f"{node_id(k)}: emptied"

    def m_unreadable(self):
        k = self.rng.choice(self.dep.texts())
        op = self.rng.randrange(4)
        if op == 0:
            raw = self.dep.files[k].encode()
            pos = self.rng.randrange(len(raw) + 1)
            self.dep.files[k] = Special("bytes", raw[:pos] + b"\xff\xfe\xc3(" + raw[pos:])
            what = "invalid UTF-8"
        elif op == 1:
            self.dep.files[k] = Special("bytes", self.dep.files[k].encode("utf-16"))
            what = "UTF-16"
        elif op == 2:
            self.dep.files[k] = Special("dir")
            what = "a directory"
        else:
            self.dep.files[k] = Special("symlink", b"../../nowhere/deployment.toml")
            what = "a dangling symlink"
        return f"{node_id(k)}: {what}"

    # ---- secrets

    def m_plaintext(self):
        k = self.pick_node(contains="password")
        if not k:
            return None
        return self.replace_value(k, ["password", "key_password"], PLAINTEXT)

    def m_placeholder(self):
        k = self.pick_node()
        names = ["password", "username", "key_password", "service_url", "hostname", "url",
                 "notification_endpoint", "domain"]
        return self.replace_value(k, names, PLACEHOLDERS)

    def m_secrets(self):
        k = self.pick_node(contains="[secrets]")
        if not k:
            return None
        lines = self.lines(k)
        s = [i for i, l in enumerate(lines) if l.strip() == "[secrets]"][0]
        body = [i for i in range(s + 1, len(lines)) if KEY_RE.match(lines[i])]
        op = self.rng.randrange(5)
        if op == 0 and body:
            i = self.rng.choice(body)
            m = KEY_RE.match(lines[i])
            lines[i] = f'{m.group(2)} = "{self.rng.choice(["[Tru5t-st0re!]", "plain", "", "[]", "wso2carbon"])}"'
            what = f"{m.group(2)} not encrypted"
        elif op == 1 and body:
            i = self.rng.choice(body)
            what = f"remove secret {KEY_RE.match(lines[i]).group(2)}"
            lines.pop(i)
        elif op == 2:
            lines.insert(s + 1, 'tls_key_password = "bm90LWEtcmVhbC1jaXBoZXJ0ZXh0LWp1c3QtYS1maXh0dXJlLXZhbHVl"')
            what = "add secret tls_key_password"
        elif op == 3:
            lines.insert(s + 1, 'unused_alias = "[not-encrypted]"')
            what = "add a plaintext secret"
        else:
            # [secrets] not last: a table after it, or [secrets] moved to the top
            if self.rng.random() < 0.5:
                lines.extend(["", "[apim.throttling]", 'throttle_decision_endpoints = ["tcp://localhost:5672"]', ""])
                what = "a table after [secrets]"
            else:
                block = lines[s:]
                del lines[s:]
                first = next((i for i, l in enumerate(lines) if HEADER_RE.match(l)), 0)
                lines[first:first] = block + [""]
                what = "[secrets] moved first"
        self.set_lines(k, lines)
        return f"{node_id(k)}: {what}"

    # ---- suppressions

    def m_suppression(self):
        k = self.pick_node()
        lines = self.lines(k)
        ids = [self.rng.choice(self.rule_ids) for _ in range(self.rng.choice([1, 1, 1, 2, 3]))]
        if self.rng.random() < 0.15:
            ids[0] = self.rng.choice([self.typo(ids[0]), "no-such-rule", "", "*", "all"])
        scope = self.rng.choice(["allow", "allow", "allow-file"])
        reason = self.rng.choice(["", "", " -- reviewed by ops", " --", " -- ", " -- r\u00e9vis\u00e9",
                                  "-- tight"])
        spacing = self.rng.choice(["# apimlint: ", "#apimlint:", "#  apimlint:  ", "# APIMLINT: "
                                   if self.rng.random() < 0.1 else "# apimlint: "])
        c = f"{spacing}{scope}({', '.join(ids)}){reason}"
        where = self.rng.randrange(3)
        i = self.rng.randrange(len(lines))
        if where == 0:
            lines.insert(i, c)
        elif where == 1 and lines[i].strip() and not lines[i].lstrip().startswith("#"):
            lines[i] = lines[i] + " " + c
        else:
            lines.insert(0, c)
        self.set_lines(k, lines)
        return f"{node_id(k)}: `{c}` near line {i + 1}"

    def m_targeted_suppression(self):
        # a suppression on the line of a likely finding (gateway labels, urls)
        k = self.pick_node(contains=["gateway_labels", "service_url", "_urls", "endpoints", "password"])
        if not k:
            return None
        lines = self.lines(k)
        idxs = [i for i, l in enumerate(lines) if re.match(r"^\s*(gateway_labels|service_url|\w*_urls|\w*endpoints?|password)\s*=", l)]
        if not idxs:
            return None
        i = self.rng.choice(idxs)
        rid = self.rng.choice(["gateway-label-unmatched", "unknown-host", "throttle-url-unreachable",
                               "key-manager-unreachable", "event-hub-unreachable", "plaintext-password",
                               "cross-region-reference", "region-drift", "unknown-key"])
        reason = self.rng.choice(["", " -- known and accepted"])
        if self.rng.random() < 0.5:
            lines[i] += f"  # apimlint: allow({rid}){reason}"
        else:
            lines.insert(i, f"# apimlint: allow({rid}){reason}")
        self.set_lines(k, lines)
        return f"{node_id(k)}: allow({rid}) at line {i + 1}"

    # ---- structure

    def m_remove_node(self):
        if len(self.dep.files) < 2:
            return None
        k = self.rng.choice(sorted(self.dep.files))
        del self.dep.files[k]
        return f"remove node {node_id(k)}"

    def m_copy_region3(self):
        k = self.pick_node()
        nid = node_id(k)
        new = "region-3/" + nid.split("/", 1)[-1]
        newk = k.replace(nid, new, 1)
        if newk in self.dep.files:
            return None
        t = self.dep.files[k]
        if self.rng.random() < 0.6:
            t = t.replace(".r1.", ".r3.").replace(".r2.", ".r3.").replace("region-1", "region-3").replace(
                "region-2", "region-3")
        self.dep.files[newk] = t
        return f"copy {nid} to {new}"

    def m_clone_in_region(self):
        k = self.pick_node()
        nid = node_id(k)
        region, _, name = nid.partition("/")
        new = f"{region}/{re.sub(r'-?[0-9]+$', '', name) or name}-{self.rng.randrange(3, 9)}"
        newk = k.replace(nid, new, 1)
        if newk in self.dep.files:
            return None
        self.dep.files[newk] = self.dep.files[k]
        return f"clone {nid} as {new} (same hostname)"

    def m_move_node(self):
        k = self.pick_node()
        nid = node_id(k)
        op = self.rng.randrange(3)
        if op == 0:
            newk = os.path.join(nid, NODE_FILE)  # flat layout
        elif op == 1:
            newk = os.path.join(os.path.dirname(nid), "nested", os.path.basename(nid), "repository", "conf", NODE_FILE)
        else:
            newk = os.path.join(os.path.basename(nid), "repository", "conf", NODE_FILE)  # no region
        if newk in self.dep.files or any(x.startswith(newk + "/") for x in self.dep.files):
            return None
        self.dep.files[newk] = self.dep.files.pop(k)
        return f"move {k} -> {newk}"

    # ---- apimlint.toml

    def m_config(self):
        c = self.dep.config
        nodes = sorted(node_id(k) for k in self.dep.files)
        op = self.rng.randrange(13)
        if c is None:
            c = ""
        if op == 0:
            v = self.rng.choice(["4.0.0", "4.1.0", "4.2.0", "4.3.0", "4.4.0", "4.5.0", "4.6.0", "3.2.0",
                                 "x", "4.5"])
            if 'version = "' in c:
                c = re.sub(r'version = "[^"]*"', f'version = "{v}"', c, count=1)
            else:
                c = f'[deployment]\nversion = "{v}"\n' + c
            what = f"version {v}"
        elif op == 1:
            lines = c.split("\n")
            idx = [i for i, l in enumerate(lines) if l.startswith('"api.')]
            if not idx:
                return None
            lines.pop(self.rng.choice(idx))
            c = "\n".join(lines)
            what = "remove a [hosts] alias"
        elif op == 2:
            sel = self.rng.sample(nodes, min(len(nodes), self.rng.randrange(1, 4)))
            host = self.rng.choice(["api.r1.example.com", "api.r2.example.com", "lb.example.com",
                                    "tm.r1.example.com", "gw.r1.example.com"])
            val = json.dumps(sel)
            if self.rng.random() < 0.3:
                val = f"{{ nodes = {val}, remaps_ports = true }}"
            if "[hosts]" in c:
                c = c.replace("[hosts]", f'[hosts]\n"{host}" = {val}', 1)
            else:
                c += f'\n[hosts]\n"{host}" = {val}\n'
            what = f"hosts {host} = {val}"
        elif op == 3:
            rid = self.rng.choice(self.rule_ids)
            lvl = self.rng.choice(["off", "error", "warning", "info", "fatal"])
            c += f'\n[rules]\n{rid} = "{lvl}"\n'
            what = f"rules {rid} = {lvl}"
        elif op == 4:
            a, b = self.rng.sample(nodes, 2) if len(nodes) > 1 else (nodes[0], nodes[0])
            m = self.rng.choice(["vm-1", "vm-tm"])
            c += f'\n[nodes."{a}"]\nmachine = "{m}"\n\n[nodes."{b}"]\nmachine = "{m}"\n'
            what = f"machine {m} for {a}, {b}"
        elif op == 5:
            n = self.rng.choice(nodes)
            role = self.rng.choice(ROLES + ["gateway"])
            c += f'\n[nodes."{n}"]\nrole = "{role}"\n'
            what = f"role {role} for {n}"
        elif op == 6:
            n = self.rng.choice(nodes)
            off = self.rng.choice(["1", "2", '"2"', "0"])
            c += f'\n[nodes."{n}"]\nport_offset = {off}\n'
            what = f"port_offset {off} for {n}"
        elif op == 7:
            c += self.rng.choice([
                '\n[regions]\n"eu" = ["region-1/*"]\n"us" = ["region-2/*"]\n',
                '\n[regions]\n"all" = ["*"]\n',
                '\n[regions]\n"dc1" = ["region-1/cp-*", "region-2/gw-*"]\n',
            ])
            what = "regions"
        elif op == 8:
            c += self.rng.choice([
                '\n[environments]\n"*" = ["Partner"]\n',
                '\n[environments]\n"region-1" = ["Internal", "Defualt"]\n',
            ])
            what = "environments"
        elif op == 9:
            c += self.rng.choice(['\n[deploymnt]\nversion = "4.5.0"\n', '\n[nodes."x"]\nmachin = "a"\n',
                                  '\nrules = 1\n', '\n[hosts]\n"a" = 1\n', "\n[rules]\nno-such-rule = \"off\"\n"])
            what = "a bad project file"
        elif op == 10:
            self.dep.config = None
            return "remove apimlint.toml"
        elif op == 11:
            c = c.replace("\n", "\r\n")
            what = "CRLF project file"
        else:
            c += "\n[unclosed\n"
            what = "project file syntax error"
        self.dep.config = c
        return f"apimlint.toml: {what}"

    def m_config_machine(self):
        # two or three nodes on one machine: their ports collide unless offset
        nodes = sorted(node_id(k) for k in self.dep.files)
        if len(nodes) < 2:
            return None
        sel = self.rng.sample(nodes, self.rng.choice([2, 2, 3]))
        c = self.dep.config or ""
        for n in sel:
            c += f'\n[nodes."{n}"]\nmachine = "vm-shared"\n'
            if self.rng.random() < 0.3:
                c += f"port_offset = {self.rng.choice([0, 1, 2])}\n"
        self.dep.config = c
        return f"apimlint.toml: {', '.join(sel)} on one machine"

    MUTATIONS = [
        # (method, weight)
        ("m_url_host", 10), ("m_url_port", 8), ("m_url_scheme", 2), ("m_url_swap", 3),
        ("m_url_array_add", 4), ("m_url_array_remove", 3), ("m_delete_url_group", 4),
        ("m_remove_key", 6), ("m_rename_label", 5), ("m_offset", 4), ("m_server_role", 5),
        ("m_revocation", 2), ("m_cache_invalidation", 2), ("m_copy_table", 3), ("m_delete_table", 3),
        ("m_database", 3), ("m_db_engine", 2), ("m_listener_ref", 1), ("m_keystore", 4), ("m_super_admin", 3), ("m_region_drift", 3),
        ("m_unknown_key", 5), ("m_invalid_value", 4), ("m_invalid_url", 3), ("m_break_syntax", 2),
        ("m_dup_line", 2), ("m_del_line", 3), ("m_dup_table", 2), ("m_unicode", 2), ("m_whitespace", 3),
        ("m_empty", 1), ("m_unreadable", 1), ("m_plaintext", 3), ("m_placeholder", 4), ("m_secrets", 3),
        ("m_suppression", 5), ("m_targeted_suppression", 3), ("m_remove_node", 3), ("m_copy_region3", 3),
        ("m_clone_in_region", 2), ("m_move_node", 1), ("m_config", 5), ("m_config_machine", 1),
    ]

    def mutate(self, n):
        names = [m for m, _ in self.MUTATIONS]
        weights = [w for _, w in self.MUTATIONS]
        log = []
        tries = 0
        while len(log) < n and tries < n * 10:
            tries += 1
            if not self.dep.texts():
                break
            name = self.rng.choices(names, weights)[0]
            try:
                d = getattr(self, name)()
            except (IndexError, ValueError, AttributeError, KeyError, TypeError):
                d = None  # did not apply to this text; draw another
            if d:
                log.append(f"{name[2:]}: {d}")
        return log


def make_random_trees(n, seed, dest_root, rule_ids, catalog_keys):
    bases = {}
    for b in ("pattern-1", "pattern-1-broken"):
        p = os.path.join(FIXTURES, "deployments", b)
        if os.path.isdir(p):
            bases[b] = Deployment.load(p)
    if not bases:
        return []
    trees = []
    width = len(str(max(n - 1, 0)))
    for i in range(n):
        rng = random.Random(f"apimlint-differential:{seed}:{i}")
        base = rng.choice(sorted(bases))
        dep = bases[base].copy()
        m = Mutator(rng, dep, rule_ids, catalog_keys)
        count = rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 12])
        log = m.mutate(count)
        name = f"r{i:0{width}d}"
        rel = os.path.join("random", name)
        dep.write(os.path.join(dest_root, rel))
        style = rng.choices(["dir", "cwd", "dot", "config", "files"], [70, 8, 7, 7, 8])[0]
        if style == "config" and dep.config is None:
            style = "dir"
        files = sorted(dep.files)
        t = Tree("random", name, rel, style, files,
                 f"seed {seed}, tree {i}, base {base}, style {style}\n" + "\n".join(log) + "\n")
        trees.append(t)
    return trees


# --------------------------------------------------------------------------
# comparison


@dataclasses.dataclass
class Difference:
    kind: str
    tree: object  # Tree or None
    label: str
    argv: list
    cwd: str
    old: object  # Result, or a snapshot dict for label ending in ":files"
    new: object
    what: list


LONG = 240  # longer diff lines are cut around their first differing character


def shorten(d):
    """Cut the long lines of a unified diff: a -/+ pair is shown around the
    first character where the two differ, other lines from their start."""
    out = list(d)
    i = 0
    while i < len(out):
        if out[i].startswith("-") and not out[i].startswith("---"):
            j = i
            while j < len(out) and out[j].startswith("-"):
                j += 1
            k = j
            while k < len(out) and out[k].startswith("+") and not out[k].startswith("+++"):
                k += 1
            minus, plus = out[i:j], out[j:k]
            for n in range(max(len(minus), len(plus))):
                a = minus[n][1:] if n < len(minus) else None
                b = plus[n][1:] if n < len(plus) else None
                at = 0
                if a is not None and b is not None:
                    while at < min(len(a), len(b)) and a[at] == b[at]:
                        at += 1
                for lst, idx, x, sign in ((minus, n, a, "-"), (plus, n, b, "+")):
                    if x is not None and len(x) > LONG:
                        lo = max(0, at - 80)
                        cut = x[lo:lo + LONG].rstrip("\n")
                        lst[idx] = (sign + ("\u2026" if lo else "") + cut
                                    + f"\u2026 [{len(x)} chars, first difference at {at}]\n")
            out[i:k] = minus + plus
            i = k
        else:
            if len(out[i]) > LONG:
                out[i] = out[i][:LONG].rstrip("\n") + f"\u2026 [{len(out[i])} chars]\n"
            i += 1
    return out


def text_diff(a, b, name_a, name_b, limit=40):
    al = a.decode("utf-8", "replace").splitlines(keepends=True)
    bl = b.decode("utf-8", "replace").splitlines(keepends=True)
    d = shorten(difflib.unified_diff(al, bl, name_a, name_b, n=2))
    if not d and a != b:
        d = [f"(bytes differ but decode to the same text: {a[:200]!r} vs {b[:200]!r})\n"]
    out = []
    for line in d[:limit]:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    if len(d) > limit:
        out.append(f"... {len(d) - limit} more diff lines\n")
    return "".join(out)


def snapshot_diff(a, b, limit=40):
    lines = []
    for rel in sorted(set(a) | set(b)):
        x, y = a.get(rel), b.get(rel)
        if x == y:
            continue
        if x is None or y is None:
            lines.append(f"only in {'new' if x is None else 'old'}: {rel}\n")
        elif x[0] != y[0] or x[1] != y[1]:
            lines.append(f"{rel}: old {x[0]} {oct(x[1])}, new {y[0]} {oct(y[1])}\n")
        if x is not None and y is not None and x[2] != y[2]:
            lines.extend(text_diff(x[2], y[2], f"old/{rel}", f"new/{rel}", limit).splitlines(keepends=True))
    if len(lines) > limit:
        lines = lines[:limit] + [f"... {len(lines) - limit} more lines\n"]
    return "".join(lines)


def without_docs(label, out):
    """The output without what the rule pages and the rule metadata say
    (`--ignore-docs`): SARIF's rule help, `rules --format json`'s fields
    added with the rule metadata. Findings are compared in full."""
    try:
        doc = json.loads(out)
    except ValueError:
        return out
    if "sarif" in label and isinstance(doc, dict):
        for run in doc.get("runs", []):
            for rule in run.get("tool", {}).get("driver", {}).get("rules", []):
                rule.pop("help", None)
                rule.pop("fullDescription", None)
    elif label == "rules-json" and isinstance(doc, dict):
        for rule in doc.get("rules", []):
            for k in ("fix", "scope", "since", "roles"):
                rule.pop(k, None)
    else:
        return out
    return json.dumps(doc, sort_keys=True).encode()


def compare(old, new):
    what = []
    if old.code != new.code:
        what.append("exit")
    if old.stdout != new.stdout:
        what.append("stdout")
    if old.stderr != new.stderr:
        what.append("stderr")
    return what


class Harness:
    def __init__(self, args, work):
        self.args = args
        self.old = args.old
        self.new = args.new
        self.work = work
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.path.join(work, "home"),
            "LC_ALL": "C.UTF-8",
            "LANG": "C.UTF-8",
            "TZ": "UTC",
        }
        os.makedirs(env["HOME"], exist_ok=True)
        self.runner = Runner(env, args.timeout)
        self.old_env = dict(args.old_env)
        self.new_env = dict(args.new_env)
        self.lock = threading.Lock()
        self.counts = collections.Counter()  # kind -> commands compared
        self.tree_counts = collections.Counter()
        self.abnormal = []  # (kind, name, label, code) for exit codes other than 0/1/2
        self.rule_findings = {}  # kind -> Counter(rule -> findings)
        self.rule_trees = {}  # kind -> Counter(rule -> trees)
        self.rule_trees_reason = {}  # kind -> Counter(rule -> trees) under --require-reason
        self.exit_codes = {}  # kind -> Counter(exit code of check-json)
        self.written = []  # (kind, name, binary, snapshot diff) when a read-only run wrote

    # ---- one pair of runs

    def pair(self, kind, tree, label, argv, cwd_old, cwd_new=None, diffs=None):
        a = self.runner.run(self.old, argv, cwd_old, self.old_env)
        b = self.runner.run(self.new, argv, cwd_new or cwd_old, self.new_env)
        if self.args.ignore_docs:
            a.stdout = without_docs(label, a.stdout)
            b.stdout = without_docs(label, b.stdout)
        with self.lock:
            self.counts[kind] += 1
            for r in (a, b):
                if r.code not in (0, 1, 2):
                    self.abnormal.append((kind, tree.name if tree else "-", label, r.code,
                                          r.stderr[-300:].decode("utf-8", "replace")))
        what = compare(a, b)
        if what and diffs is not None:
            diffs.append(Difference(kind, tree, label, argv, cwd_old, a, b, what))
        return a, b

    # ---- a tree

    def run_tree(self, tree, index):
        diffs = []
        trees_root = os.path.join(self.work, "trees")
        src = os.path.join(trees_root, tree.rel)
        before = snapshot(src)
        cwd, paths = tree.invocation(trees_root)
        results = {}
        for label, argv in READ_ONLY:
            a, b = self.pair(tree.kind, tree, label, argv + paths, cwd, diffs=diffs)
            results[label] = (a, b)
        after = snapshot(src)
        if after != before:
            with self.lock:
                self.written.append((tree.kind, tree.name, "old or new", snapshot_diff(before, after)))
            diffs.append(Difference(tree.kind, tree, "read-only commands wrote into the tree:files",
                                    [], cwd, before, after, ["files"]))
        # fixes and baselines: one fresh copy per binary, at the same path
        fix_base = os.path.join(self.work, "fix", f"t{index:05d}")
        bl = os.path.join(fix_base, "baseline.json")
        tdir = os.path.join(fix_base, tree.rel)
        fcwd, fpaths = tree.invocation(fix_base)
        blrel = os.path.relpath(bl, fcwd)
        steps = [
            ("write-baseline", ["check", "--format", "json", "--write-baseline", blrel]),
            ("baseline", ["check", "--format", "compact", "--baseline", blrel]),
            ("fix-unsafe-json", ["check", "--fix", "--unsafe-fixes", "--format", "json"]),
        ]
        outs = {}
        for who, binary, xenv in (("old", self.old, self.old_env), ("new", self.new, self.new_env)):
            res = []
            os.makedirs(fix_base, exist_ok=True)
            copy_tree(src, tdir)
            for label, argv in steps:
                res.append(self.runner.run(binary, argv + fpaths, fcwd, xenv))
            snap1 = snapshot(fix_base)
            remove_tree(fix_base)
            os.makedirs(fix_base, exist_ok=True)
            copy_tree(src, tdir)
            res.append(self.runner.run(binary, ["check", "--fix", "--format", "compact"] + fpaths, fcwd, xenv))
            snap2 = snapshot(fix_base)
            remove_tree(fix_base)
            outs[who] = (res, snap1, snap2)
        labels = [s[0] for s in steps] + ["fix-safe-compact"]
        argvs = [s[1] + fpaths for s in steps] + [["check", "--fix", "--format", "compact"] + fpaths]
        with self.lock:
            self.counts[tree.kind] += len(labels)
            for who in ("old", "new"):
                for label, r in zip(labels, outs[who][0]):
                    if r.code not in (0, 1, 2):
                        self.abnormal.append((tree.kind, tree.name, label, r.code,
                                              r.stderr[-300:].decode("utf-8", "replace")))
        for label, argv, a, b in zip(labels, argvs, outs["old"][0], outs["new"][0]):
            what = compare(a, b)
            if what:
                diffs.append(Difference(tree.kind, tree, label, argv, fcwd, a, b, what))
        for i, label in ((1, "write-baseline+baseline+fix-unsafe"), (2, "fix-safe-compact")):
            if outs["old"][i] != outs["new"][i]:
                diffs.append(Difference(tree.kind, tree, label + ":files", argvs[2 if i == 1 else 3], fcwd,
                                        outs["old"][i], outs["new"][i], ["files"]))
        # coverage statistics, from the old binary
        self.record_rules(tree.kind, results["check-json"][0], results["check-require-reason-json"][0])
        return tree, diffs, before

    def record_rules(self, kind, res, res_reason):
        with self.lock:
            self.tree_counts[kind] += 1
            self.exit_codes.setdefault(kind, collections.Counter())[res.code] += 1
            f = self.rule_findings.setdefault(kind, collections.Counter())
            t = self.rule_trees.setdefault(kind, collections.Counter())
            tr = self.rule_trees_reason.setdefault(kind, collections.Counter())
            for r, counter, counts in ((res, t, True), (res_reason, tr, False)):
                try:
                    data = json.loads(r.stdout)
                    rules = [d["rule"] for d in data.get("diagnostics", [])]
                except (ValueError, AttributeError, KeyError, TypeError):
                    continue
                if counts:
                    f.update(rules)
                counter.update(set(rules))

    # ---- commands without a tree

    def run_global(self, rule_ids, diffs):
        cwd = self.work
        kind = "global"
        for fmt in ("json", "markdown", "text"):
            self.pair(kind, None, f"rules-{fmt}", ["rules", "--format", fmt], cwd, diffs=diffs)
        for rid in rule_ids:
            if self.args.ignore_docs:
                continue
            self.pair(kind, None, f"explain-{rid}", ["explain", rid], cwd, diffs=diffs)
        for bad in ("no-such-rule", "gateway-label-unmached", ""):
            self.pair(kind, None, f"explain-{bad or 'empty'}", ["explain", bad], cwd, diffs=diffs)

    def run_cli(self, diffs):
        """CLI paths over several trees at once (the trees are read only)."""
        kind = "cli"
        t = os.path.join(self.work, "trees")
        p1 = os.path.join("fixtures", "deployments", "pattern-1")
        p2 = os.path.join("fixtures", "deployments", "pattern-1-broken")
        if not os.path.isdir(os.path.join(t, p1)) or not os.path.isdir(os.path.join(t, p2)):
            return
        cases = [
            ("unsafe-without-fix", ["check", "--unsafe-fixes", p1]),
            ("missing-path", ["check", "--format", "json", "does-not-exist"]),
            ("two-deployments-json", ["check", "--format", "json", p1, p2]),
            ("two-deployments-sarif", ["check", "--format", "sarif", p1, p2]),
            ("two-deployments-compact", ["check", "--format", "compact", p1, p2]),
            ("two-deployments-github", ["check", "--format", "github", p1, p2]),
            ("two-deployments-graph", ["graph", p1, p2]),
            ("config-override", ["check", "--format", "json", "--config", os.path.join(p1, CONFIG_FILE), p2]),
            ("one-file", ["check", "--format", "compact",
                          os.path.join(p2, "region-1", "gw-2", "repository", "conf", NODE_FILE)]),
            ("default-check", [p2]),
            ("fail-on-warning", ["check", "--format", "compact", "--fail-on", "warning", p2]),
            ("all-fixtures-compact", ["check", "--format", "compact", "fixtures"]),
            ("all-fixtures-sarif", ["check", "--format", "sarif", "fixtures"]),
        ]
        for label, argv in cases:
            self.pair(kind, None, label, argv, t, diffs=diffs)


# --------------------------------------------------------------------------
# reporting


def describe(d):
    where = f"{d.kind} {d.tree.name}" if d.tree else d.kind
    return f"{where}: {d.label}"


def report_difference(d, keep, work):
    head = f"DIFFERENCE {describe(d)} ({', '.join(d.what)})"
    print(head)
    if d.argv:
        print(f"  cwd {d.cwd}\n  argv {' '.join(d.argv)}")
    if d.tree and d.tree.log:
        print("  mutations: " + d.tree.log.strip().replace("\n", "\n    "))
    if d.what == ["files"]:
        sys.stdout.write(snapshot_diff(d.old, d.new))
    else:
        if "exit" in d.what:
            print(f"  exit: old {d.old.code}, new {d.new.code}")
        for stream in ("stdout", "stderr"):
            if stream in d.what:
                sys.stdout.write(text_diff(getattr(d.old, stream), getattr(d.new, stream),
                                           f"old/{stream}", f"new/{stream}"))
    if keep:
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", d.label)
        base = os.path.join(keep, d.kind, d.tree.name if d.tree else "_")
        os.makedirs(base, exist_ok=True)
        if d.tree:
            dst = os.path.join(base, "input")
            if not os.path.exists(dst):
                copy_tree(os.path.join(work, "trees", d.tree.rel), dst)
            if d.tree.log:
                with open(os.path.join(base, "mutations.txt"), "w", encoding="utf-8") as f:
                    f.write(d.tree.log)
        with open(os.path.join(base, f"{slug}.command.txt"), "w", encoding="utf-8") as f:
            f.write(f"cwd: {d.cwd}\nargv: {json.dumps(d.argv)}\ndiffers in: {', '.join(d.what)}\n")
            if d.tree:
                f.write(f"input/ is the tree at {d.tree.rel} (style {d.tree.style}) under the workspace\n")
        if d.what == ["files"]:
            for who, snap in (("old", d.old), ("new", d.new)):
                restore(snap, os.path.join(base, f"{slug}.{who}-files"))
        else:
            for who, r in (("old", d.old), ("new", d.new)):
                for stream in ("stdout", "stderr"):
                    with open(os.path.join(base, f"{slug}.{who}.{stream}"), "wb") as f:
                        f.write(getattr(r, stream))
                with open(os.path.join(base, f"{slug}.{who}.exit"), "w", encoding="utf-8") as f:
                    f.write(f"{r.code}\n")
        print(f"  kept in {base}")
    print()


def env_pair(s):
    k, sep, v = s.partition("=")
    if not sep or not k:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, not {s!r}")
    return (k, v)


def default_workdir():
    """A tmpfs: the harness copies and deletes ~1,500 small trees, which on a
    busy disk costs more than running apimlint."""
    try:
        st = os.statvfs("/dev/shm")
        if os.access("/dev/shm", os.W_OK) and st.f_bavail * st.f_frsize > (1 << 30):
            return "/dev/shm"
    except OSError:
        pass
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", required=True, help="the reference apimlint binary")
    ap.add_argument("--new", required=True, help="the apimlint binary under test")
    ap.add_argument("--random", type=int, default=300, metavar="N", help="random trees (default 300)")
    ap.add_argument("--seed", default="1", metavar="S", help="seed of the random trees (default 1)")
    ap.add_argument("--corpus", default=os.path.join(REPO, "..", "shared", "corpus"), metavar="DIR")
    ap.add_argument("--keep", metavar="DIR", help="keep each differing tree and both outputs here")
    ap.add_argument("--jobs", type=int, default=2, help="parallel trees (default 2)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per invocation (default 120)")
    ap.add_argument("--old-env", action="append", default=[], metavar="KEY=VALUE", type=env_pair,
                    help="an environment variable for --old only (repeatable), e.g. RAYON_NUM_THREADS=1")
    ap.add_argument("--new-env", action="append", default=[], metavar="KEY=VALUE", type=env_pair,
                    help="an environment variable for --new only (repeatable)")
    ap.add_argument("--workdir", metavar="DIR",
                    help="parent of the temporary workspace (default: /dev/shm when it has room, else $TMPDIR)")
    ap.add_argument("--ignore-docs", action="store_true",
                    help="ignore what the rule pages and rule metadata say (SARIF rule help, "
                         "`explain`, `rules --format json` metadata): for changes that rewrite pages")
    ap.add_argument("--only", choices=["fixtures", "corpus", "random", "global", "cli"], action="append",
                    help="run only these kinds (repeatable)")
    args = ap.parse_args()
    for b in ("old", "new"):
        p = os.path.abspath(getattr(args, b))
        if not (os.path.isfile(p) and os.access(p, os.X_OK)):
            print(f"differential: --{b} {p} is not an executable file", file=sys.stderr)
            return 2
        setattr(args, b, p)
    kinds = set(args.only or ["fixtures", "corpus", "random", "global", "cli"])
    if args.keep:
        args.keep = os.path.abspath(args.keep)
        os.makedirs(args.keep, exist_ok=True)
    started = time.monotonic()

    work = tempfile.mkdtemp(prefix="apimlint-differential-", dir=args.workdir or default_workdir())
    try:
        return run(args, kinds, work, started)
    finally:
        remove_tree(work)


def run(args, kinds, work, started):
    trees_root = os.path.join(work, "trees")
    os.makedirs(trees_root)
    # an empty .git marks the workspace as a repository root: apimlint's search
    # for apimlint.toml (and .gitignore files) stops here, not in /tmp
    os.makedirs(os.path.join(work, ".git"))
    h = Harness(args, work)

    # the rule ids, from both binaries (a difference in the lists shows up in
    # the global comparison)
    rule_ids = []
    for b in (args.old, args.new):
        r = h.runner.run(b, ["rules", "--format", "json"], work)
        try:
            for x in json.loads(r.stdout)["rules"]:
                if x["id"] not in rule_ids:
                    rule_ids.append(x["id"])
        except (ValueError, KeyError, TypeError):
            print(f"differential: `{b} rules --format json` did not print the rule list (exit {r.code})",
                  file=sys.stderr)
    if not rule_ids:
        return 2
    catalog_keys = []
    try:
        with open(os.path.join(REPO, "rules", "key-catalog.json"), encoding="utf-8") as f:
            cat = json.load(f)
        catalog_keys = sorted((k, v.get("type", "any")) for k, v in cat.get("keys", {}).items()
                              if "[" not in k and "*" not in k and "." in k)
    except (OSError, ValueError):
        pass

    # ---- inputs
    trees = []
    if "fixtures" in kinds:
        for rel in discover_fixture_trees(FIXTURES):
            dst = os.path.join(trees_root, "fixtures", rel)
            if not os.path.exists(dst):
                copy_tree(os.path.join(FIXTURES, rel), dst)
            trees.append(Tree("fixtures", rel, os.path.join("fixtures", rel)))
        # deployment.toml files elsewhere in the repository
        for rel in discover_fixture_trees(REPO, skip_top=("fixtures", "target", "corpus-check", ".git",
                                                          "node_modules")):
            if rel == ".":
                continue
            src = os.path.join(REPO, rel)
            dst = os.path.join(trees_root, "other", rel)
            os.makedirs(dst, exist_ok=True)
            for dirpath, dirnames, filenames in os.walk(src):
                dirnames[:] = [d for d in dirnames if d not in ("target", ".git", "node_modules")]
                for fn in filenames:
                    if fn in (NODE_FILE, CONFIG_FILE, ".gitignore"):
                        p = os.path.join(dirpath, fn)
                        q = os.path.join(dst, os.path.relpath(p, src))
                        os.makedirs(os.path.dirname(q), exist_ok=True)
                        shutil.copy2(p, q)
            trees.append(Tree("fixtures", "(repo) " + rel, os.path.join("other", rel)))
    elif "cli" in kinds:
        copy_tree(os.path.join(FIXTURES), os.path.join(trees_root, "fixtures"))
    corpus_note = ""
    if "corpus" in kinds:
        if os.path.isdir(args.corpus):
            check_py = load_check_py()
            with open(os.path.join(REPO, "corpus-check", "sets.toml"), "rb") as f:
                sets = tomllib.load(f)
            os.makedirs(os.path.join(trees_root, "corpus"))
            skipped = []
            for name, spec in sets.items():
                root = check_py.assemble(name, spec, args.corpus, os.path.join(trees_root, "corpus"))
                if root is None:
                    skipped.append(name)
                    continue
                trees.append(Tree("corpus", name, os.path.join("corpus", name)))
            if skipped:
                corpus_note = f" (skipped, Helm templates: {', '.join(skipped)})"
        else:
            corpus_note = f" (no corpus at {args.corpus})"
    if "random" in kinds and args.random > 0:
        trees += make_random_trees(args.random, args.seed, trees_root, rule_ids, catalog_keys)

    print(f"differential: old {args.old}" + "".join(f" {k}={v}" for k, v in args.old_env))
    print(f"              new {args.new}" + "".join(f" {k}={v}" for k, v in args.new_env))
    print(f"differential: workspace {work}; {len(trees)} trees; {args.jobs} workers; seed {args.seed}")
    sys.stdout.flush()

    # ---- runs
    all_diffs = []
    if "global" in kinds:
        h.run_global(rule_ids, all_diffs)
    if "cli" in kinds:
        h.run_cli(all_diffs)
    for d in all_diffs:
        report_difference(d, args.keep, work)
    done = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futs = [pool.submit(h.run_tree, t, i) for i, t in enumerate(trees)]
        for fut in concurrent.futures.as_completed(futs):
            tree, diffs, _ = fut.result()
            done += 1
            for d in diffs:
                report_difference(d, args.keep, work)
            all_diffs.extend(diffs)
            if done % 50 == 0 or done == len(trees):
                print(f"differential: {done}/{len(trees)} trees, {time.monotonic() - started:.0f}s",
                      file=sys.stderr)
                sys.stderr.flush()
            sys.stdout.flush()
    elapsed = time.monotonic() - started

    # ---- summary
    print("=" * 72)
    print("differential: summary")
    per_kind_diffs = collections.Counter(d.kind for d in all_diffs)
    per_kind_trees_diff = collections.Counter()
    seen = set()
    for d in all_diffs:
        if d.tree and (d.kind, d.tree.name) not in seen:
            seen.add((d.kind, d.tree.name))
            per_kind_trees_diff[d.kind] += 1
    print(f"  {'kind':<10} {'trees':>6} {'commands':>9} {'differing':>10}")
    for kind in ("fixtures", "corpus", "random", "global", "cli"):
        if kind not in kinds:
            continue
        nt = h.tree_counts.get(kind, 0)
        trees_s = str(nt) if kind not in ("global", "cli") else "-"
        extra = f" ({per_kind_trees_diff[kind]} trees)" if per_kind_trees_diff[kind] else ""
        note = corpus_note if kind == "corpus" else ""
        print(f"  {kind:<10} {trees_s:>6} {h.counts.get(kind, 0):>9} {per_kind_diffs[kind]:>10}{extra}{note}")
    print(f"  ({'commands' } = invocations compared, each run once with --old and once with --new)")
    for kind in ("fixtures", "corpus", "random"):
        if h.exit_codes.get(kind):
            codes = ", ".join(f"{c}: {n}" for c, n in sorted(h.exit_codes[kind].items(), key=str))
            print(f"  `check --format json` exit codes, {kind}: {codes}")
    if h.abnormal:
        print(f"  WARNING: {len(h.abnormal)} runs ended with an exit code other than 0/1/2 (panic, signal, timeout):")
        for kind, name, label, code, err in h.abnormal[:20]:
            print(f"    {kind} {name} {label}: exit {code}: {err.strip().splitlines()[-1] if err.strip() else ''}")
    if h.written:
        print(f"  ERROR: {len(h.written)} trees were modified by read-only commands")
    if "random" in kinds and h.tree_counts.get("random"):
        n = h.tree_counts["random"]
        f = h.rule_findings.get("random", collections.Counter())
        t = h.rule_trees.get("random", collections.Counter())
        tr = h.rule_trees_reason.get("random", collections.Counter())
        print(f"\n  rule coverage over the {n} random trees (`check --format json` of --old;"
              f" 'reason' = trees under --require-reason):")
        print(f"  {'rule':<38} {'findings':>8} {'trees':>6} {'reason':>7}")
        fired = 0
        for rid in rule_ids:
            mark = "" if t[rid] or tr[rid] else "   <- never fired"
            fired += bool(t[rid] or tr[rid])
            print(f"  {rid:<38} {f[rid]:>8} {t[rid]:>6} {tr[rid]:>7}{mark}")
        print(f"  {fired}/{len(rule_ids)} rules fired at least once")
    print(f"\n  time: {elapsed:.1f}s")
    if all_diffs:
        print(f"differential: {len(all_diffs)} DIFFERENCES"
              + (f" (kept in {args.keep})" if args.keep else ""))
        return 1
    if h.written:
        return 1
    print("differential: identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
