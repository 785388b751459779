//! `textDocument/documentSymbol`: the tables of the file and their keys.

use apimlint_core::query;

use super::At;
use crate::convert::{self, lsp};

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be written
pub fn document_symbols(at: &At<'_>) -> Vec<lsp::DocumentSymbol> {
    let n = at.node;
    // a stale parse has ranges of an older text
    let Some(doc) = n.tree() else {
        return Vec::new();
    };
    let r = |range: &std::ops::Range<usize>| convert::range(&n.lines, &n.text, range);
    query::outline(&doc, n.text.len())
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
