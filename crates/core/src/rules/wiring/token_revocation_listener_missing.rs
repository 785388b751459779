//! `token-revocation-listener-missing`: a resident key manager tells the
//! gateways of revoked tokens (the `token_revocation` `[[event_listener]]`).

use crate::base::diagnostic::Diagnostic;
use crate::graph::{Deployment, EdgeKind, NodeIdx};
use crate::model::Role;
use crate::rules::DeploymentRule;

declare_rule! {
    id: "token-revocation-listener-missing",
    severity: Warning,
    roles: [ControlPlane, KeyManager],
    fix: Never,
    since: "0.1.0",
    check: Deployment(TokenRevocationListenerMissing),
}

pub(crate) struct TokenRevocationListenerMissing;

/// A key manager without the listener, and a peer of its region (same
/// role) that has it.
pub(crate) struct State {
    node: NodeIdx,
    peer: Option<NodeIdx>,
}

impl DeploymentRule for TokenRevocationListenerMissing {
    type State<'d> = State;

    fn run(dep: &Deployment) -> Vec<State> {
        RULE.subjects(dep)
            .filter(|(i, n)| n.facts.token_revocation.is_none() && issues_tokens(dep, *i))
            .map(|(i, n)| State {
                node: i,
                peer: dep.region_nodes(&n.region).iter().copied().find(|p| {
                    dep.node(*p).is_some_and(|m| {
                        m.role == n.role && m.is_analysable() && m.facts.token_revocation.is_some()
                    })
                }),
            })
            .collect()
    }

    fn diagnostic(dep: &Deployment, s: &State) -> Diagnostic {
        let Some(n) = dep.node(s.node) else {
            return Diagnostic::new(&RULE, dep.file(s.node), 0..0, "");
        };
        let what = if n.role == Role::KeyManager {
            "this key manager"
        } else {
            "this control plane is the resident key manager but"
        };
        let mut d = Diagnostic::new(
            &RULE,
            n.file,
            n.anchor(),
            format!("{what} has no `[[event_listener]]` with `id = \"token_revocation\"`: a token revoked here keeps working on the gateways until their caches expire"),
        )
        .help("add WSO2's `token_revocation` `[[event_listener]]` (type `org.wso2.carbon.identity.core.handler.AbstractIdentityHandler`, name `org.wso2.is.notification.ApimOauthEventInterceptor`) with `[event_listener.properties] notification_endpoint` naming a control plane's `/internal/data/v1/notify`")
        .key("event_listener", Some("token_revocation"));
        if let Some((p, span)) = s
            .peer
            .and_then(|p| Some((p, dep.node(p)?.facts.token_revocation.clone()?)))
        {
            d = d.related(
                dep.file(p),
                span,
                format!("`{}` of the same region has it", dep.id(p)),
            );
        }
        d
    }
}

/// Whether the node issues tokens itself: a key manager, or a control plane
/// whose `[apim.key_manager] service_url` reaches no separate key manager.
fn issues_tokens(dep: &Deployment, i: NodeIdx) -> bool {
    let Some(n) = dep.node(i) else { return false };
    if n.role == Role::KeyManager {
        return true;
    }
    // a third-party key manager (`WSO2-IS`, …) revokes tokens itself
    if n.facts
        .key_manager_type
        .as_ref()
        .is_some_and(|t| !t.value.eq_ignore_ascii_case("default"))
    {
        return false;
    }
    !dep.edges_from(i)
        .filter(|e| e.kind == EdgeKind::KeyManager)
        .any(|e| {
            let t = e.resolution.targets();
            !t.is_empty()
                && t.iter().all(|t| {
                    dep.node(*t)
                        .is_some_and(|m| matches!(m.role, Role::KeyManager | Role::IsKeyManager))
                })
        })
}
