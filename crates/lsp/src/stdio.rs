//! The stdio transport's guard: every message from the client is framed and
//! checked here before tower-lsp-server sees it, because its reader stops
//! for good at the first message it cannot decode (invalid JSON, a lone
//! `\ud800` escape, a bad header) and the server exits. A malformed message
//! is answered with a JSON-RPC error (`id: null`: parse error, or invalid
//! request for JSON that is no request) and the server keeps serving. The
//! answers are written between the server's own messages, never inside one.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// A message body larger than this is skipped unread (an editor buffer is
/// at most 10 MiB; JSON escaping may double it).
const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// One framed message, or why it is not one.
enum Frame {
    Body(Vec<u8>),
    Bad(String),
}

/// The next frame of `r`; `None` at the end of the stream.
async fn read_frame<R: AsyncRead + Unpin>(r: &mut BufReader<R>) -> Option<Frame> {
    let mut len: Option<usize> = None;
    let mut bad = None;
    let mut any = false;
    loop {
        let mut line = Vec::new();
        let n = r.read_until(b'\n', &mut line).await.ok()?;
        if n == 0 {
            return None;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if any {
                break;
            }
            continue;
        }
        any = true;
        if line.len() > 1024 {
            bad = Some("a header line over 1 KiB".to_owned());
            continue;
        }
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            match value.trim().parse::<usize>() {
                Ok(v) => len = Some(v),
                Err(_) => bad = Some(format!("a bad Content-Length: `{}`", value.trim())),
            }
        }
    }
    let Some(len) = len else {
        return Some(Frame::Bad(
            bad.unwrap_or_else(|| "a message without Content-Length".to_owned()),
        ));
    };
    if len > MAX_MESSAGE {
        let mut skip = (&mut *r).take(len as u64);
        tokio::io::copy(&mut skip, &mut tokio::io::sink())
            .await
            .ok()?;
        return Some(Frame::Bad(format!(
            "a message of {len} bytes, over the 64 MiB limit"
        )));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).await.ok()?;
    Some(match bad {
        Some(b) => Frame::Bad(b),
        None => Frame::Body(body),
    })
}

/// The message framed for the wire.
fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Whether tower-lsp-server decodes `body` (a request, a notification or a
/// response), else the JSON-RPC error to answer with.
fn check(body: &[u8]) -> Result<(), serde_json::Value> {
    use tower_lsp_server::jsonrpc::{Request, Response};
    let error = |code: i64, message: String| serde_json::json!({"jsonrpc": "2.0", "id": null, "error": {"code": code, "message": message}});
    let text = std::str::from_utf8(body).map_err(|e| {
        error(
            -32700,
            format!("Parse error: the message is not UTF-8 ({e})"),
        )
    })?;
    if serde_json::from_str::<Response>(text).is_ok()
        || serde_json::from_str::<Request>(text).is_ok()
    {
        return Ok(());
    }
    Err(match serde_json::from_str::<serde_json::Value>(text) {
        Ok(_) => error(-32600, "Invalid Request".to_owned()),
        Err(e) => error(-32700, format!("Parse error: {e}")),
    })
}

/// Copy the client's messages from `input` to the server (`to_server`),
/// answering malformed ones through `answers`.
async fn filter<R, W>(input: R, mut to_server: W, answers: mpsc::UnboundedSender<Vec<u8>>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut r = BufReader::new(input);
    while let Some(frame) = read_frame(&mut r).await {
        let answer = match frame {
            Frame::Body(body) => match check(&body) {
                Ok(()) => {
                    if to_server.write_all(&framed(&body)).await.is_err() {
                        return;
                    }
                    continue;
                }
                Err(e) => e,
            },
            Frame::Bad(why) => {
                serde_json::json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": format!("Parse error: {why}")}})
            }
        };
        let _ = answers.send(framed(answer.to_string().as_bytes()));
    }
    let _ = to_server.shutdown().await;
}

/// Frame the server's messages from `from_server` into `out`, each whole;
/// an empty message when the server's output ends.
async fn relay<R: AsyncRead + Unpin>(from_server: R, out: mpsc::UnboundedSender<Vec<u8>>) {
    let mut r = BufReader::new(from_server);
    while let Some(frame) = read_frame(&mut r).await {
        if let Frame::Body(body) = frame
            && out.send(framed(&body)).is_err()
        {
            return;
        }
    }
    let _ = out.send(Vec::new());
}

/// Write the server's messages and the answers to malformed ones to
/// `output`, one whole message at a time, until the server's output ends.
async fn write<W: AsyncWrite + Unpin>(mut output: W, mut frames: mpsc::UnboundedReceiver<Vec<u8>>) {
    while let Some(frame) = frames.recv().await {
        if frame.is_empty()
            || output.write_all(&frame).await.is_err()
            || output.flush().await.is_err()
        {
            break;
        }
    }
    let _ = output.flush().await;
}

/// Serve `service` on stdin/stdout through the guard.
pub(crate) async fn serve(
    service: tower_lsp_server::LspService<crate::Backend>,
    socket: tower_lsp_server::ClientSocket,
) {
    let (server_in, client_side) = tokio::io::duplex(1 << 16);
    let (server_out, from_server) = tokio::io::duplex(1 << 16);
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(filter(tokio::io::stdin(), client_side, tx.clone()));
    tokio::spawn(relay(from_server, tx));
    let writer = tokio::spawn(write(tokio::io::stdout(), rx));
    tower_lsp_server::Server::new(server_in, server_out, socket)
        .serve(service)
        .await;
    let _ = writer.await;
}
