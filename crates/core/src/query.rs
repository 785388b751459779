//! Questions an editor asks about a position in a node's file: which label,
//! URL, reference or key is under the cursor, where an environment is
//! defined, which gateways serve it, what table the cursor is in. The
//! language server renders the answers; the semantics live here.

use std::ops::Range;

use toml_edit::{Item, Table, Value};

use crate::base::keypath;
use crate::graph::{Deployment, Edge, NodeIdx};
use crate::model::Sp;

fn contains(span: &Range<usize>, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// The explicit gateway label at `offset` in a gateway's file.
pub(crate) fn label_at(dep: &Deployment, node: NodeIdx, offset: usize) -> Option<&Sp<String>> {
    let n = dep.node(node)?;
    if !n.role.is_gateway() {
        return None;
    }
    n.facts
        .gateway_labels
        .as_ref()?
        .items
        .iter()
        .find(|l| contains(&l.span, offset))
}

/// The labels a gateway serves: as written, or WSO2's default `Default`
/// (then pointing at the `[apim.sync_runtime_artifacts.gateway]` table or
/// the node's anchor).
pub(crate) fn gateway_labels(dep: &Deployment, gw: NodeIdx) -> Vec<Sp<String>> {
    let Some(n) = dep.node(gw) else {
        return Vec::new();
    };
    match &n.facts.gateway_labels {
        Some(l) => l.items.clone(),
        None => vec![Sp {
            value: "Default".into(),
            span: n.facts.gateway_sync.clone().unwrap_or_else(|| n.anchor()),
        }],
    }
}

/// Every environment definition of `region`: `(control plane, its `name`)`,
/// in node order, then file order.
pub(crate) fn environments<'a>(
    dep: &'a Deployment,
    region: &str,
) -> Vec<(NodeIdx, &'a Sp<String>)> {
    dep.region_nodes(region)
        .iter()
        .filter_map(|i| dep.node(*i).map(|n| (*i, n)))
        .filter(|(_, n)| n.role.defines_environments())
        .flat_map(|(i, n)| n.facts.environments.iter().map(move |e| (i, &e.name)))
        .collect()
}

/// The environments `apimlint.toml [environments]` lists for `region`
/// (its own entry and `"*"`).
pub(crate) fn configured_environments<'a>(
    dep: &'a Deployment,
    region: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    dep.config()
        .environments
        .iter()
        .filter(move |(r, _)| r == region || r == "*")
        .flat_map(|(_, names)| names.iter().map(String::as_str))
}

/// Where the environment `name` is defined in `region`: `(control plane,
/// span of its name)`, each defining node once.
pub(crate) fn environment_sites(
    dep: &Deployment,
    region: &str,
    name: &str,
) -> Vec<(NodeIdx, Range<usize>)> {
    let mut out: Vec<(NodeIdx, Range<usize>)> = Vec::new();
    for (i, env) in environments(dep, region) {
        if env.value == name && !out.iter().any(|(j, _)| *j == i) {
            out.push((i, env.span.clone()));
        }
    }
    out
}

/// The names of the gateway environments of `region`: defined by its
/// control planes, then listed in `apimlint.toml [environments]`, each once.
pub(crate) fn environment_names(dep: &Deployment, region: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let defined = environments(dep, region)
        .into_iter()
        .map(|(_, e)| e.value.as_str());
    for name in defined.chain(configured_environments(dep, region)) {
        if !out.iter().any(|o| o == name) {
            out.push(name.to_owned());
        }
    }
    out
}

/// The environment whose `name` value is at `offset` (in a control plane).
pub(crate) fn environment_at(
    dep: &Deployment,
    node: NodeIdx,
    offset: usize,
) -> Option<&Sp<String>> {
    let n = dep.node(node)?;
    n.facts
        .environments
        .iter()
        .map(|e| &e.name)
        .find(|name| contains(&name.span, offset))
}

/// The gateways of `region` that serve environment `name`, with the span of
/// the label that names it.
pub(crate) fn gateways_serving(
    dep: &Deployment,
    region: &str,
    name: &str,
) -> Vec<(NodeIdx, Range<usize>)> {
    dep.region_nodes(region)
        .iter()
        .copied()
        .filter(|i| dep.node(*i).is_some_and(|n| n.role.is_gateway()))
        .flat_map(|i| {
            gateway_labels(dep, i)
                .into_iter()
                .filter(|l| l.value == name)
                .map(move |l| (i, l.span))
        })
        .collect()
}

/// The URL (edge) whose literal is at `offset` in the node's file.
pub(crate) fn edge_at(dep: &Deployment, node: NodeIdx, offset: usize) -> Option<&Edge> {
    dep.edges_from(node).find(|e| contains(&e.span, offset))
}

/// A `$ref{…}` or `$secret{…}` under the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reference {
    /// `$ref{a.b.c}`: another key of the same file.
    Ref { path: String, span: Range<usize> },
    /// `$secret{alias}`: an alias in `[secrets]`.
    Secret { alias: String, span: Range<usize> },
}

/// The `$ref{…}`/`$secret{…}` at `offset` in `text`, on the cursor's line.
pub(crate) fn reference_at(text: &str, offset: usize) -> Option<Reference> {
    let offset = crate::base::text::floor_char_boundary(text, offset);
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text
        .get(offset..)?
        .find('\n')
        .map_or(text.len(), |i| offset + i);
    let line = text.get(line_start..line_end)?;
    for (marker, is_ref) in [("$ref{", true), ("$secret{", false)] {
        let mut from = 0;
        while let Some(pos) = line.get(from..).and_then(|l| l.find(marker)) {
            let start = line_start + from + pos;
            let inner_start = start + marker.len();
            let close = text.get(inner_start..line_end).and_then(|s| s.find('}'));
            let end = close.map_or(line_end, |c| inner_start + c + 1);
            if start <= offset && offset <= end {
                let inner =
                    text.get(inner_start..end.saturating_sub(usize::from(close.is_some())))?;
                let span = start..end;
                return Some(if is_ref {
                    Reference::Ref {
                        path: inner.trim().to_owned(),
                        span,
                    }
                } else {
                    Reference::Secret {
                        alias: inner.trim().to_owned(),
                        span,
                    }
                });
            }
            from = end - line_start;
        }
    }
    None
}

/// The span of the key at `path` (dotted keys, tables and inline tables).
pub(crate) fn key_span(doc: &toml_edit::Document<String>, path: &[String]) -> Option<Range<usize>> {
    let (last, parents) = path.split_last()?;
    let mut item = doc.as_item();
    for p in parents {
        item = item.get(p.as_str())?;
    }
    let (key, value) = item.as_table_like()?.get_key_value(last)?;
    key.span()
        .or_else(|| value.as_table().and_then(Table::span))
        .or_else(|| value.span())
}

/// The key under the cursor: its catalog path (`apim.gateway.environment[].name`,
/// array-of-tables members marked `[]`) and the span of the key text.
pub(crate) fn key_at(
    doc: &toml_edit::Document<String>,
    offset: usize,
) -> Option<(String, Range<usize>)> {
    fn in_table(
        t: &dyn toml_edit::TableLike,
        path: &str,
        offset: usize,
    ) -> Option<(String, Range<usize>)> {
        for (k, item) in t.iter() {
            let here = if path.is_empty() {
                quote_segment(k)
            } else {
                format!("{path}.{}", quote_segment(k))
            };
            if let Some((key, _)) = t.get_key_value(k)
                && let Some(span) = key.span()
                && contains(&span, offset)
            {
                let p = if item.is_array_of_tables() {
                    format!("{here}[]")
                } else {
                    here
                };
                return Some((p, span));
            }
            let found = match item {
                Item::Table(t) => {
                    // a header `[a.b]` names this table: the key segment spans are in the header
                    if let Some(span) = t.span()
                        && contains(&span, offset)
                        && t.iter().next().is_none()
                    {
                        return Some((here, span));
                    }
                    in_table(t, &here, offset)
                }
                Item::ArrayOfTables(a) => {
                    let member = format!("{here}[]");
                    a.iter().find_map(|t| {
                        if let Some(span) = t.span()
                            && contains(&span, offset)
                        {
                            return Some((member.clone(), span));
                        }
                        in_table(t, &member, offset)
                    })
                }
                Item::Value(Value::InlineTable(t)) => in_table(t, &here, offset),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }
    in_table(doc.as_table(), "", offset)
}

fn quote_segment(k: &str) -> String {
    if k.contains('.') {
        format!("'{k}'")
    } else {
        k.to_owned()
    }
}

/// Where the cursor is, read from the text alone (it may not parse while
/// the user types): the table of the nearest header above, the key of the
/// line, and whether the cursor is in its value (and inside a string).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Context {
    /// The header path above the cursor (`["apim", "gateway", "environment"]`).
    pub table: Vec<String>,
    /// Whether that header is an array-of-tables header (`[[…]]`).
    pub array_member: bool,
    /// The key of the cursor's line (dotted keys split), when there is an `=`
    /// before the cursor, or the key typed so far.
    pub key: Vec<String>,
    pub in_value: bool,
    pub in_string: bool,
    /// The word typed before the cursor (for a key, or inside a string).
    pub prefix: String,
    /// Whether the cursor is inside a `[…]` header.
    pub in_header: bool,
}

/// The [`Context`] at `offset` in `text`.
pub(crate) fn context_at(text: &str, offset: usize) -> Context {
    let offset = crate::base::text::floor_char_boundary(text, offset);
    let before = text.get(..offset).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.get(line_start..).unwrap_or("");
    let mut ctx = Context::default();
    // the nearest header above (a value spanning lines is rare in these files)
    for l in before.get(..line_start).unwrap_or("").lines().rev() {
        let t = l.trim_start();
        if let Some(rest) = t.strip_prefix("[[") {
            ctx.table = keypath::split(rest.split("]]").next().unwrap_or(""));
            ctx.array_member = true;
            break;
        }
        if let Some(rest) = t.strip_prefix('[') {
            ctx.table = keypath::split(rest.split(']').next().unwrap_or(""));
            break;
        }
    }
    let trimmed = line.trim_start();
    if trimmed.starts_with('[') && !line.contains('=') {
        ctx.in_header = true;
        ctx.prefix = trimmed.trim_start_matches('[').to_owned();
        return ctx;
    }
    if trimmed.starts_with('#') {
        return ctx;
    }
    match split_key_value(line) {
        Some((key, value)) => {
            ctx.key = keypath::split(key.trim());
            ctx.in_value = true;
            let (in_string, prefix) = string_state(value);
            ctx.in_string = in_string;
            ctx.prefix = prefix;
        }
        None => {
            ctx.prefix = trimmed.to_owned();
            ctx.key = keypath::split(trimmed);
        }
    }
    ctx
}

/// `key = value` split at the first `=` outside quotes.
fn split_key_value(line: &str) -> Option<(&str, &str)> {
    let mut quote: Option<char> = None;
    for (i, ch) in line.char_indices() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(ch),
            (None, '=') => return Some((line.get(..i)?, line.get(i + 1..)?)),
            _ => {}
        }
    }
    None
}

/// Whether the end of `value` is inside a string, and the string's text so far.
fn string_state(value: &str) -> (bool, String) {
    let mut quote: Option<char> = None;
    let mut cur = String::new();
    for ch in value.chars() {
        match (quote, ch) {
            (Some(q), c) if c == q => {
                quote = None;
                cur.clear();
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => quote = Some(ch),
            _ => {}
        }
    }
    (
        quote.is_some(),
        if quote.is_some() { cur } else { String::new() },
    )
}

/// One table of a file, for an outline: its header path, the header's span,
/// the range up to the next header, and its keys `(name, key span, key..value span)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    pub header: Range<usize>,
    pub range: Range<usize>,
    pub keys: Vec<(String, Range<usize>, Range<usize>)>,
}

/// The tables of a parsed file in text order (the root table's keys first,
/// as a section named `""` when it has any).
pub(crate) fn outline(doc: &toml_edit::Document<String>, text_len: usize) -> Vec<Section> {
    fn keys_of(t: &Table) -> Vec<(String, Range<usize>, Range<usize>)> {
        t.iter()
            .filter(|(_, i)| i.is_value())
            .filter_map(|(k, i)| {
                let (key, _) = t.get_key_value(k)?;
                let ks = key.span()?;
                let end = i.span().map_or(ks.end, |s| s.end.max(ks.end));
                Some((k.to_owned(), ks.clone(), ks.start..end))
            })
            .collect()
    }
    fn walk(t: &Table, path: &str, acc: &mut Vec<Section>) {
        for (k, item) in t.iter() {
            let here = if path.is_empty() {
                quote_segment(k)
            } else {
                format!("{path}.{}", quote_segment(k))
            };
            match item {
                Item::Table(sub) => {
                    if !sub.is_implicit()
                        && let Some(h) = sub.span()
                    {
                        acc.push(Section {
                            name: here.clone(),
                            header: h.clone(),
                            range: h,
                            keys: keys_of(sub),
                        });
                    }
                    walk(sub, &here, acc);
                }
                Item::ArrayOfTables(a) => {
                    for sub in a.iter() {
                        if let Some(h) = sub.span() {
                            acc.push(Section {
                                name: format!("{here}[]"),
                                header: h.clone(),
                                range: h,
                                keys: keys_of(sub),
                            });
                        }
                        walk(sub, &format!("{here}[]"), acc);
                    }
                }
                _ => {}
            }
        }
    }
    let mut acc = Vec::new();
    let root_keys = keys_of(doc.as_table());
    if let (Some(first), Some(last)) = (root_keys.first(), root_keys.last()) {
        let range = first.2.start..last.2.end;
        acc.push(Section {
            name: String::new(),
            header: first.1.clone(),
            range,
            keys: root_keys,
        });
    }
    walk(doc.as_table(), "", &mut acc);
    acc.sort_by_key(|s| s.header.start);
    // a table's body runs to the next header
    let starts: Vec<usize> = acc.iter().map(|s| s.header.start).collect();
    for (i, s) in acc.iter_mut().enumerate() {
        if s.name.is_empty() {
            continue;
        }
        let next = starts.get(i + 1).copied().unwrap_or(text_len);
        let body_end = s.keys.iter().map(|k| k.2.end).max().unwrap_or(s.header.end);
        s.range = s.header.start..body_end.max(s.header.end).min(next.max(s.header.end));
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        let text = "a = \"$ref{keystore.tls.password}\"\nb = \"$secret{admin}\"\n";
        let at = text.find("tls").unwrap_or(0);
        assert_eq!(
            reference_at(text, at),
            Some(Reference::Ref {
                path: "keystore.tls.password".into(),
                span: 5..32
            })
        );
        let at = text.find("admin").unwrap_or(0);
        assert!(
            matches!(reference_at(text, at), Some(Reference::Secret { alias, .. }) if alias == "admin")
        );
        assert_eq!(reference_at(text, 1), None);
    }

    #[test]
    fn contexts() {
        let text = "[server]\nhostname = \"a\"\n\n[[apim.gateway.environment]]\nname = \"De";
        let c = context_at(text, text.len());
        assert_eq!(c.table, vec!["apim", "gateway", "environment"]);
        assert!(c.array_member && c.in_value && c.in_string);
        assert_eq!(c.key, vec!["name"]);
        assert_eq!(c.prefix, "De");
        let text = "[server]\nhost";
        let c = context_at(text, text.len());
        assert_eq!(c.table, vec!["server"]);
        assert!(!c.in_value);
        assert_eq!(c.prefix, "host");
    }

    #[test]
    fn keys_and_outline() {
        let text =
            "[server]\nhostname = \"a\"\n\n[[apim.gateway.environment]]\nname = \"Default\"\n";
        let doc = toml_edit::Document::parse(text.to_owned()).ok();
        let Some(doc) = doc else { return };
        let at = text.find("\nname =").map_or(0, |i| i + 1);
        assert_eq!(
            key_at(&doc, at).map(|k| k.0),
            Some("apim.gateway.environment[].name".to_owned())
        );
        assert_eq!(
            key_span(&doc, &["server".into(), "hostname".into()]),
            Some(9..17)
        );
        let o = outline(&doc, text.len());
        let names: Vec<&str> = o.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["server", "apim.gateway.environment[]"]);
    }
}
