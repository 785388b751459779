//! `undefined-secret`: every `$secret{alias}` has `alias` in `[secrets]`.

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit, Fix};
use crate::base::files::FileId;
use crate::base::text::did_you_mean;
use crate::config::Config;
use crate::graph::Node;
use crate::model::{KeyKind, PlaceholderKind, Scalar};

declare_rule! {
    id: "undefined-secret",
    severity: Error,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: legacy Node(check),
}

fn check(_config: &Config, i: FileId, node: &Node, acc: &mut Vec<Diagnostic>) {
    let Some(keys) = node.facts.keys.as_deref() else {
        return;
    };
    let runtime = keys.iter().any(|k| {
        k.segs == ["runtime_secrets", "enable"]
            && (matches!(k.value.as_ref().map(|v| &v.value), Some(Scalar::Bool(true)))
                || k.str_value() == Some("true"))
    });
    if runtime {
        return;
    }
    let has_table = keys.iter().any(|k| k.segs == ["secrets"]);
    let aliases: Vec<&str> = keys
        .iter()
        .filter(|k| k.segs.len() == 2 && k.segs.first().is_some_and(|s| s == "secrets"))
        .map(|k| k.name.as_str())
        .collect();
    for kf in keys {
        if kf.kind != KeyKind::Value || kf.segs.first().is_some_and(|s| s == "secrets") {
            continue;
        }
        for p in kf.placeholders(&node.text, PlaceholderKind::Secret) {
            if aliases.contains(&p.name.as_str()) {
                continue;
            }
            let alias = p.name.as_str();
            let mut d = Diagnostic::new(
                &RULE,
                i,
                p.name_range.clone(),
                if has_table {
                    format!("`$secret{{{alias}}}` has no alias `{alias}` in `[secrets]`")
                } else {
                    format!("`$secret{{{alias}}}` is used but the file has no `[secrets]` table")
                },
            )
            .key(kf.path(), Some(alias));
            match did_you_mean(alias, aliases.iter().copied(), 2) {
                Some(s) => {
                    d = d.help(format!("did you mean `{s}`? WSO2 stops with \"Secret references can't be resolved for alias {alias}\"")).fix(Fix {
                            title: format!("Use the alias `{s}`"),
                            applicability: Applicability::Unsafe,
                            edits: vec![Edit { file: i, range: p.name_range.clone(), new_text: s.to_owned() }],
                        });
                }
                None => {
                    d = d.help(format!("add `{alias} = \"[the value]\"` to `[secrets]` at the end of the file and run `ciphertool.sh -Dconfigure`; WSO2 stops with \"Secret references can't be resolved\" otherwise"));
                }
            }
            acc.push(d);
        }
    }
}
