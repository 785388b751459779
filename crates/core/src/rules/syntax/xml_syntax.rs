//! `xml-syntax`: a node's event publisher and user store files parse.

use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::graph::{FileKind, HomeFile};
use crate::rules::{NodeCx, NodeRule};

declare_rule! {
    id: "xml-syntax",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.2.0",
    check: Node(XmlSyntax),
}

pub(crate) struct XmlSyntax;

impl NodeRule for XmlSyntax {
    /// The file and its error (span, message).
    type State<'a> = (&'a HomeFile, Range<usize>, &'a str);

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<Self::State<'a>> {
        cx.node
            .home()
            .files
            .iter()
            .filter(|f| matches!(f.kind, FileKind::EventPublisherXml | FileKind::UserStoreXml))
            .filter_map(|f| f.syntax_error().map(|(span, msg)| (f, span, msg)))
            .collect()
    }

    fn diagnostic(_cx: &NodeCx<'_>, (f, span, msg): &Self::State<'_>) -> Diagnostic {
        let (what, a) = match f.kind {
            FileKind::UserStoreXml => ("user store", "a"),
            _ => ("event publisher", "an"),
        };
        Diagnostic::new(&RULE, f.file, span.clone(), format!("invalid {what} XML: {msg}"))
            .help(format!(
                "WSO2 does not deploy {a} {what} file it cannot parse (the error is in its log at startup); the node's other files are still analysed"
            ))
            .key(&f.rel, Some(msg))
    }
}
