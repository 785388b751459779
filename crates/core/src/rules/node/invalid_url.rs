//! `invalid-url`: endpoint values that no wiring rule owns parse as URLs with
//! the scheme their key needs.

use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::base::files::FileId;
use crate::catalog;
use crate::config::Config;
use crate::endpoint;
use crate::graph::Node;
use crate::model::{KeyFact, KeyKind, Scalar, display_path};

declare_rule! {
    id: "invalid-url",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: legacy Node(check),
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
    let first = kf.segs.first().map(crate::model::Seg::as_str);
    let last = kf.name.as_str();
    match (first, last) {
        (Some("database" | "datasource[]"), "url") => Some(&["jdbc"]),
        (_, "service_url") => Some(&["https", "http"]),
        _ => None,
    }
}

fn check(_config: &Config, i: FileId, node: &Node, acc: &mut Vec<Diagnostic>) {
    // wiring rules own the URLs that reach other nodes, scheme included
    let mut owned: Vec<Range<usize>> = crate::graph::url_spans(node);
    owned.sort_unstable_by_key(|r| (r.start, r.end));
    for kf in node.facts.keys.iter().flatten() {
        if kf.kind != KeyKind::Value || !is_url_key(&kf.name) || !holds_urls(kf) {
            continue;
        }
        let Some(v) = &kf.value else { continue };
        let mut strings = Vec::new();
        Scalar::strings(v, &mut strings);
        for (s, span) in strings {
            if owned
                .binary_search_by_key(&(span.start, span.end), |r| (r.start, r.end))
                .is_ok()
            {
                continue;
            }
            if let Some(d) = check_url(i, kf, s, span) {
                acc.push(d);
            }
        }
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

fn check_url(file: FileId, kf: &KeyFact, s: &str, span: Range<usize>) -> Option<Diagnostic> {
    let t = s.trim();
    // a relative path is resolved against the node itself
    if t.is_empty()
        || t.starts_with('/')
        || ["$ref{", "$env{", "$sys{", "$secret{"]
            .iter()
            .any(|p| t.starts_with(p))
    {
        return None;
    }
    let shown = display_path(&kf.segs);
    let want = schemes(kf);
    if want == Some(&["jdbc"]) {
        if t.to_ascii_lowercase().starts_with("jdbc:") {
            return None;
        }
        return Some(
            Diagnostic::new(
                &RULE,
                file,
                span,
                format!("`{shown}` is not a JDBC URL: WSO2 cannot open the database"),
            )
            .help("write it as `jdbc:<driver>://host:port/database`, e.g. `jdbc:mysql://db.example.com:3306/WSO2AM_DB`")
            .key(kf.path(), None),
        );
    }
    let reason = match endpoint::parse(t) {
        Ok(ep) => match want {
            Some(schemes) if !schemes.contains(&ep.scheme.as_str()) => {
                format!(
                    "its scheme is `{}`; this key needs {}",
                    ep.scheme,
                    schemes
                        .iter()
                        .map(|s| format!("`{s}://`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                )
            }
            _ => return None,
        },
        Err(e) if e.contains("no scheme") => "it has no scheme".to_owned(),
        Err(e) if e.contains("no host") => "it has no host".to_owned(),
        Err(e) if e.contains("port") => "its port is not a number".to_owned(),
        Err(_) => "it does not parse as a URL".to_owned(),
    };
    Some(
        Diagnostic::new(
            &RULE,
            file,
            span,
            format!("`{shown}` is not a valid URL: {reason}"),
        )
        .help(match want {
            Some(s) => format!(
                "write it as `{}://host:port/path`",
                s.first().unwrap_or(&"https")
            ),
            None => "write it as `scheme://host:port/path`".to_owned(),
        })
        .key(kf.path(), None),
    )
}
