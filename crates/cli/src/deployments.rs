//! Which deployments the PATHs of `check` belong to.
//!
//! pre-commit passes the changed files, possibly of several deployments
//! (each with its own `apimlint.toml`), and possibly an `apimlint.toml`
//! itself. A path named `apimlint.toml` stands for its deployment (its
//! directory is the deployment root); the other paths are grouped by the
//! `apimlint.toml` that governs them, so that each deployment is linted
//! whole and on its own. Paths no `apimlint.toml` governs form one group,
//! whose root is their common ancestor.

use std::path::{Path, PathBuf};

use apimlint_core::vfs::{CONFIG_FILE, find_config, normalize};

/// The PATHs, split into one list per deployment, in the order first given.
/// With `--config` (one project file for everything) or a single deployment
/// the result is one group. A path named `apimlint.toml` becomes its directory.
pub fn split(cwd: &Path, paths: &[PathBuf], config: Option<&Path>) -> Vec<Vec<PathBuf>> {
    let mut groups: Vec<(Option<PathBuf>, Vec<PathBuf>)> = Vec::new();
    for p in paths {
        let abs = normalize(&cwd.join(p));
        let is_config = abs.file_name().is_some_and(|n| n == CONFIG_FILE) && abs.is_file();
        let (path, dir) = if is_config {
            let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
            let shown = p.parent().map_or_else(
                || PathBuf::from("."),
                |d| {
                    if d.as_os_str().is_empty() {
                        PathBuf::from(".")
                    } else {
                        d.to_path_buf()
                    }
                },
            );
            (shown, dir)
        } else if abs.is_dir() {
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
            find_config(&dir)
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

    #[test]
    fn files_group_by_their_project_file() {
        let base = std::env::temp_dir().join(format!("apimlint-split-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        for d in ["a/r/n1", "a/r/n2", "b/r/n1", "c/r/n1"] {
            std::fs::create_dir_all(base.join(d)).unwrap();
            std::fs::write(base.join(d).join("deployment.toml"), "").unwrap();
        }
        std::fs::write(base.join("a/apimlint.toml"), "").unwrap();
        std::fs::write(base.join("b/apimlint.toml"), "").unwrap();
        std::fs::create_dir_all(base.join(".git")).unwrap();
        let p = |s: &str| PathBuf::from(s);
        let g = split(
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
        let g = split(&base, &[p("a/apimlint.toml")], None);
        assert_eq!(g, vec![vec![p("a")]]);
        let g = split(
            &base,
            &[p("a/r/n1/deployment.toml"), p("b/r/n1/deployment.toml")],
            Some(Path::new("a/apimlint.toml")),
        );
        assert_eq!(g.len(), 1);
        let _ = std::fs::remove_dir_all(&base);
    }
}
