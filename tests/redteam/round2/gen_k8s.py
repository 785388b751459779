#!/usr/bin/env python3
"""Round 2 Kubernetes cases (classes 3 and 4), built from the legit hand-written manifest
tests/redteam/k8s/legit-base-statefulset-headless/tree/prod.yaml (region `prod`, namespace
`apim`: CP StatefulSets cp-1/cp-2, TM Deployments, gateway Deployment, one Ingress)."""
import pathlib, shutil


def q(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'

HERE = pathlib.Path(__file__).resolve().parent
BASE = (HERE.parent.parent / "redteam" / "k8s" / "legit-base-statefulset-headless" / "tree" / "prod.yaml").read_text()


def case(name, kind, summary, cite, text, expects=(), allow=None):
    d = HERE / name
    if d.exists():
        shutil.rmtree(d)
    (d / "tree").mkdir(parents=True)
    (d / "tree" / "prod.yaml").write_text(text)
    lines = [f"kind = {q(kind)}", f"summary = {q(summary)}", f"cite = {q(cite)}"]
    if allow:
        lines.append("allow = [" + ", ".join(q(a) for a in allow) + "]")
    for e in expects:
        lines += ["", "[[expect]]"] + [f"{k} = {q(v)}" for k, v in e.items()]
    (d / "case.toml").write_text("\n".join(lines) + "\n")


def docs(text):
    return text.split("\n---\n")


def edit_docs(text, names, old, new):
    out = []
    hit = 0
    for doc in docs(text):
        if any(f"\n  name: {n}\n" in doc for n in names):
            assert old in doc, (names, old)
            doc = doc.replace(old, new)
            hit += 1
        out.append(doc)
    assert hit == len(names), (names, hit)
    return "\n---\n".join(out)


CPS = ["cp-1-conf", "cp-2-conf"]
HU = ("rules.md hostname-unreachable: '`[server] hostname` of a node that serves users (control plane, all-in-one, gateway) is a name "
      "the outside reaches: ... where Ingress/Route/LoadBalancer/Compose inputs or `[hosts]` load balancers exist, one of their host "
      "names for that node (portals redirect users to `[server] hostname`)'; kubernetes.md: 'Ingress (networking.k8s.io/v1) rules ... "
      "resolve like load balancers (port not compared) to the nodes behind their backend Services'.")

# ---------------------------------------------------------------- class 3
t = edit_docs(BASE, CPS, 'hostname = "apim.example.com"', 'hostname = "gw.example.com"')
case("cp-hostname-is-gateway-ingress-host", "mistake",
     "both control planes' [server] hostname is gw.example.com, the Ingress host whose rule routes to Service gw (the gateways); apim.example.com is the host that reaches the control planes",
     HU + " explain hostname-unreachable: 'the hostname is one of the names it serves'.", t,
     expects=[{"rule": "hostname-unreachable", "node": "prod/cp-1"}, {"rule": "hostname-unreachable", "node": "prod/cp-2"}])

t = BASE.replace("gw.example.com", "api.example.com")
t = edit_docs(t, CPS, 'hostname = "apim.example.com"', 'hostname = "api.example.com"')
case("cp-hostname-api-host-of-gateways", "mistake",
     "Ingress rules: apim.example.com -> Service cp, api.example.com -> Service gw (8243), ws.example.com -> gw; the control planes set [server] hostname = api.example.com, the API traffic host of the gateways",
     HU, t,
     expects=[{"rule": "hostname-unreachable", "node": "prod/cp-1"}, {"rule": "hostname-unreachable", "node": "prod/cp-2"}])

# legit: CP host is the last of several rules
t = BASE.replace("apim.example.com", "portal.example.com")
head, ing = t.split("kind: Ingress", 1)
rules_start = ing.index("  rules:\n") + len("  rules:\n")
rules = ing[rules_start:]
parts = rules.split("  - host: ")[1:]
parts = ["  - host: " + p for p in parts]
assert parts[0].startswith("  - host: portal.example.com")
parts[-1] = parts[-1].rstrip("\n") + "\n"
new_rules = "".join(parts[1:] + [parts[0]])
t = head + "kind: Ingress" + ing[:rules_start] + new_rules
case("legit-ingress-several-rules-cp-host-last", "legit",
     "one Ingress with three rules (gw.example.com and ws.example.com -> Service gw, portal.example.com -> Service cp, listed last); the control planes' [server] hostname and devportal url use portal.example.com",
     HU + " Kubernetes Ingress docs: rules are matched by host; their order does not matter.", t)

# legit: two Ingresses, CP behind a wildcard host
t = BASE.replace("apim.example.com", "apim.apps.example.com")
head, ing = t.split("---\napiVersion: networking.k8s.io/v1\nkind: Ingress", 1)
ing_gw = ("---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: apim-gateway\n  namespace: apim\n"
          "  annotations:\n    nginx.ingress.kubernetes.io/backend-protocol: HTTPS\nspec:\n  ingressClassName: nginx\n  tls:\n"
          "  - hosts:\n    - gw.example.com\n    - ws.example.com\n    secretName: apim-gw-tls\n  rules:\n"
          "  - host: gw.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n"
          "          service:\n            name: gw\n            port:\n              number: 8243\n"
          "  - host: ws.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n"
          "          service:\n            name: gw\n            port:\n              number: 8099\n")
ing_cp = ("---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: apim-portals\n  namespace: apim\n"
          "  annotations:\n    nginx.ingress.kubernetes.io/backend-protocol: HTTPS\nspec:\n  ingressClassName: nginx\n  tls:\n"
          "  - hosts:\n    - \"*.apps.example.com\"\n    secretName: apps-wildcard-tls\n  rules:\n"
          "  - host: \"*.apps.example.com\"\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n"
          "          service:\n            name: cp\n            port:\n              number: 9443\n")
assert "apiVersion: networking.k8s.io/v1\nkind: Ingress" in BASE
case("legit-two-ingresses-cp-wildcard-host", "legit",
     "two Ingresses: apim-gateway (gw.example.com, ws.example.com -> gw) and apim-portals (wildcard *.apps.example.com -> cp); the control planes' hostname apim.apps.example.com is covered by the wildcard",
     HU + " explain hostname-unreachable: 'the hostname is one of the names it serves (a wildcard host covers one label)'; Kubernetes Ingress docs, Hostname wildcards: '*.foo.com' matches 'bar.foo.com'.",
     head + ing_gw + ing_cp)

# ---------------------------------------------------------------- class 4
PP = ("rules.md proxy-port-mismatch: '`[transport.https.properties] proxyPort` (and `http`'s) equals the port the load balancer in front of "
      "the node exposes (Ingress 443, a LoadBalancer Service's `port`, a published Compose port, a `[hosts]` entry's port); no `proxyPort` "
      "while a proxy fronts the node on another port is reported too'; WSO2 docs, Configuring the Proxy Server and the Load Balancer: "
      "'proxyPort = 443' under [transport.https.properties] when the load balancer listens on 443.")

t = edit_docs(BASE, CPS, "[transport.https.properties]\n    proxyPort = 443", "[transport.https.properties]\n    proxyPort = 9443")
case("cp-proxyport-9443-behind-ingress", "mistake",
     "the control planes sit behind the Ingress (apim.example.com, TLS on 443) but set [transport.https.properties] proxyPort = 9443, their own servlet port",
     PP, t,
     expects=[{"rule": "proxy-port-mismatch", "node": "prod/cp-1"}, {"rule": "proxy-port-mismatch", "node": "prod/cp-2"}])

t = edit_docs(BASE, CPS, "\n    [transport.https.properties]\n    proxyPort = 443\n", "\n")
case("cp-proxyport-missing-behind-ingress", "mistake",
     "the control planes sit behind the Ingress on 443 and have no [transport.https.properties] proxyPort at all (Tomcat writes :9443 into redirects)",
     PP, t,
     expects=[{"rule": "proxy-port-mismatch", "node": "prod/cp-1"}])

LB = ("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: cp-public\n  namespace: apim\n  annotations:\n"
      "    external-dns.alpha.kubernetes.io/hostname: apim.example.com\nspec:\n  type: LoadBalancer\n  selector:\n    app: wso2am-cp\n"
      "  ports:\n  - name: https\n    port: 443\n    protocol: TCP\n    targetPort: servlet-https\n")


def lb_instead_of_ingress(text):
    # the control planes also get a LoadBalancer Service on 443; the Ingress stays (both fronts serve 443)
    head, ing = text.split("---\napiVersion: networking.k8s.io/v1\nkind: Ingress", 1)
    return head + LB + "---\napiVersion: networking.k8s.io/v1\nkind: Ingress" + ing


t = edit_docs(lb_instead_of_ingress(BASE), CPS, "[transport.https.properties]\n    proxyPort = 443", "[transport.https.properties]\n    proxyPort = 8243")
case("cp-loadbalancer-443-proxyport-8243", "mistake",
     "the control planes are published by LoadBalancer Service cp-public (port 443 -> servlet-https, external-dns apim.example.com) as well as by the Ingress on 443, but their proxyPort is 8243, copied from the gateway's HTTPS pass-through port",
     PP, t,
     expects=[{"rule": "proxy-port-mismatch", "node": "prod/cp-1"}])

case("legit-cp-loadbalancer-443-proxyport-443", "legit",
     "the control planes are published by LoadBalancer Service cp-public (port 443 -> servlet-https, external-dns apim.example.com) and by the Ingress (apim.example.com, 443), with proxyPort = 443",
     PP + " kubernetes.md/explain hostname-unreachable: 'a LoadBalancer Service with an external-dns host name' is a front serving that name.",
     lb_instead_of_ingress(BASE))
