//! `super-admin-mismatch`: one super admin and one user store type on every
//! node that shares the databases.

use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit, Fix};
use crate::base::text::code_list_first3;
use crate::graph::{Deployment, NodeIdx};
use crate::model::{DEFAULT_ADMIN, DEFAULT_USER_STORE, Facts, Role, Sp};

declare_rule! {
    id: "super-admin-mismatch",
    severity: Error,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: legacy Deployment(check),
}

fn placeholder(s: &str) -> bool {
    s.contains('{')
}

/// The table's header and the value, as written.
type Written<'a> = (Option<Range<usize>>, Option<&'a Sp<String>>);
/// A node, its effective value, the value's span and the table's header.
type Value = (NodeIdx, String, Option<Range<usize>>, Option<Range<usize>>);

struct Field {
    key: &'static str,
    table: &'static str,
    default: &'static str,
    get: fn(&Facts) -> Written<'_>,
}

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    let fields = [
        Field {
            key: "super_admin.username",
            table: "[super_admin]",
            default: DEFAULT_ADMIN,
            get: |f| {
                (
                    f.super_admin.as_ref().map(|s| s.header.clone()),
                    f.super_admin.as_ref().and_then(|s| s.username.as_ref()),
                )
            },
        },
        Field {
            key: "user_store.type",
            table: "[user_store]",
            default: DEFAULT_USER_STORE,
            get: |f| {
                (
                    f.user_store.as_ref().map(|s| s.header.clone()),
                    f.user_store.as_ref().and_then(|s| s.kind.as_ref()),
                )
            },
        },
    ];
    for field in &fields {
        // (node, effective value, span of the value if written)
        let values: Vec<Value> = dep
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.is_analysable() && n.role != Role::IsKeyManager)
            .filter_map(|(i, n)| {
                let (header, v) = (field.get)(&n.facts);
                match v {
                    Some(v) if placeholder(&v.value) => None,
                    Some(v) => Some((i, v.value.trim().to_owned(), Some(v.span.clone()), header)),
                    None => Some((i, field.default.to_owned(), None, header)),
                }
            })
            .collect();
        let Some((reference, ref_node, ref_span)) =
            crate::rules::majority(values.iter().map(|(i, v, s, _)| (*i, v.clone(), s.clone())))
        else {
            continue;
        };
        for (i, v, span, header) in &values {
            if *v == reference {
                continue;
            }
            let Some(node) = dep.node(*i) else { continue };
            let agree: Vec<&str> = values
                .iter()
                .filter(|x| x.1 == reference)
                .map(|x| dep.id(x.0))
                .collect();
            let mine = if span.is_some() {
                format!("`{v}`")
            } else {
                format!("not set (WSO2 uses `{v}`)")
            };
            let range = span
                .clone()
                .or_else(|| header.clone())
                .unwrap_or_else(|| node.anchor());
            let mut d = Diagnostic::new(
                &RULE,
                dep.file(*i),
                range,
                format!(
                    "`{}` is {mine} here but `{reference}` on {} other node{} ({})",
                    field.key,
                    agree.len(),
                    if agree.len() == 1 { "" } else { "s" },
                    code_list_first3(&agree),
                ),
            )
            .help(format!(
                "the nodes share the user store in `shared_db`: set `{}` to `{reference}` in `{}`",
                field.key.rsplit('.').next().unwrap_or(field.key),
                field.table
            ))
            .key(field.key, Some(v));
            // the value is a string as written: replaced whole, escaped
            if let Some(sp) = span
                && node
                    .text
                    .get(sp.clone())
                    .is_some_and(|t| t.starts_with(['"', '\'']))
            {
                d = d.fix(Fix {
                    title: format!("Use `{reference}`"),
                    // which node is right is a choice
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        file: dep.file(*i),
                        range: sp.clone(),
                        new_text: crate::base::edit::toml_string(&reference),
                    }],
                });
            }
            if let Some(rs) = &ref_span {
                d = d.related(
                    dep.file(ref_node),
                    rs.clone(),
                    format!("`{}` uses `{reference}`", dep.id(ref_node)),
                );
            }
            acc.push(d);
        }
    }
}
