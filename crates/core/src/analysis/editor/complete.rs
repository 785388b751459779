//! Completion: keys of the current table (key catalog), `server_role`
//! values, environment names in `gateway_labels`, node hosts in URLs. Read
//! from the buffer's text as it is now (it may not parse).

use crate::graph::{Deployment, Node};
use crate::model::{DEPRECATED_SERVER_ROLES, SERVER_ROLES};
use crate::query;

use super::keys;

/// What a completion item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    /// One of a fixed set of values.
    EnumMember,
    /// A value (a host name).
    Value,
    /// A key.
    Property,
}

/// One completion item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    /// The order to show it in, when not the label's.
    pub sort_text: Option<String>,
    /// The text to insert, when not the label.
    pub insert_text: Option<String>,
}

fn item(label: &str, kind: CompletionKind, detail: Option<String>) -> Completion {
    Completion {
        label: label.to_owned(),
        kind,
        detail,
        sort_text: None,
        insert_text: None,
    }
}

/// Completions at `offset` of `text` (the buffer), for a file that is `node`
/// of `dep` when it has been analysed.
pub fn complete(
    text: &str,
    offset: usize,
    analysed: Option<(&Deployment, &Node)>,
) -> Vec<Completion> {
    let ctx = query::context_at(text, offset);
    let leaf = ctx.key.last().map(String::as_str).unwrap_or("");
    let full_key: Vec<String> = ctx.table.iter().chain(ctx.key.iter()).cloned().collect();
    let mut out = Vec::new();
    if ctx.in_value {
        if full_key == ["server", "server_role"] {
            for r in SERVER_ROLES {
                out.push(item(
                    r,
                    CompletionKind::EnumMember,
                    Some("server_role".into()),
                ));
            }
            for r in DEPRECATED_SERVER_ROLES {
                out.push(item(
                    r,
                    CompletionKind::EnumMember,
                    Some("deprecated 4.0 role".into()),
                ));
            }
            return quote_if_needed(out, ctx.in_string);
        }
        let Some((dep, node)) = analysed else {
            return out;
        };
        if leaf == "gateway_labels" {
            for name in query::environment_names(dep, &node.region) {
                out.push(item(
                    &name,
                    CompletionKind::EnumMember,
                    Some(format!("gateway environment of {}", node.region)),
                ));
            }
            return quote_if_needed(out, ctx.in_string);
        }
        if ctx.in_string
            && let Some((_, host_typed)) = ctx.prefix.split_once("://")
        {
            if host_typed.contains(':') || host_typed.contains('/') {
                return out;
            }
            // names of the writer's region first, then the others
            let mut seen: Vec<String> = Vec::new();
            let mut order: Vec<usize> = dep.region_nodes(&node.region).to_vec();
            let rest: Vec<usize> = (0..dep.nodes().len())
                .filter(|i| !order.contains(i))
                .collect();
            order.extend(rest);
            for (rank, i) in order.into_iter().enumerate() {
                let Some(n) = dep.node(i) else { continue };
                let name = dep
                    .unique_name(i)
                    .or_else(|| n.facts.hostname.as_ref().map(|h| h.value.clone()));
                let Some(name) = name else { continue };
                if seen.contains(&name) {
                    continue;
                }
                seen.push(name.clone());
                let mut it = item(
                    &name,
                    CompletionKind::Value,
                    Some(format!("{} ({}, {})", n.id, n.role, n.region)),
                );
                it.sort_text = Some(format!("{rank:05}"));
                out.push(it);
            }
            return out;
        }
        return out;
    }
    if ctx.in_header {
        return out;
    }
    let table = catalog_table(&ctx.table, ctx.array_member);
    for (key, detail) in keys::keys_of(&table) {
        out.push(item(&key, CompletionKind::Property, detail));
    }
    out
}

fn catalog_table(table: &[String], array_member: bool) -> String {
    let mut s = table.join(".");
    if array_member {
        s.push_str("[]");
    }
    s
}

fn quote_if_needed(items: Vec<Completion>, in_string: bool) -> Vec<Completion> {
    if in_string {
        return items;
    }
    items
        .into_iter()
        .map(|mut i| {
            i.insert_text = Some(format!("\"{}\"", i.label));
            i
        })
        .collect()
}
