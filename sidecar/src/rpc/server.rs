//! The server loop: reads frames from stdin, answers `initialize`/`shutdown`, dispatches commands
//! to their handlers as concurrent tasks, routes `$/cancelRequest` and the host's responses to the
//! sidecar's own requests (`rpc::host`), and writes every outgoing frame from one writer task.
//! It exits on `exit` or on EOF on stdin (the host died), killing the processes it started, so
//! no sidecar or child is left orphaned; the sidecar's requests still waiting fail at once.
//!
//! Invariants: every request gets exactly one response (cancelled and panicking ones included);
//! bad input gets an error response and the loop keeps serving; nothing but frames reaches stdout.

use crate::confine::Root;
use crate::context::{RequestContext, Session, SidecarState};
use crate::dispatch;
use crate::error::{codes, AppError};
use crate::permissions::GrantedGroups;
use crate::protocol::rpc::{InitializeParams, InitializeResult};
use crate::rpc::codec::{Frame, LspCodec};
use crate::rpc::host::HostClient;
use crate::rpc::incoming::{self, Incoming};
use crate::rpc::outbox::{Outbox, Outgoing};
use crate::workspace::Workspace;
use bytes::BytesMut;
use futures::{FutureExt, StreamExt};
use serde_json::Value;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncRead;
use tokio_util::codec::{Decoder, FramedRead};
use tokio_util::sync::CancellationToken;

/// How long a cancelled handler may keep running before the server answers "cancelled" for it.
/// Streams use this time to send their final `Done`.
const CANCEL_GRACE: Duration = Duration::from_secs(2);

/// Requests in flight, by the JSON text of their id, so `$/cancelRequest` can find them.
type InFlight = Arc<Mutex<HashMap<String, CancellationToken>>>;

/// Why the loop stopped, which decides the exit code.
#[derive(Debug, PartialEq, Eq)]
pub enum Exit {
    /// `shutdown` then `exit`: code 0.
    Clean,
    /// `exit` without `shutdown`, or stdin closed: code 1 (as in LSP).
    Abrupt,
}

/// Runs the server until `exit` or EOF, then stops all work. Returns how it ended.
///
/// `output` is written with plain blocking writes, from a dedicated writer thread for queued frames
/// and from pipe-reader threads for process output (see `rpc::outbox`), never through tokio's
/// blocking-pool stdout: fewer thread hops keep the added latency of streamed output low.
pub async fn serve<R, W>(input: R, output: W) -> Exit
where
    R: AsyncRead + Unpin,
    W: std::io::Write + Send + 'static,
{
    Server::new(output).run(input).await
}

/// Most bytes `answer_initialize` reads looking for the first frame before it leaves the frame to
/// the read loop (an `initialize` is well under 1 KiB).
const FIRST_FRAME_LIMIT: usize = 64 * 1024;

/// The server between its start and `exit`: the shared state, stdout, and the host client.
pub struct Server {
    outbox: Outbox,
    outgoing: Outgoing,
    host: HostClient,
    state: Arc<SidecarState>,
}

impl Server {
    /// A server that will write its frames to `output`. Starts no thread and needs no runtime.
    pub fn new(output: impl std::io::Write + Send + 'static) -> Server {
        let (outbox, outgoing) = Outbox::new(output);
        let host = HostClient::new(outbox.clone());
        Server { outbox, outgoing, host, state: Arc::new(SidecarState::default()) }
    }

    /// Reads the host's first frame with blocking reads on the calling thread and, when it is
    /// `initialize`, answers it from this thread straight to the output. The host waits on that
    /// answer before anything else, so `main` calls this before the tokio runtime and the writer
    /// thread exist: the handshake costs no thread start and no hop between threads.
    ///
    /// Returns the bytes read that are still to be served (all of them when the first frame is
    /// anything else, which the read loop then answers as it always does).
    pub fn answer_initialize(&self, input: &mut impl std::io::Read) -> Vec<u8> {
        let mut buffer = BytesMut::new();
        let mut chunk = vec![0u8; 16 * 1024];
        loop {
            // A fresh decoder on a copy: the loop decodes the bytes again unless this frame is
            // answered here.
            let mut rest = buffer.clone();
            match LspCodec::new().decode(&mut rest) {
                Ok(Some(Frame::Message(body))) => {
                    if let Incoming::Request { id, method, params } = incoming::classify(&body) {
                        if method == "initialize" {
                            let reply = initialize(&self.state, &self.host, params);
                            self.outbox.respond_now(&id, reply);
                            return rest.to_vec();
                        }
                    }
                    return buffer.to_vec();
                }
                Ok(Some(Frame::Malformed(_))) | Err(_) => return buffer.to_vec(),
                Ok(None) if buffer.len() >= FIRST_FRAME_LIMIT => return buffer.to_vec(),
                Ok(None) => {}
            }
            match input.read(&mut chunk) {
                Ok(0) => return buffer.to_vec(),
                Ok(read) => buffer.extend_from_slice(&chunk[..read]),
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                // The read loop reads again and reports the failure.
                Err(_) => return buffer.to_vec(),
            }
        }
    }

    /// Serves `input` until `exit` or EOF, then stops all work. Returns how it ended.
    pub async fn run<R: AsyncRead + Unpin>(self, input: R) -> Exit {
        let Server { outbox, outgoing, host, state } = self;
        let (writer_done, writer) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("stdout-writer".into())
            .spawn(move || {
                outgoing.run();
                let _ = writer_done.send(());
            })
            .expect("the writer thread starts");
        let root_cancel = CancellationToken::new();
        let in_flight: InFlight = Arc::default();
        let mut shutdown_requested = false;
        let mut frames = FramedRead::new(input, LspCodec::new());

        let exit = loop {
            let frame = match frames.next().await {
                Some(Ok(frame)) => frame,
                Some(Err(err)) => {
                    log(&format!("stdin read failed: {err}; stopping"));
                    break Exit::Abrupt;
                }
                None => break Exit::Abrupt,
            };
            let body = match frame {
                Frame::Message(body) => body,
                Frame::Malformed(reason) => {
                    outbox.respond_err(&Value::Null, &AppError::new(codes::PARSE_ERROR, format!("Parse error: {reason}")));
                    continue;
                }
            };
            let (id, method, params) = match incoming::classify(&body) {
                Incoming::Request { id, method, params } => (id, method, params),
                Incoming::Notification { method, params } => {
                    match method.as_str() {
                        "exit" => break if shutdown_requested { Exit::Clean } else { Exit::Abrupt },
                        "$/cancelRequest" => {
                            let key = params.get("id").map(Value::to_string).unwrap_or_default();
                            if let Some(token) = in_flight.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
                                token.cancel();
                            }
                        }
                        other if other.starts_with("$/") => {}
                        other => log(&format!("ignoring unknown notification {other}")),
                    }
                    continue;
                }
                // A response to one of the sidecar's own requests (`rpc::host`); one that matches none
                // (it came after its timeout) has nobody left to tell.
                Incoming::Response(message) => {
                    host.answer(&message);
                    continue;
                }
                Incoming::Invalid { id, error } => {
                    if let Some(id) = id {
                        outbox.respond_err(&id, &error);
                    }
                    continue;
                }
            };
            match method.as_str() {
                "initialize" => {
                    let reply = initialize(&state, &host, params);
                    respond(&outbox, &id, reply);
                }
                "shutdown" => {
                    shutdown_requested = true;
                    root_cancel.cancel();
                    state.processes.kill_all().await;
                    outbox.respond_ok(&id, Value::Null);
                }
                _ => {
                    if shutdown_requested {
                        outbox.respond_err(&id, &AppError::new(codes::INVALID_REQUEST, "The sidecar is shutting down"));
                        continue;
                    }
                    let Some(session) = state.session.get().cloned() else {
                        outbox.respond_err(&id, &AppError::new(codes::SERVER_NOT_INITIALIZED, format!("'{method}' arrived before initialize; send initialize first")));
                        continue;
                    };
                    let context = RequestContext {
                        state: state.clone(),
                        session,
                        cancel: root_cancel.child_token(),
                        outbox: outbox.clone(),
                        host: host.clone(),
                    };
                    spawn_request(context, id, method, params, in_flight.clone());
                }
            }
        };

        root_cancel.cancel();
        host.close();
        state.processes.kill_all().await;
        drop(host);
        drop(outbox);
        // Let queued frames (final responses, terminal channel messages) reach the host if it listens.
        let _ = tokio::time::timeout(Duration::from_millis(500), writer).await;
        exit
    }
}

fn respond(outbox: &Outbox, id: &Value, reply: Result<Value, AppError>) {
    match reply {
        Ok(result) => outbox.respond_ok(id, result),
        Err(error) => outbox.respond_err(id, &error),
    };
}

fn initialize(state: &SidecarState, host: &HostClient, params: Value) -> Result<Value, AppError> {
    let params: InitializeParams = dispatch::parse_params("initialize", params)?;
    if params.protocol_version != crate::PROTOCOL_VERSION {
        return Err(AppError::new(
            codes::PROTOCOL_VERSION,
            format!(
                "Protocol version mismatch: the extension speaks {} but this sidecar ({}) speaks {}. Rebuild the sidecar (npm run build) or point prototyper.sidecar.path at a matching binary.",
                params.protocol_version,
                crate::SIDECAR_VERSION,
                crate::PROTOCOL_VERSION
            ),
        ));
    }
    let storage_dir = PathBuf::from(&params.storage_dir);
    let storage = Root::create_ambient(&storage_dir)
        .map_err(|err| AppError::io(format!("cannot create the storage directory {}: {err}", params.storage_dir)))?;
    let session = Session {
        workspace: Workspace::new(params.workspace_root.map(PathBuf::from)),
        storage,
        granted: GrantedGroups::load(params.capabilities.workspace_trusted)?,
        allowed_hosts: params.capabilities.allowed_hosts,
        package_manager: params.capabilities.package_manager,
        editors: crate::editor::Editors::from_host(host.clone(), params.capabilities.editor_documents),
    };
    state
        .session
        .set(Arc::new(session))
        .map_err(|_| AppError::new(codes::INVALID_REQUEST, "initialize was already called"))?;
    dispatch::to_result(InitializeResult {
        protocol_version: crate::PROTOCOL_VERSION,
        sidecar_version: crate::SIDECAR_VERSION.to_string(),
        commands: dispatch::command_names().into_iter().map(str::to_owned).collect(),
    })
}

/// Runs one command as its own task and sends its single response.
fn spawn_request(context: RequestContext, id: Value, method: String, params: Value, in_flight: InFlight) {
    let key = id.to_string();
    in_flight.lock().unwrap_or_else(|p| p.into_inner()).insert(key.clone(), context.cancel.clone());
    tokio::spawn(async move {
        let outbox = context.outbox.clone();
        let cancel = context.cancel.clone();
        let reply = run_command(context, &method, params, cancel).await;
        in_flight.lock().unwrap_or_else(|p| p.into_inner()).remove(&key);
        respond(&outbox, &id, reply);
    });
}

async fn run_command(context: RequestContext, method: &str, params: Value, cancel: CancellationToken) -> Result<Value, AppError> {
    let Some(command) = dispatch::table().get(method) else {
        return Err(AppError::new(codes::METHOD_NOT_FOUND, format!("Unknown command '{method}'")));
    };
    context.session.granted.check(command.name, command.group, command.effect)?;
    let handler = AssertUnwindSafe((command.run)(context, params)).catch_unwind();
    tokio::pin!(handler);
    let outcome = tokio::select! {
        outcome = &mut handler => outcome,
        _ = cancel.cancelled() => {
            // Give the handler time to wind down (streams send their final Done), then answer.
            match tokio::time::timeout(CANCEL_GRACE, &mut handler).await {
                Ok(outcome) => outcome,
                Err(_) => return Err(AppError::cancelled()),
            }
        }
    };
    outcome.unwrap_or_else(|panic| {
        let reason = panic
            .downcast_ref::<&str>()
            .map(|text| text.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        log(&format!("handler for {method} panicked: {reason}"));
        Err(AppError::internal(format!("Internal error: '{method}' failed unexpectedly ({reason}). The sidecar is still running; see the Prototyper Sidecar output.")))
    })
}

/// Writes a log line to stderr (never stdout, which carries frames).
pub fn log(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "[prototyper-sidecar] {line}");
}
