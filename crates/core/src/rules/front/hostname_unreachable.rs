//! `hostname-unreachable`: `[server] hostname` of a node that serves users
//! is a name they reach it by.

use std::collections::HashMap;

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Fix};
use crate::endpoint;
use crate::graph::{Deployment, Front, NodeIdx};
use crate::model::Role;
use crate::rules::DeploymentRule;

use super::{front_hosts, placeholder, serves};

declare_rule! {
    id: "hostname-unreachable",
    severity: Warning,
    roles: [ControlPlane, AllInOne, GatewayWorker],
    fix: Sometimes,
    since: "0.2.0",
    check: Deployment(HostnameUnreachable),
}

pub(crate) struct HostnameUnreachable;

pub(crate) struct State {
    node: NodeIdx,
    how: How,
}

enum How {
    /// Fronts serve the node under host names, none of them the hostname.
    NotServed(Vec<Front>),
    /// `localhost` or an IP literal where users cannot reach it.
    Local { ip: bool, nodes: usize },
    /// No front serves the node, but one serves its hostname to nodes of
    /// another role (the gateways' Ingress host written on a control plane).
    Elsewhere { what: String, nodes: Vec<NodeIdx> },
}

/// Exact host names (not wildcards) the fronts of each region serve, with
/// the nodes they lead to and what serves them: built once per run.
type Served<'d> = HashMap<(&'d str, &'d str), Vec<(NodeIdx, &'d str)>>;

fn served_names<'d>(dep: &'d Deployment, fronts: &'d [Vec<Front>]) -> Served<'d> {
    let mut out: Served<'d> = HashMap::new();
    for (j, fs) in fronts.iter().enumerate() {
        let Some(n) = dep.node(j) else { continue };
        for f in fs {
            for h in f.hosts.iter().filter(|h| !h.starts_with('*')) {
                let to = out.entry((n.region.as_str(), h.as_str())).or_default();
                if !to.iter().any(|(k, _)| *k == j) {
                    to.push((j, f.what.as_str()));
                }
            }
        }
    }
    out
}

/// The front (and the nodes it leads to) that serves `host` by name to
/// nodes of `i`'s region whose role is not `i`'s; `None` when there is none.
fn served_elsewhere(
    dep: &Deployment,
    served: &Served<'_>,
    i: NodeIdx,
    host: &str,
) -> Option<(String, Vec<NodeIdx>)> {
    let n = dep.node(i)?;
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let to: Vec<(NodeIdx, &str)> = served
        .get(&(n.region.as_str(), host.as_str()))?
        .iter()
        .filter(|(j, _)| *j != i && dep.node(*j).is_some_and(|m| m.role != n.role))
        .copied()
        .collect();
    let (_, what) = to.first()?;
    Some(((*what).to_owned(), to.iter().map(|(j, _)| *j).collect()))
}

/// Whether a host is an IP literal (`10.0.0.5`, `[::1]`).
fn ip_literal(host: &str) -> bool {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .is_ok()
}

/// Whether users could be on the node's own machine: every node shares
/// one `machine` (`apimlint.toml`), or a loopback hostname of a Compose
/// service that publishes the port users open on the Docker host (the
/// servlet port of a control plane or all-in-one, an API port of a
/// gateway).
fn local_users(dep: &Deployment, i: NodeIdx, loopback: bool, fronts: &[Front]) -> bool {
    let mut machines = dep.nodes().iter().map(|n| n.machine.as_deref());
    let first = machines.next().flatten();
    let one_machine = first.is_some() && machines.all(|m| m == first);
    let Some(n) = dep.node(i) else {
        return one_machine;
    };
    let compose = n
        .origin
        .as_ref()
        .and_then(|o| o.workload.as_ref())
        .is_some_and(|w| w.compose.is_some());
    let served: Vec<i64> = match n.role {
        Role::GatewayWorker => vec![n.port(8243), n.port(8280), n.port(9443)],
        _ => vec![n.port(9443)],
    };
    let published = fronts
        .iter()
        .flat_map(|f| &f.via)
        .any(|v| served.contains(&v.container));
    one_machine || (loopback && compose && published)
}

impl DeploymentRule for HostnameUnreachable {
    type State<'d> = State;

    fn run(dep: &Deployment) -> Vec<State> {
        let members: usize = dep
            .nodes()
            .iter()
            .filter(|n| n.is_analysable())
            .map(crate::graph::Node::members)
            .sum();
        // single-node and all-in-one deployments keep `localhost`
        let distributed = members > 1
            && dep
                .nodes()
                .iter()
                .any(|n| matches!(n.role, Role::ControlPlane | Role::GatewayWorker));
        // what stands in front of each node, once
        let all_fronts: Vec<Vec<Front>> = (0..dep.nodes().len()).map(|j| dep.fronts(j)).collect();
        let served = served_names(dep, &all_fronts);
        let mut out = Vec::new();
        for (i, n) in RULE.subjects(dep) {
            let Some(h) = &n.facts.hostname else { continue };
            let host = h.value.trim();
            if host.is_empty() || placeholder(host) {
                continue;
            }
            let fronts: &[Front] = all_fronts.get(i).map_or(&[], Vec::as_slice);
            let named: Vec<Front> = fronts
                .iter()
                .filter(|f| !f.hosts.is_empty())
                .cloned()
                .collect();
            if !named.is_empty() {
                if !named.iter().flat_map(|f| &f.hosts).any(|f| serves(f, host)) {
                    out.push(State {
                        node: i,
                        how: How::NotServed(named),
                    });
                }
                continue;
            }
            if let Some((what, nodes)) = served_elsewhere(dep, &served, i, host) {
                out.push(State {
                    node: i,
                    how: How::Elsewhere { what, nodes },
                });
                continue;
            }
            let loopback = endpoint::is_loopback_host(host);
            let ip = ip_literal(host);
            if distributed && (loopback || ip) && !local_users(dep, i, loopback, fronts) {
                out.push(State {
                    node: i,
                    how: How::Local { ip, nodes: members },
                });
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State) -> Diagnostic {
        let Some(n) = dep.node(s.node) else {
            return Diagnostic::new(&RULE, dep.file(s.node), 0..0, "?");
        };
        let h = n.facts.hostname.as_ref();
        let host = h.map_or("", |h| h.value.as_str());
        let span = h.map_or_else(|| n.anchor(), |h| h.span.clone());
        let d = match &s.how {
            How::NotServed(fronts) => {
                let served: Vec<String> = fronts.iter().map(describe).collect();
                let hosts = front_hosts(fronts);
                let mut d = Diagnostic::new(
                    &RULE,
                    n.file,
                    span,
                    format!(
                        "{}; portals will redirect users to `{host}`, which does not lead there",
                        served.join("; ")
                    ),
                );
                if let [one] = hosts.as_slice() {
                    d = d.help(format!(
                        "set `[server] hostname` to `{one}`, the name users reach this node by"
                    ));
                } else if !hosts.is_empty() {
                    d = d.help(format!(
                        "set `[server] hostname` to the name users reach this node by: {}",
                        crate::base::text::code_list(hosts.iter().copied())
                    ));
                }
                d
            }
            How::Local { ip, nodes } => Diagnostic::new(
                &RULE,
                n.file,
                span,
                format!(
                    "`[server] hostname` is {}`{host}` in a deployment of {nodes} nodes: portals redirect users to it, and from their machines it does not lead to this {}",
                    if *ip { "the IP address " } else { "" },
                    n.role.name()
                ),
            )
            .help("set the DNS name users reach this node by (its load balancer's name, shared by its HA peers); `node_ip` is where the node's own address belongs"),
            How::Elsewhere { what, nodes } => {
                let to = crate::base::text::code_list(nodes.iter().map(|j| dep.id(*j)));
                let role = nodes
                    .first()
                    .and_then(|j| dep.node(*j))
                    .map_or("other", |m| m.role.name());
                let mut d = Diagnostic::new(
                    &RULE,
                    n.file,
                    span,
                    format!(
                        "{what} serves `{host}` to {to} ({role}), not to this {}: portals will redirect users to `{host}`, which leads there",
                        n.role.name()
                    ),
                )
                .help("set `[server] hostname` to the name users reach this node by, and serve it (an Ingress rule, a Route) to this node");
                for j in nodes.iter().take(3) {
                    d = crate::rules::related_node(d, dep, *j, role);
                }
                d
            }
        };
        d.key("server.hostname", Some(host))
    }

    fn action(dep: &Deployment, s: &State) -> Option<Fix> {
        let How::NotServed(fronts) = &s.how else {
            return None;
        };
        let n = dep.node(s.node)?;
        let h = n.facts.hostname.as_ref()?;
        match front_hosts(fronts).as_slice() {
            [one] => Some(Fix::replace_with_string(
                n.file,
                h.span.clone(),
                one,
                Applicability::Safe,
            )),
            _ => None,
        }
    }
}

/// "the Ingress `apim` serves `apim.r1.example.com` on 443".
fn describe(f: &Front) -> String {
    let hosts = crate::base::text::code_list(f.hosts.iter().map(String::as_str));
    match f.via.iter().find_map(|v| v.https) {
        Some(p) => format!("{} serves this node as {hosts} on {p}", f.what),
        None => format!("{} serves this node as {hosts}", f.what),
    }
}
