//! Edits and fixes: byte-range replacements computed on a file's original
//! text, so comments, formatting and key order survive by construction.
//! Which fixes may be applied together, and whether a result is acceptable,
//! is the fix policy's business (`analysis::fixes`); this module only knows
//! how to apply edits and write TOML strings.

use std::ops::Range;

use super::files::FileId;

/// How safe a fix is: `--fix` applies `Safe`, `--unsafe-fixes` adds `Unsafe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    Unsafe,
    Safe,
}

/// One text replacement in one file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub file: FileId,
    pub range: Range<usize>,
    pub new_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

impl Fix {
    /// "Replace with `value`": the value at `range` (a whole string literal)
    /// becomes `value`, written as an escaped TOML basic string.
    pub(crate) fn replace_with_string(
        file: FileId,
        range: Range<usize>,
        value: &str,
        applicability: Applicability,
    ) -> Fix {
        Fix {
            title: format!("Replace with `{value}`"),
            applicability,
            edits: vec![Edit {
                file,
                range,
                new_text: toml_string(value),
            }],
        }
    }
}

/// Two edits of one file that cannot both be applied in a known order.
pub(crate) fn conflict(a: &Edit, b: &Edit) -> bool {
    (a.range.start < b.range.end && b.range.start < a.range.end) || a.range.start == b.range.start
}

/// `value` as a TOML 1.0 basic string, quotes included: `\` and `"`
/// escaped, control characters as short escapes or `\uXXXX` (never `\e`,
/// which TOML 1.0 parsers such as WSO2's reject). For every fix that writes
/// a user's value into a string.
pub(crate) fn toml_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control() => {
                use std::fmt::Write as _;
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `edits` can be applied to `text` together (what [`apply`]
/// checks, without building the new text): inside the text, on character
/// boundaries, not overlapping.
pub(crate) fn fits(text: &str, edits: &[&Edit]) -> bool {
    let mut sorted: Vec<&Range<usize>> = edits.iter().map(|e| &e.range).collect();
    sorted.sort_by_key(|r| (r.start, r.end));
    let mut at = 0usize;
    for r in sorted {
        if r.start < at || r.end < r.start || text.get(r.clone()).is_none() {
            return false;
        }
        at = r.end;
    }
    true
}

/// Apply non-conflicting edits to `text`. New text follows the file's line
/// endings (CRLF stays CRLF). Returns the new text and the ranges of the
/// inserted text in it; `None` when an edit does not fit the text.
pub fn apply(text: &str, edits: &[Edit]) -> Option<(String, Vec<Range<usize>>)> {
    let crlf = text
        .find('\n')
        .is_some_and(|i| i > 0 && text.as_bytes().get(i - 1) == Some(&b'\r'));
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    splice(
        text,
        sorted.into_iter().map(|e| {
            let new = if crlf {
                std::borrow::Cow::Owned(e.new_text.replace("\r\n", "\n").replace('\n', "\r\n"))
            } else {
                std::borrow::Cow::Borrowed(e.new_text.as_str())
            };
            (e.range.clone(), new)
        }),
    )
}

/// Replacements, sorted and disjoint, applied to `text` as written: the new
/// text and where each replacement landed in it; `None` when one does not
/// fit (out of order, overlapping, outside the text or inside a character).
pub(crate) fn splice<'a>(
    text: &str,
    edits: impl IntoIterator<Item = (Range<usize>, std::borrow::Cow<'a, str>)>,
) -> Option<(String, Vec<Range<usize>>)> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut inserted = Vec::new();
    let mut at = 0usize;
    for (range, new) in edits {
        if range.start < at || range.end < range.start {
            return None;
        }
        out.push_str(text.get(at..range.start)?);
        text.get(range.clone())?;
        let start = out.len();
        out.push_str(&new);
        inserted.push(start..out.len());
        at = range.end;
    }
    out.push_str(text.get(at..)?);
    Some((out, inserted))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn edit(range: Range<usize>, new_text: &str) -> Edit {
        Edit {
            file: FileId(0),
            range,
            new_text: new_text.into(),
        }
    }

    #[test]
    fn applies_sorted_edits_and_keeps_crlf() {
        let text = "[a]\r\nx = \"1\" # c\r\n";
        let (out, ins) = apply(text, &[edit(12..12, "\ny = 2"), edit(9..12, "\"2\"")]).unwrap();
        assert_eq!(out, "[a]\r\nx = \"2\"\r\ny = 2 # c\r\n");
        assert_eq!(&out[ins[1].clone()], "\r\ny = 2");
    }

    #[test]
    fn toml_strings_are_escaped_for_toml_1_0() {
        let value = "a\"b\\c\nd\re\tf\u{1}\u{1b}\u{7f}\u{85} é 🦀";
        let written = toml_string(value);
        assert_eq!(
            written,
            "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001\\u001B\\u007F\\u0085 é 🦀\""
        );
        let doc = toml_edit::Document::parse(format!("k = {written}\n")).unwrap();
        assert_eq!(doc["k"].as_str(), Some(value));
    }

    #[test]
    fn overlapping_edits_conflict() {
        assert!(conflict(&edit(1..4, ""), &edit(3..5, "")));
        assert!(conflict(&edit(3..3, "a"), &edit(3..3, "b")));
        assert!(!conflict(&edit(1..3, ""), &edit(3..3, "b")));
        assert!(apply("abcdef", &[edit(1..4, ""), edit(3..5, "")]).is_none());
        assert!(apply("abc", &[edit(2..9, "")]).is_none());
    }
}
