//! apimlint's analysis: load a directory of WSO2 API-M `deployment.toml`
//! files into one cross-node graph and run rules over it.
//!
//! ```text
//! vfs ─► graph::Deployment (parse · redact · facts · role · resolve) ─► rules ─► fix policy ─► suppressions ─► Vec<Diagnostic>
//!                                  └──────────── analysis: the one driver ────────────┘
//! ```
//! The layers, bottom up (a module imports only from layers below it; the
//! `layering` test enforces it): `base` (text, files, diagnostics, edits) →
//! `syntax`, `redact`, `catalog`, `endpoint`, `vfs`, `yaml`, `xml`,
//! `properties`, `amqp` → `model`,
//! `manifest` → `config` →
//! `graph` → `query` → `rules` → `suppress` (base only) → `analysis`.
//!
//! Nothing here panics on input: unreadable and unparsable files are nodes
//! carrying an error, reported as findings.

// The public API: the analysis driver and what it returns. Everything else
// is `pub(crate)` (the `unreachable_pub` lint keeps it so); the few modules
// below that stay public serve the front ends' own commands (`rules`,
// `explain`, `schema`), the fuzz targets and the file system abstraction.
pub mod amqp;
pub mod analysis;
mod base;
pub mod catalog;
mod config;
mod endpoint;
mod graph;
pub mod keystore;
mod manifest;
mod model;
pub mod properties;
mod query;
pub mod redact;
pub mod rules;
pub mod schema;
pub mod suppress;
pub mod syntax;
pub mod vfs;
pub mod xml;
mod yaml;

pub use analysis::{
    Lean, STDIN_NAME, Stdin, check, check_with, fingerprint, fixes, incremental, load, load_config,
    load_lean, load_lean_with,
};
pub use base::diagnostic::{Diagnostic, Related, RuleInfo, Severity};
pub use base::edit::{self, Applicability, Edit, Fix};
pub use base::files::{FileId, FileSet};
pub use base::text;
pub use config::{Config, ConfigError, Entry, EntryKind, Source, VersionSource, parse_date};
pub use graph::home::{Content, Jndi, JndiUrl, Place};
pub use graph::{
    BridgeLink, BrokerReach, Deployment, Edge, EdgeKind, FileKind, Home, HomeFile, HomeSource,
    Node, NodeIdx, RegionSource, Resolution, Shown, SourceFile, State,
};
pub use manifest::{Manifest, ManifestEdit, Origin, Workload};
pub use model::{DEPRECATED_SERVER_ROLES, Role, SERVER_ROLES};
pub use vfs::{Discovery, DiskFs, Vfs};
