//! `toml-syntax`: the file parses (duplicate keys and tables included).

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit, Fix};
use crate::rules::{NodeCx, NodeRule};
use crate::syntax::SyntaxError;

declare_rule! {
    id: "toml-syntax",
    severity: Error,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: Node(TomlSyntax),
}

pub(crate) struct TomlSyntax;

pub(crate) enum State<'a> {
    /// TOML 1.1 syntax toml_edit accepts and WSO2's older parser does not.
    Legacy(SyntaxError),
    /// The file does not parse.
    Invalid(&'a SyntaxError),
    /// An unrendered Helm template (`{{ .Values.x }}` at this offset):
    /// said instead of its syntax errors.
    Template(usize),
}

impl NodeRule for TomlSyntax {
    type State<'a> = State<'a>;

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<State<'a>> {
        let node = cx.node;
        if let Some(at) = crate::base::text::template_action(&node.text) {
            return vec![State::Template(at)];
        }
        let mut out = Vec::new();
        if node.is_analysable() {
            out.extend(
                crate::syntax::legacy_syntax(&node.text)
                    .into_iter()
                    .map(State::Legacy),
            );
        }
        out.extend(node.syntax_error().map(State::Invalid));
        out
    }

    fn diagnostic(cx: &NodeCx<'_>, s: &State<'_>) -> Diagnostic {
        let (node, i) = (cx.node, cx.file);
        let err = match s {
            State::Legacy(err) => {
                return Diagnostic::new(&RULE, i, err.span.clone(), err.message.clone())
                    .help("WSO2 refuses to start on it (\"Error parsing deployment configuration\"); write it in TOML 1.0")
                    .key("", Some(&err.message));
            }
            State::Invalid(err) => err,
            State::Template(at) => {
                let end = node
                    .text
                    .get(*at..)
                    .and_then(|t| t.find("}}"))
                    .map_or(*at, |e| at + e + 2);
                return Diagnostic::new(
                    &RULE,
                    i,
                    *at..end,
                    "a Helm template, not a rendered deployment.toml: WSO2 reads what the chart renders",
                )
                .help(crate::base::text::TEMPLATE_HELP)
                .key("", Some("helm-template"));
            }
        };
        let what = node
            .text
            .get(err.span.clone())
            .filter(|s| !s.is_empty() && s.len() < 80);
        let d = match (&err.first_definition, what) {
            (Some(first), Some(key)) => {
                let header = node.redacted().get(first.clone()).unwrap_or(key);
                Diagnostic::new(
                    &RULE,
                    i,
                    err.span.clone(),
                    format!("duplicate key `{key}`: `{header}` is defined twice"),
                )
                .related(i, first.clone(), "first defined here")
                .help("WSO2 refuses to start on a duplicate table; merge the two definitions into one")
            }
            _ => Diagnostic::new(
                &RULE,
                i,
                err.span.clone(),
                format!("invalid TOML: {}", err.message),
            )
            .help("WSO2 refuses to start when deployment.toml does not parse"),
        };
        d.key("", Some(&err.message))
    }

    fn action(cx: &NodeCx<'_>, s: &State<'_>) -> Option<Fix> {
        let State::Legacy(err) = s else {
            return None;
        };
        // never a fix inside a secret: its new text would show part of the value
        let in_secret = cx
            .node
            .secrets
            .iter()
            .any(|r| r.start < err.span.end && err.span.start < r.end);
        if in_secret {
            return None;
        }
        let new_text = cx.node.text.get(err.span.clone()).and_then(toml_1_0)?;
        Some(Fix {
            title: if new_text.is_empty() {
                "Remove the trailing comma".to_owned()
            } else {
                format!("Write `{new_text}`")
            },
            applicability: Applicability::Safe,
            edits: vec![Edit {
                file: cx.file,
                range: err.span.clone(),
                new_text,
            }],
        })
    }
}

/// The TOML 1.0 spelling of a TOML 1.1-only construct, where it is the same
/// value: a trailing comma goes, `\e` is `\u001B`, `\xHH` is `\u00HH`,
/// `HH:MM` is `HH:MM:00`. A line break inside an inline table has none (the
/// table may hold comments): it is rewritten by hand.
fn toml_1_0(written: &str) -> Option<String> {
    if written == "," {
        return Some(String::new());
    }
    if written == "\\e" {
        return Some("\\u001B".to_owned());
    }
    if let Some(hex) = written.strip_prefix("\\x")
        && hex.len() == 2
        && hex.chars().all(|c| c.is_ascii_hexdigit())
    {
        return Some(format!("\\u00{hex}"));
    }
    let b = written.as_bytes();
    if b.len() == 5 && b.get(2) == Some(&b':') {
        return Some(format!("{written}:00"));
    }
    None
}
