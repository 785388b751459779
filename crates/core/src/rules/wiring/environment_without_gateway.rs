//! `environment-without-gateway`: every environment of a control plane is
//! served by a gateway of its region.

use crate::base::diagnostic::Diagnostic;
use crate::graph::Deployment;
use crate::model::Sp;
use crate::query;

declare_rule! {
    id: "environment-without-gateway",
    severity: Warning,
    roles: [ControlPlane, AllInOne],
    fix: Never,
    since: "0.1.0",
    check: legacy Deployment(check),
}

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    for (region, members) in &dep.regions {
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
                if served.iter().any(|(_, l)| l.value == env.name.value) {
                    continue;
                }
                let mut d = Diagnostic::new(
                    &RULE,
                    dep.file(*cp),
                    env.name.span.clone(),
                    format!("environment `{}` is served by no gateway of {region}", env.name.value),
                )
                .help(format!("add `{}` to the `gateway_labels` of the gateways that should serve it, or remove the environment", env.name.value))
                .key(format!("apim.gateway.environment[{}].name", env.name.value), Some(&env.name.value));
                for (g, l) in served.iter().take(4) {
                    d = d.related(
                        dep.file(*g),
                        l.span.clone(),
                        format!("{} serves `{}`", dep.id(*g), l.value),
                    );
                }
                acc.push(d);
            }
        }
    }
}
