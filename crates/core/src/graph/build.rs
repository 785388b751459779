//! Building a deployment: parse → redact → facts → role, each file in
//! parallel; a node's id and region are derived here, in one place.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use foldhash::HashMap;

use crate::manifest::Manifest;

use petgraph::graph::DiGraph;
use rayon::prelude::*;

use super::home::{Home, keystore_names};
use super::ids::node_id;
use super::node::{Node, RegionSource, SourceFile, State};
use super::{Deployment, HostIndex, NodeIdx};
use crate::base::files::{FileId, FileSet};
use crate::base::text::LineIndex;
use crate::config::Config;
use crate::model::{Facts, Role, RoleSource};
use crate::vfs::{NODE_FILE, relative};

/// Parse, redact and model one file of the deployment rooted at `root`
/// (pure; run in parallel). The tree is kept when `keep_tree`.
pub(crate) fn parse_node(
    root: &Path,
    config: &Config,
    (file, home_ids): (FileId, Vec<FileId>),
    mut source: SourceFile,
    keep_tree: bool,
) -> Node {
    let home_sources = source.home.take().unwrap_or_default();
    let (text, state) = match source.text {
        Ok(t) => {
            let parsed = crate::syntax::parse(&t);
            let state = match (parsed.doc, parsed.error) {
                (Some(doc), _) => State::Parsed(Some(Box::new(doc))),
                (None, Some(e)) => State::Unparsable(e),
                (None, None) => State::Parsed(None),
            };
            (t, state)
        }
        Err(e) => (String::new(), State::Unreadable(e)),
    };
    let doc = match &state {
        State::Parsed(Some(d)) => Some(d.as_ref()),
        _ => None,
    };
    let secrets = crate::redact::secret_ranges(&text, doc);
    let facts = doc.map(Facts::extract).unwrap_or_default();
    let home = if home_sources.is_empty() {
        Arc::default()
    } else {
        Arc::new(Home::parse(
            home_ids.into_iter().zip(home_sources).collect(),
            keystore_names(doc),
        ))
    };
    let mut node = Node {
        file,
        lines: LineIndex::new(&text),
        id: String::new(),
        path: source.path,
        rel: String::new(),
        region: String::new(),
        region_source: RegionSource::Root,
        role: Role::Unknown,
        role_source: RoleSource::None,
        text: text.into(),
        redacted: std::sync::OnceLock::new(),
        secrets,
        state,
        facts: Box::new(facts),
        offset: 0,
        machine: None,
        origin: source.origin,
        keys: None,
        home,
    };
    node.configure(root, config);
    node.derive_keys();
    if !keep_tree && let State::Parsed(tree) = &mut node.state {
        *tree = None;
    }
    node
}

/// The leading directories every node id shares (`envs/prod` of
/// `envs/prod/region-1/gw-1` and `envs/prod/region-2/gw-1`), as long as
/// every id keeps two components (a region and a node): a deployment is
/// read the same wherever its root is. Nodes read inline from a manifest
/// have ids of their own and do not count.
pub(crate) fn id_prefix<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    let mut common: Option<Vec<&str>> = None;
    let mut keep = usize::MAX;
    for id in ids {
        let parts: Vec<&str> = id.split('/').collect();
        keep = keep.min(parts.len().saturating_sub(2));
        common = Some(match common {
            None => parts,
            Some(c) => c
                .iter()
                .zip(&parts)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| *a)
                .collect(),
        });
    }
    let common = common.unwrap_or_default();
    common
        .get(..keep.min(common.len()))
        .unwrap_or_default()
        .join("/")
}

/// The shared leading directories are left out of node ids unless the
/// project file names nodes by their ids relative to the root
/// (`[regions] "eu" = ["sites/eu-west-1a/*"]`, ids relative to the root as
/// docs/discovery.md defines them): then
/// the ids stay whole, so every entry written that way keeps its node.
pub(crate) fn kept_prefix(prefix: String, config: &Config) -> String {
    let with = format!("{prefix}/");
    if prefix.is_empty() || config.entries.iter().any(|e| e.pattern.starts_with(&with)) {
        String::new()
    } else {
        prefix
    }
}

/// The ids of a node file's home files (interned in `set`), in order.
pub(crate) fn intern_home(set: &mut FileSet, f: &SourceFile) -> Vec<FileId> {
    f.home
        .iter()
        .flatten()
        .map(|h| set.intern(&h.path))
        .collect()
}

/// The id prefix of nodes already configured (their `rel`).
pub(crate) fn prefix_of_nodes(nodes: &[Node]) -> String {
    let ids: Vec<String> = nodes
        .iter()
        .filter(|n| {
            n.origin.as_ref().is_none_or(|o| !o.inline)
                && n.rel.rsplit('/').next() == Some(NODE_FILE)
        })
        .map(|n| node_id(&n.rel, ""))
        .collect();
    id_prefix(ids.iter().map(String::as_str))
}

/// The id prefix of a deployment's node files (paths relative to the root).
pub(crate) fn prefix_of<'a>(files: impl Iterator<Item = (&'a str, &'a SourceFile)>) -> String {
    let ids: Vec<String> = files
        .filter(|(rel, f)| {
            f.origin.as_ref().is_none_or(|o| !o.inline) && rel.rsplit('/').next() == Some(NODE_FILE)
        })
        .map(|(rel, _)| node_id(rel, ""))
        .collect();
    id_prefix(ids.iter().map(String::as_str))
}

impl Deployment {
    /// Build the deployment from its files, keeping every parse tree. Never
    /// fails: unreadable and unparsable files become nodes with an error.
    pub fn build(root: &Path, config: Config, files: Vec<SourceFile>) -> Deployment {
        Self::build_with(root, config, files, true, &|_| ()).0
    }

    /// Build the deployment, calling `visit` on each node as soon as it is
    /// built (in parallel, while it is in cache); returns what `visit`
    /// returned, per file. Without `keep_trees`, each node's parse tree is
    /// dropped once its facts are extracted, and its `facts.keys` after
    /// `visit` ran: a fraction of the memory, for front ends that need only
    /// the model (the CLI runs the node rules in `visit`).
    pub(crate) fn build_with<T: Send>(
        root: &Path,
        mut config: Config,
        files: Vec<SourceFile>,
        keep_trees: bool,
        visit: &(dyn Fn(&Node) -> T + Sync),
    ) -> (Deployment, Vec<(FileId, T)>) {
        let mut files: Vec<(String, SourceFile)> = files
            .into_iter()
            .map(|f| (relative(&f.path, root), f))
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        config.id_prefix = kept_prefix(
            prefix_of(files.iter().map(|(r, f)| (r.as_str(), f))),
            &config,
        );
        // ids in path order: a fresh build's ids follow its nodes' order
        let mut set = FileSet::default();
        let mut files: Vec<((FileId, Vec<FileId>), SourceFile)> = files
            .into_iter()
            .map(|(_, f)| ((set.intern(&f.path), Vec::new()), f))
            .collect();
        // then the files of the nodes' homes, in the same order
        for ((_, home), f) in &mut files {
            *home = intern_home(&mut set, f);
        }
        let (nodes, visited): (Vec<Node>, Vec<(FileId, T)>) = files
            .into_par_iter()
            .map(|(ids, file)| {
                let id = ids.0;
                let mut node = parse_node(root, &config, ids, file, keep_trees);
                let seen = visit(&node);
                if !keep_trees {
                    node.facts.keys = None;
                }
                (node, (id, seen))
            })
            .unzip();
        (Deployment::from_nodes(root, config, set, nodes), visited)
    }

    /// Assemble a deployment from nodes already parsed (see [`parse_node`];
    /// the language server keeps them between edits), their files interned
    /// in `files`: sorts the nodes, groups regions, indexes host names and
    /// resolves every edge.
    pub(crate) fn from_nodes(
        root: &Path,
        config: Config,
        mut files: FileSet,
        mut nodes: Vec<Node>,
    ) -> Deployment {
        nodes.sort_by(|a, b| a.rel.cmp(&b.rel));
        // the project file: findings about its entries are located in it
        let project = config.source.as_ref().map(|s| super::ProjectFile {
            file: files.intern(&s.path),
            path: s.path.clone(),
            lines: LineIndex::new(&s.text),
            text: s.text.clone(),
        });
        let mut by_file = vec![usize::MAX; files.len()];
        let mut home_of = vec![usize::MAX; files.len()];
        let mut regions: BTreeMap<String, Vec<NodeIdx>> = BTreeMap::new();
        for (i, n) in nodes.iter().enumerate() {
            if let Some(slot) = by_file.get_mut(n.file.index()) {
                *slot = i;
            }
            for h in &n.home.files {
                if let Some(slot) = home_of.get_mut(h.file.index()) {
                    *slot = i;
                }
            }
            regions.entry(n.region.clone()).or_default().push(i);
        }
        let shown = shown_manifests(&nodes);
        let mut dep = Deployment {
            root: root.to_path_buf(),
            config,
            files,
            nodes,
            by_file,
            home_of,
            graph: DiGraph::new(),
            regions,
            urls: Vec::new(),
            hosts: HostIndex::default(),
            shown,
            project,
        };
        dep.hosts = HostIndex::new(&dep);
        dep.resolve_edges();
        dep
    }
}

/// Each manifest's text as renderers see it: its Secret values and, mapped
/// into it, every secret of every node read from it starred out. A node
/// whose offsets do not map exactly has its whole scalar starred.
fn shown_manifests(nodes: &[Node]) -> HashMap<PathBuf, (Arc<str>, Arc<Manifest>)> {
    let mut ranges: HashMap<PathBuf, (Arc<Manifest>, Vec<Range<usize>>)> = HashMap::default();
    // each node's text and each of its home files held in a manifest
    let held = nodes.iter().flat_map(|n| {
        std::iter::once((n.origin.as_deref(), n.secrets.as_slice())).chain(
            n.home
                .files
                .iter()
                .map(|h| (h.origin(), h.secrets.as_slice())),
        )
    });
    for (o, secrets) in held {
        let Some(o) = o.filter(|o| o.inline) else {
            continue;
        };
        let e = ranges
            .entry(o.manifest.path.clone())
            .or_insert_with(|| (o.manifest.clone(), Vec::new()));
        e.1.extend(crate::manifest::secret_ranges(o, secrets));
    }
    ranges
        .into_iter()
        .map(|(p, (m, r))| {
            let text: Arc<str> = if r.is_empty() {
                m.text.clone()
            } else {
                crate::manifest::starred(&m.text, &r).into()
            };
            (p, (text, m))
        })
        .collect()
}
