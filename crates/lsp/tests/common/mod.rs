//! The language server in process, through the tower service: the client
//! and helpers the in-process tests share.

#![allow(
    dead_code,
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

pub(crate) static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub(crate) fn copy_dir(from: &Path, to: &Path) {
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
pub(crate) fn sample() -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/deployments/pattern-1");
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("apimlint-lsp-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&src, &dir);
    dir
}

pub(crate) fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

pub(crate) fn node_file(root: &Path, id: &str) -> PathBuf {
    root.join(id).join("repository/conf/deployment.toml")
}

pub(crate) struct Client {
    service: LspService<apimlint_lsp::Backend>,
    rx: mpsc::UnboundedReceiver<(String, Value)>,
    id: i64,
    /// The last diagnostics published for each URI, with their version.
    pub diags: HashMap<String, (Value, Value)>,
}

impl Client {
    pub(crate) async fn start(root: &Path) -> Client {
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

    pub(crate) async fn request(
        &mut self,
        method: &str,
        params: Value,
    ) -> Result<Value, (i64, String)> {
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
    pub(crate) async fn at(&mut self, method: &str, uri: &str, position: Value) -> Value {
        self.request(
            method,
            json!({"textDocument": {"uri": uri}, "position": position}),
        )
        .await
        .unwrap()
    }

    /// The Markdown of the hover at `position`.
    pub(crate) async fn hover(&mut self, uri: &str, position: Value) -> String {
        let h = self.at("textDocument/hover", uri, position).await;
        h["contents"]["value"].as_str().unwrap().to_owned()
    }

    pub(crate) async fn notify(&mut self, method: &str, params: Value) {
        let req = Request::build(method.to_owned()).params(params).finish();
        let resp = self.service.ready().await.unwrap().call(req).await.unwrap();
        assert!(resp.is_none());
    }

    /// Read published diagnostics until `uri`'s satisfy `pred`.
    pub(crate) async fn until(&mut self, uri: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some((d, _)) = self.diags.get(uri)
            && pred(d)
        {
            return d.clone();
        }
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(60), self.rx.recv())
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
    pub(crate) async fn until_version(&mut self, uri: &str, version: i64) {
        while self.diags.get(uri).map(|d| d.1.clone()) != Some(json!(version)) {
            let msg = tokio::time::timeout(Duration::from_secs(60), self.rx.recv())
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

    pub(crate) async fn open(&mut self, path: &Path) -> String {
        let text = std::fs::read_to_string(path).unwrap();
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": "toml", "version": 1, "text": text}}),
        )
        .await;
        text
    }

    pub(crate) async fn change(&mut self, path: &Path, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(path), "version": version}, "contentChanges": [{"text": text}]}),
        )
        .await;
    }
}

pub(crate) fn rules(diags: &Value) -> Vec<String> {
    diags
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// The string field `name` of every element of the array `v`.
pub(crate) fn strings<'a>(v: &'a Value, name: &str) -> Vec<&'a str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x[name].as_str().unwrap())
        .collect()
}

pub(crate) fn has(rule: &'static str) -> impl Fn(&Value) -> bool {
    move |d| rules(d).iter().any(|r| r == rule)
}

pub(crate) fn empty(d: &Value) -> bool {
    d.as_array().is_some_and(Vec::is_empty)
}

/// Line and UTF-16 column of the first occurrence of `needle` (+ `delta` chars).
pub(crate) fn pos(text: &str, needle: &str, delta: usize) -> Value {
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
