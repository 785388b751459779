//! The URL values of keys that no other node is reached through: database
//! URLs, `service_url`s of third-party key managers, callback URLs… parsed
//! here from a node's key facts when `invalid-url` runs. (The URLs
//! that reach other nodes are the graph's edges: `model::URL_KEYS`.)

use std::ops::Range;

use super::keys::{KeyFact, KeyKind, Scalar, display_path};
use crate::catalog;
use crate::endpoint;

/// One string of a URL-holding key, and what its parse found.
#[derive(Debug, Clone)]
pub(crate) struct UrlValue {
    /// The key's dotted catalog path (the finding's key).
    pub key: String,
    /// The key as the user writes it (for messages).
    pub shown: String,
    /// The string literal.
    pub span: Range<usize>,
    pub check: UrlCheck,
}

/// What a URL value is, by its key and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UrlCheck {
    /// A placeholder, or a path resolved against the node itself: nothing
    /// to check.
    Skipped,
    /// A `[database.*]`/`[[datasource]]` `url`: a JDBC URL, or not.
    Jdbc { ok: bool },
    /// Any other URL, with the schemes its key accepts (`None`: any).
    Url {
        schemes: Option<&'static [&'static str]>,
        parsed: Result<String, UrlError>,
    },
}

/// Why a URL does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UrlError {
    NoScheme,
    NoHost,
    BadPort,
    Unparsable,
}

/// Whether a key holds endpoint URLs (by its name).
/// Without allocating: it runs for every key of every node.
fn is_url_key(name: &str) -> bool {
    ["url", "urls", "endpoint", "endpoints"].iter().any(|s| {
        let Some(cut) = name.len().checked_sub(s.len()) else {
            return false;
        };
        let (head, tail) = (name.get(..cut), name.get(cut..));
        tail.is_some_and(|t| t.eq_ignore_ascii_case(s))
            && head.is_some_and(|h| h.is_empty() || h.ends_with('_'))
    })
}

/// The schemes a key accepts; `None`: any scheme.
fn schemes(kf: &KeyFact) -> Option<&'static [&'static str]> {
    let first = kf.segs.first().map(super::Seg::as_str);
    let last = kf.name.as_str();
    match (first, last) {
        (Some("database" | "datasource[]"), "url") => Some(&["jdbc"]),
        (_, "service_url") => Some(&["https", "http"]),
        _ => None,
    }
}

/// Whether the catalog says the key holds absolute URLs: not a switch
/// (`display_url`), not a path or a pattern (`login_url = "/authenticationendpoint/login.do"`).
fn holds_urls(kf: &KeyFact) -> bool {
    let Some(e) = kf.entry() else {
        return true;
    };
    if e.ty == catalog::Ty::Boolean {
        return false;
    }
    e.default.is_none_or(|d| {
        let d = d.trim_start_matches(['[', '"']);
        d.is_empty() || d.contains("://") || d.starts_with("$ref{") || d.starts_with("jdbc:")
    })
}

/// What the parse of one URL string finds.
fn check(schemes: Option<&'static [&'static str]>, s: &str) -> UrlCheck {
    let t = s.trim();
    // a relative path is resolved against the node itself
    if t.is_empty()
        || t.starts_with('/')
        || ["$ref{", "$env{", "$sys{", "$secret{"]
            .iter()
            .any(|p| t.starts_with(p))
    {
        return UrlCheck::Skipped;
    }
    if schemes == Some(&["jdbc"]) {
        return UrlCheck::Jdbc {
            ok: t.to_ascii_lowercase().starts_with("jdbc:"),
        };
    }
    let parsed = match endpoint::parse(t) {
        Ok(ep) => Ok(ep.scheme),
        Err(e) if e.contains("no scheme") => Err(UrlError::NoScheme),
        Err(e) if e.contains("no host") => Err(UrlError::NoHost),
        Err(e) if e.contains("port") => Err(UrlError::BadPort),
        Err(_) => Err(UrlError::Unparsable),
    };
    UrlCheck::Url { schemes, parsed }
}

/// Every string value of a URL-holding key of the file (`invalid-url` asks
/// as it runs; nothing of it is kept with the node): parse one with
/// [`UrlString::check`].
pub(crate) fn url_strings(keys: &[KeyFact]) -> Vec<UrlString<'_>> {
    let mut out = Vec::new();
    let mut strings = Vec::new();
    for kf in keys {
        if kf.kind != KeyKind::Value || !is_url_key(&kf.name) || !holds_urls(kf) {
            continue;
        }
        let Some(v) = &kf.value else { continue };
        strings.clear();
        Scalar::strings(v, &mut strings);
        let schemes = schemes(kf);
        out.extend(strings.iter().map(|(text, span)| UrlString {
            kf,
            text,
            span: span.clone(),
            schemes,
        }));
    }
    out
}

/// One string of a URL-holding key, not parsed yet.
pub(crate) struct UrlString<'a> {
    pub kf: &'a KeyFact,
    text: &'a str,
    /// The string literal.
    pub span: Range<usize>,
    schemes: Option<&'static [&'static str]>,
}

impl UrlString<'_> {
    /// What the parse of the string finds.
    pub(crate) fn check(&self) -> UrlCheck {
        check(self.schemes, self.text)
    }
}

impl UrlValue {
    /// A URL value of `kf` whose parse found something to report.
    pub(crate) fn new(kf: &KeyFact, span: Range<usize>, check: UrlCheck) -> UrlValue {
        UrlValue {
            key: kf.path(),
            shown: display_path(&kf.segs),
            span,
            check,
        }
    }
}
