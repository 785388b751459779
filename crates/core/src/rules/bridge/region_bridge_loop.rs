//! `region-bridge-loop`: no bridge publisher reaches a control plane of its
//! own region, and no two publishers of one node send one stream to the
//! same region.

use crate::base::diagnostic::Diagnostic;
use crate::graph::bridge::{Aim, Bridge};
use crate::graph::{BrokerReach, Deployment};
use crate::rules::bridge::{Found, found_rule, publisher_related};
use crate::rules::{node_list, related_node};

declare_rule! {
    id: "region-bridge-loop",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.2.0",
    check: Deployment(RegionBridgeLoop),
}

pub(crate) struct RegionBridgeLoop;
found_rule!(RegionBridgeLoop, find);

pub(crate) fn find(dep: &Deployment, b: &Bridge<'_>) -> Vec<Found> {
    let mut out = Vec::new();
    for p in &b.publications {
        let (Some(j), region) = (
            p.chain.jndi,
            dep.node(p.node).map_or("?", |n| n.region.as_str()),
        ) else {
            continue;
        };
        for (k, r) in p.reach.iter().enumerate() {
            let (BrokerReach::OwnRegion { targets }, Some(br)) = (r, p.chain.brokers().get(k))
            else {
                continue;
            };
            let mut d = Diagnostic::new(
                &RULE,
                j.file,
                br.host_span.clone(),
                format!(
                    "`{}` is {} of {region}, `{}`'s own region: the bridge publishes back into the region it comes from, where every event is then received twice",
                    br.host,
                    node_list(dep, targets.iter().copied()),
                    dep.id(p.node),
                ),
            )
            .help("a bridge publisher's broker list names control planes of another region; the region's own peers get the events through WSO2's `jndi2-cp.properties` publishers and `event_duplicate_url`");
            for t in targets.iter().take(3) {
                d = related_node(d, dep, *t, "control plane");
            }
            out.push(Found::new(publisher_related(d, dep, p)));
        }
    }
    // two publishers of one node, one stream, one target region
    for (k, p) in b.publications.iter().enumerate() {
        let (Aim::Delivers(mine) | Aim::Meant(mine)) = p.aim(dep) else {
            continue;
        };
        let earlier = b.publications.get(..k).unwrap_or_default().iter().find(|q| {
            q.node == p.node
                && q.chain.stream.is_some()
                && q.chain.stream == p.chain.stream
                && matches!(q.aim(dep), Aim::Delivers(r) | Aim::Meant(r) if r.intersection(&mine).next().is_some())
        });
        let Some(q) = earlier else { continue };
        let pb = p.chain.publisher.publisher;
        let both: Vec<&String> = match q.aim(dep) {
            Aim::Delivers(r) | Aim::Meant(r) => mine.iter().filter(|x| r.contains(*x)).collect(),
            _ => Vec::new(),
        };
        let d = Diagnostic::new(
            &RULE,
            p.chain.publisher.file,
            pb.name.span.clone(),
            format!(
                "`{}` of `{}` publishes `{}` to {} a second time (`{}` already does): every event arrives there twice",
                pb.name.value,
                dep.id(p.node),
                pb.stream_name.value,
                crate::base::text::code_list(both),
                q.chain.publisher.publisher.name.value
            ),
        )
        .help("keep one publisher per stream and target region: remove this file");
        out.push(Found::new(publisher_related(d, dep, q)));
    }
    out
}
