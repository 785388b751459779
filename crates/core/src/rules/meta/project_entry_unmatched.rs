//! `project-entry-unmatched`: an `apimlint.toml` entry naming nodes
//! (`[hosts]` node ids, `[regions]` globs, `[nodes."id"]`) that matches no
//! node of the deployment.

use crate::base::diagnostic::Diagnostic;
use crate::base::text::did_you_mean;
use crate::config::{Entry, EntryKind, glob_match};
use crate::graph::Deployment;
use crate::rules::DeploymentRule;

declare_rule! {
    id: "project-entry-unmatched",
    severity: Warning,
    roles: [],
    fix: Never,
    since: "0.2.0",
    check: Deployment(ProjectEntryUnmatched),
}

pub(crate) struct ProjectEntryUnmatched;

impl DeploymentRule for ProjectEntryUnmatched {
    type State<'d> = &'d Entry;

    fn run(dep: &Deployment) -> Vec<&Entry> {
        if dep.project_file().is_none() {
            return Vec::new();
        }
        // a project file names a node per host alias: one look-up each
        let ids: foldhash::HashSet<&str> = dep.nodes().iter().map(|n| n.id.as_str()).collect();
        dep.config()
            .entries
            .iter()
            .filter(|e| match e.kind {
                EntryKind::Region(_) => !dep.nodes().iter().any(|n| glob_match(&e.pattern, &n.id)),
                EntryKind::Host(_) | EntryKind::Node => !ids.contains(e.pattern.as_str()),
            })
            .collect()
    }

    fn diagnostic(dep: &Deployment, e: &&Entry) -> Diagnostic {
        let (what, key) = match &e.kind {
            EntryKind::Host(h) => (
                format!(
                    "`[hosts] \"{h}\"` names `{}`, which is no node of this deployment",
                    e.pattern
                ),
                format!("hosts.\"{h}\""),
            ),
            EntryKind::Region(r) => (
                format!(
                    "`[regions] \"{r}\"` glob `{}` matches no node of this deployment",
                    e.pattern
                ),
                format!("regions.\"{r}\""),
            ),
            EntryKind::Node => (
                format!(
                    "`[nodes.\"{}\"]` names no node of this deployment",
                    e.pattern
                ),
                "nodes".to_owned(),
            ),
        };
        let ids: Vec<&str> = dep.nodes().iter().map(|n| n.id.as_str()).collect();
        let help = match suggestion(e, &ids) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "node ids are the directories of the node files below the deployment root, e.g. `{}`",
                ids.first().copied().unwrap_or("region-1/gw-1")
            ),
        };
        let file = dep
            .project_file()
            .unwrap_or(crate::base::files::FileId(u32::MAX));
        let d = Diagnostic::new(
            &RULE,
            file,
            e.span.clone(),
            format!("{what}: the entry does nothing"),
        )
        .help(help)
        .key(key, Some(&e.pattern));
        // a spare glob of a region whose other globs name its nodes (one
        // glob per layout the region may take) loses nothing: said, never
        // a warning
        if sibling_matches(dep, e) {
            d.severity(crate::base::diagnostic::Severity::Info)
        } else {
            d
        }
    }
}

/// Whether `e` is a `[regions]` glob whose region has another glob that
/// matches a node.
fn sibling_matches(dep: &Deployment, e: &Entry) -> bool {
    let EntryKind::Region(r) = &e.kind else {
        return false;
    };
    dep.config().entries.iter().any(|o| {
        matches!(&o.kind, EntryKind::Region(r2) if r2 == r)
            && o.pattern != e.pattern
            && dep.nodes().iter().any(|n| glob_match(&o.pattern, &n.id))
    })
}

/// The closest node id (or, for a glob, the closest `<dir>/*` over the
/// ids); a node id that ends with the entry (the entry was written for a
/// deeper root) first.
fn suggestion(e: &Entry, ids: &[&str]) -> Option<String> {
    // written for another root: `region-1/gw-1` for `envs/prod/region-1/gw-1`
    if let Some(id) = ids.iter().find(|id| {
        id.ends_with(&format!("/{}", e.pattern)) || e.pattern.ends_with(&format!("/{id}"))
    }) {
        return Some((*id).to_owned());
    }
    let mut candidates: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
    if matches!(e.kind, EntryKind::Region(_)) {
        for id in ids {
            if let Some((dir, _)) = id.rsplit_once('/') {
                candidates.push(format!("{dir}/*"));
                candidates.push(format!("{dir}/**"));
            }
        }
        candidates.sort();
        candidates.dedup();
    }
    did_you_mean(&e.pattern, candidates.iter().map(String::as_str), 3).map(str::to_owned)
}
