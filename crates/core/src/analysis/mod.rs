//! The driver: the only module that puts the others together. Loading a
//! deployment, checking it (rules → fix policy → suppressions → order),
//! fixing it, re-analysing it after edits, and answering an editor's
//! questions. The CLI and the language server both go through here.

pub mod editor;
pub mod fixes;
mod home;
pub mod host;
pub mod incremental;
pub mod project;
pub mod upgrade;

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::files::FileId;
use crate::base::keypath;
use crate::config::{Config, ConfigError};
use crate::graph::{Deployment, Node, SourceFile};
use crate::rules::{self, Rule};
use crate::suppress;
use crate::vfs::{Discovery, Vfs};

/// Read the project file at `path` (shown as `display` in errors).
pub fn load_config(vfs: &dyn Vfs, path: &Path, display: &str) -> Result<Config, ConfigError> {
    let text = vfs.read(path).map_err(|e| ConfigError {
        path: display.to_owned(),
        line: 1,
        column: 1,
        message: e.to_string(),
        help: None,
    })?;
    let mut config = Config::parse(display, &text, &rules::ids())?;
    config.source = Some(crate::config::Source {
        path: crate::vfs::normalize(path),
        text: text.into(),
    });
    Ok(config)
}

/// Read every node file of a discovery (in parallel) and build the
/// deployment, keeping every parse tree (the editor, tests).
pub fn load(vfs: &dyn Vfs, discovery: &Discovery, mut config: Config) -> Deployment {
    let sources = read_all(vfs, discovery);
    config.settle_version(sources.iter().filter_map(|s| s.origin.as_deref()));
    Deployment::build(&discovery.root, config, sources)
}

/// A deployment built for one check (the CLI): the parse trees and the
/// keys are dropped as each node is built, once the node rules have run on
/// it; their findings are kept here.
#[derive(Debug)]
pub struct Lean {
    pub dep: Deployment,
    node_findings: HashMap<FileId, Vec<Diagnostic>>,
}

/// Like [`load`], running the node rules as each node is built and then
/// dropping what only they read: a fraction of the memory.
pub fn load_lean(vfs: &dyn Vfs, discovery: &Discovery, config: Config) -> Lean {
    load_lean_with(vfs, discovery, config, None)
}

/// [`load_lean`] with a manifest stream read from standard input.
pub fn load_lean_with(
    vfs: &dyn Vfs,
    discovery: &Discovery,
    mut config: Config,
    stdin: Option<&Stdin>,
) -> Lean {
    let sources = read_sources(vfs, discovery, stdin);
    config.settle_version(sources.iter().filter_map(|s| s.origin.as_deref()));
    let local: Vec<&'static Rule> = rules::enabled(&config).filter(|r| r.is_local()).collect();
    let cfg = config.clone();
    let visit = |n: &Node| node_findings(&local, &cfg, n);
    let (dep, found) = Deployment::build_with(&discovery.root, config, sources, false, &visit);
    Lean {
        dep,
        node_findings: found.into_iter().collect(),
    }
}

impl Lean {
    /// The deployment and the node findings made while it was built.
    pub fn into_parts(self) -> (Deployment, HashMap<FileId, Vec<Diagnostic>>) {
        (self.dep, self.node_findings)
    }

    pub fn check(&self) -> Vec<Diagnostic> {
        self.check_with(&suppress::Options::default())
    }

    pub fn check_with(&self, opts: &suppress::Options) -> Vec<Diagnostic> {
        finish(
            &self.dep,
            self.node_findings.values().flatten().cloned().collect(),
            opts,
        )
    }
}

/// A manifest stream read from standard input (`apimlint check -`), with
/// the region and namespace given on the command line.
#[derive(Debug, Clone, Default)]
pub struct Stdin {
    pub text: String,
    pub region: Option<String>,
    pub namespace: Option<String>,
}

pub use crate::manifest::STDIN_NAME;

fn read_all(vfs: &dyn Vfs, discovery: &Discovery) -> Vec<SourceFile> {
    read_sources(vfs, discovery, None)
}

/// Every node file of a discovery, read (in parallel); a manifest stream
/// (a `.yaml`/`.yml` file mentioning `deployment.toml`, or standard input)
/// gives one source per `deployment.toml` it holds, with its origin.
pub(crate) fn read_sources(
    vfs: &dyn Vfs,
    discovery: &Discovery,
    stdin: Option<&Stdin>,
) -> Vec<SourceFile> {
    let read = |p: &std::path::PathBuf| read_node_file(vfs, discovery, p);
    let mut out: Vec<SourceFile> = discovery
        .files
        .par_iter()
        .flat_map_iter(|p| {
            if crate::manifest::is_compose(p) {
                return Vec::new();
            }
            if !crate::manifest::is_manifest(p) {
                let plain = SourceFile::plain(p.clone(), read(p));
                return vec![home::attach(vfs, discovery, plain)];
            }
            match read(p) {
                Ok(text) if text.contains(crate::vfs::NODE_FILE) => {
                    manifest_sources(p, &text, None, None, false)
                }
                // unrelated YAML costs nothing
                Ok(_) => Vec::new(),
                Err(e) if unreadable_manifest(vfs, &discovery.root, p, &e) => {
                    vec![SourceFile::plain(p.clone(), Err(e))]
                }
                Err(_) => Vec::new(),
            }
        })
        .collect();
    // Compose files: their services' names and offsets on the node files
    // they bind-mount (read here when the walk did not find them); one that
    // cannot be read is a finding on it
    let mut compose: Vec<(std::path::PathBuf, crate::manifest::Origin)> = Vec::new();
    for p in discovery
        .files
        .iter()
        .filter(|p| crate::manifest::is_compose(p))
    {
        match read(p) {
            Ok(text) => {
                let found = crate::manifest::compose(p, &text, &|f| vfs.is_file(f), &|f| {
                    read(&f.to_path_buf()).ok()
                });
                match found {
                    Ok(found) => compose.extend(found),
                    Err(e) => out.push(SourceFile::plain(
                        p.clone(),
                        Err(crate::vfs::ReadError::Manifest(e)),
                    )),
                }
            }
            Err(e) => out.push(SourceFile::plain(p.clone(), Err(e))),
        }
    }
    attach_compose(vfs, discovery, &mut out, compose);
    if let Some(s) = stdin {
        out.extend(manifest_sources(
            &discovery.root.join(STDIN_NAME),
            &s.text,
            s.region.as_deref(),
            s.namespace.as_deref(),
            true,
        ));
    }
    out
}

/// The nodes the Compose services bind-mount get their services as
/// origins (and the home files the services bind-mount); a second service
/// mounting a file is a node of its own.
fn attach_compose(
    vfs: &dyn Vfs,
    discovery: &Discovery,
    out: &mut Vec<SourceFile>,
    mut compose: Vec<(std::path::PathBuf, crate::manifest::Origin)>,
) {
    // a service whose Compose file's directory holds the file claims it
    // first; a second service mounting it is a node of its own
    compose.sort_by_key(|(file, o)| !file.starts_with(o.manifest.path.parent().unwrap_or(file)));
    for (file, origin) in compose {
        let binds = origin
            .workload
            .as_ref()
            .and_then(|w| w.compose.as_ref())
            .map(|c| c.home_binds.clone())
            .unwrap_or_default();
        match out.iter_mut().find(|s| s.path == file) {
            Some(s) if s.origin.is_some() => {
                let text = vfs.read_within(&discovery.root, &file);
                let Ok(text) = text else { continue };
                let rel = crate::vfs::relative(&origin.manifest.path, &discovery.root);
                let region = rel.split_once('/').map(|(r, _)| r.to_owned());
                let (vpath, origin) = crate::manifest::second_mount(origin, &file, &text, region);
                out.push(SourceFile {
                    path: vpath,
                    text: Ok(text),
                    origin: Some(std::sync::Arc::new(origin)),
                    home: None,
                });
            }
            Some(s) => {
                let origin = std::sync::Arc::new(origin);
                let toml = s.text.as_deref().unwrap_or("");
                let bound = home::from_binds(vfs, &discovery.root, &binds, toml, &origin);
                home::merge(&mut s.home, bound);
                s.origin = Some(origin);
            }
            None => {
                let origin = std::sync::Arc::new(origin);
                let text = vfs.read_within(&discovery.root, &file);
                let toml = text.as_deref().unwrap_or("");
                let bound = home::from_binds(vfs, &discovery.root, &binds, toml, &origin);
                let mut home = None;
                home::merge(&mut home, bound);
                out.push(SourceFile {
                    text,
                    path: file,
                    origin: Some(origin),
                    home,
                });
            }
        }
    }
}

/// Read a file of a discovery: within its root, unless it is known not to
/// be reached through a symbolic link.
pub(crate) fn read_node_file(
    vfs: &dyn Vfs,
    discovery: &Discovery,
    p: &Path,
) -> Result<String, crate::vfs::ReadError> {
    if walked_without_links(discovery, p) {
        vfs.read(p)
    } else {
        vfs.read_within(&discovery.root, p)
    }
}

/// Whether the walk of a discovery reached file `p` with no symbolic link
/// on its way (so that it, and its directory, lie in the deployment).
pub(crate) fn walked_without_links(discovery: &Discovery, p: &Path) -> bool {
    matches!(&discovery.may_escape, Some(set) if !set.contains(p))
}

/// Whether a YAML file that could not be read is a finding: it is not a
/// regular file (a FIFO, a device: never opened), or it is not UTF-8 or too
/// large and its bytes mention a node file (in UTF-8, Latin-1 or UTF-16).
/// An unreadable YAML file that mentions none is no manifest of the
/// deployment, and a link out of the deployment is never read to tell.
fn unreadable_manifest(vfs: &dyn Vfs, root: &Path, path: &Path, e: &crate::vfs::ReadError) -> bool {
    use crate::vfs::ReadError;
    match e {
        ReadError::NotRegular { .. } => true,
        ReadError::NotUtf8 { .. } | ReadError::Utf16 | ReadError::TooLarge { .. } => vfs
            .raw_within(root, path)
            .is_some_and(|b| crate::vfs::mentions_node_file(&b)),
        ReadError::Io(_) | ReadError::Outside { .. } | ReadError::Manifest(_) => false,
    }
}

fn manifest_sources(
    path: &Path,
    text: &str,
    region: Option<&str>,
    namespace: Option<&str>,
    stdin: bool,
) -> Vec<SourceFile> {
    let ex = crate::manifest::extract(path, text, region, namespace, stdin);
    ex.nodes
        .into_iter()
        .zip(ex.homes)
        .map(|((vpath, content, origin), home)| SourceFile {
            path: vpath,
            text: content.map_err(crate::vfs::ReadError::Manifest),
            origin: Some(std::sync::Arc::new(origin)),
            home: Some(home::from_manifest(home)),
        })
        .collect()
}

/// Every enabled rule, then the suppression comments: the findings, sorted
/// by file (node order), position and rule.
pub fn check(dep: &Deployment) -> Vec<Diagnostic> {
    check_with(dep, &suppress::Options::default())
}

/// [`check`] with options (`--require-reason`).
pub fn check_with(dep: &Deployment, opts: &suppress::Options) -> Vec<Diagnostic> {
    let local: Vec<&'static Rule> = rules::enabled(dep.config())
        .filter(|r| r.is_local())
        .collect();
    let per_node: Vec<Diagnostic> = dep
        .nodes()
        .par_iter()
        .with_min_len(8)
        .flat_map_iter(|n| node_findings(&local, dep.config(), n))
        .collect();
    finish(dep, per_node, opts)
}

/// The node rules' findings on one node, their fixes judged.
pub(crate) fn node_findings(local: &[&'static Rule], config: &Config, n: &Node) -> Vec<Diagnostic> {
    let mut found = rules::run_node_rules(local, config, n);
    fixes::drop_breaking(
        |f| (f == n.file).then_some(fixes::Target::Node(n)),
        &mut found,
    );
    found
}

/// The deployment rules' findings (fixes judged).
pub(crate) fn deployment_findings(dep: &Deployment) -> Vec<Diagnostic> {
    let cross: Vec<&'static Rule> = rules::enabled(dep.config())
        .filter(|r| !r.is_local())
        .collect();
    let mut found = rules::run_deployment_rules(&cross, dep);
    fixes::drop_breaking(|f| fixes::Target::of(dep, f), &mut found);
    found
}

/// Node findings (already made) + deployment findings, sorted, then the
/// suppression comments.
fn finish(
    dep: &Deployment,
    mut found: Vec<Diagnostic>,
    opts: &suppress::Options,
) -> Vec<Diagnostic> {
    found.extend(deployment_findings(dep));
    suppressed(dep, found, opts)
}

/// Apply the suppression comments of every node to the findings, then sort
/// them (file in node order, position, rule; exact duplicates dropped).
pub(crate) fn suppressed(
    dep: &Deployment,
    found: Vec<Diagnostic>,
    opts: &suppress::Options,
) -> Vec<Diagnostic> {
    let sources: Vec<suppress::Source<'_>> = dep
        .nodes()
        .iter()
        .map(|n| suppress::Source {
            file: n.file,
            text: &n.text,
            lines: &n.lines,
        })
        .collect();
    let config = dep.config();
    // a meta rule's severity, or `None` when it does not run
    let level = |rule: &'static Rule, by_default: bool| -> Option<Severity> {
        // a rule off by default runs when `[rules]` names it
        let on = by_default || config.level(rule.id).is_some();
        rules::level(rule, config).filter(|_| on)
    };
    let unused = level(&rules::meta::unused_suppression::RULE, true);
    let no_reason = level(
        &rules::meta::suppression_without_reason::RULE,
        opts.require_reason,
    );
    let judge = suppress::Judge {
        unused: unused.is_some(),
        no_reason: no_reason.is_some(),
    };
    let (mut out, mut wanting) = suppress::apply(&sources, found, judge);
    if !config.deselected.is_empty() {
        not_judged(&config.deselected, &mut wanting);
    }
    // the two meta rules say (and fix) what `apply` found wanting
    use rules::meta::{
        suppression_without_reason as no_reason_rule, unused_suppression as unused_rule,
    };
    for w in &wanting {
        let (d, sev) = match w {
            suppress::Wanting::Unused { .. } => (
                unused_rule::diagnostic(config, w).map(|d| match unused_rule::action(w) {
                    Some(f) => d.fix(f),
                    None => d,
                }),
                unused,
            ),
            suppress::Wanting::NoReason { .. } => (no_reason_rule::diagnostic(w), no_reason),
        };
        if let (Some(d), Some(sev)) = (d, sev) {
            out.push(d.severity(sev));
        }
    }
    scrub(&dep.scrubber(), &mut out);
    rules::sort(dep, &mut out);
    out
}

/// A rule the command line left out of the run (`--select`, `--ignore`) did
/// not run: a comment entry naming it is neither unused nor removed by a fix.
fn not_judged(
    deselected: &std::collections::BTreeSet<String>,
    wanting: &mut Vec<suppress::Wanting<'_>>,
) {
    let named = |comment: &suppress::Suppression, k: usize| {
        comment
            .rules
            .get(k)
            .is_some_and(|(id, _)| deselected.contains(id))
    };
    wanting.retain_mut(|w| match w {
        suppress::Wanting::Unused {
            comment,
            entry,
            unused,
            ..
        } => {
            unused.retain(|k| !named(comment, *k));
            !named(comment, *entry)
        }
        suppress::Wanting::NoReason { .. } => true,
    });
}

/// Every text of every finding scrubbed ([`crate::redact::Scrubber`]):
/// the one point all findings leave the analysis through (the CLI's
/// check, `--fix`, the language server). A fix whose edits would write a
/// secret is dropped: it could not be shown (JSON and SARIF print its
/// edits) and the fix policy refuses to apply it anyway.
pub(crate) fn scrub(scrubber: &crate::redact::Scrubber<'_>, found: &mut [Diagnostic]) {
    for d in found {
        scrubber.scrub_in_place(&mut d.message);
        if let Some(h) = &mut d.help {
            scrubber.scrub_in_place(h);
        }
        for r in &mut d.related {
            scrubber.scrub_in_place(&mut r.message);
        }
        if let Some(fix) = &mut d.fix {
            if fix
                .edits
                .iter()
                .any(|e| scrubber.scrub(&e.new_text) != e.new_text)
            {
                d.fix = None;
            } else {
                scrubber.scrub_in_place(&mut fix.title);
            }
        }
    }
}

/// `sha256(rule, node id, key path, normalised value)`: what baselines and
/// SARIF's `partialFingerprints` match on — never a line number, so a
/// finding keeps its fingerprint when lines move. The value of a
/// secret-bearing key is left out, and secrets inside values are starred.
pub fn fingerprint(dep: &Deployment, d: &Diagnostic) -> String {
    let node = dep.id_of(d.file);
    let node = if dep.node_of(d.file).is_some() {
        node
    } else {
        ""
    };
    let segs = keypath::split(&d.key);
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let secret = crate::redact::fingerprint_omits(keypath::leaf(&d.key))
        || crate::redact::is_secret_table(&segs);
    let value = if secret {
        String::new()
    } else {
        crate::redact::redact_value(d.value.as_deref().unwrap_or(""))
    };
    let mut h = Sha256::new();
    for part in [d.rule, node, d.key.as_str(), value.as_str()] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
