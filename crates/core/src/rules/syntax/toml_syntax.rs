//! `toml-syntax`: the file parses (duplicate keys and tables included).

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::Deployment;
use crate::rules::{Group, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "toml-syntax",
    severity: Severity::Error,
    group: Group::Syntax,
    roles: &[],
    docs: include_str!("../../../../../rules/toml-syntax.md"),
    check,
};

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    for (i, node) in dep.nodes.iter().enumerate() {
        if node.is_analysable() {
            // TOML 1.1 syntax toml_edit accepts and WSO2's older parser does not
            for err in crate::syntax::legacy_syntax(&node.text) {
                acc.push(
                    Diagnostic::new(&RULE, i, err.span.clone(), err.message.clone())
                        .help("WSO2 refuses to start on it (\"Error parsing deployment configuration\"); write it in TOML 1.0")
                        .key("", Some(&err.message)),
                );
            }
        }
        let Some(err) = &node.syntax_error else {
            continue;
        };
        let what = node
            .text
            .get(err.span.clone())
            .filter(|s| !s.is_empty() && s.len() < 80);
        let mut d = match (&err.first_definition, what) {
            (Some(first), Some(key)) => {
                let header = node.redacted.get(first.clone()).unwrap_or(key);
                Diagnostic::new(&RULE, i, err.span.clone(), format!("duplicate key `{key}`: `{header}` is defined twice"))
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
        d = d.key("", Some(&err.message));
        acc.push(d);
    }
}
