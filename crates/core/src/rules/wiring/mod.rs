//! Rules about how the nodes of a region reach each other. The shared
//! mechanism is [`unreachable`]: one description of a badly resolved edge,
//! used by every rule that owns some URL keys.

pub(crate) mod environment_without_gateway;
pub(crate) mod event_duplicate_asymmetric;
pub(crate) mod event_hub_publish_incomplete;
pub(crate) mod event_hub_unreachable;
pub(crate) mod event_listening_incomplete;
pub(crate) mod gateway_connection_disabled;
pub(crate) mod gateway_environment_unreachable;
pub(crate) mod gateway_label_unmatched;
pub(crate) mod key_manager_unreachable;
pub(crate) mod pairing;
pub(crate) mod port_conflict;
pub(crate) mod revocation_endpoint_unreachable;
pub(crate) mod throttle_url_group_incomplete;
pub(crate) mod throttle_url_unreachable;
pub(crate) mod token_revocation_listener_missing;
pub(crate) mod unknown_host;
pub(crate) mod url_path_mismatch;

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit, Fix};
use crate::graph::{Deployment, Edge, NodeIdx, Resolution};
use crate::rules::Rule;

pub(crate) static RULES: &[&Rule] = &[
    &gateway_label_unmatched::RULE,
    &environment_without_gateway::RULE,
    &event_duplicate_asymmetric::RULE,
    &throttle_url_unreachable::RULE,
    &throttle_url_group_incomplete::RULE,
    &event_hub_unreachable::RULE,
    &event_hub_publish_incomplete::RULE,
    &event_listening_incomplete::RULE,
    &key_manager_unreachable::RULE,
    &revocation_endpoint_unreachable::RULE,
    &gateway_environment_unreachable::RULE,
    &token_revocation_listener_missing::RULE,
    &url_path_mismatch::RULE,
    &port_conflict::RULE,
    &gateway_connection_disabled::RULE,
    &unknown_host::RULE,
];

/// Where to point at in a target node to explain its port: its offset, its
/// port key, else its hostname.
pub(crate) fn port_site(
    dep: &Deployment,
    target: NodeIdx,
    default_port: u16,
) -> (std::ops::Range<usize>, String) {
    let Some(n) = dep.node(target) else {
        return (0..0, String::new());
    };
    if let Some(p) = n.facts.ports.get(&default_port) {
        return (
            p.span.clone(),
            format!(
                "{} sets the port to {} (+ offset {})",
                n.id, p.value, n.offset
            ),
        );
    }
    if let Some(o) = n.facts.offset.as_ref().filter(|o| o.value != 0) {
        return (
            o.span.clone(),
            format!("{} runs with `offset = {}`", n.id, o.value),
        );
    }
    let msg = if n.offset != 0 {
        format!(
            "{} runs with `port_offset = {}` (apimlint.toml)",
            n.id, n.offset
        )
    } else {
        format!("{} listens on the default port", n.id)
    };
    (super::host_span(n), msg)
}

/// The finding for an edge that does not reach what its key needs, or `None`
/// when it does (or when another rule owns the problem: unknown hosts,
/// placeholders, cross-region references).
pub(crate) fn unreachable(rule: &Rule, dep: &Deployment, e: &Edge) -> Option<Diagnostic> {
    let key_leaf = e.key.rsplit('.').next().unwrap_or(&e.key);
    let base = |range: std::ops::Range<usize>, msg: String| {
        Diagnostic::new(rule, dep.file(e.from), range, msg).key(e.key.clone(), Some(&e.url))
    };
    if let Resolution::Invalid(why) = &e.resolution {
        return Some(base(
            e.span.clone(),
            format!("`{key_leaf}` is not a valid URL: {why}"),
        ));
    }
    if !e.scheme_ok {
        let ep = e.endpoint.as_ref()?;
        let want = e.kind.schemes().first().copied().unwrap_or("tcp");
        let start = e.span.start + usize::from(e.span.len() >= 2);
        let range = start..start + ep.scheme.len();
        let d = base(
            range.clone(),
            format!("`{key_leaf}` must use `{want}://`, not `{}://`", ep.scheme),
        )
        .help(format!(
            "WSO2 connects to port {} + offset with `{want}://` here",
            e.kind.port()
        ));
        let literal =
            dep.node(e.from).and_then(|n| n.text.get(range.clone())) == Some(ep.scheme.as_str());
        return Some(if literal {
            d.fix(Fix {
                title: format!("Use `{want}://`"),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    file: dep.file(e.from),
                    range,
                    new_text: want.to_owned(),
                }],
            })
        } else {
            d
        });
    }
    if e.cross_region {
        return None;
    }
    let host = e.endpoint.as_ref().map_or("", |ep| ep.host.as_str());
    match &e.resolution {
        Resolution::NearMiss { suggestions } => {
            let d = base(
                e.host_span.clone(),
                format!("host `{host}` in `{key_leaf}` names no node of this deployment"),
            )
            .help(did_you_mean_any(suggestions));
            // a fix only where the intended host is unambiguous
            Some(match suggestions.as_slice() {
                [one] => d.fix(Fix {
                    title: format!("Replace with `{one}`"),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        file: dep.file(e.from),
                        range: e.host_span.clone(),
                        new_text: one.clone(),
                    }],
                }),
                _ => d,
            })
        }
        Resolution::WrongRole { found } => {
            let mut d = base(
                e.host_span.clone(),
                format!(
                    "`{}` reaches {} ({}), not a {}",
                    e.url,
                    super::node_list(dep, found.iter().copied()),
                    found
                        .first()
                        .and_then(|i| dep.node(*i))
                        .map_or("?", |n| n.role.name()),
                    e.expected_roles()
                ),
            );
            for t in found.iter().take(3) {
                if let Some(n) = dep.node(*t) {
                    d = d.related(
                        dep.file(*t),
                        n.anchor(),
                        format!("{} is a {}", n.id, n.role),
                    );
                }
            }
            Some(d)
        }
        Resolution::WrongPort {
            port,
            expected,
            placeholder,
        } => {
            let range = e.port_span.clone().unwrap_or_else(|| e.host_span.clone());
            let listens = expected
                .iter()
                .map(|(i, p)| format!("`{}` listens on {p}", dep.id(*i)))
                .collect::<Vec<_>>()
                .join(", ");
            let msg = match placeholder {
                Some(ph) => {
                    format!("`${{{ph}}}` resolves with this node's offset to {port}, but {listens}")
                }
                None => format!("`{}` uses port {port}, but {listens}", e.url),
            };
            let mut d = base(range.clone(), msg).help(format!(
                "the port is {} + the target's `[server] offset`",
                e.kind.port()
            ));
            for (t, _) in expected.iter().take(3) {
                let (span, msg) = port_site(dep, *t, e.kind.port());
                d = d.related(dep.file(*t), span, msg);
            }
            let ports: std::collections::BTreeSet<i64> = expected.iter().map(|x| x.1).collect();
            let literal = placeholder.is_none() && e.port_span.is_some();
            if let (true, Some(p), 1) = (literal, ports.first(), ports.len()) {
                d = d.fix(Fix {
                    title: format!("Use port {p}"),
                    // the target's offset may be the real mistake
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        file: dep.file(e.from),
                        range,
                        new_text: p.to_string(),
                    }],
                });
            }
            Some(d)
        }
        Resolution::PartialPort { ok, wrong, port } => {
            let mut d = base(
                e.port_span.clone().unwrap_or_else(|| e.host_span.clone()),
                format!(
                    "host `{host}` names {} nodes but only {} listen on port {port}; {}",
                    ok.len() + wrong.len(),
                    super::node_list(dep, ok.iter().copied()),
                    wrong
                        .iter()
                        .map(|(i, p)| format!("`{}` listens on {p}", dep.id(*i)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .help(
                "give each node its own URL, or make the nodes behind one host name use one offset",
            );
            for (t, _) in wrong.iter().take(3) {
                let (span, msg) = port_site(dep, *t, e.kind.port());
                d = d.related(dep.file(*t), span, msg);
            }
            Some(d)
        }
        Resolution::Ok { .. }
        | Resolution::UnknownHost
        | Resolution::Unresolvable
        | Resolution::Invalid(_) => None,
    }
}

/// "did you mean `a`?", or "did you mean `a` or `b`?" for several names.
pub(crate) fn did_you_mean_any(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!("did you mean {} or {last}?", rest.join(", "))
        }
        Some((last, _)) => format!("did you mean {last}?"),
        None => String::new(),
    }
}
