//! `gateway-label-unmatched`: every gateway label names an environment of
//! the gateway's region.

use std::ops::Range;

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::graph::{Deployment, NodeIdx};
use crate::model::Role;
use crate::rules::{Group, Rule};
use crate::text::did_you_mean;

pub(crate) static RULE: Rule = Rule {
    id: "gateway-label-unmatched",
    severity: Severity::Error,
    group: Group::Wiring,
    roles: &[Role::GatewayWorker, Role::AllInOne],
    docs: include_str!("../../../../../rules/gateway-label-unmatched.md"),
    check,
};

/// A gateway label: its value and where it is written (or the table that
/// would hold it, for WSO2's default).
pub(crate) struct Label {
    pub value: String,
    pub span: Range<usize>,
    pub explicit: bool,
}

/// The labels a gateway serves: as written, or WSO2's default `["Default"]`.
pub(crate) fn labels(dep: &Deployment, gw: NodeIdx) -> Vec<Label> {
    let Some(n) = dep.node(gw) else {
        return Vec::new();
    };
    match &n.facts.gateway_labels {
        Some(l) => l
            .items
            .iter()
            .map(|s| Label {
                value: s.value.clone(),
                span: s.span.clone(),
                explicit: true,
            })
            .collect(),
        None => vec![Label {
            value: "Default".into(),
            span: n.facts.gateway_sync.clone().unwrap_or_else(|| n.anchor()),
            explicit: false,
        }],
    }
}

/// Environment definitions of a region: `(node, name span, name)`.
pub(crate) fn environments(dep: &Deployment, region: &str) -> Vec<(NodeIdx, Range<usize>, String)> {
    dep.region_nodes(region)
        .iter()
        .filter_map(|i| dep.node(*i).map(|n| (*i, n)))
        .filter(|(_, n)| n.role.defines_environments())
        .flat_map(|(i, n)| {
            n.facts
                .environments
                .iter()
                .map(move |e| (i, e.name.span.clone(), e.name.value.clone()))
        })
        .collect()
}

/// Environments `apimlint.toml [environments]` lists for a region.
pub(crate) fn configured_environments<'a>(
    dep: &'a Deployment,
    region: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    dep.config
        .environments
        .iter()
        .filter(move |(r, _)| r == region || r == "*")
        .flat_map(|(_, names)| names.iter().map(String::as_str))
}

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    for (gw, node) in dep.nodes.iter().enumerate() {
        if !node.role.is_gateway() || !node.is_analysable() {
            continue;
        }
        let region = node.region.as_str();
        // a control plane that does not parse may define the missing environment
        if dep.region_nodes(region).iter().any(|i| {
            dep.node(*i)
                .is_some_and(|n| n.role == Role::ControlPlane && !n.is_analysable())
        }) {
            continue;
        }
        let defined = environments(dep, region);
        let configured: Vec<&str> = configured_environments(dep, region).collect();
        let names: Vec<&str> = defined
            .iter()
            .map(|d| d.2.as_str())
            .chain(configured.iter().copied())
            .collect();
        for label in labels(dep, gw) {
            if names.contains(&label.value.as_str()) {
                continue;
            }
            let subject = if label.explicit {
                format!("gateway label `{}`", label.value)
            } else {
                "`gateway_labels` is not set: WSO2 uses [\"Default\"], and `Default`".to_owned()
            };
            let key = "apim.sync_runtime_artifacts.gateway.gateway_labels";
            if names.is_empty() {
                acc.push(
                    Diagnostic::new(&RULE, gw, label.span.clone(), format!("{subject} matches no gateway environment: no control plane of {region} defines any"))
                        .severity(Severity::Warning)
                        .help(format!("if the environments are created in the Admin portal, list them in apimlint.toml: `[environments] \"{region}\" = [\"{}\"]`", label.value))
                        .key(key, Some(&label.value)),
                );
                continue;
            }
            let mut d = Diagnostic::new(
                &RULE,
                gw,
                label.span.clone(),
                format!("{subject} matches no gateway environment of {region}"),
            )
            .key(key, Some(&label.value));
            match did_you_mean(&label.value, names.iter().copied(), 2) {
                Some(s) if label.explicit => {
                    d = d.help(format!("did you mean `{s}`?")).fix(Fix {
                        title: format!("Replace with `{s}`"),
                        applicability: Applicability::Safe,
                        edits: vec![Edit {
                            file: gw,
                            range: label.span.clone(),
                            new_text: format!("\"{s}\""),
                        }],
                    });
                }
                _ => {
                    let list = names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    d = d.help(format!("the environments of {region} are {list}"));
                }
            }
            // each environment once, where it is first defined
            let mut shown: Vec<&str> = Vec::new();
            for (cp, span, name) in &defined {
                if !shown.contains(&name.as_str()) {
                    shown.push(name);
                    d = d.related(
                        *cp,
                        span.clone(),
                        format!("environment `{name}` is defined here"),
                    );
                }
            }
            acc.push(d);
        }
    }
}
