//! `environment-without-gateway`: every environment of a control plane is
//! served by a gateway of its region.

use crate::base::diagnostic::Diagnostic;
use crate::graph::{Deployment, NodeIdx};
use crate::model::Sp;
use crate::query;
use crate::rules::DeploymentRule;

declare_rule! {
    id: "environment-without-gateway",
    severity: Warning,
    roles: [ControlPlane, AllInOne],
    fix: Never,
    since: "0.1.0",
    check: Deployment(EnvironmentWithoutGateway),
}

pub(crate) struct EnvironmentWithoutGateway;

/// An environment (its name) of control plane `cp` that no gateway of
/// `region` serves, and the labels those gateways serve.
pub(crate) struct State<'d> {
    region: &'d str,
    cp: NodeIdx,
    name: &'d Sp<String>,
    served: Vec<(NodeIdx, Sp<String>)>,
}

impl DeploymentRule for EnvironmentWithoutGateway {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let mut out = Vec::new();
        for (region, members) in dep.regions() {
            let gateways: Vec<usize> = members
                .iter()
                .copied()
                .filter(|i| dep.node(*i).is_some_and(|n| n.role.is_gateway()))
                .collect();
            // no gateway here at all, or one we cannot read: nothing to compare with
            if gateways.is_empty()
                || gateways
                    .iter()
                    .any(|g| dep.node(*g).is_some_and(|n| !n.is_analysable()))
            {
                continue;
            }
            let served: Vec<(usize, Sp<String>)> = gateways
                .iter()
                .flat_map(|g| {
                    query::gateway_labels(dep, *g)
                        .into_iter()
                        .map(move |l| (*g, l))
                })
                .collect();
            for cp in members {
                let Some(node) = dep.node(*cp) else { continue };
                if !RULE.applies_to(node.role) {
                    continue;
                }
                for env in node.facts.environments.iter().filter(|e| e.is_regular()) {
                    if !served.iter().any(|(_, l)| l.value == env.name.value) {
                        out.push(State {
                            region,
                            cp: *cp,
                            name: &env.name,
                            served: served.clone(),
                        });
                    }
                }
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let (region, name) = (s.region, s.name);
        let mut d = Diagnostic::new(
            &RULE,
            dep.file(s.cp),
            name.span.clone(),
            format!("environment `{}` is served by no gateway of {region}", name.value),
        )
        .help(format!("add `{}` to the `gateway_labels` of the gateways that should serve it, or remove the environment", name.value))
        .key(format!("apim.gateway.environment[{}].name", name.value), Some(&name.value));
        for (g, l) in s.served.iter().take(4) {
            d = d.related(
                dep.file(*g),
                l.span.clone(),
                format!("{} serves `{}`", dep.id(*g), l.value),
            );
        }
        d
    }
}
