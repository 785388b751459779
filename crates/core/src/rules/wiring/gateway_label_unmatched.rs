//! `gateway-label-unmatched`: every gateway label names an environment of
//! the gateway's region.

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::edit::{Applicability, Fix};
use crate::base::text::code_list;
use crate::base::text::did_you_mean;
use crate::graph::{Deployment, NodeIdx};
use crate::model::{Role, Sp};
use crate::query;
use crate::rules::DeploymentRule;

declare_rule! {
    id: "gateway-label-unmatched",
    severity: Error,
    roles: [GatewayWorker, AllInOne],
    fix: Sometimes,
    since: "0.1.0",
    check: Deployment(GatewayLabelUnmatched),
}

pub(crate) struct GatewayLabelUnmatched;

/// A label of gateway `gw` that no environment of its region has.
pub(crate) struct State<'d> {
    gw: NodeIdx,
    label: Sp<String>,
    /// `gateway_labels` is set (else the label is WSO2's default).
    explicit: bool,
    /// The environments of the region: defined by its control planes
    /// (where), and those `apimlint.toml` lists.
    defined: Vec<(NodeIdx, &'d Sp<String>)>,
    names: Vec<&'d str>,
}

impl DeploymentRule for GatewayLabelUnmatched {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let mut out = Vec::new();
        for (gw, node) in RULE.subjects(dep) {
            let region = node.region.as_str();
            // a control plane that does not parse may define the missing environment
            if dep.region_nodes(region).iter().any(|i| {
                dep.node(*i)
                    .is_some_and(|n| n.role == Role::ControlPlane && !n.is_analysable())
            }) {
                continue;
            }
            let defined = query::environments(dep, region);
            let names: Vec<&str> = defined
                .iter()
                .map(|(_, name)| name.value.as_str())
                .chain(query::configured_environments(dep, region))
                .collect();
            // no `gateway_labels`: the one label is WSO2's default, `Default`
            let explicit = node.facts.gateway_labels.is_some();
            for label in query::gateway_labels(dep, gw) {
                if !names.contains(&label.value.as_str()) {
                    out.push(State {
                        gw,
                        label,
                        explicit,
                        defined: defined.clone(),
                        names: names.clone(),
                    });
                }
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let region = dep.node(s.gw).map_or("", |n| n.region.as_str());
        let label = &s.label;
        let subject = if s.explicit {
            format!("gateway label `{}`", label.value)
        } else {
            "`gateway_labels` is not set: WSO2 uses [\"Default\"], and `Default`".to_owned()
        };
        let key = "apim.sync_runtime_artifacts.gateway.gateway_labels";
        if s.names.is_empty() {
            return Diagnostic::new(&RULE, dep.file(s.gw), label.span.clone(), format!("{subject} matches no gateway environment: no control plane of {region} defines any"))
                .severity(Severity::Warning)
                .help(format!("if the environments are created in the Admin portal, list them in apimlint.toml: `[environments] \"{region}\" = [\"{}\"]`", label.value))
                .key(key, Some(&label.value));
        }
        let mut d = Diagnostic::new(
            &RULE,
            dep.file(s.gw),
            label.span.clone(),
            format!("{subject} matches no gateway environment of {region}"),
        )
        .key(key, Some(&label.value));
        d = match suggestion(s) {
            Some(x) => d.help(format!("did you mean `{x}`?")),
            None => d.help(format!(
                "the environments of {region} are {}",
                code_list(&s.names)
            )),
        };
        // each environment once, where it is first defined
        let mut shown: Vec<&str> = Vec::new();
        for (cp, name) in &s.defined {
            if !shown.contains(&name.value.as_str()) {
                shown.push(&name.value);
                d = d.related(
                    dep.file(*cp),
                    name.span.clone(),
                    format!("environment `{}` is defined here", name.value),
                );
            }
        }
        d
    }

    fn action(dep: &Deployment, s: &State<'_>) -> Option<Fix> {
        let x = suggestion(s)?;
        Some(Fix::replace_with_string(
            dep.file(s.gw),
            s.label.span.clone(),
            x,
            Applicability::Safe,
        ))
    }
}

/// The environment an explicit label was meant to name.
fn suggestion<'a>(s: &State<'a>) -> Option<&'a str> {
    if !s.explicit || s.names.is_empty() {
        return None;
    }
    did_you_mean(&s.label.value, s.names.iter().copied(), 2)
}
