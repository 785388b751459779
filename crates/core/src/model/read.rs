//! Reading `toml_edit` items: the accessors the model's readers share.

use std::ops::Range;

use toml_edit::{Item, Table};

use super::Sp;

/// Descend `path` through tables, dotted keys and inline tables.
pub(crate) fn get<'a>(root: &'a Item, path: &[&str]) -> Option<&'a Item> {
    path.iter().try_fold(root, |item, key| item.get(*key))
}

/// A string value with its span.
pub(crate) fn string(item: Option<&Item>) -> Option<Sp<String>> {
    let item = item?;
    Some(Sp {
        value: item.as_str()?.to_owned(),
        span: item.span()?,
    })
}

/// The span of a table (its header), or of the item when it is inline/dotted.
pub(crate) fn table_span(item: &Item) -> Range<usize> {
    item.as_table()
        .and_then(Table::span)
        .or_else(|| item.span())
        .unwrap_or(0..0)
}
