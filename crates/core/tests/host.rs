//! The analysis host: a change re-analyses only the nodes it reaches, and
//! its findings equal a fresh check of the same files; `--fix` is passes of
//! changes on one host.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use apimlint_core::analysis::host::{AnalysisHost, Change, Mode, Pass};
use apimlint_core::fixes::fix_all;
use apimlint_core::suppress::Options;
use apimlint_core::vfs::{self, OverlayFs};
use apimlint_core::{Config, Deployment, Diagnostic, DiskFs, FileId};

fn pattern1() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/deployments/pattern-1");
    std::fs::canonicalize(root).unwrap()
}

fn discover(root: &Path) -> (vfs::Discovery, Config) {
    let disc = vfs::discover(root, &[], None).unwrap();
    let config = match &disc.config {
        Some(p) => apimlint_core::load_config(&DiskFs, p, "apimlint.toml").unwrap(),
        None => Config::default(),
    };
    (disc, config)
}

/// Findings with files named by path (ids differ between two loads).
fn by_path(dep: &Deployment, diags: &[Diagnostic]) -> Vec<String> {
    let path = |f: FileId| dep.node_of(f).map(|n| n.rel.clone());
    diags
        .iter()
        .map(|d| {
            format!(
                "{:?} {} {:?} {:?} {:?} {:?} {:?}",
                path(d.file),
                d.rule,
                d.severity,
                d.range,
                d.message,
                d.help,
                d.fix.as_ref().map(|f| (
                    &f.title,
                    f.edits
                        .iter()
                        .map(|e| (path(e.file), &e.range, &e.new_text))
                        .collect::<Vec<_>>()
                )),
            )
        })
        .collect()
}

/// A fresh check of the tree at `root` with `overlays` over the disk.
fn fresh(root: &Path, overlays: &HashMap<PathBuf, String>) -> Vec<String> {
    let (disc, config) = discover(root);
    let fs = OverlayFs {
        base: &DiskFs,
        overlays,
    };
    let dep = apimlint_core::load(&fs, &disc, config);
    let diags = apimlint_core::check(&dep);
    by_path(&dep, &diags)
}

fn gateway(root: &Path) -> PathBuf {
    root.join("region-1/gw-1/repository/conf/deployment.toml")
}

/// gw-1 with its first label misspelt (a safe fix: `Default`).
fn typo(root: &Path) -> HashMap<PathBuf, String> {
    let gw = gateway(root);
    let text = std::fs::read_to_string(&gw).unwrap();
    assert!(text.contains(r#"gateway_labels = ["Default""#));
    let text = text.replace(
        r#"gateway_labels = ["Default""#,
        r#"gateway_labels = ["Defualt""#,
    );
    HashMap::from([(gw, text)])
}

#[test]
fn fix_reanalyses_only_the_nodes_its_edits_reach() {
    let root = pattern1();
    let overlays = typo(&root);
    let fs = OverlayFs {
        base: &DiskFs,
        overlays: &overlays,
    };
    let (disc, config) = discover(&root);
    let nodes = disc.files.len();
    assert!(nodes >= 12, "{nodes}");
    let out = fix_all(&fs, &disc, &config, &Options::default(), false);
    assert_eq!(out.passes, 1, "{:?}", out.refused);
    assert_eq!(out.changed.len(), 1);
    assert_eq!(out.changed[0].path, gateway(&root));
    assert!(
        out.changed[0]
            .fixed
            .contains(r#"gateway_labels = ["Default""#)
    );
    // the pass after the fix parsed gw-1 again and re-ran its node rules,
    // and nothing else: no reload
    assert_eq!(
        out.analyses,
        vec![Pass {
            reloaded: false,
            reanalysed: vec![gateway(&root)],
        }]
    );
    // what it found equals a fresh check of the fixed files
    let fixed = HashMap::from([(gateway(&root), out.changed[0].fixed.clone())]);
    assert_eq!(by_path(&out.dep, &out.diags), fresh(&root, &fixed));
    assert!(out.diags.is_empty(), "{:?}", out.diags);
}

#[test]
fn a_change_reaches_its_node_and_a_project_file_reloads() {
    let root = pattern1();
    let (disc, config) = discover(&root);
    let mut host = AnalysisHost::new(
        &DiskFs,
        disc,
        config.clone(),
        Options::default(),
        Mode::Check,
    );
    assert!(host.last_pass().reloaded);
    assert!(host.diagnostics().is_empty());
    // a node's new text: only that node is analysed again
    let (gw, text) = typo(&root).into_iter().next().unwrap();
    host.apply_change(
        &DiskFs,
        Change {
            texts: vec![(gw.clone(), text.clone())],
            ..Change::default()
        },
    );
    assert_eq!(host.last_pass().reanalysed, vec![gw.clone()]);
    assert!(!host.last_pass().reloaded);
    let overlays = HashMap::from([(gw.clone(), text)]);
    let found = by_path(host.deployment(), host.diagnostics());
    assert_eq!(found, fresh(&root, &overlays));
    assert!(found.iter().any(|d| d.contains("gateway-label-unmatched")));
    // the file changed back underneath: the snapshot's text is dropped
    host.apply_change(
        &DiskFs,
        Change {
            changed: vec![gw.clone()],
            ..Change::default()
        },
    );
    assert_eq!(host.last_pass().reanalysed, vec![gw]);
    assert!(host.diagnostics().is_empty());
    // a new project file may change every node: everything again
    host.apply_change(
        &DiskFs,
        Change {
            config: Some(config),
            ..Change::default()
        },
    );
    assert!(host.last_pass().reloaded);
    assert_eq!(
        host.last_pass().reanalysed.len(),
        host.deployment().nodes().len()
    );
    // nothing changed: nothing analysed
    host.apply_change(&DiskFs, Change::default());
    assert_eq!(host.last_pass(), &Pass::default());
}

#[test]
fn a_removed_file_leaves_the_deployment() {
    let root = pattern1();
    let (disc, config) = discover(&root);
    let mut host = AnalysisHost::new(&DiskFs, disc, config, Options::default(), Mode::Check);
    let before = host.deployment().nodes().len();
    let gw = gateway(&root);
    host.apply_change(
        &DiskFs,
        Change {
            removed: vec![gw.clone()],
            ..Change::default()
        },
    );
    assert_eq!(host.deployment().nodes().len(), before - 1);
    assert!(host.deployment().node_at(&gw).is_none());
    assert!(!host.discovery().files.contains(&gw));
}

#[test]
fn a_file_of_a_nodes_home_reaches_that_node() {
    let root = pattern1();
    let (disc, config) = discover(&root);
    let mut host = AnalysisHost::new(&DiskFs, disc, config, Options::default(), Mode::Check);
    let nodes = host.deployment().nodes().len();
    let gw = gateway(&root);
    // a JNDI file appears in gw-1's home, with a malformed `\u` escape
    let jndi = root.join("region-1/gw-1/repository/conf/jndi.properties");
    let text = "connectionfactory.TopicConnectionFactory = amqp://a\\u12\n".to_owned();
    host.apply_change(
        &DiskFs,
        Change {
            texts: vec![(jndi.clone(), text.clone())],
            ..Change::default()
        },
    );
    // gw-1 is analysed again with its home; the JNDI file is no node
    assert_eq!(host.last_pass().reanalysed, vec![gw.clone()]);
    assert!(!host.last_pass().reloaded);
    assert_eq!(host.deployment().nodes().len(), nodes);
    assert!(!host.discovery().files.contains(&jndi));
    let found = by_path(host.deployment(), host.diagnostics());
    let overlays = HashMap::from([(jndi.clone(), text)]);
    assert_eq!(found, fresh(&root, &overlays));
    assert!(
        found.iter().any(|d| d.contains("properties-syntax")),
        "{found:?}"
    );
    // the file is gone: gw-1 again, clean
    host.apply_change(
        &DiskFs,
        Change {
            removed: vec![jndi],
            ..Change::default()
        },
    );
    assert_eq!(host.last_pass().reanalysed, vec![gw]);
    assert_eq!(host.deployment().nodes().len(), nodes);
    assert!(host.diagnostics().is_empty(), "{:?}", host.diagnostics());
}
