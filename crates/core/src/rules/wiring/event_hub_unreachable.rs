//! `event-hub-unreachable`: event-hub URLs reach control planes on the right scheme and port.

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::Fix;
use crate::graph::{Deployment, EdgeKind};
use crate::rules::DeploymentRule;

use super::Unreachable;

declare_rule! {
    id: "event-hub-unreachable",
    severity: Error,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: Deployment(EventHubUnreachable),
}

pub(crate) struct EventHubUnreachable;

impl DeploymentRule for EventHubUnreachable {
    type State<'d> = Unreachable<'d>;

    fn run(dep: &Deployment) -> Vec<Unreachable<'_>> {
        super::problems(dep, |e| {
            matches!(e.kind, EdgeKind::EventListening | EdgeKind::EventHubService)
        })
    }

    fn diagnostic(dep: &Deployment, u: &Unreachable<'_>) -> Diagnostic {
        super::describe(&RULE, dep, u)
    }

    fn action(dep: &Deployment, u: &Unreachable<'_>) -> Option<Fix> {
        super::repair(dep, u)
    }
}
