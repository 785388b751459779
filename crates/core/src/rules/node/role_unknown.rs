//! `role-unknown`: the node's role could be told from somewhere.

use crate::base::diagnostic::Diagnostic;
use crate::base::files::FileId;
use crate::config::Config;
use crate::graph::Node;

declare_rule! {
    id: "role-unknown",
    severity: Info,
    roles: [Unknown],
    fix: Never,
    since: "0.1.0",
    check: legacy Node(check),
}

fn check(_config: &Config, i: FileId, node: &Node, acc: &mut Vec<Diagnostic>) {
    if !node.is_analysable() {
        return;
    }
    let why = match &node.facts.server_role {
        Some(r) if r.value == "default" => {
            "`server_role = \"default\"` and the content do not tell"
        }
        Some(_) => "its `server_role` is invalid and the content does not tell",
        None => "it sets no `server_role` and the content does not tell",
    };
    acc.push(
        Diagnostic::new(&RULE, i, node.anchor(), format!("the role of `{}` is unknown: {why}", node.id))
            .help(format!("name it in apimlint.toml: `[nodes.\"{}\"] role = \"…\"` (gateway-worker, control-plane, traffic-manager, key-manager, is-key-manager or all-in-one)", node.id))
            .key("server.server_role", None),
    );
}
