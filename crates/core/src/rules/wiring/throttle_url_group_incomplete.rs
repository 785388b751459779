//! `throttle-url-group-incomplete`: a gateway publishes to and listens to
//! every traffic manager of its region, each in its own url group.

use std::collections::BTreeSet;

use crate::base::diagnostic::Diagnostic;
use crate::graph::{Deployment, Edge, EdgeKind, NodeIdx};
use crate::model::Role;
use crate::rules::node_list;
use crate::rules::related_node;

declare_rule! {
    id: "throttle-url-group-incomplete",
    severity: Warning,
    roles: [GatewayWorker],
    fix: Sometimes,
    since: "0.1.0",
    check: legacy Deployment(check),
}

fn is_throttle(k: EdgeKind) -> bool {
    matches!(
        k,
        EdgeKind::ThrottleEvents | EdgeKind::ThrottleAuth | EdgeKind::ThrottleDecision
    )
}

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    for (gw, node) in RULE.subjects(dep) {
        let tms = dep.region_role(&node.region, Role::TrafficManager);
        if tms.is_empty() {
            continue;
        }
        // each group's receiver and auth URLs reach the same traffic managers
        for m in super::pairing::mismatches(dep, gw, &node.facts.throttling.url_groups) {
            let d = super::pairing::diagnostic(&RULE, dep, &m);
            acc.push(match super::pairing::action(dep, &m) {
                Some(f) => d.fix(f),
                None => d,
            });
        }
        let edges: Vec<_> = dep.edges_from(gw).filter(|e| is_throttle(e.kind)).collect();
        // coverage is only judged when every throttling URL resolved
        if edges
            .iter()
            .any(|e| !e.resolution.host_resolved() || e.cross_region)
        {
            continue;
        }
        let th = &node.facts.throttling;
        let anchor = th.header.clone().unwrap_or_else(|| node.anchor());
        let list = |v: &[NodeIdx]| node_list(dep, v.iter().copied());
        if th.url_groups.is_empty() {
            acc.push(
                Diagnostic::new(&RULE, dep.file(gw), anchor.clone(), format!("no `[[apim.throttling.url_group]]`: throttle events never reach the traffic managers of {} ({})", node.region, list(&tms)))
                    .help("add one url group per traffic manager, with `traffic_manager_urls` (tcp, 9611) and `traffic_manager_auth_urls` (ssl, 9711)")
                    .key("apim.throttling.url_group", None),
            );
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
                    let ids: Vec<NodeIdx> = in_group.iter().copied().collect();
                    let msg = if !g.is_loadbalance() {
                        Some(format!(
                            "{} share one failover url group: only one of them counts this gateway's requests at a time",
                            list(&ids)
                        ))
                    } else if !all_distributed {
                        Some(format!(
                            "{} share one loadbalance url group, but not every one enables `[apim.distributed_throttling]`: each counts only part of the requests",
                            list(&ids)
                        ))
                    } else {
                        None
                    };
                    if let Some(msg) = msg {
                        acc.push(
                            Diagnostic::new(&RULE, dep.file(gw), g.header.clone(), msg)
                                .help("give each traffic manager its own `[[apim.throttling.url_group]]`, so that every one sees every event")
                                .key("apim.throttling.url_group", Some(&ids.iter().map(|i| dep.id(*i)).collect::<Vec<_>>().join(","))),
                        );
                    }
                }
            }
            for tm in tms.iter().filter(|t| !covered.contains(t)) {
                let d = Diagnostic::new(
                    &RULE,
                    dep.file(gw),
                    th.url_groups.last().map_or(anchor.clone(), |g| g.header.clone()),
                    format!("no url group reaches traffic manager `{}`: its throttle counters never see this gateway's requests", dep.id(*tm)),
                )
                .help(format!("add a `[[apim.throttling.url_group]]` for `{}`", dep.id(*tm)))
                .key("apim.throttling.url_group", Some(dep.id(*tm)));
                acc.push(related_node(d, dep, *tm, "traffic manager"));
            }
        }
        let decided: BTreeSet<NodeIdx> = edges
            .iter()
            .filter(|e| e.kind == EdgeKind::ThrottleDecision)
            .flat_map(|e| e.resolution.targets())
            .collect();
        for tm in tms.iter().filter(|t| !decided.contains(t)) {
            let range = th
                .decision
                .as_ref()
                .map_or(anchor.clone(), |d| d.span.clone());
            let d = Diagnostic::new(
                &RULE,
                dep.file(gw),
                range,
                format!("`throttle_decision_endpoints` does not reach traffic manager `{}`: its throttling decisions never reach this gateway", dep.id(*tm)),
            )
            .help(format!("add `tcp://<{}>:5672` (+ its offset) to `throttle_decision_endpoints`", dep.id(*tm)))
            .key("apim.throttling.throttle_decision_endpoints", Some(dep.id(*tm)));
            acc.push(related_node(d, dep, *tm, "traffic manager"));
        }
    }
}
