#!/usr/bin/env python3
"""Round 2 plain-tree cases (classes 5, 6, 7), built from
tests/redteam/pattern1/legit-fqdn-baseline-with-bridge/tree (a correct two-region base).
Rerun to regenerate; the trees are what is committed and read."""
import os, re, shutil, pathlib

HERE = pathlib.Path(__file__).resolve().parent
BASE = HERE.parent.parent / "redteam" / "pattern1" / "legit-fqdn-baseline-with-bridge" / "tree"
CONF = "repository/conf/deployment.toml"
NODES = [f"region-{r}/{n}" for r in (1, 2) for n in ("cp-1", "cp-2", "tm-1", "tm-2", "gw-1", "gw-2")]


def q(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def case(name, kind, summary, cite, expects=(), edits=None, allow=None, args=None):
    d = HERE / name
    if d.exists():
        shutil.rmtree(d)
    shutil.copytree(BASE, d / "tree")
    t = d / "tree"
    if edits:
        edits(t)
    lines = [f"kind = {q(kind)}", f"summary = {q(summary)}", f"cite = {q(cite)}"]
    if args:
        lines.append("args = [" + ", ".join(q(a) for a in args) + "]")
    if allow:
        lines.append("allow = [" + ", ".join(q(a) for a in allow) + "]")
    for e in expects:
        lines.append("")
        lines.append("[[expect]]")
        for k, v in e.items():
            lines.append(f"{k} = {q(v)}")
    (d / "case.toml").write_text("\n".join(lines) + "\n")


def rd(t, node):
    return (t / node / CONF).read_text()


def wr(t, node, text):
    (t / node / CONF).write_text(text)


def sub(t, node, old, new, count=1):
    s = rd(t, node)
    assert old in s, (node, old)
    wr(t, node, s.replace(old, new, count))


def add_before_secrets(t, node, block):
    s = rd(t, node)
    i = s.index("# Secure Vault aliases")
    wr(t, node, s[:i] + block + "\n" + s[i:])


def set_version(t, v):
    p = t / "apimlint.toml"
    s = p.read_text()
    s = re.sub(r'version = "[^"]+"', f'version = "{v}"', s)
    p.write_text(s)


def add_hosts(t, entries):
    p = t / "apimlint.toml"
    s = p.read_text()
    s = s.replace('[hosts]\n', '[hosts]\n' + entries, 1)
    p.write_text(s)


# ---------------------------------------------------------------- class 5: host near misses
CLI_RESOLVE = ("cli.md, Resolving a URL to nodes, step 2: 'Otherwise the first source that names any node: `[hosts]`; "
               "nodes whose `[server] hostname` equals the host ...'; cli.md apimlint.toml: '[hosts] # load balancers and "
               "DNS names that no node carries itself'; step 5: 'A host that resolves to nothing but lies within edit distance 2 "
               "of a name that does resolve ... is a finding of the rule that uses the URL' (a host that resolves through [hosts] "
               "is not one that resolves to nothing).")


def ws_name(t):
    for r in (1, 2):
        for cp in ("cp-1", "cp-2"):
            node = f"region-{r}/{cp}"
            s = rd(t, node)
            s = s.replace(f"ws://gw.r{r}.example.com:9099", f"ws://ws.r{r}.example.com:9099")
            s = s.replace(f"wss://gw.r{r}.example.com:8099", f"wss://ws.r{r}.example.com:8099")
            wr(t, node, s)
    add_hosts(t, '"ws.r1.example.com" = ["region-1/gw-1", "region-1/gw-2"]\n'
                 '"ws.r2.example.com" = ["region-2/gw-1", "region-2/gw-2"]\n')


case("legit-ws-endpoint-separate-dns-name", "legit",
     "the gateway environments publish WebSocket endpoints on a separate DNS name ws.rN.example.com (one label away from the gateways' gw.rN.example.com), declared in apimlint.toml [hosts] for the gateways",
     "WSO2 docs, Configure multiple gateway environments / deployment.toml [[apim.gateway.environment]]: ws_endpoint and wss_endpoint are separate URLs from http(s)_endpoint (e.g. the docs' `ws_endpoint = \"ws://localhost:9099\"`), so a distinct DNS name for WebSocket traffic is a normal front-end setup. " + CLI_RESOLVE,
     edits=ws_name)


def cp_lb_name(t):
    for r in (1, 2):
        for n in ("gw-1", "gw-2", "tm-1", "tm-2"):
            node = f"region-{r}/{n}"
            s = rd(t, node)
            s = s.replace(f'[apim.event_hub]\nenable = true\nusername = "$ref{{super_admin.username}}"\npassword = "$ref{{super_admin.password}}"\nservice_url = "https://api.r{r}.example.com/services/"',
                          f'[apim.event_hub]\nenable = true\nusername = "$ref{{super_admin.username}}"\npassword = "$ref{{super_admin.password}}"\nservice_url = "https://cp.r{r}.example.com/services/"')
            assert "cp.r%d.example.com" % r in s, node
            wr(t, node, s)
    add_hosts(t, '"cp.r1.example.com" = ["region-1/cp-1", "region-1/cp-2"]\n'
                 '"cp.r2.example.com" = ["region-2/cp-1", "region-2/cp-2"]\n')


case("legit-internal-cp-lb-name-one-label-short", "legit",
     "gateways and traffic managers reach the event hub through an internal load balancer cp.rN.example.com (edit distance 2 from the nodes' cp-1/cp-2.rN.example.com), declared in apimlint.toml [hosts]",
     "seed multi-dc-pattern-1.md Step 2: the gateways' `[apim.event_hub] service_url` points at the control plane ('https://cp.am.wso2.com:9443/services/' style LB names in WSO2's distributed-deployment pages). " + CLI_RESOLVE,
     edits=cp_lb_name)

case("decision-endpoint-one-letter-typo", "mistake",
     "region-1/gw-1's throttle_decision_endpoints names tn-1.r1.example.com, a one-letter typo of traffic manager tm-1.r1.example.com",
     "rules.md throttle-url-unreachable: '`throttle_decision_endpoints` (tcp, 5672 + offset), resolve to traffic managers'; cli.md step 5: 'A host that resolves to nothing but lies within edit distance 2 of a name that does resolve in the writer's region is a finding of the rule that uses the URL, at that rule's severity, with \"did you mean\"'.",
     expects=[{"rule": "throttle-url-unreachable", "node": "region-1/gw-1"}],
     edits=lambda t: sub(t, "region-1/gw-1", 'throttle_decision_endpoints = ["tcp://tm-1.r1.example.com:5672"',
                         'throttle_decision_endpoints = ["tcp://tn-1.r1.example.com:5672"'))

case("event-listening-domain-typo", "mistake",
     "region-2/tm-2 listens to the event hub at cp-2.r2.exmaple.com (a typo of cp-2.r2.example.com)",
     "rules.md event-hub-unreachable: '`event_listening_endpoints` resolve to control planes on 5672 + offset'; cli.md step 5 (near miss within edit distance 2 is the using rule's finding with a did-you-mean).",
     expects=[{"rule": "event-hub-unreachable", "node": "region-2/tm-2"}],
     edits=lambda t: sub(t, "region-2/tm-2", '"tcp://cp-2.r2.example.com:5672"]', '"tcp://cp-2.r2.exmaple.com:5672"]'))


def wss_typo(t):
    sub(t, "region-1/cp-2", 'wss_endpoint = "wss://gw.r1.example.com:8099"', 'wss_endpoint = "wss://gw.r1.exmple.com:8099"')


case("environment-wss-endpoint-typo", "mistake",
     "region-1/cp-2's Default environment publishes wss://gw.r1.exmple.com:8099, a one-letter typo of the gateways' gw.r1.example.com",
     "rules.md gateway-environment-unreachable: 'an environment's service_url, http(s)_endpoint, ws(s)_endpoint ... resolve to gateways on 9443/8280/8243/9099/8099 + offset'; cli.md step 5 (near miss: the using rule's finding with a did-you-mean).",
     expects=[{"rule": "gateway-environment-unreachable", "node": "region-1/cp-2"}],
     edits=wss_typo)

# ---------------------------------------------------------------- class 6: 4.7.0 [encryption] key
LIT = "f3a9c27be1d84a06b5c2e7f1d0a49b38"
ENC_CITE = ("rules.md encryption-key-mismatch: '4.7.0 and later (symmetric internal encryption): every node sharing a database has "
            "the same `[encryption] key` (compared as written: equal literals or the same `$secret{}` alias; `$env{}` skipped)'; "
            "explain encryption-key-mismatch: 'WSO2 generates no key for you, so a node without one differs from nodes that have one'.")


def enc_all(t, value, skip=(), alt=None):
    set_version(t, "4.7.0")
    for n in NODES:
        if n in skip:
            continue
        v = alt.get(n, value) if alt else value
        add_before_secrets(t, n, f"# API-M 4.7.0 symmetric internal encryption (one key for every node sharing the databases)\n[encryption]\nkey = {q(v)}\n")


case("enc-47-gateway-without-key", "mistake",
     "API-M 4.7.0: eleven nodes set one literal [encryption] key; region-2/gw-2 has no [encryption] table",
     ENC_CITE + " Seed Step 1: the regions share replicated databases.",
     expects=[{"rule": "encryption-key-mismatch", "node": "region-2/gw-2"}],
     edits=lambda t: enc_all(t, LIT, skip=("region-2/gw-2",)))

case("enc-47-tm-key-one-char-off", "mistake",
     "API-M 4.7.0: region-1/tm-1's literal [encryption] key differs from everybody else's by one hex digit",
     ENC_CITE,
     expects=[{"rule": "encryption-key-mismatch", "node": "region-1/tm-1"}],
     edits=lambda t: enc_all(t, LIT, alt={"region-1/tm-1": LIT[:-1] + "9"}))


def enc_secret(t, skipmix=None):
    set_version(t, "4.7.0")
    for n in NODES:
        s = rd(t, n)
        i = s.index("# Secure Vault aliases")
        val = '$secret{encryption_key}' if n != skipmix else LIT
        s = s[:i] + f"[encryption]\nkey = {q(val)}\n\n" + s[i:]
        s = s.rstrip("\n") + "\nencryption_key = \"Zk3N9qXo1TfZ2oYp0G7w3bHq5m8VdLr4cS6aE1uKj9WnP2xRtB7yQe0vMhA5iDgF8lCzUs3OkJ6pTb1XwYa4Nr2HdVq7LmE9gSc0ZuKi5PjRo8BnWt3QyFx6AvMe1DlGh4Ja7Tk2Ns9Ub5Cr0Wp3Yz8Ox6Li1Eq4Fm7Vg2Hd9Ks5Rj0Pn3Ta6Bu8Cy1Wo4Xe7Zl2Mi5Gb9Qf0Ah3Sv6Dr==\"\n"
        wr(t, n, s)


case("legit-enc-47-same-secret-alias", "legit",
     "API-M 4.7.0: every node of both regions sets [encryption] key = \"$secret{encryption_key}\" (cipher-tool encrypted in each node's [secrets])",
     ENC_CITE,
     edits=lambda t: enc_secret(t))

case("enc-47-one-cp-literal-others-alias", "mistake",
     "API-M 4.7.0: region-2/cp-1 writes the key as a literal while every other node uses $secret{encryption_key}: not comparable as written, so the rule must report it",
     ENC_CITE + " (a literal and a `$secret{}` alias are not 'equal literals or the same `$secret{}` alias').",
     expects=[{"rule": "encryption-key-mismatch", "node": "region-2/cp-1"}],
     edits=lambda t: enc_secret(t, skipmix="region-2/cp-1"))

case("legit-enc-47-same-literal-key", "legit",
     "API-M 4.7.0: every node of both regions sets the same literal [encryption] key",
     ENC_CITE + " (equal literals agree).",
     edits=lambda t: enc_all(t, LIT))


# ---------------------------------------------------------------- class 7: deprecated 4.0 profiles
def single_region_with_portal(t, version, role):
    shutil.rmtree(t / "region-2")
    for n in ("cp-1", "cp-2"):
        for f in (t / "region-1" / n / "repository").rglob("*"):
            pass
        shutil.rmtree(t / "region-1" / n / "repository" / "deployment")
        os.remove(t / "region-1" / n / "repository" / "conf" / "jndi-region2.properties")
    (t / "apimlint.toml").write_text(
        "# apimlint project file\n\n[deployment]\n" f'version = "{version}"\n\n[hosts]\n'
        '"api.r1.example.com" = ["region-1/cp-1", "region-1/cp-2"]\n')
    # 4.0/4.1 environments have no provider/gateway_type keys: drop them
    for n in ("region-1/cp-1", "region-1/cp-2"):
        s = rd(t, n)
        s = s.replace('provider = "wso2"\n', '').replace('gateway_type = "Regular"\n', '')
        wr(t, n, s)
    cp = rd(t, "region-1/cp-1")
    head, secrets = cp.split("# Secure Vault aliases", 1)
    # portal node: databases, keystores, key manager + event hub of the control planes
    keep = head.split("[[apim.gateway.environment]]", 1)[0]
    keep = keep.replace('hostname = "cp-1.r1.example.com"', 'hostname = "portal.r1.example.com"')
    keep = keep.replace('node_ip = "10.10.1.11"', 'node_ip = "10.10.1.31"')
    keep = keep.replace('server_role = "control-plane"', f'server_role = "{role}"')
    keep = keep.replace("# region-1/cp-1 - WSO2 API-M 4.5.0, multi-DC Pattern 1 (control-plane)", f"# region-1 portal node - WSO2 API-M {version}, deprecated profile {role}")
    portal = keep + (
        '[apim.key_manager]\nservice_url = "https://api.r1.example.com/services/"\n'
        'username = "$ref{super_admin.username}"\npassword = "$ref{super_admin.password}"\n\n'
        '[apim.event_hub]\nenable = true\nusername = "$ref{super_admin.username}"\npassword = "$ref{super_admin.password}"\n'
        'service_url = "https://api.r1.example.com/services/"\n'
        'event_listening_endpoints = ["tcp://cp-1.r1.example.com:5672", "tcp://cp-2.r1.example.com:5672"]\n\n'
        "# Secure Vault aliases" + secrets)
    name = "devportal-1" if "devportal" in role else "publisher-1"
    (t / "region-1" / name / "repository" / "conf").mkdir(parents=True)
    wr(t, f"region-1/{name}", portal)


ROLE_CITE = ("rules.md invalid-server-role: 'the 4.0/4.1 `api-publisher-deprecated`/`api-devportal-deprecated` are an info "
             "(an error from 4.2.0, which removed them; see *Product versions*)'; Product versions: 'the deprecated 4.0 profiles "
             "were removed in **4.2.0** (not 4.3.0)'; cli.md Roles: 'The deprecated 4.0 roles (`api-key-manager-deprecated`, "
             "`api-publisher-deprecated`, `api-devportal-deprecated`) are accepted with an info.'")

case("legit-400-devportal-deprecated-profile", "legit",
     "API-M 4.0.0 ([deployment] version): a separate Developer Portal node with server_role = \"api-devportal-deprecated\" next to the CP/TM/GW pairs",
     ROLE_CITE + " WSO2 4.0.0 docs, Product profiles: '-Dprofile=api-devportal-deprecated' (deprecated profiles still shipped in 4.0.0).",
     edits=lambda t: single_region_with_portal(t, "4.0.0", "api-devportal-deprecated"))

case("legit-410-publisher-deprecated-profile", "legit",
     "API-M 4.1.0: a separate Publisher node with server_role = \"api-publisher-deprecated\" (still accepted in 4.1, an info at most)",
     ROLE_CITE,
     edits=lambda t: single_region_with_portal(t, "4.1.0", "api-publisher-deprecated"))

case("devportal-deprecated-profile-at-420", "mistake",
     "the same separate Developer Portal node with server_role = \"api-devportal-deprecated\", but [deployment] version = \"4.2.0\", which removed the profile",
     ROLE_CITE + " wso2-facts §2: any other value 'matches nothing in infer.json and **silently** behaves like an all-in-one'.",
     expects=[{"rule": "invalid-server-role", "node": "region-1/devportal-1", "severity": "error"}],
     edits=lambda t: single_region_with_portal(t, "4.2.0", "api-devportal-deprecated"))

case("publisher-deprecated-profile-at-430", "mistake",
     "a separate Publisher node with server_role = \"api-publisher-deprecated\" at [deployment] version = \"4.3.0\" (removed since 4.2.0)",
     ROLE_CITE,
     expects=[{"rule": "invalid-server-role", "node": "region-1/publisher-1", "severity": "error"}],
     edits=lambda t: single_region_with_portal(t, "4.3.0", "api-publisher-deprecated"))
