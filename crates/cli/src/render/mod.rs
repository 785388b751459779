//! Renderers: human (miette), JSON, compact, SARIF, GitHub workflow
//! commands, the rule list, the graph (DOT, Mermaid, JSON) and the JSON
//! Schema of `deployment.toml`.
//! They see only redacted text.

pub mod compact;
pub mod github;
pub mod graph;
pub mod human;
pub mod json;
pub mod rules;
pub mod sarif;
pub mod schema;

use std::path::Path;

use apimlint_core::text::LineCol;
use apimlint_core::{Deployment, Diagnostic, FileId, Severity};

/// What a renderer needs: the deployment, its findings and where paths are
/// shown relative to.
pub struct Report<'a> {
    pub dep: &'a Deployment,
    pub diags: &'a [Diagnostic],
    pub cwd: &'a Path,
}

impl Report<'_> {
    /// A node's file, relative to the current directory, `/`-separated.
    /// For a node read from a manifest, the manifest.
    pub fn file(&self, node: FileId) -> String {
        self.dep.shown(node).map_or_else(String::new, |s| {
            apimlint_core::vfs::relative(s.path, self.cwd)
        })
    }

    /// 1-based line/column of an offset in a node's file (in the manifest
    /// for a node read from one).
    pub fn pos(&self, node: FileId, offset: usize) -> LineCol {
        self.dep
            .shown(node)
            .map_or(LineCol { line: 1, column: 1 }, |s| {
                s.lines.line_col(s.text, s.offset(offset))
            })
    }

    pub fn count(&self, sev: Severity) -> usize {
        self.diags.iter().filter(|d| d.severity == sev).count()
    }

    /// "2 errors, 1 warning, 0 infos".
    pub fn counts(&self) -> String {
        let n = |k: usize, what: &str| format!("{k} {what}{}", if k == 1 { "" } else { "s" });
        format!(
            "{}, {}, {}",
            n(self.count(Severity::Error), "error"),
            n(self.count(Severity::Warning), "warning"),
            n(self.count(Severity::Info), "info")
        )
    }
}
