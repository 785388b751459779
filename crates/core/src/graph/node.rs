//! A node: one `deployment.toml`, its text, lifecycle and facts.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::home::{Home, HomeSource};
pub use super::ids::RegionSource;
use super::ids::{manifest_region, node_id, region_of, root_name};
use crate::base::files::FileId;
use crate::base::text::LineIndex;
use crate::config::Config;
use crate::manifest::Origin;
use crate::model::{Facts, Role, RoleSource, infer_role};
use crate::syntax::SyntaxError;
use crate::vfs::{NODE_FILE, ReadError, relative};

/// One node file given to the loader.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Result<String, ReadError>,
    /// Where the text comes from when it was read out of a manifest.
    pub origin: Option<Arc<Origin>>,
    /// The other files of the node's home, as read ([`super::home`]);
    /// `None`: not read (an editor's change of the TOML alone keeps the
    /// node's home as it was).
    pub home: Option<Vec<HomeSource>>,
}

impl SourceFile {
    /// A node file on its own (not read out of a manifest).
    pub fn plain(path: PathBuf, text: Result<String, ReadError>) -> Self {
        SourceFile {
            path,
            text,
            origin: None,
            home: None,
        }
    }
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
    pub region_source: RegionSource,
    pub role: Role,
    pub role_source: RoleSource,
    /// The original text (empty when unreadable).
    pub text: Arc<str>,
    /// The text with every secret starred out ([`Node::redacted`]), made when
    /// first asked for: most nodes have no finding to show.
    pub(super) redacted: std::sync::OnceLock<Arc<str>>,
    pub secrets: Vec<Range<usize>>,
    pub lines: LineIndex,
    pub state: State,
    pub facts: Box<Facts>,
    /// `[nodes."id"] port_offset`, else `[server] offset`, else 0.
    pub offset: i64,
    pub machine: Option<String>,
    /// The manifest (ConfigMap, Secret, workload) the text was read from;
    /// `path` is then virtual: `<manifest>/<Kind>/<namespace>/<name>/<key>`.
    pub origin: Option<Arc<Origin>>,
    /// The keystores and truststore the node uses and what their files
    /// gave; `None` when none of the node's stores is in the tree (a
    /// repository of TOML files only): the key-material rules are silent.
    pub(crate) keys: Option<Arc<crate::model::KeyMaterial>>,
    /// The other files of the node's API-M home, parsed ([`Node::home`]).
    pub(crate) home: Arc<Home>,
}

impl Node {
    /// The other files of the node's API-M home (event publishers, JNDI
    /// files, user stores, keystores), parsed, each with its [`FileId`]:
    /// see [`Home`]. Empty for a node without a home.
    pub fn home(&self) -> &Home {
        &self.home
    }

    /// Keep the home of an earlier version of the node (its TOML changed,
    /// its other files were not read again).
    pub(crate) fn keep_home(&mut self, before: &Node) {
        self.home = before.home.clone();
        self.derive_keys();
    }

    /// The node's key material, from its facts and its home's keystores:
    /// `None` when no store the node uses is in its home (a repository of
    /// TOML files only). A container's literal environment gives `$env{}`
    /// passwords.
    pub(crate) fn derive_keys(&mut self) {
        let home = &self.home;
        let files = |name: &str| {
            home.keystore(name)
                .and_then(|f| f.bytes())
                .map(<[u8]>::to_vec)
        };
        let workload = self.origin.as_deref().and_then(|o| o.workload.as_ref());
        let env = |var: &str| {
            workload.and_then(|w| {
                w.env
                    .iter()
                    .rev()
                    .find(|(k, _)| k == var)
                    .map(|(_, v)| v.clone())
            })
        };
        // a container (a Kubernetes workload, a Compose service): what its
        // volumes or bind mounts bring is its home; the image's own
        // defaults stay unless a volume hides them (not told yet: judged as
        // not hidden)
        let container = workload.is_some();
        let mounts = if container {
            crate::model::Mounts::Container {
                whole_directory: false,
            }
        } else {
            crate::model::Mounts::Home
        };
        // a Compose bind mount of a file the repository does not hold
        let mounted = |name: &str| container && home.keystore(name).is_some();
        let km = crate::model::KeyMaterial::read(&self.facts, &files, &mounted, &env, mounts);
        self.keys = (km.any_present() || container).then(|| Arc::new(km));
    }

    /// The text with every secret starred out (same length, same offsets):
    /// the only text renderers see.
    pub fn redacted(&self) -> &str {
        self.redacted
            .get_or_init(|| crate::redact::redact(&self.text, &self.secrets).into())
    }

    /// Whether the node's content could be read and parsed (now or, when
    /// stale, in an earlier version).
    pub(crate) fn is_analysable(&self) -> bool {
        matches!(self.state, State::Parsed(_) | State::Stale { .. })
    }

    /// A file that no longer parses but whose last good parse is kept.
    pub fn is_stale(&self) -> bool {
        matches!(self.state, State::Stale { .. })
    }

    pub(crate) fn read_error(&self) -> Option<&ReadError> {
        match &self.state {
            State::Unreadable(e) => Some(e),
            _ => None,
        }
    }

    /// The syntax error of the current text.
    pub(crate) fn syntax_error(&self) -> Option<&SyntaxError> {
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

    /// How many identical members the node stands for: its workload's
    /// `replicas` (a node read from a manifest), else 1.
    pub fn members(&self) -> usize {
        match &self.origin {
            Some(o) if o.inline => o.workload.as_ref().map_or(1, |w| w.replicas as usize),
            _ => 1,
        }
    }

    /// A span in this file to point at when nothing narrower exists.
    pub(crate) fn anchor(&self) -> Range<usize> {
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
        self.id = match &self.origin {
            Some(o) if o.inline => format!("{}/{}", manifest_region(o, root), o.node_name()),
            _ => {
                let id = node_id(&self.rel, &root_name);
                match id
                    .strip_prefix(&config.id_prefix)
                    .and_then(|r| r.strip_prefix('/'))
                {
                    Some(rest) if !config.id_prefix.is_empty() && self.rel.ends_with(NODE_FILE) => {
                        rest.to_owned()
                    }
                    _ => id,
                }
            }
        };
        (self.region, self.region_source) = region_of(&self.id, &root_name, config);
        let node_cfg = config.nodes.get(&self.id);
        let (role, source) = infer_role(node_cfg.and_then(|n| n.role), &self.facts);
        self.role = role;
        self.role_source = source;
        self.offset = node_cfg
            .and_then(|n| n.port_offset)
            .or(self
                .origin
                .as_ref()
                .and_then(|o| o.workload.as_ref()?.port_offset))
            .or(self.facts.offset.as_ref().map(|o| o.value))
            .unwrap_or(0);
        self.machine = node_cfg.and_then(|n| n.machine.clone());
    }
}
