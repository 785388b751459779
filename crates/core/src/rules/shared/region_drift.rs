//! `region-drift`: in a multi-region (Pattern 1) deployment every region
//! mirrors the others.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::{Deployment, NodeIdx};
use crate::model::{DEFAULT_USER_STORE, Facts, Keystore, Role};
use crate::rules::{Group, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "region-drift",
    severity: Severity::Warning,
    group: Group::Shared,
    roles: &[],
    docs: include_str!("../../../../../rules/region-drift.md"),
    check,
};

/// A place in a node's file.
type Site = (NodeIdx, Range<usize>);

/// What one region looks like.
#[derive(Default)]
struct Shape {
    roles: BTreeMap<Role, Vec<NodeIdx>>,
    /// environment name → (type, site of the name)
    envs: BTreeMap<String, (Option<String>, Site, Option<Site>)>,
    /// the first control plane (where a missing environment goes)
    cp: Option<Site>,
    /// label → the gateway that serves it
    labels: BTreeMap<String, Site>,
    /// the first gateway (where a missing label goes)
    gw: Option<Site>,
    primary: Option<(String, Site)>,
    internal: Option<(String, Site)>,
    user_store: Option<(String, Site)>,
}

fn keystore_text(ks: &Keystore) -> String {
    let file = ks.file_name.as_ref().map_or("(not set)", |s| {
        s.value.rsplit(['/', '\\']).next().unwrap_or(&s.value)
    });
    format!(
        "`{file}` (type `{}`, alias `{}`)",
        ks.kind
            .as_ref()
            .map_or_else(|| "(not set)".to_owned(), |k| k.value.to_uppercase()),
        ks.alias.as_ref().map_or("(not set)", |a| a.value.as_str())
    )
}

fn keystore_site(i: NodeIdx, ks: &Keystore) -> Site {
    (
        i,
        ks.file_name
            .as_ref()
            .map_or_else(|| ks.header.clone(), |f| f.span.clone()),
    )
}

/// The most common value of a per-node property among the region's nodes.
fn common(
    dep: &Deployment,
    members: &[NodeIdx],
    get: impl Fn(NodeIdx, &Facts) -> Option<(String, Site)>,
) -> Option<(String, Site)> {
    super::majority(members.iter().filter_map(|&i| {
        let n = dep.node(i)?;
        if !n.is_analysable() || n.role == Role::IsKeyManager {
            return None;
        }
        let (v, site) = get(i, &n.facts)?;
        Some((i, v, site))
    }))
    .map(|(v, _, site)| (v, site))
}

fn shape(dep: &Deployment, members: &[NodeIdx]) -> Shape {
    let mut s = Shape::default();
    for &i in members {
        let Some(n) = dep.node(i) else { continue };
        if !n.is_analysable() {
            continue;
        }
        s.roles.entry(n.role).or_default().push(i);
        if n.role.defines_environments() {
            if s.cp.is_none() {
                let span = n
                    .facts
                    .environments
                    .last()
                    .map_or_else(|| n.anchor(), |e| e.name.span.clone());
                s.cp = Some((i, span));
            }
            for e in &n.facts.environments {
                s.envs.entry(e.name.value.clone()).or_insert_with(|| {
                    (
                        e.kind.as_ref().map(|k| k.value.to_lowercase()),
                        (i, e.name.span.clone()),
                        e.kind.as_ref().map(|k| (i, k.span.clone())),
                    )
                });
            }
        }
        if n.role.is_gateway() {
            let span = n
                .facts
                .gateway_labels
                .as_ref()
                .map(|l| l.span.clone())
                .or_else(|| n.facts.gateway_sync.clone())
                .unwrap_or_else(|| n.anchor());
            if s.gw.is_none() {
                s.gw = Some((i, span.clone()));
            }
            let labels: Vec<(String, Range<usize>)> = match &n.facts.gateway_labels {
                Some(l) => l
                    .items
                    .iter()
                    .map(|x| (x.value.clone(), x.span.clone()))
                    .collect(),
                None => vec![("Default".to_owned(), span)],
            };
            for (l, sp) in labels {
                s.labels.entry(l).or_insert((i, sp));
            }
        }
    }
    // a label that names no environment of the region is
    // `gateway-label-unmatched`'s finding, not a difference between regions
    let known: BTreeSet<&str> = s
        .envs
        .keys()
        .map(String::as_str)
        .chain(
            dep.config
                .environments
                .iter()
                .filter(|(r, _)| {
                    r == "*"
                        || members
                            .first()
                            .and_then(|i| dep.node(*i))
                            .is_some_and(|n| &n.region == r)
                })
                .flat_map(|(_, v)| v.iter().map(String::as_str)),
        )
        .collect();
    if !s.envs.is_empty() {
        let keep: BTreeMap<String, Site> = s
            .labels
            .iter()
            .filter(|(l, _)| known.contains(l.as_str()))
            .map(|(l, site)| (l.clone(), site.clone()))
            .collect();
        s.labels = keep;
    }
    s.primary = common(dep, members, |i, f| {
        f.primary_keystore
            .as_ref()
            .map(|k| (keystore_text(k), keystore_site(i, k)))
    });
    s.internal = common(dep, members, |i, f| {
        f.internal_keystore
            .as_ref()
            .or(f.primary_keystore.as_ref())
            .map(|k| (keystore_text(k), keystore_site(i, k)))
    });
    s.user_store = common(dep, members, |i, f| {
        let n = dep.node(i)?;
        let us = f.user_store.as_ref();
        let value = us
            .and_then(|u| u.kind.as_ref())
            .map_or_else(|| DEFAULT_USER_STORE.to_owned(), |k| k.value.clone());
        let span = us
            .and_then(|u| u.kind.as_ref().map(|k| k.span.clone()))
            .or_else(|| us.map(|u| u.header.clone()))
            .unwrap_or_else(|| n.anchor());
        Some((value, (i, span)))
    });
    s
}

fn plural(role: Role, n: usize) -> String {
    match n {
        0 => format!("no {role}"),
        1 => format!("1 {role}"),
        _ => format!("{n} {role}s"),
    }
}

fn first_node(dep: &Deployment, members: &[NodeIdx]) -> Option<Site> {
    members
        .iter()
        .find_map(|&i| dep.node(i).map(|n| (i, n.anchor())))
}

#[allow(clippy::too_many_lines)]
fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    let regions: Vec<(&String, &Vec<NodeIdx>)> = dep
        .regions
        .iter()
        .filter(|(_, m)| {
            m.iter()
                .any(|i| dep.node(*i).is_some_and(|n| n.is_analysable()))
        })
        .collect();
    let Some(((ref_name, ref_members), others)) = regions.split_first() else {
        return;
    };
    let reference = shape(dep, ref_members);
    for (name, members) in others {
        let other = shape(dep, members);
        let mut report =
            |site: Option<Site>, related: Option<Site>, msg: String, help: &str, key: &str| {
                let Some((file, range)) = site else { return };
                let mut d = Diagnostic::new(&RULE, file, range, msg.clone())
                    .help(help.to_owned())
                    .key(format!("region.{key}"), Some(&msg));
                if let Some((rf, rr)) = related {
                    d = d.related(rf, rr, format!("as in {ref_name}"));
                }
                acc.push(d);
            };
        // roles and counts
        let roles: BTreeSet<Role> = reference
            .roles
            .keys()
            .chain(other.roles.keys())
            .copied()
            .filter(|r| *r != Role::Unknown)
            .collect();
        for role in roles {
            let mine = other.roles.get(&role).map_or(&[][..], Vec::as_slice);
            let theirs = reference.roles.get(&role).map_or(&[][..], Vec::as_slice);
            if mine.len() == theirs.len() {
                continue;
            }
            let site = mine
                .first()
                .and_then(|i| dep.node(*i).map(|n| (*i, n.anchor())))
                .or_else(|| first_node(dep, members));
            let rel = theirs
                .first()
                .and_then(|i| dep.node(*i).map(|n| (*i, n.anchor())));
            report(
                site,
                rel,
                format!(
                    "{name} has {}, {ref_name} has {}",
                    plural(role, mine.len()),
                    theirs.len()
                ),
                "every region of a Pattern-1 deployment runs the same nodes: add or remove nodes so that the regions match",
                &format!("roles.{role}"),
            );
        }
        // environments (only when both regions define some in their files)
        if !reference.envs.is_empty() && !other.envs.is_empty() {
            for (env, (kind, site, _)) in &reference.envs {
                match other.envs.get(env) {
                    None => report(
                        other.cp.clone(),
                        Some(site.clone()),
                        format!("{name} has no environment `{env}`; {ref_name} defines it"),
                        "the regions share one database and must define the same gateway environments",
                        &format!("environment.{env}"),
                    ),
                    Some((k2, s2, ks2)) if k2 != kind => report(
                        ks2.clone().or_else(|| Some(s2.clone())),
                        Some(site.clone()),
                        format!(
                            "environment `{env}` is of type `{}` in {name} but `{}` in {ref_name}",
                            k2.as_deref().unwrap_or("(not set)"),
                            kind.as_deref().unwrap_or("(not set)")
                        ),
                        "give the environment the same `type` in every region",
                        &format!("environment.{env}.type"),
                    ),
                    Some(_) => {}
                }
            }
            for (env, (_, site, _)) in &other.envs {
                if !reference.envs.contains_key(env) {
                    report(
                        Some(site.clone()),
                        reference.cp.clone(),
                        format!(
                            "{name} defines environment `{env}`, {ref_name} has no such environment"
                        ),
                        "the regions share one database and must define the same gateway environments",
                        &format!("environment.{env}"),
                    );
                }
            }
        }
        // gateway labels
        if !reference.labels.is_empty() && !other.labels.is_empty() {
            for (label, site) in &reference.labels {
                if !other.labels.contains_key(label) {
                    report(
                        other.gw.clone(),
                        Some(site.clone()),
                        format!(
                            "no gateway of {name} has the label `{label}`; {ref_name}'s gateways serve it"
                        ),
                        "give the gateways of every region the same `gateway_labels`",
                        &format!("label.{label}"),
                    );
                }
            }
            for (label, site) in &other.labels {
                if !reference.labels.contains_key(label) {
                    report(
                        Some(site.clone()),
                        reference.gw.clone(),
                        format!(
                            "the gateways of {name} serve the label `{label}`, no gateway of {ref_name} does"
                        ),
                        "give the gateways of every region the same `gateway_labels`",
                        &format!("label.{label}"),
                    );
                }
            }
        }
        // keystores and user store
        let pairs = [
            (
                "primary keystore",
                &other.primary,
                &reference.primary,
                "keystore.primary",
            ),
            (
                "internal keystore",
                &other.internal,
                &reference.internal,
                "keystore.internal",
            ),
            (
                "user store",
                &other.user_store,
                &reference.user_store,
                "user_store.type",
            ),
        ];
        for (what, mine, theirs, key) in pairs {
            if let (Some((m, site)), Some((t, rsite))) = (mine, theirs)
                && m != t
            {
                let quote = |v: &str| {
                    if v.starts_with('`') {
                        v.to_owned()
                    } else {
                        format!("`{v}`")
                    }
                };
                report(
                    Some(site.clone()),
                    Some(rsite.clone()),
                    format!(
                        "{name} uses the {what} {}, {ref_name} uses {}",
                        quote(m),
                        quote(t)
                    ),
                    "the regions replicate one database: use the same one in every region",
                    key,
                );
            }
        }
    }
}
