//! Secrets never reach output: before anything is rendered each file's text
//! is redacted, every secret-bearing value replaced by `*` of the same byte
//! length so that offsets stay valid.

use std::ops::Range;

use toml_edit::{Document, Item, Value};

const SECRET_WORDS: [&str; 6] = [
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "private_key",
];

/// Whether the last segment of a key names a secret.
pub fn is_secret_key(key: &str) -> bool {
    // ASCII case-insensitive `contains`, without allocating (runs for every key)
    let k = key.as_bytes();
    SECRET_WORDS.iter().any(|w| {
        k.windows(w.len())
            .any(|win| win.eq_ignore_ascii_case(w.as_bytes()))
    })
}

/// Whether a whole table holds secrets (`[secrets]`, `[runtime_secrets]`).
pub(crate) fn is_secret_table(path: &[&str]) -> bool {
    matches!(path.first(), Some(&"secrets") | Some(&"runtime_secrets"))
}

/// A value that is only a reference (`$secret{a}`, `$env{X}`, `${admin.password}`…)
/// carries no secret itself and stays readable.
pub(crate) fn is_reference(value: &str) -> bool {
    let v = value.trim();
    ["$secret{", "$env{", "$sys{", "$ref{", "${"]
        .iter()
        .any(|p| v.starts_with(p))
        && v.ends_with('}')
        && v.matches('}').count() == 1
}

/// The byte ranges of secret values in `text` (parsed as `doc` when it parses).
pub fn secret_ranges(text: &str, doc: Option<&Document<String>>) -> Vec<Range<usize>> {
    let mut acc = Vec::new();
    match doc {
        Some(doc) => walk_item(text, doc.as_item(), true, false, &mut acc),
        None => line_fallback(text, &mut acc),
    }
    url_credentials(text, &mut acc);
    acc
}

/// `text` with every secret replaced by `*` (same length).
pub fn redact(text: &str, ranges: &[Range<usize>]) -> String {
    if ranges.is_empty() {
        return text.to_owned();
    }
    let mut bytes = text.as_bytes().to_vec();
    for r in ranges {
        let start = crate::base::text::floor_char_boundary(text, r.start);
        let mut end = r.end.min(text.len());
        while end < text.len() && !text.is_char_boundary(end) {
            end += 1;
        }
        for b in bytes.iter_mut().take(end).skip(start) {
            *b = b'*';
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|_| "*".repeat(text.len()))
}

/// `top`: `item` is the document (its keys are top-level tables); a secret
/// table is known by its first segment, and everything below it inherits `secret`.
fn walk_item(text: &str, item: &Item, top: bool, secret: bool, acc: &mut Vec<Range<usize>>) {
    match item {
        Item::Table(t) => {
            for (k, v) in t.iter() {
                // only the last segment counts: `[apim.cache.gateway_token] enable` is no secret
                let leaf = !matches!(v, Item::Table(_) | Item::ArrayOfTables(_));
                let s = secret || (top && is_secret_table(&[k])) || (leaf && is_secret_key(k));
                walk_item(text, v, false, s, acc);
            }
        }
        Item::ArrayOfTables(a) => {
            for t in a.iter() {
                for (k, v) in t.iter() {
                    let leaf = !matches!(v, Item::Table(_) | Item::ArrayOfTables(_));
                    walk_item(text, v, false, secret || (leaf && is_secret_key(k)), acc);
                }
            }
        }
        Item::Value(v) => walk_value(text, v, secret, acc),
        Item::None => {}
    }
}

fn walk_value(text: &str, v: &Value, secret: bool, acc: &mut Vec<Range<usize>>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| walk_value(text, x, secret, acc)),
        Value::InlineTable(t) => {
            for (k, x) in t.iter() {
                let leaf = !matches!(x, Value::InlineTable(_));
                walk_value(text, x, secret || (leaf && is_secret_key(k)), acc);
            }
        }
        Value::String(s) if secret => {
            if is_reference(s.value()) {
                return;
            }
            if let Some(span) = v.span() {
                acc.push(inner(text, span));
            }
        }
        // a boolean is never a secret (`show_as_token_endpoint_url = true`)
        Value::Boolean(_) => {}
        _ if secret => {
            if let Some(span) = v.span() {
                acc.push(span);
            }
        }
        _ => {}
    }
}

/// The content of a string literal without its quotes.
fn inner(text: &str, span: Range<usize>) -> Range<usize> {
    let raw = text.get(span.clone()).unwrap_or("");
    let q = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        3
    } else if raw.starts_with(['"', '\'']) {
        1
    } else {
        0
    };
    if raw.len() >= 2 * q {
        span.start + q..span.end - q
    } else {
        span
    }
}

/// For files that do not parse: `key = value` lines with a secret key, and
/// every value inside `[secrets]`/`[runtime_secrets]`.
fn line_fallback(text: &str, acc: &mut Vec<Range<usize>>) {
    let mut in_secrets = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            let name = trimmed
                .trim_start_matches('[')
                .split([']', '.'])
                .next()
                .unwrap_or("")
                .trim();
            in_secrets = name == "secrets" || name == "runtime_secrets";
        } else if let Some(eq) = line.find('=') {
            let key = line.get(..eq).unwrap_or("").trim();
            let last = key
                .rsplit('.')
                .next()
                .unwrap_or(key)
                .trim_matches(['"', '\'', ' ']);
            let value = line.get(eq + 1..).unwrap_or("");
            if (in_secrets
                || is_secret_key(last)
                || value.to_ascii_lowercase().contains("password"))
                && !key.starts_with('#')
            {
                let v = value.trim();
                let unquoted = v.trim_matches(['"', '\'']);
                if !is_reference(unquoted) {
                    let start = offset + eq + 1 + (value.len() - value.trim_start().len());
                    acc.push(start..start + v.len());
                }
            }
        }
        offset += line.len();
    }
}

/// The user-info of `scheme://user:pass@host` and `password=…` parameters
/// anywhere in the text (JDBC URLs, AMQP URLs in values and comments).
fn url_credentials(text: &str, acc: &mut Vec<Range<usize>>) {
    let stop = |c: char| matches!(c, '/' | '"' | '\'' | '\n' | ' ' | '\t' | '?' | ',' | ']');
    let mut from = 0;
    while let Some(i) = text.get(from..).and_then(|s| s.find("://")) {
        let start = from + i + 3;
        let rest = text.get(start..).unwrap_or("");
        let end = rest.find(stop).unwrap_or(rest.len());
        if let Some(at) = rest.get(..end).and_then(|a| a.rfind('@')) {
            acc.push(start..start + at);
        }
        from = start;
    }
    // `password=`, `pwd=`, `passwd=` in any case: one pass over the `=` signs
    // rather than a lower-cased copy of the file searched three times
    let mut found: [Vec<Range<usize>>; 3] = Default::default();
    let bytes = text.as_bytes();
    for eq in memchr::memchr_iter(b'=', bytes) {
        let ends_with = |w: &str| {
            eq.checked_sub(w.len())
                .and_then(|s| bytes.get(s..eq))
                .is_some_and(|b| b.eq_ignore_ascii_case(w.as_bytes()))
        };
        let Some(slot) = ["password", "pwd", "passwd"]
            .iter()
            .position(|w| ends_with(w))
            .and_then(|i| found.get_mut(i))
        else {
            continue;
        };
        let start = eq + 1;
        let rest = text.get(start..).unwrap_or("");
        let end = rest
            .find([';', '&', '"', '\'', '\n', ' ', ')'])
            .unwrap_or(rest.len());
        slot.push(start..start + end);
    }
    acc.extend(found.into_iter().flatten());
}

/// Any text, parsed and redacted: for texts that are no node's (yet), such as
/// the result of a fix shown by `--diff`.
pub fn redact_text(text: &str) -> String {
    let parsed = crate::syntax::parse(text);
    redact(text, &secret_ranges(text, parsed.doc.as_ref()))
}

/// A single value with URL credentials (`user:pass@`, `password=…`)
/// starred out: what fingerprints hash, so a baseline never holds a
/// reversible hash of a password.
pub(crate) fn redact_value(value: &str) -> String {
    let mut acc = Vec::new();
    url_credentials(value, &mut acc);
    redact(value, &acc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn red(text: &str) -> String {
        let p = crate::syntax::parse(text);
        redact(text, &secret_ranges(text, p.doc.as_ref()))
    }

    #[test]
    fn secrets_are_starred_with_same_length() {
        let text = "[super_admin]\nusername = \"admin\"\npassword = \"s3cr3t\"\n[database.apim_db]\nurl = \"jdbc:mysql://u:pw@db:3306/x?password=abc&x=1\"\npassword = \"$secret{db}\"\n[secrets]\ndb = \"cipher==\"\n";
        let out = red(text);
        assert_eq!(out.len(), text.len());
        assert!(
            !out.contains("s3cr3t")
                && !out.contains("cipher")
                && !out.contains("u:pw")
                && !out.contains("abc")
        );
        assert!(out.contains("$secret{db}") && out.contains("\"admin\""));
    }

    #[test]
    fn unparsable_files_are_redacted_too() {
        let text = "[super_admin]\npassword = \"s3cr3t\"\n[broken\n";
        assert!(!red(text).contains("s3cr3t"));
    }
}
