//! Everything the sidecar sends (responses, notifications, channel messages) reaches stdout
//! through here, by one of two doors that share one lock on stdout, so frames never interleave:
//!
//! - `send_body` queues a serialized frame for the writer thread and never blocks. Async tasks
//!   use it. When producers outpace the pipe, the writer coalesces queued frames into one
//!   `write` + `flush`.
//! - `write_now` writes a frame from the calling thread straight to stdout, blocking while the
//!   host is not reading. Threads that read a child's pipe use it: a child's output reaches the
//!   host with one thread wakeup in the sidecar, and a host that stops reading holds the child
//!   back through its pipe instead of growing the sidecar's memory.
//!
//! Memory: a response is serialized into a buffer of exactly its size (a counting pass first, so a
//! large result never costs the doubling of a growing buffer), and a body larger than a batch is
//! written as it is, header then body, without being copied into the batch buffer.
//!
//! Frames from the two doors are not ordered against each other. A channel keeps its order by
//! using one door for all its messages but the terminal one, which goes last, after the direct
//! writes have returned (see `commands::process::spawn`).

use crate::rpc::codec::LspCodec;
use bytes::BytesMut;
use serde::Serialize;
use serde_json::Value;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio_util::codec::Encoder;

/// Queued bytes beyond which the writer stops coalescing and writes what it has.
const MAX_BATCH: usize = 1024 * 1024;

/// stdout, shared by the writer thread and direct writers.
struct SharedOutput {
    writer: Mutex<Box<dyn Write + Send>>,
    /// Set when a write failed: the host closed the pipe, and nothing more can be delivered.
    broken: AtomicBool,
}

impl SharedOutput {
    /// Writes already-framed bytes; false (and broken from then on) when the pipe is gone.
    fn write_framed(&self, framed: &[u8]) -> bool {
        self.write_parts(&[framed])
    }

    /// Writes the parts one after another under one lock (a header and its body, say).
    fn write_parts(&self, parts: &[&[u8]]) -> bool {
        if self.broken.load(Ordering::Acquire) {
            return false;
        }
        let mut writer = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let written = parts.iter().try_for_each(|part| writer.write_all(part)).and_then(|()| writer.flush());
        if written.is_err() {
            self.broken.store(true, Ordering::Release);
            return false;
        }
        true
    }
}

/// A handle producers use to send frames. Cheap to clone.
#[derive(Clone)]
pub struct Outbox {
    sender: mpsc::UnboundedSender<Vec<u8>>,
    output: Arc<SharedOutput>,
}

/// The writer thread's end of the queue; `run` it on a dedicated thread.
pub struct Outgoing {
    receiver: mpsc::UnboundedReceiver<Vec<u8>>,
    output: Arc<SharedOutput>,
}

impl Outbox {
    /// Wraps `output` (stdout); the `Outgoing` end must be run by a thread of its own.
    pub fn new(output: impl Write + Send + 'static) -> (Outbox, Outgoing) {
        let (sender, receiver) = mpsc::unbounded_channel();
        let output = Arc::new(SharedOutput { writer: Mutex::new(Box::new(output)), broken: AtomicBool::new(false) });
        (Outbox { sender, output: output.clone() }, Outgoing { receiver, output })
    }

    /// Queues a JSON-RPC message body that is already serialized. Returns false when the writer
    /// is gone (the host closed the pipe), which producers treat as "stop working".
    pub fn send_body(&self, body: Vec<u8>) -> bool {
        !self.output.broken.load(Ordering::Acquire) && self.sender.send(body).is_ok()
    }

    /// Writes a serialized body as one frame from this thread, blocking until the pipe took it.
    /// Never call it from an async task: it blocks while the host is not reading.
    pub fn write_now(&self, body: Vec<u8>) -> bool {
        if body.len() >= MAX_BATCH {
            return self.output.write_parts(&[&frame_header(body.len()), &body]);
        }
        let mut framed = BytesMut::with_capacity(body.len() + 32);
        let _ = LspCodec::new().encode(body, &mut framed);
        self.output.write_framed(&framed)
    }

    /// Queues a notification `{ jsonrpc, method, params }`.
    pub fn notify(&self, method: &str, params: &impl Serialize) -> bool {
        #[derive(Serialize)]
        struct Notification<'a, P> {
            jsonrpc: &'static str,
            method: &'a str,
            params: &'a P,
        }
        match serde_json::to_vec(&Notification { jsonrpc: "2.0", method, params }) {
            Ok(body) => self.send_body(body),
            Err(_) => false,
        }
    }

    /// Queues a request `{ jsonrpc, id, method, params }` to the host (see `rpc::host`).
    pub fn request(&self, id: &str, method: &str, params: &impl Serialize) -> bool {
        #[derive(Serialize)]
        struct Request<'a, P> {
            jsonrpc: &'static str,
            id: &'a str,
            method: &'a str,
            params: &'a P,
        }
        match serde_json::to_vec(&Request { jsonrpc: "2.0", id, method, params }) {
            Ok(body) => self.send_body(body),
            Err(_) => false,
        }
    }

    /// Queues a success response for request `id`.
    pub fn respond_ok(&self, id: &Value, result: Value) -> bool {
        self.send_body(ok_body(id, result))
    }

    /// Queues an error response for request `id` (`Value::Null` when the id could not be read).
    pub fn respond_err(&self, id: &Value, error: &crate::error::AppError) -> bool {
        self.send_body(err_body(id, error))
    }

    /// Writes the response for request `id` from this thread (see `write_now`): the answer to
    /// `initialize`, sent before the writer thread exists.
    pub fn respond_now(&self, id: &Value, reply: Result<Value, crate::error::AppError>) -> bool {
        self.write_now(match reply {
            Ok(result) => ok_body(id, result),
            Err(error) => err_body(id, &error),
        })
    }

    /// True once nothing more can reach the host (stdout closed, or the writer stopped).
    pub fn is_closed(&self) -> bool {
        self.sender.is_closed() || self.output.broken.load(Ordering::Acquire)
    }
}

fn ok_body(id: &Value, result: Value) -> Vec<u8> {
    to_vec_exact(&serde_json::json!({ "jsonrpc": "2.0", "id": id, "result": result }))
}

fn err_body(id: &Value, error: &crate::error::AppError) -> Vec<u8> {
    let mut error_object = serde_json::json!({ "code": error.code, "message": error.message });
    if let Some(data) = &error.data {
        error_object["data"] = data.clone();
    }
    serde_json::to_vec(&serde_json::json!({ "jsonrpc": "2.0", "id": id, "error": error_object })).unwrap_or_default()
}

/// Serializes `value` into a buffer of exactly its size: one pass counts the bytes, the second
/// writes them. Twice the CPU, but no growing buffer that briefly holds up to twice the message.
fn to_vec_exact(value: &Value) -> Vec<u8> {
    struct Counter(usize);
    impl Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    if serde_json::to_writer(&mut counter, value).is_err() {
        return Vec::new();
    }
    let mut body = Vec::with_capacity(counter.0);
    let _ = serde_json::to_writer(&mut body, value);
    body
}

fn frame_header(length: usize) -> Vec<u8> {
    format!("Content-Length: {length}\r\n\r\n").into_bytes()
}

impl Outgoing {
    /// Drains the queue onto stdout until every `Outbox` is dropped or the host closes the pipe.
    /// Frames queued while a write is under way go out together in the next one.
    pub fn run(self) {
        let Outgoing { mut receiver, output } = self;
        let mut codec = LspCodec::new();
        let mut buffer = BytesMut::with_capacity(64 * 1024);
        let mut next = receiver.blocking_recv();
        while let Some(body) = next.take() {
            if body.len() >= MAX_BATCH {
                // A large body goes out as it is, not copied into the batch buffer.
                if !output.write_parts(&[&frame_header(body.len()), &body]) {
                    receiver.close();
                    return;
                }
                next = receiver.blocking_recv();
                continue;
            }
            let _ = codec.encode(body, &mut buffer);
            while buffer.len() < MAX_BATCH {
                match receiver.try_recv() {
                    Ok(body) if body.len() >= MAX_BATCH => {
                        next = Some(body); // after this batch, on its own
                        break;
                    }
                    Ok(body) => {
                        let _ = codec.encode(body, &mut buffer);
                    }
                    Err(_) => break,
                }
            }
            if !output.write_framed(&buffer) {
                // The host closed our stdout; the read loop will see EOF too.
                receiver.close();
                return;
            }
            buffer.clear();
            if next.is_none() {
                next = receiver.blocking_recv();
            }
        }
    }
}
