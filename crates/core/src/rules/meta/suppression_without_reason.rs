//! `suppression-without-reason`: with `--require-reason` (or a level in
//! `apimlint.toml [rules]`), a suppression comment must say why after `--`.
//! Made by `suppress::apply`, after the rules ran; `check` does nothing.

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::graph::Deployment;
use crate::rules::{Check, Group, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "suppression-without-reason",
    severity: Severity::Error,
    group: Group::Meta,
    roles: &[],
    docs: include_str!("../../../../../rules/suppression-without-reason.md"),
    check: Check::Deployment(check),
};

fn check(_dep: &Deployment, _acc: &mut Vec<Diagnostic>) {}
