//! Property tests over hostile deployments (see `gen`): loading and checking
//! never panic, every range lies inside its file on character boundaries,
//! and a fix never turns a file that parses into one that does not.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod hostile_gen;

use std::ops::Range;

use apimlint_core::edit::apply;
use apimlint_core::{Deployment, FileId, fixes as fix, syntax};
use proptest::prelude::*;

fn in_file(
    dep: &Deployment,
    file: FileId,
    r: &Range<usize>,
    what: &str,
) -> Result<(), TestCaseError> {
    let n = dep
        .node_of(file)
        .ok_or_else(|| TestCaseError::fail(format!("{what}: no node {file:?}")))?;
    prop_assert!(
        r.start <= r.end && r.end <= n.text.len(),
        "{what}: {r:?} outside {} bytes of {}",
        n.text.len(),
        n.rel
    );
    prop_assert!(
        n.text.is_char_boundary(r.start) && n.text.is_char_boundary(r.end),
        "{what}: {r:?} not on char boundaries in {}",
        n.rel
    );
    prop_assert_eq!(n.redacted().len(), n.text.len(), "redaction keeps offsets");
    Ok(())
}

fn parses(text: &str) -> bool {
    syntax::parse(text).doc.is_some()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_files_load_check_and_fix_soundly(t in hostile_gen::tree()) {
        let fs = t.fs();
        let disc = t.discovery();
        let config = t.config();
        // the CLI's loading (node rules run as each node is built) finds the same
        let full = apimlint_core::check(&apimlint_core::load(&fs, &disc, config.clone()));
        let lean = apimlint_core::load_lean(&fs, &disc, config.clone());
        let cli = lean.check();
        prop_assert_eq!(&full, &cli);
        let dep = apimlint_core::load(&fs, &disc, config.clone());
        for (dep, diags) in [(&dep, full), (&lean.dep, cli)] {
            prop_assert_eq!(dep.nodes().len(), t.files.len());
            for d in &diags {
                in_file(dep, d.file, &d.range, d.rule)?;
                for r in &d.related {
                    in_file(dep, r.file, &r.range, d.rule)?;
                }
                let Some(f) = &d.fix else { continue };
                for e in &f.edits {
                    in_file(dep, e.file, &e.range, d.rule)?;
                }
                // each fix alone: a file that parsed still parses
                let mut files: Vec<FileId> = f.edits.iter().map(|e| e.file).collect();
                files.dedup();
                for file in files {
                    let n = dep.node_of(file).unwrap();
                    let edits: Vec<_> = f.edits.iter().filter(|e| e.file == file).cloned().collect();
                    if let Some((fixed, _)) = apply(&n.text, &edits)
                        && parses(&n.text)
                    {
                        prop_assert!(parses(&fixed), "{} fix `{}` breaks {}:\n{}", d.rule, f.title, n.rel, fixed);
                    }
                }
            }
        }
        // fixing everything (unsafe too) never breaks a file that parsed
        let out = fix::fix_all(&fs, &disc, &config, &apimlint_core::suppress::Options::default(), true);
        for c in &out.changed {
            if parses(&c.original) {
                prop_assert!(parses(&c.fixed), "fixing {} broke it:\n{}", c.rel, c.fixed);
            }
        }
    }

    #[test]
    fn any_project_file_parses_or_fails_with_a_location(text in hostile_gen::file()) {
        let text = String::from_utf8_lossy(&text);
        if let Err(e) = apimlint_core::Config::parse("apimlint.toml", &text, &apimlint_core::rules::ids()) {
            prop_assert!(e.line >= 1 && e.column >= 1);
            prop_assert!(!e.message.is_empty());
        }
    }
}

/// Found by the property above: `auth_urls = []` (or of the wrong type) got a
/// second `auth_urls` line from the fix, and the file no longer parsed.
#[test]
fn the_auth_urls_fix_replaces_an_empty_value() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/deployments/pattern-1");
    let mut files = std::collections::BTreeMap::new();
    for region in ["region-1", "region-2"] {
        for node in ["cp-1", "cp-2", "gw-1", "gw-2", "tm-1", "tm-2"] {
            let rel = format!("{region}/{node}/repository/conf/deployment.toml");
            let mut text = std::fs::read_to_string(root.join(&rel)).unwrap();
            if region == "region-1" && node == "cp-1" {
                text = text.replacen(
                    "auth_urls = [\"ssl://cp-2.r1.example.com:9711\"]",
                    "auth_urls = []",
                    1,
                );
            }
            files.insert(std::path::PathBuf::from("/d").join(rel), text.into_bytes());
        }
    }
    let fs = apimlint_core::vfs::MemoryFs { files };
    let disc = apimlint_core::vfs::Discovery {
        root: "/d".into(),
        config: None,
        files: fs.files.keys().cloned().collect(),
        may_escape: None,
        listing: None,
    };
    let dep = apimlint_core::load(&fs, &disc, apimlint_core::Config::default());
    let diags = apimlint_core::check(&dep);
    let d = diags
        .iter()
        .find(|d| d.rule == "event-hub-publish-incomplete" && d.fix.is_some())
        .unwrap_or_else(|| panic!("no fix: {diags:#?}"));
    let f = d.fix.as_ref().unwrap();
    let n = dep.node_of(d.file).unwrap();
    let (fixed, _) = apply(&n.text, &f.edits).unwrap();
    assert!(
        fixed.contains("auth_urls = [\"ssl://cp-2.r1.example.com:9711\"]"),
        "{fixed}"
    );
    assert!(parses(&fixed));
}
