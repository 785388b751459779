//! `revocation-endpoint-unreachable`: the token-revocation notification endpoint reaches a control plane.

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::graph::{Deployment, EdgeKind};
use crate::rules::{Check, Group, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "revocation-endpoint-unreachable",
    severity: Severity::Warning,
    group: Group::Wiring,
    roles: &[],
    docs: include_str!("../../../../../rules/revocation-endpoint-unreachable.md"),
    check: Check::Deployment(check),
};

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    for e in dep.edges() {
        if matches!(e.kind, EdgeKind::Notification) {
            acc.extend(super::unreachable(&RULE, dep, e));
        }
    }
}
