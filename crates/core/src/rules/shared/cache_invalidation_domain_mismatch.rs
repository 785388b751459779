//! `cache-invalidation-domain-mismatch`: the control planes of a region agree
//! on `[apim.cache_invalidation]`.

use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit, Fix};
use crate::graph::{Deployment, NodeIdx};
use crate::rules::DeploymentRule;

declare_rule! {
    id: "cache-invalidation-domain-mismatch",
    severity: Warning,
    roles: [ControlPlane],
    fix: Sometimes,
    since: "0.1.0",
    check: Deployment(CacheInvalidationDomainMismatch),
}

/// `(enabled, domain)` as WSO2 applies it (defaults: off, `default`).
type Setting = (bool, String);

fn describe(s: &Setting) -> String {
    if s.0 {
        format!("enabled with domain `{}`", s.1)
    } else {
        "disabled".to_owned()
    }
}

pub(crate) struct CacheInvalidationDomainMismatch;

/// A control plane (`cp`, its setting at `span`) that differs from its
/// region's reference: the most common setting, first held by `ref_node`.
pub(crate) struct State<'d> {
    region: &'d str,
    cp: NodeIdx,
    setting: Setting,
    span: Range<usize>,
    reference: Setting,
    ref_node: NodeIdx,
    ref_span: Range<usize>,
}

impl DeploymentRule for CacheInvalidationDomainMismatch {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let mut out = Vec::new();
        for (region, members) in dep.regions() {
            let cps: Vec<(NodeIdx, Setting, Range<usize>)> = members
                .iter()
                .filter_map(|&i| {
                    let n = dep.node(i)?;
                    if !RULE.covers(n) {
                        return None;
                    }
                    let ci = n.facts.cache_invalidation.as_ref();
                    let enabled = ci.and_then(|c| c.enabled.as_ref()).is_some_and(|e| e.value);
                    let domain = ci
                        .and_then(|c| c.domain.as_ref())
                        .map_or_else(|| "default".to_owned(), |d| d.value.clone());
                    let span = ci.map_or_else(
                        || n.anchor(),
                        |c| {
                            c.domain
                                .as_ref()
                                .filter(|_| enabled)
                                .map(|d| d.span.clone())
                                .or_else(|| c.enabled.as_ref().map(|e| e.span.clone()))
                                .unwrap_or_else(|| c.header.clone())
                        },
                    );
                    Some((
                        i,
                        (enabled, if enabled { domain } else { String::new() }),
                        span,
                    ))
                })
                .collect();
            if cps.len() < 2 || cps.iter().all(|c| !c.1.0) {
                continue;
            }
            // the reference: the most common setting, an enabled one winning ties
            let Some((reference, ref_node, ref_span)) = crate::rules::majority_by(
                cps.iter().map(|(i, s, span)| (*i, s.clone(), span.clone())),
                |a: &Setting, b: &Setting| a.0.cmp(&b.0),
            ) else {
                continue;
            };
            for (cp, setting, span) in cps {
                if setting != reference {
                    out.push(State {
                        region,
                        cp,
                        setting,
                        span,
                        reference: reference.clone(),
                        ref_node,
                        ref_span: ref_span.clone(),
                    });
                }
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let reference = &s.reference;
        let ref_node = s.ref_node;
        Diagnostic::new(
            &RULE,
            dep.file(s.cp),
            s.span.clone(),
            format!(
                "`[apim.cache_invalidation]` is {} here but {} on `{}` ({})",
                describe(&s.setting),
                describe(reference),
                dep.id(ref_node),
                s.region
            ),
        )
        .help(if reference.0 {
            format!(
                "set `enabled = true` and `domain = \"{}\"` in `[apim.cache_invalidation]`, as on `{}`",
                reference.1,
                dep.id(ref_node)
            )
        } else {
            "use one `[apim.cache_invalidation]` setting on every control plane of the region".to_owned()
        })
        .key("apim.cache_invalidation", Some(&describe(&s.setting)))
        .related(
            dep.file(ref_node),
            s.ref_span.clone(),
            format!("`{}` has it {}", dep.id(ref_node), describe(reference)),
        )
    }

    fn action(dep: &Deployment, s: &State<'_>) -> Option<Fix> {
        // both enabled, the domain written: replacing it is the one edit
        let d = dep
            .node(s.cp)?
            .facts
            .cache_invalidation
            .as_ref()?
            .domain
            .as_ref()?;
        if !(s.setting.0 && s.reference.0 && d.span == s.span) {
            return None;
        }
        Some(Fix {
            title: format!("Use domain `{}`", s.reference.1),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                file: dep.file(s.cp),
                range: d.span.clone(),
                new_text: crate::base::edit::toml_string(&s.reference.1),
            }],
        })
    }
}
