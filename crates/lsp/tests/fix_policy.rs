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

use apimlint_core::text::LineIndex;
use apimlint_core::{Deployment, Diagnostic, DiskFs, FileId, fixes, vfs};
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
    let mut compared = 0;
    let mut offered = 0;
    for src in fixture_trees() {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let root =
            std::env::temp_dir().join(format!("apimlint-lsp-fix-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        copy_dir(&src, &root);
        // what the CLI decides
        let (dep, diags) = check_tree(&root);
        // what the editor offers
        let mut c = Client::start(&root).await;
        for d in diags.iter().filter(|d| d.fix.is_some()) {
            let fix = d.fix.as_ref().unwrap();
            let action = quick_fix(&mut c, &src, &dep, d, &fix.title).await;
            let expected = fix_edits(&dep, d);
            let got = action.as_ref().map(action_edits);
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

/// An edit as the editor gets it: the file's URI, the LSP range (as JSON)
/// and the new text.
type LspEdit = (String, Value, String);

/// What `apimlint check` reads of the tree at `root` (its `apimlint.toml`,
/// if any): the deployment and its findings.
fn check_tree(root: &Path) -> (Deployment, Vec<Diagnostic>) {
    let disc = vfs::discover(root, &[], None).unwrap();
    let config = match &disc.config {
        Some(p) => apimlint_core::load_config(&DiskFs, p, "apimlint.toml").unwrap(),
        None => apimlint_core::Config::default(),
    };
    let dep = apimlint_core::load(&DiskFs, &disc, config);
    let diags = apimlint_core::check(&dep);
    (dep, diags)
}

/// A node's TOML, or a text file of its home (a JNDI file, an event
/// publisher): its path, text and lines.
fn file_of(dep: &Deployment, f: FileId) -> (PathBuf, &str, &LineIndex) {
    match dep.home_file(f) {
        Some((_, h)) => (h.path.clone(), &h.text, &h.lines),
        None => {
            let n = dep.node_of(f).unwrap();
            (n.path.clone(), &n.text, &n.lines)
        }
    }
}

/// The code action titled `title` the editor offers for the finding `d`
/// alone (once the server has published `d`; `src`: the tree, for messages).
async fn quick_fix(
    c: &mut Client,
    src: &Path,
    dep: &Deployment,
    d: &Diagnostic,
    title: &str,
) -> Option<Value> {
    let (path, text, lines) = file_of(dep, d.file);
    let u = uri(&path);
    let published = c.until(&u, |ds| !empty(ds)).await;
    let range = serde_json::to_value(apimlint_lsp::convert::range(lines, text, &d.range)).unwrap();
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
    actions
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| {
            a["title"] == title
                && a["diagnostics"].as_array().is_some_and(|ds| ds.len() == 1)
                && a["diagnostics"][0]["range"] == range
        })
        .cloned()
}

/// The edits `check --fix --unsafe-fixes` applies for the finding `d` alone
/// (the fix policy's plan), sorted; `None`: it applies none.
fn fix_edits(dep: &Deployment, d: &Diagnostic) -> Option<Vec<LspEdit>> {
    let plan = fixes::plan(dep, std::slice::from_ref(d), true);
    (!plan.applied.is_empty()).then(|| {
        let mut v: Vec<LspEdit> = plan
            .edits
            .iter()
            .flat_map(|(f, es)| {
                let (path, text, lines) = file_of(dep, *f);
                es.iter().map(move |e| {
                    (
                        uri(&path),
                        serde_json::to_value(apimlint_lsp::convert::range(lines, text, &e.range))
                            .unwrap(),
                        e.new_text.clone(),
                    )
                })
            })
            .collect();
        v.sort_by(|a, b| (&a.0, a.1.to_string()).cmp(&(&b.0, b.1.to_string())));
        v
    })
}

/// The edits of a code action (its workspace edit's `changes`), sorted.
fn action_edits(a: &Value) -> Vec<LspEdit> {
    let mut v: Vec<LspEdit> = a["edit"]["changes"]
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
}
