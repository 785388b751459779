"""Kubernetes-manifest cases of the `front` batch (python3 gen_k8s.py).

Base: k8s_base.yaml = the k8s batch's clean hand-written deployment (CP HA pair as two
StatefulSets behind headless cp-hl and ClusterIP cp, TM pair, gateway Deployment x2, one
nginx Ingress for apim.example.com -> cp:9443, gw.example.com -> gw:8243, ws.example.com ->
gw:8099; CP hostname apim.example.com + proxyPort 443; gateway hostname gw.example.com +
proxyPort 80/443; TM hostnames tm-N.apim). Each case changes one thing."""
import os, re, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from write import case

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = open(os.path.join(HERE, "k8s_base.yaml")).read()
REG = "prod-eu"
FILE = f"{REG}.yaml"
CPS = ["cp-1-conf", "cp-2-conf"]


class M:
    def __init__(self):
        t = BASE
        assert t.startswith("---\n")
        self.docs = [d.strip("\n") for d in t[4:].split("\n---\n")]

    def _names(self, d):
        m = re.search(r"^metadata:\n(?:  .*\n)*?  name: (\S+)", d + "\n", re.M)
        return m.group(1) if m else None

    def _kind(self, d):
        return re.search(r"^kind: (\S+)", d, re.M).group(1)

    def sub(self, names, old, new):
        names = [names] if isinstance(names, str) else names
        for n in names:
            hits = [i for i, d in enumerate(self.docs) if self._names(d) == n and old in d]
            assert hits, (n, old)
            for i in hits:
                self.docs[i] = self.docs[i].replace(old, new)
        return self

    def drop(self, kind, name):
        before = len(self.docs)
        self.docs = [d for d in self.docs if not (self._kind(d) == kind and self._names(d) == name)]
        assert len(self.docs) == before - 1, (kind, name)
        return self

    def add(self, text):
        self.docs.append(text.strip("\n"))
        return self

    def files(self, name=FILE):
        return {name: "---\n" + "\n---\n".join(self.docs) + "\n"}


CP_PROXY = "    [transport.https.properties]\n    proxyPort = 443\n"
CP_HOST = '    hostname = "apim.example.com"\n'
DEVPORTAL = '    url = "https://apim.example.com/devportal"\n'
INGRESS_CP_RULE = """  - host: apim.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: cp
            port:
              number: 9443
"""


def without_cp_ingress(m):
    return m.sub("apim", "    - apim.example.com\n", "").sub("apim", INGRESS_CP_RULE, "")


def cp_service(kind="LoadBalancer", port=443, node_port=None, host="apim.example.com"):
    np = f"\n    nodePort: {node_port}" if node_port else ""
    ann = f"""  annotations:
    external-dns.alpha.kubernetes.io/hostname: {host}
""" if host else ""
    return f"""apiVersion: v1
kind: Service
metadata:
  name: cp-public
  namespace: apim
{ann}spec:
  type: {kind}
  sessionAffinity: ClientIP
  selector:
    app: wso2am-cp
  ports:
  - name: https
    port: {port}
    protocol: TCP
    targetPort: servlet-https{np}
"""


def route(name, host, service, port):
    return f"""apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: {name}
  namespace: apim
spec:
  host: {host}
  port:
    targetPort: {port}
  tls:
    termination: passthrough
    insecureEdgeTerminationPolicy: None
  to:
    kind: Service
    name: {service}
    weight: 100
  wildcardPolicy: None
"""


def gateway_api(cp_host="apim.example.com", gw_hosts=("gw.example.com",), ws_host="ws.example.com", cp_port=443):
    gw_list = "\n".join(f"  - {h}" for h in gw_hosts)
    return f"""apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: apim-gateway
  namespace: apim
spec:
  gatewayClassName: envoy
  listeners:
  - name: control-plane-https
    protocol: HTTPS
    port: {cp_port}
    hostname: {cp_host}
    tls:
      mode: Terminate
      certificateRefs:
      - name: apim-tls
  - name: gateway-https
    protocol: HTTPS
    port: 443
    tls:
      mode: Terminate
      certificateRefs:
      - name: apim-tls
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: cp-httproute
  namespace: apim
spec:
  parentRefs:
  - name: apim-gateway
    sectionName: control-plane-https
  hostnames:
  - {cp_host}
  rules:
  - matches:
    - path:
        type: PathPrefix
        value: /
    backendRefs:
    - name: cp
      port: 9443
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: gw-httproute
  namespace: apim
spec:
  parentRefs:
  - name: apim-gateway
    sectionName: gateway-https
  hostnames:
{gw_list}
  rules:
  - matches:
    - path:
        type: PathPrefix
        value: /
    backendRefs:
    - name: gw
      port: 8243
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ws-httproute
  namespace: apim
spec:
  parentRefs:
  - name: apim-gateway
    sectionName: gateway-https
  hostnames:
  - {ws_host}
  rules:
  - matches:
    - path:
        type: PathPrefix
        value: /
    backendRefs:
    - name: gw
      port: 8099
"""


RULE_PROXY = ("rules.md, Front door, proxy-port-mismatch: '`[transport.https.properties] proxyPort` (and `http`'s) equals the port the load "
              "balancer in front of the node exposes (Ingress 443, a LoadBalancer Service's `port`, a published Compose port, ...); no `proxyPort` "
              "while a proxy fronts the node on another port is reported too' (api-manager#4982, #5007)")
RULE_HOST = ("rules.md, Front door, hostname-unreachable: '`[server] hostname` of a node that serves users (control plane, all-in-one, gateway) "
             "is a name the outside reaches: not `localhost` or an IP literal in a deployment of more than one node, and, where Ingress/Route/LoadBalancer/Compose "
             "inputs or `[hosts]` load balancers exist, one of their host names for that node (portals redirect users to `[server] hostname`)'")
RULE_PORTAL = ("rules.md, Front door, portal-url-unresolved: '`[apim.devportal] url` ... resolve[s] to a node of the right role (control plane / gateway) "
               "in the writer's region or to its load balancer, as `cli.md` resolves any URL'; kubernetes.md: 'Ingress (networking.k8s.io/v1) rules, "
               "Gateway API HTTPRoute ... hostnames, and OpenShift Route hosts resolve like load balancers (port not compared) to the nodes behind their backend Services'")
DOC_PROXY = ("docs-apim configuring-the-proxy-server-and-the-load-balancer.md Step 3: 'When using a load balancer, you need to configure the proxy host "
             "and the port ... [transport.https.properties] proxyPort = 443 [server] hostname = \"<loadbalancer_hostname>\"'")
DOC_9443 = ("docs-apim configuring-the-proxy-server-and-the-load-balancer.md Step 3 note: 'When using a load balancer with the '9443' port, you only need "
            "to update the hostname of the load balancer'")
CP1, CP2, GW = f"{REG}/cp-1", f"{REG}/cp-2", f"{REG}/wso2am-gw"

# ---------------------------------------------------------------- legit
m = M().drop("Ingress", "apim")
m.add("""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: apim-cp-ingress
  namespace: apim
  annotations:
    nginx.ingress.kubernetes.io/backend-protocol: HTTPS
    nginx.ingress.kubernetes.io/affinity: cookie
    nginx.ingress.kubernetes.io/session-cookie-name: route
spec:
  ingressClassName: nginx
  tls:
  - hosts:
    - apim.example.com
    secretName: apim-tls
  rules:
  - host: apim.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: cp
            port:
              name: https
""")
m.add("""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: apim-gw-ingress
  namespace: apim
  annotations:
    nginx.ingress.kubernetes.io/backend-protocol: HTTPS
spec:
  ingressClassName: nginx
  tls:
  - hosts:
    - gw.example.com
    - ws.example.com
    secretName: apim-tls
  rules:
  - host: gw.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: gw
            port:
              name: pt-https
  - host: ws.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: gw
            port:
              name: wss
""")
case("k8s-legit-ingress-per-component", "legit",
     "one Ingress per component as WSO2's charts render them (apim.example.com -> Service cp by port name https, with cookie affinity; gw.example.com and ws.example.com -> Service gw by port names); CP hostname apim.example.com + proxyPort 443, gateway hostname gw.example.com + proxyPort 80/443, TMs with internal names",
     DOC_PROXY + "; helm-apim distributed/control-plane templates wso2am-cp-ingress.yaml (host = ingress.controlPlane.hostname = [server] hostname, backend 9443) "
     "and gateway wso2am-gateway-ingress.yaml (backend 8243), confs: 'proxyPort = 443'; issue 29: 'a node that serves no user (a traffic manager) is not asked for a public name'",
     m.files())

case("k8s-legit-hostname-mixed-case", "legit",
     "the control planes write [server] hostname = \"APIM.Example.com\" while the Ingress rule's host is apim.example.com (same DNS name)",
     RULE_HOST + "; cli.md: host matching is 'Case-insensitive'; RFC 4343: DNS names are case-insensitive (Kubernetes lower-cases Ingress hosts by validation)",
     M().sub(CPS, CP_HOST, '    hostname = "APIM.Example.com"\n').files())

case("k8s-legit-loadbalancer-9443-no-proxyport", "legit",
     "the control planes are published by a LoadBalancer Service on port 9443 (external-dns name apim.example.com) instead of the Ingress, and write no proxyPort: the load balancer keeps the servlet port",
     DOC_9443 + "; " + RULE_PROXY,
     without_cp_ingress(M()).sub(CPS, CP_PROXY, "").sub(CPS, DEVPORTAL, '    url = "https://apim.example.com:9443/devportal"\n')
     .add(cp_service(port=9443)).files())

m = M().drop("Ingress", "apim")
m.add(route("apim-cp-route", "apim.example.com", "cp", 9443))
m.add(route("apim-gw-route", "gw.example.com", "gw", 8243))
m.add(route("apim-ws-route", "ws.example.com", "gw", 8099))
case("k8s-legit-openshift-routes", "legit",
     "OpenShift: three passthrough Routes (apim.example.com -> cp:9443, gw.example.com -> gw:8243, ws.example.com -> gw:8099) instead of the Ingress; hostnames and proxyPort 443 as with the Ingress",
     "kubernetes.md: 'OpenShift Route hosts resolve like load balancers (port not compared) to the nodes behind their backend Services'; helm-apim "
     "wso2am-cp-route.yaml / wso2am-gateway-route.yaml (route.tls.termination: passthrough, targetPort 9443 / 8243); OpenShift routes serve on 443; " + DOC_PROXY,
     m.files())

case("k8s-legit-gateway-api-httproutes", "legit",
     "Kubernetes Gateway API instead of Ingress: a Gateway with HTTPS listeners on 443 and HTTPRoutes apim.example.com -> cp:9443, gw.example.com -> gw:8243, ws.example.com -> gw:8099 (the charts' default since 4.6)",
     "kubernetes.md: 'Gateway API HTTPRoute/TLSRoute/GRPCRoute hostnames ... resolve like load balancers'; helm-apim values.yaml 'gatewayAPI: enabled: true', "
     "wso2am-cp-gateway-api-httproute.yaml (hostnames: controlPlane.hostname, backendRefs port 9443); issue 29: 'WSO2's rendered charts with their default values raise no front-door error'",
     M().drop("Ingress", "apim").add(gateway_api()).files())

case("k8s-legit-no-front-in-manifests", "legit",
     "no Ingress, Route or LoadBalancer in the manifests: the corporate F5 outside the cluster fronts the NodeIPs; control planes keep hostname apim.example.com and proxyPort 443",
     "rules.md hostname-unreachable: the front-door comparison applies only 'where Ingress/Route/LoadBalancer/Compose inputs or [hosts] load balancers exist'; otherwise only "
     "'not localhost or an IP literal'; proxy-port-mismatch compares with 'the port the load balancer in front of the node exposes' — none is described",
     M().drop("Ingress", "apim").files())

case("k8s-legit-dotted-proxyport-keys", "legit",
     "control planes write the proxy ports as dotted keys under [transport.https]/[transport.http] (properties.proxyPort = 443 / 80), the style of WSO2's gateway chart and docs, behind the Ingress",
     "docs-apim gateway-ha-cluster.toml: '[transport.https] properties.port = 9443 properties.proxyPort = 443'; helm-apim distributed/gateway/confs/deployment.toml "
     "'[transport.https] properties.proxyPort = 443'; TOML 1.0 dotted keys define the same table; " + DOC_PROXY,
     M().sub(CPS, CP_PROXY, "    [transport.http]\n    properties.proxyPort = 80\n\n    [transport.https]\n    properties.proxyPort = 443\n").files())

# ---------------------------------------------------------------- mistakes
case("k8s-ingress-cp-proxyport-missing", "mistake",
     "both control planes lost [transport.https.properties] proxyPort while the Ingress serves them on 443: the portals' redirects and links carry :9443",
     RULE_PROXY + "; " + DOC_PROXY,
     M().sub(CPS, CP_PROXY, "").files(),
     expect=[{"rule": "proxy-port-mismatch", "node": CP1}])

case("k8s-ingress-cp-proxyport-servlet-port", "mistake",
     "the control planes set proxyPort = 9443 (the servlet port) although users reach them through the Ingress on 443",
     RULE_PROXY + "; " + DOC_PROXY,
     M().sub(CPS, CP_PROXY, "    [transport.https.properties]\n    proxyPort = 9443\n").files(),
     expect=[{"rule": "proxy-port-mismatch", "node": CP2}])

case("k8s-cp-hostname-cluster-dns", "mistake",
     "the control planes set [server] hostname to the Service's cluster DNS name cp.apim.svc.cluster.local; the Ingress in front of them serves apim.example.com, so portal redirects send browsers to a name only the cluster resolves",
     RULE_HOST + "; kubernetes.md: a Service resolves as 'name.namespace.svc.cluster.local' inside the cluster only",
     M().sub(CPS, CP_HOST, '    hostname = "cp.apim.svc.cluster.local"\n').files(),
     expect=[{"rule": "hostname-unreachable", "node": CP1}])

case("k8s-gw-hostname-not-ingress-host", "mistake",
     "the gateway's [server] hostname is api-gw.example.com, a name the Ingress does not serve (it routes gw.example.com and ws.example.com to the gateways)",
     RULE_HOST + "; helm-apim gateway confs: '[server] hostname = {{ ingress.gateway.hostname }}' (the Ingress host)",
     M().sub("gw-conf", '    hostname = "gw.example.com"\n', '    hostname = "api-gw.example.com"\n').files(),
     expect=[{"rule": "hostname-unreachable", "node": GW}])

case("k8s-devportal-url-gateway-ingress-host", "mistake",
     "the control planes' [apim.devportal] url names the gateways' Ingress host (https://gw.example.com/devportal) instead of the portal host apim.example.com",
     RULE_PORTAL,
     M().sub(CPS, DEVPORTAL, '    url = "https://gw.example.com/devportal"\n').files(),
     expect=[{"rule": "portal-url-unresolved", "node": CP1}])

case("k8s-env-endpoints-portal-ingress-host", "mistake",
     "the Default environment's http_endpoint/https_endpoint name the portal Ingress host apim.example.com (backed by the control planes) instead of gw.example.com: the Developer Portal shows API URLs that reach no gateway",
     "rules.md gateway-environment-unreachable: 'an environment's service_url, http(s)_endpoint, ws(s)_endpoint ... resolve to gateways'; issue 29: 'Every URL key that names a public "
     "address of a node is resolved like any other URL (cli.md): ... the environments' http(s)_endpoint/ws(s)_endpoint'; kubernetes.md: Ingress hosts resolve 'to the nodes behind their backend Services'",
     M().sub(CPS, '    http_endpoint = "http://gw.example.com"\n    https_endpoint = "https://gw.example.com"\n',
             '    http_endpoint = "http://apim.example.com"\n    https_endpoint = "https://apim.example.com"\n').files(),
     expect=[{"rule": "gateway-environment-unreachable", "node": CP1}])

case("k8s-gw-proxyport-passthrough-port", "mistake",
     "the gateway sets [transport.https.properties] proxyPort = 8243 (its PassThrough port) while the Ingress serves it on 443",
     RULE_PROXY + "; helm-apim gateway confs (behind the Ingress): '[transport.https] properties.proxyPort = 443'",
     M().sub("gw-conf", "    [transport.https.properties]\n    proxyPort = 443\n", "    [transport.https.properties]\n    proxyPort = 8243\n").files(),
     expect=[{"rule": "proxy-port-mismatch", "node": GW}])

case("k8s-loadbalancer-8443-proxyport-443", "mistake",
     "the control planes are published by a LoadBalancer Service (external-dns apim.example.com) on port 8443, but keep proxyPort = 443 from the Ingress days",
     RULE_PROXY,
     without_cp_ingress(M()).sub(CPS, DEVPORTAL, '    url = "https://apim.example.com:8443/devportal"\n').add(cp_service(port=8443)).files(),
     expect=[{"rule": "proxy-port-mismatch", "node": CP1}])

case("k8s-loadbalancer-443-proxyport-missing", "mistake",
     "the control planes are published by a LoadBalancer Service on port 443 -> targetPort servlet-https (9443), and write no proxyPort",
     RULE_PROXY + "; " + DOC_PROXY,
     without_cp_ingress(M()).sub(CPS, CP_PROXY, "").add(cp_service(port=443)).files(),
     expect=[{"rule": "proxy-port-mismatch", "node": CP1}])

case("k8s-nodeport-30443-proxyport-missing", "mistake",
     "the control planes are exposed by a NodePort Service (nodePort 30443 -> servlet-https) without an Ingress, and write no proxyPort: users on https://<node>:30443/publisher are redirected to :9443",
     RULE_PROXY + "; issue 29 (What to build): 'in containers (against Ingress, Route, Gateway API, LoadBalancer and NodePort Services, Compose published ports)'; "
     "Kubernetes Service docs: 'NodePort: Exposes the Service on each Node's IP at a static port'",
     without_cp_ingress(M()).sub(CPS, CP_PROXY, "").sub(CPS, DEVPORTAL, '    url = "https://apim.example.com:30443/devportal"\n')
     .add(cp_service(kind="NodePort", port=9443, node_port=30443, host=None)).files(),
     expect=[{"rule": "proxy-port-mismatch", "node": CP1}])

m = M().drop("Ingress", "apim")
m.add(route("apim-cp-route", "apim.apps.ocp-eu.example.com", "cp", 9443))
m.add(route("apim-gw-route", "gw.example.com", "gw", 8243))
m.add(route("apim-ws-route", "ws.example.com", "gw", 8099))
case("k8s-openshift-route-host-not-server-hostname", "mistake",
     "OpenShift: the control planes' Route serves apim.apps.ocp-eu.example.com (the cluster's default router domain), while their [server] hostname and Developer Portal URL stay apim.example.com",
     RULE_HOST + "; kubernetes.md: 'OpenShift Route hosts resolve like load balancers ... to the nodes behind their backend Services'",
     m.files(),
     expect=[{"rule": "hostname-unreachable", "node": CP1}])

case("k8s-httproute-gateway-hostnames-differ", "mistake",
     "Gateway API: the gateways' HTTPRoute serves api.example.com only, while the gateway's [server] hostname (and the environments' endpoints) stay gw.example.com",
     RULE_HOST + "; helm-apim gateway confs: 'hostname = {{ gatewayAPI.gateway.hostname }}' — the same value the HTTPRoute's hostnames carry",
     M().drop("Ingress", "apim").add(gateway_api(gw_hosts=("api.example.com",))).files(),
     expect=[{"rule": "hostname-unreachable", "node": GW}])

case("k8s-gateway-listener-8443-proxyport-443", "mistake",
     "Gateway API: the control planes' HTTPRoute attaches to a Gateway listener on port 8443, while the control planes keep proxyPort = 443",
     RULE_PROXY + "; Gateway API spec: a Listener's 'port' is 'the network port' the Gateway listens on, and an HTTPRoute's parentRefs sectionName binds it to that listener",
     M().drop("Ingress", "apim").sub(CPS, DEVPORTAL, '    url = "https://apim.example.com:8443/devportal"\n').add(gateway_api(cp_port=8443)).files(),
     expect=[{"rule": "proxy-port-mismatch", "node": CP1}])
print("k8s done")

# ---------------------------------------------------------------- added after the first pass
case("k8s-gw-hostname-localhost", "mistake",
     "the gateway's ConfigMap keeps the pack's [server] hostname = \"localhost\" (two gateway replicas behind the Ingress host gw.example.com)",
     RULE_HOST,
     M().sub("gw-conf", '    hostname = "gw.example.com"\n', '    hostname = "localhost"\n').files(),
     expect=[{"rule": "hostname-unreachable", "node": GW}])

case("k8s-cp-hostname-gateway-ingress-host", "mistake",
     "the control planes' [server] hostname was pasted from the gateway's values: gw.example.com, an Ingress host that routes to the gateways, not to the control planes (theirs is apim.example.com)",
     RULE_HOST + " — 'one of their host names for that node': gw.example.com is a front-door name, but of another node",
     M().sub(CPS, CP_HOST, '    hostname = "gw.example.com"\n').files(),
     expect=[{"rule": "hostname-unreachable", "node": CP2}])

case("k8s-legit-devportal-second-ingress-host", "legit",
     "the Ingress serves the control planes under two names (apim.example.com for the Publisher/Admin, portal.example.com for the Developer Portal); [server] hostname is apim.example.com and [apim.devportal] url is https://portal.example.com/devportal",
     RULE_PORTAL + "; Kubernetes Ingress: several rules may name the same backend Service",
     M().sub("apim", "    - apim.example.com\n", "    - apim.example.com\n    - portal.example.com\n")
        .sub("apim", INGRESS_CP_RULE, INGRESS_CP_RULE + INGRESS_CP_RULE.replace("apim.example.com", "portal.example.com"))
        .sub(CPS, DEVPORTAL, '    url = "https://portal.example.com/devportal"\n').files())
print("k8s extra done")
