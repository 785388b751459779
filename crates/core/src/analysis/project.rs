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

use crate::vfs::{self, CONFIG_FILE, NODE_FILE, Vfs};

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
        let old = std::mem::take(&mut self.members);
        self.members = roots
            .iter()
            .map(|r| Member::new(fs, r.clone(), vfs::deployment_files(r, &roots)))
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
        let mut files = vfs::deployment_files(&root, &[]);
        files.push(path.to_path_buf());
        self.members.push(Member::new(fs, root, files));
        Some(self.members.len() - 1)
    }
}

/// The PATHs of a check, split into one list per deployment, in the order
/// first given.
///
/// pre-commit passes the changed files, possibly of several deployments
/// (each with its own `apimlint.toml`), and possibly an `apimlint.toml`
/// itself. A path named `apimlint.toml` stands for its deployment (its
/// directory is the deployment root, shown as the path's directory); the
/// other paths are grouped by the `apimlint.toml` that governs them, so that
/// each deployment is linted whole and on its own. Paths no `apimlint.toml`
/// governs form one group. With `config` (one project file for everything)
/// or a single deployment the result is one group.
pub fn split_paths(
    fs: &dyn Vfs,
    cwd: &Path,
    paths: &[PathBuf],
    config: Option<&Path>,
) -> Vec<Vec<PathBuf>> {
    let mut groups: Vec<(Option<PathBuf>, Vec<PathBuf>)> = Vec::new();
    for p in paths {
        let abs = vfs::normalize(&cwd.join(p));
        let is_config = is_named(&abs, CONFIG_FILE) && fs.is_file(&abs);
        let (path, dir) = if is_config {
            let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
            let shown = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            (shown, dir)
        } else if fs.is_dir(&abs) {
            (p.clone(), abs)
        } else {
            (
                p.clone(),
                abs.parent().map(Path::to_path_buf).unwrap_or_default(),
            )
        };
        let key = if config.is_some() {
            None
        } else {
            vfs::find_config(&dir)
        };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => {
                if !g.contains(&path) {
                    g.push(path);
                }
            }
            None => groups.push((key, vec![path])),
        }
    }
    if groups.len() <= 1 || config.is_some() {
        return vec![groups.into_iter().flat_map(|(_, g)| g).collect()];
    }
    groups.into_iter().map(|(_, g)| g).collect()
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
    fn files_group_by_their_project_file() {
        let base = scratch("split");
        let p = |s: &str| PathBuf::from(s);
        let g = split_paths(
            &DiskFs,
            &base,
            &[
                p("a/r/n1/deployment.toml"),
                p("b/apimlint.toml"),
                p("a/r/n2/deployment.toml"),
                p("c/r/n1/deployment.toml"),
            ],
            None,
        );
        assert_eq!(
            g,
            vec![
                vec![p("a/r/n1/deployment.toml"), p("a/r/n2/deployment.toml")],
                vec![p("b")],
                vec![p("c/r/n1/deployment.toml")],
            ]
        );
        // one deployment, or one project file for all: one group
        let g = split_paths(&DiskFs, &base, &[p("a/apimlint.toml")], None);
        assert_eq!(g, vec![vec![p("a")]]);
        let g = split_paths(
            &DiskFs,
            &base,
            &[p("a/r/n1/deployment.toml"), p("b/r/n1/deployment.toml")],
            Some(Path::new("a/apimlint.toml")),
        );
        assert_eq!(g.len(), 1);
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
