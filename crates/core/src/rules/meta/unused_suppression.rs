//! `unused-suppression`: an `# apimlint: allow(…)` comment that silenced
//! nothing. Suppressions need every other rule's findings, so the finding is
//! made by `suppress::apply`, after the rules ran; `check` does nothing.

use crate::base::diagnostic::Diagnostic;
use crate::graph::Deployment;

declare_rule! {
    id: "unused-suppression",
    severity: Warning,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: legacy Deployment(check),
}

fn check(_dep: &Deployment, _acc: &mut Vec<Diagnostic>) {}
