//! The AI commands through the real binary against the scriptable fake provider
//! (`test/fake-provider/server.mjs`, started per test with node): streaming for each provider,
//! the agent loop and its tools, the permission gate and ask-user waits, stops, every provider
//! fault, model lists and pulls, the recorded streams of real servers replayed (`replay`), and
//! `generate_inline`. The helpers live here; the tests in `ai/`.

mod checkpoints;
mod faults;
mod gate;
mod inline;
mod lists;
mod proposals;
mod project_tools;
mod real_server;
mod replay;
mod streams;
mod tools;

use crate::harness::{assert_channel_contract, messages_of, Sidecar};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Each provider with a model the fake serves (Ollama 404s models it does not list).
pub const PROVIDERS: [(&str, &str); 3] = [("ollama", "llama3.2"), ("openai", "gpt-4o-mini"), ("anthropic", "claude-sonnet-4-5")];

/// The fake provider server, killed when dropped.
pub struct Fake {
    child: Child,
    pub port: u16,
}

impl Fake {
    pub fn start() -> Fake {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../test/fake-provider/server.mjs");
        let mut child = Command::new("node")
            .args([script, "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs test/fake-provider/server.mjs (is Node 20 installed?)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).expect("the fake provider prints its port");
        let port = serde_json::from_str::<Value>(&line).expect("{\"port\":N}")["port"].as_u64().unwrap() as u16;
        Fake { child, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Sends one HTTP request to the fake and returns its JSON answer.
    pub fn http(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let body = body.map(Value::to_string).unwrap_or_default();
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to the fake provider");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: fake\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (_, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
        serde_json::from_str(body).unwrap_or(Value::Null)
    }

    /// Queues scripted answers (see the format at the top of server.mjs).
    pub fn script(&self, script: Value) {
        self.http("POST", "/__script", Some(&script));
    }

    pub fn config(&self, config: Value) {
        self.http("POST", "/__config", Some(&config));
    }

    /// What the sidecar sent to the fake so far.
    pub fn requests(&self) -> Vec<Value> {
        self.http("GET", "/__requests", None).as_array().cloned().unwrap_or_default()
    }

    /// The bodies of the chat requests (not the model lists), in order.
    pub fn chat_bodies(&self) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|r| matches!(r["path"].as_str(), Some("/api/chat" | "/v1/chat/completions" | "/v1/messages")))
            .map(|r| r["body"].clone())
            .collect()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A sidecar and a fake provider.
pub fn setup() -> (Sidecar, Fake) {
    (Sidecar::initialized(), Fake::start())
}

/// `generate_completion_stream` params for `provider`, with `extra` merged over the defaults.
pub fn params(fake: &Fake, provider: &str, model: &str, extra: Value) -> Value {
    let mut params = json!({
        "model": model,
        "messages": [{ "role": "user", "content": "Hello" }],
        "host": fake.url(),
        "apiKey": "test-key",
        "provider": provider,
        "tools": false,
        "toolPermissionMode": "auto_accept_all",
        "toolAllowlist": [],
        "maxToolCalls": 20,
    });
    for (key, value) in extra.as_object().cloned().unwrap_or_default() {
        params[key] = value;
    }
    params
}

/// Starts a stream; returns (request id, channel id).
pub fn start(sidecar: &mut Sidecar, mut params: Value) -> (Value, u64) {
    let channel = sidecar.next_channel_id();
    params["onEvent"] = json!(channel);
    let id = sidecar.send_request("generate_completion_stream", params);
    (id, channel)
}

/// Runs a stream to its end: checks the channel contract and that the response `{requestId}`
/// came after the terminal message; returns the events.
pub fn run(sidecar: &mut Sidecar, params: Value) -> Vec<Value> {
    let (id, channel) = start(sidecar, params);
    finish(sidecar, &id, channel)
}

/// Waits for a started stream's end (see `run`).
pub fn finish(sidecar: &mut Sidecar, id: &Value, channel: u64) -> Vec<Value> {
    let response = sidecar.wait_response(id);
    // The reader files frames in arrival order: a terminal sent before the response is already here.
    let so_far = sidecar.channel_so_far(channel);
    assert!(
        so_far.last().is_some_and(|m| m["terminal"] == json!(true)),
        "the response came before the terminal message: {so_far:?}"
    );
    assert_eq!(response, Ok(json!({ "requestId": channel })));
    assert_eq!(sidecar.response_count(id), 1);
    let params = sidecar.channel_messages(channel);
    assert_channel_contract(&params);
    messages_of(&params)
}

/// The event kinds in order, without ToolCallDeltas (progress of a call that its ToolCall then
/// states whole; `replay` tests them).
pub fn kinds(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["event"].as_str().unwrap_or("?")).filter(|kind| *kind != "ToolCallDelta").collect()
}

/// `kinds` with runs of Chunks collapsed (how many Chunks a text takes depends on reads).
pub fn shape(events: &[Value]) -> Vec<&str> {
    let mut out = kinds(events);
    out.dedup_by(|a, b| *a == "Chunk" && *b == "Chunk");
    out
}

pub fn text_of(events: &[Value]) -> String {
    events.iter().filter(|e| e["event"] == "Chunk").map(|e| e["data"]["text"].as_str().unwrap_or("")).collect()
}

pub fn thinking_of(events: &[Value]) -> String {
    events.iter().filter(|e| e["event"] == "Chunk").map(|e| e["data"]["thinking"].as_str().unwrap_or("")).collect()
}

pub fn of_kind<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["event"] == kind).map(|e| &e["data"]).collect()
}

/// The terminal event's data, asserting its kind.
pub fn terminal<'a>(events: &'a [Value], kind: &str) -> &'a Value {
    let last = events.last().expect("events");
    assert_eq!(last["event"], kind, "terminal event: {last}");
    &last["data"]
}

/// Waits for the first event of `kind` on `channel` and returns its data.
pub fn wait_event(sidecar: &mut Sidecar, channel: u64, kind: &str) -> Value {
    let messages = sidecar.wait_channel(channel, &format!("a {kind} event"), |m| m["event"] == kind);
    messages.into_iter().map(|m| m["message"].clone()).find(|m| m["event"] == kind).unwrap()["data"].clone()
}

/// Waits for the `n`-th (from 1) event of `kind` on `channel`.
pub fn wait_nth(sidecar: &mut Sidecar, channel: u64, kind: &str, n: usize) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let found: Vec<Value> = messages_of(&sidecar.channel_so_far(channel)).into_iter().filter(|m| m["event"] == kind).collect();
        if found.len() >= n {
            return found[n - 1]["data"].clone();
        }
        assert!(Instant::now() < deadline, "waiting for {kind} #{n}: {:?}", sidecar.channel_so_far(channel));
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Polls `check` for up to 5 s.
pub fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
