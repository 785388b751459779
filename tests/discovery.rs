//! Deployment discovery end to end (issue #24): which directories are
//! deployments, whatever PATH names them; region inference under any root;
//! `apimlint.toml` entries that match nothing; `exclude`; a directory inside
//! a deployment.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use common::{BROKEN, CLEAN, run, run_in, stdout};

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

fn scratch(name: &str) -> PathBuf {
    common::scratch("discovery", name)
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The documents of a JSON report: one deployment's, or each of several.
fn documents(v: &Value) -> Vec<Value> {
    match v.get("deployments").and_then(Value::as_array) {
        Some(d) => d.clone(),
        None => vec![v.clone()],
    }
}

/// One finding, independent of where apimlint ran: its file relative to
/// the deployment root, position, rule, node, message and fingerprint.
type Finding = (String, u64, u64, String, String, String, String);

/// The findings of the deployment whose root (as shown) ends with `root`.
fn findings_of(v: &Value, root: &str) -> BTreeSet<Finding> {
    let docs = documents(v);
    let doc = docs
        .iter()
        .find(|d| {
            let r = d["root"].as_str().unwrap();
            r == root || r.ends_with(&format!("/{root}"))
        })
        .unwrap_or_else(|| panic!("no deployment {root} in {v}"));
    let r = doc["root"].as_str().unwrap();
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap();
            let file = file
                .strip_prefix(&format!("{r}/"))
                .unwrap_or(file)
                .to_owned();
            (
                file,
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["range"]["start"]["column"].as_u64().unwrap(),
                d["rule"].as_str().unwrap().to_owned(),
                d["node"].as_str().unwrap_or("").to_owned(),
                d["message"].as_str().unwrap().to_owned(),
                d["fingerprint"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_samples_give_the_same_findings_however_they_are_named() {
    let alone_clean = json(&run(&[CLEAN, "--format", "json"]));
    let alone_broken = json(&run(&[BROKEN, "--format", "json"]));
    let clean = findings_of(&alone_clean, "pattern-1");
    let broken = findings_of(&alone_broken, "pattern-1-broken");
    assert!(clean.is_empty(), "{clean:?}");
    assert_eq!(broken.len(), 13, "{broken:?}");
    let together = json(&run(&[CLEAN, BROKEN, "--format", "json"]));
    let parent = json(&run(&["fixtures/deployments", "--format", "json"]));
    let from_parent = json(&run_in(
        &repo().join("fixtures"),
        &["deployments", "--format", "json"],
    ));
    // The red team's pending batches are written before their rules, with
    // `apimlint.toml` keys this build may not know yet.
    let root = json(&run(&[
        ".",
        "--exclude",
        "tests/redteam-pending",
        "--format",
        "json",
    ]));
    for (how, v) in [
        ("together", &together),
        ("their parent", &parent),
        ("from the parent", &from_parent),
        ("the repository root", &root),
    ] {
        assert_eq!(findings_of(v, "pattern-1"), clean, "{how}");
        assert_eq!(findings_of(v, "pattern-1-broken"), broken, "{how}");
    }
    // several deployments: one document each, summed up
    assert_eq!(parent["version"], 1);
    assert_eq!(parent["summary"]["deployments"], 2);
    assert_eq!(parent["summary"]["nodes"], 24);
    assert_eq!(parent["summary"]["errors"], 10);
    assert_eq!(parent["summary"]["warnings"], 3);
    // one deployment: the document as before (no `deployments`)
    assert!(alone_broken.get("deployments").is_none());
    assert_eq!(alone_broken["summary"]["nodes"], 12);
}

#[test]
fn a_parent_of_two_deployments_lints_each_on_its_own() {
    let o = run(&["fixtures/deployments", "--color", "never"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    // one section per deployment, each naming its root and project file
    assert!(
        out.contains(
            "deployment fixtures/deployments/pattern-1 (project file fixtures/deployments/pattern-1/apimlint.toml)\nchecked 12 nodes in 2 regions:\n  region-1: 2 gateway-worker, 2 control-plane, 2 traffic-manager\n  region-2: 2 gateway-worker, 2 control-plane, 2 traffic-manager\nno problems found"
        ),
        "{out}"
    );
    assert!(
        out.contains("deployment fixtures/deployments/pattern-1-broken (project file fixtures/deployments/pattern-1-broken/apimlint.toml)\nchecked 12 nodes in 2 regions:"),
        "{out}"
    );
    assert!(
        out.contains("found 10 errors, 3 warnings, 0 infos"),
        "{out}"
    );
    assert!(
        !out.contains("fixtures/deployments/pattern-1/region-"),
        "{out}"
    );
    // exit code: the worst of the deployments; clean alone is 0
    assert_eq!(run(&[CLEAN]).status.code(), Some(0));
}

/// The clean sample under `envs/prod`, its `apimlint.toml` at the
/// repository root.
fn nested_layout(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    for r in ["region-1", "region-2"] {
        common::copy_dir(&repo().join(CLEAN).join(r), &dir.join("envs/prod").join(r));
    }
    std::fs::copy(
        repo().join(CLEAN).join("apimlint.toml"),
        dir.join("apimlint.toml"),
    )
    .unwrap();
    dir
}

#[test]
fn regions_are_inferred_under_any_root() {
    let dir = nested_layout("envs");
    let o = run_in(&dir, &[".", "--color", "never"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("checked 12 nodes in 2 regions:\n  region-1: 2 gateway-worker, 2 control-plane, 2 traffic-manager\n  region-2:"),
        "{out}"
    );
    assert!(out.contains("no problems found"), "{out}");
    // ids (and so the `[hosts]` entries) as in the sample; files as they are
    let v = json(&run_in(&dir, &["--format", "json"]));
    assert_eq!(v["nodes"][0]["id"], "region-1/cp-1");
    assert_eq!(
        v["nodes"][0]["file"],
        "envs/prod/region-1/cp-1/repository/conf/deployment.toml"
    );
    // the same findings as the sample where it lies
    let sample = json(&run(&[CLEAN, "--format", "json"]));
    assert_eq!(
        findings_of(&v, "."),
        findings_of(&sample, "pattern-1"),
        "{v}"
    );
    // from inside: the directory holding the regions is inside the deployment
    let o = run_in(&dir.join("envs/prod"), &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(json(&o)["summary"]["nodes"], 12);
}

#[test]
fn project_entries_that_match_no_node_are_findings_in_apimlint_toml() {
    let dir = scratch("entries");
    common::copy_dir(&repo().join(CLEAN), &dir);
    let config = dir.join("apimlint.toml");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "\"api.r2.example.com\" = [\"region-2/cp-1\", \"region-2/cp-2\"]",
        "\"api.r2.example.com\" = [\"region-2/cp-1\", \"region-2/cp-3\"]",
    ) + "\n[regions]\n\"eu\" = [\"regon-1/*\"]\n\n[nodes.\"region-1/gw-9\"]\nrole = \"gateway-worker\"\n";
    std::fs::write(&config, &text).unwrap();
    let o = run_in(&dir, &["--format", "json"]);
    let v = json(&o);
    let found: Vec<(String, u64, u64, String, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "project-entry-unmatched")
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_owned(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["range"]["start"]["column"].as_u64().unwrap(),
                d["severity"].as_str().unwrap().to_owned(),
                d["help"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let line = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() as u64 + 1;
    assert_eq!(
        found,
        [
            (
                "apimlint.toml".into(),
                line("region-2/cp-3"),
                42,
                "warning".into(),
                "did you mean `region-2/cp-1`?".into()
            ),
            (
                "apimlint.toml".into(),
                line("regon-1"),
                9,
                "warning".into(),
                "did you mean `region-1/*`?".into()
            ),
            (
                "apimlint.toml".into(),
                line("gw-9"),
                8,
                "warning".into(),
                "did you mean `region-1/gw-1`?".into()
            ),
        ],
        "{v}"
    );
    // every format locates it in the project file
    let compact = stdout(&run_in(&dir, &["--format", "compact"]));
    assert!(
        compact.contains(&format!(
            "apimlint.toml:{}:8: warning project-entry-unmatched `[nodes.\"region-1/gw-9\"]` names no node of this deployment",
            line("gw-9")
        )),
        "{compact}"
    );
    let human = stdout(&run_in(&dir, &["--color", "never"]));
    assert!(human.contains("╭─[apimlint.toml:"), "{human}");
    let sarif = json(&run_in(&dir, &["--format", "sarif"]));
    let uris: BTreeSet<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "project-entry-unmatched")
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(uris.len(), 1, "{sarif}");
    assert!(
        uris.iter().all(|u| u.ends_with("apimlint.toml")),
        "{uris:?}"
    );
    // a warning: the exit code stays 0 unless --fail-on warning
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn editor_backups_and_excluded_paths_are_no_nodes() {
    let dir = scratch("exclude");
    common::copy_dir(&repo().join(CLEAN), &dir);
    // VS Code's Local History keeps copies in `.history/`
    common::copy_dir(
        &repo().join(CLEAN).join("region-1/gw-2"),
        &dir.join(".history/region-1/gw-2"),
    );
    common::copy_dir(
        &repo().join(CLEAN).join("region-1/gw-2"),
        &dir.join("old/region-1/gw-2"),
    );
    let nodes = |args: &[&str]| {
        let v = json(&run_in(&dir, args));
        v["summary"]["nodes"].as_u64().unwrap()
    };
    assert_eq!(nodes(&["--format", "json", "--exclude", "old"]), 12);
    // without --exclude, `old/` is a region of its own (`.history` never is)
    assert_eq!(nodes(&["--format", "json"]), 13);
    assert_eq!(
        nodes(&[
            "--format",
            "json",
            "--exclude",
            "old/region-1",
            "--exclude",
            "x"
        ]),
        12
    );
    // in apimlint.toml: `extend-exclude` adds to the defaults …
    let config = dir.join("apimlint.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("extend-exclude = [\"old\"]\n{text}")).unwrap();
    assert_eq!(nodes(&["--format", "json"]), 12);
    // … `exclude` replaces them (`.history` is walked again)
    std::fs::write(&config, format!("exclude = [\"old\"]\n{text}")).unwrap();
    assert_eq!(nodes(&["--format", "json"]), 13);
    // a typo in the key is an error with a did-you-mean
    std::fs::write(&config, format!("exclud = [\"old\"]\n{text}")).unwrap();
    let o = run_in(&dir, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("did you mean `[exclude]`?"),
        "{}",
        common::stderr(&o)
    );
}

#[test]
fn a_directory_inside_a_deployment_analyses_all_of_it_and_reports_on_it() {
    let dir = format!("{BROKEN}/region-1/gw-2");
    let o = run(&[&dir, "--format", "json"]);
    let v = json(&o);
    // the whole deployment was read …
    assert_eq!(v["summary"]["nodes"], 12);
    assert_eq!(v["root"], BROKEN);
    // … and the findings are those of the whole deployment on that node
    let whole = json(&run(&[BROKEN, "--format", "json"]));
    let on_gw2: BTreeSet<Finding> = findings_of(&whole, "pattern-1-broken")
        .into_iter()
        .filter(|f| f.0.starts_with("region-1/gw-2/"))
        .collect();
    assert!(!on_gw2.is_empty());
    assert_eq!(findings_of(&v, "pattern-1-broken"), on_gw2);
    assert_eq!(o.status.code(), Some(1));
    // the human summary says so
    let human = stdout(&run(&[&dir, "--color", "never"]));
    assert!(
        human.contains(&format!(
            "(findings of {dir} only: the whole deployment was analysed)"
        )),
        "{human}"
    );
}

/// A region written with one glob per layout it may take
/// (`["region-2/*", "region-2/conf/*"]`): the glob that matches nothing
/// while its sibling names the region's nodes is said as an info, never a
/// warning (the red team's `mixed/regions-renamed`); a region whose every
/// glob matches nothing stays a warning.
#[test]
fn a_spare_glob_of_a_region_is_an_info() {
    let dir = scratch("spare-glob");
    common::copy_dir(&repo().join(CLEAN), &dir);
    let config = dir.join("apimlint.toml");
    let text = std::fs::read_to_string(&config).unwrap()
        + "\n[regions]\n\"eu\" = [\"region-1/*\", \"region-1/conf/*\"]\n\"us\" = [\"regon-2/*\"]\n";
    std::fs::write(&config, &text).unwrap();
    let v = json(&run_in(&dir, &["--format", "json"]));
    let found: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "project-entry-unmatched")
        .map(|d| {
            (
                d["severity"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found
            .iter()
            .any(|(s, m)| s == "info" && m.contains("`region-1/conf/*`")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(s, m)| s == "warning" && m.contains("`regon-2/*`")),
        "{found:?}"
    );
}
