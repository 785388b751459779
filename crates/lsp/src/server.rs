//! The routing table: each LSP method, what it does to the state, and which
//! handler answers it.
//!
//! Concurrency rules (tower-lsp-server runs several handlers at once,
//! notifications included, so one that awaits before it mutates can land out
//! of order, and handlers awaiting the client can stall the reader that would
//! deliver the replies): notifications mutate the documents synchronously
//! before any `.await`; no handler awaits a request to the client
//! (registration is spawned with a timeout); the analysis runs on one task,
//! off the handlers, and publishes with the version it read.
//! Every handler body runs under `catch_unwind`: a panic is an error
//! response, never a dead server.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::Notify;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::{Client, LanguageServer};

use crate::convert::{self, lsp};
use crate::handlers;
use crate::world::{self, Doc, Shared, lock};

/// How long the analysis waits for more changes before it runs.
const DEBOUNCE: Duration = Duration::from_millis(2);

pub struct Backend {
    client: Client,
    shared: Arc<Shared>,
    kick: Arc<Notify>,
    started: AtomicBool,
    /// Whether the client lets us register file watchers.
    watch: AtomicBool,
    /// Whether `shutdown` was received (the exit code depends on it).
    pub shutdown: Arc<AtomicBool>,
}

/// Run `f`, turning a panic into an internal-error response.
pub fn guard<T>(what: &str, f: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        let why = p
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let mut e = Error::internal_error();
        e.message = format!("apimlint: internal error in {what}: {why}").into();
        e
    })
}

impl Backend {
    pub fn new(client: Client, shutdown: Arc<AtomicBool>) -> Self {
        Backend {
            client,
            shared: Arc::new(Shared::default()),
            kick: Arc::new(Notify::new()),
            started: AtomicBool::new(false),
            watch: AtomicBool::new(false),
            shutdown,
        }
    }

    /// Start the analysis task (once).
    fn start(&self) {
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let shared = self.shared.clone();
        let kick = self.kick.clone();
        let client = self.client.clone();
        tokio::spawn(async move {
            loop {
                kick.notified().await;
                tokio::time::sleep(DEBOUNCE).await;
                let s = shared.clone();
                match tokio::task::spawn_blocking(move || world::analyse(&s)).await {
                    Ok(publishes) => {
                        for p in publishes {
                            client.publish_diagnostics(p.uri, p.diags, p.version).await;
                        }
                    }
                    Err(e) => {
                        client
                            .log_message(
                                lsp::MessageType::ERROR,
                                format!("apimlint: the analysis failed: {e}"),
                            )
                            .await;
                    }
                }
            }
        });
    }

    fn changed(&self) {
        self.kick.notify_one();
    }

    fn uris(&self) -> HashMap<PathBuf, lsp::Uri> {
        lock(&self.shared.ws).uris.clone()
    }
}

fn capabilities() -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(lsp::PositionEncodingKind::UTF16),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                ..Default::default()
            },
        )),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec!["\"".into(), "/".into(), "[".into(), ".".into()]),
            ..Default::default()
        }),
        workspace: Some(lsp::WorkspaceServerCapabilities {
            workspace_folders: Some(lsp::WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(lsp::OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..Default::default()
    }
}

fn folders(params: &lsp::InitializeParams) -> Vec<PathBuf> {
    if let Some(f) = &params.workspace_folders {
        return f.iter().filter_map(|w| convert::path_of(&w.uri)).collect();
    }
    #[allow(deprecated)] // old clients send only `rootUri`
    params
        .root_uri
        .as_ref()
        .and_then(convert::path_of)
        .into_iter()
        .collect()
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let watch = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        self.shared_watch(watch);
        guard("initialize", || {
            lock(&self.shared.ws).discover(folders(&params))
        })?;
        self.start();
        Ok(lsp::InitializeResult {
            capabilities: capabilities(),
            server_info: Some(lsp::ServerInfo {
                name: "apimlint".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        if self.watch_files() {
            // never await the client inside a handler: register on the side
            let client = self.client.clone();
            tokio::spawn(async move {
                // the node files, the project file, and the files of a
                // node's home: event publishers, JNDI files, user stores,
                // keystores
                let watchers = [
                    "**/deployment.toml",
                    "**/apimlint.toml",
                    "**/repository/deployment/server/eventpublishers/*.xml",
                    "**/repository/deployment/server/userstores/*.xml",
                    "**/repository/conf/jndi*.properties",
                    "**/repository/resources/security/*",
                ]
                .into_iter()
                .map(|g| lsp::FileSystemWatcher {
                    glob_pattern: lsp::GlobPattern::String(g.into()),
                    kind: None,
                })
                .collect();
                let options = lsp::DidChangeWatchedFilesRegistrationOptions { watchers };
                let reg = lsp::Registration {
                    id: "apimlint-watch".into(),
                    method: "workspace/didChangeWatchedFiles".into(),
                    register_options: serde_json::to_value(options).ok(),
                };
                let _ = tokio::time::timeout(
                    Duration::from_secs(30),
                    client.register_capability(vec![reg]),
                )
                .await;
            });
        }
        self.changed();
    }

    async fn shutdown(&self) -> Result<()> {
        self.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, p: lsp::DidOpenTextDocumentParams) {
        let Some(path) = convert::path_of(&p.text_document.uri) else {
            return;
        };
        let doc = p.text_document;
        {
            let mut docs = lock(&self.shared.docs);
            if docs.get(&path).is_some_and(|d| d.version > doc.version) {
                return;
            }
            docs.insert(
                path.clone(),
                Doc {
                    version: doc.version,
                    text: doc.text,
                },
            );
        }
        {
            let mut ws = lock(&self.shared.ws);
            ws.uris.insert(path.clone(), doc.uri);
            ws.touch(&path);
        }
        self.changed();
    }

    async fn did_change(&self, p: lsp::DidChangeTextDocumentParams) {
        let Some(path) = convert::path_of(&p.text_document.uri) else {
            return;
        };
        let applied = {
            let mut docs = lock(&self.shared.docs);
            match docs.get_mut(&path) {
                // a change not newer than the document is ignored
                Some(d) if p.text_document.version > d.version => {
                    let mut text = std::mem::take(&mut d.text);
                    let ok = guard("didChange", || {
                        for c in p.content_changes {
                            convert::apply_change(&mut text, c);
                        }
                        text
                    });
                    match ok {
                        Ok(t) => {
                            d.text = t;
                            d.version = p.text_document.version;
                            true
                        }
                        Err(_) => false,
                    }
                }
                _ => false,
            }
        };
        if applied {
            lock(&self.shared.ws).touch(&path);
            self.changed();
        }
    }

    async fn did_save(&self, p: lsp::DidSaveTextDocumentParams) {
        let Some(path) = convert::path_of(&p.text_document.uri) else {
            return;
        };
        if let Some(text) = p.text {
            let mut docs = lock(&self.shared.docs);
            if let Some(d) = docs.get_mut(&path) {
                d.text = text;
            }
        }
        lock(&self.shared.ws).touch(&path);
        self.changed();
    }

    async fn did_close(&self, p: lsp::DidCloseTextDocumentParams) {
        let Some(path) = convert::path_of(&p.text_document.uri) else {
            return;
        };
        lock(&self.shared.docs).remove(&path);
        {
            let mut ws = lock(&self.shared.ws);
            // the file is read from disk again; a buffer never saved is gone
            if path.exists() {
                ws.touch(&path);
            } else {
                ws.remove(&path);
            }
        }
        self.changed();
    }

    async fn did_change_watched_files(&self, p: lsp::DidChangeWatchedFilesParams) {
        {
            let mut ws = lock(&self.shared.ws);
            let docs = lock(&self.shared.docs);
            for c in p.changes {
                let Some(path) = convert::path_of(&c.uri) else {
                    continue;
                };
                if c.typ == lsp::FileChangeType::DELETED {
                    // an open buffer outlives its file until it is closed
                    if !docs.contains_key(&path) {
                        ws.remove(&path);
                    }
                } else {
                    ws.touch(&path);
                }
            }
        }
        self.changed();
    }

    async fn did_change_workspace_folders(&self, p: lsp::DidChangeWorkspaceFoldersParams) {
        {
            let mut ws = lock(&self.shared.ws);
            let removed: Vec<PathBuf> = p
                .event
                .removed
                .iter()
                .filter_map(|f| convert::path_of(&f.uri))
                .collect();
            let mut folders: Vec<PathBuf> = ws
                .project
                .folders
                .iter()
                .filter(|f| !removed.contains(f))
                .cloned()
                .collect();
            folders.extend(
                p.event
                    .added
                    .iter()
                    .filter_map(|f| convert::path_of(&f.uri)),
            );
            ws.discover(folders);
        }
        self.changed();
    }

    async fn hover(&self, p: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let tp = p.text_document_position_params;
        guard("hover", || {
            let ws = lock(&self.shared.ws);
            handlers::at_any(&ws, &tp.text_document.uri, tp.position)
                .and_then(|at| handlers::hover::hover(&at))
        })
    }

    async fn goto_definition(
        &self,
        p: lsp::GotoDefinitionParams,
    ) -> Result<Option<lsp::GotoDefinitionResponse>> {
        let tp = p.text_document_position_params;
        let uris = self.uris();
        guard("definition", || {
            let ws = lock(&self.shared.ws);
            let locs = handlers::at_any(&ws, &tp.text_document.uri, tp.position)
                .map(|at| handlers::definition::definition(&at, &uris))
                .unwrap_or_default();
            (!locs.is_empty()).then_some(lsp::GotoDefinitionResponse::Array(locs))
        })
    }

    async fn references(&self, p: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        let tp = p.text_document_position;
        let uris = self.uris();
        guard("references", || {
            let ws = lock(&self.shared.ws);
            let locs = handlers::at_any(&ws, &tp.text_document.uri, tp.position)
                .map(|at| {
                    handlers::definition::references(&at, p.context.include_declaration, &uris)
                })
                .unwrap_or_default();
            (!locs.is_empty()).then_some(locs)
        })
    }

    async fn code_action(
        &self,
        p: lsp::CodeActionParams,
    ) -> Result<Option<lsp::CodeActionResponse>> {
        let uris = self.uris();
        guard("codeAction", || {
            let ws = lock(&self.shared.ws);
            // two workloads of one ConfigMap offer the same fix: once
            let key = |x: &lsp::CodeActionOrCommand| match x {
                lsp::CodeActionOrCommand::CodeAction(c) => Some((c.title.clone(), c.edit.clone())),
                lsp::CodeActionOrCommand::Command(_) => None,
            };
            let mut actions: Vec<lsp::CodeActionOrCommand> = Vec::new();
            // a file of a node's home (an event publisher, a JNDI file)
            if let Some(home) =
                handlers::code_action::home_code_actions(&ws, &p.text_document.uri, p.range, &uris)
            {
                actions = home;
            }
            for (at, range) in handlers::at_range(&ws, &p.text_document.uri, p.range) {
                for a in handlers::code_action::code_actions(&at, range, &uris) {
                    if !actions
                        .iter()
                        .any(|b| key(b).is_some() && key(b) == key(&a))
                    {
                        actions.push(a);
                    }
                }
            }
            (!actions.is_empty()).then_some(actions)
        })
    }

    async fn completion(
        &self,
        p: lsp::CompletionParams,
    ) -> Result<Option<lsp::CompletionResponse>> {
        let tp = p.text_document_position;
        guard("completion", || {
            let path = convert::path_of(&tp.text_document.uri)?;
            // the buffer as it is now: completion runs while the user types
            let text = lock(&self.shared.docs).get(&path).map(|d| d.text.clone())?;
            let lines = apimlint_core::text::LineIndex::new(&text);
            let offset = convert::offset(&lines, &text, tp.position);
            let ws = lock(&self.shared.ws);
            let analysed = ws
                .locate(&path)
                .and_then(|(_, dep, i)| dep.node(i).map(|n| (dep, n)));
            let items = handlers::completion::complete(&text, offset, analysed);
            (!items.is_empty()).then_some(lsp::CompletionResponse::Array(items))
        })
    }

    async fn document_symbol(
        &self,
        p: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        guard("documentSymbol", || {
            let ws = lock(&self.shared.ws);
            let at = handlers::at(&ws, &p.text_document.uri, lsp::Position::default())?;
            Some(lsp::DocumentSymbolResponse::Nested(
                handlers::symbols::document_symbols(&at),
            ))
        })
    }
}

impl Backend {
    fn shared_watch(&self, on: bool) {
        self.watch.store(on, Ordering::SeqCst);
    }

    fn watch_files(&self) -> bool {
        self.watch.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_an_error_response() {
        let r: Result<()> = guard("hover", || panic!("boom"));
        let e = r.err().map(|e| (e.code.code(), e.message.to_string()));
        assert_eq!(
            e,
            Some((-32603, "apimlint: internal error in hover: boom".to_owned()))
        );
        assert_eq!(guard("hover", || 1).ok(), Some(1));
    }
}
