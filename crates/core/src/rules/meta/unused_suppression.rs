//! `unused-suppression`: an `# apimlint: allow(…)` comment that silenced
//! nothing. Suppressions need every other rule's findings, so the finding is
//! made by `suppress::apply`, after the rules ran; `check` does nothing.

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::graph::Deployment;
use crate::rules::{Check, Group, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "unused-suppression",
    severity: Severity::Warning,
    group: Group::Meta,
    roles: &[],
    docs: include_str!("../../../../../rules/unused-suppression.md"),
    check: Check::Deployment(check),
};

fn check(_dep: &Deployment, _acc: &mut Vec<Diagnostic>) {}
