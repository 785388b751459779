#!/usr/bin/env python3
"""Writes the pattern1 red-team cases (tests/redteam/pattern1/<case>/).

Each case is a correct Pattern-1 deployment built from the seed's configurations
(one of several layouts below) with exactly one change (a mistake, or a legitimate
variation). Run from anywhere: python3 tests/redteam/pattern1/generate.py
The trees it writes are what apimlint reads; this script is only how they were made.
"""
import base64
import hashlib
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))

PORTS = {"https": 9443, "amqp": 5672, "bin": 9611, "binssl": 9711,
         "nio": 8280, "niossl": 8243, "ws": 9099, "wss": 8099}


def cipher(seed):
    """A cipher-tool-looking value (base64 of 256 pseudo-random bytes)."""
    out = b""
    h = seed.encode()
    while len(out) < 256:
        h = hashlib.sha256(h).digest()
        out += h
    return base64.b64encode(out[:256]).decode()


class Node:
    def __init__(self, dep, region, nid, role, host, ip, offset=0, urlhost=None, machine=None):
        self.dep, self.region, self.id, self.role = dep, region, nid, role
        self.host, self.ip, self.offset = host, ip, offset
        self.urlhost = urlhost or host
        self.machine = machine
        self.toml_offset = True  # offset written as [server] offset (else apimlint.toml port_offset)

    def port(self, name):
        return PORTS[name] + self.offset


class Region:
    def __init__(self, name, key):
        self.name, self.key = name, key
        self.nodes = []
        self.cp_lb = None       # control-plane load balancer host (in [hosts]) or None
        self.km_lb = None
        self.gw_cluster = None  # gateway cluster hostname
        self.db_host = None

    def role(self, r):
        return [n for n in self.nodes if n.role == r]


class Dep:
    def __init__(self, version="4.5.0", db="mssql"):
        self.version, self.db = version, db
        self.regions = []
        self.admin = "apim-admin"
        self.envs = [("Default", "hybrid"), ("Internal", "hybrid")]
        self.labels = ["Default", "Internal"]
        self.bridge = True
        self.toml_regions = {}   # apimlint.toml [regions]
        self.toml_roles = {}     # node id -> role for apimlint.toml [nodes]
        self.environments = {}   # apimlint.toml [environments]
        self.hosts_extra = []    # extra lines for [hosts]
        self.distributed_throttling = False
        self.keystore = ("apim-primary.jks", "JKS", "apim-primary")
        self.internal = ("apim-internal.jks", "JKS", "apim-internal")
        self.bridge_user = "apim-admin"

    # ---------------------------------------------------------------- pieces
    def dburl(self, region, name):
        h = region.db_host
        if self.db == "mssql":
            return f"jdbc:sqlserver://{h}:1433;databaseName={name};encrypt=true"
        if self.db == "oracle":
            return f"jdbc:oracle:thin:@{h}:1521/{name}"
        if self.db == "mysql":
            return f"jdbc:mysql://{h}:3306/{name}?useSSL=true"
        if self.db == "postgre":
            return f"jdbc:postgresql://{h}:5432/{name.lower()}"
        raise ValueError(self.db)

    def header(self, n, role_value):
        s = f"# {n.id} - WSO2 API-M {self.version}, multi-DC Pattern 1 ({n.role})\n\n[server]\n"
        s += f'hostname = "{n.host}"\nnode_ip = "{n.ip}"\n'
        if role_value:
            s += f'server_role = "{role_value}"\n'
        if n.offset and n.toml_offset:
            s += f"offset = {n.offset}\n"
        s += f'''
[super_admin]
username = "{self.admin}"
password = "$secret{{admin_password}}"
create_admin_account = true

[user_store]
type = "database_unique_id"
'''
        return s

    def dbs(self, n, apim=True):
        s = ""
        dbt = self.db
        if apim:
            s += f'''
[database.apim_db]
type = "{dbt}"
url = "{self.dburl(n.region, "WSO2AM_DB")}"
username = "apim_user"
password = "$secret{{db_password}}"
'''
        s += f'''
[database.shared_db]
type = "{dbt}"
url = "{self.dburl(n.region, "WSO2AM_SHARED_DB")}"
username = "apim_user"
password = "$secret{{db_password}}"
'''
        return s

    def keystores(self, n):
        p, i = self.keystore, self.internal
        return f'''
[keystore.primary]
file_name = "{p[0]}"
type = "{p[1]}"
alias = "{p[2]}"
password = "$secret{{keystore_password}}"
key_password = "$secret{{keystore_password}}"

[keystore.internal]
file_name = "{i[0]}"
type = "{i[1]}"
alias = "{i[2]}"
password = "$secret{{keystore_password}}"
key_password = "$secret{{keystore_password}}"

[keystore.tls]
file_name = "{n.id.split('/')[-1]}-tls.jks"
type = "JKS"
alias = "{n.id.split('/')[-1]}-tls"
password = "$secret{{keystore_password}}"
key_password = "$secret{{keystore_password}}"

[truststore]
file_name = "apim-truststore.jks"
type = "JKS"
password = "$secret{{truststore_password}}"
'''

    def secrets(self, n):
        s = "\n# Secure Vault aliases, encrypted with ciphertool.sh. Must stay the last table.\n[secrets]\n"
        for a in ("admin_password", "db_password", "keystore_password", "truststore_password"):
            s += f'{a} = "{cipher(n.id + a)}"\n'
        return s

    def u(self, scheme, n, port, path=""):
        return f"{scheme}://{n.urlhost}:{n.port(port)}{path}"

    def cp_service(self, r, path="/services/"):
        if r.cp_lb:
            return f"https://{r.cp_lb}{path}"
        return self.u("https", r.role("control-plane")[0], "https", path)

    def listen_cps(self, r):
        cps = r.role("control-plane") or r.role("all-in-one")
        return ", ".join(f'"{self.u("tcp", c, "amqp")}"' for c in cps)

    def envs_toml(self, r):
        gws = r.role("gateway-worker") or r.role("all-in-one")
        g = gws[0]
        host = r.gw_cluster or g.urlhost
        s = ""
        for name, typ in self.envs:
            s += f'''
[[apim.gateway.environment]]
name = "{name}"
type = "{typ}"
provider = "wso2"
gateway_type = "Regular"
display_in_api_console = true
description = "{name} gateway environment of {r.name}."
show_as_token_endpoint_url = true
service_url = "https://{host}:{g.port("https")}/services/"
username = "${{admin.username}}"
password = "${{admin.password}}"
http_endpoint = "http://{host}:{g.port("nio")}"
https_endpoint = "https://{host}:{g.port("niossl")}"
ws_endpoint = "ws://{host}:{g.port("ws")}"
wss_endpoint = "wss://{host}:{g.port("wss")}"
'''
        return s

    def peers_dup(self, n):
        peers = [p for p in n.region.role(n.role) if p is not n]
        if not peers:
            return ""
        return "event_duplicate_url = [" + ", ".join(f'"{self.u("tcp", p, "amqp")}"' for p in peers) + "]\n"

    def publish_groups(self, r):
        cps = r.role("control-plane") or r.role("all-in-one")
        s = ""
        for c in cps:
            s += f'''
[[apim.event_hub.publish.url_group]]
urls = ["{self.u("tcp", c, "bin")}"]
auth_urls = ["{self.u("ssl", c, "binssl")}"]
'''
        return s

    def revocation(self, endpoint):
        return f'''
[[event_listener]]
id = "token_revocation"
type = "org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
name = "org.wso2.is.notification.ApimOauthEventInterceptor"
order = 1

[event_listener.properties]
notification_endpoint = "{endpoint}"
username = "${{admin.username}}"
password = "${{admin.password}}"
'header.X-WSO2-KEY-MANAGER' = "default"
'''

    def throttle_groups(self, r):
        tms = r.role("traffic-manager")
        s = ""
        if self.distributed_throttling:
            s += '''
[[apim.throttling.url_group]]
traffic_manager_urls = [''' + ", ".join(f'"{self.u("tcp", t, "bin")}"' for t in tms) + ''']
traffic_manager_auth_urls = [''' + ", ".join(f'"{self.u("ssl", t, "binssl")}"' for t in tms) + ''']
type = "loadbalance"
'''
            return s
        for t in tms:
            s += f'''
[[apim.throttling.url_group]]
traffic_manager_urls = ["{self.u("tcp", t, "bin")}"]
traffic_manager_auth_urls = ["{self.u("ssl", t, "binssl")}"]
'''
        return s

    def distributed(self):
        if not self.distributed_throttling:
            return ""
        return '''
[apim.distributed_throttling]
enable = true
type = "redis"
sync_interval = 1
core_pool_size = 5

[apim.distributed_throttling.keyvalue_store]
host = "redis.internal.example.com"
port = "6379"
user = "apim"
password = "$secret{redis_password}"
'''

    # ---------------------------------------------------------------- roles
    def cp(self, n):
        r = n.region
        has_km = bool(r.role("key-manager"))
        s = self.header(n, "control-plane") + self.dbs(n) + self.keystores(n) + self.envs_toml(r)
        if self.distributed_throttling:
            s += self.distributed()
        if has_km:
            s += f'''
[apim.key_manager]
service_url = "https://{r.km_lb}/services/"
username = "$ref{{super_admin.username}}"
password = "$ref{{super_admin.password}}"
'''
        s += f'''
[apim.event_hub]
enable = true
username = "$ref{{super_admin.username}}"
password = "$ref{{super_admin.password}}"
service_url = "https://localhost:${{mgt.transport.https.port}}/services/"
event_listening_endpoints = ["tcp://localhost:{n.port("amqp")}"]
''' + self.peers_dup(n) + self.publish_groups(r)
        if not has_km:
            s += self.revocation("https://localhost:${mgt.transport.https.port}/internal/data/v1/notify")
        return s

    def km(self, n):
        r = n.region
        s = self.header(n, "control-plane") + self.dbs(n) + self.keystores(n)
        s += f'''
[apim.event_hub]
enable = true
username = "$ref{{super_admin.username}}"
password = "$ref{{super_admin.password}}"
service_url = "{self.cp_service(r)}"
event_listening_endpoints = [{self.listen_cps(r)}]
''' + self.revocation(self.cp_service(r, "/internal/data/v1/notify"))
        return s

    def tm(self, n):
        r = n.region
        s = self.header(n, "traffic-manager") + self.dbs(n) + self.keystores(n)
        s += self.distributed()
        s += f'''
[apim.throttling]
username = "$ref{{super_admin.username}}"
password = "$ref{{super_admin.password}}"
throttle_decision_endpoints = ["tcp://localhost:{n.port("amqp")}"]
''' + self.peers_dup(n) + f'''
[apim.event_hub]
enable = true
username = "$ref{{super_admin.username}}"
password = "$ref{{super_admin.password}}"
service_url = "{self.cp_service(r)}"
event_listening_endpoints = [{self.listen_cps(r)}]
'''
        return s

    def gw(self, n):
        r = n.region
        km = f"https://{r.km_lb}/services/" if r.role("key-manager") else self.cp_service(r)
        tms = r.role("traffic-manager")
        labels = ", ".join(f'"{x}"' for x in self.labels)
        s = self.header(n, "gateway-worker") + self.dbs(n, apim=False) + self.keystores(n)
        s += f'''
[apim.sync_runtime_artifacts.gateway]
gateway_labels = [{labels}]

[apim.gateway_notification]
gateway_id = "{n.id.replace('/', '-')}"

[apim.key_manager]
service_url = "{km}"
username = "$ref{{super_admin.username}}"
password = "$ref{{super_admin.password}}"

[apim.event_hub]
enable = true
username = "$ref{{super_admin.username}}"
password = "$ref{{super_admin.password}}"
service_url = "{self.cp_service(r)}"
event_listening_endpoints = [{self.listen_cps(r)}]

[apim.throttling]
username = "$ref{{super_admin.username}}"
password = "$ref{{super_admin.password}}"
service_url = "{self.cp_service(r)}"
throttle_decision_endpoints = [''' + ", ".join(f'"{self.u("tcp", t, "amqp")}"' for t in tms) + "]\n"
        s += self.throttle_groups(r)
        return s

    def aio(self, n):
        r = n.region
        s = self.header(n, "default") + self.dbs(n) + self.keystores(n) + self.envs_toml(r)
        labels = ", ".join(f'"{x}"' for x in self.labels)
        s += f'''
[apim.sync_runtime_artifacts.gateway]
gateway_labels = [{labels}]

[apim.event_hub]
enable = true
username = "$ref{{super_admin.username}}"
password = "$ref{{super_admin.password}}"
service_url = "https://localhost:${{mgt.transport.https.port}}/services/"
event_listening_endpoints = ["tcp://localhost:{n.port("amqp")}"]
''' + self.peers_dup(n) + self.publish_groups(r)
        s += f'''
[apim.throttling]
throttle_decision_endpoints = ["tcp://localhost:{n.port("amqp")}"]
''' + self.peers_dup(n)
        for p in r.role("all-in-one"):
            s += f'''
[[apim.throttling.url_group]]
traffic_manager_urls = ["{self.u("tcp", p, "bin")}"]
traffic_manager_auth_urls = ["{self.u("ssl", p, "binssl")}"]
type = "loadbalance"
'''
        s += self.revocation("https://localhost:${mgt.transport.https.port}/internal/data/v1/notify")
        return s

    # ---------------------------------------------------------------- bridge
    STREAMS = [("notification", "org.wso2.apimgt.notification.stream"),
               ("tokenRevocation", "org.wso2.apimgt.token.revocation.stream"),
               ("keyManager", "org.wso2.apimgt.keymgt.stream")]

    def bridge_files(self, n):
        files = {}
        for other in self.regions:
            if other is n.region:
                continue
            cps = other.role("control-plane") or other.role("all-in-one")
            brokers = ";".join(f"tcp://{c.urlhost}:{c.port('amqp')}" for c in cps)
            jndi = f"jndi-{other.key}.properties"
            files[f"repository/conf/{jndi}"] = (
                f"# JMS connection to the event hubs of {other.name} (seed Step 3)\n"
                f"connectionfactory.TopicConnectionFactory = amqp://{self.bridge_user}:Br1dgeS3cret@clientid/carbon?brokerlist='{brokers}'\n"
                "topic.notification = notification\n"
                "topic.tokenRevocation = tokenRevocation\n"
                "topic.keyManager = keyManager\n"
                "topic.asyncWebhooksData = asyncWebhooksData\n")
            for topic, stream in self.STREAMS:
                name = f"{topic}JMSPublisher{other.key.capitalize()}"
                files[f"repository/deployment/server/eventpublishers/{name}.xml"] = f'''<?xml version="1.0" encoding="UTF-8"?>
<eventPublisher name="{name}" statistics="disable" trace="disable" xmlns="http://wso2.org/carbon/eventpublisher">
  <from streamName="{stream}" version="1.0.0"/>
  <mapping customMapping="disable" type="json"/>
  <to eventAdapterType="jms">
    <property name="java.naming.factory.initial">org.wso2.andes.jndi.PropertiesFileInitialContextFactory</property>
    <property name="java.naming.provider.url">repository/conf/{jndi}</property>
    <property name="transport.jms.DestinationType">topic</property>
    <property name="transport.jms.Destination">{topic}</property>
    <property name="transport.jms.ConcurrentPublishers">allow</property>
    <property name="transport.jms.ConnectionFactoryJNDIName">TopicConnectionFactory</property>
  </to>
</eventPublisher>
'''
        return files

    # ---------------------------------------------------------------- render
    def apimlint_toml(self):
        s = "# apimlint project file\n\n[deployment]\n"
        s += f'version = "{self.version}"\n'
        hosts = []
        for r in self.regions:
            if r.cp_lb:
                ids = ", ".join(f'"{c.id}"' for c in r.role("control-plane"))
                hosts.append(f'"{r.cp_lb}" = [{ids}]')
            if r.km_lb:
                ids = ", ".join(f'"{c.id}"' for c in r.role("key-manager"))
                hosts.append(f'"{r.km_lb}" = [{ids}]')
        hosts += self.hosts_extra
        if hosts:
            s += "\n[hosts]\n" + "\n".join(hosts) + "\n"
        if self.toml_regions:
            s += "\n[regions]\n"
            for k, v in self.toml_regions.items():
                s += f'"{k}" = [' + ", ".join(f'"{g}"' for g in v) + "]\n"
        if self.environments:
            s += "\n[environments]\n"
            for k, v in self.environments.items():
                s += f'"{k}" = [' + ", ".join(f'"{g}"' for g in v) + "]\n"
        for r in self.regions:
            for n in r.nodes:
                lines = []
                if n.id in self.toml_roles:
                    lines.append(f'role = "{self.toml_roles[n.id]}"')
                if n.offset and not n.toml_offset:
                    lines.append(f"port_offset = {n.offset}")
                if n.machine:
                    lines.append(f'machine = "{n.machine}"')
                if lines:
                    s += f'\n[nodes."{n.id}"]\n' + "\n".join(lines) + "\n"
        return s

    def render(self):
        files = {"apimlint.toml": self.apimlint_toml()}
        for r in self.regions:
            for n in r.nodes:
                text = {"control-plane": self.cp, "traffic-manager": self.tm,
                        "gateway-worker": self.gw, "key-manager": self.km,
                        "all-in-one": self.aio}[n.role](n)
                if self.distributed_throttling and n.role in ("control-plane", "traffic-manager"):
                    text += self.secrets(n) + f'redis_password = "{cipher(n.id + "redis")}"\n'
                else:
                    text += self.secrets(n)
                files[f"{n.id}/repository/conf/deployment.toml"] = text
                if self.bridge and len(self.regions) > 1 and n.role in ("control-plane", "all-in-one"):
                    for p, t in self.bridge_files(n).items():
                        files[f"{n.id}/{p}"] = t
        return files


# -------------------------------------------------------------------- layouts
def std_region(dep, name, key, dirp, dom, ipb, hostf=None, n_tm=2, n_gw=2, n_cp=2, km=False,
               lb=True, offsets=None, urlf=None):
    """cp-1/cp-2, tm-1/tm-2, gw-1/gw-2 under dirp (a directory path)."""
    r = Region(name, key)
    offsets = offsets or {}
    r.db_host = f"db.{dom}"
    r.gw_cluster = f"gw.{dom}"
    r.cp_lb = f"api.{dom}" if lb else None
    roles = [("cp", "control-plane", n_cp, 1), ("tm", "traffic-manager", n_tm, 3), ("gw", "gateway-worker", n_gw, 2)]
    if km:
        roles.append(("km", "key-manager", 2, 4))
        r.km_lb = f"km.{dom}"
        dep.toml_roles.update({f"{dirp}/km-{i}": "key-manager" for i in (1, 2)})
    for short, role, count, sub in roles:
        for i in range(1, count + 1):
            nid = f"{dirp}/{short}-{i}"
            host = r.gw_cluster if role == "gateway-worker" else (hostf(short, i) if hostf else f"{short}-{i}.{dom}")
            ip = f"{ipb}.{sub}.{10 + i}"
            n = Node(dep, r, nid, role, host, ip, offsets.get(f"{short}-{i}", 0))
            if urlf:
                n.urlhost = urlf(n)
            r.nodes.append(n)
    dep.regions.append(r)
    return r


def base_fqdn(version="4.5.0"):
    d = Dep(version)
    std_region(d, "region-1", "region2", "region-1", "r1.example.com", "10.10")
    std_region(d, "region-2", "region1", "region-2", "r2.example.com", "10.20")
    # bridge keys: jndi file named after the *other* region
    d.regions[0].key, d.regions[1].key = "region1", "region2"
    return d


def base_dc(version="4.2.0"):
    d = Dep(version, db="oracle")
    std_region(d, "dc1", "dc1", "dc1", "dc1.acme.org", "172.16")
    std_region(d, "dc2", "dc2", "dc2", "dc2.acme.org", "172.17")
    return d


def base_three(version="4.5.0"):
    d = Dep(version)
    std_region(d, "eu-west", "euwest", "sites/eu-west-1a", "euw.apim.corp.net", "10.1")
    std_region(d, "us-east", "useast", "sites/us-east-1b", "use.apim.corp.net", "10.2")
    std_region(d, "ap-south", "apsouth", "sites/ap-south-1c", "aps.apim.corp.net", "10.3")
    d.toml_regions = {"eu-west": ["sites/eu-west-1a/*"], "us-east": ["sites/us-east-1b/*"],
                      "ap-south": ["sites/ap-south-1c/*"]}
    return d


def base_ip(version="4.4.0"):
    """URLs name nodes by their node_ip (IPv4), hostnames are FQDNs."""
    d = Dep(version)
    ipf = lambda n: n.ip if n.role != "gateway-worker" else n.region.gw_cluster
    std_region(d, "london", "london", "london", "ldn.bank.example", "10.50", urlf=ipf)
    std_region(d, "frankfurt", "frankfurt", "frankfurt", "fra.bank.example", "10.60", urlf=ipf)
    return d


def base_ipv6(version="4.5.0"):
    d = Dep(version)
    for name, pre, dom in (("zone-a", "fd00:a", "a.v6.example.net"), ("zone-b", "fd00:b", "b.v6.example.net")):
        r = std_region(d, name, name.replace("-", ""), name, dom, "0")
        for n in r.nodes:
            last = n.ip.split(".")
            n.ip = f"{pre}::{last[-2]}:{last[-1]}"
            if n.role != "gateway-worker":
                n.urlhost = f"[{n.ip}]"
    return d


def base_offsets(version="4.3.0"):
    """Each control plane shares a VM with a traffic manager: the TMs run with [server] offset = 1."""
    d = Dep(version)
    for idx, (name, dom, ipb) in enumerate((("region-1", "r1.example.com", "10.10"), ("region-2", "r2.example.com", "10.20"))):
        r = std_region(d, name, f"region{2 - idx}", name, dom, ipb, offsets={"tm-1": 1, "tm-2": 1})
        d.regions[idx].key = f"region{idx + 1}"
        for n in r.nodes:
            if n.role in ("control-plane", "traffic-manager"):
                i = n.id[-1]
                n.machine = f"{name}-vm-{i}"
                n.host = f"apim-{i}.{dom}"
                n.urlhost = n.host
                n.ip = f"{ipb}.1.1{i}"
    return d


def base_aio(version="4.4.0"):
    d = Dep(version)
    for name, dom, ipb in (("primary-dc", "pdc.example.com", "10.70"), ("secondary-dc", "sdc.example.com", "10.80")):
        r = Region(name, name.replace("-", ""))
        r.db_host = f"db.{dom}"
        r.gw_cluster = f"apim.{dom}"
        for i in (1, 2):
            n = Node(d, r, f"{name}/apim-{i}", "all-in-one", f"apim.{dom}", f"{ipb}.0.{10 + i}",
                     urlhost=f"apim-{i}.{dom}")
            r.nodes.append(n)
        d.regions.append(r)
        d.hosts_extra.append(f'"apim-1.{dom}" = ["{name}/apim-1"]')
        d.hosts_extra.append(f'"apim-2.{dom}" = ["{name}/apim-2"]')
    return d


def base_km(version="4.3.0"):
    d = Dep(version)
    std_region(d, "region-1", "region2", "region-1", "r1.example.com", "10.10", km=True)
    std_region(d, "region-2", "region1", "region-2", "r2.example.com", "10.20", km=True)
    d.regions[0].key, d.regions[1].key = "region1", "region2"
    return d


BASES = {"fqdn": base_fqdn, "dc": base_dc, "three": base_three, "ip": base_ip, "ipv6": base_ipv6,
         "offsets": base_offsets, "aio": base_aio, "km": base_km}


# -------------------------------------------------------------------- cases
def write_case(name, kind, summary, cite, files, expects=(), allow=(), paths=None):
    d = os.path.join(HERE, name)
    if os.path.exists(d):
        shutil.rmtree(d)
    for p, t in files.items():
        full = os.path.join(d, "tree", p)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(t)
    q = lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    s = f"kind = {q(kind)}\nsummary = {q(summary)}\ncite = {q(cite)}\n"
    if paths:
        s += "paths = [" + ", ".join(q(p) for p in paths) + "]\n"
    if allow:
        s += "allow = [" + ", ".join(q(a) for a in allow) + "]\n"
    for e in expects:
        s += "\n[[expect]]\n"
        for k, v in e.items():
            s += f"{k} = {q(v)}\n"
    with open(os.path.join(d, "case.toml"), "w") as f:
        f.write(s)


def edit(files, path, old, new, count=1):
    t = files[path]
    if t.count(old) < count or old == "":
        raise SystemExit(f"edit: {old!r} not found {count}x in {path}")
    files[path] = t.replace(old, new, count)


def node(nid):
    return f"{nid}/repository/conf/deployment.toml"


if __name__ == "__main__":
    import cases  # noqa: E402  (tests/redteam/pattern1/cases.py)
    cases.main()
