//! The outgoing queue: every frame the sidecar sends (responses, notifications, channel messages)
//! is serialized by its producer and queued here; one writer task drains the queue onto stdout.
//!
//! Why a queue and one writer: frames must never interleave, and the writer can coalesce many small
//! frames into one `write` + `flush` when producers outpace the pipe (see `rpc::server`).

use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc;

/// A handle producers use to queue frames. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Outbox {
    sender: mpsc::UnboundedSender<Vec<u8>>,
}

impl Outbox {
    /// Creates the queue; the receiver goes to the writer task.
    pub fn new() -> (Outbox, mpsc::UnboundedReceiver<Vec<u8>>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        (Outbox { sender }, receiver)
    }

    /// Queues a JSON-RPC message body that is already serialized. Returns false when the writer
    /// is gone (the host closed the pipe), which producers treat as "stop working".
    pub fn send_body(&self, body: Vec<u8>) -> bool {
        self.sender.send(body).is_ok()
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
