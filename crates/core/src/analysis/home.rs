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
use crate::vfs::{NODE_FILE, Vfs};

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
pub(crate) fn attach(vfs: &dyn Vfs, root: &Path, mut source: SourceFile) -> SourceFile {
    if let Some(home) = home_dir(&source.path) {
        let text = source.text.as_deref().unwrap_or("");
        source.home = Some(read(vfs, root, home, text));
    }
    source
}

/// The files of the home `home` (of a node whose TOML is `toml`): the
/// event publishers, JNDI files and user stores listed in their
/// directories, and the keystores the TOML may name (WSO2's defaults and
/// every file of `repository/resources/security` whose name the TOML
/// mentions: the graph keeps those its `file_name`s name).
pub(crate) fn read(vfs: &dyn Vfs, root: &Path, home: &Path, toml: &str) -> Vec<HomeSource> {
    let mut out = Vec::new();
    for dir in FileKind::LISTED {
        for name in vfs.list_within(root, &home.join(dir)) {
            let rel = format!("{dir}/{name}");
            if let Some(kind) = FileKind::of(&rel) {
                out.push(source(vfs, root, home, rel, kind));
            }
        }
    }
    for name in vfs.list_within(root, &home.join(SECURITY_DIR)) {
        if name == DEFAULT_KEYSTORE || name == DEFAULT_TRUSTSTORE || toml.contains(&name) {
            let rel = format!("{SECURITY_DIR}/{name}");
            out.push(source(vfs, root, home, rel, FileKind::Keystore));
        }
    }
    out
}

fn source(vfs: &dyn Vfs, root: &Path, home: &Path, rel: String, kind: FileKind) -> HomeSource {
    let path: PathBuf = home.join(&rel);
    HomeSource {
        bytes: vfs.read_bytes_within(root, &path),
        path,
        rel,
        kind,
        origin: None,
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
