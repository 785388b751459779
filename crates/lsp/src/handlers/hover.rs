//! `textDocument/hover`: `analysis::editor::hover`, converted.

use apimlint_core::analysis::editor;

use super::At;
use crate::convert::{self, lsp};

pub(crate) fn hover(at: &At<'_>) -> Option<lsp::Hover> {
    let h = editor::hover(at.dep, at.state.diags(), at.idx, at.offset)?;
    Some(lsp::Hover {
        contents: convert::markdown(h.markdown),
        range: h.range.and_then(|r| at.range(&r)),
    })
}
