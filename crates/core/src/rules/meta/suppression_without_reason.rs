//! `suppression-without-reason`: with `--require-reason` (or a level in
//! `apimlint.toml [rules]`), a suppression comment must say why after `--`.
//! `run` is `suppress::apply`, after the rules ran: it gives the driver the
//! [`Wanting::NoReason`] states, which this rule says.

use crate::base::diagnostic::Diagnostic;
use crate::suppress::Wanting;

declare_rule! {
    id: "suppression-without-reason",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Suppressions,
}

/// The finding for a [`Wanting::NoReason`] state (`None` for other states).
pub(crate) fn diagnostic(w: &Wanting<'_>) -> Option<Diagnostic> {
    let Wanting::NoReason { file, comment } = w else {
        return None;
    };
    Some(
        Diagnostic::new(
            &RULE,
            *file,
            comment.comment.clone(),
            "suppression without a reason",
        )
        .help("say why after `--`: `# apimlint: allow(rule-id) -- why this is fine here`")
        .key(
            format!("suppression.{}", comment.scope_name()),
            Some(&comment.ids().join(",")),
        ),
    )
}
