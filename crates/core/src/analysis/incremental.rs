//! Re-analysis after edits, for the language server: re-parse only the files
//! that changed, keep every other node as it was, and keep the last good parse
//! of a file that stops parsing so that the cross-node rules still see it.
//! Files keep their [`FileId`] across rebuilds, so cached findings stay valid
//! as they are.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::base::diagnostic::Diagnostic;
use crate::base::files::FileId;
use crate::config::Config;
use crate::graph::{Deployment, Node, SourceFile, State, parse_node};
use crate::rules::{self, Rule};

/// What changed since the last analysis.
#[derive(Debug, Default)]
pub struct Changes {
    /// Node files to (re-)read: new texts of changed or created files.
    pub files: Vec<SourceFile>,
    /// Node files that are gone.
    pub removed: Vec<PathBuf>,
    /// A new project file (`apimlint.toml` changed): every node's id,
    /// region, role and offset are recomputed, without re-parsing.
    pub config: Option<Config>,
    /// A file that stops parsing is what a fresh load makes of it
    /// (`Unparsable`), not `Stale` with its last good parse (`check --fix`:
    /// the result must equal a load of the fixed files).
    pub fresh_errors: bool,
}

/// The deployment after `changes`: changed files re-parsed (in parallel),
/// the others reused, a file with a new syntax error keeping its last good
/// parse, then hosts and edges resolved again over all nodes.
pub fn rebuild(prev: Deployment, changes: Changes) -> Deployment {
    use rayon::prelude::*;
    let root = prev.root().to_path_buf();
    let config_changed = changes.config.is_some();
    let keep_stale = !changes.fresh_errors;
    let config = changes.config.unwrap_or_else(|| prev.config().clone());
    let removed: HashSet<&PathBuf> = changes.removed.iter().collect();
    let (mut files, nodes) = prev.into_parts();
    let mut old: HashMap<PathBuf, Node> = nodes.into_iter().map(|n| (n.path.clone(), n)).collect();
    type Fresh = ((FileId, Vec<FileId>), SourceFile, Option<Node>);
    let fresh: Vec<Fresh> = changes
        .files
        .into_iter()
        .filter(|f| !removed.contains(&f.path))
        .map(|f| {
            let before = old.remove(&f.path);
            let id = files.intern(&f.path);
            let home = crate::graph::intern_home(&mut files, &f);
            ((id, home), f, before)
        })
        .collect();
    let fresh: Vec<(Node, Option<Node>)> = fresh
        .into_par_iter()
        .map(|(ids, f, before)| {
            let read = f.home.is_some();
            let mut node = parse_node(&root, &config, ids, f, true);
            // a change of the TOML alone keeps the home read before
            if !read && let Some(b) = &before {
                node.keep_home(b);
            }
            (node, before)
        })
        .collect();
    let mut nodes: Vec<Node> = Vec::with_capacity(old.len() + fresh.len());
    for (mut node, before) in fresh {
        if let State::Unparsable(error) = &node.state
            && keep_stale
            && let Some(good) = before.filter(Node::is_analysable)
        {
            let tree = match good.state {
                State::Parsed(t) | State::Stale { tree: t, .. } => t,
                _ => None,
            };
            node.state = State::Stale {
                error: error.clone(),
                tree,
            };
            node.facts = good.facts;
            node.keys = good.keys;
            node.configure(&root, &config);
        }
        nodes.push(node);
    }
    for (path, node) in old {
        if !removed.contains(&path) {
            nodes.push(node);
        }
    }
    // files came or went: the directories every node shares may differ
    let mut config = config;
    let prefix = crate::graph::kept_prefix(crate::graph::prefix_of_nodes(&nodes), &config);
    let reconfigure = config_changed || prefix != config.id_prefix;
    config.id_prefix = prefix;
    if reconfigure {
        for node in &mut nodes {
            node.configure(&root, &config);
        }
    }
    Deployment::from_nodes(&root, config, files, nodes)
}

/// The findings an editor can show: none but the syntax error on a stale
/// node (their ranges belong to an older text), and no related location
/// inside a stale node.
pub fn visible(dep: &Deployment, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let stale = |f: FileId| dep.node_of(f).is_some_and(Node::is_stale);
    diags
        .into_iter()
        .filter(|d| !stale(d.file) || d.rule == "toml-syntax")
        .map(|mut d| {
            d.related.retain(|r| !stale(r.file) || r.file == d.file);
            if let Some(fix) = &d.fix
                && fix.edits.iter().any(|e| stale(e.file))
            {
                d.fix = None;
            }
            d
        })
        .collect()
}

/// The findings of the node rules per file, from earlier analyses.
#[derive(Debug, Default)]
pub struct LocalCache {
    by_file: HashMap<FileId, Vec<Diagnostic>>,
}

impl LocalCache {
    /// A cache holding the node findings a lean load made
    /// ([`super::load_lean`]): its nodes' keys are gone, so their node rules
    /// cannot run again until the files change.
    pub fn seeded(found: HashMap<FileId, Vec<Diagnostic>>) -> LocalCache {
        LocalCache { by_file: found }
    }
}

/// The same findings as [`super::check`], computed incrementally: the
/// deployment rules run over the whole deployment, the node rules
/// ([`Rule::is_local`]) only for the nodes in `changed` (or all when
/// `everything`, e.g. after `apimlint.toml` changed); the others' node
/// findings come from `cache`.
pub fn check(
    dep: &Deployment,
    changed: &HashSet<PathBuf>,
    everything: bool,
    cache: &mut LocalCache,
) -> Vec<Diagnostic> {
    check_with(
        dep,
        changed,
        everything,
        cache,
        &crate::suppress::Options::default(),
    )
}

/// [`check`] with options (`--require-reason`).
pub fn check_with(
    dep: &Deployment,
    changed: &HashSet<PathBuf>,
    everything: bool,
    cache: &mut LocalCache,
    opts: &crate::suppress::Options,
) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let local: Vec<&'static Rule> = rules::enabled(dep.config())
        .filter(|r| r.is_local())
        .collect();
    let stale: Vec<&Node> = dep
        .nodes()
        .iter()
        .filter(|n| everything || changed.contains(&n.path) || !cache.by_file.contains_key(&n.file))
        .collect();
    let fresh: Vec<(FileId, Vec<Diagnostic>)> = stale
        .par_iter()
        .map(|n| (n.file, super::node_findings(&local, dep.config(), n)))
        .collect();
    cache.by_file.extend(fresh);
    cache.by_file.retain(|f, _| dep.node_of(*f).is_some());
    let found: Vec<Diagnostic> = cache.by_file.values().flatten().cloned().collect();
    let mut found = found;
    found.extend(super::deployment_findings(dep));
    super::suppressed(dep, found, opts)
}
