//! `invalid-server-role`: `server_role` is one WSO2's infer.json knows.

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::edit::{Applicability, Fix};
use crate::base::files::FileId;
use crate::base::text::code_list;
use crate::base::text::did_you_mean;
use crate::config::Config;
use crate::graph::Node;
use crate::model::{DEPRECATED_SERVER_ROLES, SERVER_ROLES};

declare_rule! {
    id: "invalid-server-role",
    severity: Error,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: legacy Node(check),
}

/// 3.x role names and what 4.x calls them.
const OLD_NAMES: [(&str, &str); 4] = [
    ("api-key-manager", "control-plane"),
    ("api-publisher", "control-plane"),
    ("api-devportal", "control-plane"),
    ("gateway", "gateway-worker"),
];

fn check(_config: &Config, i: FileId, node: &Node, acc: &mut Vec<Diagnostic>) {
    let Some(role) = &node.facts.server_role else {
        return;
    };
    let value = role.value.as_str();
    if SERVER_ROLES.contains(&value) {
        return;
    }
    let key = "server.server_role";
    if DEPRECATED_SERVER_ROLES.contains(&value) {
        acc.push(
            Diagnostic::new(
                &RULE,
                i,
                role.span.clone(),
                format!("`server_role = \"{value}\"` is a deprecated 4.0 role"),
            )
            .severity(Severity::Info)
            .help("4.x runs the publisher and developer portal in the `control-plane` profile")
            .key(key, Some(value)),
        );
        return;
    }
    let message = format!(
        "`server_role = \"{value}\"` is not a role WSO2 knows: it silently runs this node as an all-in-one"
    );
    let mut d = Diagnostic::new(&RULE, i, role.span.clone(), message).key(key, Some(value));
    if let Some((_, new)) = OLD_NAMES.iter().find(|(old, _)| *old == value) {
        d = d.help(format!("`{value}` is a 3.x role name; in 4.x use `{new}`"));
    } else if let Some(s) = did_you_mean(value, SERVER_ROLES, 3) {
        d = d
            .help(format!("did you mean `{s}`?"))
            .fix(Fix::replace_with_string(
                i,
                role.span.clone(),
                s,
                Applicability::Unsafe,
            ));
    } else {
        d = d.help(format!("use one of {}", code_list(SERVER_ROLES)));
    }
    acc.push(d);
}
