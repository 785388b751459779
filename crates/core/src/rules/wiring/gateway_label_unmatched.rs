//! `gateway-label-unmatched`: every gateway label names an environment of
//! the gateway's region.

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::edit::{Applicability, Fix};
use crate::base::text::code_list;
use crate::base::text::did_you_mean;
use crate::graph::Deployment;
use crate::model::Role;
use crate::query;

declare_rule! {
    id: "gateway-label-unmatched",
    severity: Error,
    roles: [GatewayWorker, AllInOne],
    fix: Sometimes,
    since: "0.1.0",
    check: Deployment(check),
}

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
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
            if names.contains(&label.value.as_str()) {
                continue;
            }
            let subject = if explicit {
                format!("gateway label `{}`", label.value)
            } else {
                "`gateway_labels` is not set: WSO2 uses [\"Default\"], and `Default`".to_owned()
            };
            let key = "apim.sync_runtime_artifacts.gateway.gateway_labels";
            if names.is_empty() {
                acc.push(
                    Diagnostic::new(&RULE, dep.file(gw), label.span.clone(), format!("{subject} matches no gateway environment: no control plane of {region} defines any"))
                        .severity(Severity::Warning)
                        .help(format!("if the environments are created in the Admin portal, list them in apimlint.toml: `[environments] \"{region}\" = [\"{}\"]`", label.value))
                        .key(key, Some(&label.value)),
                );
                continue;
            }
            let mut d = Diagnostic::new(
                &RULE,
                dep.file(gw),
                label.span.clone(),
                format!("{subject} matches no gateway environment of {region}"),
            )
            .key(key, Some(&label.value));
            match did_you_mean(&label.value, names.iter().copied(), 2) {
                Some(s) if explicit => {
                    d = d
                        .help(format!("did you mean `{s}`?"))
                        .fix(Fix::replace_with_string(
                            dep.file(gw),
                            label.span.clone(),
                            s,
                            Applicability::Safe,
                        ));
                }
                _ => {
                    let list = code_list(&names);
                    d = d.help(format!("the environments of {region} are {list}"));
                }
            }
            // each environment once, where it is first defined
            let mut shown: Vec<&str> = Vec::new();
            for (cp, name) in &defined {
                if !shown.contains(&name.value.as_str()) {
                    shown.push(&name.value);
                    d = d.related(
                        dep.file(*cp),
                        name.span.clone(),
                        format!("environment `{}` is defined here", name.value),
                    );
                }
            }
            acc.push(d);
        }
    }
}
