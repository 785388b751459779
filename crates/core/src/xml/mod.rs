//! A small XML pull reader with exact byte spans, for the few XML files a
//! WSO2 node holds besides `deployment.toml` (event publishers, user
//! stores: `wso2.rs`). No I/O, no recursion, memory linear in the depth.
//!
//! It checks well-formedness as Java's parsers do for what those files use
//! (elements, attributes, text, CDATA, comments, processing instructions,
//! namespaces) and stops at the first error, located by byte range. It
//! **expands no entity but XML's five and character references**: a
//! DOCTYPE declaring entities is refused (`ErrorKind::Entity`), a reference
//! to any other entity is an error, so neither "billion laughs" nor an
//! external entity can do anything. Decoded values (`&amp;`, `&#x41;`,
//! line-end and attribute whitespace normalisation) keep the span of their
//! raw text in the source. A UTF-8 BOM is skipped.

pub mod wso2;

use std::borrow::Cow;
use std::ops::Range;

use crate::base::text::{LineCol, LineIndex};

/// Why a file is not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Not well-formed XML.
    Syntax,
    /// A DOCTYPE declaring entities, or a reference to an undeclared entity.
    Entity,
    /// `<?xml …?>` anywhere but at the very start (e.g. after the
    /// indentation copied from WSO2's docs page): Java's parsers refuse it.
    MisplacedDeclaration,
    /// Well-formed, but not the file WSO2 expects (root, required parts).
    Shape,
}

/// A located error: `span` is a byte range of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    pub kind: ErrorKind,
    pub span: Range<usize>,
    pub message: String,
}

impl XmlError {
    fn new(kind: ErrorKind, span: Range<usize>, message: impl Into<String>) -> Self {
        Self {
            kind,
            span,
            message: message.into(),
        }
    }

    /// 1-based line and column of the error's start.
    pub fn line_col(&self, text: &str) -> LineCol {
        LineIndex::new(text).line_col(text, self.span.start)
    }
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// An attribute: name as written (`xmlns:p`, `name`), decoded value, and the
/// byte ranges of the name and of the raw value between the quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr<'a> {
    pub name: &'a str,
    pub name_span: Range<usize>,
    pub value: Cow<'a, str>,
    pub value_span: Range<usize>,
}

/// What the reader meets, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<'a> {
    /// A start tag (or an empty-element tag, followed by its `End`).
    Start {
        /// The qualified name as written.
        name: &'a str,
        name_span: Range<usize>,
        /// The namespace URI of the element (`None`: no namespace).
        namespace: Option<Cow<'a, str>>,
        attrs: Vec<Attr<'a>>,
        /// `<` .. `>` of the start tag.
        span: Range<usize>,
        /// 0 for the root element.
        depth: usize,
    },
    /// The end of an element; `span` is the whole element, start tag to end
    /// tag; `depth` as its `Start`'s.
    End {
        name: &'a str,
        span: Range<usize>,
        depth: usize,
    },
    /// Character data (decoded) or a CDATA section (its content), with the
    /// raw range in the source.
    Text {
        value: Cow<'a, str>,
        span: Range<usize>,
        cdata: bool,
    },
}

/// The local part of a qualified name.
pub(crate) fn local_name(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

struct Open<'a> {
    name: &'a str,
    name_span: Range<usize>,
    start: usize,
}

/// The pull reader: an iterator of events; after an error it yields nothing.
pub struct Reader<'a> {
    src: &'a str,
    pos: usize,
    bom: usize,
    stack: Vec<Open<'a>>,
    /// (depth of the declaring element, prefix — "" for the default, URI)
    bindings: Vec<(usize, &'a str, Cow<'a, str>)>,
    root_seen: bool,
    pending_end: Option<(&'a str, Range<usize>)>,
    done: bool,
}

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn is_name_byte(b: u8) -> bool {
    !is_space(b)
        && !matches!(
            b,
            b'/' | b'>' | b'<' | b'=' | b'?' | b'!' | b'"' | b'\'' | b'&' | b';' | b'[' | b']'
        )
}

impl<'a> Reader<'a> {
    pub fn new(src: &'a str) -> Self {
        let bom = if src.starts_with('\u{feff}') { 3 } else { 0 };
        Self {
            src,
            pos: bom,
            bom,
            stack: Vec::new(),
            bindings: Vec::new(),
            root_seen: false,
            pending_end: None,
            done: false,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.src.as_bytes()
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.bytes().get(i).copied()
    }

    fn rest_starts(&self, s: &str) -> bool {
        self.bytes()
            .get(self.pos..)
            .is_some_and(|r| r.starts_with(s.as_bytes()))
    }

    fn sub(&self, r: Range<usize>) -> &'a str {
        self.src.get(r).unwrap_or("")
    }

    fn err(&self, kind: ErrorKind, span: Range<usize>, msg: impl Into<String>) -> XmlError {
        XmlError::new(kind, span, msg)
    }

    fn skip_space(&mut self) {
        while self.at(self.pos).is_some_and(is_space) {
            self.pos += 1;
        }
    }

    /// The end (exclusive) of `pat` searched from `from`.
    fn find_from(&self, from: usize, pat: &str) -> Option<usize> {
        let hay = self.bytes().get(from..)?;
        memchr::memmem::find(hay, pat.as_bytes()).map(|i| from + i)
    }

    fn name(&mut self) -> Result<Range<usize>, XmlError> {
        let start = self.pos;
        while self.at(self.pos).is_some_and(is_name_byte) {
            self.pos += 1;
        }
        let name = self.sub(start..self.pos);
        let first = name.bytes().next();
        if first.is_none_or(|b| b.is_ascii_digit() || b == b'-' || b == b'.') {
            let end = self.next_char_end(start);
            return Err(self.err(ErrorKind::Syntax, start..end, "expected a name"));
        }
        Ok(start..self.pos)
    }

    /// The end of the character at `i` (for one-character error spans).
    fn next_char_end(&self, i: usize) -> usize {
        self.src
            .get(i..)
            .and_then(|r| r.chars().next())
            .map_or(i, |c| i + c.len_utf8())
    }

    fn eof_error(&self, what: &str) -> XmlError {
        let (span, open) = match self.stack.last() {
            Some(o) => (
                o.name_span.clone(),
                format!(" (element <{}> is open)", o.name),
            ),
            None => (self.src.len()..self.src.len(), String::new()),
        };
        self.err(
            ErrorKind::Syntax,
            span,
            format!("the file ends inside {what}{open}"),
        )
    }

    /// `<?target …?>`: the XML declaration only at the very start.
    fn pi(&mut self) -> Result<(), XmlError> {
        let start = self.pos;
        self.pos += 2;
        let name = self.name()?;
        let Some(end) = self.find_from(self.pos, "?>") else {
            return Err(self.eof_error("a processing instruction"));
        };
        if self.sub(name.clone()).eq_ignore_ascii_case("xml") && start != self.bom {
            return Err(self.err(
                ErrorKind::MisplacedDeclaration,
                start..name.end,
                "the XML declaration `<?xml …?>` must be the very first thing in the file \
                 (nothing, not even whitespace, before it): Java's parsers refuse the file",
            ));
        }
        self.pos = end + 2;
        Ok(())
    }

    fn comment(&mut self) -> Result<(), XmlError> {
        let Some(end) = self.find_from(self.pos + 4, "-->") else {
            return Err(self.eof_error("a comment"));
        };
        self.pos = end + 3;
        Ok(())
    }

    /// `<!DOCTYPE …>`: skipped unless it declares entities (refused).
    fn doctype(&mut self) -> Result<(), XmlError> {
        let start = self.pos;
        let mut i = self.pos + 9;
        let mut quote: Option<u8> = None;
        let mut subset = false;
        while let Some(b) = self.at(i) {
            match (quote, b) {
                (Some(q), _) if b == q => quote = None,
                (Some(_), _) => {}
                (None, b'"' | b'\'') => quote = Some(b),
                (None, b'[') => subset = true,
                (None, b']') => subset = false,
                (None, b'<')
                    if self
                        .bytes()
                        .get(i..)
                        .is_some_and(|r| r.starts_with(b"<!ENTITY")) =>
                {
                    return Err(self.err(
                        ErrorKind::Entity,
                        i..i + 8,
                        "this DOCTYPE declares an entity: apimlint expands no entities \
                         (nor does a WSO2 configuration file need any)",
                    ));
                }
                (None, b'<')
                    if self
                        .bytes()
                        .get(i..)
                        .is_some_and(|r| r.starts_with(b"<!--")) =>
                {
                    let Some(end) = self.find_from(i + 4, "-->") else {
                        break;
                    };
                    i = end + 2;
                }
                (None, b'>') if !subset => {
                    self.pos = i + 1;
                    return Ok(());
                }
                _ => {}
            }
            i += 1;
        }
        Err(self.err(
            ErrorKind::Syntax,
            start..start + 9,
            "the file ends inside this DOCTYPE",
        ))
    }

    /// Outside the root element: whitespace, comments, PIs, a DOCTYPE before it.
    fn misc(&mut self) -> Result<bool, XmlError> {
        loop {
            self.skip_space();
            if self.pos >= self.src.len() {
                if !self.root_seen {
                    let n = self.src.len();
                    return Err(self.err(ErrorKind::Syntax, n..n, "no root element"));
                }
                return Ok(false);
            }
            if self.rest_starts("<?") {
                self.pi()?;
            } else if self.rest_starts("<!--") {
                self.comment()?;
            } else if self.rest_starts("<!DOCTYPE") && !self.root_seen {
                self.doctype()?;
            } else if self.rest_starts("<") && !self.rest_starts("<!") && !self.root_seen {
                return Ok(true);
            } else {
                let end = self.next_char_end(self.pos);
                let what = if self.root_seen {
                    "content after the root element"
                } else {
                    "content before the root element"
                };
                return Err(self.err(ErrorKind::Syntax, self.pos..end, what));
            }
        }
    }

    fn next_event(&mut self) -> Result<Option<Event<'a>>, XmlError> {
        if let Some((name, span)) = self.pending_end.take() {
            self.close_scope();
            let depth = self.stack.len();
            return Ok(Some(Event::End { name, span, depth }));
        }
        if self.stack.is_empty() && !self.misc()? {
            return Ok(None);
        }
        loop {
            let Some(b) = self.at(self.pos) else {
                return Err(self.eof_error("the root element"));
            };
            if b != b'<' {
                return self.text().map(Some);
            }
            if self.rest_starts("</") {
                return self.end_tag().map(Some);
            } else if self.rest_starts("<!--") {
                self.comment()?;
            } else if self.rest_starts("<![CDATA[") {
                return self.cdata().map(Some);
            } else if self.rest_starts("<?") {
                self.pi()?;
            } else if self.rest_starts("<!") {
                let end = self.pos + 2;
                return Err(self.err(
                    ErrorKind::Syntax,
                    self.pos..end,
                    "unexpected markup declaration inside an element",
                ));
            } else {
                return self.start_tag().map(Some);
            }
        }
    }

    fn text(&mut self) -> Result<Event<'a>, XmlError> {
        let start = self.pos;
        let end = memchr::memchr(b'<', self.bytes().get(start..).unwrap_or_default())
            .map_or(self.src.len(), |i| start + i);
        self.pos = end;
        let value = decode(self.src, start..end, false)?;
        Ok(Event::Text {
            value,
            span: start..end,
            cdata: false,
        })
    }

    fn cdata(&mut self) -> Result<Event<'a>, XmlError> {
        let start = self.pos + 9;
        let Some(end) = self.find_from(start, "]]>") else {
            return Err(self.eof_error("a CDATA section"));
        };
        self.pos = end + 3;
        Ok(Event::Text {
            value: normalize_newlines(self.sub(start..end)),
            span: start..end,
            cdata: true,
        })
    }

    fn end_tag(&mut self) -> Result<Event<'a>, XmlError> {
        self.pos += 2;
        let name = self.name()?;
        self.skip_space();
        if self.at(self.pos) != Some(b'>') {
            return Err(self.expected_gt());
        }
        self.pos += 1;
        let written = self.sub(name.clone());
        let Some(open) = self.stack.pop() else {
            return Err(self.err(ErrorKind::Syntax, name, "end tag without a start tag"));
        };
        if open.name != written {
            let line = LineIndex::new(self.src).line_col(self.src, open.start).line;
            return Err(self.err(
                ErrorKind::Syntax,
                name,
                format!(
                    "`</{written}>` closes `<{}>` (opened on line {line})",
                    open.name
                ),
            ));
        }
        if self.stack.is_empty() {
            self.root_seen = true;
        }
        self.close_scope();
        Ok(Event::End {
            name: open.name,
            span: open.start..self.pos,
            depth: self.stack.len(),
        })
    }

    fn expected_gt(&self) -> XmlError {
        match self.at(self.pos) {
            None => self.eof_error("a tag"),
            Some(_) => {
                let end = self.next_char_end(self.pos);
                self.err(ErrorKind::Syntax, self.pos..end, "expected `>`")
            }
        }
    }

    /// Drop the namespace bindings of elements deeper than the stack.
    fn close_scope(&mut self) {
        let depth = self.stack.len();
        while self.bindings.last().is_some_and(|(d, _, _)| *d > depth) {
            self.bindings.pop();
        }
    }

    fn attribute(&mut self, attrs: &[Attr<'a>]) -> Result<Attr<'a>, XmlError> {
        let name = self.name()?;
        self.skip_space();
        if self.at(self.pos) != Some(b'=') {
            let end = self.next_char_end(self.pos);
            return Err(self.err(
                ErrorKind::Syntax,
                self.pos..end,
                "expected `=` after the attribute name",
            ));
        }
        self.pos += 1;
        self.skip_space();
        let quote = match self.at(self.pos) {
            Some(q @ (b'"' | b'\'')) => q,
            _ => {
                let end = self.next_char_end(self.pos);
                return Err(self.err(
                    ErrorKind::Syntax,
                    self.pos..end,
                    "expected a quoted attribute value",
                ));
            }
        };
        let vstart = self.pos + 1;
        let Some(len) = memchr::memchr(quote, self.bytes().get(vstart..).unwrap_or_default())
        else {
            return Err(self.eof_error("an attribute value"));
        };
        let vend = vstart + len;
        if let Some(lt) = memchr::memchr(b'<', self.bytes().get(vstart..vend).unwrap_or_default()) {
            let at = vstart + lt;
            return Err(self.err(ErrorKind::Syntax, at..at + 1, "`<` in an attribute value"));
        }
        self.pos = vend + 1;
        let written = self.sub(name.clone());
        if attrs.iter().any(|a| a.name == written) {
            return Err(self.err(
                ErrorKind::Syntax,
                name,
                format!("attribute `{written}` is written twice"),
            ));
        }
        Ok(Attr {
            name: written,
            name_span: name,
            value: decode(self.src, vstart..vend, true)?,
            value_span: vstart..vend,
        })
    }

    fn start_tag(&mut self) -> Result<Event<'a>, XmlError> {
        let start = self.pos;
        self.pos += 1;
        let name_span = self.name()?;
        let name = self.sub(name_span.clone());
        let mut attrs: Vec<Attr<'a>> = Vec::new();
        let empty = loop {
            let before = self.pos;
            self.skip_space();
            match self.at(self.pos) {
                Some(b'>') => break false,
                Some(b'/') if self.at(self.pos + 1) == Some(b'>') => {
                    self.pos += 1;
                    break true;
                }
                Some(_) if self.pos == before => return Err(self.expected_gt()),
                Some(_) => {
                    let a = self.attribute(&attrs)?;
                    attrs.push(a);
                }
                None => return Err(self.eof_error("a start tag")),
            }
        };
        self.pos += 1;
        let depth = self.stack.len();
        for a in &attrs {
            if a.name == "xmlns" {
                self.bindings.push((depth + 1, "", a.value.clone()));
            } else if let Some(p) = a.name.strip_prefix("xmlns:") {
                self.bindings.push((depth + 1, p, a.value.clone()));
            }
        }
        let namespace = self.resolve(name, &name_span)?;
        for a in &attrs {
            if a.name.contains(':') && !a.name.starts_with("xmlns:") {
                self.resolve(a.name, &a.name_span)?;
            }
        }
        self.stack.push(Open {
            name,
            name_span: name_span.clone(),
            start,
        });
        if empty {
            self.stack.pop();
            if self.stack.is_empty() {
                self.root_seen = true;
            }
            self.pending_end = Some((name, start..self.pos));
        }
        Ok(Event::Start {
            name,
            name_span,
            namespace,
            attrs,
            span: start..self.pos,
            depth,
        })
    }

    /// The namespace of a qualified name (`None` for no namespace).
    fn resolve(&self, name: &str, span: &Range<usize>) -> Result<Option<Cow<'a, str>>, XmlError> {
        let prefix = name.rsplit_once(':').map_or("", |(p, _)| p);
        if prefix == "xml" {
            return Ok(Some(Cow::Borrowed(XML_NS)));
        }
        match self.bindings.iter().rev().find(|(_, p, _)| *p == prefix) {
            Some((_, _, uri)) if uri.is_empty() => Ok(None),
            Some((_, _, uri)) => Ok(Some(uri.clone())),
            None if prefix.is_empty() => Ok(None),
            None => Err(self.err(
                ErrorKind::Syntax,
                span.clone(),
                format!("namespace prefix `{prefix}` is not declared"),
            )),
        }
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<Event<'a>, XmlError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_event() {
            Ok(Some(e)) => Some(Ok(e)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Check a whole text for well-formedness.
pub fn check(src: &str) -> Result<(), XmlError> {
    Reader::new(src).try_for_each(|e| e.map(drop))
}

fn normalize_newlines(s: &str) -> Cow<'_, str> {
    if s.contains('\r') {
        Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Decode the raw text at `range` of `src`: the five predefined entities,
/// character references, line ends (`\r\n`, `\r` → `\n`) and, in an
/// attribute value, whitespace (`\t \n \r` → space) as XML 1.0 §3.3.3.
fn decode(src: &str, range: Range<usize>, attr: bool) -> Result<Cow<'_, str>, XmlError> {
    let raw = src.get(range.clone()).unwrap_or("");
    let special = |b: u8| b == b'&' || b == b'\r' || (attr && (b == b'\t' || b == b'\n'));
    if !raw.bytes().any(special) {
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '&' => {
                let at = range.start + i;
                let rest = raw.get(i + 1..).unwrap_or("");
                let Some(semi) = rest.find(';').filter(|&s| s <= 32) else {
                    return Err(XmlError::new(
                        ErrorKind::Syntax,
                        at..at + 1,
                        "`&` starts no reference (write `&amp;`)",
                    ));
                };
                let name = rest.get(..semi).unwrap_or("");
                let span = at..at + semi + 2;
                out.push(reference(name, span)?);
                for _ in 0..=semi {
                    chars.next();
                }
            }
            '\r' => {
                if chars.peek().is_some_and(|(_, n)| *n == '\n') {
                    chars.next();
                }
                out.push(if attr { ' ' } else { '\n' });
            }
            '\t' | '\n' if attr => out.push(' '),
            c => out.push(c),
        }
    }
    Ok(Cow::Owned(out))
}

fn reference(name: &str, span: Range<usize>) -> Result<char, XmlError> {
    let bad = |msg: String| XmlError::new(ErrorKind::Syntax, span.clone(), msg);
    let number = if let Some(hex) = name.strip_prefix("#x") {
        Some(
            u32::from_str_radix(hex, 16)
                .ok()
                .filter(|_| !hex.starts_with('+')),
        )
    } else {
        name.strip_prefix('#')
            .map(|dec| dec.parse::<u32>().ok().filter(|_| !dec.starts_with('+')))
    };
    if let Some(n) = number {
        return n
            .and_then(char::from_u32)
            .filter(|c| is_xml_char(*c))
            .ok_or_else(|| bad(format!("`&{name};` is no character XML allows")));
    }
    match name {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        _ => Err(XmlError::new(
            ErrorKind::Entity,
            span,
            format!("entity `&{name};` is not declared (apimlint expands no entities)"),
        )),
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{fffe}' | '\u{ffff}'))
}

#[cfg(test)]
mod tests;
