//! `secrets-not-last`: `[secrets]` is the last table of the file.

use crate::base::diagnostic::Diagnostic;
use crate::base::files::FileId;
use crate::config::Config;
use crate::graph::Node;
use crate::model::{KeyKind, display_path};

declare_rule! {
    id: "secrets-not-last",
    severity: Warning,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Node(check),
}

fn check(_config: &Config, i: FileId, node: &Node, acc: &mut Vec<Diagnostic>) {
    let Some(keys) = node.facts.keys.as_deref() else {
        return;
    };
    let Some(secrets) = keys
        .iter()
        .find(|k| k.segs == ["secrets"] && k.kind == KeyKind::Table)
        .and_then(|k| k.header.clone())
    else {
        return;
    };
    let after = keys
        .iter()
        .filter_map(|k| {
            let h = k.header.clone()?;
            (h.start > secrets.start).then_some((h, k))
        })
        .min_by_key(|(h, _)| h.start);
    let Some((h, k)) = after else { return };
    let shown = display_path(&k.segs);
    let header = if k.kind == KeyKind::ArrayOfTables {
        format!("[[{shown}]]")
    } else {
        format!("[{shown}]")
    };
    acc.push(
        Diagnostic::new(
            &RULE,
            i,
            secrets,
            format!("`[secrets]` is not the last table: `{header}` follows it"),
        )
        .related(i, h, "this table comes after `[secrets]`")
        .help("move `[secrets]` and its aliases to the very end of the file; WSO2's documentation warns that startup fails otherwise")
        .key("secrets", None),
    );
}
