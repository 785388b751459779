//! Fixes, suppressions and fingerprints over in-memory deployments.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use apimlint_core::FileId;
use apimlint_core::fixes::{self as fix, fix_all};
use apimlint_core::suppress::Options;
use apimlint_core::vfs::{Discovery, MemoryFs};
use apimlint_core::{Applicability, Config, Deployment, Diagnostic, Edit, Fix};

const CP1: &str = r#"# control plane 1
[server]
hostname = "cp1.a.example.org"   # public name
server_role = "control-plane"    # explicit

[super_admin]
username = "admin"
password = "s3cr3t-Admin!"   # literal

# the environment of region A
[[apim.gateway.environment]]
name = "Production"  # label
type = "hybrid"
service_url = "https://gw1.a.example.org:9443/services/"
http_endpoint = "http://gw1.a.example.org:8280"
https_endpoint = "https://gw1.a.example.org:8243"

[apim.event_hub]   # event hub
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
"#;

const CP2: &str = r#"# control plane 2
[server]
hostname = "cp2.a.example.org"
server_role = "control-plane"

[[apim.gateway.environment]]
name = "Production"
type = "hybrid"
service_url = "https://gw1.a.example.org:9443/services/"
http_endpoint = "http://gw1.a.example.org:8280"
https_endpoint = "https://gw1.a.example.org:8243"

[apim.event_hub]   # no duplicate url: forgotten
enable = true
service_url = "https://cp2.a.example.org:9443/services/"
event_listening_endpoints = ["tcp://localhost:5672"]

[[apim.event_hub.publish.url_group]]   # publish to both control planes
urls = ["tcp://cp1.a.example.org:9611"]
auth_urls = ["ssl://cp1.a.example.org:9711"]

[[apim.event_hub.publish.url_group]]
urls = ["tcp://cp2.a.example.org:9611"]
auth_urls = ["ssl://cp2.a.example.org:9711"]

# keep me
[apim.cors]
enable = true
"#;

/// Comments on every line, CRLF line endings.
const GW1: &str = "# gateway 1\r\n\
[server] # server\r\n\
hostname = \"gw1.a.example.org\"  # name\r\n\
server_role = \"gateway-worker\" # role\r\n\
# labels\r\n\
[apim.sync_runtime_artifacts.gateway] # sync\r\n\
gateway_labels = [ \"Productoin\" ]  # typo\r\n\
# key manager\r\n\
[apim.key_manager] # km\r\n\
service_url = \"https://cp1.a.example.org:9443/services/\"  # resident\r\n\
# throttling\r\n\
[apim.throttling] # tm\r\n\
throttle_decision_endpoints = [\"tcp://tm1.a.example.org:5672\"] # decisions\r\n\
[[apim.throttling.url_group]] # group\r\n\
traffic_manager_urls = [\"tcp://tm1.a.example.org:9611\"] # events\r\n\
traffic_manager_auth_urls = [\"ssl://tm1.a.example.org:9711\"] # auth\r\n\
# end\r\n";

const TM1: &str = r#"[server]
hostname = "tm1.a.example.org"
server_role = "traffic-manager"

[apim.throttling]
throttle_decision_endpoints = ["tcp://localhost:5672"]
"#;

fn root() -> PathBuf {
    PathBuf::from("/mem/deployment")
}

fn path(node: &str) -> PathBuf {
    root().join(node).join("repository/conf/deployment.toml")
}

fn files(overrides: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut m: BTreeMap<String, String> = [
        ("region-a/cp-1", CP1),
        ("region-a/cp-2", CP2),
        ("region-a/gw-1", GW1),
        ("region-a/tm-1", TM1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in overrides {
        m.insert((*k).to_owned(), (*v).to_owned());
    }
    m
}

fn setup(files: &BTreeMap<String, String>) -> (MemoryFs, Discovery) {
    let mut fs = MemoryFs::default();
    for (node, text) in files {
        fs.files.insert(path(node), text.clone().into_bytes());
    }
    let disc = Discovery {
        root: root(),
        config: None,
        files: fs.files.keys().cloned().collect(),
        may_escape: None,
        listing: None,
    };
    (fs, disc)
}

fn analyse(files: &BTreeMap<String, String>, opts: &Options) -> (Deployment, Vec<Diagnostic>) {
    let (fs, disc) = setup(files);
    let dep = apimlint_core::load(&fs, &disc, Config::default());
    let diags = apimlint_core::check_with(&dep, opts);
    (dep, diags)
}

fn rules_of(dep: &Deployment, diags: &[Diagnostic]) -> Vec<(String, &'static str)> {
    diags
        .iter()
        .map(|d| (dep.id_of(d.file).to_owned(), d.rule))
        .collect()
}

fn changed(o: &fix::Outcome) -> BTreeMap<String, String> {
    o.changed
        .iter()
        .map(|c| {
            let node = c
                .path
                .strip_prefix(root())
                .unwrap()
                .parent()
                .and_then(Path::parent)
                .and_then(Path::parent)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (node, c.fixed.clone())
        })
        .collect()
}

#[test]
fn safe_fix_on_a_crlf_file_with_comments_changes_only_the_label() {
    let f = files(&[]);
    let (fs, disc) = setup(&f);
    let o = fix_all(&fs, &disc, &Config::default(), &Options::default(), false);
    let ch = changed(&o);
    assert_eq!(ch.keys().collect::<Vec<_>>(), ["region-a/gw-1"], "{ch:?}");
    assert_eq!(
        ch["region-a/gw-1"],
        GW1.replace("[ \"Productoin\" ]", "[ \"Production\" ]")
    );
    // the unsafe fix is left alone and its finding still reported
    let left = rules_of(&o.dep, &o.diags);
    assert!(
        left.contains(&("region-a/cp-2".into(), "event-duplicate-asymmetric")),
        "{left:?}"
    );
    assert!(
        !left.iter().any(|(_, r)| *r == "gateway-label-unmatched"),
        "{left:?}"
    );

    // a second run on the result changes nothing
    let mut f2 = f.clone();
    f2.extend(ch);
    let (fs, disc) = setup(&f2);
    let again = fix_all(&fs, &disc, &Config::default(), &Options::default(), false);
    assert!(again.changed.is_empty(), "{:?}", again.changed);
    assert!(again.applied.is_empty());
}

#[test]
fn unsafe_fix_adds_the_reverse_duplicate_url_to_the_peer() {
    let f = files(&[]);
    let (fs, disc) = setup(&f);
    let o = fix_all(&fs, &disc, &Config::default(), &Options::default(), true);
    let ch = changed(&o);
    assert_eq!(
        ch["region-a/cp-2"],
        CP2.replace(
            "[apim.event_hub]   # no duplicate url: forgotten\n",
            "[apim.event_hub]   # no duplicate url: forgotten\nevent_duplicate_url = [\"tcp://cp1.a.example.org:5672\"]\n"
        )
    );
    assert!(ch.contains_key("region-a/gw-1"));
    // the trial deployment is deliberately incomplete (no token revocation
    // listener either) and keeps a literal password: only the URL wiring
    // findings are this test's business
    let loud: Vec<_> = o
        .diags
        .iter()
        .filter(|d| d.severity > apimlint_core::Severity::Info)
        .filter(|d| {
            !matches!(
                d.rule,
                "role-section-mismatch"
                    | "plaintext-password"
                    | "token-revocation-listener-missing"
            )
        })
        .collect();
    assert!(loud.is_empty(), "{:?}", rules_of(&o.dep, &o.diags));
    let mut f2 = f.clone();
    f2.extend(ch);
    let (fs, disc) = setup(&f2);
    assert!(
        fix_all(&fs, &disc, &Config::default(), &Options::default(), true)
            .changed
            .is_empty()
    );
}

fn one_fix(file: FileId, range: std::ops::Range<usize>, new_text: &str) -> Fix {
    Fix {
        title: format!("write {new_text}"),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            file,
            range,
            new_text: new_text.into(),
        }],
    }
}

fn with_fix(dep: &Deployment, d: &Diagnostic, fix: Fix) -> Diagnostic {
    let _ = dep;
    let mut d = d.clone();
    d.fix = Some(fix);
    d
}

#[test]
fn a_fix_that_would_write_a_secret_or_break_the_file_is_refused() {
    let (dep, diags) = analyse(&files(&[]), &Options::default());
    let d = diags
        .iter()
        .find(|d| d.rule == "gateway-label-unmatched")
        .unwrap();
    let gw = d.file;
    let text = &dep.node_of(gw).unwrap().text;
    let at = text.find("# end").unwrap();
    let secret = with_fix(
        &dep,
        d,
        one_fix(gw, at..at, "[truststore]\r\npassword = \"hunter2\"\r\n"),
    );
    let reference = with_fix(
        &dep,
        d,
        one_fix(
            gw,
            at..at,
            "[truststore]\r\npassword = \"$ref{super_admin.password}\"\r\n",
        ),
    );
    let broken = with_fix(&dep, d, one_fix(gw, at..at, "[[[\r\n"));
    let plan = fix::plan(&dep, &[secret], false);
    assert!(plan.files.is_empty());
    assert!(
        plan.refused[0].reason.contains("literal secret"),
        "{:?}",
        plan.refused
    );
    let plan = fix::plan(&dep, &[broken], false);
    assert!(
        plan.refused[0].reason.contains("no longer parse"),
        "{:?}",
        plan.refused
    );
    let plan = fix::plan(&dep, &[reference], false);
    assert!(plan.refused.is_empty(), "{:?}", plan.refused);
    assert!(plan.files[&gw].contains("$ref{super_admin.password}"));
}

#[test]
fn conflicting_fixes_wait_for_the_next_pass() {
    let (dep, diags) = analyse(&files(&[]), &Options::default());
    let d = diags
        .iter()
        .find(|d| d.rule == "gateway-label-unmatched")
        .unwrap();
    let r = d.range.clone();
    let a = with_fix(&dep, d, one_fix(d.file, r.clone(), "\"A\""));
    let b = with_fix(&dep, d, one_fix(d.file, r.start..r.start + 2, "\"B"));
    let plan = fix::plan(&dep, &[a, b], false);
    assert_eq!(plan.applied.len(), 1);
    assert_eq!(plan.deferred, 1);
    assert!(plan.files[&d.file].contains("[ \"A\" ]"));
}

#[test]
fn suppressions_silence_their_line_and_unused_ones_are_reported() {
    let gw = GW1.replace(
        "gateway_labels",
        "# apimlint: allow(gateway-label-unmatched) -- Productoin is created in the Admin portal\r\ngateway_labels",
    );
    let (dep, diags) = analyse(&files(&[("region-a/gw-1", &gw)]), &Options::default());
    let got = rules_of(&dep, &diags);
    assert!(
        !got.iter().any(|(_, r)| *r == "gateway-label-unmatched"),
        "{got:?}"
    );
    assert!(
        !got.iter().any(|(_, r)| *r == "unused-suppression"),
        "{got:?}"
    );

    // trailing, on the finding's line
    let gw = GW1.replace("]  # typo", "]  # apimlint: allow(gateway-label-unmatched)");
    let (dep, diags) = analyse(&files(&[("region-a/gw-1", &gw)]), &Options::default());
    assert!(
        !rules_of(&dep, &diags)
            .iter()
            .any(|(_, r)| r.starts_with("gateway-label") || *r == "unused-suppression")
    );

    // two lines above: not covered, and so unused
    let gw = GW1.replace(
        "[apim.sync_runtime_artifacts.gateway]",
        "# apimlint: allow(gateway-label-unmatched)\r\n[apim.sync_runtime_artifacts.gateway]",
    );
    let (dep, diags) = analyse(&files(&[("region-a/gw-1", &gw)]), &Options::default());
    let got = rules_of(&dep, &diags);
    assert!(
        got.contains(&("region-a/gw-1".into(), "gateway-label-unmatched")),
        "{got:?}"
    );
    assert!(
        got.contains(&("region-a/gw-1".into(), "unused-suppression")),
        "{got:?}"
    );

    // allow-file, anywhere; a second id that silences nothing is reported alone
    let gw =
        format!("{GW1}# apimlint: allow-file(gateway-label-unmatched, role-unknown) -- portal\r\n");
    let (dep, diags) = analyse(&files(&[("region-a/gw-1", &gw)]), &Options::default());
    let unused: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.rule == "unused-suppression")
        .collect();
    assert_eq!(unused.len(), 1, "{:?}", rules_of(&dep, &diags));
    assert!(unused[0].message.contains("`role-unknown`"));
    assert!(
        !rules_of(&dep, &diags)
            .iter()
            .any(|(_, r)| *r == "gateway-label-unmatched")
    );
    // its fix removes only that id, and the result is clean of both
    let (fs, disc) = setup(&files(&[("region-a/gw-1", &gw)]));
    let o = fix_all(&fs, &disc, &Config::default(), &Options::default(), false);
    let ch = changed(&o);
    assert!(
        ch["region-a/gw-1"]
            .ends_with("# apimlint: allow-file(gateway-label-unmatched) -- portal\r\n"),
        "{ch:?}"
    );
    assert!(!o.diags.iter().any(|d| d.rule == "unused-suppression"));
}

#[test]
fn require_reason_reports_suppressions_without_one() {
    let gw = GW1.replace("]  # typo", "]  # apimlint: allow(gateway-label-unmatched)");
    let f = files(&[("region-a/gw-1", &gw)]);
    let (dep, diags) = analyse(&f, &Options::default());
    assert!(
        !rules_of(&dep, &diags)
            .iter()
            .any(|(_, r)| *r == "suppression-without-reason")
    );
    let (dep, diags) = analyse(
        &f,
        &Options {
            require_reason: true,
        },
    );
    let d: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.rule == "suppression-without-reason")
        .collect();
    assert_eq!(d.len(), 1, "{:?}", rules_of(&dep, &diags));
    assert_eq!(d[0].severity, apimlint_core::Severity::Error);
    let gw = GW1.replace(
        "]  # typo",
        "]  # apimlint: allow(gateway-label-unmatched) -- portal",
    );
    let (dep, diags) = analyse(
        &files(&[("region-a/gw-1", &gw)]),
        &Options {
            require_reason: true,
        },
    );
    assert!(
        !rules_of(&dep, &diags)
            .iter()
            .any(|(_, r)| *r == "suppression-without-reason")
    );
}

fn fingerprints(dep: &Deployment, diags: &[Diagnostic]) -> Vec<String> {
    let mut v: Vec<String> = diags
        .iter()
        .map(|d| apimlint_core::fingerprint(dep, d))
        .collect();
    v.sort();
    v
}

#[test]
fn fingerprints_survive_inserted_lines_but_not_a_new_value() {
    let (dep, diags) = analyse(&files(&[]), &Options::default());
    let before = fingerprints(&dep, &diags);
    assert!(!before.is_empty());
    let moved_gw = format!("# one\r\n# two\r\n\r\n{GW1}");
    let moved_cp = CP2.replace(
        "[apim.event_hub]",
        "# new comment\n\n[apim.devportal]\nenable_ratings = true\n\n[apim.event_hub]",
    );
    let (dep2, diags2) = analyse(
        &files(&[("region-a/gw-1", &moved_gw), ("region-a/cp-2", &moved_cp)]),
        &Options::default(),
    );
    assert_eq!(before, fingerprints(&dep2, &diags2));
    let other = GW1.replace("Productoin", "Prodcution");
    let (dep3, diags3) = analyse(&files(&[("region-a/gw-1", &other)]), &Options::default());
    assert_ne!(before, fingerprints(&dep3, &diags3));
}

#[test]
fn fingerprints_leave_out_secret_values() {
    let (dep, diags) = analyse(&files(&[]), &Options::default());
    let d = &diags[0];
    let mut a = d.clone().key("keystore.primary.password", Some("hunter2"));
    let b = d.clone().key("keystore.primary.password", Some("other"));
    assert_eq!(
        apimlint_core::fingerprint(&dep, &a),
        apimlint_core::fingerprint(&dep, &b)
    );
    let c = d.clone().key("secrets.admin", Some("hunter2"));
    let e = d.clone().key("secrets.admin", Some("other"));
    assert_eq!(
        apimlint_core::fingerprint(&dep, &c),
        apimlint_core::fingerprint(&dep, &e)
    );
    // credentials inside a URL are starred out before hashing
    a = d
        .clone()
        .key("apim.event_hub.service_url", Some("tcp://admin:one@h:5672"));
    let b = d
        .clone()
        .key("apim.event_hub.service_url", Some("tcp://admin:two@h:5672"));
    assert_eq!(
        apimlint_core::fingerprint(&dep, &a),
        apimlint_core::fingerprint(&dep, &b)
    );
}

#[cfg(unix)]
#[test]
fn write_atomic_keeps_permissions_and_symlinks() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("atomic-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("real")).unwrap();
    let target = dir.join("real/deployment.toml");
    std::fs::write(&target, "a = 1\n").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o604)).unwrap();
    let link = dir.join("deployment.toml");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    apimlint_core::vfs::write_atomic(&link, b"a = 2\n").unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "a = 2\n");
    let mode = std::fs::metadata(&target).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o604);
    let names: Vec<_> = std::fs::read_dir(dir.join("real"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

/// The text of `file` with `fix` applied.
fn applied(dep: &Deployment, fix: &Fix) -> (FileId, String) {
    let file = fix.edits[0].file;
    assert!(fix.edits.iter().all(|e| e.file == file));
    let (text, _) =
        apimlint_core::edit::apply(&dep.node_of(file).unwrap().text, &fix.edits).unwrap();
    (file, text)
}

fn unknown_keys<'a>(dep: &Deployment, diags: &'a [Diagnostic], node: &str) -> Vec<&'a Diagnostic> {
    diags
        .iter()
        .filter(|d| d.rule == "unknown-key" && dep.id_of(d.file) == node)
        .collect()
}

const RENAMES: &str = r#"[server]
hostname = "gw2.a.example.org"
server_role = "gateway-worker"

[apim.key_manager]
service_url = "https://cp1.a.example.org:9443/services/"
server_url = "https://cp1.a.example.org:9443/services/"

[apim.cors]
enable = true

[apim.Cors]
allow_origins = ["*"]

[database.apim_db]
url = "jdbc:mysql://db:3306/apim"

[database.apim_dbb]
url = "jdbc:mysql://db:3306/apim"

[[apim.gateway.environment]]
name = "Both"
service_url = "https://gw2.a.example.org:9443/services/"
serviceUrl = "https://gw2.a.example.org:9443/services/"

[[event_listener]]
id = "both"
[event_listener.properties]
notification_endpoint = "https://cp1.a.example.org:9443/internal/data/v1/notify"
[event_listener.propertie]
notification_endpoint = "https://cp1.a.example.org:9443/internal/data/v1/notify"
"#;

/// Only in another entry of the array of tables: the rename is fine.
const RENAME_IN_AOT: &str = r#"[server]
hostname = "gw3.a.example.org"
server_role = "gateway-worker"

[[apim.gateway.environment]]
name = "Production"
serviceUrl = "https://gw3.a.example.org:9443/services/"

[[apim.gateway.environment]]
name = "Sandbox"
service_url = "https://gw3.a.example.org:9443/services/"

[database.apim_dbb]
url = "jdbc:mysql://db:3306/apim"

[[event_listener]]
id = "first"
[event_listener.properties]
notification_endpoint = "https://cp1.a.example.org:9443/internal/data/v1/notify"

[[event_listener]]
id = "second"
[event_listener.propertie]
notification_endpoint = "https://cp1.a.example.org:9443/internal/data/v1/notify"
"#;

#[test]
fn unknown_key_offers_no_rename_onto_a_key_that_exists() {
    let f = files(&[("region-a/gw-2", RENAMES), ("region-a/gw-3", RENAME_IN_AOT)]);
    let (dep, diags) = analyse(&f, &Options::default());
    let found = unknown_keys(&dep, &diags, "region-a/gw-2");
    let text = &dep.node_of(found[0].file).unwrap().text;
    let at = |d: &Diagnostic| &text[d.range.clone()];
    let shown: Vec<_> = found.iter().map(|d| at(d)).collect();
    assert_eq!(
        shown,
        ["server_url", "Cors", "apim_dbb", "serviceUrl", "propertie"],
        "{found:#?}"
    );
    for d in &found {
        assert!(d.fix.is_none(), "{d:#?}");
        let help = d.help.as_deref().unwrap();
        assert!(help.starts_with("did you mean"), "{help}");
        assert!(help.contains("already exists"), "{help}");
    }
    // the same renames where the target is not there: offered, and the result parses
    let found = unknown_keys(&dep, &diags, "region-a/gw-3");
    let shown: Vec<_> = found
        .iter()
        .map(|d| &dep.node_of(d.file).unwrap().text[d.range.clone()])
        .collect();
    assert_eq!(shown, ["serviceUrl", "apim_dbb", "propertie"], "{found:#?}");
    let mut fixed = f.clone();
    let mut edits = Vec::new();
    for d in &found {
        let fix = d.fix.as_ref().unwrap_or_else(|| panic!("{d:#?}"));
        assert!(fix.title.starts_with("Rename to"), "{fix:?}");
        assert!(!d.help.as_deref().unwrap().contains("already exists"));
        edits.extend(fix.edits.iter().cloned());
    }
    let text = apimlint_core::edit::apply(&dep.node_of(found[0].file).unwrap().text, &edits)
        .unwrap()
        .0;
    fixed.insert("region-a/gw-3".into(), text.clone());
    assert!(
        text.contains("[database.apim_db]\n") && text.contains("\nservice_url = "),
        "{text}"
    );
    let (dep, diags) = analyse(&fixed, &Options::default());
    assert!(unknown_keys(&dep, &diags, "region-a/gw-3").is_empty());
    assert!(
        !diags.iter().any(|d| d.rule == "toml-syntax"),
        "{:?}",
        rules_of(&dep, &diags)
    );
}

/// A table renamed onto one that exists only through deeper headers merges
/// into it: the rename parses and is offered.
const RENAME_MERGES: &str = r#"[server]
hostname = "gw4.a.example.org"
server_role = "gateway-worker"

[apim.cors]
allow_origins = "*"

[APIM.cache.resource]
enable = true

[database.apim_db.pool_options]
maxActive = 50

[database.apim_dbb]
url = "jdbc:mysql://db:3306/apim"
"#;

#[test]
fn unknown_key_renames_a_table_onto_one_that_exists_only_through_deeper_headers() {
    let f = files(&[("region-a/gw-4", RENAME_MERGES)]);
    let (dep, diags) = analyse(&f, &Options::default());
    let found = unknown_keys(&dep, &diags, "region-a/gw-4");
    let text = &dep.node_of(found[0].file).unwrap().text;
    let shown: Vec<_> = found.iter().map(|d| &text[d.range.clone()]).collect();
    assert_eq!(shown, ["APIM", "apim_dbb"], "{found:#?}");
    let mut edits = Vec::new();
    for d in &found {
        let fix = d.fix.as_ref().unwrap_or_else(|| panic!("no fix: {d:#?}"));
        assert!(
            !d.help.as_deref().unwrap().contains("already exists"),
            "{d:#?}"
        );
        edits.extend(fix.edits.iter().cloned());
    }
    let fixed_text = apimlint_core::edit::apply(text, &edits).unwrap().0;
    assert!(
        fixed_text.contains("[apim.cache.resource]") && fixed_text.contains("[database.apim_db]\n")
    );
    let mut fixed = f.clone();
    fixed.insert("region-a/gw-4".into(), fixed_text);
    let (dep, diags) = analyse(&fixed, &Options::default());
    assert!(
        unknown_keys(&dep, &diags, "region-a/gw-4").is_empty(),
        "{:?}",
        rules_of(&dep, &diags)
    );
    assert!(!diags.iter().any(|d| d.rule == "toml-syntax"));
}

#[test]
fn super_admin_fix_writes_an_escaped_string() {
    // three nodes agree on a user name holding a quote, a backslash and control characters
    let weird = r#"username = "ad\"m\\in\nx\ty\r\u0001\u007F é""#;
    let value = "ad\"m\\in\nx\ty\r\u{1}\u{7f} é";
    let block = format!("\n[super_admin]\n{weird}\n");
    let f = files(&[
        ("region-a/cp-2", &format!("{CP2}{block}")),
        ("region-a/tm-1", &format!("{TM1}{block}")),
        (
            "region-a/gw-1",
            &format!("{GW1}{}", block.replace('\n', "\r\n")),
        ),
    ]);
    let (dep, diags) = analyse(&f, &Options::default());
    let d = diags
        .iter()
        .find(|d| d.rule == "super-admin-mismatch")
        .unwrap_or_else(|| panic!("{:?}", rules_of(&dep, &diags)));
    assert_eq!(dep.id_of(d.file), "region-a/cp-1");
    let fix = d.fix.as_ref().unwrap_or_else(|| panic!("{d:#?}"));
    let (file, text) = applied(&dep, fix);
    let parsed: toml_edit::DocumentMut = text.parse().unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(parsed["super_admin"]["username"].as_str(), Some(value));
    let mut fixed = f.clone();
    fixed.insert(dep.id_of(file).to_owned(), text);
    let (dep, diags) = analyse(&fixed, &Options::default());
    let left = rules_of(&dep, &diags);
    assert!(
        !left
            .iter()
            .any(|(_, r)| *r == "super-admin-mismatch" || *r == "toml-syntax"),
        "{left:?}"
    );
}
