//! `role-section-mismatch`: the sections a node's role needs are there, and
//! the ones its role ignores are not.

use std::ops::Range;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::model::{Environment, Role, RoleSource, UrlList};
use crate::rules::{NodeCx, NodeRule};

declare_rule! {
    id: "role-section-mismatch",
    severity: Warning,
    roles: [GatewayWorker, ControlPlane, TrafficManager, KeyManager],
    fix: Never,
    since: "0.1.0",
    check: Node(RoleSectionMismatch),
}

pub(crate) struct RoleSectionMismatch;

/// What is wrong with the node's sections for its role.
pub(crate) enum State<'a> {
    /// A section the role needs is not there.
    Missing(Missing),
    /// An `[[apim.gateway.environment]]` on a gateway.
    EnvironmentOnGateway(&'a Environment),
    /// `gateway_labels` on a control plane.
    LabelsOnControlPlane(&'a UrlList),
    /// A gateway-only section on a traffic manager, at its first table
    /// (`range`): one finding per kind of section.
    OnTrafficManager {
        range: Range<usize>,
        section: Section,
    },
}

/// A section a role needs.
#[derive(Clone, Copy)]
pub(crate) enum Missing {
    /// A gateway's `[apim.key_manager] service_url`.
    KeyManagerUrl,
    /// A gateway's `[apim.event_hub]`.
    EventHub,
    /// A gateway's throttling endpoints.
    Throttling,
    /// A control plane's `[database.apim_db]`.
    ApimDb,
    /// A traffic manager's or key manager's `event_listening_endpoints`.
    EventListening,
}

/// A gateway-only section.
#[derive(Clone, Copy)]
pub(crate) enum Section {
    GatewayLabels,
    UrlGroup,
    Environment,
}

impl NodeRule for RoleSectionMismatch {
    type State<'a> = State<'a>;

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<State<'a>> {
        let node = cx.node;
        let mut out = Vec::new();
        if !node.is_analysable() {
            return out;
        }
        let f = &node.facts;
        match node.role {
            Role::GatewayWorker => {
                if f.key_manager_url.is_none() {
                    out.push(State::Missing(Missing::KeyManagerUrl));
                }
                if f.event_hub.listening.is_none() && f.event_hub.service_url.is_none() {
                    out.push(State::Missing(Missing::EventHub));
                }
                if f.throttling.decision.is_none() && f.throttling.url_groups.is_empty() {
                    out.push(State::Missing(Missing::Throttling));
                }
                out.extend(f.environments.iter().map(State::EnvironmentOnGateway));
            }
            Role::ControlPlane => {
                if !f.has_apim_db {
                    out.push(State::Missing(Missing::ApimDb));
                }
                if let Some(labels) = &f.gateway_labels {
                    out.push(State::LabelsOnControlPlane(labels));
                }
            }
            Role::TrafficManager => {
                if f.event_hub.listening.is_none() {
                    out.push(State::Missing(Missing::EventListening));
                }
                // gateway-only sections: WSO2 ignores them there, and they
                // usually mean a gateway's file was copied and only
                // `server_role` changed (or the role is wrong)
                if let Some(labels) = &f.gateway_labels {
                    out.push(State::OnTrafficManager {
                        range: labels.span.clone(),
                        section: Section::GatewayLabels,
                    });
                }
                if let Some(g) = f.throttling.url_groups.first() {
                    out.push(State::OnTrafficManager {
                        range: g.header.clone(),
                        section: Section::UrlGroup,
                    });
                }
                if let Some(env) = f.environments.first() {
                    out.push(State::OnTrafficManager {
                        range: env.header.clone(),
                        section: Section::Environment,
                    });
                }
            }
            Role::KeyManager if f.event_hub.listening.is_none() => {
                out.push(State::Missing(Missing::EventListening));
            }
            _ => {}
        }
        out
    }

    fn diagnostic(cx: &NodeCx<'_>, s: &State<'_>) -> Diagnostic {
        let (i, node) = (cx.file, cx.node);
        // the role itself is a guess from the content
        let guessed = node.role_source == RoleSource::Content;
        match s {
            State::Missing(m) => {
                let (key, message, help) = missing(*m, node.role);
                let mut d = Diagnostic::new(&RULE, i, node.anchor(), message)
                    .help(help.to_owned())
                    .key(key, None);
                if guessed {
                    d = d.severity(Severity::Info);
                    d.message.push_str(&format!(
                        " (the role `{}` was inferred from the file's content)",
                        node.role
                    ));
                }
                d
            }
            State::EnvironmentOnGateway(env) => Diagnostic::new(&RULE, i, env.header.clone(),
                    format!("`[[apim.gateway.environment]]` `{}` on a gateway is ignored: environments are read on control planes", env.name.value))
                .help("define gateway environments on the control planes; a gateway chooses them through `[apim.sync_runtime_artifacts.gateway] gateway_labels`")
                .key("apim.gateway.environment", Some(&env.name.value)),
            State::LabelsOnControlPlane(labels) => Diagnostic::new(&RULE, i, labels.span.clone(),
                    "`gateway_labels` on a control plane is ignored: WSO2 disables artifact synchronisation to a gateway here")
                .severity(Severity::Info)
                .help("set `gateway_labels` on the gateways")
                .key("apim.sync_runtime_artifacts.gateway.gateway_labels", None),
            State::OnTrafficManager { range, section } => {
                let (what, key, reader) = match section {
                    Section::GatewayLabels => (
                        "`gateway_labels`",
                        "apim.sync_runtime_artifacts.gateway.gateway_labels",
                        "gateways",
                    ),
                    Section::UrlGroup => (
                        "`[[apim.throttling.url_group]]`",
                        "apim.throttling.url_group",
                        "gateways",
                    ),
                    Section::Environment => (
                        "`[[apim.gateway.environment]]`",
                        "apim.gateway.environment",
                        "control planes",
                    ),
                };
                // gateway sections next to a traffic manager's own HA
                // settings under `server_role = "default"`: the role is
                // ambiguous, read as the stronger traffic-manager reading
                // (so that no other node's finding cascades from a gateway
                // that is not one), and said so, as a warning
                if guessed && cx.node.facts.ambiguous_gateway_sections() {
                    return Diagnostic::new(
                        &RULE,
                        i,
                        range.clone(),
                        format!("ambiguous role: {what} says gateway, but this file's `[apim.throttling]` says traffic manager (its `event_duplicate_url`, decisions from its own broker); read as a traffic manager, which ignores {what}"),
                    )
                    .help("set `[server] server_role` to the node's role; if it is a traffic manager, remove the gateway sections")
                    .key(key, None);
                }
                let d = Diagnostic::new(
                    &RULE,
                    i,
                    range.clone(),
                    format!("{what} on a traffic manager is ignored: only {reader} read it"),
                )
                .help("remove it from the traffic manager; if this node is a gateway, its `server_role` is wrong")
                .key(key, None);
                if guessed {
                    d.severity(Severity::Info)
                } else {
                    d
                }
            }
        }
    }
}

/// The key, message and help of a missing section on a node of `role`.
fn missing(m: Missing, role: Role) -> (&'static str, String, &'static str) {
    match m {
        Missing::KeyManagerUrl => ("apim.key_manager.service_url",
            "this gateway sets no `[apim.key_manager] service_url`: WSO2 uses `https://localhost:${mgt.transport.https.port}/services/`, the gateway itself".into(),
            "point `[apim.key_manager] service_url` at the control planes (or key managers) of the region, e.g. through their load balancer"),
        Missing::EventHub => ("apim.event_hub",
            "this gateway has no `[apim.event_hub]` settings: it never hears of deployed APIs, revoked tokens or policy changes".into(),
            "add `[apim.event_hub]` with `enable = true`, `service_url` and `event_listening_endpoints` naming every control plane of the region"),
        Missing::Throttling => ("apim.throttling",
            "this gateway sets no `throttle_decision_endpoints` or `[[apim.throttling.url_group]]`: WSO2 falls back to the gateway's own broker and receiver, so no rate limit is enforced across the cluster".into(),
            "add `throttle_decision_endpoints` and one `[[apim.throttling.url_group]]` per traffic manager of the region"),
        Missing::ApimDb => ("database.apim_db",
            "this control plane sets no `[database.apim_db]`: WSO2 uses its embedded H2 database, a file of this node alone".into(),
            "add `[database.apim_db]` pointing at the API-M database every control plane, traffic manager and key manager of the region shares"),
        Missing::EventListening => {
            let what = if role == Role::TrafficManager {
                "traffic manager"
            } else {
                "key manager"
            };
            ("apim.event_hub",
                format!("this {what} sets no `[apim.event_hub] event_listening_endpoints`: it never receives policy and key-manager events from the control planes"),
                "add `[apim.event_hub]` with `enable = true`, `service_url` and `event_listening_endpoints` naming every control plane of the region")
        }
    }
}
