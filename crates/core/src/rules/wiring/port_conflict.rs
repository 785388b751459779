//! `port-conflict`: nodes on one machine do not listen on the same port.

use std::collections::{BTreeMap, BTreeSet};

use crate::base::diagnostic::Diagnostic;
use crate::graph::{Deployment, Node, NodeIdx};
use crate::model::PORT_KEYS;
use crate::rules::{DeploymentRule, node_list};

declare_rule! {
    id: "port-conflict",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Deployment(PortConflict),
}

/// The ports every API-M node opens (each moves with the offset).
fn ports(dep: &Deployment, i: NodeIdx) -> BTreeSet<i64> {
    dep.node(i).map_or_else(BTreeSet::new, |n| {
        PORT_KEYS.iter().map(|(p, _)| n.port(*p)).collect()
    })
}

pub(crate) struct PortConflict;

/// Node `b` of `machine` listens on ports that nodes before it on the
/// machine (`clashes`, with the ports in common) listen on too. `nodes`: every
/// node of the machine.
pub(crate) struct State<'d> {
    machine: &'d str,
    nodes: Vec<NodeIdx>,
    b: NodeIdx,
    node: &'d Node,
    clashes: Vec<(NodeIdx, Vec<i64>)>,
    /// The clash is of published ports on one Docker host (`machine`: the
    /// Compose file), not of listening ports on one machine.
    docker: bool,
}

impl DeploymentRule for PortConflict {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let mut machines: BTreeMap<&str, Vec<NodeIdx>> = BTreeMap::new();
        for (i, n) in dep.nodes().iter().enumerate() {
            if let (Some(m), true) = (&n.machine, n.is_analysable()) {
                machines.entry(m.as_str()).or_default().push(i);
            }
        }
        let mut out = Vec::new();
        for (machine, nodes) in machines {
            for (k, &b) in nodes.iter().enumerate() {
                let Some(node) = dep.node(b) else { continue };
                let mine = ports(dep, b);
                let clashes: Vec<(NodeIdx, Vec<i64>)> = nodes
                    .iter()
                    .take(k)
                    .map(|&a| {
                        (
                            a,
                            ports(dep, a)
                                .intersection(&mine)
                                .copied()
                                .collect::<Vec<_>>(),
                        )
                    })
                    .filter(|(_, common)| !common.is_empty())
                    .collect();
                if !clashes.is_empty() {
                    out.push(State {
                        machine,
                        nodes: nodes.clone(),
                        b,
                        node,
                        clashes,
                        docker: false,
                    });
                }
            }
        }
        out.extend(published_clashes(dep));
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        if s.docker {
            return published_diagnostic(dep, s);
        }
        let (machine, b, node, clashes) = (s.machine, s.b, s.node, &s.clashes);
        let mut common: BTreeSet<i64> = BTreeSet::new();
        for (_, c) in clashes {
            common.extend(c.iter().copied());
        }
        let shown: Vec<String> = common.iter().take(4).map(i64::to_string).collect();
        let range = node
            .facts
            .offset
            .as_ref()
            .map_or_else(|| node.anchor(), |o| o.span.clone());
        let offset_note = if node.facts.offset.is_some() || node.offset != 0 {
            format!("offset {}", node.offset)
        } else {
            "no offset".to_owned()
        };
        let others = node_list(dep, clashes.iter().map(|(a, _)| *a));
        let base: Vec<i64> = PORT_KEYS
            .iter()
            .map(|(p, _)| node.port(*p) - node.offset)
            .collect();
        let taken: BTreeSet<i64> = s
            .nodes
            .iter()
            .filter(|x| **x != b)
            .flat_map(|x| ports(dep, *x))
            .collect();
        let free = (1..1000)
            .find(|o: &i64| base.iter().all(|p| !taken.contains(&(p + o))))
            .unwrap_or(1);
        let mut d = Diagnostic::new(
            &RULE,
            dep.file(b),
            range,
            format!(
                "`{}` ({offset_note}) and {others} run on machine `{machine}` and {} listen on {}{}",
                node.id,
                if clashes.len() == 1 { "both" } else { "all" },
                shown.join(", "),
                if common.len() > 4 {
                    format!(" and {} more ports", common.len() - 4)
                } else {
                    String::new()
                }
            ),
        )
        .help(format!(
            "give each node on one machine its own `[server] offset` (e.g. `offset = {free}` here) and update the URLs that reach it"
        ))
        .key("server.offset", Some(machine));
        if let Some((first, _)) = clashes.first()
            && let Some(n) = dep.node(*first)
        {
            let span = n
                .facts
                .offset
                .as_ref()
                .map_or_else(|| n.anchor(), |o| o.span.clone());
            d = d.related(
                dep.file(*first),
                span,
                format!("`{}` runs on `{machine}` with offset {}", n.id, n.offset),
            );
        }
        d
    }
}

/// The host ports a Compose service publishes, with the host IP (`""`: all).
fn binds(n: &Node) -> Option<(&str, &[(String, i64)])> {
    let net = n.origin.as_ref()?.workload.as_ref()?.compose.as_ref()?;
    Some((net.project.to_str()?, &net.binds))
}

/// Two services of one Compose project (one Docker host) publishing the
/// same host port on the same address (or one on every address): Docker
/// binds a host port once, the second container does not start ("port is
/// already allocated"; https://docs.docker.com/engine/network/#published-ports).
fn published_clashes(dep: &Deployment) -> Vec<State<'_>> {
    let mut projects: BTreeMap<&str, Vec<NodeIdx>> = BTreeMap::new();
    for (i, n) in dep.nodes().iter().enumerate() {
        if let Some((p, b)) = binds(n)
            && !b.is_empty()
        {
            projects.entry(p).or_default().push(i);
        }
    }
    let clash = |a: &[(String, i64)], b: &[(String, i64)]| -> Vec<i64> {
        let mut ports: Vec<i64> = a
            .iter()
            .filter(|(ia, pa)| {
                b.iter()
                    .any(|(ib, pb)| pa == pb && (ia == ib || ia.is_empty() || ib.is_empty()))
            })
            .map(|(_, p)| *p)
            .collect();
        ports.sort_unstable();
        ports.dedup();
        ports
    };
    let mut out = Vec::new();
    for (project, nodes) in projects {
        for (k, &b) in nodes.iter().enumerate() {
            let Some((node, (_, mine))) = dep.node(b).and_then(|n| Some((n, binds(n)?))) else {
                continue;
            };
            let clashes: Vec<(NodeIdx, Vec<i64>)> = nodes
                .iter()
                .take(k)
                .filter_map(|&a| Some((a, clash(binds(dep.node(a)?)?.1, mine))))
                .filter(|(_, c)| !c.is_empty())
                .collect();
            if !clashes.is_empty() {
                out.push(State {
                    machine: project,
                    nodes: nodes.clone(),
                    b,
                    node,
                    clashes,
                    docker: true,
                });
            }
        }
    }
    out
}

fn published_diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
    let svc = |i: NodeIdx| {
        dep.node(i)
            .and_then(|n| n.origin.as_ref())
            .map_or_else(|| dep.id(i).to_owned(), |o| o.name.clone())
    };
    let mut common: BTreeSet<i64> = BTreeSet::new();
    for (_, c) in &s.clashes {
        common.extend(c.iter().copied());
    }
    let shown: Vec<String> = common.iter().map(i64::to_string).collect();
    let others: Vec<String> = s
        .clashes
        .iter()
        .map(|(a, _)| format!("`{}`", svc(*a)))
        .collect();
    let file = std::path::Path::new(s.machine)
        .file_name()
        .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
    Diagnostic::new(
        &RULE,
        dep.file(s.b),
        s.node.anchor(),
        format!(
            "the Compose service `{}` publishes host port{} {} that {} of the same project (`{file}`) already publish{}: Docker binds a host port once, so one of the containers does not start",
            svc(s.b),
            if common.len() == 1 { "" } else { "s" },
            shown.join(", "),
            others.join(", "),
            if others.len() == 1 { "es" } else { "" },
        ),
    )
    .help("give each service its own host port in `ports` (e.g. `8281:8280`), or bind them to different host IPs")
    .key("server.offset", None)
}
