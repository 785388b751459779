//! A minimal language-server client over stdio (Content-Length framing,
//! JSON-RPC): enough to open documents, change them and wait for published
//! diagnostics. Used by the benchmark and by `tests/lsp_robustness.rs`.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub(crate) struct Lsp {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications received and not consumed yet.
    pending: VecDeque<Value>,
}

/// `file://` URI of an absolute path.
pub(crate) fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0u8; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Lsp {
    /// Start `bin lsp` in `cwd`.
    pub(crate) fn start(bin: &Path, cwd: &Path) -> Result<Lsp, String> {
        Lsp::start_with(bin, &["lsp"], cwd)
    }

    /// Start `bin args…` in `cwd` (e.g. `lsp --stdio`, as some clients do).
    pub(crate) fn start_with(bin: &Path, args: &[&str], cwd: &Path) -> Result<Lsp, String> {
        let mut child = Command::new(bin)
            .args(args)
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start `{} lsp`: {e}", bin.display()))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(v) = read_message(&mut r) {
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        Ok(Lsp {
            child,
            stdin,
            rx,
            next_id: 0,
            pending: VecDeque::new(),
        })
    }

    pub(crate) fn send(&mut self, msg: &Value) -> Result<(), String> {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len())
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("the server is gone: {e}"))
    }

    /// Send `body` framed as it is (malformed JSON, say).
    #[allow(dead_code)] // tests/lsp_robustness.rs's; the benchmark includes this file too
    pub(crate) fn send_raw(&mut self, body: &[u8]) -> Result<(), String> {
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len())
            .and_then(|()| self.stdin.write_all(body))
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("the server is gone: {e}"))
    }

    /// The next message `want` accepts (the others are kept).
    #[allow(dead_code)] // tests/lsp_robustness.rs's
    pub(crate) fn message_where(
        &mut self,
        timeout: Duration,
        want: impl Fn(&Value) -> bool,
    ) -> Result<Value, String> {
        if let Some(i) = self.pending.iter().position(&want) {
            return self.pending.remove(i).ok_or_else(|| "gone".to_owned());
        }
        let deadline = Instant::now() + timeout;
        loop {
            let v = self.recv(deadline)?;
            if want(&v) {
                return Ok(v);
            }
            self.pending.push_back(v);
        }
    }

    pub(crate) fn notify(&mut self, method: &str, params: Value) -> Result<(), String> {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
    }

    /// The next message, answering requests from the server on the way.
    fn recv(&mut self, deadline: Instant) -> Result<Value, String> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let v = match self.rx.recv_timeout(left) {
                Ok(v) => v,
                Err(RecvTimeoutError::Timeout) => return Err("timed out".into()),
                Err(RecvTimeoutError::Disconnected) => return Err("the server closed".into()),
            };
            if v.get("method").is_some() && v.get("id").is_some() {
                // a request to the client (registration, configuration…)
                let id = v.get("id").cloned().unwrap_or(Value::Null);
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}))?;
                continue;
            }
            return Ok(v);
        }
    }

    /// Send a request and wait for its response (notifications are kept).
    pub(crate) fn request(
        &mut self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        let deadline = Instant::now() + timeout;
        loop {
            let v = self.recv(deadline)?;
            if v.get("id").and_then(Value::as_i64) == Some(id) {
                if let Some(e) = v.get("error") {
                    return Err(format!("{method}: {e}"));
                }
                return Ok(v.get("result").cloned().unwrap_or(Value::Null));
            }
            self.pending.push_back(v);
        }
    }

    /// `initialize` + `initialized` with `root` as the workspace.
    pub(crate) fn initialize(&mut self, root: &Path) -> Result<Value, String> {
        let r = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "workspaceFolders": [{"uri": uri(root), "name": "bench"}],
                "capabilities": {
                    "general": {"positionEncodings": ["utf-16"]},
                    "textDocument": {"publishDiagnostics": {"versionSupport": true}},
                },
            }),
            Duration::from_secs(60),
        )?;
        self.notify("initialized", json!({}))?;
        Ok(r)
    }

    pub(crate) fn open(&mut self, path: &Path, text: &str, version: i64) -> Result<(), String> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": "toml", "version": version, "text": text}}),
        )
    }

    /// The next `publishDiagnostics` for `uri` accepted by `want`, other
    /// notifications dropped.
    pub(crate) fn diagnostics_where(
        &mut self,
        uri: &str,
        timeout: Duration,
        want: impl Fn(&Value) -> bool,
    ) -> Result<Value, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let v = match self.pending.pop_front() {
                Some(v) => v,
                None => self.recv(deadline)?,
            };
            let params = v.get("params").cloned().unwrap_or(Value::Null);
            if v.get("method").and_then(Value::as_str) == Some("textDocument/publishDiagnostics")
                && params.get("uri").and_then(Value::as_str) == Some(uri)
                && want(&params)
            {
                return Ok(params);
            }
        }
    }

    /// Wait until each of `uris` has had a `publishDiagnostics` satisfying
    /// `want`, in whatever order they come (none is lost while waiting for
    /// another).
    #[allow(dead_code)] // tests/lsp_robustness.rs's
    pub(crate) fn diagnostics_of_each(
        &mut self,
        uris: &[&str],
        timeout: Duration,
        want: impl Fn(&str, &Value) -> bool,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let mut left: Vec<&str> = uris.to_vec();
        while !left.is_empty() {
            let v = match self.pending.pop_front() {
                Some(v) => v,
                None => self.recv(deadline)?,
            };
            let params = v.get("params").cloned().unwrap_or(Value::Null);
            if v.get("method").and_then(Value::as_str) != Some("textDocument/publishDiagnostics") {
                continue;
            }
            let Some(uri) = params.get("uri").and_then(Value::as_str) else {
                continue;
            };
            if want(uri, &params) {
                left.retain(|u| *u != uri);
            }
        }
        Ok(())
    }

    /// `shutdown` + `exit`, and the server's exit status.
    pub(crate) fn stop(mut self) -> Result<ExitStatus, String> {
        self.request("shutdown", Value::Null, Duration::from_secs(30))?;
        self.notify("exit", Value::Null)?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(s) = self.child.try_wait().map_err(|e| e.to_string())? {
                return Ok(s);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                return Err("the server did not exit".into());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Whether the server process is still running.
    pub(crate) fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The server's process id (to read its `/proc/<pid>/status`).
    #[allow(dead_code)] // the benchmark's; tests/lsp_robustness.rs includes this file too
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Lsp {
    fn drop(&mut self) {
        if self.alive() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
