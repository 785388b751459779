//! The leaf layer: what every other module may use and what imports nothing
//! above it — text positions and names, file identities, diagnostics and
//! edits. Nothing here knows about deployments, rules or the disk.

pub(crate) mod diagnostic;
pub mod edit;
pub(crate) mod files;
pub(crate) mod keypath;
pub(crate) mod memo;
pub mod text;
