//! Helpers shared by the core's integration tests (`mod common;` in each).

// each test crate uses a part of this module
#![allow(dead_code)]

use std::path::Path;

use apimlint_core::{Config, Deployment, DiskFs, vfs};

/// The deployment tree at `root` on disk, with its `apimlint.toml`, as the
/// CLI loads it.
pub(crate) fn load(root: &Path) -> Deployment {
    let (disc, config) = discover(root);
    apimlint_core::load(&DiskFs, &disc, config)
}

/// The tree at `root` loaded as the CLI does: without parse trees, node
/// rules run as each node is built.
pub(crate) fn load_without_trees(root: &Path) -> apimlint_core::Lean {
    let (disc, config) = discover(root);
    apimlint_core::load_lean(&DiskFs, &disc, config)
}

fn discover(root: &Path) -> (vfs::Discovery, Config) {
    let disc = vfs::discover(root, &[], None).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    let config = match &disc.config {
        Some(p) => apimlint_core::load_config(&DiskFs, p, "apimlint.toml")
            .unwrap_or_else(|e| panic!("{e}")),
        None => Config::default(),
    };
    (disc, config)
}
