//! `event-hub-unreachable`: event-hub URLs reach control planes on the right scheme and port.

use crate::base::diagnostic::Diagnostic;
use crate::graph::{Deployment, EdgeKind};

declare_rule! {
    id: "event-hub-unreachable",
    severity: Error,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: legacy Deployment(check),
}

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    for e in dep.edges() {
        if matches!(e.kind, EdgeKind::EventListening | EdgeKind::EventHubService) {
            acc.extend(super::unreachable(&RULE, dep, e));
        }
    }
}
