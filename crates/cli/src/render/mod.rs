//! Renderers: human (miette), JSON, compact, SARIF, GitHub workflow
//! commands, the rule list, the graph (DOT, Mermaid, JSON) and the JSON
//! Schema of `deployment.toml`.
//! They see only redacted text.

pub mod compact;
pub mod escape;
pub mod github;
pub mod graph;
pub mod human;
pub mod json;
pub mod rules;
pub mod sarif;
pub mod schema;

use std::ops::Range;
use std::path::Path;

use apimlint_core::text::{LineCol, LineIndex};
use apimlint_core::{Applicability, Deployment, Diagnostic, FileId, Fix, Severity};

/// How a fix is named in the text formats (human, compact, github):
/// `fix: …` for a safe fix (`--fix` applies it), `fix (unsafe): …` for one
/// only `--unsafe-fixes` applies.
pub fn fix_label(f: &Fix) -> String {
    match f.applicability {
        Applicability::Safe => format!("fix: {}", f.title),
        Applicability::Unsafe => format!("fix (unsafe): {}", f.title),
    }
}

/// One edit of a fix in the file it is written to, for the renderers that
/// show edits (JSON, SARIF).
pub struct ShownEdit<'a> {
    /// Relative to the current directory, `/`-separated.
    pub file: String,
    pub text: &'a str,
    pub lines: &'a LineIndex,
    pub range: Range<usize>,
    pub new_text: String,
}

/// What a renderer needs: the deployment, its findings and where paths are
/// shown relative to.
pub struct Report<'a> {
    pub dep: &'a Deployment,
    pub diags: &'a [Diagnostic],
    pub cwd: &'a Path,
    /// The directories inside the deployment the findings were kept for
    /// (the user named them); `None`: the whole deployment.
    pub only: Option<&'a [std::path::PathBuf]>,
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

    /// A fix's edits in the files they are written to: a node's own file
    /// (its shown text), or for a fix that touches a node read from a
    /// manifest, the manifest (none when the fix cannot be written there: it
    /// is listed, not applied).
    pub fn fix_edits(&self, f: &Fix) -> Vec<ShownEdit<'_>> {
        let inline = |file: FileId| {
            self.dep
                .node_of(file)
                .and_then(|n| n.origin.as_ref())
                .is_some_and(|o| o.inline)
        };
        if !f.edits.iter().any(|e| inline(e.file)) {
            return f
                .edits
                .iter()
                .filter_map(|e| {
                    let s = self.dep.shown(e.file)?;
                    Some(ShownEdit {
                        file: self.file(e.file),
                        text: s.text,
                        lines: s.lines,
                        range: s.range(&e.range),
                        new_text: e.new_text.clone(),
                    })
                })
                .collect();
        }
        apimlint_core::analysis::editor::file_edits(self.dep, &f.edits)
            .unwrap_or_default()
            .into_iter()
            .flat_map(|fe| {
                let file = apimlint_core::vfs::relative(fe.path, self.cwd);
                fe.edits
                    .into_iter()
                    .map(move |(range, new_text)| ShownEdit {
                        file: file.clone(),
                        text: fe.text,
                        lines: fe.lines,
                        range,
                        new_text,
                    })
            })
            .collect()
    }

    /// How many findings `--fix` fixes, and how many only with
    /// `--unsafe-fixes` (a fix without edits is listed, never applied).
    pub fn fixable(&self) -> (usize, usize) {
        let mut n = (0, 0);
        for f in self.diags.iter().filter_map(|d| d.fix.as_ref()) {
            match f.applicability {
                _ if f.edits.is_empty() => {}
                Applicability::Safe => n.0 += 1,
                Applicability::Unsafe => n.1 += 1,
            }
        }
        n
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
