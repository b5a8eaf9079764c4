//! Requests the sidecar sends to the host, the way a language server sends `workspace/applyEdit`:
//! a JSON-RPC request with an id of the sidecar's own, answered by a response the read loop hands
//! back here. The host serves them with vscode-jsonrpc's `connection.onRequest`.
//!
//! Each request waits for the first of: its response, its deadline, or the connection's end (EOF,
//! `exit`, a closed stdout), so a host that never answers costs a timeout, never a hung task.
//! Ids are strings (`"s1"`, `"s2"`, …) so that in a log they cannot be mistaken for the host's own
//! request ids, which are numbers.

use crate::rpc::outbox::Outbox;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

/// Why a request to the host got no result.
#[derive(Debug, Clone, PartialEq)]
pub enum HostError {
    /// No response within the deadline.
    TimedOut,
    /// The connection ended (or the host stopped reading) before the response came.
    Gone,
    /// The host answered with a JSON-RPC error (-32601 when it does not serve the method).
    Refused { code: i64, message: String },
}

impl std::fmt::Display for HostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HostError::TimedOut => write!(f, "VS Code did not answer in time"),
            HostError::Gone => write!(f, "the connection to VS Code ended"),
            HostError::Refused { code, message } => write!(f, "VS Code refused the request ({code}: {message})"),
        }
    }
}

type Pending = Mutex<Option<HashMap<String, oneshot::Sender<Result<Value, HostError>>>>>;

/// Sends requests to the host and matches their responses. Cheap to clone.
#[derive(Clone)]
pub struct HostClient {
    inner: Arc<Inner>,
}

struct Inner {
    outbox: Outbox,
    next_id: AtomicU64,
    /// `None` once the connection ended: later requests fail at once.
    pending: Pending,
}

/// Removes a request's entry however its wait ends (a dropped future included).
struct Entry<'a> {
    pending: &'a Pending,
    id: String,
}

impl Drop for Entry<'_> {
    fn drop(&mut self) {
        if let Some(map) = self.pending.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
            map.remove(&self.id);
        }
    }
}

impl HostClient {
    pub fn new(outbox: Outbox) -> HostClient {
        HostClient { inner: Arc::new(Inner { outbox, next_id: AtomicU64::new(1), pending: Mutex::new(Some(HashMap::new())) }) }
    }

    /// Sends `method` with `params` and waits up to `timeout` for the host's result.
    pub async fn request(&self, method: &str, params: &impl Serialize, timeout: Duration) -> Result<Value, HostError> {
        let id = format!("s{}", self.inner.next_id.fetch_add(1, Ordering::Relaxed));
        let (sender, receiver) = oneshot::channel();
        {
            let mut pending = self.inner.pending.lock().unwrap_or_else(|p| p.into_inner());
            let Some(map) = pending.as_mut() else { return Err(HostError::Gone) };
            map.insert(id.clone(), sender);
        }
        let _entry = Entry { pending: &self.inner.pending, id: id.clone() };
        if !self.inner.outbox.request(&id, method, params) {
            return Err(HostError::Gone);
        }
        match tokio::time::timeout(timeout, receiver).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(_)) => Err(HostError::Gone),
            Err(_) => Err(HostError::TimedOut),
        }
    }

    /// Delivers a response (`{id, result}` or `{id, error}`) to its waiting request. Returns false
    /// when no request of ours has that id (late, after a timeout, or not ours at all).
    pub fn answer(&self, message: &Value) -> bool {
        let Some(id) = message.get("id").and_then(Value::as_str) else { return false };
        let sender = self.inner.pending.lock().unwrap_or_else(|p| p.into_inner()).as_mut().and_then(|map| map.remove(id));
        let Some(sender) = sender else { return false };
        let outcome = match message.get("error") {
            Some(error) => Err(HostError::Refused {
                code: error.get("code").and_then(Value::as_i64).unwrap_or(0),
                message: error.get("message").and_then(Value::as_str).unwrap_or("").to_string(),
            }),
            None => Ok(message.get("result").cloned().unwrap_or(Value::Null)),
        };
        sender.send(outcome).is_ok()
    }

    /// The connection ended: every waiting request fails with `Gone`, and so do later ones.
    pub fn close(&self) {
        self.inner.pending.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::io::Write;

    /// Collects what the outbox writes, so a test can read the request and answer it.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn client() -> (HostClient, Sink) {
        let sink = Sink::default();
        let (outbox, outgoing) = Outbox::new(sink.clone());
        std::thread::spawn(move || outgoing.run());
        (HostClient::new(outbox), sink)
    }

    async fn sent_request(sink: &Sink) -> Value {
        for _ in 0..200 {
            let text = String::from_utf8_lossy(&sink.0.lock().unwrap()).into_owned();
            if let Some((_, body)) = text.split_once("\r\n\r\n") {
                return serde_json::from_str(body).unwrap();
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("no request was written");
    }

    #[tokio::test]
    async fn a_response_reaches_its_request_by_id() {
        let (client, sink) = client();
        let waiting = tokio::spawn({
            let client = client.clone();
            async move { client.request("editor/readDocument", &json!({"path": "a.txt"}), Duration::from_secs(5)).await }
        });
        let request = sent_request(&sink).await;
        assert_eq!(request["method"], "editor/readDocument");
        assert_eq!(request["params"], json!({"path": "a.txt"}));
        assert!(!client.answer(&json!({"jsonrpc": "2.0", "id": "s999", "result": 1})), "an unknown id is not ours");
        assert!(client.answer(&json!({"jsonrpc": "2.0", "id": request["id"], "result": {"open": false}})));
        assert_eq!(waiting.await.unwrap(), Ok(json!({"open": false})));
        assert!(!client.answer(&json!({"jsonrpc": "2.0", "id": request["id"], "result": 2})), "answered once");
    }

    #[tokio::test]
    async fn errors_timeouts_and_a_closed_connection_end_the_wait() {
        let (client, sink) = client();
        let waiting = tokio::spawn({
            let client = client.clone();
            async move { client.request("editor/applyEdit", &json!({}), Duration::from_secs(5)).await }
        });
        let request = sent_request(&sink).await;
        client.answer(&json!({"jsonrpc": "2.0", "id": request["id"], "error": {"code": -32601, "message": "Unhandled method"}}));
        assert_eq!(waiting.await.unwrap(), Err(HostError::Refused { code: -32601, message: "Unhandled method".into() }));

        let timed_out = client.request("x", &json!({}), Duration::from_millis(20)).await;
        assert_eq!(timed_out, Err(HostError::TimedOut));

        let waiting = tokio::spawn({
            let client = client.clone();
            async move { client.request("y", &json!({}), Duration::from_secs(30)).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        client.close();
        assert_eq!(waiting.await.unwrap(), Err(HostError::Gone));
        assert_eq!(client.request("z", &json!({}), Duration::from_secs(1)).await, Err(HostError::Gone), "nothing is sent after the end");
    }
}
