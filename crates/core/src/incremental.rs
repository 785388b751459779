//! Re-analysis after edits, for the language server: re-parse only the files
//! that changed, keep every other node as it was, and keep the last good parse
//! of a file that stops parsing so that the cross-node rules still see it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::graph::{Deployment, Node, SourceFile, node_id, parse_node, region_of, root_name};
use crate::model::infer_role;
use crate::vfs::relative;

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
}

impl Node {
    /// A file that no longer parses but whose last good parse is kept
    /// (`doc` and `facts` are those of an earlier text): only its syntax
    /// error may be reported on it, the other rules' ranges would be stale.
    pub fn is_stale(&self) -> bool {
        self.doc.is_some() && self.syntax_error.is_some()
    }

    /// Recompute what the project file decides (id, region, role, offset,
    /// machine) for a deployment rooted at `root`.
    pub fn reconfigure(&mut self, root: &Path, config: &Config) {
        let root_name = root_name(root);
        self.rel = relative(&self.path, root);
        self.id = node_id(&self.rel, &root_name);
        self.region = region_of(&self.id, &root_name, config);
        let node_cfg = config.nodes.get(&self.id);
        let (role, source) = infer_role(node_cfg.and_then(|n| n.role), &self.facts);
        self.role = role;
        self.role_source = source;
        self.offset = node_cfg
            .and_then(|n| n.port_offset)
            .or(self.facts.offset.as_ref().map(|o| o.value))
            .unwrap_or(0);
        self.machine = node_cfg.and_then(|n| n.machine.clone());
    }
}

/// The deployment after `changes`: changed files re-parsed (in parallel),
/// the others reused, a file with a new syntax error keeping its last good
/// parse, then hosts and edges resolved again over all nodes.
pub fn rebuild(prev: Deployment, changes: Changes) -> Deployment {
    use rayon::prelude::*;
    let root = prev.root.clone();
    let config_changed = changes.config.is_some();
    let config = changes.config.unwrap_or_else(|| prev.config.clone());
    let removed: HashSet<&PathBuf> = changes.removed.iter().collect();
    let mut old: HashMap<PathBuf, Node> = prev
        .into_nodes()
        .into_iter()
        .map(|n| (n.path.clone(), n))
        .collect();
    let fresh: Vec<(Node, Option<Node>)> = changes
        .files
        .into_iter()
        .filter(|f| !removed.contains(&f.path))
        .map(|f| {
            let before = old.remove(&f.path);
            (f, before)
        })
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(f, before)| (parse_node(&root, &config, f), before))
        .collect();
    let mut nodes: Vec<Node> = Vec::with_capacity(old.len() + fresh.len());
    for (mut node, before) in fresh {
        if node.doc.is_none()
            && node.syntax_error.is_some()
            && let Some(good) = before.filter(|b| b.doc.is_some())
        {
            node.doc = good.doc;
            node.facts = good.facts;
            node.reconfigure(&root, &config);
        }
        nodes.push(node);
    }
    for (path, mut node) in old {
        if removed.contains(&path) {
            continue;
        }
        if config_changed {
            node.reconfigure(&root, &config);
        }
        nodes.push(node);
    }
    Deployment::from_nodes(&root, config, nodes)
}

/// The findings an editor can show: none but the syntax error on a stale
/// node (their ranges belong to an older text), and no related location
/// inside a stale node.
pub fn visible(dep: &Deployment, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let stale = |i: usize| dep.node(i).is_some_and(Node::is_stale);
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

/// The findings of the local rules, per node file, from earlier analyses.
#[derive(Debug, Default)]
pub struct LocalCache {
    /// Findings with `file` (and related/edit files) relative to the node: 0.
    by_path: HashMap<PathBuf, Vec<Diagnostic>>,
}

/// The same findings as [`crate::check`], computed incrementally: the
/// cross-node rules run over the whole deployment, the local rules
/// ([`crate::rules::Rule::is_local`]) only for the nodes in `changed` (or all when
/// `everything`, e.g. after `apimlint.toml` changed); the others' local
/// findings come from `cache`.
pub fn check(
    dep: &Deployment,
    changed: &HashSet<PathBuf>,
    everything: bool,
    cache: &mut LocalCache,
) -> Vec<Diagnostic> {
    use crate::rules::{Rule, run_rules_on};
    let (local, cross): (Vec<&'static Rule>, Vec<&'static Rule>) =
        crate::rules::enabled(&dep.config).partition(|r| r.is_local());
    // the node rules over the changed nodes alone
    let stale: Vec<usize> = dep
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| {
            everything || changed.contains(&n.path) || !cache.by_path.contains_key(&n.path)
        })
        .map(|(i, _)| i)
        .collect();
    let mut out = run_rules_on(&cross, dep, &[]);
    let fresh = run_rules_on(&local, dep, &stale);
    for &i in &stale {
        if let Some(n) = dep.node(i) {
            cache.by_path.insert(n.path.clone(), Vec::new());
        }
    }
    for d in fresh {
        let Some(n) = dep.node(d.file) else { continue };
        let from = d.file;
        cache
            .by_path
            .entry(n.path.clone())
            .or_default()
            .push(d.renumber(from, 0));
    }
    let present: HashSet<&PathBuf> = dep.nodes.iter().map(|n| &n.path).collect();
    cache.by_path.retain(|p, _| present.contains(p));
    for (i, n) in dep.nodes.iter().enumerate() {
        if let Some(ds) = cache.by_path.get(&n.path) {
            out.extend(ds.iter().cloned().map(|d| d.renumber(0, i)));
        }
    }
    crate::rules::sort(&mut out);
    crate::suppress::apply(dep, out, &crate::suppress::Options::default())
}
