//! `primary-keystore-mismatch`: one primary keystore on every node.

use crate::base::diagnostic::Diagnostic;
use crate::base::text::code_list_first3;
use crate::graph::{Deployment, NodeIdx};
use crate::model::{Keystore, Role};
use crate::rules::Rule;

declare_rule! {
    id: "primary-keystore-mismatch",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: legacy Deployment(check),
}

/// Keystore files WSO2 ships: a node that omits the table uses one of them.
pub(crate) const SHIPPED: [&str; 2] = ["wso2carbon.jks", "wso2carbon.p12"];

/// `(file_name, type, alias)` as written.
type Triple = (Option<String>, Option<String>, Option<String>);

fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Compare `[keystore.<name>]` on every analysable API-M node; report the
/// nodes that disagree with the most common one.
pub(crate) fn check_keystore(
    rule: &'static Rule,
    dep: &Deployment,
    name: &str,
    get: fn(&crate::model::Facts) -> Option<&Keystore>,
    acc: &mut Vec<Diagnostic>,
) {
    let nodes: Vec<NodeIdx> = (0..dep.nodes.len())
        .filter(|i| {
            dep.node(*i)
                .is_some_and(|n| n.is_analysable() && n.role != Role::IsKeyManager)
        })
        .collect();
    let triple = |ks: &Keystore| -> Triple {
        (
            ks.file_name
                .as_ref()
                .map(|s| base_name(&s.value).to_owned()),
            ks.kind.as_ref().map(|s| s.value.to_uppercase()),
            ks.alias.as_ref().map(|s| s.value.clone()),
        )
    };
    // the reference: the most common keystore as written (first node wins ties)
    let written = nodes.iter().filter_map(|&i| {
        let ks = dep.node(i).and_then(|n| get(&n.facts))?;
        Some((i, triple(ks), ()))
    });
    let Some((reference, ref_node, ())) = crate::rules::majority(written) else {
        return;
    };
    let ref_ks = dep.node(ref_node).and_then(|n| get(&n.facts));
    let ref_file = reference.0.clone().unwrap_or_default();
    let shown = |v: &Option<String>| {
        v.as_ref()
            .map_or_else(|| "not set".into(), |v| format!("`{v}`"))
    };
    for &i in &nodes {
        let Some(node) = dep.node(i) else { continue };
        let (range, field, mine, theirs, ref_span) = match get(&node.facts) {
            None => {
                if ref_file.is_empty() || SHIPPED.contains(&ref_file.as_str()) {
                    continue;
                }
                (
                    node.anchor(),
                    "file_name",
                    "the shipped default".to_owned(),
                    format!("`{ref_file}`"),
                    ref_ks
                        .and_then(|k| k.file_name.as_ref())
                        .map(|s| s.span.clone()),
                )
            }
            Some(ks) => {
                let mine = triple(ks);
                let fields = [
                    (
                        "file_name",
                        &mine.0,
                        &reference.0,
                        ks.file_name.as_ref(),
                        ref_ks.and_then(|k| k.file_name.as_ref()),
                    ),
                    (
                        "type",
                        &mine.1,
                        &reference.1,
                        ks.kind.as_ref(),
                        ref_ks.and_then(|k| k.kind.as_ref()),
                    ),
                    (
                        "alias",
                        &mine.2,
                        &reference.2,
                        ks.alias.as_ref(),
                        ref_ks.and_then(|k| k.alias.as_ref()),
                    ),
                ];
                let Some((field, m, r, sp, rsp)) =
                    fields.into_iter().find(|(_, m, r, _, _)| m != r)
                else {
                    continue;
                };
                (
                    sp.map_or_else(|| ks.header.clone(), |s| s.span.clone()),
                    field,
                    shown(m),
                    shown(r),
                    rsp.map(|s| s.span.clone()),
                )
            }
        };
        let others: Vec<&str> = nodes
            .iter()
            .filter(|o| **o != i)
            .filter(|o| {
                dep.node(**o)
                    .and_then(|n| get(&n.facts))
                    .is_some_and(|k| triple(k) == reference)
            })
            .map(|o| dep.id(*o))
            .collect();
        let count = others.len();
        let mut d = Diagnostic::new(
            rule,
            dep.file(i),
            range,
            format!(
                "`[keystore.{name}] {field}` is {mine} here but {theirs} on {count} other node{} ({})",
                if count == 1 { "" } else { "s" },
                code_list_first3(others),
            ),
        )
        .help("every node of every region must use the same keystore: data encrypted by one node is read by the others")
        .key(format!("keystore.{name}.{field}"), Some(&mine));
        if let Some(span) = ref_span {
            d = d.related(
                dep.file(ref_node),
                span,
                format!("`{}` uses {theirs}", dep.id(ref_node)),
            );
        }
        acc.push(d);
    }
}

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    check_keystore(&RULE, dep, "primary", |f| f.primary_keystore.as_ref(), acc);
}
