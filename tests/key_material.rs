//! Key material end to end (issue #27): the real binary over the clean
//! sample with its keystores, and over copies of it with one mistake each, in
//! plain trees and in a Kubernetes Secret. Every run fixes "now" (`--now` or
//! `APIMLINT_NOW`): nothing depends on today's date.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};

use common::{CLEAN, copy_dir, run, run_in, scratch, stderr, stdout, write};
use serde_json::Value;

const NOW: &str = "2026-12-07";

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn security(root: &Path, node: &str) -> PathBuf {
    root.join(node).join("repository/resources/security")
}

fn sample(name: &str) -> PathBuf {
    let dir = scratch("keys", name);
    copy_dir(&repo(CLEAN), &dir);
    dir
}

/// `(rule, node, line, severity, message)` of every finding.
fn findings(dir: &Path, args: &[&str]) -> Vec<(String, String, u64, String, String)> {
    let mut all = vec!["check", "--format", "json", "."];
    all.extend_from_slice(args);
    let o = run_in(dir, &all);
    let v: Value = serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&o), stderr(&o)));
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["node"].as_str().unwrap_or("").to_owned(),
                d["range"]["start"]["line"].as_u64().unwrap_or(0),
                d["severity"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn of<'a>(
    f: &'a [(String, String, u64, String, String)],
    rule: &str,
) -> Vec<&'a (String, String, u64, String, String)> {
    f.iter().filter(|d| d.0 == rule).collect()
}

const KEY_RULES: [&str; 8] = [
    "primary-keystore-mismatch",
    "keystore-unreadable",
    "keystore-alias-missing",
    "keystore-not-mounted",
    "certificate-expired",
    "certificate-expiring",
    "truststore-missing-certificate",
    "certificate-host-mismatch",
];

#[test]
fn the_clean_sample_carries_agreeing_keystores_and_stays_clean() {
    // a century of validity: clean today, and in 2100
    for now in [NOW, "2100-01-01"] {
        let o = run(&["check", CLEAN, "--now", now]);
        assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    }
    let stores = std::fs::read_dir(security(&repo(CLEAN), "region-2/gw-2"))
        .unwrap()
        .count();
    assert_eq!(stores, 4, "primary, internal, TLS and truststore");
}

#[test]
fn another_key_in_one_node_is_reported_with_fingerprint_prefixes() {
    let dir = sample("fingerprint");
    // a same-named primary keystore, same alias, another key
    std::fs::copy(
        repo("fixtures/keystores/other/apim-primary.jks"),
        security(&dir, "region-2/tm-1").join("apim-primary.jks"),
    )
    .unwrap();
    let f = findings(&dir, &["--now", NOW]);
    let pk = of(&f, "primary-keystore-mismatch");
    assert_eq!(pk.len(), 1, "{f:#?}");
    let (_, node, line, sev, msg) = pk[0];
    assert_eq!(
        (node.as_str(), *line, sev.as_str()),
        ("region-2/tm-1", 35, "error")
    );
    assert!(
        msg.contains("SHA-256") && msg.contains('…') && msg.contains("`region-1/cp-1`"),
        "{msg}"
    );
    // nothing else: the alias is there, the TLS chain untouched
    let others: Vec<_> = f
        .iter()
        .filter(|d| d.0 != "primary-keystore-mismatch")
        .collect();
    assert!(others.is_empty(), "{others:#?}");
    // the same key re-exported (JKS to PKCS#12 under the same name) agrees
    let dir = sample("reexported");
    let src = security(&dir, "region-2/tm-1").join("apim-primary.jks");
    let reexported = dir.join("reexported.p12");
    let o = std::process::Command::new("keytool")
        .args([
            "-importkeystore",
            "-noprompt",
            "-srcstoretype",
            "JKS",
            "-deststoretype",
            "PKCS12",
        ])
        .args([
            "-srcstorepass",
            "wso2carbon",
            "-deststorepass",
            "wso2carbon",
        ])
        .arg("-srckeystore")
        .arg(&src)
        .arg("-destkeystore")
        .arg(&reexported)
        .output();
    let Ok(o) = o else {
        eprintln!("keytool not found: the re-exported case checks nothing");
        return;
    };
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::copy(&reexported, &src).unwrap();
    std::fs::remove_file(&reexported).unwrap();
    // its certificates are encrypted and the TOML's password is `$secret{}`:
    // not inspected (one info), never reported as a mismatch
    let f = findings(&dir, &["--now", NOW]);
    let got: Vec<(&str, &str, &str)> = f
        .iter()
        .map(|d| (d.0.as_str(), d.1.as_str(), d.3.as_str()))
        .collect();
    assert_eq!(got, [("keystore-unreadable", "region-2/tm-1", "info")]);
}

#[test]
fn expiry_follows_now_and_the_project_file() {
    let dir = sample("expiry");
    std::fs::copy(
        repo("fixtures/keystores/expiring.jks"),
        security(&dir, "region-1/cp-1").join("apim-tls.jks"),
    )
    .unwrap();
    let toml = dir.join("region-1/cp-1/repository/conf/deployment.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        text.replacen("alias = \"apim-tls\"", "alias = \"wso2carbon\"", 1),
    )
    .unwrap();
    let f = findings(&dir, &["--now", NOW]);
    let w = of(&f, "certificate-expiring");
    assert_eq!(w.len(), 1, "{f:?}");
    assert_eq!(
        (w[0].1.as_str(), w[0].3.as_str()),
        ("region-1/cp-1", "warning")
    );
    assert!(
        w[0].4.contains("2027-01-01") && w[0].4.contains("25 days"),
        "{}",
        w[0].4
    );
    // APIMLINT_NOW does the same as --now; --now wins
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_apimlint"))
        .current_dir(&dir)
        .env("APIMLINT_NOW", "2027-02-01")
        .args(["check", "--format", "compact", "."])
        .output()
        .unwrap();
    assert!(stdout(&o).contains("certificate-expired"), "{}", stdout(&o));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_apimlint"))
        .current_dir(&dir)
        .env("APIMLINT_NOW", "2027-02-01")
        .args(["check", "--format", "compact", "--now", "2026-01-01", "."])
        .output()
        .unwrap();
    assert!(!stdout(&o).contains("certificate-expir"), "{}", stdout(&o));
    // a shorter horizon
    let cfg = dir.join("apimlint.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str("\n[certificates]\nexpiry_warning_days = 10\n");
    std::fs::write(&cfg, text).unwrap();
    assert!(of(&findings(&dir, &["--now", NOW]), "certificate-expiring").is_empty());
    // bad dates and bad project files: exit 2, said clearly
    for (args, env, says) in [
        (
            vec!["check", "--now", "2026-13-01", "."],
            None,
            "YYYY-MM-DD",
        ),
        (vec!["check", "."], Some("tomorrow"), "APIMLINT_NOW"),
    ] {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_apimlint"));
        c.current_dir(&dir).args(&args);
        if let Some(e) = env {
            c.env("APIMLINT_NOW", e);
        }
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
    std::fs::write(&cfg, "[certificates]\nexpiry_warning_days = \"soon\"\n").unwrap();
    let o = run_in(&dir, &["check", "--now", NOW, "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("expiry_warning_days"), "{}", stderr(&o));
}

#[test]
fn toml_only_repositories_say_key_material_was_not_inspected() {
    let dir = sample("toml-only");
    for region in ["region-1", "region-2"] {
        for n in std::fs::read_dir(dir.join(region)).unwrap().flatten() {
            std::fs::remove_dir_all(n.path().join("repository/resources")).unwrap();
        }
    }
    // the primary names another file on one node: the TOML rules still compare,
    // no key-material rule speaks
    let o = run_in(&dir, &["check", "--now", NOW, "--color", "never", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("key material was not inspected"),
        "{}",
        stdout(&o)
    );
    let o = run(&["check", CLEAN, "--now", NOW, "--color", "never"]);
    assert!(
        !stdout(&o).contains("key material was not inspected"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn every_key_rule_is_listed_and_explained() {
    let o = run(&["rules", "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    for id in KEY_RULES {
        let r = v["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id} not listed"));
        assert!(!r["summary"].as_str().unwrap().is_empty());
        let e = run(&["explain", id]);
        assert!(stdout(&e).contains("## Example"), "{id}");
    }
    // --select keys names the group
    let o = run(&["check", CLEAN, "--now", NOW, "--select", "keys"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_kubernetes_secret_brings_the_keystores() {
    let dir = scratch("keys", "k8s");
    let primary =
        std::fs::read(security(&repo(CLEAN), "region-1/cp-1").join("apim-primary.jks")).unwrap();
    let other = std::fs::read(repo("fixtures/keystores/other/wso2carbon.jks")).unwrap();
    let b64 = |b: &[u8]| base64(b);
    let manifest = |ks: &[u8], name: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-conf\n  namespace: region-1\ndata:\n  deployment.toml: |\n    [server]\n    hostname = \"{name}.example.com\"\n    server_role = \"control-plane\"\n\n    [keystore.primary]\n    file_name = \"apim-primary.jks\"\n    alias = \"apim-primary\"\n    password = \"$secret{{keystore_password}}\"\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}-keystores\n  namespace: region-1\ndata:\n  apim-primary.jks: {}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: region-1\nspec:\n  template:\n    spec:\n      containers:\n        - name: am\n          image: wso2/wso2am-acp:4.5.0\n          volumeMounts:\n            - name: conf\n              mountPath: /home/wso2carbon/wso2am/repository/conf/deployment.toml\n              subPath: deployment.toml\n            - name: keystores\n              mountPath: /home/wso2carbon/wso2am/repository/resources/security\n      volumes:\n        - name: conf\n          configMap:\n            name: {name}-conf\n        - name: keystores\n          secret:\n            secretName: {name}-keystores\n",
            b64(ks)
        )
    };
    write(
        &dir.join("cp-1.yaml"),
        manifest(&primary, "cp-1").as_bytes(),
    );
    write(
        &dir.join("cp-2.yaml"),
        manifest(&primary, "cp-2").as_bytes(),
    );
    write(&dir.join("cp-3.yaml"), manifest(&other, "cp-3").as_bytes());
    let f = findings(
        &dir,
        &["--now", NOW, "--select", "keys,primary-keystore-mismatch"],
    );
    let rules: Vec<(&str, &str)> = f.iter().map(|d| (d.0.as_str(), d.4.as_str())).collect();
    // cp-3's Secret holds another file under the same name: its alias is missing
    assert_eq!(f.len(), 1, "{rules:#?}");
    assert_eq!(f[0].0, "keystore-alias-missing");
    assert!(f[0].1.contains("cp-3"), "{:?}", f[0]);
    // PKCS#12 Secrets (certificates encrypted) with the password in the pod's
    // env: read. Every node names `apim-primary.jks` with alias `wso2carbon`;
    // cp-1 and cp-2 hold WSO2-style JKS, cp-3 a PKCS#12 of another key, then
    // the same key re-exported to PKCS#12
    let jks = std::fs::read(repo("fixtures/keystores/wso2carbon.jks")).unwrap();
    let p12 = |ks: &[u8], name: &str| {
        manifest(ks, name)
            .replace("alias = \"apim-primary\"", "alias = \"wso2carbon\"")
            .replace("$secret{keystore_password}", "$env{KS_PW}")
            .replace(
                "          image: wso2/wso2am-acp:4.5.0\n",
                "          image: wso2/wso2am-acp:4.5.0\n          env:\n            - name: KS_PW\n              value: wso2carbon\n",
            )
    };
    write(&dir.join("cp-1.yaml"), p12(&jks, "cp-1").as_bytes());
    write(&dir.join("cp-2.yaml"), p12(&jks, "cp-2").as_bytes());
    let other_key = std::fs::read(repo("fixtures/keystores/primary.p12")).unwrap();
    write(&dir.join("cp-3.yaml"), p12(&other_key, "cp-3").as_bytes());
    let f = findings(
        &dir,
        &["--now", NOW, "--select", "keys,primary-keystore-mismatch"],
    );
    let pk = of(&f, "primary-keystore-mismatch");
    assert_eq!(pk.len(), 1, "{f:#?}");
    assert!(
        pk[0].1.contains("cp-3") && pk[0].4.contains("SHA-256"),
        "{f:#?}"
    );
    let same_key = std::fs::read(repo("fixtures/keystores/wso2carbon-reexported.p12")).unwrap();
    let text = p12(&same_key, "cp-3");
    write(&dir.join("cp-3.yaml"), text.as_bytes());
    let f = findings(
        &dir,
        &["--now", NOW, "--select", "keys,primary-keystore-mismatch"],
    );
    assert!(f.is_empty(), "{f:#?}");
    // without the env value: not inspected, one info, never a mismatch
    let unknown = p12(&other_key, "cp-3").replace("value: wso2carbon", "valueFrom: {}");
    write(&dir.join("cp-3.yaml"), unknown.as_bytes());
    let f = findings(
        &dir,
        &["--now", NOW, "--select", "keys,primary-keystore-mismatch"],
    );
    let info = of(&f, "keystore-unreadable");
    assert_eq!(info.len(), 1, "{f:#?}");
    assert_eq!(info[0].3, "info");
    assert!(of(&f, "primary-keystore-mismatch").is_empty(), "{f:#?}");
}

fn base64(b: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in b.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
