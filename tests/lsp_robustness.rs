//! The language server under a storm of edits: hundreds of rapid random
//! changes to two open documents (out-of-range positions, surrogate pairs,
//! CRLF, stale versions, full replacements) sent without waiting. The server
//! must stay up, and once the storm is over its diagnostics must be those of
//! the text of the highest version (what `apimlint check` says of that text).

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

#[path = "../crates/bench/src/lsp_client.rs"]
mod lsp_client;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

fn tree(name: &str) -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/deployments/pattern-1"),
        &dir,
    );
    dir
}

fn node(root: &Path, id: &str) -> PathBuf {
    root.join(id).join("repository/conf/deployment.toml")
}

/// xorshift: reproducible randomness without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const SNIPPETS: &[&str] = &[
    "",
    "\n",
    "\r\n",
    "[",
    "]",
    "=",
    "\"",
    "'''",
    "é",
    "𝄞",
    "\u{feff}",
    "# comment\n",
    "[server]\n",
    "offset = 1\n",
    "hostname = \"tm-1.r1.example.com\"\n",
    "gateway_labels = [\"Defualt\"]\n",
    "traffic_manager_urls = [\"tcp://tm-9.r1.example.com:9611\"]\n",
    "[[apim.throttling.url_group]]\n",
    "server_role = \"control-plane\"\n",
    "x = {a = [1, {b = 2}]}\n",
];

/// One random content change: a range edit (positions up to well past the
/// end) or, now and then, a full replacement.
fn change(rng: &mut Rng, original: &str) -> Value {
    if rng.below(25) == 0 {
        return json!({"text": if rng.below(2) == 0 { original.to_owned() } else { rng.pick(SNIPPETS).repeat(3) }});
    }
    let pos = |rng: &mut Rng| {
        let line = rng.below(140);
        let wide = rng.below(4) == 0;
        let character = rng.below(if wide { 5000 } else { 60 });
        json!({"line": line, "character": character})
    };
    let (a, b) = (pos(rng), pos(rng));
    // sometimes start after end
    json!({"range": {"start": a, "end": b}, "text": rng.pick(SNIPPETS)})
}

/// (rule, 0-based line) of the findings `apimlint check` reports on `file`.
fn cli_findings(root: &Path, file: &Path) -> BTreeSet<(String, u64)> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_apimlint"))
        .args(["check", ".", "--format", "json"])
        .current_dir(root)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rel = file
        .strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"] == rel.as_str())
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["range"]["start"]["line"].as_u64().unwrap() - 1,
            )
        })
        .collect()
}

fn lsp_findings(params: &Value) -> BTreeSet<(String, u64)> {
    params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_owned(),
                d["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn hundreds_of_rapid_random_edits_then_the_diagnostics_of_the_last_version() {
    let root = tree("storm");
    let (gw, tm) = (node(&root, "region-1/gw-1"), node(&root, "region-1/tm-1"));
    let gw_text = std::fs::read_to_string(&gw).unwrap();
    let tm_text = std::fs::read_to_string(&tm).unwrap();
    let mut lsp = lsp_client::Lsp::start(Path::new(env!("CARGO_BIN_EXE_apimlint")), &root).unwrap();
    lsp.initialize(&root).unwrap();
    lsp.open(&gw, &gw_text, 1).unwrap();
    lsp.open(&tm, &tm_text, 1).unwrap();
    let docs = [(&gw, &gw_text), (&tm, &tm_text)];
    let mut versions = [1i64, 1i64];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..600 {
        let d = rng.below(2) as usize;
        let version = if rng.below(10) == 0 {
            versions[d] - rng.below(3) as i64 // stale (or equal): must be ignored
        } else {
            versions[d] += 1;
            versions[d]
        };
        let changes: Vec<Value> = (0..1 + rng.below(3))
            .map(|_| change(&mut rng, docs[d].1))
            .collect();
        lsp.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": lsp_client::uri(docs[d].0), "version": version}, "contentChanges": changes}),
        )
        .unwrap_or_else(|e| panic!("the server died during the storm: {e}"));
    }
    // the last versions: a known text for each document
    let final_gw = gw_text.replacen(
        "gateway_labels = [\"Default\", \"Internal\"]",
        "gateway_labels = [\"Defualt\", \"Internal\"]",
        1,
    );
    assert_ne!(final_gw, gw_text);
    let final_tm = tm_text.replacen("[server]\n", "[server]\noffset = 1\n", 1);
    let (gw_v, tm_v) = (versions[0] + 1, versions[1] + 1);
    for (path, text, v) in [(&gw, &final_gw, gw_v), (&tm, &final_tm, tm_v)] {
        lsp.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": lsp_client::uri(path), "version": v}, "contentChanges": [{"text": text}]}),
        )
        .unwrap();
        // stale changes after it change nothing
        lsp.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": lsp_client::uri(path), "version": v - 1}, "contentChanges": [{"text": "garbage = ["}]}),
        )
        .unwrap();
    }
    // what the command line says of the same texts
    std::fs::write(&gw, &final_gw).unwrap();
    std::fs::write(&tm, &final_tm).unwrap();
    let expected = cli_findings(&root, &gw);
    assert!(
        expected.iter().any(|(r, _)| r == "gateway-label-unmatched")
            && expected
                .iter()
                .any(|(r, _)| r == "throttle-url-unreachable"),
        "{expected:?}"
    );
    // the diagnostics of the final version arrive, and nothing newer undoes them
    let uri = lsp_client::uri(&gw);
    let mut last = lsp
        .diagnostics_where(&uri, Duration::from_secs(120), |p| {
            lsp_findings(p) == expected
        })
        .unwrap_or_else(|e| {
            panic!("never got the diagnostics of the last version ({e}); want {expected:?}")
        });
    while let Ok(p) = lsp.diagnostics_where(&uri, Duration::from_millis(1500), |_| true) {
        last = p;
    }
    assert_eq!(lsp_findings(&last), expected, "{last:#}");
    if let Some(v) = last.get("version").and_then(Value::as_i64) {
        assert_eq!(v, gw_v, "published for the highest version");
    }
    // still up and answering
    lsp.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 999, "character": 999}}),
        Duration::from_secs(30),
    )
    .unwrap();
    assert!(lsp.alive());
    let status = lsp.stop().unwrap();
    assert!(status.success(), "{status}");
}

/// `apimlint lsp --stdio`, as vscode-languageclient (`TransportKind.stdio`)
/// and other clients start servers by convention, serves stdio like
/// `apimlint lsp`: it initializes, publishes a file's findings and exits 0.
#[test]
fn lsp_accepts_the_stdio_flag() {
    let root = tree("stdio-flag");
    let gw = node(&root, "region-1/gw-2");
    let mut lsp = lsp_client::Lsp::start_with(
        Path::new(env!("CARGO_BIN_EXE_apimlint")),
        &["lsp", "--stdio"],
        &root,
    )
    .unwrap();
    lsp.initialize(&root).unwrap();
    // an unsaved edit with an unknown key: the finding is published
    let text = std::fs::read_to_string(&gw).unwrap() + "\n[apim.bogus_table]\nx = 1\n";
    lsp.open(&gw, &text, 1).unwrap();
    let uri = lsp_client::uri(&gw);
    let published = lsp
        .diagnostics_where(&uri, std::time::Duration::from_secs(60), |p| {
            p["diagnostics"].as_array().is_some_and(|a| !a.is_empty())
        })
        .unwrap();
    let codes: Vec<&str> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(codes.contains(&"unknown-key"), "{published}");
    let status = lsp.stop().unwrap();
    assert_eq!(status.code(), Some(0));
}

/// One malformed message (invalid JSON, a lone `\ud800` escape, JSON that is
/// no request, a header without Content-Length) is answered with a JSON-RPC
/// error and the server keeps serving; it used to exit at the first.
#[test]
fn malformed_messages_are_answered_and_the_server_keeps_serving() {
    let root = tree("malformed");
    let gw = node(&root, "region-1/gw-2");
    let mut lsp = lsp_client::Lsp::start(Path::new(env!("CARGO_BIN_EXE_apimlint")), &root).unwrap();
    lsp.initialize(&root).unwrap();
    let lone = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"{}","languageId":"toml","version":1,"text":"x = \"\ud800\""}}}}}}"#,
        lsp_client::uri(&gw)
    );
    for (body, code) in [
        (b"{not json".as_slice(), -32700),
        (lone.as_bytes(), -32700),
        (b"[1, 2]".as_slice(), -32600),
        (b"\xff\xfe".as_slice(), -32700),
    ] {
        lsp.send_raw(body).unwrap();
        let answer = lsp
            .message_where(Duration::from_secs(30), |v| {
                v.get("error").is_some() && v["id"].is_null()
            })
            .unwrap_or_else(|e| panic!("no answer to {:?} ({e})", String::from_utf8_lossy(body)));
        assert_eq!(answer["error"]["code"], code, "{answer}");
        assert!(lsp.alive(), "the server exited");
    }
    // still serving: an unsaved edit's finding is published
    let text = std::fs::read_to_string(&gw).unwrap() + "\n[apim.bogus_table]\nx = 1\n";
    lsp.open(&gw, &text, 1).unwrap();
    let uri = lsp_client::uri(&gw);
    lsp.diagnostics_where(&uri, Duration::from_secs(60), |p| {
        p["diagnostics"]
            .as_array()
            .is_some_and(|a| a.iter().any(|d| d["code"] == "unknown-key"))
    })
    .unwrap();
    let status = lsp.stop().unwrap();
    assert_eq!(status.code(), Some(0));
}

/// A file opened at the top of the file system (`file:///deployment.toml`)
/// is a deployment of its own that is never walked: it used to walk the
/// whole machine and stop every diagnostic of the workspace.
#[test]
fn a_file_opened_at_the_root_of_the_file_system_stops_nothing() {
    let root = tree("root-file");
    let gw = node(&root, "region-1/gw-2");
    let mut lsp = lsp_client::Lsp::start(Path::new(env!("CARGO_BIN_EXE_apimlint")), &root).unwrap();
    lsp.initialize(&root).unwrap();
    lsp.open(Path::new("/deployment.toml"), "[server]\nx = 1\n", 1)
        .unwrap();
    let text = std::fs::read_to_string(&gw).unwrap() + "\n[apim.bogus_table]\nx = 1\n";
    lsp.open(&gw, &text, 1).unwrap();
    let uri = lsp_client::uri(&gw);
    // the workspace's file, and the lone file analysed too, in either order
    lsp.diagnostics_of_each(
        &[uri.as_str(), "file:///deployment.toml"],
        Duration::from_secs(60),
        |u, p| {
            u != uri
                || p["diagnostics"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|d| d["code"] == "unknown-key"))
        },
    )
    .unwrap_or_else(|e| panic!("the diagnostics never came ({e})"));
    let status = lsp.stop().unwrap();
    assert_eq!(status.code(), Some(0));
}
