//! The language server's incremental analysis gives the same findings as a
//! full `check`: on every fixture tree, and after edits of one file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use apimlint_core::incremental::{self, Changes, LocalCache};
use apimlint_core::{Deployment, Diagnostic, FileId, SourceFile};

use common::load;

fn trees() -> Vec<PathBuf> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    // every rule page's example and fix
    let pages = apimlint_pages::trees_under(Path::new(env!("CARGO_TARGET_TMPDIR"))).unwrap();
    let mut out = vec![
        fixtures.join("deployments/pattern-1"),
        fixtures.join("deployments/pattern-1-broken"),
    ];
    out.extend(pages.iter().flat_map(|t| [t.bad.clone(), t.good.clone()]));
    out
}

/// Findings with every file named by its path: file ids are stable within
/// one analysis but not shared between two analyses built separately.
fn by_path(dep: &Deployment, diags: &[Diagnostic]) -> Vec<String> {
    let path = |f: FileId| dep.node_of(f).map(|n| n.rel.clone());
    diags
        .iter()
        .map(|d| {
            format!(
                "{:?} {} {:?} {:?} {:?} {:?} related={:?} fix={:?}",
                path(d.file),
                d.rule,
                d.severity,
                d.range,
                d.message,
                d.help,
                d.related
                    .iter()
                    .map(|r| (path(r.file), &r.range, &r.message))
                    .collect::<Vec<_>>(),
                d.fix.as_ref().map(|f| (
                    &f.title,
                    f.applicability,
                    f.edits
                        .iter()
                        .map(|e| (path(e.file), &e.range, &e.new_text))
                        .collect::<Vec<_>>()
                )),
            )
        })
        .collect()
}

#[test]
fn incremental_check_equals_full_check() {
    for root in trees() {
        let dep = load(&root);
        let mut cache = LocalCache::default();
        let inc = incremental::check(&dep, &HashSet::new(), true, &mut cache);
        assert_eq!(inc, apimlint_core::check(&dep), "{}", root.display());
        // nothing changed: every local finding comes from the cache
        let again = incremental::check(&dep, &HashSet::new(), false, &mut cache);
        assert_eq!(again, inc, "{}", root.display());
    }
}

#[test]
fn after_an_edit_only_the_changed_file_is_rechecked_locally() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/deployments/pattern-1");
    let dep = load(&root);
    let mut cache = LocalCache::default();
    incremental::check(&dep, &HashSet::new(), true, &mut cache);
    let gw = root.join("region-1/gw-1/repository/conf/deployment.toml");
    let tm = root.join("region-1/tm-1/repository/conf/deployment.toml");
    let gw_text = std::fs::read_to_string(&gw).unwrap();
    let tm_text = std::fs::read_to_string(&tm).unwrap();
    let edits = [
        (
            gw.clone(),
            gw_text.replace("\"Internal\"]", "\"Intrenal\"]"),
        ),
        (
            tm.clone(),
            tm_text.replace(
                "server_role = \"traffic-manager\"\n",
                "server_role = \"traffic-manager\"\noffset = 1\n",
            ),
        ),
        (
            gw.clone(),
            gw_text.replace("[apim.key_manager]", "[apim.key_manager"),
        ),
        (
            gw.clone(),
            gw_text.replace(
                "password = \"$secret{admin_password}\"",
                "password = \"admin\"",
            ),
        ),
        (tm.clone(), tm_text.clone()),
        (gw.clone(), gw_text.clone()),
    ];
    let mut dep = dep;
    for (path, text) in edits {
        dep = incremental::rebuild(
            dep,
            Changes {
                files: vec![SourceFile {
                    path: path.clone(),
                    text: Ok(text.clone()),
                    origin: None,
                    home: None,
                }],
                ..Changes::default()
            },
        );
        let changed: HashSet<PathBuf> = [path.clone()].into_iter().collect();
        let inc = incremental::check(&dep, &changed, false, &mut cache);
        // the reference: the same texts analysed from scratch
        let nodes: Vec<SourceFile> = dep
            .nodes()
            .iter()
            .map(|n| SourceFile {
                path: n.path.clone(),
                text: Ok(n.text.to_string()),
                origin: None,
                home: None,
            })
            .collect();
        // the nodes' homes (event publishers, JNDI files, keystores) as read
        // from disk, every TOML as edited
        let full = incremental::rebuild(
            load(&root),
            Changes {
                files: nodes,
                ..Changes::default()
            },
        );
        let expected = apimlint_core::check(&full);
        if dep.nodes().iter().any(|n| n.is_stale()) {
            // a stale node keeps its last good parse: compare what an editor shows
            let shown = incremental::visible(&dep, inc);
            assert!(shown.iter().any(|d| d.rule == "toml-syntax"));
            continue;
        }
        assert_eq!(
            by_path(&dep, &inc),
            by_path(&full, &expected),
            "after editing {}",
            path.display()
        );
    }
}
