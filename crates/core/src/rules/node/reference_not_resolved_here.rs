//! `reference-not-resolved-here`: `$ref{}` inside an array-of-tables entry,
//! where WSO2 leaves it literal.

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit, Fix};
use crate::base::files::FileId;
use crate::config::Config;
use crate::graph::Node;
use crate::model::{KeyKind, PlaceholderKind, display_path};

declare_rule! {
    id: "reference-not-resolved-here",
    severity: Warning,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: legacy Node(check),
}

/// References with a Carbon placeholder that says the same and works everywhere.
const CARBON: [(&str, &str); 2] = [
    ("super_admin.username", "${admin.username}"),
    ("super_admin.password", "${admin.password}"),
];

fn check(_config: &Config, i: FileId, node: &Node, acc: &mut Vec<Diagnostic>) {
    for kf in node.facts.keys.iter().flatten() {
        if kf.kind != KeyKind::Value || !kf.in_aot {
            continue;
        }
        for p in kf.placeholders(&node.text, PlaceholderKind::Ref) {
            let table = display_path(
                kf.segs
                    .get(..kf.segs.len().saturating_sub(1))
                    .unwrap_or(&[]),
            );
            let mut d = Diagnostic::new(
                    &RULE,
                    i,
                    p.range.clone(),
                    format!("`$ref{{{}}}` inside an array-of-tables entry (`{table}`) is probably left literal by WSO2", p.name),
                )
                .key(kf.path(), Some(&p.name));
            match CARBON.iter().find(|(r, _)| *r == p.name) {
                Some((_, carbon)) => {
                    d = d
                            .help(format!("WSO2 resolves `$ref{{}}` only in plain tables (read from WSO2's config-mapper, not confirmed on a running server); write `{carbon}`, which Carbon resolves everywhere"))
                            .fix(Fix {
                                title: format!("Replace with `{carbon}`"),
                                applicability: Applicability::Unsafe,
                                edits: vec![Edit { file: i, range: p.range.clone(), new_text: (*carbon).to_owned() }],
                            });
                }
                None => {
                    d = d.help("WSO2 resolves `$ref{}` only in plain tables (read from WSO2's config-mapper, not confirmed on a running server); write the value, a `$secret{}` or an `$env{}` here");
                }
            }
            acc.push(d);
        }
    }
}
