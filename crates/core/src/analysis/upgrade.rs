//! `apimlint upgrade --to VERSION`: what changes for this deployment between
//! the version it runs and another (`rules/key-versions.json`): keys WSO2
//! renamed (fixable: `key-not-in-version`'s fix) or removed, defaults that
//! change behaviour, role names a distribution no longer maps.

use std::ops::Range;

use crate::base::files::FileId;
use crate::catalog::versions::{self, ApimVersion, Distribution};
use crate::graph::Deployment;
use crate::model::{KeyFact, SERVER_ROLES};

/// What kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// WSO2 renamed the key: `check --apim-version TO --fix` writes the new name.
    Renamed,
    /// The target version does not read the key.
    Removed,
    /// A `server_role` the target version's distribution does not map.
    Role,
    /// A default that changes behaviour (for the nodes that do not set the key).
    Default,
}

impl ChangeKind {
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::Renamed => "renamed",
            ChangeKind::Removed => "removed",
            ChangeKind::Role => "role",
            ChangeKind::Default => "default",
        }
    }
}

/// One change, on a node (a key it writes) or on the deployment (a default).
#[derive(Debug, Clone)]
pub struct Change {
    pub kind: ChangeKind,
    /// The key (dotted path).
    pub key: String,
    /// The version that brought the change.
    pub version: &'static str,
    pub message: String,
    /// Where: the node's file and the key's range (none for a default).
    pub at: Option<(FileId, Range<usize>)>,
    /// The nodes concerned (a default: those that do not set the key).
    pub nodes: Vec<String>,
    /// `--fix` writes it.
    pub fixable: bool,
}

/// Every change between `from` and `to` for this deployment (loaded with its
/// keys: [`super::load`]).
pub fn changes(dep: &Deployment, from: ApimVersion, to: ApimVersion) -> Vec<Change> {
    let mut out = Vec::new();
    for n in dep.nodes() {
        let Some(keys) = n.facts.keys.as_deref() else {
            continue;
        };
        let mut reported: Vec<&str> = Vec::new();
        for kf in keys.iter().filter(|k| !k.implicit) {
            let path = kf.path_str();
            if reported
                .iter()
                .any(|p| path.strip_prefix(*p).is_some_and(|r| r.starts_with('.')))
            {
                continue;
            }
            if let Some(c) = key_change(kf, from, to) {
                reported.push(path);
                out.push(Change {
                    at: Some((n.file, kf.key_span.clone())),
                    nodes: vec![n.id.clone()],
                    ..c
                });
            }
        }
        if let Some(c) = role_change(dep, n, from, to) {
            out.push(c);
        }
    }
    out.extend(default_changes(dep, from, to));
    out.sort_by(|a, b| (a.kind, &a.nodes, &a.key).cmp(&(b.kind, &b.nodes, &b.key)));
    out
}

fn key_change(kf: &KeyFact, from: ApimVersion, to: ApimVersion) -> Option<Change> {
    let path = kf.path_str();
    let entry = kf.entry()?;
    let read = |v| {
        versions::reads(entry.path, v) && versions::rename_of(path).is_none_or(|(_, _, at)| v < at)
    };
    if !read(from) || read(to) {
        return None;
    }
    let change = |kind, version: ApimVersion, message: String, fixable| Change {
        kind,
        key: kf.path(),
        version: version.name(),
        message,
        at: None,
        nodes: Vec::new(),
        fixable,
    };
    if let Some((old, new, at)) = versions::rename_of(path).filter(|r| from < r.2 && r.2 <= to) {
        let renamed = format!("{new}{}", path.get(old.len()..).unwrap_or(""));
        return Some(change(
            ChangeKind::Renamed,
            at,
            format!("`{path}` is renamed to `{renamed}` in {at}"),
            true,
        ));
    }
    let gone = match versions::span(entry.path) {
        Some((first, _)) if to < first => first,
        Some((_, last)) => ApimVersion::all().find(|v| *v > last).unwrap_or(to),
        None => to,
    };
    let message = if to < from {
        format!("`{path}` is not read by {to} (it came in {gone})")
    } else {
        format!("`{path}` is removed in {gone}: {to} ignores it")
    };
    Some(change(ChangeKind::Removed, gone, message, false))
}

fn role_change(
    dep: &Deployment,
    n: &crate::graph::Node,
    from: ApimVersion,
    to: ApimVersion,
) -> Option<Change> {
    let role = n.facts.server_role.as_ref()?;
    let value = role.value.as_str();
    let dist = n
        .origin
        .as_deref()
        .and_then(crate::config::version::distribution)
        .unwrap_or(
            if dep.config().distribution.as_deref() == Some("components") {
                match n.role {
                    crate::model::Role::GatewayWorker => Distribution::Gateway,
                    crate::model::Role::TrafficManager => Distribution::TrafficManager,
                    crate::model::Role::ControlPlane => Distribution::ControlPlane,
                    _ => Distribution::AllInOne,
                }
            } else {
                Distribution::AllInOne
            },
        );
    let (before, after) = (versions::roles(from, dist), versions::roles(to, dist));
    let mapped_before =
        before.contains(&value) || (before.is_empty() && SERVER_ROLES.contains(&value));
    if !mapped_before || after.is_empty() || after.contains(&value) {
        return None;
    }
    let at = ApimVersion::all()
        .filter(|v| *v > from && *v <= to)
        .find(|v| !versions::roles(*v, dist).contains(&value))
        .unwrap_or(to);
    Some(Change {
        kind: ChangeKind::Role,
        key: "server.server_role".to_owned(),
        version: at.name(),
        message: format!(
            "`server_role = \"{value}\"` is not mapped by the {} of {at} (it maps {}): the node silently loses the role's settings",
            dist.label(),
            after.join(", ")
        ),
        at: Some((n.file, role.span.clone())),
        nodes: vec![n.id.clone()],
        fixable: false,
    })
}

/// Defaults that differ between the versions, for the nodes that do not
/// set the key (a node that sets it keeps its value).
fn default_changes(dep: &Deployment, from: ApimVersion, to: ApimVersion) -> Vec<Change> {
    let unset = |key: &str| -> Vec<String> {
        dep.nodes()
            .iter()
            .filter(|n| {
                n.facts
                    .keys
                    .as_deref()
                    .is_some_and(|ks| !ks.iter().any(|k| k.path_str() == key))
            })
            .map(|n| n.id.clone())
            .collect()
    };
    let mut out = Vec::new();
    let (lo, hi) = if from <= to { (from, to) } else { (to, from) };
    for (key, at, before, after) in versions::behaviour_changes() {
        if lo < at && at <= hi {
            let nodes = unset(key);
            if !nodes.is_empty() {
                out.push(Change {
                    kind: ChangeKind::Default,
                    key: key.to_owned(),
                    version: at.name(),
                    message: format!("in {at}, `{key}`: {before} → {after}"),
                    at: None,
                    nodes,
                    fixable: false,
                });
            }
        }
    }
    for (key, a, b) in versions::changed_defaults(from, to) {
        if out.iter().any(|c| c.key == key) {
            continue;
        }
        let nodes = unset(key);
        if nodes.is_empty() {
            continue;
        }
        let show =
            |d: Option<&str>| d.map_or_else(|| "unset".to_owned(), |d| format!("`{}`", short(d)));
        out.push(Change {
            kind: ChangeKind::Default,
            key: key.to_owned(),
            version: to.name(),
            message: format!(
                "default of `{key}`: {} in {from} → {} in {to}",
                show(a),
                show(b)
            ),
            at: None,
            nodes,
            fixable: false,
        });
    }
    out
}

/// A default as a message shows it: at most 60 characters.
fn short(d: &str) -> String {
    if d.chars().count() <= 60 {
        return d.to_owned();
    }
    let cut: String = d.chars().take(57).collect();
    format!("{cut}…")
}
