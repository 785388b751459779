"""Plain-tree base for the `front` batch: one region of WSO2 API-M 4.5 (CP, GW, TM HA pairs),
written from fixtures/deployments/pattern-1 and the docs' HA samples (control-plane-ha-cluster.toml:
`proxyPort = 443`, `[apim.devportal] url` through the load balancer)."""

COMMON_DB = """[super_admin]
username = "apim-admin"
password = "$env{{ADMIN_PASSWORD}}"
create_admin_account = true

[user_store]
type = "database_unique_id"
"""

DB = """[database.{name}]
type = "mssql"
url = "jdbc:sqlserver://db.{r}.example.com:1433;databaseName={db};encrypt=true"
username = "apim_user"
password = "$env{{DB_PASSWORD}}"
"""

KEYS = """[keystore.primary]
file_name = "apim-primary.jks"
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
file_name = "apim-tls.jks"
type = "JKS"
alias = "apim-tls"
password = "$env{{KEYSTORE_PASSWORD}}"
key_password = "$env{{KEYSTORE_PASSWORD}}"

[truststore]
file_name = "apim-truststore.jks"
type = "JKS"
password = "$env{{TRUSTSTORE_PASSWORD}}"
"""

ENV = """[[apim.gateway.environment]]
name = "{name}"
type = "hybrid"
provider = "wso2"
gateway_type = "Regular"
description = "{desc}"
display_in_api_console = true
show_as_token_endpoint_url = true
service_url = "https://gw.{r}.example.com:9443/services/"
http_endpoint = "http://gw.{r}.example.com:8280"
https_endpoint = "https://gw.{r}.example.com:8243"
ws_endpoint = "ws://gw.{r}.example.com:9099"
wss_endpoint = "wss://gw.{r}.example.com:8099"
"""


def cp(r, n, other, hostname=None, devportal=None, proxy="[transport.https.properties]\nproxyPort = 443\n", ip_base="10.20"):
    hostname = hostname or f"cp-{n}.{r}.example.com"
    devportal = devportal if devportal is not None else f"https://api.{r}.example.com/devportal"
    dev = f'[apim.devportal]\nurl = "{devportal}"\n' if devportal else ""
    return f"""# {r}/cp-{n}: API-M 4.5 control plane (Publisher, Developer Portal, Admin portal,
# resident key manager, event hub). Users reach the portals through the load balancer
# api.{r}.example.com (apimlint.toml [hosts]), which terminates TLS on 443.

[server]
hostname = "{hostname}"
node_ip = "{ip_base}.1.1{n}"
server_role = "control-plane"

{COMMON_DB.format()}
{DB.format(name="apim_db", r=r, db="WSO2AM_DB")}
{DB.format(name="shared_db", r=r, db="WSO2AM_SHARED_DB")}
{KEYS.format()}
# The load balancer listens on 443: portal redirects and links must use it.
{proxy}
{dev}
{ENV.format(name="Default", desc="Hybrid gateway for production and sandbox traffic.", r=r)}
[apim.event_hub]
enable = true
username = "$ref{{super_admin.username}}"
password = "$ref{{super_admin.password}}"
service_url = "https://localhost:${{mgt.transport.https.port}}/services/"
event_listening_endpoints = ["tcp://localhost:5672"]
event_duplicate_url = ["tcp://cp-{other}.{r}.example.com:5672"]

[[apim.event_hub.publish.url_group]]
urls = ["tcp://cp-1.{r}.example.com:9611"]
auth_urls = ["ssl://cp-1.{r}.example.com:9711"]

[[apim.event_hub.publish.url_group]]
urls = ["tcp://cp-2.{r}.example.com:9611"]
auth_urls = ["ssl://cp-2.{r}.example.com:9711"]

[[event_listener]]
id = "token_revocation"
type = "org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
name = "org.wso2.is.notification.ApimOauthEventInterceptor"
order = 1

[event_listener.properties]
notification_endpoint = "https://localhost:${{mgt.transport.https.port}}/internal/data/v1/notify"
username = "${{admin.username}}"
password = "${{admin.password}}"
'header.X-WSO2-KEY-MANAGER' = "default"
"""


def gw(r, n, hostname=None, ip_base="10.20", tm_hosts=None):
    hostname = hostname or f"gw.{r}.example.com"
    t1, t2 = tm_hosts or (f"tm-1.{r}.example.com", f"tm-2.{r}.example.com")
    return f"""# {r}/gw-{n}: API-M 4.5 gateway worker. Both gateways share the cluster name
# gw.{r}.example.com (the gateway load balancer); node_ip tells them apart.

[server]
hostname = "{hostname}"
node_ip = "{ip_base}.2.2{n}"
server_role = "gateway-worker"

{COMMON_DB.format()}
{DB.format(name="shared_db", r=r, db="WSO2AM_SHARED_DB")}
{KEYS.format()}
[apim.sync_runtime_artifacts.gateway]
gateway_labels = ["Default"]

[apim.gateway_notification]
gateway_id = "{r}-gw-{n}"

[apim.key_manager]
service_url = "https://api.{r}.example.com/services/"
username = "$ref{{super_admin.username}}"
password = "$ref{{super_admin.password}}"

[apim.event_hub]
enable = true
username = "$ref{{super_admin.username}}"
password = "$ref{{super_admin.password}}"
service_url = "https://api.{r}.example.com/services/"
event_listening_endpoints = ["tcp://cp-1.{r}.example.com:5672", "tcp://cp-2.{r}.example.com:5672"]

[apim.throttling]
username = "$ref{{super_admin.username}}"
password = "$ref{{super_admin.password}}"
service_url = "https://api.{r}.example.com/services/"
throttle_decision_endpoints = ["tcp://{t1}:5672", "tcp://{t2}:5672"]

[[apim.throttling.url_group]]
traffic_manager_urls = ["tcp://{t1}:9611"]
traffic_manager_auth_urls = ["ssl://{t1}:9711"]
type = "loadbalance"

[[apim.throttling.url_group]]
traffic_manager_urls = ["tcp://{t2}:9611"]
traffic_manager_auth_urls = ["ssl://{t2}:9711"]
type = "loadbalance"
"""


def tm(r, n, other, hostname=None, ip_base="10.20", other_host=None):
    hostname = hostname or f"tm-{n}.{r}.example.com"
    other_host = other_host or f"tm-{other}.{r}.example.com"
    return f"""# {r}/tm-{n}: API-M 4.5 traffic manager (serves no user: gateways and control planes only).

[server]
hostname = "{hostname}"
node_ip = "{ip_base}.3.3{n}"
server_role = "traffic-manager"

{COMMON_DB.format()}
{DB.format(name="apim_db", r=r, db="WSO2AM_DB")}
{DB.format(name="shared_db", r=r, db="WSO2AM_SHARED_DB")}
{KEYS.format()}
[apim.throttling]
username = "$ref{{super_admin.username}}"
password = "$ref{{super_admin.password}}"
throttle_decision_endpoints = ["tcp://localhost:5672"]
event_duplicate_url = ["tcp://{other_host}:5672"]

[apim.event_hub]
enable = true
username = "$ref{{super_admin.username}}"
password = "$ref{{super_admin.password}}"
service_url = "https://api.{r}.example.com/services/"
event_listening_endpoints = ["tcp://cp-1.{r}.example.com:5672", "tcp://cp-2.{r}.example.com:5672"]
"""


def region(r, short, **over):
    """Files of one region: {relative path: text}. `over` replaces a node's text."""
    nodes = {
        "cp-1": cp(short, 1, 2), "cp-2": cp(short, 2, 1),
        "gw-1": gw(short, 1), "gw-2": gw(short, 2),
        "tm-1": tm(short, 1, 2), "tm-2": tm(short, 2, 1),
    }
    nodes.update(over)
    return {f"{r}/{n}/repository/conf/deployment.toml": t for n, t in nodes.items()}


def project(regions, version="4.5.0"):
    lines = ["# apimlint project file: API-M version and the control-plane load balancers.",
             "[deployment]", f'version = "{version}"', "",
             "# The load balancer in front of each region's two control planes (portals,",
             "# key manager and event hub service). No node carries this name itself.",
             "[hosts]"]
    for r, short in regions:
        lines.append(f'"api.{short}.example.com" = ["{r}/cp-1", "{r}/cp-2"]')
    return "\n".join(lines) + "\n"
