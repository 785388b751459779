//! `invalid-url`: endpoint values that no wiring rule owns parse as URLs with
//! the scheme their key needs. The model parses them from the node's key
//! facts (`model::url_strings`); the rule reads what the parse found.

use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::model::{UrlCheck, UrlError, UrlValue, url_strings};
use crate::rules::{NodeCx, NodeRule};

declare_rule! {
    id: "invalid-url",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Node(InvalidUrl),
}

pub(crate) struct InvalidUrl;

impl NodeRule for InvalidUrl {
    /// A URL value whose parse found something wrong.
    type State<'a> = UrlValue;

    fn run(cx: &NodeCx<'_>) -> Vec<UrlValue> {
        let Some(keys) = cx.node.facts.keys.as_deref() else {
            return Vec::new();
        };
        // wiring rules own the URLs that reach other nodes, scheme included
        let mut owned: Vec<Range<usize>> = crate::graph::url_spans(cx.node);
        owned.sort_unstable_by_key(|r| (r.start, r.end));
        url_strings(keys)
            .into_iter()
            .filter(|u| {
                owned
                    .binary_search_by_key(&(u.span.start, u.span.end), |r| (r.start, r.end))
                    .is_err()
            })
            .filter_map(|u| {
                let check = u.check();
                let bad = match &check {
                    UrlCheck::Skipped | UrlCheck::Jdbc { ok: true } => false,
                    UrlCheck::Jdbc { ok: false } => true,
                    UrlCheck::Url { schemes, parsed } => match parsed {
                        Ok(scheme) => schemes.is_some_and(|s| !s.contains(&scheme.as_str())),
                        Err(_) => true,
                    },
                };
                bad.then(|| UrlValue::new(u.kf, u.span, check))
            })
            .collect()
    }

    fn diagnostic(cx: &NodeCx<'_>, u: &UrlValue) -> Diagnostic {
        let shown = &u.shown;
        let UrlCheck::Url { schemes, parsed } = &u.check else {
            return Diagnostic::new(
                &RULE,
                cx.file,
                u.span.clone(),
                format!("`{shown}` is not a JDBC URL: WSO2 cannot open the database"),
            )
            .help("write it as `jdbc:<driver>://host:port/database`, e.g. `jdbc:mysql://db.example.com:3306/WSO2AM_DB`")
            .key(u.key.clone(), None);
        };
        let reason = match (parsed, schemes) {
            (Ok(scheme), Some(schemes)) => format!(
                "its scheme is `{scheme}`; this key needs {}",
                schemes
                    .iter()
                    .map(|s| format!("`{s}://`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            (Err(UrlError::NoScheme), _) => "it has no scheme".to_owned(),
            (Err(UrlError::NoHost), _) => "it has no host".to_owned(),
            (Err(UrlError::BadPort), _) => "its port is not a number".to_owned(),
            (Err(UrlError::Unparsable), _) | (Ok(_), None) => {
                "it does not parse as a URL".to_owned()
            }
        };
        Diagnostic::new(
            &RULE,
            cx.file,
            u.span.clone(),
            format!("`{shown}` is not a valid URL: {reason}"),
        )
        .help(match schemes {
            Some(s) => format!(
                "write it as `{}://host:port/path`",
                s.first().unwrap_or(&"https")
            ),
            None => "write it as `scheme://host:port/path`".to_owned(),
        })
        .key(u.key.clone(), None)
    }
}
