//! `apimlint graph`: the resolved node graph, regions as clusters, nodes by
//! role, edges labelled by what they carry, broken references marked —
//! as Graphviz DOT, Mermaid or JSON.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use apimlint_core::{Deployment, Diagnostic, Resolution, Role};
use serde_json::json;

use super::escape::terminal;

fn color(role: Role) -> &'static str {
    match role {
        Role::GatewayWorker => "#8ecae6",
        Role::ControlPlane => "#ffb703",
        Role::TrafficManager => "#90be6d",
        Role::KeyManager | Role::IsKeyManager => "#f4a261",
        Role::AllInOne => "#cdb4db",
        Role::Unknown => "#dddddd",
    }
}

/// Text inside a DOT `"…"` label: control characters shown escaped, then
/// backslashes and quotes escaped.
fn esc(s: &str) -> String {
    terminal(s).replace('\\', "\\\\").replace('"', "\\\"")
}

/// For each edge index, the rules that reported on its URL.
fn broken(dep: &Deployment, diags: &[Diagnostic]) -> BTreeMap<usize, BTreeSet<&'static str>> {
    // each file's findings by start, so an edge looks only at those inside
    // its string (linear in edges and findings, not their product)
    let mut by_file: BTreeMap<apimlint_core::FileId, Vec<(usize, usize, &'static str)>> =
        BTreeMap::new();
    for d in diags {
        by_file
            .entry(d.file)
            .or_default()
            .push((d.range.start, d.range.end, d.rule));
    }
    for v in by_file.values_mut() {
        v.sort_unstable();
    }
    let mut out: BTreeMap<usize, BTreeSet<&'static str>> = BTreeMap::new();
    for (ei, e) in dep.edges().enumerate() {
        let Some(found) = by_file.get(&dep.file(e.from)) else {
            continue;
        };
        let first = found.partition_point(|(start, _, _)| *start < e.span.start);
        for (_, end, rule) in found
            .get(first..)
            .unwrap_or_default()
            .iter()
            .take_while(|(start, _, _)| *start <= e.span.end)
        {
            if *end <= e.span.end {
                out.entry(ei).or_default().insert(*rule);
            }
        }
    }
    out
}

/// Where an arrow ends: a node, or a host that names no node.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Node(usize),
    Ghost { edge: usize, host: String },
}

/// One arrow of the picture: `from` → `to`, what it carries, and the rules
/// that reported on it (empty: the reference is fine).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Arrow {
    from: usize,
    to: Target,
    label: &'static str,
    rules: Option<String>,
}

/// One arrow per (from, to, what), broken ones with their rule ids.
fn arrows(dep: &Deployment, diags: &[Diagnostic]) -> Vec<Arrow> {
    let broken = broken(dep, diags);
    let scrubber = dep.scrubber();
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (ei, e) in dep.edges().enumerate() {
        let rules = broken
            .get(&ei)
            .map(|r| r.iter().copied().collect::<Vec<_>>().join(", "));
        let targets = e.resolution.targets();
        if targets.is_empty() {
            if let (Some(r), Some(ep)) = (&rules, &e.endpoint) {
                out.push(Arrow {
                    from: e.from,
                    to: Target::Ghost {
                        edge: ei,
                        host: scrubber.scrub(&ep.host),
                    },
                    label: e.kind.label(),
                    rules: Some(r.clone()),
                });
            }
            continue;
        }
        for t in targets {
            if t == e.from && rules.is_none() {
                continue;
            }
            if !seen.insert((e.from, t, e.kind.label(), rules.clone())) {
                continue;
            }
            out.push(Arrow {
                from: e.from,
                to: Target::Node(t),
                label: e.kind.label(),
                rules: rules.clone(),
            });
        }
    }
    out
}

pub fn dot(dep: &Deployment, diags: &[Diagnostic], out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "digraph apimlint {{\n  rankdir=LR;\n  compound=true;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];"
    )?;
    for (ri, (region, members)) in dep.regions().iter().enumerate() {
        writeln!(
            out,
            "  subgraph cluster_{ri} {{\n    label=\"{}\";\n    style=dashed;",
            esc(region)
        )?;
        for i in members {
            if let Some(n) = dep.node(*i) {
                writeln!(
                    out,
                    "    n{i} [label=\"{}\\n{}\", fillcolor=\"{}\"];",
                    esc(&n.id),
                    n.role,
                    color(n.role)
                )?;
            }
        }
        // the region's Kubernetes Services, each tied to the nodes it selects
        for (k, (_, name, _, nodes)) in dep
            .services()
            .iter()
            .enumerate()
            .filter(|(_, s)| s.0 == *region)
        {
            writeln!(
                out,
                "    s{k} [label=\"svc/{}\", shape=ellipse, style=dashed, fillcolor=white];",
                esc(name)
            )?;
            for i in nodes {
                writeln!(out, "    s{k} -> n{i} [style=dotted, arrowhead=none];")?;
            }
        }
        writeln!(out, "  }}")?;
    }
    for a in arrows(dep, diags) {
        let to = match &a.to {
            Target::Node(t) => format!("n{t}"),
            Target::Ghost { edge, host } => {
                let ghost = format!("x{edge}");
                writeln!(
                    out,
                    "  {ghost} [label=\"{}\", shape=plaintext, style=\"\", fontcolor=red];",
                    esc(host)
                )?;
                ghost
            }
        };
        let dashed = if matches!(a.to, Target::Ghost { .. }) {
            ", style=dashed"
        } else {
            ""
        };
        match &a.rules {
            Some(r) => writeln!(
                out,
                "  n{} -> {to} [label=\"{}\\n{}\", color=red, fontcolor=red{dashed}];",
                a.from,
                a.label,
                esc(r)
            )?,
            None => writeln!(out, "  n{} -> {to} [label=\"{}\"];", a.from, a.label)?,
        }
    }
    bridge_dot(dep, out)?;
    writeln!(out, "}}")
}

/// The cross-region bridge: one edge per stream and region pair, between
/// the regions' clusters (through their first nodes), broken ones red.
fn bridge_dot(dep: &Deployment, out: &mut dyn Write) -> io::Result<()> {
    let regions: Vec<(&String, &Vec<usize>)> = dep.regions().iter().collect();
    let at = |r: &str| {
        regions
            .iter()
            .position(|(name, _)| name.as_str() == r)
            .and_then(|k| Some((k, *regions.get(k)?.1.first()?)))
    };
    for l in dep.bridge_links() {
        let (Some((ka, a)), Some((kb, b))) = (at(&l.from), at(&l.to)) else {
            continue;
        };
        let clusters = if ka == kb {
            String::new()
        } else {
            format!(", ltail=cluster_{ka}, lhead=cluster_{kb}")
        };
        if l.problems.is_empty() {
            writeln!(
                out,
                "  n{a} -> n{b} [label=\"bridge: {}\", style=bold, color=\"#6a4c93\"{clusters}];",
                esc(l.stream)
            )?;
        } else {
            writeln!(
                out,
                "  n{a} -> n{b} [label=\"bridge: {}\\n{}\", style=\"bold,dashed\", color=red, fontcolor=red{clusters}];",
                esc(l.stream),
                esc(&l.problems.join("; "))
            )?;
        }
    }
    Ok(())
}

/// Text inside a Mermaid `"…"` label (control characters shown escaped).
fn mesc(s: &str) -> String {
    terminal(s)
        .chars()
        .map(|c| match c {
            '"' => "#quot;".to_owned(),
            '<' => "#lt;".to_owned(),
            '>' => "#gt;".to_owned(),
            '#' => "#35;".to_owned(),
            '\n' | '\r' => " ".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

fn class(role: Role) -> &'static str {
    match role {
        Role::GatewayWorker => "gateway",
        Role::ControlPlane => "controlplane",
        Role::TrafficManager => "trafficmanager",
        Role::KeyManager | Role::IsKeyManager => "keymanager",
        Role::AllInOne => "allinone",
        Role::Unknown => "unknown",
    }
}

/// `apimlint graph --format mermaid`: a `flowchart` with regions as
/// subgraphs, nodes coloured by role, broken references in red.
pub fn mermaid(dep: &Deployment, diags: &[Diagnostic], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "flowchart LR")?;
    for (ri, (region, members)) in dep.regions().iter().enumerate() {
        writeln!(out, "  subgraph r{ri}[\"{}\"]", mesc(region))?;
        for i in members {
            if let Some(n) = dep.node(*i) {
                writeln!(
                    out,
                    "    n{i}[\"{}<br/>{}\"]:::{}",
                    mesc(&n.id),
                    n.role,
                    class(n.role)
                )?;
            }
        }
        for (k, s) in dep.services().iter().enumerate() {
            if s.0 == *region {
                writeln!(out, "    s{k}([\"svc/{}\"])", mesc(&s.1))?;
            }
        }
        writeln!(out, "  end")?;
    }
    let mut red = Vec::new();
    for (k, a) in arrows(dep, diags).iter().enumerate() {
        let to = match &a.to {
            Target::Node(t) => format!("n{t}"),
            Target::Ghost { edge, host } => format!("x{edge}[\"{}\"]:::missing", mesc(host)),
        };
        match &a.rules {
            Some(r) => {
                red.push(k.to_string());
                let arrow = if matches!(a.to, Target::Ghost { .. }) {
                    "-.->"
                } else {
                    "-->"
                };
                writeln!(
                    out,
                    "  n{} {arrow}|\"{}<br/>{}\"| {to}",
                    a.from,
                    mesc(a.label),
                    mesc(r)
                )?;
            }
            None => writeln!(out, "  n{} -->|\"{}\"| {to}", a.from, mesc(a.label))?,
        }
    }
    // the Services' links after the arrows: `linkStyle` counts the arrows
    let mut links = arrows(dep, diags).len();
    for (k, s) in dep.services().iter().enumerate() {
        for i in &s.3 {
            writeln!(out, "  s{k} -.- n{i}")?;
            links += 1;
        }
    }
    // the cross-region bridge, region to region
    let region = |r: &str| dep.regions().keys().position(|x| x == r);
    for l in dep.bridge_links() {
        let (Some(a), Some(b)) = (region(&l.from), region(&l.to)) else {
            continue;
        };
        if l.problems.is_empty() {
            writeln!(out, "  r{a} ==>|\"bridge: {}\"| r{b}", mesc(l.stream))?;
        } else {
            red.push(links.to_string());
            writeln!(
                out,
                "  r{a} -.->|\"bridge: {}<br/>{}\"| r{b}",
                mesc(l.stream),
                mesc(&l.problems.join("; "))
            )?;
        }
        links += 1;
    }
    for role in [
        Role::GatewayWorker,
        Role::ControlPlane,
        Role::TrafficManager,
        Role::KeyManager,
        Role::AllInOne,
        Role::Unknown,
    ] {
        writeln!(
            out,
            "  classDef {} fill:{},stroke:#333,color:#000",
            class(role),
            color(role)
        )?;
    }
    writeln!(out, "  classDef missing fill:#fff,stroke:red,color:red")?;
    if !red.is_empty() {
        writeln!(out, "  linkStyle {} stroke:red,color:red", red.join(","))?;
    }
    Ok(())
}

pub fn json(dep: &Deployment, diags: &[Diagnostic], out: &mut dyn Write) -> io::Result<()> {
    let broken = broken(dep, diags);
    // a URL may carry user-info or `password=`: never shown
    let scrubber = dep.scrubber();
    let nodes: Vec<_> = dep
        .nodes()
        .iter()
        .map(|n| json!({"id": n.id, "region": n.region, "role": n.role.name()}))
        .collect();
    let edges: Vec<_> = dep
        .edges()
        .enumerate()
        .map(|(ei, e)| {
            let status = match &e.resolution {
                Resolution::Ok { .. } => "ok",
                Resolution::PartialPort { .. } => "partial-port",
                Resolution::WrongPort { .. } => "wrong-port",
                Resolution::WrongRole { .. } => "wrong-role",
                Resolution::MixedRoles { .. } => "mixed-roles",
                Resolution::NoEndpoint { .. } => "no-endpoint",
                Resolution::NearMiss { .. } => "near-miss",
                Resolution::Docker { .. } => "docker-network",
                Resolution::UnknownHost => "unknown-host",
                Resolution::Unresolvable => "unresolvable",
                Resolution::Invalid(_) => "invalid",
            };
            json!({
                "from": dep.id(e.from),
                "to": e.resolution.targets().iter().map(|t| dep.id(*t)).collect::<Vec<_>>(),
                "carries": e.kind.label(),
                "key": e.key,
                "url": scrubber.scrub(&e.url),
                "status": status,
                "cross_region": e.cross_region,
                "rules": broken.get(&ei).map(|r| r.iter().copied().collect::<Vec<_>>()).unwrap_or_default(),
            })
        })
        .collect();
    let bridge: Vec<_> = dep
        .bridge_links()
        .iter()
        .map(|l| {
            json!({"stream": l.stream, "from": l.from, "to": l.to,
            "status": if l.problems.is_empty() { "ok" } else { "broken" },
            "delivering": l.delivering.iter().map(|i| dep.id(*i)).collect::<Vec<_>>(),
            "problems": l.problems.iter().map(|p| scrubber.scrub(p)).collect::<Vec<_>>()})
        })
        .collect();
    let mut doc = json!({"version": 1, "nodes": nodes, "edges": edges, "bridge": bridge});
    // a deployment read from manifests: its Services and the nodes they select
    if !dep.services().is_empty()
        && let Some(m) = doc.as_object_mut()
    {
        m.insert(
            "services".into(),
            dep.services()
                .iter()
                .map(|(region, name, ns, nodes)| {
                    json!({"region": region, "name": name, "namespace": ns,
                    "nodes": nodes.iter().map(|i| dep.id(*i)).collect::<Vec<_>>()})
                })
                .collect(),
        );
    }
    let text = serde_json::to_string_pretty(&doc).map_err(io::Error::other)?;
    writeln!(out, "{text}")
}
