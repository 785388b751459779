//! `gateway-environment-mismatch`: the control planes of a region define the
//! same gateway environments.

use crate::base::diagnostic::Diagnostic;
use crate::base::text::code_list;
use crate::graph::{Deployment, NodeIdx};
use crate::model::Environment;
use crate::rules::{DeploymentRule, majority};

declare_rule! {
    id: "gateway-environment-mismatch",
    severity: Warning,
    roles: [ControlPlane],
    fix: Never,
    since: "0.1.0",
    check: Deployment(GatewayEnvironmentMismatch),
}

pub(crate) struct GatewayEnvironmentMismatch;

/// An environment as the Publisher offers it: name and `type` (WSO2's
/// default `hybrid`).
type Env = (String, String);

/// A control plane whose environments differ from the region's reference
/// control plane's.
pub(crate) struct State<'d> {
    node: NodeIdx,
    reference: NodeIdx,
    /// Defined by the reference, not here.
    missing: Vec<&'d Environment>,
    /// Defined here, not by the reference.
    extra: Vec<&'d Environment>,
    /// Defined on both, of another type here: (here, there).
    retyped: Vec<(&'d Environment, &'d Environment)>,
}

fn kind(e: &Environment) -> String {
    e.kind
        .as_ref()
        .map_or_else(|| "hybrid".to_owned(), |k| k.value.to_ascii_lowercase())
}

fn named<'a>(list: &'a [Environment], name: &str) -> Option<&'a Environment> {
    list.iter().find(|e| e.name.value == name)
}

fn set(envs: &[Environment]) -> Vec<Env> {
    let mut s: Vec<Env> = envs
        .iter()
        .map(|e| (e.name.value.clone(), kind(e)))
        .collect();
    s.sort();
    s.dedup();
    s
}

impl DeploymentRule for GatewayEnvironmentMismatch {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let mut out = Vec::new();
        for members in dep.regions().values() {
            let cps: Vec<NodeIdx> = members
                .iter()
                .copied()
                .filter(|i| dep.node(*i).is_some_and(|n| RULE.covers(n)))
                .collect();
            let envs = |i: NodeIdx| dep.node(i).map_or(&[][..], |n| &n.facts.environments);
            // environments kept in the Admin portal only: nothing to compare
            if cps.len() < 2 || cps.iter().all(|i| envs(*i).is_empty()) {
                continue;
            }
            let Some((want, reference, ())) = majority(cps.iter().map(|i| (*i, set(envs(*i)), ())))
            else {
                continue;
            };
            for &i in &cps {
                if set(envs(i)) == want {
                    continue;
                }
                let (here, there) = (envs(i), envs(reference));
                out.push(State {
                    node: i,
                    reference,
                    missing: there
                        .iter()
                        .filter(|e| named(here, &e.name.value).is_none())
                        .collect(),
                    extra: here
                        .iter()
                        .filter(|e| named(there, &e.name.value).is_none())
                        .collect(),
                    retyped: here
                        .iter()
                        .filter_map(|e| {
                            let t = named(there, &e.name.value)?;
                            (kind(e) != kind(t)).then_some((e, t))
                        })
                        .collect(),
                });
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let other = dep.id(s.reference);
        let mut said = Vec::new();
        if !s.missing.is_empty() {
            let names: Vec<&str> = s.missing.iter().map(|e| e.name.value.as_str()).collect();
            said.push(format!(
                "it lacks {} that `{other}` defines",
                code_list(&names)
            ));
        }
        if !s.extra.is_empty() {
            let names: Vec<&str> = s.extra.iter().map(|e| e.name.value.as_str()).collect();
            said.push(format!(
                "it defines {} that `{other}` does not",
                code_list(&names)
            ));
        }
        for (here, there) in &s.retyped {
            said.push(format!(
                "`{}` is `{}` here but `{}` on `{other}`",
                here.name.value,
                kind(here),
                kind(there)
            ));
        }
        let n = dep.node(s.node);
        // at the first environment that differs here, else the node
        let span = s
            .extra
            .first()
            .map(|e| e.header.clone())
            .or_else(|| s.retyped.first().map(|(e, _)| e.header.clone()))
            .or_else(|| {
                n.and_then(|n| n.facts.environments.first())
                    .map(|e| e.header.clone())
            })
            .or_else(|| n.map(|n| n.anchor()))
            .unwrap_or(0..0);
        let mut d = Diagnostic::new(
            &RULE,
            dep.file(s.node),
            span,
            format!(
                "this control plane's gateway environments differ from its region's: {}",
                said.join("; ")
            ),
        )
        .help(format!("define the same `[[apim.gateway.environment]]` entries on every control plane of the region, as on `{other}`: each node serves the Publisher and the Developer Portal from its own list"))
        .key("apim.gateway.environment", None);
        for e in s
            .missing
            .iter()
            .chain(s.retyped.iter().map(|(_, t)| t))
            .take(3)
        {
            d = d.related(
                dep.file(s.reference),
                e.header.clone(),
                format!("`{other}` defines `{}` here", e.name.value),
            );
        }
        d
    }
}
