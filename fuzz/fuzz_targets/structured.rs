//! Structured deployments (`arbitrary`): nodes with roles, host names,
//! offsets and every URL key apimlint resolves, pointing at each other (or
//! at nothing), written out as TOML. Reaches the cross-node rules far more
//! often than random bytes do.
#![no_main]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

#[derive(Arbitrary, Debug)]
enum RoleS {
    Gateway,
    ControlPlane,
    TrafficManager,
    KeyManager,
    AllInOne,
    Unset,
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum UrlS {
    Node { scheme: u8, node: u8, port: u16, offset_placeholder: bool },
    Localhost(u16),
    Balancer(u8),
    Placeholder,
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum ValS {
    Str(String),
    Int(i64),
    Bool(bool),
    Arr(Vec<String>),
    Table,
}

#[derive(Arbitrary, Debug)]
struct NodeS {
    region: u8,
    name: u8,
    role: RoleS,
    hostname: Option<u8>,
    raw_hostname: Option<String>,
    offset: Option<i16>,
    labels: Vec<String>,
    envs: Vec<(String, Vec<UrlS>)>,
    throttle_groups: Vec<(Vec<UrlS>, Vec<UrlS>)>,
    decision: Vec<UrlS>,
    key_manager: Option<UrlS>,
    event_hub_service: Option<UrlS>,
    listening: Vec<UrlS>,
    duplicate: Vec<UrlS>,
    publish: Vec<(Vec<UrlS>, Vec<UrlS>)>,
    notification: Option<UrlS>,
    keystore: Option<String>,
    shared_db: Option<String>,
    extra: Vec<(String, String, ValS)>,
    crlf: bool,
}

#[derive(Arbitrary, Debug)]
struct DepS {
    nodes: Vec<NodeS>,
    balancers: Vec<(u8, Vec<u8>, bool)>,
    environments: Vec<(u8, Vec<String>)>,
    offsets: Vec<(u8, i16)>,
}

fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn host(i: u8) -> String {
    format!("n{}.r{}.example.com", i % 12, i % 3)
}

fn url(u: &UrlS) -> String {
    let s = match u {
        UrlS::Node { scheme, node, port, offset_placeholder } => {
            let sc = ["tcp", "ssl", "https", "http", "ws", "wss"][usize::from(*scheme) % 6];
            if *offset_placeholder {
                format!("{sc}://{}:${{mgt.transport.https.port}}", host(*node))
            } else {
                format!("{sc}://{}:{port}", host(*node))
            }
        }
        UrlS::Localhost(p) => format!("tcp://localhost:{p}"),
        UrlS::Balancer(i) => format!("https://lb{}.example.com/services/", i % 4),
        UrlS::Placeholder => "tcp://${carbon.local.ip}:5672".into(),
        UrlS::Raw(s) => s.clone(),
    };
    q(&s)
}

fn list(us: &[UrlS]) -> String {
    format!("[{}]", us.iter().map(url).collect::<Vec<_>>().join(", "))
}

fn node_toml(n: &NodeS) -> String {
    let mut t = String::from("[server]\n");
    if let Some(h) = n.hostname {
        let _ = writeln!(t, "hostname = {}", q(&host(h)));
    } else if let Some(h) = &n.raw_hostname {
        let _ = writeln!(t, "hostname = {}", q(h));
    }
    let role = match &n.role {
        RoleS::Gateway => Some("gateway-worker".to_owned()),
        RoleS::ControlPlane => Some("control-plane".to_owned()),
        RoleS::TrafficManager => Some("traffic-manager".to_owned()),
        RoleS::KeyManager => Some("key-manager".to_owned()),
        RoleS::AllInOne => None,
        RoleS::Unset => None,
        RoleS::Raw(s) => Some(s.clone()),
    };
    if let Some(r) = role {
        let _ = writeln!(t, "server_role = {}", q(&r));
    }
    if let Some(o) = n.offset {
        let _ = writeln!(t, "offset = {o}");
    }
    if let Some(k) = &n.keystore {
        let _ = writeln!(t, "[keystore.primary]\nfile_name = {}\npassword = \"$secret{{ks}}\"", q(k));
    }
    if let Some(db) = &n.shared_db {
        let _ = writeln!(t, "[database.shared_db]\ntype = \"mysql\"\nurl = {}", q(db));
    }
    if !n.labels.is_empty() {
        let labels: Vec<String> = n.labels.iter().map(|l| q(l)).collect();
        let _ = writeln!(t, "[apim.sync_runtime_artifacts.gateway]\ngateway_labels = [{}]", labels.join(", "));
    }
    if let Some(u) = &n.key_manager {
        let _ = writeln!(t, "[apim.key_manager]\nservice_url = {}", url(u));
    }
    let _ = writeln!(t, "[apim.event_hub]\nenable = true");
    if let Some(u) = &n.event_hub_service {
        let _ = writeln!(t, "service_url = {}", url(u));
    }
    if !n.listening.is_empty() {
        let _ = writeln!(t, "event_listening_endpoints = {}", list(&n.listening));
    }
    if !n.duplicate.is_empty() {
        let _ = writeln!(t, "event_duplicate_url = {}", list(&n.duplicate));
    }
    for (urls, auth) in &n.publish {
        let _ = writeln!(t, "[[apim.event_hub.publish.url_group]]\nurls = {}", list(urls));
        if !auth.is_empty() {
            let _ = writeln!(t, "auth_urls = {}", list(auth));
        }
    }
    let _ = writeln!(t, "[apim.throttling]");
    if !n.decision.is_empty() {
        let _ = writeln!(t, "throttle_decision_endpoints = {}", list(&n.decision));
    }
    for (urls, auth) in &n.throttle_groups {
        let _ = writeln!(t, "[[apim.throttling.url_group]]\ntraffic_manager_urls = {}", list(urls));
        if !auth.is_empty() {
            let _ = writeln!(t, "traffic_manager_auth_urls = {}", list(auth));
        }
    }
    for (name, urls) in &n.envs {
        let _ = writeln!(t, "[[apim.gateway.environment]]\nname = {}", q(name));
        let keys = ["service_url", "http_endpoint", "https_endpoint", "ws_endpoint", "wss_endpoint"];
        for (k, u) in keys.iter().zip(urls) {
            let _ = writeln!(t, "{k} = {}", url(u));
        }
    }
    if let Some(u) = &n.notification {
        let _ = writeln!(t, "[[event_listener]]\nid = \"token_revocation\"\n[event_listener.properties]\nnotification_endpoint = {}", url(u));
    }
    for (table, key, v) in &n.extra {
        let v = match v {
            ValS::Str(s) => q(s),
            ValS::Int(i) => i.to_string(),
            ValS::Bool(b) => b.to_string(),
            ValS::Arr(a) => format!("[{}]", a.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")),
            ValS::Table => "{}".into(),
        };
        let _ = writeln!(t, "[{}]\n{} = {v}", q(table), q(key));
    }
    if n.crlf { t.replace('\n', "\r\n") } else { t }
}

fuzz_target!(|d: DepS| {
    let mut files = BTreeMap::new();
    for n in d.nodes.iter().take(16) {
        let path = PathBuf::from(format!(
            "/d/region-{}/n{}/repository/conf/deployment.toml",
            n.region % 3,
            n.name % 12
        ));
        files.insert(path, node_toml(n).into_bytes());
    }
    if files.is_empty() {
        return;
    }
    let mut cfg = String::from("[hosts]\n");
    for (lb, nodes, remaps) in &d.balancers {
        let ids: Vec<String> = nodes.iter().map(|i| q(&format!("region-{}/n{}", i % 3, i % 12))).collect();
        let _ = writeln!(cfg, "\"lb{}.example.com\" = {{ nodes = [{}], remaps_ports = {remaps} }}", lb % 4, ids.join(", "));
    }
    cfg.push_str("[environments]\n");
    for (r, names) in &d.environments {
        let names: Vec<String> = names.iter().map(|s| q(s)).collect();
        let _ = writeln!(cfg, "\"region-{}\" = [{}]", r % 3, names.join(", "));
    }
    for (n, o) in &d.offsets {
        let _ = writeln!(cfg, "[nodes.\"region-{}/n{}\"]\nport_offset = {o}", n % 3, n % 12);
    }
    common::run(files, Some(cfg.as_bytes()));
});
