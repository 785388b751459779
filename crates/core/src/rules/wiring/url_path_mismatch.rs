//! `url-path-mismatch`: the URLs that reach another node's web services
//! carry the path WSO2 calls there.

use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit, Fix};
use crate::graph::{Deployment, Edge, EdgeKind};
use crate::rules::DeploymentRule;

declare_rule! {
    id: "url-path-mismatch",
    severity: Error,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: Deployment(UrlPathMismatch),
}

pub(crate) struct UrlPathMismatch;

/// The path a kind of URL must have: the admin services' base (WSO2 appends
/// the service name to it), or the one notification resource.
fn expected(kind: EdgeKind) -> Option<(&'static str, Match)> {
    match kind {
        EdgeKind::KeyManager | EdgeKind::EventHubService | EdgeKind::GatewayService => {
            Some(("/services/", Match::Prefix))
        }
        EdgeKind::Notification => Some(("/internal/data/v1/notify", Match::Exact)),
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Match {
    /// The path starts with the expected one (its trailing `/` optional).
    Prefix,
    /// The path is the expected one (a trailing `/` tolerated).
    Exact,
}

/// A URL whose path is not the one WSO2 calls.
pub(crate) struct State<'d> {
    edge: &'d Edge,
    path: &'d str,
    want: &'static str,
}

impl DeploymentRule for UrlPathMismatch {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        dep.edges()
            .filter_map(|e| {
                let (want, how) = expected(e.kind)?;
                let path = e.endpoint.as_ref()?.path.as_str();
                // a placeholder may stand for any path
                if path.contains(['$', '{']) {
                    return None;
                }
                let bare = want.trim_end_matches('/');
                let ok = match how {
                    Match::Prefix => path
                        .strip_prefix(bare)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/')),
                    Match::Exact => path.trim_end_matches('/') == bare,
                };
                (!ok).then_some(State {
                    edge: e,
                    path,
                    want,
                })
            })
            .collect()
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let e = s.edge;
        let effect = if e.kind == EdgeKind::Notification {
            "revocations are posted to a resource that does not exist, so revoked tokens keep working on the gateways"
        } else {
            "WSO2 appends the admin service's name to this URL, so every call ends in a 404"
        };
        let has = if s.path.is_empty() {
            "has no path".to_owned()
        } else {
            format!("has the path `{}`", s.path)
        };
        Diagnostic::new(
            &RULE,
            dep.file(e.from),
            e.span.clone(),
            format!("`{}` {has} instead of `{}`: {effect}", e.key, s.want),
        )
        .help(format!("end the URL with `{}`", s.want))
        .key(e.key.clone(), Some(&e.url))
    }

    fn action(dep: &Deployment, s: &State<'_>) -> Option<Fix> {
        let range = path_range(dep, s)?;
        Some(Fix {
            title: format!("Use the path `{}`", s.want),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                file: dep.file(s.edge.from),
                range,
                new_text: s.want.to_owned(),
            }],
        })
    }
}

/// Where the path is written in the node's file: the end of the string
/// literal, when the literal ends with it.
fn path_range(dep: &Deployment, s: &State<'_>) -> Option<Range<usize>> {
    let e = s.edge;
    let text: &str = &dep.node(e.from)?.text;
    let literal = text.get(e.span.clone())?;
    let quote = literal.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let end = e.span.end.checked_sub(quote.len_utf8())?;
    let start = end.checked_sub(s.path.len())?;
    (text.get(start..end)? == s.path && !literal.starts_with("\"\"\"")).then_some(start..end)
}
