//! `throttle-url-group-incomplete`: a gateway publishes to and listens to
//! every traffic manager of its region, each in its own url group, on
//! receiver and auth URLs that reach the same node.

use std::collections::BTreeSet;
use std::ops::Range;

use super::pairing::{self, Mismatch};
use crate::base::diagnostic::Diagnostic;
use crate::base::edit::Fix;
use crate::graph::{Deployment, Edge, EdgeKind, NodeIdx};
use crate::model::{Role, UrlGroup};
use crate::rules::{DeploymentRule, node_list, related_node};

declare_rule! {
    id: "throttle-url-group-incomplete",
    severity: Warning,
    roles: [GatewayWorker],
    fix: Sometimes,
    since: "0.1.0",
    check: Deployment(ThrottleUrlGroupIncomplete),
}

pub(crate) struct ThrottleUrlGroupIncomplete;

/// What is wrong with a gateway's throttling URLs.
pub(crate) enum State<'d> {
    /// A group's receiver and auth URLs reach different traffic managers.
    Mispaired(Mismatch<'d>),
    /// No url group at all.
    NoGroups {
        gw: NodeIdx,
        at: Range<usize>,
        tms: Vec<NodeIdx>,
    },
    /// Traffic managers sharing one group that splits their counters.
    Shared {
        gw: NodeIdx,
        group: &'d UrlGroup,
        tms: Vec<NodeIdx>,
        /// A `loadbalance` group whose traffic managers do not all enable
        /// distributed throttling (else: a failover group).
        loadbalance: bool,
    },
    /// A traffic manager no group reaches.
    Uncovered {
        gw: NodeIdx,
        at: Range<usize>,
        tm: NodeIdx,
    },
    /// A traffic manager `throttle_decision_endpoints` does not reach.
    NoDecision {
        gw: NodeIdx,
        at: Range<usize>,
        tm: NodeIdx,
    },
}

fn is_throttle(k: EdgeKind) -> bool {
    matches!(
        k,
        EdgeKind::ThrottleEvents | EdgeKind::ThrottleAuth | EdgeKind::ThrottleDecision
    )
}

impl DeploymentRule for ThrottleUrlGroupIncomplete {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let mut out = Vec::new();
        for (gw, node) in RULE.subjects(dep) {
            // where the region has no traffic manager, its all-in-ones
            // count the gateway's requests (each its own throttling engine)
            let mut tms = dep.region_role(&node.region, Role::TrafficManager);
            if tms.is_empty() {
                tms = dep.region_role(&node.region, Role::AllInOne);
            }
            if tms.is_empty() {
                continue;
            }
            let th = &node.facts.throttling;
            // each group's receiver and auth URLs reach the same traffic managers
            out.extend(
                pairing::mismatches(dep, gw, &th.url_groups)
                    .into_iter()
                    .map(State::Mispaired),
            );
            let edges: Vec<_> = dep.edges_from(gw).filter(|e| is_throttle(e.kind)).collect();
            // coverage is only judged when every throttling URL resolved
            if edges
                .iter()
                .any(|e| !e.resolution.host_resolved() || e.cross_region)
            {
                continue;
            }
            let anchor = th.header.clone().unwrap_or_else(|| node.anchor());
            if th.url_groups.is_empty() {
                out.push(State::NoGroups {
                    gw,
                    at: anchor.clone(),
                    tms: tms.clone(),
                });
            } else {
                let mut covered: BTreeSet<NodeIdx> = BTreeSet::new();
                // the event edges by their URL's span (a url group names its URLs by span)
                let mut by_span: std::collections::HashMap<(usize, usize), Vec<&Edge>> =
                    std::collections::HashMap::new();
                for e in edges.iter().filter(|e| e.kind == EdgeKind::ThrottleEvents) {
                    by_span
                        .entry((e.span.start, e.span.end))
                        .or_default()
                        .push(e);
                }
                for g in &th.url_groups {
                    let mut spans: Vec<(usize, usize)> =
                        g.urls.iter().map(|u| (u.span.start, u.span.end)).collect();
                    spans.sort_unstable();
                    spans.dedup();
                    let in_group: BTreeSet<NodeIdx> = spans
                        .iter()
                        .filter_map(|s| by_span.get(s))
                        .flatten()
                        .flat_map(|e| e.resolution.targets())
                        .filter(|t| tms.contains(t))
                        .collect();
                    covered.extend(in_group.iter().copied());
                    if in_group.len() >= 2 {
                        let all_distributed = in_group
                            .iter()
                            .all(|t| dep.node(*t).is_some_and(|n| n.facts.throttling.distributed));
                        if !g.is_loadbalance() || !all_distributed {
                            out.push(State::Shared {
                                gw,
                                group: g,
                                tms: in_group.iter().copied().collect(),
                                loadbalance: g.is_loadbalance(),
                            });
                        }
                    }
                }
                let at = th
                    .url_groups
                    .last()
                    .map_or(anchor.clone(), |g| g.header.clone());
                for &tm in tms.iter().filter(|t| !covered.contains(t)) {
                    out.push(State::Uncovered {
                        gw,
                        at: at.clone(),
                        tm,
                    });
                }
            }
            // a Service in front of several traffic managers: the JMS
            // subscription connects to one of them, which one is not known
            let decided: BTreeSet<NodeIdx> = edges
                .iter()
                .filter(|e| e.kind == EdgeKind::ThrottleDecision && !e.one_of)
                .flat_map(|e| e.resolution.targets())
                .collect();
            let at = th
                .decision
                .as_ref()
                .map_or(anchor.clone(), |d| d.span.clone());
            for &tm in tms.iter().filter(|t| !decided.contains(t)) {
                out.push(State::NoDecision {
                    gw,
                    at: at.clone(),
                    tm,
                });
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let list = |v: &[NodeIdx]| node_list(dep, v.iter().copied());
        match s {
            State::Mispaired(m) => pairing::diagnostic(&RULE, dep, m),
            State::NoGroups { gw, at, tms } => {
                let region = dep.node(*gw).map_or("", |n| n.region.as_str());
                Diagnostic::new(&RULE, dep.file(*gw), at.clone(), format!("no `[[apim.throttling.url_group]]`: throttle events never reach the traffic managers of {region} ({})", list(tms)))
                    .help("add one url group per traffic manager, with `traffic_manager_urls` (tcp, 9611) and `traffic_manager_auth_urls` (ssl, 9711)")
                    .key("apim.throttling.url_group", None)
            }
            State::Shared {
                gw,
                group,
                tms,
                loadbalance,
            } => {
                let msg = if *loadbalance {
                    format!(
                        "{} share one loadbalance url group, but not every one enables `[apim.distributed_throttling]`: each counts only part of the requests",
                        list(tms)
                    )
                } else {
                    format!(
                        "{} share one failover url group: only one of them counts this gateway's requests at a time",
                        list(tms)
                    )
                };
                Diagnostic::new(&RULE, dep.file(*gw), group.header.clone(), msg)
                    .help("give each traffic manager its own `[[apim.throttling.url_group]]`, so that every one sees every event")
                    .key(
                        "apim.throttling.url_group",
                        Some(&tms.iter().map(|i| dep.id(*i)).collect::<Vec<_>>().join(",")),
                    )
            }
            State::Uncovered { gw, at, tm } => {
                let d = Diagnostic::new(
                    &RULE,
                    dep.file(*gw),
                    at.clone(),
                    format!("no url group reaches traffic manager `{}`: its throttle counters never see this gateway's requests", dep.id(*tm)),
                )
                .help(format!("add a `[[apim.throttling.url_group]]` for `{}`", dep.id(*tm)))
                .key("apim.throttling.url_group", Some(dep.id(*tm)));
                related_node(d, dep, *tm, "traffic manager")
            }
            State::NoDecision { gw, at, tm } => {
                let d = Diagnostic::new(
                    &RULE,
                    dep.file(*gw),
                    at.clone(),
                    format!("`throttle_decision_endpoints` does not reach traffic manager `{}`: its throttling decisions never reach this gateway", dep.id(*tm)),
                )
                .help(format!("add `tcp://<{}>:5672` (+ its offset) to `throttle_decision_endpoints`", dep.id(*tm)))
                .key("apim.throttling.throttle_decision_endpoints", Some(dep.id(*tm)));
                related_node(d, dep, *tm, "traffic manager")
            }
        }
    }

    fn action(dep: &Deployment, s: &State<'_>) -> Option<Fix> {
        match s {
            State::Mispaired(m) => pairing::action(dep, m),
            _ => None,
        }
    }
}
