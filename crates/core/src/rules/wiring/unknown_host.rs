//! `unknown-host`: a URL host that no node, alias or `localhost` names.

use std::collections::{BTreeSet, HashSet};

use crate::base::diagnostic::Diagnostic;
use crate::graph::{Deployment, Edge, NodeIdx, Resolution};
use crate::model::Role;
use crate::rules::DeploymentRule;

declare_rule! {
    id: "unknown-host",
    severity: Info,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Deployment(UnknownHost),
}

/// The lower-case alphanumeric words of a name, and its dot- or
/// slash-separated parts (`tm-2.r2.example.com` → `tm`, `2`, `r2`,
/// `example`, `com`, `tm-2`): a host's first label then matches a node
/// id's last component as a whole (`tm-2`, not the `2` of `region-2`).
fn words(s: &str) -> BTreeSet<String> {
    let s = s.to_ascii_lowercase();
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .chain(s.split(['.', '/']))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The nodes an `apimlint.toml [hosts]` entry for `host` most likely
/// lists: those whose id or hostname hold every word of the host that tells
/// nodes apart (one some nodes have and others not: `tm`, `dc2` of
/// `wso2apim-tm-dc2`), when that is one node or the nodes of one role in
/// one region (a load balancer over a pair); none otherwise — a host whose
/// words point at different nodes (`tm-2.r2…` where only `region-1/tm-2`
/// and `region-2/tm-1` exist) gets no guess.
fn likely_nodes(dep: &Deployment, host: &str) -> Vec<NodeIdx> {
    let node_words: Vec<(NodeIdx, BTreeSet<String>)> = (0..dep.nodes().len())
        .filter_map(|i| {
            let n = dep.node(i)?;
            let mut w = words(&n.id);
            if let Some(h) = &n.facts.hostname {
                w.extend(words(&h.value));
            }
            Some((i, w))
        })
        .collect();
    let holders = |w: &String| node_words.iter().filter(|(_, ws)| ws.contains(w)).count();
    let telling: Vec<String> = words(host)
        .into_iter()
        .filter(|w| (1..node_words.len()).contains(&holders(w)))
        .collect();
    if telling.is_empty() {
        return Vec::new();
    }
    let top: Vec<NodeIdx> = node_words
        .iter()
        .filter(|(_, ws)| telling.iter().all(|w| ws.contains(w)))
        .map(|(i, _)| *i)
        .collect();
    let kinds: HashSet<(&str, Role)> = top
        .iter()
        .filter_map(|i| dep.node(*i).map(|n| (n.region.as_str(), n.role)))
        .collect();
    let one_kind =
        kinds.len() == 1 && (top.len() == 1 || !kinds.iter().any(|k| k.1 == Role::Unknown));
    if one_kind { top } else { Vec::new() }
}

pub(crate) struct UnknownHost;

/// A host no node names, as the first URL of a node that writes it.
pub(crate) struct State<'d> {
    edge: &'d Edge,
    host: &'d str,
}

impl DeploymentRule for UnknownHost {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for e in dep.edges() {
            if e.resolution != Resolution::UnknownHost {
                continue;
            }
            let Some(ep) = &e.endpoint else { continue };
            if !seen.insert((e.from, ep.host.clone())) {
                continue;
            }
            out.push(State {
                edge: e,
                host: &ep.host,
            });
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let (e, host) = (s.edge, s.host);
        let likely = likely_nodes(dep, host);
        let help = if likely.is_empty() {
            format!(
                "if it is a load balancer or DNS name, declare the nodes it reaches in apimlint.toml: `[hosts] \"{host}\" = [\"<node id>\", …]`"
            )
        } else {
            let ids: Vec<String> = likely
                .iter()
                .map(|i| format!("\"{}\"", dep.id(*i)))
                .collect();
            format!(
                "if it is a load balancer or DNS name, declare it in apimlint.toml: `[hosts] \"{host}\" = [{}]`",
                ids.join(", ")
            )
        };
        Diagnostic::new(
            &RULE,
            dep.file(e.from),
            e.host_span.clone(),
            format!("host `{host}` names no node of this deployment: it cannot be checked"),
        )
        .help(help)
        .key(e.key.clone(), Some(host))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::graph::SourceFile;
    use std::path::Path;

    /// The multi-DC simulator's layout (`cp/dc1`, `tm/dc2`…), every node
    /// `hostname = "localhost"`, no `[hosts]`.
    fn simulator() -> Deployment {
        let root = Path::new("/sim");
        let files = ["cp", "gw", "tm"]
            .iter()
            .flat_map(|role| {
                ["dc1", "dc2"].iter().map(move |dc| {
                    let server_role = match *role {
                        "cp" => "control-plane",
                        "gw" => "gateway-worker",
                        _ => "traffic-manager",
                    };
                    SourceFile::plain(
                        root.join(format!("{role}/{dc}/repository/conf/deployment.toml")),
                        Ok(format!(
                            "[server]\nhostname = \"localhost\"\nserver_role = \"{server_role}\"\n"
                        )),
                    )
                })
            })
            .collect();
        Deployment::build(root, Config::default(), files)
    }

    #[test]
    fn the_suggested_node_is_the_one_the_host_names() {
        let dep = simulator();
        let ids = |host: &str| -> Vec<String> {
            likely_nodes(&dep, host)
                .into_iter()
                .map(|i| dep.id(i).to_owned())
                .collect()
        };
        assert_eq!(ids("wso2apim-tm-dc2"), ["tm/dc2"]);
        assert_eq!(ids("wso2apim-cp-dc1"), ["cp/dc1"]);
        // a region the tree does not hold: no guess
        assert!(ids("wso2apim-tm-dc3").is_empty());
        // words every node has tell nothing
        assert!(ids("localhost.example.org").is_empty());
        // the words point at nodes of different roles: no guess
        assert!(ids("dc1").is_empty());
        // one role in two regions: no guess either
        assert!(ids("wso2apim-tm").is_empty());
    }

    #[test]
    fn words_split_on_punctuation() {
        let w: Vec<String> = words("WSO2apim-tm-dc2.example.com").into_iter().collect();
        assert_eq!(
            w,
            ["com", "dc2", "example", "tm", "wso2apim", "wso2apim-tm-dc2"]
        );
        assert!(words("region-2/tm-2").contains("tm-2"));
    }
}
