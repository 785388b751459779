//! One file per request: each takes the workspace as analysed and the
//! request's parameters, and answers from the core's queries. None of them
//! holds a lock across an `.await` or talks to the client.

pub(crate) mod code_action;
pub(crate) mod completion;
pub(crate) mod definition;
pub(crate) mod hover;
pub(crate) mod symbols;

use apimlint_core::{Deployment, Node, NodeIdx};

use crate::convert::{self, lsp};
use crate::world::{Analysed, Workspace};

/// The node under a text-document position, with the byte offset.
pub(crate) struct At<'a> {
    pub state: &'a Analysed,
    pub dep: &'a Deployment,
    pub idx: NodeIdx,
    pub node: &'a Node,
    pub offset: usize,
}

/// Resolve a URI and position to a node and byte offset of its analysed text.
pub(crate) fn at<'a>(ws: &'a Workspace, uri: &lsp::Uri, pos: lsp::Position) -> Option<At<'a>> {
    let path = convert::path_of(uri)?;
    let (d, dep, idx) = ws.locate(&path)?;
    let state = &d.state;
    let node = dep.node(idx)?;
    let offset = convert::offset(&node.lines, &node.text, pos);
    Some(At {
        state,
        dep,
        idx,
        node,
        offset,
    })
}

/// The nodes and byte ranges (of their texts) under a text-document range:
/// a node's file, or inside the TOML of the nodes read from a manifest (one
/// per workload mounting the ConfigMap).
pub(crate) fn at_range<'a>(
    ws: &'a Workspace,
    uri: &lsp::Uri,
    r: lsp::Range,
) -> Vec<(At<'a>, std::ops::Range<usize>)> {
    if let Some(at) = at(ws, uri, r.start) {
        let range = convert::byte_range(&at.node.lines, &at.node.text, r);
        return vec![(at, range)];
    }
    let Some(path) = convert::path_of(uri) else {
        return Vec::new();
    };
    let Some((d, dep)) = ws.deployment_of(&path) else {
        return Vec::new();
    };
    let Some(m) = dep.manifest(&path) else {
        return Vec::new();
    };
    let bytes = convert::byte_range(m.lines(), m.text(), r);
    dep.nodes_in_manifest(&path, bytes.start)
        .into_iter()
        .filter_map(|(idx, start)| {
            let node = dep.node(idx)?;
            let end = node
                .origin
                .as_ref()
                .map_or(start, |o| o.unmap(bytes.end))
                .max(start);
            Some((
                At {
                    state: &d.state,
                    dep,
                    idx,
                    node,
                    offset: start,
                },
                start..end,
            ))
        })
        .collect()
}

/// The node under a position, in a node's file or inside a manifest (the
/// first node read from those characters): for the requests whose answers
/// are located through `convert::location` or `At::range`.
pub(crate) fn at_any<'a>(ws: &'a Workspace, uri: &lsp::Uri, pos: lsp::Position) -> Option<At<'a>> {
    at_range(ws, uri, lsp::Range::new(pos, pos))
        .into_iter()
        .next()
        .map(|(a, _)| a)
}

impl At<'_> {
    /// A range of the node's text as the client's range: in the node's
    /// file, or in the manifest the node was read from.
    pub(crate) fn range(&self, r: &std::ops::Range<usize>) -> Option<lsp::Range> {
        match &self.node.origin {
            Some(o) if o.inline => {
                let s = self.dep.shown(self.node.file)?;
                Some(convert::range(s.lines, s.text, &s.range(r)))
            }
            _ => Some(convert::range(&self.node.lines, &self.node.text, r)),
        }
    }
}
