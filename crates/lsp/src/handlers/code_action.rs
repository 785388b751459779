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
    actions(at.dep, at.state.diags(), at.node.file, range, uris)
}

/// The quick fixes in a file of a node's home besides its TOML (an event
/// publisher, a JNDI properties file): `None` when `uri` is no such file.
pub(crate) fn home_code_actions(
    ws: &crate::world::Workspace,
    uri: &lsp::Uri,
    r: lsp::Range,
    uris: &HashMap<PathBuf, lsp::Uri>,
) -> Option<Vec<lsp::CodeActionOrCommand>> {
    let path = convert::path_of(uri)?;
    let (d, dep) = ws.deployment_of(&path)?;
    let file = dep.files().get(&path)?;
    let (_, hf) = dep.home_file(file)?;
    let range = convert::byte_range(&hf.lines, &hf.text, r);
    Some(actions(dep, d.state.diags(), file, range, uris))
}

fn actions(
    dep: &apimlint_core::Deployment,
    diags: &[apimlint_core::Diagnostic],
    file: apimlint_core::FileId,
    range: std::ops::Range<usize>,
    uris: &HashMap<PathBuf, lsp::Uri>,
) -> Vec<lsp::CodeActionOrCommand> {
    editor::code_actions(dep, diags, file, range)
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
