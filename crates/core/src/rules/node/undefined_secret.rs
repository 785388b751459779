//! `undefined-secret`: every `$secret{alias}` has `alias` in `[secrets]`.

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit, Fix};
use crate::base::text::did_you_mean;
use crate::model::{KeyFact, Placeholder, PlaceholderKind, Scalar};
use crate::rules::{NodeCx, NodeRule};

declare_rule! {
    id: "undefined-secret",
    severity: Error,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: Node(UndefinedSecret),
}

pub(crate) struct UndefinedSecret;

/// A `$secret{alias}` whose alias `[secrets]` does not have.
pub(crate) struct State<'a> {
    kf: &'a KeyFact,
    p: Placeholder,
    /// The file has a `[secrets]` table.
    has_table: bool,
    /// The aliases `[secrets]` has.
    aliases: Vec<&'a str>,
}

impl NodeRule for UndefinedSecret {
    type State<'a> = State<'a>;

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<State<'a>> {
        let Some(keys) = cx.node.facts.keys.as_deref() else {
            return Vec::new();
        };
        let runtime = keys.iter().any(|k| {
            k.segs == ["runtime_secrets", "enable"]
                && (matches!(k.value.as_ref().map(|v| &v.value), Some(Scalar::Bool(true)))
                    || k.str_value() == Some("true"))
        });
        if runtime {
            return Vec::new();
        }
        let has_table = keys.iter().any(|k| k.segs == ["secrets"]);
        let aliases: Vec<&str> = keys
            .iter()
            .filter(|k| k.segs.len() == 2 && k.segs.first().is_some_and(|s| s == "secrets"))
            .map(|k| k.name.as_str())
            .collect();
        let mut out = Vec::new();
        for (kf, p) in cx.placeholders(PlaceholderKind::Secret) {
            if kf.segs.first().is_some_and(|s| s == "secrets") {
                continue;
            }
            if !aliases.contains(&p.name.as_str()) {
                out.push(State {
                    kf,
                    p: p.clone(),
                    has_table,
                    aliases: aliases.clone(),
                });
            }
        }
        out
    }

    fn diagnostic(cx: &NodeCx<'_>, s: &State<'_>) -> Diagnostic {
        let alias = s.p.name.as_str();
        let d = Diagnostic::new(
            &RULE,
            cx.file,
            s.p.name_range.clone(),
            if s.has_table {
                format!("`$secret{{{alias}}}` has no alias `{alias}` in `[secrets]`")
            } else {
                format!("`$secret{{{alias}}}` is used but the file has no `[secrets]` table")
            },
        )
        .key(s.kf.path(), Some(alias));
        match suggestion(s) {
            Some(x) => d.help(format!("did you mean `{x}`? WSO2 stops with \"Secret references can't be resolved for alias {alias}\"")),
            None => d.help(format!("add `{alias} = \"[the value]\"` to `[secrets]` at the end of the file and run `ciphertool.sh -Dconfigure`; WSO2 stops with \"Secret references can't be resolved\" otherwise")),
        }
    }

    fn action(cx: &NodeCx<'_>, s: &State<'_>) -> Option<Fix> {
        let x = suggestion(s)?;
        Some(Fix {
            title: format!("Use the alias `{x}`"),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                file: cx.file,
                range: s.p.name_range.clone(),
                new_text: x.to_owned(),
            }],
        })
    }
}

/// The alias of `[secrets]` the reference was meant to name.
fn suggestion<'a>(s: &State<'a>) -> Option<&'a str> {
    did_you_mean(&s.p.name, s.aliases.iter().copied(), 2)
}
