//! `primary-keystore-mismatch`: one primary keystore on every node.

use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::base::text::code_list_first3;
use crate::graph::{Deployment, NodeIdx};
use crate::model::{Keystore, Role, holds_placeholder};
use crate::rules::{DeploymentRule, Rule};

declare_rule! {
    id: "primary-keystore-mismatch",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Deployment(PrimaryKeystoreMismatch),
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

/// A node whose `[keystore.<name>]` disagrees with the most common one.
pub(crate) struct Mismatch {
    node: NodeIdx,
    range: Range<usize>,
    field: &'static str,
    /// The node's value of `field`; `None`: the node omits the table and
    /// reads the shipped default.
    mine: Option<Field>,
    /// The reference's value of `field`.
    theirs: Field,
    /// The other nodes that agree with the reference.
    others: Vec<NodeIdx>,
    /// The node the reference is read from, and where it writes `field`.
    ref_node: NodeIdx,
    ref_span: Option<Range<usize>>,
}

/// Compare `[keystore.<name>]` (`get`) on every analysable API-M node: the
/// nodes that disagree with the most common one.
pub(crate) fn mismatches(
    dep: &Deployment,
    get: fn(&crate::model::Facts) -> Option<&Keystore>,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let nodes: Vec<NodeIdx> = (0..dep.nodes().len())
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
        return out;
    };
    let ref_ks = dep.node(ref_node).and_then(|n| get(&n.facts));
    let ref_file = reference.0.clone().flatten().unwrap_or_default();
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
                    None,
                    reference.0.clone(),
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
                    Some(m.clone()),
                    r.clone(),
                    rsp.map(|s| s.span.clone()),
                )
            }
        };
        let others: Vec<NodeIdx> = nodes
            .iter()
            .copied()
            .filter(|o| *o != i)
            .filter(|o| triple_of(*o).is_some_and(|t| agrees(&t, &reference)))
            .collect();
        out.push(Mismatch {
            node: i,
            range,
            field,
            mine,
            theirs,
            others,
            ref_node,
            ref_span,
        });
    }
    out
}

/// The finding of `rule` for a node whose `[keystore.<name>]` disagrees.
pub(crate) fn describe(
    rule: &'static Rule,
    dep: &Deployment,
    name: &str,
    s: &Mismatch,
) -> Diagnostic {
    let shown = |v: &Field| {
        v.clone()
            .flatten()
            .map_or_else(|| "not set".into(), |v| format!("`{v}`"))
    };
    let mine = s
        .mine
        .as_ref()
        .map_or_else(|| "the shipped default".to_owned(), shown);
    let theirs = shown(&s.theirs);
    let field = s.field;
    let others: Vec<&str> = s.others.iter().map(|o| dep.id(*o)).collect();
    let count = others.len();
    let mut d = Diagnostic::new(
        rule,
        dep.file(s.node),
        s.range.clone(),
        format!(
            "`[keystore.{name}] {field}` is {mine} here but {theirs} on {count} other node{} ({})",
            if count == 1 { "" } else { "s" },
            code_list_first3(others),
        ),
    )
    .help("every node of every region must use the same keystore: data encrypted by one node is read by the others")
    .key(format!("keystore.{name}.{field}"), Some(&mine));
    if let Some(span) = &s.ref_span {
        d = d.related(
            dep.file(s.ref_node),
            span.clone(),
            format!("`{}` uses {theirs}", dep.id(s.ref_node)),
        );
    }
    d
}

pub(crate) struct PrimaryKeystoreMismatch;

/// A finding: the TOML disagrees, or (where the keystores are present) the
/// primary key's certificate does.
pub(crate) enum State {
    Toml(Mismatch),
    Certificate(CertMismatch),
}

/// A node whose primary key's certificate differs from the most common one
/// (on a tie, every node).
pub(crate) struct CertMismatch {
    node: NodeIdx,
    range: Range<usize>,
    mine: [u8; 32],
    /// The other fingerprints, each with the nodes holding it.
    others: Vec<([u8; 32], Vec<NodeIdx>)>,
}

/// The primary key's certificate of every API-M node whose primary keystore
/// was read, compared by SHA-256: the nodes that differ from the most common
/// fingerprint, every node on a tie.
pub(crate) fn certificate_mismatches(dep: &Deployment, skip: &[NodeIdx]) -> Vec<CertMismatch> {
    let mut groups: Vec<([u8; 32], Vec<NodeIdx>)> = Vec::new();
    let mut sites = Vec::new();
    for (i, n, km) in crate::rules::keys::apim_with_keys(dep) {
        let Some(m) = km.store(crate::model::Store::Primary) else {
            continue;
        };
        let Some(c) = m.key_certificate() else {
            continue;
        };
        match groups.iter_mut().find(|g| g.0 == c.sha256) {
            Some(g) => g.1.push(i),
            None => groups.push((c.sha256, vec![i])),
        }
        sites.push((
            i,
            c.sha256,
            crate::rules::keys::at(n, m.used.file_site.as_ref()),
        ));
    }
    if groups.len() < 2 {
        return Vec::new();
    }
    let top = groups.iter().map(|g| g.1.len()).max().unwrap_or(0);
    let tie = groups.iter().filter(|g| g.1.len() == top).count() > 1;
    let mut out = Vec::new();
    for (i, fp, range) in sites {
        let majority = !tie && groups.iter().any(|g| g.0 == fp && g.1.len() == top);
        if majority || skip.contains(&i) {
            continue;
        }
        out.push(CertMismatch {
            node: i,
            range,
            mine: fp,
            others: groups.iter().filter(|g| g.0 != fp).cloned().collect(),
        });
    }
    out
}

fn prefix(fp: &[u8; 32]) -> String {
    fp.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

fn describe_certificate(dep: &Deployment, s: &CertMismatch) -> Diagnostic {
    let theirs: Vec<String> = s
        .others
        .iter()
        .map(|(fp, nodes)| {
            format!(
                "{}… on {}",
                prefix(fp),
                code_list_first3(nodes.iter().map(|i| dep.id(*i)))
            )
        })
        .collect();
    let mut d = Diagnostic::new(
        &RULE,
        dep.file(s.node),
        s.range.clone(),
        format!(
            "the primary key's certificate here (SHA-256 {}…) is not the one other nodes use ({}): data encrypted and tokens signed on one node cannot be read or verified on the other",
            prefix(&s.mine),
            theirs.join("; ")
        ),
    )
    .help("copy one primary keystore (the same key pair) to every node of every region; a re-exported keystore with the same key is fine")
    .key("keystore.primary.file_name", Some(&prefix(&s.mine)));
    for (fp, nodes) in &s.others {
        for &o in nodes.iter().take(3) {
            let Some(n) = dep.node(o) else { continue };
            let site = n
                .keys
                .as_deref()
                .and_then(|k| k.store(crate::model::Store::Primary))
                .and_then(|m| m.used.file_site.clone());
            d = d.related(
                dep.file(o),
                crate::rules::keys::at(n, site.as_ref()),
                format!("`{}` holds {}…", dep.id(o), prefix(fp)),
            );
        }
    }
    d
}

impl DeploymentRule for PrimaryKeystoreMismatch {
    type State<'d> = State;

    fn run(dep: &Deployment) -> Vec<State> {
        let toml = mismatches(dep, |f| f.primary_keystore.as_ref());
        let reported: Vec<NodeIdx> = toml.iter().map(|m| m.node).collect();
        let certs = certificate_mismatches(dep, &reported);
        toml.into_iter()
            .map(State::Toml)
            .chain(certs.into_iter().map(State::Certificate))
            .collect()
    }

    fn diagnostic(dep: &Deployment, s: &State) -> Diagnostic {
        match s {
            State::Toml(m) => describe(&RULE, dep, "primary", m),
            State::Certificate(c) => describe_certificate(dep, c),
        }
    }
}
