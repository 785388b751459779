//! `gateway-id-duplicate`: no two gateways share a `gateway_id`.

use crate::base::diagnostic::Diagnostic;
use crate::graph::{Deployment, NodeIdx};
use crate::model::{Sp, holds_placeholder};
use crate::rules::DeploymentRule;

declare_rule! {
    id: "gateway-id-duplicate",
    severity: Warning,
    roles: [GatewayWorker, AllInOne],
    fix: Never,
    since: "0.1.0",
    check: Deployment(GatewayIdDuplicate),
}

pub(crate) struct GatewayIdDuplicate;

/// Gateway `node` names the `gateway_id` that `first` named before it.
pub(crate) struct State<'d> {
    node: NodeIdx,
    id: &'d Sp<String>,
    first: NodeIdx,
    first_id: &'d Sp<String>,
}

impl DeploymentRule for GatewayIdDuplicate {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let mut seen: foldhash::HashMap<&str, (NodeIdx, &Sp<String>)> = Default::default();
        let mut out = Vec::new();
        for (i, n) in RULE.subjects(dep) {
            // empty: WSO2 makes an id up; a placeholder differs per node
            let Some(id) = n
                .facts
                .gateway_id
                .as_ref()
                .filter(|g| !g.value.trim().is_empty() && !holds_placeholder(&g.value))
            else {
                continue;
            };
            match seen.get(id.value.as_str()) {
                Some((first, first_id)) => out.push(State {
                    node: i,
                    id,
                    first: *first,
                    first_id,
                }),
                None => {
                    seen.insert(&id.value, (i, id));
                }
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        Diagnostic::new(
            &RULE,
            dep.file(s.node),
            s.id.span.clone(),
            format!(
                "gateway_id `{}` is also `{}`'s: the control plane sees the two gateways as one",
                s.id.value,
                dep.id(s.first)
            ),
        )
        .related(
            dep.file(s.first),
            s.first_id.span.clone(),
            format!("`{}` uses the same gateway_id", dep.id(s.first)),
        )
        .help("give every gateway its own `[apim.gateway_notification] gateway_id`, or leave it empty for WSO2 to make one up")
        .key("apim.gateway_notification.gateway_id", Some(&s.id.value))
    }
}
