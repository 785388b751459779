"""Plain-tree cases of the `front` batch (python3 gen_plain.py)."""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plain import cp, gw, tm, region, project, KEYS, COMMON_DB
from write import case

R, S = "eu-west", "eu"
RULES_HOST = ("rules.md, Front door, hostname-unreachable: '`[server] hostname` of a node that serves users "
              "(control plane, all-in-one, gateway) is a name the outside reaches: not `localhost` or an IP literal "
              "in a deployment of more than one node' (portals redirect users to `[server] hostname`; api-manager#3405)")
RULES_PORTAL = ("rules.md, Front door, portal-url-unresolved: '`[apim.devportal] url` ... resolve[s] to a node of the right "
                "role (control plane / gateway) in the writer's region or to its load balancer, as `cli.md` resolves any URL'")
ISSUE_PLAIN = ("issue 29: 'a plain tree's `[hosts]` entries carry no port and say nothing about which name users type, "
               "so they raise nothing'")


def base(**over):
    f = region(R, S, **over)
    f["apimlint.toml"] = project([(R, S)])
    return f


# ---------------------------------------------------------------- legit
case("plain-legit-cp-own-fqdn-lb-in-hosts", "legit",
     "one region (CP, GW, TM HA pairs, 4.5): the control planes keep their own FQDNs cp-N.eu.example.com as [server] hostname, the portal load balancer api.eu.example.com is only in apimlint.toml [hosts]; proxyPort = 443 and the Developer Portal URL through the load balancer",
     ISSUE_PLAIN + "; fixtures/deployments/pattern-1 (clean) does exactly this; docs-apim control-plane-ha-cluster.toml: "
     "'[transport.https.properties] proxyPort = 443', '[apim.devportal] url = \"https://api.am.wso2.com/devportal\"'",
     base())

f = base(**{"cp-1": cp(S, 1, 2, hostname=f"api.{S}.example.com"), "cp-2": cp(S, 2, 1, hostname=f"api.{S}.example.com")})
f["apimlint.toml"] += ('\n# Each control plane\'s own DNS name (HA peers and event hub publishers use them).\n'
                       f'"cp-1.{S}.example.com" = ["{R}/cp-1"]\n"cp-2.{S}.example.com" = ["{R}/cp-2"]\n')
case("plain-legit-cp-hostname-is-lb-name", "legit",
     "both control planes set [server] hostname to the portal load balancer's name api.eu.example.com (the docs' HA sample), their own DNS names declared per node in [hosts]",
     "docs-apim includes/deploy/.../control-plane-ha-cluster.toml: '[server] hostname = \"api.am.wso2.com\"' with "
     "'[apim.devportal] url = \"https://api.am.wso2.com/devportal\"'; configuring-the-proxy-server-and-the-load-balancer.md "
     "Step 3: '[server] hostname = \"<loadbalancer_hostname>\"'; wso2-facts.md §7: 'Peers share [server] hostname (cluster/LB name)'",
     f)

case("plain-legit-tm-hostname-localhost", "legit",
     "the two traffic managers keep the pack's [server] hostname = \"localhost\"; gateways and the TM peer reach them by node_ip (10.20.3.31/32)",
     "issue 29: 'a node that serves no user (a traffic manager) is not asked for a public name'; rules.md hostname-unreachable "
     "applies to 'a node that serves users (control plane, all-in-one, gateway)'; cli.md URL resolution: 'nodes whose [server] node_ip equals it'",
     base(**{"gw-1": gw(S, 1, tm_hosts=("10.20.3.31", "10.20.3.32")), "gw-2": gw(S, 2, tm_hosts=("10.20.3.31", "10.20.3.32")),
             "tm-1": tm(S, 1, 2, hostname="localhost", other_host="10.20.3.32"),
             "tm-2": tm(S, 2, 1, hostname="localhost", other_host="10.20.3.31")}))

case("plain-legit-devportal-url-uppercase-port-443", "legit",
     "the Developer Portal URL names the load balancer in upper case with an explicit :443 (https://API.EU.Example.COM:443/devportal)",
     "cli.md URL resolution: '[hosts] ... Case-insensitive' and 'A URL with no port or with 80/443 goes through a load balancer ... its port is not compared'; "
     "RFC 4343 (DNS names are case-insensitive)",
     base(**{"cp-1": cp(S, 1, 2, devportal="https://API.EU.Example.COM:443/devportal"),
             "cp-2": cp(S, 2, 1, devportal="https://API.EU.Example.COM:443/devportal")}))

case("plain-legit-proxyport-8443-lb-in-hosts", "legit",
     "the control planes' load balancer listens on 8443 (proxyPort = 8443, Developer Portal URL https://api.eu.example.com:8443/devportal); the tree says where the load balancer is only through [hosts], with remaps_ports",
     ISSUE_PLAIN + "; cli.md: '[hosts] entry with remaps_ports = true: its port is not compared'; docs-apim "
     "configuring-the-proxy-server-and-the-load-balancer.md Step 3: 'configure the proxy host and the port to be able to work with the Proxy Server configuration of the load balancer'",
     (lambda f: (f.update({"apimlint.toml": f["apimlint.toml"].replace(
         f'"api.{S}.example.com" = ["{R}/cp-1", "{R}/cp-2"]',
         f'"api.{S}.example.com" = {{ nodes = ["{R}/cp-1", "{R}/cp-2"], remaps_ports = true }}')}), f)[1])(
         base(**{"cp-1": cp(S, 1, 2, devportal=f"https://api.{S}.example.com:8443/devportal",
                            proxy="[transport.https.properties]\nproxyPort = 8443\n"),
                  "cp-2": cp(S, 2, 1, devportal=f"https://api.{S}.example.com:8443/devportal",
                            proxy="[transport.https.properties]\nproxyPort = 8443\n")})))

AIO = f"""# Single all-in-one API-M 4.5 node on a developer VM (the pack's defaults, localhost).
[server]
hostname = "localhost"
node_ip = "127.0.0.1"
server_role = "default"

{COMMON_DB.format()}
[database.apim_db]
type = "h2"
url = "jdbc:h2:./repository/database/WSO2AM_DB;DB_CLOSE_ON_EXIT=FALSE"
username = "wso2carbon"
password = "$env{{DB_PASSWORD}}"

[database.shared_db]
type = "h2"
url = "jdbc:h2:./repository/database/WSO2SHARED_DB;DB_CLOSE_ON_EXIT=FALSE"
username = "wso2carbon"
password = "$env{{DB_PASSWORD}}"

{KEYS.format()}
[[apim.gateway.environment]]
name = "Default"
type = "hybrid"
provider = "wso2"
display_in_api_console = true
description = "This is a hybrid gateway that handles both production and sandbox token traffic."
show_as_token_endpoint_url = true
service_url = "https://localhost:${{mgt.transport.https.port}}/services/"
username = "${{admin.username}}"
password = "${{admin.password}}"
ws_endpoint = "ws://localhost:9099"
wss_endpoint = "wss://localhost:8099"
http_endpoint = "http://localhost:${{http.nio.port}}"
https_endpoint = "https://localhost:${{https.nio.port}}"

[apim.sync_runtime_artifacts.gateway]
gateway_labels = ["Default"]

[apim.devportal]
url = "https://localhost:${{mgt.transport.https.port}}/devportal"

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
case("plain-legit-single-all-in-one-localhost", "legit",
     "a single all-in-one node keeps hostname = \"localhost\" and the Developer Portal URL on https://localhost:${mgt.transport.https.port}/devportal",
     "issue 29: 'Single-node and all-in-one deployments keep `localhost` without a finding'; rules.md hostname-unreachable: "
     "'not `localhost` or an IP literal in a deployment of more than one node'; product-apim all-in-one deployment.toml: hostname = \"localhost\"",
     {"devbox/repository/conf/deployment.toml": AIO})

# ---------------------------------------------------------------- mistakes
case("plain-cp-hostname-localhost", "mistake",
     "cp-1 of a six-node region kept the pack's [server] hostname = \"localhost\": the Publisher and Developer Portal it serves redirect users' browsers to https://localhost/...",
     RULES_HOST,
     base(**{"cp-1": cp(S, 1, 2, hostname="localhost")}),
     expect=[{"rule": "hostname-unreachable", "node": f"{R}/cp-1"}])

case("plain-gw-hostname-node-ip", "mistake",
     "gw-2 sets [server] hostname to its own private IPv4 address (the value of its node_ip) instead of the gateway cluster name",
     RULES_HOST,
     base(**{"gw-2": gw(S, 2, hostname="10.20.2.22")}),
     expect=[{"rule": "hostname-unreachable", "node": f"{R}/gw-2"}])

case("plain-cp-hostname-ipv6-literal", "mistake",
     "cp-2 sets [server] hostname to an IPv6 literal (fd00:20:1::12) in a six-node deployment",
     RULES_HOST,
     base(**{"cp-2": cp(S, 2, 1, hostname="fd00:20:1::12")}),
     expect=[{"rule": "hostname-unreachable", "node": f"{R}/cp-2"}])

case("plain-devportal-url-gateway-cluster", "mistake",
     "both control planes set [apim.devportal] url to the gateway cluster name (https://gw.eu.example.com/devportal): the Publisher's 'View in Developer Portal' links reach the gateways",
     RULES_PORTAL + "; wso2-facts/docs 'changing-the-hostname': 'Configure the Developer Portal URL, which is used to access the Developer Portal via the Publisher'",
     base(**{"cp-1": cp(S, 1, 2, devportal=f"https://gw.{S}.example.com/devportal"),
             "cp-2": cp(S, 2, 1, devportal=f"https://gw.{S}.example.com/devportal")}),
     expect=[{"rule": "portal-url-unresolved", "node": f"{R}/cp-1"}])

case("plain-devportal-url-host-typo", "mistake",
     "cp-2's [apim.devportal] url misspells the load balancer: https://api.eu.exmaple.com/devportal (cp-1 has it right)",
     RULES_PORTAL + "; cli.md: 'A host that resolves to nothing but lies within edit distance 2 of a name that does resolve in the writer's region is a finding of the rule that uses the URL ... with did you mean'",
     base(**{"cp-2": cp(S, 2, 1, devportal=f"https://api.{S}.exmaple.com/devportal")}),
     expect=[{"rule": "portal-url-unresolved", "node": f"{R}/cp-2"}])

case("plain-devportal-url-stale-offset-port", "mistake",
     "cp-1's [apim.devportal] url names itself on 9444 (copied from a developer box run with offset 1); cp-1 has no offset and listens on 9443",
     RULES_PORTAL + "; cli.md step 4: 'Narrow by the role the key expects, then by port. The effective port of a node is ... the WSO2 default ... plus its offset'; "
     "docs changing-the-hostname: 'url = \"https://<hostname>:${mgt.transport.https.port}/devportal\"'",
     base(**{"cp-1": cp(S, 1, 2, devportal=f"https://cp-1.{S}.example.com:9444/devportal")}),
     expect=[{"rule": "portal-url-unresolved", "node": f"{R}/cp-1"}])

R2, S2 = "us-east", "us"
f = region(R, S)
f.update(region(R2, S2, **{"cp-1": cp(S2, 1, 2, devportal=f"https://api.{S}.example.com/devportal", ip_base="10.30"),
                           "cp-2": cp(S2, 2, 1, devportal=f"https://api.{S}.example.com/devportal", ip_base="10.30")}))
f["apimlint.toml"] = project([(R, S), (R2, S2)])
case("plain-two-regions-devportal-url-other-region", "mistake",
     "two regions (Pattern 1): us-east's control planes copied eu-west's [apim.devportal] url (https://api.eu.example.com/devportal), so us-east's Publisher links send users to the other region's portal",
     "cli.md URL resolution step 3: 'Keep the candidates of the writer's region; only when none remain, look in the other regions — then the reference is reported by cross-region-reference alone'; "
     "rules.md cross-region-reference: 'no URL in a deployment.toml reaches a node of another region, whatever role writes it'; rules.md portal-url-unresolved: 'in the writer's region or to its load balancer'",
     f,
     expect=[{"rule": "cross-region-reference", "node": f"{R2}/cp-1"}])
print("plain done")
