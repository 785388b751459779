//! Rules about how the nodes of a region reach each other. The shared
//! mechanism is [`Unreachable`]: one description of a badly resolved edge,
//! in three steps ([`problem`], [`describe`], [`repair`]), used by every rule
//! that owns some URL keys.

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

use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit, Fix};
use crate::graph::{Deployment, Edge, NoEndpoint, NodeIdx, Resolution};
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

/// How an edge fails to reach what its key needs: the state of every rule
/// that owns some URL keys ([`problem`] finds it, [`describe`] says it,
/// [`repair`] fixes it).
pub(crate) struct Unreachable<'d> {
    edge: &'d Edge,
    how: How<'d>,
}

enum How<'d> {
    /// The value is not a URL.
    Invalid(&'d str),
    /// The scheme is not the one the key needs (`want`): at `range`, and
    /// written literally there.
    Scheme {
        scheme: &'d str,
        want: &'static str,
        range: Range<usize>,
        literal: bool,
    },
    /// The host names no node but is close to some.
    NearMiss(&'d [String]),
    /// A Compose name or published port the writer's container cannot use.
    Docker(&'d str),
    /// The host names nodes, none of the expected role.
    WrongRole(&'d [NodeIdx]),
    /// No node of the expected role listens on the port.
    WrongPort {
        port: i64,
        expected: &'d [(NodeIdx, i64)],
        placeholder: Option<&'d str>,
        /// The URL's own port, mapped to `port` by a Service or a Compose
        /// published port.
        mapped_from: Option<i64>,
    },
    /// Some of the host's nodes listen on the port, some not.
    PartialPort {
        ok: &'d [NodeIdx],
        wrong: &'d [(NodeIdx, i64)],
        port: i64,
    },
    /// A Kubernetes Service that selects nodes of other roles as well.
    MixedRoles {
        service: &'d str,
        ok: &'d [NodeIdx],
        other: &'d [NodeIdx],
    },
    /// A Kubernetes Service without an endpoint for the URL.
    NoEndpoint {
        service: &'d str,
        why: &'d NoEndpoint,
    },
}

/// What is wrong with an edge that does not reach what its key needs, or
/// `None` when it does (or when another rule owns the problem: unknown hosts,
/// placeholders, cross-region references).
pub(crate) fn problem<'d>(dep: &Deployment, e: &'d Edge) -> Option<Unreachable<'d>> {
    let how = if let Resolution::Invalid(why) = &e.resolution {
        How::Invalid(why)
    } else if !e.scheme_ok {
        let ep = e.endpoint.as_ref()?;
        let want = e.kind.schemes().first().copied().unwrap_or("tcp");
        let start = e.span.start + usize::from(e.span.len() >= 2);
        let range = start..start + ep.scheme.len();
        let literal =
            dep.node(e.from).and_then(|n| n.text.get(range.clone())) == Some(ep.scheme.as_str());
        How::Scheme {
            scheme: &ep.scheme,
            want,
            range,
            literal,
        }
    } else if e.cross_region {
        return None;
    } else {
        match &e.resolution {
            Resolution::NearMiss { suggestions } => How::NearMiss(suggestions),
            Resolution::WrongRole { found } => How::WrongRole(found),
            Resolution::Docker { why, .. } => How::Docker(why),
            Resolution::WrongPort {
                port,
                expected,
                placeholder,
                mapped_from,
            } => How::WrongPort {
                port: *port,
                expected,
                placeholder: placeholder.as_deref(),
                mapped_from: *mapped_from,
            },
            Resolution::PartialPort { ok, wrong, port } => How::PartialPort {
                ok,
                wrong,
                port: *port,
            },
            Resolution::MixedRoles { service, ok, other } => How::MixedRoles { service, ok, other },
            Resolution::NoEndpoint { service, why } => How::NoEndpoint { service, why },
            Resolution::Ok { .. }
            | Resolution::UnknownHost
            | Resolution::Unresolvable
            | Resolution::Invalid(_) => return None,
        }
    };
    Some(Unreachable { edge: e, how })
}

/// The finding of `rule` for an edge [`problem`] found wrong.
pub(crate) fn describe(rule: &Rule, dep: &Deployment, u: &Unreachable<'_>) -> Diagnostic {
    let w = Wording::new(rule, dep, u.edge);
    let (e, key_leaf) = (w.e, w.key_leaf);
    match &u.how {
        How::Invalid(why) => w.base(
            e.span.clone(),
            format!("`{key_leaf}` is not a valid URL: {why}"),
        ),
        How::Scheme {
            scheme,
            want,
            range,
            ..
        } => w
            .base(
                range.clone(),
                format!("`{key_leaf}` must use `{want}://`, not `{scheme}://`"),
            )
            .help(format!(
                "WSO2 connects to port {} + offset with `{want}://` here",
                e.kind.port()
            )),
        How::NearMiss(suggestions) => w.near_miss(suggestions),
        How::Docker(why) => w.base(
            e.host_span.clone(),
            format!("`{}` in `{key_leaf}` does not reach a {}: {why}", e.url, e.expected_roles()),
        )
        .help("use a name on a network the two services share (https://docs.docker.com/compose/how-tos/networking/), or a port the target publishes on the Docker host"),
        How::WrongRole(found) => w.wrong_role(found),
        How::WrongPort {
            port,
            expected,
            placeholder,
            mapped_from,
        } => w.wrong_port(*port, expected, *placeholder, *mapped_from),
        How::MixedRoles { service, ok, other } => w.mixed_roles(service, ok, other),
        How::NoEndpoint { service, why } => w.no_endpoint(service, why),
        How::PartialPort { ok, wrong, port } => w.partial_port(ok, wrong, *port),
    }
}

/// What [`describe`] says of one edge: the rule's finding on the writer's
/// file, one method per way the edge fails.
struct Wording<'a> {
    rule: &'a Rule,
    dep: &'a Deployment,
    e: &'a Edge,
    /// The last segment of the edge's key.
    key_leaf: &'a str,
    /// The URL's host (empty for a value that is no URL).
    host: &'a str,
}

impl<'a> Wording<'a> {
    /// The wording of `rule`'s finding on the edge `e`.
    fn new(rule: &'a Rule, dep: &'a Deployment, e: &'a Edge) -> Self {
        Wording {
            rule,
            dep,
            e,
            key_leaf: e.key.rsplit('.').next().unwrap_or(&e.key),
            host: e.endpoint.as_ref().map_or("", |ep| ep.host.as_str()),
        }
    }

    /// The finding at `range` in the writer's file, on the edge's key and URL.
    fn base(&self, range: Range<usize>, msg: String) -> Diagnostic {
        let e = self.e;
        Diagnostic::new(self.rule, self.dep.file(e.from), range, msg)
            .key(e.key.clone(), Some(&e.url))
    }

    /// `d` with up to three of `nodes` related, each as "<id> is a <role>".
    fn related_roles(&self, mut d: Diagnostic, nodes: &[NodeIdx]) -> Diagnostic {
        let dep = self.dep;
        for t in nodes.iter().take(3) {
            if let Some(n) = dep.node(*t) {
                d = d.related(
                    dep.file(*t),
                    n.anchor(),
                    format!("{} is a {}", n.id, n.role),
                );
            }
        }
        d
    }

    /// `d` with up to three of `targets` related at what sets their port
    /// ([`port_site`]).
    fn related_ports(&self, mut d: Diagnostic, targets: &[(NodeIdx, i64)]) -> Diagnostic {
        let dep = self.dep;
        for (t, _) in targets.iter().take(3) {
            let (span, msg) = port_site(dep, *t, self.e.kind.port());
            d = d.related(dep.file(*t), span, msg);
        }
        d
    }

    /// A host that names no node but is close to some (`suggestions`).
    fn near_miss(&self, suggestions: &[String]) -> Diagnostic {
        let (e, host, key_leaf) = (self.e, self.host, self.key_leaf);
        // a Kubernetes Service's bare name from another namespace
        if suggestions
            .iter()
            .all(|s| s.strip_prefix(host).is_some_and(|r| r.starts_with('.')))
        {
            self.base(
                e.host_span.clone(),
                format!("host `{host}` in `{key_leaf}` names nothing in this node's namespace: a Kubernetes name without namespace resolves only in the writer's own namespace"),
            )
            .help(did_you_mean_any(suggestions))
        } else {
            self.base(
                e.host_span.clone(),
                format!("host `{host}` in `{key_leaf}` names no node of this deployment"),
            )
            .help(did_you_mean_any(suggestions))
        }
    }

    /// A host whose nodes (`found`) are none of the expected role.
    fn wrong_role(&self, found: &[NodeIdx]) -> Diagnostic {
        let (dep, e) = (self.dep, self.e);
        let d = self.base(
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
        self.related_roles(d, found)
    }

    /// No node of the expected role listens on `port` (`expected`: where
    /// each listens).
    fn wrong_port(
        &self,
        port: i64,
        expected: &[(NodeIdx, i64)],
        placeholder: Option<&str>,
        mapped_from: Option<i64>,
    ) -> Diagnostic {
        let (dep, e) = (self.dep, self.e);
        let listens = expected
            .iter()
            .map(|(i, p)| format!("`{}` listens on {p}", dep.id(*i)))
            .collect::<Vec<_>>()
            .join(", ");
        let (msg, help) = wrong_port_text(dep, e, port, &listens, placeholder, mapped_from);
        let d = self.base(port_range(e), msg).help(help);
        self.related_ports(d, expected)
    }

    /// A Service that selects nodes of other roles (`other`) besides those
    /// of the expected one (`ok`).
    fn mixed_roles(&self, service: &str, ok: &[NodeIdx], other: &[NodeIdx]) -> Diagnostic {
        let (dep, e) = (self.dep, self.e);
        let role = other
            .first()
            .and_then(|i| dep.node(*i))
            .map_or("?", |n| n.role.name());
        let d = self.base(
            e.host_span.clone(),
            format!(
                "`{}` goes through the Service `{service}`, which selects {} ({role}) besides {}: connections balanced onto them reach no {}",
                e.url,
                super::node_list(dep, other.iter().copied()),
                super::node_list(dep, ok.iter().copied()),
                e.expected_roles()
            ),
        )
        .help(format!(
            "narrow the `selector` of the Service `{service}` to the {} pods (a label only they carry), or use a Service that selects only them",
            e.expected_roles()
        ));
        self.related_roles(d, other)
    }

    /// A Service without an endpoint for the URL, and `why`.
    fn no_endpoint(&self, service: &str, why: &NoEndpoint) -> Diagnostic {
        let e = self.e;
        self.base(
            e.host_span.clone(),
            format!("`{}` reaches nothing: {}", e.url, why.explain(service)),
        )
        .help(match why {
            NoEndpoint::NoPods { .. } => format!(
                "make the `selector` of the Service `{service}` match the labels of the {} pods, in the Service's namespace",
                e.expected_roles()
            ),
            NoEndpoint::NoNamedPort { name, .. } => format!(
                "name the container port `{name}` in the pods' `ports`, or set the Service's `targetPort` to a name (or number) they declare"
            ),
            NoEndpoint::NotExposed { port, .. } => format!(
                "add port {port} (to the nodes' port, {} + their offset) to the `ports` of the Service `{service}`",
                e.kind.port()
            ),
        })
    }

    /// Some of the host's nodes (`ok`) listen on `port`, the others (`wrong`)
    /// elsewhere.
    fn partial_port(&self, ok: &[NodeIdx], wrong: &[(NodeIdx, i64)], port: i64) -> Diagnostic {
        let (dep, e, host) = (self.dep, self.e, self.host);
        let d = self
            .base(
                port_range(e),
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
        self.related_ports(d, wrong)
    }
}

/// The fix of an edge [`problem`] found wrong, where the right edit is
/// known: a scheme written literally, the one host a near miss was meant to
/// name, the one port every target listens on.
pub(crate) fn repair(dep: &Deployment, u: &Unreachable<'_>) -> Option<Fix> {
    let e = u.edge;
    match &u.how {
        How::Scheme {
            want,
            range,
            literal: true,
            ..
        } => Some(Fix {
            title: format!("Use `{want}://`"),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                file: dep.file(e.from),
                range: range.clone(),
                new_text: (*want).to_owned(),
            }],
        }),
        // only where the intended host is unambiguous
        How::NearMiss([one]) => Some(Fix {
            title: format!("Replace with `{one}`"),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                file: dep.file(e.from),
                range: e.host_span.clone(),
                new_text: one.clone(),
            }],
        }),
        // through a mapping, the URL's port may well be right
        How::WrongPort {
            expected,
            placeholder: None,
            mapped_from: None,
            ..
        } if e.port_span.is_some() => {
            let ports: std::collections::BTreeSet<i64> = expected.iter().map(|x| x.1).collect();
            let (Some(p), 1) = (ports.first(), ports.len()) else {
                return None;
            };
            Some(Fix {
                title: format!("Use port {p}"),
                // the target's offset may be the real mistake
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    file: dep.file(e.from),
                    range: port_range(e),
                    new_text: p.to_string(),
                }],
            })
        }
        _ => None,
    }
}

/// A wrong port's message and help. Through a mapping (a Compose published
/// port, a Service's `targetPort`) the mapping is named: it, not the URL's
/// port, may be the mistake.
fn wrong_port_text(
    dep: &Deployment,
    e: &Edge,
    port: i64,
    listens: &str,
    placeholder: Option<&str>,
    mapped_from: Option<i64>,
) -> (String, String) {
    let default = e.kind.port();
    let plain_help = || format!("the port is {default} + the target's `[server] offset`");
    let compose = e
        .resolution
        .targets()
        .first()
        .and_then(|i| compose_service(dep, *i));
    match (placeholder, mapped_from, compose) {
        (Some(ph), _, _) => (
            format!("`${{{ph}}}` resolves with this node's offset to {port}, but {listens}"),
            plain_help(),
        ),
        (None, Some(from), Some(svc)) => (
            format!(
                "`{}` uses port {from}, which the Compose service `{svc}` publishes to container port {port}, but {listens}",
                e.url
            ),
            format!(
                "change the `ports` entry `{from}:{port}` of the Compose service `{svc}`, or the target's port ({default} + its `[server] offset`)"
            ),
        ),
        (None, Some(from), None) => (
            format!(
                "`{}` uses port {from}, which the Service maps to target port {port}, but {listens}",
                e.url
            ),
            format!(
                "change the Service's `targetPort`, or the target's port ({default} + its `[server] offset`)"
            ),
        ),
        (None, None, _) => (
            format!("`{}` uses port {port}, but {listens}", e.url),
            plain_help(),
        ),
    }
}

/// The Compose service a node is mounted by, if any.
fn compose_service(dep: &Deployment, i: NodeIdx) -> Option<&str> {
    let o = dep.node(i)?.origin.as_ref()?;
    (!o.inline).then_some(o.name.as_str())
}

/// Where a port problem is: the port, else the host.
fn port_range(e: &Edge) -> Range<usize> {
    e.port_span.clone().unwrap_or_else(|| e.host_span.clone())
}

/// The findings of `rule`, a rule that owns the URL keys of the edges
/// `owns` accepts: [`problem`] on each.
pub(crate) fn problems<'d>(
    dep: &'d Deployment,
    owns: impl Fn(&Edge) -> bool,
) -> Vec<Unreachable<'d>> {
    dep.edges()
        .filter(|e| owns(e))
        .filter_map(|e| problem(dep, e))
        .collect()
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
