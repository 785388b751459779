//! The project model: which directories are deployments, and which
//! deployment a path belongs to. The CLI groups its PATHs with it
//! ([`split_paths`]); the language server keeps its workspace's deployments
//! in a [`Project`], each with the server's own state beside it.
//!
//! A deployment is a directory holding an `apimlint.toml`, or, where no
//! project file governs, the directory the user named (a workspace folder,
//! the parent of a file opened alone). Its node files are the
//! `deployment.toml` files under it that no nested deployment claims.
//! Existence and contents are asked of the [`Vfs`] (so an editor's unsaved
//! `apimlint.toml` counts); directories are listed by the vfs walker.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::vfs::{self, CONFIG_FILE, Discovery, Exclude, NODE_FILE, Vfs};

/// One deployment of a project, with what its user keeps beside it.
#[derive(Debug, Default)]
pub struct Member<T> {
    pub root: PathBuf,
    /// The deployment's `apimlint.toml`, when it has one.
    pub config_path: Option<PathBuf>,
    /// Its node files (on disk, or open in the editor).
    pub files: BTreeSet<PathBuf>,
    pub state: T,
}

impl<T: Default> Member<T> {
    fn new(fs: &dyn Vfs, root: PathBuf, files: Vec<PathBuf>) -> Self {
        let config_path = Some(root.join(CONFIG_FILE)).filter(|c| fs.is_file(c));
        Member {
            root,
            config_path,
            files: files.into_iter().collect(),
            state: T::default(),
        }
    }
}

/// The deployments of a workspace: those found in its folders, and those
/// of files opened outside every folder.
#[derive(Debug, Default)]
pub struct Project<T> {
    pub folders: Vec<PathBuf>,
    /// Roots of deployments of files opened outside every folder.
    extra_roots: Vec<PathBuf>,
    pub members: Vec<Member<T>>,
}

/// Whether `path` is called `name`.
pub fn is_named(path: &Path, name: &str) -> bool {
    path.file_name().is_some_and(|n| n == name)
}

impl<T: Default> Project<T> {
    /// The deployment a path belongs to: for an `apimlint.toml`, the
    /// deployment it configures (or would, in its directory); for another
    /// file, the deployment listing it, else the deepest one holding it.
    pub fn owner(&self, path: &Path) -> Option<usize> {
        if is_named(path, CONFIG_FILE) {
            return self.members.iter().position(|d| {
                d.config_path.as_deref() == Some(path) || path.parent() == Some(d.root.as_path())
            });
        }
        self.members
            .iter()
            .position(|d| d.files.contains(path))
            .or_else(|| {
                let roots: Vec<PathBuf> = self.members.iter().map(|d| d.root.clone()).collect();
                let r = vfs::nearest_root(path, &roots)?;
                self.members.iter().position(|d| d.root == *r)
            })
    }

    /// Whether `path` is the project file of one of the deployments.
    pub fn is_project_file(&self, path: &Path) -> bool {
        self.owner(path)
            .and_then(|i| self.members.get(i))
            .is_some_and(|d| d.config_path.as_deref() == Some(path))
    }

    /// Find every deployment again (the folders changed, or a project file
    /// appeared or went away). `open` are node files open in the editor,
    /// added to their deployments although the disk may not hold them yet.
    /// Returns the members replaced, so that their user can carry over what
    /// it keeps for files that are still there.
    pub fn rediscover<'a>(
        &mut self,
        fs: &dyn Vfs,
        open: impl IntoIterator<Item = &'a Path>,
    ) -> Vec<Member<T>> {
        let mut roots: Vec<PathBuf> = self
            .folders
            .iter()
            .flat_map(|f| vfs::deployment_roots(f))
            .collect();
        roots.extend(self.extra_roots.iter().cloned());
        roots.sort();
        roots.dedup();
        // each deployment skips what its project file excludes, as `check` does
        let excludes: Vec<Exclude> = roots.iter().map(|r| exclude_of(fs, r)).collect();
        let excluded = |r: &PathBuf| {
            roots
                .iter()
                .zip(&excludes)
                .filter(|(p, _)| *p != r && r.starts_with(p))
                .max_by_key(|(p, _)| p.components().count())
                .is_some_and(|(_, e)| e.matches(r))
        };
        let kept: Vec<(PathBuf, Exclude)> = roots
            .iter()
            .zip(&excludes)
            .filter(|(r, _)| !excluded(r))
            .map(|(r, e)| (r.clone(), e.clone()))
            .collect();
        let roots: Vec<PathBuf> = kept.iter().map(|(r, _)| r.clone()).collect();
        let old = std::mem::take(&mut self.members);
        self.members = kept
            .iter()
            .map(|(r, e)| Member::new(fs, r.clone(), vfs::deployment_files(r, &roots, e)))
            .collect();
        for p in open.into_iter().filter(|p| is_named(p, NODE_FILE)) {
            if let Some(i) = self.owner(p)
                && let Some(d) = self.members.get_mut(i)
            {
                d.files.insert(p.to_path_buf());
            }
        }
        old
    }

    /// Give a node file outside every deployment one: the deployment of an
    /// `apimlint.toml` above it, else its own directory. Returns its member.
    pub fn adopt(&mut self, fs: &dyn Vfs, path: &Path) -> Option<usize> {
        if let Some(i) = self.owner(path) {
            return Some(i);
        }
        let dir = path.parent()?;
        let root = vfs::find_config(dir)
            .and_then(|c| c.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| dir.to_path_buf());
        self.extra_roots.push(root.clone());
        let mut files = vfs::deployment_files(&root, &[], &exclude_of(fs, &root));
        files.push(path.to_path_buf());
        self.members.push(Member::new(fs, root, files));
        Some(self.members.len() - 1)
    }
}

/// What the deployment at `root` skips: its project file's `exclude` and
/// `extend-exclude` (the defaults when it has none, or a bad one).
fn exclude_of(fs: &dyn Vfs, root: &Path) -> Exclude {
    let config = root.join(CONFIG_FILE);
    let patterns = Some(&config)
        .filter(|c| fs.is_file(c))
        .and_then(|c| crate::analysis::load_config(fs, c, CONFIG_FILE).ok())
        .unwrap_or_default()
        .excludes();
    let mut e = Exclude::default();
    e.add(root, patterns);
    e
}

/// One deployment of a check: what to read, its project file read, and
/// which of its nodes the user asked about.
#[derive(Debug, Clone)]
pub struct Unit {
    pub discovery: Discovery,
    pub config: Config,
    /// The directories inside the deployment the user named: the whole
    /// deployment is analysed (a change to one node can break another) and
    /// findings are reported on the node files under them. `None`: on every
    /// file.
    pub only: Option<Vec<PathBuf>>,
}

impl Unit {
    /// Whether findings in `path` are reported (see [`Unit::only`]).
    pub fn asked(&self, path: &Path) -> bool {
        self.only
            .as_ref()
            .is_none_or(|dirs| dirs.iter().any(|d| path.starts_with(d)))
    }
}

/// A deployment the PATHs name, before it is read.
#[derive(Debug)]
struct Wanted {
    root: PathBuf,
    config: PathBuf,
    whole: bool,
    only: Vec<PathBuf>,
    explicit: Vec<PathBuf>,
    /// Named by a PATH (not only found below one): without node files it
    /// is an error, not skipped.
    named: bool,
}

/// The deployments a check's PATHs name, each discovered and with its
/// project file read: the one answer of the CLI (and, through
/// [`Project`], of the language server) to "what is a deployment".
///
/// Every `apimlint.toml` at or below a PATH starts a deployment of its own,
/// rooted at its directory; the nearest one governs a file (as ruff's
/// hierarchical configuration). A PATH inside a deployment (below an
/// `apimlint.toml`) stands for the whole deployment: a file is linted with
/// every node of it (pre-commit passes changed files), a directory too, its
/// findings reported on the nodes under it. PATHs no `apimlint.toml`
/// governs form one deployment rooted at their common ancestor. A path
/// named `apimlint.toml` stands for its directory. `config` (`--config`)
/// makes everything one deployment with that project file. `exclude`
/// (`--exclude`, relative to `cwd`) is skipped as well as each project
/// file's `exclude`/`extend-exclude` (relative to its directory).
pub fn plan(
    fs: &dyn Vfs,
    cwd: &Path,
    paths: &[PathBuf],
    config: Option<&Path>,
    exclude: &[String],
) -> Result<Vec<Unit>, String> {
    let mut cli = Exclude::default();
    cli.add(cwd, exclude.to_vec());
    let cx = Planner {
        fs,
        cwd,
        paths: if paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            paths.to_vec()
        },
        cli,
        walks: vfs::WalkCache::default(),
    };
    if let Some(c) = config {
        return Ok(vec![cx.one_project(c)?]);
    }
    let named = cx.named()?;
    let mut units = cx.projects(named.wanted)?;
    if !named.dirs.is_empty() || !named.files.is_empty() {
        match cx.loose(&named.dirs, &named.files) {
            Ok(unit) => units.push(unit),
            // the directories held only deployments of their own
            Err(_) if !units.is_empty() => {}
            Err(e) => return Err(e),
        }
    }
    if units.is_empty() {
        return Err(vfs::DiscoverError::NoNodes(cx.shown()).to_string());
    }
    units.sort_by(|a, b| a.discovery.root.cmp(&b.discovery.root));
    Ok(units)
}

/// What [`plan`] works with.
struct Planner<'a> {
    fs: &'a dyn Vfs,
    cwd: &'a Path,
    paths: Vec<PathBuf>,
    /// `--exclude`, relative to `cwd`.
    cli: Exclude,
    /// The walks made so far.
    walks: vfs::WalkCache,
}

/// The deployments with a project file that PATHs name, and the
/// directories and files no project file governs.
struct Named {
    wanted: Vec<Wanted>,
    dirs: Vec<PathBuf>,
    files: Vec<PathBuf>,
}

impl Planner<'_> {
    fn shown(&self) -> String {
        self.paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn read(&self, p: &Path) -> Result<Config, String> {
        crate::analysis::load_config(self.fs, p, &vfs::relative(p, self.cwd))
            .map_err(|e| e.to_string())
    }

    /// `--exclude` and what `cfg` excludes, relative to `base`.
    fn exclude(&self, base: &Path, cfg: &Config) -> Exclude {
        let mut e = self.cli.clone();
        e.add(base, cfg.excludes());
        e
    }

    /// `--config FILE`: every PATH one deployment with that project file.
    fn one_project(&self, c: &Path) -> Result<Unit, String> {
        let c = vfs::normalize(&self.cwd.join(c));
        let cfg = self.read(&c)?;
        let (dirs, files) = vfs::classify(self.cwd, &self.paths).map_err(|e| e.to_string())?;
        let common = common_of(&dirs, &files);
        let root = c
            .parent()
            .filter(|d| common.starts_with(d))
            .map_or(common, Path::to_path_buf);
        let mut roots = dirs.clone();
        if !files.is_empty() {
            roots.push(root.clone());
        }
        let ex = self.exclude(c.parent().unwrap_or(&root), &cfg);
        let walk = vfs::Walk {
            roots: &roots,
            explicit: &files,
            exclude: &ex,
            nested: false,
            cache: Some(&self.walks),
        };
        let discovery =
            vfs::collect(root, Some(c), &walk, &self.shown()).map_err(|e| e.to_string())?;
        Ok(Unit {
            discovery,
            config: cfg,
            only: None,
        })
    }

    /// The deployments of the project files, read; those an enclosing
    /// project file excludes, and those found with no node, left out.
    fn projects(&self, wanted: Vec<Wanted>) -> Result<Vec<Unit>, String> {
        let mut read: Vec<(Wanted, Config)> = Vec::new();
        for w in wanted {
            let cfg = self.read(&w.config)?;
            read.push((w, cfg));
        }
        let excluded: Vec<bool> = read
            .iter()
            .map(|(w, _)| {
                read.iter()
                    .filter(|(p, _)| p.root != w.root && w.root.starts_with(&p.root))
                    .max_by_key(|(p, _)| p.root.components().count())
                    .is_some_and(|(p, cfg)| self.exclude(&p.root, cfg).matches(&w.root))
            })
            .collect();
        let mut units = Vec::new();
        for ((w, cfg), excluded) in read.into_iter().zip(excluded) {
            if excluded {
                continue;
            }
            let ex = self.exclude(&w.root, &cfg);
            let roots = [w.root.clone()];
            let walk = vfs::Walk {
                roots: &roots,
                explicit: &w.explicit,
                exclude: &ex,
                nested: true,
                cache: Some(&self.walks),
            };
            let name = vfs::relative(&w.root, self.cwd);
            let discovery = match vfs::collect(w.root.clone(), Some(w.config), &walk, &name) {
                Ok(d) => d,
                // a project file found below a PATH, with no node beside it
                Err(_) if !w.named => continue,
                Err(e) => return Err(e.to_string()),
            };
            units.push(Unit {
                discovery,
                config: cfg,
                only: (!w.whole).then_some(w.only),
            });
        }
        Ok(units)
    }

    /// The deployment of the PATHs no project file governs.
    fn loose(&self, dirs: &[PathBuf], files: &[PathBuf]) -> Result<Unit, String> {
        let root = common_of(dirs, files);
        let mut roots = dirs.to_vec();
        if !files.is_empty() {
            roots.push(root.clone());
        }
        let ex = self.exclude(&root, &Config::default());
        let walk = vfs::Walk {
            roots: &roots,
            explicit: files,
            exclude: &ex,
            nested: true,
            cache: Some(&self.walks),
        };
        let discovery =
            vfs::collect(root, None, &walk, &self.shown()).map_err(|e| e.to_string())?;
        Ok(Unit {
            discovery,
            config: Config::default(),
            only: None,
        })
    }
}

/// The common ancestor of directories and the parents of files.
fn common_of(dirs: &[PathBuf], files: &[PathBuf]) -> PathBuf {
    let anchors: Vec<PathBuf> = dirs
        .iter()
        .cloned()
        .chain(
            files
                .iter()
                .filter_map(|f| f.parent().map(Path::to_path_buf)),
        )
        .collect();
    vfs::common_ancestor(&anchors)
}

impl Planner<'_> {
    /// The deployments with a project file that the PATHs name, and the
    /// directories and files no project file governs.
    fn named(&self) -> Result<Named, String> {
        let (fs, cwd, paths, cli) = (self.fs, self.cwd, &self.paths, &self.cli);
        let mut wanted: Vec<Wanted> = Vec::new();
        let mut entry = |config: PathBuf| -> usize {
            let root = config.parent().map(Path::to_path_buf).unwrap_or_default();
            if let Some(i) = wanted.iter().position(|w| w.root == root) {
                return i;
            }
            wanted.push(Wanted {
                root,
                config,
                whole: false,
                only: Vec::new(),
                explicit: Vec::new(),
                named: false,
            });
            wanted.len() - 1
        };
        let (mut loose_dirs, mut loose_files) = (Vec::new(), Vec::new());
        let mut nested = Vec::new();
        for p in paths {
            let abs = vfs::normalize(&cwd.join(p));
            if fs.is_file(&abs) && is_named(&abs, CONFIG_FILE) {
                let i = entry(abs);
                nested.push((i, None, None, true));
                continue;
            }
            let (dirs, files) =
                vfs::classify(cwd, std::slice::from_ref(p)).map_err(|e| e.to_string())?;
            for f in files {
                match f.parent().and_then(vfs::find_config) {
                    Some(c) => nested.push((entry(c), None, Some(f), true)),
                    None => loose_files.push(f),
                }
            }
            for d in dirs {
                match vfs::find_config(&d) {
                    Some(c) => {
                        let whole = c.parent() == Some(d.as_path());
                        nested.push((entry(c), (!whole).then(|| d.clone()), None, true));
                    }
                    None => loose_dirs.push(d.clone()),
                }
                // every project file below starts a deployment of its own
                let mut ex = cli.clone();
                ex.add(&d, Config::default().excludes());
                let bound = std::fs::canonicalize(&d).ok();
                for (c, _) in self
                    .walks
                    .walk(&d, &[CONFIG_FILE], &ex, bound.as_deref())
                    .files
                {
                    if c.parent() != Some(d.as_path()) && fs.is_file(&c) {
                        nested.push((entry(c), None, None, false));
                    }
                }
            }
        }
        for (i, only, file, named) in nested {
            if let Some(w) = wanted.get_mut(i) {
                w.named |= named;
                match only {
                    Some(d) => w.only.push(d),
                    None => w.whole = true,
                }
                w.explicit.extend(file);
            }
        }
        Ok(Named {
            wanted,
            dirs: loose_dirs,
            files: loose_files,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::vfs::DiskFs;

    fn scratch(name: &str) -> PathBuf {
        let base = std::env::temp_dir().join(format!("apimlint-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        for d in ["a/r/n1", "a/r/n2", "b/r/n1", "c/r/n1"] {
            std::fs::create_dir_all(base.join(d)).unwrap();
            std::fs::write(base.join(d).join("deployment.toml"), "").unwrap();
        }
        std::fs::write(base.join("a/apimlint.toml"), "").unwrap();
        std::fs::write(base.join("b/apimlint.toml"), "").unwrap();
        std::fs::create_dir_all(base.join(".git")).unwrap();
        base
    }

    #[test]
    fn every_project_file_starts_a_deployment() {
        let base = scratch("plan");
        let p = |s: &str| PathBuf::from(s);
        let roots = |units: &[Unit]| -> Vec<(String, usize, bool)> {
            units
                .iter()
                .map(|u| {
                    (
                        vfs::relative(&u.discovery.root, &base),
                        u.discovery.files.len(),
                        u.only.is_some(),
                    )
                })
                .collect()
        };
        // files, and a project file standing for its directory
        let units = plan(
            &DiskFs,
            &base,
            &[
                p("a/r/n1/deployment.toml"),
                p("b/apimlint.toml"),
                p("a/r/n2/deployment.toml"),
                p("c/r/n1/deployment.toml"),
            ],
            None,
            &[],
        )
        .unwrap();
        assert_eq!(
            roots(&units),
            [
                ("a".into(), 2, false),
                ("b".into(), 1, false),
                ("c/r/n1".into(), 1, false)
            ]
        );
        // a directory: each project file below it, and the rest
        let units = plan(&DiskFs, &base, &[p(".")], None, &[]).unwrap();
        assert_eq!(
            roots(&units),
            [
                (".".into(), 1, false),
                ("a".into(), 2, false),
                ("b".into(), 1, false)
            ]
        );
        // a directory inside a deployment: the whole deployment, reported on it
        let units = plan(&DiskFs, &base, &[p("a/r/n2")], None, &[]).unwrap();
        assert_eq!(roots(&units), [("a".into(), 2, true)]);
        assert!(units[0].asked(&base.join("a/r/n2/deployment.toml")));
        assert!(!units[0].asked(&base.join("a/r/n1/deployment.toml")));
        // excluded
        let units = plan(&DiskFs, &base, &[p(".")], None, &["b".into()]).unwrap();
        assert_eq!(roots(&units).len(), 2);
        // one project file for everything
        let units = plan(
            &DiskFs,
            &base,
            &[p("a/r/n1/deployment.toml"), p("b/r/n1/deployment.toml")],
            Some(Path::new("a/apimlint.toml")),
            &[],
        )
        .unwrap();
        assert_eq!(units.len(), 1);
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn a_workspace_folder_holds_each_project_files_deployment() {
        let base = scratch("project");
        let mut project: Project<()> = Project {
            folders: vec![base.clone()],
            ..Project::default()
        };
        let open = base.join("c/r/n9/deployment.toml");
        project.rediscover(&DiskFs, [open.as_path()]);
        let roots: Vec<&Path> = project.members.iter().map(|m| m.root.as_path()).collect();
        assert_eq!(roots, [base.as_path(), &base.join("a"), &base.join("b")]);
        let a = project.owner(&base.join("a/r/n2/deployment.toml")).unwrap();
        assert_eq!(project.members[a].files.len(), 2);
        assert!(project.is_project_file(&base.join("a/apimlint.toml")));
        // the folder's own deployment: the files no project file governs, and the open one
        let c = project.owner(&open).unwrap();
        assert_eq!(c, 0);
        assert!(project.members[c].files.contains(&open));
        assert!(project.members[c].config_path.is_none());
        // a file opened outside every folder gets a deployment of its own
        let outside = std::env::temp_dir().join(format!("apimlint-alone-{}", std::process::id()));
        std::fs::create_dir_all(&outside).unwrap();
        let alone = outside.join("deployment.toml");
        std::fs::write(&alone, "").unwrap();
        let i = project.adopt(&DiskFs, &alone).unwrap();
        assert_eq!(project.members[i].root, outside);
        assert_eq!(project.owner(&alone), Some(i));
        let _ = std::fs::remove_dir_all(&base);
        let _ = std::fs::remove_dir_all(&outside);
    }
}
