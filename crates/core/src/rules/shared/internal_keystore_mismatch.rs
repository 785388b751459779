//! `internal-keystore-mismatch`: one internal keystore on every node.

use crate::base::diagnostic::Diagnostic;
use crate::graph::Deployment;
use crate::rules::DeploymentRule;

use super::primary_keystore_mismatch::Mismatch;

declare_rule! {
    id: "internal-keystore-mismatch",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Deployment(InternalKeystoreMismatch),
}

pub(crate) struct InternalKeystoreMismatch;

impl DeploymentRule for InternalKeystoreMismatch {
    type State<'d> = Mismatch;

    fn run(dep: &Deployment) -> Vec<Mismatch> {
        // where no node sets it, the internal keystore is everywhere the primary
        // one: `primary-keystore-mismatch` already compares those
        if dep
            .nodes()
            .iter()
            .all(|n| n.facts.internal_keystore.is_none())
        {
            return Vec::new();
        }
        // WSO2 uses the primary keystore as the internal one when
        // `[keystore.internal]` is not set (kernel default.json: `$ref{keystore.primary.*}`).
        super::primary_keystore_mismatch::mismatches(dep, |f| {
            f.internal_keystore.as_ref().or(f.primary_keystore.as_ref())
        })
    }

    fn diagnostic(dep: &Deployment, s: &Mismatch) -> Diagnostic {
        super::primary_keystore_mismatch::describe(&RULE, dep, "internal", s)
    }
}
