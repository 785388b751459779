//! What an editor asks about a deployment, answered as plain data with byte
//! ranges and file ids (the language server only converts it to the
//! protocol's types): quick fixes, hover, definitions, references,
//! completion.

mod complete;
mod hover;
mod keys;
mod navigate;

pub use crate::query::Section;
pub use complete::{Completion, CompletionKind, complete};
pub use hover::{Hover, hover};
pub use navigate::{definition, references};

use std::ops::Range;
use std::path::Path;

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit};
use crate::base::files::FileId;
use crate::base::text::LineIndex;
use crate::graph::{Deployment, Node};

use super::fixes;

/// A quick fix an editor may offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action<'a> {
    pub title: String,
    /// Edits, possibly in several files.
    pub edits: Vec<Edit>,
    /// The findings it fixes.
    pub fixes: Vec<&'a Diagnostic>,
    /// A safe fix of a single finding.
    pub preferred: bool,
    /// "Fix all of this rule in this file".
    pub fix_all: bool,
}

/// The quick fixes for the findings of `file` that overlap `range`, by the
/// same policy as `apimlint check --fix --unsafe-fixes`: a finding's fix is
/// offered exactly when that command would apply it (alone), and "fix all
/// of this rule in this file" holds exactly the fixes one pass of it would
/// take among that rule's findings in the file.
pub fn code_actions<'a>(
    dep: &Deployment,
    diags: &'a [Diagnostic],
    file: FileId,
    range: Range<usize>,
) -> Vec<Action<'a>> {
    let mine: Vec<&Diagnostic> = diags.iter().filter(|d| d.file == file).collect();
    let here: Vec<&Diagnostic> = mine
        .iter()
        .copied()
        .filter(|d| d.range.start <= range.end && range.start <= d.range.end)
        .collect();
    let mut out = Vec::new();
    let mut rules_here: Vec<&'static str> = Vec::new();
    for d in &here {
        if !rules_here.contains(&d.rule) {
            rules_here.push(d.rule);
        }
        let Some(fix) = &d.fix else { continue };
        if !fixes::wanted(fix, true) || fixes::acceptable(dep, fix).is_err() {
            continue;
        }
        out.push(Action {
            title: fix.title.clone(),
            edits: fix.edits.clone(),
            fixes: vec![*d],
            preferred: fix.applicability == Applicability::Safe,
            fix_all: false,
        });
    }
    for rule in rules_here {
        let fixable: Vec<&Diagnostic> = mine
            .iter()
            .copied()
            .filter(|d| d.rule == rule && d.fix.is_some())
            .collect();
        if fixable.len() < 2 {
            continue;
        }
        let owned: Vec<Diagnostic> = fixable.iter().map(|d| (*d).clone()).collect();
        let edits = fixes::combined(dep, &owned, true);
        if edits.is_empty() {
            continue;
        }
        out.push(Action {
            title: format!("Fix all `{rule}` in this file"),
            edits,
            fixes: fixable,
            preferred: false,
            fix_all: true,
        });
    }
    out
}

/// The tables of a node's file and their keys, for an outline (none while
/// the text does not parse: a stale tree has the ranges of an older text).
pub fn outline(node: &Node) -> Vec<Section> {
    node.tree()
        .map(|doc| crate::query::outline(&doc, node.text.len()))
        .unwrap_or_default()
}

/// A byte range of a file's text and what replaces it.
pub(crate) type Replacement = (Range<usize>, String);

/// The edits of one file an editor is to make, on the text it holds.
#[derive(Debug)]
pub struct FileEdits<'a> {
    pub path: &'a Path,
    /// The file's text (for positions) and its lines.
    pub text: &'a str,
    pub lines: &'a LineIndex,
    /// Sorted, disjoint byte ranges of `text` and their replacements.
    pub edits: Vec<Replacement>,
}

/// A fix's edits as edits of the files an editor has: a node's own file,
/// or the manifest a node was read from (its TOML edits written into the
/// literal block that holds it). `None` when an edit cannot be written.
pub fn file_edits<'d>(dep: &'d Deployment, edits: &[Edit]) -> Option<Vec<FileEdits<'d>>> {
    let mut by_file: std::collections::BTreeMap<FileId, Vec<&Edit>> = Default::default();
    for e in edits {
        by_file.entry(e.file).or_default().push(e);
    }
    let mut out: Vec<FileEdits<'d>> = Vec::new();
    for (f, list) in by_file {
        // a text file of a node's home: its own path and text
        if let Some((_, h)) = dep.home_file(f) {
            h.writable().ok()?;
            let mut mine: Vec<Replacement> = list
                .iter()
                .map(|e| (e.range.clone(), e.new_text.clone()))
                .collect();
            mine.sort_by_key(|(r, _)| (r.start, r.end));
            out.push(FileEdits {
                path: &h.path,
                text: &h.text,
                lines: &h.lines,
                edits: mine,
            });
            continue;
        }
        let n = dep.node_of(f)?;
        let (path, text, lines, mut mine): (&Path, &str, &LineIndex, Vec<Replacement>) =
            match n.origin.as_ref().filter(|o| o.inline) {
                Some(o) => (
                    &o.manifest.path,
                    o.manifest.text(),
                    o.manifest.lines(),
                    o.manifest_edits(&n.text, &list)
                        .ok()?
                        .into_iter()
                        .map(|m| (m.range, m.new_text))
                        .collect(),
                ),
                None => (
                    &n.path,
                    &n.text,
                    &n.lines,
                    list.iter()
                        .map(|e| (e.range.clone(), e.new_text.clone()))
                        .collect(),
                ),
            };
        match out.iter_mut().find(|x| x.path == path) {
            // a second node of the same manifest: identical edits once, and
            // none may overlap another
            Some(x) => {
                x.edits.append(&mut mine);
                x.edits.sort_by_key(|(r, _)| (r.start, r.end));
                x.edits.dedup();
                let overlap = x.edits.windows(2).any(|w| match w {
                    [(a, _), (b, _)] => b.start < a.end || a == b,
                    _ => false,
                });
                if overlap {
                    return None;
                }
            }
            None => out.push(FileEdits {
                path,
                text,
                lines,
                edits: mine,
            }),
        }
    }
    Some(out)
}
