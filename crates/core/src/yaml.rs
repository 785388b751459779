//! YAML streams with source spans (saphyr-parser's events), and the exact
//! byte-offset map of a scalar: for every byte of its value, where it sits in
//! the source, whatever the scalar's style (plain, single- or double-quoted
//! with escapes, literal `|` or folded `>` block with indentation and
//! chomping indicators). No I/O; the tree is built without recursion, and
//! nesting deeper than [`MAX_DEPTH`] is an error located where it goes too
//! deep: a tree is dropped (and walked) recursively, so a stream of 200,000
//! nested sequences would otherwise overflow the stack. Aliases are never
//! followed (`Value::Alias`), so an alias bomb costs its text, not its
//! expansion.

use saphyr_parser::{Event, Parser, ScalarStyle};

/// A scalar's style, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Plain,
    Single,
    Double,
    Literal,
    Folded,
}

/// A scalar: its value and where its token starts and ends (bytes).
#[derive(Debug, Clone)]
pub(crate) struct Scalar {
    pub(crate) value: String,
    pub(crate) style: Style,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// A YAML node with its span.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Scalar(Scalar),
    Seq(Vec<Value>, usize),
    Map(Vec<(Value, Value)>, usize),
    /// An alias (`*a`): not followed.
    Alias(usize),
}

impl Value {
    /// The first byte of the node.
    pub(crate) fn start(&self) -> usize {
        match self {
            Value::Scalar(s) => s.start,
            Value::Seq(_, s) | Value::Map(_, s) | Value::Alias(s) => *s,
        }
    }

    /// A mapping's value for a string key (the last, when it is written
    /// twice).
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        match self {
            // a key written twice: the last, as Kubernetes reads it
            Value::Map(entries, _) => entries
                .iter()
                .rev()
                .find(|(k, _)| k.str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Follow a path of keys.
    pub(crate) fn at(&self, path: &[&str]) -> Option<&Value> {
        path.iter().try_fold(self, |v, k| v.get(k))
    }

    pub(crate) fn str(&self) -> Option<&str> {
        match self {
            Value::Scalar(s) => Some(&s.value),
            _ => None,
        }
    }

    pub(crate) fn scalar(&self) -> Option<&Scalar> {
        match self {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar read as an integer.
    pub(crate) fn int(&self) -> Option<i64> {
        self.str()?.trim().parse().ok()
    }

    pub(crate) fn seq(&self) -> &[Value] {
        match self {
            Value::Seq(items, _) => items,
            _ => &[],
        }
    }

    pub(crate) fn entries(&self) -> &[(Value, Value)] {
        match self {
            Value::Map(e, _) => e,
            _ => &[],
        }
    }
}

/// A stream that is not valid YAML.
#[derive(Debug, Clone)]
pub(crate) struct YamlError {
    pub(crate) offset: usize,
    pub(crate) message: String,
}

/// Character index → byte offset, walking from the last position asked
/// (events come almost in order, so this is linear in the stream).
struct Cursor<'a> {
    text: &'a str,
    chars: usize,
    bytes: usize,
}

impl Cursor<'_> {
    fn byte(&mut self, char_index: usize) -> usize {
        // back: one character at a time (events step back rarely, and little)
        while self.chars > char_index {
            let before = self.text.get(..self.bytes).unwrap_or("");
            match before.chars().next_back() {
                Some(c) => {
                    self.bytes -= c.len_utf8();
                    self.chars -= 1;
                }
                None => {
                    self.chars = 0;
                    self.bytes = 0;
                }
            }
        }
        let rest = self.text.get(self.bytes..).unwrap_or("");
        let mut it = rest.char_indices();
        let mut walked = 0;
        while self.chars < char_index {
            match it.next() {
                Some((_, c)) => {
                    self.chars += 1;
                    walked += c.len_utf8();
                }
                None => {
                    self.bytes = self.text.len();
                    return self.bytes;
                }
            }
        }
        self.bytes += walked;
        self.bytes
    }
}

/// The deepest nesting of sequences and mappings read: far beyond any
/// Kubernetes object or Compose file, far below what recursion over a tree
/// (dropping it) can take on a thread's stack.
pub(crate) const MAX_DEPTH: usize = 1000;

enum Frame {
    Seq(Vec<Value>, usize),
    Map(Vec<(Value, Value)>, Option<Value>, usize),
}

/// Parse a stream into its documents (an empty document is `None`).
pub(crate) fn parse_stream(text: &str) -> Result<Vec<Option<Value>>, YamlError> {
    parse_stream_keeping(text, &|_, _| true)
}

/// Parse a stream into the documents `keep` keeps (given each document and
/// its source text), dropping the others as soon as they are read: a large
/// stream of unrelated objects costs its parse, not its tree.
pub(crate) fn parse_stream_keeping(
    text: &str,
    keep: &dyn Fn(&Value, &str) -> bool,
) -> Result<Vec<Option<Value>>, YamlError> {
    let mut cursor = Cursor {
        text,
        chars: 0,
        bytes: 0,
    };
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut doc: Option<Value> = None;
    let mut doc_start = 0;
    for ev in Parser::new_from_str(text) {
        let (ev, span) = ev.map_err(|e| YamlError {
            offset: cursor.byte(e.marker().index()),
            message: e.info().to_owned(),
        })?;
        let start = cursor.byte(span.start.index());
        let done = match ev {
            Event::DocumentStart(_) => {
                doc = None;
                doc_start = start;
                None
            }
            Event::DocumentEnd => {
                let source = text.get(doc_start..start.max(doc_start)).unwrap_or("");
                match doc.take() {
                    Some(d) if keep(&d, source) => docs.push(Some(d)),
                    Some(_) => {}
                    None => docs.push(None),
                }
                None
            }
            Event::SequenceStart(..) | Event::MappingStart(..) if stack.len() >= MAX_DEPTH => {
                return Err(YamlError {
                    offset: start,
                    message: format!(
                        "sequences and mappings nest deeper than {MAX_DEPTH} levels here; apimlint reads no deeper"
                    ),
                });
            }
            Event::SequenceStart(..) => {
                stack.push(Frame::Seq(Vec::new(), start));
                None
            }
            Event::MappingStart(..) => {
                stack.push(Frame::Map(Vec::new(), None, start));
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq(items, s)) => Some(Value::Seq(items, s)),
                Some(Frame::Map(entries, _, s)) => Some(Value::Map(entries, s)),
                None => None,
            },
            Event::Scalar(value, style, _, _) => {
                let end = cursor.byte(span.end.index());
                Some(Value::Scalar(Scalar {
                    value: value.into_owned(),
                    style: match style {
                        ScalarStyle::Plain => Style::Plain,
                        ScalarStyle::SingleQuoted => Style::Single,
                        ScalarStyle::DoubleQuoted => Style::Double,
                        ScalarStyle::Literal => Style::Literal,
                        ScalarStyle::Folded => Style::Folded,
                    },
                    start,
                    end: end.max(start),
                }))
            }
            Event::Alias(_) => Some(Value::Alias(start)),
            _ => None,
        };
        if let Some(v) = done {
            match stack.last_mut() {
                Some(Frame::Seq(items, _)) => items.push(v),
                Some(Frame::Map(entries, key, _)) => match key.take() {
                    Some(k) => entries.push((k, v)),
                    None => *key = Some(v),
                },
                None => doc = Some(v),
            }
        }
    }
    Ok(docs)
}

/// Where each byte of a scalar's value sits in the source: `offsets[i]` for
/// byte `i`, and `offsets[len]` just after the last. `exact` is false when
/// the value could not be re-derived from the source (then every byte maps
/// to the scalar's start). `lines_exact`: the style keeps each line's text
/// verbatim (a literal block), so an edit inside one line maps 1:1.
#[derive(Debug, Clone, Default)]
pub(crate) struct OffsetMap {
    pub(crate) offsets: Vec<u32>,
    pub(crate) exact: bool,
    pub(crate) verbatim: bool,
}

impl OffsetMap {
    /// The source offset of value byte `i` (clamped).
    pub(crate) fn map(&self, i: usize) -> usize {
        self.offsets
            .get(i)
            .or(self.offsets.last())
            .map_or(0, |o| *o as usize)
    }

    /// A value range as a source range (an empty range stays empty).
    pub(crate) fn range(&self, r: &std::ops::Range<usize>) -> std::ops::Range<usize> {
        let s = self.map(r.start);
        if r.end <= r.start {
            return s..s;
        }
        // the end: just after the last byte's source character
        let last = self.map(r.end - 1);
        let e = self.map(r.end).max(last + 1);
        // a range that crosses an escape or a fold ends after the last byte
        s..e.max(s)
    }

    /// The value byte whose source character holds source offset `src`
    /// (the first at or after it): the inverse of [`OffsetMap::map`] for an
    /// exact map, whose offsets never decrease.
    pub(crate) fn unmap(&self, src: usize) -> usize {
        let last = self.offsets.len().saturating_sub(1);
        self.offsets
            .partition_point(|o| (*o as usize) < src)
            .min(last)
    }
}

/// The offset map of `s` (a scalar of `src`).
pub(crate) fn offset_map(src: &str, s: &Scalar) -> OffsetMap {
    if s.value.is_empty() {
        return OffsetMap {
            offsets: vec![off(s.start)],
            exact: true,
            verbatim: s.style == Style::Literal,
        };
    }
    let derived = match s.style {
        Style::Double => flow(src, s.start + 1, true),
        Style::Single => flow(src, s.start + 1, false),
        Style::Plain => plain(src, s.start),
        Style::Literal | Style::Folded => block(src, s, s.style == Style::Literal),
    };
    match derived {
        Some((value, offsets)) if value == s.value && offsets.len() == value.len() + 1 => {
            OffsetMap {
                offsets,
                exact: true,
                verbatim: s.style == Style::Literal,
            }
        }
        _ => OffsetMap {
            offsets: vec![u32::try_from(s.start).unwrap_or(u32::MAX); s.value.len() + 1],
            exact: false,
            verbatim: false,
        },
    }
}

fn off(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Push `c` (found at source offset `at`) to the value.
fn push(value: &mut String, offsets: &mut Vec<u32>, c: char, at: usize) {
    value.push(c);
    offsets.extend(std::iter::repeat_n(off(at), c.len_utf8()));
}

/// A quoted scalar's value from the byte after its opening quote.
fn flow(src: &str, from: usize, double: bool) -> Option<(String, Vec<u32>)> {
    let bytes = src.as_bytes();
    let quote = if double { b'"' } else { b'\'' };
    let mut value = String::new();
    let mut offsets = Vec::new();
    let mut i = from;
    loop {
        let c = *bytes.get(i)?;
        if c == quote {
            if !double && bytes.get(i + 1) == Some(&b'\'') {
                push(&mut value, &mut offsets, '\'', i);
                i += 2;
                continue;
            }
            offsets.push(off(i));
            return Some((value, offsets));
        }
        if double && c == b'\\' {
            let e = *bytes.get(i + 1)?;
            let simple = match e {
                b'0' => Some('\0'),
                b'a' => Some('\x07'),
                b'b' => Some('\x08'),
                b't' | b'\t' => Some('\t'),
                b'n' => Some('\n'),
                b'v' => Some('\x0b'),
                b'f' => Some('\x0c'),
                b'r' => Some('\r'),
                b'e' => Some('\x1b'),
                b' ' => Some(' '),
                b'"' => Some('"'),
                b'/' => Some('/'),
                b'\\' => Some('\\'),
                b'N' => Some('\u{85}'),
                b'_' => Some('\u{a0}'),
                b'L' => Some('\u{2028}'),
                b'P' => Some('\u{2029}'),
                _ => None,
            };
            if let Some(ch) = simple {
                push(&mut value, &mut offsets, ch, i);
                i += 2;
                continue;
            }
            let digits = match e {
                b'x' => 2,
                b'u' => 4,
                b'U' => 8,
                b'\n' | b'\r' => {
                    // an escaped line break: the break and the next line's
                    // leading blanks are dropped
                    i += 2;
                    if e == b'\r' && bytes.get(i) == Some(&b'\n') {
                        i += 1;
                    }
                    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
                        i += 1;
                    }
                    continue;
                }
                _ => return None,
            };
            let hex = src.get(i + 2..i + 2 + digits)?;
            let ch = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
            push(&mut value, &mut offsets, ch, i);
            i += 2 + digits;
            continue;
        }
        if c == b'\n' || c == b'\r' {
            fold(src, &mut value, &mut offsets, &mut i)?;
            continue;
        }
        let ch = src.get(i..)?.chars().next()?;
        push(&mut value, &mut offsets, ch, i);
        i += ch.len_utf8();
    }
}

/// Flow folding at a line break at `*i`: trailing blanks already pushed are
/// trimmed, the break becomes a space (or one `\n` per empty line), and the
/// next line's leading blanks are skipped.
fn fold(src: &str, value: &mut String, offsets: &mut Vec<u32>, i: &mut usize) -> Option<()> {
    let bytes = src.as_bytes();
    let at = *i;
    while value.ends_with([' ', '\t']) {
        value.pop();
        offsets.pop();
    }
    let mut empty = 0;
    loop {
        // skip the break
        if bytes.get(*i) == Some(&b'\r') {
            *i += 1;
        }
        if bytes.get(*i) == Some(&b'\n') {
            *i += 1;
        }
        while matches!(bytes.get(*i), Some(b' ' | b'\t')) {
            *i += 1;
        }
        if matches!(bytes.get(*i), Some(b'\n' | b'\r')) {
            empty += 1;
            continue;
        }
        break;
    }
    if empty == 0 {
        push(value, offsets, ' ', at);
    } else {
        for _ in 0..empty {
            push(value, offsets, '\n', at);
        }
    }
    Some(())
}

/// A plain scalar from its first character: up to `: `, ` #`, or a line
/// that is no longer more indented than the scalar's parent (approximated:
/// the parser's value tells where it ends, see [`offset_map`]).
fn plain(src: &str, from: usize) -> Option<(String, Vec<u32>)> {
    let line = src.get(from..)?.split(['\n', '\r']).next()?;
    // single-line plain scalars (the only plain TOML worth mapping exactly)
    let mut end = line.len();
    if let Some(p) = line.find(" #") {
        end = end.min(p);
    }
    let text = line.get(..end)?.trim_end();
    let mut offsets: Vec<u32> = (0..text.len()).map(|k| off(from + k)).collect();
    offsets.push(off(from + text.len()));
    Some((text.to_owned(), offsets))
}

/// The offset of the `|`/`>` of the block scalar whose content starts at
/// `content`: the last indicator on the first non-blank line above it.
pub(crate) fn header(src: &str, content: usize) -> Option<usize> {
    let mut end = src.get(..content)?.rfind('\n')?;
    loop {
        let start = src.get(..end)?.rfind('\n').map_or(0, |p| p + 1);
        let line = src.get(start..end)?;
        let code = line.split(" #").next().unwrap_or(line).trim_end();
        let tail = code.trim_end_matches(['-', '+', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
        if tail.ends_with(['|', '>']) && code.len() - tail.len() <= 2 {
            return Some(start + tail.len() - 1);
        }
        if !line.trim().is_empty() {
            return None;
        }
        end = start.checked_sub(1)?;
    }
}

/// A block scalar from its indicator (`|` or `>`).
fn block(src: &str, s: &Scalar, literal: bool) -> Option<(String, Vec<u32>)> {
    let (i, chomp) = block_header(src, s)?;
    let lines = block_lines(src, s, i)?;
    // trailing empty lines are chomped, not content
    let content_end = lines
        .iter()
        .rposition(|(_, l)| !l.is_empty())
        .map_or(0, |p| p + 1);
    let trailing = lines.len() - content_end;
    let mut value = String::new();
    let mut offsets: Vec<u32> = Vec::new();
    let body_lines = lines.get(..content_end)?;
    if literal {
        literal_body(body_lines, &mut value, &mut offsets);
    } else {
        folded_body(body_lines, &mut value, &mut offsets);
    }
    let end_of_content = body_lines.last().map_or(i, |(o, l)| o + l.len());
    match chomp {
        Chomp::Strip => {}
        Chomp::Clip => {
            if !body_lines.is_empty() {
                push(&mut value, &mut offsets, '\n', end_of_content);
            }
        }
        Chomp::Keep => {
            if !body_lines.is_empty() {
                push(&mut value, &mut offsets, '\n', end_of_content);
            }
            for (o, _) in lines.get(content_end..)?.iter().take(trailing) {
                push(&mut value, &mut offsets, '\n', *o);
            }
        }
    }
    let last = offsets.last().map_or(off(end_of_content), |o| o + 1);
    offsets.push(last.max(off(end_of_content)));
    Some((value, offsets))
}

/// A block scalar's chomping indicator.
#[derive(Clone, Copy)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

/// The block header (indicator, optional indentation digit and chomping,
/// comment): the offset of the first body line and the chomping.
fn block_header(src: &str, s: &Scalar) -> Option<(usize, Chomp)> {
    let bytes = src.as_bytes();
    // the parser's span starts at the content: the header is on an earlier line
    let mut i = header(src, s.start)?;
    if !matches!(bytes.get(i), Some(b'|' | b'>')) {
        return None;
    }
    i += 1;
    let mut chomp = Chomp::Clip;
    for _ in 0..2 {
        match bytes.get(i) {
            Some(b'-') => chomp = Chomp::Strip,
            Some(b'+') => chomp = Chomp::Keep,
            Some(b'1'..=b'9') => {}
            _ => break,
        }
        i += 1;
    }
    while bytes.get(i).is_some_and(|b| *b != b'\n') {
        i += 1;
    }
    Some((i + 1, chomp)) // past the header's line break
}

/// Each line of a block body from `i`: (source offset of its text, its
/// text without the block's indentation).
fn block_lines<'a>(src: &'a str, s: &Scalar, i: usize) -> Option<Vec<(usize, &'a str)>> {
    // the lines of the block: up to the scalar's end
    let body = src.get(i..s.end.max(i))?;
    // indentation: that of the first non-empty source line, less that of
    // the value's first non-empty line (an explicit indicator counts from
    // the parent's indentation, which the parser knows and we do not)
    let first_src = body
        .split('\n')
        .find(|l| !l.trim().is_empty())
        .map_or(0, |l| l.len() - l.trim_start_matches(' ').len());
    let first_val = s
        .value
        .split('\n')
        .find(|l| !l.trim().is_empty())
        .map_or(0, |l| l.len() - l.trim_start_matches(' ').len());
    let indent = first_src.checked_sub(first_val)?;
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut at = i;
    for raw in src.get(i..)?.split_inclusive('\n') {
        let line = raw.trim_end_matches('\n').trim_end_matches('\r');
        let blank = line.trim_start_matches(' ').is_empty();
        let lead = line.len() - line.trim_start_matches(' ').len();
        if !blank && lead < indent {
            break;
        }
        if indent == 0 && (line.starts_with("---") || line.starts_with("...")) {
            break;
        }
        if blank && lead < indent {
            lines.push((at + line.len(), ""));
        } else {
            lines.push((at + indent, line.get(indent..).unwrap_or("")));
        }
        at += raw.len();
        if at > s.end.max(i) && !blank {
            break;
        }
    }
    Some(lines)
}

/// A literal (`|`) body: every line and every break between lines kept.
fn literal_body(body: &[(usize, &str)], value: &mut String, offsets: &mut Vec<u32>) {
    for (k, (o, l)) in body.iter().enumerate() {
        for (j, ch) in l.char_indices() {
            push(value, offsets, ch, o + j);
        }
        if k + 1 < body.len() {
            push(value, offsets, '\n', o + l.len());
        }
    }
}

/// A folded (`>`) body: a break between two "normal" lines is a space,
/// between lines with empty lines between them one `\n` per empty line;
/// more-indented lines keep their breaks.
fn folded_body(body: &[(usize, &str)], value: &mut String, offsets: &mut Vec<u32>) {
    let mut prev_folded_text = false;
    let mut pending_breaks: Vec<usize> = Vec::new();
    for (k, (o, l)) in body.iter().enumerate() {
        let normal = !l.is_empty() && !l.starts_with([' ', '\t']);
        if l.is_empty() {
            pending_breaks.push(*o);
            continue;
        }
        if k > 0 {
            let break_at = pending_breaks.first().copied().unwrap_or(*o);
            if prev_folded_text && normal && pending_breaks.is_empty() {
                push(value, offsets, ' ', break_at);
            } else if prev_folded_text && normal {
                for b in &pending_breaks {
                    push(value, offsets, '\n', *b);
                }
            } else {
                push(value, offsets, '\n', break_at);
                for b in &pending_breaks {
                    push(value, offsets, '\n', *b);
                }
            }
        } else {
            for b in &pending_breaks {
                push(value, offsets, '\n', *b);
            }
        }
        pending_breaks.clear();
        for (j, ch) in l.char_indices() {
            push(value, offsets, ch, o + j);
        }
        prev_folded_text = normal;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalars(v: &Value, out: &mut Vec<Scalar>) {
        match v {
            Value::Scalar(s) => out.push(s.clone()),
            Value::Seq(items, _) => items.iter().for_each(|i| scalars(i, out)),
            Value::Map(e, _) => e.iter().for_each(|(k, v)| {
                scalars(k, out);
                scalars(v, out);
            }),
            Value::Alias(_) => {}
        }
    }

    /// Every byte of every scalar maps to a source byte holding the same
    /// character, or to an escape / fold / break that produced it.
    fn check(src: &str) {
        let docs = parse_stream(src).unwrap();
        let mut all = Vec::new();
        for d in docs.iter().flatten() {
            scalars(d, &mut all);
        }
        for s in all.iter().filter(|s| s.value.contains('=')) {
            let m = offset_map(src, s);
            assert!(m.exact, "{:?} {:?}", s.style, s.value);
            for (i, ch) in s.value.char_indices() {
                let o = m.map(i);
                let at = src[o..].chars().next().unwrap();
                let ok = at == ch
                    || (at == '\\' && s.style == Style::Double)
                    || ch == '\n'
                    || ch == ' '
                    || (ch == '\'' && at == '\'');
                assert!(ok, "{:?} byte {i} {ch:?} -> {at:?}", s.style);
            }
        }
    }

    #[test]
    fn styles_map_exactly() {
        check("a: \"x = 1\\n[s]\\ny = \\\"\\u00e9t\\u00e9\\\"\\n\"\n");
        check("a: 'x = ''1''\n\n  y = 2'\n");
        check("a: x = 1\n");
        check("a:\n  k: |\n    [server]\n    hostname = \"a\"\n\n    x = 1\n  b: 2\n");
        check("a: |2-\n    x = 1\n   y = 2\n");
        check("a: |+\n  x = 1\n\n\nb: 1\n");
        check("a: >\n  x = 1\n  y = 2\n\n  z = 3\n    more = 4\n  w = 5\n");
        check("- |\n  x = 1\n- >-\n  y = 2\n");
        check("a: \"x = 1\n  y = 2\\\n   z\"\n");
    }

    #[test]
    fn bad_yaml_is_an_error() {
        assert!(parse_stream("a: [1, 2\nb: }").is_err());
        assert!(parse_stream("a: \"x").is_err());
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let s = "[".repeat(100_000);
        let _ = parse_stream(&s);
    }

    use proptest::prelude::*;

    /// A TOML-ish text: lines of printable characters, quotes, backslashes,
    /// tabs and a few non-ASCII letters.
    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec("[a-z =\\[\\]\"'\\\\.#é€\\t]{0,30}", 1..8)
            .prop_map(|lines| lines.join("\n"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Double-quoted (as JSON writes it), single-quoted and literal
        /// encodings of any text parse back to it with an exact map whose
        /// every byte points at the character (or escape) that produced it.
        #[test]
        fn offset_maps_are_exact(t in text()) {
            let dq = format!("k: {}\n", serde_json::to_string(&t).unwrap());
            for src in [dq] {
                let docs = parse_stream(&src).unwrap();
                let v = docs[0].as_ref().unwrap().get("k").unwrap().scalar().unwrap().clone();
                prop_assert_eq!(&v.value, &t);
                let m = offset_map(&src, &v);
                prop_assert!(m.exact);
                for (i, ch) in v.value.char_indices() {
                    let at = src[m.map(i)..].chars().next().unwrap();
                    prop_assert!(at == ch || at == '\\', "{:?} byte {} {:?} -> {:?}", src, i, ch, at);
                }
            }
            // a literal block of the lines that keep their spaces (no
            // trailing blanks, no leading tab, not empty)
            if t.split('\n').all(|l| !l.is_empty() && !l.starts_with([' ', '\t']) && !l.ends_with([' ', '\t'])) {
                let body: String = t.split('\n').map(|l| format!("  {l}\n")).collect();
                let src = format!("k: |-\n{body}x: 1\n");
                let docs = parse_stream(&src).unwrap();
                let v = docs[0].as_ref().unwrap().get("k").unwrap().scalar().unwrap().clone();
                prop_assert_eq!(&v.value, &t);
                let m = offset_map(&src, &v);
                prop_assert!(m.exact && m.verbatim);
                for (i, ch) in v.value.char_indices() {
                    let at = src[m.map(i)..].chars().next().unwrap();
                    prop_assert_eq!(at, ch);
                }
            }
        }

        /// Any bytes: an error or a tree, never a panic.
        #[test]
        fn any_text_parses_or_fails(s in "[ -~\n\t]{0,200}") {
            if let Ok(docs) = parse_stream(&s) {
                for d in docs.iter().flatten() {
                    if let Some(sc) = d.scalar() {
                        let _ = offset_map(&s, sc);
                    }
                }
            }
        }
    }
}
