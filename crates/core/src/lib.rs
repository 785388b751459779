//! apimlint's analysis: load a directory of WSO2 API-M `deployment.toml`
//! files into one cross-node graph and run rules over it.
//!
//! ```text
//! vfs::discover ─► load ─► graph::Deployment (nodes, facts, resolved edges) ─► rules::run ─► Vec<Diagnostic>
//! ```
//! Nothing here panics on input: unreadable and unparsable files are nodes
//! carrying an error, reported as findings.

pub mod catalog;
pub mod config;
pub mod diagnostic;
pub mod endpoint;
pub mod fix;
pub mod graph;
pub mod incremental;
pub mod model;
pub mod query;
pub mod redact;
pub mod rules;
pub mod schema;
pub mod suppress;
pub mod syntax;
pub mod text;
pub mod vfs;

use std::path::Path;

use rayon::prelude::*;

pub use config::{Config, ConfigError};
pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, Related, Severity};
pub use graph::{Deployment, Edge, EdgeKind, Node, NodeIdx, Resolution, SourceFile};
pub use model::Role;
pub use vfs::{Discovery, DiskFs, Vfs};

/// Read the project file at `path` (shown as `display` in errors).
pub fn load_config(vfs: &dyn Vfs, path: &Path, display: &str) -> Result<Config, ConfigError> {
    let text = vfs.read(path).map_err(|e| ConfigError {
        path: display.to_owned(),
        line: 1,
        column: 1,
        message: e.to_string(),
        help: None,
    })?;
    Config::parse(display, &text, &rules::ids())
}

/// Read every node file of a discovery (in parallel) and build the deployment.
pub fn load(vfs: &dyn Vfs, discovery: &Discovery, config: Config) -> Deployment {
    Deployment::build(&discovery.root, config, read_all(vfs, discovery))
}

/// Like [`load`], dropping each parse tree once its facts are extracted
/// ([`Deployment::build_without_trees`]): what the CLI uses.
pub fn load_without_trees(vfs: &dyn Vfs, discovery: &Discovery, config: Config) -> Deployment {
    Deployment::build_without_trees(&discovery.root, config, read_all(vfs, discovery))
}

fn read_all(vfs: &dyn Vfs, discovery: &Discovery) -> Vec<SourceFile> {
    discovery
        .files
        .par_iter()
        .map(|p| SourceFile {
            path: p.clone(),
            text: vfs.read(p),
        })
        .collect()
}

/// Run every enabled rule, then apply the suppression comments.
pub fn check(dep: &Deployment) -> Vec<Diagnostic> {
    check_with(dep, &suppress::Options::default())
}

/// `check` with options (`--require-reason`): what the CLI and the LSP call.
pub fn check_with(dep: &Deployment, opts: &suppress::Options) -> Vec<Diagnostic> {
    suppress::apply(dep, rules::run(dep), opts)
}
