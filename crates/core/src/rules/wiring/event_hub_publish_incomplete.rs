//! `event-hub-publish-incomplete`: every control plane publishes its events
//! to every control plane of its region, itself included, on the binary
//! receiver ports, with receiver and auth URLs that reach the same node.

use std::collections::BTreeSet;
use std::ops::Range;

use super::Unreachable;
use super::pairing::{self, Mismatch};
use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit, Fix};
use crate::graph::{Deployment, Edge, EdgeKind, NodeIdx, Resolution};
use crate::model::{Role, UrlGroup};
use crate::rules::{DeploymentRule, node_list, related_node};

declare_rule! {
    id: "event-hub-publish-incomplete",
    severity: Warning,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: Deployment(EventHubPublishIncomplete),
}

pub(crate) struct EventHubPublishIncomplete;

/// What is wrong with a control plane's publish url groups.
pub(crate) enum State<'d> {
    /// A publish URL that does not reach what it needs (on whichever node
    /// writes it); `broker` when it names the broker port 5672 of the very
    /// node meant.
    Url {
        u: Unreachable<'d>,
        port: bool,
        broker: bool,
    },
    /// A group's `urls` and `auth_urls` reach different control planes.
    Mispaired(Mismatch<'d>),
    /// A group with `urls` and no `auth_urls`.
    NoAuthUrls {
        cp: NodeIdx,
        group: &'d UrlGroup,
        host: String,
    },
    /// No publish group at all in a region of several control planes.
    NoGroups {
        cp: NodeIdx,
        at: Range<usize>,
        others: Vec<NodeIdx>,
    },
    /// A control plane of the region the groups miss: its `urls` (or only
    /// its `auth_urls`).
    Missing {
        cp: NodeIdx,
        at: Range<usize>,
        missing: NodeIdx,
        no_urls: bool,
    },
}

impl DeploymentRule for EventHubPublishIncomplete {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let mut out = Vec::new();
        // the URLs themselves: scheme, port (the 5672 mistake), role
        for u in super::problems(dep, |e| {
            matches!(e.kind, EdgeKind::EventPublish | EdgeKind::EventPublishAuth)
        }) {
            let e = u.edge;
            let port = matches!(
                e.resolution,
                Resolution::WrongPort { .. } | Resolution::PartialPort { .. }
            );
            // the broker port of the very node meant: the classic mistake,
            // whose fix cannot be anything else
            let broker = match &e.resolution {
                Resolution::WrongPort {
                    port,
                    expected,
                    placeholder: None,
                    mapped_from: None,
                } => expected
                    .iter()
                    .all(|(t, _)| dep.node(*t).is_some_and(|n| n.port(5672) == *port)),
                _ => false,
            };
            out.push(State::Url { u, port, broker });
        }
        // a publish URL is reported on whichever node writes it; the coverage
        // of the region's event hubs on the control planes
        for (cp, node) in dep.nodes().iter().enumerate() {
            if node.role != Role::ControlPlane || !node.is_analysable() {
                continue;
            }
            let eh = &node.facts.event_hub;
            // each group's `urls` and `auth_urls` reach the same control planes
            let mispaired = pairing::mismatches(dep, cp, &eh.publish);
            // a receiver whose auth URL names another node: that mispairing is
            // the one root cause of its missing `auth_urls`
            let paired_wrong: BTreeSet<NodeIdx> = mispaired
                .iter()
                .flat_map(|m| m.url.resolution.targets())
                .collect();
            out.extend(mispaired.into_iter().map(State::Mispaired));
            let by_span = dep.edges_by_span(cp);
            // a group without auth_urls
            for g in &eh.publish {
                if g.urls.is_empty() || !g.auth_urls.is_empty() {
                    continue;
                }
                let host = g
                    .urls
                    .first()
                    .and_then(|u| by_span.get(&(u.span.start, u.span.end)).copied())
                    .and_then(|e| e.endpoint.as_ref())
                    .map_or_else(|| "?".to_owned(), |ep| ep.host.clone());
                out.push(State::NoAuthUrls { cp, group: g, host });
            }
            let cps = dep.region_role(&node.region, Role::ControlPlane);
            if cps.len() < 2 {
                continue;
            }
            let anchor = eh.header.clone().unwrap_or_else(|| node.anchor());
            if eh.publish.is_empty() {
                out.push(State::NoGroups {
                    cp,
                    at: anchor,
                    others: cps.iter().copied().filter(|c| *c != cp).collect(),
                });
                continue;
            }
            let edges: Vec<_> = dep
                .edges_from(cp)
                .filter(|e| matches!(e.kind, EdgeKind::EventPublish | EdgeKind::EventPublishAuth))
                .collect();
            // coverage is judged only when every in-region publish URL resolved
            if edges
                .iter()
                .any(|e| !e.cross_region && !e.resolution.host_resolved())
            {
                continue;
            }
            let covered = |kind: EdgeKind| -> BTreeSet<NodeIdx> {
                edges
                    .iter()
                    // a Service in front of several control planes: the
                    // publisher connects to one of them (not known which)
                    .filter(|e| e.kind == kind && !e.cross_region && !e.one_of)
                    .flat_map(|e| e.resolution.targets())
                    .collect()
            };
            let urls = covered(EdgeKind::EventPublish);
            let auth = covered(EdgeKind::EventPublishAuth);
            // groups without auth_urls at all are reported above
            let judge_auth = eh.publish.iter().any(|g| !g.auth_urls.is_empty());
            let at = eh.publish.last().map_or(anchor, |g| g.header.clone());
            for &missing in &cps {
                let no_urls = !urls.contains(&missing);
                let no_auth =
                    judge_auth && !auth.contains(&missing) && !paired_wrong.contains(&missing);
                if no_urls || no_auth {
                    out.push(State::Missing {
                        cp,
                        at: at.clone(),
                        missing,
                        no_urls,
                    });
                }
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        match s {
            State::Url { u, port, .. } => {
                let d = super::describe(&RULE, dep, u);
                if *port {
                    d.help(
                        "publish url groups use the binary receiver (`urls` tcp 9611, `auth_urls` ssl 9711, + the target's offset), not the 5672 broker",
                    )
                } else {
                    d
                }
            }
            State::Mispaired(m) => pairing::diagnostic(&RULE, dep, m),
            State::NoAuthUrls { cp, group, host } => Diagnostic::new(
                &RULE,
                dep.file(*cp),
                group.header.clone(),
                "this `[[apim.event_hub.publish.url_group]]` has `urls` but no `auth_urls`",
            )
            .help(format!(
                "add `auth_urls = [\"ssl://{host}:9711\"]` (9711 + the target's offset)"
            ))
            .key("apim.event_hub.publish.url_group.auth_urls", Some(host)),
            State::NoGroups { cp, at, others } => Diagnostic::new(
                &RULE,
                dep.file(*cp),
                at.clone(),
                format!(
                    "no `[[apim.event_hub.publish.url_group]]`: this control plane publishes its events to itself only, not to {}",
                    node_list(dep, others.iter().copied())
                ),
            )
            .help("add one url group per control plane of the region, this one included, with `urls` (tcp, 9611) and `auth_urls` (ssl, 9711)")
            .key("apim.event_hub.publish.url_group", None),
            State::Missing {
                cp,
                at,
                missing,
                no_urls,
            } => {
                let who = if missing == cp {
                    "this control plane itself".to_owned()
                } else {
                    format!("`{}`", dep.id(*missing))
                };
                let (msg, key) = if *no_urls {
                    (
                        format!(
                            "no `[[apim.event_hub.publish.url_group]]` reaches {who}: its event hub never receives the events this control plane publishes"
                        ),
                        "urls",
                    )
                } else {
                    (
                        format!("no publish url group has `auth_urls` for {who}"),
                        "auth_urls",
                    )
                };
                let d = Diagnostic::new(&RULE, dep.file(*cp), at.clone(), msg)
                    .help(format!(
                        "add a `[[apim.event_hub.publish.url_group]]` for `{}` (`urls` tcp 9611, `auth_urls` ssl 9711, + its offset)",
                        dep.id(*missing)
                    ))
                    .key(
                        format!("apim.event_hub.publish.url_group.{key}"),
                        Some(dep.id(*missing)),
                    );
                if missing == cp {
                    d
                } else {
                    related_node(d, dep, *missing, "control plane")
                }
            }
        }
    }

    fn action(dep: &Deployment, s: &State<'_>) -> Option<Fix> {
        match s {
            State::Url { u, port, broker } => {
                let mut f = super::repair(dep, u)?;
                if *port && *broker {
                    f.applicability = Applicability::Safe;
                }
                Some(f)
            }
            State::Mispaired(m) => pairing::action(dep, m),
            State::NoAuthUrls { cp, group, .. } => {
                auth_urls_fix(dep, *cp, group, &dep.edges_by_span(*cp))
            }
            State::NoGroups { .. } => None,
            State::Missing {
                cp,
                missing,
                no_urls,
                ..
            } => no_urls.then(|| group_fix(dep, *cp, *missing)).flatten(),
        }
    }
}

/// `auth_urls` for a group whose one URL reaches exactly one node on the
/// right port: that node's 9711 + offset, on the host the URL names.
fn auth_urls_fix(
    dep: &Deployment,
    cp: NodeIdx,
    g: &UrlGroup,
    by_span: &foldhash::HashMap<(usize, usize), &Edge>,
) -> Option<Fix> {
    let [url] = g.urls.as_slice() else {
        return None;
    };
    let e = *by_span.get(&(url.span.start, url.span.end))?;
    let Resolution::Ok {
        targets,
        via_lb: false,
    } = &e.resolution
    else {
        return None;
    };
    let [target] = targets.as_slice() else {
        return None;
    };
    let host = &e.endpoint.as_ref()?.host;
    let node = dep.node(cp)?;
    let port = dep.node(*target)?.port(9711);
    let value = format!(
        "[{}]",
        crate::base::edit::toml_string(&format!("ssl://{host}:{port}"))
    );
    // `auth_urls = []` (or a value of the wrong type) is there: replace its
    // value; a second `auth_urls` would not parse
    let edit = match &g.auth_urls_span {
        Some(span) => Edit {
            file: dep.file(cp),
            range: span.clone(),
            new_text: value,
        },
        None => {
            // after the line that ends the whole `urls` value (it may span lines)
            let end = g.urls_span.as_ref().map_or(url.span.end, |s| s.end);
            let line_end = end + node.text.get(end..)?.find('\n')? + 1;
            Edit {
                file: dep.file(cp),
                range: line_end..line_end,
                new_text: format!("auth_urls = {value}\n"),
            }
        }
    };
    Some(Fix {
        title: format!("Add `auth_urls` on port {port}"),
        applicability: Applicability::Safe,
        edits: vec![edit],
    })
}

/// A url group for a control plane the others miss, inserted before the
/// last group: only when a host name reaches exactly that control plane.
fn group_fix(dep: &Deployment, cp: NodeIdx, missing: NodeIdx) -> Option<Fix> {
    let node = dep.node(cp)?;
    let last = node.facts.event_hub.publish.last()?;
    let header = node.text.get(last.header.clone())?;
    if !header.starts_with("[[") {
        return None;
    }
    let host = match dep.unique_name(missing) {
        Some(h) => h,
        None if missing == cp => "localhost".to_owned(),
        None => return None,
    };
    let target = dep.node(missing)?;
    Some(Fix {
        title: format!("Add a publish url group for `{}`", target.id),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            file: dep.file(cp),
            range: last.header.start..last.header.start,
            new_text: format!(
                "[[apim.event_hub.publish.url_group]]\nurls = [{}]\nauth_urls = [{}]\n\n",
                crate::base::edit::toml_string(&format!("tcp://{host}:{}", target.port(9611))),
                crate::base::edit::toml_string(&format!("ssl://{host}:{}", target.port(9711)))
            ),
        }],
    })
}
