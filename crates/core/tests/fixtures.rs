//! The samples of `fixtures/deployments/`: the clean one is clean, the
//! broken one reports each of its mistakes on its node (its render is
//! snapshotted), and the CLI's lean load finds what the full model finds.
//! Each rule is tested by its page (`tests/pages.rs`).

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};

use apimlint_core::{Deployment, Diagnostic};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn analyse(root: &Path) -> (Deployment, Vec<Diagnostic>) {
    let dep = common::load(root);
    let diags = apimlint_core::check(&dep);
    (dep, diags)
}

/// A stable text render: `severity rule node:line:col message` plus help,
/// related locations and fixes.
fn render(dep: &Deployment, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        // a finding in a file of a node's home (an event publisher, a JNDI file)
        let (name, lines, text, shown) = match (dep.node_of(d.file), dep.home_file(d.file)) {
            (Some(n), _) => (n.id.clone(), &n.lines, &n.text, n.redacted()),
            (None, Some((i, f))) => (
                format!("{}/{}", dep.id(i), f.rel),
                &f.lines,
                &f.text,
                f.redacted(),
            ),
            (None, None) => continue,
        };
        let p = lines.line_col(text, d.range.start);
        let snippet = shown.get(d.range.clone()).unwrap_or("");
        out.push_str(&format!(
            "{} {} {}:{}:{} `{}`\n  {}\n",
            d.severity, d.rule, name, p.line, p.column, snippet, d.message
        ));
        if let Some(h) = &d.help {
            out.push_str(&format!("  help: {h}\n"));
        }
        for r in &d.related {
            let rn = dep.node_of(r.file);
            let p = rn.map(|n| n.lines.line_col(&n.text, r.range.start));
            out.push_str(&format!(
                "  related: {}:{}:{} {}\n",
                dep.id_of(r.file),
                p.map_or(0, |p| p.line),
                p.map_or(0, |p| p.column),
                r.message
            ));
        }
        if let Some(f) = &d.fix {
            out.push_str(&format!("  fix ({:?}): {}\n", f.applicability, f.title));
            for e in &f.edits {
                out.push_str(&format!(
                    "    {} {:?} -> {:?}\n",
                    dep.id_of(e.file),
                    e.range,
                    e.new_text
                ));
            }
        }
    }
    out
}

#[test]
fn the_cli_path_finds_the_same_as_the_full_model() {
    // every rule page's example and fix, and the samples
    let pages = apimlint_pages::trees_under(Path::new(env!("CARGO_TARGET_TMPDIR"))).unwrap();
    let mut trees: Vec<PathBuf> = pages
        .iter()
        .flat_map(|t| [t.bad.clone(), t.good.clone()])
        .collect();
    assert!(trees.len() > 40, "the rule pages made too few trees");
    for sample in ["pattern-1", "pattern-1-broken"] {
        trees.push(workspace().join("fixtures/deployments").join(sample));
    }
    for root in trees {
        let full = apimlint_core::check(&common::load(&root));
        let cli = common::load_without_trees(&root).check();
        assert_eq!(full, cli, "{}", root.display());
    }
}

#[test]
fn the_clean_sample_is_clean() {
    let (dep, diags) = analyse(&workspace().join("fixtures/deployments/pattern-1"));
    assert_eq!(dep.nodes().len(), 12);
    assert_eq!(dep.regions().len(), 2);
    let loud: Vec<Diagnostic> = diags
        .into_iter()
        .filter(|d| d.severity > apimlint_core::Severity::Info)
        .collect();
    assert!(loud.is_empty(), "{}", render(&dep, &loud));
}

#[test]
fn the_broken_sample_reports_each_mistake_on_its_node() {
    let (dep, diags) = analyse(&workspace().join("fixtures/deployments/pattern-1-broken"));
    let has = |rule: &str, node: &str| {
        diags
            .iter()
            .any(|d| d.rule == rule && dep.id_of(d.file) == node)
    };
    assert!(
        has("gateway-label-unmatched", "region-1/gw-2"),
        "{}",
        render(&dep, &diags)
    );
    assert!(
        has("event-duplicate-asymmetric", "region-1/cp-2"),
        "{}",
        render(&dep, &diags)
    );
    assert!(
        has("throttle-url-unreachable", "region-1/gw-1"),
        "{}",
        render(&dep, &diags)
    );
    assert!(
        has("throttle-url-unreachable", "region-2/gw-2"),
        "{}",
        render(&dep, &diags)
    );
    assert!(
        has("throttle-url-group-incomplete", "region-2/gw-1"),
        "{}",
        render(&dep, &diags)
    );
    assert!(
        has("event-hub-publish-incomplete", "region-2/cp-1"),
        "{}",
        render(&dep, &diags)
    );
    assert!(
        has("cross-region-reference", "region-2/gw-2"),
        "{}",
        render(&dep, &diags)
    );
    // mistake 8, in the bridge: located in the JNDI file
    let topic = diags
        .iter()
        .find(|d| d.rule == "region-bridge-unresolved")
        .unwrap_or_else(|| panic!("{}", render(&dep, &diags)));
    assert_eq!(dep.id_of(topic.file), "region-2/cp-2");
    let (_, file) = dep.home_file(topic.file).unwrap();
    assert_eq!(file.rel, "repository/conf/jndi-region1.properties");
    assert_eq!(&file.text[topic.range.clone()], "tokenrevocation");
    assert_eq!(
        diags
            .iter()
            .filter(|d| d.rule.starts_with("region-bridge"))
            .count(),
        1
    );
}

#[test]
fn the_broken_sample_snapshot() {
    let (dep, diags) = analyse(&workspace().join("fixtures/deployments/pattern-1-broken"));
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("pattern-1-broken", render(&dep, &diags));
    });
}
