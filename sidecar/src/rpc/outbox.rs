//! The outgoing queue: every frame the sidecar sends (responses, notifications, channel messages)
//! is serialized by its producer and queued here; one writer task drains the queue onto stdout.
//!
//! Why a queue and one writer: frames must never interleave, and the writer can coalesce many small
//! frames into one `write` + `flush` when producers outpace the pipe (see `rpc::server`).

use serde::Serialize;
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, Notify};

/// Bytes queued but not yet written; shared by the producers and the writer.
#[derive(Debug, Default)]
pub struct Backlog {
    bytes: AtomicUsize,
    drained: Notify,
}

impl Backlog {
    /// Called by the writer after it wrote `bytes` (or gave up: then with everything queued).
    pub fn written(&self, bytes: usize) {
        let _ = self.bytes.fetch_update(Ordering::AcqRel, Ordering::Acquire, |queued| Some(queued.saturating_sub(bytes)));
        self.drained.notify_waiters();
    }

    /// Bytes waiting to be written.
    pub fn queued(&self) -> usize {
        self.bytes.load(Ordering::Acquire)
    }
}

/// The writer's end of the queue.
pub struct Outgoing {
    pub receiver: mpsc::UnboundedReceiver<Vec<u8>>,
    pub backlog: Arc<Backlog>,
}

/// A handle producers use to queue frames. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Outbox {
    sender: mpsc::UnboundedSender<Vec<u8>>,
    backlog: Arc<Backlog>,
}

impl Outbox {
    /// Creates the queue; the `Outgoing` end goes to the writer.
    pub fn new() -> (Outbox, Outgoing) {
        let (sender, receiver) = mpsc::unbounded_channel();
        let backlog = Arc::new(Backlog::default());
        (Outbox { sender, backlog: backlog.clone() }, Outgoing { receiver, backlog })
    }

    /// Queues a JSON-RPC message body that is already serialized. Returns false when the writer
    /// is gone (the host closed the pipe), which producers treat as "stop working".
    pub fn send_body(&self, body: Vec<u8>) -> bool {
        let length = body.len();
        self.backlog.bytes.fetch_add(length, Ordering::AcqRel);
        let sent = self.sender.send(body).is_ok();
        if !sent {
            self.backlog.written(length);
        }
        sent
    }

    /// Waits while more than `limit` bytes are queued for a host that reads slower than a
    /// producer writes. Bulk producers (process output) call it before reading more, so a stalled
    /// host slows the child down through its pipe instead of growing the sidecar's memory.
    /// Returns at once when the writer is gone.
    pub async fn wait_for_room(&self, limit: usize) {
        loop {
            let drained = self.backlog.drained.notified();
            tokio::pin!(drained);
            drained.as_mut().enable();
            if self.backlog.queued() <= limit || self.sender.is_closed() {
                return;
            }
            drained.await;
        }
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

    /// Queues a success response for request `id`.
    pub fn respond_ok(&self, id: &Value, result: Value) -> bool {
        let body = serde_json::json!({ "jsonrpc": "2.0", "id": id, "result": result });
        self.send_body(serde_json::to_vec(&body).unwrap_or_default())
    }

    /// Queues an error response for request `id` (`Value::Null` when the id could not be read).
    pub fn respond_err(&self, id: &Value, error: &crate::error::AppError) -> bool {
        let mut error_object = serde_json::json!({ "code": error.code, "message": error.message });
        if let Some(data) = &error.data {
            error_object["data"] = data.clone();
        }
        let body = serde_json::json!({ "jsonrpc": "2.0", "id": id, "error": error_object });
        self.send_body(serde_json::to_vec(&body).unwrap_or_default())
    }

    /// True once the writer has stopped (stdout closed).
    pub fn is_closed(&self) -> bool {
        self.sender.is_closed()
    }
}
