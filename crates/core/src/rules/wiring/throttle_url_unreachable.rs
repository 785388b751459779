//! `throttle-url-unreachable`: throttling URLs reach traffic managers on the
//! right scheme and port.

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::graph::{Deployment, EdgeKind};
use crate::rules::{Check, Group, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "throttle-url-unreachable",
    severity: Severity::Error,
    group: Group::Wiring,
    roles: &[],
    docs: include_str!("../../../../../rules/throttle-url-unreachable.md"),
    check: Check::Deployment(check),
};

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    for e in dep.edges() {
        if matches!(
            e.kind,
            EdgeKind::ThrottleEvents | EdgeKind::ThrottleAuth | EdgeKind::ThrottleDecision
        ) {
            acc.extend(super::unreachable(&RULE, dep, e));
        }
    }
}
