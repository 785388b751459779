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
            let span = crate::text::clamp_range(text, span);
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
