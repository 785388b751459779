//! `unreadable-file`: the file can be read (UTF-8, ≤ 10 MiB, a regular file).

use crate::base::diagnostic::Diagnostic;
use crate::rules::{NodeCx, NodeRule};
use crate::vfs::ReadError;

declare_rule! {
    id: "unreadable-file",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Node(UnreadableFile),
}

pub(crate) struct UnreadableFile;

impl NodeRule for UnreadableFile {
    /// Why the file could not be read.
    type State<'a> = &'a ReadError;

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<&'a ReadError> {
        cx.node.read_error().into_iter().collect()
    }

    fn diagnostic(cx: &NodeCx<'_>, err: &&ReadError) -> Diagnostic {
        Diagnostic::new(&RULE, cx.file, 0..0, err.to_string())
            .help("the other nodes are still analysed; this node is left out of every cross-node check")
            .key("", None)
    }
}
