//! `userstore-drift`: every region has the same secondary user store
//! domains (`repository/deployment/server/userstores/*.xml`).

use std::collections::BTreeMap;

use crate::base::diagnostic::Diagnostic;
use crate::base::files::FileId;
use crate::graph::Deployment;
use crate::graph::bridge::{Bridge, bridging_nodes};
use crate::rules::bridge::{Found, found_rule};
use crate::rules::host_span;

declare_rule! {
    id: "userstore-drift",
    severity: Warning,
    roles: [],
    fix: Never,
    since: "0.2.0",
    check: Deployment(UserstoreDrift),
}

pub(crate) struct UserstoreDrift;
found_rule!(UserstoreDrift, find);

/// A domain as defined somewhere: written name, file, range, node.
type Def = (String, FileId, std::ops::Range<usize>, usize);

pub(crate) fn find(dep: &Deployment, b: &Bridge<'_>) -> Vec<Found> {
    if dep.regions().len() < 2 {
        return Vec::new();
    }
    // region → upper-cased domain → its first definition
    let mut by_region: BTreeMap<&str, BTreeMap<String, Def>> = dep
        .regions()
        .keys()
        .map(|r| (r.as_str(), BTreeMap::new()))
        .collect();
    for f in &b.files {
        let Some(n) = dep.node(f.node) else { continue };
        for (file, us) in &f.userstores {
            let d = &us.domain_name;
            by_region
                .entry(n.region.as_str())
                .or_default()
                .entry(d.value.trim().to_uppercase())
                .or_insert((d.value.trim().to_owned(), *file, d.span.clone(), f.node));
        }
    }
    if by_region.values().all(BTreeMap::is_empty) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (region, mine) in &by_region {
        let mut missing: Vec<&Def> = Vec::new();
        for (other, theirs) in &by_region {
            if other == region {
                continue;
            }
            for (k, def) in theirs {
                if !mine.contains_key(k) && !missing.iter().any(|m| m.0.to_uppercase() == *k) {
                    missing.push(def);
                }
            }
        }
        if missing.is_empty() {
            continue;
        }
        let Some(n) = bridging_nodes(dep, region)
            .first()
            .copied()
            .or_else(|| dep.region_nodes(region).first().copied())
            .and_then(|i| dep.node(i))
        else {
            continue;
        };
        let names: Vec<&str> = missing.iter().map(|m| m.0.as_str()).collect();
        let mut d = Diagnostic::new(
            &RULE,
            n.file,
            host_span(n),
            format!(
                "{region} has no secondary user store {}, which {} has: users of that domain cannot log in here after a failover",
                crate::base::text::code_list(&names),
                missing
                    .iter()
                    .filter_map(|m| dep.node(m.3).map(|o| o.region.as_str()))
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        )
        .help("share `repository/deployment/server/userstores/` between the regions (the seed's optional step)");
        for m in missing.iter().take(3) {
            d = d.related(
                m.1,
                m.2.clone(),
                format!("domain `{}` of `{}`", m.0, dep.id(m.3)),
            );
        }
        out.push(Found::new(d));
    }
    out
}
