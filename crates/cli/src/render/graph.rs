//! `apimlint graph`: the resolved node graph, regions as clusters, nodes by
//! role, edges labelled by what they carry, broken references marked.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use apimlint_core::{Deployment, Diagnostic, Resolution, Role};
use serde_json::json;

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

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// For each edge index, the rules that reported on its URL.
fn broken(dep: &Deployment, diags: &[Diagnostic]) -> BTreeMap<usize, BTreeSet<&'static str>> {
    let mut out: BTreeMap<usize, BTreeSet<&'static str>> = BTreeMap::new();
    for (ei, e) in dep.edges.iter().enumerate() {
        for d in diags.iter().filter(|d| {
            d.file == e.from && d.range.start >= e.span.start && d.range.end <= e.span.end
        }) {
            out.entry(ei).or_default().insert(d.rule);
        }
    }
    out
}

pub fn dot(dep: &Deployment, diags: &[Diagnostic], out: &mut dyn Write) -> io::Result<()> {
    let broken = broken(dep, diags);
    writeln!(
        out,
        "digraph apimlint {{\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];"
    )?;
    for (ri, (region, members)) in dep.regions.iter().enumerate() {
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
        writeln!(out, "  }}")?;
    }
    // one arrow per (from, to, what), broken ones in red with their rule ids
    let mut seen = BTreeSet::new();
    for (ei, e) in dep.edges.iter().enumerate() {
        let rules = broken.get(&ei);
        let targets = e.resolution.targets();
        let red = rules.map(|r| r.iter().copied().collect::<Vec<_>>().join(", "));
        if targets.is_empty() {
            if let (Some(r), Some(ep)) = (&red, &e.endpoint) {
                let ghost = format!("x{ei}");
                writeln!(
                    out,
                    "  {ghost} [label=\"{}\", shape=plaintext, style=\"\", fontcolor=red];",
                    esc(&ep.host)
                )?;
                writeln!(
                    out,
                    "  n{} -> {ghost} [label=\"{}\\n{}\", color=red, fontcolor=red, style=dashed];",
                    e.from,
                    e.kind.label(),
                    esc(r)
                )?;
            }
            continue;
        }
        for t in targets {
            if t == e.from && red.is_none() {
                continue;
            }
            if !seen.insert((e.from, t, e.kind.label(), red.clone())) {
                continue;
            }
            match &red {
                Some(r) => writeln!(
                    out,
                    "  n{} -> n{t} [label=\"{}\\n{}\", color=red, fontcolor=red];",
                    e.from,
                    e.kind.label(),
                    esc(r)
                )?,
                None => writeln!(out, "  n{} -> n{t} [label=\"{}\"];", e.from, e.kind.label())?,
            }
        }
    }
    writeln!(out, "}}")
}

pub fn json(dep: &Deployment, diags: &[Diagnostic], out: &mut dyn Write) -> io::Result<()> {
    let broken = broken(dep, diags);
    let nodes: Vec<_> = dep
        .nodes
        .iter()
        .map(|n| json!({"id": n.id, "region": n.region, "role": n.role.name()}))
        .collect();
    let edges: Vec<_> = dep
        .edges
        .iter()
        .enumerate()
        .map(|(ei, e)| {
            let status = match &e.resolution {
                Resolution::Ok { .. } => "ok",
                Resolution::PartialPort { .. } => "partial-port",
                Resolution::WrongPort { .. } => "wrong-port",
                Resolution::WrongRole { .. } => "wrong-role",
                Resolution::NearMiss { .. } => "near-miss",
                Resolution::UnknownHost => "unknown-host",
                Resolution::Unresolvable => "unresolvable",
                Resolution::Invalid(_) => "invalid",
            };
            json!({
                "from": dep.id(e.from),
                "to": e.resolution.targets().iter().map(|t| dep.id(*t)).collect::<Vec<_>>(),
                "carries": e.kind.label(),
                "key": e.key,
                "url": e.url,
                "status": status,
                "cross_region": e.cross_region,
                "rules": broken.get(&ei).map(|r| r.iter().copied().collect::<Vec<_>>()).unwrap_or_default(),
            })
        })
        .collect();
    let text = serde_json::to_string_pretty(&json!({"version": 1, "nodes": nodes, "edges": edges}))
        .map_err(io::Error::other)?;
    writeln!(out, "{text}")
}
