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

use super::node::{Node, RegionSource, SourceFile, State};
use super::{Deployment, HostIndex, NodeIdx};
use crate::base::files::{FileId, FileSet};
use crate::base::text::LineIndex;
use crate::config::{Config, glob_match};
use crate::model::{Facts, Role, RoleSource};
use crate::vfs::{NODE_FILE, relative};

/// Parse, redact and model one file of the deployment rooted at `root`
/// (pure; run in parallel). The tree is kept when `keep_tree`.
pub(crate) fn parse_node(
    root: &Path,
    config: &Config,
    file: FileId,
    source: SourceFile,
    keep_tree: bool,
) -> Node {
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
        facts,
        offset: 0,
        machine: None,
        origin: source.origin,
        keys: None,
    };
    node.configure(root, config);
    if !keep_tree && let State::Parsed(tree) = &mut node.state {
        *tree = None;
    }
    node
}

/// The root directory's own name (the id of a node file in the root).
pub(crate) fn root_name(root: &Path) -> String {
    root.file_name()
        .map_or_else(|| "root".to_owned(), |n| n.to_string_lossy().into_owned())
}

/// Node id: the file's directory relative to the root, `repository/conf`
/// removed; for a file with another name, its path without the extension.
pub(crate) fn node_id(rel: &str, root_name: &str) -> String {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let id = if name == NODE_FILE {
        let d = dir.strip_suffix("repository/conf").unwrap_or(dir);
        if d == "repository/conf" { "" } else { d }
            .trim_end_matches('/')
            .to_owned()
    } else {
        rel.rsplit_once('.')
            .map_or(rel, |(stem, _)| stem)
            .to_owned()
    };
    if id.is_empty() || id == "." {
        root_name.to_owned()
    } else {
        id
    }
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

pub(crate) fn region_of(id: &str, root_name: &str, config: &Config) -> (String, RegionSource) {
    for (region, globs) in &config.regions {
        if globs.iter().any(|g| glob_match(g, id)) {
            return (region.clone(), RegionSource::Config);
        }
    }
    match id.split_once('/') {
        Some((first, rest)) => match role_first_region(first, rest) {
            Some(region) => (region.to_owned(), RegionSource::AfterRole),
            None => (first.to_owned(), RegionSource::FirstComponent),
        },
        None => (root_name.to_owned(), RegionSource::Root),
    }
}

/// Directory names that name a role, not a region (`cp/dc1`, `gw/dc2`).
const ROLE_DIRS: [&str; 19] = [
    "cp",
    "acp",
    "control-plane",
    "controlplane",
    "gw",
    "gateway",
    "gateways",
    "gateway-worker",
    "tm",
    "traffic-manager",
    "trafficmanager",
    "km",
    "key-manager",
    "keymanager",
    "is",
    "iskm",
    "is-km",
    "aio",
    "all-in-one",
];

/// In a tree laid out by role, then region (`cp/dc1`, `tm/region-2`,
/// `gw/eu-west-1/gw-1`), the first later component that looks like a
/// region; `None` when the first component names no role or no later one
/// looks like a region.
fn role_first_region<'a>(first: &str, rest: &'a str) -> Option<&'a str> {
    let role = first.to_ascii_lowercase();
    let role = ["wso2am-", "wso2apim-", "apim-", "wso2-"]
        .iter()
        .find_map(|p| role.strip_prefix(p))
        .unwrap_or(&role);
    if !ROLE_DIRS.contains(&role) {
        return None;
    }
    rest.split('/').find(|c| looks_like_region(c))
}

/// `dc1`, `dc-2`, `region-1`, `region2`, `site-a`, `zone-1`, `eu-west-1`.
fn looks_like_region(c: &str) -> bool {
    let c = c.to_ascii_lowercase();
    let numbered = |prefix: &str| {
        c.strip_prefix(prefix).is_some_and(|r| {
            let r = r.strip_prefix(['-', '_']).unwrap_or(r);
            !r.is_empty()
                && r.chars().all(|ch| ch.is_ascii_alphanumeric())
                && (prefix != "dc" || r.chars().all(|ch| ch.is_ascii_digit()))
        })
    };
    if ["dc", "region", "site", "zone", "datacenter", "datacentre"]
        .iter()
        .any(|p| numbered(p))
    {
        return true;
    }
    // a cloud region: `eu-west-1`, `us-east-2`, `ap-southeast-1`
    let parts: Vec<&str> = c.split('-').collect();
    matches!(parts.as_slice(), [geo, dir, n]
        if geo.len() == 2 && geo.chars().all(|ch| ch.is_ascii_lowercase())
            && !dir.is_empty() && dir.chars().all(|ch| ch.is_ascii_lowercase())
            && !n.is_empty() && n.chars().all(|ch| ch.is_ascii_digit()))
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
        let files: Vec<(FileId, SourceFile)> = files
            .into_iter()
            .map(|(_, f)| (set.intern(&f.path), f))
            .collect();
        let (nodes, visited): (Vec<Node>, Vec<(FileId, T)>) = files
            .into_par_iter()
            .map(|(id, file)| {
                let mut node = parse_node(root, &config, id, file, keep_trees);
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
        let mut regions: BTreeMap<String, Vec<NodeIdx>> = BTreeMap::new();
        for (i, n) in nodes.iter().enumerate() {
            if let Some(slot) = by_file.get_mut(n.file.index()) {
                *slot = i;
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
    for n in nodes {
        let Some(o) = n.origin.as_ref().filter(|o| o.inline) else {
            continue;
        };
        let e = ranges
            .entry(o.manifest.path.clone())
            .or_insert_with(|| (o.manifest.clone(), Vec::new()));
        e.1.extend(crate::manifest::secret_ranges(o, &n.secrets));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_ids() {
        assert_eq!(
            node_id("region-1/gw-1/repository/conf/deployment.toml", "r"),
            "region-1/gw-1"
        );
        assert_eq!(
            node_id("region-1/gw-1/deployment.toml", "r"),
            "region-1/gw-1"
        );
        assert_eq!(node_id("deployment.toml", "root"), "root");
        assert_eq!(node_id("repository/conf/deployment.toml", "root"), "root");
        assert_eq!(node_id("copies/gateway.toml", "r"), "copies/gateway");
    }
}

#[cfg(test)]
mod region_tests {
    use super::*;

    #[test]
    fn a_role_first_layout_takes_the_region_from_a_later_component() {
        let config = Config::default();
        let region = |id: &str| region_of(id, "root", &config);
        assert_eq!(region("cp/dc1"), ("dc1".into(), RegionSource::AfterRole));
        assert_eq!(region("tm/region-2/tm-1").0, "region-2");
        assert_eq!(region("wso2am-gw/eu-west-1").0, "eu-west-1");
        // the usual layouts are unchanged
        assert_eq!(
            region("region-1/gw-1"),
            ("region-1".into(), RegionSource::FirstComponent)
        );
        assert_eq!(
            region("dc1/cp"),
            ("dc1".into(), RegionSource::FirstComponent)
        );
        // a role directory without a region-looking component stays the region
        assert_eq!(
            region("gw/gw-1"),
            ("gw".into(), RegionSource::FirstComponent)
        );
        assert_eq!(region("cp/dcx").0, "cp");
        assert_eq!(region("gw-1"), ("root".into(), RegionSource::Root));
    }
}
