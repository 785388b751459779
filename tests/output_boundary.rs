//! What apimlint prints is a security boundary (it runs in CI on pull
//! requests from forks, and writes baselines users commit):
//!
//! * no secret value seeded in a deployment — under every key of the
//!   catalog whose name means a secret, in URL user-info, `password=` of a
//!   JDBC URL, `[secrets]` — appears in any output: every `--format`, the
//!   graph, `--diff`, a written baseline, the language server;
//! * a value cannot become a command: GitHub workflow commands, terminal
//!   escapes (ESC, BEL) from TOML strings, file names, raw bytes.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

#[path = "../crates/bench/src/lsp_client.rs"]
mod lsp_client;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{run_in, scratch, stderr, stdout, write};
use serde_json::{Value, json};

/// Every seeded secret starts with this (and no other text does).
const SEED: &str = "SeedSecret";

fn node(root: &Path, id: &str) -> PathBuf {
    root.join(id).join("repository/conf/deployment.toml")
}

/// A catalog path's segments, a quoted segment (`'a.b'`) kept whole.
fn segments(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in path.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                cur.push(c);
            }
            '.' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// The catalog keys (and patterns) whose last segment names a secret.
fn secret_catalog_keys() -> Vec<String> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/key-catalog.json"),
    )
    .unwrap();
    let cat: Value = serde_json::from_str(&text).unwrap();
    let mut out = Vec::new();
    for section in ["keys", "patterns"] {
        for k in cat[section].as_object().unwrap().keys() {
            let segs = segments(k);
            let leaf = segs.last().unwrap().trim_matches('\'');
            if apimlint_core::redact::is_secret_key(leaf) {
                out.push(k.clone());
            }
        }
    }
    out
}

/// A TOML table being built: leaves, sub-tables, and whether it is a
/// one-member array of tables.
#[derive(Default)]
struct Table {
    leaves: Vec<(String, String)>,
    subs: BTreeMap<String, Table>,
    array: bool,
}

impl Table {
    /// Insert `leaf = value` at the table path `segs` (`x[]` an array of
    /// tables, `*` a name); false when the path cannot be written (a second
    /// array level, a clash).
    fn insert(&mut self, segs: &[String], leaf: &str, value: &str) -> bool {
        let mut t = self;
        let mut arrays = 0;
        for s in segs {
            let (name, array) = match s.strip_suffix("[]") {
                Some(n) => (n, true),
                None => (s.as_str(), false),
            };
            arrays += usize::from(array);
            let name = if name == "*" { "x1" } else { name };
            if t.leaves.iter().any(|(k, _)| k == name) {
                return false;
            }
            t = t.subs.entry(name.to_owned()).or_default();
            if array {
                t.array = true;
            }
        }
        if arrays > 1 || t.subs.contains_key(leaf) || t.leaves.iter().any(|(k, _)| k == leaf) {
            return false;
        }
        t.leaves.push((leaf.to_owned(), value.to_owned()));
        true
    }

    fn emit(&self, path: &str, out: &mut String) {
        if !path.is_empty() && (!self.leaves.is_empty() || self.array) {
            if self.array {
                out.push_str(&format!("\n[[{path}]]\n"));
            } else {
                out.push_str(&format!("\n[{path}]\n"));
            }
        }
        for (k, v) in &self.leaves {
            out.push_str(&format!("{k} = {v}\n"));
        }
        for (name, t) in &self.subs {
            let p = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            t.emit(&p, out);
        }
    }
}

/// The corpus: the clean sample, plus a control plane holding a seeded
/// secret under every secret key of the catalog (each followed by a
/// misspelt key, so that findings show the secret's line in their
/// snippet), and a gateway whose URLs carry credentials on wrong ports.
fn corpus(name: &str) -> (PathBuf, Vec<String>) {
    let root = scratch("boundary", name);
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(common::CLEAN),
        &root,
    );
    let mut t = Table::default();
    t.insert(&["server".into()], "hostname", "\"cp-9.r1.example.com\"");
    t.insert(&["server".into()], "server_role", "\"control-plane\"");
    let mut seeded = Vec::new();
    for (i, key) in secret_catalog_keys().iter().enumerate() {
        let segs = segments(key);
        let (leaf, table) = segs.split_last().unwrap();
        let value = format!("\"{SEED}{i:04}Kv\"");
        if t.insert(table, leaf, &value) {
            // a misspelt neighbour: an unknown-key finding on the next line
            t.insert(table, &format!("{}_zq", leaf.trim_matches('\'')), "1");
            seeded.push(key.clone());
        }
    }
    let secrets_vault = [
        ("vault_a", "SeedSecretVaultA"),
        ("vault_b", "SeedSecretVaultB"),
    ];
    for (k, v) in secrets_vault {
        t.insert(&["secrets".into()], k, &format!("\"{v}\""));
    }
    let db = ["database".to_owned(), "apim_db".to_owned()];
    t.insert(
        &db,
        "url",
        "\"jdbc:mysql://apim:SeedSecretMyUser@db.r1.example.com:3306/apim?user=apim&password=SeedSecretJdbcPw&useSSL=true\"",
    );
    let mut text = String::new();
    t.emit("", &mut text);
    write(&node(&root, "region-1/cp-9"), text.as_bytes());

    // URL credentials in edges that resolve badly (their messages quote
    // the URL), an AMQP broker URL, an Oracle thin URL
    let gw = node(&root, "region-1/gw-1");
    let s = std::fs::read_to_string(&gw).unwrap();
    let s = s
        .replacen(
            "[apim.key_manager]\nservice_url = \"https://api.r1.example.com/services/\"",
            "[apim.key_manager]\nservice_url = \"https://admin:SeedSecretKmPw@cp-1.r1.example.com:9444/services/\"",
            1,
        )
        .replacen(
            "traffic_manager_urls = [\"tcp://tm-1.r1.example.com:9611\"]",
            "traffic_manager_urls = [\"tcp://admin:SeedSecretTmPw@tm-1.r1.example.com:9612\"]",
            1,
        )
        .replacen(
            "event_listening_endpoints = [\"tcp://cp-1.r1.example.com:5672\"",
            "event_listening_endpoints = [\"amqp://admin:SeedSecretAmqp@clientid/carbon?brokerlist='tcp://cp-1.r1.example.com:5673'\"",
            1,
        )
        .replacen(
            "url = \"jdbc:sqlserver://db.r1.example.com:1433;databaseName=WSO2AM_SHARED_DB;encrypt=true\"",
            "url = \"jdbc:sqlserver://db.r1.example.com:1433;databaseName=WSO2AM_SHARED_DB;user=apim;password=SeedSecretMsSql;encrypt=true\"\nurl_zq = \"jdbc:oracle:thin:apim/SeedSecretOracle@db.r1.example.com:1521/ORCL\"",
            1,
        );
    assert_eq!(
        s.matches(SEED).count(),
        5,
        "the gateway's seeds are in place"
    );
    std::fs::write(&gw, s).unwrap();
    home_secrets(&root.join("region-1/cp-1"));
    (root, seeded)
}

/// Secrets in the files of a node's home, next to findings located there
/// (so excerpts show their lines): the `user:password` of a JNDI file's
/// `amqp://` URL, a user store's `ConnectionPassword`, in files that parse
/// and in files that do not.
fn home_secrets(home: &Path) {
    write(
        &home.join("repository/conf/jndi-region2.properties"),
        b"connectionfactory.TopicConnectionFactory = amqp://admin:SeedSecretJndiPw@clientid/carbon?brokerlist='tcp://cp-1.r2.example.com:5672'\ntopic.notification = notification\n",
    );
    write(
        &home.join("repository/conf/jndi-broken.properties"),
        b"connectionfactory.QueueConnectionFactory = amqp://wso2:SeedSecretJndiBroken@clientid/carbon?brokerlist='tcp://cp-1.r2.example.com:5672'\nqueue.trace = C:\\users\\trace\n",
    );
    write(
        &home.join("repository/deployment/server/userstores/partners.xml"),
        b"<UserStoreManager class=\"org.wso2.carbon.user.core.ldap.UniqueIDReadWriteLDAPUserStoreManager\">\n  <Property name=\"ConnectionName\">uid=admin,ou=system</Property>\n  <Property name=\"ConnectionPassword\">SeedSecretUserStorePw</Property>\n  <Property name=\"DomainName\">PARTNERS</Property>\n</UserStoreManager>\n",
    );
    write(
        &home.join("repository/deployment/server/userstores/broken.xml"),
        b"<UserStoreManager class=\"org.wso2.carbon.user.core.ldap.UniqueIDReadWriteLDAPUserStoreManager\">\n  <Property name=\"ConnectionPassword\">SeedSecretUserStoreBroken</Property>\n  <Property name=\"DomainName\">OTHERS</Propert>\n</UserStoreManager>\n",
    );
}

/// Every place a seeded secret would be found in `text`, with context.
fn leaks(text: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let seed = SEED.to_ascii_lowercase();
    lower
        .match_indices(&seed)
        .take(5)
        .map(|(i, _)| {
            let b = text.as_bytes();
            String::from_utf8_lossy(&b[i.saturating_sub(120)..(i + 60).min(b.len())]).into_owned()
        })
        .collect()
}

#[test]
fn the_corpus_seeds_every_secret_key_of_the_catalog() {
    let keys = secret_catalog_keys();
    for must in [
        "encryption.key",
        "encryption.old_key",
        "encryption.totpKey",
        "apim.workflow.wf_engine_pass",
        "authentication.authenticator.email_otp.parameters.SendgridAPIKey",
        "super_admin.password",
        "apim.ai.token",
    ] {
        assert!(keys.iter().any(|k| k == must), "{must} is a secret key");
    }
    for never in [
        "apim.key_manager.key_validation_handler_type",
        "apim.ai.token_endpoint",
        "keystore.primary.alias",
        "apim.oauth_config.enable_token_encryption",
        "recaptcha.site_key",
    ] {
        assert!(!keys.iter().any(|k| k == never), "{never} is no secret key");
    }
    let (root, seeded) = corpus("seeded");
    assert!(
        seeded.len() * 10 >= keys.len() * 9,
        "most secret keys are seeded: {} of {}",
        seeded.len(),
        keys.len()
    );
    // the seeded node parses, and findings show its lines
    let o = run_in(&root, &["check", "--format", "json", "."]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let on_seeded = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["node"] == "region-1/cp-9" && d["rule"] != "toml-syntax")
        .count();
    assert!(on_seeded >= 50, "findings next to the secrets: {on_seeded}");
}

#[test]
fn no_seeded_secret_appears_in_any_output() {
    let (root, _) = corpus("formats");
    let baseline = root.join("baseline.json");
    let runs: Vec<Vec<&str>> = vec![
        vec!["check", "--format", "human", "--color", "always", "."],
        vec!["check", "--format", "human", "--color", "never", "."],
        vec!["check", "--format", "compact", "."],
        vec!["check", "--format", "json", "."],
        vec!["check", "--format", "sarif", "."],
        vec!["check", "--format", "github", "."],
        vec!["check", "--diff", "--unsafe-fixes", "."],
        vec!["check", "--write-baseline", "baseline.json", "."],
        vec!["graph", "--format", "json", "."],
        vec!["graph", "--format", "dot", "."],
        vec!["graph", "--format", "mermaid", "."],
    ];
    let mut seen = 0;
    for args in &runs {
        let o = run_in(&root, args);
        let out = format!("{}{}", stdout(&o), stderr(&o));
        seen += out.len();
        let l = leaks(&out);
        assert!(l.is_empty(), "`apimlint {}` leaks: {l:#?}", args.join(" "));
    }
    // the findings that quote the credential-bearing URLs are there, starred
    let compact = stdout(&run_in(&root, &["check", "--format", "compact", "."]));
    assert!(
        compact.contains("https://********************@cp-1.r1.example.com:9444/services/"),
        "{compact}"
    );
    // the findings in the home files are there, their lines shown
    let human = stdout(&run_in(&root, &["check", "--color", "never", "."]));
    for (file, rule) in [
        ("jndi-broken.properties", "properties-syntax"),
        ("broken.xml", "xml-syntax"),
    ] {
        assert!(
            human.contains(file) && human.contains(rule),
            "{file}: {rule}\n{human}"
        );
    }
    assert!(
        human.contains("amqp://*****"),
        "the URL line is shown, starred: {human}"
    );
    let written = std::fs::read_to_string(&baseline).unwrap();
    assert!(written.len() > 100 && seen > 10_000);
    assert!(
        leaks(&written).is_empty(),
        "the baseline leaks: {:#?}",
        leaks(&written)
    );
}

/// `textDocument/publishDiagnostics`, hover and code actions over stdio.
#[test]
fn the_language_server_shows_no_seeded_secret() {
    let (root, _) = corpus("lsp");
    let bin = Path::new(env!("CARGO_BIN_EXE_apimlint"));
    let mut lsp = lsp_client::Lsp::start(bin, &root).unwrap();
    lsp.initialize(&root).unwrap();
    let mut texts = Vec::new();
    // a finding in a file of a node's home is published on that document
    for (file, rule) in [
        // in the order the server publishes them (by path)
        (
            "region-1/cp-1/repository/conf/jndi-broken.properties",
            "properties-syntax",
        ),
        (
            "region-1/cp-1/repository/deployment/server/userstores/broken.xml",
            "xml-syntax",
        ),
    ] {
        let uri = lsp_client::uri(&root.join(file));
        let d = lsp
            .diagnostics_where(&uri, Duration::from_secs(60), |p| {
                p["diagnostics"].as_array().is_some_and(|a| !a.is_empty())
            })
            .unwrap();
        assert!(d.to_string().contains(rule), "{file}: {d}");
        texts.push(d.to_string());
    }
    for id in ["region-1/gw-1", "region-1/cp-9"] {
        let path = node(&root, id);
        let text = std::fs::read_to_string(&path).unwrap();
        lsp.open(&path, &text, 1).unwrap();
        let uri = lsp_client::uri(&path);
        let d = lsp
            .diagnostics_where(&uri, Duration::from_secs(60), |p| {
                p["diagnostics"].as_array().is_some_and(|a| !a.is_empty())
            })
            .unwrap();
        texts.push(d.to_string());
        // every line: hover at the value, code actions over the line
        for (line, l) in text.lines().enumerate() {
            let col = l.find('"').map_or(0, |c| c + 2);
            let pos = json!({"line": line, "character": col});
            let h = lsp
                .request(
                    "textDocument/hover",
                    json!({"textDocument": {"uri": uri}, "position": pos}),
                    Duration::from_secs(30),
                )
                .unwrap();
            texts.push(h.to_string());
            if !l.contains(SEED) && !text.lines().nth(line + 1).is_some_and(|n| n.contains(SEED)) {
                continue;
            }
            let range = json!({"start": {"line": line, "character": 0},
                               "end": {"line": line + 1, "character": 0}});
            let a = lsp
                .request(
                    "textDocument/codeAction",
                    json!({"textDocument": {"uri": uri}, "range": range,
                           "context": {"diagnostics": d["diagnostics"].clone()}}),
                    Duration::from_secs(30),
                )
                .unwrap();
            texts.push(a.to_string());
        }
    }
    lsp.stop().unwrap();
    let all = texts.concat();
    assert!(
        all.contains("key-manager-unreachable"),
        "the URL finding is published"
    );
    // the client's own requests echo the diagnostics it was sent, which
    // hold no secret either; only the server's answers are collected here
    let l = leaks(&all);
    assert!(l.is_empty(), "the language server leaks: {l:#?}");
}
