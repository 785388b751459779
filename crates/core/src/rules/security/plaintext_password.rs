//! `plaintext-password`: password-like keys hold a reference, not a literal.

use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::model::{KeyFact, KeyKind, display_path, holds_placeholder};
use crate::rules::{NodeCx, NodeRule};

declare_rule! {
    id: "plaintext-password",
    severity: Warning,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Node(PlaintextPassword),
}

/// Whether a key's name says it holds a password or another credential.
pub(crate) fn is_password_key(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "password",
        "passwd",
        "pwd",
        "secret",
        "private_key",
        "token",
    ]
    .iter()
    .any(|w| n.ends_with(w))
}

pub(crate) struct PlaintextPassword;

/// A password-like key holding a literal, and where its value is.
pub(crate) struct State<'a> {
    kf: &'a KeyFact,
    span: Range<usize>,
}

impl NodeRule for PlaintextPassword {
    type State<'a> = State<'a>;

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<State<'a>> {
        let mut out = Vec::new();
        for kf in cx.node.facts.keys.iter().flatten() {
            if kf.kind != KeyKind::Value || !is_password_key(&kf.name) {
                continue;
            }
            // `[secrets]` is unencrypted-secret's business
            if matches!(
                kf.segs.first().map(crate::model::Seg::as_str),
                Some("secrets" | "runtime_secrets")
            ) {
                continue;
            }
            let Some(v) = kf.str_value() else { continue };
            let flag = v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false");
            let boolean = kf
                .entry()
                .is_some_and(|e| e.ty == crate::catalog::Ty::Boolean);
            // `set_jwt_as_opaque_token = "true"` names a token but holds a switch
            if v.trim().is_empty() || holds_placeholder(v) || flag || boolean {
                continue;
            }
            let Some(span) = kf.value_span() else {
                continue;
            };
            out.push(State { kf, span });
        }
        out
    }

    fn diagnostic(cx: &NodeCx<'_>, s: &State<'_>) -> Diagnostic {
        let shown = display_path(&s.kf.segs);
        // never quote the value
        Diagnostic::new(&RULE, cx.file, s.span.clone(), format!("`{shown}` is written in plain text"))
            .help(format!("encrypt it with Secure Vault: `{} = \"$secret{{alias}}\"` with `alias = \"[the value]\"` in `[secrets]` and `ciphertool.sh -Dconfigure`; or read it from `$env{{…}}`", s.kf.name))
            .key(s.kf.path(), None)
    }
}
