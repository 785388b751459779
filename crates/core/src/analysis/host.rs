//! The analysis host: one deployment's file snapshot, its analysed
//! [`Deployment`] and each node's findings, kept up to date by
//! [`AnalysisHost::apply_change`] (the shape of rust-analyzer's
//! `AnalysisHost::apply_change`). `check` is one host and one snapshot;
//! `--fix` applies its edits to the same host as changes (`fixes::fix_all`);
//! the language server is a host per deployment plus its buffers.
//!
//! A change reaches the nodes of the files it names: a node file that
//! changed is parsed again and its node rules run again, every other node
//! is kept with its findings; the deployment rules and the suppression
//! comments run over everything (they compare nodes). A change that may
//! reshape the deployment — a new project file, a manifest or Compose
//! file, a file a Compose service mounts — loads it again.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::incremental::{self, Changes, LocalCache};
use super::{Stdin, load_lean_with};
use crate::base::diagnostic::Diagnostic;
use crate::config::Config;
use crate::graph::{Deployment, SourceFile};
use crate::suppress;
use crate::vfs::{Discovery, OverlayFs, ReadError, Vfs};

/// What changed since the host's last analysis.
#[derive(Debug, Default, Clone)]
pub struct Change {
    /// New texts held by the host's snapshot (a fix's result): they are
    /// read instead of the files underneath until changed again.
    pub texts: Vec<(PathBuf, String)>,
    /// Files changed or created underneath (read through the `Vfs` given to
    /// [`AnalysisHost::apply_change`]); the snapshot's own text of each is
    /// dropped.
    pub changed: Vec<PathBuf>,
    /// Files that are gone.
    pub removed: Vec<PathBuf>,
    /// A new project file (`apimlint.toml` changed, or its `exclude`
    /// changed which files are nodes: `changed`/`removed` say so).
    pub config: Option<Config>,
}

impl Change {
    fn is_empty(&self) -> bool {
        self.texts.is_empty()
            && self.changed.is_empty()
            && self.removed.is_empty()
            && self.config.is_none()
    }
}

/// What the last analysis of a host recomputed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pass {
    /// The whole deployment was loaded (the first analysis, or a change
    /// that may reshape it).
    pub reloaded: bool,
    /// The node files parsed again and whose node rules ran again (every
    /// node when `reloaded`), in path order.
    pub reanalysed: Vec<PathBuf>,
}

/// How a host treats a file that stops parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// As a fresh load does (`check`, `--fix`): `Unparsable`.
    #[default]
    Check,
    /// As an editor wants (the language server): `Stale`, keeping its last
    /// good parse so that the cross-node rules still see it.
    Editor,
}

/// One deployment, analysed, and what it was analysed from.
#[derive(Debug)]
pub struct AnalysisHost {
    discovery: Discovery,
    config: Config,
    opts: suppress::Options,
    mode: Mode,
    stdin: Option<Stdin>,
    /// The snapshot's own texts, over the `Vfs` each call reads through.
    overlay: HashMap<PathBuf, String>,
    dep: Deployment,
    cache: LocalCache,
    diags: Vec<Diagnostic>,
    last: Pass,
}

impl AnalysisHost {
    /// Load and check the deployment of `discovery` (lean: node rules run as
    /// each node is built, parse trees dropped).
    pub fn new(
        vfs: &dyn Vfs,
        discovery: Discovery,
        config: Config,
        opts: suppress::Options,
        mode: Mode,
    ) -> AnalysisHost {
        AnalysisHost::with_stdin(vfs, discovery, config, opts, mode, None)
    }

    /// [`AnalysisHost::new`] with a manifest stream read from standard input.
    pub fn with_stdin(
        vfs: &dyn Vfs,
        discovery: Discovery,
        config: Config,
        opts: suppress::Options,
        mode: Mode,
        stdin: Option<Stdin>,
    ) -> AnalysisHost {
        let mut discovery = discovery;
        let lean = load_lean_with(vfs, &discovery, config.clone(), stdin.as_ref());
        // what the walk saw is true of this first read only
        discovery.listing = None;
        let (dep, found) = lean.into_parts();
        let mut host = AnalysisHost {
            discovery,
            config,
            opts,
            mode,
            stdin,
            overlay: HashMap::new(),
            dep,
            cache: LocalCache::seeded(found),
            diags: Vec::new(),
            last: Pass::default(),
        };
        host.recheck(&HashSet::new(), true);
        host
    }

    /// The analysed deployment.
    pub fn deployment(&self) -> &Deployment {
        &self.dep
    }

    /// The findings of the last analysis (sorted, suppressions applied,
    /// every text scrubbed).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diags
    }

    /// What the last analysis recomputed.
    pub fn last_pass(&self) -> &Pass {
        &self.last
    }

    /// The discovery the host loads from (root, project file, node files).
    pub fn discovery(&self) -> &Discovery {
        &self.discovery
    }

    /// The deployment and its findings.
    pub fn into_parts(self) -> (Deployment, Vec<Diagnostic>) {
        (self.dep, self.diags)
    }

    /// Read a file of the snapshot: the host's own text, else `vfs`'s.
    pub fn read(&self, vfs: &dyn Vfs, path: &Path) -> Result<String, ReadError> {
        match self.overlay.get(path) {
            Some(t) => Ok(t.clone()),
            None => vfs.read(path),
        }
    }

    /// Apply `change` and re-analyse what it reaches; files are read
    /// through `vfs` under the host's own texts. A file of a node's home
    /// (its XML, properties, keystores) reaches that node.
    pub fn apply_change(&mut self, vfs: &dyn Vfs, change: Change) {
        if change.is_empty() {
            self.last = Pass::default();
            return;
        }
        let mut change = change;
        for p in change
            .changed
            .iter_mut()
            .chain(&mut change.removed)
            .chain(change.texts.iter_mut().map(|(p, _)| p))
        {
            *p = crate::vfs::normalize(p);
        }
        let mut paths: BTreeSet<PathBuf> = BTreeSet::new();
        for p in &change.changed {
            self.overlay.remove(p);
            paths.insert(p.clone());
        }
        for (p, text) in change.texts {
            paths.insert(p.clone());
            self.overlay.insert(p, text);
        }
        for p in &change.removed {
            self.overlay.remove(p);
            paths.remove(p);
        }
        let reload = change.config.is_some()
            || paths
                .iter()
                .chain(&change.removed)
                .any(|p| self.reshapes(p));
        if let Some(c) = change.config {
            self.config = c;
        }
        // a file of a node's home reaches its node; any other is a node file
        let (mut reached, mut removed) = (BTreeSet::new(), Vec::new());
        for p in &paths {
            reached.insert(self.home_owner(p).unwrap_or_else(|| p.clone()));
        }
        for p in change.removed {
            match self.home_owner(&p) {
                Some(owner) => {
                    reached.insert(owner);
                }
                None => removed.push(p),
            }
        }
        self.update_files(&reached, &removed);
        if reload {
            self.reload(vfs);
        } else {
            self.rebuild(vfs, reached, removed);
        }
    }

    /// The node whose home holds `path`, when `path` is not itself a node
    /// file.
    fn home_owner(&self, path: &Path) -> Option<PathBuf> {
        if self
            .discovery
            .files
            .binary_search_by(|f| f.as_path().cmp(path))
            .is_ok()
        {
            return None;
        }
        self.dep
            .nodes()
            .iter()
            .find(|n| super::home::home_dir(&n.path).is_some_and(|h| path.starts_with(h)))
            .map(|n| n.path.clone())
    }

    /// The discovery's node files after files came and went.
    fn update_files(&mut self, reached: &BTreeSet<PathBuf>, removed: &[PathBuf]) {
        let known: HashSet<PathBuf> = self.discovery.files.iter().cloned().collect();
        self.discovery.files.retain(|f| !removed.contains(f));
        self.discovery
            .files
            .extend(reached.iter().filter(|p| !known.contains(*p)).cloned());
        self.discovery.files.sort();
    }

    /// Whether a change of `path` may change which nodes there are or what
    /// they are beyond its own text: a manifest or Compose file (nodes,
    /// Services, offsets), a node read from one, a project file.
    fn reshapes(&self, path: &Path) -> bool {
        if is_yaml(path) || super::project::is_named(path, crate::vfs::CONFIG_FILE) {
            return true;
        }
        // a file a Compose service mounts is read with the service's
        // origin (and may be a second node of its own): load again
        self.dep
            .nodes()
            .iter()
            .any(|n| n.origin.as_ref().is_some_and(|o| !o.inline))
    }

    /// Load everything again through the snapshot.
    fn reload(&mut self, vfs: &dyn Vfs) {
        let fs = OverlayFs {
            base: vfs,
            overlays: &self.overlay,
        };
        let lean = load_lean_with(
            &fs,
            &self.discovery,
            self.config.clone(),
            self.stdin.as_ref(),
        );
        let (dep, found) = lean.into_parts();
        self.dep = dep;
        self.cache = LocalCache::seeded(found);
        self.recheck(&HashSet::new(), true);
    }

    /// Parse the changed node files again, keep every other node.
    fn rebuild(&mut self, vfs: &dyn Vfs, paths: BTreeSet<PathBuf>, removed: Vec<PathBuf>) {
        let fs = OverlayFs {
            base: vfs,
            overlays: &self.overlay,
        };
        // each node's TOML and home read again (which keystores are its
        // depends on what the TOML names)
        let files: Vec<SourceFile> = paths
            .iter()
            .map(|p| {
                let text = super::read_node_file(&fs, &self.discovery, p);
                super::home::attach(&fs, &self.discovery, SourceFile::plain(p.clone(), text))
            })
            .collect();
        let empty = Deployment::from_nodes(
            &self.discovery.root,
            self.config.clone(),
            crate::base::files::FileSet::default(),
            Vec::new(),
        );
        let prev = std::mem::replace(&mut self.dep, empty);
        self.dep = incremental::rebuild(
            prev,
            Changes {
                files,
                removed,
                config: None,
                fresh_errors: self.mode == Mode::Check,
            },
        );
        let changed: HashSet<PathBuf> = paths.into_iter().collect();
        self.recheck(&changed, false);
    }

    /// The findings: node rules over `changed` (all when `reloaded`: a
    /// lean load ran them as it built), deployment rules over everything.
    fn recheck(&mut self, changed: &HashSet<PathBuf>, reloaded: bool) {
        let found = incremental::check_with(&self.dep, changed, false, &mut self.cache, &self.opts);
        self.diags = match self.mode {
            Mode::Check => found,
            Mode::Editor => incremental::visible(&self.dep, found),
        };
        let mut reanalysed: Vec<PathBuf> = if reloaded {
            self.dep.nodes().iter().map(|n| n.path.clone()).collect()
        } else {
            changed
                .iter()
                .filter(|p| self.dep.node_at(p).is_some())
                .cloned()
                .collect()
        };
        reanalysed.sort();
        self.last = Pass {
            reloaded,
            reanalysed,
        };
    }
}

/// A YAML file: a manifest stream or a Compose file.
fn is_yaml(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "yaml" || e == "yml")
}
