//! `role-unknown`: the node's role could be told from somewhere.

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::files::FileId;
use crate::config::Config;
use crate::graph::Node;
use crate::model::Role;
use crate::rules::{Check, Group, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "role-unknown",
    severity: Severity::Info,
    group: Group::Node,
    roles: &[Role::Unknown],
    docs: include_str!("../../../../../rules/role-unknown.md"),
    check: Check::Node(check),
};

fn check(_config: &Config, i: FileId, node: &Node, acc: &mut Vec<Diagnostic>) {
    if node.role != Role::Unknown || !node.is_analysable() {
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
