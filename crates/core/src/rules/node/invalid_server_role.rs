//! `invalid-server-role`: `server_role` is one WSO2's infer.json knows.

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::edit::{Applicability, Fix};
use crate::base::text::code_list;
use crate::base::text::did_you_mean;
use crate::catalog::versions::{self, ApimVersion, Distribution};
use crate::model::{DEPRECATED_SERVER_ROLES, Role, SERVER_ROLES, Sp};
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
    /// The version the deployment runs, and the distribution of the node
    /// when its `infer.json` does not map the value.
    unmapped: Option<(ApimVersion, Distribution)>,
}

/// The distribution a node runs: its image, else, with `[deployment]
/// distribution = "components"` from 4.5.0, the component of its role.
fn distribution(cx: &NodeCx<'_>, version: ApimVersion) -> Distribution {
    if let Some(d) = cx
        .node
        .origin
        .as_deref()
        .and_then(crate::config::version::distribution)
    {
        return d;
    }
    let components = cx.config.distribution.as_deref() == Some("components")
        && !versions::roles(version, Distribution::Gateway).is_empty();
    match cx.node.role {
        Role::GatewayWorker if components => Distribution::Gateway,
        Role::TrafficManager if components => Distribution::TrafficManager,
        Role::ControlPlane if components => Distribution::ControlPlane,
        _ => Distribution::AllInOne,
    }
}

impl NodeRule for InvalidServerRole {
    type State<'a> = State<'a>;

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<State<'a>> {
        let Some(role) = &cx.node.facts.server_role else {
            return Vec::new();
        };
        let value = role.value.as_str();
        let deprecated = DEPRECATED_SERVER_ROLES.contains(&value);
        if let Some(v) = cx.config.apim_version() {
            let dist = distribution(cx, v);
            let mapped = versions::roles(v, dist);
            // a role WSO2 knows elsewhere, that this version's distribution does not map
            if !mapped.is_empty()
                && !mapped.contains(&value)
                && (deprecated || SERVER_ROLES.contains(&value))
            {
                return vec![State {
                    role,
                    deprecated,
                    unmapped: Some((v, dist)),
                }];
            }
        }
        if SERVER_ROLES.contains(&value) {
            return Vec::new();
        }
        vec![State {
            role,
            deprecated,
            unmapped: None,
        }]
    }

    fn diagnostic(cx: &NodeCx<'_>, s: &State<'_>) -> Diagnostic {
        let value = s.role.value.as_str();
        let key = "server.server_role";
        if let Some((v, dist)) = s.unmapped {
            return unmapped(cx, s, v, dist).key(key, Some(value));
        }
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
        if let Some((_, dist)) = s.unmapped {
            // a component image is its role: `default` is the one value it maps
            return (dist != Distribution::AllInOne).then(|| {
                Fix::replace_with_string(
                    cx.file,
                    s.role.span.clone(),
                    "default",
                    Applicability::Unsafe,
                )
            });
        }
        let x = suggestion(s)?;
        Some(Fix::replace_with_string(
            cx.file,
            s.role.span.clone(),
            x,
            Applicability::Unsafe,
        ))
    }
}

/// A role this version's distribution does not map: a deprecated profile
/// removed in 4.2.0, or a role on a 4.5+ component image.
fn unmapped(cx: &NodeCx<'_>, s: &State<'_>, v: ApimVersion, dist: Distribution) -> Diagnostic {
    let value = s.role.value.as_str();
    if dist == Distribution::AllInOne {
        let removed = ApimVersion::all()
            .find(|x| !versions::roles(*x, Distribution::AllInOne).contains(&value))
            .map_or_else(String::new, |x| format!(" (removed in {x})"));
        return Diagnostic::new(
            &RULE,
            cx.file,
            s.role.span.clone(),
            format!("`server_role = \"{value}\"` is not a role API-M {v} knows{removed}: it silently runs this node as an all-in-one"),
        )
        .help("4.x runs the publisher and developer portal in the `control-plane` profile");
    }
    Diagnostic::new(
        &RULE,
        cx.file,
        s.role.span.clone(),
        format!(
            "`server_role = \"{value}\"` is not mapped by the {} of API-M {v}: the role's settings are silently dropped",
            dist.label()
        ),
    )
    .help(format!(
        "the {} maps only {}: the image is the role already, so write `default` or remove `server_role` (wso2/api-manager#5095)",
        dist.label(),
        code_list(versions::roles(v, dist))
    ))
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
