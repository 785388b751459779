//! WSO2's real distributed Helm charts (`../shared/corpus/wso2__helm-apim`,
//! read at test time, never copied), rendered by the real Helm engine
//! (helm-python-sdk: `.ci/run` installs it into a venv and exports
//! `APIMLINT_HELM_PYTHON`) for two regions with the values in `tests/helm/`,
//! then checked by the `apimlint` binary: the nodes, roles and regions
//! found, every URL resolved through the rendered Services, the findings
//! located inside the manifests, and each deliberate mistake of
//! `tests/helm/mistakes/` caught by the right rule on the right node.
//!
//! Skipped, saying so, when the charts or the Helm engine are absent.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

const CHARTS: &[(&str, &str)] = &[
    ("control-plane", "cp"),
    ("gateway", "gw"),
    ("traffic-manager", "tm"),
    ("key-manager", "km"),
];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The charts and the Python with helm-python-sdk, or why the test skips.
fn engine() -> Option<(PathBuf, PathBuf)> {
    let charts = repo().join("../shared/corpus/wso2__helm-apim/charts-master/distributed");
    if !charts.is_dir() {
        eprintln!(
            "SKIPPED: WSO2's charts are not at {} (../shared/corpus beside the repository)",
            charts.display()
        );
        return None;
    }
    let python = std::env::var_os("APIMLINT_HELM_PYTHON")
        .map(PathBuf::from)
        .or_else(|| {
            let home = std::env::var_os("HOME")?;
            let p = Path::new(&home).join(".cache/apimlint-helm-venv/bin/python");
            p.is_file().then_some(p)
        });
    let Some(python) = python else {
        eprintln!(
            "SKIPPED: no Helm engine: set APIMLINT_HELM_PYTHON to a Python with helm-python-sdk (.ci/run installs one)"
        );
        return None;
    };
    let ok = Command::new(&python)
        .args(["-c", "import helm_python.chart"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!(
            "SKIPPED: {} cannot import helm_python (pip install helm-python-sdk)",
            python.display()
        );
        return None;
    }
    Some((charts, python))
}

/// `helm template` of the four distributed charts into one stream per
/// region, in `dir/<region>.yaml`; `extra` values apply to region 1 only.
fn render(dir: &Path, charts: &Path, python: &Path, extra: Option<&Path>) {
    for region in ["region-1", "region-2"] {
        let mut stream = String::new();
        for (chart, release) in CHARTS {
            let mut cmd = Command::new(python);
            cmd.arg(repo().join("scripts/helm-render.py"))
                .arg(charts.join(chart))
                .args([release, region])
                .arg(repo().join("tests/helm/common.yaml"))
                .arg(repo().join(format!("tests/helm/{region}.yaml")));
            if let (Some(x), "region-1") = (extra, region) {
                cmd.arg(x);
            }
            let o = cmd.output().unwrap();
            assert!(
                o.status.success(),
                "helm render of {chart} failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            stream.push_str(&String::from_utf8(o.stdout).unwrap());
        }
        common::write(&dir.join(format!("{region}.yaml")), stream.as_bytes());
    }
}

fn json(dir: &Path) -> Value {
    let o = common::run_in(dir, &["check", ".", "--format", "json"]);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        common::stderr(&o)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

/// (rule, node) of every finding, without the chart defaults every render
/// carries (see `known`).
fn findings(v: &Value) -> Vec<(String, String, String)> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !known(d))
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["node"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// What WSO2's chart templates write whatever the values: the shipped
/// keystore and a placeholder `[user_store] key` (warnings). (The gateway
/// notification durations they quote, `"1m"`, are accepted since #14.)
fn known(d: &Value) -> bool {
    let rule = d["rule"].as_str().unwrap_or("");
    let msg = d["message"].as_str().unwrap_or("");
    rule == "default-credentials" || (rule == "unknown-key" && msg.contains("user_store.key"))
}

#[test]
fn two_regions_render_clean_and_every_url_resolves() {
    let Some((charts, python)) = engine() else {
        return;
    };
    let dir = common::scratch("helm", "clean");
    render(&dir, &charts, &python, None);
    let v = json(&dir);
    // the nodes: every workload mounting a deployment.toml, per region
    let nodes = v["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 12, "{nodes:#?}");
    for region in ["region-1", "region-2"] {
        let mut roles: Vec<&str> = nodes
            .iter()
            .filter(|n| n["region"] == region)
            .map(|n| n["role"].as_str().unwrap())
            .collect();
        roles.sort_unstable();
        assert_eq!(
            roles,
            [
                "control-plane",
                "control-plane",
                "gateway-worker",
                "key-manager",
                "traffic-manager",
                "traffic-manager"
            ],
            "{region}"
        );
        let gw = format!("{region}/gw-wso2am-universal-gw-deployment");
        let n = nodes.iter().find(|n| n["id"] == gw.as_str()).unwrap();
        assert_eq!(n["file"], format!("{region}.yaml"));
        assert_eq!(n["source"]["kind"], "ConfigMap");
        assert_eq!(n["source"]["namespace"], region);
        assert_eq!(n["source"]["key"], "deployment.toml");
        assert_eq!(n["source"]["workload"]["kind"], "Deployment");
    }
    // no URL is left to `unknown-host` (or a near miss): the Services name them all
    let all = findings(&v);
    assert!(all.iter().all(|(r, _, _)| r != "unknown-host"), "{all:#?}");
    // and nothing else is an error
    let errors: Vec<&Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error" && !known(d))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // the graph: every edge resolved through a Service reaches its nodes
    let o = common::run_in(&dir, &["graph", ".", "--format", "json"]);
    let g: Value = serde_json::from_slice(&o.stdout).unwrap();
    let edges = g["edges"].as_array().unwrap();
    assert!(edges.len() > 100, "{g:#}");
    for e in edges {
        assert_eq!(e["status"], "ok", "{e:#}");
        assert!(!e["to"].as_array().unwrap().is_empty(), "{e:#}");
        assert_eq!(e["cross_region"], false, "{e:#}");
    }
}

#[test]
fn findings_point_at_the_characters_inside_the_manifest() {
    let Some((charts, python)) = engine() else {
        return;
    };
    let dir = common::scratch("helm", "located");
    render(&dir, &charts, &python, None);
    let v = json(&dir);
    let texts: Vec<(String, Vec<String>)> = ["region-1.yaml", "region-2.yaml"]
        .iter()
        .map(|f| {
            let t = std::fs::read_to_string(dir.join(f)).unwrap();
            ((*f).to_owned(), t.lines().map(str::to_owned).collect())
        })
        .collect();
    let mut checked = 0;
    for d in v["diagnostics"].as_array().unwrap() {
        let file = d["file"].as_str().unwrap();
        let lines = &texts.iter().find(|(f, _)| f == file).unwrap().1;
        let line = d["range"]["start"]["line"].as_u64().unwrap() as usize;
        let col = d["range"]["start"]["column"].as_u64().unwrap() as usize;
        let at: String = lines[line - 1].chars().skip(col - 1).take(40).collect();
        // the TOML inside a double-quoted scalar: `key = …` is written as is
        let msg = d["message"].as_str().unwrap();
        if d["rule"] == "unknown-key" && msg.contains("user_store.key") {
            assert!(at.starts_with("key = \\\"value\\\""), "{at:?}");
            checked += 1;
        }
        if d["rule"] == "default-credentials" {
            assert!(at.starts_with("\\\"wso2carbon.jks\\\""), "{at:?}");
            checked += 1;
        }
    }
    assert!(checked >= 24, "{checked}");
    // the human report shows the manifest's lines
    let o = common::run_in(&dir, &["check", ".", "--color", "never"]);
    let out = common::stdout(&o);
    // WSO2's charts write deployment.toml as one quoted scalar: the report
    // shows the decoded TOML lines, named by object and key, with the
    // position in the manifest in words
    assert!(out.contains("at region-1.yaml:"), "{out}");
    assert!(out.contains("─[ConfigMap region-1/"), "{out}");
    assert!(out.contains(": deployment.toml:"), "{out}");
    assert!(!out.contains("too long to show"), "{out}");
}

/// The deliberate mistakes: each values file (for region 1), the rule, the
/// node it must be reported on, and a word of the message.
const MISTAKES: &[(&str, &str, &str, &str)] = &[
    (
        "tm-port",
        "throttle-url-unreachable",
        "region-1/gw-wso2am-universal-gw-deployment",
        "tm-wso2am-tm-1-service:9612",
    ),
    // a near miss of the Services of tm-1 and tm-2, in a region that holds
    // its traffic-manager pair: the using rule's error (#14), not an info
    (
        "tm-host",
        "throttle-url-unreachable",
        "region-1/gw-wso2am-universal-gw-deployment",
        "tm-wso2am-tm-3-service",
    ),
    (
        "tm-no-ha",
        "throttle-url-group-incomplete",
        "region-1/gw-wso2am-universal-gw-deployment",
        "region-1/tm-wso2am-tm-deployment-2",
    ),
    (
        "env-renamed",
        "gateway-label-unmatched",
        "region-1/gw-wso2am-universal-gw-deployment",
        "Default",
    ),
    (
        "other-region",
        "cross-region-reference",
        "region-1/gw-wso2am-universal-gw-deployment",
        "region-2/cp-wso2am-acp-deployment-1",
    ),
];

#[test]
fn deliberate_mistakes_are_caught_on_the_right_node() {
    let Some((charts, python)) = engine() else {
        return;
    };
    let mut refused = 0;
    for (name, rule, node, word) in MISTAKES {
        let dir = common::scratch("helm", name);
        let extra = repo().join(format!("tests/helm/mistakes/{name}.yaml"));
        render(&dir, &charts, &python, Some(&extra));
        let all = findings(&json(&dir));
        assert!(
            all.iter()
                .any(|(r, n, m)| r == rule && n == node && m.contains(word)),
            "{name}: no {rule} on {node} mentioning {word}: {all:#?}"
        );
        // region 2 is untouched: nothing of the rule on its nodes
        assert!(
            !all.iter()
                .any(|(r, n, _)| r == rule && n.starts_with("region-2/")),
            "{name}: {all:#?}"
        );
        // the charts write the TOML with `| quote`: `--fix` lists the fixes
        // and writes nothing into the rendered manifests
        let before = std::fs::read(dir.join("region-1.yaml")).unwrap();
        let o = common::run_in(&dir, &["check", ".", "--fix", "--unsafe-fixes"]);
        assert_eq!(std::fs::read(dir.join("region-1.yaml")).unwrap(), before);
        let err = common::stderr(&o);
        for line in err.lines().filter(|l| l.contains("fix not applied")) {
            assert!(
                line.contains("not in a literal block")
                    && line.contains("the manifest is generated"),
                "{name}: {line}"
            );
            refused += 1;
        }
    }
    assert!(refused > 0, "no mistake offered a fix to refuse");
}

#[test]
fn a_stream_on_standard_input_is_checked_in_its_namespace() {
    let Some((charts, python)) = engine() else {
        return;
    };
    let dir = common::scratch("helm", "stdin");
    render(&dir, &charts, &python, None);
    let stream = std::fs::read(dir.join("region-2.yaml")).unwrap();
    let run = |args: &[&str]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_apimlint"))
            .current_dir(&dir)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(&stream).unwrap();
        let o = child.wait_with_output().unwrap();
        serde_json::from_slice::<Value>(&o.stdout).unwrap()
    };
    let v = run(&["check", "-", "--format", "json"]);
    let nodes = v["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 6);
    assert!(
        nodes.iter().all(|n| n["region"] == "region-2"),
        "{nodes:#?}"
    );
    assert!(nodes.iter().all(|n| n["file"] == "<stdin>"), "{nodes:#?}");
    let v = run(&["check", "-", "--format", "json", "--region", "eu-west"]);
    assert!(
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["id"].as_str().unwrap().starts_with("eu-west/"))
    );
}

/// Every chart of WSO2's (the four distributed ones and all-in-one),
/// rendered with its default values (and the encryption key it cannot
/// render without): no rule that reads one file
/// (`apimlint rules --format json`, scope `node`) finds an error in the
/// `deployment.toml` WSO2 ships in it.
#[test]
fn default_values_raise_no_error_from_a_rule_that_reads_one_file() {
    let Some((charts, python)) = engine() else {
        return;
    };
    let o = common::run(&["rules", "--format", "json"]);
    let rules: Value = serde_json::from_slice(&o.stdout).unwrap();
    let one_file: Vec<&str> = rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["scope"] == "node")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(one_file.contains(&"invalid-value") && one_file.len() > 10);
    let all_charts = charts.parent().unwrap();
    for (chart, release) in CHARTS
        .iter()
        .map(|(c, r)| (format!("distributed/{c}"), *r))
        .chain([("all-in-one".to_owned(), "aio")])
    {
        let dir = common::scratch("helm-defaults", release);
        // the chart's defaults, and the one value it refuses to render
        // without (`encryption.key`)
        let required = dir.join("required.yaml");
        common::write(
            &required,
            b"wso2:\n  apim:\n    configurations:\n      encryption:\n        key: \"0123456789abcdef0123456789abcdef\"\n",
        );
        let o = Command::new(&python)
            .arg(repo().join("scripts/helm-render.py"))
            .arg(all_charts.join(&chart))
            .args([release, "apim"])
            .arg(&required)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "helm render of {chart} failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        common::write(&dir.join("apim/stream.yaml"), &o.stdout);
        let v = json(&dir);
        assert!(
            !v["nodes"].as_array().unwrap().is_empty(),
            "{chart}: no node found in the render"
        );
        let errors: Vec<String> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["severity"] == "error")
            .filter(|d| one_file.contains(&d["rule"].as_str().unwrap_or("")))
            .map(|d| format!("{} {}: {}", d["rule"], d["node"], d["message"]))
            .collect();
        assert!(errors.is_empty(), "{chart}: {errors:#?}");
    }
}

/// The front-door rules (`hostname-unreachable`, `proxy-port-mismatch`,
/// `portal-url-unresolved`) over WSO2's charts: with their defaults
/// (Gateway API routes) and with Ingresses instead, for two regions,
/// nothing; a control plane's `proxyPort` changed in the rendered stream is
/// reported on both control planes, naming the chart's Ingress.
#[test]
fn the_charts_front_door_is_clean_and_a_wrong_proxy_port_is_caught() {
    let Some((charts, python)) = engine() else {
        return;
    };
    let front = |v: &Value| -> Vec<(String, String, String)> {
        findings(v)
            .into_iter()
            .filter(|(r, _, _)| {
                matches!(
                    r.as_str(),
                    "hostname-unreachable" | "proxy-port-mismatch" | "portal-url-unresolved"
                )
            })
            .collect()
    };
    // every chart alone, with its default values (and the encryption key
    // it cannot render without)
    for (chart, release) in CHARTS
        .iter()
        .map(|(c, r)| (format!("distributed/{c}"), *r))
        .chain([("all-in-one".to_owned(), "aio")])
    {
        let dir = common::scratch("helm-front-defaults", release);
        let required = dir.join("required.yaml");
        common::write(
            &required,
            b"wso2:\n  apim:\n    configurations:\n      encryption:\n        key: \"0123456789abcdef0123456789abcdef\"\n",
        );
        let o = Command::new(&python)
            .arg(repo().join("scripts/helm-render.py"))
            .arg(charts.parent().unwrap().join(&chart))
            .args([release, "apim"])
            .arg(&required)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{chart}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        common::write(&dir.join("apim/stream.yaml"), &o.stdout);
        let v = json(&dir);
        assert!(!v["nodes"].as_array().unwrap().is_empty(), "{chart}");
        let all = front(&v);
        assert!(all.is_empty(), "{chart}: {all:#?}");
    }
    // two regions of the four distributed charts
    let dir = common::scratch("helm", "front-default");
    render(&dir, &charts, &python, None);
    let all = front(&json(&dir));
    assert!(all.is_empty(), "{all:#?}");
    let dir = common::scratch("helm", "front-ingress");
    let extra = repo().join("tests/helm/front-ingress.yaml");
    render(&dir, &charts, &python, Some(&extra));
    let stream = std::fs::read_to_string(dir.join("region-1.yaml")).unwrap();
    assert!(stream.contains("kind: Ingress"), "no Ingress rendered");
    let all = front(&json(&dir));
    assert!(all.is_empty(), "{all:#?}");
    // the control planes' `proxyPort = 443` (the gateway writes
    // `properties.proxyPort`), as 9443
    let wrong = stream.replace("nproxyPort = 443", "nproxyPort = 9443");
    assert_ne!(wrong, stream);
    common::write(&dir.join("region-1.yaml"), wrong.as_bytes());
    let all = front(&json(&dir));
    let cps: Vec<&String> = all
        .iter()
        .filter(|(r, _, m)| {
            r == "proxy-port-mismatch" && m.contains("Ingress") && m.contains("on 443")
        })
        .map(|(_, n, _)| n)
        .collect();
    assert_eq!(
        cps,
        [
            "region-1/cp-wso2am-acp-deployment-1",
            "region-1/cp-wso2am-acp-deployment-2"
        ],
        "{all:#?}"
    );
    assert_eq!(all.len(), 2, "{all:#?}");
}
