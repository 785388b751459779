//! `unreadable-file`: the file can be read (UTF-8, ≤ 10 MiB, a regular file).

use crate::base::diagnostic::Diagnostic;
use crate::base::files::FileId;
use crate::config::Config;
use crate::graph::Node;

declare_rule! {
    id: "unreadable-file",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: legacy Node(check),
}

fn check(_config: &Config, i: FileId, node: &Node, acc: &mut Vec<Diagnostic>) {
    let Some(err) = node.read_error() else {
        return;
    };
    acc.push(
        Diagnostic::new(&RULE, i, 0..0, err.to_string())
            .help("the other nodes are still analysed; this node is left out of every cross-node check")
            .key("", None),
    );
}
