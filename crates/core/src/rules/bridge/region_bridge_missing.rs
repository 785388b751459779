//! `region-bridge-missing`: in a deployment of two or more regions, every
//! control plane publishes each required stream to every other region
//! through a bridge publisher.

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::text::code_list;
use crate::graph::Deployment;
use crate::graph::bridge::{Aim, Bridge, bridging_nodes};
use crate::model::bridge::STREAMS;
use crate::rules::bridge::{Found, found_rule, publisher_related};
use crate::rules::host_span;

declare_rule! {
    id: "region-bridge-missing",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.2.0",
    check: Deployment(RegionBridgeMissing),
}

pub(crate) struct RegionBridgeMissing;
found_rule!(RegionBridgeMissing, find);

pub(crate) fn find(dep: &Deployment, b: &Bridge<'_>) -> Vec<Found> {
    let regions: Vec<&String> = dep.regions().keys().collect();
    if regions.len() < 2 {
        return Vec::new();
    }
    if !b.any_publisher_file {
        return not_in_tree(dep, &regions).into_iter().collect();
    }
    let mut out = Vec::new();
    for from in &regions {
        for n in bridging_nodes(dep, from) {
            if let Some(f) = node_missing(dep, b, n, from, &regions) {
                out.push(f);
            }
        }
    }
    out
}

/// What node `n` of region `from` leaves out: per other region, the
/// required streams it publishes nowhere (not even brokenly) to it.
fn node_missing(
    dep: &Deployment,
    b: &Bridge<'_>,
    n: usize,
    from: &str,
    regions: &[&String],
) -> Option<Found> {
    let mut gaps: Vec<(String, Vec<&'static str>)> = Vec::new();
    for to in regions.iter().filter(|r| r.as_str() != from) {
        let mut streams = Vec::new();
        for s in STREAMS.iter().filter(|s| s.required) {
            let covered = b.publications.iter().any(|p| {
                p.node == n
                    && p.chain.stream.map(|x| x.name) == Some(s.name)
                    && match p.aim(dep) {
                        Aim::Delivers(r) | Aim::Meant(r) => r.contains(to.as_str()),
                        // where it goes cannot be told: `region-bridge-unresolved` says why
                        Aim::Unknown => true,
                        // `region-bridge-loop` says where it goes instead
                        Aim::Loop => true,
                    }
            });
            if !covered {
                streams.push(s.label);
            }
        }
        if !streams.is_empty() {
            gaps.push(((*to).clone(), streams));
        }
    }
    if gaps.is_empty() {
        return None;
    }
    let node = dep.node(n)?;
    let what: Vec<String> = gaps
        .iter()
        .map(|(to, s)| {
            let many = if s.len() > 1 { "streams" } else { "stream" };
            format!("the {} {many} to {to}", code_list(s))
        })
        .collect();
    let mut d = Diagnostic::new(
        &RULE,
        node.file,
        host_span(node),
        format!(
            "`{}` does not publish {}: the other region never hears of this region's APIs, revoked tokens or key managers",
            node.id,
            what.join("; nor ")
        ),
    )
    .help("add a JMS event publisher per stream (`repository/deployment/server/eventpublishers/`) naming a `jndi-region<N>.properties` whose broker list holds the other region's control planes on 5672 (seed Step 3)");
    // a peer's publisher of the same region that does it: something to copy
    let (to, streams) = gaps.first()?;
    let example = b.publications.iter().find(|p| {
        p.node != n
            && dep.node(p.node).is_some_and(|m| m.region == from)
            && p.chain.stream.is_some_and(|s| streams.contains(&s.label))
            && matches!(p.aim(dep), Aim::Delivers(r) if r.contains(to.as_str()))
    });
    if let Some(p) = example {
        d = publisher_related(d, dep, p);
    }
    Some(Found::new(d))
}

/// No node carries any event publisher: one warning for the deployment.
fn not_in_tree(dep: &Deployment, regions: &[&String]) -> Option<Found> {
    let (file, range) = match dep.project_file() {
        Some(f) => (f, 0..0),
        None => {
            let n = regions
                .iter()
                .flat_map(|r| bridging_nodes(dep, r))
                .next()
                .and_then(|i| dep.node(i))
                .or_else(|| dep.nodes().iter().find(|n| n.is_analysable()))?;
            (n.file, host_span(n))
        }
    };
    let names: Vec<&str> = regions.iter().map(|r| r.as_str()).collect();
    let list = match names.as_slice() {
        [a, b] => format!("{a} and {b}"),
        more => more.join(", "),
    };
    Some(Found::new(
        Diagnostic::new(
            &RULE,
            file,
            range,
            format!("the cross-region bridge of Step 3 is not in the tree: {list} never hear of each other's APIs, revocations and key managers"),
        )
        .severity(Severity::Warning)
        .help("each control plane needs JMS event publishers (`repository/deployment/server/eventpublishers/*.xml`) for the notification, token revocation and key manager streams, naming `repository/conf/jndi-region<N>.properties` files whose broker lists hold the other regions' control planes; add them to the tree so that apimlint can check them"),
    ))
}
