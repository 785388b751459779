//! Byte offsets ↔ 1-based line/column. Columns count Unicode scalar values
//! (the JSON contract) or UTF-16 code units (LSP, SARIF); conversion happens
//! only at the edges.

use std::ops::Range;

/// Line starts of one text, for offset → line/column conversion.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

/// Items in backticks, joined by commas: "`a`, `b`" (how messages list names).
pub fn code_list<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// [`code_list`] of the first three items, then ", …" when there are more.
pub(crate) fn code_list_first3<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    let mut items = items.into_iter();
    let list = code_list(items.by_ref().take(3));
    if items.next().is_some() {
        format!("{list}, …")
    } else {
        list
    }
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        // a byte-order mark is no column: line 1 starts after it
        let first = if text.starts_with('\u{feff}') { 3 } else { 0 };
        // sized exactly: every node keeps its index
        let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
        let mut starts = Vec::with_capacity(lines + 1);
        starts.push(first);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Self {
            starts,
            len: text.len(),
        }
    }

    /// 0-based line number holding `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 1-based line and column in Unicode scalar values. Offsets inside a
    /// multi-byte character count as that character.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_start(line).min(offset);
        let column = text.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// 0-based line and UTF-16 column, for LSP and SARIF.
    pub fn line_col_utf16(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_start(line).min(offset);
        let col = text
            .get(start..offset)
            .map_or(0, |s| s.encode_utf16().count());
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(col).unwrap_or(u32::MAX),
        )
    }

    /// Byte offset of a 0-based line and UTF-16 column, clamped to the line
    /// and to the text (out-of-range positions never fail).
    pub fn offset_utf16(&self, text: &str, line: u32, col: u32) -> usize {
        let line = line as usize;
        if line >= self.starts.len() {
            return text.len();
        }
        let start = self.line_start(line);
        let end = self
            .starts
            .get(line + 1)
            .map_or(text.len(), |e| e.saturating_sub(1));
        let mut units = 0u32;
        let Some(slice) = text.get(start..end.max(start)) else {
            return start.min(text.len());
        };
        for (i, ch) in slice.char_indices() {
            if units >= col {
                return start + i;
            }
            units += u32::try_from(ch.len_utf16()).unwrap_or(1);
        }
        end.max(start)
    }
}

/// The largest char boundary `<= offset`.
pub(crate) fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while o > 0 && !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

/// Clamp a range into `text` on char boundaries, `start <= end`.
pub fn clamp_range(text: &str, range: Range<usize>) -> Range<usize> {
    let start = floor_char_boundary(text, range.start);
    let end = floor_char_boundary(text, range.end.max(range.start));
    start..end.max(start)
}

/// Levenshtein distance, bounded: returns `None` when above `max`.
pub(crate) fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        if let Some(c0) = cur.first_mut() {
            *c0 = i + 1;
        }
        let mut row_min = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let del = prev.get(j + 1).copied().unwrap_or(usize::MAX) + 1;
            let ins = cur.get(j).copied().unwrap_or(usize::MAX) + 1;
            let sub = prev.get(j).copied().unwrap_or(usize::MAX) + cost;
            let v = del.min(ins).min(sub);
            if let Some(c) = cur.get_mut(j + 1) {
                *c = v;
            }
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().filter(|d| *d <= max)
}

/// The closest candidate within `max` edits (case-insensitive first), if any.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    max: usize,
) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let d = if c.to_lowercase() == lower {
            Some(0)
        } else {
            edit_distance(&lower, &c.to_lowercase(), max)
        };
        if let Some(d) = d
            && best.is_none_or(|(bd, bc)| d < bd || (d == bd && c < bc))
        {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// The byte offset of the first Go template action (`{{ .Values.x }}`,
/// `{{- if … }}`, `{{ include … }}`) in `text`: the file is an unrendered
/// Helm template, not configuration. An action opens with `{{`, an optional
/// `-`, spaces, then `.`, `$`, a comment or a template keyword or function,
/// and closes with `}}` on the same line.
pub(crate) fn template_action(text: &str) -> Option<usize> {
    const WORDS: [&str; 16] = [
        "if", "else", "end", "range", "with", "include", "template", "tpl", "define", "toYaml",
        "quote", "default", "printf", "required", "lookup", "block",
    ];
    // one SIMD pass over the text (a `str::find` per `{{` built a searcher each time)
    for at in memchr::memmem::find_iter(text.as_bytes(), b"{{") {
        let rest = text.get(at + 2..).unwrap_or_default();
        let line = rest.split(['\n', '\r']).next().unwrap_or_default();
        let inner = line.trim_start_matches('-').trim_start();
        let starts = inner.starts_with(['.', '$'])
            || inner.starts_with("/*")
            || WORDS.iter().any(|w| {
                inner
                    .strip_prefix(w)
                    .is_some_and(|r| r.is_empty() || r.starts_with([' ', '}', '(']))
            });
        if starts && line.contains("}}") {
            return Some(at);
        }
    }
    None
}

/// What apimlint says of an unrendered Helm template.
pub(crate) const TEMPLATE_HELP: &str = "render the chart first and lint what it renders: `helm template RELEASE CHART_DIR -f values.yaml > rendered.yaml`, then `apimlint rendered.yaml`";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bom_is_no_column_and_crlf_no_line() {
        let text = "\u{feff}[server]\r\nhostname = 1\r\n";
        let ix = LineIndex::new(text);
        let at = |s: &str| text.find(s).unwrap_or(usize::MAX);
        assert_eq!(
            ix.line_col(text, at("server")),
            LineCol { line: 1, column: 2 }
        );
        assert_eq!(ix.line_col_utf16(text, at("server")), (0, 1));
        assert_eq!(
            ix.line_col(text, at("1")),
            LineCol {
                line: 2,
                column: 12
            }
        );
        assert_eq!(ix.offset_utf16(text, 0, 1), at("server"));
    }

    #[test]
    fn columns_count_chars_and_utf16() {
        let text = "a = \"é𝄞\"\nb = 1\n";
        let idx = LineIndex::new(text);
        let off = text.find("\"\n").unwrap_or(0);
        assert_eq!(idx.line_col(text, off), LineCol { line: 1, column: 8 });
        assert_eq!(idx.line_col_utf16(text, off), (0, 8));
        assert_eq!(
            idx.line_col(text, text.find('b').unwrap_or(0)),
            LineCol { line: 2, column: 1 }
        );
        assert_eq!(idx.offset_utf16(text, 0, 8), off);
        assert_eq!(idx.offset_utf16(text, 99, 0), text.len());
        assert_eq!(idx.offset_utf16(text, 1, 99), text.len() - 1);
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("Defualt", "Default", 2), Some(2));
        assert_eq!(edit_distance("abc", "xyzw", 2), None);
        assert_eq!(
            did_you_mean("Defualt", ["Default", "Internal"], 2),
            Some("Default")
        );
        assert_eq!(did_you_mean("default", ["Default"], 2), Some("Default"));
        assert_eq!(did_you_mean("zzz", ["Default"], 2), None);
    }
}
