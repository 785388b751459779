"""Check `apimlint schema` with a real validator (python-jsonschema, Draft 7).

    python schema.py APIMLINT_BINARY REPO [CORPUS_DIR]

1. The schema is a valid draft-07 schema; the command is deterministic.
2. Every sample node (fixtures/deployments/*/**/deployment.toml) validates.
3. Copies of a sample with a wrong value are rejected, naming the key; with
   values apimlint accepts (placeholders, numeric strings, "2m"), accepted.
4. Differential test against the linter: one file per probe value (a string,
   a number, "30s", "$env{X}", an array, ...) sets EVERY key the schema knows to
   that value; the keys the schema rejects must be keys apimlint reports
   (`invalid-value`, `invalid-server-role`, `unknown-key`), and the keys
   `invalid-value` rejects must be keys the schema rejects, but for the known
   leniencies listed in LENIENT.
5. The corpus files that parse with tomllib validate, but for the rejections
   listed in CORPUS_REJECTS (real wrong values, checked by hand).
Any unexpected result exits 1.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from datetime import date, datetime, time

from jsonschema import Draft7Validator

BIN, REPO = sys.argv[1], sys.argv[2]
CORPUS = sys.argv[3] if len(sys.argv) > 3 else None

# Corpus rejections checked by hand: (path suffix, key, why).
CORPUS_REJECTS = []

failures = []


def fail(msg):
    failures.append(msg)
    print(f"schema: FAIL {msg}", file=sys.stderr)


def plain(v):
    """tomllib's values as JSON values (dates as strings, as taplo sees them)."""
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, (datetime, date, time)):
        return v.isoformat()
    return v


def key_of(path):
    """A jsonschema error path as a dotted key (`a.b[0].c`)."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def errors(validator, doc):
    return sorted(validator.iter_errors(doc), key=lambda e: key_of(e.absolute_path))


def run_schema():
    r = subprocess.run([BIN, "schema"], capture_output=True)
    if r.returncode != 0:
        sys.exit(f"schema: `apimlint schema` exited {r.returncode}: {r.stderr.decode()}")
    return r.stdout


# 1. the schema itself
out = run_schema()
if out != run_schema():
    fail("two runs of `apimlint schema` differ")
if not out.endswith(b"}\n"):
    fail("the output does not end with a newline")
schema = json.loads(out)
Draft7Validator.check_schema(schema)
if json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False).encode() + b"\n" != out:
    fail("the output is not pretty-printed with sorted keys")
v = Draft7Validator(schema)
print(f"schema: {len(out):,} bytes, a valid draft-07 schema ({schema['$id']})")

# 2. the samples
samples = sorted(
    os.path.join(d, f)
    for d, _, fs in os.walk(os.path.join(REPO, "fixtures/deployments"))
    for f in fs
    if f == "deployment.toml"
)
ok = 0
for p in samples:
    with open(p, "rb") as f:
        doc = plain(tomllib.load(f))
    errs = errors(v, doc)
    for e in errs:
        fail(f"{os.path.relpath(p, REPO)}: {key_of(e.absolute_path)}: {e.message}")
    ok += not errs
print(f"schema: {ok}/{len(samples)} sample nodes validate")
if len(samples) != 24 or ok != len(samples):
    fail(f"expected 24 valid sample nodes, got {ok}/{len(samples)}")

# 3. edited copies of a sample: (section, key, TOML value, the key rejected or None)
base_path = os.path.join(REPO, "fixtures/deployments/pattern-1/region-1/gw-1/repository/conf/deployment.toml")
with open(base_path, encoding="utf-8") as f:
    base = f.read()


def set_key(text, section, key, value):
    """`text` with `key = value` in `[section]` (replaced, else added; the
    section appended when missing)."""
    lines = text.split("\n")
    header = f"[{section}]"
    if header not in lines:
        return text.rstrip("\n") + f"\n\n{header}\n{key} = {value}\n"
    start = lines.index(header) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("[")), len(lines))
    for i in range(start, end):
        if re.match(rf"{re.escape(key)}\s*=", lines[i]):
            lines[i] = f"{key} = {value}"
            return "\n".join(lines)
    lines.insert(start, f"{key} = {value}")
    return "\n".join(lines)


EDITS = [
    ("server", "offset", '"abc"', "server.offset"),
    ("server", "offset", "1.5", "server.offset"),
    ("server", "server_role", "42", "server.server_role"),
    ("server", "server_role", '"gateway"', "server.server_role"),
    ("truststore", "type", '"JSK"', "truststore.type"),
    ("database.shared_db", "type", '"postgres"', "database.shared_db.type"),
    ("database.shared_db", "port", '"1433x"', "database.shared_db.port"),
    ("apim.cache.jwt_claim", "expiry_time", '"2 weeks"', "apim.cache.jwt_claim.expiry_time"),
    ("apim.event_hub", "enable", '"yes"', "apim.event_hub.enable"),
    ("user_store", "type", '"ldap"', "user_store.type"),
    # accepted, as apimlint accepts them
    ("server", "offset", '"$env{OFFSET}"', None),
    ("server", "offset", '" 2 "', None),
    ("server", "server_role", '"api-publisher-deprecated"', None),
    ("truststore", "type", '"pkcs12"', None),
    ("database.shared_db", "port", '"$sys{db.port}"', None),
    ("apim.cache.jwt_claim", "expiry_time", '"2m"', None),
    ("apim.cache.jwt_claim", "expiry_time", "900", None),
    ("apim.event_hub", "enable", '"TRUE"', None),
    ("server", "hostname", "42", None),
]
for section, k, value, key in EDITS:
    text = set_key(base, section, k, value)
    doc = plain(tomllib.loads(text))
    got = [(key_of(e.absolute_path), e.message) for e in errors(v, doc)]
    what = f"[{section}] {k} = {value}"
    if key is None and got:
        fail(f"{what}: rejected ({got}) although apimlint accepts it")
    elif key is not None and sorted({g for g, _ in got}) != [key]:
        fail(f"{what}: expected exactly one error, at {key}; got {got}")
    else:
        print(f"schema: {what}: " + (f"rejected at {key}: {got[0][1]}" if key else "accepted"))

# 4. differential test against the linter
PROBES = [
    '"abc"', '""', '"true"', '"TRUE"', '"yes"', '" 42 "', '"+5"', '"-3"', '"1.5"',
    '"1e3"', '".5"', '"inf"', '"NaN"', '"30s"', '"30 m"', '"500ms"', '"2 weeks"',
    '"$env{X}"', '"${a.b}"', '"x $ref{a.b}"', '"JKS"', '"jks"', '"production"',
    '"Production"', '"postgres"', '"postgre"', '"loadbalance"', '"control-plane"',
    '"api-publisher-deprecated"', '"0"', "42", "-1", "0", "1.5", "1.0", "true",
    "false", "[1, 2]", '["a"]', "{ a = 1 }", "1979-05-27", "1979-05-27T07:32:00Z",
]
PLACEHOLDER = re.compile(r"\$(?:ref|secret|env|sys)?\{")
# apimlint rejects, the schema accepts (the schema may be more lenient than
# the linter, never stricter): (name, test of (probe, kind of key, message))
LENIENT = [
    (
        "a duration under one unit of the key (\"30s\" for a key read in minutes): a range a regex does not express",
        lambda probe, kind, msg: kind == "duration" and "converts to 0" in msg,
    ),
    (
        "a placeholder in server_role: invalid-server-role does not resolve them; the schema accepts one in every key",
        lambda probe, kind, msg: kind == "server_role" and PLACEHOLDER.search(probe),
    ),
    (
        "1.0 for an integer or a duration: JSON Schema's `integer` includes 1.0",
        lambda probe, kind, msg: kind in ("integer", "duration") and probe == "1.0",
    ),
]
# the schema rejects, apimlint does not: (name, test of (probe, key))
STRICTER = [
    (
        "a server_role that is not a string: invalid-server-role only reads strings",
        lambda probe, key: key == ("server", "server_role") and not probe.startswith('"'),
    ),
    (
        "an inline table where a boolean, a number, a duration or an enumerated string is expected: "
        "invalid-value reads plain values only, and inside a free-form map (`transport.http.properties.port = { a = 1 }`) "
        "unknown-key does not report the table's keys either",
        lambda probe, key: probe.startswith("{"),
    ),
]


def skeleton(s, name="x1"):
    """The keys of a schema: {key: subtree} for a table, [subtree] for an
    array of tables, None for a value (the `*` keys are named `name`)."""
    if "items" in s:
        return [skeleton(s["items"])]
    if s.get("type") == "object":
        t = {k: skeleton(x) for k, x in s.get("properties", {}).items()}
        if isinstance(s.get("additionalProperties"), dict):
            t[name] = skeleton(s["additionalProperties"])
        return t
    return None


def kind_of(s):
    p = s.get("pattern", "")
    if "(?:d|h|m|s|ms)" in p:
        return "duration"
    if s.get("type") == ["integer", "string"]:
        return "integer"
    return "other"


def qk(k):
    return json.dumps(k, ensure_ascii=False)


def emit(tree, value):
    """TOML setting every value of `tree` to `value`; {line: dotted key}."""
    lines, where = [], {}

    def table(t, header, path, aot):
        if header is not None:
            lines.append(f"[[{header}]]" if aot else f"[{header}]")
        for k, x in t.items():
            if x is None:
                lines.append(f"{qk(k)} = {value}")
                where[len(lines)] = path + [k]
        for k, x in t.items():
            h = f"{header}.{qk(k)}" if header else qk(k)
            if isinstance(x, dict):
                table(x, h, path + [k], False)
            elif isinstance(x, list):
                table(x[0], h, path + [k, 0], True)

    table(tree, None, [], False)
    return "\n".join(lines) + "\n", where


def lookup(s, path):
    for p in path:
        s = s["items"] if isinstance(p, int) else s.get("properties", {}).get(p, s.get("additionalProperties"))
    return s


tree = skeleton(schema)
# keys that make apimlint read the node as an Identity Server key manager,
# where `unknown-key` reports only sure suggestions (model.rs, content_role)
tree["database"].pop("identity_db", None)
tree["resource"].pop("access_control", None)
work = tempfile.mkdtemp(prefix="apimlint-schema-")
n_keys = None
lenient_seen, stricter_seen = {}, {}
for probe in PROBES:
    text, where = emit(tree, probe)
    n_keys = len(where)
    d = os.path.join(work, "probe")
    os.makedirs(d, exist_ok=True)
    toml = os.path.join(d, "deployment.toml")
    with open(toml, "w", encoding="utf-8") as f:
        f.write(text)
    doc = plain(tomllib.loads(text))
    by_schema = {tuple(e.absolute_path): e.message for e in errors(v, doc)}
    r = subprocess.run([BIN, "check", "--format", "json", toml], capture_output=True, cwd=d)
    if r.returncode not in (0, 1):
        sys.exit(f"schema: apimlint failed on the probe {probe}: {r.stderr.decode()}")
    reported, invalid = {}, {}
    for diag in json.loads(r.stdout)["diagnostics"]:
        line = diag["range"]["start"]["line"]
        if line not in where:
            continue
        key = tuple(where[line])
        if diag["rule"] in ("invalid-value", "invalid-server-role", "unknown-key"):
            reported[key] = diag["message"]
        if diag["rule"] in ("invalid-value", "invalid-server-role") and diag["severity"] != "info":
            invalid[key] = diag["message"]
    for key, msg in sorted(by_schema.items(), key=str):
        if key in reported:
            continue
        why = [name for name, test in STRICTER if test(probe, key)]
        if why:
            stricter_seen.setdefault(why[0], set()).add(probe)
            continue
        fail(f"probe {probe}: the schema rejects {key_of(key)} ({msg}), apimlint accepts it")
    for key, msg in sorted(invalid.items(), key=str):
        if key in by_schema:
            continue
        kind = "server_role" if key == ("server", "server_role") else kind_of(lookup(schema, key))
        why = [name for name, test in LENIENT if test(probe, kind, msg)]
        if why:
            lenient_seen.setdefault(why[0], set()).add(probe)
            continue
        fail(f"probe {probe}: apimlint rejects {key_of(key)} ({msg}), the schema accepts it")
    print(f"schema: probe {probe:>24}: the schema rejects {len(by_schema):4} keys, invalid-value/invalid-server-role {len(invalid):4}")
print(f"schema: differential test: {len(PROBES)} probe values x {n_keys} keys")
for name, probes in lenient_seen.items():
    print(f"schema:   more lenient than apimlint: {name} ({', '.join(sorted(probes))})")
for name, probes in stricter_seen.items():
    print(f"schema:   stricter than apimlint: {name} ({', '.join(sorted(probes))})")

# 5. the corpus
if CORPUS and os.path.isdir(CORPUS):
    files = sorted(
        os.path.join(d, f) for d, _, fs in os.walk(CORPUS) for f in fs if f == "deployment.toml"
    )
    parsed = valid = 0
    expected = {(p, k) for p, k, _ in CORPUS_REJECTS}
    seen = set()
    for p in files:
        rel = os.path.relpath(p, CORPUS)
        try:
            with open(p, "rb") as f:
                doc = plain(tomllib.load(f))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            print(f"schema: corpus {rel}: not TOML 1.0 ({e}): skipped")
            continue
        parsed += 1
        errs = errors(v, doc)
        valid += not errs
        for e in errs:
            key = key_of(e.absolute_path)
            hit = [x for x in expected if rel.endswith(x[0]) and x[1] == key]
            if hit:
                seen.update(hit)
                print(f"schema: corpus {rel}: {key} rejected, as expected: {e.message}")
            else:
                fail(f"corpus {rel}: {key}: {e.message}")
    for x in sorted(expected - seen):
        fail(f"corpus: expected rejection not seen: {x}")
    print(f"schema: corpus: {valid}/{parsed} files validate ({len(files)} found, {len(files) - parsed} not TOML 1.0)")
else:
    print("schema: no corpus: skipped")

shutil.rmtree(work, ignore_errors=True)
if failures:
    print(f"schema: {len(failures)} unexpected result(s)", file=sys.stderr)
    sys.exit(1)
print("schema: all checks passed")
