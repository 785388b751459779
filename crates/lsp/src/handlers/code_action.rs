//! `textDocument/codeAction`: the core's quick fixes for the findings in
//! the range (`analysis::editor::code_actions`: the same fix policy as
//! `apimlint check --fix`), as workspace edits.

use std::collections::HashMap;
use std::path::PathBuf;

use apimlint_core::analysis::editor;

use super::At;
use crate::convert::{self, lsp};

pub(crate) fn code_actions(
    at: &At<'_>,
    range: std::ops::Range<usize>,
    uris: &HashMap<PathBuf, lsp::Uri>,
) -> Vec<lsp::CodeActionOrCommand> {
    let dep = at.dep;
    editor::code_actions(dep, at.state.diags(), at.node.file, range)
        .into_iter()
        .filter_map(|a| {
            let edit = convert::workspace_edit(dep, &a.edits, uris)?;
            Some(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: a.title,
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(
                    a.fixes
                        .iter()
                        .filter_map(|d| convert::diagnostic(dep, d, uris))
                        .collect(),
                ),
                edit: Some(edit),
                is_preferred: (!a.fix_all).then_some(a.preferred),
                ..Default::default()
            }))
        })
        .collect()
}
