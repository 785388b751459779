//! `role-unknown`: the node's role could be told from somewhere.

use crate::base::diagnostic::Diagnostic;
use crate::rules::{NodeCx, NodeRule};

declare_rule! {
    id: "role-unknown",
    severity: Info,
    roles: [Unknown],
    fix: Never,
    since: "0.1.0",
    check: Node(RoleUnknown),
}

pub(crate) struct RoleUnknown;

/// Why the role is unknown: what `server_role` says (the content never tells).
pub(crate) enum State {
    /// `server_role = "default"`.
    Default,
    /// An invalid `server_role`.
    Invalid,
    /// No `server_role`.
    Unset,
}

impl NodeRule for RoleUnknown {
    type State<'a> = State;

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<State> {
        if !cx.node.is_analysable() {
            return Vec::new();
        }
        vec![match &cx.node.facts.server_role {
            Some(r) if r.value == "default" => State::Default,
            Some(_) => State::Invalid,
            None => State::Unset,
        }]
    }

    fn diagnostic(cx: &NodeCx<'_>, s: &State) -> Diagnostic {
        let node = cx.node;
        let why = match s {
            State::Default => "`server_role = \"default\"` and the content do not tell",
            State::Invalid => "its `server_role` is invalid and the content does not tell",
            State::Unset => "it sets no `server_role` and the content does not tell",
        };
        Diagnostic::new(&RULE, cx.file, node.anchor(), format!("the role of `{}` is unknown: {why}", node.id))
            .help(format!("name it in apimlint.toml: `[nodes.\"{}\"] role = \"…\"` (gateway-worker, control-plane, traffic-manager, key-manager, is-key-manager or all-in-one)", node.id))
            .key("server.server_role", None)
    }
}
