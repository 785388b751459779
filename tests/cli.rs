//! End-to-end tests of the `apimlint` binary: exit codes, output shapes,
//! bad input, secrets.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{BROKEN, CLEAN, run, stderr, stdout, write};

/// A fresh scratch directory under the target dir.
fn scratch(name: &str) -> PathBuf {
    common::scratch("cli", name)
}

#[test]
fn clean_sample_exits_0() {
    let o = run(&[CLEAN]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("checked 12 nodes in 2 regions"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("no problems found"));
    // `check` is the default command
    assert_eq!(run(&["check", CLEAN]).status.code(), Some(0));
}

/// The clean sample laid out by role, then region (`cp/dc1/cp-1`), as in
/// trees such as `cp/dc1`, `gw/dc2`: the regions come from the component
/// after the role, the summary says so, and the sample stays clean.
#[test]
fn a_tree_by_role_then_region_gets_its_regions_from_the_later_component() {
    let dir = scratch("role-first");
    let sample = Path::new(CLEAN);
    let mut ids = Vec::new();
    for region in ["region-1", "region-2"] {
        let dc = region.replace("region-", "dc");
        for entry in std::fs::read_dir(sample.join(region)).unwrap() {
            let node = entry.unwrap().file_name().to_string_lossy().into_owned();
            let role = node.split('-').next().unwrap().to_owned();
            let from = sample.join(region).join(&node);
            let to_id = format!("{role}/{dc}/{node}");
            // the whole home: deployment.toml, the bridge's publishers and
            // JNDI files, the keystores
            for f in apimlint_pages::files_under(&from) {
                let rel = f.strip_prefix(&from).unwrap();
                write(&dir.join(&to_id).join(rel), &std::fs::read(&f).unwrap());
            }
            ids.push((format!("{region}/{node}"), to_id));
        }
    }
    let mut project = std::fs::read_to_string(sample.join("apimlint.toml")).unwrap();
    for (old, new) in &ids {
        project = project.replace(&format!("\"{old}\""), &format!("\"{new}\""));
    }
    write(&dir.join("apimlint.toml"), project.as_bytes());
    let o = run(&[dir.to_str().unwrap(), "--color", "never"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(out.contains("checked 12 nodes in 2 regions"), "{out}");
    assert!(
        out.contains("dc1: 2 gateway-worker, 2 control-plane, 2 traffic-manager"),
        "{out}"
    );
    assert!(
        out.contains(
            "(regions from the directory after the role: `cp/dc1/cp-1` is in region `dc1`)"
        ),
        "{out}"
    );
    assert!(out.contains("no problems found"), "{out}");
    // the usual layout says nothing about it
    assert!(!stdout(&run(&[CLEAN])).contains("directory after the role"));
    // the regions are compared as such: a traffic manager missing in dc2
    std::fs::remove_dir_all(dir.join("tm/dc2/tm-2")).unwrap();
    let o = run(&[
        dir.to_str().unwrap(),
        "--color",
        "never",
        "--fail-on",
        "warning",
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("region-drift") && out.contains("dc2 has 1 traffic-manager, dc1 has 2"),
        "{out}"
    );
}

#[test]
fn broken_sample_exits_1_with_findings() {
    let o = run(&[BROKEN, "--color", "never"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("gateway-label-unmatched") && out.contains("did you mean `Default`?"),
        "{out}"
    );
    assert!(!out.contains('\u{1b}'), "colour with --color never");
}

#[test]
fn json_has_the_documented_shape() {
    let o = run(&[BROKEN, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    assert_eq!(v["version"], 1);
    assert_eq!(v["nodes"].as_array().map(Vec::len), Some(12));
    let node = &v["nodes"][0];
    for key in ["id", "file", "region", "role", "hostname"] {
        assert!(node.get(key).is_some(), "node lacks {key}");
    }
    let label = v["diagnostics"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["rule"] == "gateway-label-unmatched"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(label["severity"], "error");
    assert_eq!(label["node"], "region-1/gw-2");
    assert_eq!(
        label["file"],
        "fixtures/deployments/pattern-1-broken/region-1/gw-2/repository/conf/deployment.toml"
    );
    assert_eq!(
        label["message"],
        "gateway label `Defualt` matches no gateway environment of region-1"
    );
    let start = &label["range"]["start"];
    assert!(
        start["line"].as_u64().is_some_and(|l| l > 1) && start["column"].as_u64() == Some(19),
        "{start}"
    );
    assert_eq!(label["range"]["end"]["column"].as_u64(), Some(28));
    assert_eq!(label["help"], "did you mean `Default`?");
    assert_eq!(label["fix"]["applicability"], "safe");
    assert_eq!(label["fix"]["edits"][0]["new_text"], "\"Default\"");
    assert!(
        label["related"][0]["file"]
            .as_str()
            .is_some_and(|f| f.contains("region-1/cp-1"))
    );
    assert_eq!(label["fingerprint"].as_str().map(str::len), Some(64));
    let s = &v["summary"];
    assert_eq!(s["nodes"], 12);
    assert!(s["errors"].as_u64().is_some_and(|e| e >= 4));
}

#[test]
fn compact_format() {
    let o = run(&[BROKEN, "--format", "compact"]);
    let out = stdout(&o);
    assert!(
        out.lines().any(|l| l.ends_with("error gateway-label-unmatched gateway label `Defualt` matches no gateway environment of region-1 (fix: Replace with `Default`)")
            && l.starts_with("fixtures/deployments/pattern-1-broken/region-1/gw-2/repository/conf/deployment.toml:")),
        "{out}"
    );
}

#[test]
fn fail_on_lowers_the_failing_level() {
    let dir = scratch("failon");
    // two control planes without event_duplicate_url: a warning only
    let cp = |h: &str| {
        format!(
            "[server]\nhostname = \"{h}\"\nserver_role = \"control-plane\"\n[apim.event_hub]\nenable = true\n"
        )
    };
    write(&dir.join("r/cp-1/deployment.toml"), cp("cp-1.x").as_bytes());
    write(&dir.join("r/cp-2/deployment.toml"), cp("cp-2.x").as_bytes());
    let d = dir.to_string_lossy().into_owned();
    let o = run(&[&d, "--format", "compact"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("warning event-duplicate-asymmetric"),
        "{}",
        stdout(&o)
    );
    assert_eq!(run(&[&d, "--fail-on", "warning"]).status.code(), Some(1));
}

#[test]
fn run_failures_exit_2() {
    let o = run(&["does/not/exist"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no such file or directory"),
        "{}",
        stderr(&o)
    );
    let empty = scratch("empty");
    let o = run(&[&empty.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no `deployment.toml` found"),
        "{}",
        stderr(&o)
    );
    assert_eq!(run(&[CLEAN, "--format", "yaml"]).status.code(), Some(2));
    assert_eq!(run(&["explain", "no-such-rule"]).status.code(), Some(2));
}

#[test]
fn bad_project_file_exits_2_with_line_and_suggestion() {
    let dir = scratch("badconfig");
    write(
        &dir.join("apimlint.toml"),
        b"[hosts]\n\"lb\" = [\"r/cp-1\"]\n\n[nodes.\"r/cp-1\"]\nrol = \"control-plane\"\n",
    );
    write(
        &dir.join("r/cp-1/deployment.toml"),
        b"[server]\nhostname = \"cp\"\n",
    );
    let o = run(&[&dir.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("apimlint.toml:5:1")
            && err.contains("unknown key `rol`")
            && err.contains("did you mean `role`?"),
        "{err}"
    );
}

#[test]
fn unreadable_and_broken_files_are_findings_and_the_rest_is_analysed() {
    let dir = scratch("unreadable");
    write(
        &dir.join("r/gw-1/deployment.toml"),
        b"[server]\nhostname = \"caf\xe9\"\n",
    );
    write(
        &dir.join("r/cp-1/deployment.toml"),
        b"[apim.key_manager]\ntype = \"a\"\n\n[apim.key_manager]\ntype = \"b\"\n",
    );
    write(
        &dir.join("r/gw-2/deployment.toml"),
        b"[server]\nserver_role = \"gateway-workr\"\n",
    );
    std::fs::create_dir_all(dir.join("r/odd/deployment.toml")).unwrap_or_else(|e| panic!("{e}"));
    let o = run(&[&dir.to_string_lossy(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    let found = |rule: &str, node: &str| {
        v["diagnostics"]
            .as_array()
            .is_some_and(|a| a.iter().any(|d| d["rule"] == rule && d["node"] == node))
    };
    assert!(found("unreadable-file", "r/gw-1"), "{v:#}");
    assert!(found("unreadable-file", "r/odd"), "{v:#}");
    assert!(found("toml-syntax", "r/cp-1"), "{v:#}");
    assert!(found("invalid-server-role", "r/gw-2"), "{v:#}");
}

#[cfg(unix)]
#[test]
fn a_fifo_named_deployment_toml_never_blocks() {
    let dir = scratch("fifo");
    write(
        &dir.join("r/cp-1/deployment.toml"),
        b"[server]\nhostname = \"cp\"\n",
    );
    std::fs::create_dir_all(dir.join("r/gw-1")).unwrap_or_else(|e| panic!("{e}"));
    let fifo = dir.join("r/gw-1/deployment.toml");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    assert!(made, "mkfifo failed");
    let o = run(&[&dir.to_string_lossy(), "--format", "compact"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("unreadable-file the file is a FIFO"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn rules_explain_graph() {
    let o = run(&["rules", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    let rules = v["rules"].as_array().cloned().unwrap_or_default();
    assert!(
        rules
            .iter()
            .any(|r| r["id"] == "gateway-label-unmatched" && r["severity"] == "error"),
        "{v}"
    );
    assert!(
        rules
            .iter()
            .all(|r| r["summary"].as_str().is_some_and(|s| !s.is_empty()))
    );
    let o = run(&["explain", "gateway-label-unmatched"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("## Why it matters"));
    let o = run(&["graph", BROKEN, "--format", "dot"]);
    assert_eq!(o.status.code(), Some(0));
    let dot = stdout(&o);
    assert!(
        dot.starts_with("digraph apimlint {")
            && dot.contains("subgraph cluster_0")
            && dot.contains("color=red"),
        "{dot}"
    );
}

/// SARIF output without the rule pages it carries (`help` of each rule):
/// they are apimlint's documentation, compiled in, whose examples write
/// secrets on purpose; nothing there comes from the files checked.
fn without_rule_pages(out: &str) -> String {
    let Ok(mut log) = serde_json::from_str::<serde_json::Value>(out) else {
        return out.to_owned();
    };
    let Some(runs) = log.get_mut("runs").and_then(|r| r.as_array_mut()) else {
        return out.to_owned();
    };
    for run in runs {
        if let Some(rules) = run
            .pointer_mut("/tool/driver/rules")
            .and_then(|r| r.as_array_mut())
        {
            for r in rules {
                if let Some(r) = r.as_object_mut() {
                    r.remove("help");
                    r.remove("fullDescription");
                }
            }
        }
    }
    log.to_string()
}

#[test]
fn no_secret_value_appears_in_any_output() {
    // every secret of the broken sample, as the redactor itself finds them
    let mut secrets = Vec::new();
    for entry in ignore_walk(Path::new(BROKEN)) {
        let text = std::fs::read_to_string(&entry).unwrap_or_default();
        let parsed = apimlint_core::syntax::parse(&text);
        for r in apimlint_core::redact::secret_ranges(&text, parsed.doc.as_ref()) {
            if let Some(s) = text.get(r).filter(|s| s.len() >= 4) {
                secrets.push(s.to_owned());
            }
        }
    }
    assert!(secrets.len() >= 12, "the sample should carry secrets");
    for format in ["human", "json", "compact", "sarif", "github"] {
        let o = run(&[BROKEN, "--format", format, "--color", "always"]);
        let out = without_rule_pages(&stdout(&o));
        for s in &secrets {
            assert!(
                !out.contains(s.as_str()),
                "{format} output leaks a secret {:?}",
                s
            );
        }
    }
}

fn ignore_walk(dir: &Path) -> Vec<PathBuf> {
    apimlint_pages::files_under(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect()
}

/// The values of `<command> --format`, as `--help` lists them (so that a new
/// format, SARIF included, is covered as soon as it exists).
fn formats_of(command: &str) -> Vec<String> {
    let help = stdout(&run(&[command, "--help"]));
    let line = help
        .lines()
        .find(|l| l.trim_start().starts_with("--format"))
        .unwrap_or_else(|| panic!("no --format in:\n{help}"));
    let list = line
        .split("possible values:")
        .nth(1)
        .unwrap_or_else(|| panic!("no possible values in {line:?}"));
    list.trim()
        .trim_end_matches(']')
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

#[test]
fn no_secret_value_of_the_secret_rules_fixtures_appears_in_any_format() {
    let formats = formats_of("check");
    assert!(formats.len() >= 3, "{formats:?}");
    let graph_formats = formats_of("graph");
    assert!(graph_formats.len() >= 2, "{graph_formats:?}");
    // the trees where the secret-bearing rules fire: plain-text passwords,
    // `[plaintext]` secrets, default credentials, differing key passwords
    // (their rule pages' examples)
    let rules = [
        "plaintext-password",
        "unencrypted-secret",
        "default-credentials",
        "keystore-password-mismatch",
        "undefined-secret",
    ];
    let pages = apimlint_pages::trees_under(Path::new(env!("CARGO_TARGET_TMPDIR"))).unwrap();
    let trees: Vec<String> = pages
        .iter()
        .filter(|t| rules.contains(&t.rule.as_str()))
        .map(|t| t.bad.display().to_string())
        .collect();
    assert!(trees.len() >= rules.len(), "{trees:?}");
    for tree in &trees {
        let tree = tree.as_str();
        let mut secrets = Vec::new();
        for entry in ignore_walk(Path::new(tree)) {
            let text = std::fs::read_to_string(&entry).unwrap_or_default();
            let parsed = apimlint_core::syntax::parse(&text);
            let ranges = apimlint_core::redact::secret_ranges(&text, parsed.doc.as_ref());
            let redacted = apimlint_core::redact::redact(&text, &ranges);
            for r in ranges {
                // a secret equal to a value shown anyway (`username = "admin"`) cannot be told apart
                if let Some(s) = text
                    .get(r)
                    .filter(|s| s.len() >= 5 && !redacted.contains(&format!("\"{s}\"")))
                {
                    secrets.push(s.to_owned());
                }
            }
        }
        assert!(!secrets.is_empty(), "{tree} should carry secrets");
        let runs = formats
            .iter()
            .map(|f| vec!["check", tree, "--format", f, "--color", "always"])
            .chain(
                graph_formats
                    .iter()
                    .map(|f| vec!["graph", tree, "--format", f]),
            );
        for args in runs {
            let format = args.join(" ");
            let o = run(&args);
            assert_eq!(
                o.status.code().map(|c| c < 2),
                Some(true),
                "{tree} {format}: {}",
                stderr(&o)
            );
            let out = format!("{}{}", without_rule_pages(&stdout(&o)), stderr(&o));
            assert!(out.len() > 100, "{tree} {format}: no output");
            for s in &secrets {
                // a short value (`admin`) is also a word of messages (`super_admin`):
                // look for it as a value, quoted or JSON-escaped
                let leaked = if s.len() >= 8 {
                    out.contains(s.as_str())
                } else {
                    out.contains(&format!("\"{s}\"")) || out.contains(&format!("\\\"{s}\\\""))
                };
                assert!(!leaked, "{tree}: {format} output leaks a secret {s:?}");
            }
        }
    }
}

/// The legitimate variants of a Pattern-1 deployment stay quiet: a region
/// scaled to three gateways next to one with two, WSO2's own
/// `$ref{keystore.primary.*}` internal keystore, and `$env{}` values that
/// only the running node resolves. No error and no warning on any node.
#[test]
fn legitimate_variants_of_the_sample_raise_no_error_or_warning() {
    let root = scratch("variants");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join(CLEAN);
    let mut files = Vec::new();
    for entry in apimlint_pages::files_under(&sample) {
        let rel = entry.strip_prefix(&sample).unwrap().to_path_buf();
        let bytes = std::fs::read(&entry).unwrap();
        files.push((rel, bytes));
    }
    assert!(files.len() > 12);
    for (rel, bytes) in &files {
        if !rel.ends_with("deployment.toml") {
            // event publishers, JNDI files, keystores: as they are
            write(&root.join(rel), bytes);
            continue;
        }
        let mut text = String::from_utf8(bytes.clone()).unwrap();
        {
            // the internal keystore is the primary one: region-1 says so as
            // WSO2's defaults do, region-2 writes the same values out
            let (a, b) = text.split_once("[keystore.internal]").unwrap();
            let rest = b.split_once("\n\n").map_or("", |(_, r)| r);
            let internal = if rel.starts_with("region-1") {
                "file_name = \"$ref{keystore.primary.file_name}\"\ntype = \"$ref{keystore.primary.type}\"\nalias = \"$ref{keystore.primary.alias}\"\npassword = \"$ref{keystore.primary.password}\"\nkey_password = \"$ref{keystore.primary.key_password}\"\n"
            } else {
                "file_name = \"apim-primary.jks\"\ntype = \"JKS\"\nalias = \"apim-primary\"\npassword = \"$secret{keystore_password}\"\nkey_password = \"$secret{keystore_password}\"\n"
            };
            text = format!("{a}[keystore.internal]\n{internal}\n{rest}");
            // region-2's container image names its primary keystore through
            // the environment
            if rel.starts_with("region-2") {
                text = text.replacen(
                    "file_name = \"apim-primary.jks\"",
                    "file_name = \"$env{APIM_PRIMARY_KEYSTORE}\"",
                    1,
                );
            }
        }
        write(&root.join(rel), text.as_bytes());
    }
    // region-1 scaled to three gateways
    let gw2 = root.join("region-1/gw-2/repository/conf/deployment.toml");
    let gw3 = std::fs::read_to_string(&gw2)
        .unwrap()
        .replace("region-1/gw-2", "region-1/gw-3")
        .replace("10.10.2.22", "10.10.2.23")
        .replace("region-1-gw-2", "region-1-gw-3");
    write(
        &root.join("region-1/gw-3/repository/conf/deployment.toml"),
        gw3.as_bytes(),
    );
    let o = common::run_in(&root, &["check", ".", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let loud: Vec<String> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] != "info")
        .map(|d| format!("{} {}: {}", d["rule"], d["file"], d["message"]))
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json["summary"]["nodes"], 13, "{}", stdout(&o));
}
