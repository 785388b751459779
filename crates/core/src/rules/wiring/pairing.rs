//! The pairing of a url group's receiver and auth URLs, for the two rules
//! that judge url groups (`throttle-url-group-incomplete` on gateways,
//! `event-hub-publish-incomplete` on control planes): the publisher opens a
//! session at the auth URL and sends its events on it to the receiver URL
//! of the same position, so both must reach the same node.

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit, Fix};
use crate::graph::{Deployment, Edge, NodeIdx, Resolution};
use crate::model::UrlGroup;
use crate::rules::{Rule, node_list};

/// Entry `index` of a group's auth URLs reaches other nodes than the
/// receiver URL of the same position.
pub(crate) struct Mismatch<'d> {
    pub(crate) node: NodeIdx,
    pub(crate) index: usize,
    pub(crate) url: &'d Edge,
    pub(crate) auth: &'d Edge,
}

/// Every mispaired position of `node`'s `groups`; positions whose URLs do
/// not both resolve (other findings) are not judged.
pub(crate) fn mismatches<'d>(
    dep: &'d Deployment,
    node: NodeIdx,
    groups: &'d [UrlGroup],
) -> Vec<Mismatch<'d>> {
    let by_span = dep.edges_by_span(node);
    let mut out = Vec::new();
    for g in groups {
        for (index, (u, a)) in g.urls.iter().zip(&g.auth_urls).enumerate() {
            let (Some(url), Some(auth)) = (
                by_span.get(&(u.span.start, u.span.end)).copied(),
                by_span.get(&(a.span.start, a.span.end)).copied(),
            ) else {
                continue;
            };
            let (Resolution::Ok { targets: to, .. }, Resolution::Ok { targets: ta, .. }) =
                (&url.resolution, &auth.resolution)
            else {
                continue;
            };
            let (mut to, mut ta) = (to.clone(), ta.clone());
            to.sort_unstable();
            ta.sort_unstable();
            if to != ta && !url.cross_region && !auth.cross_region {
                out.push(Mismatch {
                    node,
                    index,
                    url,
                    auth,
                });
            }
        }
    }
    out
}

/// The finding, on the auth URL.
pub(crate) fn diagnostic(rule: &'static Rule, dep: &Deployment, m: &Mismatch<'_>) -> Diagnostic {
    let (url_key, auth_key) = (
        crate::base::keypath::leaf(&m.url.key),
        crate::base::keypath::leaf(&m.auth.key),
    );
    let nth = ordinal(m.index);
    Diagnostic::new(
        rule,
        dep.file(m.node),
        m.auth.span.clone(),
        format!(
            "the {nth} of `{auth_key}` reaches {}, but the {nth} of `{url_key}` reaches {}: the publisher opens its session at one node and sends its events to another, which drops them",
            node_list(dep, m.auth.resolution.targets()),
            node_list(dep, m.url.resolution.targets()),
        ),
    )
    .related(
        dep.file(m.node),
        m.url.span.clone(),
        format!("the {nth} of `{url_key}`"),
    )
    .help(format!(
        "list the same nodes in `{url_key}` and `{auth_key}`, in the same order"
    ))
    .key(m.auth.key.clone(), Some(&m.auth.url))
}

/// An auth URL on the node the receiver URL reaches, where that is exactly
/// one node named directly: its host, and port 9711 + its offset.
pub(crate) fn action(dep: &Deployment, m: &Mismatch<'_>) -> Option<Fix> {
    let Resolution::Ok {
        targets,
        via_lb: false,
    } = &m.url.resolution
    else {
        return None;
    };
    let [target] = targets.as_slice() else {
        return None;
    };
    let host = &m.url.endpoint.as_ref()?.host;
    let scheme = m.auth.endpoint.as_ref()?.scheme.clone();
    let port = dep.node(*target)?.port(9711);
    Some(Fix {
        title: format!("Authenticate at `{}`", dep.id(*target)),
        // which of the two is wrong is the user's call
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            file: dep.file(m.node),
            range: m.auth.span.clone(),
            new_text: crate::base::edit::toml_string(&format!("{scheme}://{host}:{port}")),
        }],
    })
}

fn ordinal(i: usize) -> String {
    match i {
        0 => "first URL".to_owned(),
        1 => "second URL".to_owned(),
        2 => "third URL".to_owned(),
        n => format!("URL {}", n + 1),
    }
}
