#!/usr/bin/env python3
"""Round 2 Compose cases (classes 1 and 2), built from the TOML files of
tests/redteam/compose/base-two-region (one Compose project per data centre). Each node's
files sit in a WSO2-home-shaped directory next to the Compose file
(`dcN/<service>/repository/conf/deployment.toml`), bind-mounted file by file. Keystores are
bind-mounted from `./security/` next to the Compose file; like most repositories, the
tree does not commit the keystore files themselves."""
import pathlib, shutil

HERE = pathlib.Path(__file__).resolve().parent
BASE = HERE.parent.parent / "redteam" / "compose" / "base-two-region" / "tree"
HOME = "/home/wso2carbon/wso2am-4.5.0"
SVC = {"acp": "control-plane", "tm-1": "traffic-manager-1", "tm-2": "traffic-manager-2",
       "gw-1": "gateway-1", "gw-2": "gateway-2"}
STORES = ["apim-primary.jks", "apim-internal.jks", "apim-tls.jks", "apim-truststore.jks"]
STREAMS = [("notification", "org.wso2.apimgt.notification.stream", "notification"),
           ("tokenRevocation", "org.wso2.apimgt.token.revocation.stream", "tokenRevocation"),
           ("keyManager", "org.wso2.apimgt.keymgt.stream", "keyManager")]


def q(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def toml(dc, svc):
    return (BASE / dc / "conf" / SVC[svc] / "deployment.toml").read_text()


def publisher(stream_short, stream, topic, other):
    O = other.capitalize()
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<!-- Multi-DC Pattern 1, Step 3: publishes {stream} to the control plane of {other}. -->
<eventPublisher name="{stream_short}JMSPublisher{O}" statistics="disable" trace="disable" xmlns="http://wso2.org/carbon/eventpublisher">
  <from streamName="{stream}" version="1.0.0"/>
  <mapping customMapping="disable" type="json"/>
  <to eventAdapterType="jms">
    <property name="java.naming.factory.initial">org.wso2.andes.jndi.PropertiesFileInitialContextFactory</property>
    <property name="java.naming.provider.url">repository/conf/jndi-{other}.properties</property>
    <property name="transport.jms.DestinationType">topic</property>
    <property name="transport.jms.Destination">{topic}</property>
    <property name="transport.jms.ConcurrentPublishers">allow</property>
    <property name="transport.jms.ConnectionFactoryJNDIName">TopicConnectionFactory</property>
  </to>
</eventPublisher>
'''


def jndi(other, broker):
    return (f"# JMS connection to the event hub of {other} (seed Step 3)\n"
            f"connectionfactory.TopicConnectionFactory = amqp://bridge-user:Br1dge-Pa55@clientid/carbon?brokerlist='tcp://{broker}:5672'\n"
            "topic.notification = notification\ntopic.tokenRevocation = tokenRevocation\ntopic.keyManager = keyManager\n"
            "topic.asyncWebhooksData = asyncWebhooksData\n")


def build(t, dcs, brokers=None, svc_extra=None, toml_edit=None, mounts_edit=None, keystores=True, networks=None, head_extra=""):
    """brokers: {dc: broker host of the other region}; svc_extra: {(dc, svc): [yaml lines]};
    toml_edit: f(dc, svc, text) -> text; mounts_edit: f(dc, svc, mounts) -> mounts."""
    svc_extra = svc_extra or {}
    for dc in dcs:
        other = [d for d in dcs if d != dc]
        lines = [f"# Multi-DC Pattern 1, data centre {dc}: one Compose project per data centre.", f"name: apim-{dc}", "services:"]
        for svc in SVC:
            home = t / dc / svc
            (home / "repository" / "conf").mkdir(parents=True)
            text = toml(dc, svc)
            if toml_edit:
                text = toml_edit(dc, svc, text)
            (home / "repository" / "conf" / "deployment.toml").write_text(text)
            mounts = [f"./{svc}/repository/conf/deployment.toml:{HOME}/repository/conf/deployment.toml"]
            if keystores:
                mounts += [f"./security/{f}:{HOME}/repository/resources/security/{f}:ro" for f in STORES]
            if svc == "acp" and brokers:
                for o in other:
                    (home / "repository" / "conf" / f"jndi-{o}.properties").write_text(jndi(o, brokers[dc]))
                    mounts.append(f"./{svc}/repository/conf/jndi-{o}.properties:{HOME}/repository/conf/jndi-{o}.properties:ro")
                    ep = home / "repository" / "deployment" / "server" / "eventpublishers"
                    ep.mkdir(parents=True, exist_ok=True)
                    for short, stream, topic in STREAMS:
                        fn = f"{short}JMSPublisher{o.capitalize()}.xml"
                        (ep / fn).write_text(publisher(short, stream, topic, o))
                        mounts.append(f"./{svc}/repository/deployment/server/eventpublishers/{fn}:{HOME}/repository/deployment/server/eventpublishers/{fn}:ro")
            if mounts_edit:
                mounts = mounts_edit(dc, svc, mounts)
            lines += [f"  {svc}:", "    image: wso2/wso2am:4.5.0"]
            lines += ["    " + l for l in svc_extra.get((dc, svc), [])]
            lines += ["    volumes:"] + [f"    - {m}" for m in mounts]
            if svc == "acp":
                lines += ["    ports:", "    - 9443:9443"] + (["    - 5672:5672"] if brokers else [])
            if svc == "gw-1":
                lines += ["    ports:", "    - 8280:8280", "    - 8243:8243"]
            if svc == "gw-2":
                lines += ["    ports:", "    - 8281:8280", "    - 8244:8243"]
        if networks and dc in networks:
            lines += networks[dc]
        (t / dc / "compose.yaml").write_text("\n".join(lines) + "\n")


def case(name, kind, summary, cite, expects=(), allow=None, hosts=None, **kw):
    d = HERE / name
    if d.exists():
        shutil.rmtree(d)
    t = d / "tree"
    t.mkdir(parents=True)
    build(t, **kw)
    if hosts:
        (t / "apimlint.toml").write_text("# apimlint project file\n\n[hosts]\n" + hosts)
    lines = [f"kind = {q(kind)}", f"summary = {q(summary)}", f"cite = {q(cite)}"]
    if allow:
        lines.append("allow = [" + ", ".join(q(a) for a in allow) + "]")
    for e in expects:
        lines += ["", "[[expect]]"] + [f"{k} = {q(v)}" for k, v in e.items()]
    (d / "case.toml").write_text("\n".join(lines) + "\n")


TWO = ["dc1", "dc2"]
# [server] hostname of each service, given to Compose as `hostname:` as well
def fqdn_hostnames(dc):
    return {(dc, "acp"): [f"hostname: apim.{dc}.example.com"],
            (dc, "gw-1"): [f"hostname: gw.{dc}.example.com"],
            (dc, "gw-2"): [f"hostname: gw.{dc}.example.com"]}


def merged(*ds):
    out = {}
    for d in ds:
        for k, v in d.items():
            out.setdefault(k, []).extend(v)
    return out


BR = ("rules.md region-bridge-unresolved: 'the broker list parses and every host resolves, across all regions, to a control plane of another "
      "region on 5672 + offset (... a cluster-local Service name — even one that also exists in the writer's own cluster — cannot reach "
      "another region's cluster and is this finding, not a loop)'; node-files.md: 'in Kubernetes a cluster-local Service name of another "
      "region's cluster cannot be reached from this one'. Docker docs, Networking in Compose: 'Each container for a service joins the default "
      "network and is both reachable by other containers on that network, and discoverable by the service's name' — a name served by the "
      "embedded DNS of one project's network, which the other data centre's project does not join.")

MACVLAN = lambda dc, n: ["networks:", "  default: {}", "  dc-lan:", "    driver: macvlan", "    driver_opts:", "      parent: eth0",
                          "    ipam:", "      config:", f"      - subnet: 10.{n}.0.0/24"]


def lan(dc, n):
    return {(dc, "acp"): ["networks:", "  default: {}", "  dc-lan:", f"    ipv4_address: 10.{n}.0.10"]}


case("legit-bridge-broker-fqdn-routed-hostname", "legit",
     "two Compose projects (dc1/, dc2/), each control plane (service acp, `hostname: apim.dcN.example.com`, also on a macvlan LAN with a routed address, 5672 published) bridges to the other with brokerlist tcp://apim.<other>.example.com:5672",
     "seed multi-dc-pattern-1.md Step 3: the jndi-region2.properties brokerlist names the other region's control plane ('tcp://<region2-cp-hostname>:5672'). kubernetes.md, Compose: a service's `hostname` is a host name of that node. " + BR,
     dcs=TWO, brokers={"dc1": "apim.dc2.example.com", "dc2": "apim.dc1.example.com"},
     svc_extra=merged(fqdn_hostnames("dc1"), fqdn_hostnames("dc2"), lan("dc1", 1), lan("dc2", 2)),
     networks={"dc1": MACVLAN("dc1", 1), "dc2": MACVLAN("dc2", 2)})

case("legit-bridge-broker-dns-name-in-hosts", "legit",
     "two Compose projects; each control plane bridges to the other through a DNS name of the other data centre's message-broker front (mb.dcN.example.com), declared in apimlint.toml [hosts] for that region's control plane",
     "cli.md apimlint.toml: '[hosts] # load balancers and DNS names that no node carries itself'; node-files.md: broker hosts resolve 'across regions ... (through a load balancer or a `[hosts]` alias as usual ...)'. " + BR,
     dcs=TWO, brokers={"dc1": "mb.dc2.example.com", "dc2": "mb.dc1.example.com"},
     svc_extra=merged(fqdn_hostnames("dc1"), fqdn_hostnames("dc2")),
     hosts='"mb.dc1.example.com" = ["dc1/acp"]\n"mb.dc2.example.com" = ["dc2/acp"]\n')

case("bridge-broker-compose-service-name", "mistake",
     "dc1's bridge JNDI file names the broker tcp://acp:5672: `acp` is the control plane's Compose service name, which exists in both projects but only resolves on dc1's own network (dc2 names apim.dc1.example.com correctly)",
     BR,
     expects=[{"rule": "region-bridge-unresolved"}],
     dcs=TWO, brokers={"dc1": "acp", "dc2": "apim.dc1.example.com"},
     svc_extra=merged(fqdn_hostnames("dc1"), fqdn_hostnames("dc2")))

case("bridge-broker-container-name", "mistake",
     "dc2's control plane has `container_name: apim-dc2-acp`; dc1's bridge brokerlist names tcp://apim-dc2-acp:5672, a container name only dc2's project network resolves",
     BR + " Docker docs: a container_name is resolved by the embedded DNS server only for containers on a shared user-defined network.",
     expects=[{"rule": "region-bridge-unresolved"}],
     dcs=TWO, brokers={"dc1": "apim-dc2-acp", "dc2": "apim.dc1.example.com"},
     svc_extra=merged(fqdn_hostnames("dc1"), fqdn_hostnames("dc2"), {("dc2", "acp"): ["container_name: apim-dc2-acp"]}))

case("bridge-broker-network-alias", "mistake",
     "dc2's control plane has the network alias `eventhub-dc2` on dc2's default network; dc1's bridge brokerlist names tcp://eventhub-dc2:5672",
     BR + " Docker docs, services.networks.aliases: 'Aliases are network-scoped: the alias is only visible to containers on that network'.",
     expects=[{"rule": "region-bridge-unresolved"}],
     dcs=TWO, brokers={"dc1": "eventhub-dc2", "dc2": "apim.dc1.example.com"},
     svc_extra=merged(fqdn_hostnames("dc1"), fqdn_hostnames("dc2"),
                      {("dc2", "acp"): ["networks:", "  default:", "    aliases:", "    - eventhub-dc2"]}))

# ---------------------------------------------------------------- class 2: keystores
KS = ("rules.md keystore-not-mounted: 'containers: every keystore and truststore `file_name` a node's TOML uses (or WSO2's default) is mounted "
      "into its `repository/resources/security/`'; node-files.md: 'Compose: bind mounts of files or directories at those paths, relative to the "
      "Compose file'; wso2-facts §5: the keystore 'file must live in `repository/resources/security`'.")
ONE = ["dc1"]
ONE_EXTRA = fqdn_hostnames("dc1")


def gw2_tls(dc, svc, text):
    if svc == "gw-2":
        text = text.replace('file_name = "apim-tls.jks"\ntype = "JKS"\nalias = "apim-tls"', 'file_name = "gw-tls.jks"\ntype = "JKS"\nalias = "gw-tls"')
        assert "gw-tls.jks" in text
    return text


case("gw-tls-keystore-not-mounted", "mistake",
     "gw-2's deployment.toml names [keystore.tls] file_name = \"gw-tls.jks\"; its Compose volumes bind-mount only the four shared stores (apim-primary/internal/tls/truststore)",
     KS, expects=[{"rule": "keystore-not-mounted"}],
     dcs=ONE, svc_extra=ONE_EXTRA, toml_edit=gw2_tls)


def tm1_trust_wrong_path(dc, svc, mounts):
    if svc == "tm-1":
        mounts = [m.replace("/repository/resources/security/apim-truststore.jks", "/repository/resources/apim-truststore.jks") for m in mounts]
    return mounts


case("tm-truststore-mounted-outside-security", "mistake",
     "tm-1 bind-mounts apim-truststore.jks at repository/resources/apim-truststore.jks (the `security/` segment is missing); its [truststore] file_name is apim-truststore.jks",
     KS, expects=[{"rule": "keystore-not-mounted"}],
     dcs=ONE, svc_extra=ONE_EXTRA, mounts_edit=tm1_trust_wrong_path)


def acp_old_home(dc, svc, mounts):
    if svc == "acp":
        mounts = [m.replace(f"{HOME}/repository/resources", "/home/wso2carbon/wso2am-4.4.0/repository/resources") for m in mounts]
    return mounts


case("cp-keystores-mounted-into-old-home", "mistake",
     "after an upgrade to wso2/wso2am:4.5.0 the control plane's deployment.toml is mounted into /home/wso2carbon/wso2am-4.5.0 but its four keystores still into /home/wso2carbon/wso2am-4.4.0/repository/resources/security/ (not its home)",
     KS + " node-files.md: 'a node is its API-M home directory, the directory that holds `repository/conf/deployment.toml`'.",
     expects=[{"rule": "keystore-not-mounted"}],
     dcs=ONE, svc_extra=ONE_EXTRA, mounts_edit=acp_old_home)

case("legit-all-keystores-bind-mounted", "legit",
     "one data centre (dc1/compose.yaml): every service bind-mounts each keystore and the truststore its deployment.toml names, file by file, from ./security/ (the keystore files themselves are not committed)",
     KS + " Docker docs, bind mounts: '- ./security/apim-primary.jks:/home/.../apim-primary.jks:ro' style short syntax.",
     dcs=ONE, svc_extra=ONE_EXTRA)


def strip_stores(dc, svc, text):
    import re
    text = re.sub(r"\[keystore\.(primary|internal|tls)\]\n(?:[^\[\n][^\n]*\n)*\n", "", text)
    text = re.sub(r"\[truststore\]\n(?:[^\[\n][^\n]*\n)*\n", "", text)
    assert "keystore." not in text and "[truststore]" not in text, svc
    text = text.replace('keystore_password = ', '# no keystore aliases\nunused_keystore_password = ', 1) if False else text
    return text


def strip_store_secrets(dc, svc, text):
    text = strip_stores(dc, svc, text)
    lines = [l for l in text.splitlines(keepends=True) if not l.startswith(("keystore_password =", "truststore_password ="))]
    return "".join(lines)


case("legit-shipped-default-keystores-no-mount", "legit",
     "one data centre: no node writes [keystore.*] or [truststore] (WSO2's defaults wso2carbon.jks / client-truststore.jks, shipped in the image) and no volume is mounted over repository/resources/security/",
     KS + " explain keystore-not-mounted: 'A file is there when ... the image ships it (`wso2carbon.jks`, `client-truststore.jks`) and no volume is mounted over the directory'. The shipped keystore is `default-credentials`' business (rules.md: 'the shipped `wso2carbon.jks`/`.p12` keystore'), hence allowed.",
     allow=["default-credentials"],
     dcs=ONE, svc_extra=ONE_EXTRA, keystores=False, toml_edit=strip_store_secrets)
