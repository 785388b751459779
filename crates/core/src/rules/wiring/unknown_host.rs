//! `unknown-host`: a URL host that no node, alias or `localhost` names.

use std::collections::HashSet;

use crate::base::diagnostic::Diagnostic;
use crate::graph::{Deployment, Resolution};

declare_rule! {
    id: "unknown-host",
    severity: Info,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: legacy Deployment(check),
}

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for e in dep.edges() {
        if e.resolution != Resolution::UnknownHost {
            continue;
        }
        let Some(ep) = &e.endpoint else { continue };
        if !seen.insert((e.from, ep.host.clone())) {
            continue;
        }
        let region = dep.node(e.from).map_or("", |n| n.region.as_str());
        let example = dep
            .region_nodes(region)
            .first()
            .map_or("region-1/cp-1", |i| dep.id(*i));
        acc.push(
            Diagnostic::new(&RULE, dep.file(e.from), e.host_span.clone(), format!("host `{}` names no node of this deployment: it cannot be checked", ep.host))
                .help(format!("if it is a load balancer or DNS name, declare it in apimlint.toml: `[hosts] \"{}\" = [\"{example}\"]`", ep.host))
                .key(e.key.clone(), Some(&ep.host)),
        );
    }
}
