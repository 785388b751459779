//! Product versions 4.0.0 … 4.7.0 end to end (issue #30): WSO2's own
//! shipped files lint clean at their version, the version comes from
//! `--apim-version`, `[deployment] version` or the manifests' image tags,
//! `invalid-server-role` per version and distribution,
//! `encryption-key-mismatch` (never showing the key), `apimlint upgrade`
//! and `apimlint schema --apim-version`.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;

use serde_json::Value;

fn scratch(name: &str) -> std::path::PathBuf {
    common::scratch("versions", name)
}

/// `check` in JSON: the findings as (rule, message).
fn findings(dir: &Path, args: &[&str]) -> Vec<(String, String)> {
    let mut a = vec!["check", ".", "--format", "json"];
    a.extend_from_slice(args);
    let o = common::run_in(dir, &a);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}{}",
        common::stdout(&o),
        common::stderr(&o)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn node(dir: &Path, id: &str, toml: &str) {
    common::write(
        &dir.join(id).join("repository/conf/deployment.toml"),
        toml.as_bytes(),
    );
}

/// Each version's shipped `deployment.toml` and deployment templates
/// (`fixtures/wso2-shipped`, from the tags) as the nodes of one tree.
fn shipped_tree(version: &str) -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/wso2-shipped");
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("index.json")).unwrap()).unwrap();
    let dir = scratch(&format!("shipped-{version}"));
    let files = index["versions"][version]["files"].as_array().unwrap();
    assert!(!files.is_empty(), "{version}: no shipped files");
    for (i, f) in files.iter().enumerate() {
        let text = std::fs::read_to_string(root.join(f["file"].as_str().unwrap())).unwrap();
        node(&dir, &format!("n{i}"), &text);
    }
    dir
}

#[test]
fn shipped_files_lint_clean_at_their_own_version() {
    let select = ["--select", "unknown-key,key-not-in-version"];
    for v in [
        "4.0.0", "4.1.0", "4.2.0", "4.3.0", "4.4.0", "4.5.0", "4.6.0", "4.7.0",
    ] {
        let dir = shipped_tree(v);
        let mut args = vec!["--apim-version", v];
        args.extend_from_slice(&select);
        let f = findings(&dir, &args);
        assert!(f.is_empty(), "{v}: {f:#?}");
    }
    // the check can fail: 4.7.0's files write a key 4.0.0 does not read
    let dir = shipped_tree("4.7.0");
    let mut args = vec!["--apim-version", "4.0.0"];
    args.extend_from_slice(&select);
    let f = findings(&dir, &args);
    assert!(
        f.iter()
            .any(|(r, m)| r == "key-not-in-version" && m.contains("was added in 4.4.0")),
        "{f:#?}"
    );
}

const GW: &str = "[server]\nhostname = \"gw\"\nserver_role = \"gateway-worker\"\n\n[apim.key_manager]\nenable_apikey_subscription_validation = true\n\n[integration.transaction_counter]\nenable = true\n";

#[test]
fn the_version_comes_from_the_flag_then_the_project_file() {
    let dir = scratch("sources");
    node(&dir, "gw", GW);
    // no version: the union, and the summary says so
    let o = common::run_in(&dir, &["check", "."]);
    let out = common::stdout(&o);
    assert!(out.contains("no API-M version given"), "{out}");
    assert!(
        findings(&dir, &[])
            .iter()
            .all(|(r, _)| r != "key-not-in-version")
    );
    // the project file
    common::write(
        &dir.join("apimlint.toml"),
        b"[deployment]\nversion = \"4.5.0\"\n",
    );
    let f = findings(&dir, &[]);
    let renamed: Vec<&String> = f
        .iter()
        .filter(|(r, _)| r == "key-not-in-version")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(renamed.len(), 2, "{f:#?}");
    assert!(
        renamed
            .iter()
            .any(|m| m.contains("renamed to `apim.transaction_counter` in 4.4.0"))
    );
    // the flag overrides it: 4.3.0 reads both keys
    let f = findings(&dir, &["--apim-version", "4.3"]);
    assert!(f.iter().all(|(r, _)| r != "key-not-in-version"), "{f:#?}");
    // a version apimlint has no catalog of is an error, with its place
    let o = common::run_in(&dir, &["check", ".", "--apim-version", "4.9.0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("4.0.0"),
        "{}",
        common::stderr(&o)
    );
    common::write(
        &dir.join("apimlint.toml"),
        b"[deployment]\nversion = \"3.2.0\"\n",
    );
    let o = common::run_in(&dir, &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("apimlint.toml:2"),
        "{}",
        common::stderr(&o)
    );
}

#[test]
fn the_fix_writes_the_new_names() {
    let dir = scratch("fix");
    node(&dir, "gw", GW);
    let o = common::run_in(&dir, &["check", ".", "--apim-version", "4.7.0", "--fix"]);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        common::stderr(&o)
    );
    let text = std::fs::read_to_string(dir.join("gw/repository/conf/deployment.toml")).unwrap();
    assert!(text.contains("[apim.transaction_counter]"), "{text}");
    assert!(
        text.contains("enable_lightweight_apikey_generation = true"),
        "{text}"
    );
    let f = findings(&dir, &["--apim-version", "4.7.0"]);
    assert!(f.iter().all(|(r, _)| r != "key-not-in-version"), "{f:#?}");
}

/// A universal gateway Deployment of `image`, its ConfigMap holding `role`.
fn gateway_manifest(image: &str, role: &str) -> String {
    format!(
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: gw-conf
data:
  deployment.toml: |
    [server]
    hostname = "gw.example.com"
    server_role = "{role}"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gw
spec:
  template:
    spec:
      containers:
        - name: gw
          image: {image}
          volumeMounts:
            - name: conf
              mountPath: /home/wso2carbon/wso2am/repository/conf/deployment.toml
              subPath: deployment.toml
      volumes:
        - name: conf
          configMap:
            name: gw-conf
"#
    )
}

#[test]
fn a_component_image_maps_only_default() {
    let dir = scratch("image");
    let image = "registry.example.com/wso2/wso2am-universal-gw:4.7.0-alpine";
    common::write(
        &dir.join("gw.yaml"),
        gateway_manifest(image, "gateway-worker").as_bytes(),
    );
    let f = findings(&dir, &[]);
    assert!(
        f.iter().any(|(r, m)| r == "invalid-server-role"
            && m.contains("universal gateway")
            && m.contains("4.7.0")),
        "{f:#?}"
    );
    let o = common::run_in(&dir, &["check", "."]);
    assert!(
        common::stdout(&o).contains(&format!("API-M 4.7.0 (from the image {image})")),
        "{}",
        common::stdout(&o)
    );
    // the same role on the all-in-one image is right
    common::write(
        &dir.join("gw.yaml"),
        gateway_manifest("wso2/wso2am:4.7.0", "gateway-worker").as_bytes(),
    );
    assert!(
        findings(&dir, &[])
            .iter()
            .all(|(r, _)| r != "invalid-server-role")
    );
    // and `default` on the component image
    common::write(
        &dir.join("gw.yaml"),
        gateway_manifest(image, "default").as_bytes(),
    );
    assert!(
        findings(&dir, &[])
            .iter()
            .all(|(r, _)| r != "invalid-server-role")
    );
}

#[test]
fn deprecated_profiles_were_removed_in_4_2_0() {
    let dir = scratch("profiles");
    node(
        &dir,
        "pub",
        "[server]\nhostname = \"pub\"\nserver_role = \"api-publisher-deprecated\"\n",
    );
    let at = |v: &str| -> Vec<(String, String)> {
        let o = common::run_in(
            &dir,
            &["check", ".", "--format", "json", "--apim-version", v],
        );
        let j: Value = serde_json::from_slice(&o.stdout).unwrap();
        j["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == "invalid-server-role")
            .map(|d| {
                (
                    d["severity"].as_str().unwrap().to_owned(),
                    d["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let old = at("4.1.0");
    assert_eq!(old.len(), 1);
    assert_eq!(old[0].0, "info", "{old:?}");
    let new = at("4.2.0");
    assert_eq!(new[0].0, "error", "{new:?}");
    assert!(new[0].1.contains("removed in 4.2.0"), "{new:?}");
}

fn encrypted(dir: &Path, keys: &[(&str, &str)]) {
    for (id, key) in keys {
        node(
            dir,
            id,
            &format!("[server]\nhostname = \"{id}\"\n\n[encryption]\nkey = \"{key}\"\n"),
        );
    }
}

#[test]
fn encryption_keys_agree_from_4_7_0_and_are_never_shown() {
    let dir = scratch("encryption");
    let secret = "6b3f0c9a1d2e4f5a6b7c8d9e0f1a2b3c";
    let other = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    encrypted(&dir, &[("cp-1", secret), ("cp-2", secret), ("gw-1", other)]);
    let f = findings(&dir, &["--apim-version", "4.7.0"]);
    let hits: Vec<&(String, String)> = f
        .iter()
        .filter(|(r, _)| r == "encryption-key-mismatch")
        .collect();
    assert_eq!(hits.len(), 1, "{f:#?}");
    for fmt in ["human", "json", "sarif", "compact", "github"] {
        let o = common::run_in(
            &dir,
            &["check", ".", "--apim-version", "4.7.0", "--format", fmt],
        );
        let all = format!("{}{}", common::stdout(&o), common::stderr(&o));
        assert!(all.contains("encryption-key-mismatch"), "{fmt}");
        assert!(
            !all.contains(secret) && !all.contains(other),
            "{fmt}: {all}"
        );
    }
    // before 4.7.0 the keystore encrypts: nothing to compare
    let f = findings(&dir, &["--apim-version", "4.6.0"]);
    assert!(f.iter().all(|(r, _)| r != "encryption-key-mismatch"));
    // one key everywhere, or one `$secret{}` alias, or `$env{}`: clean
    let dir = scratch("encryption-ok");
    encrypted(
        &dir,
        &[
            ("cp-1", "$secret{enc}"),
            ("cp-2", "$secret{enc}"),
            ("gw-1", "$env{ENC_KEY}"),
        ],
    );
    common::write(
        &dir.join("cp-1/repository/conf/deployment.toml"),
        b"[server]\nhostname = \"cp-1\"\n\n[encryption]\nkey = \"$secret{enc}\"\n\n[secrets]\nenc = \"x\"\n",
    );
    let f = findings(&dir, &["--apim-version", "4.7.0"]);
    assert!(
        f.iter().all(|(r, _)| r != "encryption-key-mismatch"),
        "{f:#?}"
    );
}

#[test]
fn upgrade_lists_renames_removals_defaults_and_roles() {
    let dir = scratch("upgrade");
    node(&dir, "gw", GW);
    node(
        &dir,
        "pub",
        "[server]\nhostname = \"pub\"\nserver_role = \"api-publisher-deprecated\"\n",
    );
    let o = common::run_in(
        &dir,
        &[
            "upgrade",
            ".",
            "--apim-version",
            "4.1.0",
            "--to",
            "4.7.0",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let changes = v["deployments"][0]["changes"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> = changes
        .iter()
        .map(|c| (c["kind"].as_str().unwrap(), c["key"].as_str().unwrap()))
        .collect();
    assert!(
        kinds.contains(&(
            "renamed",
            "apim.key_manager.enable_apikey_subscription_validation"
        )),
        "{kinds:?}"
    );
    assert!(kinds.contains(&("role", "server.server_role")), "{kinds:?}");
    assert!(
        kinds.contains(&("default", "resource_access_control.default_access_allow")),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("default", "encryption.internal_crypto_provider")),
        "{kinds:?}"
    );
    // human form, and the renames as a diff
    let o = common::run_in(
        &dir,
        &["upgrade", ".", "--apim-version", "4.1.0", "--to", "4.7.0"],
    );
    assert!(common::stdout(&o).contains("fixable with `apimlint upgrade --to 4.7.0 --fix`"));
    let o = common::run_in(
        &dir,
        &[
            "upgrade",
            ".",
            "--apim-version",
            "4.3.0",
            "--to",
            "4.7.0",
            "--diff",
        ],
    );
    let diff = common::stdout(&o);
    assert!(diff.contains("+[apim.transaction_counter]"), "{diff}");
    // no version known: a clear error
    let o = common::run_in(&dir, &["upgrade", ".", "--to", "4.7.0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("--apim-version"));
    // nothing to change between equal versions
    let clean = scratch("upgrade-clean");
    node(
        &clean,
        "cp",
        "[server]\nhostname = \"cp\"\nserver_role = \"control-plane\"\n",
    );
    let o = common::run_in(
        &clean,
        &["upgrade", ".", "--apim-version", "4.5.0", "--to", "4.5.0"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", common::stdout(&o));
}

#[test]
fn schema_follows_the_version() {
    let keys = |v: Option<&str>| -> String {
        let mut a = vec!["schema"];
        if let Some(v) = v {
            a.extend(["--apim-version", v]);
        }
        common::stdout(&common::run(&a))
    };
    let old = keys(Some("4.3.0"));
    let new = keys(Some("4.7.0"));
    let key = "\"enable_lightweight_apikey_generation\"";
    assert!(!old.contains(key), "came in 4.4.0");
    assert!(new.contains(key));
    assert!(keys(None).contains("Since API-M 4.4.0."));
    let o = common::run(&["schema", "--apim-version", "5.0"]);
    assert_eq!(o.status.code(), Some(2));
}
