//! `textDocument/completion`: `analysis::editor::complete`, converted.

use apimlint_core::analysis::editor::{self, CompletionKind};
use apimlint_core::{Deployment, Node};

use crate::convert::lsp;

/// Completions at `offset` of `text` (the buffer), for a file that is `node`
/// of `dep` when it has been analysed.
pub(crate) fn complete(
    text: &str,
    offset: usize,
    analysed: Option<(&Deployment, &Node)>,
) -> Vec<lsp::CompletionItem> {
    editor::complete(text, offset, analysed)
        .into_iter()
        .map(|c| lsp::CompletionItem {
            label: c.label,
            kind: Some(match c.kind {
                CompletionKind::EnumMember => lsp::CompletionItemKind::ENUM_MEMBER,
                CompletionKind::Value => lsp::CompletionItemKind::VALUE,
                CompletionKind::Property => lsp::CompletionItemKind::PROPERTY,
            }),
            detail: c.detail,
            sort_text: c.sort_text,
            insert_text: c.insert_text,
            ..Default::default()
        })
        .collect()
}
