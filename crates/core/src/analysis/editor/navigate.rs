//! Go to definition and find references, as file ranges.
//!
//! Definition: gateway label → the environment on each control plane; URL
//! → the target nodes' `[server]` tables; `$ref{a.b}` → the key;
//! `$secret{x}` → the alias in `[secrets]`. References: from an
//! environment to the gateways whose labels serve it.

use std::ops::Range;

use crate::base::files::FileId;
use crate::graph::{Deployment, NodeIdx, Resolution};
use crate::query;

/// Where what is at `offset` of node `idx` is defined.
pub fn definition(dep: &Deployment, idx: NodeIdx, offset: usize) -> Vec<(FileId, Range<usize>)> {
    let Some(n) = dep.node(idx) else {
        return Vec::new();
    };
    let mut out: Vec<(NodeIdx, Range<usize>)> = Vec::new();
    if let Some(r) = query::reference_at(&n.text, offset) {
        // references are read from the text; their targets need a current parse
        if let Some(doc) = n.tree() {
            let path = match &r {
                query::Reference::Ref { path, .. } => crate::base::keypath::split(path),
                query::Reference::Secret { alias, .. } => vec!["secrets".to_owned(), alias.clone()],
            };
            if let Some(span) = query::key_span(&doc, &path) {
                out.push((idx, span));
            }
        }
    } else if n.is_stale() {
        return Vec::new();
    } else if let Some(label) = query::label_at(dep, idx, offset) {
        out = query::environment_sites(dep, &n.region, &label.value);
    } else if let Some(edge) = query::edge_at(dep, idx, offset) {
        let mut targets = edge.resolution.targets();
        if let Resolution::WrongRole { found } = &edge.resolution {
            targets.extend(found.iter().copied());
        }
        for t in targets {
            if let Some(tn) = dep.node(t) {
                out.push((
                    t,
                    tn.facts
                        .server_header
                        .clone()
                        .unwrap_or_else(|| tn.anchor()),
                ));
            }
        }
    }
    out.into_iter().map(|(i, r)| (dep.file(i), r)).collect()
}

/// The gateways serving the environment (or label) at `offset` of node
/// `idx`, and with `include_declaration` the environment's definitions.
pub fn references(
    dep: &Deployment,
    idx: NodeIdx,
    offset: usize,
    include_declaration: bool,
) -> Vec<(FileId, Range<usize>)> {
    let Some(n) = dep.node(idx) else {
        return Vec::new();
    };
    if n.is_stale() {
        return Vec::new();
    }
    let name = match query::environment_at(dep, idx, offset) {
        Some(env) => env.value.clone(),
        // from a label: the other gateways with the same label
        None => match query::label_at(dep, idx, offset) {
            Some(l) => l.value.clone(),
            None => return Vec::new(),
        },
    };
    let mut out = query::gateways_serving(dep, &n.region, &name);
    if include_declaration {
        out.extend(query::environment_sites(dep, &n.region, &name));
    }
    out.into_iter().map(|(i, r)| (dep.file(i), r)).collect()
}
