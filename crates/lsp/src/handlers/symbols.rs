//! `textDocument/documentSymbol`: the tables of the file and their keys.

use apimlint_core::analysis::editor;

use super::At;
use crate::convert::{self, lsp};

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be written
pub(crate) fn document_symbols(at: &At<'_>) -> Vec<lsp::DocumentSymbol> {
    let n = at.node;
    let r = |range: &std::ops::Range<usize>| convert::range(&n.lines, &n.text, range);
    editor::outline(n)
        .into_iter()
        .map(|s| {
            let children: Vec<lsp::DocumentSymbol> = s
                .keys
                .iter()
                .map(|(name, key, full)| lsp::DocumentSymbol {
                    name: name.clone(),
                    detail: None,
                    kind: lsp::SymbolKind::FIELD,
                    tags: None,
                    deprecated: None,
                    range: r(full),
                    selection_range: r(key),
                    children: None,
                })
                .collect();
            lsp::DocumentSymbol {
                name: if s.name.is_empty() {
                    "(root)".into()
                } else {
                    s.name.clone()
                },
                detail: None,
                kind: lsp::SymbolKind::NAMESPACE,
                tags: None,
                deprecated: None,
                range: r(&s.range),
                selection_range: r(&s.header),
                children: (!children.is_empty()).then_some(children),
            }
        })
        .collect()
}
