//! Parsing a node file with toml_edit, keeping spans. Never fails: a syntax
//! error is data, with the exact range.

use std::ops::Range;

use toml_edit::Document;

/// A parsed node file: the document when it parses, else the error.
#[derive(Debug)]
pub struct Parsed {
    pub doc: Option<Document<String>>,
    pub error: Option<SyntaxError>,
}

/// A syntax error at a byte range of the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Range<usize>,
    pub message: String,
    /// For a duplicated table or key: where it was first defined.
    pub first_definition: Option<Range<usize>>,
}

/// Parse `text`. A leading byte-order mark is blanked (same length, so every
/// span still indexes the original text).
pub fn parse(text: &str) -> Parsed {
    let src = match text.strip_prefix('\u{feff}') {
        Some(rest) => format!("   {rest}"),
        None => text.to_owned(),
    };
    match Document::parse(src) {
        Ok(doc) => Parsed {
            doc: Some(doc),
            error: None,
        },
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let span = crate::base::text::clamp_range(text, span);
            let message = e.message().trim().to_owned();
            let first_definition = if message.starts_with("duplicate key") {
                first_definition(text, &span)
            } else {
                None
            };
            Parsed {
                doc: None,
                error: Some(SyntaxError {
                    span,
                    message,
                    first_definition,
                }),
            }
        }
    }
}

/// For a duplicate `[table]` header, the earlier identical header line.
fn first_definition(text: &str, dup: &Range<usize>) -> Option<Range<usize>> {
    let line_start = text.get(..dup.start)?.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text
        .get(dup.start..)?
        .find('\n')
        .map_or(text.len(), |i| dup.start + i);
    let line = text.get(line_start..line_end)?;
    let header = strip_comment(line).trim();
    let key_of = |l: &str| -> Option<String> {
        let l = strip_comment(l).trim();
        if l.starts_with('[') {
            return Some(l.replace(' ', ""));
        }
        l.split_once('=').map(|(k, _)| k.trim().to_owned())
    };
    let wanted = key_of(header)?;
    let mut offset = 0;
    for l in text.get(..line_start)?.split_inclusive('\n') {
        let is_header = strip_comment(l).trim_start().starts_with('[');
        if (is_header || !header.starts_with('[')) && key_of(l).as_deref() == Some(wanted.as_str())
        {
            let lead = l.len() - l.trim_start().len();
            let body = strip_comment(l).trim();
            return Some(offset + lead..offset + lead + body.len());
        }
        offset += l.len();
    }
    None
}

fn strip_comment(line: &str) -> &str {
    // good enough for header lines: `#` inside a quoted key is rare
    line.split('#').next().unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_table_points_at_both() {
        let text = "[apim.key_manager]\ntype = \"x\"\n\n[apim.key_manager]\ntype = \"y\"\n";
        let p = parse(text);
        let e = p.error.unwrap_or_else(|| SyntaxError {
            span: 0..0,
            message: String::new(),
            first_definition: None,
        });
        assert_eq!(e.message, "duplicate key");
        assert_eq!(text.get(e.span.clone()), Some("key_manager"));
        assert_eq!(e.first_definition, Some(0..18));
    }

    #[test]
    fn bom_keeps_offsets() {
        let text = "\u{feff}[server]\nhostname = \"a\"\n";
        let p = parse(text);
        let doc = p.doc.as_ref();
        let span = doc
            .and_then(|d| d.get("server"))
            .and_then(|s| s.get("hostname"))
            .and_then(|h| h.span());
        assert_eq!(span.and_then(|s| text.get(s)), Some("\"a\""));
    }
}

/// Syntax that TOML 1.1 allows (and toml_edit accepts) but WSO2's older TOML
/// parser rejects: a newline or trailing comma inside an inline table, the
/// `\e` and `\xHH` escapes, times without seconds. Scanned on the raw text of
/// a file that parses, so every range is exact.
pub(crate) fn legacy_syntax(text: &str) -> Vec<SyntaxError> {
    if !may_hold_legacy(text.as_bytes()) {
        return Vec::new();
    }
    let mut lx = Legacy {
        b: text.as_bytes(),
        i: 0,
        out: Vec::new(),
    };
    lx.document();
    lx.out
}

/// Whether `b` holds what every finding of the scan needs: an inline
/// table's `{` (never written right after a letter, digit, `_` or `$`, as
/// the `{` of `$secret{…}` is), an escape's `\\`, or `DD:DD` (a time).
/// Most files hold none, and are answered without the scan.
fn may_hold_legacy(b: &[u8]) -> bool {
    if memchr::memchr(b'\\', b).is_some() {
        return true;
    }
    let word = |k: usize| {
        b.get(k)
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$'))
    };
    if memchr::memchr_iter(b'{', b).any(|i| i == 0 || !word(i - 1)) {
        return true;
    }
    let digit = |k: usize| b.get(k).is_some_and(u8::is_ascii_digit);
    memchr::memchr_iter(b':', b)
        .any(|i| i >= 2 && digit(i - 2) && digit(i - 1) && digit(i + 1) && digit(i + 2))
}

struct Legacy<'a> {
    b: &'a [u8],
    i: usize,
    out: Vec<SyntaxError>,
}

impl Legacy<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn at(&self, s: &str) -> bool {
        self.b
            .get(self.i..)
            .is_some_and(|r| r.starts_with(s.as_bytes()))
    }

    fn report(&mut self, span: Range<usize>, what: &str) {
        self.out.push(SyntaxError {
            span,
            message: format!("WSO2's TOML parser rejects this: {what}"),
            first_definition: None,
        });
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.peek() {
            self.i += 1;
            if c == b'\n' {
                break;
            }
        }
    }

    fn skip_blank(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn document(&mut self) {
        while self.i < self.b.len() {
            self.skip_blank();
            match self.peek() {
                None => break,
                Some(b'\n' | b'\r') => self.i += 1,
                Some(b'#') => self.skip_line(),
                Some(b'[') => self.header(),
                Some(_) => {
                    self.key();
                    self.skip_blank();
                    if self.peek() == Some(b'=') {
                        self.i += 1;
                        self.skip_blank();
                        self.value();
                    }
                    self.skip_line();
                }
            }
        }
    }

    fn header(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                b'"' | b'\'' => self.string(),
                b'\n' => break,
                b']' => {
                    self.i += 1;
                    if self.peek() == Some(b']') {
                        self.i += 1;
                    }
                    break;
                }
                _ => self.i += 1,
            }
        }
        self.skip_line();
    }

    /// A (possibly dotted, possibly quoted) key, up to `=`.
    fn key(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                b'"' | b'\'' => self.string(),
                b'=' | b'\n' | b'}' | b',' => break,
                _ => self.i += 1,
            }
        }
    }

    fn value(&mut self) {
        match self.peek() {
            Some(b'"' | b'\'') => self.string(),
            Some(b'[') => self.array(),
            Some(b'{') => self.inline_table(),
            Some(_) => self.bare(),
            None => {}
        }
    }

    /// Whitespace, newlines and comments (allowed between array elements).
    fn skip_ws_nl(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.i += 1,
                Some(b'#') => self.skip_line(),
                _ => break,
            }
        }
    }

    fn array(&mut self) {
        self.i += 1;
        loop {
            self.skip_ws_nl();
            match self.peek() {
                None => return,
                Some(b']') => {
                    self.i += 1;
                    return;
                }
                Some(b',') => self.i += 1,
                Some(_) => {
                    let before = self.i;
                    self.value();
                    if self.i == before {
                        self.i += 1;
                    }
                }
            }
        }
    }

    fn inline_table(&mut self) {
        self.i += 1;
        let mut last_comma: Option<usize> = None;
        loop {
            // TOML 1.0: only spaces and tabs inside an inline table
            loop {
                match self.peek() {
                    Some(b' ' | b'\t') => self.i += 1,
                    Some(b'\r' | b'\n') => {
                        let at = self.i;
                        self.report(at..at + 1, "a line break inside an inline table");
                        self.i += 1;
                    }
                    Some(b'#') => {
                        let at = self.i;
                        self.skip_line();
                        let end = self.i.saturating_sub(1).max(at + 1);
                        self.report(at..end, "a comment inside an inline table");
                    }
                    _ => break,
                }
            }
            match self.peek() {
                None => return,
                Some(b'}') => {
                    if let Some(c) = last_comma {
                        self.report(c..c + 1, "a trailing comma in an inline table");
                    }
                    self.i += 1;
                    return;
                }
                Some(b',') => {
                    last_comma = Some(self.i);
                    self.i += 1;
                }
                Some(_) => {
                    last_comma = None;
                    let before = self.i;
                    self.key();
                    if self.peek() == Some(b'=') {
                        self.i += 1;
                        self.skip_blank();
                        self.value();
                    }
                    if self.i == before {
                        self.i += 1;
                    }
                }
            }
        }
    }

    fn string(&mut self) {
        let Some(q) = self.peek() else { return };
        let triple = if q == b'"' {
            self.at("\"\"\"")
        } else {
            self.at("'''")
        };
        let basic = q == b'"';
        self.i += if triple { 3 } else { 1 };
        while let Some(c) = self.peek() {
            if basic && c == b'\\' {
                let at = self.i;
                match self.b.get(at + 1) {
                    Some(b'e') => {
                        self.report(at..at + 2, "the `\\e` escape (write `\\u001B`)");
                    }
                    Some(b'x') => {
                        let end = (at + 4).min(self.b.len());
                        self.report(at..end, "the `\\xHH` escape (write `\\u00HH`)");
                    }
                    _ => {}
                }
                self.i += 2;
                continue;
            }
            if c == q {
                if !triple {
                    self.i += 1;
                    return;
                }
                let closing = if basic { "\"\"\"" } else { "'''" };
                if self.at(closing) {
                    self.i += 3;
                    // up to two more quotes belong to the content
                    while self.peek() == Some(q) {
                        self.i += 1;
                    }
                    return;
                }
            }
            if c == b'\n' && !triple {
                return;
            }
            self.i += 1;
        }
    }

    /// A number, boolean or date-time; reports `HH:MM` times without seconds.
    fn bare(&mut self) {
        let start = self.i;
        while let Some(c) = self.peek() {
            if matches!(c, b',' | b']' | b'}' | b'#' | b'\n' | b'\r') {
                break;
            }
            self.i += 1;
        }
        let token = self.b.get(start..self.i).unwrap_or(&[]);
        if !token.first().is_some_and(u8::is_ascii_digit) {
            return;
        }
        let digit = |k: usize| token.get(k).is_some_and(u8::is_ascii_digit);
        let mut k = 0;
        while k + 5 <= token.len() {
            let hhmm = digit(k)
                && digit(k + 1)
                && token.get(k + 2) == Some(&b':')
                && digit(k + 3)
                && digit(k + 4);
            let starts = k == 0 || matches!(token.get(k - 1), Some(b'T' | b't' | b' '));
            if hhmm && starts {
                if token.get(k + 5) != Some(&b':') {
                    self.report(
                        start + k..start + k + 5,
                        "a time without seconds (write `HH:MM:SS`)",
                    );
                }
                k += 5;
            } else {
                k += 1;
            }
        }
    }
}

#[cfg(test)]
mod legacy_tests {
    use super::*;

    fn spans(text: &str) -> Vec<&str> {
        legacy_syntax(text)
            .iter()
            .filter_map(|e| text.get(e.span.clone()))
            .collect()
    }

    #[test]
    fn toml_1_1_only_syntax_is_found_with_exact_ranges() {
        let text = "a = { x = 1,\n y = 2 }\nb = { x = 1, }\nc = \"esc\\e and \\x41\"\nd = 07:32\ne = 1979-05-27T07:32Z\nf = 1979-05-27T07:32:00Z\ng = \"07:32\"\n[t]\nh = [\n 1,\n 2,\n]\n";
        assert!(
            crate::syntax::parse(text).doc.is_some(),
            "toml_edit accepts TOML 1.1"
        );
        assert_eq!(
            spans(text),
            vec!["\n", ",", "\\e", "\\x41", "07:32", "07:32"]
        );
    }

    #[test]
    fn each_finding_alone_passes_the_prefilter() {
        // one file per kind of finding, with no other `{`, `\\` or time
        for (text, found) in [
            ("a = {x = 1,\n y = 2}\n", "\n"),
            ("a = [\n# c\n{x = 1,}]\n", ","),
            ("a = [ # c\n{x = 1 # c\n}]\n", "# c"),
            ("a = \"\\e\"\n", "\\e"),
            ("a = \"\\x41\"\n", "\\x41"),
            ("a = 07:32\n", "07:32"),
        ] {
            assert!(may_hold_legacy(text.as_bytes()), "{text:?}");
            assert!(spans(text).contains(&found), "{text:?}: {:?}", spans(text));
        }
        // a placeholder's `{`, a URL's port: no scan, nothing to find
        let quiet = "p = \"$secret{admin}\"\nu = \"https://gw.example.com:9443/x\"\n";
        assert!(!may_hold_legacy(quiet.as_bytes()));
        assert!(legacy_syntax(quiet).is_empty());
    }

    #[test]
    fn toml_1_0_is_quiet() {
        let text = "# c\n[a.\"b.c\"]\nx = { y = [1, 2], z = \"}\" }\nm = \"\"\"\nline \\\\e\n\"\"\"\nn = 'C:\\x'\nt = 07:32:00\n";
        assert!(legacy_syntax(text).is_empty(), "{:?}", legacy_syntax(text));
    }
}
