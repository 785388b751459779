//! End-to-end tests of the outputs for pipelines and reviews: SARIF, GitHub
//! workflow commands, the Mermaid/DOT pictures, and paths of several
//! deployments (as pre-commit passes them).

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use common::{BROKEN, CLEAN, run, run_in, stdout};

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

const GW2: &str =
    "fixtures/deployments/pattern-1-broken/region-1/gw-2/repository/conf/deployment.toml";

/// A fresh scratch directory under the target dir.
fn scratch(name: &str) -> PathBuf {
    common::scratch("ci", name)
}

fn sample_copy(name: &str, sample: &str) -> PathBuf {
    let dir = scratch(name);
    common::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join(sample), &dir);
    dir
}

fn label_result(log: &Value) -> Value {
    log["runs"][0]["results"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["ruleId"] == "gateway-label-unmatched"))
        .cloned()
        .unwrap_or_else(|| panic!("no gateway-label-unmatched result: {log}"))
}

#[test]
fn sarif_has_rules_exact_regions_related_locations_and_fingerprints() {
    let o = run(&[BROKEN, "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(1));
    let log = json(&o);
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().is_some_and(|s| s.contains("2.1.0")));
    let run0 = &log["runs"][0];
    assert_eq!(run0["columnKind"], "utf16CodeUnits");
    let driver = &run0["tool"]["driver"];
    assert_eq!(driver["name"], "apimlint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().cloned().unwrap_or_default();
    let ids = apimlint_core::rules::ids();
    assert_eq!(rules.len(), ids.len(), "every rule is described");
    for r in &rules {
        let id = r["id"].as_str().unwrap_or_default();
        assert!(
            r["help"]["markdown"]
                .as_str()
                .is_some_and(|h| h.contains("## Why it matters")),
            "{r}"
        );
        assert_eq!(
            r["helpUri"],
            format!("https://github.com/apimlint/apimlint/blob/main/rules/{id}.md")
        );
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("rules/{id}.md"))
                .is_file()
        );
        assert!(
            r["shortDescription"]["text"]
                .as_str()
                .is_some_and(|s| !s.is_empty())
        );
    }

    // the same finding as in `--format json`, at the same place
    let res = label_result(&log);
    assert_eq!(res["level"], "error");
    assert_eq!(
        rules[res["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "gateway-label-unmatched"
    );
    assert!(
        res["message"]["text"]
            .as_str()
            .is_some_and(|m| m
                .starts_with("gateway label `Defualt` matches no gateway environment of region-1")),
        "{res}"
    );
    let loc = &res["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], GW2);
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    let region = &loc["region"];
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(GW2)).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("gateway_labels = [\"Defualt\""))
        .unwrap()
        + 1;
    assert_eq!(region["startLine"], line);
    assert_eq!(region["endLine"], line);
    assert_eq!(region["startColumn"], 19);
    assert_eq!(region["endColumn"], 28);
    assert_eq!(region["snippet"]["text"], "\"Defualt\"");
    assert_eq!(loc["contextRegion"]["startLine"], line);

    let rel = &res["relatedLocations"][0];
    assert!(
        rel["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .is_some_and(|u| u.ends_with("region-1/cp-1/repository/conf/deployment.toml")),
        "{rel}"
    );
    assert!(
        rel["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .is_some_and(|l| l > 1)
    );
    assert!(
        rel["message"]["text"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );

    // the fingerprints are `apimlint_core::fingerprint`, as in `--format json`
    let j = json(&run(&[BROKEN, "--format", "json"]));
    let fp = j["diagnostics"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["rule"] == "gateway-label-unmatched"))
        .map(|d| d["fingerprint"].clone())
        .unwrap();
    assert_eq!(res["partialFingerprints"]["apimlint/v1"], fp);
    assert_eq!(
        run0["results"].as_array().map(Vec::len),
        j["diagnostics"].as_array().map(Vec::len)
    );

    // the fix, as SARIF replacements
    let rep = &res["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(rep["insertedContent"]["text"], "\"Default\"");
    assert_eq!(rep["deletedRegion"]["startColumn"], 19);
}

#[test]
fn sarif_columns_are_utf16_and_paths_are_uris() {
    // a deployment outside the repository, in a directory with a space, with
    // a 2-unit character (𝄞) and an accented one before the finding
    let dir = sample_copy("sarif utf16", BROKEN);
    let gw2 = dir.join("region-1/gw-2/repository/conf/deployment.toml");
    let text = std::fs::read_to_string(&gw2).unwrap();
    let text = text.replace(
        "gateway_labels = [\"Defualt\"",
        "gateway_labels = [\"𝄞é\", \"Defualt\"",
    );
    std::fs::write(&gw2, text).unwrap();
    let log = json(&run_in(
        dir.parent().unwrap(),
        &[
            dir.file_name().unwrap().to_str().unwrap(),
            "--format",
            "sarif",
        ],
    ));
    let res = log["runs"][0]["results"]
        .as_array()
        .and_then(|a| {
            a.iter().find(|r| {
                r["ruleId"] == "gateway-label-unmatched"
                    && r["locations"][0]["physicalLocation"]["region"]["snippet"]["text"]
                        == "\"Defualt\""
            })
        })
        .cloned()
        .unwrap_or_else(|| panic!("{log}"));
    let loc = &res["locations"][0]["physicalLocation"];
    // `gateway_labels = ["𝄞é", ` is 25 UTF-16 units (𝄞 is 2; 24 scalar values)
    assert_eq!(loc["region"]["startColumn"], 26);
    assert_eq!(loc["region"]["endColumn"], 35);
    let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
    assert!(uri.starts_with("ci-sarif%20utf16-"), "{uri}");
    assert!(!uri.contains(' '));
}

#[test]
fn github_format_emits_workflow_commands_then_the_report() {
    let o = run(&[BROKEN, "--format", "github"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let line = out
        .lines()
        .find(|l| l.contains("title=gateway-label-unmatched::"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        line.starts_with(&format!("::error file={GW2},line=")),
        "{line}"
    );
    assert!(line.contains(",col=19,endLine="), "{line}");
    assert!(line.contains(",endColumn=28,"), "{line}");
    assert!(
        line.ends_with("::gateway label `Defualt` matches no gateway environment of region-1%0Ahelp: did you mean `Default`?%0Afix: Replace with `Default`"),
        "{line}"
    );
    assert!(out.contains("::warning file="), "warnings are warnings");
    // every annotation comes first, then the full human report, fenced by
    // `::stop-commands::TOKEN` … `::TOKEN::` (the runner obeys nothing a
    // value in the report may hold)
    let first_other = out.lines().position(|l| !l.starts_with("::")).unwrap();
    let rest: Vec<&str> = out.lines().skip(first_other).collect();
    let token = rest
        .iter()
        .find_map(|l| l.strip_prefix("::stop-commands::"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(token.len() >= 32, "{token}");
    assert_eq!(rest.last().copied(), Some(format!("::{token}::").as_str()));
    assert!(
        rest.iter()
            .filter(|l| l.starts_with("::"))
            .all(|l| l.starts_with("::stop-commands::") || **l == format!("::{token}::"))
    );
    assert!(out.contains("did you mean `Default`?\n") || out.contains("help: did you mean"));
    assert!(out.contains("found "), "{out}");
    assert!(!out.contains('\u{1b}'), "no colour in a CI log");
    // a clean deployment: no annotation, exit 0
    let o = run(&[CLEAN, "--format", "github"]);
    assert_eq!(o.status.code(), Some(0));
    let clean = stdout(&o);
    assert!(
        !["::error", "::warning", "::notice"]
            .iter()
            .any(|c| clean.contains(c)),
        "{clean}"
    );
}

#[test]
fn mermaid_and_dot_draw_regions_roles_and_broken_edges() {
    let o = run(&["graph", BROKEN, "--format", "mermaid"]);
    assert_eq!(o.status.code(), Some(0));
    let m = stdout(&o);
    assert!(m.starts_with("flowchart LR\n"), "{m}");
    assert!(m.contains("subgraph r0[\"region-1\"]") && m.contains("subgraph r1[\"region-2\"]"));
    assert!(
        m.contains("[\"region-1/gw-1<br/>gateway-worker\"]:::gateway"),
        "{m}"
    );
    assert!(m.contains("classDef trafficmanager fill:"));
    // the typo'd traffic manager host: a dashed red arrow to a missing node
    assert!(
        m.contains("-.->|\"throttle events<br/>throttle-url-unreachable\"| ")
            && m.contains("[\"tm-1.r1.exmple.com\"]:::missing"),
        "{m}"
    );
    assert!(m.contains("|\"key manager\"|") && m.contains("|\"event hub\"|"));
    // linkStyle names exactly the broken arrows
    let arrows: Vec<&str> = m
        .lines()
        .filter(|l| l.contains("-->|") || l.contains("-.->|") || l.contains("==>|"))
        .collect();
    let red: Vec<usize> = arrows
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains("<br/>"))
        .map(|(i, _)| i)
        .collect();
    let style = m.lines().find(|l| l.starts_with("  linkStyle ")).unwrap();
    let listed: Vec<usize> = style
        .trim()
        .split(' ')
        .nth(1)
        .unwrap()
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(listed, red);
    assert!(style.ends_with("stroke:red,color:red"));

    let clean = stdout(&run(&["graph", CLEAN, "--format", "mermaid"]));
    assert!(!clean.contains("linkStyle") && !clean.contains(":::missing"));

    let dot = stdout(&run(&["graph", BROKEN, "--format", "dot"]));
    assert!(dot.contains("[label=\"tm-1.r1.exmple.com\", shape=plaintext"));
    assert!(dot.contains("throttle events\\nthrottle-url-unreachable\", color=red"));
}

#[test]
fn an_apimlint_toml_path_names_its_deployment() {
    // pre-commit passes a changed apimlint.toml: the deployment it governs is
    // linted (and the file is not taken for a node)
    let o = run(&[&format!("{BROKEN}/apimlint.toml"), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["summary"]["nodes"], 12);
    assert_eq!(v["root"], BROKEN);
    let o = run(&[
        "graph",
        &format!("{BROKEN}/apimlint.toml"),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(json(&o)["nodes"].as_array().map(Vec::len), Some(12));
}

#[test]
fn files_of_several_deployments_are_linted_each_whole() {
    // one changed file in each of two deployments (each with apimlint.toml)
    let base = scratch("two-deployments");
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(CLEAN),
        &base.join("clean"),
    );
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(BROKEN),
        &base.join("broken"),
    );
    std::fs::create_dir_all(base.join(".git")).unwrap();
    let a = "clean/region-1/gw-1/repository/conf/deployment.toml";
    let b = "broken/region-2/tm-1/repository/conf/deployment.toml";
    let o = run_in(&base, &[a, b, "--format", "compact"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    // findings of unchanged nodes of the broken deployment
    assert!(
        out.contains("broken/region-1/gw-2/repository/conf/deployment.toml:")
            && out.contains("gateway-label-unmatched gateway label `Defualt` matches no gateway environment of region-1"),
        "{out}"
    );
    assert!(!out.contains("clean/"), "{out}");
    // human: one summary per deployment
    let o = run_in(&base, &[a, b, "--color", "never"]);
    let out = stdout(&o);
    assert_eq!(
        out.matches("checked 12 nodes in 2 regions").count(),
        2,
        "{out}"
    );
    // SARIF: one run per deployment
    let log = json(&run_in(&base, &[a, b, "--format", "sarif"]));
    assert_eq!(log["runs"].as_array().map(Vec::len), Some(2));
    // JSON: one document listing each deployment's document
    let o = run_in(&base, &[a, b, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    let roots: Vec<&str> = v["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["root"].as_str().unwrap())
        .collect();
    assert_eq!(roots, ["broken", "clean"]);
    assert_eq!(v["summary"]["deployments"], 2);
    // a baseline records one deployment: refused, exit 2
    let o = run_in(&base, &[a, b, "--write-baseline", "b.json"]);
    assert_eq!(o.status.code(), Some(2));
}
