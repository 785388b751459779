//! `event-duplicate-asymmetric`: HA peers name each other in
//! `event_duplicate_url` (control planes in `[apim.event_hub]`, traffic
//! managers in `[apim.throttling]`).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::edit::{Applicability, Edit, Fix};
use crate::graph::{Deployment, EdgeKind, NodeIdx, Resolution};
use crate::model::{Facts, Role, UrlList};
use crate::rules::node_list;

declare_rule! {
    id: "event-duplicate-asymmetric",
    severity: Error,
    roles: [ControlPlane, TrafficManager],
    fix: Sometimes,
    since: "0.1.0",
    check: legacy Deployment(check),
}

struct Pair {
    role: Role,
    kind: EdgeKind,
    what: &'static str,
    table: &'static str,
    list: fn(&Facts) -> Option<&UrlList>,
    header: fn(&Facts) -> Option<&Range<usize>>,
}

const PAIRS: [Pair; 2] = [
    Pair {
        role: Role::ControlPlane,
        kind: EdgeKind::EventDuplicate,
        what: "control plane",
        table: "apim.event_hub",
        list: |f| f.event_hub.duplicate.as_ref(),
        header: |f| f.event_hub.header.as_ref(),
    },
    Pair {
        role: Role::TrafficManager,
        kind: EdgeKind::ThrottleDuplicate,
        what: "traffic manager",
        table: "apim.throttling",
        list: |f| f.throttling.duplicate.as_ref(),
        header: |f| f.throttling.header.as_ref(),
    },
];

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    for pair in &PAIRS {
        for (region, members) in &dep.regions {
            let peers: Vec<NodeIdx> = members
                .iter()
                .copied()
                .filter(|i| dep.node(*i).is_some_and(|n| n.role == pair.role))
                .collect();
            check_region(dep, pair, region, &peers, acc);
        }
    }
}

fn check_region(
    dep: &Deployment,
    pair: &Pair,
    region: &str,
    peers: &[NodeIdx],
    acc: &mut Vec<Diagnostic>,
) {
    let key = format!("{}.event_duplicate_url", pair.table);
    let mut named: HashMap<NodeIdx, HashSet<NodeIdx>> = HashMap::new();
    let mut unsure: HashSet<NodeIdx> = peers
        .iter()
        .copied()
        .filter(|p| dep.node(*p).is_some_and(|n| !n.is_analysable()))
        .collect();
    for &w in peers {
        for e in dep.edges_from(w).filter(|e| e.kind == pair.kind) {
            let base = |msg: String| {
                Diagnostic::new(&RULE, dep.file(w), e.host_span.clone(), msg)
                    .key(key.clone(), Some(&e.url))
            };
            match &e.resolution {
                Resolution::Unresolvable => {
                    unsure.insert(w);
                }
                Resolution::UnknownHost => {
                    unsure.insert(w);
                    acc.push(base(format!("`{}` names no node of this deployment, so it is no HA peer", e.url)).help(format!(
                        "name the other {} of {region}, or declare the host in apimlint.toml `[hosts]`",
                        pair.what
                    )));
                }
                Resolution::NearMiss { .. } | Resolution::Invalid(_) => {
                    unsure.insert(w);
                    acc.extend(super::unreachable(&RULE, dep, e));
                }
                res => {
                    let targets = match res {
                        Resolution::WrongRole { found } => found.clone(),
                        other => other.targets(),
                    };
                    if targets.contains(&w) {
                        acc.push(base(format!("`{}` names this {} itself: events are duplicated back to the sender", e.url, pair.what)).help(format!(
                            "name the other {} of the HA pair instead",
                            pair.what
                        )));
                        continue;
                    }
                    let (mine, others): (Vec<NodeIdx>, Vec<NodeIdx>) =
                        targets.iter().partition(|t| peers.contains(t));
                    if mine.is_empty() {
                        let who = others
                            .iter()
                            .map(|t| {
                                format!(
                                    "`{}` ({})",
                                    dep.id(*t),
                                    dep.node(*t).map_or("?", |n| n.role.name())
                                )
                            })
                            .collect::<Vec<_>>();
                        acc.push(base(format!(
                            "`{}` reaches {}, not another {} of {region}",
                            e.url,
                            who.join(", "),
                            pair.what
                        )));
                        continue;
                    }
                    named.entry(w).or_default().extend(mine);
                    if let Some(d) = super::unreachable(&RULE, dep, e) {
                        acc.push(d);
                    }
                }
            }
        }
    }
    for &a in peers {
        let Some(targets) = named.get(&a) else {
            continue;
        };
        let mut targets: Vec<NodeIdx> = targets.iter().copied().collect();
        targets.sort_unstable();
        for b in targets {
            if unsure.contains(&b) || named.get(&b).is_some_and(|s| s.contains(&a)) {
                continue;
            }
            let Some(bn) = dep.node(b) else { continue };
            let list = (pair.list)(&bn.facts);
            let range = list
                .map(|l| l.span.clone())
                .or_else(|| (pair.header)(&bn.facts).cloned())
                .unwrap_or_else(|| bn.anchor());
            let mut d = Diagnostic::new(
                &RULE,
                dep.file(b),
                range,
                format!("`{}` duplicates events to this {}, but this node's `event_duplicate_url` does not name `{}`", dep.id(a), pair.what, dep.id(a)),
            )
            .help(format!("add the URL of `{}` to `[{}] event_duplicate_url`", dep.id(a), pair.table))
            .key(key.clone(), Some(dep.id(a)));
            if let Some(e) = dep
                .edges_from(a)
                .find(|e| e.kind == pair.kind && e.resolution.targets().contains(&b))
            {
                d = d.related(
                    dep.file(a),
                    e.span.clone(),
                    format!("`{}` names this node here", dep.id(a)),
                );
            }
            if let Some(fix) = reverse_fix(dep, pair, a, b) {
                d = d.fix(fix);
            }
            acc.push(d);
        }
    }
    let analysable: Vec<NodeIdx> = peers
        .iter()
        .copied()
        .filter(|p| dep.node(*p).is_some_and(|n| n.is_analysable()))
        .collect();
    let nobody = analysable.len() == peers.len()
        && analysable.iter().all(|p| {
            dep.node(*p)
                .is_some_and(|n| (pair.list)(&n.facts).is_none())
        });
    if peers.len() >= 2 && nobody {
        for &p in peers {
            let Some(n) = dep.node(p) else { continue };
            let others = node_list(dep, peers.iter().copied().filter(|o| *o != p));
            acc.push(
                Diagnostic::new(
                    &RULE,
                    dep.file(p),
                    (pair.header)(&n.facts).cloned().unwrap_or_else(|| n.anchor()),
                    format!("no `event_duplicate_url`: this {} has HA peers ({others}) but duplicates no events to them", pair.what),
                )
                .severity(Severity::Warning)
                .help(format!("set `[{}] event_duplicate_url` on every {} of {region} to the others", pair.table, pair.what))
                .key(key.clone(), None),
            );
        }
    }
}

/// Add `a`'s URL to `b`'s list, when a host name resolves to exactly `a`.
fn reverse_fix(dep: &Deployment, pair: &Pair, a: NodeIdx, b: NodeIdx) -> Option<Fix> {
    let host = dep.unique_name(a)?;
    let an = dep.node(a)?;
    let bn = dep.node(b)?;
    let url = crate::base::edit::toml_string(&format!("tcp://{host}:{}", an.port(5672)));
    let edit = match (pair.list)(&bn.facts) {
        Some(list) => {
            let raw = bn.text.get(list.span.clone())?;
            if !raw.starts_with('[') || !raw.ends_with(']') {
                return None;
            }
            match list.items.last() {
                Some(last) => Edit {
                    file: dep.file(b),
                    range: last.span.end..last.span.end,
                    new_text: format!(", {url}"),
                },
                None => Edit {
                    file: dep.file(b),
                    range: list.span.end - 1..list.span.end - 1,
                    new_text: url,
                },
            }
        }
        None => {
            let header = (pair.header)(&bn.facts)?;
            let eol = bn
                .text
                .get(header.end..)?
                .find('\n')
                .map_or(bn.text.len(), |i| header.end + i);
            Edit {
                file: dep.file(b),
                range: eol..eol,
                new_text: format!("\nevent_duplicate_url = [{url}]"),
            }
        }
    };
    Some(Fix {
        title: format!("Name `{}` in `event_duplicate_url`", an.id),
        applicability: Applicability::Unsafe,
        edits: vec![edit],
    })
}
