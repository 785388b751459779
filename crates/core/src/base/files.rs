//! File identities. Every file an analysis knows is interned once, from its
//! normalised path, as a [`FileId`]; the id stays the same for the life of
//! the [`FileSet`] — across rebuilds after edits — so findings, related
//! locations and edits name files by it and never need renumbering.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// A file of an analysis (a node's `deployment.toml`, for now).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub(crate) u32);

impl FileId {
    /// The id as an index (dense: ids are handed out 0, 1, 2, …).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The interner: path ↔ id. Append-only: a file that leaves the analysis
/// keeps its id, and comes back with it.
#[derive(Debug, Default, Clone)]
pub struct FileSet {
    paths: Vec<Arc<Path>>,
    ids: HashMap<Arc<Path>, FileId>,
}

impl FileSet {
    /// The id of `path` (normalised), interning it when new.
    pub(crate) fn intern(&mut self, path: &Path) -> FileId {
        let path: Arc<Path> = normalize(path).into();
        if let Some(id) = self.ids.get(&path) {
            return *id;
        }
        let id = FileId(u32::try_from(self.paths.len()).unwrap_or(u32::MAX));
        self.paths.push(path.clone());
        self.ids.insert(path, id);
        id
    }

    /// The id of `path`, if it was interned.
    pub fn get(&self, path: &Path) -> Option<FileId> {
        self.ids
            .get(path)
            .or_else(|| self.ids.get(normalize(path).as_path()))
            .copied()
    }

    /// The path of `id`.
    pub fn path(&self, id: FileId) -> Option<&Path> {
        self.paths.get(id.index()).map(AsRef::as_ref)
    }

    pub fn len(&self) -> usize {
        self.paths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

/// `.` and `..` removed lexically (no file system access; symbolic links are
/// the file system's business).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_dense() {
        let mut set = FileSet::default();
        let a = set.intern(Path::new("/d/a/deployment.toml"));
        let b = set.intern(Path::new("/d/b/./deployment.toml"));
        assert_eq!(set.intern(Path::new("/d/a/../a/deployment.toml")), a);
        assert_eq!((a.index(), b.index()), (0, 1));
        assert_eq!(set.get(Path::new("/d/b/deployment.toml")), Some(b));
        assert_eq!(set.path(b), Some(Path::new("/d/b/deployment.toml")));
    }
}
