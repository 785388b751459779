//! The rule registry: every rule, its metadata and its check. One file per
//! rule under a group directory (the directory is its group); each group
//! lists its rules in its `mod.rs`. A rule declares itself with
//! `declare_rule!`: its id, default severity,
//! the roles of the nodes it reports on (the runner enforces them), whether
//! it offers fixes, the version it came in, and its check; the page
//! `rules/<id>.md` is compiled in.

/// Declare a rule's `RULE` static. The group comes from the module path,
/// the documentation from `rules/<id>.md`.
macro_rules! declare_rule {
    (
        id: $id:literal,
        severity: $sev:ident,
        roles: [$($role:ident),* $(,)?],
        fix: $fix:ident,
        since: $since:literal,
        check: Node($ty:ty) $(,)?
    ) => {
        declare_rule!(@static $id, $sev, [$($role),*], $fix, $since,
            $crate::rules::Check::Node($crate::rules::node_check::<$ty>));
    };
    (
        id: $id:literal,
        severity: $sev:ident,
        roles: [$($role:ident),* $(,)?],
        fix: $fix:ident,
        since: $since:literal,
        check: Deployment($ty:ty) $(,)?
    ) => {
        declare_rule!(@static $id, $sev, [$($role),*], $fix, $since,
            $crate::rules::Check::Deployment($crate::rules::deployment_check::<$ty>));
    };
    (
        id: $id:literal,
        severity: $sev:ident,
        roles: [$($role:ident),* $(,)?],
        fix: $fix:ident,
        since: $since:literal,
        check: Suppressions $(,)?
    ) => {
        declare_rule!(@static $id, $sev, [$($role),*], $fix, $since,
            $crate::rules::Check::Suppressions);
    };
    (@static $id:literal, $sev:ident, [$($role:ident),*], $fix:ident, $since:literal, $check:expr) => {
        pub(crate) static RULE: $crate::rules::Rule = $crate::rules::Rule {
            id: $id,
            severity: $crate::base::diagnostic::Severity::$sev,
            module: module_path!(),
            roles: &[$($crate::model::Role::$role),*],
            fix: $crate::rules::FixAvailability::$fix,
            since: $since,
            docs: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../rules/", $id, ".md")),
            check: $check,
        };
    };
}

pub(crate) mod bridge;
pub(crate) mod front;
pub(crate) mod keys;
pub(crate) mod meta;
pub(crate) mod node;
pub(crate) mod security;
pub(crate) mod shared;
pub(crate) mod syntax;
pub(crate) mod wiring;

use rayon::prelude::*;

use crate::base::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::base::edit::Fix;
use crate::base::files::FileId;
use crate::config::{Config, Level};
use crate::graph::{Deployment, Node, NodeIdx};
use crate::model::Role;

/// Where a rule belongs in the catalog: its section, the `group` of
/// `apimlint rules --format json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Syntax,
    Node,
    Wiring,
    Shared,
    Bridge,
    Keys,
    Front,
    Security,
    Meta,
}

impl Group {
    pub fn name(self) -> &'static str {
        match self {
            Group::Syntax | Group::Node => "files and values",
            Group::Wiring => "wiring",
            Group::Shared => "shared state",
            Group::Bridge => "cross-region bridge",
            Group::Keys => "key material",
            Group::Front => "front door",
            Group::Security => "production hardening",
            Group::Meta => "meta",
        }
    }
}

/// A rule: its public id, default severity, the roles it concerns, its
/// documentation page (`rules/<id>.md`) and its check.
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    /// The rule's module (`…::rules::<group>::<rule>`): its group.
    pub(crate) module: &'static str,
    /// Roles whose nodes the rule reports on (empty: every role). The runner
    /// enforces them: a node rule runs only on such nodes, and a finding of a
    /// deployment rule on a node of another role is dropped.
    pub roles: &'static [Role],
    /// Whether its findings come with fixes.
    pub fix: FixAvailability,
    /// The apimlint version that brought the rule.
    pub since: &'static str,
    pub docs: &'static str,
    pub check: Check,
}

/// Whether a rule's findings come with a fix (ruff's `FixAvailability`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixAvailability {
    /// Never.
    Never,
    /// Some of them (where the right value is known).
    Sometimes,
    /// Every one.
    Always,
}

impl FixAvailability {
    pub fn name(self) -> &'static str {
        match self {
            FixAvailability::Never => "never",
            FixAvailability::Sometimes => "sometimes",
            FixAvailability::Always => "always",
        }
    }
}

/// How a rule looks at the deployment.
#[derive(Clone, Copy)]
pub enum Check {
    /// Reads only the node it reports on (its facts, text and the edges it
    /// writes) and `apimlint.toml`: run node by node, in parallel, and by the
    /// language server only for the files that changed. A [`NodeRule`].
    Node(for<'a> fn(&'a Config, FileId, &'a Node, &'a NodeShared<'a>, &mut Vec<Diagnostic>)),
    /// Compares nodes: run once over the whole deployment. A
    /// [`DeploymentRule`].
    Deployment(fn(&Deployment, &mut Vec<Diagnostic>)),
    /// Judges the suppression comments, after every other rule ran: the
    /// driver gives `suppress::apply`'s findings to the rule's own
    /// `diagnostic` and `action` (`rules/meta/`).
    Suppressions,
}

/// What a node rule sees: the one node it reports on, and `apimlint.toml`
/// (the product version the rules read).
pub(crate) struct NodeCx<'a> {
    pub(crate) file: FileId,
    pub(crate) node: &'a Node,
    /// `apimlint.toml` with the run's settings (the product version).
    pub(crate) config: &'a Config,
    /// What several rules read of the node, computed once for all of them.
    shared: &'a NodeShared<'a>,
}

/// What several node rules read of one node: computed for the first rule
/// that asks, kept for the others.
#[derive(Default)]
pub struct NodeShared<'a> {
    values: std::cell::OnceCell<foldhash::HashMap<&'a str, &'a crate::model::KeyFact>>,
    placeholders: std::cell::OnceCell<Vec<(&'a crate::model::KeyFact, crate::model::Placeholder)>>,
}

impl<'a> NodeCx<'a> {
    /// The node's top-level values by dotted path (what `$ref{…}` can
    /// name), or nothing when its keys are not known.
    pub(crate) fn top_level_values(
        &self,
    ) -> &foldhash::HashMap<&'a str, &'a crate::model::KeyFact> {
        self.shared.values.get_or_init(|| {
            self.node
                .facts
                .keys
                .as_deref()
                .map(crate::model::top_level_values)
                .unwrap_or_default()
        })
    }

    /// The placeholders of `kind` written in the node's values (every key
    /// of kind [`KeyKind::Value`](crate::model::KeyKind)), in key order and
    /// file order within a key: the node's values are scanned once for
    /// every kind and every rule that asks.
    pub(crate) fn placeholders(
        &self,
        kind: crate::model::PlaceholderKind,
    ) -> impl Iterator<Item = (&'a crate::model::KeyFact, &'a crate::model::Placeholder)> + use<'a>
    {
        let all = self.shared.placeholders.get_or_init(|| {
            let text: &str = &self.node.text;
            // most files hold a few placeholders, some none at all: only the
            // values a `$` falls in are scanned
            let dollars: Vec<usize> = memchr::memchr_iter(b'$', text.as_bytes()).collect();
            if dollars.is_empty() {
                return Vec::new();
            }
            let holds_dollar = |span: &std::ops::Range<usize>| {
                let i = dollars.partition_point(|&d| d < span.start);
                dollars.get(i).is_some_and(|&d| d < span.end)
            };
            self.node
                .facts
                .keys
                .iter()
                .flatten()
                .filter(|k| {
                    k.kind == crate::model::KeyKind::Value
                        && k.value.as_ref().is_some_and(|v| holds_dollar(&v.span))
                })
                .flat_map(|k| k.all_placeholders(text).into_iter().map(move |p| (k, p)))
                .collect()
        });
        all.iter()
            .filter(move |(_, p)| p.kind == kind)
            .map(|(k, p)| (*k, p))
    }
}

/// A rule that reads one node, in three steps (biome's `Rule`): `run` finds
/// what is wrong, one state per finding; `diagnostic` says it (message,
/// related locations, help, key); `action` gives its fix. The runner
/// composes them ([`node_check`]) and enforces roles and levels.
pub(crate) trait NodeRule {
    /// What `run` found: all `diagnostic` and `action` need.
    type State<'a>;
    fn run<'a>(cx: &NodeCx<'a>) -> Vec<Self::State<'a>>;
    fn diagnostic(cx: &NodeCx<'_>, state: &Self::State<'_>) -> Diagnostic;
    /// The fix, where the right edit is known.
    fn action(_cx: &NodeCx<'_>, _state: &Self::State<'_>) -> Option<Fix> {
        None
    }
}

/// A rule that compares nodes, in the same three steps as [`NodeRule`].
pub(crate) trait DeploymentRule {
    type State<'d>;
    fn run(dep: &Deployment) -> Vec<Self::State<'_>>;
    fn diagnostic(dep: &Deployment, state: &Self::State<'_>) -> Diagnostic;
    fn action(_dep: &Deployment, _state: &Self::State<'_>) -> Option<Fix> {
        None
    }
}

/// A finding and its fix.
fn finding(d: Diagnostic, fix: Option<Fix>) -> Diagnostic {
    match fix {
        Some(f) => d.fix(f),
        None => d,
    }
}

/// A [`NodeRule`] as a [`Check::Node`].
pub(crate) fn node_check<'a, R: NodeRule>(
    config: &'a Config,
    file: FileId,
    node: &'a Node,
    shared: &'a NodeShared<'a>,
    acc: &mut Vec<Diagnostic>,
) {
    let cx = NodeCx {
        file,
        node,
        config,
        shared,
    };
    for s in R::run(&cx) {
        acc.push(finding(R::diagnostic(&cx, &s), R::action(&cx, &s)));
    }
}

/// A [`DeploymentRule`] as a [`Check::Deployment`].
pub(crate) fn deployment_check<R: DeploymentRule>(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    for s in R::run(dep) {
        acc.push(finding(R::diagnostic(dep, &s), R::action(dep, &s)));
    }
}

impl RuleInfo for Rule {
    fn id(&self) -> &'static str {
        self.id
    }
    fn severity(&self) -> Severity {
        self.severity
    }
}

impl Rule {
    /// Whether the rule reads only the node it reports on ([`Check::Node`]).
    pub(crate) fn is_local(&self) -> bool {
        matches!(self.check, Check::Node(_))
    }

    /// Its group: the directory it is in.
    pub fn group(&self) -> Group {
        match self
            .module
            .split("::rules::")
            .nth(1)
            .and_then(|m| m.split("::").next())
        {
            Some("syntax") => Group::Syntax,
            Some("node") => Group::Node,
            Some("wiring") => Group::Wiring,
            Some("shared") => Group::Shared,
            Some("bridge") => Group::Bridge,
            Some("keys") => Group::Keys,
            Some("front") => Group::Front,
            Some("security") => Group::Security,
            _ => Group::Meta,
        }
    }

    /// Whether the rule reports on nodes of this role.
    pub(crate) fn applies_to(&self, role: Role) -> bool {
        self.roles.is_empty() || self.roles.contains(&role)
    }

    /// Whether the rule reports on this node: one of its roles, and analysable.
    pub(crate) fn covers(&self, n: &Node) -> bool {
        self.applies_to(n.role) && n.is_analysable()
    }

    /// The nodes the rule reports on ([`Rule::covers`]), in node order.
    pub(crate) fn subjects<'d>(
        &'static self,
        dep: &'d Deployment,
    ) -> impl Iterator<Item = (NodeIdx, &'d Node)> + 'd {
        dep.nodes()
            .iter()
            .enumerate()
            .filter(|(_, n)| self.covers(n))
    }
}

impl Rule {
    /// The one-sentence summary: the first line under `## What it checks`.
    pub fn summary(&self) -> &'static str {
        let after = self
            .docs
            .split_once("## What it checks")
            .map_or("", |(_, rest)| rest);
        after
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("id", &self.id)
            .field("severity", &self.severity)
            .finish()
    }
}

/// Where the rule pages (`rules/<id>.md`) are published.
pub const RULE_PAGES: &str = "https://github.com/apimlint/apimlint/blob/main/rules";

/// The published page of a rule.
pub fn page_url(id: &str) -> String {
    format!("{RULE_PAGES}/{id}.md")
}

/// Every rule, in catalog order.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    syntax::RULES
        .iter()
        .chain(node::RULES)
        .chain(wiring::RULES)
        .chain(shared::RULES)
        .chain(bridge::RULES)
        .chain(keys::RULES)
        .chain(front::RULES)
        .chain(security::RULES)
        .chain(meta::RULES)
        .copied()
}

/// The rule with this id.
pub fn by_id(id: &str) -> Option<&'static Rule> {
    all().find(|r| r.id == id)
}

/// Every rule id.
pub fn ids() -> Vec<&'static str> {
    all().map(|r| r.id).collect()
}

/// The rules `apimlint.toml` does not turn off.
pub(crate) fn enabled(config: &Config) -> impl Iterator<Item = &'static Rule> + '_ {
    all().filter(|r| config.level(r.id) != Some(Level::Off))
}

/// Run the deployment rules among `rules` (in parallel, one per task) over
/// the deployment, with `[rules]` levels applied; unsorted.
pub(crate) fn run_deployment_rules(rules: &[&'static Rule], dep: &Deployment) -> Vec<Diagnostic> {
    rules
        .par_iter()
        .flat_map_iter(|r| {
            let mut acc = Vec::new();
            if let Check::Deployment(check) = r.check {
                check(dep, &mut acc);
            }
            if !r.roles.is_empty() {
                acc.retain(|d| dep.node_of(d.file).is_none_or(|n| r.applies_to(n.role)));
            }
            apply_level(r, dep.config(), &mut acc);
            acc
        })
        .collect()
}

/// Run the node rules among `rules` over one node, with `[rules]` levels
/// applied; unsorted.
pub(crate) fn run_node_rules(
    rules: &[&'static Rule],
    config: &Config,
    node: &Node,
) -> Vec<Diagnostic> {
    let mut all = Vec::new();
    let shared = NodeShared::default();
    for r in rules.iter().filter(|r| r.applies_to(node.role)) {
        let mut acc = Vec::new();
        if let Check::Node(check) = r.check {
            check(config, node.file, node, &shared, &mut acc);
        }
        apply_level(r, config, &mut acc);
        all.append(&mut acc);
    }
    all
}

/// The severity `apimlint.toml`'s `[rules]` gives a rule: `None` when it is
/// off, its own severity when the table does not name it.
pub(crate) fn level(r: &Rule, config: &Config) -> Option<Severity> {
    match config.level(r.id) {
        Some(Level::Off) => None,
        Some(Level::Is(sev)) => Some(sev),
        None => Some(r.severity),
    }
}

/// `[rules]` levels of `apimlint.toml` (a rule may report below its default
/// severity; only a level the table sets overrides it).
fn apply_level(r: &Rule, config: &Config, acc: &mut [Diagnostic]) {
    if let Some(Level::Is(sev)) = config.level(r.id) {
        acc.iter_mut().for_each(|d| d.severity = sev);
    }
}

/// Sort findings by file (in the deployment's node order), position and
/// rule, and drop exact duplicates.
pub fn sort(dep: &Deployment, out: &mut Vec<Diagnostic>) {
    // a node's findings, then those of its home files (by file)
    let pos = |d: &Diagnostic| match dep.idx(d.file) {
        Some(i) => (i, 0),
        None => (
            dep.owner(d.file).unwrap_or(usize::MAX),
            d.file.0 as usize + 1,
        ),
    };
    out.sort_by(|a, b| {
        (pos(a), a.range.start, a.range.end, a.rule, &a.message).cmp(&(
            pos(b),
            b.range.start,
            b.range.end,
            b.rule,
            &b.message,
        ))
    });
    out.dedup_by(|a, b| {
        a.file == b.file && a.range == b.range && a.rule == b.rule && a.message == b.message
    });
}

/// The most common value (the first node holding it wins ties), with the
/// first node holding it and that node's payload: the reference the
/// shared-state rules compare every node against.
pub(crate) fn majority<T: PartialEq + Clone, P: Clone>(
    items: impl IntoIterator<Item = (NodeIdx, T, P)>,
) -> Option<(T, NodeIdx, P)> {
    majority_by(items, |_, _| std::cmp::Ordering::Equal)
}

/// [`majority`], where `prefer` decides between values held by as many
/// nodes before the first node does (`Greater`: the first value wins).
pub(crate) fn majority_by<T: PartialEq + Clone, P: Clone>(
    items: impl IntoIterator<Item = (NodeIdx, T, P)>,
    prefer: impl Fn(&T, &T) -> std::cmp::Ordering,
) -> Option<(T, NodeIdx, P)> {
    let mut counts: Vec<(T, usize, NodeIdx, P)> = Vec::new();
    for (i, v, p) in items {
        match counts.iter_mut().find(|c| c.0 == v) {
            Some(c) => c.1 += 1,
            None => counts.push((v, 1, i, p)),
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(prefer(&a.0, &b.0)).then(b.2.cmp(&a.2)))
        .map(|(v, _, i, p)| (v, i, p))
}

/// The ids of `nodes`, in backticks, joined by commas.
pub(crate) fn node_list(dep: &Deployment, nodes: impl IntoIterator<Item = NodeIdx>) -> String {
    crate::base::text::code_list(nodes.into_iter().map(|i| dep.id(i)))
}

/// Where a node's file names the node: its `hostname` value, else its anchor.
pub(crate) fn host_span(n: &Node) -> std::ops::Range<usize> {
    n.facts
        .hostname
        .as_ref()
        .map_or_else(|| n.anchor(), |h| h.span.clone())
}

/// `d` with node `i` as a related location at its `hostname`: "`<id>` is a
/// `what` of `<region>`".
pub(crate) fn related_node(d: Diagnostic, dep: &Deployment, i: NodeIdx, what: &str) -> Diagnostic {
    match dep.node(i) {
        Some(n) => d.related(
            n.file,
            host_span(n),
            format!("`{}` is a {what} of {}", n.id, n.region),
        ),
        None => d,
    }
}
