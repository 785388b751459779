//! Rules about state every node must share (keystores, databases, users),
//! and about regions that must mirror each other (multi-DC Pattern 1).

pub(crate) mod cache_invalidation_domain_mismatch;
pub(crate) mod cross_region_reference;
pub(crate) mod database_shared_across_regions;
pub(crate) mod db_replication_unsupported;
pub(crate) mod embedded_db_in_cluster;
pub(crate) mod encryption_key_mismatch;
pub(crate) mod gateway_environment_mismatch;
pub(crate) mod gateway_id_duplicate;
pub(crate) mod internal_keystore_mismatch;
pub(crate) mod primary_keystore_mismatch;
pub(crate) mod region_drift;
pub(crate) mod shared_db_mismatch;
pub(crate) mod super_admin_mismatch;

pub(crate) static RULES: &[&super::Rule] = &[
    &primary_keystore_mismatch::RULE,
    &internal_keystore_mismatch::RULE,
    &shared_db_mismatch::RULE,
    &embedded_db_in_cluster::RULE,
    &db_replication_unsupported::RULE,
    &database_shared_across_regions::RULE,
    &cache_invalidation_domain_mismatch::RULE,
    &gateway_environment_mismatch::RULE,
    &super_admin_mismatch::RULE,
    &encryption_key_mismatch::RULE,
    &region_drift::RULE,
    &cross_region_reference::RULE,
    &gateway_id_duplicate::RULE,
];
