//! The one module that knows the LSP types crate (`ls_types`, re-exported by
//! tower-lsp-server 0.23): every conversion between the core's byte ranges,
//! node indices and severities and the protocol's UTF-16 positions, URIs and
//! diagnostics happens here, so that a move of the types crate (0.24 →
//! gen-lsp-types) touches this file and the routing table only.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use apimlint_core::{Deployment, Diagnostic, Edit, FileId, Severity, text::LineIndex};

pub use tower_lsp_server::ls_types as lsp;

/// Where the rule pages are published (`codeDescription.href`).
pub use apimlint_core::rules::RULE_PAGES;

/// The file path of a `file:` URI.
pub fn path_of(uri: &lsp::Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    uri.to_file_path()
        .map(|p| apimlint_core::vfs::normalize(&p))
}

/// The `file:` URI of a path.
pub fn uri_of(path: &Path) -> Option<lsp::Uri> {
    lsp::Uri::from_file_path(path)
}

/// LSP position (0-based line, UTF-16 column) of a byte offset.
pub fn position(lines: &LineIndex, text: &str, offset: usize) -> lsp::Position {
    let (line, character) = lines.line_col_utf16(text, offset);
    lsp::Position { line, character }
}

/// LSP range of a byte range.
pub fn range(lines: &LineIndex, text: &str, r: &Range<usize>) -> lsp::Range {
    lsp::Range {
        start: position(lines, text, r.start),
        end: position(lines, text, r.end.max(r.start)),
    }
}

/// Byte offset of an LSP position, clamped to the text.
pub fn offset(lines: &LineIndex, text: &str, p: lsp::Position) -> usize {
    lines.offset_utf16(text, p.line, p.character)
}

/// Byte range of an LSP range, clamped and ordered.
pub fn byte_range(lines: &LineIndex, text: &str, r: lsp::Range) -> Range<usize> {
    let a = offset(lines, text, r.start);
    let b = offset(lines, text, r.end);
    a.min(b)..a.max(b)
}

pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
    }
}

/// A location in a node's file.
pub fn location(
    dep: &Deployment,
    file: FileId,
    r: &Range<usize>,
    opened: &HashMap<PathBuf, lsp::Uri>,
) -> Option<lsp::Location> {
    // a node read from a manifest is shown in the manifest
    let s = dep.shown(file)?;
    Some(lsp::Location {
        uri: node_uri_of(s.path, opened)?,
        range: range(s.lines, s.text, &s.range(r)),
    })
}

/// The page of a rule, as a URI.
pub fn rule_page(rule: &str) -> Option<lsp::Uri> {
    apimlint_core::rules::page_url(rule).parse().ok()
}

/// A core diagnostic as the protocol's: rule id as `code`, the rule page as
/// `codeDescription`, the help appended to the message, related locations.
pub fn diagnostic(
    dep: &Deployment,
    d: &Diagnostic,
    opened: &HashMap<PathBuf, lsp::Uri>,
) -> Option<lsp::Diagnostic> {
    let s = dep.shown(d.file)?;
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            Some(lsp::DiagnosticRelatedInformation {
                location: location(dep, r.file, &r.range, opened)?,
                message: r.message.clone(),
            })
        })
        .collect();
    let message = match &d.help {
        Some(h) => format!("{}\nhelp: {h}", d.message),
        None => d.message.clone(),
    };
    Some(lsp::Diagnostic {
        range: range(s.lines, s.text, &s.range(&d.range)),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.rule.to_owned())),
        code_description: rule_page(d.rule).map(|href| lsp::CodeDescription { href }),
        source: Some("apimlint".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    })
}

/// A diagnostic on a whole-file problem of a file that is no node (the
/// project file), at a 1-based line and column.
pub fn file_diagnostic(text: &str, line: usize, column: usize, message: String) -> lsp::Diagnostic {
    let lines = LineIndex::new(text);
    let start = lines.line_start(line.saturating_sub(1));
    let off = text
        .get(start..)
        .and_then(|s| s.char_indices().nth(column.saturating_sub(1)))
        .map_or(start, |(i, _)| start + i);
    let end = text
        .get(off..)
        .and_then(|s| s.find('\n'))
        .map_or(text.len(), |i| off + i);
    lsp::Diagnostic {
        range: range(&lines, text, &(off..end)),
        severity: Some(lsp::DiagnosticSeverity::ERROR),
        source: Some("apimlint".into()),
        message,
        ..Default::default()
    }
}

/// A workspace edit from the core's edits: each in the file an editor has
/// (a node's own file, or the manifest it was read from).
pub fn workspace_edit(
    dep: &Deployment,
    edits: &[Edit],
    opened: &HashMap<PathBuf, lsp::Uri>,
) -> Option<lsp::WorkspaceEdit> {
    let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
    for f in apimlint_core::analysis::editor::file_edits(dep, edits)? {
        let list = changes.entry(node_uri_of(f.path, opened)?).or_default();
        for (r, new_text) in f.edits {
            list.push(lsp::TextEdit {
                range: range(f.lines, f.text, &r),
                new_text,
            });
        }
    }
    Some(lsp::WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    })
}

/// Markdown hover contents.
pub fn markdown(value: String) -> lsp::HoverContents {
    lsp::HoverContents::Markup(lsp::MarkupContent {
        kind: lsp::MarkupKind::Markdown,
        value,
    })
}

/// Apply one content change to `text` (a range clamped to the text, or the
/// whole text).
pub fn apply_change(text: &mut String, change: lsp::TextDocumentContentChangeEvent) {
    match change.range {
        Some(r) => {
            let lines = LineIndex::new(text);
            let br = byte_range(&lines, text, r);
            if text.is_char_boundary(br.start) && text.is_char_boundary(br.end) {
                text.replace_range(br, &change.text);
            }
        }
        None => *text = change.text,
    }
}

/// The URI of a path: the one the client used for it, else built from it.
pub fn node_uri_of(path: &Path, opened: &HashMap<PathBuf, lsp::Uri>) -> Option<lsp::Uri> {
    opened.get(path).cloned().or_else(|| uri_of(path))
}
