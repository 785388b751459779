//! Rules about state every node must share (keystores, databases, users),
//! and about regions that must mirror each other (multi-DC Pattern 1).

pub(crate) mod cache_invalidation_domain_mismatch;
pub(crate) mod cross_region_reference;
pub(crate) mod db_replication_unsupported;
pub(crate) mod embedded_db_in_cluster;
pub(crate) mod internal_keystore_mismatch;
pub(crate) mod primary_keystore_mismatch;
pub(crate) mod region_drift;
pub(crate) mod shared_db_mismatch;
pub(crate) mod super_admin_mismatch;

use crate::graph::NodeIdx;

pub(crate) static RULES: &[&super::Rule] = &[
    &primary_keystore_mismatch::RULE,
    &internal_keystore_mismatch::RULE,
    &shared_db_mismatch::RULE,
    &embedded_db_in_cluster::RULE,
    &db_replication_unsupported::RULE,
    &cache_invalidation_domain_mismatch::RULE,
    &super_admin_mismatch::RULE,
    &region_drift::RULE,
    &cross_region_reference::RULE,
];

/// The most common value (the first node holding it wins ties), with the
/// first node holding it and that node's payload.
pub(crate) fn majority<T: PartialEq + Clone, P: Clone>(
    items: impl IntoIterator<Item = (NodeIdx, T, P)>,
) -> Option<(T, NodeIdx, P)> {
    let mut counts: Vec<(T, usize, NodeIdx, P)> = Vec::new();
    for (i, v, p) in items {
        match counts.iter_mut().find(|c| c.0 == v) {
            Some(c) => c.1 += 1,
            None => counts.push((v, 1, i, p)),
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)))
        .map(|(v, _, i, p)| (v, i, p))
}
