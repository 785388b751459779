"""A hand-written single-region Kubernetes deployment (one CP, one TM, a gateway Deployment of
two replicas) whose keystores come from one Secret, as WSO2's charts mount `jksSecretName`
(helm-apim: a Secret of keystores mounted file by file with subPath into
repository/resources/security/). API-M 4.4.0 images (one distribution, server_role profiles).
"""
import base64

HOME = "/home/wso2carbon/wso2am-4.4.0"
NS = "apim"
DB = "jdbc:sqlserver://mssql.db.svc.cluster.local:1433;databaseName={};encrypt=true"


def svc_hosts(name):
    return [name, f"{name}.{NS}", f"{name}.{NS}.svc", f"{name}.{NS}.svc.cluster.local"]


def keystores_toml(tls, tls_type="JKS", primary="apim-primary.jks"):
    return f'''
[keystore.primary]
file_name = "{primary}"
type = "JKS"
alias = "apim-primary"
password = "$env{{KEYSTORE_PASSWORD}}"
key_password = "$env{{KEYSTORE_PASSWORD}}"

[keystore.internal]
file_name = "apim-internal.jks"
type = "JKS"
alias = "apim-internal"
password = "$env{{KEYSTORE_PASSWORD}}"
key_password = "$env{{KEYSTORE_PASSWORD}}"

[keystore.tls]
file_name = "{tls}"
type = "{tls_type}"
alias = "{tls.split('.')[0]}"
password = "$env{{KEYSTORE_PASSWORD}}"
key_password = "$env{{KEYSTORE_PASSWORD}}"

[truststore]
file_name = "apim-truststore.jks"
type = "JKS"
password = "$env{{TRUSTSTORE_PASSWORD}}"
'''


def head(host, role):
    return f'''[server]
hostname = "{host}"
node_ip = "$env{{NODE_IP}}"
server_role = "{role}"

[super_admin]
username = "apim-admin"
password = "$env{{ADMIN_PASSWORD}}"
create_admin_account = true

[user_store]
type = "database_unique_id"
'''


def dbs(apim=True):
    s = ""
    for name, db in ((("apim_db", "WSO2AM_DB"),) if apim else ()) + (("shared_db", "WSO2AM_SHARED_DB"),):
        s += f'''
[database.{name}]
type = "mssql"
url = "{DB.format(db)}"
username = "apim_user"
password = "$env{{DB_PASSWORD}}"
'''
    return s


def cp_toml(ks):
    return head("apim.example.com", "control-plane") + dbs() + ks + '''
[[apim.gateway.environment]]
name = "Default"
type = "hybrid"
provider = "wso2"
gateway_type = "Regular"
display_in_api_console = true
description = "Default gateway environment."
show_as_token_endpoint_url = true
service_url = "https://wso2am-gw:9443/services/"
username = "${admin.username}"
password = "${admin.password}"
http_endpoint = "http://wso2am-gw:8280"
https_endpoint = "https://wso2am-gw:8243"
ws_endpoint = "ws://wso2am-gw:9099"
wss_endpoint = "wss://wso2am-gw:8099"

[apim.event_hub]
enable = true
username = "$ref{super_admin.username}"
password = "$ref{super_admin.password}"
service_url = "https://localhost:${mgt.transport.https.port}/services/"
event_listening_endpoints = ["tcp://localhost:5672"]

[[apim.event_hub.publish.url_group]]
urls = ["tcp://wso2am-cp:9611"]
auth_urls = ["ssl://wso2am-cp:9711"]

[[event_listener]]
id = "token_revocation"
type = "org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
name = "org.wso2.is.notification.ApimOauthEventInterceptor"
order = 1

[event_listener.properties]
notification_endpoint = "https://localhost:${mgt.transport.https.port}/internal/data/v1/notify"
username = "${admin.username}"
password = "${admin.password}"
'header.X-WSO2-KEY-MANAGER' = "default"
'''


def tm_toml(ks):
    return head("tm.apim.example.com", "traffic-manager") + dbs() + ks + '''
[apim.throttling]
username = "$ref{super_admin.username}"
password = "$ref{super_admin.password}"
throttle_decision_endpoints = ["tcp://localhost:5672"]

[apim.event_hub]
enable = true
username = "$ref{super_admin.username}"
password = "$ref{super_admin.password}"
service_url = "https://wso2am-cp:9443/services/"
event_listening_endpoints = ["tcp://wso2am-cp:5672"]
'''


def gw_toml(ks):
    return head("gw.example.com", "gateway-worker") + dbs(apim=False) + ks + '''
[apim.sync_runtime_artifacts.gateway]
gateway_labels = ["Default"]

[apim.key_manager]
service_url = "https://wso2am-cp:9443/services/"
username = "$ref{super_admin.username}"
password = "$ref{super_admin.password}"

[apim.event_hub]
enable = true
username = "$ref{super_admin.username}"
password = "$ref{super_admin.password}"
service_url = "https://wso2am-cp:9443/services/"
event_listening_endpoints = ["tcp://wso2am-cp:5672"]

[apim.throttling]
username = "$ref{super_admin.username}"
password = "$ref{super_admin.password}"
service_url = "https://wso2am-cp:9443/services/"
throttle_decision_endpoints = ["tcp://wso2am-tm:5672"]

[[apim.throttling.url_group]]
traffic_manager_urls = ["tcp://wso2am-tm:9611"]
traffic_manager_auth_urls = ["ssl://wso2am-tm:9711"]
'''


PORTS = {"wso2am-cp": [("https", 9443), ("jms", 5672), ("binary", 9611), ("binary-ssl", 9711)],
         "wso2am-tm": [("binary", 9611), ("binary-ssl", 9711), ("jms", 5672)],
         "wso2am-gw": [("https", 9443), ("pass-through", 8280), ("pass-through-ssl", 8243),
                       ("ws", 9099), ("wss", 8099)]}


def indent(text, n):
    pad = " " * n
    return "".join(pad + l if l.strip() else l for l in text.splitlines(True))


def configmap(name, toml):
    return f'''apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-conf
  namespace: {NS}
data:
  deployment.toml: |
{indent(toml, 4)}'''


def secret(name, files):
    s = f'''apiVersion: v1
kind: Secret
metadata:
  name: {name}
  namespace: {NS}
type: Opaque
data:
'''
    for k in sorted(files):
        s += f"  {k}: {base64.b64encode(files[k]).decode()}\n"
    return s


def service(name):
    s = f'''apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {NS}
spec:
  selector:
    app: {name}
  ports:
'''
    for pn, p in PORTS[name]:
        s += f"  - name: {pn}\n    port: {p}\n    targetPort: {p}\n    protocol: TCP\n"
    return s


def deployment(name, replicas, mounts, secret_name="apim-keystores", sec_dir=None, items=None, env_literal=None):
    """mounts: list of (file name in the Secret, path relative to the home) mounted with subPath;
    sec_dir: mount the Secret volume as this directory (relative to home) with `items` instead."""
    s = f'''apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {NS}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
      - name: wso2am
        image: wso2/wso2am:4.4.0
        env:
        - name: NODE_IP
          valueFrom:
            fieldRef:
              fieldPath: status.podIP
'''
    for env, key in (("ADMIN_PASSWORD", "admin-password"), ("DB_PASSWORD", "db-password"),
                     ("KEYSTORE_PASSWORD", "keystore-password"), ("TRUSTSTORE_PASSWORD", "truststore-password")):
        if env_literal and env in env_literal:
            s += f"        - name: {env}\n          value: \"{env_literal[env]}\"\n"
            continue
        s += f'''        - name: {env}
          valueFrom:
            secretKeyRef:
              name: apim-credentials
              key: {key}
'''
    s += "        ports:\n"
    for pn, p in PORTS[name]:
        s += f"        - name: {pn}\n          containerPort: {p}\n"
    s += f'''        volumeMounts:
        - name: conf
          mountPath: {HOME}/repository/conf/deployment.toml
          subPath: deployment.toml
'''
    for key, rel in mounts:
        s += f'''        - name: keystores
          mountPath: {HOME}/{rel}
          subPath: {key}
'''
    if sec_dir:
        s += f'''        - name: keystores
          mountPath: {HOME}/{sec_dir}
          readOnly: true
'''
    s += f'''      volumes:
      - name: conf
        configMap:
          name: {name}-conf
      - name: keystores
        secret:
          secretName: {secret_name}
'''
    if items:
        s += "          items:\n"
        for k, p in items:
            s += f"          - key: {k}\n            path: {p}\n"
    return s


def stream(parts):
    return "---\n".join(p if p.endswith("\n") else p + "\n" for p in parts)
