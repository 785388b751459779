//! `unreadable-file`: the file can be read (UTF-8, ≤ 10 MiB, a regular file).

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::Deployment;
use crate::rules::{Group, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "unreadable-file",
    severity: Severity::Error,
    group: Group::Syntax,
    roles: &[],
    docs: include_str!("../../../../../rules/unreadable-file.md"),
    check,
};

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    for (i, node) in dep.nodes.iter().enumerate() {
        let Some(err) = &node.read_error else {
            continue;
        };
        acc.push(
            Diagnostic::new(&RULE, i, 0..0, err.to_string())
                .help("the other nodes are still analysed; this node is left out of every cross-node check")
                .key("", None),
        );
    }
}
