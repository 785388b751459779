//! `key-manager-unreachable`: the key manager URL reaches a control plane or key manager on the right port.

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::Fix;
use crate::graph::{Deployment, EdgeKind};
use crate::rules::DeploymentRule;

use super::Unreachable;

declare_rule! {
    id: "key-manager-unreachable",
    severity: Error,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: Deployment(KeyManagerUnreachable),
}

pub(crate) struct KeyManagerUnreachable;

impl DeploymentRule for KeyManagerUnreachable {
    type State<'d> = Unreachable<'d>;

    fn run(dep: &Deployment) -> Vec<Unreachable<'_>> {
        super::problems(dep, |e| matches!(e.kind, EdgeKind::KeyManager))
    }

    fn diagnostic(dep: &Deployment, u: &Unreachable<'_>) -> Diagnostic {
        super::describe(&RULE, dep, u)
    }

    fn action(dep: &Deployment, u: &Unreachable<'_>) -> Option<Fix> {
        super::repair(dep, u)
    }
}
