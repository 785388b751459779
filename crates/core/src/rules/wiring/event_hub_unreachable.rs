//! `event-hub-unreachable`: event-hub URLs reach control planes on the right scheme and port.

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::graph::{Deployment, EdgeKind};
use crate::rules::{Check, Group, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "event-hub-unreachable",
    severity: Severity::Error,
    group: Group::Wiring,
    roles: &[],
    docs: include_str!("../../../../../rules/event-hub-unreachable.md"),
    check: Check::Deployment(check),
};

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    for e in dep.edges() {
        if matches!(e.kind, EdgeKind::EventListening | EdgeKind::EventHubService) {
            acc.extend(super::unreachable(&RULE, dep, e));
        }
    }
}
