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

/// Glob match for node ids: `*` matches within one path component,
/// `**` across components, `?` one character.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    fn rec(p: &[u8], t: &[u8]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some((b'*', rest)) => {
                let (deep, rest) = match rest.split_first() {
                    Some((b'*', r)) => (true, r),
                    _ => (false, rest),
                };
                for i in 0..=t.len() {
                    if rec(rest, t.get(i..).unwrap_or_default()) {
                        return true;
                    }
                    if !deep && t.get(i) == Some(&b'/') {
                        break;
                    }
                }
                false
            }
            Some((b'?', rest)) => t
                .split_first()
                .is_some_and(|(c, tr)| *c != b'/' && rec(rest, tr)),
            Some((c, rest)) => t
                .split_first()
                .is_some_and(|(d, tr)| c == d && rec(rest, tr)),
        }
    }
    rec(pattern.as_bytes(), text.as_bytes())
}

/// Paths a walk skips: globs relative to `base`. A glob without `/`
/// matches any component of the path (`.history`, `*.bak`); one with `/`
/// matches the path from `base` or a directory above it (`envs/old`,
/// `envs/*/backup`), as ruff's `exclude`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exclude {
    pub rules: Vec<(PathBuf, Vec<String>)>,
}

impl Exclude {
    /// Skip `patterns`, relative to `base`, too.
    pub fn add(&mut self, base: &Path, patterns: Vec<String>) {
        if !patterns.is_empty() {
            self.rules.push((normalize(base), patterns));
        }
    }

    /// Whether `path` (absolute, normalised) is excluded: a glob without `/`
    /// against each component of the path from `base`, one with `/` against
    /// each leading part of it.
    pub fn matches(&self, path: &Path) -> bool {
        self.rules.iter().any(|(base, patterns)| {
            let Ok(rel) = path.strip_prefix(base) else {
                return false;
            };
            // no allocation but for a pattern with a `/`, matched against
            // each leading part of `rel`
            patterns.iter().any(|p| {
                let p = pattern_body(p);
                if p.is_empty() {
                    return false;
                }
                if p.contains('/') {
                    let mut prefix = String::new();
                    rel.components().any(|c| {
                        if !prefix.is_empty() {
                            prefix.push('/');
                        }
                        prefix.push_str(&c.as_os_str().to_string_lossy());
                        glob_match(p, &prefix)
                    })
                } else {
                    rel.components()
                        .any(|c| glob_match(p, &c.as_os_str().to_string_lossy()))
                }
            })
        })
    }

    /// [`Exclude::matches`] of an entry of a directory that is not excluded
    /// (nor is any directory above it): no part of the path above the entry
    /// can match, so only its name (a glob without `/`) or its whole path
    /// from `base` (a glob with `/`) is tried. A walk asks this of every
    /// entry below a root that [`Exclude::matches`] does not exclude.
    pub fn matches_entry(&self, path: &Path) -> bool {
        self.rules.iter().any(|(base, patterns)| {
            // the path's text past `base` (its components, joined, when it
            // is not plain)
            let Some(rel) = plain_rel(path, base).or_else(|| joined_rel(path, base)) else {
                return false;
            };
            let name = rel.rsplit('/').next().unwrap_or_default();
            patterns.iter().any(|p| {
                let p = pattern_body(p);
                match (p.is_empty(), p.contains('/')) {
                    (true, _) => false,
                    (false, true) => glob_match(p, &rel),
                    (false, false) => glob_match(p, name),
                }
            })
        })
    }
}

/// A pattern without its leading `./`s and its leading and trailing `/`s.
fn pattern_body(p: &str) -> &str {
    let mut p = p;
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.trim_matches('/')
}

/// `path` past `base` as text, when it is plainly below it: `base`'s bytes,
/// a `/`, then names joined by single `/`s (none empty, `.` or `..`) — what
/// its components from `base`, joined by `/`, give. `None` when it is not
/// that plain (the caller asks the components).
fn plain_rel<'p>(path: &'p Path, base: &Path) -> Option<std::borrow::Cow<'p, str>> {
    let rel = path
        .as_os_str()
        .as_encoded_bytes()
        .strip_prefix(base.as_os_str().as_encoded_bytes())?
        .strip_prefix(b"/")?;
    let plain = !rel.is_empty()
        && rel
            .split(|b| *b == b'/')
            .all(|c| !c.is_empty() && c != b"." && c != b"..");
    plain.then(|| String::from_utf8_lossy(rel))
}

/// `path`'s components past `base`, joined by `/`: `None` when it is not
/// below `base` (or is `base`).
fn joined_rel<'p>(path: &'p Path, base: &Path) -> Option<std::borrow::Cow<'p, str>> {
    let parts: Vec<_> = path
        .strip_prefix(base)
        .ok()?
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    (!parts.is_empty()).then(|| std::borrow::Cow::Owned(parts.join("/")))
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

    #[test]
    fn an_entry_below_unexcluded_directories_is_judged_as_a_whole_path_is() {
        let mut e = Exclude::default();
        let patterns = [
            ".history",
            "*.bak",
            "envs/old",
            "envs/*/backup",
            "./x/",
            "**/tmp",
        ];
        e.add(
            Path::new("/r"),
            patterns.iter().map(|p| (*p).to_owned()).collect(),
        );
        let paths = [
            "/r/.history",
            "/r/a/.history",
            "/r/a/b.bak",
            "/r/envs/old",
            "/r/envs/new",
            "/r/envs/new/backup",
            "/r/envs/new/backup/more",
            "/r/x",
            "/r/a/tmp",
            "/r/a/tmp/b",
            "/r/a/deployment.toml",
            "/elsewhere/.history",
        ];
        let mut entries = 0;
        for p in paths.map(Path::new) {
            // a walk asks only of entries whose directories it entered
            let entered = p
                .ancestors()
                .skip(1)
                .take_while(|a| a.starts_with("/r") && *a != Path::new("/r"))
                .all(|a| !e.matches(a));
            if entered {
                entries += 1;
                assert_eq!(e.matches_entry(p), e.matches(p), "{}", p.display());
            }
        }
        assert_eq!(entries, 10);
        assert!(e.matches_entry(Path::new("/r/envs/new/backup")));
        assert!(!e.matches_entry(Path::new("/r/a/deployment.toml")));
    }

    #[test]
    fn only_a_plain_path_below_base_is_read_as_text() {
        let rel = |p: &str, b: &str| plain_rel(Path::new(p), Path::new(b)).map(|c| c.into_owned());
        assert_eq!(rel("/r/a/b.bak", "/r").as_deref(), Some("a/b.bak"));
        assert_eq!(
            rel("/r/envs/new/backup", "/r").as_deref(),
            Some("envs/new/backup")
        );
        // the components answer these
        for (p, b) in [
            ("/rx/.history", "/r"),
            ("/r", "/r"),
            ("/r/", "/r"),
            ("/r//a", "/r"),
            ("/r/./a", "/r"),
            ("/r/a/..", "/r"),
            ("/r/a/", "/r"),
            ("/a", "/"),
        ] {
            assert_eq!(rel(p, b), None, "{p} from {b}");
        }
        let mut e = Exclude::default();
        e.add(
            Path::new("/r"),
            vec![".history".to_owned(), "a/b".to_owned()],
        );
        for p in ["/r//.history", "/r/./a/b", "/rx/.history"] {
            assert_eq!(
                e.matches_entry(Path::new(p)),
                e.matches(Path::new(p)),
                "{p}"
            );
        }
    }
}
