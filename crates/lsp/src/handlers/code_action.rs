//! `textDocument/codeAction`: every fix of the core for the findings in the
//! range (cross-file fixes as workspace edits touching the other files),
//! and "fix all of this rule in this file". No edit may carry a secret.

use std::collections::HashMap;
use std::path::PathBuf;

use apimlint_core::{Applicability, Deployment, Diagnostic, Edit};

use super::At;
use crate::convert::{self, lsp};

/// Whether an edit would write a secret of any node (a fix must write a
/// reference instead).
fn leaks_secret(dep: &Deployment, edit: &Edit) -> bool {
    dep.nodes.iter().any(|n| {
        n.secrets.iter().any(|r| {
            n.text
                .get(r.clone())
                .is_some_and(|s| s.len() >= 3 && edit.new_text.contains(s))
        })
    })
}

fn edit_of(
    dep: &Deployment,
    edits: &[&Edit],
    uris: &HashMap<PathBuf, lsp::Uri>,
) -> Option<lsp::WorkspaceEdit> {
    if edits.iter().any(|e| leaks_secret(dep, e)) {
        return None;
    }
    convert::workspace_edit(
        dep,
        edits
            .iter()
            .map(|e| (e.file, &e.range, e.new_text.as_str())),
        uris,
    )
}

pub fn code_actions(
    at: &At<'_>,
    range: std::ops::Range<usize>,
    uris: &HashMap<PathBuf, lsp::Uri>,
) -> Vec<lsp::CodeActionOrCommand> {
    let dep = at.dep;
    let mine: Vec<&Diagnostic> = at.state.diags.iter().filter(|d| d.file == at.idx).collect();
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
        let edits: Vec<&Edit> = fix.edits.iter().collect();
        let Some(edit) = edit_of(dep, &edits, uris) else {
            continue;
        };
        out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
            title: fix.title.clone(),
            kind: Some(lsp::CodeActionKind::QUICKFIX),
            diagnostics: convert::diagnostic(dep, d, uris).map(|x| vec![x]),
            edit: Some(edit),
            is_preferred: Some(fix.applicability == Applicability::Safe),
            ..Default::default()
        }));
    }
    // fix all of a rule in this file: the fixes that do not overlap
    for rule in rules_here {
        let fixable: Vec<&Diagnostic> = mine
            .iter()
            .copied()
            .filter(|d| d.rule == rule && d.fix.is_some())
            .collect();
        if fixable.len() < 2 {
            continue;
        }
        let mut taken: Vec<&Edit> = Vec::new();
        for d in &fixable {
            let Some(fix) = &d.fix else { continue };
            let clash = fix.edits.iter().any(|e| {
                taken.iter().any(|t| {
                    t.file == e.file
                        && t.range.start < e.range.end.max(e.range.start + 1)
                        && e.range.start < t.range.end.max(t.range.start + 1)
                })
            });
            if !clash {
                taken.extend(fix.edits.iter());
            }
        }
        let Some(edit) = edit_of(dep, &taken, uris) else {
            continue;
        };
        out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
            title: format!("Fix all `{rule}` in this file"),
            kind: Some(lsp::CodeActionKind::QUICKFIX),
            diagnostics: Some(
                fixable
                    .iter()
                    .filter_map(|d| convert::diagnostic(dep, d, uris))
                    .collect(),
            ),
            edit: Some(edit),
            ..Default::default()
        }));
    }
    out
}
