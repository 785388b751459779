#!/usr/bin/env python3
"""Writes the keys red-team cases (tests/redteam/keys/<case>/). Run through make.sh.

Plain trees come from the pattern1 batch's generator (tests/redteam/pattern1/generate.py:
correct Pattern-1 layouts with the seed's Step-3 bridge, `$secret{}` passwords), to which
this script adds real key material made with keytool (ks.py): one primary keystore
(`apim-primary.jks`, alias `apim-primary`), one internal keystore (`apim-internal.jks`), a
TLS keystore per node (`<node>-tls.jks`, alias `<node>-tls`, signed by an internal CA, SAN =
the node's host names + localhost) and one truststore (`apim-truststore.jks`: the CA as
`apim-ca`, the primary certificate as `gateway_certificate_alias`). Manifest cases come from
k8s.py. Each case changes one thing.
"""
import os
import shutil
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the cases (or in ../pattern1)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pattern1"))
import generate as g  # noqa: E402
import ks  # noqa: E402
import k8s  # noqa: E402

SEC = "repository/resources/security"
CORPUS = "/work/shared/corpus/wso2__default-keystores"
NF = "spec/node-files.md (Key material)"
RU = "spec/rules.md (Key material)"

CASES = []


# ------------------------------------------------------------------ helpers
def short(n):
    return n.id.split("/")[-1]


def nodes(dep):
    return [n for r in dep.regions for n in r.nodes]


def is_ip(h):
    h = h.strip("[]")
    return ":" in h or h.replace(".", "").isdigit()


def san_of(n, extra=(), localhost=True, ips=True):
    hs = []
    for h in [n.host, n.urlhost, *extra]:
        if is_ip(h):
            if ips:
                hs.append("ip:" + h.strip("[]"))
        else:
            hs.append("dns:" + h)
    if localhost:
        hs.append("dns:localhost")
    return ",".join(dict.fromkeys(hs))


def primary_ks(alias="apim-primary", tag="", **kw):
    return ks.selfsigned(alias, "Acme APIM token signing", tag=tag, **kw)


def internal_ks(alias="apim-internal"):
    return ks.selfsigned(alias, "Acme APIM internal encryption")


def truststore(primary, alias="apim-primary", under="gateway_certificate_alias", extra=()):
    return ks.store([("apim-ca", ks.ca_cert()), (under, ks.export(primary, alias)), *extra])


def tls_ks(n, **kw):
    return ks.signed(f"{short(n)}-tls", n.host, san_of(n), **kw)


def std_keys(dep, primary=None, trust=None, tls=None, internal=True):
    """{node id: {file name: staged path}} for a correct deployment."""
    P = primary or primary_ks(dep.keystore[2])
    T = trust or truststore(P, dep.keystore[2])
    out = {}
    for n in nodes(dep):
        m = {dep.keystore[0]: P, "apim-truststore.jks": T,
             f"{short(n)}-tls.jks": (tls(n) if tls else tls_ks(n))}
        if internal:
            m[dep.internal[0]] = internal_ks(dep.internal[2])
        out[n.id] = m
    return out


def lay(files, keys):
    for nid, m in keys.items():
        for fname, path in m.items():
            files[f"{nid}/{SEC}/{fname}"] = ks.read(path) if isinstance(path, str) else path
    return files


def case(name, kind, summary, cite, files, expects=(), allow=(), args=None):
    CASES.append((name, kind, summary, cite, files, expects, allow, args))


def write(name, kind, summary, cite, files, expects, allow, args):
    d = os.path.join(HERE, name)
    if os.path.exists(d):
        shutil.rmtree(d)
    for p, t in files.items():
        full = os.path.join(d, "tree", p)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(t if isinstance(t, bytes) else t.encode())
    q = lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    s = f"kind = {q(kind)}\nsummary = {q(summary)}\ncite = {q(cite)}\n"
    if args:
        s += "args = [" + ", ".join(q(a) for a in args) + "]\n"
    if allow:
        s += "allow = [" + ", ".join(q(a) for a in allow) + "]\n"
    for e in expects:
        s += "\n[[expect]]\n"
        for k, v in e.items():
            s += f"{k} = {q(v)}\n"
    with open(os.path.join(d, "case.toml"), "w") as f:
        f.write(s)


def toml(nid):
    return g.node(nid)


def edit_all(files, dep, old, new, roles=None):
    for n in nodes(dep):
        if roles is None or n.role in roles:
            g.edit(files, toml(n.id), old, new)


SHIPPED = """
[keystore.tls]
file_name =  "wso2carbon.jks"
type =  "JKS"
password =  "wso2carbon"
alias =  "wso2carbon"
key_password =  "wso2carbon"

[truststore]
file_name = "client-truststore.jks"
type = "JKS"
password = "wso2carbon"
"""


def shipped_tables(d):
    """The keystore tables of WSO2's shipped deployment.toml (product-apim .../conf/deployment.toml):
    no [keystore.primary] (WSO2's default wso2carbon.jks), TLS and truststore written literally."""
    d.keystores = lambda n: SHIPPED


def add_certificates(files, days):
    files["apimlint.toml"] += f"\n[certificates]\nexpiry_warning_days = {days}\n"


# ------------------------------------------------------------------ cases
def cases():
    # ---------------- legitimate variants
    d = g.base_fqdn()
    case("legit-baseline-full-key-material", "legit",
         "Pattern 1 (2 regions x CP/TM/GW HA pairs) with every keystore the TOML names present: one primary and one internal keystore copied to all 12 nodes, a CA-signed TLS keystore per node whose SAN covers the node's host names, one truststore holding the CA and the primary certificate as gateway_certificate_alias",
         f"seed Step 4 (multi-dc-pattern-1.md): 'The same primary keystore should be used for all API Manager instances to decrypt the registry resources.' seed Step 4: 'Create an SSL certificate for each of the WSO2 API-M nodes and import them to the keystore and the truststore. This ensures that hostname mismatch issues in the certificates will not occur.'; {RU}: primary-keystore-mismatch (same SHA-256 on every node), truststore-missing-certificate ('the truststore of every gateway holds the primary key's certificate under the alias gateway_certificate_alias'), certificate-host-mismatch ('A's truststore holds B's certificate or its issuer'; the control-plane LB api.rN.example.com of [hosts] is skipped)",
         lay(d.render(), std_keys(d)))

    d = g.base_fqdn()
    P12 = ks.selfsigned("apim-primary", "Acme APIM token signing", stype="PKCS12")
    case("legit-pkcs12-content-named-jks", "legit",
         "the primary keystore is PKCS#12 content in a file named apim-primary.jks with type = \"JKS\" (as WSO2 ships 4.4.0/4.5.0's keystores); its password is $secret{}, so it is not inspected (info only), same file on every node",
         f"{NF}: 'JKS or PKCS#12 ..., detected from the content (WSO2's own 4.4.0/4.5.0 client-truststore.jks is PKCS#12)'; 'PKCS#12 certificate bags usually need it ... $secret{{}}: then the file is \"not inspected\", said once as an info, never a guess'; corpus wso2__default-keystores/SOURCES.md: 'Despite the .jks name, both files of 4.4.0 and 4.5.0 are PKCS#12'",
         lay(d.render(), std_keys(d, primary=P12, trust=truststore(P12))))

    d = g.base_dc()
    P = primary_ks()
    keys = std_keys(d, primary=P)
    re = ks.convert(P, "JKS", "Dc2-Other-Pass-77", tag="dc2")
    for nid in keys:
        if nid.startswith("dc2/"):
            keys[nid]["apim-primary.jks"] = re
    case("legit-primary-reexported-other-password", "legit",
         "dc2's apim-primary.jks is the same key and certificate re-exported with keytool -importkeystore under another store password (the bytes differ, the certificate's SHA-256 is the same); passwords are $secret{} per node",
         f"{RU}: primary-keystore-mismatch: 'A re-exported keystore with the same key passes; a same-named file with another key fails'",
         lay(d.render(), keys))

    d = g.base_three()
    d.keystore = ("apim-primary.p12", "PKCS12", "apim-primary")
    P12 = ks.selfsigned("apim-primary", "Acme APIM token signing", stype="PKCS12", tag="three")
    case("legit-pkcs12-primary-secret-password", "legit",
         "three regions, primary keystore apim-primary.p12 (type PKCS12) on all 18 nodes with password $secret{keystore_password}: the PKCS#12 file cannot be inspected, an info at most",
         f"{NF}: '$secret{{}}: then the file is \"not inspected\", said once as an info, never a guess (PKCS#12 only)'; wso2-facts §5: type in {{JKS, PKCS12}}",
         lay(d.render(), std_keys(d, primary=P12, trust=truststore(P12))))

    d = g.base_ipv6()
    orig = d.keystores

    def no_internal(n, orig=orig):
        t = orig(n)
        i = t.index("[keystore.internal]")
        return t[:i] + t[t.index("[keystore.tls]"):]
    d.keystores = no_internal
    case("legit-internal-keystore-defaults-to-primary", "legit",
         "no node writes [keystore.internal] (WSO2 then uses the primary keystore for internal encryption) and no apim-internal.jks exists; IPv6 node_ip URLs, TLS certificates with IP SANs",
         "wso2-facts §5: 'tls and internal default to $ref{keystore.primary.*}'; [keystore.primary] is 'also used for TLS and internal encryption when the others are not set' (docs-apim configuring-keystores)",
         lay(d.render(), std_keys(d, internal=False)))

    d = g.base_aio()
    d.keystore = ("acme-apim-signing.jks", "JKS", "acme-jwt-signing-2026")
    d.internal = ("acme-securevault.jks", "JKS", "acme-securevault")
    P = ks.selfsigned("acme-jwt-signing-2026", "Acme API signing 2026")
    files = d.render()
    for n in nodes(d):
        g.edit(files, toml(n.id), f'alias = "{short(n)}-tls"', 'alias = "apim-https"')
    keys = std_keys(d, primary=P, trust=truststore(P, "acme-jwt-signing-2026"),
                    tls=lambda n: ks.signed("apim-https", n.host, san_of(n), tag=n.id))
    case("legit-custom-file-names-and-aliases", "legit",
         "all-in-one HA pairs in primary-dc/secondary-dc with custom keystore names and aliases (acme-apim-signing.jks / acme-jwt-signing-2026, acme-securevault.jks / acme-securevault, TLS alias apim-https in every node's own TLS keystore)",
         f"wso2-facts §5: keys per table 'file_name, type, password, alias, key_password'; {RU}: keystore-alias-missing: 'alias ... names a private-key entry of that keystore' (it does, in every file)",
         lay(files, keys))

    d = g.base_offsets()
    files = d.render()
    edit_all(files, d, 'alias = "apim-primary"', 'alias = "APIM-Primary"')
    case("legit-jks-alias-mixed-case", "legit",
         "every node writes [keystore.primary] alias = \"APIM-Primary\"; the JKS file stores the entry as apim-primary (JKS aliases are case-insensitive: keytool and the JKS provider lower-case them), CP and TM share VMs with offsets",
         "Java SE KeyStore docs: 'Whether aliases are case sensitive is implementation dependent'; the JKS implementation (sun.security.provider.JavaKeyStore) converts aliases to lower case, so the lookup of APIM-Primary finds apim-primary; spec/rules.md primary-keystore-mismatch compares alias 'as written' (same on every node)",
         lay(files, std_keys(d)))

    d = g.base_fqdn()
    files = d.render()
    for n in nodes(d):
        g.edit(files, toml(n.id), "\n[keystore.primary]",
               '\n[apim.devportal]\napi_key_alias = "acme_jwt_signer"\n\n[apim.publisher]\nkey_alias = "acme_jwt_signer"\n\n[keystore.primary]')
    P = primary_ks()
    case("legit-truststore-custom-api-key-alias", "legit",
         "every node sets [apim.devportal] api_key_alias and [apim.publisher] key_alias = \"acme_jwt_signer\"; the truststores hold the primary certificate under acme_jwt_signer (and not under gateway_certificate_alias)",
         f"{RU}: truststore-missing-certificate: 'under the alias gateway_certificate_alias (... [apim.devportal] api_key_alias and [apim.publisher] key_alias default to it and may name another)'; key-catalog: apim.devportal.api_key_alias default gateway_certificate_alias",
         lay(files, std_keys(d, primary=P, trust=truststore(P, under="acme_jwt_signer"))))

    d = g.base_fqdn()
    wild = {}
    for r in d.regions:
        dom = r.db_host.split(".", 1)[1]
        wild[r.name] = ks.signed("apim-tls", f"*.{dom}", f"dns:*.{dom},dns:localhost", tag="wild")
    files = d.render()
    keys = std_keys(d)
    for n in nodes(d):
        g.edit(files, toml(n.id), f'alias = "{short(n)}-tls"', 'alias = "apim-tls"')
        g.edit(files, toml(n.id), f'file_name = "{short(n)}-tls.jks"', 'file_name = "apim-tls.jks"')
        del keys[n.id][f"{short(n)}-tls.jks"]
        keys[n.id]["apim-tls.jks"] = wild[n.region.name]
    case("legit-wildcard-tls-per-region", "legit",
         "one wildcard TLS certificate per region (*.r1.example.com / *.r2.example.com, alias apim-tls in apim-tls.jks) on every node of the region; every direct TLS URL names one label under it (tm-1.r1.example.com, cp-2.r2.example.com, gw.r1.example.com)",
         f"{RU}: certificate-host-mismatch: 'B's TLS certificate covers the host A uses (SAN, else CN; a wildcard covers one label)'; region-drift: 'never TLS keystores or truststores, which are per node'",
         lay(files, keys))

    d = g.base_fqdn()
    for r in d.regions:
        dom = r.db_host.split(".", 1)[1]
        r.gw_cluster = f"gw-lb.{dom}"
        for n in r.role("gateway-worker"):
            n.host = n.urlhost = f"gw-lb.{dom}"
        ids = ", ".join(f'"{n.id}"' for n in r.role("gateway-worker"))
        d.hosts_extra.append(f'"gw-lb.{dom}" = {{ nodes = [{ids}], remaps_ports = true }}')
    files = d.render()
    keys = std_keys(d, tls=lambda n: ks.signed(
        f"{short(n)}-tls", f"{short(n)}.{n.region.db_host.split('.', 1)[1]}",
        f"dns:{short(n)}.{n.region.db_host.split('.', 1)[1]},dns:localhost")
        if n.role == "gateway-worker" else tls_ks(n))
    case("legit-gateway-urls-through-tls-terminating-lb", "legit",
         "the control planes' gateway environment URLs name gw-lb.rN.example.com, a load balancer declared in apimlint.toml [hosts] (remaps_ports) that terminates TLS; the gateways' own TLS certificates cover only their machine names (gw-1.r1.example.com ...), not the LB name",
         f"{RU}: certificate-host-mismatch: 'URLs through a load balancer, [hosts] entry or Ingress are skipped: the front terminates TLS'; spec/cli.md [hosts]: 'load balancers and DNS names that no node carries itself'",
         lay(files, keys))

    d = g.base_fqdn()
    files = d.render()
    add_certificates(files, 14)
    soon = ks.signed("cp-1-tls", "cp-1.r2.example.com", "dns:cp-1.r2.example.com,dns:localhost",
                     start="2026/01/01", validity=365)      # notAfter 2027-01-01
    keys = std_keys(d)
    keys["region-2/cp-1"]["cp-1-tls.jks"] = soon
    case("legit-expiry-window-shortened", "legit",
         "apimlint.toml [certificates] expiry_warning_days = 14; region-2/cp-1's TLS certificate expires on 2027-01-01, 22 days after --now 2026-12-10: outside the operator's window",
         "spec/cli.md apimlint.toml: '[certificates] expiry_warning_days = 30  # certificate-expiring: how far ahead'; spec/rules.md certificate-expiring: 'expiring within 30 days (apimlint.toml [certificates] expiry_warning_days)'",
         lay(files, keys), args=["--now", "2026-12-10"])

    d = g.base_ip()
    case("legit-ip-addresses-in-san", "legit",
         "london/frankfurt: every URL names nodes by node_ip; each node's TLS certificate carries its IP address as an iPAddress SAN (and its FQDN)",
         f"{RU}: certificate-host-mismatch: 'B's TLS certificate covers the host A uses (SAN, else CN ...)'; RFC 6125/2818: an IP host is matched against iPAddress subjectAltName entries",
         lay(d.render(), std_keys(d)))

    d = g.base_fqdn()
    old_ca = ks.selfsigned("old-partner-ca", "Partner Root CA 2014", start="2014/01/01", validity=3650)
    P = primary_ks()
    T = truststore(P, extra=(("old-partner-ca", ks.export(old_ca, "old-partner-ca")),))
    case("legit-expired-ca-in-truststore", "legit",
         "the truststore also holds an expired third-party CA certificate (alias old-partner-ca, notAfter 2023-12-29), as WSO2's own truststores hold expired CAs; no node presents it",
         f"{RU}: certificate-expired: 'a certificate a node presents (the key entries its keystores use) has expired'; corpus wso2__default-keystores/SOURCES.md: 'The keystores also hold many CA certificates, some expired'",
         lay(d.render(), std_keys(d, primary=P, trust=T)))

    d = g.base_km()
    P = primary_ks()
    Pold = ks.add_key(P, "apim-primary-2024", "Acme APIM token signing 2024", "2024/01/01", 365)
    case("legit-rotated-out-key-entry-kept", "legit",
         "the primary keystore keeps the previous, expired signing key (alias apim-primary-2024, notAfter 2024-12-31) next to the current one (alias apim-primary, which the TOML names) on every node; separate key-manager pairs",
         f"{RU}: certificate-expired: 'a certificate a node presents (the key entries its keystores use)': apim-primary-2024 is used by no [keystore.*] alias",
         lay(d.render(), std_keys(d, primary=Pold, trust=truststore(P))))

    # ---------------- Kubernetes (single region, one Secret of keystores)
    def k8s_keys(primary=None, ext="jks", gw_san=None):
        P = primary or primary_ks(tag="k8s")
        m = {"apim-primary.jks": ks.read(P), "apim-internal.jks": ks.read(internal_ks()),
             "apim-truststore.jks": ks.read(truststore(P))}
        for name, short_ in (("wso2am-cp", "cp"), ("wso2am-tm", "tm"), ("wso2am-gw", "gw")):
            san = ",".join("dns:" + h for h in k8s.svc_hosts(name)) + ",dns:localhost"
            if name == "wso2am-gw":
                san += ",dns:gw.example.com"
            if name == "wso2am-cp":
                san += ",dns:apim.example.com"
            if name == "wso2am-gw" and gw_san:
                san = gw_san
            m[f"{short_}-tls.{ext}"] = ks.read(ks.signed(f"{short_}-tls", f"{name}.{k8s.NS}.svc", san,
                                                         stype="PKCS12" if ext == "p12" else "JKS"))
        return m

    def k8s_case(cp_ks=None, tm_ks=None, gw_ks=None, mounts=None, secrets=None, gw_secret="apim-keystores",
                 dir_mount=None, ext="jks", env_literal=None):
        sec = "repository/resources/security"
        base = ["apim-primary.jks", "apim-internal.jks", "apim-truststore.jks"]
        mounts = mounts or {}
        parts = []
        for name, short_, fn, repl in (("wso2am-cp", "cp", k8s.cp_toml, 1), ("wso2am-tm", "tm", k8s.tm_toml, 1),
                                        ("wso2am-gw", "gw", k8s.gw_toml, 2)):
            ksx = {"cp": cp_ks, "tm": tm_ks, "gw": gw_ks}[short_] or k8s.keystores_toml(
                f"{short_}-tls.{ext}", "PKCS12" if ext == "p12" else "JKS")
            parts.append(k8s.configmap(name, fn(ksx)))
            parts.append(k8s.service(name))
            mm = mounts.get(short_, [(f, f"{sec}/{f}") for f in base + [f"{short_}-tls.{ext}"]])
            if dir_mount and short_ in dir_mount:
                parts.append(k8s.deployment(name, repl, [], sec_dir=sec,
                                            items=[(f, f) for f in base + [f"{short_}-tls.jks"]]))
            else:
                parts.append(k8s.deployment(name, repl, mm, secret_name=gw_secret if short_ == "gw" else "apim-keystores",
                                            env_literal=env_literal))
        for sname, files in (secrets or {"apim-keystores": k8s_keys(ext=ext)}).items():
            parts.append(k8s.secret(sname, files))
        return {"prod.yaml": k8s.stream(parts)}

    case("legit-k8s-keystore-secret-subpath", "legit",
         "Kubernetes (API-M 4.4.0 images): CP, TM and a 2-replica gateway Deployment each mount, from one Secret apim-keystores (data), every keystore their ConfigMap's deployment.toml names, file by file with subPath under repository/resources/security/; TLS SANs cover the Service names",
         "spec/node-files.md: 'WSO2's charts mount the keystores from one Secret (jksSecretName) into repository/resources/security/'; helm-apim distributed/*/templates deployment: keystores volume from .Values.wso2.apim.configurations.security.jksSecretName mounted with subPath per keystore; spec/kubernetes.md",
         k8s_case())

    case("legit-k8s-keystore-secret-directory-items", "legit",
         "Kubernetes: every workload mounts the Secret apim-keystores as the directory repository/resources/security with items listing exactly the keystores its TOML names",
         "spec/node-files.md: 'Secret data/stringData keys mounted by the node's workload at those paths (subPath, or the volume mounted as the directory, items too)'",
         k8s_case(dir_mount={"cp", "tm", "gw"}))

    case("legit-k8s-pkcs12-tls-env-literal-password", "legit",
         "Kubernetes: the TLS keystores are PKCS#12 (cp-tls.p12, tm-tls.p12, gw-tls.p12, type PKCS12) and KEYSTORE_PASSWORD is a literal pod env value, so apimlint can open them through $env{KEYSTORE_PASSWORD}: every one is readable with it, names its alias and covers the Service names",
         "spec/node-files.md: 'The password comes from the TOML when written literally, from a literal pod env value through $env{}'; spec/kubernetes.md: '$env{NAME} in the TOML resolves from the container's env where it is a literal value'",
         k8s_case(ext="p12", env_literal={"KEYSTORE_PASSWORD": ks.PW}))

    d = g.base_dc()
    files = d.render()
    for n in nodes(d):
        g.edit(files, toml(n.id), 'file_name = "apim-truststore.jks"\ntype = "JKS"', 'file_name = "apim-truststore.p12"\ntype = "PKCS12"')
    P = primary_ks()
    T12 = ks.store([("apim-ca", ks.ca_cert()), ("gateway_certificate_alias", ks.export(P, "apim-primary"))],
                   stype="PKCS12")
    keys = std_keys(d, primary=P)
    for nid in keys:
        del keys[nid]["apim-truststore.jks"]
        keys[nid]["apim-truststore.p12"] = T12
    case("legit-truststore-pkcs12-secret-password", "legit",
         "dc1/dc2 with a PKCS#12 truststore apim-truststore.p12 (type PKCS12) behind $secret{truststore_password}: it is not inspected (an info), so neither truststore-missing-certificate nor the issuer check of certificate-host-mismatch may guess",
         f"{NF}: 'then the file is \"not inspected\", said once as an info, never a guess (PKCS#12 only)'",
         lay(files, keys))

    # ---------------- Compose (the compose batch's correct single-host dc1 deployment + keystores)
    cbase = os.path.join(HERE, "..", "compose", "base-single-region", "tree")

    def compose_case(mounts_for=None):
        files = {}
        for root, _, fs in os.walk(cbase):
            for f in fs:
                p = os.path.join(root, f)
                with open(p) as fh:
                    files[os.path.relpath(p, cbase)] = fh.read()
        hosts = ["acp", "tm-1", "tm-2", "gw-1", "gw-2", "apim.dc1.example.com", "gw.dc1.example.com",
                 "tm-1.dc1.example.com", "tm-2.dc1.example.com", "localhost"]
        P = primary_ks(tag="compose")
        sec = {"apim-primary.jks": P, "apim-internal.jks": internal_ks(), "apim-truststore.jks": truststore(P),
               "apim-tls.jks": ks.signed("apim-tls", "apim.dc1.example.com", ",".join("dns:" + h for h in hosts))}
        for f, p in sec.items():
            files[f"dc1/security/{f}"] = ks.read(p)
        y = files["dc1/docker-compose.yml"]
        home = "/home/wso2carbon/wso2am-4.5.0"
        for svc, conf in (("acp", "control-plane"), ("tm-1", "traffic-manager-1"), ("tm-2", "traffic-manager-2"),
                          ("gw-1", "gateway-1"), ("gw-2", "gateway-2")):
            line = f"    - ./conf/{conf}/deployment.toml:{home}/repository/conf/deployment.toml\n"
            ms = (mounts_for or {}).get(svc, [(f, f) for f in sorted(sec)])
            extra = "".join(f"    - ./security/{src}:{home}/repository/resources/security/{dst}\n" for src, dst in ms)
            assert y.count(line) == 1, line
            y = y.replace(line, line + extra)
        files["dc1/docker-compose.yml"] = y
        return files

    case("legit-compose-keystores-bind-mounted", "legit",
         "Compose (the compose batch's single-host dc1: acp, tm-1/tm-2, gw-1/gw-2): every service bind-mounts the four keystores its deployment.toml names from ./security/ into repository/resources/security/; one TLS keystore whose SAN lists every service name and hostname",
         "spec/node-files.md: 'Compose: bind mounts of files or directories at those paths, relative to the Compose file'; Docker Compose docs (services.volumes short syntax HOST:CONTAINER)",
         compose_case())

    # ---------------- mistakes
    d = g.base_fqdn()
    P, P2 = primary_ks(), primary_ks(tag="region-2-regenerated")
    keys = std_keys(d, primary=P)
    T2 = truststore(P2)
    for nid in keys:
        if nid.startswith("region-2/"):
            keys[nid]["apim-primary.jks"] = P2
            keys[nid]["apim-truststore.jks"] = T2
    case("primary-regenerated-in-region-2", "mistake",
         "region-2 generated its own apim-primary.jks (same file name, type and alias apim-primary, another key pair) and imported it into its truststores: the two regions' primary certificates differ",
         "seed Step 4 (multi-dc-pattern-1.md): 'The same primary keystore should be used for all API Manager instances to decrypt the registry resources.'; spec/rules.md primary-keystore-mismatch: 'a same-named file with another key fails, naming both fingerprints' prefixes and the nodes ... (on a tie, every node)'",
         lay(d.render(), keys), [{"rule": "primary-keystore-mismatch", "node": "region-2/cp-1"}])

    d = g.base_three()
    P = primary_ks()
    keys = std_keys(d, primary=P)
    keys["sites/us-east-1b/gw-2"]["apim-primary.jks"] = primary_ks(tag="new-gateway")
    case("primary-fresh-key-on-one-gateway", "mistake",
         "three regions; the gateway us-east gw-2 was added later with a freshly generated apim-primary.jks (same name and alias, new key) instead of a copy of the shared one",
         "seed Step 4 (multi-dc-pattern-1.md): 'The same primary keystore should be used for all API Manager instances to decrypt the registry resources.'; spec/rules.md primary-keystore-mismatch: 'the certificate of the primary key entry ... has the same SHA-256 fingerprint on every node of every region ... Reported on the nodes that differ from the most common fingerprint'; wso2-facts §5: 'Same primary keystore on every API-M node'",
         lay(d.render(), keys), [{"rule": "primary-keystore-mismatch", "node": "sites/us-east-1b/gw-2"}])

    d = g.base_dc()
    keys = std_keys(d)
    full = ks.read(keys["dc2/cp-2"]["apim-primary.jks"])
    keys["dc2/cp-2"]["apim-primary.jks"] = full[: len(full) * 3 // 5]
    case("primary-keystore-truncated-copy", "mistake",
         "dc2/cp-2's apim-primary.jks is a truncated copy (an interrupted scp: the first 60% of the file)",
         "spec/rules.md keystore-unreadable: 'a keystore the TOML names is present but cannot be read: not JKS/JCEKS/PKCS#12, truncated, or ...'",
         lay(d.render(), keys), [{"rule": "keystore-unreadable", "node": "dc2/cp-2"}])

    d = g.base_fqdn()
    keys = std_keys(d)
    gw1 = [n for n in nodes(d) if n.id == "region-1/gw-1"][0]
    keys["region-1/gw-1"]["gw-1-tls.jks"] = ks.read(ks.export(tls_ks(gw1), "gw-1-tls"))
    case("tls-keystore-is-a-pem-certificate", "mistake",
         "region-1/gw-1's gw-1-tls.jks is not a keystore: the operator saved the CA-signed PEM certificate (-----BEGIN CERTIFICATE-----) under the keystore's name",
         "spec/rules.md keystore-unreadable: 'not JKS/JCEKS/PKCS#12'; docs-apim configuring-keystores: the keystore file must be a JKS or PKCS12 keystore in repository/resources/security",
         lay(d.render(), keys), [{"rule": "keystore-unreadable", "node": "region-1/gw-1"}])

    d = g.base_fqdn()
    files = d.render()
    t = files[toml("region-2/tm-1")]
    i = t.index("[keystore.tls]")
    j = t.index("[truststore]")
    files[toml("region-2/tm-1")] = t[:i] + t[i:j].replace('"$secret{keystore_password}"', '"Tm1-Tls-2025!"') + t[j:]
    case("tls-literal-password-wrong-jks", "mistake",
         "region-2/tm-1 writes its TLS keystore password literally (\"Tm1-Tls-2025!\", for both password and key_password), but tm-1-tls.jks was created with another password: the JKS integrity check fails",
         "spec/rules.md keystore-unreadable: 'or the literal password fails the integrity check (\"Keystore was tampered with, or password was incorrect\" at startup)'",
         lay(files, std_keys(d)), [{"rule": "keystore-unreadable", "node": "region-2/tm-1"}])

    d = g.base_km()
    d.keystore = ("apim-primary.p12", "PKCS12", "apim-primary")
    P12 = ks.selfsigned("apim-primary", "Acme APIM token signing", stype="PKCS12", tag="km")
    files = d.render()
    t = files[toml("region-1/km-2")]
    i = t.index("[keystore.primary]")
    j = t.index("[keystore.internal]")
    files[toml("region-1/km-2")] = t[:i] + t[i:j].replace('"$secret{keystore_password}"', '"wso2carbon"') + t[j:]
    case("primary-p12-literal-default-password", "mistake",
         "separate key-manager pairs; region-1/km-2 writes the PKCS#12 primary keystore's password literally as WSO2's default \"wso2carbon\" (copied from the template) but apim-primary.p12 uses another password: the PKCS#12 MAC check fails",
         "spec/rules.md keystore-unreadable: 'the literal password fails the integrity check'; spec/node-files.md: 'The password comes from the TOML when written literally'",
         lay(files, std_keys(d, primary=P12, trust=truststore(P12))), [{"rule": "keystore-unreadable", "node": "region-1/km-2"}])

    d = g.base_ipv6()
    P = ks.selfsigned("apim-signing", "Acme APIM token signing", tag="alias")
    case("primary-alias-not-in-keystore", "mistake",
         "every node names [keystore.primary] alias = \"apim-primary\", but the keystore was generated with -alias apim-signing (the file holds no entry apim-primary); IPv6 layout",
         "spec/rules.md keystore-alias-missing: '[keystore.primary|internal|tls] alias (default wso2carbon) names a private-key entry of that keystore'; docs-apim#8032",
         lay(d.render(), std_keys(d, primary=P, trust=truststore(P, "apim-signing"))),
         [{"rule": "keystore-alias-missing", "node": "zone-a/cp-1"}])

    d = g.base_offsets()
    I = ks.selfsigned("apim-internal", "Acme APIM internal encryption")
    Icert = ks.store([("apim-internal", ks.export(I, "apim-internal"))], tag="internal-cert-only")
    keys = std_keys(d)
    for nid in keys:
        keys[nid]["apim-internal.jks"] = Icert
    case("internal-keystore-certificate-only", "mistake",
         "apim-internal.jks on every node holds apim-internal only as a trusted-certificate entry (the certificate was imported, the private key was never copied): Secure Vault cannot decrypt",
         "spec/rules.md keystore-alias-missing: 'names a private-key entry of that keystore (a trusted-certificate entry of that name is not enough)'",
         lay(d.render(), keys), [{"rule": "keystore-alias-missing"}])

    d = g.base_aio()
    files = d.render()
    g.edit(files, toml("primary-dc/apim-2"), 'alias = "apim-2-tls"', 'alias = "apim2-tls"')
    case("tls-alias-typo-one-node", "mistake",
         "primary-dc/apim-2 (all-in-one HA) names [keystore.tls] alias = \"apim2-tls\"; its apim-2-tls.jks holds apim-2-tls",
         "spec/rules.md keystore-alias-missing: '[keystore.primary|internal|tls] alias ... names a private-key entry of that keystore'",
         lay(files, std_keys(d)), [{"rule": "keystore-alias-missing", "node": "primary-dc/apim-2"}])

    mounts_gw = [(f, f"repository/resources/security/{f}") for f in ("apim-primary.jks", "apim-truststore.jks", "gw-tls.jks")]
    case("k8s-gateway-internal-keystore-not-mounted", "mistake",
         "Kubernetes: the gateway Deployment mounts apim-primary.jks, gw-tls.jks and apim-truststore.jks from the keystore Secret but not apim-internal.jks, which its deployment.toml names in [keystore.internal]",
         "spec/rules.md keystore-not-mounted: 'every keystore and truststore file_name a node's TOML uses (or WSO2's default) is mounted into its repository/resources/security/'",
         k8s_case(mounts={"gw": mounts_gw}), [{"rule": "keystore-not-mounted"}])

    case("k8s-cp-tls-file-name-differs-from-secret-key", "mistake",
         "Kubernetes: the control plane's TOML names [keystore.tls] file_name = \"cp-tls.p12\" (type PKCS12) while the Secret key and the subPath mount are cp-tls.jks: nothing is mounted at .../security/cp-tls.p12",
         "spec/rules.md keystore-not-mounted: 'every keystore and truststore file_name a node's TOML uses ... is mounted into its repository/resources/security/'",
         k8s_case(cp_ks=k8s.keystores_toml("cp-tls.p12", "PKCS12")),
         [{"rule": "keystore-not-mounted"}])

    mounts_tm = [(f, f"repository/resources/securty/{f}") for f in
                 ("apim-primary.jks", "apim-internal.jks", "apim-truststore.jks", "tm-tls.jks")]
    case("k8s-tm-keystores-mounted-at-typo-path", "mistake",
         "Kubernetes: the traffic manager mounts its four keystores under repository/resources/securty/ (typo), so repository/resources/security/ holds none of the files its TOML names",
         "spec/rules.md keystore-not-mounted: 'is mounted into its repository/resources/security/'; wso2-facts §5: 'file must live in repository/resources/security'",
         k8s_case(mounts={"tm": mounts_tm}), [{"rule": "keystore-not-mounted"}])

    old = k8s_keys(primary_ks(tag="k8s-2024"))
    case("k8s-gateway-mounts-previous-keystore-secret", "mistake",
         "Kubernetes: the gateway Deployment still mounts the previous keystore Secret apim-keystores-2024 (whose apim-primary.jks holds another key), while the CP and TM mount apim-keystores",
         "spec/rules.md keystore-not-mounted: '(whether two Secrets hold the same key is primary-keystore-mismatch's business, by content)'; primary-keystore-mismatch: 'the same SHA-256 fingerprint on every node of every region'",
         k8s_case(gw_secret="apim-keystores-2024", secrets={"apim-keystores": k8s_keys(), "apim-keystores-2024": old}),
         [{"rule": "primary-keystore-mismatch"}])

    d = g.base_fqdn()
    keys = std_keys(d)
    tm2 = [n for n in nodes(d) if n.id == "region-1/tm-2"][0]
    keys["region-1/tm-2"]["tm-2-tls.jks"] = ks.signed("tm-2-tls", tm2.host, san_of(tm2), start="2024/01/01", validity=400)
    case("tls-certificate-expired-one-tm", "mistake",
         "region-1/tm-2's TLS certificate (alias tm-2-tls) expired on 2025-02-04; the others are valid until 2045",
         "spec/rules.md certificate-expired: 'a certificate a node presents (the key entries its keystores use) has expired; notAfter and the alias in the message'; product-apim#12209",
         lay(d.render(), keys), [{"rule": "certificate-expired", "node": "region-1/tm-2"}], args=["--now", "2026-12-07"])

    d = g.base_dc("4.2.0")
    shipped_tables(d)
    files = d.render()
    for n in nodes(d):
        files[f"{n.id}/{SEC}/wso2carbon.jks"] = ks.read(f"{CORPUS}/4.2.0/wso2carbon.jks")
        files[f"{n.id}/{SEC}/client-truststore.jks"] = ks.read(f"{CORPUS}/4.2.0/client-truststore.jks")
    case("shipped-keystore-expired-420", "mistake",
         "an API-M 4.2.0 dc1/dc2 deployment that never replaced WSO2's shipped keystores: the shipped template's keystore tables ([keystore.tls]/[truststore] = wso2carbon.jks/client-truststore.jks, password wso2carbon, no [keystore.primary]), the 4.2.0 wso2carbon.jks (certificate notAfter 2025-05-27) and client-truststore.jks on every node",
         "spec/node-files.md: 'WSO2's default certificates expire: ... 4.2.0's 2025-05-27'; spec/rules.md certificate-expired; product-apim#12209",
         files, [{"rule": "certificate-expired"}], args=["--now", "2026-03-01"])

    d = g.base_fqdn("4.4.0")
    shipped_tables(d)
    files = d.render()
    for n in nodes(d):
        files[f"{n.id}/{SEC}/wso2carbon.jks"] = ks.read(f"{CORPUS}/4.4.0/wso2carbon.jks")
        files[f"{n.id}/{SEC}/client-truststore.jks"] = ks.read(f"{CORPUS}/4.4.0/client-truststore.jks")
    case("shipped-keystore-expiring-440", "mistake",
         "an API-M 4.4.0 deployment on WSO2's shipped keystores (PKCS#12 content named wso2carbon.jks; the shipped template's [keystore.tls] and [truststore] tables with the literal password wso2carbon, no [keystore.primary]): the certificate expires on 2026-12-14, 13 days after --now 2026-12-01",
         "spec/node-files.md: '4.4.0's 2026-12-14'; spec/rules.md certificate-expiring: 'expiring within 30 days ...; WSO2's shipped default certificate is named as such'",
         files, [{"rule": "certificate-expiring"}], args=["--now", "2026-12-01"])

    d = g.base_fqdn()
    Pshort = primary_ks(start="2026/01/01", validity=400)      # notAfter 2027-02-05
    files = d.render()
    add_certificates(files, 90)
    case("primary-expiring-within-configured-window", "mistake",
         "apimlint.toml sets [certificates] expiry_warning_days = 90; the primary certificate expires on 2027-02-05, 57 days after --now 2026-12-10",
         "spec/cli.md: '[certificates] expiry_warning_days = 30  # certificate-expiring: how far ahead'; spec/rules.md certificate-expiring",
         lay(files, std_keys(d, primary=Pshort, trust=truststore(Pshort))), [{"rule": "certificate-expiring"}],
         args=["--now", "2026-12-10"])

    d = g.base_fqdn()
    P = primary_ks()
    wso2crt = os.path.join(ks.WORK, "wso2carbon-450.crt")
    if not os.path.exists(wso2crt):
        ks.kt("-exportcert", "-rfc", "-keystore", f"{CORPUS}/4.5.0/wso2carbon.jks", "-storetype", "PKCS12",
              "-storepass", "wso2carbon", "-alias", "wso2carbon", "-file", wso2crt)
    T = ks.store([("apim-ca", ks.ca_cert()), ("gateway_certificate_alias", wso2crt)], tag="stale")
    case("truststore-gateway-alias-still-wso2-default", "mistake",
         "the truststores were built from WSO2's 4.5.0 client-truststore: gateway_certificate_alias still holds WSO2's default wso2carbon certificate although the primary keystore was replaced (tokens signed with the new key fail validation)",
         "spec/rules.md truststore-missing-certificate: 'a different certificate under that alias is the same finding'; wso2-facts §5: 'the public cert of the token-signing (primary) key must be in each Gateway's truststore under the alias gateway_certificate_alias when non-default certificates are used'",
         lay(d.render(), std_keys(d, primary=P, trust=T)), [{"rule": "truststore-missing-certificate", "node": "region-1/gw-1"}])

    d = g.base_ip()
    P = primary_ks()
    case("truststore-primary-under-its-own-alias", "mistake",
         "the truststores hold the primary certificate under alias apim-primary (its keystore alias), not gateway_certificate_alias; no api_key_alias is configured",
         "spec/rules.md truststore-missing-certificate: 'the truststore of every gateway holds the primary key's certificate under the alias gateway_certificate_alias'; docs-apim (TM/KM separation include): 'Add the public certificate of the primary keystore ... to the truststore of the Gateway under the alias gateway_certificate_alias'",
         lay(d.render(), std_keys(d, primary=P, trust=truststore(P, under="apim-primary"))),
         [{"rule": "truststore-missing-certificate", "node": "frankfurt/gw-2"}])

    d = g.base_fqdn()
    files = d.render()
    for n in nodes(d):
        g.edit(files, toml(n.id), "\n[keystore.primary]",
               '\n[apim.devportal]\napi_key_alias = "acme_jwt_signer"\n\n[apim.publisher]\nkey_alias = "acme_jwt_signer"\n\n[keystore.primary]')
    case("api-key-alias-not-in-truststore", "mistake",
         "every node sets [apim.devportal] api_key_alias / [apim.publisher] key_alias = \"acme_jwt_signer\", but the truststores hold the primary certificate only under gateway_certificate_alias",
         "spec/rules.md truststore-missing-certificate: '([apim.devportal] api_key_alias and [apim.publisher] key_alias default to it and may name another)'",
         lay(files, std_keys(d)), [{"rule": "truststore-missing-certificate"}])

    d = g.base_fqdn()
    keys = std_keys(d)
    tm2 = [n for n in nodes(d) if n.id == "region-1/tm-2"][0]
    keys["region-1/tm-1"]["tm-1-tls.jks"] = ks.signed("tm-1-tls", tm2.host, san_of(tm2), tag="wrong-csr")
    case("tm-certificate-issued-for-peer-name", "mistake",
         "region-1/tm-1's TLS certificate (alias tm-1-tls) was issued for tm-2.r1.example.com (CSR made with the peer's name); gateways connect to ssl://tm-1.r1.example.com:9711",
         "seed Step 4: 'Create an SSL certificate for each of the WSO2 API-M nodes and import them to the keystore and the truststore. This ensures that hostname mismatch issues in the certificates will not occur.'; spec/rules.md certificate-host-mismatch: 'B's TLS certificate covers the host A uses (SAN, else CN ...). Reported on B (at its keystore's file_name)'",
         lay(d.render(), keys), [{"rule": "certificate-host-mismatch", "node": "region-1/tm-1"}])

    d = g.base_fqdn()
    keys = std_keys(d)
    for n in nodes(d):
        if n.id.startswith("region-2/gw-"):
            keys[n.id][f"{short(n)}-tls.jks"] = ks.selfsigned(f"{short(n)}-tls", "localhost", tag="cn-localhost")
    case("gateway-tls-self-signed-localhost", "mistake",
         "region-2's gateways use TLS keystores made with WSO2's documented keytool command unchanged (-dname CN=localhost, self-signed); the control planes' environments call https://gw.r2.example.com:9443/services/",
         "seed Step 4: 'Create an SSL certificate for each of the WSO2 API-M nodes and import them to the keystore and the truststore. This ensures that hostname mismatch issues in the certificates will not occur.'; spec/rules.md certificate-host-mismatch: 'WSO2's default CN=localhost never covers a real host. And A's truststore holds B's certificate or its issuer'; product-apim#10687",
         lay(d.render(), keys), [{"rule": "certificate-host-mismatch", "node": "region-2/gw-1"}])

    d = g.base_fqdn()
    files = d.render()
    keys = std_keys(d)
    wild = ks.signed("apim-tls", "*.example.com", "dns:*.example.com,dns:localhost", tag="two-labels")
    for n in nodes(d):
        if n.region.name == "region-1":
            g.edit(files, toml(n.id), f'alias = "{short(n)}-tls"', 'alias = "apim-tls"')
            g.edit(files, toml(n.id), f'file_name = "{short(n)}-tls.jks"', 'file_name = "apim-tls.jks"')
            del keys[n.id][f"{short(n)}-tls.jks"]
            keys[n.id]["apim-tls.jks"] = wild
    case("wildcard-certificate-one-level-too-high", "mistake",
         "region-1 uses one wildcard TLS certificate *.example.com on every node, but its nodes are tm-1.r1.example.com, cp-2.r1.example.com ... (two labels below example.com)",
         "seed Step 4: 'Create an SSL certificate for each of the WSO2 API-M nodes and import them to the keystore and the truststore. This ensures that hostname mismatch issues in the certificates will not occur.'; spec/rules.md certificate-host-mismatch: 'a wildcard covers one label'; RFC 6125 §6.4.3",
         lay(files, keys), [{"rule": "certificate-host-mismatch", "node": "region-1/tm-1"}])

    d = g.base_dc()
    keys = std_keys(d)
    for n in nodes(d):
        if n.id in ("dc2/tm-1", "dc2/tm-2"):
            keys[n.id][f"{short(n)}-tls.jks"] = ks.signed(f"{short(n)}-tls", n.host, san_of(n),
                                                           ca_name="dc2-ca", ca_cn="Acme DC2 Issuing CA")
    case("tm-certificates-from-untrusted-ca", "mistake",
         "dc2's traffic managers got TLS certificates from a new CA (Acme DC2 Issuing CA) that no truststore holds; the gateways' ssl://tm-N.dc2.acme.org:9711 auth URLs cannot be trusted",
         "seed Step 4: 'Create an SSL certificate for each of the WSO2 API-M nodes and import them to the keystore and the truststore. This ensures that hostname mismatch issues in the certificates will not occur.'; spec/rules.md certificate-host-mismatch: 'And A's truststore holds B's certificate or its issuer. Reported on B'",
         lay(d.render(), keys), [{"rule": "certificate-host-mismatch", "node": "dc2/tm-1"}])

    case("k8s-gateway-certificate-without-service-name", "mistake",
         "Kubernetes: the gateway's TLS certificate names only its public host gw.example.com (and localhost), but the control plane's environment calls https://wso2am-gw:9443/services/ through the ClusterIP Service (no TLS termination in between)",
         "seed Step 4: 'Create an SSL certificate for each of the WSO2 API-M nodes and import them to the keystore and the truststore. This ensures that hostname mismatch issues in the certificates will not occur.'; spec/rules.md certificate-host-mismatch: 'for every URL apimlint resolves from node A directly to node B over TLS ... B's TLS certificate covers the host A uses (SAN, else CN ...)'; spec/kubernetes.md: a Service name resolves to the nodes its selector matches (only Ingress/Route hosts resolve like load balancers)",
         k8s_case(secrets={"apim-keystores": k8s_keys(gw_san="dns:gw.example.com,dns:localhost")}),
         [{"rule": "certificate-host-mismatch"}])

    case("k8s-pkcs12-env-literal-password-wrong", "mistake",
         "Kubernetes: PKCS#12 TLS keystores opened with $env{KEYSTORE_PASSWORD}, whose literal pod env value (\"wso2carbon\", left from the chart's example) is not their password",
         "spec/rules.md keystore-unreadable: 'or the literal password fails the integrity check'; spec/node-files.md: 'The password comes from ... a literal pod env value through $env{}'",
         k8s_case(ext="p12", env_literal={"KEYSTORE_PASSWORD": "wso2carbon"}), [{"rule": "keystore-unreadable"}])

    d = g.base_fqdn()
    keys = std_keys(d)
    keys["region-1/gw-2"]["apim-truststore.jks"] = ks.store([("apim-ca", ks.ca_cert())], tag="no-gw-alias")
    case("truststore-one-gateway-without-gateway-alias", "mistake",
         "region-1/gw-2's apim-truststore.jks (copied from the image build of an earlier release) holds the CA but no gateway_certificate_alias entry; every other node's truststore has it",
         "spec/rules.md truststore-missing-certificate: 'the truststore of every gateway holds the primary key's certificate under the alias gateway_certificate_alias ... Else tokens signed elsewhere fail validation'",
         lay(d.render(), keys), [{"rule": "truststore-missing-certificate", "node": "region-1/gw-2"}])

    d = g.base_aio()
    keys = std_keys(d)
    keys["secondary-dc/apim-1"]["apim-internal.jks"] = b""
    case("internal-keystore-empty-file", "mistake",
         "secondary-dc/apim-1's apim-internal.jks is an empty file (a provisioning step touched the path and the copy never ran)",
         "spec/rules.md keystore-unreadable: 'a keystore the TOML names is present but cannot be read: not JKS/JCEKS/PKCS#12, truncated ...'",
         lay(d.render(), keys), [{"rule": "keystore-unreadable", "node": "secondary-dc/apim-1"}])

    case("compose-tm-2-keystores-not-mounted", "mistake",
         "Compose: tm-2 (added by copying an older service block) bind-mounts only its deployment.toml, none of the keystores it names; the image's repository/resources/security/ holds only WSO2's defaults",
         "spec/rules.md keystore-not-mounted: 'containers: every keystore and truststore file_name a node's TOML uses (or WSO2's default) is mounted into its repository/resources/security/'; spec/node-files.md: 'Compose: bind mounts of files or directories at those paths'",
         compose_case({"tm-2": []}), [{"rule": "keystore-not-mounted"}])

    case("compose-gw-2-tls-mounted-under-default-name", "mistake",
         "Compose: gw-2 bind-mounts ./security/apim-tls.jks onto repository/resources/security/wso2carbon.jks (over WSO2's default), while its deployment.toml names [keystore.tls] file_name = \"apim-tls.jks\"",
         "spec/rules.md keystore-not-mounted: 'every keystore and truststore file_name a node's TOML uses ... is mounted into its repository/resources/security/'",
         compose_case({"gw-2": [("apim-internal.jks", "apim-internal.jks"), ("apim-primary.jks", "apim-primary.jks"),
                                ("apim-tls.jks", "wso2carbon.jks"), ("apim-truststore.jks", "apim-truststore.jks")]}),
         [{"rule": "keystore-not-mounted"}])

    d = g.base_ip()
    keys = std_keys(d, tls=lambda n: ks.signed(f"{short(n)}-tls", n.host, san_of(n, ips=False), tag="dns-only"))
    case("ip-urls-certificates-without-ip-san", "mistake",
         "london/frankfurt name every node by its IP address in URLs (ssl://10.50.3.11:9711 ...), but the TLS certificates carry only DNS names (tm-1.ldn.bank.example ...)",
         "seed Step 4: 'Create an SSL certificate for each of the WSO2 API-M nodes and import them to the keystore and the truststore. This ensures that hostname mismatch issues in the certificates will not occur.'; spec/rules.md certificate-host-mismatch: 'B's TLS certificate covers the host A uses (SAN, else CN ...)'; RFC 2818 §3.1: 'If the hostname is an IP address, the iPAddress subjectAltName must be present'",
         lay(d.render(), keys), [{"rule": "certificate-host-mismatch", "node": "london/tm-1"}])


def main():
    work = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, ".work")
    ks.init(work)
    # keytool is slow (a JVM per call): make the per-node TLS keystores of every base first,
    # concurrently (distinct keys, distinct files); everything after is cached.
    from concurrent.futures import ThreadPoolExecutor
    ks.ca_cert()
    ks.ca_cert("dc2-ca", "Acme DC2 Issuing CA")
    bases = [g.base_fqdn(), g.base_dc(), g.base_three(), g.base_ipv6(), g.base_aio(),
             g.base_offsets(), g.base_ip(), g.base_km()]
    jobs = [lambda n=n: tls_ks(n) for d in bases for n in nodes(d)]
    jobs += [lambda n=n: ks.signed(f"{short(n)}-tls", n.host, san_of(n, ips=False), tag="dns-only")
             for n in nodes(g.base_ip())]
    with ThreadPoolExecutor(int(os.environ.get("KEYS_JOBS", "12"))) as ex:
        list(ex.map(lambda f: f(), jobs))
    cases()
    for c in CASES:
        write(*c)
        print("wrote", c[0])


if __name__ == "__main__":
    main()
