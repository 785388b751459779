//! `textDocument/definition` and `textDocument/references`:
//! `analysis::editor::{definition, references}`, converted.

use std::collections::HashMap;
use std::path::PathBuf;

use apimlint_core::analysis::editor;

use super::At;
use crate::convert::{self, lsp};

pub(crate) fn definition(at: &At<'_>, uris: &HashMap<PathBuf, lsp::Uri>) -> Vec<lsp::Location> {
    editor::definition(at.dep, at.idx, at.offset)
        .iter()
        .filter_map(|(f, r)| convert::location(at.dep, *f, r, uris))
        .collect()
}

pub(crate) fn references(
    at: &At<'_>,
    include_declaration: bool,
    uris: &HashMap<PathBuf, lsp::Uri>,
) -> Vec<lsp::Location> {
    editor::references(at.dep, at.idx, at.offset, include_declaration)
        .iter()
        .filter_map(|(f, r)| convert::location(at.dep, *f, r, uris))
        .collect()
}
