//! `key-manager-unreachable`: the key manager URL reaches a control plane or key manager on the right port.

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::graph::{Deployment, EdgeKind};
use crate::rules::{Check, Group, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "key-manager-unreachable",
    severity: Severity::Error,
    group: Group::Wiring,
    roles: &[],
    docs: include_str!("../../../../../rules/key-manager-unreachable.md"),
    check: Check::Deployment(check),
};

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    for e in dep.edges() {
        if matches!(e.kind, EdgeKind::KeyManager) {
            acc.extend(super::unreachable(&RULE, dep, e));
        }
    }
}
