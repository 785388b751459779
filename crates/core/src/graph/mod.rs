//! The deployment graph: nodes (one per `deployment.toml`) with regions,
//! roles and facts, and an edge for every URL one node uses to reach another,
//! resolved once (`docs/url-resolution.md`). Rules query the graph;
//! they never re-parse or re-resolve.

pub(crate) mod bridge;
mod build;
mod front;
pub(crate) mod home;
mod ids;
mod node;
mod resolve;

pub use bridge::BridgeLink;
pub(crate) use build::{intern_home, kept_prefix, parse_node, prefix_of_nodes};
pub(crate) use front::Front;
pub use home::{FileKind, Home, HomeFile, HomeSource};
pub use node::{Node, RegionSource, SourceFile, State};
pub use resolve::BrokerReach;
use resolve::HostIndex;
pub(crate) use resolve::url_spans;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use foldhash::HashMap;
use petgraph::graph::{DiGraph, NodeIndex};

use std::sync::Arc;

use crate::base::files::{FileId, FileSet};
use crate::base::text::LineIndex;
use crate::config::Config;
use crate::endpoint::{self, Endpoint};
use crate::manifest::{Manifest, Origin};
pub use crate::model::EdgeKind;
use crate::model::Role;

pub type NodeIdx = usize;

/// How a URL resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Every candidate of the expected role listens there (or a load balancer).
    Ok { targets: Vec<NodeIdx>, via_lb: bool },
    /// Some of the host's nodes of the expected role listen on the port, some not.
    PartialPort {
        ok: Vec<NodeIdx>,
        wrong: Vec<(NodeIdx, i64)>,
        port: i64,
    },
    /// No node of the expected role listens on the port.
    WrongPort {
        port: i64,
        expected: Vec<(NodeIdx, i64)>,
        placeholder: Option<String>,
        /// The URL's own port, where a Service (`port` → `targetPort`) or a
        /// Compose published port (host → container) mapped it to `port`:
        /// the mapping, not the URL, may be the mistake.
        mapped_from: Option<i64>,
    },
    /// The host names nodes, none of the expected role.
    WrongRole { found: Vec<NodeIdx> },
    /// A Kubernetes Service that selects pods of the expected role and pods
    /// of other roles (`other`): connections are balanced onto both.
    MixedRoles {
        service: String,
        ok: Vec<NodeIdx>,
        other: Vec<NodeIdx>,
    },
    /// A Kubernetes Service that has no endpoint for the URL: it names no
    /// node, it reaches nothing.
    NoEndpoint { service: String, why: NoEndpoint },
    /// A Compose name the writer's container cannot use as written: the
    /// name is on no network the writer shares, the writer or the target
    /// runs with `network_mode: host`, the name is an alias of containers
    /// of several roles, or `host.docker.internal` on a port no service
    /// publishes. `found`: the nodes the name (or port) belongs to; `why`:
    /// the sentence that says so.
    Docker { found: Vec<NodeIdx>, why: String },
    /// The host names no node but is close (edit distance ≤ 2) to names
    /// that resolve in the writer's region: every closest one, sorted.
    NearMiss { suggestions: Vec<String> },
    /// The host names nothing apimlint knows.
    UnknownHost,
    /// `$env{…}`-style host: cannot be checked.
    Unresolvable,
    /// The value is not a URL.
    Invalid(String),
}

/// Why a Kubernetes Service has no endpoint for a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoEndpoint {
    /// Its selector matches no pod of its namespace; `elsewhere`: the other
    /// namespaces whose pods it would match.
    NoPods {
        namespace: String,
        elsewhere: Vec<String>,
    },
    /// The URL's port maps to a named `targetPort` that no container of the
    /// selected pods declares.
    NoNamedPort { port: i64, name: String },
    /// The Service does not expose the URL's port (nor any port reaching
    /// the nodes' listening port): the ports it exposes.
    NotExposed { port: i64, exposed: Vec<i64> },
}

impl NoEndpoint {
    /// Why Service `service` reaches nothing, for messages.
    pub fn explain(&self, service: &str) -> String {
        match self {
            NoEndpoint::NoPods {
                namespace,
                elsewhere,
            } => {
                let mut s = format!(
                    "the Service `{service}` selects no pod: no workload of namespace `{namespace}` carries every label of its `selector`"
                );
                if !elsewhere.is_empty() {
                    s.push_str(&format!(
                        " (pods of namespace {} do, but a Service selects only the pods of its own namespace)",
                        elsewhere
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                s
            }
            NoEndpoint::NoNamedPort { port, name } => format!(
                "the Service `{service}` maps port {port} to the named `targetPort` `{name}`, which no container of the pods it selects declares"
            ),
            NoEndpoint::NotExposed { port, exposed } => format!(
                "the Service `{service}` does not expose port {port} (its ports: {})",
                if exposed.is_empty() {
                    "none".to_owned()
                } else {
                    exposed
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
        }
    }
}

impl Resolution {
    /// The nodes the URL reaches (possibly on the wrong port).
    pub fn targets(&self) -> Vec<NodeIdx> {
        match self {
            Resolution::Ok { targets, .. } => targets.clone(),
            Resolution::PartialPort { ok, wrong, .. } => ok
                .iter()
                .copied()
                .chain(wrong.iter().map(|w| w.0))
                .collect(),
            Resolution::WrongPort { expected, .. } => expected.iter().map(|e| e.0).collect(),
            Resolution::MixedRoles { ok, other, .. } => {
                ok.iter().copied().chain(other.iter().copied()).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Whether the host named nodes at all (the reference is not dangling;
    /// a Service without endpoints reaches nothing: the coverage rules
    /// draw no conclusion from it).
    pub(crate) fn host_resolved(&self) -> bool {
        matches!(
            self,
            Resolution::Ok { .. }
                | Resolution::PartialPort { .. }
                | Resolution::WrongPort { .. }
                | Resolution::WrongRole { .. }
                | Resolution::MixedRoles { .. }
                | Resolution::Docker { .. }
        )
    }
}

/// A reference from one node to others through a URL.
#[derive(Debug, Clone)]
pub struct Edge {
    pub from: NodeIdx,
    pub kind: EdgeKind,
    /// Key path, array entries named (`apim.throttling.url_group[tm-1].traffic_manager_urls`).
    pub key: String,
    pub url: String,
    /// The string literal in the writer's file.
    pub span: Range<usize>,
    pub host_span: Range<usize>,
    pub port_span: Option<Range<usize>>,
    pub endpoint: Option<Endpoint>,
    pub scheme_ok: bool,
    pub expected: &'static [Role],
    pub cross_region: bool,
    /// The URL goes through a Kubernetes Service (or a headless Service's
    /// name) in front of several nodes, for a protocol that holds
    /// long-lived connections (JMS `tcp://`, binary `tcp://`/`ssl://`):
    /// each connection reaches ONE of the targets, not all of them, so the
    /// URL covers no particular member of an HA set.
    pub one_of: bool,
    pub resolution: Resolution,
}

impl Edge {
    /// The roles the URL should reach, for messages: `control-plane or key-manager`.
    pub(crate) fn expected_roles(&self) -> String {
        self.expected
            .iter()
            .map(|r| r.name())
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

/// A loaded deployment: nodes, regions, the resolved edges.
#[derive(Debug)]
pub struct Deployment {
    root: PathBuf,
    config: Config,
    /// Every file the deployment has interned (stable ids).
    files: FileSet,
    /// The nodes, sorted by path.
    nodes: Vec<Node>,
    /// File id → position in `nodes` (`usize::MAX`: not a node now).
    by_file: Vec<NodeIdx>,
    /// Home file id → position of its node in `nodes` (`usize::MAX`: no
    /// node's home file now).
    home_of: Vec<NodeIdx>,
    /// The graph — the one store of who reaches whom: a vertex per node
    /// (vertex `i` is node `i`), then a vertex per URL a node writes (its
    /// [`Edge`], resolved once), the nodes' URLs in node order; a node
    /// [`Link::Writes`] its URLs, a URL [`Link::Reaches`] its targets.
    graph: DiGraph<Vertex, Link>,
    regions: BTreeMap<String, Vec<NodeIdx>>,
    /// The URL vertices of each node (contiguous).
    urls: Vec<Range<usize>>,
    hosts: HostIndex,
    /// Each manifest's text as shown: Secret values and every node's
    /// secrets starred (by manifest path).
    shown: HashMap<PathBuf, (Arc<str>, Arc<Manifest>)>,
    /// `apimlint.toml`, when read from a file: interned, so that findings
    /// about its entries are located in it.
    project: Option<ProjectFile>,
}

/// The project file as a file of the deployment (it holds no secret: its
/// every key is known, none secret-bearing).
#[derive(Debug)]
struct ProjectFile {
    file: FileId,
    path: PathBuf,
    text: Arc<str>,
    lines: LineIndex,
}

/// What renderers show for a node's file: the file itself, or for a node
/// read from a manifest, the manifest (path, redacted text, lines) with the
/// node's offsets mapped into it.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a> {
    pub path: &'a Path,
    /// The redacted text: the only text a renderer may show.
    pub text: &'a str,
    pub lines: &'a LineIndex,
    pub origin: Option<&'a Origin>,
}

impl Shown<'_> {
    /// A node range as a range of the shown text.
    pub fn range(&self, r: &Range<usize>) -> Range<usize> {
        match self.origin {
            Some(o) => o.range(r),
            None => r.clone(),
        }
    }

    /// A node offset as an offset of the shown text.
    pub fn offset(&self, o: usize) -> usize {
        self.range(&(o..o)).start
    }
}

/// A vertex of the deployment's graph.
#[derive(Debug)]
// a node vertex is as large as a URL vertex: there are ten URLs per node, and
// boxing each would cost an allocation per URL
#[allow(clippy::large_enum_variant)]
pub(crate) enum Vertex {
    /// A node (vertex `i` is node `i`).
    // read by `Debug` only: the index is the vertex's own
    Node(#[allow(dead_code)] NodeIdx),
    /// A URL a node writes, resolved (boxed: resolved in parallel where it
    /// is allocated, then only the pointer moves into the graph).
    Url(Box<Edge>),
}

impl Vertex {
    fn url(&self) -> Option<&Edge> {
        match self {
            Vertex::Url(e) => Some(e),
            Vertex::Node(_) => None,
        }
    }
}

/// What a link of the graph means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Link {
    /// A node writes this URL.
    Writes,
    /// The URL reaches this node (possibly on the wrong port).
    Reaches,
}

impl Deployment {
    /// The directory the deployment was read from.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The project configuration the deployment was built with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Every file the deployment has interned (stable ids).
    pub fn files(&self) -> &FileSet {
        &self.files
    }

    /// The nodes, sorted by path.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The regions: each region's name and its nodes.
    pub fn regions(&self) -> &BTreeMap<String, Vec<NodeIdx>> {
        &self.regions
    }

    /// Replaces node `i`'s key material (tests that give nodes keystores
    /// the deployment did not read).
    #[cfg(test)]
    pub(crate) fn set_keys(&mut self, i: NodeIdx, keys: Arc<crate::model::KeyMaterial>) {
        if let Some(n) = self.nodes.get_mut(i) {
            n.keys = Some(keys);
        }
    }

    /// The file of node `i`.
    pub fn file(&self, i: NodeIdx) -> FileId {
        self.nodes.get(i).map_or(FileId(u32::MAX), |n| n.file)
    }

    /// The position of a file's node (its order among the nodes: by path).
    pub fn idx(&self, file: FileId) -> Option<NodeIdx> {
        self.by_file
            .get(file.index())
            .copied()
            .filter(|i| *i < self.nodes.len())
    }

    /// The node of a file.
    pub fn node_of(&self, file: FileId) -> Option<&Node> {
        self.nodes.get(self.idx(file)?)
    }

    /// A file of a node's home (XML, properties, keystore) and its node.
    pub fn home_file(&self, file: FileId) -> Option<(NodeIdx, &HomeFile)> {
        let i = self
            .home_of
            .get(file.index())
            .copied()
            .filter(|i| *i < self.nodes.len())?;
        Some((i, self.nodes.get(i)?.home.file(file)?))
    }

    /// The node a file belongs to: the node of its `deployment.toml`, or
    /// the node whose home holds it.
    pub fn owner(&self, file: FileId) -> Option<NodeIdx> {
        self.idx(file)
            .or_else(|| self.home_file(file).map(|(i, _)| i))
    }

    /// The file id of the project file, when it was read from one.
    pub fn project_file(&self) -> Option<FileId> {
        self.project.as_ref().map(|p| p.file)
    }

    /// The id of a file's node (the node whose home holds it, for a home
    /// file), or "?".
    pub fn id_of(&self, file: FileId) -> &str {
        self.owner(file).map_or("?", |i| self.id(i))
    }

    /// The Kubernetes Services of the deployment's manifests: region, name,
    /// namespace and the nodes their selectors pick.
    pub fn services(&self) -> &[(String, String, String, Vec<NodeIdx>)] {
        &self.hosts.services
    }

    /// What every text made from the deployment's values goes through
    /// before it is shown ([`crate::redact::Scrubber`]): its files' secret
    /// values and any URL credentials starred.
    pub fn scrubber(&self) -> crate::redact::Scrubber<'_> {
        crate::redact::Scrubber::new(self.nodes.iter().flat_map(|n| {
            std::iter::once((n.text.as_ref(), n.secrets.as_slice())).chain(
                n.home
                    .files
                    .iter()
                    .map(|h| (h.text.as_ref(), h.secrets.as_slice())),
            )
        }))
    }

    /// What renderers show for a node's file (see [`Shown`]).
    pub fn shown(&self, file: FileId) -> Option<Shown<'_>> {
        if let Some((_, h)) = self.home_file(file) {
            return self.shown_home(h);
        }
        let Some(n) = self.node_of(file) else {
            return self
                .project
                .as_ref()
                .filter(|p| p.file == file)
                .map(|p| Shown {
                    path: &p.path,
                    text: &p.text,
                    lines: &p.lines,
                    origin: None,
                });
        };
        Some(match &n.origin {
            Some(o) if o.inline => {
                let (text, m) = self.shown.get(&o.manifest.path)?;
                Shown {
                    path: &m.path,
                    text,
                    lines: &m.lines,
                    origin: Some(o),
                }
            }
            _ => Shown {
                path: &n.path,
                text: n.redacted(),
                lines: &n.lines,
                origin: None,
            },
        })
    }

    /// What renderers show for a home file: its redacted text (nothing of
    /// a keystore: a renderer shows no line of it).
    fn shown_home<'a>(&'a self, h: &'a HomeFile) -> Option<Shown<'a>> {
        Some(match h.origin().filter(|o| o.inline) {
            // held in a manifest: the manifest, the file's offsets mapped
            Some(o) => {
                let (text, m) = self.shown.get(&o.manifest.path)?;
                Shown {
                    path: &m.path,
                    text,
                    lines: &m.lines,
                    origin: Some(o),
                }
            }
            None => Shown {
                path: &h.path,
                text: h.redacted(),
                lines: &h.lines,
                origin: None,
            },
        })
    }

    /// A file's own text as a report may show it (secrets starred), with its
    /// lines: the TOML or home file itself, even when it is held in a
    /// manifest (where a chart writes it as one quoted line, too long to
    /// show). Empty for a keystore. Offsets are the file's own.
    pub fn own_text(&self, file: FileId) -> Option<(&str, &LineIndex)> {
        if let Some((_, h)) = self.home_file(file) {
            return Some((h.redacted(), &h.lines));
        }
        let n = self.node_of(file)?;
        Some((n.redacted(), &n.lines))
    }

    /// A manifest of the deployment (one that holds a node), by path.
    pub fn manifest(&self, path: &Path) -> Option<&Manifest> {
        self.shown.get(path).map(|(_, m)| &**m)
    }

    /// The nodes whose TOML holds byte `offset` of the manifest `path` (one,
    /// or one per workload mounting the same ConfigMap), each with that byte
    /// as an offset of its text (only where the TOML maps exactly).
    pub fn nodes_in_manifest(&self, path: &Path, offset: usize) -> Vec<(NodeIdx, usize)> {
        self.nodes
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                let o = n
                    .origin
                    .as_ref()
                    .filter(|o| o.inline && o.manifest.path == path)?;
                o.holds(offset).then(|| (i, o.unmap(offset)))
            })
            .collect()
    }

    /// The node of a path.
    pub fn node_at(&self, path: &Path) -> Option<(NodeIdx, &Node)> {
        let i = self.idx(self.files.get(path)?)?;
        Some((i, self.nodes.get(i)?))
    }

    /// Give the files and nodes back (to re-assemble them after some changed).
    pub fn into_parts(self) -> (FileSet, Vec<Node>) {
        let mut rest = self;
        let files = std::mem::take(&mut rest.files);
        let nodes = std::mem::take(&mut rest.nodes);
        // the graph and the indexes are rebuilt from the nodes: freeing
        // them (every edge of the deployment) is left to a worker thread
        rayon::spawn(move || drop(rest));
        (files, nodes)
    }

    /// Whether no node's keystores are in the tree (a repository of TOML
    /// files only): the key-material rules had nothing to read.
    pub fn key_material_absent(&self) -> bool {
        self.nodes.iter().all(|n| n.keys.is_none())
    }

    /// Every edge (URL) of the deployment, in node order.
    pub fn edges(&self) -> impl Iterator<Item = &Edge> {
        self.graph
            .node_weights()
            .skip(self.nodes.len())
            .filter_map(Vertex::url)
    }

    /// The edges a node writes, in the order it writes them.
    pub(crate) fn edges_from(&self, node: NodeIdx) -> impl Iterator<Item = &Edge> {
        self.urls
            .get(node)
            .cloned()
            .into_iter()
            .flatten()
            .filter_map(|v| self.graph.node_weight(NodeIndex::new(v)))
            .filter_map(Vertex::url)
    }

    /// The first edge of each URL literal node `node` writes, by the
    /// literal's span: for rules that look up many of one node's URLs.
    pub(crate) fn edges_by_span(&self, node: NodeIdx) -> HashMap<(usize, usize), &Edge> {
        let mut m: HashMap<(usize, usize), &Edge> = HashMap::default();
        for e in self.edges_from(node) {
            m.entry((e.span.start, e.span.end)).or_insert(e);
        }
        m
    }

    /// Nodes of a region.
    pub fn region_nodes(&self, region: &str) -> &[NodeIdx] {
        self.regions.get(region).map_or(&[], Vec::as_slice)
    }

    /// Nodes of a region with a role (exactly that role).
    pub(crate) fn region_role(&self, region: &str, role: Role) -> Vec<NodeIdx> {
        self.region_nodes(region)
            .iter()
            .copied()
            .filter(|i| self.nodes.get(*i).is_some_and(|n| n.role == role))
            .collect()
    }

    pub fn node(&self, i: NodeIdx) -> Option<&Node> {
        self.nodes.get(i)
    }

    /// The node's id, or "?" for a bad index.
    pub fn id(&self, i: NodeIdx) -> &str {
        self.nodes.get(i).map_or("?", |n| n.id.as_str())
    }

    /// The nodes a host name names: those of the first source that names any
    /// (`[hosts]`, `[server] hostname`, `[server] node_ip`, the id's last
    /// component).
    pub(crate) fn lookup_host(&self, host: &str) -> Vec<NodeIdx> {
        self.hosts
            .lookup(&host.to_lowercase())
            .map(|(v, _)| v)
            .unwrap_or_default()
    }

    /// A host name that resolves to exactly this node, if there is one.
    pub(crate) fn unique_name(&self, i: NodeIdx) -> Option<String> {
        let n = self.nodes.get(i)?;
        [n.facts.hostname.as_ref(), n.facts.node_ip.as_ref()]
            .into_iter()
            .flatten()
            .map(|h| h.value.to_lowercase())
            .chain(n.id.rsplit('/').next().map(str::to_lowercase))
            .find(|h| !endpoint::is_loopback_host(h) && self.lookup_host(h) == [i])
    }

    /// Where a bridge broker `host:port` written by node `from` leads,
    /// across every region ([`BrokerReach`]).
    pub(crate) fn reach_broker(&self, from: NodeIdx, host: &str, port: i64) -> BrokerReach {
        self.hosts.broker(self, from, host, port)
    }
}
