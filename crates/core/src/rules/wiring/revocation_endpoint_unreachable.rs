//! `revocation-endpoint-unreachable`: the token-revocation notification endpoint reaches a control plane.

use crate::base::diagnostic::Diagnostic;
use crate::graph::{Deployment, EdgeKind};

declare_rule! {
    id: "revocation-endpoint-unreachable",
    severity: Warning,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: legacy Deployment(check),
}

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    for e in dep.edges() {
        if matches!(e.kind, EdgeKind::Notification) {
            acc.extend(super::unreachable(&RULE, dep, e));
        }
    }
}
