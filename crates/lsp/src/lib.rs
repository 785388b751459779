//! apimlint's language server: the core's analysis, live, over LSP.
//!
//! `apimlint lsp` serves every deployment of the workspace on stdin/stdout.
//! Editor buffers are fed to the same core through the same file-system
//! abstraction the CLI uses (`vfs::OverlayFs`); there is no rule logic here.
//!
//! * `server.rs` — the routing table (`LanguageServer`), the analysis task.
//! * `world.rs` — documents, deployments, incremental re-analysis, publishing.
//! * `handlers/` — one file per request, each converting an answer of
//!   `apimlint_core::analysis::editor` (hover, definitions, references,
//!   completion, quick fixes) into the protocol's types.
//! * `convert.rs` — the only module that knows the LSP types crate.
//!
//! stdout is the protocol: nothing here prints.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod convert;
mod handlers;
mod server;
mod stdio;
mod world;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub use server::{Backend, guard};
use tower_lsp_server::{ClientSocket, LspService};

/// The service for an in-process client (tests) and the stdio server, with
/// the flag `shutdown` sets.
pub fn service() -> (LspService<Backend>, ClientSocket, Arc<AtomicBool>) {
    let shutdown = Arc::new(AtomicBool::new(false));
    let flag = shutdown.clone();
    let (service, socket) = LspService::new(move |client| Backend::new(client, flag));
    (service, socket, shutdown)
}

/// Serve on stdin/stdout until `exit`. Returns the process exit code: 0
/// when `shutdown` came before `exit`, 1 otherwise (LSP 3.17).
pub fn run_stdio() -> Result<u8, String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the language server: {e}"))?;
    let shutdown = rt.block_on(async {
        let (service, socket, shutdown) = service();
        // malformed messages are answered there, never seen by the server
        stdio::serve(service, socket).await;
        shutdown
    });
    // the analysis task never ends by itself
    rt.shutdown_timeout(std::time::Duration::from_millis(200));
    Ok(if shutdown.load(Ordering::SeqCst) {
        0
    } else {
        1
    })
}
