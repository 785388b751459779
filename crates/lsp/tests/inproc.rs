//! The language server in process, through the tower service: each handler,
//! on a copy of the clean sample deployment.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tower::{Service, ServiceExt};
use tower_lsp_server::LspService;
use tower_lsp_server::jsonrpc::Request;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

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

/// A fresh copy of the clean sample.
fn sample() -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/deployments/pattern-1");
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("apimlint-lsp-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&src, &dir);
    dir
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn node_file(root: &Path, id: &str) -> PathBuf {
    root.join(id).join("repository/conf/deployment.toml")
}

struct Client {
    service: LspService<apimlint_lsp::Backend>,
    rx: mpsc::UnboundedReceiver<(String, Value)>,
    id: i64,
    /// The last diagnostics published for each URI, with their version.
    diags: HashMap<String, (Value, Value)>,
}

impl Client {
    async fn start(root: &Path) -> Client {
        let (service, mut socket, _) = apimlint_lsp::service();
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(req) = socket.next().await {
                let method = req.method().to_owned();
                let params = req.params().cloned().unwrap_or(Value::Null);
                if tx.send((method, params)).is_err() {
                    break;
                }
            }
        });
        let mut c = Client {
            service,
            rx,
            id: 0,
            diags: HashMap::new(),
        };
        let init = c
            .request(
                "initialize",
                json!({"capabilities": {}, "workspaceFolders": [{"uri": uri(root), "name": "sample"}]}),
            )
            .await
            .unwrap();
        assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
        assert_eq!(init["serverInfo"]["name"], "apimlint");
        c.notify("initialized", json!({})).await;
        c
    }

    async fn request(&mut self, method: &str, params: Value) -> Result<Value, (i64, String)> {
        self.id += 1;
        let req = Request::build(method.to_owned())
            .params(params)
            .id(self.id)
            .finish();
        let resp = self
            .service
            .ready()
            .await
            .unwrap()
            .call(req)
            .await
            .unwrap()
            .unwrap();
        let (_, body) = resp.into_parts();
        body.map_err(|e| (e.code.code(), e.message.to_string()))
    }

    /// A request about `position` in the document `uri` (hover, definition,
    /// completion): its result.
    async fn at(&mut self, method: &str, uri: &str, position: Value) -> Value {
        self.request(
            method,
            json!({"textDocument": {"uri": uri}, "position": position}),
        )
        .await
        .unwrap()
    }

    /// The Markdown of the hover at `position`.
    async fn hover(&mut self, uri: &str, position: Value) -> String {
        let h = self.at("textDocument/hover", uri, position).await;
        h["contents"]["value"].as_str().unwrap().to_owned()
    }

    async fn notify(&mut self, method: &str, params: Value) {
        let req = Request::build(method.to_owned()).params(params).finish();
        let resp = self.service.ready().await.unwrap().call(req).await.unwrap();
        assert!(resp.is_none());
    }

    /// Read published diagnostics until `uri`'s satisfy `pred`.
    async fn until(&mut self, uri: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some((d, _)) = self.diags.get(uri)
            && pred(d)
        {
            return d.clone();
        }
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(20), self.rx.recv())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "no matching diagnostics for {uri}: last {:?}",
                        self.diags.get(uri)
                    )
                })
                .unwrap();
            if msg.0 != "textDocument/publishDiagnostics" {
                continue;
            }
            let u = msg.1["uri"].as_str().unwrap().to_owned();
            self.diags.insert(
                u.clone(),
                (msg.1["diagnostics"].clone(), msg.1["version"].clone()),
            );
            if u == uri && pred(&msg.1["diagnostics"]) {
                return msg.1["diagnostics"].clone();
            }
        }
    }

    /// Read published diagnostics until `uri`'s are those of `version`.
    async fn until_version(&mut self, uri: &str, version: i64) {
        while self.diags.get(uri).map(|d| d.1.clone()) != Some(json!(version)) {
            let msg = tokio::time::timeout(Duration::from_secs(20), self.rx.recv())
                .await
                .unwrap()
                .unwrap();
            if msg.0 == "textDocument/publishDiagnostics" {
                let u = msg.1["uri"].as_str().unwrap().to_owned();
                self.diags
                    .insert(u, (msg.1["diagnostics"].clone(), msg.1["version"].clone()));
            }
        }
    }

    async fn open(&mut self, path: &Path) -> String {
        let text = std::fs::read_to_string(path).unwrap();
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": "toml", "version": 1, "text": text}}),
        )
        .await;
        text
    }

    async fn change(&mut self, path: &Path, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(path), "version": version}, "contentChanges": [{"text": text}]}),
        )
        .await;
    }
}

fn rules(diags: &Value) -> Vec<String> {
    diags
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// The string field `name` of every element of the array `v`.
fn strings<'a>(v: &'a Value, name: &str) -> Vec<&'a str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x[name].as_str().unwrap())
        .collect()
}

fn has(rule: &'static str) -> impl Fn(&Value) -> bool {
    move |d| rules(d).iter().any(|r| r == rule)
}

fn empty(d: &Value) -> bool {
    d.as_array().is_some_and(Vec::is_empty)
}

/// Line and UTF-16 column of the first occurrence of `needle` (+ `delta` chars).
fn pos(text: &str, needle: &str, delta: usize) -> Value {
    let off = text.find(needle).unwrap() + delta;
    let line = text[..off].matches('\n').count();
    let col = text[..off]
        .rsplit('\n')
        .next()
        .unwrap()
        .encode_utf16()
        .count();
    json!({"line": line, "character": col})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_file_is_published_on_initialize() {
    let root = sample();
    let mut c = Client::start(&root).await;
    for id in ["region-1/gw-1", "region-1/cp-2", "region-2/tm-1"] {
        let d = c.until(&uri(&node_file(&root, id)), |_| true).await;
        assert!(empty(&d), "{id}: {d}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_label_typo_is_reported_fixed_hovered_and_resolved() {
    let root = sample();
    let gw = node_file(&root, "region-1/gw-1");
    let mut c = Client::start(&root).await;
    let text = c.open(&gw).await;
    let typo = text.replace("[\"Default\", \"Internal\"]", "[\"Default\", \"Intrenal\"]");
    c.change(&gw, 2, &typo).await;
    let d = c.until(&uri(&gw), has("gateway-label-unmatched")).await;
    let d0 = &d[0];
    assert_eq!(d0["range"]["start"], pos(&typo, "\"Intrenal\"", 0));
    assert_eq!(d0["severity"], 1);
    assert!(
        d0["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/rules/gateway-label-unmatched.md")
    );
    assert!(
        d0["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `Internal`?")
    );
    let related = d0["relatedInformation"].as_array().unwrap();
    assert!(related.iter().any(|r| {
        r["location"]["uri"]
            .as_str()
            .unwrap()
            .contains("region-1/cp-1")
    }));
    assert_eq!(
        c.diags[&uri(&gw)].1,
        2,
        "published with the document version"
    );

    // the quick fix offers the nearest environment name
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri(&gw)}, "range": d0["range"], "context": {"diagnostics": [d0]}}),
        )
        .await
        .unwrap();
    let a = &actions[0];
    assert_eq!(a["title"], "Replace with `Internal`");
    assert_eq!(a["kind"], "quickfix");
    let edits = &a["edit"]["changes"][uri(&gw)];
    assert_eq!(edits[0]["newText"], "\"Internal\"");
    assert_eq!(edits[0]["range"], d0["range"]);

    // hover: the rule's summary and a link to its page (not the whole page:
    // the editor shows the message itself), and what the label names
    let md = c.hover(&uri(&gw), pos(&typo, "Intrenal", 2)).await;
    assert!(md.contains("**gateway-label-unmatched** (error): Every `gateway_labels` entry of a gateway names a gateway environment"), "{md}");
    assert!(
        md.contains(
            "(https://github.com/apimlint/apimlint/blob/main/rules/gateway-label-unmatched.md)"
        ),
        "{md}"
    );
    assert!(!md.contains("Why it matters"), "{md}");
    let md = c.hover(&uri(&gw), pos(&typo, "Default\"", 1)).await;
    assert!(
        md.contains("defined on `region-1/cp-1`, `region-1/cp-2`"),
        "{md}"
    );

    // definition of a label: the environment on each control plane
    let defs = c
        .at(
            "textDocument/definition",
            &uri(&gw),
            pos(&typo, "Default\"", 1),
        )
        .await;
    let defs = defs.as_array().unwrap();
    assert_eq!(defs.len(), 2);
    let cp1 = std::fs::read_to_string(node_file(&root, "region-1/cp-1")).unwrap();
    let first = defs
        .iter()
        .find(|l| l["uri"].as_str().unwrap().contains("region-1/cp-1"))
        .unwrap();
    assert_eq!(first["range"]["start"], pos(&cp1, "\"Default\"", 0));

    // fixing the typo clears it
    c.change(&gw, 3, &text).await;
    c.until(&uri(&gw), empty).await;
    assert_eq!(c.diags[&uri(&gw)].1, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_traffic_manager_offset_republishes_the_open_gateway() {
    let root = sample();
    let gw = node_file(&root, "region-1/gw-1");
    let tm = node_file(&root, "region-1/tm-1");
    let mut c = Client::start(&root).await;
    c.open(&gw).await;
    c.until(&uri(&gw), empty).await;
    let text = c.open(&tm).await;
    let moved = text.replace(
        "server_role = \"traffic-manager\"\n",
        "server_role = \"traffic-manager\"\noffset = 1\n",
    );
    c.change(&tm, 2, &moved).await;
    let d = c.until(&uri(&gw), has("throttle-url-unreachable")).await;
    let msgs = strings(&d, "message");
    assert!(msgs.iter().any(|m| m.contains("9612")), "{msgs:?}");
    // the gateway did not change: it is published without a new version
    c.change(&tm, 3, &text).await;
    c.until(&uri(&gw), |d| !has("throttle-url-unreachable")(d))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_toml_is_reported_and_the_server_stays_up() {
    let root = sample();
    let gw = node_file(&root, "region-1/gw-1");
    let cp = node_file(&root, "region-1/cp-1");
    let mut c = Client::start(&root).await;
    let text = c.open(&gw).await;
    c.until(&uri(&cp), empty).await;
    let broken = text.replace("[apim.key_manager]", "[apim.key_manager");
    c.change(&gw, 2, &broken).await;
    let d = c.until(&uri(&gw), has("toml-syntax")).await;
    assert_eq!(
        rules(&d),
        ["toml-syntax"],
        "only the syntax error on the broken file"
    );
    // the last good parse keeps the control plane's environments served
    let md = c.hover(&uri(&gw), d[0]["range"]["start"].clone()).await;
    assert!(md.contains("toml-syntax"));
    assert!(empty(&c.diags[&uri(&cp)].0));
    // an unknown request gets an error response, and the server still answers
    let err = c
        .request("apimlint/noSuchMethod", json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.0, -32601);
    c.change(&gw, 3, &text).await;
    c.until(&uri(&gw), empty).await;
    // a change not newer than the document is ignored
    c.change(&gw, 3, &broken).await;
    c.change(&gw, 2, &broken).await;
    let syms = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri(&gw)}}),
        )
        .await
        .unwrap();
    assert!(
        syms.as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "apim.key_manager")
    );
    assert!(c.request("shutdown", Value::Null).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_definition_references_and_completion() {
    let root = sample();
    let gw = node_file(&root, "region-1/gw-1");
    let cp = node_file(&root, "region-1/cp-1");
    let mut c = Client::start(&root).await;
    let text = c.open(&gw).await;
    c.until(&uri(&gw), empty).await;
    let doc = uri(&gw);

    // a URL: the node it resolves to, with role, region and effective port
    let md = c
        .hover(&doc, pos(&text, "tcp://tm-1.r1.example.com:9611", 8))
        .await;
    assert!(
        md.contains("`region-1/tm-1`: traffic-manager, region `region-1`, port 9611"),
        "{md}"
    );

    // URL host → the target's [server] table
    let d = c
        .at(
            "textDocument/definition",
            &doc,
            pos(&text, "tcp://tm-1.r1.example.com:9611", 8),
        )
        .await;
    assert!(d[0]["uri"].as_str().unwrap().contains("region-1/tm-1"));
    assert_eq!(d[0]["range"]["start"], json!({"line": 3, "character": 0}));

    // $secret{x} → the alias; $ref{a.b} → the key
    let d = c
        .at(
            "textDocument/definition",
            &doc,
            pos(&text, "$secret{admin_password}", 10),
        )
        .await;
    assert_eq!(d[0]["range"]["start"], pos(&text, "admin_password = ", 0));
    let d = c
        .at(
            "textDocument/definition",
            &doc,
            pos(&text, "$ref{super_admin.password}", 8),
        )
        .await;
    assert_eq!(
        d[0]["range"]["start"],
        pos(&text, "password = \"$secret{admin_password}", 0)
    );

    // references: from an environment to the gateways that serve it
    let cp_text = c.open(&cp).await;
    let refs = c
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": uri(&cp)}, "position": pos(&cp_text, "\"Internal\"", 2), "context": {"includeDeclaration": false}}),
        )
        .await
        .unwrap();
    let mut files = strings(&refs, "uri");
    files.sort();
    assert_eq!(files.len(), 2, "{refs}");
    assert!(files[0].contains("region-1/gw-1") && files[1].contains("region-1/gw-2"));

    // completion: environment names, server_role values, node hosts
    let typing = text.replace("[\"Default\", \"Internal\"]", "[\"Default\", \"");
    c.change(&gw, 2, &typing).await;
    let items = c
        .at(
            "textDocument/completion",
            &doc,
            pos(&typing, "[\"Default\", \"", 13),
        )
        .await;
    let labels = strings(&items, "label");
    assert!(
        labels.contains(&"Internal") && labels.contains(&"Default"),
        "{labels:?}"
    );
    let typing = text.replace("server_role = \"gateway-worker\"", "server_role = \"");
    c.change(&gw, 3, &typing).await;
    let items = c
        .at(
            "textDocument/completion",
            &doc,
            pos(&typing, "server_role = \"", 15),
        )
        .await;
    let labels = strings(&items, "label");
    assert!(labels.contains(&"traffic-manager"), "{labels:?}");
    let typing = text.replace("\"tcp://tm-1.r1.example.com:9611\"", "\"tcp://t");
    c.change(&gw, 4, &typing).await;
    let items = c
        .at(
            "textDocument/completion",
            &doc,
            pos(&typing, "\"tcp://t", 8),
        )
        .await;
    let labels = strings(&items, "label");
    assert!(labels.contains(&"tm-1.r1.example.com"), "{labels:?}");

    // a key: its catalog entry; completion of the keys of the current table
    c.change(&gw, 5, &text).await;
    c.until_version(&uri(&gw), 5).await;
    let md = c.hover(&doc, pos(&text, "\nnode_ip", 3)).await;
    assert!(
        md.starts_with("`server.node_ip`: read by WSO2 API-M"),
        "{md}"
    );
    let typing = text.replace(
        "node_ip = \"10.10.2.21\"\n",
        "node_ip = \"10.10.2.21\"\nof\n",
    );
    c.change(&gw, 6, &typing).await;
    let items = c
        .at("textDocument/completion", &doc, pos(&typing, "\nof\n", 3))
        .await;
    let labels = strings(&items, "label");
    assert!(
        labels.contains(&"offset") && labels.contains(&"hostname"),
        "{labels:?}"
    );

    // document symbols: the tables and their keys
    let syms = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri(&cp)}}),
        )
        .await
        .unwrap();
    let names = strings(&syms, "name");
    assert!(
        names.contains(&"server") && names.contains(&"apim.gateway.environment[]"),
        "{names:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_created_and_deleted_on_disk() {
    let root = sample();
    let mut c = Client::start(&root).await;
    let gw1 = node_file(&root, "region-1/gw-1");
    c.until(&uri(&gw1), empty).await;
    // a third gateway whose label names nothing
    let gw3 = node_file(&root, "region-1/gw-3");
    std::fs::create_dir_all(gw3.parent().unwrap()).unwrap();
    let text = std::fs::read_to_string(&gw1)
        .unwrap()
        .replace("gw.r1.example.com", "gw3.r1.example.com")
        .replace("[\"Default\", \"Internal\"]", "[\"Partner\"]");
    std::fs::write(&gw3, text).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&gw3), "type": 1}]}),
    )
    .await;
    c.until(&uri(&gw3), has("gateway-label-unmatched")).await;
    std::fs::remove_file(&gw3).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&gw3), "type": 3}]}),
    )
    .await;
    c.until(&uri(&gw3), empty).await;

    // a change of apimlint.toml on disk re-analyses the deployment
    let cfg = root.join("apimlint.toml");
    let mut t = std::fs::read_to_string(&cfg).unwrap();
    t.push_str("\n[rules]\ngateway-label-unmatched = \"off\"\n[environments]\n\"region-1\" = [\"Partner\"]\n");
    std::fs::write(&cfg, &t).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&cfg), "type": 2}]}),
    )
    .await;
    // a broken project file is reported on itself
    std::fs::write(&cfg, "[deployment]\nversoin = \"4.5.0\"\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&cfg), "type": 2}]}),
    )
    .await;
    let d = c.until(&uri(&cfg), |d| !empty(d)).await;
    assert!(d[0]["message"].as_str().unwrap().contains("versoin"), "{d}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_reach_a_hover() {
    let root = sample();
    let gw = node_file(&root, "region-1/gw-1");
    let mut c = Client::start(&root).await;
    let text = c.open(&gw).await;
    let with_creds = text.replace(
        "service_url = \"https://api.r1.example.com/services/\"\nusername",
        "service_url = \"https://apim-admin:hunter22@api.r1.example.com/services/\"\nusername",
    );
    assert_ne!(with_creds, text);
    c.change(&gw, 2, &with_creds).await;
    c.until_version(&uri(&gw), 2).await;
    let md = c
        .hover(&uri(&gw), pos(&with_creds, "apim-admin:hunter22", 12))
        .await;
    assert!(
        md.contains("api.r1.example.com") && !md.contains("hunter22"),
        "{md}"
    );
    for d in c.diags.values() {
        assert!(!d.0.to_string().contains("hunter22"));
    }
}

/// Every fixture tree and both samples, copied.
fn fixture_trees() -> Vec<PathBuf> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut out = vec![
        fixtures.join("deployments/pattern-1"),
        fixtures.join("deployments/pattern-1-broken"),
    ];
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for d in dirs {
        for kind in ["bad", "good"] {
            if d.join(kind).is_dir() {
                out.push(d.join(kind));
            }
        }
    }
    out
}

/// The quick fix the editor offers for each finding is exactly what
/// `apimlint check --fix --unsafe-fixes` applies for that finding (the fix
/// policy's plan of the finding alone): offered iff applied, same edits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_actions_are_the_fixes_check_fix_applies() {
    use apimlint_core::{DiskFs, fixes, vfs};
    let mut compared = 0;
    let mut offered = 0;
    for src in fixture_trees() {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let root =
            std::env::temp_dir().join(format!("apimlint-lsp-fix-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        copy_dir(&src, &root);
        // what the CLI decides
        let disc = vfs::discover(&root, &[], None).unwrap();
        let config = match &disc.config {
            Some(p) => apimlint_core::load_config(&DiskFs, p, "apimlint.toml").unwrap(),
            None => apimlint_core::Config::default(),
        };
        let dep = apimlint_core::load(&DiskFs, &disc, config);
        let diags = apimlint_core::check(&dep);
        // what the editor offers
        let mut c = Client::start(&root).await;
        for d in diags.iter().filter(|d| d.fix.is_some()) {
            let fix = d.fix.as_ref().unwrap();
            let node = dep.node_of(d.file).unwrap();
            let u = uri(&node.path);
            let published = c.until(&u, |ds| !empty(ds)).await;
            let range = serde_json::to_value(apimlint_lsp::convert::range(
                &node.lines,
                &node.text,
                &d.range,
            ))
            .unwrap();
            let lsp_diag = published
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["code"] == d.rule && x["range"] == range)
                .unwrap_or_else(|| panic!("{}: {} not published at {range}", src.display(), d.rule))
                .clone();
            let actions = c
                .request(
                    "textDocument/codeAction",
                    json!({"textDocument": {"uri": u}, "range": range, "context": {"diagnostics": [lsp_diag]}}),
                )
                .await
                .unwrap();
            let action = actions.as_array().into_iter().flatten().find(|a| {
                a["title"] == fix.title.as_str()
                    && a["diagnostics"].as_array().is_some_and(|ds| ds.len() == 1)
                    && a["diagnostics"][0]["range"] == range
            });
            let plan = fixes::plan(&dep, std::slice::from_ref(d), true);
            let expected: Option<Vec<(String, Value, String)>> =
                (!plan.applied.is_empty()).then(|| {
                    let mut v: Vec<(String, Value, String)> = plan
                        .edits
                        .iter()
                        .flat_map(|(f, es)| {
                            let n = dep.node_of(*f).unwrap();
                            es.iter().map(move |e| {
                                (
                                    uri(&n.path),
                                    serde_json::to_value(apimlint_lsp::convert::range(
                                        &n.lines, &n.text, &e.range,
                                    ))
                                    .unwrap(),
                                    e.new_text.clone(),
                                )
                            })
                        })
                        .collect();
                    v.sort_by(|a, b| (&a.0, a.1.to_string()).cmp(&(&b.0, b.1.to_string())));
                    v
                });
            let got: Option<Vec<(String, Value, String)>> = action.map(|a| {
                let mut v: Vec<(String, Value, String)> = a["edit"]["changes"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .flat_map(|(u, es)| {
                        es.as_array().unwrap().iter().map(move |e| {
                            (
                                u.clone(),
                                e["range"].clone(),
                                e["newText"].as_str().unwrap().to_owned(),
                            )
                        })
                    })
                    .collect();
                v.sort_by(|a, b| (&a.0, a.1.to_string()).cmp(&(&b.0, b.1.to_string())));
                v
            });
            assert_eq!(
                got,
                expected,
                "{}: `{}` on {} ({}): the editor's quick fix differs from `check --fix`",
                src.display(),
                fix.title,
                node.id,
                d.rule
            );
            compared += 1;
            offered += usize::from(got.is_some());
        }
        let _ = std::fs::remove_dir_all(&root);
    }
    assert!(
        compared >= 30 && offered > 0,
        "{compared} fixes compared, {offered} offered"
    );
}
