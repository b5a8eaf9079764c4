//! Drives the real `prototyper-sidecar` binary the way the extension host does: framed JSON-RPC on
//! its stdin/stdout, a temporary workspace and storage directory, and a reader thread that files
//! every message it sends (responses by id, channel messages by channel id, other notifications).
//!
//! Every wait has a deadline and a failing wait panics with the sidecar's stderr, so a broken
//! sidecar fails a test instead of hanging it. Typical use:
//!
//! ```ignore
//! let mut sidecar = Sidecar::initialized();
//! sidecar.request("write_file", json!({"path": "a.txt", "content": "hi"})).unwrap();
//! let channel = sidecar.next_channel_id();
//! sidecar.request("run_shell_command", json!({"cwd": ".", "command": "echo hi", "onEvent": channel})).unwrap();
//! let messages = sidecar.channel_messages(channel); // waits for the terminal message
//! ```

#![allow(dead_code)] // each test module uses a different part of the harness

use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long any single wait may take before the test fails (debug builds on 2 busy cores).
pub const WAIT: Duration = Duration::from_secs(30);

/// The path of the binary under test, built by cargo for this test target.
pub const BINARY: &str = env!("CARGO_BIN_EXE_prototyper-sidecar");

/// The binary the tests drive: `BINARY`, or the one `PROTOTYPER_SIDECAR_UNDER_TEST` names (to run
/// the suite against a release build, or an older build to see a test catch what it should).
pub fn binary() -> String {
    std::env::var("PROTOTYPER_SIDECAR_UNDER_TEST").unwrap_or_else(|_| BINARY.to_string())
}

/// The JSON-RPC error of a failed request: `(code, message)`.
pub type RpcError = (i64, String);

/// How to start and initialize a sidecar.
#[derive(Clone, Debug)]
pub struct Options {
    /// `capabilities.workspaceTrusted`.
    pub trusted: bool,
    /// `capabilities.allowedHosts`.
    pub allowed_hosts: Vec<String>,
    /// `capabilities.packageManager` (`bun` or `npm`).
    pub package_manager: String,
    /// Send `workspaceRoot: null` (no folder open) instead of the temp workspace.
    pub no_workspace: bool,
    /// Extra environment for the sidecar process (e.g. a PATH without bun).
    pub env: Vec<(String, String)>,
    /// `capabilities.editorDocuments`: the sidecar asks about open documents (answer with
    /// `Sidecar::answer_host_requests`).
    pub editor_documents: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            trusted: true,
            allowed_hosts: Vec::new(),
            package_manager: "bun".to_string(),
            no_workspace: false,
            env: Vec::new(),
            editor_documents: false,
        }
    }
}

/// Everything the sidecar has sent, filed by kind.
#[derive(Default)]
struct Inbox {
    /// Responses by the JSON text of their id; a Vec so a duplicate response can be detected.
    responses: HashMap<String, Vec<Value>>,
    /// The params of `channel` notifications, by channel id, in arrival order.
    channels: HashMap<u64, Vec<Value>>,
    /// When each channel message arrived (ms since the Unix epoch), parallel to `channels`.
    arrivals: HashMap<u64, Vec<f64>>,
    /// Other notifications, and responses with a null id (parse errors).
    other: Vec<Value>,
    /// Requests the sidecar sent to the host (`editor/*`), in arrival order.
    host_requests: Vec<Value>,
    /// Frames that could not be read (a sidecar bug: stdout must carry frames only).
    bad_frames: Vec<String>,
    /// stdout reached EOF.
    closed: bool,
}

/// Answers a request the sidecar sends to the host: `(method, params)` → result or `(code, message)`.
pub type HostResponder = Box<dyn Fn(&str, &Value) -> Result<Value, RpcError> + Send>;

struct Shared {
    inbox: Mutex<Inbox>,
    /// Answers the sidecar's requests to the host; without one they go unanswered.
    responder: Mutex<Option<HostResponder>>,
    /// The sidecar's stdin, shared with the reader thread, which writes the responses.
    stdin: Mutex<Option<ChildStdin>>,
    changed: Condvar,
    /// While true the reader thread stops reading stdout (a host that stalls).
    paused: std::sync::atomic::AtomicBool,
}

/// A running sidecar with its temp directories. Killed when dropped.
pub struct Sidecar {
    child: Child,
    shared: Arc<Shared>,
    stderr: Arc<Mutex<String>>,
    next_id: i64,
    next_channel: u64,
    /// The workspace root the sidecar was initialized with (canonical).
    pub workspace: PathBuf,
    /// The storage directory the sidecar was initialized with.
    pub storage: PathBuf,
    /// A directory beside the workspace, outside it, for confinement tests.
    pub outside: PathBuf,
    _temp: tempfile::TempDir,
    options: Options,
    /// How long a wait may take (`WAIT` unless a test against a slow real server raises it).
    wait: Duration,
}

impl Sidecar {
    /// Starts the sidecar without initializing it.
    pub fn start(options: Options) -> Sidecar {
        let temp = tempfile::tempdir().expect("a temp dir");
        let base = temp.path().canonicalize().expect("canonical temp dir");
        let workspace = base.join("workspace");
        let storage = base.join("storage");
        let outside = base.join("outside");
        for dir in [&workspace, &storage, &outside] {
            std::fs::create_dir_all(dir).expect("create test dirs");
        }
        let mut command = Command::new(binary());
        command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        for (key, value) in &options.env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("the sidecar binary starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr_pipe = child.stderr.take().expect("piped stderr");
        let shared = Arc::new(Shared {
            inbox: Mutex::new(Inbox::default()),
            responder: Mutex::new(None),
            stdin: Mutex::new(child.stdin.take()),
            changed: Condvar::new(),
            paused: std::sync::atomic::AtomicBool::new(false),
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        {
            let shared = shared.clone();
            std::thread::spawn(move || read_frames(stdout, &shared));
        }
        {
            let stderr = stderr.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stderr_pipe);
                let mut line = String::new();
                while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                    stderr.lock().unwrap().push_str(&line);
                    line.clear();
                }
            });
        }
        Sidecar {
            child,
            shared,
            stderr,
            next_id: 1,
            next_channel: 1,
            workspace,
            storage,
            outside,
            _temp: temp,
            options,
            wait: WAIT,
        }
    }

    /// Starts a sidecar and initializes it with default options (trusted, no allowed hosts, bun).
    pub fn initialized() -> Sidecar {
        Self::with_options(Options::default())
    }

    /// Starts a sidecar and initializes it with `options`; panics if initialize fails.
    pub fn with_options(options: Options) -> Sidecar {
        let mut sidecar = Self::start(options);
        let params = sidecar.initialize_params();
        sidecar.request("initialize", params).unwrap_or_else(|err| panic!("initialize failed: {err:?}"));
        sidecar
    }

    /// The `initialize` params these options stand for.
    pub fn initialize_params(&self) -> Value {
        json!({
            "protocolVersion": 1,
            "storageDir": self.storage,
            "workspaceRoot": if self.options.no_workspace { Value::Null } else { json!(self.workspace) },
            "capabilities": {
                "workspaceTrusted": self.options.trusted,
                "allowedHosts": self.options.allowed_hosts,
                "packageManager": self.options.package_manager,
                "editorDocuments": self.options.editor_documents,
            }
        })
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A fresh channel id for an `onEvent` param.
    pub fn next_channel_id(&mut self) -> u64 {
        self.next_channel += 1;
        self.next_channel
    }

    /// Writes raw bytes to the sidecar's stdin (for malformed-input tests).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let mut stdin = self.shared.stdin.lock().unwrap();
        let stdin = stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).expect("write to the sidecar");
        stdin.flush().expect("flush to the sidecar");
    }

    /// From now on the sidecar's requests to the host are answered by `responder`, on the reader
    /// thread, as the extension host's `connection.onRequest` handlers would.
    pub fn answer_host_requests(&self, responder: impl Fn(&str, &Value) -> Result<Value, RpcError> + Send + 'static) {
        *self.shared.responder.lock().unwrap() = Some(Box::new(responder));
    }

    /// The requests the sidecar sent to the host so far (`{id, method, params}`).
    pub fn host_requests(&self) -> Vec<Value> {
        self.shared.inbox.lock().unwrap().host_requests.clone()
    }

    /// Frames and sends one JSON message.
    pub fn send_message(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).expect("serializable message");
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(&body);
        self.send_raw(&frame);
    }

    /// Sends a request without waiting; returns its id for `wait_response`.
    pub fn send_request(&mut self, method: &str, params: Value) -> Value {
        let id = json!(self.next_id);
        self.next_id += 1;
        self.send_message(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        self.send_message(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends `$/cancelRequest` for `id`.
    pub fn cancel(&mut self, id: &Value) {
        self.notify("$/cancelRequest", json!({ "id": id }));
    }

    /// Sends a request and waits for its response: the result, or `(code, message)`.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, RpcError> {
        let id = self.send_request(method, params);
        self.wait_response(&id)
    }

    /// Like `request`, but the test fails with the error when the command fails.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.request(method, params.clone())
            .unwrap_or_else(|err| panic!("{method} {params} failed: {err:?}\nsidecar stderr:\n{}", self.stderr()))
    }

    /// Waits for the response to request `id`.
    pub fn wait_response(&mut self, id: &Value) -> Result<Value, RpcError> {
        let key = id.to_string();
        let response = self.wait_for(&format!("the response to request {id}"), |inbox| {
            inbox.responses.get(&key).and_then(|all| all.first().cloned())
        });
        split_response(&response)
    }

    /// The full JSON response object to request `id` (waits for it).
    pub fn wait_raw_response(&mut self, id: &Value) -> Value {
        let key = id.to_string();
        self.wait_for(&format!("the response to request {id}"), |inbox| {
            inbox.responses.get(&key).and_then(|all| all.first().cloned())
        })
    }

    /// How many responses request `id` got so far (the contract is exactly one).
    pub fn response_count(&self, id: &Value) -> usize {
        self.shared.inbox.lock().unwrap().responses.get(&id.to_string()).map_or(0, Vec::len)
    }

    /// Waits until channel `id` has its terminal message; returns every message's params
    /// (`{id, index, message, terminal?}`) in arrival order.
    pub fn channel_messages(&mut self, id: u64) -> Vec<Value> {
        self.wait_for(&format!("the terminal message of channel {id}"), |inbox| {
            let messages = inbox.channels.get(&id)?;
            messages.iter().any(|m| m["terminal"] == json!(true)).then(|| messages.clone())
        })
    }

    /// The messages channel `id` has received so far, without waiting.
    pub fn channel_so_far(&self, id: u64) -> Vec<Value> {
        self.shared.inbox.lock().unwrap().channels.get(&id).cloned().unwrap_or_default()
    }

    /// When each message of channel `id` arrived so far (ms since the Unix epoch).
    pub fn channel_arrivals(&self, id: u64) -> Vec<f64> {
        self.shared.inbox.lock().unwrap().arrivals.get(&id).cloned().unwrap_or_default()
    }

    /// Waits until channel `id` has at least one message satisfying `predicate`.
    pub fn wait_channel(&mut self, id: u64, what: &str, predicate: impl Fn(&Value) -> bool) -> Vec<Value> {
        self.wait_for(what, |inbox| {
            let messages = inbox.channels.get(&id)?;
            messages.iter().any(|m| predicate(&m["message"])).then(|| messages.clone())
        })
    }

    /// Notifications other than channel messages, and null-id error responses, so far.
    pub fn other_messages(&self) -> Vec<Value> {
        self.shared.inbox.lock().unwrap().other.clone()
    }

    /// Waits until `count` null-id or non-channel messages have arrived.
    pub fn wait_other(&mut self, count: usize) -> Vec<Value> {
        self.wait_for(&format!("{count} error responses without id"), |inbox| {
            (inbox.other.len() >= count).then(|| inbox.other.clone())
        })
    }

    /// Frames on stdout that were not valid frames of JSON (must stay empty).
    pub fn bad_frames(&self) -> Vec<String> {
        self.shared.inbox.lock().unwrap().bad_frames.clone()
    }

    /// Stops (true) or resumes (false) reading the sidecar's stdout, like a stalled host.
    pub fn pause_reading(&self, paused: bool) {
        self.shared.paused.store(paused, std::sync::atomic::Ordering::Release);
    }

    /// What the sidecar wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Closes the sidecar's stdin (the host went away).
    pub fn close_stdin(&mut self) {
        self.shared.stdin.lock().unwrap().take();
    }

    /// Waits for the sidecar to exit; `None` if it is still running after `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// `shutdown` then `exit`; returns the exit status.
    pub fn shutdown(&mut self) -> ExitStatus {
        self.call("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.wait_exit(WAIT).expect("the sidecar exits after shutdown/exit")
    }

    /// Absolute path of a workspace-relative path.
    pub fn ws(&self, relative: &str) -> PathBuf {
        self.workspace.join(relative)
    }

    /// Lets every later wait take up to `wait` (for a real model server on a busy machine).
    pub fn set_wait(&mut self, wait: Duration) {
        self.wait = wait;
    }

    /// `channel_messages` for slow work (an npm install): waits up to `timeout`.
    pub fn channel_messages_within(&mut self, id: u64, timeout: Duration) -> Vec<Value> {
        self.wait_for_within(&format!("the terminal message of channel {id}"), timeout, |inbox| {
            let messages = inbox.channels.get(&id)?;
            messages.iter().any(|m| m["terminal"] == json!(true)).then(|| messages.clone())
        })
    }

    /// `wait_channel` for slow work: waits up to `timeout`.
    pub fn wait_channel_within(&mut self, id: u64, what: &str, timeout: Duration, predicate: impl Fn(&Value) -> bool) -> Vec<Value> {
        self.wait_for_within(what, timeout, |inbox| {
            let messages = inbox.channels.get(&id)?;
            messages.iter().any(|m| predicate(&m["message"])).then(|| messages.clone())
        })
    }

    /// Waits until `pick` finds what it looks for in the inbox; panics with stderr after the wait.
    fn wait_for<T>(&self, what: &str, pick: impl FnMut(&Inbox) -> Option<T>) -> T {
        self.wait_for_within(what, self.wait, pick)
    }

    fn wait_for_within<T>(&self, what: &str, timeout: Duration, mut pick: impl FnMut(&Inbox) -> Option<T>) -> T {
        let deadline = Instant::now() + timeout;
        let mut inbox = self.shared.inbox.lock().unwrap();
        loop {
            if let Some(found) = pick(&inbox) {
                return found;
            }
            let now = Instant::now();
            if now >= deadline || inbox.closed {
                let reason = if inbox.closed { "the sidecar closed stdout" } else { "timed out" };
                drop(inbox);
                panic!("waiting for {what}: {reason}\nsidecar stderr:\n{}", self.stderr());
            }
            inbox = self.shared.changed.wait_timeout(inbox, deadline - now).unwrap().0;
        }
    }
}

impl Drop for Sidecar {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Wall-clock milliseconds since the Unix epoch (comparable with a child's `Date.now()`).
pub fn now_ms() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
}

/// Splits a response object into `Ok(result)` or `Err((code, message))`.
pub fn split_response(response: &Value) -> Result<Value, RpcError> {
    if let Some(error) = response.get("error") {
        Err((error["code"].as_i64().unwrap_or(0), error["message"].as_str().unwrap_or("").to_string()))
    } else {
        Ok(response.get("result").cloned().unwrap_or(Value::Null))
    }
}

/// The reader thread: parses frames from the sidecar's stdout and files them.
fn read_frames(stdout: impl Read, shared: &Shared) {
    let mut reader = BufReader::new(stdout);
    loop {
        while shared.paused.load(std::sync::atomic::Ordering::Acquire) {
            std::thread::sleep(Duration::from_millis(5));
        }
        match read_frame(&mut reader) {
            Ok(Some(body)) => {
                let parsed = serde_json::from_slice::<Value>(&body);
                if let Some(request) = parsed.as_ref().ok().filter(|m| m.get("method").is_some() && m.get("id").is_some()) {
                    answer_host_request(shared, request);
                }
                let mut inbox = shared.inbox.lock().unwrap();
                match parsed {
                    Ok(message) => file_message(&mut inbox, message),
                    Err(err) => inbox.bad_frames.push(format!("{err}: {}", String::from_utf8_lossy(&body))),
                }
                drop(inbox);
                shared.changed.notify_all();
            }
            Ok(None) => break,
            Err(reason) => {
                shared.inbox.lock().unwrap().bad_frames.push(reason);
                break;
            }
        }
    }
    shared.inbox.lock().unwrap().closed = true;
    shared.changed.notify_all();
}

/// Answers one request of the sidecar's with the test's responder (if it set one).
fn answer_host_request(shared: &Shared, request: &Value) {
    let responder = shared.responder.lock().unwrap();
    let Some(responder) = responder.as_ref() else { return };
    let method = request["method"].as_str().unwrap_or("");
    let response = match responder(method, &request["params"]) {
        Ok(result) => json!({ "jsonrpc": "2.0", "id": request["id"], "result": result }),
        Err((code, message)) => json!({ "jsonrpc": "2.0", "id": request["id"], "error": { "code": code, "message": message } }),
    };
    let body = serde_json::to_vec(&response).unwrap();
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(&body);
    if let Some(stdin) = shared.stdin.lock().unwrap().as_mut() {
        let _ = stdin.write_all(&frame).and_then(|()| stdin.flush());
    }
}

fn file_message(inbox: &mut Inbox, message: Value) {
    if message.get("method").is_some() && message.get("id").is_some_and(|id| !id.is_null()) {
        inbox.host_requests.push(message);
    } else if message.get("method").and_then(Value::as_str) == Some("channel") {
        let id = message["params"]["id"].as_u64().unwrap_or(u64::MAX);
        inbox.channels.entry(id).or_default().push(message["params"].clone());
        inbox.arrivals.entry(id).or_default().push(now_ms());
    } else if let Some(id) = message.get("id").filter(|id| !id.is_null()) {
        inbox.responses.entry(id.to_string()).or_default().push(message);
    } else {
        inbox.other.push(message);
    }
}

/// Reads one LSP frame; `Ok(None)` at a clean EOF between frames.
pub fn read_frame(reader: &mut impl BufRead) -> Result<Option<Vec<u8>>, String> {
    let mut length = None;
    let mut first = true;
    loop {
        let mut line = String::new();
        let read = reader.read_line(&mut line).map_err(|err| format!("read error: {err}"))?;
        if read == 0 {
            return if first { Ok(None) } else { Err("EOF inside a frame header".into()) };
        }
        first = false;
        if line == "\r\n" {
            break;
        }
        let Some((name, value)) = line.trim_end().split_once(':') else {
            return Err(format!("bad header line {line:?}"));
        };
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(value.trim().parse::<usize>().map_err(|_| format!("bad length {value:?}"))?);
        }
    }
    let length = length.ok_or("frame without Content-Length")?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).map_err(|err| format!("EOF inside a frame body: {err}"))?;
    Ok(Some(body))
}

/// True while process `pid` exists (and is not a zombie we could reap).
pub fn process_alive(pid: u32) -> bool {
    // A zombie still answers kill(0); read its state so a dead-but-unreaped child counts as dead.
    if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        let state = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().next());
        return !matches!(state, Some("Z") | Some("X"));
    }
    false
}

/// Waits up to `timeout` for process `pid` to be gone; true if it is.
pub fn wait_process_gone(pid: u32, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if !process_alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    !process_alive(pid)
}

/// The `message` fields of channel params, in order.
pub fn messages_of(params: &[Value]) -> Vec<Value> {
    params.iter().map(|p| p["message"].clone()).collect()
}

/// Asserts the channel contract: indices 0,1,2,… and exactly one terminal message, the last.
pub fn assert_channel_contract(params: &[Value]) {
    for (expected, message) in params.iter().enumerate() {
        assert_eq!(message["index"], json!(expected), "channel indices must be contiguous from 0: {params:?}");
    }
    let terminals: Vec<usize> =
        params.iter().enumerate().filter(|(_, m)| m["terminal"] == json!(true)).map(|(i, _)| i).collect();
    assert_eq!(terminals, vec![params.len() - 1], "exactly one terminal message, the last one");
}

/// Lists every file under `dir` with its contents, to prove a directory was left unchanged.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut entries = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&current) else { continue };
        for entry in read.flatten() {
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            if meta.is_dir() {
                stack.push(path.clone());
                entries.push((path, Vec::new()));
            } else {
                let contents = std::fs::read(&path).unwrap_or_default();
                entries.push((path, contents));
            }
        }
    }
    entries.sort();
    entries
}

/// A tiny HTTP/1.1 server on 127.0.0.1 for http tests: answers every request with `status` and
/// `body`, after `delay`, and records the raw requests it got. Runs until the test ends.
pub struct TestHttpServer {
    pub port: u16,
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl TestHttpServer {
    /// `http://127.0.0.1:<port>` plus `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The raw requests received so far (head and body).
    pub fn received(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl TestHttpServer {
    pub fn start(status: u16, body: &'static str, delay: Duration) -> TestHttpServer {
        Self::start_with(status, Vec::new(), body, delay)
    }

    /// Like `start`, with extra response headers (e.g. `Location` for a redirect).
    pub fn start_with(status: u16, extra_headers: Vec<(String, String)>, body: &'static str, delay: Duration) -> TestHttpServer {
        let extra: String = extra_headers.iter().map(|(name, value)| format!("{name}: {value}\r\n")).collect();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let recorded = recorded.clone();
                let extra = extra.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut head = String::new();
                    let mut content_length = 0usize;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if let Some((name, value)) = line.split_once(':') {
                            if name.eq_ignore_ascii_case("content-length") {
                                content_length = value.trim().parse().unwrap_or(0);
                            }
                        }
                        head.push_str(&line);
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut request_body = vec![0; content_length];
                    let _ = reader.read_exact(&mut request_body);
                    head.push_str(&String::from_utf8_lossy(&request_body));
                    recorded.lock().unwrap().push(head);
                    std::thread::sleep(delay);
                    let response = format!(
                        "HTTP/1.1 {status} Test\r\nContent-Type: text/plain\r\nX-Test: yes\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(response.as_bytes());
                });
            }
        });
        TestHttpServer { port, requests }
    }
}
