//! Java `.properties` files as `java.util.Properties.load` reads them (the
//! JNDI files of WSO2's JMS event publishers), with the byte range of every
//! key and value in the source. No I/O, no recursion, linear time.
//!
//! Java's rules, kept exactly: a logical line is natural lines joined where
//! one ends in an odd number of backslashes (the backslash and line end are
//! dropped, so is the next line's leading whitespace); `\n`, `\r`, `\r\n` end
//! lines; blank lines and lines whose first non-blank character is `#` or
//! `!` are comments (not a continued line); the key ends at the first
//! unescaped `=`, `:` or blank (` `, `\t`, `\f`), blanks and one `=`/`:`
//! around it are skipped; escapes `\uXXXX`, `\t \n \r \f`, and `\x` → `x`.
//! A malformed `\u` makes Java's `load` throw: here a located error. The last
//! of repeated keys wins (`Properties::get`), each repetition is a note. What
//! Java does silently but a user would not expect (a backslash at the end
//! of the file, dropped; an empty key; a UTF-8 BOM, which Java's byte-stream
//! `load` reads as ISO-8859-1 characters of the first key) is a note too.

use std::ops::Range;

use crate::base::text::{LineCol, LineIndex};

/// One `key = value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub value: String,
    /// The raw key in the source (escapes included).
    pub key_span: Range<usize>,
    /// The raw value: from its first character to its last, across the
    /// continuation lines it covers (empty, at the end of the line, for an
    /// empty value).
    pub value_span: Range<usize>,
}

/// What a note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// A key written again: the later value wins; `related` is the earlier key.
    Duplicate,
    /// A backslash ends the file: Java drops it.
    TrailingBackslash,
    /// A line whose key is empty (`= value`, or a lone continuation).
    EmptyKey,
    /// The file starts with a UTF-8 byte order mark: Java reads it as part of
    /// the first key.
    Bom,
    /// A `\uXXXX` half of a surrogate pair with no other half: replaced by U+FFFD.
    LoneSurrogate,
}

/// Something Java accepts that deserves a word, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub kind: NoteKind,
    pub span: Range<usize>,
    pub related: Option<Range<usize>>,
    pub message: String,
}

/// A malformed `\uXXXX` (Java: `IllegalArgumentException`, the file is not loaded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertiesError {
    pub span: Range<usize>,
    pub message: String,
}

impl PropertiesError {
    /// 1-based line and column of the error's start.
    pub fn line_col(&self, text: &str) -> LineCol {
        LineIndex::new(text).line_col(text, self.span.start)
    }
}

impl std::fmt::Display for PropertiesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A whole file: every entry in order, repetitions included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Properties {
    pub entries: Vec<Entry>,
    pub notes: Vec<Note>,
}

impl Properties {
    /// The entry Java keeps for `key` (the last one).
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }
}

/// A logical line: its bytes and where each run of them sits in the source.
#[derive(Default)]
struct Logical {
    buf: Vec<u8>,
    /// (index in `buf`, offset in the source) of each contiguous run
    segs: Vec<(usize, usize)>,
}

impl Logical {
    fn push(&mut self, b: u8, at: usize) {
        let n = self.buf.len();
        match self.segs.last_mut() {
            Some((bi, si)) if *si + (n - *bi) == at => {}
            Some((bi, si)) if *bi == n => *si = at,
            _ => self.segs.push((n, at)),
        }
        self.buf.push(b);
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.segs.clear();
    }

    /// The source offset of byte `i` of the line.
    fn src(&self, i: usize) -> usize {
        let k = self
            .segs
            .partition_point(|(b, _)| *b <= i)
            .saturating_sub(1);
        self.segs.get(k).map_or(0, |(b, s)| s + (i - b))
    }

    /// The source range of bytes `r` of the line (`r` may be empty).
    fn span(&self, r: Range<usize>) -> Range<usize> {
        let end = |i: usize| {
            if i == 0 {
                self.src(0)
            } else {
                self.src(i - 1) + 1
            }
        };
        if r.is_empty() {
            let e = end(r.start);
            return e..e;
        }
        self.src(r.start)..end(r.end)
    }
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0x0c)
}

/// Read a properties file.
pub fn read(src: &str) -> Result<Properties, PropertiesError> {
    let mut out = Properties::default();
    if src.starts_with('\u{feff}') {
        out.notes.push(Note {
            kind: NoteKind::Bom,
            span: 0..3,
            related: None,
            message: "the file starts with a byte order mark: Java reads it as characters of \
                      the first key"
                .into(),
        });
    }
    let bytes = src.as_bytes();
    let mut pos = 0;
    let mut line = Logical::default();
    let mut seen = std::collections::HashMap::new();
    while let Some(trailing) = next_line(bytes, &mut pos, &mut line) {
        if let Some(at) = trailing {
            out.notes.push(Note {
                kind: NoteKind::TrailingBackslash,
                span: at..at + 1,
                related: None,
                message: "a backslash ends the file: Java drops it".into(),
            });
        }
        entry(&line, &mut out, &mut seen)?;
    }
    Ok(out)
}

/// The next logical line into `line`; `None` at the end. The inner option is
/// the offset of a dropped backslash at the end of the file.
fn next_line(bytes: &[u8], pos: &mut usize, line: &mut Logical) -> Option<Option<usize>> {
    line.clear();
    let (mut skip_ws, mut appended, mut comment, mut new_line) = (true, false, false, true);
    let (mut backslash, mut skip_lf) = (false, false);
    loop {
        let Some(&c) = bytes.get(*pos) else {
            if line.buf.is_empty() || comment {
                return None;
            }
            if backslash {
                line.buf.pop();
                return Some(Some(*pos - 1));
            }
            return Some(None);
        };
        let at = *pos;
        *pos += 1;
        if std::mem::take(&mut skip_lf) && c == b'\n' {
            continue;
        }
        if skip_ws {
            if is_blank(c) || (!appended && (c == b'\r' || c == b'\n')) {
                continue;
            }
            skip_ws = false;
            appended = false;
        }
        if std::mem::take(&mut new_line) && (c == b'#' || c == b'!') {
            comment = true;
            continue;
        }
        if c != b'\n' && c != b'\r' {
            if !comment {
                line.push(c, at);
                backslash = c == b'\\' && !backslash;
            }
            continue;
        }
        if comment || line.buf.is_empty() {
            comment = false;
            new_line = true;
            skip_ws = true;
            line.clear();
            continue;
        }
        if !backslash {
            return Some(None);
        }
        line.buf.pop();
        skip_ws = true;
        appended = true;
        backslash = false;
        skip_lf = c == b'\r';
    }
}

/// Split a logical line into key and value as `Properties.load0`.
fn entry(
    line: &Logical,
    out: &mut Properties,
    seen: &mut std::collections::HashMap<String, Range<usize>>,
) -> Result<(), PropertiesError> {
    let buf = &line.buf;
    let limit = buf.len();
    let (mut key_len, mut value_start, mut has_sep, mut backslash) = (0, limit, false, false);
    while let Some(&c) = buf.get(key_len) {
        if (c == b'=' || c == b':') && !backslash {
            value_start = key_len + 1;
            has_sep = true;
            break;
        } else if is_blank(c) && !backslash {
            value_start = key_len + 1;
            break;
        }
        backslash = c == b'\\' && !backslash;
        key_len += 1;
    }
    while let Some(&c) = buf.get(value_start) {
        if !is_blank(c) {
            if !has_sep && (c == b'=' || c == b':') {
                has_sep = true;
            } else {
                break;
            }
        }
        value_start += 1;
    }
    let key_span = line.span(0..key_len);
    let value_span = line.span(value_start..limit);
    let key = unescape(line, 0..key_len, out)?;
    let value = unescape(line, value_start..limit, out)?;
    if key.is_empty() {
        out.notes.push(Note {
            kind: NoteKind::EmptyKey,
            span: line.span(0..limit),
            related: None,
            message: "this line has an empty key".into(),
        });
    }
    if let Some(earlier) = seen.insert(key.clone(), key_span.clone()) {
        out.notes.push(Note {
            kind: NoteKind::Duplicate,
            span: key_span.clone(),
            related: Some(earlier),
            message: format!("`{key}` is defined again: this later value wins"),
        });
    }
    out.entries.push(Entry {
        key,
        value,
        key_span,
        value_span,
    });
    Ok(())
}

/// `loadConvert`: the escapes of bytes `r` of the line.
fn unescape(
    line: &Logical,
    r: Range<usize>,
    out: &mut Properties,
) -> Result<String, PropertiesError> {
    let raw = line.buf.get(r.clone()).unwrap_or_default();
    if !raw.contains(&b'\\') {
        return Ok(String::from_utf8_lossy(raw).into_owned());
    }
    let mut units: Vec<u16> = Vec::new();
    let mut bytes: Vec<u8> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&c) = raw.get(i) {
        i += 1;
        if c != b'\\' {
            flush_units(&mut units, &mut bytes, line, r.start + i - 1, out);
            bytes.push(c);
            continue;
        }
        let Some(&e) = raw.get(i) else { break };
        i += 1;
        if e == b'u' {
            let hex = raw
                .get(i..i + 4)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit));
            let Some(unit) = hex
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u16::from_str_radix(h, 16).ok())
            else {
                let at = r.start + i - 2;
                let mut end = (r.start + i + 4).min(r.end);
                // never inside a character
                while line.buf.get(end).is_some_and(|b| (0x80..0xc0).contains(b)) && end < r.end {
                    end += 1;
                }
                return Err(PropertiesError {
                    span: line.span(at..end),
                    message: "malformed \\uxxxx escape (four hexadecimal digits expected): \
                              Java refuses to load the file"
                        .into(),
                });
            };
            i += 4;
            units.push(unit);
            continue;
        }
        flush_units(&mut units, &mut bytes, line, r.start + i - 2, out);
        bytes.push(match e {
            b't' => b'\t',
            b'r' => b'\r',
            b'n' => b'\n',
            b'f' => 0x0c,
            other => other,
        });
    }
    flush_units(&mut units, &mut bytes, line, r.start + i, out);
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Turn pending `\u` code units into UTF-8 (pairs joined, a lone surrogate
/// replaced and noted at `at`).
fn flush_units(
    units: &mut Vec<u16>,
    bytes: &mut Vec<u8>,
    line: &Logical,
    at: usize,
    out: &mut Properties,
) {
    if units.is_empty() {
        return;
    }
    for c in char::decode_utf16(units.drain(..)) {
        let c = c.unwrap_or_else(|_| {
            let span = line.span(at.saturating_sub(6)..at);
            out.notes.push(Note {
                kind: NoteKind::LoneSurrogate,
                span,
                related: None,
                message: "a \\u escape is half of a surrogate pair: read as U+FFFD".into(),
            });
            char::REPLACEMENT_CHARACTER
        });
        let mut b = [0; 4];
        bytes.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
    }
}

#[cfg(test)]
mod tests;
