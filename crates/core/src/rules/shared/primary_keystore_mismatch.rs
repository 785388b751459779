//! `primary-keystore-mismatch`: one primary keystore on every node.

use crate::base::diagnostic::Diagnostic;
use crate::base::text::code_list_first3;
use crate::graph::{Deployment, NodeIdx};
use crate::model::{Keystore, Role, holds_placeholder};
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

/// One field of a keystore as WSO2 reads it: `Some(None)` not set,
/// `Some(Some(v))` the value (`$ref{}` resolved), `None` unknown (an
/// `$env{}`/`$sys{}` value or a reference apimlint cannot follow): never
/// compared.
type Field = Option<Option<String>>;

/// `(file_name, type, alias)` as WSO2 reads them.
type Triple = (Field, Field, Field);

fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Whether two fields agree: an unknown field agrees with anything.
fn agree(a: &Field, b: &Field) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

fn agrees(a: &Triple, b: &Triple) -> bool {
    agree(&a.0, &b.0) && agree(&a.1, &b.1) && agree(&a.2, &b.2)
}

/// The value of `field` (`file_name`, `type`, `alias`) of a keystore as
/// WSO2 reads it: `$ref{keystore.primary.file_name}` (WSO2's own default for
/// `[keystore.internal]`) is followed within the node's own file; other
/// placeholders cannot be compared.
fn field_value(facts: &crate::model::Facts, ks: &Keystore, field: &str, depth: u8) -> Field {
    let sp = match field {
        "file_name" => ks.file_name.as_ref(),
        "type" => ks.kind.as_ref(),
        _ => ks.alias.as_ref(),
    };
    let Some(sp) = sp else {
        return Some(None);
    };
    let v = sp.value.trim();
    if !holds_placeholder(v) {
        return Some(Some(match field {
            "file_name" => base_name(v).to_owned(),
            "type" => v.to_uppercase(),
            _ => v.to_owned(),
        }));
    }
    let target = v
        .strip_prefix("$ref{")
        .and_then(|r| r.strip_suffix('}'))
        .map(str::trim)?;
    let mut segs = target.split('.');
    let (Some("keystore"), Some(table), Some(f), None) =
        (segs.next(), segs.next(), segs.next(), segs.next())
    else {
        return None;
    };
    let other = match table {
        "primary" => facts.primary_keystore.as_ref(),
        "internal" => facts.internal_keystore.as_ref(),
        _ => None,
    }?;
    if depth == 0 || !["file_name", "type", "alias"].contains(&f) {
        return None;
    }
    // a reference to a field the file does not write names WSO2's default,
    // which apimlint does not know for every table: not compared
    field_value(facts, other, f, depth - 1).filter(Option::is_some)
}

/// `(file_name, type, alias)` of a keystore as WSO2 reads them (base file
/// name, upper-case type, `$ref{}` followed); a `None` field is unknown.
pub(crate) fn effective(facts: &crate::model::Facts, ks: &Keystore) -> Triple {
    (
        field_value(facts, ks, "file_name", 4),
        field_value(facts, ks, "type", 4),
        field_value(facts, ks, "alias", 4),
    )
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
    let triple_of = |i: NodeIdx| -> Option<Triple> {
        let n = dep.node(i)?;
        Some(effective(&n.facts, get(&n.facts)?))
    };
    // the reference: the most common keystore WSO2 reads, among the nodes
    // where every field is known (first node wins ties)
    let written = nodes.iter().filter_map(|&i| {
        let t = triple_of(i)?;
        (t.0.is_some() && t.1.is_some() && t.2.is_some()).then_some((i, t, ()))
    });
    let Some((reference, ref_node, ())) = crate::rules::majority(written) else {
        return;
    };
    let ref_ks = dep.node(ref_node).and_then(|n| get(&n.facts));
    let ref_file = reference.0.clone().flatten().unwrap_or_default();
    let shown = |v: &Field| {
        v.clone()
            .flatten()
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
                let mine = effective(&node.facts, ks);
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
                    fields.into_iter().find(|(_, m, r, _, _)| !agree(m, r))
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
            .filter(|o| triple_of(**o).is_some_and(|t| agrees(&t, &reference)))
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
