//! `textDocument/definition` and `textDocument/references`.
//!
//! Definition: gateway label → the environment on each control plane; URL
//! → the target nodes' `[server]` tables; `$ref{a.b}` → the key;
//! `$secret{x}` → the alias in `[secrets]`. References: from an
//! environment to the gateways whose labels serve it.

use std::collections::HashMap;
use std::path::PathBuf;

use apimlint_core::{NodeIdx, query};

use super::At;
use crate::convert::{self, lsp};

pub fn definition(at: &At<'_>, uris: &HashMap<PathBuf, lsp::Uri>) -> Vec<lsp::Location> {
    let (dep, n) = (at.dep, at.node);
    let mut out: Vec<(NodeIdx, std::ops::Range<usize>)> = Vec::new();
    if let Some(r) = query::reference_at(&n.text, at.offset) {
        // references are read from the text; their targets need a current parse
        if let Some(doc) = n.tree() {
            let path = match &r {
                query::Reference::Ref { path, .. } => query::split_path(path),
                query::Reference::Secret { alias, .. } => vec!["secrets".to_owned(), alias.clone()],
            };
            if let Some(span) = query::key_span(&doc, &path) {
                out.push((at.idx, span));
            }
        }
    } else if n.is_stale() {
        return Vec::new();
    } else if let Some(label) = query::label_at(dep, at.idx, at.offset) {
        out = query::environment_sites(dep, &n.region, &label.value);
    } else if let Some(edge) = query::edge_at(dep, at.idx, at.offset) {
        let mut targets = edge.resolution.targets();
        if let apimlint_core::Resolution::WrongRole { found } = &edge.resolution {
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
    out.iter()
        .filter_map(|(i, r)| convert::location(dep, dep.file(*i), r, uris))
        .collect()
}

pub fn references(
    at: &At<'_>,
    include_declaration: bool,
    uris: &HashMap<PathBuf, lsp::Uri>,
) -> Vec<lsp::Location> {
    let (dep, n) = (at.dep, at.node);
    if n.is_stale() {
        return Vec::new();
    }
    let name = match query::environment_at(dep, at.idx, at.offset) {
        Some(env) => env.value.clone(),
        // from a label: the other gateways with the same label
        None => match query::label_at(dep, at.idx, at.offset) {
            Some(l) => l.value.clone(),
            None => return Vec::new(),
        },
    };
    let mut out = query::gateways_serving(dep, &n.region, &name);
    if include_declaration {
        out.extend(query::environment_sites(dep, &n.region, &name));
    }
    out.iter()
        .filter_map(|(i, r)| convert::location(dep, dep.file(*i), r, uris))
        .collect()
}
