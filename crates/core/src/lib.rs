//! apimlint's analysis: load a directory of WSO2 API-M `deployment.toml`
//! files into one cross-node graph and run rules over it.
//!
//! ```text
//! vfs ─► graph::Deployment (parse · redact · facts · role · resolve) ─► rules ─► fix policy ─► suppressions ─► Vec<Diagnostic>
//!                                  └──────────── analysis: the one driver ────────────┘
//! ```
//! The layers, bottom up (a module imports only from layers below it; the
//! `layering` test enforces it): `base` (text, files, diagnostics, edits) →
//! `syntax`, `redact`, `catalog`, `endpoint`, `vfs` → `model` → `config` →
//! `graph` → `query` → `rules` → `suppress` (base only) → `analysis`.
//!
//! Nothing here panics on input: unreadable and unparsable files are nodes
//! carrying an error, reported as findings.

pub mod analysis;
pub mod base;
pub mod catalog;
pub mod config;
pub mod endpoint;
pub mod graph;
pub mod model;
pub mod query;
pub mod redact;
pub mod rules;
pub mod schema;
pub mod suppress;
pub mod syntax;
pub mod vfs;

pub use analysis::{
    Lean, check, check_with, fingerprint, fixes, incremental, load, load_config, load_lean,
};
pub use base::diagnostic::{Diagnostic, Related, RuleInfo, Severity};
pub use base::edit::{Applicability, Edit, Fix};
pub use base::files::{FileId, FileSet};
pub use base::text;
pub use config::{Config, ConfigError};
pub use graph::{Deployment, Edge, EdgeKind, Node, NodeIdx, Resolution, SourceFile, State};
pub use model::Role;
pub use vfs::{Discovery, DiskFs, Vfs};
