//! The key-material rules over in-memory deployments whose nodes carry
//! keystores made by keytool (`fixtures/keystores/`, `scripts/make-keystores.sh`).
//! "Now" is always given: nothing here depends on today's date.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::config::{Config, parse_date};
use crate::graph::{Deployment, SourceFile};
use crate::model::{KeyMaterial, Mounts};
use crate::rules::Check;

pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/keystores")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// One node: its id, its `deployment.toml`, and the files of its
/// `repository/resources/security/` (name, bytes).
pub(crate) struct N<'a> {
    pub(crate) id: &'a str,
    pub(crate) toml: &'a str,
    pub(crate) files: Vec<(&'a str, Vec<u8>)>,
    pub(crate) mounts: Mounts,
    pub(crate) env: Vec<(&'a str, &'a str)>,
}

pub(crate) fn node<'a>(id: &'a str, toml: &'a str, files: Vec<(&'a str, Vec<u8>)>) -> N<'a> {
    N {
        id,
        toml,
        files,
        mounts: Mounts::Home,
        env: Vec::new(),
    }
}

/// A deployment of these nodes, judged on `now` (`YYYY-MM-DD`). A node with
/// no file has no key material, as a repository of TOML files only.
pub(crate) fn deployment(nodes: &[N<'_>], now: &str, config: Option<Config>) -> Deployment {
    let root = Path::new("/deployment");
    let sources = nodes
        .iter()
        .map(|n| {
            SourceFile::plain(
                PathBuf::from(format!(
                    "/deployment/{}/repository/conf/deployment.toml",
                    n.id
                )),
                Ok(n.toml.to_owned()),
            )
        })
        .collect();
    let mut config = config.unwrap_or_default();
    config.now = parse_date(now);
    let mut dep = Deployment::build(root, config, sources);
    for n in nodes {
        let Some((i, node)) = dep.nodes().iter().enumerate().find(|(_, x)| x.id == n.id) else {
            panic!("no node {}", n.id)
        };
        if n.files.is_empty() && n.mounts == Mounts::Home {
            continue;
        }
        let files = |name: &str| {
            n.files
                .iter()
                .find(|(f, _)| *f == name)
                .map(|(_, b)| b.clone())
        };
        let env = |var: &str| {
            n.env
                .iter()
                .find(|(k, _)| *k == var)
                .map(|(_, v)| (*v).to_owned())
        };
        let km = KeyMaterial::read(&node.facts, &files, &|_| false, &env, n.mounts);
        dep.set_keys(i, Arc::new(km));
    }
    dep
}

/// The findings of one rule.
pub(crate) fn run(dep: &Deployment, rule: &str) -> Vec<Diagnostic> {
    let r = crate::rules::by_id(rule).unwrap();
    let mut acc = Vec::new();
    if let Check::Deployment(f) = r.check {
        f(dep, &mut acc);
    }
    acc.retain(|d| dep.node_of(d.file).is_some_and(|n| r.applies_to(n.role)));
    acc
}

/// `(node, text at the range, severity)` of each finding.
pub(crate) fn at(dep: &Deployment, ds: &[Diagnostic]) -> Vec<(String, String, Severity)> {
    ds.iter()
        .map(|d| {
            let n = dep.node_of(d.file).unwrap();
            (n.id.clone(), n.text[d.range.clone()].to_owned(), d.severity)
        })
        .collect()
}

const CP: &str = "[server]\nserver_role = \"control-plane\"\n";
const GW: &str = "[server]\nserver_role = \"gateway-worker\"\n";
const NOW: &str = "2026-12-07";

fn written(file: &str) -> String {
    format!(
        "[server]\nserver_role = \"control-plane\"\n\n[keystore.primary]\nfile_name = \"{file}\"\ntype = \"JKS\"\nalias = \"wso2carbon\"\npassword = \"wso2carbon\"\nkey_password = \"wso2carbon\"\n"
    )
}

// ---- primary-keystore-mismatch -------------------------------------------------

#[test]
fn same_key_agrees_whatever_the_container_another_key_does_not() {
    let jks = fixture("wso2carbon.jks");
    let text = written("wso2carbon.jks");
    // three nodes, the third holds a same-named file with another key
    let nodes = [
        node("r1/cp-1", &text, vec![("wso2carbon.jks", jks.clone())]),
        node(
            "r1/cp-2",
            &text,
            vec![("wso2carbon.jks", fixture("wso2carbon-reexported.p12"))],
        ),
        node(
            "r2/cp-1",
            &text,
            vec![("wso2carbon.jks", fixture("other/wso2carbon.jks"))],
        ),
    ];
    let dep = deployment(&nodes, NOW, None);
    let ds = run(&dep, "primary-keystore-mismatch");
    assert_eq!(
        at(&dep, &ds),
        [(
            "r2/cp-1".to_owned(),
            "\"wso2carbon.jks\"".to_owned(),
            Severity::Error
        )]
    );
    let m = &ds[0].message;
    let mine = crate::keystore::read(&fixture("other/wso2carbon.jks"), None).unwrap();
    let crate::keystore::Read::Inspected(k) = mine else {
        panic!()
    };
    let prefix = k
        .entry("wso2carbon")
        .unwrap()
        .certificate()
        .unwrap()
        .fingerprint_prefix(8);
    assert!(m.contains(&prefix), "{m}");
    assert!(m.contains("`r1/cp-1`, `r1/cp-2`"), "{m}");
    assert_eq!(ds[0].related.len(), 2);
    // the same key re-exported: nothing
    let agree = [
        node("r1/cp-1", &text, vec![("wso2carbon.jks", jks.clone())]),
        node(
            "r2/cp-1",
            &text,
            vec![("wso2carbon.jks", fixture("wso2carbon-reexported.p12"))],
        ),
    ];
    assert!(run(&deployment(&agree, NOW, None), "primary-keystore-mismatch").is_empty());
}

#[test]
fn a_tie_reports_every_node_and_toml_only_nodes_are_silent() {
    let text = written("wso2carbon.jks");
    let nodes = [
        node(
            "r1/cp-1",
            &text,
            vec![("wso2carbon.jks", fixture("wso2carbon.jks"))],
        ),
        node(
            "r2/cp-1",
            &text,
            vec![("wso2carbon.jks", fixture("other/wso2carbon.jks"))],
        ),
        node("r3/cp-1", &text, vec![]),
    ];
    let dep = deployment(&nodes, NOW, None);
    let got: Vec<String> = at(&dep, &run(&dep, "primary-keystore-mismatch"))
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(got, ["r1/cp-1", "r2/cp-1"]);
    // no keystore in the tree at all: silent
    let toml_only = [
        node("r1/cp-1", &text, vec![]),
        node("r2/cp-1", &text, vec![]),
    ];
    let dep = deployment(&toml_only, NOW, None);
    for rule in crate::rules::keys::RULES.iter().map(|r| r.id) {
        assert!(run(&dep, rule).is_empty(), "{rule}");
    }
    assert!(run(&dep, "primary-keystore-mismatch").is_empty());
}

// ---- keystore-unreadable -------------------------------------------------------

#[test]
fn unreadable_wrong_password_and_not_inspected() {
    let pem = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".to_vec();
    let mut truncated = fixture("wso2carbon.jks");
    truncated.truncate(300);
    let secret = "[server]\nserver_role = \"control-plane\"\n\n[keystore.primary]\nfile_name = \"primary.p12\"\ntype = \"PKCS12\"\npassword = \"$secret{ks}\"\n";
    let env = "[server]\nserver_role = \"control-plane\"\n\n[keystore.primary]\nfile_name = \"primary.p12\"\ntype = \"PKCS12\"\npassword = \"$env{KS_PASSWORD}\"\n";
    let w = written("wso2carbon.jks");
    let hidden = w.replace(
        "password = \"wso2carbon\"\nkey",
        "password = \"$secret{ks}\"\nkey",
    );
    let nodes = [
        node("r1/a", &w, vec![("wso2carbon.jks", pem)]),
        node("r1/b", &w, vec![("wso2carbon.jks", truncated)]),
        node(
            "r1/c",
            &w,
            vec![("wso2carbon.jks", fixture("other-password.jks"))],
        ),
        node(
            "r1/d",
            secret,
            vec![("primary.p12", fixture("primary.p12"))],
        ),
        N {
            env: vec![("KS_PASSWORD", "wso2carbon")],
            ..node("r1/e", env, vec![("primary.p12", fixture("primary.p12"))])
        },
        // a JKS behind $secret{} is still read: its integrity alone is not checked
        node(
            "r1/f",
            &hidden,
            vec![("wso2carbon.jks", fixture("other-password.jks"))],
        ),
    ];
    let dep = deployment(&nodes, NOW, None);
    let ds = run(&dep, "keystore-unreadable");
    let got = at(&dep, &ds);
    assert_eq!(
        got,
        [
            ("r1/a".into(), "\"wso2carbon.jks\"".into(), Severity::Error),
            ("r1/b".into(), "\"wso2carbon.jks\"".into(), Severity::Error),
            ("r1/c".into(), "\"wso2carbon.jks\"".into(), Severity::Error),
            ("r1/d".into(), "\"primary.p12\"".into(), Severity::Info),
        ]
    );
    assert!(
        ds[0].message.contains("not a keystore"),
        "{}",
        ds[0].message
    );
    assert!(ds[1].message.contains("truncated"), "{}", ds[1].message);
    assert!(
        ds[2].message.contains("password was incorrect"),
        "{}",
        ds[2].message
    );
    assert!(ds[3].message.contains("not inspected"), "{}", ds[3].message);
    for d in &ds {
        assert!(!d.message.contains("otherpass") && !d.message.contains("wso2carbon\""));
    }
}

// ---- keystore-alias-missing ----------------------------------------------------

#[test]
fn alias_must_name_a_private_key() {
    let named = |alias: &str, file: &str| {
        format!(
            "[server]\nserver_role = \"control-plane\"\n\n[keystore.primary]\nfile_name = \"{file}\"\nalias = \"{alias}\"\npassword = \"wso2carbon\"\n"
        )
    };
    let (a, b, c) = (
        named("apim", "wso2carbon.jks"),
        named("gateway_certificate_alias", "client-truststore.jks"),
        named("WSO2CARBON", "wso2carbon.jks"),
    );
    let nodes = [
        node(
            "r1/a",
            &a,
            vec![("wso2carbon.jks", fixture("wso2carbon.jks"))],
        ),
        node(
            "r1/b",
            &b,
            vec![("client-truststore.jks", fixture("client-truststore.jks"))],
        ),
        // JKS aliases are case-insensitive
        node(
            "r1/c",
            &c,
            vec![("wso2carbon.jks", fixture("wso2carbon.jks"))],
        ),
        // the default alias `wso2carbon`, not in chain.jks
        node("r1/d", CP, vec![("wso2carbon.jks", fixture("chain.jks"))]),
    ];
    let dep = deployment(&nodes, NOW, None);
    let ds = run(&dep, "keystore-alias-missing");
    let got = at(&dep, &ds);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!((got[0].0.as_str(), got[0].1.as_str()), ("r1/a", "\"apim\""));
    assert!(ds[0].message.contains("no entry") && ds[0].message.contains("`wso2carbon`"));
    assert_eq!(got[1].0, "r1/b");
    assert!(
        ds[1].message.contains("trusted certificate"),
        "{}",
        ds[1].message
    );
    assert_eq!(got[2].0, "r1/d");
    assert!(
        ds[2].message.contains("WSO2's default"),
        "{}",
        ds[2].message
    );
    assert!(
        ds[2].message.contains("`ca`, `server`"),
        "{}",
        ds[2].message
    );
}

// ---- certificate-expired / certificate-expiring -------------------------------

#[test]
fn expiry_is_judged_on_the_given_day() {
    let nodes = [
        node("r1/a", CP, vec![("wso2carbon.jks", fixture("expired.jks"))]),
        node(
            "r1/b",
            CP,
            vec![("wso2carbon.jks", fixture("expiring.jks"))],
        ),
        node(
            "r1/c",
            CP,
            vec![("wso2carbon.jks", fixture("wso2carbon.jks"))],
        ),
    ];
    let dep = deployment(&nodes, "2026-12-07", None);
    let expired = run(&dep, "certificate-expired");
    assert_eq!(
        at(&dep, &expired)
            .iter()
            .map(|f| f.0.as_str())
            .collect::<Vec<_>>(),
        ["r1/a"]
    );
    assert!(
        expired[0].message.contains("expired on 2020-01-31"),
        "{}",
        expired[0].message
    );
    assert!(
        expired[0]
            .message
            .contains("`wso2carbon` in `wso2carbon.jks`")
    );
    let expiring = run(&dep, "certificate-expiring");
    assert_eq!(
        at(&dep, &expiring)
            .iter()
            .map(|f| f.0.as_str())
            .collect::<Vec<_>>(),
        ["r1/b"]
    );
    assert!(
        expiring[0].message.contains("2027-01-01") && expiring[0].message.contains("in 25 days")
    );
    // 24 days is not within 20, a day later it is expired
    let cfg = Config {
        expiry_warning_days: Some(20),
        ..Config::default()
    };
    let dep = deployment(&nodes, "2026-12-07", Some(cfg));
    assert!(run(&dep, "certificate-expiring").is_empty());
    let dep = deployment(&nodes, "2027-01-02", None);
    assert_eq!(run(&dep, "certificate-expired").len(), 2);
    // long before: nothing
    let dep = deployment(&nodes, "2019-06-01", None);
    assert!(run(&dep, "certificate-expired").is_empty());
    assert!(run(&dep, "certificate-expiring").is_empty());
}

#[test]
fn wso2s_default_certificate_is_named_as_such() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/wso2__default-keystores/4.4.0/wso2carbon.jks");
    let Ok(bytes) = std::fs::read(&corpus) else {
        eprintln!("{}: not found, nothing to check", corpus.display());
        return;
    };
    let nodes = [node("r1/a", CP, vec![("wso2carbon.jks", bytes)])];
    let dep = deployment(&nodes, "2026-12-01", None);
    let ds = run(&dep, "certificate-expiring");
    assert_eq!(ds.len(), 1);
    assert!(ds[0].message.contains("2026-12-14"), "{}", ds[0].message);
    assert!(
        ds[0]
            .message
            .contains("WSO2's shipped default certificate of API-M 4.4.0")
    );
    let dep = deployment(&nodes, "2027-01-01", None);
    assert_eq!(run(&dep, "certificate-expired").len(), 1);
}

// ---- truststore-missing-certificate --------------------------------------------

#[test]
fn gateways_trust_the_primary_key() {
    let jks = fixture("wso2carbon.jks");
    let alias = "[server]\nserver_role = \"gateway-worker\"\n\n[apim.devportal]\napi_key_alias = \"signing\"\n";
    let nodes = [
        node("r1/cp-1", CP, vec![("wso2carbon.jks", jks.clone())]),
        node(
            "r1/gw-1",
            GW,
            vec![
                ("wso2carbon.jks", jks.clone()),
                ("client-truststore.jks", fixture("client-truststore.jks")),
            ],
        ),
        // PKCS#12 truststore content under the default .jks name
        node(
            "r1/gw-2",
            GW,
            vec![
                ("wso2carbon.jks", jks.clone()),
                ("client-truststore.jks", fixture("client-truststore.p12")),
            ],
        ),
        // the alias holds another certificate
        node(
            "r1/gw-3",
            GW,
            vec![
                ("wso2carbon.jks", jks.clone()),
                (
                    "client-truststore.jks",
                    fixture("other/client-truststore.jks"),
                ),
            ],
        ),
        // an alias the truststore lacks
        node(
            "r1/gw-4",
            alias,
            vec![
                ("wso2carbon.jks", jks.clone()),
                ("client-truststore.jks", fixture("client-truststore.jks")),
            ],
        ),
    ];
    let dep = deployment(&nodes, NOW, None);
    let ds = run(&dep, "truststore-missing-certificate");
    let got: Vec<String> = at(&dep, &ds).into_iter().map(|f| f.0).collect();
    assert_eq!(got, ["r1/gw-3", "r1/gw-4"]);
    assert!(
        ds[0].message.contains("another certificate"),
        "{}",
        ds[0].message
    );
    assert!(ds[1].message.contains("`signing`"), "{}", ds[1].message);
    assert_eq!(ds[0].related.len(), 1);
}

// ---- keystore-not-mounted ------------------------------------------------------

#[test]
fn containers_need_their_stores_mounted() {
    let custom = "[server]\nserver_role = \"control-plane\"\n\n[keystore.primary]\nfile_name = \"apim.jks\"\n";
    let container = |whole| Mounts::Container {
        whole_directory: whole,
    };
    let nodes = [
        // a custom file no volume brings
        N {
            mounts: container(false),
            ..node("r1/a", custom, vec![])
        },
        // defaults from the image: fine
        N {
            mounts: container(false),
            ..node("r1/b", CP, vec![])
        },
        // the directory mounted over the image's: the truststore is gone
        N {
            mounts: container(true),
            ..node(
                "r1/c",
                CP,
                vec![("wso2carbon.jks", fixture("wso2carbon.jks"))],
            )
        },
        // a plain tree: not this rule's business
        node(
            "r1/d",
            custom,
            vec![("client-truststore.jks", fixture("client-truststore.jks"))],
        ),
    ];
    let dep = deployment(&nodes, NOW, None);
    let ds = run(&dep, "keystore-not-mounted");
    let got = at(&dep, &ds);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(
        (got[0].0.as_str(), got[0].1.as_str()),
        ("r1/a", "\"apim.jks\"")
    );
    assert_eq!(got[1].0, "r1/c");
    assert!(
        ds[1].message.contains("client-truststore.jks"),
        "{}",
        ds[1].message
    );
}

// ---- certificate-host-mismatch -------------------------------------------------

#[test]
fn direct_tls_hosts_are_covered_and_trusted() {
    let cp = |host: &str| {
        format!(
            "[server]\nserver_role = \"control-plane\"\nhostname = \"{host}\"\n\n[keystore.tls]\nfile_name = \"tls.jks\"\nalias = \"server\"\n"
        )
    };
    let gw = |host: &str| {
        format!(
            "[server]\nserver_role = \"gateway-worker\"\n\n[apim.key_manager]\nservice_url = \"https://{host}:9443/services/\"\n"
        )
    };
    let (cp_ok, gw_ok) = (cp("cp.example.com"), gw("cp.example.com"));
    let (cp_bad, gw_bad) = (cp("cp-1.internal"), gw("cp-1.internal"));
    let trust = fixture("client-truststore.jks");
    let chain = fixture("chain.jks");
    // covered by SAN; the gateway's truststore lacks the CA
    let nodes = [
        node("r1/cp-1", &cp_ok, vec![("tls.jks", chain.clone())]),
        node(
            "r1/gw-1",
            &gw_ok,
            vec![("client-truststore.jks", trust.clone())],
        ),
    ];
    let dep = deployment(&nodes, NOW, None);
    let ds = run(&dep, "certificate-host-mismatch");
    assert_eq!(
        at(&dep, &ds)
            .iter()
            .map(|f| f.0.as_str())
            .collect::<Vec<_>>(),
        ["r1/cp-1"]
    );
    assert!(
        ds[0].message.contains("not trusted by `r1/gw-1`"),
        "{}",
        ds[0].message
    );
    // the truststore holds the CA (chain.jks itself): clean
    let nodes = [
        node("r1/cp-1", &cp_ok, vec![("tls.jks", chain.clone())]),
        node(
            "r1/gw-1",
            &gw_ok,
            vec![("client-truststore.jks", chain.clone())],
        ),
    ];
    let dep = deployment(&nodes, NOW, None);
    assert!(run(&dep, "certificate-host-mismatch").is_empty());
    // a host the certificate does not cover
    let nodes = [
        node("r1/cp-1", &cp_bad, vec![("tls.jks", chain.clone())]),
        node("r1/gw-1", &gw_bad, vec![("client-truststore.jks", chain)]),
    ];
    let dep = deployment(&nodes, NOW, None);
    let ds = run(&dep, "certificate-host-mismatch");
    assert_eq!(
        at(&dep, &ds)
            .iter()
            .map(|f| (f.0.as_str(), f.1.as_str()))
            .collect::<Vec<_>>(),
        [("r1/cp-1", "\"tls.jks\"")]
    );
    assert!(
        ds[0].message.contains("`cp-1.internal`") && ds[0].message.contains("`cp.example.com`"),
        "{}",
        ds[0].message
    );
    assert_eq!(ds[0].related.len(), 1);
}

#[test]
fn wildcards_cover_one_label() {
    let crate::keystore::Read::Inspected(k) =
        crate::keystore::read(&fixture("wso2carbon.jks"), None).unwrap()
    else {
        panic!()
    };
    let mut c = k.entries[0].chain[0].clone();
    c.dns_names = vec!["*.example.com".into()];
    use super::certificate_host_mismatch::covers;
    assert!(covers(&c, "cp.example.com"));
    assert!(covers(&c, "CP.Example.com."));
    assert!(!covers(&c, "a.cp.example.com"));
    assert!(!covers(&c, "example.com"));
    c.dns_names.clear();
    c.ip_addresses.clear();
    assert!(covers(&c, "localhost"));
    assert!(!covers(&c, "cp.example.com"));
}
