//! Reading a node's home: the files `spec/node-files.md` names, under the
//! directory that holds `repository/conf/deployment.toml`, read with the
//! bounded reader of every file (`Vfs::read_bytes_within`: regular files of
//! at most 10 MiB, never outside the deployment root). A file under no
//! node's home is never read.

use std::path::{Path, PathBuf};

use crate::graph::SourceFile;
use crate::graph::home::{
    DEFAULT_KEYSTORE, DEFAULT_TRUSTSTORE, FileKind, HomeSource, SECURITY_DIR,
};
use crate::vfs::{Discovery, NODE_FILE, Vfs};

/// The home of a node file: the directory holding
/// `repository/conf/deployment.toml`; `None` for a node file elsewhere.
pub(crate) fn home_dir(node_file: &Path) -> Option<&Path> {
    if node_file.file_name()? != NODE_FILE {
        return None;
    }
    let conf = node_file.parent()?;
    let repo = conf.parent()?;
    (conf.file_name()? == "conf" && repo.file_name()? == "repository")
        .then(|| repo.parent())
        .flatten()
}

/// Give a plain node file its home's files, read.
pub(crate) fn attach(vfs: &dyn Vfs, discovery: &Discovery, mut source: SourceFile) -> SourceFile {
    if let Some(home) = home_dir(&source.path) {
        let text = source.text.as_deref().unwrap_or("");
        // the directory of a node file the walk reached with no link is in
        // the deployment: what lies below it needs no check above it
        let trusted = super::walked_without_links(discovery, &source.path)
            .then(|| source.path.parent())
            .flatten();
        let at = Home {
            vfs,
            root: &discovery.root,
            home,
            trusted,
            listing: discovery.listing.as_deref(),
        };
        source.home = Some(at.read(text));
    }
    source
}

/// A home to read: where it is, the deployment root it stays in, a
/// directory of it known to lie in the deployment, and what the walk saw.
struct Home<'a> {
    vfs: &'a dyn Vfs,
    root: &'a Path,
    home: &'a Path,
    trusted: Option<&'a Path>,
    /// The directories the walk saw, when this is the read that followed it.
    listing: Option<&'a crate::vfs::Listing>,
}

impl Home<'_> {
    /// The files of the home (of a node whose TOML is `toml`): the event
    /// publishers, JNDI files and user stores listed in their directories,
    /// and the keystores the TOML may name (WSO2's defaults and every file
    /// of `repository/resources/security` whose name the TOML mentions: the
    /// graph keeps those its `file_name`s name).
    fn read(&self, toml: &str) -> Vec<HomeSource> {
        let mut out = Vec::new();
        for dir in FileKind::LISTED {
            for name in self.list(&self.home.join(dir)) {
                let rel = format!("{dir}/{name}");
                if let Some(kind) = FileKind::of(&rel) {
                    out.push(self.source(rel, kind));
                }
            }
        }
        for name in self.list(&self.home.join(SECURITY_DIR)) {
            if name == DEFAULT_KEYSTORE || name == DEFAULT_TRUSTSTORE || toml.contains(&name) {
                let rel = format!("{SECURITY_DIR}/{name}");
                out.push(self.source(rel, FileKind::Keystore));
            }
        }
        out
    }

    fn list(&self, dir: &Path) -> Vec<String> {
        if let Some(l) = self.listing {
            if l.absent(dir) {
                return self.vfs.as_walked(dir, Vec::new());
            }
            // the node file's own directory, listed by the walk that found it
            if self.trusted == Some(dir)
                && let Some(names) = l.entries(dir)
            {
                return self.vfs.as_walked(dir, names.to_vec());
            }
        }
        match self.trusted {
            Some(t) => self.vfs.list_below(self.root, t, dir),
            None => self.vfs.list_within(self.root, dir),
        }
    }

    fn source(&self, rel: String, kind: FileKind) -> HomeSource {
        let path: PathBuf = self.home.join(&rel);
        let bytes = match self.trusted {
            Some(t) => self.vfs.read_bytes_below(self.root, t, &path),
            None => self.vfs.read_bytes_within(self.root, &path),
        };
        HomeSource {
            bytes,
            path,
            rel,
            kind,
            origin: None,
        }
    }
}

/// The home files a manifest's workload mounts, as sources (each with its
/// origin: the ConfigMap or Secret key).
pub(crate) fn from_manifest(found: Vec<crate::manifest::HomeFound>) -> Vec<HomeSource> {
    found
        .into_iter()
        .filter_map(|h| {
            let kind = FileKind::of(&h.rel).or_else(|| {
                h.rel
                    .strip_prefix(SECURITY_DIR)
                    .is_some_and(|r| r.starts_with('/'))
                    .then_some(FileKind::Keystore)
            })?;
            Some(HomeSource {
                rel: h.rel,
                path: h.path,
                kind,
                bytes: h.bytes.map_err(crate::vfs::ReadError::Manifest),
                origin: Some(std::sync::Arc::new(h.origin)),
            })
        })
        .collect()
}

/// The home files a Compose service bind-mounts (`binds`: path relative to
/// the home in the container, host file or directory), read like a plain
/// home's, each with the service as its origin (a bind mount: the file
/// itself is what a user edits).
pub(crate) fn from_binds(
    vfs: &dyn Vfs,
    root: &Path,
    binds: &[(String, PathBuf)],
    toml: &str,
    origin: &std::sync::Arc<crate::manifest::Origin>,
) -> Vec<HomeSource> {
    let wanted = |rel: &str| -> Option<FileKind> {
        FileKind::of(rel).or_else(|| {
            let name = rel.strip_prefix(SECURITY_DIR)?.strip_prefix('/')?;
            (!name.contains('/')
                && (name == DEFAULT_KEYSTORE || name == DEFAULT_TRUSTSTORE || toml.contains(name)))
            .then_some(FileKind::Keystore)
        })
    };
    let mut out: Vec<HomeSource> = Vec::new();
    for (rel, host) in binds {
        let files: Vec<(String, PathBuf)> = if vfs.is_dir(host) {
            vfs.list_within(root, host)
                .into_iter()
                .map(|n| (format!("{rel}/{n}"), host.join(n)))
                .collect()
        } else {
            vec![(rel.clone(), host.clone())]
        };
        for (rel, path) in files {
            let Some(kind) = wanted(&rel) else { continue };
            if out.iter().any(|h| h.rel == rel) {
                continue;
            }
            out.push(HomeSource {
                bytes: vfs.read_bytes_within(root, &path),
                path,
                rel,
                kind,
                origin: Some(origin.clone()),
            });
        }
    }
    out
}

/// `extra` joined to a node's home files: a file of the same path replaces
/// the one before (a bind mount hides what the image holds there).
pub(crate) fn merge(home: &mut Option<Vec<HomeSource>>, extra: Vec<HomeSource>) {
    if extra.is_empty() {
        return;
    }
    let h = home.get_or_insert_with(Vec::new);
    for e in extra {
        h.retain(|x| x.rel != e.rel);
        h.push(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_home_is_above_repository_conf() {
        assert_eq!(
            home_dir(Path::new("/d/r1/cp/repository/conf/deployment.toml")),
            Some(Path::new("/d/r1/cp"))
        );
        assert_eq!(home_dir(Path::new("/d/r1/cp/deployment.toml")), None);
        assert_eq!(home_dir(Path::new("/d/r1/conf/deployment.toml")), None);
    }
}
