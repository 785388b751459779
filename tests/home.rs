//! A node is its API-M home, end to end: the XML and properties files under
//! the directory holding `repository/conf/deployment.toml` are read with the
//! node; one that does not parse is a finding at its line in that file, one
//! that cannot be read (an entity bomb, over 10 MiB, not UTF-8, a FIFO) a
//! located finding, never a hang; the node's TOML findings still appear.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{scratch, write};
use serde_json::Value;

const PUBLISHERS: &str = "repository/deployment/server/eventpublishers";
const USER_STORES: &str = "repository/deployment/server/userstores";

/// Run the binary in `dir`, failing the test (not hanging) after 60 s.
fn run_bounded(dir: &Path, args: &[&str]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_apimlint"))
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).unwrap();
        s
    });
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code().unwrap_or(-1), reader.join().unwrap());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("apimlint {args:?} hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn tree(name: &str) -> (PathBuf, PathBuf) {
    let root = scratch("home", name);
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(common::CLEAN),
        &root,
    );
    let home = root.join("region-1/cp-1");
    // a TOML finding on the same node: an unknown key
    let toml = home.join("repository/conf/deployment.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("hostnme_typo = \"x\"\n{text}")).unwrap();
    (root, home)
}

/// `(rule, file, line)` of every finding, from `--format json`.
fn findings(root: &Path) -> Vec<(String, String, u64)> {
    let (code, out) = run_bounded(root, &["check", "--format", "json", "."]);
    assert_eq!(code, 1, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["file"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("./")
                    .to_owned(),
                d["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn has(found: &[(String, String, u64)], rule: &str, file: &str, line: u64) {
    assert!(
        found
            .iter()
            .any(|(r, f, l)| r == rule && f == file && *l == line),
        "no {rule} at {file}:{line} in {found:#?}"
    );
}

#[test]
fn unparsable_xml_and_properties_are_located_and_the_toml_is_still_checked() {
    let (root, home) = tree("syntax");
    write(
        &home.join(PUBLISHERS).join("bad.xml"),
        b"<eventPublisher name=\"p\" xmlns=\"http://wso2.org/carbon/eventpublisher\">\n  <from streamName=\"s\" version=\"1.0.0\"/>\n  <to eventAdapterType=\"jms\">\n  </too>\n</eventPublisher>\n",
    );
    write(
        &home.join("repository/conf/jndi-region2.properties"),
        b"topic.notification = notification\n# a comment\nqueue.x = bad \\u12G4 escape\n",
    );
    // a file under no node's home is never read
    write(&root.join("stray").join(PUBLISHERS).join("x.xml"), b"<x");
    let found = findings(&root);
    has(
        &found,
        "xml-syntax",
        &format!("region-1/cp-1/{PUBLISHERS}/bad.xml"),
        4,
    );
    has(
        &found,
        "properties-syntax",
        "region-1/cp-1/repository/conf/jndi-region2.properties",
        3,
    );
    has(
        &found,
        "unknown-key",
        "region-1/cp-1/repository/conf/deployment.toml",
        1,
    );
    assert!(
        !found.iter().any(|(_, f, _)| f.contains("stray")),
        "{found:#?}"
    );
    // every renderer handles a finding in an XML or properties file
    for format in ["human", "compact", "sarif", "github"] {
        let (code, out) = run_bounded(
            &root,
            &["check", "--format", format, "--color", "never", "."],
        );
        assert_eq!(code, 1, "{format}");
        assert!(
            out.contains("bad.xml") && out.contains("jndi-region2.properties"),
            "{format}: {out}"
        );
    }
    let (_, sarif) = run_bounded(&root, &["check", "--format", "sarif", "."]);
    let v: Value = serde_json::from_str(&sarif).unwrap();
    let located = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "xml-syntax")
        .map(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64())
        .collect::<Vec<_>>();
    assert_eq!(located, [Some(4)]);
}

#[test]
fn hostile_home_files_are_located_findings_and_never_hang() {
    let (root, home) = tree("hostile");
    // an entity bomb: refused, never expanded
    let mut bomb =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        bomb.push_str(&format!(
            " <!ENTITY lol{i} \"{}\">\n",
            format!(
                "&lol{};",
                if i == 1 {
                    String::new()
                } else {
                    (i - 1).to_string()
                }
            )
            .repeat(10)
        ));
    }
    bomb.push_str("]>\n<eventPublisher name=\"&lol9;\"/>\n");
    write(&home.join(PUBLISHERS).join("bomb.xml"), bomb.as_bytes());
    // over 10 MiB
    let mut big = b"<UserStoreManager>".to_vec();
    big.resize(10 * 1024 * 1024 + 10, b' ');
    write(&home.join(USER_STORES).join("big.xml"), &big);
    // not UTF-8
    write(
        &home.join("repository/conf/jndi.properties"),
        b"topic.notification = caf\xe9\n",
    );
    // a FIFO: never opened
    std::fs::create_dir_all(home.join(PUBLISHERS)).unwrap();
    let made = Command::new("mkfifo")
        .arg(home.join(PUBLISHERS).join("fifo.xml"))
        .status()
        .is_ok_and(|s| s.success());
    assert!(made, "mkfifo failed");
    let started = Instant::now();
    let found = findings(&root);
    assert!(started.elapsed() < Duration::from_secs(30));
    let dir = "region-1/cp-1";
    // at the first entity declaration
    has(
        &found,
        "xml-syntax",
        &format!("{dir}/{PUBLISHERS}/bomb.xml"),
        3,
    );
    has(
        &found,
        "unreadable-file",
        &format!("{dir}/{USER_STORES}/big.xml"),
        1,
    );
    has(
        &found,
        "unreadable-file",
        &format!("{dir}/repository/conf/jndi.properties"),
        1,
    );
    has(
        &found,
        "unreadable-file",
        &format!("{dir}/{PUBLISHERS}/fifo.xml"),
        1,
    );
    has(
        &found,
        "unknown-key",
        &format!("{dir}/repository/conf/deployment.toml"),
        1,
    );
    for format in ["human", "compact", "sarif", "github"] {
        let (code, out) = run_bounded(&root, &["check", "--format", format, "."]);
        assert_eq!(code, 1, "{format}: {out}");
        assert!(out.contains("fifo.xml"), "{format}: {out}");
    }
}

/// A chart-style stream (`deployment.toml: {{ .Values… | quote }}`): the
/// TOML as one double-quoted scalar of some 2,000 characters, with a JNDI
/// file (a malformed `\u`, an `amqp://` password) mounted by subPath.
fn chart(toml: &str, jndi: &str) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap();
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cp-conf\n  namespace: r1\ndata:\n  deployment.toml: {}\n  jndi-region2.properties: {}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cp-1\n  namespace: r1\nspec:\n  template:\n    spec:\n      containers:\n        - name: am\n          volumeMounts:\n            - name: conf\n              mountPath: /home/wso2carbon/wso2am/repository/conf/deployment.toml\n              subPath: deployment.toml\n            - name: conf\n              mountPath: /home/wso2carbon/wso2am/repository/conf/jndi-region2.properties\n              subPath: jndi-region2.properties\n      volumes:\n        - name: conf\n          configMap:\n            name: cp-conf\n",
        quote(toml),
        quote(jndi)
    )
}

#[test]
fn a_toml_in_one_quoted_scalar_is_shown_decoded_and_home_files_in_manifests_are_located() {
    let dir = scratch("home", "chart");
    let mut toml = String::from(
        "[server]\nhostname = \"cp-1.r1.example.com\"\nserver_role = \"control-plane\"\nhostnme_typo = \"x\"\n",
    );
    for i in 0..12 {
        toml.push_str(&format!(
            "\n[[apim.throttling.url_group]]\ntraffic_manager_urls = [\"tcp://tm-{i}.r1.example.com:9611\"]\ntraffic_manager_auth_urls = [\"ssl://tm-{i}.r1.example.com:9711\"]\n"
        ));
    }
    assert!(toml.len() > 1500);
    let jndi = "connectionfactory.TopicConnectionFactory = amqp://admin:ChartBr0kerPw@clientid/carbon?brokerlist='tcp://cp.r2.example.com:5672'\nqueue.x = C:\\users\\x\n";
    write(&dir.join("r1/cp.yaml"), chart(&toml, jndi).as_bytes());
    let (code, human) = run_bounded(&dir, &["check", "--color", "never", "."]);
    assert_eq!(code, 1, "{human}");
    assert!(!human.contains("too long to show"), "{human}");
    // the decoded TOML line, named by the object and key, and the manifest position
    assert!(
        human.contains("ConfigMap r1/cp-conf: deployment.toml:4:1]"),
        "{human}"
    );
    assert!(human.contains("│ hostnme_typo = \"x\"\n"), "{human}");
    assert!(human.contains("r1/cp.yaml:7:"), "{human}");
    // the JNDI file's error is located in the manifest, its password starred
    let found = findings(&dir);
    assert!(
        found
            .iter()
            .any(|(r, f, l)| r == "properties-syntax" && f == "r1/cp.yaml" && *l == 8),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|(r, _, _)| r == "unknown-key"),
        "{found:#?}"
    );
    for format in ["human", "json", "sarif", "github", "compact"] {
        let (_, out) = run_bounded(&dir, &["check", "--format", format, "."]);
        assert!(!out.contains("ChartBr0kerPw"), "{format}: {out}");
    }
}

#[test]
fn compose_bind_mounted_home_files_are_read_with_their_service_node() {
    let root = scratch("home", "compose");
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(common::CLEAN)
        .join("region-1/cp-1/repository/conf/deployment.toml");
    write(
        &root.join("cp/deployment.toml"),
        &std::fs::read(src).unwrap(),
    );
    // the JNDI file bind-mounted on its own, beside the node file: a
    // malformed escape on line 3, a password on line 2
    write(
        &root.join("cp/jndi.properties"),
        b"connectionfactory.TopicConnectionFactory = amqp://admin:S3cr3tAmqp@clientid/carbon?brokerlist='tcp://cp-2:5672'\ntopic.notification = notification\nqueue.x = bad \\u12G4 escape\n",
    );
    // a publisher directory mounted whole
    write(
        &root.join("publishers/bad.xml"),
        b"<eventPublisher name=\"p\">\n  <to eventAdapterType=\"jms\">\n</eventPublisher>\n",
    );
    let home = "/home/wso2carbon/wso2am-4.2.0";
    let compose = format!(
        "services:\n  cp:\n    image: wso2/wso2am-acp:4.2.0\n    volumes:\n      - ./cp/deployment.toml:{home}/repository/conf/deployment.toml\n      - ./cp/jndi.properties:{home}/repository/conf/jndi.properties:ro\n      - type: bind\n        source: ./publishers\n        target: {home}/{PUBLISHERS}\n"
    );
    write(&root.join("compose.yaml"), compose.as_bytes());
    let found = findings(&root);
    has(&found, "properties-syntax", "cp/jndi.properties", 3);
    has(&found, "xml-syntax", "publishers/bad.xml", 3);
    for format in ["human", "json", "sarif", "github", "gitlab", "junit"] {
        let (_, out) = run_bounded(&root, &["check", "--format", format, "."]);
        assert!(!out.contains("S3cr3tAmqp"), "{format}: {out}");
    }
}

/// Home files that symbolic links lead out of the deployment are never
/// read: a JNDI file linked to a file outside (an `unreadable-file` finding
/// saying so) and a publisher directory linked to one outside (not listed).
/// Nothing of either appears in any output.
#[cfg(unix)]
#[test]
fn home_files_linked_out_of_the_deployment_are_never_read() {
    use std::os::unix::fs::symlink;
    let (root, home) = tree("linked-out");
    let outside = scratch("home", "linked-out-target");
    write(
        &outside.join("jndi.properties"),
        b"topic.notification = amqp://admin:OutsideS3cret@outside-marker.example:5672\n",
    );
    write(
        &outside.join("pubs/p.xml"),
        b"<eventPublisher name=\"outside-marker-publisher\"/>\n",
    );
    let jndi = home.join("repository/conf/jndi.properties");
    let _ = std::fs::remove_file(&jndi);
    symlink(outside.join("jndi.properties"), &jndi).unwrap();
    let pubs = home.join(PUBLISHERS);
    let _ = std::fs::remove_dir_all(&pubs);
    std::fs::create_dir_all(pubs.parent().unwrap()).unwrap();
    symlink(outside.join("pubs"), &pubs).unwrap();
    let found = findings(&root);
    has(
        &found,
        "unreadable-file",
        "region-1/cp-1/repository/conf/jndi.properties",
        1,
    );
    for format in ["json", "human", "sarif", "github"] {
        let (_, out) = run_bounded(&root, &["check", "--format", format, "."]);
        assert!(!out.contains("outside-marker"), "{format}: {out}");
        assert!(!out.contains("OutsideS3cret"), "{format}: {out}");
    }
}
