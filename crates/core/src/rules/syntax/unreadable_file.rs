//! `unreadable-file`: the file can be read (UTF-8, ≤ 10 MiB, a regular file).

use crate::base::diagnostic::Diagnostic;
use crate::graph::HomeFile;
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
    /// Why the file could not be read, and which file of the node's home
    /// (`None`: its `deployment.toml`).
    type State<'a> = (&'a ReadError, Option<&'a HomeFile>);

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<Self::State<'a>> {
        // a keystore that cannot be read is the key-material rules' to say
        let home = cx.node.home().files.iter().filter(|f| !f.kind.is_binary());
        cx.node
            .read_error()
            .map(|e| (e, None))
            .into_iter()
            .chain(home.filter_map(|f| Some((f.read_error()?, Some(f)))))
            .collect()
    }

    fn diagnostic(cx: &NodeCx<'_>, (err, home): &Self::State<'_>) -> Diagnostic {
        match home {
            None => Diagnostic::new(&RULE, cx.file, 0..0, err.to_string())
                .help("the other nodes are still analysed; this node is left out of every cross-node check")
                .key("", None),
            Some(f) => Diagnostic::new(&RULE, f.file, 0..0, err.to_string())
                .help("the node's other files are still analysed; what this file would say is left out")
                .key(&f.rel, None),
        }
    }
}
