"""Helm-rendered cases of the `front` batch (python3 gen_helm.py).

Base: the helm batch's legit-p3-acp-tm-gw-defaults rendering (WSO2 helm-apim distributed charts,
pattern 3: API-CP HA pair + TM HA pair + Universal Gateway, region eu-central, Gateway API
HTTPRoutes, rendered with helm-python-sdk). Here the release is moved to OpenShift the way the
charts do it: `kubernetes.gatewayAPI.enabled=false`, `kubernetes.route.<component>.enabled=true`,
which makes the charts render route.openshift.io Routes (templates wso2am-cp-route.yaml,
wso2am-gateway-route*.yaml) and take `[server] hostname` from `kubernetes.ingress.<component>.hostname`
(confs/deployment.toml: `{{ if gatewayAPI.enabled }}gatewayAPI...hostname{{ else }}ingress...hostname{{ end }}`).
The edits below are what that values change renders."""
import os, re, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from write import case

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "helm", "legit-p3-acp-tm-gw-defaults", "tree", "eu-central")
R = "eu-central"


def load(name):
    t = open(os.path.join(SRC, name)).read()
    assert t.startswith("---\n")
    return [d for d in t[4:].split("\n---\n")]


def kind_name(d):
    k = re.search(r"^kind: (\S+)", d, re.M)
    n = re.search(r"^metadata:\n(?:  .*\n)*?  name: (\S+)", d + "\n", re.M)
    return (k.group(1) if k else None, n.group(1) if n else None)


def drop(docs, kinds):
    return [d for d in docs if kind_name(d)[0] not in kinds]


def dump(docs):
    return "---\n" + "\n---\n".join(d.strip("\n") for d in docs) + "\n"


def route(name, host, service, port, source):
    return f"""# Source: {source}
apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: {name}
  namespace: apim
spec:
  host: {host}
  port:
    targetPort: {port}
  tls:
    termination: "passthrough"
    insecureEdgeTerminationPolicy: "None"
  to:
    kind: Service
    name: {service}
    weight: 100
  wildcardPolicy: None"""


def openshift(cp_route_host, cp_server_hostname):
    acp = drop(load("apim-acp.yaml"), {"HTTPRoute", "BackendTLSPolicy", "BackendTrafficPolicy"})
    acp = [d.replace('hostname = \\"am.eu.example.com\\"', f'hostname = \\"{cp_server_hostname}\\"')
            .replace('url = \\"https://am.eu.example.com/devportal\\"', f'url = \\"https://{cp_server_hostname}/devportal\\"') for d in acp]
    acp.append(route("apim-acp-wso2am-acp-route", cp_route_host, "apim-acp-wso2am-acp-service", 9443,
                     "wso2am-acp/templates/control-plane/wso2am-cp-route.yaml"))
    gw = drop(load("apim-gw.yaml"), {"HTTPRoute", "BackendTLSPolicy"})
    gw.append(route("apim-gw-wso2am-universal-gw-gateway-route", "gw.eu.example.com", "apim-gw-wso2am-universal-gw-service", 8243,
                    "wso2am-universal-gw/templates/gateway/wso2am-gateway-route.yaml"))
    gw.append(route("apim-gw-wso2am-universal-gw-websocket-route", "websocket.eu.example.com", "apim-gw-wso2am-universal-gw-service", 8099,
                    "wso2am-universal-gw/templates/gateway/wso2am-gateway-route-ws.yaml"))
    gw.append(route("apim-gw-wso2am-universal-gw-websub-route", "websub.eu.example.com", "apim-gw-wso2am-universal-gw-service", 8021,
                    "wso2am-universal-gw/templates/gateway/wso2am-gateway-route-websub.yaml"))
    tm = load("apim-tm.yaml")
    return {f"{R}/apim-acp.yaml": dump(acp), f"{R}/apim-gw.yaml": dump(gw), f"{R}/apim-tm.yaml": dump(tm)}


CHART = ("helm-apim distributed/control-plane/confs/instance-1/deployment.toml: 'hostname = \"{{- if .Values.kubernetes.gatewayAPI.enabled -}}{{ .Values.kubernetes.gatewayAPI.controlPlane.hostname }}"
         "{{- else -}}{{ .Values.kubernetes.ingress.controlPlane.hostname }}{{- end -}}\"' while templates/control-plane/wso2am-cp-route.yaml renders 'host: {{ .Values.kubernetes.route.controlPlane.hostname }}' "
         "(values.yaml defaults: ingress.controlPlane.hostname and route.controlPlane.hostname both \"am.wso2.com\")")

case("helm-legit-openshift-routes", "legit",
     "WSO2's distributed charts (pattern 3) on OpenShift: gatewayAPI disabled, passthrough Routes enabled for the control planes (am.eu.example.com -> 9443) and the gateway (gw/websocket/websub.eu.example.com), the operator setting each component's ingress.*.hostname and route.*.hostname to the same name; proxyPort 443 as the charts render it",
     CHART + "; kubernetes.md: 'OpenShift Route hosts resolve like load balancers (port not compared) to the nodes behind their backend Services'; issue 29: 'WSO2's rendered charts with their default values raise no front-door error'",
     openshift("am.eu.example.com", "am.eu.example.com"))

case("helm-openshift-route-host-chart-default-hostname", "mistake",
     "the same OpenShift release, but the operator set only kubernetes.route.controlPlane.hostname = apim.apps.ocp-eu.example.com: with gatewayAPI disabled the charts take [server] hostname (and the Developer Portal URL) from kubernetes.ingress.controlPlane.hostname, still the default am.wso2.com",
     CHART + "; rules.md hostname-unreachable: 'where Ingress/Route/LoadBalancer/Compose inputs ... exist, one of their host names for that node (portals redirect users to `[server] hostname`)'",
     openshift("apim.apps.ocp-eu.example.com", "am.wso2.com"),
     expect=[{"rule": "hostname-unreachable", "node": f"{R}/apim-acp-wso2am-acp-deployment-1"}])
print("helm done")
