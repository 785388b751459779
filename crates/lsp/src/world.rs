//! The server's state: open documents (the editor's buffers, overlaid on the
//! disk), the deployments of the workspace, and the analysis that turns
//! pending changes into diagnostics to publish.
//!
//! Handlers mutate the documents and mark files pending synchronously; one
//! analysis task (see `server.rs`) then re-analyses each deployment with
//! pending work — re-parsing only the files that changed — and publishes
//! every file whose diagnostics changed.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use apimlint_core::analysis::host::{AnalysisHost, Change, Mode};
use apimlint_core::analysis::project::{Member, Project, is_named};
use apimlint_core::suppress::Options;
use apimlint_core::vfs::{self, CONFIG_FILE, DiskFs, NODE_FILE, OverlayFs, Vfs};
use apimlint_core::{Config, ConfigError, Deployment, Diagnostic, NodeIdx};

use crate::convert::{self, lsp};

/// An open document.
#[derive(Debug, Clone)]
pub(crate) struct Doc {
    pub version: i32,
    pub text: String,
}

/// What the handlers and the analysis task share. Lock order: `ws` before
/// `docs`; a handler changes `docs` and lets it go before it marks the file
/// pending in `ws`.
#[derive(Default)]
pub(crate) struct Shared {
    pub docs: Mutex<HashMap<PathBuf, Doc>>,
    pub ws: Mutex<Workspace>,
}

/// Lock, surviving a panic of an earlier holder (the state stays usable).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What the server keeps for one deployment of the workspace: its
/// analysis host (core's: the deployment, each node's findings) and what
/// was published for it.
#[derive(Debug, Default)]
pub(crate) struct Analysed {
    host: Option<AnalysisHost>,
    pub published: HashMap<PathBuf, Vec<lsp::Diagnostic>>,
    pub config_error: Option<ConfigError>,
    config_published: bool,
    pending: HashSet<PathBuf>,
    removed: HashSet<PathBuf>,
    config_dirty: bool,
    /// The document version each node's analysed text came from.
    versions: HashMap<PathBuf, i32>,
}

impl Analysed {
    /// The deployment as last analysed.
    pub(crate) fn dep(&self) -> Option<&Deployment> {
        self.host.as_ref().map(AnalysisHost::deployment)
    }

    /// The findings of the last analysis, as the editor may show them.
    pub(crate) fn diags(&self) -> &[Diagnostic] {
        self.host.as_ref().map_or(&[], AnalysisHost::diagnostics)
    }
}

/// One deployment of the workspace (core's project model) with the server's state.
pub(crate) type DepState = Member<Analysed>;

fn has_work(d: &DepState) -> bool {
    d.state.host.is_none()
        || !d.state.pending.is_empty()
        || !d.state.removed.is_empty()
        || d.state.config_dirty
}

/// The workspace: folders, their deployments, and the files open in the editor.
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    pub project: Project<Analysed>,
    /// The URI the client used for each path it opened.
    pub uris: HashMap<PathBuf, lsp::Uri>,
    rediscover: bool,
    /// Files whose diagnostics must be cleared (they left every deployment).
    clears: Vec<PathBuf>,
    /// Opened node files that belong to no deployment yet.
    orphans: Vec<PathBuf>,
}

impl Workspace {
    /// Find the deployments of every folder (on `initialize`).
    pub(crate) fn discover(&mut self, folders: Vec<PathBuf>) {
        self.project.folders = folders;
        self.rediscover = true;
    }

    /// The deployment and node of a file.
    pub(crate) fn locate(&self, path: &Path) -> Option<(&DepState, &Deployment, NodeIdx)> {
        let (d, dep) = self.deployment_of(path)?;
        Some((d, dep, dep.node_at(path)?.0))
    }

    /// The deployment a file belongs to (a manifest, say).
    pub(crate) fn deployment_of(&self, path: &Path) -> Option<(&DepState, &Deployment)> {
        let d = self.project.members.get(self.project.owner(path)?)?;
        Some((d, d.state.dep()?))
    }

    /// A file was opened, typed in, saved, created or changed on disk.
    pub(crate) fn touch(&mut self, path: &Path) {
        if is_named(path, CONFIG_FILE) {
            match self.project.owner(path) {
                Some(i) if self.project.is_project_file(path) => {
                    if let Some(d) = self.project.members.get_mut(i) {
                        d.state.config_dirty = true;
                    }
                    // its `exclude` may change which files are nodes
                    self.rediscover = true;
                }
                // a new project file: the deployments change shape
                _ => self.rediscover = true,
            }
            return;
        }
        let known = self.project.members.iter().any(|d| d.files.contains(path));
        let ours = known || is_named(path, NODE_FILE) || is_home_file(path);
        // a new YAML file inside a deployment may be a manifest holding nodes
        // (the load reads it, and skips it unless it names `deployment.toml`)
        if !ours && !is_manifest(path) {
            return;
        }
        match self.project.owner(path) {
            Some(i) => {
                if let Some(d) = self.project.members.get_mut(i) {
                    // a home file is a change of its node, not a node file
                    if !is_home_file(path) {
                        d.files.insert(path.to_path_buf());
                    }
                    d.state.removed.remove(path);
                    d.state.pending.insert(path.to_path_buf());
                }
            }
            None if ours => self.orphans.push(path.to_path_buf()),
            // a YAML file outside every deployment is not ours
            None => {}
        }
    }

    /// A file is gone (deleted on disk, or closed and never saved).
    pub(crate) fn remove(&mut self, path: &Path) {
        if is_named(path, CONFIG_FILE) {
            self.rediscover = true;
            return;
        }
        if let Some(i) = self.project.owner(path)
            && let Some(d) = self.project.members.get_mut(i)
            && d.files.remove(path)
        {
            d.state.pending.remove(path);
            d.state.removed.insert(path.to_path_buf());
        }
    }

    /// Re-find every deployment, keeping what was published so that files
    /// that left every deployment are cleared.
    fn rediscover_now(&mut self, fs: &dyn Vfs) {
        self.rediscover = false;
        let open: Vec<PathBuf> = self.uris.keys().cloned().collect();
        let old = self
            .project
            .rediscover(fs, open.iter().map(PathBuf::as_path));
        let mut old_published: HashMap<PathBuf, Vec<lsp::Diagnostic>> = HashMap::new();
        for d in old {
            old_published.extend(d.state.published);
            if let Some(c) = d.config_path.filter(|_| d.state.config_published) {
                old_published.insert(c, Vec::new());
            }
        }
        for (path, diags) in old_published {
            match self
                .project
                .owner(&path)
                .and_then(|i| self.project.members.get_mut(i))
            {
                Some(d) if d.files.contains(&path) => {
                    d.state.published.insert(path, diags);
                }
                _ => self.clears.push(path),
            }
        }
    }

    /// Give each orphan file a deployment: the one of an `apimlint.toml`
    /// above it, else its own directory.
    fn adopt_orphans(&mut self, fs: &dyn Vfs) {
        for path in std::mem::take(&mut self.orphans) {
            if self.project.owner(&path).is_some() {
                self.touch(&path);
            } else {
                self.project.adopt(fs, &path);
            }
        }
    }
}

/// One `textDocument/publishDiagnostics` to send.
#[derive(Debug)]
pub(crate) struct Publish {
    pub uri: lsp::Uri,
    pub diags: Vec<lsp::Diagnostic>,
    pub version: Option<i32>,
}

/// Re-analyse every deployment with pending work; return what to publish.
pub(crate) fn analyse(shared: &Shared) -> Vec<Publish> {
    // the workspace first, then the buffers as they are now (texts and
    // versions): a handler changes a buffer before it marks its file
    // pending, so every pending file's change is in this snapshot. (Taking
    // the buffers before the workspace lost an edit that landed in between:
    // its file was taken as pending and analysed with the older text.)
    let mut ws = lock(&shared.ws);
    let (overlays, versions): (HashMap<PathBuf, String>, HashMap<PathBuf, i32>) = {
        let docs = lock(&shared.docs);
        (
            docs.iter()
                .map(|(p, d)| (p.clone(), d.text.clone()))
                .collect(),
            docs.iter().map(|(p, d)| (p.clone(), d.version)).collect(),
        )
    };
    let fs = OverlayFs {
        base: &DiskFs,
        overlays: &overlays,
    };
    if ws.rediscover {
        ws.rediscover_now(&fs);
    }
    ws.adopt_orphans(&fs);
    let mut out = Vec::new();
    let uris = ws.uris.clone();
    for path in std::mem::take(&mut ws.clears) {
        if let Some(uri) = convert::node_uri_of(&path, &uris) {
            out.push(Publish {
                uri,
                diags: Vec::new(),
                version: None,
            });
        }
    }
    for d in ws.project.members.iter_mut().filter(|d| has_work(d)) {
        analyse_one(d, &fs, &versions, &uris, &mut out);
    }
    out
}

fn read_config(d: &mut DepState, fs: &dyn Vfs) -> Option<Config> {
    let path = d.config_path.clone()?;
    let display = vfs::relative(&path, &d.root);
    match apimlint_core::load_config(fs, &path, &display) {
        Ok(c) => {
            d.state.config_error = None;
            Some(c)
        }
        Err(e) => {
            d.state.config_error = Some(e);
            None
        }
    }
}

fn analyse_one(
    d: &mut DepState,
    fs: &dyn Vfs,
    versions: &HashMap<PathBuf, i32>,
    uris: &HashMap<PathBuf, lsp::Uri>,
    out: &mut Vec<Publish>,
) {
    let changed = update_host(d, fs);
    for p in &changed {
        match versions.get(p) {
            Some(v) => d.state.versions.insert(p.clone(), *v),
            None => d.state.versions.remove(p),
        };
    }
    let Some(host) = d.state.host.as_ref() else {
        return;
    };
    let by_file = by_file(host.deployment(), host.diagnostics(), uris);
    let has_project_file = host.deployment().project_file().is_some();
    publish_nodes(d, by_file, &changed, uris, out);
    publish_config(d, has_project_file, fs, versions, uris, out);
}

/// Bring the deployment's host up to date with the pending changes: a
/// first load (lean, like `apimlint check`) or a new project file makes a
/// new host, anything else is a change of the host's (which re-analyses
/// what it reaches). The files whose analysis is new.
fn update_host(d: &mut DepState, fs: &dyn Vfs) -> HashSet<PathBuf> {
    let mut changed: HashSet<PathBuf> = d.state.pending.drain().collect();
    let removed: Vec<PathBuf> = d.state.removed.drain().collect();
    // a new project file changes every node's id, region, role and rules
    let config_dirty = std::mem::take(&mut d.state.config_dirty);
    if let Some(host) = d.state.host.as_mut().filter(|_| !config_dirty) {
        let change = Change {
            changed: changed
                .iter()
                .filter(|p| d.files.contains(*p) || is_home_file(p))
                .cloned()
                .collect(),
            removed,
            ..Change::default()
        };
        host.apply_change(fs, change);
        if host.last_pass().reloaded {
            changed.extend(d.files.iter().cloned());
        }
        return changed;
    }
    let config = read_config(d, fs).unwrap_or_default();
    let discovery = vfs::Discovery {
        root: d.root.clone(),
        config: d.config_path.clone(),
        files: d.files.iter().cloned().collect(),
        may_escape: None,
        listing: None,
    };
    changed.extend(d.files.iter().cloned());
    d.state.host = Some(AnalysisHost::new(
        fs,
        discovery,
        config,
        Options::default(),
        Mode::Editor,
    ));
    changed
}

/// The diagnostics by the file shown: a node read from a manifest
/// publishes on the manifest (and the project file, where findings about
/// its entries are located); every node's file has an entry.
fn by_file(
    dep: &Deployment,
    diags: &[Diagnostic],
    uris: &HashMap<PathBuf, lsp::Uri>,
) -> HashMap<PathBuf, Vec<lsp::Diagnostic>> {
    let mut by_file: HashMap<PathBuf, Vec<lsp::Diagnostic>> = dep
        .nodes()
        .iter()
        .map(|n| n.file)
        .chain(dep.project_file())
        .filter_map(|f| Some((dep.shown(f)?.path.to_path_buf(), Vec::new())))
        .collect();
    for diag in diags {
        if let (Some(s), Some(l)) = (dep.shown(diag.file), convert::diagnostic(dep, diag, uris)) {
            by_file.entry(s.path.to_path_buf()).or_default().push(l);
        }
    }
    by_file
}

/// Publish each file whose diagnostics changed (or whose text did), and
/// clear the files that are gone.
fn publish_nodes(
    d: &mut DepState,
    by_file: HashMap<PathBuf, Vec<lsp::Diagnostic>>,
    changed: &HashSet<PathBuf>,
    uris: &HashMap<PathBuf, lsp::Uri>,
    out: &mut Vec<Publish>,
) {
    let gone: Vec<PathBuf> = d
        .state
        .published
        .keys()
        .filter(|p| !by_file.contains_key(*p) && Some(p.as_path()) != d.config_path.as_deref())
        .cloned()
        .collect();
    for p in gone {
        d.state.published.remove(&p);
        d.state.versions.remove(&p);
        if let Some(uri) = convert::node_uri_of(&p, uris) {
            out.push(Publish {
                uri,
                diags: Vec::new(),
                version: None,
            });
        }
    }
    let mut by_file: Vec<(PathBuf, Vec<lsp::Diagnostic>)> = by_file.into_iter().collect();
    by_file.sort_by(|a, b| a.0.cmp(&b.0));
    for (p, new) in by_file {
        if d.state.published.get(&p) == Some(&new) && !changed.contains(&p) {
            continue;
        }
        if let Some(uri) = convert::node_uri_of(&p, uris) {
            out.push(Publish {
                uri,
                diags: new.clone(),
                version: d.state.versions.get(&p).copied(),
            });
        }
        d.state.published.insert(p, new);
    }
}

/// The project file's own error, published on it (its findings about
/// entries were published with the nodes').
fn publish_config(
    d: &mut DepState,
    has_project_file: bool,
    fs: &dyn Vfs,
    versions: &HashMap<PathBuf, i32>,
    uris: &HashMap<PathBuf, lsp::Uri>,
    out: &mut Vec<Publish>,
) {
    let Some(cp) = d.config_path.clone() else {
        return;
    };
    let diags: Vec<lsp::Diagnostic> = d
        .state
        .config_error
        .as_ref()
        .map(|e| {
            let text = fs.read(&cp).unwrap_or_default();
            let msg = match &e.help {
                Some(h) => format!("{}\nhelp: {h}", e.message),
                None => e.message.clone(),
            };
            convert::file_diagnostic(&text, e.line, e.column, msg)
        })
        .into_iter()
        .collect();
    if diags.is_empty() && has_project_file {
        // read without error: its findings were published with the nodes'
        d.state.config_published = false;
    } else if (!diags.is_empty() || d.state.config_published)
        && let Some(uri) = convert::node_uri_of(&cp, uris)
    {
        d.state.config_published = !diags.is_empty();
        // what was published for it is replaced
        d.state.published.remove(&cp);
        out.push(Publish {
            uri,
            diags,
            version: versions.get(&cp).copied(),
        });
    }
}

/// A YAML file: a manifest stream or a Compose file.
/// A file of a node's home besides its TOML (an event publisher, a JNDI
/// properties file, a user store, a keystore): a change of its node.
fn is_home_file(p: &Path) -> bool {
    let s = p.to_string_lossy();
    apimlint_core::FileKind::of_path(&s).is_some()
        // a keystore or truststore (named by the TOML, not by its path)
        || s.rfind("repository/resources/security/")
            .and_then(|i| s.get(i + "repository/resources/security/".len()..))
            .is_some_and(|name| !name.is_empty() && !name.contains('/'))
}

fn is_manifest(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "yaml" || e == "yml")
}
