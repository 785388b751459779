//! `unknown-host`: a URL host that no node, alias or `localhost` names.

use std::collections::{BTreeSet, HashSet};

use crate::base::diagnostic::Diagnostic;
use crate::graph::{Deployment, NodeIdx, Resolution};

declare_rule! {
    id: "unknown-host",
    severity: Info,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Deployment(check),
}

/// The lower-case alphanumeric words of a name (`wso2apim-tm-dc2` →
/// `wso2apim`, `tm`, `dc2`).
fn words(s: &str) -> BTreeSet<String> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The nodes an `apimlint.toml [hosts]` entry for `host` most likely
/// lists: the node whose id or hostname shares the most with the host
/// (a word shared by fewer nodes counts more; one every node has counts
/// nothing), or the nodes of one role in one region tied for it (a load
/// balancer over a pair); none when nothing is shared or the tie is mixed.
fn likely_nodes(dep: &Deployment, host: &str) -> Vec<NodeIdx> {
    let host_words = words(host);
    let node_words: Vec<(NodeIdx, BTreeSet<String>)> = (0..dep.nodes.len())
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
    let total = node_words.len();
    let weight: Vec<(String, f64)> = host_words
        .iter()
        .filter_map(|w| {
            let n = holders(w);
            // a word every node has tells no node apart
            #[allow(clippy::cast_precision_loss)]
            (n > 0 && n < total).then(|| (w.clone(), 1.0 / n as f64))
        })
        .collect();
    let scored: Vec<(NodeIdx, f64)> = node_words
        .iter()
        .map(|(i, ws)| {
            let s = weight
                .iter()
                .filter(|(w, _)| ws.contains(w))
                .map(|(_, x)| x)
                .sum();
            (*i, s)
        })
        .collect();
    let best = scored.iter().map(|(_, s)| *s).fold(0.0_f64, f64::max);
    if best <= 0.0 {
        return Vec::new();
    }
    let top: Vec<NodeIdx> = scored
        .iter()
        .filter(|(_, s)| (best - s).abs() < 1e-9)
        .map(|(i, _)| *i)
        .collect();
    let kinds: HashSet<(&str, crate::model::Role)> = top
        .iter()
        .filter_map(|i| dep.node(*i).map(|n| (n.region.as_str(), n.role)))
        .collect();
    if top.len() == 1 || kinds.len() == 1 {
        top
    } else {
        Vec::new()
    }
}

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for e in dep.edges() {
        if e.resolution != Resolution::UnknownHost {
            continue;
        }
        let Some(ep) = &e.endpoint else { continue };
        if !seen.insert((e.from, ep.host.clone())) {
            continue;
        }
        let likely = likely_nodes(dep, &ep.host);
        let help = if likely.is_empty() {
            format!(
                "if it is a load balancer or DNS name, declare the nodes it reaches in apimlint.toml: `[hosts] \"{}\" = [\"<node id>\", …]`",
                ep.host
            )
        } else {
            let ids: Vec<String> = likely
                .iter()
                .map(|i| format!("\"{}\"", dep.id(*i)))
                .collect();
            format!(
                "if it is a load balancer or DNS name, declare it in apimlint.toml: `[hosts] \"{}\" = [{}]`",
                ep.host,
                ids.join(", ")
            )
        };
        acc.push(
            Diagnostic::new(
                &RULE,
                dep.file(e.from),
                e.host_span.clone(),
                format!(
                    "host `{}` names no node of this deployment: it cannot be checked",
                    ep.host
                ),
            )
            .help(help)
            .key(e.key.clone(), Some(&ep.host)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_punctuation() {
        let w: Vec<String> = words("WSO2apim-tm-dc2.example.com").into_iter().collect();
        assert_eq!(w, ["com", "dc2", "example", "tm", "wso2apim"]);
    }
}
