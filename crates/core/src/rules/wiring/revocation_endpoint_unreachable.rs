//! `revocation-endpoint-unreachable`: the token-revocation notification endpoint reaches a control plane.

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::Fix;
use crate::graph::{Deployment, EdgeKind};
use crate::rules::DeploymentRule;

use super::Unreachable;

declare_rule! {
    id: "revocation-endpoint-unreachable",
    severity: Warning,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: Deployment(RevocationEndpointUnreachable),
}

pub(crate) struct RevocationEndpointUnreachable;

impl DeploymentRule for RevocationEndpointUnreachable {
    type State<'d> = Unreachable<'d>;

    fn run(dep: &Deployment) -> Vec<Unreachable<'_>> {
        super::problems(dep, |e| matches!(e.kind, EdgeKind::Notification))
    }

    fn diagnostic(dep: &Deployment, u: &Unreachable<'_>) -> Diagnostic {
        super::describe(&RULE, dep, u)
    }

    fn action(dep: &Deployment, u: &Unreachable<'_>) -> Option<Fix> {
        super::repair(dep, u)
    }
}
