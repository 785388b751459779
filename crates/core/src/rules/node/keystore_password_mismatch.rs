//! `keystore-password-mismatch`: a keystore's `key_password` equals its `password`.

use foldhash::HashMap;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::edit::{Applicability, Edit, Fix};
use crate::base::files::FileId;
use crate::catalog;
use crate::config::Config;
use crate::graph::Node;
use crate::model::{KeyFact, display_path};

declare_rule! {
    id: "keystore-password-mismatch",
    severity: Error,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: legacy Node(check),
}

/// What a password value stands for, as far as the file tells.
#[derive(Debug, PartialEq, Eq)]
enum Resolved {
    Literal(String),
    Opaque(String),
}

fn resolve(value: &str, values: &HashMap<&str, &KeyFact>, depth: usize) -> Resolved {
    let v = value.trim();
    if let Some(name) = v.strip_prefix("$ref{").and_then(|r| r.strip_suffix('}'))
        && depth < 8
    {
        let target = values
            .get(name.trim())
            .and_then(|k| k.str_value().map(str::to_owned))
            .or_else(|| catalog::default_of(name.trim()).map(str::to_owned));
        return match target {
            Some(t) => resolve(&t, values, depth + 1),
            None => Resolved::Opaque(v.to_owned()),
        };
    }
    if crate::model::holds_placeholder(v) {
        Resolved::Opaque(v.to_owned())
    } else {
        Resolved::Literal(v.to_owned())
    }
}

fn is_keystore(segs: &[crate::model::Seg]) -> bool {
    matches!(
        segs.first().map(crate::model::Seg::as_str),
        Some("keystore" | "custom_keystore")
    ) && segs.len() == 2
}

fn check(_config: &Config, i: FileId, node: &Node, acc: &mut Vec<Diagnostic>) {
    let Some(keys) = node.facts.keys.as_deref() else {
        return;
    };
    let candidates: Vec<&KeyFact> = keys
        .iter()
        .filter(|k| {
            k.name == "key_password"
                && k.is_top_level_value()
                && k.segs.split_last().is_some_and(|(_, t)| is_keystore(t))
        })
        .collect();
    if candidates.is_empty() {
        return;
    }
    let values = crate::model::top_level_values(keys);
    for kp in candidates {
        let Some((_, table)) = kp.segs.split_last() else {
            continue;
        };
        let mut pw_path = table.to_vec();
        pw_path.push(crate::model::Seg::from("password"));
        let Some(pw) = values.get(catalog::join(&pw_path).as_str()) else {
            continue;
        };
        let (Some(a), Some(b), Some(span)) = (pw.str_value(), kp.str_value(), kp.value_span())
        else {
            continue;
        };
        let ra = resolve(a, &values, 0);
        let rb = resolve(b, &values, 0);
        if ra == rb {
            continue;
        }
        let shown = display_path(table);
        let reference = format!("$ref{{{}}}", catalog::join(&pw_path));
        let sure = matches!((&ra, &rb), (Resolved::Literal(_), Resolved::Literal(_)));
        // never quote either value: both are passwords
        let mut d = Diagnostic::new(
            &RULE,
            i,
            span.clone(),
            if sure {
                format!("`key_password` of `[{shown}]` differs from its `password`: WSO2 needs them to be equal")
            } else {
                format!("`key_password` of `[{shown}]` may differ from its `password`: they come from different references, so apimlint cannot compare them")
            },
        )
        .help(format!("WSO2 (and some of its third-party components) expect the key password to be the keystore password; write `key_password = \"{reference}\"`"))
        .key(kp.path(), None)
        .fix(Fix {
            title: format!("Refer to `{}`", catalog::join(&pw_path)),
            applicability: Applicability::Unsafe,
            edits: vec![Edit { file: i, range: span, new_text: crate::base::edit::toml_string(&reference) }],
        });
        if !sure {
            d = d.severity(Severity::Warning);
        }
        acc.push(d);
    }
}
