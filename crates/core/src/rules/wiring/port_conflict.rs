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
}

impl DeploymentRule for PortConflict {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let mut machines: BTreeMap<&str, Vec<NodeIdx>> = BTreeMap::new();
        for (i, n) in dep.nodes.iter().enumerate() {
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
                    });
                }
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
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
