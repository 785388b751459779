//! `$ref{}`, `$secret{}`, `$env{}`, `$sys{}` and `${}` inside values.

use std::ops::Range;

/// The placeholder syntaxes WSO2 resolves: `$ref{}`, `$secret{}`, `$env{}`
/// and `$sys{}` while it reads the file at startup (a missing target aborts
/// the start), `${…}` at runtime (`docs/wso2-facts.md`, *Placeholders*).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlaceholderKind {
    /// `$ref{a.b}`: another key of the file or of WSO2's defaults.
    Ref,
    /// `$secret{alias}`: an alias of `[secrets]`.
    Secret,
    /// `$env{NAME}`.
    Env,
    /// `$sys{name}`.
    Sys,
    /// `${carbon.placeholder}`: resolved by Carbon at runtime.
    Carbon,
}

/// One placeholder inside a string literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placeholder {
    pub kind: PlaceholderKind,
    pub name: String,
    /// The whole `$ref{…}` in the file.
    pub range: Range<usize>,
    /// The name inside the braces, in the file.
    pub name_range: Range<usize>,
}

/// The placeholders written inside the literal at `literal` of `file_text`
/// (scanned on the raw text, so every range is exact).
pub(crate) fn placeholders(file_text: &str, literal: &Range<usize>) -> Vec<Placeholder> {
    let mut out = Vec::new();
    let Some(raw) = file_text.get(literal.clone()) else {
        return out;
    };
    const OPENERS: [(&str, PlaceholderKind); 5] = [
        ("$ref{", PlaceholderKind::Ref),
        ("$secret{", PlaceholderKind::Secret),
        ("$env{", PlaceholderKind::Env),
        ("$sys{", PlaceholderKind::Sys),
        ("${", PlaceholderKind::Carbon),
    ];
    let mut i = 0;
    while let Some(rel) = raw.get(i..).and_then(|r| r.find('$')) {
        let at = i + rel;
        let rest = raw.get(at..).unwrap_or("");
        let found = OPENERS.iter().find(|(o, _)| rest.starts_with(o));
        let Some((opener, kind)) = found else {
            i = at + 1;
            continue;
        };
        let name_start = at + opener.len();
        let Some(close) = raw.get(name_start..).and_then(|r| r.find('}')) else {
            break;
        };
        let name_end = name_start + close;
        out.push(Placeholder {
            kind: *kind,
            name: raw
                .get(name_start..name_end)
                .unwrap_or("")
                .trim()
                .to_owned(),
            range: literal.start + at..literal.start + name_end + 1,
            name_range: literal.start + name_start..literal.start + name_end,
        });
        i = name_end + 1;
    }
    out
}

/// Whether a value is, or holds, a placeholder that WSO2 or Carbon resolves:
/// such values cannot be checked as written.
pub(crate) fn holds_placeholder(value: &str) -> bool {
    let b = value.as_bytes();
    memchr::memchr_iter(b'$', b).any(|i| {
        b.get(i + 1..).is_some_and(|rest| {
            [&b"ref{"[..], b"secret{", b"env{", b"sys{", b"{"]
                .iter()
                .any(|p| rest.starts_with(p))
        })
    })
}
