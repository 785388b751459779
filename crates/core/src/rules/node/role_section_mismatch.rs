//! `role-section-mismatch`: the sections a node's role needs are there, and
//! the ones its role ignores are not.

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::files::FileId;
use crate::config::Config;
use crate::graph::Node;
use crate::model::{Role, RoleSource};

declare_rule! {
    id: "role-section-mismatch",
    severity: Warning,
    roles: [GatewayWorker, ControlPlane, TrafficManager, KeyManager],
    fix: Never,
    since: "0.1.0",
    check: legacy Node(check),
}

fn missing(i: FileId, node: &Node, key: &str, message: String, help: &str) -> Diagnostic {
    let mut d = Diagnostic::new(&RULE, i, node.anchor(), message)
        .help(help.to_owned())
        .key(key, None);
    if node.role_source == RoleSource::Content {
        // the role itself is a guess from the content
        d = d.severity(Severity::Info);
        d.message.push_str(&format!(
            " (the role `{}` was inferred from the file's content)",
            node.role
        ));
    }
    d
}

fn check(_config: &Config, i: FileId, node: &Node, acc: &mut Vec<Diagnostic>) {
    if !node.is_analysable() {
        return;
    }
    let f = &node.facts;
    let role = node.role;
    match role {
        Role::GatewayWorker => {
            if f.key_manager_url.is_none() {
                acc.push(missing(i, node, "apim.key_manager.service_url",
                    "this gateway sets no `[apim.key_manager] service_url`: WSO2 uses `https://localhost:${mgt.transport.https.port}/services/`, the gateway itself".into(),
                    "point `[apim.key_manager] service_url` at the control planes (or key managers) of the region, e.g. through their load balancer"));
            }
            if f.event_hub.listening.is_none() && f.event_hub.service_url.is_none() {
                acc.push(missing(i, node, "apim.event_hub",
                    "this gateway has no `[apim.event_hub]` settings: it never hears of deployed APIs, revoked tokens or policy changes".into(),
                    "add `[apim.event_hub]` with `enable = true`, `service_url` and `event_listening_endpoints` naming every control plane of the region"));
            }
            if f.throttling.decision.is_none() && f.throttling.url_groups.is_empty() {
                acc.push(missing(i, node, "apim.throttling",
                    "this gateway sets no `throttle_decision_endpoints` or `[[apim.throttling.url_group]]`: WSO2 falls back to the gateway's own broker and receiver, so no rate limit is enforced across the cluster".into(),
                    "add `throttle_decision_endpoints` and one `[[apim.throttling.url_group]]` per traffic manager of the region"));
            }
            for env in &f.environments {
                acc.push(
                    Diagnostic::new(&RULE, i, env.header.clone(),
                        format!("`[[apim.gateway.environment]]` `{}` on a gateway is ignored: environments are read on control planes", env.name.value))
                        .help("define gateway environments on the control planes; a gateway chooses them through `[apim.sync_runtime_artifacts.gateway] gateway_labels`")
                        .key("apim.gateway.environment", Some(&env.name.value)),
                );
            }
        }
        Role::ControlPlane => {
            if !f.has_apim_db {
                acc.push(missing(i, node, "database.apim_db",
                    "this control plane sets no `[database.apim_db]`: WSO2 uses its embedded H2 database, a file of this node alone".into(),
                    "add `[database.apim_db]` pointing at the API-M database every control plane, traffic manager and key manager of the region shares"));
            }
            if let Some(labels) = &f.gateway_labels {
                acc.push(
                    Diagnostic::new(&RULE, i, labels.span.clone(),
                        "`gateway_labels` on a control plane is ignored: WSO2 disables artifact synchronisation to a gateway here")
                        .severity(Severity::Info)
                        .help("set `gateway_labels` on the gateways")
                        .key("apim.sync_runtime_artifacts.gateway.gateway_labels", None),
                );
            }
        }
        Role::TrafficManager => {
            if f.event_hub.listening.is_none() {
                acc.push(missing(
                    i,
                    node,
                    "apim.event_hub",
                    "this traffic manager sets no `[apim.event_hub] event_listening_endpoints`: it never receives policy and key-manager events from the control planes".into(),
                    "add `[apim.event_hub]` with `enable = true`, `service_url` and `event_listening_endpoints` naming every control plane of the region",
                ));
            }
            gateway_sections_on_traffic_manager(i, node, acc);
        }
        Role::KeyManager if f.event_hub.listening.is_none() => {
            acc.push(missing(
                i,
                node,
                "apim.event_hub",
                "this key manager sets no `[apim.event_hub] event_listening_endpoints`: it never receives policy and key-manager events from the control planes".into(),
                "add `[apim.event_hub]` with `enable = true`, `service_url` and `event_listening_endpoints` naming every control plane of the region",
            ));
        }
        _ => {}
    }
}

/// Gateway-only sections on a traffic manager: WSO2 ignores them there, and
/// they usually mean a gateway's file was copied and only `server_role`
/// changed (or the role is wrong).
fn gateway_sections_on_traffic_manager(i: FileId, node: &Node, acc: &mut Vec<Diagnostic>) {
    let f = &node.facts;
    let mut sites: Vec<(std::ops::Range<usize>, &str, &str, &str)> = Vec::new();
    if let Some(labels) = &f.gateway_labels {
        sites.push((
            labels.span.clone(),
            "`gateway_labels`",
            "apim.sync_runtime_artifacts.gateway.gateway_labels",
            "gateways",
        ));
    }
    // one finding per kind of section, at its first table
    if let Some(g) = f.throttling.url_groups.first() {
        sites.push((
            g.header.clone(),
            "`[[apim.throttling.url_group]]`",
            "apim.throttling.url_group",
            "gateways",
        ));
    }
    if let Some(env) = f.environments.first() {
        sites.push((
            env.header.clone(),
            "`[[apim.gateway.environment]]`",
            "apim.gateway.environment",
            "control planes",
        ));
    }
    for (range, what, key, reader) in sites {
        let mut d = Diagnostic::new(
            &RULE,
            i,
            range,
            format!("{what} on a traffic manager is ignored: only {reader} read it"),
        )
        .help("remove it from the traffic manager; if this node is a gateway, its `server_role` is wrong")
        .key(key, None);
        if node.role_source == RoleSource::Content {
            d = d.severity(Severity::Info);
        }
        acc.push(d);
    }
}
