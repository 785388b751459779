//! `suppression-without-reason`: with `--require-reason` (or a level in
//! `apimlint.toml [rules]`), a suppression comment must say why after `--`.
//! Made by `suppress::apply`, after the rules ran; `check` does nothing.

use crate::base::diagnostic::Diagnostic;
use crate::graph::Deployment;

declare_rule! {
    id: "suppression-without-reason",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: legacy Deployment(check),
}

fn check(_dep: &Deployment, _acc: &mut Vec<Diagnostic>) {}
