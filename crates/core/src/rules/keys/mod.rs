//! Rules about key material (issue #27): the keystores and truststores a
//! node's file names, read from its `repository/resources/security/`
//! (`model::KeyMaterial`). A node whose stores are not in the tree at all has
//! no key material (`Node::keys` is `None`) and these rules say nothing of it.
//! Findings are located at the TOML key that names the file (`file_name`,
//! `alias`), else the table, else the node's anchor.

pub(crate) mod certificate_expired;
pub(crate) mod certificate_expiring;
pub(crate) mod certificate_host_mismatch;
pub(crate) mod keystore_alias_missing;
pub(crate) mod keystore_not_mounted;
pub(crate) mod keystore_unreadable;
pub(crate) mod truststore_missing_certificate;

use std::ops::Range;

use crate::graph::{Deployment, Node, NodeIdx};
use crate::model::{KeyMaterial, Material, Role};

pub(crate) static RULES: &[&super::Rule] = &[
    &keystore_unreadable::RULE,
    &keystore_alias_missing::RULE,
    &keystore_not_mounted::RULE,
    &certificate_expired::RULE,
    &certificate_expiring::RULE,
    &truststore_missing_certificate::RULE,
    &certificate_host_mismatch::RULE,
];

/// The analysable nodes with key material, in node order.
pub(crate) fn with_keys(dep: &Deployment) -> impl Iterator<Item = (NodeIdx, &Node, &KeyMaterial)> {
    dep.nodes()
        .iter()
        .enumerate()
        .filter(|(_, n)| n.is_analysable())
        .filter_map(|(i, n)| Some((i, n, n.keys.as_deref()?)))
}

/// The API-M nodes with key material (an Identity Server keeps its own keys).
pub(crate) fn apim_with_keys(
    dep: &Deployment,
) -> impl Iterator<Item = (NodeIdx, &Node, &KeyMaterial)> {
    with_keys(dep).filter(|(_, n, _)| n.role != Role::IsKeyManager)
}

/// Where a finding goes: `site` in the node's file, else its anchor.
pub(crate) fn at(n: &Node, site: Option<&Range<usize>>) -> Range<usize> {
    site.cloned().unwrap_or_else(|| n.anchor())
}

/// The stores of a node, each file (and key alias) once: `primary`,
/// `internal` and `tls` usually name one file.
pub(crate) fn distinct(km: &KeyMaterial, keep: impl Fn(&Material) -> bool) -> Vec<&Material> {
    let mut out: Vec<&Material> = Vec::new();
    for m in km.stores.iter().filter(|m| keep(m)) {
        let same = |o: &&Material| {
            o.used.file_name == m.used.file_name
                && o.used.store.has_key() == m.used.store.has_key()
                && o.used.alias.as_deref().map(str::to_lowercase)
                    == m.used.alias.as_deref().map(str::to_lowercase)
                && o.used.password == m.used.password
        };
        if !out.iter().any(same) {
            out.push(m);
        }
    }
    out
}

/// `[keystore.primary]` (the table a store is configured in), for messages.
pub(crate) fn table(m: &Material) -> String {
    format!("[{}]", m.used.store.table())
}

/// "`wso2carbon` in `wso2carbon.jks`".
pub(crate) fn entry_name(m: &Material) -> String {
    format!(
        "`{}` in `{}`",
        m.used.alias.as_deref().unwrap_or("?"),
        m.used.file_name
    )
}

/// The shipped default certificate, said as such: " (WSO2's shipped default
/// certificate of API-M 4.4.0)".
pub(crate) fn shipped_note(cert: &crate::keystore::Certificate) -> String {
    crate::model::wso2_default(cert)
        .map(|v| format!(" — WSO2's shipped default certificate of API-M {v}"))
        .unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests;
