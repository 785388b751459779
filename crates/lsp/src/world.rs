//! The server's state: open documents (the editor's buffers, overlaid on the
//! disk), the deployments of the workspace, and the analysis that turns
//! pending changes into diagnostics to publish.
//!
//! Handlers mutate the documents and mark files pending synchronously; one
//! analysis task (see `server.rs`) then re-analyses each deployment with
//! pending work — re-parsing only the files that changed — and publishes
//! every file whose diagnostics changed.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use apimlint_core::incremental::{self, Changes, LocalCache};
use apimlint_core::vfs::{self, CONFIG_FILE, DiskFs, NODE_FILE, OverlayFs, Vfs};
use apimlint_core::{Config, ConfigError, Deployment, Diagnostic, NodeIdx, SourceFile};

use crate::convert::{self, lsp};

/// An open document.
#[derive(Debug, Clone)]
pub struct Doc {
    pub version: i32,
    pub text: String,
}

/// What the handlers and the analysis task share.
#[derive(Default)]
pub struct Shared {
    pub docs: Mutex<HashMap<PathBuf, Doc>>,
    pub ws: Mutex<Workspace>,
}

/// Lock, surviving a panic of an earlier holder (the state stays usable).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One deployment of the workspace and what was last published for it.
#[derive(Debug, Default)]
pub struct DepState {
    pub root: PathBuf,
    pub config_path: Option<PathBuf>,
    /// Node files (on disk, or open in the editor).
    pub files: BTreeSet<PathBuf>,
    pub dep: Option<Deployment>,
    /// The findings of the last analysis, as the editor may show them.
    pub diags: Vec<Diagnostic>,
    pub published: HashMap<PathBuf, Vec<lsp::Diagnostic>>,
    pub config_error: Option<ConfigError>,
    /// The local rules' findings per file (re-run only for changed files).
    cache: LocalCache,
    config_published: bool,
    pending: HashSet<PathBuf>,
    removed: HashSet<PathBuf>,
    config_dirty: bool,
    /// The document version each node's analysed text came from.
    versions: HashMap<PathBuf, i32>,
}

impl DepState {
    fn new(root: PathBuf, files: Vec<PathBuf>) -> Self {
        let config_path = Some(root.join(CONFIG_FILE)).filter(|c| c.is_file());
        DepState {
            root,
            config_path,
            files: files.into_iter().collect(),
            ..DepState::default()
        }
    }

    fn has_work(&self) -> bool {
        self.dep.is_none()
            || !self.pending.is_empty()
            || !self.removed.is_empty()
            || self.config_dirty
    }

    /// The node of `path` in the analysed deployment.
    pub fn node(&self, path: &Path) -> Option<(&Deployment, NodeIdx)> {
        let dep = self.dep.as_ref()?;
        let i = dep.nodes.iter().position(|n| n.path == path)?;
        Some((dep, i))
    }
}

/// The workspace: folders and their deployments.
#[derive(Debug, Default)]
pub struct Workspace {
    pub folders: Vec<PathBuf>,
    /// Roots of deployments opened outside every folder.
    pub extra_roots: Vec<PathBuf>,
    pub deployments: Vec<DepState>,
    /// The URI the client used for each path it opened.
    pub uris: HashMap<PathBuf, lsp::Uri>,
    rediscover: bool,
    /// Files whose diagnostics must be cleared (they left every deployment).
    clears: Vec<PathBuf>,
    /// Opened node files that belong to no deployment yet.
    orphans: Vec<PathBuf>,
}

fn is_named(path: &Path, name: &str) -> bool {
    path.file_name().is_some_and(|n| n == name)
}

impl Workspace {
    /// Find the deployments of every folder (on `initialize`).
    pub fn discover(&mut self, folders: Vec<PathBuf>) {
        self.folders = folders;
        self.rediscover = true;
    }

    /// The deployment a file belongs to.
    pub fn owner(&self, path: &Path) -> Option<usize> {
        if is_named(path, CONFIG_FILE) {
            return self.deployments.iter().position(|d| {
                d.config_path.as_deref() == Some(path) || path.parent() == Some(d.root.as_path())
            });
        }
        self.deployments
            .iter()
            .enumerate()
            .filter(|(_, d)| d.files.contains(path))
            .map(|(i, _)| i)
            .next()
            .or_else(|| {
                let roots: Vec<PathBuf> = self.deployments.iter().map(|d| d.root.clone()).collect();
                let r = vfs::nearest_root(path, &roots)?;
                self.deployments.iter().position(|d| d.root == *r)
            })
    }

    /// The deployment and node of a file.
    pub fn locate(&self, path: &Path) -> Option<(&DepState, &Deployment, NodeIdx)> {
        let d = self.deployments.get(self.owner(path)?)?;
        let (dep, i) = d.node(path)?;
        Some((d, dep, i))
    }

    /// A file was opened, typed in, saved, created or changed on disk.
    pub fn touch(&mut self, path: &Path) {
        if is_named(path, CONFIG_FILE) {
            match self.owner(path) {
                Some(i)
                    if self
                        .deployments
                        .get(i)
                        .is_some_and(|d| d.config_path.as_deref() == Some(path)) =>
                {
                    if let Some(d) = self.deployments.get_mut(i) {
                        d.config_dirty = true;
                    }
                }
                // a new project file: the deployments change shape
                _ => self.rediscover = true,
            }
            return;
        }
        let known = self.deployments.iter().any(|d| d.files.contains(path));
        if !known && !is_named(path, NODE_FILE) {
            return;
        }
        match self.owner(path) {
            Some(i) => {
                if let Some(d) = self.deployments.get_mut(i) {
                    d.files.insert(path.to_path_buf());
                    d.removed.remove(path);
                    d.pending.insert(path.to_path_buf());
                }
            }
            None => self.orphans.push(path.to_path_buf()),
        }
    }

    /// A file is gone (deleted on disk, or closed and never saved).
    pub fn remove(&mut self, path: &Path) {
        if is_named(path, CONFIG_FILE) {
            self.rediscover = true;
            return;
        }
        if let Some(i) = self.owner(path)
            && let Some(d) = self.deployments.get_mut(i)
            && d.files.remove(path)
        {
            d.pending.remove(path);
            d.removed.insert(path.to_path_buf());
        }
    }

    /// Re-find every deployment, keeping what was published so that files
    /// that left every deployment are cleared.
    fn rediscover_now(&mut self) {
        self.rediscover = false;
        let mut roots: Vec<PathBuf> = self
            .folders
            .iter()
            .flat_map(|f| vfs::deployment_roots(f))
            .collect();
        roots.extend(self.extra_roots.iter().cloned());
        roots.sort();
        roots.dedup();
        let mut old_published: HashMap<PathBuf, Vec<lsp::Diagnostic>> = HashMap::new();
        for d in self.deployments.drain(..) {
            old_published.extend(d.published);
            if let Some(c) = d.config_path.filter(|_| d.config_published) {
                old_published.insert(c, Vec::new());
            }
        }
        self.deployments = roots
            .iter()
            .map(|r| DepState::new(r.clone(), vfs::deployment_files(r, &roots)))
            .collect();
        // open node files not found on disk yet
        let open: Vec<PathBuf> = self
            .uris
            .keys()
            .filter(|p| is_named(p, NODE_FILE))
            .cloned()
            .collect();
        for p in open {
            if let Some(i) = self.owner(&p)
                && let Some(d) = self.deployments.get_mut(i)
            {
                d.files.insert(p);
            }
        }
        for (path, diags) in old_published {
            match self.owner(&path).and_then(|i| self.deployments.get_mut(i)) {
                Some(d) if d.files.contains(&path) => {
                    d.published.insert(path, diags);
                }
                _ => self.clears.push(path),
            }
        }
    }

    /// Give each orphan file a deployment: the one of an `apimlint.toml`
    /// above it, else its own directory.
    fn adopt_orphans(&mut self) {
        let orphans = std::mem::take(&mut self.orphans);
        for path in orphans {
            if self.owner(&path).is_some() {
                self.touch(&path);
                continue;
            }
            let Some(dir) = path.parent() else { continue };
            let root = vfs::find_config(dir)
                .and_then(|c| c.parent().map(Path::to_path_buf))
                .unwrap_or_else(|| dir.to_path_buf());
            self.extra_roots.push(root.clone());
            let mut files = vfs::walk(&root);
            files.push(path.clone());
            self.deployments.push(DepState::new(root, files));
        }
    }
}

/// One `textDocument/publishDiagnostics` to send.
#[derive(Debug)]
pub struct Publish {
    pub uri: lsp::Uri,
    pub diags: Vec<lsp::Diagnostic>,
    pub version: Option<i32>,
}

/// Re-analyse every deployment with pending work; return what to publish.
pub fn analyse(shared: &Shared) -> Vec<Publish> {
    // the buffers as they are now: texts and versions
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
    let mut ws = lock(&shared.ws);
    if ws.rediscover {
        ws.rediscover_now();
    }
    ws.adopt_orphans();
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
    for d in ws.deployments.iter_mut().filter(|d| d.has_work()) {
        analyse_one(d, &fs, &versions, &uris, &mut out);
    }
    out
}

fn read_config(d: &mut DepState, fs: &dyn Vfs) -> Option<Config> {
    let path = d.config_path.clone()?;
    let display = vfs::relative(&path, &d.root);
    match apimlint_core::load_config(fs, &path, &display) {
        Ok(c) => {
            d.config_error = None;
            Some(c)
        }
        Err(e) => {
            d.config_error = Some(e);
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
    let mut changed: HashSet<PathBuf> = d.pending.drain().collect();
    let removed: Vec<PathBuf> = d.removed.drain().collect();
    // a new project file changes every node's id, region, role and rules:
    // load again (the nodes of a lean load cannot re-run their node rules)
    if std::mem::take(&mut d.config_dirty) {
        d.dep = None;
    }
    // the files whose node rules must run now (a full load ran them as it built)
    let mut recheck: HashSet<PathBuf> = HashSet::new();
    let dep = match d.dep.take() {
        None => {
            // a lean load, like `apimlint check`: no parse trees kept (an
            // editor's request parses its file again), node findings cached
            let config = read_config(d, fs).unwrap_or_default();
            let discovery = vfs::Discovery {
                root: d.root.clone(),
                config: d.config_path.clone(),
                files: d.files.iter().cloned().collect(),
                may_escape: None,
            };
            changed.extend(d.files.iter().cloned());
            let (dep, found) = apimlint_core::load_lean(fs, &discovery, config).into_parts();
            d.cache = LocalCache::seeded(found);
            dep
        }
        Some(prev) => {
            let files: Vec<SourceFile> = changed
                .iter()
                .filter(|p| d.files.contains(*p))
                .map(|p| SourceFile {
                    path: p.clone(),
                    text: fs.read_within(&d.root, p),
                })
                .collect();
            recheck.extend(changed.iter().cloned());
            incremental::rebuild(
                prev,
                Changes {
                    files,
                    removed: removed.clone(),
                    config: None,
                },
            )
        }
    };
    for p in &changed {
        match versions.get(p) {
            Some(v) => d.versions.insert(p.clone(), *v),
            None => d.versions.remove(p),
        };
    }
    // cross-node rules over everything, local rules over what changed
    let found = incremental::check(&dep, &recheck, false, &mut d.cache);
    let diags = incremental::visible(&dep, found);
    let mut by_file: HashMap<PathBuf, Vec<lsp::Diagnostic>> = dep
        .nodes
        .iter()
        .map(|n| (n.path.clone(), Vec::new()))
        .collect();
    for diag in &diags {
        if let (Some(n), Some(l)) = (
            dep.node_of(diag.file),
            convert::diagnostic(&dep, diag, uris),
        ) {
            by_file.entry(n.path.clone()).or_default().push(l);
        }
    }
    // files that are gone: clear what was published
    let gone: Vec<PathBuf> = d
        .published
        .keys()
        .filter(|p| !by_file.contains_key(*p) && Some(p.as_path()) != d.config_path.as_deref())
        .cloned()
        .collect();
    for p in gone {
        d.published.remove(&p);
        d.versions.remove(&p);
        if let Some(uri) = convert::node_uri_of(&p, uris) {
            out.push(Publish {
                uri,
                diags: Vec::new(),
                version: None,
            });
        }
    }
    let mut paths: Vec<&PathBuf> = by_file.keys().collect();
    paths.sort();
    for p in paths {
        let Some(new) = by_file.get(p) else { continue };
        if d.published.get(p) == Some(new) && !changed.contains(p) {
            continue;
        }
        if let Some(uri) = convert::node_uri_of(p, uris) {
            out.push(Publish {
                uri,
                diags: new.clone(),
                version: d.versions.get(p).copied(),
            });
        }
        d.published.insert(p.clone(), new.clone());
    }
    // the project file's own error
    if let Some(cp) = d.config_path.clone() {
        let diags: Vec<lsp::Diagnostic> = d
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
        if (!diags.is_empty() || d.config_published)
            && let Some(uri) = convert::node_uri_of(&cp, uris)
        {
            d.config_published = !diags.is_empty();
            out.push(Publish {
                uri,
                diags,
                version: versions.get(&cp).copied(),
            });
        }
    }
    d.diags = diags;
    d.dep = Some(dep);
}
