"""The pattern1 cases: one base layout each, one change each."""
from generate import BASES, write_case, edit, node

SEED = "seed multi-dc-pattern-1.md"
FACTS = "spec/wso2-facts.md"
RULES = "spec/rules.md"
CLI = "spec/cli.md"


def render(base, tweak=None):
    d = BASES[base]()
    if tweak:
        tweak(d)
    return d.render()


def cut(files, path, start, end):
    t = files[path]
    i = t.index(start)
    j = t.index(end, i)
    files[path] = t[:i] + t[j:]


def block(files, path, start, end):
    t = files[path]
    i = t.index(start)
    return t[i:t.index(end, i)]


def mistake(name, base, summary, cite, change, rule, nodeid=None, tweak=None, severity=None):
    f = render(base, tweak)
    if change:
        change(f)
    e = {"rule": rule}
    if nodeid:
        e["node"] = nodeid
    if severity:
        e["severity"] = severity
    write_case(name, "mistake", summary, cite, f, [e])


def legit(name, base, summary, cite, change=None, tweak=None, allow=()):
    f = render(base, tweak)
    if change:
        change(f)
    write_case(name, "legit", summary, cite, f, allow=allow)


def set_regions_db(host):
    def t(d):
        d.regions[1].db_host = host
    return t


def main():
    m = mistake
    # ------------------------------------------------------------ files and values
    m("toml-duplicate-key-manager-table", "fqdn",
      "region-1/gw-1 pastes both of the seed's key-manager variants (LB and direct): [apim.key_manager] defined twice",
      f"{RULES} toml-syntax: 'the docs' HA and single-node variants pasted together give `[apim.key_manager]` twice'; {FACTS} §1 TomlParser: any parse error aborts startup",
      lambda f: edit(f, node("region-1/gw-1"), "[apim.event_hub]",
                     '# Key Manager configuration\n[apim.key_manager]\nservice_url = "https://cp-1.r1.example.com:${mgt.transport.https.port}/services/"\n\n[apim.event_hub]'),
      "toml-syntax", "region-1/gw-1")
    m("toml11-inline-table-trailing-comma", "dc",
      "dc2/tm-2 writes its transport properties as an inline table with a trailing comma (TOML 1.1 only)",
      f"{RULES} toml-syntax: 'syntax that only TOML 1.1 allows (a newline or trailing comma inside an inline table ...) is also reported'",
      lambda f: edit(f, node("dc2/tm-2"), "[apim.throttling]",
                     "[transport.https]\nproperties = { port = 9443, proxyPort = 443, }\n\n[apim.throttling]"),
      "toml-syntax", "dc2/tm-2")
    m("server-role-gateway-short-name", "three",
      "us-east gw-2 has server_role = \"gateway\" (not gateway-worker)",
      f"{FACTS} §2: 'Any other value (e.g. `gateway`, `gateway_worker` ...) matches nothing in infer.json and silently behaves like an all-in-one'",
      lambda f: edit(f, node("sites/us-east-1b/gw-2"), 'server_role = "gateway-worker"', 'server_role = "gateway"'),
      "invalid-server-role", "sites/us-east-1b/gw-2")
    m("server-role-3x-key-manager", "km",
      "region-2/km-1 (separate key manager) uses the 3.x profile name server_role = \"api-key-manager\"",
      f"{FACTS} §2: '3.x-era docs still show server_role = \"api-key-manager\"' which 'matches nothing in infer.json'; {RULES} invalid-server-role: '3.x names (api-key-manager) get a hint'",
      lambda f: edit(f, node("region-2/km-1"), 'server_role = "control-plane"', 'server_role = "api-key-manager"'),
      "invalid-server-role", "region-2/km-1")
    m("db-type-sqlserver", "ip",
      "frankfurt/tm-1 shared_db type = \"sqlserver\" (WSO2's name is mssql)",
      f"{FACTS} §4: type values with inference are 'mysql, mariadb, oracle, mssql, db2, postgre, h2 ... Unknown type -> nothing inferred'; {RULES} invalid-value: database type",
      lambda f: edit(f, node("frankfurt/tm-1"), '[database.shared_db]\ntype = "mssql"', '[database.shared_db]\ntype = "sqlserver"'),
      "invalid-value", "frankfurt/tm-1")
    m("environment-type-typo", "dc",
      "dc2/cp-1 gateway environment Default has type = \"hybird\"",
      f"{FACTS} §6: 'Gateway environment entries: type in {{hybrid, production, sandbox}}'; {RULES} invalid-value: environment type",
      lambda f: edit(f, node("dc2/cp-1"), 'name = "Default"\ntype = "hybrid"', 'name = "Default"\ntype = "hybird"'),
      "invalid-value", "dc2/cp-1")
    m("url-group-type-round-robin", "ipv6",
      "zone-a/gw-1 sets type = \"round-robin\" on a throttling url_group",
      f"{FACTS} §11.1 APIM-UG-001: 'type not in {{loadbalance, failover}}'; {RULES} invalid-value: url_group type",
      lambda f: edit(f, node("zone-a/gw-1"), 'traffic_manager_auth_urls = ["ssl://[fd00:a::3:11]:9711"]\n',
                     'traffic_manager_auth_urls = ["ssl://[fd00:a::3:11]:9711"]\ntype = "round-robin"\n'),
      "invalid-value", "zone-a/gw-1")
    m("cache-expiry-bad-unit", "fqdn",
      "region-2/gw-2 writes the gateway token cache expiry as \"15min\" (units are d, h, m, s, ms)",
      f"{FACTS} §1.1: 'Units (S1 UnitResolver): suffixes d, h, m, s, ms'; apim.cache.gateway_token.expiry_time maps to apim.cache.token_expiry_time (s); {RULES} invalid-value: 'time values with a valid unit'",
      lambda f: edit(f, node("region-2/gw-2"), "[apim.key_manager]",
                     '[apim.cache.gateway_token]\nenable = true\nexpiry_time = "15min"\n\n[apim.key_manager]'),
      "invalid-value", "region-2/gw-2")
    m("devportal-url-missing-colon", "three",
      "eu-west cp-1 [apim.devportal] url = \"https//portal...\" (no colon after the scheme)",
      f"{RULES} invalid-url: 'endpoint values parse as URLs with the scheme their key needs, where no wiring rule owns the key'",
      lambda f: edit(f, node("sites/eu-west-1a/cp-1"), "[apim.event_hub]",
                     '[apim.devportal]\nurl = "https//api.euw.apim.corp.net/devportal"\n\n[apim.event_hub]'),
      "invalid-url", "sites/eu-west-1a/cp-1")
    m("ref-typo-super-admin-password", "dc",
      "dc1/gw-2 key manager password = \"$ref{super_admin.pasword}\"",
      f"{FACTS} §1.1: '$ref{{a.b.c}} ... target missing -> \"Configuration with key X doesn't exist\"' (startup aborts)",
      lambda f: edit(f, node("dc1/gw-2"), "$ref{super_admin.password}", "$ref{super_admin.pasword}"),
      "unresolved-reference", "dc1/gw-2")
    m("secret-alias-missing", "offsets",
      "region-2/tm-1 apim_db password = \"$secret{apim_db_password}\", an alias [secrets] does not define",
      f"{FACTS} §1.1: '$secret{{alias}} ... alias missing -> \"Secret references can't be resolved for alias\"'",
      lambda f: edit(f, node("region-2/tm-1"), 'password = "$secret{db_password}"', 'password = "$secret{apim_db_password}"'),
      "undefined-secret", "region-2/tm-1")
    m("secret-still-plaintext", "ip",
      "london/cp-2 [secrets] keystore_password still in \"[plaintext]\" form (cipher tool not run on this node)",
      f"{FACTS} §1.1: 'value still in the \"[plaintext]\" form (i.e. cipher tool not run) -> \"Secret references can't be plain text for alias\"'",
      lambda f: edit(f, node("london/cp-2"), 'keystore_password = "', 'keystore_password = "[Ks-Pr0d-2024]"\nold_keystore_password = "'),
      "unencrypted-secret", "london/cp-2")
    m("secrets-table-not-last", "aio",
      "secondary-dc/apim-2 appends a [apim.cors] table after [secrets]",
      f"{FACTS} §1.1: '[secrets] must be the last table in the file (S5 working-with-encrypted-passwords: \"should be added at the very end ... or else this will cause errors in server startup\")'",
      lambda f: edit(f, node("secondary-dc/apim-2"), "truststore_password = ",
                     'truststore_password = "x"\n\n[apim.cors]\nallow_origins = ["https://portal.sdc.example.com"]\nallow_credentials = false\n\n[more]\nnote = ', 1) if False else f.__setitem__(node("secondary-dc/apim-2"), f[node("secondary-dc/apim-2")] + '\n[apim.cors]\nallow_origins = ["https://portal.sdc.example.com"]\nallow_credentials = false\n'),
      "secrets-not-last", "secondary-dc/apim-2")

    def ks_mismatch(f):
        p = node("region-1/tm-2")
        t = f[p]
        i = t.index("[keystore.tls]")
        j = t.index("[truststore]")
        f[p] = t[:i] + t[i:j].replace('key_password = "$secret{keystore_password}"', 'key_password = "$secret{tls_key_password}"') + t[j:]
        f[p] += 'tls_key_password = "' + "Q" * 340 + '=="\n'
    m("tls-key-password-differs", "fqdn",
      "region-1/tm-2 [keystore.tls] key_password is a different secret alias from its password",
      f"{FACTS} §5: 'key_password must equal password (\"due to a limitation of some internal 3rd-party components\")'",
      ks_mismatch, "keystore-password-mismatch", "region-1/tm-2")
    m("gateway-without-throttling", "dc",
      "dc1/gw-1 has no [apim.throttling] at all (no decision endpoints, no url_group): it throttles against itself",
      f"{FACTS} §6: 'If no url_group/receiver_url and no throttle_decision_endpoints are set, the template falls back to the node's own ... i.e. silently local'; {RULES} role-section-mismatch",
      lambda f: cut(f, node("dc1/gw-1"), "[apim.throttling]", "\n# Secure Vault"),
      "role-section-mismatch", "dc1/gw-1")

    def tm_env(f):
        b = block(f, node("sites/ap-south-1c/cp-1"), "[[apim.gateway.environment]]", "[[apim.gateway.environment]]\nname = \"Internal\"")
        edit(f, node("sites/ap-south-1c/tm-1"), "[apim.throttling]", b + "[apim.throttling]")
    m("traffic-manager-with-environment", "three",
      "ap-south tm-1 carries a [[apim.gateway.environment]] copied from the control plane",
      f"{RULES} role-section-mismatch: 'gateway-only sections (gateway_labels, [[apim.throttling.url_group]], [[apim.gateway.environment]]) on a traffic manager'",
      tm_env, "role-section-mismatch", "sites/ap-south-1c/tm-1")
    # ------------------------------------------------------------ wiring
    m("gateway-label-lower-case", "dc",
      "dc2/gw-1 gateway_labels = [\"default\", \"Internal\"] (environment is `Default`)",
      f"{FACTS} §6: 'Labels must be names of gateway environments ([[apim.gateway.environment]] name on the CP ...)'; seed Step 6: 'Change the gateway_labels property based on your Gateway environment'",
      lambda f: edit(f, node("dc2/gw-1"), 'gateway_labels = ["Default", "Internal"]', 'gateway_labels = ["default", "Internal"]'),
      "gateway-label-unmatched", "dc2/gw-1")

    def labels_public(d):
        d.envs = [("Public", "hybrid"), ("Internal", "hybrid")]
        d.labels = ["Public", "Internal"]
    m("gateway-labels-omitted-default", "three",
      "environments are Public/Internal; us-east gw-1 omits [apim.sync_runtime_artifacts.gateway], so it serves the implicit `Default`",
      f"{FACTS} §6: 'Gateway defaults (S4): gateway_labels=[\"Default\"] ... Labels must be names of gateway environments'",
      lambda f: cut(f, node("sites/us-east-1b/gw-1"), "[apim.sync_runtime_artifacts.gateway]", "[apim.gateway_notification]"),
      "gateway-label-unmatched", "sites/us-east-1b/gw-1", tweak=labels_public)

    def partner(d):
        d.envs = [("Default", "hybrid"), ("Internal", "hybrid"), ("Partner", "production")]
    m("environment-served-by-no-gateway", "ipv6",
      "the control planes define a `Partner` environment that no gateway's gateway_labels names",
      f"{FACTS} §11.3 X-LABEL-002: 'Every CP environment has >=1 gateway subscribing to it'; seed Step 6 gateway_labels",
      None, "environment-without-gateway", tweak=partner)
    m("cp-duplicate-url-self", "fqdn",
      "region-2/cp-2 event_duplicate_url names itself instead of cp-1",
      f"{FACTS} §7: 'CP-A event_hub.event_duplicate_url -> CP-B:5672(+offB) and vice-versa ... never self'",
      lambda f: edit(f, node("region-2/cp-2"), 'event_duplicate_url = ["tcp://cp-1.r2.example.com:5672"]', 'event_duplicate_url = ["tcp://cp-2.r2.example.com:5672"]'),
      "event-duplicate-asymmetric", "region-2/cp-2")
    m("tm-duplicate-url-missing", "ip",
      "london/tm-2 has no event_duplicate_url while tm-1 duplicates to it",
      f"seed Step 6 (Traffic Manager HA): 'event_duplicate_url = [\"tcp://traffic-manager-2-host:5672\"]' on each TM naming the other; {FACTS} §7 symmetry",
      lambda f: edit(f, node("london/tm-2"), 'event_duplicate_url = ["tcp://10.50.3.11:5672"]\n', ""),
      "event-duplicate-asymmetric", "london/tm-2")
    m("tm-duplicate-url-other-region", "three",
      "us-east tm-1 event_duplicate_url names eu-west's tm-2",
      f"{FACTS} §8: 'Cross-region communication is only CP <-> CP over JMS ... gateways/TMs/KMs should only reference nodes of their own region'; {CLI} Resolving step 3",
      lambda f: edit(f, node("sites/us-east-1b/tm-1"), 'event_duplicate_url = ["tcp://tm-2.use.apim.corp.net:5672"]', 'event_duplicate_url = ["tcp://tm-2.euw.apim.corp.net:5672"]'),
      "cross-region-reference", "sites/us-east-1b/tm-1")
    m("gw-listens-on-binary-port", "km",
      "region-1/gw-2 event_listening_endpoints uses cp-2's 9611 (binary receiver) instead of 5672",
      f"{FACTS} §6: 'event_listening_endpoints = [\"tcp://cp1:5672\",\"tcp://cp2:5672\"] (JMS subscription to every CP)'",
      lambda f: edit(f, node("region-1/gw-2"), '"tcp://cp-2.r1.example.com:5672"]', '"tcp://cp-2.r1.example.com:9611"]'),
      "event-hub-unreachable", "region-1/gw-2")
    m("tm-listens-to-traffic-managers", "dc",
      "dc2/tm-1 event_listening_endpoints names the traffic managers instead of the control planes",
      f"{FACTS} §11.3 X-EH-001: 'event_listening_endpoints -> every CP of the region at 5672+offset (not TMs, not other regions)'",
      lambda f: edit(f, node("dc2/tm-1"), 'event_listening_endpoints = ["tcp://cp-1.dc2.acme.org:5672", "tcp://cp-2.dc2.acme.org:5672"]',
                     'event_listening_endpoints = ["tcp://tm-1.dc2.acme.org:5672", "tcp://tm-2.dc2.acme.org:5672"]'),
      "event-hub-unreachable", "dc2/tm-1")
    m("cp-offset-added-urls-stale", "fqdn",
      "region-1/cp-2 gets [server] offset = 2 but every URL to it still uses 5672/9611/9711",
      f"{FACTS} §3: 'Any URL one node uses to reach another ... must carry the target's default port + target's offset'",
      lambda f: edit(f, node("region-1/cp-2"), 'server_role = "control-plane"\n', 'server_role = "control-plane"\noffset = 2\n'),
      "event-hub-unreachable", "region-1/gw-1")
    m("publish-group-missing-self", "three",
      "ap-south cp-1 publishes only to cp-2 (its own publish url_group removed)",
      f"{FACTS} §6: 'CP publishes its event streams to every CP (including itself) through [[apim.event_hub.publish.url_group]]'",
      lambda f: cut(f, node("sites/ap-south-1c/cp-1"), '[[apim.event_hub.publish.url_group]]\nurls = ["tcp://cp-1.', '[[apim.event_hub.publish.url_group]]\nurls = ["tcp://cp-2.'),
      "event-hub-publish-incomplete", "sites/ap-south-1c/cp-1")
    m("publish-auth-url-https-port", "ipv6",
      "zone-a/cp-2 publish auth_urls for cp-1 uses 9443 (the HTTPS port) instead of the binary SSL receiver 9711",
      f"{FACTS} §6: 'urls=[\"tcp://cpN:9611\"] auth_urls=[\"ssl://cpN:9711\"] -- binary receiver ports'",
      lambda f: edit(f, node("zone-a/cp-2"), 'auth_urls = ["ssl://[fd00:a::1:11]:9711"]', 'auth_urls = ["ssl://[fd00:a::1:11]:9443"]'),
      "event-hub-publish-incomplete", "zone-a/cp-2")
    m("throttle-auth-url-tcp-scheme", "ipv6",
      "zone-b/gw-2 traffic_manager_auth_urls written with tcp:// instead of ssl://",
      f"{FACTS} §11.1 APIM-UG-001: 'traffic_manager_auth_urls not ssl://'; {RULES}: 'Wiring rules own the scheme of the URLs they check (tcp:// in an auth URL is throttle-url-unreachable)'",
      lambda f: edit(f, node("zone-b/gw-2"), 'traffic_manager_auth_urls = ["ssl://[fd00:b::3:12]:9711"]', 'traffic_manager_auth_urls = ["tcp://[fd00:b::3:12]:9711"]'),
      "throttle-url-unreachable", "zone-b/gw-2")
    m("decision-endpoint-binary-port", "offsets",
      "region-1/gw-1 throttle_decision_endpoints names tm-2 on 9612 (binary port + offset) instead of 5673",
      f"{FACTS} §6: 'receives decisions over JMS from throttle_decision_endpoints=[\"tcp://tm:5672\",...]'; §3: +offset",
      lambda f: edit(f, node("region-1/gw-1"), '"tcp://apim-2.r1.example.com:5673"]', '"tcp://apim-2.r1.example.com:9612"]'),
      "throttle-url-unreachable", "region-1/gw-1")
    m("tm-started-with-portoffset", "fqdn",
      "region-2/tm-1 runs with -DportOffset=1 (apimlint.toml port_offset = 1) but the gateways still use 5672/9611/9711",
      f"{FACTS} §3: '-DportOffset=N on the command line overrides it'; {CLI} apimlint.toml: 'port_offset = 2  # set with -DportOffset on the command line'",
      lambda f: f.__setitem__("apimlint.toml", f["apimlint.toml"] + '\n[nodes."region-2/tm-1"]\nport_offset = 1\n'),
      "throttle-url-unreachable", "region-2/gw-1")

    def failover(f):
        p = node("dc1/gw-2")
        cut(f, p, "[[apim.throttling.url_group]]", "\n# Secure Vault")
        edit(f, p, "\n# Secure Vault", '\n[[apim.throttling.url_group]]\ntraffic_manager_urls = ["tcp://tm-1.dc1.acme.org:9611", "tcp://tm-2.dc1.acme.org:9611"]\ntraffic_manager_auth_urls = ["ssl://tm-1.dc1.acme.org:9711", "ssl://tm-2.dc1.acme.org:9711"]\n\n# Secure Vault')
    m("two-tms-one-failover-group", "dc",
      "dc1/gw-2 puts both traffic managers in one url_group without type (failover: only one TM counts)",
      f"{FACTS} §6: 'Putting two TMs in one group without type gives failover (only one TM counts) -- likely wrong for HA'; seed sample: one url_group per TM",
      failover, "throttle-url-group-incomplete", "dc1/gw-2")

    def dist(d):
        d.distributed_throttling = True
    m("loadbalance-group-auth-order-swapped", "fqdn",
      "distributed throttling: region-1/gw-1's single loadbalance group lists auth URLs in the opposite order to the URLs",
      f"{RULES} throttle-url-group-incomplete: 'Within one group, traffic_manager_urls and traffic_manager_auth_urls name the same traffic managers in the same order'; {FACTS} §11.1 X-UG-001 'same host order'",
      lambda f: edit(f, node("region-1/gw-1"), 'traffic_manager_auth_urls = ["ssl://tm-1.r1.example.com:9711", "ssl://tm-2.r1.example.com:9711"]',
                     'traffic_manager_auth_urls = ["ssl://tm-2.r1.example.com:9711", "ssl://tm-1.r1.example.com:9711"]'),
      "throttle-url-group-incomplete", "region-1/gw-1", tweak=dist)
    m("key-manager-url-to-traffic-manager", "three",
      "eu-west gw-1 [apim.key_manager] service_url points at tm-1 (3.2-era habit)",
      f"{FACTS} §6: 'Key manager: gateways set [apim.key_manager] service_url ... to the CP (resident KM) or separate KM/LB'",
      lambda f: edit(f, node("sites/eu-west-1a/gw-1"), '[apim.key_manager]\nservice_url = "https://api.euw.apim.corp.net/services/"',
                     '[apim.key_manager]\nservice_url = "https://tm-1.euw.apim.corp.net:9443/services/"'),
      "key-manager-unreachable", "sites/eu-west-1a/gw-1")
    m("key-manager-url-wrong-port", "km",
      "region-1/gw-1 calls km-1 directly on 9444 while km-1 runs without offset (9443)",
      f"{FACTS} §11.3 X-EH-002: '[apim.key_manager] service_url -> CP/KM (or LB) at 9443+offset with /services/'",
      lambda f: edit(f, node("region-1/gw-1"), '[apim.key_manager]\nservice_url = "https://km.r1.example.com/services/"',
                     '[apim.key_manager]\nservice_url = "https://km-1.r1.example.com:9444/services/"'),
      "key-manager-unreachable", "region-1/gw-1")
    m("notification-endpoint-to-gateway", "ip",
      "frankfurt/cp-1 notification_endpoint points at the gateway cluster instead of the control plane",
      f"{FACTS} §6: 'notification_endpoint=\"https://<CP-or-LB>/internal/data/v1/notify\"'; {RULES} revocation-endpoint-unreachable",
      lambda f: edit(f, node("frankfurt/cp-1"), 'notification_endpoint = "https://localhost:${mgt.transport.https.port}/internal/data/v1/notify"',
                     'notification_endpoint = "https://gw.fra.bank.example:9443/internal/data/v1/notify"'),
      "revocation-endpoint-unreachable", "frankfurt/cp-1")
    m("environment-endpoint-assumes-offset", "offsets",
      "region-2/cp-1 advertises https_endpoint on 8244 though the gateways run without offset",
      f"{FACTS} §11.3 X-ENVEP-001: 'ports = 9443/8280/8243/9099/8099 + GW offset'; §12 ibay122: 'CP environment advertises GW at 9444/8281/8244 (offset 1) but GW has offset 0'",
      lambda f: edit(f, node("region-2/cp-1"), 'https_endpoint = "https://gw.r2.example.com:8243"', 'https_endpoint = "https://gw.r2.example.com:8244"'),
      "gateway-environment-unreachable", "region-2/cp-1")

    def same_vm(d):
        r = d.regions[0]
        r.role("control-plane")[0].machine = "dc1-vm-1"
        r.role("traffic-manager")[0].machine = "dc1-vm-1"
    m("colocated-cp-tm-no-offset", "dc",
      "dc1/cp-1 and dc1/tm-1 share one VM (apimlint.toml machine) and neither sets an offset",
      f"{FACTS} §3: 'Nodes on the same host need distinct offsets (S5 changing-the-default-ports-with-offset)'",
      None, "port-conflict", tweak=same_vm)
    # ------------------------------------------------------------ shared state
    m("primary-keystore-alias-differs", "ip",
      "frankfurt/gw-2 [keystore.primary] alias = \"wso2carbon\" (others apim-primary)",
      f"{FACTS} §5: 'Same primary keystore on every API-M node (\"to decrypt the registry resources\")'; §8",
      lambda f: edit(f, node("frankfurt/gw-2"), 'alias = "apim-primary"', 'alias = "wso2carbon"'),
      "primary-keystore-mismatch", "frankfurt/gw-2")
    m("internal-keystore-p12-on-one-cp", "three",
      "ap-south cp-2 [keystore.internal] is apim-internal.p12 / PKCS12",
      f"{FACTS} §5: 'Internal keystore: replacing it breaks already-encrypted data; keep one internal keystore across the deployment'",
      lambda f: edit(f, node("sites/ap-south-1c/cp-2"), 'file_name = "apim-internal.jks"\ntype = "JKS"', 'file_name = "apim-internal.p12"\ntype = "PKCS12"'),
      "internal-keystore-mismatch", "sites/ap-south-1c/cp-2")
    m("tm-shared-db-other-name", "offsets",
      "region-1/tm-2 shared_db databaseName=WSO2_SHARED_DB (others WSO2AM_SHARED_DB)",
      f"{FACTS} §4: 'All nodes of a deployment must point at the same shared_db (registry, users)'",
      lambda f: edit(f, node("region-1/tm-2"), "databaseName=WSO2AM_SHARED_DB", "databaseName=WSO2_SHARED_DB"),
      "shared-db-mismatch", "region-1/tm-2")
    m("gw-shared-db-other-port", "ipv6",
      "zone-a/gw-2 shared_db on port 1434 (others 1433)",
      f"{FACTS} §4: 'All nodes of a deployment must point at the same shared_db'; {RULES} shared-db-mismatch: 'Identity = type, lower-cased host, port ...'",
      lambda f: edit(f, node("zone-a/gw-2"), "db.a.v6.example.net:1433", "db.a.v6.example.net:1434"),
      "shared-db-mismatch", "zone-a/gw-2")
    m("gw-shared-db-h2-from-sample", "km",
      "region-2/gw-1 kept the seed sample's H2 shared_db",
      f"{FACTS} §4: 'two nodes \"sharing\" an h2 apim_db/shared_db actually have separate databases'; seed gateway sample uses jdbc:h2",
      lambda f: edit(f, node("region-2/gw-1"), '[database.shared_db]\ntype = "mssql"\nurl = "jdbc:sqlserver://db.r2.example.com:1433;databaseName=WSO2AM_SHARED_DB;encrypt=true"',
                     '[database.shared_db]\ntype = "h2"\nurl = "jdbc:h2:./repository/database/WSO2SHARED_DB;DB_CLOSE_ON_EXIT=FALSE"'),
      "embedded-db-in-cluster", "region-2/gw-1")

    def mysql(d):
        d.db = "mysql"
    m("mysql-replicated-two-regions", "fqdn",
      "both regions use MySQL (the seed's samples) for the replicated databases",
      f"{SEED} Step 1: 'WSO2 API Manager has support for DB replication with only MSSQL and Oracle DBs'",
      None, "db-replication-unsupported", tweak=mysql)

    def cache_dom(f):
        edit(f, node("dc2/cp-1"), "[apim.event_hub]", '[apim.cache_invalidation]\nenabled = true\ndomain = "dc2-cp-cluster"\n\n[apim.event_hub]')
        edit(f, node("dc2/cp-2"), "[apim.event_hub]", '[apim.cache_invalidation]\nenabled = true\ndomain = "dc2-controlplane"\n\n[apim.event_hub]')
    m("cache-invalidation-domains-differ", "dc",
      "dc2's two control planes enable cache invalidation with different domains",
      f"{FACTS} §7: '[apim.cache_invalidation] enabled=true domain=... optional for CP/KM clusters'; {RULES} cache-invalidation-domain-mismatch",
      cache_dom, "cache-invalidation-domain-mismatch")
    m("user-store-type-differs", "aio",
      "secondary-dc/apim-1 [user_store] type = \"database\" (others database_unique_id)",
      f"{FACTS} §11.3 X-US-001: '[user_store] type ... identical on nodes sharing shared_db'; §8 'same ... user store type ... in every region'",
      lambda f: edit(f, node("secondary-dc/apim-1"), 'type = "database_unique_id"', 'type = "database"'),
      "super-admin-mismatch", "secondary-dc/apim-1")

    def one_tm(d):
        r = d.regions[1]
        r.nodes = [n for n in r.nodes if n.id != "region-2/tm-2"]
    m("region-2-single-traffic-manager", "fqdn",
      "region-2 runs one traffic manager while region-1 runs an HA pair",
      f"{SEED}: 'All the regions are identical in this pattern'; {RULES} region-drift: 'the same number of each HA-paired role'",
      None, "region-drift", tweak=one_tm)

    def no_internal(f):
        for n in ("cp-1", "cp-2"):
            cut(f, node(f"sites/ap-south-1c/{n}"), '[[apim.gateway.environment]]\nname = "Internal"', "\n[apim.event_hub]")
        for n in ("gw-1", "gw-2"):
            edit(f, node(f"sites/ap-south-1c/{n}"), 'gateway_labels = ["Default", "Internal"]', 'gateway_labels = ["Default"]')
    m("region-without-internal-environment", "three",
      "ap-south defines only the Default environment (no Internal), its gateways serve Default only",
      f"{SEED}: 'All the regions are identical in this pattern'; {RULES} region-drift: 'environment names and types'",
      no_internal, "region-drift")
    m("gw-key-manager-other-region", "ip",
      "frankfurt/gw-1 [apim.key_manager] service_url points at london's control-plane load balancer",
      f"{FACTS} §8: 'gateways/TMs/KMs should only reference nodes of their own region'",
      lambda f: edit(f, node("frankfurt/gw-1"), '[apim.key_manager]\nservice_url = "https://api.fra.bank.example/services/"',
                     '[apim.key_manager]\nservice_url = "https://api.ldn.bank.example/services/"'),
      "cross-region-reference", "frankfurt/gw-1")
    m("cp-notification-other-region", "dc",
      "dc2/cp-2 notification_endpoint points at dc1's cp-1",
      f"{RULES} cross-region-reference: 'control planes included: their notification_endpoint ... stay in their region'",
      lambda f: edit(f, node("dc2/cp-2"), 'notification_endpoint = "https://localhost:${mgt.transport.https.port}/internal/data/v1/notify"',
                     'notification_endpoint = "https://cp-1.dc1.acme.org:9443/internal/data/v1/notify"'),
      "cross-region-reference", "dc2/cp-2")
    # ------------------------------------------------------------ cross-region bridge
    m("bridge-keymanager-publisher-missing", "fqdn",
      "region-2/cp-1 lacks the key manager stream publisher to region-1",
      f"{SEED} Step 3: '4 data publishers should be implemented per control plane' (key management data publisher: org.wso2.apimgt.keymgt.stream)",
      lambda f: f.pop("region-2/cp-1/repository/deployment/server/eventpublishers/keyManagerJMSPublisherRegion1.xml"),
      "region-bridge-missing", "region-2/cp-1")
    m("bridge-jndi-topic-missing", "three",
      "eu-west cp-2's jndi-useast.properties lacks topic.tokenRevocation",
      f"spec/node-files.md: 'that file defines the ConnectionFactoryJNDIName it uses and a topic.<Destination>'; {SEED} Step 3",
      lambda f: edit(f, "sites/eu-west-1a/cp-2/repository/conf/jndi-useast.properties", "topic.tokenRevocation = tokenRevocation\n", ""),
      "region-bridge-unresolved", "sites/eu-west-1a/cp-2")
    m("bridge-brokerlist-own-region", "dc",
      "dc1/cp-1's jndi-dc2.properties brokerlist names dc1's own control planes (copied from the local file)",
      f"{SEED} Step 3: 'publish data to the event hubs in different regions'; {RULES} region-bridge-loop: 'no bridge publisher reaches a control plane of its own region'",
      lambda f: edit(f, "dc1/cp-1/repository/conf/jndi-dc2.properties", "tcp://cp-1.dc2.acme.org:5672;tcp://cp-2.dc2.acme.org:5672", "tcp://cp-1.dc1.acme.org:5672;tcp://cp-2.dc1.acme.org:5672"),
      "region-bridge-loop", "dc1/cp-1")

    def dup_name(f):
        base = "zone-a/cp-1/repository/deployment/server/eventpublishers/"
        f[base + "notificationJMSPublisherZoneb-v2.xml"] = f[base + "notificationJMSPublisherZoneb.xml"]
    m("bridge-publisher-copied-same-name", "ipv6",
      "zone-a/cp-1 has a second copy of the notification publisher file with the same eventPublisher name",
      f"{RULES} event-publisher-name-duplicate: 'the name of every event publisher of a node is unique (WSO2 deploys one and drops the other silently)'",
      dup_name, "event-publisher-name-duplicate", "zone-a/cp-1")
    # ------------------------------------------------------------ hardening / misc
    def admin_admin(f):
        for p in list(f):
            if p.endswith("deployment.toml"):
                f[p] = f[p].replace('username = "apim-admin"\npassword = "$secret{admin_password}"', 'username = "admin"\npassword = "admin"')
    m("super-admin-admin-admin", "offsets",
      "every node keeps the seed sample's super admin admin/admin",
      f"{FACTS} §9: 'Default admin is admin/admin ([super_admin]; create_admin_account = true): change it'; {SEED} Step 3 production hardening",
      admin_admin, "default-credentials")
    m("km-db-password-literal", "km",
      "region-1/km-2 apim_db password written in plain text",
      f"{FACTS} §9: 'Encrypt plaintext passwords with Secure Vault ... plaintext candidates: ... database.*.password'",
      lambda f: edit(f, node("region-1/km-2"), 'password = "$secret{db_password}"', 'password = "Wso2Am-Db#2024"'),
      "plaintext-password", "region-1/km-2")
    m("gw-hostname-localhost", "ipv6",
      "zone-b/gw-1 [server] hostname = \"localhost\"",
      f"{FACTS} §11.5 PROD-006: 'hostname = \"localhost\" ... in a multi-node deployment'; {RULES} hostname-unreachable",
      lambda f: edit(f, node("zone-b/gw-1"), 'hostname = "gw.b.v6.example.net"', 'hostname = "localhost"'),
      "hostname-unreachable", "zone-b/gw-1")
    m("gateway-id-copied", "dc",
      "dc2/gw-2 was copied from gw-1 and kept gateway_id dc2-gw-1",
      f"{FACTS} §7: 'Peers ... differ by node_ip, event_duplicate_url, [apim.gateway_notification] gateway_id'; §11.3 X-HA-005 'Gateway nodes share a gateway_id'",
      lambda f: edit(f, node("dc2/gw-2"), 'gateway_id = "dc2-gw-2"', 'gateway_id = "dc2-gw-1"'),
      "gateway-id-duplicate", "dc2/gw-2")
    m("key-manager-url-without-services", "offsets",
      "region-2/gw-2 [apim.key_manager] service_url = \"https://api.r2.example.com/\" (no /services/)",
      f"{FACTS} §6: 'service_url = https://<CP-or-LB>/services/'; seed gateway sample",
      lambda f: edit(f, node("region-2/gw-2"), '[apim.key_manager]\nservice_url = "https://api.r2.example.com/services/"', '[apim.key_manager]\nservice_url = "https://api.r2.example.com/"'),
      "url-path-mismatch", "region-2/gw-2")
    m("cp-without-revocation-listener", "fqdn",
      "region-2/cp-2 (resident key manager) has no token_revocation [[event_listener]]",
      f"{FACTS} §6: 'Token revocation: the node hosting the KM (CP, ...) has [[event_listener]] id=\"token_revocation\"'; seed CP sample",
      lambda f: cut(f, node("region-2/cp-2"), "[[event_listener]]", "\n# Secure Vault"),
      "token-revocation-listener-missing", "region-2/cp-2")
    m("gw-listens-to-one-cp", "ip",
      "london/gw-2 event_listening_endpoints names only cp-1",
      f"{SEED} Step 6: 'event_listening_endpoints = [\"tcp://control-plane-1-host:5672\", \"tcp://control-plane-2-host:5672\"]'; {FACTS} §7 'Both CPs must appear in every event_listening_endpoints'",
      lambda f: edit(f, node("london/gw-2"), 'event_listening_endpoints = ["tcp://10.50.1.11:5672", "tcp://10.50.1.12:5672"]', 'event_listening_endpoints = ["tcp://10.50.1.11:5672"]'),
      "event-listening-incomplete", "london/gw-2")
    m("gw-data-publishing-off", "three",
      "us-east gw-1 sets [apim.throttling] enable_data_publishing = false (copied from a CP template)",
      f"{FACTS} §2: gateway-worker infer: 'throttling ... data_publishing=true, decision_connection=true'",
      lambda f: edit(f, node("sites/us-east-1b/gw-1"), "[apim.throttling]\n", "[apim.throttling]\nenable_data_publishing = false\n"),
      "gateway-connection-disabled", "sites/us-east-1b/gw-1")
    m("cp-environment-type-differs", "km",
      "region-1/cp-2 defines Internal as production while cp-1 has hybrid",
      f"{RULES} region-drift/gateway environments; rules/gateway-environment-mismatch: 'The control planes of a region define the same gateway environments (names and types)'",
      lambda f: edit(f, node("region-1/cp-2"), 'name = "Internal"\ntype = "hybrid"', 'name = "Internal"\ntype = "production"'),
      "gateway-environment-mismatch", "region-1/cp-2")
    m("gateway-labels-key-typo", "offsets",
      "region-1/gw-2 writes gateway_lables (typo) so the labels are ignored",
      f"{RULES} unknown-key: 'a warning when there is a did-you-mean (edit distance <= 2 ...)'",
      lambda f: edit(f, node("region-1/gw-2"), "gateway_labels = ", "gateway_lables = "),
      "unknown-key", "region-1/gw-2")
    m("region-2-on-region-1-db-server", "dc",
      "dc2's nodes point at dc1's database server instead of their own replica",
      f"{SEED} Step 1: 'Configure the Database with replication' (each region its replica); rules/database-shared-across-regions",
      None, "database-shared-across-regions", tweak=set_regions_db("db.dc1.acme.org"))
    m("aio-duplicate-url-default-port", "aio",
      "primary-dc/apim-1 duplicates events to apim-2 on 5673 (an offset apim-2 does not have)",
      f"{FACTS} §7: 'CP-A event_duplicate_url -> CP-B:5672(+offB)'",
      lambda f: edit(f, node("primary-dc/apim-1"), 'event_duplicate_url = ["tcp://apim-2.pdc.example.com:5672"]', 'event_duplicate_url = ["tcp://apim-2.pdc.example.com:5673"]', 1),
      "event-duplicate-asymmetric", "primary-dc/apim-1")

    # ============================================================ legit
    L = legit
    L("legit-fqdn-baseline-with-bridge", "fqdn",
      "two regions of CP/TM/GW HA pairs, control-plane LB in [hosts], cross-region bridge of Step 3",
      f"{SEED} Step 2 and Step 3; fixtures/deployments/pattern-1 layout")

    def upper(d):
        for r in d.regions:
            for n in r.nodes:
                if n.role != "gateway-worker":
                    n.urlhost = n.host.upper()
    L("legit-upper-case-hosts-in-urls", "dc",
      "dc1/dc2 on Oracle (4.2.0); every URL spells node hosts in upper case",
      f"{CLI} Resolving: 'Case-insensitive'; DNS names are case-insensitive (RFC 4343)", tweak=upper)

    def dots(d):
        for r in d.regions:
            for n in r.nodes:
                if n.role != "gateway-worker":
                    n.urlhost = n.host + "."
    L("legit-trailing-dot-fqdns", "three",
      "three regions under sites/<az>/ with [regions] globs; URLs use absolute FQDNs with a trailing dot",
      f"{CLI} apimlint.toml [regions]: 'override of region inference: region name -> node-id globs'; a trailing dot is the fully qualified form of a DNS name (RFC 1034 §3.1)", tweak=dots)
    L("legit-ipv4-node-ip-urls", "ip",
      "london/frankfurt; nodes reached by their node_ip addresses (IPv4) in every URL",
      f"{CLI} Resolving step 2: 'nodes whose [server] node_ip equals it'")
    L("legit-ipv6-node-ip-urls", "ipv6",
      "zone-a/zone-b; nodes reached by bracketed IPv6 node_ip addresses",
      f"{CLI} Resolving step 2: 'nodes whose [server] node_ip equals it'; RFC 3986 IP-literal '[' IPv6address ']'")
    L("legit-colocated-cp-tm-offset", "offsets",
      "each CP shares a VM and hostname with a TM that runs [server] offset = 1; every URL to a TM carries 5673/9612/9712",
      f"{FACTS} §3: 'Effective port = default + offset'; 'Nodes on the same host need distinct offsets'; {CLI} Resolving step 4 narrowing by role then port")

    def cli_offset(d):
        for r in d.regions:
            for n in r.role("traffic-manager"):
                n.offset = 2
                n.toml_offset = False
    L("legit-portoffset-in-apimlint-toml", "fqdn",
      "traffic managers started with -DportOffset=2 (apimlint.toml port_offset), URLs carry 5674/9613/9713",
      f"{CLI} apimlint.toml: 'port_offset = 2  # set with -DportOffset on the command line'; {FACTS} §3", tweak=cli_offset)
    L("legit-all-in-one-ha-per-region", "aio",
      "each region is an all-in-one active-active pair (server_role default) sharing one cluster hostname",
      "WSO2 docs install-and-setup/setup/single-node/configuring-an-active-active-deployment ('two active nodes that each has all the components'); " + f"{SEED} Step 3 bridge")
    L("legit-separate-key-manager-pair", "km",
      "separate key manager HA pair per region behind km.rX LB (roles in apimlint.toml); CPs delegate key management",
      f"{FACTS} §2 (control-plane 'also used for a separated Key Manager node'); {CLI} roles: key-manager 'only content or apimlint.toml tells'")
    L("legit-distributed-throttling-loadbalance", "fqdn",
      "one loadbalance url_group holding both TMs, with [apim.distributed_throttling] (redis) on CPs and TMs",
      "docs-apim 'Configure Distributed Throttling for API Manager': gateway '[[apim.throttling.url_group]] traffic_manager_urls = [\"tm1_url\",\"tm2_url\"] ... type = \"loadbalance\"'; " + f"{RULES} throttle-url-group-incomplete", tweak=dist)

    def remap(f):
        t = f["apimlint.toml"]
        for r in ("r1", "r2"):
            i = 1 if r == "r1" else 2
            t = t.replace(f'"api.{r}.example.com" = ["region-{i}/cp-1", "region-{i}/cp-2"]',
                          f'"api.{r}.example.com" = {{ nodes = ["region-{i}/cp-1", "region-{i}/cp-2"], remaps_ports = true }}')
        f["apimlint.toml"] = t
        for p in list(f):
            if p.endswith("deployment.toml"):
                f[p] = f[p].replace("https://api.r1.example.com/services/", "https://api.r1.example.com:8443/services/").replace(
                    "https://api.r2.example.com/services/", "https://api.r2.example.com:8443/services/")
    L("legit-lb-remaps-ports-8443", "fqdn",
      "control-plane load balancer listens on 8443 and forwards to 9443 ([hosts] remaps_ports = true)",
      f"{CLI} Resolving step 4: 'as does any [hosts] entry with remaps_ports = true: its port is not compared'", change=remap)

    def envvars(f):
        for p in list(f):
            if p.endswith("deployment.toml"):
                t = f[p].replace("$secret{db_password}", "$env{APIM_DB_PASSWORD}")
                lines = [x for x in t.split("\n") if not x.startswith("db_password = ")]
                f[p] = "\n".join(lines)
    L("legit-env-placeholder-db-passwords", "dc",
      "database passwords come from $env{APIM_DB_PASSWORD} (others from $secret{})",
      f"{FACTS} §9: 'Encrypt plaintext passwords with Secure Vault ... or use $env{{}}/$sys{{}}'; §1.1 $env{{NAME}} resolved by System.getenv", change=envvars)

    def federated(d):
        d.envs = [("Default", "hybrid"), ("Internal", "hybrid")]
    def fed_change(f):
        for p in list(f):
            if p.endswith("/cp-1/repository/conf/deployment.toml") or p.endswith("/cp-2/repository/conf/deployment.toml"):
                edit(f, p, "\n[apim.event_hub]", '''
[[apim.gateway.environment]]
name = "AWS-Prod"
type = "production"
provider = "AWS"
gateway_type = "AWS"
display_in_api_console = true
description = "Federated AWS API Gateway"
show_as_token_endpoint_url = false

[apim.event_hub]''')
    L("legit-federated-aws-environment", "fqdn",
      "control planes (4.5.0) also define a federated AWS environment that no WSO2 gateway serves",
      f"{RULES} environment-without-gateway: 'environments whose gateway_type is set and is not Regular (federated gateways) are skipped'; {FACTS} §6 '(Regular default; 4.3+ federated types exist)'",
      change=fed_change, tweak=federated)

    def admin_env(d):
        d.labels = ["Default", "Internal", "Partner"]
        d.environments = {"*": ["Partner"]}
    L("legit-admin-portal-environment", "ipv6",
      "gateways also serve `Partner`, an environment created in the Admin portal and listed in apimlint.toml [environments]",
      f"{FACTS} §6: 'Labels must be names of gateway environments ([[apim.gateway.environment]] name on the CP or environments created in the Admin portal)'; {CLI} [environments]",
      tweak=admin_env)

    def upper_server(f):
        for p in list(f):
            if p.endswith("deployment.toml"):
                t = f[p]
                for h in ("cp-1", "cp-2", "tm-1", "tm-2"):
                    for r in ("dc1", "dc2"):
                        t = t.replace(f'hostname = "{h}.{r}.acme.org"', f'hostname = "{h.upper()}.{r.upper()}.ACME.ORG"')
                f[p] = t
    L("legit-upper-case-server-hostnames", "dc",
      "[server] hostname written in upper case (CP-1.DC1.ACME.ORG), URLs in lower case",
      f"{CLI} Resolving step 2: 'nodes whose [server] hostname equals it ... Case-insensitive'", change=upper_server)

    def components(d):
        d.version = "4.5.0"
        for r in d.regions:
            for n in r.nodes:
                d.toml_roles[n.id] = n.role
    def comp_change(f):
        f["apimlint.toml"] = f["apimlint.toml"].replace('version = "4.5.0"\n', 'version = "4.5.0"\ndistribution = "components"\n')
        for p in list(f):
            if p.endswith("deployment.toml"):
                t = f[p]
                for r in ('"control-plane"', '"traffic-manager"', '"gateway-worker"'):
                    t = t.replace(f"server_role = {r}", 'server_role = "default"')
                f[p] = t
    L("legit-components-server-role-default", "three",
      "4.5.0 component distributions (control plane, gateway, traffic manager packs): every node has server_role = \"default\", roles in apimlint.toml [nodes]",
      f"{FACTS} §2: '4.5+ ... docs samples use server_role = \"default\" in every one'; {CLI} apimlint.toml distribution = \"components\"",
      change=comp_change, tweak=components)
