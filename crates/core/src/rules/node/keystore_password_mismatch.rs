//! `keystore-password-mismatch`: a keystore's `key_password` equals its `password`.

use std::ops::Range;

use foldhash::HashMap;

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit, Fix};
use crate::catalog;
use crate::model::{KeyFact, Seg, display_path};
use crate::rules::{NodeCx, NodeRule};

declare_rule! {
    id: "keystore-password-mismatch",
    severity: Error,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: Node(KeystorePasswordMismatch),
}

/// What a password value stands for, as far as the file tells.
#[derive(Debug, PartialEq, Eq)]
enum Resolved {
    Literal(String),
    /// A reference apimlint cannot see through (as written, after `$ref{}`).
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

pub(crate) struct KeystorePasswordMismatch;

/// A keystore's `key_password` that does not resolve to its `password`.
pub(crate) struct State<'a> {
    kp: &'a KeyFact,
    /// The keystore's table, and its `password`'s path.
    table: &'a [Seg],
    pw_path: Vec<Seg>,
    /// Where `key_password`'s value is.
    span: Range<usize>,
    /// Two different references (`$secret{a}`, `$secret{b}`): they may
    /// hold one value, so this is said as an info, never a warning.
    unsure: bool,
}

impl NodeRule for KeystorePasswordMismatch {
    type State<'a> = State<'a>;

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<State<'a>> {
        let Some(keys) = cx.node.facts.keys.as_deref() else {
            return Vec::new();
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
            return Vec::new();
        }
        let values = cx.top_level_values();
        let mut out = Vec::new();
        for kp in candidates {
            let Some((_, table)) = kp.segs.split_last() else {
                continue;
            };
            let mut pw_path = table.to_vec();
            pw_path.push(Seg::from("password"));
            let Some(pw) = values.get(catalog::join(&pw_path).as_str()) else {
                continue;
            };
            let (Some(a), Some(b), Some(span)) = (pw.str_value(), kp.str_value(), kp.value_span())
            else {
                continue;
            };
            // only two literals (after `$ref{}`) can be compared: two
            // different references (`$env{A}`, `$env{B}`, WSO2's charts'
            // `jksExistingSecret`) may well hold the same value (said as an
            // info: the rule cannot be sure), and a reference says nothing
            // about a literal
            let unsure = match (resolve(a, values, 0), resolve(b, values, 0)) {
                (Resolved::Literal(ra), Resolved::Literal(rb)) if ra != rb => false,
                (Resolved::Opaque(ra), Resolved::Opaque(rb)) if ra != rb => true,
                _ => continue,
            };
            out.push(State {
                kp,
                table,
                pw_path,
                span,
                unsure,
            });
        }
        out
    }

    fn diagnostic(cx: &NodeCx<'_>, s: &State<'_>) -> Diagnostic {
        let shown = display_path(s.table);
        if s.unsure {
            return Diagnostic::new(
                &RULE,
                cx.file,
                s.span.clone(),
                format!("`key_password` of `[{shown}]` may differ from its `password`: they come from different references, so apimlint cannot compare them"),
            )
            .severity(crate::base::diagnostic::Severity::Info)
            .help(format!("if both hold one value, refer to it once: `key_password = \"{}\"`", reference(s)))
            .key(s.kp.path(), None);
        }
        // never quote either value: both are passwords
        Diagnostic::new(
            &RULE,
            cx.file,
            s.span.clone(),
            format!("`key_password` of `[{shown}]` differs from its `password`: WSO2 needs them to be equal"),
        )
        .help(format!("WSO2 (and some of its third-party components) expect the key password to be the keystore password; write `key_password = \"{}\"`", reference(s)))
        .key(s.kp.path(), None)
    }

    fn action(cx: &NodeCx<'_>, s: &State<'_>) -> Option<Fix> {
        Some(Fix {
            title: format!("Refer to `{}`", catalog::join(&s.pw_path)),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                file: cx.file,
                range: s.span.clone(),
                new_text: crate::base::edit::toml_string(&reference(s)),
            }],
        })
    }
}

/// `$ref{<the keystore's password>}`.
fn reference(s: &State<'_>) -> String {
    format!("$ref{{{}}}", catalog::join(&s.pw_path))
}
