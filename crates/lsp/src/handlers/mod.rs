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
