//! Hover: on a finding, its rule's summary and page link; on a gateway
//! label, where its environment is defined; on a URL, the node(s) it resolves
//! to (role, region, effective port) or why none; on a key, its catalog
//! entry. Only redacted text is ever shown.

use std::fmt::Write;
use std::ops::Range;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::text::code_list;
use crate::graph::{Deployment, Edge, NodeIdx, Resolution};
use crate::{query, rules};

use super::keys;

/// What a hover shows: Markdown, and the range it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    pub markdown: String,
    pub range: Option<Range<usize>>,
}

/// The hover at `offset` of node `idx`, `diags` the findings shown.
pub fn hover(dep: &Deployment, diags: &[Diagnostic], idx: NodeIdx, offset: usize) -> Option<Hover> {
    let node = dep.node(idx)?;
    let mut sections: Vec<String> = Vec::new();
    let mut range: Option<Range<usize>> = None;
    let stale = node.is_stale();
    // findings under the cursor: each rule once, its one-sentence summary and
    // a link to its page (the editor already shows the finding's message)
    let mut seen: Vec<&str> = Vec::new();
    for d in diags
        .iter()
        .filter(|d| d.file == node.file && d.range.start <= offset && offset <= d.range.end)
    {
        range.get_or_insert(d.range.clone());
        if seen.contains(&d.rule) {
            continue;
        }
        seen.push(d.rule);
        sections.push(rule_section(d.rule, d.severity));
    }
    if !stale {
        if let Some(label) = query::label_at(dep, idx, offset) {
            sections.push(label_section(dep, &node.region, &label.value));
            range.get_or_insert(label.span.clone());
        } else if let Some(edge) = query::edge_at(dep, idx, offset) {
            sections.push(edge_section(dep, edge));
            range.get_or_insert(edge.span.clone());
        } else if let Some(doc) = node.tree()
            && let Some((path, span)) = query::key_at(&doc, offset)
            && let Some(s) = keys::describe(&path)
        {
            sections.push(s);
            range.get_or_insert(span);
        }
    }
    if sections.is_empty() {
        return None;
    }
    Some(Hover {
        markdown: sections.join("\n\n"),
        range,
    })
}

/// `**rule-id**` (severity): the rule's summary, then a link to its page.
fn rule_section(id: &str, severity: Severity) -> String {
    let mut s = format!("**{id}** ({severity})");
    if let Some(rule) = rules::by_id(id) {
        let _ = write!(s, ": {}", rule.summary());
    }
    let _ = write!(s, "\n\n[{id}]({})", rules::page_url(id));
    s
}

fn node_line(dep: &Deployment, i: NodeIdx, default_port: Option<u16>) -> String {
    let Some(n) = dep.node(i) else {
        return String::new();
    };
    let mut s = format!("- `{}`: {}, region `{}`", n.id, n.role, n.region);
    if let Some(p) = default_port {
        let _ = write!(s, ", port {}", n.port(p));
        if n.offset != 0 {
            let _ = write!(s, " ({p} + offset {})", n.offset);
        }
    }
    s
}

fn label_section(dep: &Deployment, region: &str, label: &str) -> String {
    let sites = query::environment_sites(dep, region, label);
    if !sites.is_empty() {
        return format!(
            "gateway label `{label}`: the gateway environment `{label}` of {region}, defined on {}",
            code_list(sites.iter().map(|(i, _)| dep.id(*i)))
        );
    }
    let names = query::environment_names(dep, region);
    if names.iter().any(|n| n == label) {
        return format!(
            "gateway label `{label}`: listed in apimlint.toml `[environments]` for {region}"
        );
    }
    let list = code_list(&names);
    if list.is_empty() {
        format!(
            "gateway label `{label}`: no control plane of {region} defines any gateway environment"
        )
    } else {
        format!(
            "gateway label `{label}`: matches no gateway environment of {region} (they are {list})"
        )
    }
}

/// What a URL reaches, for the hover.
pub(crate) fn edge_section(dep: &Deployment, e: &Edge) -> String {
    let url = dep
        .node(e.from)
        .and_then(|n| n.redacted().get(e.span.clone()))
        .unwrap_or("?")
        .trim_matches(['"', '\''])
        .to_owned();
    let want = e.expected_roles();
    let port = e.kind.port();
    let mut s = format!(
        "`{url}` (`{}`, {}): needs a {want} on port {port} + its offset",
        e.key,
        e.kind.label()
    );
    if e.cross_region {
        s.push_str("\n\nno node of this region has that name: it reaches another region");
    }
    let lines = |nodes: &[NodeIdx]| {
        nodes
            .iter()
            .map(|i| node_line(dep, *i, Some(port)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    match &e.resolution {
        Resolution::Ok { targets, via_lb } => {
            let how = if *via_lb {
                "through a load balancer (the port is not compared)"
            } else {
                "listening on that port"
            };
            let _ = write!(s, "\n\nresolves to, {how}:\n\n{}", lines(targets));
        }
        Resolution::PartialPort { ok, wrong, port } => {
            let w: Vec<NodeIdx> = wrong.iter().map(|w| w.0).collect();
            let _ = write!(
                s,
                "\n\nlistening on port {port}:\n\n{}\n\nnot listening on port {port}:\n\n{}",
                lines(ok),
                lines(&w)
            );
        }
        Resolution::WrongPort { port, expected, .. } => {
            let w: Vec<NodeIdx> = expected.iter().map(|w| w.0).collect();
            let _ = write!(s, "\n\nno {want} listens on port {port}; the host names:\n\n{}", lines(&w));
        }
        Resolution::WrongRole { found } => {
            let _ = write!(
                s,
                "\n\nthe host names no {want}, only:\n\n{}",
                found.iter().map(|i| node_line(dep, *i, None)).collect::<Vec<_>>().join("\n")
            );
        }
        Resolution::MixedRoles { service, ok, other } => {
            let _ = write!(
                s,
                "\n\nthe Service `{service}` balances connections onto:\n\n{}\n\nand onto nodes that are no {want}:\n\n{}",
                lines(ok),
                other.iter().map(|i| node_line(dep, *i, None)).collect::<Vec<_>>().join("\n")
            );
        }
        Resolution::NoEndpoint { service, why } => {
            let _ = write!(s, "\n\nreaches nothing: {}", why.explain(service));
        }
        Resolution::Docker { why, .. } => {
            let _ = write!(s, "\n\nno {want} is reached: {why}");
        }
        Resolution::NearMiss { suggestions } => {
            let _ = write!(
                s,
                "\n\nthe host names no node; {}",
                crate::rules::wiring::did_you_mean_any(suggestions)
            );
        }
        Resolution::UnknownHost => s.push_str(
            "\n\nthe host names no node: no `[server] hostname`, `node_ip`, node directory or `[hosts]` entry of apimlint.toml has that name",
        ),
        Resolution::Unresolvable => s.push_str("\n\nthe host is a placeholder: it cannot be resolved"),
        Resolution::Invalid(why) => {
            let _ = write!(s, "\n\nnot a valid URL: {why}");
        }
    }
    s
}
