//! The leaf layer: what every other module may use and what imports nothing
//! above it — text positions and names, file identities, diagnostics and
//! edits. Nothing here knows about deployments, rules or the disk.

pub mod diagnostic;
pub mod edit;
pub mod files;
pub mod text;
