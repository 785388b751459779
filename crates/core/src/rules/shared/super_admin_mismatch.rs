//! `super-admin-mismatch`: one super admin and one user store type on every
//! node that shares the databases.

use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit, Fix};
use crate::base::text::code_list_first3;
use crate::graph::{Deployment, Node, NodeIdx};
use crate::model::{DEFAULT_ADMIN, DEFAULT_USER_STORE, Facts, Role, Sp};
use crate::rules::DeploymentRule;

declare_rule! {
    id: "super-admin-mismatch",
    severity: Error,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: Deployment(SuperAdminMismatch),
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

const FIELDS: [Field; 2] = [
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

pub(crate) struct SuperAdminMismatch;

/// A node whose `field` is not the reference: the value most nodes have,
/// first held by `ref_node` (written at `ref_span`) and by every node of
/// `agree`.
pub(crate) struct State<'d> {
    field: &'static Field,
    i: NodeIdx,
    node: &'d Node,
    /// Its effective value, the value's span if written, the table's header.
    value: String,
    span: Option<Range<usize>>,
    header: Option<Range<usize>>,
    reference: String,
    ref_node: NodeIdx,
    ref_span: Option<Range<usize>>,
    agree: Vec<NodeIdx>,
}

impl DeploymentRule for SuperAdminMismatch {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let mut out = Vec::new();
        for field in &FIELDS {
            // (node, effective value, span of the value if written)
            let values: Vec<Value> = dep
                .nodes()
                .iter()
                .enumerate()
                .filter(|(_, n)| n.is_analysable() && n.role != Role::IsKeyManager)
                .filter_map(|(i, n)| {
                    let (header, v) = (field.get)(&n.facts);
                    match v {
                        Some(v) if placeholder(&v.value) => None,
                        Some(v) => {
                            Some((i, v.value.trim().to_owned(), Some(v.span.clone()), header))
                        }
                        None => Some((i, field.default.to_owned(), None, header)),
                    }
                })
                .collect();
            let Some((reference, ref_node, ref_span)) = crate::rules::majority(
                values.iter().map(|(i, v, s, _)| (*i, v.clone(), s.clone())),
            ) else {
                continue;
            };
            let agree: Vec<NodeIdx> = values
                .iter()
                .filter(|x| x.1 == reference)
                .map(|x| x.0)
                .collect();
            for (i, v, span, header) in values {
                if v == reference {
                    continue;
                }
                let Some(node) = dep.node(i) else { continue };
                out.push(State {
                    field,
                    i,
                    node,
                    value: v,
                    span,
                    header,
                    reference: reference.clone(),
                    ref_node,
                    ref_span: ref_span.clone(),
                    agree: agree.clone(),
                });
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let (field, v, reference) = (s.field, &s.value, &s.reference);
        let agree: Vec<&str> = s.agree.iter().map(|a| dep.id(*a)).collect();
        let mine = if s.span.is_some() {
            format!("`{v}`")
        } else {
            format!("not set (WSO2 uses `{v}`)")
        };
        let range = s
            .span
            .clone()
            .or_else(|| s.header.clone())
            .unwrap_or_else(|| s.node.anchor());
        let d = Diagnostic::new(
            &RULE,
            dep.file(s.i),
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
        match &s.ref_span {
            Some(rs) => d.related(
                dep.file(s.ref_node),
                rs.clone(),
                format!("`{}` uses `{reference}`", dep.id(s.ref_node)),
            ),
            None => d,
        }
    }

    fn action(dep: &Deployment, s: &State<'_>) -> Option<Fix> {
        // the value is a string as written: replaced whole, escaped
        let sp = s.span.as_ref()?;
        let written = s.node.text.get(sp.clone())?;
        if !written.starts_with(['"', '\'']) {
            return None;
        }
        Some(Fix {
            title: format!("Use `{}`", s.reference),
            // which node is right is a choice
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                file: dep.file(s.i),
                range: sp.clone(),
                new_text: crate::base::edit::toml_string(&s.reference),
            }],
        })
    }
}
