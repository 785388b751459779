//! `properties-syntax`: a node's JNDI properties files load.

use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::graph::HomeFile;
use crate::rules::{NodeCx, NodeRule};

declare_rule! {
    id: "properties-syntax",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.2.0",
    check: Node(PropertiesSyntax),
}

pub(crate) struct PropertiesSyntax;

impl NodeRule for PropertiesSyntax {
    /// The file and its error (span, message).
    type State<'a> = (&'a HomeFile, Range<usize>, &'a str);

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<Self::State<'a>> {
        cx.node
            .home()
            .files
            .iter()
            .filter(|f| f.kind == crate::graph::FileKind::JndiProperties)
            .filter_map(|f| f.syntax_error().map(|(span, msg)| (f, span, msg)))
            .collect()
    }

    fn diagnostic(_cx: &NodeCx<'_>, (f, span, msg): &Self::State<'_>) -> Diagnostic {
        Diagnostic::new(
            &RULE,
            f.file,
            span.clone(),
            format!("invalid properties file: {msg}"),
        )
        .help("Java's `Properties.load` throws on it: the JMS event publishers that name this JNDI file cannot connect; the node's other files are still analysed")
        .key(&f.rel, Some(msg))
    }
}
