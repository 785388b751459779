//! `reference-not-resolved-here`: `$ref{}` inside an array-of-tables entry,
//! where WSO2 leaves it literal.

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit, Fix};
use crate::model::{KeyFact, Placeholder, PlaceholderKind, display_path};
use crate::rules::{NodeCx, NodeRule};

declare_rule! {
    id: "reference-not-resolved-here",
    severity: Warning,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: Node(ReferenceNotResolvedHere),
}

/// References with a Carbon placeholder that says the same and works everywhere.
const CARBON: [(&str, &str); 2] = [
    ("super_admin.username", "${admin.username}"),
    ("super_admin.password", "${admin.password}"),
];

pub(crate) struct ReferenceNotResolvedHere;

/// A `$ref{}` in a value of an array-of-tables entry.
pub(crate) struct State<'a> {
    kf: &'a KeyFact,
    p: Placeholder,
}

impl NodeRule for ReferenceNotResolvedHere {
    type State<'a> = State<'a>;

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<State<'a>> {
        cx.placeholders(PlaceholderKind::Ref)
            .filter(|(kf, _)| kf.in_aot)
            .map(|(kf, p)| State { kf, p: p.clone() })
            .collect()
    }

    fn diagnostic(cx: &NodeCx<'_>, s: &State<'_>) -> Diagnostic {
        let (kf, p) = (s.kf, &s.p);
        let table = display_path(
            kf.segs
                .get(..kf.segs.len().saturating_sub(1))
                .unwrap_or(&[]),
        );
        let d = Diagnostic::new(
                &RULE,
                cx.file,
                p.range.clone(),
                format!("`$ref{{{}}}` inside an array-of-tables entry (`{table}`) is probably left literal by WSO2", p.name),
            )
            .key(kf.path(), Some(&p.name));
        match carbon(s) {
            Some(carbon) => d.help(format!("WSO2 resolves `$ref{{}}` only in plain tables (read from WSO2's config-mapper, not confirmed on a running server); write `{carbon}`, which Carbon resolves everywhere")),
            None => d.help("WSO2 resolves `$ref{}` only in plain tables (read from WSO2's config-mapper, not confirmed on a running server); write the value, a `$secret{}` or an `$env{}` here"),
        }
    }

    fn action(cx: &NodeCx<'_>, s: &State<'_>) -> Option<Fix> {
        let carbon = carbon(s)?;
        Some(Fix {
            title: format!("Replace with `{carbon}`"),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                file: cx.file,
                range: s.p.range.clone(),
                new_text: carbon.to_owned(),
            }],
        })
    }
}

/// The Carbon placeholder the reference can be written as.
fn carbon(s: &State<'_>) -> Option<&'static str> {
    CARBON
        .iter()
        .find(|(r, _)| *r == s.p.name)
        .map(|(_, carbon)| *carbon)
}
