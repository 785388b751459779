//! The editor's quick fixes and `apimlint check --fix` decide by one policy:
//! driven over every fixture, in process. A test binary of its own: it starts
//! a server per fixture tree.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use common::*;
use serde_json::{Value, json};

/// Both samples and every rule page's example and fix (`crates/pages`).
fn fixture_trees() -> Vec<PathBuf> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut out = vec![
        fixtures.join("deployments/pattern-1"),
        fixtures.join("deployments/pattern-1-broken"),
    ];
    let pages = apimlint_pages::trees_under(Path::new(env!("CARGO_TARGET_TMPDIR"))).unwrap();
    out.extend(pages.iter().flat_map(|t| [t.bad.clone(), t.good.clone()]));
    out
}

/// The quick fix the editor offers for each finding is exactly what
/// `apimlint check --fix --unsafe-fixes` applies for that finding (the fix
/// policy's plan of the finding alone): offered iff applied, same edits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_actions_are_the_fixes_check_fix_applies() {
    use apimlint_core::{DiskFs, fixes, vfs};
    let mut compared = 0;
    let mut offered = 0;
    for src in fixture_trees() {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let root =
            std::env::temp_dir().join(format!("apimlint-lsp-fix-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        copy_dir(&src, &root);
        // what the CLI decides
        let disc = vfs::discover(&root, &[], None).unwrap();
        let config = match &disc.config {
            Some(p) => apimlint_core::load_config(&DiskFs, p, "apimlint.toml").unwrap(),
            None => apimlint_core::Config::default(),
        };
        let dep = apimlint_core::load(&DiskFs, &disc, config);
        let diags = apimlint_core::check(&dep);
        // what the editor offers
        let mut c = Client::start(&root).await;
        // a node's TOML, or a text file of its home (a JNDI file, an event
        // publisher): its path, text and lines
        let file_of = |f| -> (std::path::PathBuf, &str, &apimlint_core::text::LineIndex) {
            match dep.home_file(f) {
                Some((_, h)) => (h.path.clone(), &h.text, &h.lines),
                None => {
                    let n = dep.node_of(f).unwrap();
                    (n.path.clone(), &n.text, &n.lines)
                }
            }
        };
        for d in diags.iter().filter(|d| d.fix.is_some()) {
            let fix = d.fix.as_ref().unwrap();
            let (path, text, lines) = file_of(d.file);
            let u = uri(&path);
            let published = c.until(&u, |ds| !empty(ds)).await;
            let range =
                serde_json::to_value(apimlint_lsp::convert::range(lines, text, &d.range)).unwrap();
            let lsp_diag = published
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["code"] == d.rule && x["range"] == range)
                .unwrap_or_else(|| panic!("{}: {} not published at {range}", src.display(), d.rule))
                .clone();
            let actions = c
                .request(
                    "textDocument/codeAction",
                    json!({"textDocument": {"uri": u}, "range": range, "context": {"diagnostics": [lsp_diag]}}),
                )
                .await
                .unwrap();
            let action = actions.as_array().into_iter().flatten().find(|a| {
                a["title"] == fix.title.as_str()
                    && a["diagnostics"].as_array().is_some_and(|ds| ds.len() == 1)
                    && a["diagnostics"][0]["range"] == range
            });
            let plan = fixes::plan(&dep, std::slice::from_ref(d), true);
            let expected: Option<Vec<(String, Value, String)>> =
                (!plan.applied.is_empty()).then(|| {
                    let mut v: Vec<(String, Value, String)> = plan
                        .edits
                        .iter()
                        .flat_map(|(f, es)| {
                            let (path, text, lines) = file_of(*f);
                            es.iter().map(move |e| {
                                (
                                    uri(&path),
                                    serde_json::to_value(apimlint_lsp::convert::range(
                                        lines, text, &e.range,
                                    ))
                                    .unwrap(),
                                    e.new_text.clone(),
                                )
                            })
                        })
                        .collect();
                    v.sort_by(|a, b| (&a.0, a.1.to_string()).cmp(&(&b.0, b.1.to_string())));
                    v
                });
            let got: Option<Vec<(String, Value, String)>> = action.map(|a| {
                let mut v: Vec<(String, Value, String)> = a["edit"]["changes"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .flat_map(|(u, es)| {
                        es.as_array().unwrap().iter().map(move |e| {
                            (
                                u.clone(),
                                e["range"].clone(),
                                e["newText"].as_str().unwrap().to_owned(),
                            )
                        })
                    })
                    .collect();
                v.sort_by(|a, b| (&a.0, a.1.to_string()).cmp(&(&b.0, b.1.to_string())));
                v
            });
            assert_eq!(
                got,
                expected,
                "{}: `{}` on {} ({}): the editor's quick fix differs from `check --fix`",
                src.display(),
                fix.title,
                dep.id_of(d.file),
                d.rule
            );
            compared += 1;
            offered += usize::from(got.is_some());
        }
        let _ = std::fs::remove_dir_all(&root);
    }
    assert!(
        compared >= 30 && offered > 0,
        "{compared} fixes compared, {offered} offered"
    );
}
