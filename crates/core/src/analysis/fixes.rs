//! The fix policy — the one place that decides which fixes may be offered and
//! applied, for `check` (a fix shown with a finding), `--fix`/`--diff`, SARIF
//! and every code action of the language server:
//!
//! * a fix whose result would make a file that parses stop parsing is never
//!   offered ([`drop_breaking`], when findings are made);
//! * a fix is applied whole (all its edits, in every file it touches) or not
//!   at all; its result must parse and must not hold a secret the fix wrote
//!   ([`acceptable`]); one that overlaps a fix already taken waits for the
//!   next pass ([`plan`]);
//! * `fix_all` runs passes over an in-memory overlay (fix → re-load →
//!   re-check) until nothing changes. Nothing here writes to disk.
//!
//! Validation is linear in the file: the fixes of one file are applied and
//! parsed together, and only a group that fails is split (group testing),
//! so a file with thousands of fixes costs a few parses, not one per fix.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit, Fix, apply, conflict, fits};
use crate::base::files::FileId;
use crate::config::Config;
use crate::graph::{Deployment, HomeFile, Node};
use crate::suppress;
use crate::vfs::{Discovery, Vfs};

use super::host::{AnalysisHost, Change, Mode, Pass};

/// Whether `--fix` (safe only) or `--fix --unsafe-fixes` applies this fix.
pub fn wanted(fix: &Fix, unsafe_fixes: bool) -> bool {
    !fix.edits.is_empty() && (fix.applicability == Applicability::Safe || unsafe_fixes)
}

/// What a check of a group of edits on one file found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Ok,
    /// The edits do not fit the text (outside it, overlapping).
    Misfit,
    /// The result does not parse.
    Unparsable,
    /// The result holds a secret inside text the edits wrote.
    Secret,
    /// The node was read from a manifest the edits cannot be written into
    /// (`Origin::manifest_edits`).
    Generated,
}

/// A file a fix edits: a node's TOML, or a text file of its home (an event
/// publisher, a JNDI properties file).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target<'a> {
    Node(&'a Node),
    Home(&'a HomeFile),
}

impl<'a> Target<'a> {
    /// The file `f` of `dep` a fix may edit.
    pub(crate) fn of(dep: &'a Deployment, f: FileId) -> Option<Target<'a>> {
        dep.node_of(f)
            .map(Target::Node)
            .or_else(|| dep.home_file(f).map(|(_, h)| Target::Home(h)))
    }

    fn readable(self) -> bool {
        match self {
            Target::Node(n) => n.read_error().is_none(),
            Target::Home(h) => h.read_error().is_none(),
        }
    }

    /// Readable and parsing: a fix that would break it is judged.
    fn sound(self) -> bool {
        self.readable()
            && match self {
                Target::Node(n) => n.syntax_error().is_none(),
                Target::Home(h) => h.syntax_error().is_none(),
            }
    }
}

/// Apply `edits` to a home file's text and judge the result as [`judge`]
/// does a node's: it fits, still parses, writes no secret, and the file is
/// one a fix may write (not a keystore, not held in a manifest).
fn judge_home(h: &HomeFile, edits: &[&Edit], applying: bool) -> Result<String, Verdict> {
    if h.kind.is_binary() || !fits(&h.text, edits) {
        return Err(Verdict::Misfit);
    }
    let owned: Vec<Edit> = edits.iter().map(|e| (*e).clone()).collect();
    let (text, inserted) = apply(&h.text, &owned).ok_or(Verdict::Misfit)?;
    let after = h.with_text(&text);
    if after.syntax_error().is_some() || after.read_error().is_some() {
        return Err(Verdict::Unparsable);
    }
    if applying {
        if after
            .secrets
            .iter()
            .any(|s| inserted.iter().any(|i| s.start < i.end && i.start < s.end))
        {
            return Err(Verdict::Secret);
        }
        h.writable().map_err(|_| Verdict::Generated)?;
    }
    Ok(text)
}

/// [`judge`] or [`judge_home`], by the file edited.
fn judge_target(t: Target<'_>, edits: &[&Edit], applying: bool) -> Result<String, Verdict> {
    match t {
        Target::Node(n) => judge(n, edits, applying),
        Target::Home(h) => judge_home(h, edits, applying),
    }
}

/// Apply `edits` to the node's text and judge the result: the new text, or
/// why not (never `Verdict::Ok`). `applying`: the edits are to be applied,
/// so also refuse a literal secret written by the edits, and edits of a
/// node read from a manifest that cannot be written into it.
fn judge(node: &Node, edits: &[&Edit], applying: bool) -> Result<String, Verdict> {
    if !fits(&node.text, edits) {
        return Err(Verdict::Misfit);
    }
    let owned: Vec<Edit> = edits.iter().map(|e| (*e).clone()).collect();
    let (text, inserted) = apply(&node.text, &owned).ok_or(Verdict::Misfit)?;
    let parsed = crate::syntax::parse(&text);
    let doc = parsed.doc.as_ref().ok_or(Verdict::Unparsable)?;
    if applying {
        let found = crate::redact::secret_ranges(&text, Some(doc));
        if found
            .iter()
            .any(|s| inserted.iter().any(|i| s.start < i.end && i.start < s.end))
        {
            return Err(Verdict::Secret);
        }
        if let Some(o) = node.origin.as_ref().filter(|o| o.inline) {
            o.manifest_edits(&node.text, edits)
                .map_err(|_| Verdict::Generated)?;
        }
    }
    Ok(text)
}

/// Group testing over one file: the verdict of each item (a fix's edits in
/// this file) as if applied alone. Items are first put in layers of edits
/// that do not conflict; a layer that passes as a whole passes for each of
/// its items; one that fails is split in halves.
fn judge_each(node: Target<'_>, items: &[Vec<&Edit>], secrets: bool) -> Vec<Verdict> {
    let text = match node {
        Target::Node(n) => &n.text,
        Target::Home(h) => &h.text,
    };
    let mut out = vec![Verdict::Ok; items.len()];
    let mut layers: Vec<(Taken<'_>, Vec<usize>)> = Vec::new();
    for (k, edits) in items.iter().enumerate() {
        if !fits(text, edits) {
            if let Some(v) = out.get_mut(k) {
                *v = Verdict::Misfit;
            }
            continue;
        }
        match layers.iter_mut().find(|(t, _)| !t.clashes(edits)) {
            Some((t, ks)) => {
                t.add(edits);
                ks.push(k);
            }
            None => {
                let mut t = Taken::default();
                t.add(edits);
                layers.push((t, vec![k]));
            }
        }
    }
    for (_, ks) in layers {
        bisect(node, items, &ks, secrets, &mut out);
    }
    out
}

fn bisect(
    node: Target<'_>,
    items: &[Vec<&Edit>],
    ks: &[usize],
    secrets: bool,
    out: &mut [Verdict],
) {
    let edits: Vec<&Edit> = ks
        .iter()
        .filter_map(|k| items.get(*k))
        .flatten()
        .copied()
        .collect();
    let Err(v) = judge_target(node, &edits, secrets) else {
        return;
    };
    match ks {
        [] => {}
        [k] => {
            if let Some(slot) = out.get_mut(*k) {
                *slot = v;
            }
        }
        _ => {
            let (a, b) = ks.split_at(ks.len() / 2);
            bisect(node, items, a, secrets, out);
            bisect(node, items, b, secrets, out);
        }
    }
}

/// The edits taken in one file: disjoint ranges sorted by start (identical
/// edits offered twice count once).
#[derive(Debug, Default)]
struct Taken<'a> {
    by_start: BTreeMap<usize, Vec<&'a Edit>>,
}

impl<'a> Taken<'a> {
    fn clash(&self, e: &Edit) -> bool {
        // the taken edits are disjoint: only the one starting at or before
        // `e` and those starting inside it can overlap it
        let before = self
            .by_start
            .range(..=e.range.start)
            .next_back()
            .into_iter()
            .flat_map(|(_, v)| v.iter());
        let inside = self
            .by_start
            .range(e.range.start.saturating_add(1)..e.range.end.max(e.range.start + 1))
            .flat_map(|(_, v)| v.iter());
        before.chain(inside).any(|x| *x != e && conflict(x, e))
    }

    fn clashes(&self, edits: &[&Edit]) -> bool {
        edits.iter().any(|e| self.clash(e))
    }

    fn add(&mut self, edits: &[&'a Edit]) {
        for e in edits {
            let v = self.by_start.entry(e.range.start).or_default();
            if !v.contains(e) {
                v.push(e);
            }
        }
    }

    fn edits(&self) -> Vec<&'a Edit> {
        self.by_start.values().flatten().copied().collect()
    }
}

/// A fix's edits per file, in file order.
fn by_file(fix: &Fix) -> BTreeMap<FileId, Vec<&Edit>> {
    let mut m: BTreeMap<FileId, Vec<&Edit>> = BTreeMap::new();
    for e in &fix.edits {
        m.entry(e.file).or_default().push(e);
    }
    m
}

/// Judge fixes file by file, each as if applied alone, all of a file's fixes
/// in one group test ([`judge_each`]): `verdict(k, Some((node, v)))` for
/// fix `k` in each node it touches, `verdict(k, None)` for a file that is
/// not a node. A node `judged` refuses is not judged (every fix passes it).
fn judge_by_file<'n, 'f>(
    node: impl Fn(FileId) -> Option<Target<'n>>,
    fixes: impl IntoIterator<Item = (usize, &'f Fix)>,
    secrets: bool,
    judged: impl Fn(Target<'n>) -> bool,
    mut verdict: impl FnMut(usize, Option<(Target<'n>, Verdict, &[&Edit])>),
) {
    let mut items: BTreeMap<FileId, Vec<(usize, Vec<&Edit>)>> = BTreeMap::new();
    for (k, fix) in fixes {
        for (f, edits) in by_file(fix) {
            items.entry(f).or_default().push((k, edits));
        }
    }
    for (f, list) in &items {
        let Some(n) = node(*f) else {
            for (k, _) in list {
                verdict(*k, None);
            }
            continue;
        };
        let edits: Vec<Vec<&Edit>> = list.iter().map(|(_, e)| e.clone()).collect();
        let verdicts = if judged(n) {
            judge_each(n, &edits, secrets)
        } else {
            vec![Verdict::Ok; edits.len()]
        };
        for ((k, edits), v) in list.iter().zip(verdicts) {
            verdict(*k, Some((n, v, edits)));
        }
    }
}

/// Drop every fix that, applied alone, would make a file that parses stop
/// parsing (or does not fit its text), so that no front end ever offers it.
/// `node` gives the nodes a fix may touch; a file that does not parse now is
/// not judged (a fix cannot make it worse).
pub(crate) fn drop_breaking<'a>(
    node: impl Fn(FileId) -> Option<Target<'a>>,
    diags: &mut [Diagnostic],
) {
    let mut bad: BTreeSet<usize> = BTreeSet::new();
    judge_by_file(
        node,
        diags
            .iter()
            .enumerate()
            .filter_map(|(k, d)| Some((k, d.fix.as_ref()?))),
        false,
        Target::sound,
        |k, v| {
            if v.is_none_or(|(_, v, _)| v != Verdict::Ok) {
                bad.insert(k);
            }
        },
    );
    for k in bad {
        if let Some(d) = diags.get_mut(k) {
            d.fix = None;
        }
    }
}

/// Why a fix cannot be applied alone, or `Ok`: the one test behind every
/// fix `--fix` applies and every code action the editor offers.
pub(crate) fn acceptable(dep: &Deployment, fix: &Fix) -> Result<(), String> {
    for (f, edits) in by_file(fix) {
        let Some(t) = Target::of(dep, f) else {
            return Err("the fix names a file that is not part of the deployment".to_owned());
        };
        refusal(
            t,
            &edits,
            judge_target(t, &edits, true).err().unwrap_or(Verdict::Ok),
        )?;
    }
    Ok(())
}

fn refusal(t: Target<'_>, edits: &[&Edit], v: Verdict) -> Result<(), String> {
    let node = match t {
        Target::Node(n) => n,
        Target::Home(h) => return home_refusal(h, v),
    };
    if let Some(o) = node.origin.as_ref().filter(|o| o.inline) {
        let why = match o.manifest_edits(&node.text, edits) {
            Err(why) => why,
            Ok(_) if v == Verdict::Generated => "the edits do not map onto it together".to_owned(),
            Ok(_) => String::new(),
        };
        if !why.is_empty() {
            return Err(format!(
                "`{}` was read from the manifest `{}`: the fix is not written, as {why}",
                node.id,
                o.manifest
                    .path
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
            ));
        }
    }
    if node.read_error().is_some() {
        return Err(format!("`{}` cannot be read", node.rel));
    }
    match v {
        Verdict::Ok => Ok(()),
        Verdict::Misfit => Err(format!("the fix does not fit the text of `{}`", node.rel)),
        Verdict::Unparsable => Err(format!("`{}` would no longer parse", node.rel)),
        Verdict::Secret => Err(format!(
            "the fix would write a literal secret into `{}`; write a reference such as `$secret{{alias}}` instead",
            node.rel
        )),
        Verdict::Generated => Err(format!(
            "the fix cannot be written into the manifest of `{}`",
            node.id
        )),
    }
}

/// Why a fix of a home file is not applied (or `Ok`).
fn home_refusal(h: &HomeFile, v: Verdict) -> Result<(), String> {
    if let Err(why) = h.writable() {
        return Err(format!("`{}` is not written: {why}", h.rel));
    }
    if h.read_error().is_some() {
        return Err(format!("`{}` cannot be read", h.rel));
    }
    match v {
        Verdict::Ok => Ok(()),
        Verdict::Misfit | Verdict::Generated => {
            Err(format!("the fix does not fit the text of `{}`", h.rel))
        }
        Verdict::Unparsable => Err(format!("`{}` would no longer parse", h.rel)),
        Verdict::Secret => Err(format!("the fix would write a secret into `{}`", h.rel)),
    }
}

/// The fixes of one pass and the new text of each file they touch.
#[derive(Debug, Default)]
pub struct Plan {
    /// New text per file.
    pub files: BTreeMap<FileId, String>,
    /// The edits taken, per file, sorted.
    pub edits: BTreeMap<FileId, Vec<Edit>>,
    /// The fixes taken.
    pub applied: Vec<Applied>,
    /// Fixes that overlap one taken: left for the next pass.
    pub deferred: usize,
    /// Fixes that cannot be applied, with why.
    pub refused: Vec<Refusal>,
}

/// A fix a pass takes: its title and the files it edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub title: String,
    pub files: Vec<FileId>,
}

impl Applied {
    fn of(fix: &Fix) -> Self {
        Applied {
            title: fix.title.clone(),
            files: by_file(fix).into_keys().collect(),
        }
    }
}

/// A fix that was not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub rule: &'static str,
    pub file: FileId,
    pub title: String,
    pub reason: String,
}

/// Choose the fixes of one pass over `diags` (sorted, as `check` returns
/// them): in order, each wanted fix is refused when it is not
/// [`acceptable`] alone, deferred when it overlaps one taken, else taken.
/// The taken fixes are then checked together (one parse per file); only if
/// that fails does the pass fall back to checking each fix against those
/// taken before it.
pub fn plan(dep: &Deployment, diags: &[Diagnostic], unsafe_fixes: bool) -> Plan {
    let mut fixes: Vec<(&Diagnostic, &Fix)> = Vec::new();
    let mut seen: HashSet<&Vec<Edit>> = HashSet::new();
    for d in diags {
        let Some(fix) = d.fix.as_ref().filter(|f| wanted(f, unsafe_fixes)) else {
            continue;
        };
        // the same fix offered by two findings
        if seen.insert(&fix.edits) {
            fixes.push((d, fix));
        }
    }
    let alone = verdicts_alone(dep, &fixes);
    let mut out = Plan::default();
    let mut taken: HashMap<FileId, Taken<'_>> = HashMap::new();
    let mut chosen: Vec<&Fix> = Vec::new();
    for ((d, fix), verdict) in fixes.iter().zip(&alone) {
        let Some(files) = admit(d, fix, verdict, &taken, &mut out) else {
            continue;
        };
        for (f, es) in files {
            taken.entry(f).or_default().add(&es);
        }
        chosen.push(fix);
    }
    // together: one parse per file
    let mut together: BTreeMap<FileId, String> = BTreeMap::new();
    for (f, t) in &taken {
        match Target::of(dep, *f).map(|n| judge_target(n, &t.edits(), true)) {
            Some(Ok(text)) => {
                together.insert(*f, text);
            }
            _ => return plan_one_by_one(dep, &fixes, &alone),
        }
    }
    out.files = together;
    out.edits = taken
        .iter()
        .map(|(f, t)| (*f, t.edits().into_iter().cloned().collect()))
        .collect();
    out.applied = chosen.iter().map(|f| Applied::of(f)).collect();
    out
}

/// A fix's edits per file when it may be taken in this pass: not refused
/// alone (else recorded in `out.refused`), not overlapping a fix taken
/// (else counted in `out.deferred`).
fn admit<'a>(
    d: &Diagnostic,
    fix: &'a Fix,
    verdict: &Result<(), String>,
    taken: &HashMap<FileId, Taken<'_>>,
    out: &mut Plan,
) -> Option<BTreeMap<FileId, Vec<&'a Edit>>> {
    if let Err(reason) = verdict {
        out.refused.push(Refusal {
            rule: d.rule,
            file: d.file,
            title: fix.title.clone(),
            reason: reason.clone(),
        });
        return None;
    }
    let files = by_file(fix);
    if files
        .iter()
        .any(|(f, es)| taken.get(f).is_some_and(|t| t.clashes(es)))
    {
        out.deferred += 1;
        return None;
    }
    Some(files)
}

/// Each fix judged alone (group testing per file).
fn verdicts_alone(dep: &Deployment, fixes: &[(&Diagnostic, &Fix)]) -> Vec<Result<(), String>> {
    let mut out: Vec<Result<(), String>> = vec![Ok(()); fixes.len()];
    judge_by_file(
        |f| Target::of(dep, f),
        fixes.iter().enumerate().map(|(k, (_, fix))| (k, *fix)),
        true,
        Target::readable,
        |k, v| {
            if let Some(slot) = out.get_mut(k).filter(|s| s.is_ok()) {
                *slot = match v {
                    Some((node, v, edits)) => refusal(node, edits, v),
                    None => {
                        Err("the fix names a file that is not part of the deployment".to_owned())
                    }
                };
            }
        },
    );
    out
}

/// The exact sequential pass: each fix checked against the fixes taken
/// before it (one parse per fix). Only when the fixes taken together fail.
fn plan_one_by_one(
    dep: &Deployment,
    fixes: &[(&Diagnostic, &Fix)],
    alone: &[Result<(), String>],
) -> Plan {
    let mut out = Plan::default();
    let mut taken: HashMap<FileId, Taken<'_>> = HashMap::new();
    for ((d, fix), verdict) in fixes.iter().zip(alone) {
        let Some(files) = admit(d, fix, verdict, &taken, &mut out) else {
            continue;
        };
        let mut texts = Vec::new();
        let mut ok = true;
        for (f, es) in &files {
            let mut trial = Taken::default();
            if let Some(t) = taken.get(f) {
                trial.add(&t.edits());
            }
            trial.add(es);
            let edits = trial.edits();
            match Target::of(dep, *f).map(|n| judge_target(n, &edits, true)) {
                Some(Ok(text)) => {
                    texts.push((*f, text, edits.into_iter().cloned().collect::<Vec<Edit>>()));
                }
                _ => ok = false,
            }
        }
        if !ok {
            out.deferred += 1;
            continue;
        }
        for (f, text, edits) in texts {
            out.files.insert(f, text);
            out.edits.insert(f, edits);
        }
        for (f, es) in files {
            taken.entry(f).or_default().add(&es);
        }
        out.applied.push(Applied::of(fix));
    }
    out
}

/// One file `fix_all` changed.
#[derive(Debug, Clone)]
pub struct Changed {
    pub path: PathBuf,
    /// Path relative to the deployment root.
    pub rel: String,
    pub original: Arc<str>,
    pub fixed: String,
    /// A manifest the fixes of the nodes it holds were written into.
    pub manifest: bool,
}

impl Changed {
    /// The original and fixed texts as a diff may show them: every secret
    /// starred (for a manifest, its Secret values and the secrets of the
    /// TOML it holds).
    pub fn redacted(&self) -> (String, String) {
        if self.manifest {
            (
                crate::manifest::redacted(&self.path, &self.original),
                crate::manifest::redacted(&self.path, &self.fixed),
            )
        } else if let Some((_, home_rel)) = crate::graph::home::FileKind::of_path(&self.rel) {
            // an event publisher or JNDI file: its own secrets (a broker
            // URL's password)
            let redact = |t: &str| {
                crate::graph::home::redact_text(home_rel, t).unwrap_or_else(|| "*".repeat(t.len()))
            };
            (redact(&self.original), redact(&self.fixed))
        } else {
            (
                crate::redact::redact_text(&self.original),
                crate::redact::redact_text(&self.fixed),
            )
        }
    }
}

/// What `fix_all` did, and the deployment and findings after it.
#[derive(Debug)]
pub struct Outcome {
    pub dep: Deployment,
    pub diags: Vec<Diagnostic>,
    pub changed: Vec<Changed>,
    /// The fixes applied, over all passes, each with the files it is
    /// written to (so that a file that cannot be written takes its fixes
    /// out of what is reported as applied).
    pub applied: Vec<AppliedFix>,
    /// Fixes refused, with why (each once).
    pub refused: Vec<String>,
    pub passes: usize,
    /// What the host re-analysed after each pass's fixes (the nodes they
    /// reach; `reloaded` when a manifest was written).
    pub analyses: Vec<Pass>,
}

/// A fix applied by [`fix_all`]: its title and the files (a node's file, or
/// the manifest it was read from) its edits are in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedFix {
    pub title: String,
    pub paths: Vec<PathBuf>,
}

/// The most passes `fix_all` makes (a fix that conflicted waits one pass).
pub(crate) const MAX_PASSES: usize = 8;

/// Fix, re-check, until no wanted fix is left (at most `MAX_PASSES`), on
/// one [`AnalysisHost`]: each pass's fixed texts are a change of its
/// snapshot, so the next pass re-analyses only the nodes they reach. Files
/// are read through `base` under the fixed texts; nothing is written.
pub fn fix_all(
    base: &dyn Vfs,
    disc: &Discovery,
    config: &Config,
    opts: &suppress::Options,
    unsafe_fixes: bool,
) -> Outcome {
    let host = AnalysisHost::new(base, disc.clone(), config.clone(), *opts, Mode::Check);
    fix_host(base, host, unsafe_fixes)
}

/// [`fix_all`] on a host already loaded (its findings are the first pass's).
pub(crate) fn fix_host(base: &dyn Vfs, mut host: AnalysisHost, unsafe_fixes: bool) -> Outcome {
    let mut st = Fixing::default();
    loop {
        let plan = st.plan(&host, unsafe_fixes);
        if plan.files.is_empty() {
            return st.finish(host);
        }
        st.passes += 1;
        let change = st.write(&host, base, plan);
        host.apply_change(base, change);
        st.analyses.push(host.last_pass().clone());
    }
}

/// What `fix_all` keeps from one pass to the next.
#[derive(Default)]
struct Fixing {
    /// The fixed text of each file written so far.
    overlays: HashMap<PathBuf, String>,
    /// Each written file's path relative to the root, original text, and
    /// whether it is a manifest.
    originals: BTreeMap<PathBuf, (String, Arc<str>, bool)>,
    applied: Vec<AppliedFix>,
    refused: BTreeSet<String>,
    passes: usize,
    /// Manifest blocks (path, start) whose fixes cannot be written: their
    /// fixes are not planned again (`usize::MAX`: the whole manifest).
    blocked: HashSet<(PathBuf, usize)>,
    analyses: Vec<Pass>,
}

impl Fixing {
    /// This pass's fixes (none past `MAX_PASSES`), refusals recorded.
    fn plan(&mut self, host: &AnalysisHost, unsafe_fixes: bool) -> Plan {
        let dep = host.deployment();
        let diags = host.diagnostics();
        let plan = if self.passes >= MAX_PASSES {
            Plan::default()
        } else if self.blocked.is_empty() {
            plan(dep, diags, unsafe_fixes)
        } else {
            let open: Vec<Diagnostic> = diags
                .iter()
                .map(|d| {
                    let mut d = d.clone();
                    if d.fix.as_ref().is_some_and(|f| {
                        f.edits.iter().any(|e| in_block(dep, e.file, &self.blocked))
                    }) {
                        d.fix = None;
                    }
                    d
                })
                .collect();
            plan(dep, &open, unsafe_fixes)
        };
        self.refused.extend(plan.refused.iter().map(|r| {
            format!(
                "{}: {} ({}): {}",
                dep.id_of(r.file),
                r.title,
                r.rule,
                r.reason
            )
        }));
        plan
    }

    /// The outcome, once no fix is left.
    fn finish(mut self, host: AnalysisHost) -> Outcome {
        let changed = std::mem::take(&mut self.originals)
            .into_iter()
            .filter_map(|(path, (rel, original, manifest))| {
                let fixed = self.overlays.remove(&path)?;
                (fixed != *original).then_some(Changed {
                    path,
                    rel,
                    original,
                    fixed,
                    manifest,
                })
            })
            .collect();
        let (dep, diags) = host.into_parts();
        Outcome {
            dep,
            diags,
            changed,
            applied: self.applied,
            refused: self.refused.into_iter().collect(),
            passes: self.passes,
            analyses: self.analyses,
        }
    }

    /// Write a pass's fixes into the overlays (a node's file, or the
    /// manifest it was read from): the change of the host's snapshot.
    fn write(&mut self, host: &AnalysisHost, base: &dyn Vfs, plan: Plan) -> Change {
        let dep = host.deployment();
        let mut written: HashMap<FileId, PathBuf> = HashMap::new();
        let mut blocks: BTreeSet<(PathBuf, usize)> = BTreeSet::new();
        let mut texts: Vec<(PathBuf, String)> = Vec::new();
        for (f, text) in &plan.files {
            // a file of a node's home, written as it is
            if let Some((_, h)) = dep.home_file(*f) {
                self.originals.entry(h.path.clone()).or_insert_with(|| {
                    (
                        crate::vfs::relative(&h.path, dep.root()),
                        h.text.clone(),
                        false,
                    )
                });
                self.overlays.insert(h.path.clone(), text.clone());
                texts.push((h.path.clone(), text.clone()));
                written.insert(*f, h.path.clone());
                continue;
            }
            let Some(n) = dep.node_of(*f) else { continue };
            if let Some(o) = n.origin.as_ref().filter(|o| o.inline) {
                blocks.insert((o.manifest.path.clone(), o.span.start));
                continue;
            }
            self.originals
                .entry(n.path.clone())
                .or_insert_with(|| (n.rel.clone(), n.text.clone(), false));
            self.overlays.insert(n.path.clone(), text.clone());
            texts.push((n.path.clone(), text.clone()));
            written.insert(*f, n.path.clone());
        }
        let rel = |p: &std::path::Path| crate::vfs::relative(p, dep.root());
        let mut manifests: BTreeMap<PathBuf, Vec<(&Node, &[Edit])>> = BTreeMap::new();
        for (path, start) in blocks {
            match shared_block(dep, &plan, &path, start) {
                Ok((n, edits)) => manifests.entry(path).or_default().push((n, edits)),
                Err(why) => {
                    self.refused
                        .insert(format!("{}: the fixes are not written: {why}", rel(&path)));
                    self.blocked.insert((path, start));
                }
            }
        }
        for (path, nodes) in manifests {
            let now = match self.overlays.get(&path) {
                Some(t) => Ok(t.clone()),
                None => host.read(base, &path),
            };
            match now.map_err(|e| e.to_string()).and_then(|t| {
                let fixed = write_manifest(&t, &nodes)?;
                Ok((t, fixed))
            }) {
                Ok((t, fixed)) => {
                    self.originals
                        .entry(path.clone())
                        .or_insert_with(|| (rel(&path), t.into(), true));
                    written.extend(nodes.iter().map(|(n, _)| (n.file, path.clone())));
                    texts.push((path.clone(), fixed.clone()));
                    self.overlays.insert(path, fixed);
                }
                Err(why) => {
                    self.refused
                        .insert(format!("{}: the fixes are not written: {why}", rel(&path)));
                    self.blocked.insert((path, usize::MAX));
                }
            }
        }
        // a fix counts once it is written, in every file it touches
        self.applied
            .extend(plan.applied.into_iter().filter_map(|a| {
                let paths: Option<BTreeSet<PathBuf>> =
                    a.files.iter().map(|f| written.get(f).cloned()).collect();
                Some(AppliedFix {
                    title: a.title,
                    paths: paths?.into_iter().collect(),
                })
            }));
        Change {
            texts,
            ..Change::default()
        }
    }
}

/// Whether a file is a node read from a manifest block fixes cannot be
/// written into.
fn in_block(dep: &Deployment, file: FileId, blocked: &HashSet<(PathBuf, usize)>) -> bool {
    dep.node_of(file)
        .and_then(|n| n.origin.as_ref())
        .filter(|o| o.inline)
        .is_some_and(|o| {
            blocked.contains(&(o.manifest.path.clone(), o.span.start))
                || blocked.contains(&(o.manifest.path.clone(), usize::MAX))
        })
}

/// The node whose edits a manifest block (`path`, `start`) receives this
/// pass, with them. Every workload mounting the block reads the same
/// text: its edits are written once, and only when every node read from it
/// wants exactly these edits (else one workload's fix would be another's
/// mistake).
fn shared_block<'d, 'p>(
    dep: &'d Deployment,
    plan: &'p Plan,
    path: &std::path::Path,
    start: usize,
) -> Result<(&'d Node, &'p [Edit]), String> {
    let sharing: Vec<&Node> = dep
        .nodes()
        .iter()
        .filter(|n| {
            n.origin
                .as_ref()
                .is_some_and(|o| o.inline && o.manifest.path == path && o.span.start == start)
        })
        .collect();
    let edits_of = |n: &Node| -> Vec<(std::ops::Range<usize>, &'p str)> {
        plan.edits
            .get(&n.file)
            .map(|es| {
                es.iter()
                    .map(|e| (e.range.clone(), e.new_text.as_str()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let Some(first) = sharing.first() else {
        return Err("the block is no node's".to_owned());
    };
    let want = edits_of(first);
    if sharing.iter().any(|n| edits_of(n) != want) {
        let o = first.origin.as_ref();
        return Err(format!(
            "the ConfigMap `{}` is mounted by {} workloads ({}) whose fixes differ",
            o.map_or("", |o| o.name.as_str()),
            sharing.len(),
            crate::base::text::code_list(sharing.iter().map(|n| &n.id))
        ));
    }
    let edits = plan.edits.get(&first.file).map_or(&[][..], Vec::as_slice);
    Ok((first, edits))
}

/// A manifest's text `now` with the edits of the nodes it holds written
/// into it (edits the fix policy took: each maps exactly; one node per
/// block, `shared_block`).
fn write_manifest(now: &str, nodes: &[(&Node, &[Edit])]) -> Result<String, String> {
    let mut all: Vec<crate::manifest::ManifestEdit> = Vec::new();
    for (n, edits) in nodes {
        let Some(o) = n.origin.as_ref() else { continue };
        if o.manifest.text().len() != now.len() {
            return Err("the file changed while apimlint ran".to_owned());
        }
        let refs: Vec<&Edit> = edits.iter().collect();
        all.extend(o.manifest_edits(&n.text, &refs)?);
    }
    all.sort_by_key(|e| (e.range.start, e.range.end));
    crate::manifest::apply_manifest(now, &all)
        .ok_or_else(|| "the edits do not fit the file".to_owned())
}

/// Edits of `fixes` (e.g. one rule's in one file, for "fix all"), as the
/// policy would take them in one pass.
pub(crate) fn combined(dep: &Deployment, diags: &[Diagnostic], unsafe_fixes: bool) -> Vec<Edit> {
    plan(dep, diags, unsafe_fixes)
        .edits
        .into_values()
        .flatten()
        .collect()
}
