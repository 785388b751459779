//! `event-duplicate-asymmetric`: HA peers name each other in
//! `event_duplicate_url` (control planes in `[apim.event_hub]`, traffic
//! managers in `[apim.throttling]`).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::edit::{Applicability, Edit, Fix};
use crate::graph::{Deployment, Edge, EdgeKind, Node, NodeIdx, Resolution};
use crate::model::{Facts, Role, UrlList};
use crate::rules::{DeploymentRule, node_list};

use super::Unreachable;

declare_rule! {
    id: "event-duplicate-asymmetric",
    severity: Error,
    roles: [ControlPlane, TrafficManager, AllInOne],
    fix: Sometimes,
    since: "0.1.0",
    check: Deployment(EventDuplicateAsymmetric),
}

struct Pair {
    role: Role,
    kind: EdgeKind,
    what: &'static str,
    table: &'static str,
    list: fn(&Facts) -> Option<&UrlList>,
    header: fn(&Facts) -> Option<&Range<usize>>,
}

static PAIRS: [Pair; 2] = [
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

pub(crate) struct EventDuplicateAsymmetric;

/// What is wrong between the HA peers (`pair`'s role) of `region`.
pub(crate) struct State<'d> {
    pair: &'static Pair,
    region: &'d str,
    problem: Problem<'d>,
}

pub(crate) enum Problem<'d> {
    /// `w`'s URL `e` names no node of the deployment.
    UnknownHost { w: NodeIdx, e: &'d Edge },
    /// An edge that does not reach what it should ([`super::problem`]).
    Unreachable(Unreachable<'d>),
    /// `w`'s URL `e` names `w` itself.
    ItSelf { w: NodeIdx, e: &'d Edge },
    /// `w`'s URL `e` reaches `others`, none of them a peer.
    NotPeer {
        w: NodeIdx,
        e: &'d Edge,
        others: Vec<NodeIdx>,
    },
    /// `a` duplicates events to `b` (`bn`), and `b` does not name `a`.
    OneWay {
        a: NodeIdx,
        b: NodeIdx,
        bn: &'d Node,
    },
    /// No peer of `peers` has `event_duplicate_url`: reported on `p` (`n`).
    Nobody {
        p: NodeIdx,
        n: &'d Node,
        peers: Vec<NodeIdx>,
    },
}

impl DeploymentRule for EventDuplicateAsymmetric {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let mut out = Vec::new();
        for pair in &PAIRS {
            for (region, members) in dep.regions() {
                let of_role = |role: Role| -> Vec<NodeIdx> {
                    members
                        .iter()
                        .copied()
                        .filter(|i| dep.node(*i).is_some_and(|n| n.role == role))
                        .collect()
                };
                // where the region has no node of the pair's role, its
                // all-in-ones are the HA pair (WSO2's all-in-one chart
                // writes `[apim.throttling] event_duplicate_url` on both);
                // that they set none is not judged
                let mut peers = of_role(pair.role);
                let all_in_one = peers.is_empty();
                if all_in_one {
                    peers = of_role(Role::AllInOne);
                }
                out.extend(
                    check_region(dep, pair, &peers, !all_in_one)
                        .into_iter()
                        .map(|problem| State {
                            pair,
                            region,
                            problem,
                        }),
                );
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let (pair, region) = (s.pair, s.region);
        let key = format!("{}.event_duplicate_url", pair.table);
        let base = |w: NodeIdx, e: &Edge, msg: String| {
            Diagnostic::new(&RULE, dep.file(w), e.host_span.clone(), msg)
                .key(key.clone(), Some(&e.url))
        };
        match &s.problem {
            Problem::UnknownHost { w, e } => base(
                *w,
                e,
                format!(
                    "`{}` names no node of this deployment, so it is no HA peer",
                    e.url
                ),
            )
            .help(format!(
                "name the other {} of {region}, or declare the host in apimlint.toml `[hosts]`",
                pair.what
            )),
            Problem::Unreachable(u) => super::describe(&RULE, dep, u),
            Problem::ItSelf { w, e } => base(
                *w,
                e,
                format!(
                    "`{}` names this {} itself: events are duplicated back to the sender",
                    e.url, pair.what
                ),
            )
            .help(format!(
                "name the other {} of the HA pair instead",
                pair.what
            )),
            Problem::NotPeer { w, e, others } => {
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
                base(
                    *w,
                    e,
                    format!(
                        "`{}` reaches {}, not another {} of {region}",
                        e.url,
                        who.join(", "),
                        pair.what
                    ),
                )
            }
            Problem::OneWay { a, b, bn } => {
                let (a, b) = (*a, *b);
                let range = (pair.list)(&bn.facts)
                    .map(|l| l.span.clone())
                    .or_else(|| (pair.header)(&bn.facts).cloned())
                    .unwrap_or_else(|| bn.anchor());
                let d = Diagnostic::new(
                    &RULE,
                    dep.file(b),
                    range,
                    format!("`{}` duplicates events to this {}, but this node's `event_duplicate_url` does not name `{}`", dep.id(a), pair.what, dep.id(a)),
                )
                .help(format!("add the URL of `{}` to `[{}] event_duplicate_url`", dep.id(a), pair.table))
                .key(key, Some(dep.id(a)));
                match dep
                    .edges_from(a)
                    .find(|e| e.kind == pair.kind && e.resolution.targets().contains(&b))
                {
                    Some(e) => d.related(
                        dep.file(a),
                        e.span.clone(),
                        format!("`{}` names this node here", dep.id(a)),
                    ),
                    None => d,
                }
            }
            Problem::Nobody { p, n, peers } => {
                let p = *p;
                let others = node_list(dep, peers.iter().copied().filter(|o| *o != p));
                Diagnostic::new(
                    &RULE,
                    dep.file(p),
                    (pair.header)(&n.facts).cloned().unwrap_or_else(|| n.anchor()),
                    format!("no `event_duplicate_url`: this {} has HA peers ({others}) but duplicates no events to them", pair.what),
                )
                .severity(Severity::Warning)
                .help(format!("set `[{}] event_duplicate_url` on every {} of {region} to the others", pair.table, pair.what))
                .key(key, None)
            }
        }
    }

    fn action(dep: &Deployment, s: &State<'_>) -> Option<Fix> {
        match &s.problem {
            Problem::OneWay { a, b, .. } => reverse_fix(dep, s.pair, *a, *b),
            Problem::Unreachable(u) => super::repair(dep, u),
            _ => None,
        }
    }
}

/// What is wrong between the `peers` of one region.
fn check_region<'d>(
    dep: &'d Deployment,
    pair: &Pair,
    peers: &[NodeIdx],
    judge_nobody: bool,
) -> Vec<Problem<'d>> {
    let mut out = Vec::new();
    let mut named: HashMap<NodeIdx, HashSet<NodeIdx>> = HashMap::new();
    let mut unsure: HashSet<NodeIdx> = peers
        .iter()
        .copied()
        .filter(|p| dep.node(*p).is_some_and(|n| !n.is_analysable()))
        .collect();
    for &w in peers {
        for e in dep.edges_from(w).filter(|e| e.kind == pair.kind) {
            match &e.resolution {
                Resolution::Unresolvable => {
                    unsure.insert(w);
                }
                Resolution::UnknownHost => {
                    unsure.insert(w);
                    out.push(Problem::UnknownHost { w, e });
                }
                Resolution::NearMiss { .. }
                | Resolution::Invalid(_)
                | Resolution::Docker { .. } => {
                    unsure.insert(w);
                    if let Some(u) = super::problem(dep, e) {
                        out.push(Problem::Unreachable(u));
                    }
                }
                res => {
                    let targets = match res {
                        Resolution::WrongRole { found } => found.clone(),
                        other => other.targets(),
                    };
                    // a URL that reaches nothing (a Service without
                    // endpoints): the using rule's description says why
                    if targets.is_empty() {
                        unsure.insert(w);
                        if let Some(u) = super::problem(dep, e) {
                            out.push(Problem::Unreachable(u));
                        }
                        continue;
                    }
                    if targets.contains(&w) {
                        out.push(Problem::ItSelf { w, e });
                        continue;
                    }
                    let (mine, others): (Vec<NodeIdx>, Vec<NodeIdx>) =
                        targets.iter().partition(|t| peers.contains(t));
                    if mine.is_empty() {
                        // a node whose role is not known (a 4.0 portal
                        // profile, a file with too little to tell) is given
                        // the benefit of the doubt
                        let unknown = others
                            .iter()
                            .any(|t| dep.node(*t).is_some_and(|n| n.role == Role::Unknown));
                        if !unknown {
                            out.push(Problem::NotPeer { w, e, others });
                        }
                        continue;
                    }
                    named.entry(w).or_default().extend(mine);
                    if let Some(u) = super::problem(dep, e) {
                        out.push(Problem::Unreachable(u));
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
            if let Some(bn) = dep.node(b) {
                out.push(Problem::OneWay { a, b, bn });
            }
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
    if judge_nobody && peers.len() >= 2 && nobody {
        for &p in peers {
            if let Some(n) = dep.node(p) {
                out.push(Problem::Nobody {
                    p,
                    n,
                    peers: peers.to_vec(),
                });
            }
        }
    }
    out
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
