//! `throttle-url-unreachable`: throttling URLs reach traffic managers on the
//! right scheme and port.

use crate::base::diagnostic::Diagnostic;
use crate::graph::{Deployment, EdgeKind};

declare_rule! {
    id: "throttle-url-unreachable",
    severity: Error,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: legacy Deployment(check),
}

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
