//! `unencrypted-secret`: no `[secrets]` value is still in `"[plaintext]"` form.

use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::model::{KeyFact, KeyKind};
use crate::rules::{NodeCx, NodeRule};

declare_rule! {
    id: "unencrypted-secret",
    severity: Warning,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Node(UnencryptedSecret),
}

pub(crate) struct UnencryptedSecret;

/// A `[secrets]` alias whose value is still `"[plaintext]"`, and where the
/// value is.
pub(crate) struct State<'a> {
    kf: &'a KeyFact,
    span: Range<usize>,
}

impl NodeRule for UnencryptedSecret {
    type State<'a> = State<'a>;

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<State<'a>> {
        let mut out = Vec::new();
        for kf in cx.node.facts.keys.iter().flatten() {
            if kf.kind != KeyKind::Value
                || kf.segs.len() != 2
                || kf.segs.first().is_none_or(|s| s != "secrets")
            {
                continue;
            }
            let Some(value) = kf.str_value() else {
                continue;
            };
            let v = value.trim();
            if !(v.starts_with('[') && v.ends_with(']')) {
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
        // never quote the value: it is the password itself
        Diagnostic::new(
            &RULE,
            cx.file,
            s.span.clone(),
            format!("the secret `{}` is still in `[plaintext]` form: the cipher tool was not run", s.kf.name),
        )
        .help("run `ciphertool.sh -Dconfigure` (or `ciphertool.bat`) on this node; WSO2 refuses to start with \"Secret references can't be plain text\"")
        .key(s.kf.path(), None)
    }
}
