//! `internal-keystore-mismatch`: one internal keystore on every node.

use crate::base::diagnostic::Diagnostic;
use crate::graph::Deployment;

declare_rule! {
    id: "internal-keystore-mismatch",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: legacy Deployment(check),
}

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    // where no node sets it, the internal keystore is everywhere the primary
    // one: `primary-keystore-mismatch` already compares those
    if dep
        .nodes
        .iter()
        .all(|n| n.facts.internal_keystore.is_none())
    {
        return;
    }
    // WSO2 uses the primary keystore as the internal one when
    // `[keystore.internal]` is not set (kernel default.json: `$ref{keystore.primary.*}`).
    super::primary_keystore_mismatch::check_keystore(
        &RULE,
        dep,
        "internal",
        |f| f.internal_keystore.as_ref().or(f.primary_keystore.as_ref()),
        acc,
    );
}
