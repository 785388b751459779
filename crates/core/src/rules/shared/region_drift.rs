//! `region-drift`: in a multi-region (Pattern 1) deployment every region
//! mirrors the others.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::graph::{Deployment, NodeIdx};
use crate::model::{DEFAULT_USER_STORE, Facts, Keystore, Role};
use crate::rules::DeploymentRule;

declare_rule! {
    id: "region-drift",
    severity: Warning,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Deployment(RegionDrift),
}

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

/// The keystore as WSO2 reads it (`$ref{}` resolved in the node's file), or
/// `None` where a field is only known at startup (`$env{}`, `$sys{}`).
fn keystore_text(f: &Facts, ks: &Keystore) -> Option<String> {
    let (file, kind, alias) = super::primary_keystore_mismatch::effective(f, ks);
    let shown = |v: Option<String>| v.unwrap_or_else(|| "(not set)".to_owned());
    Some(format!(
        "`{}` (type `{}`, alias `{}`)",
        shown(file?),
        shown(kind?),
        shown(alias?)
    ))
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
    crate::rules::majority(members.iter().filter_map(|&i| {
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
                s.gw = Some((i, span));
            }
            for l in crate::query::gateway_labels(dep, i) {
                s.labels.entry(l.value).or_insert((i, l.span));
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
            dep.config()
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
            .and_then(|k| Some((keystore_text(f, k)?, keystore_site(i, k))))
    });
    s.internal = common(dep, members, |i, f| {
        f.internal_keystore
            .as_ref()
            .or(f.primary_keystore.as_ref())
            .and_then(|k| Some((keystore_text(f, k)?, keystore_site(i, k))))
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

pub(crate) struct RegionDrift;

/// One finding: where it goes, and what differs.
pub(crate) struct State<'d> {
    site: Site,
    drift: Drift<'d>,
}

/// What region `a` (or `name`) does differently from region `b` (or
/// `ref_name`).
pub(crate) enum Drift<'d> {
    /// `a` runs fewer nodes of `role` (`mine`) than `b` (`theirs`, the
    /// first being `their_first`).
    Role {
        a: &'d str,
        b: &'d str,
        role: Role,
        mine: usize,
        theirs: usize,
        their_first: Option<NodeIdx>,
        /// A single gateway next to a pair: worth an info only.
        single_gateway: bool,
    },
    /// `a` lacks an environment `b` defines (at `theirs`).
    Environment {
        a: &'d str,
        b: &'d str,
        env: String,
        theirs: Site,
    },
    /// No gateway of `a` has a label a gateway of `b` serves (at `theirs`).
    Label {
        a: &'d str,
        b: &'d str,
        label: String,
        theirs: Site,
    },
    /// An environment of another type in `name` than in `ref_name`.
    EnvironmentType {
        name: &'d str,
        ref_name: &'d str,
        env: String,
        mine: Option<String>,
        theirs: Option<String>,
        ref_site: Site,
    },
    /// A keystore or the user store (`what`, under `key`) differs.
    Value {
        name: &'d str,
        ref_name: &'d str,
        what: &'static str,
        key: &'static str,
        mine: String,
        theirs: String,
        ref_site: Site,
    },
}

const ENV_HELP: &str =
    "the regions share one database and must define the same gateway environments";
const LABEL_HELP: &str = "give the gateways of every region the same `gateway_labels`";

/// Roles run as HA pairs whose number every region repeats: control
/// planes, traffic managers, key managers. Gateways are stateless and
/// scaled to each region's traffic.
fn ha_paired(role: Role) -> bool {
    matches!(
        role,
        Role::ControlPlane | Role::TrafficManager | Role::KeyManager
    )
}

/// What region `a` lacks that region `b` has: the finding goes to `a`, the
/// region to edit when a node, an environment or a label was left out.
fn lacking<'d>(
    dep: &Deployment,
    (a_name, a_members, a): (&'d str, &[NodeIdx], &Shape),
    (b_name, b): (&'d str, &Shape),
    out: &mut Vec<(Option<Site>, Drift<'d>)>,
) {
    // a node that cannot be read has no role we can count
    let unreadable = a_members
        .iter()
        .any(|i| dep.node(*i).is_some_and(|n| !n.is_analysable()));
    // a node read from a manifest stands for its workload's replicas
    let count = |nodes: &[NodeIdx]| -> usize {
        nodes
            .iter()
            .map(|i| dep.node(*i).map_or(1, |n| n.members()))
            .sum()
    };
    for (role, theirs) in &b.roles {
        let mine = a.roles.get(role).map_or(&[][..], Vec::as_slice);
        let (n_mine, n_theirs) = (count(mine), count(theirs));
        if *role == Role::Unknown || unreadable || n_mine >= n_theirs {
            continue;
        }
        // the HA-paired roles run as many nodes in every region; the others
        // (gateways above all: stateless, scaled to each region's traffic)
        // need only be present, and a single gateway next to a pair is
        // worth an info: that region's gateways have no failover
        let single_gateway = if ha_paired(*role) || mine.is_empty() {
            false
        } else if *role == Role::GatewayWorker && n_mine == 1 && n_theirs >= 2 {
            true
        } else {
            continue;
        };
        out.push((
            mine.first()
                .and_then(|i| dep.node(*i).map(|n| (*i, n.anchor())))
                .or_else(|| first_node(dep, a_members)),
            Drift::Role {
                a: a_name,
                b: b_name,
                role: *role,
                mine: n_mine,
                theirs: n_theirs,
                their_first: theirs.first().copied(),
                single_gateway,
            },
        ));
    }
    if !a.envs.is_empty() && !b.envs.is_empty() {
        for (env, (_, site, _)) in &b.envs {
            if !a.envs.contains_key(env) {
                out.push((
                    a.cp.clone(),
                    Drift::Environment {
                        a: a_name,
                        b: b_name,
                        env: env.clone(),
                        theirs: site.clone(),
                    },
                ));
            }
        }
    }
    if !a.labels.is_empty() && !b.labels.is_empty() {
        for (label, site) in &b.labels {
            if !a.labels.contains_key(label) {
                out.push((
                    a.gw.clone(),
                    Drift::Label {
                        a: a_name,
                        b: b_name,
                        label: label.clone(),
                        theirs: site.clone(),
                    },
                ));
            }
        }
    }
}

fn quote(v: &str) -> String {
    if v.starts_with('`') {
        v.to_owned()
    } else {
        format!("`{v}`")
    }
}

/// Values that differ between the regions: reported on `other`. Where no
/// node writes `[keystore.internal]`, the internal keystore is the primary
/// one everywhere: a primary keystore difference is reported once.
fn differing<'d>(
    (name, other): (&'d str, &Shape),
    (ref_name, reference): (&'d str, &Shape),
    internal_written: bool,
    out: &mut Vec<(Option<Site>, Drift<'d>)>,
) {
    for (env, (kind, site, _)) in &reference.envs {
        if let Some((k2, s2, ks2)) = other.envs.get(env)
            && k2 != kind
        {
            out.push((
                ks2.clone().or_else(|| Some(s2.clone())),
                Drift::EnvironmentType {
                    name,
                    ref_name,
                    env: env.clone(),
                    mine: k2.clone(),
                    theirs: kind.clone(),
                    ref_site: site.clone(),
                },
            ));
        }
    }
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
        if key == "keystore.internal" && !internal_written {
            continue;
        }
        if let (Some((m, site)), Some((t, rsite))) = (mine, theirs)
            && m != t
        {
            out.push((
                Some(site.clone()),
                Drift::Value {
                    name,
                    ref_name,
                    what,
                    key,
                    mine: m.clone(),
                    theirs: t.clone(),
                    ref_site: rsite.clone(),
                },
            ));
        }
    }
}

impl DeploymentRule for RegionDrift {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let regions: Vec<(&String, &Vec<NodeIdx>)> = dep
            .regions()
            .iter()
            .filter(|(_, m)| {
                m.iter()
                    .any(|i| dep.node(*i).is_some_and(|n| n.is_analysable()))
            })
            .collect();
        let Some((&(ref_name, ref_members), others)) = regions.split_first() else {
            return Vec::new();
        };
        let reference = shape(dep, ref_members);
        let internal_written = dep
            .nodes()
            .iter()
            .any(|n| n.is_analysable() && n.facts.internal_keystore.is_some());
        let mut drifts = Vec::new();
        for &(name, members) in others {
            let other = shape(dep, members);
            lacking(
                dep,
                (name, members, &other),
                (ref_name, &reference),
                &mut drifts,
            );
            lacking(
                dep,
                (ref_name, ref_members, &reference),
                (name, &other),
                &mut drifts,
            );
            differing(
                (name, &other),
                (ref_name, &reference),
                internal_written,
                &mut drifts,
            );
        }
        drifts
            .into_iter()
            .filter_map(|(site, drift)| Some(State { site: site?, drift }))
            .collect()
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let Told {
            message,
            help,
            key,
            related,
            severity,
        } = told(dep, &s.drift);
        let (file, range) = s.site.clone();
        let mut diag = Diagnostic::new(&RULE, dep.file(file), range, message.clone())
            .help(help)
            .key(format!("region.{key}"), Some(&message));
        if let Some(severity) = severity {
            diag = diag.severity(severity);
        }
        if let Some(((rf, rr), msg)) = related {
            diag = diag.related(dep.file(rf), rr, msg);
        }
        diag
    }
}

/// What a drift says: the message, help, key, related location and, when
/// lower than the rule's, the severity.
struct Told {
    message: String,
    help: &'static str,
    key: String,
    related: Option<(Site, String)>,
    severity: Option<Severity>,
}

fn told(dep: &Deployment, drift: &Drift<'_>) -> Told {
    let mut severity = None;
    let mut related = None;
    let (message, help, key) = tell(dep, drift, &mut related, &mut severity);
    Told {
        message,
        help,
        key,
        related,
        severity,
    }
}

fn tell(
    dep: &Deployment,
    drift: &Drift<'_>,
    related: &mut Option<(Site, String)>,
    severity: &mut Option<Severity>,
) -> (String, &'static str, String) {
    match drift {
        Drift::Role {
            a,
            b,
            role,
            mine,
            theirs,
            their_first,
            single_gateway,
        } => {
            let help = if *single_gateway {
                *severity = Some(Severity::Info);
                "gateways are scaled to each region's traffic and need not match in number, but a single gateway has no failover: run two or more"
            } else if *mine == 0 {
                "every region of a Pattern-1 deployment runs the same roles: add the missing node"
            } else {
                "control planes, traffic managers and key managers run as HA pairs in every region of a Pattern-1 deployment: add the missing node (or remove the extra one) so that the regions match"
            };
            *related = their_first.and_then(|i| {
                dep.node(i)
                    .map(|n| ((i, n.anchor()), format!("`{}` is a {role} of {b}", n.id)))
            });
            (
                format!("{a} has {}, {b} has {theirs}", plural(*role, *mine)),
                help,
                format!("roles.{role}"),
            )
        }
        Drift::Environment { a, b, env, theirs } => {
            *related = Some((theirs.clone(), format!("{b} defines `{env}`")));
            (
                format!("{a} has no environment `{env}`; {b} defines it"),
                ENV_HELP,
                format!("environment.{env}"),
            )
        }
        Drift::Label {
            a,
            b,
            label,
            theirs,
        } => {
            *related = Some((theirs.clone(), format!("a gateway of {b} serves `{label}`")));
            (
                format!("no gateway of {a} has the label `{label}`; {b}'s gateways serve it"),
                LABEL_HELP,
                format!("label.{label}"),
            )
        }
        Drift::EnvironmentType {
            name,
            ref_name,
            env,
            mine,
            theirs,
            ref_site,
        } => {
            *related = Some((ref_site.clone(), format!("`{env}` in {ref_name}")));
            (
                format!(
                    "environment `{env}` is of type `{}` in {name} but `{}` in {ref_name}",
                    mine.as_deref().unwrap_or("(not set)"),
                    theirs.as_deref().unwrap_or("(not set)")
                ),
                "give the environment the same `type` in every region",
                format!("environment.{env}.type"),
            )
        }
        Drift::Value {
            name,
            ref_name,
            what,
            key,
            mine,
            theirs,
            ref_site,
        } => {
            *related = Some((
                ref_site.clone(),
                format!("{ref_name} uses {}", quote(theirs)),
            ));
            (
                format!(
                    "{name} uses the {what} {}, {ref_name} uses {}",
                    quote(mine),
                    quote(theirs)
                ),
                "the regions replicate one database: use the same one in every region",
                (*key).to_owned(),
            )
        }
    }
}
