//! The cross-region bridge (issue #26) end to end: the clean sample's
//! bridge, a third region, the mistakes located in the XML and properties
//! files, the graph, and no broker password in any output.

#![allow(clippy::panic, clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::path::Path;

use common::{CLEAN, copy_dir, run_in, scratch, stdout};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `(rule, file)` of every finding of the bridge rules in `dir`.
fn bridge_findings(dir: &Path) -> Vec<(String, String)> {
    let out = run_in(dir, &["check", ".", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            let r = d["rule"].as_str().unwrap();
            r.starts_with("region-bridge")
                || r == "event-publisher-name-duplicate"
                || r == "default-credentials"
        })
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["file"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The clean sample with a third region, bridged both ways to the others.
fn three_regions(name: &str) -> std::path::PathBuf {
    let dir = scratch("bridge", name);
    copy_dir(&root().join(CLEAN), &dir);
    copy_dir(&dir.join("region-2"), &dir.join("region-3"));
    for f in apimlint_pages::files_under(&dir.join("region-3")) {
        // keystores are bytes, and the same in every region
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let text = text.replace(".r2.", ".r3.").replace("10.20.", "10.30.");
        std::fs::write(&f, text).unwrap();
    }
    let hosts = std::fs::read_to_string(dir.join("apimlint.toml")).unwrap()
        + "\"api.r3.example.com\" = [\"region-3/cp-1\", \"region-3/cp-2\"]\n";
    std::fs::write(dir.join("apimlint.toml"), hosts).unwrap();
    // every control plane bridges to each region but its own
    for r in 1..=3 {
        for cp in ["cp-1", "cp-2"] {
            let home = dir.join(format!("region-{r}/{cp}/repository"));
            let t0 = if r == 1 { 2 } else { 1 };
            let xml_dir = home.join("deployment/server/eventpublishers");
            let sample: Vec<_> = apimlint_pages::files_under(&xml_dir);
            let jndi =
                std::fs::read_to_string(home.join(format!("conf/jndi-region{t0}.properties")))
                    .unwrap();
            for f in &sample {
                std::fs::remove_file(f).unwrap();
            }
            let _ = std::fs::remove_file(home.join(format!("conf/jndi-region{t0}.properties")));
            for t in (1..=3).filter(|t| *t != r) {
                std::fs::write(
                    home.join(format!("conf/jndi-region{t}.properties")),
                    jndi.replace(&format!(".r{t0}."), &format!(".r{t}."))
                        .replace(&format!("region-{t0}"), &format!("region-{t}")),
                )
                .unwrap();
                for f in &sample {
                    let text = std::fs::read_to_string(
                        root()
                            .join(CLEAN)
                            .join(format!(
                                "region-{}/{cp}/repository/deployment/server/eventpublishers",
                                if r == 1 { 1 } else { 2 }
                            ))
                            .join(f.file_name().unwrap()),
                    )
                    .unwrap();
                    let name = f
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .replace(&format!("Region{t0}"), &format!("Region{t}"));
                    std::fs::write(
                        xml_dir.join(name),
                        text.replace(&format!("Region{t0}"), &format!("Region{t}"))
                            .replace(&format!("region{t0}"), &format!("region{t}"))
                            .replace(&format!("region-{t0}"), &format!("region-{t}")),
                    )
                    .unwrap();
                }
            }
        }
    }
    dir
}

#[test]
fn a_complete_bridge_in_two_and_three_regions_is_clean() {
    assert_eq!(
        bridge_findings(&root().join(CLEAN)),
        Vec::<(String, String)>::new()
    );
    let dir = three_regions("three");
    assert_eq!(bridge_findings(&dir), Vec::<(String, String)>::new());
    let out = run_in(&dir, &["graph", ".", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let links = json["bridge"].as_array().unwrap();
    // three streams, six ordered region pairs
    assert_eq!(links.len(), 18);
    assert!(links.iter().all(|l| l["status"] == "ok"), "{links:?}");
    // a region that stops publishing is seen
    let gone = dir.join("region-3/cp-2/repository/deployment/server/eventpublishers/keyManagerJMSPublisherRegion1.xml");
    std::fs::remove_file(gone).unwrap();
    assert_eq!(
        bridge_findings(&dir),
        [(
            "region-bridge-missing".to_owned(),
            "region-3/cp-2/repository/conf/deployment.toml".to_owned()
        )]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn mistakes_are_located_in_the_file_to_edit_and_no_output_shows_the_broker_password() {
    let dir = scratch("bridge", "mistakes");
    copy_dir(&root().join(CLEAN), &dir);
    let jndi = dir.join("region-1/cp-1/repository/conf/jndi-region2.properties");
    let text = std::fs::read_to_string(&jndi).unwrap();
    std::fs::write(
        &jndi,
        text.replace("cp-2.r2.example.com", "cp-2.r2.exmple.com"),
    )
    .unwrap();
    let jndi2 = dir.join("region-1/cp-2/repository/conf/jndi-region2.properties");
    let text = std::fs::read_to_string(&jndi2).unwrap();
    std::fs::write(
        &jndi2,
        text.replace("bridge-r1:Kq7vR2-bridge-r1-pass", "admin:admin"),
    )
    .unwrap();
    let found = bridge_findings(&dir);
    assert_eq!(
        found,
        [
            (
                "region-bridge-unresolved".to_owned(),
                "region-1/cp-1/repository/conf/jndi-region2.properties".to_owned()
            ),
            (
                "default-credentials".to_owned(),
                "region-1/cp-2/repository/conf/jndi-region2.properties".to_owned()
            ),
        ]
    );
    for args in [
        &["check", ".", "--format", "json"][..],
        &["check", ".", "--format", "sarif"],
        &["check", ".", "--color", "never"],
        &["graph", ".", "--format", "json"],
        &["graph", ".", "--format", "dot"],
        &["graph", ".", "--format", "mermaid"],
        // the fix of the near-miss host is on the line holding the password
        &["check", ".", "--diff"],
        &["check", ".", "--diff", "--unsafe-fixes"],
    ] {
        let out = stdout(&run_in(&dir, args));
        assert!(
            !out.contains("Kq7vR2-bridge"),
            "{args:?} shows the broker password"
        );
        assert!(
            !out.contains("admin:admin"),
            "{args:?} shows the default credentials"
        );
    }
    // --fix writes the JNDI file: the host fixed, the password kept
    let o = run_in(
        &dir,
        &["check", ".", "--fix", "--unsafe-fixes", "--color", "never"],
    );
    assert!(!stdout(&o).contains("Kq7vR2-bridge"), "{}", stdout(&o));
    let fixed = std::fs::read_to_string(&jndi).unwrap();
    assert!(fixed.contains("tcp://cp-2.r2.example.com:5672"), "{fixed}");
    assert!(fixed.contains("bridge-r1:Kq7vR2-bridge-r1-pass"), "{fixed}");
    assert!(
        !bridge_findings(&dir)
            .iter()
            .any(|(r, _)| r == "region-bridge-unresolved")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
