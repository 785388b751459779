//! The deployment graph: nodes (one per `deployment.toml`) with regions,
//! roles and facts, and an edge for every URL one node uses to reach another,
//! resolved once (`docs/url-resolution.md`). Rules query the graph;
//! they never re-parse or re-resolve.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use foldhash::HashMap;
use petgraph::graph::{DiGraph, NodeIndex};
use rayon::prelude::*;

use crate::base::files::{FileId, FileSet};
use crate::base::text::{LineIndex, did_you_mean};
use crate::config::{Config, glob_match};
use crate::endpoint::{self, Endpoint, HostKind, Port};
use crate::model::{Facts, Role, RoleSource, infer_role};
use crate::syntax::SyntaxError;
use crate::vfs::{NODE_FILE, ReadError, relative};

pub type NodeIdx = usize;

/// One node file given to the loader.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Result<String, ReadError>,
}

/// Where a node's content stands: its lifecycle, in one place.
#[derive(Debug, Clone)]
pub enum State {
    /// The file could not be read (the text is empty).
    Unreadable(ReadError),
    /// The text does not parse, and no earlier parse of it is known.
    Unparsable(SyntaxError),
    /// The text parses: its tree, or `None` once the tree was dropped after
    /// the facts were extracted ([`Deployment::build_without_trees`]).
    Parsed(Option<Box<toml_edit::Document<String>>>),
    /// The text does not parse, but an earlier version did (the editor):
    /// the facts and tree are that version's, so only the syntax error may
    /// be reported on this node — other ranges would be stale.
    Stale {
        error: SyntaxError,
        tree: Option<Box<toml_edit::Document<String>>>,
    },
}

/// One node: a `deployment.toml` and what apimlint knows of it.
#[derive(Debug, Clone)]
pub struct Node {
    /// The node's file, stable across rebuilds.
    pub file: FileId,
    pub id: String,
    pub path: PathBuf,
    /// Path relative to the deployment root.
    pub rel: String,
    pub region: String,
    pub role: Role,
    pub role_source: RoleSource,
    /// The original text (empty when unreadable).
    pub text: Arc<str>,
    /// The text with every secret starred out ([`Node::redacted`]), made when
    /// first asked for: most nodes have no finding to show.
    redacted: std::sync::OnceLock<Arc<str>>,
    pub secrets: Vec<Range<usize>>,
    pub lines: LineIndex,
    pub state: State,
    pub facts: Facts,
    /// `[nodes."id"] port_offset`, else `[server] offset`, else 0.
    pub offset: i64,
    pub machine: Option<String>,
}

impl Node {
    /// The text with every secret starred out (same length, same offsets):
    /// the only text renderers see.
    pub fn redacted(&self) -> &str {
        self.redacted
            .get_or_init(|| crate::redact::redact(&self.text, &self.secrets).into())
    }

    /// Whether the node's content could be read and parsed (now or, when
    /// stale, in an earlier version).
    pub fn is_analysable(&self) -> bool {
        matches!(self.state, State::Parsed(_) | State::Stale { .. })
    }

    /// A file that no longer parses but whose last good parse is kept.
    pub fn is_stale(&self) -> bool {
        matches!(self.state, State::Stale { .. })
    }

    pub fn read_error(&self) -> Option<&ReadError> {
        match &self.state {
            State::Unreadable(e) => Some(e),
            _ => None,
        }
    }

    /// The syntax error of the current text.
    pub fn syntax_error(&self) -> Option<&SyntaxError> {
        match &self.state {
            State::Unparsable(e) | State::Stale { error: e, .. } => Some(e),
            _ => None,
        }
    }

    /// The parse tree, when kept (of an earlier text when stale).
    pub fn doc(&self) -> Option<&toml_edit::Document<String>> {
        match &self.state {
            State::Parsed(Some(t)) | State::Stale { tree: Some(t), .. } => Some(t),
            _ => None,
        }
    }

    /// The parse tree of the current text: the one kept, or parsed again
    /// when it was dropped (an editor's request on a file it has not
    /// edited). `None` when the text does not parse (or is stale).
    pub fn tree(&self) -> Option<std::borrow::Cow<'_, toml_edit::Document<String>>> {
        match &self.state {
            State::Parsed(Some(t)) => Some(std::borrow::Cow::Borrowed(t.as_ref())),
            State::Parsed(None) => crate::syntax::parse(&self.text)
                .doc
                .map(std::borrow::Cow::Owned),
            _ => None,
        }
    }

    /// The effective port for a WSO2 default port: the explicit key or the
    /// default, plus the offset.
    pub fn port(&self, default: u16) -> i64 {
        self.facts
            .ports
            .get(&default)
            .map_or(i64::from(default), |p| p.value)
            + self.offset
    }

    /// A span in this file to point at when nothing narrower exists.
    pub fn anchor(&self) -> Range<usize> {
        if let Some(r) = &self.facts.server_role {
            return r.span.clone();
        }
        if let Some(h) = &self.facts.server_header {
            return h.clone();
        }
        let end = self.text.find('\n').unwrap_or(self.text.len());
        0..end
    }

    /// Recompute what the project file decides (id, region, role, offset,
    /// machine) for a deployment rooted at `root`: the one derivation, used
    /// when a node is built and when `apimlint.toml` changes.
    pub fn configure(&mut self, root: &Path, config: &Config) {
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

/// What a URL is used for; decides the role, port and scheme it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    ThrottleEvents,
    ThrottleAuth,
    ThrottleDecision,
    ThrottleDuplicate,
    EventListening,
    EventHubService,
    EventPublish,
    EventPublishAuth,
    EventDuplicate,
    KeyManager,
    Notification,
    GatewayService,
    GatewayHttp,
    GatewayHttps,
    GatewayWs,
    GatewayWss,
}

impl EdgeKind {
    /// The WSO2 default port of the target.
    pub fn port(self) -> u16 {
        use EdgeKind::*;
        match self {
            ThrottleEvents | EventPublish => 9611,
            ThrottleAuth | EventPublishAuth => 9711,
            ThrottleDecision | ThrottleDuplicate | EventListening | EventDuplicate => 5672,
            EventHubService | KeyManager | Notification | GatewayService => 9443,
            GatewayHttp => 8280,
            GatewayHttps => 8243,
            GatewayWs => 9099,
            GatewayWss => 8099,
        }
    }

    /// Schemes the key accepts.
    pub fn schemes(self) -> &'static [&'static str] {
        use EdgeKind::*;
        match self {
            ThrottleEvents | ThrottleDecision | ThrottleDuplicate | EventListening
            | EventPublish | EventDuplicate => &["tcp"],
            ThrottleAuth | EventPublishAuth => &["ssl"],
            EventHubService | KeyManager | Notification | GatewayService | GatewayHttps => {
                &["https"]
            }
            GatewayHttp => &["http"],
            GatewayWs => &["ws"],
            GatewayWss => &["wss"],
        }
    }

    /// Roles that may sit at the other end (besides all-in-one and unknown).
    pub fn roles(self, region_has_tm: bool) -> &'static [Role] {
        use EdgeKind::*;
        match self {
            ThrottleEvents | ThrottleAuth | ThrottleDecision if region_has_tm => {
                &[Role::TrafficManager]
            }
            ThrottleEvents | ThrottleAuth | ThrottleDecision => &[Role::ControlPlane],
            ThrottleDuplicate => &[Role::TrafficManager],
            EventListening | EventHubService | EventPublish | EventPublishAuth | EventDuplicate
            | Notification => &[Role::ControlPlane],
            KeyManager => &[Role::ControlPlane, Role::KeyManager, Role::IsKeyManager],
            GatewayService | GatewayHttp | GatewayHttps | GatewayWs | GatewayWss => {
                &[Role::GatewayWorker]
            }
        }
    }

    /// What the edge carries, for pictures of the topology.
    pub fn label(self) -> &'static str {
        use EdgeKind::*;
        match self {
            ThrottleEvents | ThrottleAuth => "throttle events",
            ThrottleDecision => "throttle decisions",
            ThrottleDuplicate | EventDuplicate => "duplicate",
            EventListening | EventHubService => "event hub",
            EventPublish | EventPublishAuth => "event publish",
            KeyManager => "key manager",
            Notification => "revocation",
            GatewayService | GatewayHttp | GatewayHttps | GatewayWs | GatewayWss => "gateway",
        }
    }
}

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
    },
    /// The host names nodes, none of the expected role.
    WrongRole { found: Vec<NodeIdx> },
    /// The host names no node but is close to one that does.
    NearMiss { suggestion: String },
    /// The host names nothing apimlint knows.
    UnknownHost,
    /// `$env{…}`-style host: cannot be checked.
    Unresolvable,
    /// The value is not a URL.
    Invalid(String),
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
            _ => Vec::new(),
        }
    }

    /// Whether the host named nodes at all (the reference is not dangling).
    pub fn host_resolved(&self) -> bool {
        matches!(
            self,
            Resolution::Ok { .. }
                | Resolution::PartialPort { .. }
                | Resolution::WrongPort { .. }
                | Resolution::WrongRole { .. }
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
    pub resolution: Resolution,
}

/// A loaded deployment: nodes, regions, the resolved edges.
#[derive(Debug)]
pub struct Deployment {
    pub root: PathBuf,
    pub config: Config,
    /// Every file the deployment has interned (stable ids).
    pub files: FileSet,
    /// The nodes, sorted by path.
    pub nodes: Vec<Node>,
    /// File id → position in `nodes` (`usize::MAX`: not a node now).
    by_file: Vec<NodeIdx>,
    /// The graph — the one store of who reaches whom: a vertex per node
    /// (vertex `i` is node `i`), then a vertex per URL a node writes (its
    /// [`Edge`], resolved once), the nodes' URLs in node order; a node
    /// [`Link::Writes`] its URLs, a URL [`Link::Reaches`] its targets.
    pub graph: DiGraph<Vertex, Link>,
    pub regions: BTreeMap<String, Vec<NodeIdx>>,
    /// The URL vertices of each node (contiguous).
    urls: Vec<Range<usize>>,
    hosts: HostIndex,
}

/// A vertex of the deployment's graph.
#[derive(Debug)]
// a node vertex is as large as a URL vertex: there are ten URLs per node, and
// boxing each would cost an allocation per URL
#[allow(clippy::large_enum_variant)]
pub enum Vertex {
    /// A node (vertex `i` is node `i`).
    Node(NodeIdx),
    /// A URL a node writes, resolved.
    Url(Edge),
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
pub enum Link {
    /// A node writes this URL.
    Writes,
    /// The URL reaches this node (possibly on the wrong port).
    Reaches,
}

/// Parse, redact and model one file of the deployment rooted at `root`
/// (pure; run in parallel). The tree is kept when `keep_tree`.
pub fn parse_node(
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
        role: Role::Unknown,
        role_source: RoleSource::None,
        text: text.into(),
        redacted: std::sync::OnceLock::new(),
        secrets,
        state,
        facts,
        offset: 0,
        machine: None,
    };
    node.configure(root, config);
    if !keep_tree && let State::Parsed(tree) = &mut node.state {
        *tree = None;
    }
    node
}

/// The root directory's own name (the id of a node file in the root).
pub fn root_name(root: &Path) -> String {
    root.file_name()
        .map_or_else(|| "root".to_owned(), |n| n.to_string_lossy().into_owned())
}

/// Node id: the file's directory relative to the root, `repository/conf`
/// removed; for a file with another name, its path without the extension.
pub fn node_id(rel: &str, root_name: &str) -> String {
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

pub(crate) fn region_of(id: &str, root_name: &str, config: &Config) -> String {
    for (region, globs) in &config.regions {
        if globs.iter().any(|g| glob_match(g, id)) {
            return region.clone();
        }
    }
    match id.split_once('/') {
        Some((first, _)) => first.to_owned(),
        None => root_name.to_owned(),
    }
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
    pub fn build_with<T: Send>(
        root: &Path,
        config: Config,
        files: Vec<SourceFile>,
        keep_trees: bool,
        visit: &(dyn Fn(&Node) -> T + Sync),
    ) -> (Deployment, Vec<(FileId, T)>) {
        let mut files: Vec<(String, SourceFile)> = files
            .into_iter()
            .map(|f| (relative(&f.path, root), f))
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
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
    pub fn from_nodes(
        root: &Path,
        config: Config,
        files: FileSet,
        mut nodes: Vec<Node>,
    ) -> Deployment {
        nodes.sort_by(|a, b| a.rel.cmp(&b.rel));
        let mut by_file = vec![usize::MAX; files.len()];
        let mut regions: BTreeMap<String, Vec<NodeIdx>> = BTreeMap::new();
        for (i, n) in nodes.iter().enumerate() {
            if let Some(slot) = by_file.get_mut(n.file.index()) {
                *slot = i;
            }
            regions.entry(n.region.clone()).or_default().push(i);
        }
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
        };
        dep.hosts = HostIndex::new(&dep);
        dep.resolve_edges();
        dep
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

    /// The id of a file's node, or "?".
    pub fn id_of(&self, file: FileId) -> &str {
        self.node_of(file).map_or("?", |n| n.id.as_str())
    }

    /// The node of a path.
    pub fn node_at(&self, path: &Path) -> Option<(NodeIdx, &Node)> {
        let i = self.idx(self.files.get(path)?)?;
        Some((i, self.nodes.get(i)?))
    }

    /// Give the files and nodes back (to re-assemble them after some changed).
    pub fn into_parts(self) -> (FileSet, Vec<Node>) {
        (self.files, self.nodes)
    }

    fn resolve_edges(&mut self) {
        let mut sites: Vec<Site> = self
            .nodes
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, n)| url_sites(i, n))
            .collect();
        let n = self.nodes.len();
        let mut graph = DiGraph::with_capacity(n + sites.len(), sites.len() * 2);
        for i in 0..n {
            graph.add_node(Vertex::Node(i));
        }
        let mut urls = vec![0..0; n];
        // resolved in parallel a chunk at a time, each chunk moved into the
        // graph before the next: the edges are never held twice
        sites.reverse();
        while !sites.is_empty() {
            let mut chunk = sites.split_off(sites.len().saturating_sub(4096));
            chunk.reverse();
            let edges: Vec<Edge> = chunk
                .into_par_iter()
                .map(|s| self.hosts.resolve(self, s))
                .collect();
            for e in edges {
                let from = e.from;
                let targets = e.resolution.targets();
                let v = graph.add_node(Vertex::Url(e));
                // a node's URLs come one after the other
                if let Some(r) = urls.get_mut(from) {
                    if r.start == r.end {
                        *r = v.index()..v.index();
                    }
                    r.end = v.index() + 1;
                }
                graph.add_edge(NodeIndex::new(from), v, Link::Writes);
                for t in targets {
                    graph.add_edge(v, NodeIndex::new(t), Link::Reaches);
                }
            }
        }
        self.graph = graph;
        self.urls = urls;
    }

    /// Every edge (URL) of the deployment, in node order.
    pub fn edges(&self) -> impl Iterator<Item = &Edge> {
        self.graph
            .node_weights()
            .skip(self.nodes.len())
            .filter_map(Vertex::url)
    }

    /// The edges a node writes, in the order it writes them.
    pub fn edges_from(&self, node: NodeIdx) -> impl Iterator<Item = &Edge> {
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
    pub fn edges_by_span(&self, node: NodeIdx) -> HashMap<(usize, usize), &Edge> {
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
    pub fn region_role(&self, region: &str, role: Role) -> Vec<NodeIdx> {
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
    pub fn lookup_host(&self, host: &str) -> Vec<NodeIdx> {
        self.hosts
            .lookup(&host.to_lowercase())
            .map(|(v, _)| v)
            .unwrap_or_default()
    }

    /// A host name that resolves to exactly this node, if there is one.
    pub fn unique_name(&self, i: NodeIdx) -> Option<String> {
        let n = self.nodes.get(i)?;
        [n.facts.hostname.as_ref(), n.facts.node_ip.as_ref()]
            .into_iter()
            .flatten()
            .map(|h| h.value.to_lowercase())
            .chain(n.id.rsplit('/').next().map(str::to_lowercase))
            .find(|h| !endpoint::is_loopback_host(h) && self.lookup_host(h) == [i])
    }
}

/// A URL found in a node's file, before resolution.
struct Site {
    from: NodeIdx,
    kind: EdgeKind,
    key: String,
    url: crate::model::Sp<String>,
}

fn group_name(urls: &[crate::model::Sp<String>]) -> String {
    urls.first()
        .and_then(|u| endpoint::parse(&u.value).ok())
        .map_or_else(|| "?".to_owned(), |e| e.host)
}

/// The string literals of the URLs a node uses to reach others (its edges'
/// spans), known from the node alone.
pub(crate) fn url_spans(n: &Node) -> Vec<Range<usize>> {
    url_sites(0, n).into_iter().map(|s| s.url.span).collect()
}

fn url_sites(from: NodeIdx, n: &Node) -> Vec<Site> {
    let f = &n.facts;
    let mut out = Vec::new();
    let mut push = |kind: EdgeKind, key: String, url: &crate::model::Sp<String>| {
        out.push(Site {
            from,
            kind,
            key,
            url: url.clone(),
        })
    };
    for g in &f.throttling.url_groups {
        let name = group_name(&g.urls);
        for u in &g.urls {
            push(
                EdgeKind::ThrottleEvents,
                format!("apim.throttling.url_group[{name}].traffic_manager_urls"),
                u,
            );
        }
        for u in &g.auth_urls {
            push(
                EdgeKind::ThrottleAuth,
                format!("apim.throttling.url_group[{name}].traffic_manager_auth_urls"),
                u,
            );
        }
    }
    for u in f.throttling.decision.iter().flat_map(|l| &l.items) {
        push(
            EdgeKind::ThrottleDecision,
            "apim.throttling.throttle_decision_endpoints".into(),
            u,
        );
    }
    for u in f.throttling.duplicate.iter().flat_map(|l| &l.items) {
        push(
            EdgeKind::ThrottleDuplicate,
            "apim.throttling.event_duplicate_url".into(),
            u,
        );
    }
    for u in f.event_hub.listening.iter().flat_map(|l| &l.items) {
        push(
            EdgeKind::EventListening,
            "apim.event_hub.event_listening_endpoints".into(),
            u,
        );
    }
    if let Some(u) = &f.event_hub.service_url {
        push(
            EdgeKind::EventHubService,
            "apim.event_hub.service_url".into(),
            u,
        );
    }
    for u in f.event_hub.duplicate.iter().flat_map(|l| &l.items) {
        push(
            EdgeKind::EventDuplicate,
            "apim.event_hub.event_duplicate_url".into(),
            u,
        );
    }
    for g in &f.event_hub.publish {
        let name = group_name(&g.urls);
        for u in &g.urls {
            push(
                EdgeKind::EventPublish,
                format!("apim.event_hub.publish.url_group[{name}].urls"),
                u,
            );
        }
        for u in &g.auth_urls {
            push(
                EdgeKind::EventPublishAuth,
                format!("apim.event_hub.publish.url_group[{name}].auth_urls"),
                u,
            );
        }
    }
    if let Some(u) = &f.key_manager_url {
        push(
            EdgeKind::KeyManager,
            "apim.key_manager.service_url".into(),
            u,
        );
    }
    if let Some(u) = &f.notification_endpoint {
        push(
            EdgeKind::Notification,
            "event_listener.properties.notification_endpoint".into(),
            u,
        );
    }
    for env in &f.environments {
        for (key, u) in &env.endpoints {
            let kind = match key.rsplit('.').next().unwrap_or("") {
                "service_url" => EdgeKind::GatewayService,
                "http_endpoint" => EdgeKind::GatewayHttp,
                "https_endpoint" => EdgeKind::GatewayHttps,
                "ws_endpoint" => EdgeKind::GatewayWs,
                _ => EdgeKind::GatewayWss,
            };
            push(
                kind,
                format!("apim.gateway.environment[{}].{key}", env.name.value),
                u,
            );
        }
    }
    out
}

/// Host name → nodes, built once per deployment.
#[derive(Debug, Default)]
struct HostIndex {
    alias: HashMap<String, (Vec<NodeIdx>, bool)>,
    hostname: HashMap<String, Vec<NodeIdx>>,
    node_ip: HashMap<String, Vec<NodeIdx>>,
    last: HashMap<String, Vec<NodeIdx>>,
    machine: HashMap<String, Vec<NodeIdx>>,
    has_tm: HashMap<String, bool>,
}

impl HostIndex {
    fn new(dep: &Deployment) -> Self {
        let by_id: HashMap<&str, NodeIdx> = dep
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.as_str(), i))
            .collect();
        let mut ix = HostIndex {
            alias: HashMap::default(),
            hostname: HashMap::default(),
            node_ip: HashMap::default(),
            last: HashMap::default(),
            machine: HashMap::default(),
            has_tm: HashMap::default(),
        };
        for (host, a) in &dep.config.hosts {
            let nodes: Vec<NodeIdx> = a
                .nodes
                .iter()
                .filter_map(|id| by_id.get(id.trim_end_matches('/')).copied())
                .collect();
            ix.alias.insert(host.clone(), (nodes, a.remaps_ports));
        }
        for (i, n) in dep.nodes.iter().enumerate() {
            if let Some(h) = &n.facts.hostname {
                ix.hostname
                    .entry(h.value.to_lowercase())
                    .or_default()
                    .push(i);
            }
            if let Some(ip) = &n.facts.node_ip
                && !endpoint::is_loopback_host(&ip.value)
            {
                ix.node_ip
                    .entry(ip.value.to_lowercase())
                    .or_default()
                    .push(i);
            }
            if let Some(last) = n.id.rsplit('/').next() {
                ix.last.entry(last.to_lowercase()).or_default().push(i);
            }
            if let Some(m) = &n.machine {
                ix.machine.entry(m.clone()).or_default().push(i);
            }
            if n.role == Role::TrafficManager {
                ix.has_tm.insert(n.region.clone(), true);
            }
        }
        ix
    }

    /// The nodes of the first source that names any, in this order: `[hosts]`,
    /// `[server] hostname`, `[server] node_ip`, the id's last component; with
    /// the alias's `remaps_ports`.
    fn lookup(&self, host: &str) -> Option<(Vec<NodeIdx>, bool)> {
        if let Some((nodes, remaps)) = self.alias.get(host)
            && !nodes.is_empty()
        {
            return Some((nodes.clone(), *remaps));
        }
        [&self.hostname, &self.node_ip, &self.last]
            .into_iter()
            .find_map(|m| m.get(host).map(|v| (v.clone(), false)))
    }

    /// Names that resolve to a node of `region`, for did-you-mean.
    fn region_names<'a>(
        &'a self,
        dep: &'a Deployment,
        region: &'a str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        let in_region = move |v: &Vec<NodeIdx>| {
            v.iter()
                .any(|i| dep.nodes.get(*i).is_some_and(|n| n.region == region))
        };
        self.alias
            .iter()
            .filter(move |(_, (v, _))| in_region(v))
            .map(|(h, _)| h.as_str())
            .chain(
                [&self.hostname, &self.node_ip, &self.last]
                    .into_iter()
                    .flat_map(move |m| {
                        m.iter()
                            .filter(move |(_, v)| in_region(v))
                            .map(|(h, _)| h.as_str())
                    }),
            )
    }

    fn resolve(&self, dep: &Deployment, site: Site) -> Edge {
        let Site {
            from,
            kind,
            key,
            url,
        } = site;
        let writer = dep.nodes.get(from);
        let region = writer.map_or("", |w| w.region.as_str());
        let expected = kind.roles(self.has_tm.get(region).copied().unwrap_or(false));
        let text = writer.map_or("", |w| &w.text);
        let base = endpoint::content_start(text, &url.span, &url.value);
        let mut edge = Edge {
            from,
            kind,
            key,
            url: url.value.clone(),
            span: url.span.clone(),
            host_span: url.span.clone(),
            port_span: None,
            endpoint: None,
            scheme_ok: true,
            expected,
            cross_region: false,
            resolution: Resolution::UnknownHost,
        };
        let ep = match endpoint::parse(&url.value) {
            Ok(ep) => ep,
            Err(e) => {
                edge.resolution = Resolution::Invalid(e);
                return edge;
            }
        };
        if let Some(b) = base {
            edge.host_span = b + ep.host_range.start..b + ep.host_range.end;
            edge.port_span = ep.port_range.as_ref().map(|r| b + r.start..b + r.end);
        }
        edge.scheme_ok = kind.schemes().contains(&ep.scheme.as_str());
        edge.resolution =
            self.resolve_endpoint(dep, from, kind, expected, &ep, &mut edge.cross_region);
        edge.endpoint = Some(ep);
        edge
    }

    fn resolve_endpoint(
        &self,
        dep: &Deployment,
        from: NodeIdx,
        kind: EdgeKind,
        expected: &'static [Role],
        ep: &Endpoint,
        cross_region: &mut bool,
    ) -> Resolution {
        let Some(writer) = dep.nodes.get(from) else {
            return Resolution::Unresolvable;
        };
        let (candidates, remaps) = match ep.host_kind {
            HostKind::Placeholder => return Resolution::Unresolvable,
            HostKind::Loopback => {
                let mut c = vec![from];
                if let Some(m) = &writer.machine {
                    c.extend(
                        self.machine
                            .get(m)
                            .into_iter()
                            .flatten()
                            .copied()
                            .filter(|i| *i != from),
                    );
                }
                (c, false)
            }
            HostKind::Name => match self.lookup(&ep.host) {
                Some(found) => found,
                None => {
                    return match did_you_mean(&ep.host, self.region_names(dep, &writer.region), 2)
                        .filter(|s| !differs_only_in_numbers(&ep.host, s))
                    {
                        Some(s) => Resolution::NearMiss {
                            suggestion: s.to_owned(),
                        },
                        None => Resolution::UnknownHost,
                    };
                }
            },
        };
        let in_region: Vec<NodeIdx> = candidates
            .iter()
            .copied()
            .filter(|i| dep.nodes.get(*i).is_some_and(|n| n.region == writer.region))
            .collect();
        let candidates = if in_region.is_empty() {
            *cross_region = true;
            candidates
        } else {
            in_region
        };
        let role_ok: Vec<NodeIdx> = candidates
            .iter()
            .copied()
            .filter(|i| {
                dep.nodes
                    .get(*i)
                    .is_some_and(|n| expected.iter().any(|r| n.role.serves(*r)))
            })
            .collect();
        if role_ok.is_empty() {
            return Resolution::WrongRole { found: candidates };
        }
        if remaps || ep.via_load_balancer() {
            return Resolution::Ok {
                targets: role_ok,
                via_lb: true,
            };
        }
        let (port, placeholder) = match &ep.port {
            Some(Port::Number(p)) => (i64::from(*p), None),
            Some(Port::Placeholder(name)) => match endpoint::placeholder_port(name) {
                Some(default) => (writer.port(default), Some(name.clone())),
                None => {
                    return Resolution::Ok {
                        targets: role_ok,
                        via_lb: true,
                    };
                }
            },
            None => {
                return Resolution::Ok {
                    targets: role_ok,
                    via_lb: true,
                };
            }
        };
        let target_port = |i: NodeIdx| dep.nodes.get(i).map_or(0, |n| n.port(kind.port()));
        let (ok, wrong): (Vec<NodeIdx>, Vec<NodeIdx>) =
            role_ok.iter().partition(|i| target_port(**i) == port);
        let wrong: Vec<(NodeIdx, i64)> = wrong.into_iter().map(|i| (i, target_port(i))).collect();
        // `localhost` names every node of the writer's machine: the port
        // picks the one meant, the others are not missed
        if ep.host_kind == HostKind::Loopback && !ok.is_empty() {
            return Resolution::Ok {
                targets: ok,
                via_lb: false,
            };
        }
        if ok.is_empty() {
            Resolution::WrongPort {
                port,
                expected: wrong,
                placeholder,
            }
        } else if wrong.is_empty() {
            Resolution::Ok {
                targets: ok,
                via_lb: false,
            }
        } else {
            Resolution::PartialPort { ok, wrong, port }
        }
    }
}

/// `tm-3` is not a typo of `tm-1`: another numbered node, one the tree
/// does not hold (an unknown host, not a near miss).
fn differs_only_in_numbers(a: &str, b: &str) -> bool {
    let shape = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect()
    };
    a != b && shape(a) == shape(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_hosts_are_not_typos() {
        assert!(differs_only_in_numbers("cp-dc3", "cp-dc1"));
        assert!(!differs_only_in_numbers(
            "tm-1.r1.exmple.com",
            "tm-1.r1.example.com"
        ));
    }

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
