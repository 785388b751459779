//! `invalid-server-role`: `server_role` is one WSO2's infer.json knows.

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::edit::{Applicability, Fix};
use crate::base::text::code_list;
use crate::base::text::did_you_mean;
use crate::model::{DEPRECATED_SERVER_ROLES, SERVER_ROLES, Sp};
use crate::rules::{NodeCx, NodeRule};

declare_rule! {
    id: "invalid-server-role",
    severity: Error,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: Node(InvalidServerRole),
}

/// 3.x role names and what 4.x calls them.
const OLD_NAMES: [(&str, &str); 4] = [
    ("api-key-manager", "control-plane"),
    ("api-publisher", "control-plane"),
    ("api-devportal", "control-plane"),
    ("gateway", "gateway-worker"),
];

pub(crate) struct InvalidServerRole;

/// A `server_role` that is not one of WSO2's current roles.
pub(crate) struct State<'a> {
    role: &'a Sp<String>,
    /// A deprecated 4.0 role (still known to WSO2).
    deprecated: bool,
}

impl NodeRule for InvalidServerRole {
    type State<'a> = State<'a>;

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<State<'a>> {
        let Some(role) = &cx.node.facts.server_role else {
            return Vec::new();
        };
        let value = role.value.as_str();
        if SERVER_ROLES.contains(&value) {
            return Vec::new();
        }
        vec![State {
            role,
            deprecated: DEPRECATED_SERVER_ROLES.contains(&value),
        }]
    }

    fn diagnostic(cx: &NodeCx<'_>, s: &State<'_>) -> Diagnostic {
        let value = s.role.value.as_str();
        let key = "server.server_role";
        if s.deprecated {
            return Diagnostic::new(
                &RULE,
                cx.file,
                s.role.span.clone(),
                format!("`server_role = \"{value}\"` is a deprecated 4.0 role"),
            )
            .severity(Severity::Info)
            .help("4.x runs the publisher and developer portal in the `control-plane` profile")
            .key(key, Some(value));
        }
        let message = format!(
            "`server_role = \"{value}\"` is not a role WSO2 knows: it silently runs this node as an all-in-one"
        );
        let d = Diagnostic::new(&RULE, cx.file, s.role.span.clone(), message).key(key, Some(value));
        if let Some((_, new)) = OLD_NAMES.iter().find(|(old, _)| *old == value) {
            d.help(format!("`{value}` is a 3.x role name; in 4.x use `{new}`"))
        } else if let Some(x) = suggestion(s) {
            d.help(format!("did you mean `{x}`?"))
        } else {
            d.help(format!("use one of {}", code_list(SERVER_ROLES)))
        }
    }

    fn action(cx: &NodeCx<'_>, s: &State<'_>) -> Option<Fix> {
        let x = suggestion(s)?;
        Some(Fix::replace_with_string(
            cx.file,
            s.role.span.clone(),
            x,
            Applicability::Unsafe,
        ))
    }
}

/// The current role an unknown one was meant to name (a 3.x name is
/// explained, not replaced).
fn suggestion(s: &State<'_>) -> Option<&'static str> {
    let value = s.role.value.as_str();
    if s.deprecated || OLD_NAMES.iter().any(|(old, _)| *old == value) {
        return None;
    }
    did_you_mean(value, SERVER_ROLES, 3)
}
