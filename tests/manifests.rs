//! Manifest streams end to end, through the binary: every scalar style
//! located exactly, Secrets never shown, bad input a finding or a quick
//! skip, plain trees mixed in. (WSO2's real charts: `tests/helm.rs`.)

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
    common::scratch("manifests", name)
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let mut a = vec!["check", ".", "--format", "json"];
    a.extend_from_slice(args);
    let o = common::run_in(dir, &a);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}{}",
        common::stdout(&o),
        common::stderr(&o)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

const GW_TOML: &str = r#"[server]
hostname = "gw.example.com"
server_role = "gateway-worker"

[apim.key_manager]
service_url = "https://km-svc:9443/services/"

[apim.sync_runtime_artifacts.gateway]
gateway_labels = ["Default"]
"#;

const KM_TOML: &str = r#"[server]
hostname = "km.example.com"
server_role = "key-manager"

[super_admin]
username = "admin"
password = "Sup3rS3cretAdm1n"
"#;

/// A gateway Deployment mounting `cm`'s key with subPath, a Service for the
/// key manager, and the key manager's ConfigMap in `style`.
fn stream(gw_value: &str, km_value: &str) -> String {
    format!(
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: gw-conf
  namespace: r1
data:
  deployment.toml: {gw_value}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gw
  namespace: r1
spec:
  replicas: 2
  template:
    metadata:
      labels:
        app: gw
    spec:
      containers:
        - name: gw
          volumeMounts:
            - name: conf
              mountPath: /home/wso2carbon/wso2am/repository/conf/deployment.toml
              subPath: deployment.toml
      volumes:
        - name: conf
          configMap:
            name: gw-conf
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: km-conf
  namespace: r1
data:
  deployment.toml: {km_value}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: km
  namespace: r1
spec:
  serviceName: km-headless
  template:
    metadata:
      labels:
        app: km
    spec:
      containers:
        - name: km
          ports:
            - name: https
              containerPort: 9443
          volumeMounts:
            - name: conf
              mountPath: /home/wso2carbon/wso2am/repository/conf
      volumes:
        - name: conf
          configMap:
            name: km-conf
---
apiVersion: v1
kind: Service
metadata:
  name: km-svc
  namespace: r1
spec:
  selector:
    app: km
  ports:
    - port: 9443
      targetPort: https
"#
    )
}

fn literal(toml: &str) -> String {
    let mut s = String::from("|\n");
    for l in toml.lines() {
        if l.is_empty() {
            s.push('\n');
        } else {
            s.push_str("    ");
            s.push_str(l);
            s.push('\n');
        }
    }
    s.trim_end_matches('\n').to_owned()
}

fn double_quoted(toml: &str) -> String {
    serde_json::to_string(toml).unwrap()
}

/// Each finding's start, read back from the manifest, is the text the
/// finding is about.
fn at(dir: &Path, d: &Value) -> String {
    let file = d["file"].as_str().unwrap();
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let line = d["range"]["start"]["line"].as_u64().unwrap() as usize;
    let col = d["range"]["start"]["column"].as_u64().unwrap() as usize;
    text.lines()
        .nth(line - 1)
        .unwrap()
        .chars()
        .skip(col - 1)
        .take(30)
        .collect()
}

#[test]
fn nodes_services_and_locations_in_every_style() {
    for (name, gw, km) in [
        ("literal", literal(GW_TOML), literal(KM_TOML)),
        ("quoted", double_quoted(GW_TOML), double_quoted(KM_TOML)),
    ] {
        let dir = scratch(name);
        // a wrong key-manager port, to be reported on the gateway
        let gw = gw.replace("km-svc:9443", "km-svc:9444");
        common::write(&dir.join("r1.yaml"), stream(&gw, &km).as_bytes());
        let v = json(&dir, &[]);
        let ids: Vec<&str> = v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["r1/gw", "r1/km"], "{name}");
        let d = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["node"] == "r1/gw" && d["message"].as_str().unwrap().contains("9444"))
            .unwrap_or_else(|| panic!("{name}: {v:#}"));
        assert_eq!(d["file"], "r1.yaml");
        assert!(at(&dir, d).starts_with("9444"), "{name}: {:?}", at(&dir, d));
        // the right port through the Service's named target port: no finding
        let fixed = stream(
            &gw.replace("km-svc:9444", "km-svc.r1.svc.cluster.local:9443"),
            &km,
        );
        common::write(&dir.join("r1.yaml"), fixed.as_bytes());
        let v = json(&dir, &[]);
        assert!(
            !v["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["rule"] == "unknown-host"
                    || d["rule"].as_str().unwrap().ends_with("unreachable")),
            "{name}: {v:#}"
        );
    }
}

#[test]
fn headless_statefulset_pods_resolve() {
    let dir = scratch("headless");
    let gw = double_quoted(&GW_TOML.replace("km-svc:9443", "km-0.km-headless.r1:9443"));
    common::write(
        &dir.join("r1.yaml"),
        stream(&gw, &double_quoted(KM_TOML)).as_bytes(),
    );
    let v = json(&dir, &[]);
    assert!(
        !v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["rule"] == "unknown-host"),
        "{v:#}"
    );
}

#[test]
fn secrets_never_appear_in_any_output() {
    let dir = scratch("secrets");
    let secret_b64 = "U3VwM3JTM2NyZXRBZG0xbg=="; // base64 of the password
    let mut text = stream(&double_quoted(GW_TOML), &literal(KM_TOML));
    text.push_str(&format!(
        r#"---
apiVersion: v1
kind: Secret
metadata:
  name: tm-conf
  namespace: r1
stringData:
  other: "AnotherS3cretValue"
data:
  deployment.toml: {}
  token: {secret_b64}
"#,
        base64(
            "[server]\nserver_role = \"traffic-manager\"\n[super_admin]\npassword = \"TmS3cretPassw0rd\"\n[apim.key_manager]\nservice_url = \"https://nowhere:9443/services/\"\n"
        )
    ));
    common::write(&dir.join("r1.yaml"), text.as_bytes());
    for format in ["human", "json", "compact", "sarif", "github"] {
        let o = common::run_in(
            &dir,
            &["check", ".", "--format", format, "--fail-on", "info"],
        );
        let out = common::stdout(&o) + &common::stderr(&o);
        assert!(out.contains("r1.yaml"), "{format}: {out}");
        for s in [
            "Sup3rS3cretAdm1n",
            "AnotherS3cretValue",
            "TmS3cretPassw0rd",
            secret_b64,
        ] {
            assert!(!out.contains(s), "{format} output leaks {s}: {out}");
        }
    }
    // the Secret's deployment.toml is a node of its own (no workload mounts it)
    let v = json(&dir, &[]);
    assert!(
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["id"] == "r1/tm-conf"),
        "{v:#}"
    );
}

fn base64(s: &str) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::new();
    for c in b.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= c.len() {
                out.push(T[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn bad_manifests_are_findings_and_the_rest_is_analysed() {
    let dir = scratch("bad");
    // a good stream beside the bad ones
    common::write(
        &dir.join("r1.yaml"),
        stream(&double_quoted(GW_TOML), &double_quoted(KM_TOML)).as_bytes(),
    );
    common::write(
        &dir.join("r2/invalid.yaml"),
        b"kind: ConfigMap\ndata:\n  deployment.toml: \"[server]\n  x: [1, 2\n",
    );
    common::write(
        &dir.join("r3/not-toml.yaml"),
        b"kind: ConfigMap\nmetadata:\n  name: c\ndata:\n  deployment.toml: \"[server\\nthis is = = not toml\"\n",
    );
    common::write(
        &dir.join("r4/missing.yaml"),
        b"kind: Deployment\nmetadata:\n  name: w\nspec:\n  template:\n    spec:\n      containers:\n        - volumeMounts:\n            - name: v\n              mountPath: /x/repository/conf/deployment.toml\n              subPath: deployment.toml\n      volumes:\n        - name: v\n          configMap:\n            name: nowhere\n",
    );
    common::write(
        &dir.join("r5/base64.yaml"),
        b"kind: Secret\nmetadata:\n  name: s\ndata:\n  deployment.toml: \"!!not base64!!\"\n",
    );
    common::write(
        &dir.join("r6/nokind.yaml"),
        b"kind: ConfigMap\nmetadata:\n  name: a\ndata:\n  deployment.toml: \"[server]\\n\"\n---\nmetadata:\n  name: b\n",
    );
    // YAML that never mentions a node file: skipped unread
    common::write(
        &dir.join(".github/workflows/ci.yml"),
        b"on: push\njobs: {}\n",
    );
    let v = json(&dir, &[]);
    let diags = v["diagnostics"].as_array().unwrap();
    let has = |rule: &str, file: &str, word: &str| {
        diags.iter().any(|d| {
            d["rule"] == rule && d["file"] == file && d["message"].as_str().unwrap().contains(word)
        })
    };
    assert!(
        has("unreadable-file", "r2/invalid.yaml", "not valid YAML"),
        "{v:#}"
    );
    assert!(has("toml-syntax", "r3/not-toml.yaml", ""), "{v:#}");
    assert!(
        has("unreadable-file", "r4/missing.yaml", "nowhere"),
        "{v:#}"
    );
    assert!(has("unreadable-file", "r5/base64.yaml", "base64"), "{v:#}");
    assert!(
        has("unreadable-file", "r6/nokind.yaml", "without `kind`"),
        "{v:#}"
    );
    // the missing ConfigMap is located at its name in the workload
    let d = diags
        .iter()
        .find(|d| d["file"] == "r4/missing.yaml")
        .unwrap();
    assert!(at(&dir, d).starts_with("nowhere"), "{:?}", at(&dir, d));
    // the good stream is still analysed
    assert!(
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["id"] == "r1/gw")
    );
    assert!(
        !diags
            .iter()
            .any(|d| d["file"] == ".github/workflows/ci.yml")
    );
}

#[test]
fn a_huge_stream_of_unrelated_objects_is_quick() {
    let dir = scratch("huge");
    let mut s = String::with_capacity(52 << 20);
    // mentions deployment.toml once, so it is parsed in full
    s.push_str(&stream(&double_quoted(GW_TOML), &double_quoted(KM_TOML)));
    let mut k = 0;
    while s.len() < 50 << 20 {
        s.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p{k}\n  labels: {{a: b, c: d}}\nspec:\n  containers:\n    - name: c\n      image: busybox\n      args: [\"sleep\", \"1000\"]\n"
        ));
        k += 1;
    }
    // as a file: over the 10 MiB limit of any file apimlint reads, not
    // parsed: an `unreadable-file` finding on it (#23: it mentions
    // `deployment.toml`, so it was a manifest skipped in silence); the other
    // files are analysed
    common::write(&dir.join("big.yaml"), s.as_bytes());
    common::write(
        &dir.join("r1.yaml"),
        stream(&double_quoted(GW_TOML), &double_quoted(KM_TOML)).as_bytes(),
    );
    let t = std::time::Instant::now();
    let v = json(&dir, &[]);
    assert_eq!(v["nodes"].as_array().unwrap().len(), 3);
    assert!(
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["file"] == "big.yaml" && d["rule"] == "unreadable-file")
    );
    assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
    // on standard input: over the same limit, refused with a clear error
    // (#23: 100 MB took 3.1 GB)
    let t = std::time::Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_apimlint"))
        .current_dir(&dir)
        .args(["check", "-", "--format", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        // the server stops reading past the limit
        let _ = child.stdin.take().unwrap().write_all(s.as_bytes());
    }
    let o = child.wait_with_output().unwrap();
    let took = t.elapsed();
    assert_eq!(o.status.code(), Some(2));
    // generous: a debug build on a loaded machine; a hang would take forever
    assert!(took.as_secs() < 180, "{took:?}");
}

#[test]
fn manifests_mix_with_plain_trees() {
    let dir = scratch("mixed");
    common::write(
        &dir.join("r1.yaml"),
        stream(&double_quoted(GW_TOML), &double_quoted(KM_TOML)).as_bytes(),
    );
    common::write(
        &dir.join("r2/gw-1/repository/conf/deployment.toml"),
        GW_TOML.as_bytes(),
    );
    let v = json(&dir, &[]);
    let ids: Vec<&str> = v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["r1/gw", "r1/km", "r2/gw-1"]);
}

/// `--fix` writes into a literal block scalar (`|`), only the lines the fix
/// changes; a quoted scalar (what `toYaml` writes) or a Secret is generated
/// or secret: the fix is listed, not written, and the run says why.
#[test]
fn fixes_are_written_into_literal_blocks_only() {
    let dir = scratch("fix");
    let broken = GW_TOML.replace("km-svc", "km-svcc");
    let text = stream(&literal(&broken), &literal(KM_TOML));
    common::write(&dir.join("r1.yaml"), text.as_bytes());
    let o = common::run_in(&dir, &["check", ".", "--fix", "--unsafe-fixes"]);
    let err = common::stderr(&o);
    assert!(err.contains("applied 1 fix to 1 file: r1.yaml"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("r1.yaml")).unwrap(),
        text.replace("km-svcc", "km-svc")
    );
    assert!(!dir.join("r1.yaml/ConfigMap").exists());
    // the manifest now checks clean of the finding
    let d = json(&dir, &[]);
    assert!(
        !d["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "key-manager-unreachable"),
        "{d}"
    );

    for (name, text, why) in [
        (
            "quoted",
            stream(&double_quoted(&broken), &literal(KM_TOML)),
            "its TOML is not in a literal block scalar (`|`): the manifest is generated",
        ),
        (
            "secret",
            stream(&literal(&broken), &literal(KM_TOML))
                .replacen("kind: ConfigMap", "kind: Secret", 1)
                .replacen("\ndata:", "\nstringData:", 1)
                .replacen(
                    "configMap:\n            name: gw-conf",
                    "secret:\n            secretName: gw-conf",
                    1,
                ),
            "held by a Secret",
        ),
    ] {
        let dir = scratch(&format!("fix-{name}"));
        common::write(&dir.join("r1.yaml"), text.as_bytes());
        let o = common::run_in(&dir, &["check", ".", "--fix", "--unsafe-fixes"]);
        assert_eq!(std::fs::read_to_string(dir.join("r1.yaml")).unwrap(), text);
        let err = common::stderr(&o);
        assert!(
            err.contains("the fix is not written, as") && err.contains(why),
            "{name}: {err}"
        );
    }
}

/// The JSON of a fix in a manifest holds edits of the manifest: applied to
/// it they give exactly what `--fix` writes; a fix that cannot be written
/// has a title and no edits (raw TOML would not fit a quoted scalar).
#[test]
fn json_fix_edits_are_edits_of_the_manifest() {
    let broken = GW_TOML.replace("km-svc", "km-svcc");
    let dir = scratch("fix-json");
    let text = stream(&literal(&broken), &literal(KM_TOML));
    common::write(&dir.join("r1.yaml"), text.as_bytes());
    let d = json(&dir, &[]);
    let fix = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "key-manager-unreachable")
        .unwrap()["fix"]
        .clone();
    let edits = fix["edits"].as_array().unwrap();
    assert!(!edits.is_empty(), "{fix}");
    // 1-based lines and columns in characters
    let offset = |p: &Value| {
        let (line, col) = (
            p["line"].as_u64().unwrap() as usize,
            p["column"].as_u64().unwrap() as usize,
        );
        let start: usize = text
            .split_inclusive('\n')
            .take(line - 1)
            .map(str::len)
            .sum();
        start
            + text[start..]
                .chars()
                .take(col - 1)
                .map(char::len_utf8)
                .sum::<usize>()
    };
    let mut fixed = text.clone();
    for e in edits.iter().rev() {
        assert_eq!(e["file"], "r1.yaml");
        let (s, t) = (offset(&e["range"]["start"]), offset(&e["range"]["end"]));
        fixed.replace_range(s..t, e["new_text"].as_str().unwrap());
    }
    assert_eq!(fixed, text.replace("km-svcc", "km-svc"));

    let dir = scratch("fix-json-quoted");
    let text = stream(&double_quoted(&broken), &literal(KM_TOML));
    common::write(&dir.join("r1.yaml"), text.as_bytes());
    let d = json(&dir, &[]);
    let fix = &d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "key-manager-unreachable")
        .unwrap()["fix"];
    assert_eq!(fix["title"], "Replace with `km-svc`");
    assert_eq!(fix["edits"], serde_json::json!([]), "{fix}");
}

/// A ConfigMap mounted by two workloads is one text for both: a fix is
/// written once when both want it, and not at all when they want different
/// ones (one workload's fix would be the other's mistake), saying why.
#[test]
fn a_configmap_two_workloads_mount_is_fixed_only_when_they_agree() {
    let text = include_str!("../crates/lsp/tests/shared-configmap.yaml");
    let dir = scratch("fix-shared");
    common::write(&dir.join("m.yaml"), text.as_bytes());
    let o = common::run_in(&dir, &["check", ".", "--fix", "--unsafe-fixes"]);
    assert_eq!(std::fs::read_to_string(dir.join("m.yaml")).unwrap(), text);
    let err = common::stderr(&o);
    assert!(
        err.contains(
            "the ConfigMap `shared` is mounted by 2 workloads (`m/a`, `m/b`) whose fixes differ"
        ),
        "{err}"
    );
    assert!(!err.contains("apimlint: applied"), "{err}");

    let same = text.replace("-DportOffset=100\"", "-DportOffset=1000\"");
    let dir = scratch("fix-shared-same");
    common::write(&dir.join("m.yaml"), same.as_bytes());
    let o = common::run_in(&dir, &["check", ".", "--fix", "--unsafe-fixes"]);
    let err = common::stderr(&o);
    assert!(err.contains("applied 1 fix to 1 file: m.yaml"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("m.yaml")).unwrap(),
        same.replace("localhost:9443", "localhost:10443")
    );
}

/// `--diff` of a manifest shows the lines the fix changes, with every
/// secret of the TOML and every Secret value of the stream starred.
#[test]
fn a_diff_of_a_manifest_never_shows_a_secret() {
    let dir = scratch("fix-diff");
    let km = KM_TOML.replace("username", "usernam");
    let text = format!(
        "{}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  token: Wh0leS3cretV4lue\n",
        stream(&literal(GW_TOML), &literal(&km))
    );
    common::write(&dir.join("r1.yaml"), text.as_bytes());
    let o = common::run_in(&dir, &["check", ".", "--diff", "--unsafe-fixes"]);
    let out = common::stdout(&o);
    assert!(
        out.contains("-    usernam = \"admin\"\n+    username = \"admin\""),
        "{out}"
    );
    assert!(out.contains("password = \"****"), "{out}");
    for secret in ["Sup3rS3cretAdm1n", "Wh0leS3cretV4lue"] {
        assert!(!out.contains(secret), "{out}");
    }
    // nothing written
    assert_eq!(std::fs::read_to_string(dir.join("r1.yaml")).unwrap(), text);
}

/// WSO2's own Compose deployment (`wso2/docker-apim`, its `conf/` read from
/// `../shared/corpus` at test time) with the Compose file its repository
/// ships beside it: the service names reach the nodes they mount.
#[test]
fn compose_service_names_reach_their_nodes() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../shared/corpus/wso2__docker-apim/4.2.x/docker-compose/apim-is-as-km-with-analytics/conf",
    );
    if !src.is_dir() {
        eprintln!("SKIPPED: {} is absent", src.display());
        return;
    }
    let dir = scratch("compose");
    for node in ["apim", "is-as-km"] {
        let rel = format!("{node}/repository/conf/deployment.toml");
        common::write(
            &dir.join("conf").join(&rel),
            &std::fs::read(src.join(&rel)).unwrap(),
        );
    }
    let compose = r#"services:
  mysql:
    image: mysql:8.0
  is-as-km:
    image: wso2is-km:5.11.0
    volumes:
      - ./conf/is-as-km:/home/wso2carbon/wso2-config-volume
    ports:
      - "9444:9444"
  api-manager:
    image: wso2am:4.2.0
    volumes:
      - type: bind
        source: ./conf/apim
        target: /home/wso2carbon/wso2-config-volume
    ports:
      - "9443:9443"
"#;
    let ids = |v: &Value| -> Vec<String> {
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == "unknown-host" || d["rule"] == "key-manager-unreachable")
            .map(|d| format!("{} {} {}", d["rule"], d["node"], d["message"]))
            .collect()
    };
    // without the Compose file, `api-manager` names nothing
    let before = ids(&json(&dir, &[]));
    assert!(
        before.iter().any(|f| f.contains("`api-manager`")),
        "{before:#?}"
    );
    common::write(&dir.join("docker-compose.yml"), compose.as_bytes());
    let v = json(&dir, &[]);
    assert!(ids(&v).is_empty(), "{:#?}", ids(&v));
    let n = v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "conf/apim")
        .unwrap();
    assert_eq!(n["source"]["name"], "api-manager");
    // the key manager URL on the wrong port: reported on the API-M node,
    // in its own file
    let apim = dir.join("conf/apim/repository/conf/deployment.toml");
    let text = std::fs::read_to_string(&apim).unwrap();
    common::write(
        &apim,
        text.replace("is-as-km:9444/services", "is-as-km:9443/services")
            .as_bytes(),
    );
    let v = json(&dir, &[]);
    let f = ids(&v);
    assert!(
        f.iter().any(|x| x.contains("key-manager-unreachable")
            && x.contains("conf/apim")
            && x.contains("9444")),
        "{f:#?}"
    );
}

/// A control plane and a gateway, each a Compose service, writing their
/// URLs to each other on the Docker host (`host.docker.internal`, reached
/// through what the other service publishes) and on `localhost` (inside a
/// container: the container itself).
const COMPOSE_CP: &str = r#"[server]
hostname = "cp.example.com"
server_role = "control-plane"

[apim.event_hub]
enable = true
service_url = "https://localhost:9443/services/"

[[apim.gateway.environment]]
name = "Default"
type = "hybrid"
service_url = "https://host.docker.internal:9443/services/"
https_endpoint = "https://localhost:8243"
"#;

const COMPOSE_GW: &str = r#"[server]
hostname = "gw.example.com"
server_role = "gateway-worker"

[apim.key_manager]
service_url = "https://localhost:9445/services/"

[apim.event_hub]
enable = true
service_url = "https://host.docker.internal:9445/services/"

[apim.sync_runtime_artifacts.gateway]
gateway_labels = ["Default"]
"#;

/// A Compose deployment `r1/cp` + `r1/gw` whose services publish `cp_ports`
/// and `gw_ports` (YAML sequence items, indented for `ports:`).
fn compose_published(name: &str, cp_ports: &str, gw_ports: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    common::write(
        &dir.join("r1/cp/repository/conf/deployment.toml"),
        COMPOSE_CP.as_bytes(),
    );
    common::write(
        &dir.join("r1/gw/repository/conf/deployment.toml"),
        COMPOSE_GW.as_bytes(),
    );
    write_compose(&dir, cp_ports, gw_ports);
    dir
}

fn write_compose(dir: &Path, cp_ports: &str, gw_ports: &str) {
    let compose = format!(
        "services:\n  cp:\n    image: wso2am:4.2.0\n    volumes:\n      - ./r1/cp:/home/wso2carbon/wso2-config-volume\n    ports:\n{cp_ports}\n  gw:\n    image: wso2am-universal-gw:4.2.0\n    volumes:\n      - ./r1/gw:/home/wso2carbon/wso2-config-volume\n    ports:\n{gw_ports}\n"
    );
    common::write(&dir.join("docker-compose.yml"), compose.as_bytes());
}

/// The wiring findings: unknown hosts and unreachable URLs, as
/// `rule node message`.
fn wiring(v: &Value) -> Vec<String> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["rule"] == "unknown-host" || d["rule"].as_str().unwrap().ends_with("unreachable")
        })
        .map(|d| format!("{} {} {}", d["rule"], d["node"], d["message"]))
        .collect()
}

/// `apimlint graph`'s edges as `from url -> status to…`.
fn graph_edges(dir: &Path) -> Vec<String> {
    let o = common::run_in(dir, &["graph", ".", "--format", "json"]);
    let g: Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut edges: Vec<String> = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let to: Vec<&str> = e["to"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect();
            format!(
                "{} {} -> {} {}",
                e["from"].as_str().unwrap(),
                e["url"].as_str().unwrap(),
                e["status"].as_str().unwrap(),
                to.join(",")
            )
        })
        .collect();
    edges.sort();
    edges
}

/// Compose published ports are load-balancer entries on the Docker host:
/// `host.docker.internal` reaches the service that publishes the port, the
/// published port mapped to the container port; `localhost` inside a
/// container is the container, published ports or not.
#[test]
fn compose_published_ports_reach_their_services() {
    let dir = compose_published(
        "compose-published",
        "      - \"9445:9443\"",
        "      - \"9443:9443\"\n      - \"127.0.0.1:8243:8243/tcp\"",
    );
    let v = json(&dir, &[]);
    // inside a container `localhost` is the container itself, whatever
    // another service publishes (https://docs.docker.com/engine/network/#published-ports):
    // the gateway's key manager on `localhost:9445` is the gateway
    assert_eq!(
        wiring(&v),
        [
            "\"key-manager-unreachable\" \"r1/gw\" \"`https://localhost:9445/services/` reaches `r1/gw` (gateway-worker), not a control-plane or key-manager or is-key-manager\""
        ],
    );
    assert_eq!(
        graph_edges(&dir),
        [
            "r1/cp https://host.docker.internal:9443/services/ -> ok r1/gw",
            "r1/cp https://localhost:8243 -> wrong-role ",
            "r1/cp https://localhost:9443/services/ -> ok r1/cp",
            "r1/gw https://host.docker.internal:9445/services/ -> ok r1/cp",
            "r1/gw https://localhost:9445/services/ -> wrong-role ",
        ],
    );
    // nothing published: `host.docker.internal` names nothing
    write_compose(&dir, "      []", "      []");
    let f = wiring(&json(&dir, &[]));
    assert!(
        f.iter()
            .any(|x| x.contains("unknown-host") && x.contains("host.docker.internal")),
        "{f:#?}"
    );
}

/// A `network_mode: host` container shares the Docker host's network
/// stack: its `localhost` is the host, where the published ports are; the
/// same URL from a container on a Compose network is that container.
#[test]
fn compose_loopback_is_the_container_unless_network_mode_host() {
    let dir = compose_published("compose-host-mode", "      - \"9445:9443\"", "      []");
    let km = |v: &Value| -> Vec<String> {
        wiring(v)
            .into_iter()
            .filter(|x| x.contains("localhost:9445"))
            .collect()
    };
    assert_eq!(km(&json(&dir, &[])).len(), 1);
    let compose = std::fs::read_to_string(dir.join("docker-compose.yml")).unwrap();
    common::write(
        &dir.join("docker-compose.yml"),
        compose
            .replace("  gw:\n", "  gw:\n    network_mode: host\n")
            .as_bytes(),
    );
    assert!(
        km(&json(&dir, &[])).is_empty(),
        "{:#?}",
        km(&json(&dir, &[]))
    );
    assert!(
        graph_edges(&dir)
            .iter()
            .any(|e| e == "r1/gw https://localhost:9445/services/ -> ok r1/cp"),
        "{:#?}",
        graph_edges(&dir)
    );
}

/// `host.docker.internal` on a port no service publishes, where no service
/// of the expected role publishes anything it listens on: the using rule
/// reports it, naming the ports that are published.
#[test]
fn compose_docker_host_port_nobody_publishes() {
    let dir = compose_published("compose-unpublished", "      []", "      - \"8243:8243\"");
    let f = wiring(&json(&dir, &[]));
    assert!(
        f.iter().any(|x| x.contains("event-hub-unreachable")
            && x.contains(
                "no Compose service publishes port 9445 on the Docker host (published: 8243 (`gw`))"
            )),
        "{f:#?}"
    );
}

/// A published port forwarding to a container port the node does not
/// listen on: a wrong port naming the mapping, with no fix (the URL's port
/// is right); a port no service publishes on `host.docker.internal`: a
/// wrong port naming the one published, with its fix.
#[test]
fn compose_published_ports_map_to_the_wrong_container_port() {
    let dir = compose_published(
        "compose-wrong-port",
        "      - \"9445:9444\"",
        "      - \"9443:9443\"\n      - \"8243:8243\"",
    );
    let gw = dir.join("r1/gw/repository/conf/deployment.toml");
    let via_host = COMPOSE_GW.replace("localhost:9445", "host.docker.internal:9445");
    common::write(&gw, via_host.as_bytes());
    let v = json(&dir, &[]);
    let km: Vec<&Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "key-manager-unreachable")
        .collect();
    assert_eq!(km.len(), 1, "{km:#?}");
    assert_eq!(km[0]["node"], "r1/gw");
    assert_eq!(
        km[0]["message"],
        "`https://host.docker.internal:9445/services/` uses port 9445, which the Compose service `cp` publishes to container port 9444, but `r1/cp` listens on 9443"
    );
    assert!(
        km[0]["help"]
            .as_str()
            .unwrap()
            .contains("`ports` entry `9445:9444` of the Compose service `cp`"),
        "{:#}",
        km[0]
    );
    assert!(km[0]["fix"].is_null(), "{:#}", km[0]);
    assert_eq!(at(&dir, km[0]), "9445/services/\"");
    // the gateway's event hub URL on a port nobody publishes
    write_compose(&dir, "      - \"9445:9443\"", "      - \"9443:9443\"");
    common::write(
        &gw,
        via_host
            .replace(
                "service_url = \"https://host.docker.internal:9445/services/\"\n\n[apim.sync",
                "service_url = \"https://host.docker.internal:9446/services/\"\n\n[apim.sync",
            )
            .as_bytes(),
    );
    let v = json(&dir, &[]);
    let f = wiring(&v);
    assert_eq!(
        f,
        [
            "\"event-hub-unreachable\" \"r1/gw\" \"`https://host.docker.internal:9446/services/` uses port 9446, but `r1/cp` listens on 9445\""
        ],
    );
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "event-hub-unreachable")
        .unwrap();
    assert_eq!(d["fix"]["title"], "Use port 9445");
}

/// A Service port whose `targetPort` is not the node's port: the mapping is
/// named, and the URL's port (the Service's) is not "fixed" to itself.
#[test]
fn a_wrong_target_port_names_the_mapping() {
    let dir = scratch("target-port");
    common::write(
        &dir.join("r1.yaml"),
        stream(&double_quoted(GW_TOML), &double_quoted(KM_TOML))
            .replace("targetPort: https", "targetPort: 9444")
            .as_bytes(),
    );
    let v = json(&dir, &[]);
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "key-manager-unreachable")
        .unwrap();
    assert_eq!(
        d["message"],
        "`https://km-svc:9443/services/` uses port 9443, which the Service maps to target port 9444, but `r1/km` listens on 9443"
    );
    assert!(d["fix"].is_null(), "{d:#}");
}

/// Long-syntax `ports` entries publish as the short ones; malformed ones,
/// UDP ones and bare container ports publish nothing, and break nothing.
#[test]
fn compose_long_syntax_and_malformed_ports() {
    let dir = compose_published(
        "compose-long",
        "      - target: 9443\n        published: \"9445\"\n        host_ip: 127.0.0.1\n        protocol: tcp\n        mode: host\n      - \"${CP_PORT}:9443\"\n      - \"9446-9447:9443-9445\"\n      - {target: oops}\n      - [9443, 9443]\n      - \"9448:9443/udp\"\n      - 9449\n      - \"99999:9443\"",
        "      - {target: 9443, published: 9443}\n      - target: 8243\n        published: \"8243\"",
    );
    let gw = dir.join("r1/gw/repository/conf/deployment.toml");
    common::write(
        &gw,
        COMPOSE_GW
            .replace("localhost:9445", "host.docker.internal:9445")
            .as_bytes(),
    );
    let v = json(&dir, &[]);
    assert!(wiring(&v).is_empty(), "{:#?}", wiring(&v));
    assert!(
        graph_edges(&dir)
            .iter()
            .any(|e| e == "r1/gw https://host.docker.internal:9445/services/ -> ok r1/cp"),
        "{:#?}",
        graph_edges(&dir)
    );
    // `localhost` is the gateway's own container, on any port, published or
    // not: the URL reaches the gateway
    for port in ["9446", "9448", "9449", "9443"] {
        common::write(
            &gw,
            COMPOSE_GW
                .replace("localhost:9445", &format!("localhost:{port}"))
                .as_bytes(),
        );
        let f = wiring(&json(&dir, &[]));
        assert_eq!(
            f,
            [format!(
                "\"key-manager-unreachable\" \"r1/gw\" \"`https://localhost:{port}/services/` reaches `r1/gw` (gateway-worker), not a control-plane or key-manager or is-key-manager\""
            )],
            "{port}"
        );
    }
}

/// Ingress, Gateway API and OpenShift hosts reach the nodes behind their
/// backend Services like load balancers (any port).
#[test]
fn ingress_and_routes_are_load_balancers() {
    for (name, extra, host) in [
        (
            "ingress",
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: km\n  namespace: r1\nspec:\n  rules:\n    - host: keys.example.com\n      http:\n        paths:\n          - path: /\n            backend:\n              service:\n                name: km-svc\n                port:\n                  number: 9443\n",
            "keys.example.com",
        ),
        (
            "httproute",
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: km\n  namespace: r1\nspec:\n  hostnames: [\"keys-gw.example.com\"]\n  rules:\n    - backendRefs:\n        - name: km-svc\n          port: 9443\n",
            "keys-gw.example.com",
        ),
        (
            "route",
            "apiVersion: route.openshift.io/v1\nkind: Route\nmetadata:\n  name: km\n  namespace: r1\nspec:\n  host: keys-os.example.com\n  to:\n    kind: Service\n    name: km-svc\n",
            "keys-os.example.com",
        ),
    ] {
        let dir = scratch(name);
        let gw = double_quoted(&GW_TOML.replace("km-svc:9443", &format!("{host}:443")));
        let mut text = stream(&gw, &double_quoted(KM_TOML));
        text.push_str("---\n");
        text.push_str(extra);
        common::write(&dir.join("r1.yaml"), text.as_bytes());
        let v = json(&dir, &[]);
        let bad: Vec<&Value> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                d["rule"] == "unknown-host" || d["rule"].as_str().unwrap().ends_with("unreachable")
            })
            .collect();
        assert!(bad.is_empty(), "{name}: {bad:#?}");
        // without the object, the host names nothing
        common::write(
            &dir.join("r1.yaml"),
            stream(&gw, &double_quoted(KM_TOML)).as_bytes(),
        );
        let v = json(&dir, &[]);
        assert!(
            v["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["rule"] == "unknown-host"),
            "{name}: {v:#}"
        );
    }
}

/// `apimlint graph` draws the Services and the nodes they select.
#[test]
fn graph_draws_services() {
    let dir = scratch("graph");
    common::write(
        &dir.join("r1.yaml"),
        stream(&double_quoted(GW_TOML), &double_quoted(KM_TOML)).as_bytes(),
    );
    let o = common::run_in(&dir, &["graph", ".", "--format", "json"]);
    let g: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        g["services"],
        serde_json::json!([{"region": "r1", "name": "km-svc", "namespace": "r1", "nodes": ["r1/km"]}])
    );
    let dot = common::stdout(&common::run_in(&dir, &["graph", "."]));
    assert!(
        dot.contains("s0 [label=\"svc/km-svc\"") && dot.contains("s0 -> n1"),
        "{dot}"
    );
    let mermaid = common::stdout(&common::run_in(
        &dir,
        &["graph", ".", "--format", "mermaid"],
    ));
    assert!(
        mermaid.contains("s0([\"svc/km-svc\"])") && mermaid.contains("s0 -.- n1"),
        "{mermaid}"
    );
}

/// A workload's `replicas` count as that many nodes where rules count:
/// region 2 runs one gateway pod where region 1 runs two.
#[test]
fn replicas_count_as_members() {
    let dir = scratch("replicas");
    let text = stream(&double_quoted(GW_TOML), &double_quoted(KM_TOML));
    common::write(&dir.join("r1.yaml"), text.as_bytes());
    common::write(
        &dir.join("r2.yaml"),
        text.replace("replicas: 2", "replicas: 1").as_bytes(),
    );
    let v = json(&dir, &[]);
    let drift: Vec<&Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "region-drift")
        .collect();
    assert!(
        drift.iter().any(|d| d["node"] == "r2/gw"
            && d["message"]
                .as_str()
                .unwrap()
                .contains("r2 has 1 gateway-worker, r1 has 2")),
        "{drift:#?}"
    );
    // the same replicas on both sides: no drift
    common::write(&dir.join("r2.yaml"), text.as_bytes());
    let v = json(&dir, &[]);
    assert!(
        !v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["rule"] == "region-drift"),
        "{v:#}"
    );
}

/// `$env{NAME}` in a URL takes the container's literal `env` value; a
/// `valueFrom` stays unresolved.
#[test]
fn env_values_resolve_in_urls() {
    let dir = scratch("env");
    let gw = double_quoted(&GW_TOML.replace("km-svc:9443", "$env{KM_HOST}:9444"));
    let with_env = |value: &str| {
        stream(&gw, &double_quoted(KM_TOML)).replace(
            "        - name: gw\n          volumeMounts:",
            &format!("        - name: gw\n          env:\n            - name: KM_HOST\n{value}\n          volumeMounts:"),
        )
    };
    common::write(
        &dir.join("r1.yaml"),
        with_env("              value: km-svc").as_bytes(),
    );
    let v = json(&dir, &[]);
    assert!(
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["node"] == "r1/gw"
                && d["rule"] == "key-manager-unreachable"
                && d["message"].as_str().unwrap().contains("9444")),
        "{v:#}"
    );
    common::write(
        &dir.join("r1.yaml"),
        with_env("              valueFrom: {fieldRef: {fieldPath: status.podIP}}").as_bytes(),
    );
    let v = json(&dir, &[]);
    assert!(
        !v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["rule"] == "key-manager-unreachable"),
        "{v:#}"
    );
}

/// A directory of unrelated YAML is no deployment: the same error as an
/// empty one.
#[test]
fn unrelated_yaml_alone_is_no_deployment() {
    let dir = scratch("unrelated");
    common::write(
        &dir.join("docker-compose.yml"),
        b"services:\n  web:\n    image: nginx\n",
    );
    common::write(&dir.join(".github/workflows/ci.yml"), b"on: push\n");
    let o = common::run_in(&dir, &["check", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stdout(&o));
    assert!(common::stderr(&o).contains("no `deployment.toml` found"));
}

/// A ConfigMap holding `toml` and the workload `kind`/`name` of namespace
/// `ns` mounting it: pods labelled `labels`, container ports `ports`
/// (name, number), `JAVA_OPTS` = `java_opts` when given.
fn member(
    kind: &str,
    name: &str,
    ns: &str,
    labels: &[(&str, &str)],
    ports: &[(&str, i64)],
    java_opts: &str,
    toml: &str,
) -> String {
    let labels: String = labels
        .iter()
        .map(|(k, v)| format!("        {k}: {v}\n"))
        .collect();
    let ports: String = ports
        .iter()
        .map(|(n, p)| format!("            - name: {n}\n              containerPort: {p}\n"))
        .collect();
    let env = if java_opts.is_empty() {
        String::new()
    } else {
        format!(
            "          env:\n            - name: JAVA_OPTS\n              value: \"{java_opts}\"\n"
        )
    };
    let service_name = if kind == "StatefulSet" {
        format!("  serviceName: {name}-headless\n")
    } else {
        String::new()
    };
    format!(
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-conf
  namespace: {ns}
data:
  deployment.toml: {toml}
---
apiVersion: apps/v1
kind: {kind}
metadata:
  name: {name}
  namespace: {ns}
spec:
{service_name}  template:
    metadata:
      labels:
{labels}    spec:
      containers:
        - name: wso2am
{env}          ports:
            - name: unused
              containerPort: 1
{ports}          volumeMounts:
            - name: conf
              mountPath: /home/wso2carbon/wso2am/repository/conf/deployment.toml
              subPath: deployment.toml
      volumes:
        - name: conf
          configMap:
            name: {name}-conf
---
"#,
        toml = double_quoted(toml)
    )
}

/// A Service of namespace `ns` (`clusterIP: None` when `headless`) with
/// `selector` and ports (port, targetPort).
fn service(
    name: &str,
    ns: &str,
    selector: &[(&str, &str)],
    ports: &[(i64, &str)],
    headless: bool,
) -> String {
    let selector: String = selector
        .iter()
        .map(|(k, v)| format!("    {k}: {v}\n"))
        .collect();
    let ports: String = ports
        .iter()
        .map(|(p, t)| format!("    - port: {p}\n      targetPort: {t}\n"))
        .collect();
    let cluster_ip = if headless { "  clusterIP: None\n" } else { "" };
    format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n{cluster_ip}  selector:\n{selector}  ports:\n{ports}---\n"
    )
}

/// The findings of `rule` as (node, message, help).
fn findings(v: &Value, rule: &str) -> Vec<(String, String, String)> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == rule)
        .map(|d| {
            (
                d["node"].as_str().unwrap_or("").to_owned(),
                d["message"].as_str().unwrap_or("").to_owned(),
                d["help"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// A gateway in namespace `r1` whose key manager URL is `km_url`, the
/// key manager StatefulSet `km` in `km_ns` (named port `https` = 9443), and
/// `extra` (Services…).
fn km_deployment(name: &str, km_url: &str, km_ns: &str, extra: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    let gw = GW_TOML.replace("https://km-svc:9443/services/", km_url);
    let text = member(
        "Deployment",
        "gw",
        "r1",
        &[("app", "gw"), ("part-of", "apim")],
        &[("https", 9443)],
        "",
        &gw,
    ) + &member(
        "StatefulSet",
        "km",
        km_ns,
        &[("app", "km"), ("part-of", "apim")],
        &[("https", 9443)],
        "",
        KM_TOML,
    ) + extra;
    common::write(&dir.join("r1.yaml"), text.as_bytes());
    dir
}

/// A Service's named `targetPort` is each selected pod's container port of
/// that name: a key manager running with `-DportOffset=2` names 9445 `https`.
#[test]
fn a_named_target_port_resolves_per_pod() {
    let dir = scratch("named-per-pod");
    let km = |offset: &str, port: i64| {
        member(
            "StatefulSet",
            &format!("km-{port}"),
            "r1",
            &[("app", "km")],
            &[("https", port)],
            offset,
            KM_TOML,
        )
    };
    let text = member("Deployment", "gw", "r1", &[("app", "gw")], &[], "", GW_TOML)
        + &km("", 9443)
        + &km("-Xmx2g -DportOffset=2", 9445)
        + &service("km-svc", "r1", &[("app", "km")], &[(9443, "https")], false);
    common::write(&dir.join("r1.yaml"), text.as_bytes());
    let v = json(&dir, &[]);
    assert_eq!(findings(&v, "key-manager-unreachable"), vec![], "{v:#}");
    let edges = graph_edges(&dir);
    assert!(
        edges
            .iter()
            .any(|e| e.contains("km-svc") && e.contains("r1/km-9443") && e.contains("r1/km-9445")),
        "{edges:#?}"
    );
}

/// A Service whose selector matches no pod of its namespace, or whose
/// named `targetPort` no selected container declares, reaches nothing: the
/// using rule says why (never an empty list of nodes).
#[test]
fn a_service_without_endpoints_is_the_using_rules_finding() {
    let url = "https://km-svc:9443/services/";
    let no_pods = km_deployment(
        "svc-no-pods",
        url,
        "r1",
        &service("km-svc", "r1", &[("app", "kmx")], &[(9443, "https")], false),
    );
    let v = json(&no_pods, &[]);
    let f = findings(&v, "key-manager-unreachable");
    assert_eq!(f.len(), 1, "{v:#}");
    assert_eq!(f[0].0, "r1/gw");
    assert!(
        f[0].1
            .contains("reaches nothing: the Service `km-svc` selects no pod"),
        "{f:?}"
    );
    // the pods are in another namespace than the Service
    let other_ns = km_deployment(
        "svc-other-ns",
        "https://km-svc.r1:9443/services/",
        "keys",
        &service("km-svc", "r1", &[("app", "km")], &[(9443, "https")], false),
    );
    let f = findings(&json(&other_ns, &[]), "key-manager-unreachable");
    assert!(
        f.len() == 1 && f[0].1.contains("pods of namespace `keys` do"),
        "{f:?}"
    );
    let no_port = km_deployment(
        "svc-no-named-port",
        url,
        "r1",
        &service("km-svc", "r1", &[("app", "km")], &[(9443, "httpz")], false),
    );
    let f = findings(&json(&no_port, &[]), "key-manager-unreachable");
    assert!(
        f.len() == 1
            && f[0]
                .1
                .contains("maps port 9443 to the named `targetPort` `httpz`"),
        "{f:?}"
    );
}

/// A Service's bare name resolves only from pods of its own namespace
/// (Kubernetes' DNS search path); `name.namespace` from everywhere.
#[test]
fn bare_service_names_resolve_only_in_their_namespace() {
    let svc = service(
        "km-svc",
        "keys",
        &[("app", "km")],
        &[(9443, "https")],
        false,
    );
    let dir = km_deployment("bare-name", "https://km-svc:9443/services/", "keys", &svc);
    let f = findings(&json(&dir, &[]), "key-manager-unreachable");
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].1.contains("names nothing in this node's namespace"),
        "{f:?}"
    );
    assert_eq!(f[0].2, "did you mean `km-svc.keys`?");
    let dir = km_deployment(
        "ns-name",
        "https://km-svc.keys:9443/services/",
        "keys",
        &svc,
    );
    let v = json(&dir, &[]);
    assert_eq!(findings(&v, "key-manager-unreachable"), vec![], "{v:#}");
    assert_eq!(findings(&v, "unknown-host"), vec![], "{v:#}");
}

/// `<pod>.<service>` exists only under the StatefulSet's governing headless
/// Service: under another Service of the namespace it is a near miss of
/// the right name; under a governing Service that is not headless, nothing.
#[test]
fn pod_names_exist_only_under_the_governing_headless_service() {
    let services = service("km-svc", "r1", &[("app", "km")], &[(9443, "https")], false)
        + &service(
            "km-headless",
            "r1",
            &[("app", "km")],
            &[(9443, "https")],
            true,
        );
    let dir = km_deployment(
        "pod-under-clusterip",
        "https://km-0.km-svc:9443/services/",
        "r1",
        &services,
    );
    let f = findings(&json(&dir, &[]), "key-manager-unreachable");
    assert!(
        f.len() == 1 && f[0].2 == "did you mean `km-0.km-headless`?",
        "{f:?}"
    );
    let dir = km_deployment(
        "pod-under-headless",
        "https://km-0.km-headless:9443/services/",
        "r1",
        &services,
    );
    let v = json(&dir, &[]);
    assert_eq!(findings(&v, "key-manager-unreachable"), vec![], "{v:#}");
    assert_eq!(findings(&v, "unknown-host"), vec![], "{v:#}");
    let not_headless = service(
        "km-headless",
        "r1",
        &[("app", "km")],
        &[(9443, "https")],
        false,
    );
    let dir = km_deployment(
        "pod-under-non-headless",
        "https://km-0.km-headless:9443/services/",
        "r1",
        &not_headless,
    );
    let v = json(&dir, &[]);
    assert_eq!(findings(&v, "unknown-host").len(), 1, "{v:#}");
}

/// A Service that selects pods of other roles besides the expected one
/// balances connections onto them: the using rule's finding.
#[test]
fn a_service_selecting_several_roles_is_a_finding() {
    let svc = service(
        "km-svc",
        "r1",
        &[("part-of", "apim")],
        &[(9443, "https")],
        false,
    );
    let dir = km_deployment("svc-too-broad", "https://km-svc:9443/services/", "r1", &svc);
    let f = findings(&json(&dir, &[]), "key-manager-unreachable");
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].1
            .contains("selects `r1/gw` (gateway-worker) besides `r1/km`"),
        "{f:?}"
    );
}

/// A Service name one edit from a declared sibling's is a near miss: an
/// undeclared Service has no DNS record (not a node the tree leaves out).
#[test]
fn near_miss_service_names_are_the_using_rules_finding() {
    let svc = service(
        "km-1-svc",
        "r1",
        &[("app", "km")],
        &[(9443, "https")],
        false,
    );
    let dir = km_deployment(
        "svc-near-miss",
        "https://km-2-svc:9443/services/",
        "r1",
        &svc,
    );
    let v = json(&dir, &[]);
    let f = findings(&v, "key-manager-unreachable");
    assert!(
        f.len() == 1 && f[0].2 == "did you mean `km-1-svc`?",
        "{v:#}"
    );
    assert_eq!(findings(&v, "unknown-host"), vec![], "{v:#}");
}

/// An absolute DNS name (a final dot) is the same name, in manifests and in
/// plain trees.
#[test]
fn absolute_dns_names_with_a_final_dot_resolve() {
    let svc = service("km-svc", "r1", &[("app", "km")], &[(9443, "https")], false);
    let dir = km_deployment(
        "fqdn-dot",
        "https://km-svc.r1.svc.cluster.local.:9443/services/",
        "r1",
        &svc,
    );
    let v = json(&dir, &[]);
    assert_eq!(findings(&v, "key-manager-unreachable"), vec![], "{v:#}");
    assert_eq!(findings(&v, "unknown-host"), vec![], "{v:#}");
    let plain = scratch("fqdn-dot-plain");
    common::write(
        &plain.join("r1/gw/repository/conf/deployment.toml"),
        GW_TOML
            .replace("km-svc:9443", "KM.example.com.:9443")
            .as_bytes(),
    );
    common::write(
        &plain.join("r1/km/repository/conf/deployment.toml"),
        KM_TOML.as_bytes(),
    );
    let v = json(&plain, &[]);
    assert_eq!(findings(&v, "unknown-host"), vec![], "{v:#}");
    assert_eq!(findings(&v, "key-manager-unreachable"), vec![], "{v:#}");
}

/// JMS and binary connections keep one connection: through a Service in
/// front of two traffic managers a gateway's decision subscription reaches
/// one of them, so it covers neither.
#[test]
fn a_jms_subscription_through_a_service_covers_one_pod_only() {
    let tm = |name: &str| {
        member(
            "Deployment",
            name,
            "r1",
            &[("app", "tm"), ("member", name)],
            &[("jms", 5672), ("binary", 9611), ("binary-ssl", 9711)],
            "",
            &format!(
                "[server]\nhostname = \"{name}\"\nserver_role = \"traffic-manager\"\n\n[apim.throttling]\nevent_duplicate_url = [\"tcp://{}:5672\"]\n",
                if name == "tm-1" { "tm-2" } else { "tm-1" }
            ),
        )
    };
    let ports = [(5672, "jms"), (9611, "binary"), (9711, "binary-ssl")];
    let gw = |decision: &str| {
        format!(
            "{GW_TOML}\n[apim.throttling]\nthrottle_decision_endpoints = [{decision}]\n\n[[apim.throttling.url_group]]\ntraffic_manager_urls = [\"tcp://tm-1:9611\"]\ntraffic_manager_auth_urls = [\"ssl://tm-1:9711\"]\n\n[[apim.throttling.url_group]]\ntraffic_manager_urls = [\"tcp://tm-2:9611\"]\ntraffic_manager_auth_urls = [\"ssl://tm-2:9711\"]\n"
        )
    };
    let text = |decision: &str| {
        member(
            "Deployment",
            "gw",
            "r1",
            &[("app", "gw")],
            &[],
            "",
            &gw(decision),
        ) + &tm("tm-1")
            + &tm("tm-2")
            + &service("tm-1", "r1", &[("member", "tm-1")], &ports, false)
            + &service("tm-2", "r1", &[("member", "tm-2")], &ports, false)
            + &service("tm", "r1", &[("app", "tm")], &ports, false)
    };
    let dir = scratch("jms-through-service");
    common::write(&dir.join("r1.yaml"), text("\"tcp://tm:5672\"").as_bytes());
    let v = json(&dir, &[]);
    let f = findings(&v, "throttle-url-group-incomplete");
    let decisions: Vec<_> = f
        .iter()
        .filter(|f| {
            f.1.starts_with("`throttle_decision_endpoints` does not reach")
        })
        .collect();
    assert_eq!(decisions.len(), 2, "{v:#}");
    common::write(
        &dir.join("r1.yaml"),
        text("\"tcp://tm-1:5672\", \"tcp://tm-2:5672\"").as_bytes(),
    );
    let v = json(&dir, &[]);
    assert_eq!(
        findings(&v, "throttle-url-group-incomplete"),
        vec![],
        "{v:#}"
    );
    assert_eq!(findings(&v, "event-duplicate-asymmetric"), vec![], "{v:#}");
    // a peer URL through a Service without endpoints: said, never "reaches ,"
    common::write(
        &dir.join("r1.yaml"),
        (text("\"tcp://tm-1:5672\", \"tcp://tm-2:5672\"")
            .replace("    member: tm-2\n  ports", "    member: tm2\n  ports"))
        .as_bytes(),
    );
    let v = json(&dir, &[]);
    let f = findings(&v, "event-duplicate-asymmetric");
    assert!(
        f.iter().any(|f| f.0 == "r1/tm-1"
            && f.1 == "`tcp://tm-2:5672` reaches nothing: the Service `tm-2` selects no pod: no workload of namespace `r1` carries every label of its `selector`"),
        "{f:?}"
    );
    assert!(f.iter().all(|f| !f.1.contains("reaches ,")), "{f:?}");
}

/// A URL on a port the Service does not expose (and no port of it reaches
/// the node's): the using rule names the ports it does expose.
#[test]
fn a_port_the_service_does_not_expose_names_its_ports() {
    let svc = service(
        "km-svc",
        "r1",
        &[("app", "km")],
        &[(9763, "9763"), (8243, "8243")],
        false,
    );
    let dir = km_deployment(
        "svc-not-exposed",
        "https://km-svc:9443/services/",
        "r1",
        &svc,
    );
    let f = findings(&json(&dir, &[]), "key-manager-unreachable");
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        f[0].1,
        "`https://km-svc:9443/services/` reaches nothing: the Service `km-svc` does not expose port 9443 (its ports: 9763, 8243)"
    );
}

/// A control plane (`./cp`) and a gateway (`./gw`) whose key manager URL is
/// `https://{km_host}:9443/services/`, with the Compose file `compose`.
fn compose_pair(name: &str, km_host: &str, compose: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    common::write(
        &dir.join("r1/cp/repository/conf/deployment.toml"),
        b"[server]\nhostname = \"cp.example.com\"\nserver_role = \"control-plane\"\n",
    );
    common::write(
        &dir.join("r1/gw/repository/conf/deployment.toml"),
        format!("[server]\nhostname = \"gw.example.com\"\nserver_role = \"gateway-worker\"\n\n[apim.key_manager]\nservice_url = \"https://{km_host}:9443/services/\"\n").as_bytes(),
    );
    common::write(&dir.join("r1/docker-compose.yml"), compose.as_bytes());
    dir
}

/// The key-manager findings of a run, as `node message`.
fn km_findings(v: &Value) -> Vec<String> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "key-manager-unreachable")
        .map(|d| format!("{} {}", d["node"], d["message"]))
        .collect()
}

/// Compose names resolve only on the networks two services share
/// (https://docs.docker.com/compose/how-tos/networking/); an alias only on
/// the network it is declared on; nothing to or from a `network_mode: host`
/// container; an alias of containers of several roles is reported.
#[test]
fn compose_names_are_scoped_to_shared_networks() {
    let cp = "  cp:\n    volumes: [./cp:/home/wso2carbon/wso2-config-volume]\n";
    let gw = "  gw:\n    volumes: [./gw:/home/wso2carbon/wso2-config-volume]\n";
    let cases: [(&str, String, Option<&str>); 6] = [
        // one default network: reached
        ("cp", format!("services:\n{cp}{gw}"), None),
        // disjoint networks
        (
            "cp",
            format!("services:\n{cp}    networks: [back]\n{gw}    networks: [front]\n"),
            Some("is not on a network `gw` joins (front)"),
        ),
        // an alias declared on the network the gateway is not on
        (
            "km.internal",
            format!(
                "services:\n{cp}    networks:\n      back:\n        aliases: [km.internal]\n      front: {{}}\n{gw}    networks: [front]\n"
            ),
            Some("`km.internal` (`cp`) is not on a network `gw` joins (front)"),
        ),
        // the same alias on the shared network: reached
        (
            "km.internal",
            format!(
                "services:\n{cp}    networks:\n      front:\n        aliases: [km.internal]\n{gw}    networks: [front]\n"
            ),
            None,
        ),
        // the target on the host's network
        (
            "cp",
            format!("services:\n{cp}    network_mode: host\n{gw}"),
            Some("`cp` runs with `network_mode: host`: it is on no Compose network"),
        ),
        // an alias given to the control plane and the gateway
        (
            "apim",
            format!(
                "services:\n{cp}    networks:\n      default:\n        aliases: [apim]\n{gw}    networks:\n      default:\n        aliases: [apim]\n"
            ),
            Some(
                "`apim` names containers of several roles (`cp` (control-plane), `gw` (gateway-worker))",
            ),
        ),
    ];
    for (k, (host, compose, want)) in cases.iter().enumerate() {
        let dir = compose_pair(&format!("compose-net-{k}"), host, compose);
        let f = km_findings(&json(&dir, &[]));
        match want {
            None => assert!(f.is_empty(), "{k}: {f:#?}"),
            Some(w) => assert!(
                f.len() == 1 && f[0].starts_with("\"r1/gw\"") && f[0].contains(w),
                "{k}: {f:#?}"
            ),
        }
    }
}

/// `env_file` (relative to the Compose file) sets `-DportOffset` as
/// `environment:` does; `extends` inherits a service's volume, so a second
/// service mounting one file is a node of its own: `<region>/<service>`.
#[test]
fn compose_env_file_and_extends() {
    let dir = compose_pair(
        "compose-env-file",
        "cp",
        "services:\n  cp:\n    volumes: [./cp:/home/wso2carbon/wso2-config-volume]\n    env_file: [./cp.env]\n  gw:\n    volumes: [./gw:/home/wso2carbon/wso2-config-volume]\n",
    );
    common::write(
        &dir.join("r1/cp.env"),
        b"# JVM\nJAVA_OPTS=-Xmx1g -DportOffset=2\n",
    );
    let f = km_findings(&json(&dir, &[]));
    assert!(
        f.len() == 1 && f[0].contains("uses port 9443, but `r1/cp` listens on 9445"),
        "{f:#?}"
    );
    // gw-2 extends gw and mounts gw's file: two gateways, one gateway_id
    let gw = dir.join("r1/gw/repository/conf/deployment.toml");
    let text = std::fs::read_to_string(&gw).unwrap();
    common::write(
        &gw,
        format!("{text}\n[apim.gateway_notification]\nenabled = true\ngateway_id = \"gw-a\"\n\n[super_admin]\nusername = \"admin\"\npassword = \"Pl4inS3cretGw\"\n")
            .as_bytes(),
    );
    common::write(
        &dir.join("r1/docker-compose.yml"),
        b"services:\n  cp:\n    volumes: [./cp:/home/wso2carbon/wso2-config-volume]\n  gw:\n    volumes: [./gw:/home/wso2carbon/wso2-config-volume]\n  gw-2:\n    extends: {service: gw}\n",
    );
    let v = json(&dir, &[]);
    let ids: Vec<&str> = v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"r1/gw-2") && ids.contains(&"r1/gw"),
        "{ids:?}"
    );
    assert!(
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["rule"] == "gateway-id-duplicate" && d["node"] == "r1/gw-2"),
        "{v:#}"
    );
    // the second node's findings show the file with its secrets starred
    for format in ["human", "json", "sarif"] {
        let o = common::run_in(&dir, &["check", ".", "--format", format]);
        let out = common::stdout(&o);
        assert!(out.contains("plaintext-password"), "{format}: {out}");
        assert!(!out.contains("Pl4inS3cretGw"), "{format}: {out}");
    }
}

/// Two services of one project publishing one host port on the same
/// address: `port-conflict` (Docker binds a host port once); different
/// host IPs do not clash.
#[test]
fn compose_published_port_collision() {
    let svc = |ports: &str, gw2: &str| {
        format!(
            "services:\n  cp:\n    volumes: [./cp:/home/wso2carbon/wso2-config-volume]\n    ports: {ports}\n  gw:\n    volumes: [./gw:/home/wso2carbon/wso2-config-volume]\n    ports: {gw2}\n"
        )
    };
    let conflicts = |compose: &str, k: &str| -> Vec<String> {
        let dir = compose_pair(&format!("compose-collide-{k}"), "cp", compose);
        json(&dir, &[])["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == "port-conflict")
            .map(|d| d["message"].as_str().unwrap().to_owned())
            .collect()
    };
    let f = conflicts(
        &svc("['8243:8243', '9443:9443']", "['0.0.0.0:8243:8243']"),
        "a",
    );
    assert!(
        f.len() == 1 && f[0].contains("publishes host port 8243 that `cp`"),
        "{f:#?}"
    );
    assert!(
        conflicts(
            &svc("['127.0.0.1:8243:8243']", "['10.0.0.2:8243:8243']"),
            "b"
        )
        .is_empty()
    );
    assert!(conflicts(&svc("['8243:8243']", "['8244:8243']"), "c").is_empty());
}

/// A database host that is a Compose service name is that project's
/// server: two regions' `mssql` are two servers, an FQDN stays one.
#[test]
fn compose_database_service_names_are_per_project() {
    let dir = scratch("compose-db-scope");
    for r in ["dc1", "dc2"] {
        for (n, role) in [("cp", "control-plane"), ("tm", "traffic-manager")] {
            common::write(
                &dir.join(format!("{r}/{n}/repository/conf/deployment.toml")),
                format!("[server]\nhostname = \"{n}.{r}.example.com\"\nserver_role = \"{role}\"\n\n[database.apim_db]\ntype = \"mysql\"\nurl = \"jdbc:mysql://mysql:3306/apim_db\"\n").as_bytes(),
            );
        }
        common::write(
            &dir.join(format!("{r}/docker-compose.yml")),
            b"services:\n  mysql:\n    image: mysql:8\n  cp:\n    volumes: [./cp:/home/wso2carbon/wso2-config-volume]\n  tm:\n    volumes: [./tm:/home/wso2carbon/wso2-config-volume]\n",
        );
    }
    let shared = |v: &Value| {
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == "database-shared-across-regions")
            .count()
    };
    assert_eq!(shared(&json(&dir, &[])), 0);
    // the same FQDN in both regions is one server
    for r in ["dc1", "dc2"] {
        for n in ["cp", "tm"] {
            let p = dir.join(format!("{r}/{n}/repository/conf/deployment.toml"));
            let t = std::fs::read_to_string(&p).unwrap();
            common::write(
                &p,
                t.replace("mysql:3306", "db.example.com:3306").as_bytes(),
            );
        }
    }
    assert!(shared(&json(&dir, &[])) > 0);
}

/// A manifest that does not parse is still shown around its error; with no
/// parse, its Secret values are not known, so every value that may be a
/// secret is starred line by line: a Secret's values, secret-named keys, a
/// TOML password in a block and URL credentials — in every format.
#[test]
fn an_unparsable_manifest_shows_no_secret() {
    let dir = scratch("unparsable-secret");
    let cases = [
        // the error right below a Secret's value
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  admin: Sup3rS3cretOne\n  other: @bad\n  deployment.toml: |\n    [server]\n",
        // a ConfigMap: a secret-named key and a TOML block around the error
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  db_password: Sup3rS3cretTwo\n  deployment.toml: |\n    [super_admin]\n    password = \"Sup3rS3cretThree\"\n    url = \"https://u:Sup3rS3cretFour@cp:9443/\"\n  x: @bad\n",
        // base64 data of a Secret under a flow error
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  token: U3VwM3JTM2NyZXRGaXZl\n  bad: [unclosed\n",
    ];
    let secrets = [
        "Sup3rS3cretOne",
        "Sup3rS3cretTwo",
        "Sup3rS3cretThree",
        "Sup3rS3cretFour",
        "U3VwM3JTM2NyZXRGaXZl",
    ];
    for (k, text) in cases.iter().enumerate() {
        common::write(&dir.join(format!("m{k}.yaml")), text.as_bytes());
    }
    for format in ["human", "json", "sarif", "github", "compact"] {
        let o = common::run_in(
            &dir,
            &["check", ".", "--format", format, "--color", "never"],
        );
        let out = common::stdout(&o);
        assert!(
            out.contains("not valid YAML"),
            "{format}: the errors are reported: {out}"
        );
        for s in secrets {
            assert!(!out.contains(s), "{format} shows `{s}`:\n{out}");
        }
    }
}
