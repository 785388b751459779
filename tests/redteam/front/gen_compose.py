"""Compose cases of the `front` batch (python3 gen_compose.py).

Base: compose_base.json = the compose batch's clean single-host deployment (region renamed
ams): services acp (control plane, publishes 9443:9443), tm-1, tm-2, gw-1 (8280:8280,
8243:8243), gw-2 (8281:8280, 8244:8243), mysql; each bind-mounts its deployment.toml.
Here the control plane also gets its Developer Portal URL. Each case changes one thing."""
import json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from write import case
from plain import KEYS, COMMON_DB

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = json.load(open(os.path.join(HERE, "compose_base.json")))
DC = "ams/docker-compose.yml"
CPF = "ams/conf/control-plane/deployment.toml"
ENVMARK = "# Gateway environments served by this region's gateways.\n"
DEV = '[apim.devportal]\nurl = "https://apim.ams.example.com:9443/devportal"\n\n'


KS = ["apim-primary.jks", "apim-internal.jks", "apim-tls.jks", "apim-truststore.jks"]


def with_keystores(dc, indent="    ", home="/home/wso2carbon/wso2am-4.5.0"):
    """Mount the keystores the TOML names next to each bind-mounted deployment.toml."""
    out = []
    for line in dc.splitlines(keepends=True):
        out.append(line)
        if line.rstrip().endswith("repository/conf/deployment.toml") and line.lstrip().startswith("- "):
            pre = line[: len(line) - len(line.lstrip())]
            for k in KS:
                out.append(f"{pre}- ./security/{k}:{home}/repository/resources/security/{k}:ro\n")
    return "".join(out)


def base():
    f = dict(BASE)
    f[DC] = with_keystores(f[DC])
    f[CPF] = f[CPF].replace(ENVMARK, DEV + ENVMARK)
    return f


def edit(f, path, old, new):
    assert old in f[path], (path, old)
    f[path] = f[path].replace(old, new)
    return f


ACP_PORTS = "    ports:\n    - 9443:9443\n"
RULE_PROXY = ("rules.md, Front door, proxy-port-mismatch: '`[transport.https.properties] proxyPort` (and `http`'s) equals the port the load balancer "
              "in front of the node exposes (... a published Compose port ...); no `proxyPort` while a proxy fronts the node on another port is reported too'; "
              "kubernetes.md (Compose): 'published ports are load-balancer entries (host:container)'")
RULE_HOST = ("rules.md, Front door, hostname-unreachable: '`[server] hostname` of a node that serves users (control plane, all-in-one, gateway) is a name "
             "the outside reaches: not `localhost` or an IP literal in a deployment of more than one node'")
COMPOSE_PORTS = ("Compose file reference, ports: 'HOST:CONTAINER' short syntax / long syntax 'target: the container port, published: the publicly exposed port'")

# ---------------------------------------------------------------- legit
case("compose-legit-gateway-passthrough-remapped", "legit",
     "one Docker host: gw-2 publishes its PassThrough ports remapped (8281:8280, 8244:8243) and, like every node, writes no proxyPort; the control plane publishes 9443:9443 unchanged",
     "proxyPort is the servlet (Tomcat) connector's setting: key-catalog.json 'transport.https.properties.*' sources 'catalina-server.xml.j2' (ports 9443/9763), while API traffic uses the PassThrough "
     "transport (8280/8243, wso2-facts.md §3); docs-apim configuring-the-proxy-server...: 'When using a load balancer with the '9443' port, you only need to update the hostname'; " + COMPOSE_PORTS,
     base())

f = edit(base(), DC, ACP_PORTS, "    ports:\n    - target: 9443\n      published: \"443\"\n      host_ip: 0.0.0.0\n      protocol: tcp\n      mode: host\n")
f = edit(f, CPF, ENVMARK, "[transport.https.properties]\nproxyPort = 443\n\n" + ENVMARK)
f = edit(f, CPF, "https://apim.ams.example.com:9443/devportal", "https://apim.ams.example.com/devportal")
case("compose-legit-cp-published-443-long-syntax", "legit",
     "the control plane's servlet port is published on 443 with the long port syntax (target 9443, published \"443\") and its proxyPort is 443",
     RULE_PROXY + "; " + COMPOSE_PORTS,
     f)

AIO = f"""# docker-apim style all-in-one (one API-M container and its MySQL), developer laptop.
[server]
hostname = "localhost"
base_path = "${{carbon.protocol}}://${{carbon.host}}:${{carbon.management.port}}"
server_role = "default"

{COMMON_DB.format()}
[database.apim_db]
type = "mysql"
url = "jdbc:mysql://mysql:3306/WSO2AM_DB?autoReconnect=true&amp;useSSL=false"
username = "apim_user"
password = "$env{{DB_PASSWORD}}"
driver = "com.mysql.cj.jdbc.Driver"

[database.shared_db]
type = "mysql"
url = "jdbc:mysql://mysql:3306/WSO2AM_SHARED_DB?autoReconnect=true&amp;useSSL=false"
username = "apim_user"
password = "$env{{DB_PASSWORD}}"
driver = "com.mysql.cj.jdbc.Driver"

{KEYS.format()}
[[apim.gateway.environment]]
name = "Default"
type = "hybrid"
provider = "wso2"
display_in_api_console = true
description = "This is a hybrid gateway that handles both production and sandbox token traffic."
show_as_token_endpoint_url = true
service_url = "https://localhost:${{mgt.transport.https.port}}/services/"
username= "${{admin.username}}"
password= "${{admin.password}}"
ws_endpoint = "ws://localhost:9099"
wss_endpoint = "wss://localhost:8099"
http_endpoint = "http://localhost:${{http.nio.port}}"
https_endpoint = "https://localhost:${{https.nio.port}}"

[apim.sync_runtime_artifacts.gateway]
gateway_labels =["Default"]

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
AIO_DC = """# API-M all-in-one with MySQL, after wso2/docker-apim docker-compose/apim-with-analytics.
services:
  mysql:
    image: mysql:8.3.0
    ports:
      - 3306
    environment:
      MYSQL_ROOT_PASSWORD_FILE: /run/secrets/mysql_root
    volumes:
      - ./conf/mysql/scripts:/docker-entrypoint-initdb.d
  api-manager:
    image: wso2/wso2am:4.5.0
    healthcheck:
      test: ["CMD", "nc", "-z", "localhost", "9443"]
      interval: 10s
      start_period: 180s
      retries: 20
    depends_on:
      - mysql
    volumes:
      - ./conf/apim:/home/wso2carbon/wso2-config-volume
      - ./security/apim-primary.jks:/home/wso2carbon/wso2am-4.5.0/repository/resources/security/apim-primary.jks:ro
      - ./security/apim-internal.jks:/home/wso2carbon/wso2am-4.5.0/repository/resources/security/apim-internal.jks:ro
      - ./security/apim-tls.jks:/home/wso2carbon/wso2am-4.5.0/repository/resources/security/apim-tls.jks:ro
      - ./security/apim-truststore.jks:/home/wso2carbon/wso2am-4.5.0/repository/resources/security/apim-truststore.jks:ro
    ports:
      - "9443:9443"
      - "8280:8280"
      - "8243:8243"
"""
SECRETS = BASE[CPF][BASE[CPF].index("# Secure Vault aliases"):]
for a, b in (("$env{ADMIN_PASSWORD}", "$secret{admin_password}"), ("$env{DB_PASSWORD}", "$secret{db_password}"),
             ("$env{KEYSTORE_PASSWORD}", "$secret{keystore_password}"), ("$env{TRUSTSTORE_PASSWORD}", "$secret{truststore_password}")):
    AIO = AIO.replace(a, b)
AIO = AIO + "\n" + SECRETS
case("compose-legit-docker-apim-all-in-one-localhost", "legit",
     "WSO2 docker-apim's single all-in-one Compose sample: hostname = \"localhost\", servlet and PassThrough ports published unchanged (9443:9443, 8280:8280, 8243:8243), no proxyPort",
     "issue 29: 'Single-node and all-in-one deployments keep `localhost` without a finding'; wso2/docker-apim docker-compose/apim-with-analytics (ports \"9443:9443\", \"8280:8280\", \"8243:8243\"; "
     "conf/apim deployment.toml hostname = \"localhost\"); " + RULE_PROXY,
     {"docker-compose.yml": AIO_DC, "conf/apim/repository/conf/deployment.toml": AIO})

f = base()
for n in ("1", "2"):
    edit(f, f"ams/conf/traffic-manager-{n}/deployment.toml", f'hostname = "tm-{n}.ams.example.com"', 'hostname = "localhost"')
case("compose-legit-tm-hostname-localhost", "legit",
     "both traffic managers keep [server] hostname = \"localhost\" (they publish no port; gateways reach them as tm-1/tm-2 by service name)",
     "issue 29: 'a node that serves no user (a traffic manager) is not asked for a public name'; rules.md hostname-unreachable covers 'a node that serves users (control plane, all-in-one, gateway)'; "
     "kubernetes.md (Compose): 'container ports are reached directly by service name'",
     f)

# ---------------------------------------------------------------- mistakes
case("compose-cp-published-443-proxyport-missing", "mistake",
     "the control plane's servlet port is published as 443:9443 but its deployment.toml has no proxyPort: portal redirects go to https://apim.ams.example.com:9443, which is not published",
     RULE_PROXY + "; docs-apim configuring-the-proxy-server-and-the-load-balancer.md Step 3: '[transport.https.properties] proxyPort = 443'",
     edit(edit(base(), DC, ACP_PORTS, "    ports:\n    - 443:9443\n"), CPF, "https://apim.ams.example.com:9443/devportal", "https://apim.ams.example.com/devportal"),
     expect=[{"rule": "proxy-port-mismatch"}])

case("compose-cp-published-9443-proxyport-443", "mistake",
     "the control plane publishes 9443:9443 (no proxy in front) but copied proxyPort = 443 from the docs' HA sample: the portals redirect to port 443, where nothing listens",
     RULE_PROXY + "; docs-apim control-plane-ha-cluster.toml has proxyPort = 443 only because an NGINX load balancer listens on 443 in that setup",
     edit(base(), CPF, ENVMARK, "[transport.https.properties]\nproxyPort = 443\n\n" + ENVMARK),
     expect=[{"rule": "proxy-port-mismatch"}])

f = edit(base(), DC, ACP_PORTS, "    ports:\n    - 443:9443\n    - 80:9763\n")
f = edit(f, CPF, ENVMARK, "[transport.https.properties]\nproxyPort = 443\n\n[transport.http.properties]\nproxyPort = 8080\n\n" + ENVMARK)
f = edit(f, CPF, "https://apim.ams.example.com:9443/devportal", "https://apim.ams.example.com/devportal")
case("compose-cp-http-proxyport-8080", "mistake",
     "the control plane publishes 443:9443 and 80:9763; the HTTPS proxyPort is 443 but the HTTP one says 8080",
     RULE_PROXY + " (the rule names `http`'s proxyPort too); Compose ports 'HOST:CONTAINER' '80:9763' publishes the HTTP servlet port on 80",
     f, expect=[{"rule": "proxy-port-mismatch"}])

case("compose-cp-hostname-localhost", "mistake",
     "five-node Compose deployment (control plane, two traffic managers, two gateways): the control plane kept the pack's [server] hostname = \"localhost\"",
     RULE_HOST + "; issue 29: 'the portals redirect users to `localhost` or to an internal name' (api-manager#3405)",
     edit(base(), CPF, 'hostname = "apim.ams.example.com"', 'hostname = "localhost"'),
     expect=[{"rule": "hostname-unreachable"}])

case("compose-gw-hostname-container-ip", "mistake",
     "gw-1 sets [server] hostname to its container address on the Compose network (172.18.0.6), an IP literal in a five-node deployment",
     RULE_HOST,
     edit(base(), "ams/conf/gateway-1/deployment.toml", 'hostname = "gw.ams.example.com"', 'hostname = "172.18.0.6"'),
     expect=[{"rule": "hostname-unreachable"}])

case("compose-devportal-url-unpublished-port", "mistake",
     "the control plane's [apim.devportal] url uses port 8443 (https://apim.ams.example.com:8443/devportal), but the control plane listens on 9443 and publishes only 9443:9443",
     "rules.md portal-url-unresolved: '[apim.devportal] url ... resolve to a node of the right role ... as cli.md resolves any URL'; cli.md step 4: 'Narrow by the role the key expects, then by port'; "
     "kubernetes.md (Compose): 'published ports are load-balancer entries (host:container)'",
     edit(base(), CPF, "https://apim.ams.example.com:9443/devportal", "https://apim.ams.example.com:8443/devportal"),
     expect=[{"rule": "portal-url-unresolved"}])
print("compose done")
