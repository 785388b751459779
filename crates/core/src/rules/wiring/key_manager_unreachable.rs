//! `key-manager-unreachable`: the key manager URL reaches a control plane or key manager on the right port.

use crate::base::diagnostic::Diagnostic;
use crate::graph::{Deployment, EdgeKind};

declare_rule! {
    id: "key-manager-unreachable",
    severity: Error,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: legacy Deployment(check),
}

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    for e in dep.edges() {
        if matches!(e.kind, EdgeKind::KeyManager) {
            acc.extend(super::unreachable(&RULE, dep, e));
        }
    }
}
