//! `textDocument/hover`: on a finding, its rule's summary and page link; on a gateway label,
//! where its environment is defined; on a URL, the node(s) it resolves to
//! (role, region, effective port) or why none; on a key, its catalog entry.
//! Only redacted text is ever shown.

use std::fmt::Write;

use apimlint_core::{Deployment, Edge, NodeIdx, Resolution, query, rules};

use super::At;
use crate::catalog;
use crate::convert::{self, lsp};

pub fn hover(at: &At<'_>) -> Option<lsp::Hover> {
    let mut sections: Vec<String> = Vec::new();
    let mut range: Option<std::ops::Range<usize>> = None;
    let stale = at.node.is_stale();
    // findings under the cursor: each rule once, its one-sentence summary and
    // a link to its page (the editor already shows the finding's message)
    let mut seen: Vec<&str> = Vec::new();
    for d in at.state.diags.iter().filter(|d| {
        d.file == at.node.file && d.range.start <= at.offset && at.offset <= d.range.end
    }) {
        range.get_or_insert(d.range.clone());
        if seen.contains(&d.rule) {
            continue;
        }
        seen.push(d.rule);
        sections.push(rule_section(d.rule, d.severity));
    }
    if !stale {
        if let Some(label) = query::label_at(at.dep, at.idx, at.offset) {
            sections.push(label_section(at, &label.value));
            range.get_or_insert(label.span.clone());
        } else if let Some(edge) = query::edge_at(at.dep, at.idx, at.offset) {
            sections.push(edge_section(at.dep, edge));
            range.get_or_insert(edge.span.clone());
        } else if let Some(doc) = at.node.tree()
            && let Some((path, span)) = query::key_at(&doc, at.offset)
            && let Some(s) = catalog::describe(&path)
        {
            sections.push(s);
            range.get_or_insert(span);
        }
    }
    if sections.is_empty() {
        return None;
    }
    Some(lsp::Hover {
        contents: convert::markdown(sections.join("\n\n")),
        range: range.map(|r| convert::range(&at.node.lines, &at.node.text, &r)),
    })
}

/// `**rule-id**` (severity): the rule's summary, then a link to its page.
fn rule_section(id: &str, severity: apimlint_core::Severity) -> String {
    let mut s = format!("**{id}** ({severity})");
    if let Some(rule) = rules::by_id(id) {
        let _ = write!(s, ": {}", rule.summary());
    }
    if let Some(page) = convert::rule_page(id) {
        let _ = write!(s, "\n\n[{id}]({})", page.as_str());
    }
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

fn label_section(at: &At<'_>, label: &str) -> String {
    let region = &at.node.region;
    let sites = query::environment_sites(at.dep, region, label);
    if !sites.is_empty() {
        let cps: Vec<String> = sites
            .iter()
            .map(|(i, _)| format!("`{}`", at.dep.id(*i)))
            .collect();
        return format!(
            "gateway label `{label}`: the gateway environment `{label}` of {region}, defined on {}",
            cps.join(", ")
        );
    }
    let names = query::environment_names(at.dep, region);
    if names.iter().any(|n| n == label) {
        return format!(
            "gateway label `{label}`: listed in apimlint.toml `[environments]` for {region}"
        );
    }
    let list = names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
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
pub fn edge_section(dep: &Deployment, e: &Edge) -> String {
    let url = dep
        .node(e.from)
        .and_then(|n| n.redacted().get(e.span.clone()))
        .unwrap_or("?")
        .trim_matches(['"', '\''])
        .to_owned();
    let want = e
        .expected
        .iter()
        .map(|r| r.name())
        .collect::<Vec<_>>()
        .join(" or ");
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
        Resolution::NearMiss { suggestion } => {
            let _ = write!(s, "\n\nthe host names no node; did you mean `{suggestion}`?");
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
