//! The front door end to end, through the binary: `hostname-unreachable`,
//! `proxy-port-mismatch` and `portal-url-unresolved` in plain trees, in
//! manifest streams (Ingress, OpenShift Route, Gateway API, LoadBalancer and
//! NodePort Services) and in Compose files.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

const RULES: [&str; 3] = [
    "hostname-unreachable",
    "proxy-port-mismatch",
    "portal-url-unresolved",
];

fn json(dir: &Path) -> Value {
    let o = common::run_in(dir, &["check", ".", "--format", "json"]);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}{}",
        common::stdout(&o),
        common::stderr(&o)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The front-door findings: (rule, node, message, fix's title).
fn front(dir: &Path) -> Vec<(String, String, String, Option<String>)> {
    json(dir)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| RULES.contains(&d["rule"].as_str().unwrap()))
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["node"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
                d["fix"]["title"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn of<'a>(
    all: &'a [(String, String, String, Option<String>)],
    rule: &str,
) -> Vec<&'a (String, String, String, Option<String>)> {
    all.iter().filter(|f| f.0 == rule).collect()
}

// ---------------------------------------------------------------- plain trees

fn node(dir: &Path, id: &str, toml: &str) {
    common::write(
        &dir.join(id).join("repository/conf/deployment.toml"),
        toml.as_bytes(),
    );
}

fn server(hostname: &str, role: &str) -> String {
    format!("[server]\nhostname = \"{hostname}\"\nserver_role = \"{role}\"\n")
}

/// A control plane, a gateway and a traffic manager of one region.
fn plain(name: &str, cp: &str, gw: &str, tm: &str) -> PathBuf {
    let dir = common::scratch("front", name);
    node(&dir, "region-1/cp-1", &server(cp, "control-plane"));
    node(&dir, "region-1/gw-1", &server(gw, "gateway-worker"));
    node(&dir, "region-1/tm-1", &server(tm, "traffic-manager"));
    dir
}

#[test]
fn localhost_and_ip_literals_are_reported_where_users_cannot_reach_them() {
    let dir = plain("plain-local", "10.0.0.5", "localhost", "localhost");
    let all = front(&dir);
    let h = of(&all, "hostname-unreachable");
    assert_eq!(h.len(), 2, "{all:#?}");
    let cp = h.iter().find(|f| f.1 == "region-1/cp-1").unwrap();
    assert!(cp.2.contains("the IP address `10.0.0.5`"), "{}", cp.2);
    let gw = h.iter().find(|f| f.1 == "region-1/gw-1").unwrap();
    assert!(
        gw.2.contains("`localhost` in a deployment of 3 nodes"),
        "{}",
        gw.2
    );
    // the traffic manager serves no user
    assert!(h.iter().all(|f| f.1 != "region-1/tm-1"), "{all:#?}");
    // no front: nothing about proxyPort
    assert!(of(&all, "proxy-port-mismatch").is_empty(), "{all:#?}");
}

#[test]
fn single_node_all_in_one_and_one_machine_keep_localhost() {
    let dir = common::scratch("front", "plain-single");
    node(&dir, "apim", &server("localhost", "default"));
    assert!(front(&dir).is_empty());
    // an all-in-one HA pair, and one with WSO2 IS as its key manager
    let dir = common::scratch("front", "plain-aio-pair");
    node(&dir, "r1/aio-1", &server("localhost", "default"));
    node(&dir, "r1/aio-2", &server("127.0.0.1", "default"));
    assert!(front(&dir).is_empty(), "{:#?}", front(&dir));
    // every node on one machine (apimlint.toml): users sit at it
    let dir = plain("plain-one-machine", "localhost", "localhost", "localhost");
    common::write(
        &dir.join("apimlint.toml"),
        b"[nodes.\"region-1/cp-1\"]\nmachine = \"box\"\n[nodes.\"region-1/gw-1\"]\nmachine = \"box\"\n[nodes.\"region-1/tm-1\"]\nmachine = \"box\"\n",
    );
    assert!(front(&dir).is_empty(), "{:#?}", front(&dir));
}

#[test]
fn a_plain_trees_hosts_entries_raise_nothing() {
    // the control plane's own name differs from its load balancer's: a
    // `[hosts]` entry says which nodes a name reaches, not what users type
    let dir = plain(
        "plain-hosts",
        "cp-1.internal",
        "gw.example.com",
        "tm.example.com",
    );
    common::write(
        &dir.join("apimlint.toml"),
        b"[hosts]\n\"api.example.com\" = [\"region-1/cp-1\"]\n",
    );
    assert!(front(&dir).is_empty(), "{:#?}", front(&dir));
}

#[test]
fn the_devportal_url_must_reach_a_control_plane() {
    let dir = plain(
        "plain-devportal",
        "cp.example.com",
        "gw.example.com",
        "tm.example.com",
    );
    node(
        &dir,
        "region-1/cp-1",
        &format!(
            "{}\n[apim.devportal]\nurl = \"https://gw.example.com:9443/devportal\"\n",
            server("cp.example.com", "control-plane")
        ),
    );
    let all = front(&dir);
    let p = of(&all, "portal-url-unresolved");
    assert_eq!(p.len(), 1, "{all:#?}");
    assert!(p[0].2.contains("gateway-worker"), "{}", p[0].2);
    // itself, or its own name: clean
    for url in [
        "https://localhost:${mgt.transport.https.port}/devportal",
        "https://cp.example.com/devportal",
    ] {
        node(
            &dir,
            "region-1/cp-1",
            &format!(
                "{}\n[apim.devportal]\nurl = \"{url}\"\n",
                server("cp.example.com", "control-plane")
            ),
        );
        assert!(front(&dir).is_empty(), "{url}: {:#?}", front(&dir));
    }
}

// ------------------------------------------------------------------ manifests

/// A ConfigMap holding `toml` and a Deployment mounting it, labelled
/// `app: <name>`.
fn workload(name: &str, toml: &str) -> String {
    let body: String = toml.lines().map(|l| format!("    {l}\n")).collect();
    format!(
        r"apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-conf
  namespace: apim
data:
  deployment.toml: |
{body}---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: apim
spec:
  replicas: 1
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
        - name: {name}
          image: wso2/wso2am:4.5.0
          volumeMounts:
            - name: conf
              mountPath: /home/wso2carbon/wso2am-4.5.0/repository/conf/deployment.toml
              subPath: deployment.toml
      volumes:
        - name: conf
          configMap:
            name: {name}-conf
---
"
    )
}

/// A Service for the control plane: `kind` (ClusterIP, LoadBalancer,
/// NodePort), `port` → 9443, and `extra` lines under its first port.
fn cp_service(kind: &str, port: u16, extra: &str, annotations: &str) -> String {
    format!(
        r"apiVersion: v1
kind: Service
metadata:
  name: cp-service
  namespace: apim
{annotations}spec:
  type: {kind}
  selector:
    app: cp
  ports:
    - name: servlet-https
      port: {port}
      targetPort: 9443
{extra}---
"
    )
}

/// A region of a control plane (`cp_toml`) and a gateway, with `front`.
fn k8s(name: &str, cp_toml: &str, front: &str) -> PathBuf {
    let dir = common::scratch("front", name);
    let stream = format!(
        "{}{}{front}",
        workload("cp", cp_toml),
        workload("gw", &server("gw.example.com", "gateway-worker"))
    );
    common::write(&dir.join("region-1.yaml"), stream.as_bytes());
    dir
}

fn cp_toml(hostname: &str, proxy_port: Option<u16>) -> String {
    let mut t = server(hostname, "control-plane");
    if let Some(p) = proxy_port {
        t.push_str(&format!(
            "\n[transport.https.properties]\nproxyPort = {p}\n"
        ));
    }
    t
}

const INGRESS: &str = r"apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: apim
  namespace: apim
spec:
  tls:
    - hosts: [apim.r1.example.com]
      secretName: apim-tls
  rules:
    - host: apim.r1.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: cp-service
                port:
                  number: 9443
";

#[test]
fn an_ingress_names_the_host_and_the_port_users_reach() {
    let fronted = format!("{}{INGRESS}", cp_service("ClusterIP", 9443, "", ""));
    let dir = k8s("ingress-bad", &cp_toml("cp-1.internal", None), &fronted);
    let all = front(&dir);
    let h = of(&all, "hostname-unreachable");
    assert_eq!(h.len(), 1, "{all:#?}");
    assert_eq!(h[0].1, "region-1/cp");
    assert!(
        h[0].2
            .contains("the Ingress `apim` serves this node as `apim.r1.example.com` on 443")
            && h[0]
                .2
                .contains("portals will redirect users to `cp-1.internal`"),
        "{}",
        h[0].2
    );
    assert_eq!(
        h[0].3.as_deref(),
        Some("Replace with `apim.r1.example.com`")
    );
    let p = of(&all, "proxy-port-mismatch");
    assert_eq!(p.len(), 1, "{all:#?}");
    assert!(
        p[0].2.contains("serves its port 9443 on 443") && p[0].2.contains("sets no `proxyPort`"),
        "{}",
        p[0].2
    );
    // the right values: clean
    let dir = k8s(
        "ingress-good",
        &cp_toml("apim.r1.example.com", Some(443)),
        &fronted,
    );
    assert!(front(&dir).is_empty(), "{:#?}", front(&dir));
    // a wrong proxyPort: its fix
    let dir = k8s(
        "ingress-port",
        &cp_toml("apim.r1.example.com", Some(9443)),
        &fronted,
    );
    let all = front(&dir);
    let p = of(&all, "proxy-port-mismatch");
    assert_eq!(p.len(), 1, "{all:#?}");
    assert!(
        p[0].2
            .contains("`[transport.https.properties] proxyPort` is 9443")
    );
    assert_eq!(p[0].3.as_deref(), Some("Set `proxyPort` to 443"));
}

#[test]
fn an_ingress_in_front_of_the_gateways_api_ports_says_nothing_of_proxy_port() {
    // the Ingress leads to 8243 (Synapse), not to the servlet transport
    let svc = cp_service("ClusterIP", 8243, "", "").replace("targetPort: 9443", "targetPort: 8243");
    let ing = INGRESS.replace("number: 9443", "number: 8243");
    let dir = k8s(
        "ingress-api-port",
        &cp_toml("apim.r1.example.com", Some(8443)),
        &format!("{svc}{ing}"),
    );
    assert!(front(&dir).is_empty(), "{:#?}", front(&dir));
}

#[test]
fn an_openshift_route_serves_443_with_tls() {
    let route = r"apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: apim-route
  namespace: apim
spec:
  host: apim.apps.example.com
  to:
    kind: Service
    name: cp-service
  port:
    targetPort: servlet-https
  tls:
    termination: passthrough
";
    let fronted = format!("{}{route}", cp_service("ClusterIP", 9443, "", ""));
    let dir = k8s(
        "route-bad",
        &cp_toml("apim.apps.example.com", Some(8443)),
        &fronted,
    );
    let all = front(&dir);
    let p = of(&all, "proxy-port-mismatch");
    assert_eq!(p.len(), 1, "{all:#?}");
    assert!(
        p[0].2
            .contains("the OpenShift Route `apim-route` serves its port 9443 on 443"),
        "{}",
        p[0].2
    );
    assert_eq!(p[0].3.as_deref(), Some("Set `proxyPort` to 443"));
    assert!(of(&all, "hostname-unreachable").is_empty(), "{all:#?}");
    let dir = k8s("route-host", &cp_toml("localhost", Some(443)), &fronted);
    let all = front(&dir);
    let h = of(&all, "hostname-unreachable");
    assert_eq!(h.len(), 1, "{all:#?}");
    assert!(h[0].2.contains("`apim.apps.example.com`"), "{}", h[0].2);
}

#[test]
fn a_gateway_api_route_serves_its_listeners_port() {
    let gateway = r"apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: edge
  namespace: apim
spec:
  gatewayClassName: envoy
  listeners:
    - name: control-plane-https
      port: 8443
      protocol: HTTPS
      hostname: cp.gw.example.com
    - name: plain
      port: 80
      protocol: HTTP
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: cp-route
  namespace: apim
spec:
  parentRefs:
    - name: edge
      sectionName: control-plane-https
  hostnames:
    - cp.gw.example.com
  rules:
    - backendRefs:
        - name: cp-service
          port: 9443
";
    let fronted = format!("{}{gateway}", cp_service("ClusterIP", 9443, "", ""));
    let dir = k8s(
        "gateway-api-bad",
        &cp_toml("cp.internal", Some(443)),
        &fronted,
    );
    let all = front(&dir);
    let p = of(&all, "proxy-port-mismatch");
    assert_eq!(p.len(), 1, "{all:#?}");
    assert!(
        p[0].2
            .contains("the HTTPRoute `cp-route` serves its port 9443 on 8443"),
        "{}",
        p[0].2
    );
    assert_eq!(p[0].3.as_deref(), Some("Set `proxyPort` to 8443"));
    let h = of(&all, "hostname-unreachable");
    assert_eq!(h.len(), 1, "{all:#?}");
    assert_eq!(h[0].3.as_deref(), Some("Replace with `cp.gw.example.com`"));
    let dir = k8s(
        "gateway-api-good",
        &cp_toml("cp.gw.example.com", Some(8443)),
        &fronted,
    );
    assert!(front(&dir).is_empty(), "{:#?}", front(&dir));
}

#[test]
fn load_balancer_and_node_port_services_are_fronts() {
    let lb = cp_service(
        "LoadBalancer",
        443,
        "",
        "  annotations:\n    external-dns.alpha.kubernetes.io/hostname: portal.example.com.\n",
    );
    let dir = k8s("lb-bad", &cp_toml("cp.internal", None), &lb);
    let all = front(&dir);
    let h = of(&all, "hostname-unreachable");
    assert_eq!(h.len(), 1, "{all:#?}");
    assert!(
        h[0].2.contains(
            "the LoadBalancer Service `cp-service` serves this node as `portal.example.com` on 443"
        ),
        "{}",
        h[0].2
    );
    assert_eq!(of(&all, "proxy-port-mismatch").len(), 1, "{all:#?}");
    let dir = k8s("lb-good", &cp_toml("portal.example.com", Some(443)), &lb);
    assert!(front(&dir).is_empty(), "{:#?}", front(&dir));
    // NodePort: users reach the nodePort
    let np = cp_service("NodePort", 9443, "      nodePort: 30443\n", "");
    let dir = k8s("nodeport-bad", &cp_toml("cp.example.com", Some(443)), &np);
    let all = front(&dir);
    let p = of(&all, "proxy-port-mismatch");
    assert_eq!(p.len(), 1, "{all:#?}");
    assert!(
        p[0].2
            .contains("the NodePort Service `cp-service` serves its port 9443 on 30443"),
        "{}",
        p[0].2
    );
    assert_eq!(p[0].3.as_deref(), Some("Set `proxyPort` to 30443"));
    // no host name known for a NodePort: the hostname is not compared
    assert!(of(&all, "hostname-unreachable").is_empty(), "{all:#?}");
    let dir = k8s(
        "nodeport-good",
        &cp_toml("cp.example.com", Some(30443)),
        &np,
    );
    assert!(front(&dir).is_empty(), "{:#?}", front(&dir));
}

#[test]
fn a_clusterip_service_alone_is_no_front() {
    let dir = k8s(
        "clusterip",
        &cp_toml("cp.example.com", None),
        &cp_service("ClusterIP", 9443, "", ""),
    );
    assert!(front(&dir).is_empty(), "{:#?}", front(&dir));
}

// -------------------------------------------------------------------- Compose

fn compose(name: &str, cp: &str, ports: &str) -> PathBuf {
    let dir = common::scratch("front", name);
    node(&dir, "cp", cp);
    node(&dir, "gw", &server("gw.example.com", "gateway-worker"));
    node(&dir, "tm", &server("tm.example.com", "traffic-manager"));
    let yaml = format!(
        r#"services:
  cp:
    image: wso2/wso2am-acp:4.5.0
    volumes:
      - ./cp/repository/conf/deployment.toml:/home/wso2carbon/wso2am-acp-4.5.0/repository/conf/deployment.toml
    ports:
{ports}  gw:
    image: wso2/wso2am-universal-gw:4.5.0
    volumes:
      - ./gw/repository/conf/deployment.toml:/home/wso2carbon/wso2am-universal-gw-4.5.0/repository/conf/deployment.toml
"#
    );
    common::write(&dir.join("compose.yaml"), yaml.as_bytes());
    dir
}

#[test]
fn compose_published_ports_are_the_ports_users_reach() {
    let dir = compose(
        "compose-bad",
        &cp_toml("localhost", None),
        "      - \"443:9443\"\n",
    );
    let all = front(&dir);
    let p = of(&all, "proxy-port-mismatch");
    assert_eq!(p.len(), 1, "{all:#?}");
    assert!(
        p[0].2
            .contains("the Compose service `cp` serves its port 9443 on 443"),
        "{}",
        p[0].2
    );
    // `localhost` of a container publishing its ports: users on the
    // Docker host reach it there
    assert!(of(&all, "hostname-unreachable").is_empty(), "{all:#?}");
    for (name, toml, ports) in [
        (
            "compose-good",
            cp_toml("localhost", Some(443)),
            "      - \"443:9443\"\n",
        ),
        (
            "compose-same-port",
            cp_toml("localhost", None),
            "      - \"9443:9443\"\n",
        ),
    ] {
        let dir = compose(name, &toml, ports);
        assert!(front(&dir).is_empty(), "{name}: {:#?}", front(&dir));
    }
    // a container that publishes only its broker port: users cannot open
    // the portals at `localhost`
    let dir = compose(
        "compose-broker-only",
        &cp_toml("localhost", None),
        "      - \"5672:5672\"\n",
    );
    let all = front(&dir);
    let h = of(&all, "hostname-unreachable");
    assert_eq!(h.len(), 1, "{all:#?}");
    assert_eq!(h[0].1, "cp");
    assert!(of(&all, "proxy-port-mismatch").is_empty(), "{all:#?}");
    // the fix writes the port users reach into the node's own file
    let dir = compose(
        "compose-fix",
        &cp_toml("localhost", Some(8443)),
        "      - \"443:9443\"\n",
    );
    let o = common::run_in(&dir, &["check", ".", "--fix"]);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        common::stderr(&o)
    );
    let toml = std::fs::read_to_string(dir.join("cp/repository/conf/deployment.toml")).unwrap();
    assert!(toml.contains("proxyPort = 443\n"), "{toml}");
    assert!(front(&dir).is_empty(), "{:#?}", front(&dir));
}
