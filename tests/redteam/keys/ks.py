"""keytool helpers for the keys red-team batch (Java's /usr/bin/keytool only).

Every certificate has a fixed -startdate so that expiry cases are reproducible with
`--now`; certificates that must not expire are valid for about twenty years.
"""
import hashlib
import os
import subprocess
import threading

KT = os.environ.get("KEYTOOL", "/usr/bin/keytool")
PW = "Acme-Keys-2026"          # store (= key) password of every generated store unless told
START = "2026/01/01"
LONG = 7300                    # days: until 2045-12-27
WORK = None                    # staging directory (set by init)
_cache = {}


def init(work):
    global WORK
    WORK = work
    os.makedirs(WORK, exist_ok=True)


_server = None
_lock = threading.Lock()


def _start():
    """keytool in one JVM (KtServer.java runs sun.security.tools.keytool.Main per line): a JVM
    per keytool call is far too slow on a loaded machine. KEYS_FORK=1 forks /usr/bin/keytool."""
    global _server
    cls = os.path.join(WORK, "ktsrv")
    if not os.path.exists(os.path.join(cls, "KtServer.class")):
        subprocess.run(["javac", "-d", cls, "--add-exports", "java.base/sun.security.tools.keytool=ALL-UNNAMED",
                        os.path.join(os.path.dirname(os.path.abspath(__file__)), "KtServer.java")], check=True)
    _server = subprocess.Popen(["java", "--add-opens", "java.base/sun.security.tools.keytool=ALL-UNNAMED",
                                "-Djava.security.egd=file:/dev/./urandom", "-cp", cls, "KtServer"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def kt(*a):
    if os.environ.get("KEYS_FORK"):
        r = subprocess.run([KT, *a], capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"keytool {' '.join(a)}\n{r.stdout}\n{r.stderr}")
        return r.stdout
    with _lock:
        if _server is None:
            _start()
        _server.stdin.write("\t".join(a) + "\n")
        _server.stdin.flush()
        line = _server.stdout.readline()
    if not line:
        raise SystemExit(f"keytool {' '.join(a)}: keytool failed (see above)")
    rc, out = line.rstrip("\n").split("\t", 1)
    out = out.replace("\\n", "\n")
    if rc != "0" or "keytool error" in out:
        raise SystemExit(f"keytool {' '.join(a)}\n{out}")
    return out


def _p(key):
    return os.path.join(WORK, hashlib.sha1(repr(key).encode()).hexdigest()[:16])


def dname(cn):
    return f"CN={cn}, OU=API Platform, O=Acme Corp, L=Springfield, C=US"


def genkey(path, alias, cn, stype="JKS", pw=PW, start=START, validity=LONG, san=None, ca=False):
    a = ["-genkeypair", "-keystore", path, "-storetype", stype, "-storepass", pw, "-keypass", pw,
         "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-sigalg", "SHA256withRSA",
         "-dname", dname(cn), "-validity", str(validity), "-startdate", start]
    if san:
        a += ["-ext", "SAN=" + san]
    if ca:
        a += ["-ext", "bc:c"]
    kt(*a)


def export(path, alias, pw=PW):
    out = path + "." + alias + ".crt"
    if not os.path.exists(out):
        kt("-exportcert", "-rfc", "-keystore", path, "-storepass", pw, "-alias", alias, "-file", out)
    return out


def importcert(path, alias, crt, stype="JKS", pw=PW):
    kt("-importcert", "-noprompt", "-keystore", path, "-storetype", stype, "-storepass", pw,
       "-alias", alias, "-file", crt)


def read(path):
    with open(path, "rb") as f:
        return f.read()


# ------------------------------------------------------------------ artefacts (cached)
def ca(name="apim-ca", cn="Acme APIM Internal CA"):
    key = ("ca", name, cn)
    if key not in _cache and os.path.exists(_p(key) + ".done"):
        _cache[key] = open(_p(key) + ".done").read()
    if key not in _cache:
        p = _p(key) + ".jks"
        genkey(p, name, cn, ca=True)
        _cache[key] = p
        with open(_p(key) + ".done", "w") as f:
            f.write(p)
    return _cache[key]


def ca_cert(name="apim-ca", cn="Acme APIM Internal CA"):
    return export(ca(name, cn), name)


def selfsigned(alias, cn, stype="JKS", pw=PW, start=START, validity=LONG, san=None, tag=""):
    """A keystore with one self-signed private-key entry. Returns the path."""
    key = ("ss", alias, cn, stype, pw, start, validity, san, tag)
    if key not in _cache and os.path.exists(_p(key) + ".done"):
        _cache[key] = open(_p(key) + ".done").read()
    if key not in _cache:
        p = _p(key) + (".p12" if stype == "PKCS12" else ".jks")
        genkey(p, alias, cn, stype, pw, start, validity, san)
        _cache[key] = p
        with open(_p(key) + ".done", "w") as f:
            f.write(p)
    return _cache[key]


def signed(alias, cn, san, stype="JKS", pw=PW, start=START, validity=LONG - 30,
           ca_name="apim-ca", ca_cn="Acme APIM Internal CA", tag=""):
    """A TLS keystore: one private-key entry whose chain is signed by the internal CA."""
    key = ("tls", alias, cn, san, stype, pw, start, validity, ca_name, ca_cn, tag)
    if key not in _cache and os.path.exists(_p(key) + ".done"):
        _cache[key] = open(_p(key) + ".done").read()
    if key not in _cache:
        p = _p(key) + (".p12" if stype == "PKCS12" else ".jks")
        genkey(p, alias, cn, stype, pw)
        csr, crt = p + ".csr", p + ".signed.crt"
        kt("-certreq", "-keystore", p, "-storepass", pw, "-alias", alias, "-file", csr)
        cak = ca(ca_name, ca_cn)
        kt("-gencert", "-keystore", cak, "-storepass", PW, "-alias", ca_name, "-infile", csr,
           "-outfile", crt, "-rfc", "-startdate", start, "-validity", str(validity),
           "-ext", "SAN=" + san, "-ext", "KU=digitalSignature,keyEncipherment",
           "-ext", "EKU=serverAuth,clientAuth")
        importcert(p, ca_name, ca_cert(ca_name, ca_cn), stype, pw)
        importcert(p, alias, crt, stype, pw)          # the CA-signed reply: chain leaf + CA
        kt("-delete", "-keystore", p, "-storetype", stype, "-storepass", pw, "-alias", ca_name)
        _cache[key] = p
        with open(_p(key) + ".done", "w") as f:
            f.write(p)
    return _cache[key]


def store(entries, stype="JKS", pw=PW, tag=""):
    """A truststore: entries = [(alias, crt path)]."""
    key = ("ts", tuple(entries), stype, pw, tag)
    if key not in _cache and os.path.exists(_p(key) + ".done"):
        _cache[key] = open(_p(key) + ".done").read()
    if key not in _cache:
        p = _p(key) + (".p12" if stype == "PKCS12" else ".jks")
        for alias, crt in entries:
            importcert(p, alias, crt, stype, pw)
        _cache[key] = p
        with open(_p(key) + ".done", "w") as f:
            f.write(p)
    return _cache[key]


def convert(src, stype, pw, src_pw=PW, src_type=None, tag=""):
    """The same entries re-exported into another store (type and/or password)."""
    key = ("conv", src, stype, pw, tag)
    if key not in _cache and os.path.exists(_p(key) + ".done"):
        _cache[key] = open(_p(key) + ".done").read()
    if key not in _cache:
        p = _p(key) + (".p12" if stype == "PKCS12" else ".jks")
        a = ["-importkeystore", "-noprompt", "-srckeystore", src, "-srcstorepass", src_pw,
             "-destkeystore", p, "-deststoretype", stype, "-deststorepass", pw]
        if src_type:
            a += ["-srcstoretype", src_type]
        if stype == "JKS":
            a += ["-destkeypass", pw, "-srckeypass", src_pw]
        # JKS -> JKS with a new key password needs the alias; all our sources hold one key
        if stype == "JKS":
            alias = [l.split(",")[0] for l in kt("-list", "-keystore", src, "-storepass", src_pw).splitlines()
                     if "PrivateKeyEntry" in l][0]
            a += ["-srcalias", alias, "-destalias", alias]
        kt(*a)
        _cache[key] = p
        with open(_p(key) + ".done", "w") as f:
            f.write(p)
    return _cache[key]


def add_key(src, alias, cn, start, validity, tag=""):
    """A copy of a store with one more self-signed private-key entry (e.g. a rotated-out key)."""
    key = ("addkey", src, alias, cn, start, validity, tag)
    if key not in _cache and os.path.exists(_p(key) + ".done"):
        _cache[key] = open(_p(key) + ".done").read()
    if key not in _cache:
        p = _p(key) + ".jks"
        with open(src, "rb") as f, open(p, "wb") as g:
            g.write(f.read())
        genkey(p, alias, cn, start=start, validity=validity)
        _cache[key] = p
        with open(_p(key) + ".done", "w") as f:
            f.write(p)
    return _cache[key]
