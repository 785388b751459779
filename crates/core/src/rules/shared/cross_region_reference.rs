//! `cross-region-reference`: gateways, traffic managers and key managers
//! reach only nodes of their own region.

use crate::base::diagnostic::Diagnostic;
use crate::graph::Deployment;
use crate::model::Role;
use crate::rules::host_span;
use crate::rules::node_list;

declare_rule! {
    id: "cross-region-reference",
    severity: Warning,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: legacy Deployment(check),
}

fn is_cp(r: Role) -> bool {
    matches!(r, Role::ControlPlane | Role::AllInOne)
}

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    for e in dep.edges() {
        if !e.cross_region || !e.resolution.host_resolved() {
            continue;
        }
        let Some(writer) = dep.node(e.from) else {
            continue;
        };
        let targets = match &e.resolution {
            crate::graph::Resolution::WrongRole { found } => found.clone(),
            r => r.targets(),
        };
        let Some(first) = targets.first().and_then(|t| dep.node(*t)) else {
            continue;
        };
        // in multi-DC Pattern 1 regions talk control plane to control plane
        // (JMS, configured outside deployment.toml): such a URL is no mistake
        let cp_to_cp = is_cp(writer.role)
            && targets
                .iter()
                .all(|t| dep.node(*t).is_some_and(|n| is_cp(n.role)));
        if cp_to_cp {
            continue;
        }
        let key_leaf = e.key.rsplit('.').next().unwrap_or(&e.key);
        let names = node_list(dep, targets.iter().copied());
        let mut d = Diagnostic::new(
            &RULE,
            dep.file(e.from),
            e.host_span.clone(),
            format!(
                "`{}` in `{key_leaf}` reaches {names} of {}, not a node of {}",
                e.url, first.region, writer.region
            ),
        )
        .help(format!(
            "in a multi-DC deployment regions talk control plane to control plane only: point `{key_leaf}` at the {} of {}",
            e.expected
                .first()
                .map_or("nodes", |r| r.name()),
            writer.region
        ))
        .key(e.key.clone(), Some(&e.url));
        for t in targets.iter().take(3) {
            if let Some(n) = dep.node(*t) {
                d = d.related(
                    dep.file(*t),
                    host_span(n),
                    format!("`{}` is a {} of {}", n.id, n.role, n.region),
                );
            }
        }
        acc.push(d);
    }
}
