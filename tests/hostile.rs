//! Hostile input: every file here is one a hurried person (or a broken
//! tool) could leave in a deployment tree. Each must end within seconds with
//! exit 0, 1 or 2 (never a panic, a signal or a hang), in every output format,
//! with well-formed JSON, a finding that says where the problem is, and the
//! good node beside it still analysed.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Generous: a debug build on a loaded 2-core machine. A run past this is a hang.
const DEADLINE: Duration = Duration::from_secs(90);

/// The good node every tree carries, with one known finding.
const GOOD: &str = "[server]\nserver_role = \"gatway-worker\"\n";

/// An environment variable every run carries: `/proc/self/environ` holds it.
const ENV_MARKER: &str = "env-marker-5f3c9a";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run apimlint with `args` in `cwd`, killing it at the deadline.
fn apimlint(cwd: &Path, args: &[&str]) -> Run {
    let out = tempfile(cwd, "out");
    let err = tempfile(cwd, "err");
    let mut child = Command::new(env!("CARGO_BIN_EXE_apimlint"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("APIMLINT_HOSTILE_MARKER", ENV_MARKER)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("apimlint {args:?} in {} hung", cwd.display());
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let read = |p: &Path| {
        let mut bytes = Vec::new();
        std::fs::File::open(p)
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
        String::from_utf8(bytes).unwrap_or_else(|e| panic!("output is not UTF-8: {e}"))
    };
    let run = Run {
        code: status
            .code()
            .unwrap_or_else(|| panic!("apimlint {args:?} was killed by a signal: {status:?}")),
        stdout: read(&out),
        stderr: read(&err),
    };
    let _ = std::fs::remove_file(out);
    let _ = std::fs::remove_file(err);
    assert!(
        (0..=2).contains(&run.code),
        "apimlint {args:?}: exit {}\n{}",
        run.code,
        run.stderr
    );
    assert!(
        !run.stderr.contains("panicked"),
        "apimlint {args:?} panicked:\n{}",
        run.stderr
    );
    run
}

fn tempfile(dir: &Path, what: &str) -> PathBuf {
    dir.with_extension(format!("{what}-{}", std::process::id()))
}

/// A fresh tree `<tmp>/hostile-<name>` holding the good node `r/good`.
fn tree(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("hostile-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    write(&dir.join("r/good/deployment.toml"), GOOD.as_bytes());
    dir
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Check `dir` in every format; returns the JSON report.
fn check(dir: &Path) -> Value {
    let json = apimlint(dir, &["check", ".", "--format", "json"]);
    let v: Value = serde_json::from_str(&json.stdout)
        .unwrap_or_else(|e| panic!("JSON output does not parse: {e}\n{}", json.stderr));
    for f in ["human", "compact"] {
        let r = apimlint(dir, &["check", ".", "--format", f]);
        assert_eq!(r.code, json.code, "{f}: another exit code than JSON");
    }
    // fixes, as a diff (nothing written), safe and unsafe
    apimlint(dir, &["check", ".", "--diff", "--unsafe-fixes"]);
    let graph = apimlint(dir, &["graph", ".", "--format", "json"]);
    serde_json::from_str::<Value>(&graph.stdout)
        .unwrap_or_else(|e| panic!("graph JSON does not parse: {e}"));
    // the good node is still analysed
    assert!(
        findings(&v, "r/good")
            .iter()
            .any(|d| d["rule"] == "invalid-server-role"),
        "the good node was not analysed: {:#}",
        v["diagnostics"]
    );
    v
}

/// Diagnostics on a node.
fn findings<'a>(v: &'a Value, node: &str) -> Vec<&'a Value> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["node"] == node)
        .collect()
}

/// The one finding of `rule` on `node`, with its 1-based line and column.
fn finding<'a>(v: &'a Value, node: &str, rule: &str) -> (&'a Value, u64, u64) {
    let d = findings(v, node)
        .into_iter()
        .find(|d| d["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} on {node}: {:#}", v["diagnostics"]));
    let s = &d["range"]["start"];
    (
        d,
        s["line"].as_u64().unwrap(),
        s["column"].as_u64().unwrap(),
    )
}

fn message(d: &Value) -> &str {
    d["message"].as_str().unwrap()
}

#[test]
fn an_empty_file_is_a_node_of_unknown_role() {
    let dir = tree("empty");
    write(&dir.join("r/bad/deployment.toml"), b"");
    let v = check(&dir);
    let (_, line, col) = finding(&v, "r/bad", "role-unknown");
    assert_eq!((line, col), (1, 1));
    // a file holding nothing but a byte-order mark is empty too
    write(&dir.join("r/bad/deployment.toml"), "\u{feff}".as_bytes());
    finding(&check(&dir), "r/bad", "role-unknown");
}

#[test]
fn a_file_that_is_not_utf8_is_unreadable_with_the_offset() {
    let dir = tree("not-utf8");
    write(
        &dir.join("r/bad/deployment.toml"),
        b"[server]\nhostname = \"caf\xe9\"\n",
    );
    write(&dir.join("r/nul/deployment.toml"), b"[server]\n\0\0\0\n");
    let v = check(&dir);
    let (d, line, col) = finding(&v, "r/bad", "unreadable-file");
    assert_eq!((line, col), (1, 1));
    assert!(
        message(d).contains("not valid UTF-8") && message(d).contains("offset 24"),
        "{d}"
    );
    let (d, line, _) = finding(&v, "r/nul", "toml-syntax");
    assert_eq!(line, 2, "{d}");
}

#[test]
fn a_bom_and_crlf_keep_lines_and_columns_right() {
    let dir = tree("bom-crlf");
    write(
        &dir.join("r/bad/deployment.toml"),
        "\u{feff}[server]\r\nserver_role = \"gatway-worker\"\r\n".as_bytes(),
    );
    write(
        &dir.join("r/syntax/deployment.toml"),
        "\u{feff}[server\r\nx = 1\r\n".as_bytes(),
    );
    let v = check(&dir);
    let (_, line, col) = finding(&v, "r/bad", "invalid-server-role");
    assert_eq!((line, col), (2, 15), "the value starts at column 15");
    let (_, line, col) = finding(&v, "r/syntax", "toml-syntax");
    assert_eq!((line, col), (1, 8), "the BOM is no column");
    let human = apimlint(&dir, &["check", ".", "--format", "human"]).stdout;
    assert!(human.contains("r/bad/deployment.toml:2:15]"), "{human}");
    assert!(human.contains("r/syntax/deployment.toml:1:8]"), "{human}");
    let compact = apimlint(&dir, &["check", ".", "--format", "compact"]).stdout;
    assert!(compact.contains("r/bad/deployment.toml:2:15:"), "{compact}");
}

#[test]
fn deep_nesting_is_a_syntax_error_not_a_stack_overflow() {
    let dir = tree("deep");
    let n = 200_000;
    let arrays = format!("x = {}{}\n", "[".repeat(n), "]".repeat(n));
    let tables = format!("x = {}1{}\n", "{a = ".repeat(n), "}".repeat(n));
    let mixed = format!("x = {}1{}\n", "[{a = ".repeat(n / 2), "}]".repeat(n / 2));
    let headers = format!("[{}]\nx = 1\n", vec!["a"; n].join("."));
    let keys = format!("{} = 1\n", vec!["a"; n].join("."));
    for (name, text) in [
        ("arrays", &arrays),
        ("tables", &tables),
        ("mixed", &mixed),
        ("headers", &headers),
        ("keys", &keys),
    ] {
        write(
            &dir.join(format!("r/{name}/deployment.toml")),
            text.as_bytes(),
        );
    }
    let v = check(&dir);
    for name in ["arrays", "tables", "mixed", "headers", "keys"] {
        let (d, line, _) = finding(&v, &format!("r/{name}"), "toml-syntax");
        assert_eq!(line, 1, "{d}");
    }
}

#[test]
fn a_30_mb_file_is_refused_by_size() {
    let dir = tree("30mb");
    let line = format!("k = \"{}\"\n", "v".repeat(100));
    write(
        &dir.join("r/bad/deployment.toml"),
        line.repeat(30 * 1024 * 1024 / line.len()).as_bytes(),
    );
    let v = check(&dir);
    let (d, ..) = finding(&v, "r/bad", "unreadable-file");
    assert!(message(d).contains("over the 10 MiB limit"), "{d}");
}

#[test]
fn a_5_mb_line_is_located_but_never_printed() {
    let dir = tree("long-line");
    let long = "a".repeat(5 * 1024 * 1024);
    // a syntax error at the end of the long line, and one on the next line
    write(
        &dir.join("r/bad/deployment.toml"),
        format!("[server]\nhostname = \"{long}\" oops\n").as_bytes(),
    );
    write(
        &dir.join("r/next/deployment.toml"),
        format!("[server]\nhostname = \"{long}\"\nnode_ip = 5 x\n").as_bytes(),
    );
    let v = check(&dir);
    let (_, line, col) = finding(&v, "r/bad", "toml-syntax");
    assert_eq!((line, col), (2, 5 * 1024 * 1024 + 15));
    let (_, line, _) = finding(&v, "r/next", "toml-syntax");
    assert_eq!(line, 3);
    let human = apimlint(&dir, &["check", ".", "--format", "human"]).stdout;
    assert!(human.len() < 100_000, "{} bytes of output", human.len());
    assert!(
        human.contains(&format!(
            "r/bad/deployment.toml:2:{} (the line is too long to show)",
            5 * 1024 * 1024 + 15
        )),
        "{human}"
    );
}

/// 20,000 url groups naming 40,000 distinct hosts, each a near miss of the
/// traffic manager's name: 40,000 findings, each with a fix. Judging the
/// fixes is linear in the file (it was one re-parse of the 3 MB file per
/// fix: over five minutes).
#[test]
fn twenty_thousand_url_groups() {
    let dir = tree("url-groups");
    let base = "traffic-manager.example.com";
    write(
        &dir.join("r/tm/deployment.toml"),
        format!("[server]\nhostname = \"{base}\"\nserver_role = \"traffic-manager\"\n").as_bytes(),
    );
    // two letters changed: pair of letter positions, then the two letters
    let letters: Vec<usize> = base
        .char_indices()
        .filter(|(_, c)| c.is_ascii_lowercase())
        .map(|(i, _)| i)
        .collect();
    let pairs: Vec<(usize, usize)> = letters
        .iter()
        .enumerate()
        .flat_map(|(k, a)| letters.iter().skip(k + 1).map(move |b| (*a, *b)))
        .collect();
    let host = |i: usize| {
        let (p1, p2) = pairs[i % pairs.len()];
        let mut h = base.as_bytes().to_vec();
        let other = |orig: u8, n: usize| {
            let alphabet: Vec<u8> = (b'a'..=b'z').filter(|c| *c != orig).collect();
            alphabet[n % 25]
        };
        h[p1] = other(h[p1], i / pairs.len());
        h[p2] = other(h[p2], i / pairs.len() / 25);
        String::from_utf8(h).unwrap()
    };
    let mut text = String::from("[server]\nserver_role = \"gateway-worker\"\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "[[apim.throttling.url_group]]\ntraffic_manager_urls = [\"tcp://{}:9611\"]\ntraffic_manager_auth_urls = [\"ssl://{}:9711\"]\n",
            host(2 * i),
            host(2 * i + 1)
        ));
    }
    write(&dir.join("r/gw/deployment.toml"), text.as_bytes());
    let v = check(&dir);
    let near: Vec<&Value> = findings(&v, "r/gw")
        .into_iter()
        .filter(|d| d["rule"] == "throttle-url-unreachable")
        .collect();
    assert_eq!(near.len(), 40_000, "one finding per host");
    assert!(
        near.iter()
            .all(|d| d["fix"]["edits"][0]["new_text"] == base),
        "every near miss has its fix: {:#}",
        near[0]
    );
}

#[test]
fn urls_empty_truncated_out_of_range_placeholders_non_ascii() {
    let dir = tree("urls");
    let urls = [
        "",
        "tcp://",
        "tcp://:",
        "tcp://host:",
        "tcp://host:99999999999999999999",
        "tcp://host:65536",
        "tcp://host:-1",
        "tcp://host:0",
        "tcp://[::1",
        "tcp://[]:1",
        "tcp://${a}:${b}${c}",
        "tcp://${",
        "$env{X}",
        "tcp://h:${mgt.transport.https.port}",
        "tcp://${carbon.local.ip}:${unknown.port}",
        "tcp://höst.ëxample.com:5672",
        "tcp://ホスト:5672",
        "tcp://h\u{0301}:1",
        "tcp://a@b@c:1",
        "tcp://%41:1",
        "ssl://h:1:2:3",
        "tcp://h.:1",
        "tcp://\u{7f}:1",
        "\u{202e}tcp://h:1",
        "tcp:/h:1",
        "://h:1",
        "tcp//h:1",
        "TCP://LOCALHOST:5672",
    ];
    let list = urls
        .iter()
        .map(|u| format!("{u:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut text = String::from("[server]\nserver_role = \"gateway-worker\"\n");
    text.push_str(&format!(
        "[apim.key_manager]\nservice_url = \"\"\n[apim.event_hub]\nservice_url = \"https://\"\nevent_listening_endpoints = [{list}]\n[apim.throttling]\nthrottle_decision_endpoints = [{list}]\n"
    ));
    for u in urls {
        text.push_str(&format!(
            "[[apim.throttling.url_group]]\ntraffic_manager_urls = [{u:?}]\ntraffic_manager_auth_urls = [{u:?}]\n"
        ));
    }
    text.push_str(&format!(
        "[[apim.gateway.environment]]\nname = \"e\"\nservice_url = \"\"\nhttp_endpoint = \"http://\"\nhttps_endpoint = {:?}\nws_endpoint = \"ws://[\"\nwss_endpoint = \"wss://h:99999\"\n",
        urls[16]
    ));
    write(&dir.join("r/gw/deployment.toml"), text.as_bytes());
    let v = check(&dir);
    assert!(!findings(&v, "r/gw").is_empty());
}

/// Every `key = value` line of the clean sample with its value replaced.
fn retyped(text: &str, value: &str) -> String {
    text.lines()
        .map(|l| match l.split_once(" = ") {
            Some((k, _)) if !l.trim_start().starts_with('#') => format!("{k} = {value}\n"),
            _ => format!("{l}\n"),
        })
        .collect()
}

#[test]
fn values_of_the_wrong_type_everywhere() {
    let dir = tree("types");
    let sample =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/deployments/pattern-1/region-1");
    let values = [
        "1",
        "-9223372036854775808",
        "1e308",
        "nan",
        "\"x\"",
        "\"\"",
        "true",
        "[]",
        "[1, \"a\", {}]",
        "{}",
        "{ a = { b = [1] } }",
        "1979-05-27T07:32:00Z",
        "07:32:00",
    ];
    for entry in std::fs::read_dir(&sample).unwrap() {
        let node = entry.unwrap().file_name().to_string_lossy().into_owned();
        let text =
            std::fs::read_to_string(sample.join(&node).join("repository/conf/deployment.toml"))
                .unwrap();
        for (i, value) in values.iter().enumerate() {
            write(
                &dir.join(format!("t{i}/{node}/deployment.toml")),
                retyped(&text, value).as_bytes(),
            );
        }
    }
    // tables where values belong and values where tables belong
    write(
        &dir.join("t/top/deployment.toml"),
        b"server = 1\napim = \"x\"\nkeystore = [1, 2]\nsecrets = 5\n[database]\napim_db = 3\nshared_db = { url = 5, type = [] }\n[[event_listener]]\nproperties = \"x\"\n",
    );
    let v = check(&dir);
    assert!(v["summary"]["nodes"].as_u64().unwrap() > 13 * 6);
}

#[test]
fn symlink_loops_and_dangling_links() {
    let dir = tree("symlinks");
    std::fs::create_dir_all(dir.join("r/loop")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("r/loop/up")).unwrap();
    std::os::unix::fs::symlink(".", dir.join("r/loop/here")).unwrap();
    std::os::unix::fs::symlink("deployment.toml", dir.join("r/loop/deployment.toml")).unwrap();
    std::fs::create_dir_all(dir.join("r/dangling")).unwrap();
    std::os::unix::fs::symlink("nowhere.toml", dir.join("r/dangling/deployment.toml")).unwrap();
    let v = check(&dir);
    let (d, ..) = finding(&v, "r/loop", "unreadable-file");
    assert!(message(d).contains("symbolic link"), "{d}");
    let (d, ..) = finding(&v, "r/dangling", "unreadable-file");
    assert!(message(d).contains("symbolic link to nothing"), "{d}");
}

/// A `deployment.toml` that is a link out of the deployment — to a file
/// holding a marker, to `/proc/self/environ`, through a linked directory —
/// is a finding naming where it points, and not a byte of the target is
/// shown in any format.
#[test]
fn links_out_of_the_deployment_are_never_read() {
    let dir = tree("outside");
    let outside = dir.with_extension("outside");
    let _ = std::fs::remove_dir_all(&outside);
    let marker = "file-marker-81d2e7";
    write(
        &outside.join("deployment.toml"),
        format!(
            "[server]\nhostname = \"{marker}\"\nserver_role = \"gateway-worker\"\n{marker} = 1\n"
        )
        .as_bytes(),
    );
    std::fs::create_dir_all(dir.join("r/file")).unwrap();
    std::os::unix::fs::symlink(
        outside.join("deployment.toml"),
        dir.join("r/file/deployment.toml"),
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("r/environ")).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", dir.join("r/environ/deployment.toml"))
        .unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("r/linked-dir")).unwrap();
    // a link that stays inside the deployment is read as usual
    std::fs::create_dir_all(dir.join("r/inside")).unwrap();
    std::os::unix::fs::symlink(
        "../good/deployment.toml",
        dir.join("r/inside/deployment.toml"),
    )
    .unwrap();
    let v = check(&dir);
    for node in ["r/file", "r/environ", "r/linked-dir"] {
        let (d, ..) = finding(&v, node, "unreadable-file");
        assert!(message(d).contains("outside the deployment"), "{d}");
    }
    let (d, ..) = finding(&v, "r/environ", "unreadable-file");
    assert!(
        message(d).contains("/proc/self/environ") || message(d).contains("/proc/"),
        "{d}"
    );
    assert!(
        findings(&v, "r/inside")
            .iter()
            .any(|d| d["rule"] == "invalid-server-role"),
        "the link inside the deployment is read"
    );
    let mut outputs = Vec::new();
    for f in ["json", "human", "compact", "sarif", "github"] {
        outputs.push(apimlint(&dir, &["check", ".", "--format", f]));
    }
    outputs.push(apimlint(&dir, &["check", ".", "--diff", "--unsafe-fixes"]));
    outputs.push(apimlint(&dir, &["graph", ".", "--format", "json"]));
    outputs.push(apimlint(&dir, &["graph", ".", "--format", "dot"]));
    for r in &outputs {
        for text in [&r.stdout, &r.stderr] {
            assert!(!text.contains(marker), "the outside file leaked:\n{text}");
            assert!(
                !text.contains(ENV_MARKER),
                "the environment leaked:\n{text}"
            );
            assert!(!text.contains("PATH="), "the environment leaked:\n{text}");
        }
    }
}

#[test]
fn a_directory_or_a_fifo_named_deployment_toml_never_blocks() {
    let dir = tree("not-regular");
    std::fs::create_dir_all(dir.join("r/dir/deployment.toml")).unwrap();
    std::fs::create_dir_all(dir.join("r/fifo")).unwrap();
    let made = Command::new("mkfifo")
        .arg(dir.join("r/fifo/deployment.toml"))
        .status()
        .is_ok_and(|s| s.success());
    assert!(made, "mkfifo failed");
    let v = check(&dir);
    let (d, line, col) = finding(&v, "r/dir", "unreadable-file");
    assert_eq!((line, col), (1, 1));
    assert!(message(d).contains("is a directory"), "{d}");
    let (d, ..) = finding(&v, "r/fifo", "unreadable-file");
    assert!(message(d).contains("is a FIFO"), "{d}");
}

#[test]
fn a_bad_project_file_fails_the_run_with_its_location() {
    let cases: [(&str, &[u8], &str); 6] = [
        ("syntax", b"[rules\n", "apimlint.toml:1:"),
        (
            "not-utf8",
            b"[deployment]\nversion = \"4.\xff\"\n",
            "apimlint.toml:1:1",
        ),
        (
            "unknown-rule",
            b"[rules]\nunknown-hostt = \"off\"\n",
            "apimlint.toml:2:1",
        ),
        ("wrong-type", b"[hosts]\n\"lb\" = 5\n", "apimlint.toml:2:"),
        (
            "wrong-level",
            b"[rules]\nunknown-host = \"of\"\n",
            "apimlint.toml:2:",
        ),
        (
            "deep",
            format!("x = {}{}\n", "[".repeat(100_000), "]".repeat(100_000))
                .into_bytes()
                .leak(),
            "apimlint.toml:1:",
        ),
    ];
    for (name, text, location) in cases {
        let dir = tree(&format!("config-{name}"));
        write(&dir.join("apimlint.toml"), text);
        for f in ["json", "human", "compact"] {
            let r = apimlint(&dir, &["check", ".", "--format", f]);
            assert_eq!(r.code, 2, "{name}: {}", r.stderr);
            assert!(
                r.stderr.contains(location),
                "{name}: no `{location}` in {}",
                r.stderr
            );
        }
    }
    // a directory named apimlint.toml is no project file: the run goes on
    let dir = tree("config-dir");
    std::fs::create_dir_all(dir.join("apimlint.toml")).unwrap();
    check(&dir);
}

/// The finding of `rule` located in `file` (a path relative to the root),
/// with its 1-based line.
fn on_file<'a>(v: &'a Value, file: &str, rule: &str) -> (&'a Value, u64) {
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"] == file && d["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {file}: {:#}", v["diagnostics"]));
    (d, d["range"]["start"]["line"].as_u64().unwrap())
}

/// A ConfigMap holding a gateway's `deployment.toml` (`toml`, indented
/// under a literal block).
fn config_map(name: &str, toml: &str) -> String {
    let body: String = toml.lines().map(|l| format!("    {l}\n")).collect();
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: r1\ndata:\n  deployment.toml: |\n{body}"
    )
}

const GW: &str = "[server]\nhostname = \"gw.example.com\"\nserver_role = \"gateway-worker\"\n";

/// YAML nested 200,000 deep (a Compose file of sequences, a manifest of
/// flow sequences, a 300 KB single line of `[`, mappings), and several files
/// 50,000 deep each: a syntax-level finding located where the nesting goes
/// too deep, not a stack overflow (exit 134). It was one: the tree was
/// built without recursion, but dropped recursively.
#[test]
fn deeply_nested_yaml_is_a_located_finding_not_a_stack_overflow() {
    let dir = tree("deep-yaml");
    let n = 200_000;
    write(
        &dir.join("compose.yaml"),
        format!("{}v\n", "- ".repeat(n)).as_bytes(),
    );
    let cm = config_map("gw", GW);
    write(
        &dir.join("k8s/flow.yaml"),
        format!("{cm}---\nx: {}\n", "[".repeat(300_000)).as_bytes(),
    );
    write(
        &dir.join("k8s/maps.yaml"),
        format!("{cm}---\nx: {}v{}\n", "{k: ".repeat(n), "}".repeat(n)).as_bytes(),
    );
    for i in 0..4 {
        write(
            &dir.join(format!("k8s/many-{i}.yaml")),
            format!("{cm}---\n{}v\n", "- ".repeat(50_000)).as_bytes(),
        );
    }
    let v = check(&dir);
    let (d, line) = on_file(&v, "compose.yaml", "unreadable-file");
    assert_eq!(line, 1, "{d}");
    assert!(message(d).contains("nest deeper than 1000 levels"), "{d}");
    for file in [
        "k8s/flow.yaml",
        "k8s/maps.yaml",
        "k8s/many-0.yaml",
        "k8s/many-3.yaml",
    ] {
        let (d, line) = on_file(&v, file, "unreadable-file");
        // (the parser's own limit on flow collections says so first)
        assert!(
            message(d).contains("nest deeper than 1000 levels")
                || message(d).contains("recursion limit exceeded"),
            "{d}"
        );
        assert_eq!(line, 12, "located at the nesting, after the ConfigMap: {d}");
    }
}

/// A TOML nested 200,000 deep inside a ConfigMap (arrays, inline tables):
/// a `toml-syntax` finding in the manifest, like a plain file's.
#[test]
fn deeply_nested_toml_in_a_manifest_is_a_syntax_error() {
    let dir = tree("deep-toml-manifest");
    let n = 200_000;
    write(
        &dir.join("k8s/arrays.yaml"),
        config_map("a", &format!("x = {}{}", "[".repeat(n), "]".repeat(n))).as_bytes(),
    );
    write(
        &dir.join("k8s/tables.yaml"),
        config_map("t", &format!("x = {}1{}", "{a = ".repeat(n), "}".repeat(n))).as_bytes(),
    );
    let v = check(&dir);
    for file in ["k8s/arrays.yaml", "k8s/tables.yaml"] {
        let (d, line) = on_file(&v, file, "toml-syntax");
        assert_eq!(line, 8, "{d}");
    }
}

/// A "billion laughs" of anchors and aliases, in a manifest and a Compose
/// file: aliases are never expanded, so it costs its text.
#[test]
fn alias_bombs_cost_their_text() {
    let dir = tree("aliases");
    let mut bomb = String::from(
        "a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    for i in 1..=12 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let indented: String = bomb.lines().map(|l| format!("  {l}\n")).collect();
    let cm = config_map("gw", GW);
    write(
        &dir.join("k8s/bomb.yaml"),
        format!("{cm}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\nx-bomb:\n{indented}data:\n  x: *a12\n  deployment.toml: *a12\n").as_bytes(),
    );
    write(
        &dir.join("compose.yaml"),
        format!("x-bomb:\n{indented}services:\n  gw:\n    image: wso2\n    environment: *a12\n    command: *a12\n").as_bytes(),
    );
    let v = check(&dir);
    assert!(
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["file"] != "compose.yaml"),
        "{:#}",
        v["diagnostics"]
    );
    // the good node, the ConfigMap beside the bomb, and the bomb's
    // `deployment.toml`: an alias, never followed, a finding at it
    assert_eq!(v["summary"]["nodes"], 3, "{:#}", v["summary"]);
    let (d, _) = on_file(&v, "k8s/bomb.yaml", "unreadable-file");
    assert!(message(d).contains("alias"), "{d}");
}

/// A TOML file of 50,000 tables, and 50,000 unknown keys: each is a
/// finding, and judging them is linear (it was quadratic: 50,000 keys took
/// 13 s of CPU in a release build, 1.6 s now; 100,000 tables are measured
/// by hand, too slow for a debug build on a loaded machine).
#[test]
#[ignore = "minutes in a debug build on a loaded machine: run with `cargo test --release --test hostile -- --ignored`"]
fn fifty_thousand_unknown_keys_and_tables() {
    let dir = tree("many-keys");
    let mut keys = String::from("[server]\nserver_role = \"gateway-worker\"\n[apim]\n");
    let mut tables = keys.clone();
    for i in 0..50_000 {
        keys.push_str(&format!("k{i} = 1\n"));
        tables.push_str(&format!("[t{i}]\n"));
    }
    write(&dir.join("r/keys/deployment.toml"), keys.as_bytes());
    write(&dir.join("r/tables/deployment.toml"), tables.as_bytes());
    let v = check_json(&dir);
    let unknown = |node: &str| {
        findings(&v, node)
            .iter()
            .filter(|d| d["rule"] == "unknown-key")
            .count()
    };
    assert_eq!(unknown("r/keys"), 50_000);
    assert_eq!(unknown("r/tables"), 50_000);
}

/// 30,000 suppression comments, each on the line above the key it silences,
/// and 30,000 stacked above one key: applying them is linear (it was
/// quadratic: 8.6 s in a release build).
#[test]
#[ignore = "a minute in a debug build on a loaded machine: run with `cargo test --release --test hostile -- --ignored`"]
fn thirty_thousand_suppression_comments() {
    let dir = tree("many-suppressions");
    let mut each = String::from("[server]\nserver_role = \"gateway-worker\"\n[apim]\n");
    let mut stacked = each.clone();
    for i in 0..30_000 {
        each.push_str(&format!(
            "# apimlint: allow(unknown-key) -- generated\nk{i} = 1\n"
        ));
        stacked.push_str("# apimlint: allow(unknown-key) -- generated\n");
    }
    stacked.push_str("k = 1\n");
    write(&dir.join("r/each/deployment.toml"), each.as_bytes());
    write(&dir.join("r/stacked/deployment.toml"), stacked.as_bytes());
    let v = check_json(&dir);
    let of = |node: &str, rule: &str| {
        findings(&v, node)
            .iter()
            .filter(|d| d["rule"] == rule)
            .count()
    };
    // every key silenced, every comment used
    assert_eq!(of("r/each", "unknown-key"), 0);
    assert_eq!(of("r/each", "unused-suppression"), 0);
    // the key silenced by the first comment above it; the others unused
    assert_eq!(of("r/stacked", "unknown-key"), 0);
    assert_eq!(of("r/stacked", "unused-suppression"), 29_999);
}

/// `check . --format json` alone (for trees too large to render in every
/// format in a debug build), the good node still analysed.
fn check_json(dir: &Path) -> Value {
    let json = apimlint(dir, &["check", ".", "--format", "json"]);
    let v: Value = serde_json::from_str(&json.stdout)
        .unwrap_or_else(|e| panic!("JSON output does not parse: {e}\n{}", json.stderr));
    assert_eq!(json.code, 1, "{}", json.stderr);
    assert!(
        findings(&v, "r/good")
            .iter()
            .any(|d| d["rule"] == "invalid-server-role"),
        "the good node was not analysed"
    );
    v
}

/// Directory links out of the tree are never walked: `ln -s / x` made
/// `check .` walk the whole file system and never finish. Links to `/etc`
/// and to a manifest directory outside are not walked either; a directory
/// link that stays inside is.
#[test]
fn directory_links_out_of_the_tree_are_never_walked() {
    let dir = tree("dir-links");
    let outside = dir.with_extension("dir-links-outside");
    let _ = std::fs::remove_dir_all(&outside);
    let marker = "manifest-marker-3c1f0a";
    write(
        &outside.join("k8s/apim.yaml"),
        config_map(marker, GW).as_bytes(),
    );
    write(
        &outside.join("deep/n/deployment.toml"),
        format!("{marker} = 1\n").as_bytes(),
    );
    std::os::unix::fs::symlink("/", dir.join("root")).unwrap();
    std::os::unix::fs::symlink("/etc", dir.join("etc")).unwrap();
    std::os::unix::fs::symlink(outside.join("k8s"), dir.join("k8s")).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("out")).unwrap();
    std::os::unix::fs::symlink("r/good", dir.join("inside")).unwrap();
    let v = check(&dir);
    let nodes: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["node"].as_str())
        .collect();
    assert!(
        nodes.iter().all(|n| n.starts_with("r/") || *n == "inside"),
        "{nodes:?}"
    );
    assert!(nodes.contains(&"inside"), "the link inside is walked");
    for f in ["json", "human"] {
        let r = apimlint(&dir, &["check", ".", "--format", f]);
        assert!(!r.stdout.contains(marker), "{}", r.stdout);
    }
}

/// A manifest that is not UTF-8 (one Latin-1 byte in a comment), UTF-16,
/// or over 10 MiB, and a Compose file that is not UTF-8: an
/// `unreadable-file` finding at the file, not "checked 0 nodes" and exit 0
/// — also when the file is the one named on the command line.
#[test]
fn unreadable_manifests_are_findings() {
    let dir = tree("unreadable-manifests");
    let cm = config_map("gw", GW);
    write(
        &dir.join("k8s/latin1.yaml"),
        [b"# caf\xe9\n".as_slice(), cm.as_bytes()]
            .concat()
            .as_slice(),
    );
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(cm.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    write(&dir.join("k8s/utf16.yaml"), &utf16);
    let pad = format!("# {}\n", "x".repeat(100));
    write(
        &dir.join("k8s/big.yaml"),
        format!("{cm}{}", pad.repeat(11 * 1024 * 1024 / pad.len())).as_bytes(),
    );
    write(
        &dir.join("compose.yaml"),
        b"services:\n  gw:\n    image: wso2 # caf\xe9\n",
    );
    let v = check(&dir);
    for (file, says) in [
        ("k8s/latin1.yaml", "not valid UTF-8"),
        ("k8s/utf16.yaml", "UTF-16"),
        ("k8s/big.yaml", "over the 10 MiB limit"),
        ("compose.yaml", "not valid UTF-8"),
    ] {
        let (d, line) = on_file(&v, file, "unreadable-file");
        assert_eq!(line, 1, "{d}");
        assert!(message(d).contains(says), "{d}");
    }
    // named on the command line, alone
    let alone = tree("unreadable-alone");
    std::fs::remove_dir_all(alone.join("r")).unwrap();
    write(
        &alone.join("latin1.yaml"),
        [b"# caf\xe9\n".as_slice(), cm.as_bytes()]
            .concat()
            .as_slice(),
    );
    let r = apimlint(&alone, &["check", "latin1.yaml", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    on_file(&v, "latin1.yaml", "unreadable-file");
}

/// Two ConfigMaps of one name in one namespace (`kubectl apply` keeps the
/// last) and a ConfigMap with two `deployment.toml` keys (YAML duplicate
/// keys: the last is read): the last is linted, and the duplicate is a
/// finding located at it. Only the first was linted, silently.
#[test]
fn duplicates_lint_what_kubernetes_deploys() {
    let dir = tree("duplicates");
    let bad = "[server]\nhostname = \"gw.example.com\"\nserver_role = \"gatway-worker\"\n";
    write(
        &dir.join("k8s/objects.yaml"),
        format!("{}---\n{}", config_map("gw", GW), config_map("gw", bad)).as_bytes(),
    );
    let twice = config_map("km", GW).replace(
        "data:\n",
        "data:\n  deployment.toml: |\n    [server]\n    server_role = \"gateway-worker\"\n",
    ) + "  deployment.toml: |\n    [server]\n    server_role = \"kee-manager\"\n";
    write(&dir.join("k8s/keys.yaml"), twice.as_bytes());
    let v = check(&dir);
    let (d, line) = on_file(&v, "k8s/objects.yaml", "unreadable-file");
    assert_eq!(line, 12, "at the second ConfigMap: {d}");
    assert!(message(d).contains("line 1"), "{d}");
    let (d, line) = on_file(&v, "k8s/objects.yaml", "invalid-server-role");
    assert_eq!(line, 21, "the last ConfigMap is linted: {d}");
    let keys: Vec<&Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"] == "k8s/keys.yaml")
        .collect();
    assert!(
        keys.iter()
            .any(|d| d["rule"] == "unreadable-file" && message(d).contains("written twice")),
        "{keys:#?}"
    );
    assert!(
        keys.iter().any(|d| d["rule"] == "invalid-server-role"),
        "the last key is linted: {keys:#?}"
    );
}

/// Standard input and baselines are read bounded; baselines are written
/// only to regular files inside the tree; FIFOs named like manifests never
/// block.
#[test]
fn fifos_baselines_and_standard_input_are_bounded() {
    let dir = tree("bounded");
    for name in ["pipe.yaml", "compose.yaml", "r/.gitignore"] {
        let made = Command::new("mkfifo")
            .arg(dir.join(name))
            .status()
            .is_ok_and(|s| s.success());
        assert!(made, "mkfifo failed");
    }
    let v = check(&dir);
    for file in ["pipe.yaml", "compose.yaml"] {
        let (d, _) = on_file(&v, file, "unreadable-file");
        assert!(message(d).contains("is a FIFO"), "{d}");
    }
    // a baseline that is a link to /dev/zero: refused, not read without end
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.json")).unwrap();
    let r = apimlint(&dir, &["check", ".", "--baseline", "zero.json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("not a regular file"), "{}", r.stderr);
    // written through a link out of the tree, or onto a FIFO: refused
    let outside = dir.with_extension("bounded-outside.json");
    let _ = std::fs::remove_file(&outside);
    std::os::unix::fs::symlink(&outside, dir.join("out.json")).unwrap();
    let r = apimlint(&dir, &["check", ".", "--write-baseline", "out.json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("outside the deployment"), "{}", r.stderr);
    assert!(!outside.exists(), "written outside the tree");
    let r = apimlint(&dir, &["check", ".", "--write-baseline", "pipe.yaml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("not a regular file"), "{}", r.stderr);
    // a link that stays inside is written through
    std::os::unix::fs::symlink("base.json", dir.join("in.json")).unwrap();
    let r = apimlint(&dir, &["check", ".", "--write-baseline", "in.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(dir.join("base.json").is_file());
    // 11 MiB of ConfigMaps on standard input: a clear error, exit 2
    let cm = config_map("gw", GW) + "---\n";
    let stream = cm.repeat(11 * 1024 * 1024 / cm.len() + 1);
    let mut child = Command::new(env!("CARGO_BIN_EXE_apimlint"))
        .args(["check", "-", "--format", "json"])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let _ = stdin.write_all(stream.as_bytes());
    });
    let out = child.wait_with_output().unwrap();
    let _ = writer.join();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("over the 10 MiB limit"), "{err}");
}
