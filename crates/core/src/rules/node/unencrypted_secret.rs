//! `unencrypted-secret`: no `[secrets]` value is still in `"[plaintext]"` form.

use crate::base::diagnostic::Diagnostic;
use crate::base::files::FileId;
use crate::config::Config;
use crate::graph::Node;
use crate::model::KeyKind;

declare_rule! {
    id: "unencrypted-secret",
    severity: Warning,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: legacy Node(check),
}

fn check(_config: &Config, i: FileId, node: &Node, acc: &mut Vec<Diagnostic>) {
    for kf in node.facts.keys.iter().flatten() {
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
        // never quote the value: it is the password itself
        acc.push(
            Diagnostic::new(
                &RULE,
                i,
                span,
                format!("the secret `{}` is still in `[plaintext]` form: the cipher tool was not run", kf.name),
            )
            .help("run `ciphertool.sh -Dconfigure` (or `ciphertool.bat`) on this node; WSO2 refuses to start with \"Secret references can't be plain text\"")
            .key(kf.path(), None),
        );
    }
}
