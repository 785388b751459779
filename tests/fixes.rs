//! End to end, as a new user: `--fix`, `--unsafe-fixes`, `--diff`,
//! suppression comments, `--require-reason`, `--write-baseline`/`--baseline`,
//! on a small deployment written into a scratch directory.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::run_in as run;

const CP1: &str = r#"# control plane 1 of region A
[server]
hostname = "cp1.a.example.org"   # public name
server_role = "control-plane"    # explicit role

[super_admin]
username = "admin"
password = "s3cr3t-Admin!"   # literal: never printed

# the one environment of region A
[[apim.gateway.environment]]
name = "Production"  # gateways use this label
type = "hybrid"
service_url = "https://gw1.a.example.org:9443/services/"
http_endpoint = "http://gw1.a.example.org:8280"
https_endpoint = "https://gw1.a.example.org:8243"

[apim.event_hub]   # event hub of this control plane
enable = true
service_url = "https://cp1.a.example.org:9443/services/"
event_listening_endpoints = ["tcp://localhost:5672"]
event_duplicate_url = ["tcp://cp2.a.example.org:5672"]   # the HA peer

[[apim.event_hub.publish.url_group]]   # publish to both control planes
urls = ["tcp://cp1.a.example.org:9611"]
auth_urls = ["ssl://cp1.a.example.org:9711"]

[[apim.event_hub.publish.url_group]]
urls = ["tcp://cp2.a.example.org:9611"]
auth_urls = ["ssl://cp2.a.example.org:9711"]

[[event_listener]]   # the resident key manager tells the gateways of revoked tokens
id = "token_revocation"
type = "org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
name = "org.wso2.is.notification.ApimOauthEventInterceptor"
order = 1
"#;

const CP2: &str = r#"# control plane 2 of region A
[server]
hostname = "cp2.a.example.org"
server_role = "control-plane"

[[apim.gateway.environment]]
name = "Production"
type = "hybrid"
service_url = "https://gw1.a.example.org:9443/services/"
http_endpoint = "http://gw1.a.example.org:8280"
https_endpoint = "https://gw1.a.example.org:8243"

[apim.event_hub]   # no duplicate url here: someone forgot
enable = true
service_url = "https://cp2.a.example.org:9443/services/"
event_listening_endpoints = ["tcp://localhost:5672"]

[[apim.event_hub.publish.url_group]]   # publish to both control planes
urls = ["tcp://cp1.a.example.org:9611"]
auth_urls = ["ssl://cp1.a.example.org:9711"]

[[apim.event_hub.publish.url_group]]
urls = ["tcp://cp2.a.example.org:9611"]
auth_urls = ["ssl://cp2.a.example.org:9711"]

# keep this comment
[apim.cors]
enable = true

[[event_listener]]   # the resident key manager tells the gateways of revoked tokens
id = "token_revocation"
type = "org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
name = "org.wso2.is.notification.ApimOauthEventInterceptor"
order = 1
"#;

/// Written with CRLF line endings.
const GW1: &str = r#"# gateway 1 of region A
[server]
hostname = "gw1.a.example.org"  # behind the load balancer
server_role = "gateway-worker"

[apim.sync_runtime_artifacts.gateway]   # labels must match an environment
gateway_labels = ["Productoin"]  # typo
[super_admin]
password = "s3cr3t-Admin!"  # literal secret, two lines below the typo

[apim.key_manager]
service_url = "https://cp1.a.example.org:9443/services/"  # resident KM

[apim.throttling]
throttle_decision_endpoints = ["tcp://tm1.a.example.org:5672"]

[[apim.throttling.url_group]]   # the one traffic manager
traffic_manager_urls = ["tcp://tm1.a.example.org:9611"]
traffic_manager_auth_urls = ["ssl://tm1.a.example.org:9711"]
"#;

const TM1: &str = r#"[server]
hostname = "tm1.a.example.org"
server_role = "traffic-manager"

[apim.throttling]
throttle_decision_endpoints = ["tcp://localhost:5672"]
"#;

const SECRET: &str = "s3cr3t-Admin!";

fn file(root: &Path, node: &str) -> PathBuf {
    root.join(node).join("repository/conf/deployment.toml")
}

fn put(root: &Path, node: &str, text: &str) {
    common::write(&file(root, node), text.as_bytes());
}

fn read(root: &Path, node: &str) -> String {
    std::fs::read_to_string(file(root, node)).unwrap()
}

/// The trial deployment, with gw-1 in CRLF.
fn deployment(name: &str) -> PathBuf {
    let root = common::scratch("fix", name);
    put(&root, "region-a/cp-1", CP1);
    put(&root, "region-a/cp-2", CP2);
    put(&root, "region-a/gw-1", &GW1.replace('\n', "\r\n"));
    put(&root, "region-a/tm-1", TM1);
    // the trial is about fixes, suppressions and baselines: keep the
    // single-node hardening and completeness rules out of its counts
    std::fs::write(
        root.join("apimlint.toml"),
        "[rules]\nplaintext-password = \"off\"\ndefault-credentials = \"off\"\nrole-section-mismatch = \"off\"\n",
    )
    .unwrap();
    root
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn snapshot(root: &Path) -> Vec<String> {
    [
        "region-a/cp-1",
        "region-a/cp-2",
        "region-a/gw-1",
        "region-a/tm-1",
    ]
    .iter()
    .map(|n| read(root, n))
    .collect()
}

#[test]
fn fix_repairs_the_label_in_place_and_a_second_run_changes_nothing() {
    let root = deployment("safe");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            file(&root, "region-a/gw-1"),
            std::fs::Permissions::from_mode(0o640),
        )
        .unwrap();
    }
    let o = run(&root, &["check", "--fix", "--format", "compact", "."]);
    let out = text(&o);
    // the unsafe fix is not applied: its finding remains, so exit 1
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("applied 1 fix to 1 file: region-a/gw-1/repository/conf/deployment.toml"),
        "{out}"
    );
    assert!(
        out.contains("1 more fix is available with --unsafe-fixes"),
        "{out}"
    );
    assert!(out.contains("event-duplicate-asymmetric"), "{out}");
    assert!(!out.contains("gateway-label-unmatched"), "{out}");
    assert!(!out.contains(SECRET), "{out}");
    let expected = GW1
        .replace("[\"Productoin\"]", "[\"Production\"]")
        .replace('\n', "\r\n");
    assert_eq!(read(&root, "region-a/gw-1"), expected);
    assert_eq!(read(&root, "region-a/cp-2"), CP2);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file(&root, "region-a/gw-1"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    // no temporary file is left behind
    let leftovers: Vec<_> = std::fs::read_dir(file(&root, "region-a/gw-1").parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");

    let before = snapshot(&root);
    let o = run(&root, &["check", "--fix", "--format", "compact", "."]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(!text(&o).contains("applied"), "{}", text(&o));
    assert_eq!(before, snapshot(&root));
}

#[test]
fn unsafe_fixes_repair_the_peer_file_too() {
    let root = deployment("unsafe");
    let o = run(&root, &["--fix", "--unsafe-fixes"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("no problems found"), "{}", text(&o));
    assert_eq!(
        read(&root, "region-a/cp-2"),
        CP2.replace(
            "someone forgot\n",
            "someone forgot\nevent_duplicate_url = [\"tcp://cp1.a.example.org:5672\"]\n"
        )
    );
    assert_eq!(read(&root, "region-a/cp-1"), CP1);
    let before = snapshot(&root);
    let o = run(&root, &["--fix", "--unsafe-fixes"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(before, snapshot(&root));
}

#[test]
fn diff_prints_a_redacted_diff_and_writes_nothing() {
    let root = deployment("diff");
    let before = snapshot(&root);
    let o = run(&root, &["check", "--diff", "--unsafe-fixes"]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        out.contains("--- a/region-a/gw-1/repository/conf/deployment.toml"),
        "{out}"
    );
    assert!(
        out.contains("-gateway_labels = [\"Productoin\"]  # typo\r\n"),
        "{out}"
    );
    assert!(
        out.contains("+gateway_labels = [\"Production\"]  # typo\r\n"),
        "{out}"
    );
    assert!(
        out.contains("+event_duplicate_url = [\"tcp://cp1.a.example.org:5672\"]"),
        "{out}"
    );
    // the password is a context line of the gw-1 hunk: starred out
    assert!(out.contains("password = \"*************\""), "{out}");
    assert!(!text(&o).contains(SECRET), "{}", text(&o));
    assert_eq!(before, snapshot(&root));

    let o = run(&root, &["check", "--diff"]);
    assert!(!String::from_utf8_lossy(&o.stdout).contains("event_duplicate_url"));
    let o = run(&root, &["check", "--unsafe-fixes"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn a_suppression_silences_its_finding_and_an_unused_one_is_reported() {
    let root = deployment("suppress");
    let gw = GW1
        .replace(
            "gateway_labels",
            "# apimlint: allow(gateway-label-unmatched) -- Productoin is created in the Admin portal\ngateway_labels",
        )
        .replace(
            "[apim.key_manager]",
            "[apim.key_manager] # apimlint: allow(unknown-host)",
        );
    put(&root, "region-a/gw-1", &gw);
    let o = run(&root, &["--format", "compact"]);
    let out = text(&o);
    assert!(!out.contains("gateway-label-unmatched"), "{out}");
    assert!(
        out.contains("region-a/gw-1/repository/conf/deployment.toml:12:38: warning unused-suppression `unknown-host`"),
        "{out}"
    );
    assert!(!out.contains("suppression-without-reason"), "{out}");
    let o = run(&root, &["--format", "compact", "--require-reason"]);
    assert!(
        text(&o).contains("12:20: error suppression-without-reason"),
        "{}",
        text(&o)
    );
    // --fix removes the unused comment and keeps the used one
    let o = run(&root, &["--fix", "--format", "compact"]);
    let fixed = read(&root, "region-a/gw-1");
    assert!(
        fixed.contains("\n[apim.key_manager]\n"),
        "{}\n{fixed}",
        text(&o)
    );
    assert!(
        fixed.contains("# apimlint: allow(gateway-label-unmatched)"),
        "{fixed}"
    );
}

#[test]
fn a_baseline_absorbs_its_findings_after_lines_move_but_not_new_ones() {
    let root = deployment("baseline");
    let o = run(
        &root,
        &["check", "--write-baseline", "apimlint-baseline.json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("recorded 4 findings"), "{}", text(&o));
    let base = std::fs::read_to_string(root.join("apimlint-baseline.json")).unwrap();
    assert!(!base.contains(SECRET));
    assert!(!base.contains("\"line\""), "{base}");
    let with_baseline = || {
        run(
            &root,
            &[
                "check",
                "--baseline",
                "apimlint-baseline.json",
                "--format",
                "compact",
            ],
        )
    };

    let o = with_baseline();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("4 findings absorbed by the baseline apimlint-baseline.json"),
        "{}",
        text(&o)
    );

    // lines inserted above every finding
    put(
        &root,
        "region-a/gw-1",
        &format!("# a\n# b\n\n{GW1}").replace('\n', "\r\n"),
    );
    put(
        &root,
        "region-a/cp-2",
        &CP2.replace("[apim.event_hub]", "# moved\n\n[apim.event_hub]"),
    );
    let o = with_baseline();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("4 findings absorbed"), "{}", text(&o));

    // a new finding, and a second instance of an old one, still show
    put(
        &root,
        "region-a/gw-1",
        &GW1.replace(
            "[\"Productoin\"]",
            "[\"Productoin\", \"Intrenal\", \"Productoin\"]",
        ),
    );
    let o = with_baseline();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("gateway label `Intrenal`"), "{out}");
    assert_eq!(
        out.matches("gateway label `Productoin`").count(),
        1,
        "{out}"
    );
    assert!(out.contains("4 findings absorbed"), "{out}");

    std::fs::write(root.join("bad.json"), "{").unwrap();
    let o = run(&root, &["check", "--baseline", "bad.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("not an apimlint baseline"),
        "{}",
        text(&o)
    );
}

/// A file `--fix` cannot write (here: read-only, which is refused rather
/// than replaced) takes its fixes out of the "applied" count: the run says
/// which file and that the fix was not applied, and exits 2.
#[cfg(unix)]
#[test]
fn a_fix_whose_file_cannot_be_written_is_not_reported_applied() {
    use std::os::unix::fs::PermissionsExt;
    let root = deployment("readonly");
    let gw = file(&root, "region-a/gw-1");
    std::fs::set_permissions(&gw, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = read(&root, "region-a/gw-1");
    let o = run(&root, &["check", "--fix", "--format", "compact", "."]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains(
            "cannot write region-a/gw-1/repository/conf/deployment.toml: the file is read-only"
        ),
        "{out}"
    );
    assert!(!out.contains("applied 1 fix"), "{out}");
    assert!(
        out.contains("1 fix not applied: 1 file could not be written"),
        "{out}"
    );
    assert_eq!(read(&root, "region-a/gw-1"), before);
    assert_eq!(
        std::fs::metadata(&gw).unwrap().permissions().mode() & 0o777,
        0o444
    );
}
