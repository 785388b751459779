//! `secrets-not-last`: `[secrets]` is the last table of the file.

use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::model::{KeyFact, KeyKind, display_path};
use crate::rules::{NodeCx, NodeRule};

declare_rule! {
    id: "secrets-not-last",
    severity: Warning,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Node(SecretsNotLast),
}

pub(crate) struct SecretsNotLast;

/// `[secrets]`'s header, and the first table after it.
pub(crate) struct State<'a> {
    secrets: Range<usize>,
    after: Range<usize>,
    table: &'a KeyFact,
}

impl NodeRule for SecretsNotLast {
    type State<'a> = State<'a>;

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<State<'a>> {
        let Some(keys) = cx.node.facts.keys.as_deref() else {
            return Vec::new();
        };
        let Some(secrets) = keys
            .iter()
            .find(|k| k.segs == ["secrets"] && k.kind == KeyKind::Table)
            .and_then(|k| k.header.clone())
        else {
            return Vec::new();
        };
        keys.iter()
            .filter_map(|k| {
                let h = k.header.clone()?;
                (h.start > secrets.start).then_some((h, k))
            })
            .min_by_key(|(h, _)| h.start)
            .map(|(after, table)| State {
                secrets,
                after,
                table,
            })
            .into_iter()
            .collect()
    }

    fn diagnostic(cx: &NodeCx<'_>, s: &State<'_>) -> Diagnostic {
        let shown = display_path(&s.table.segs);
        let header = if s.table.kind == KeyKind::ArrayOfTables {
            format!("[[{shown}]]")
        } else {
            format!("[{shown}]")
        };
        Diagnostic::new(
            &RULE,
            cx.file,
            s.secrets.clone(),
            format!("`[secrets]` is not the last table: `{header}` follows it"),
        )
        .related(cx.file, s.after.clone(), "this table comes after `[secrets]`")
        .help("move `[secrets]` and its aliases to the very end of the file; WSO2's documentation warns that startup fails otherwise")
        .key("secrets", None)
    }
}
