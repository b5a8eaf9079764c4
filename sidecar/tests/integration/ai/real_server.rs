//! The real sidecar against a real OpenAI-compatible model server: llama.cpp's, from PyPI's
//! llama-cpp-python, running SmolLM2-135M-Instruct on a free loopback port
//! (`scripts/setup-real-llm.sh` builds it into a cache outside the clone).
//!
//! The assertions are about the protocol, never about what a 135M model chooses to say: streamed
//! text equals the server's own stream for the same request, a stop ends the stream within 200 ms,
//! the model list works, a forced tool call reaches a permission card with the right name and
//! after Accept writes what it asked to write, usage is marked estimated (this server reports
//! none), and a prompt over the context window ends with `empty_response`.
//!
//! It skips, with one line on stderr, only where setup found the machine unable to build the
//! server (no Python venv, no compiler or cmake, no PyPI); a failed build fails it.

use super::{finish, of_kind, run, start, terminal, text_of, wait_event};
use crate::harness::Sidecar;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const MODEL: &str = "smollm2-135m-instruct";
const CONTEXT: u32 = 8192;

/// Where setup keeps the server (the same rule as scripts/setup-real-llm.sh).
fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PROTOTYPER_REAL_LLM_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache"));
    base.join("prototyper/real-llm")
}

/// The server's cache when it is usable; `None` (after saying why) on a machine that cannot
/// build it. Runs setup first when it never ran (it takes seconds once built).
fn prepared() -> Option<PathBuf> {
    let cache = cache_dir();
    let status = || std::fs::read_to_string(cache.join("status")).unwrap_or_default().trim().to_string();
    if status() != "ok" && !status().starts_with("unbuildable") {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/setup-real-llm.sh");
        let ran = Command::new("bash").arg(script).stdin(Stdio::null()).status().expect("bash runs scripts/setup-real-llm.sh");
        assert!(ran.success(), "scripts/setup-real-llm.sh failed; its log is {}", cache.join("setup.log").display());
    }
    let status = status();
    if let Some(reason) = status.strip_prefix("unbuildable: ") {
        // Straight to stderr: the test harness would swallow a println of a passing test.
        let _ = writeln!(std::io::stderr(), "real-server suite skipped: this machine cannot build llama.cpp's server ({reason})");
        return None;
    }
    assert_eq!(status, "ok", "scripts/setup-real-llm.sh left {} saying {status:?}", cache.join("status").display());
    Some(cache)
}

/// llama.cpp's server on a free loopback port, killed when dropped.
struct LlamaServer {
    child: Child,
    port: u16,
}

impl LlamaServer {
    fn start(cache: &Path) -> LlamaServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let model = cache.join("model/SmolLM2-135M-Instruct.Q4_1.gguf");
        let mut child = Command::new(cache.join("venv/bin/python"))
            .args(["-m", "llama_cpp.server", "--model"])
            .arg(&model)
            .args(["--model_alias", MODEL, "--host", "127.0.0.1", "--port", &port.to_string()])
            // One thread: llama.cpp's threads wait for each other by spinning, and on two cores
            // shared with other work a second thread makes generation many times slower.
            .args(["--n_ctx", &CONTEXT.to_string(), "--n_threads", "1", "--n_threads_batch", "1", "--chat_format", "chatml-function-calling"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("llama_cpp.server starts");
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("llama_cpp.server exited with {status} before answering");
            }
            if http_get(port, "/v1/models").is_some_and(|body| body.contains(MODEL)) {
                return LlamaServer { child, port };
            }
            assert!(Instant::now() < deadline, "llama_cpp.server did not answer GET /v1/models within 120 s");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for LlamaServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http_get(port: u16, path: &str) -> Option<String> {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.starts_with("HTTP/1.1 200").then_some(response)
}

/// The same request the sidecar makes, straight to the server: the text of its stream.
fn direct_text(server: &LlamaServer, body: &Value) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let raw = runtime.block_on(async {
        let response = reqwest::Client::new().post(format!("{}/v1/chat/completions", server.url())).json(body).send().await.expect("the server answers");
        assert!(response.status().is_success(), "direct request: HTTP {}", response.status());
        response.text().await.expect("a whole body")
    });
    raw.lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .filter_map(|data| serde_json::from_str::<Value>(data).ok())
        .filter_map(|chunk| chunk["choices"][0]["delta"]["content"].as_str().map(str::to_string))
        .collect()
}

fn completion(server: &LlamaServer, prompt: &str, extra: Value) -> Value {
    let mut params = json!({
        "model": MODEL,
        "messages": [{ "role": "user", "content": prompt }],
        "host": server.url(),
        "provider": "openai",
        "tools": false,
        "options": { "temperature": 0.0, "numPredict": 48 },
        "toolPermissionMode": "ask_every_time",
        "maxToolCalls": 4,
        "idleTimeoutSeconds": 300,
    });
    for (key, value) in extra.as_object().cloned().unwrap_or_default() {
        params[key] = value;
    }
    params
}

#[test]
fn the_sidecar_against_a_real_llama_cpp_server() {
    let Some(cache) = prepared() else { return };
    let server = LlamaServer::start(&cache);
    let mut sidecar = Sidecar::initialized();
    // A 135M model on one shared core: seconds per answer, and an agent prompt takes a while.
    sidecar.set_wait(Duration::from_secs(300));

    // The model list.
    let models = sidecar.call("list_openai_models", json!({ "host": format!("{}/v1", server.url()) }));
    assert!(models.as_array().unwrap().iter().any(|m| m["id"] == MODEL), "{models}");

    // Streamed text equals the server's own stream, byte for byte; usage is an honest estimate.
    // Each request follows an unrelated one: the server reuses the evaluated prompt of the request
    // before, and a prompt evaluated again from its last token can sample another first token.
    let prompt = "Name three colours of the rainbow.";
    let flush = json!({ "model": MODEL, "messages": [{ "role": "user", "content": "Say OK." }], "stream": true, "max_tokens": 1 });
    direct_text(&server, &flush);
    let events = run(&mut sidecar, completion(&server, prompt, json!({})));
    direct_text(&server, &flush);
    let direct = direct_text(&server, &json!({ "model": MODEL, "messages": [{ "role": "user", "content": prompt }], "stream": true, "temperature": 0.0, "max_tokens": 48 }));
    assert!(!direct.is_empty(), "the server streamed text");
    assert_eq!(text_of(&events), direct, "the sidecar's text is the server's");
    let usage = &terminal(&events, "Done")["usage"];
    assert_eq!(usage["estimated"], true, "llama.cpp's server sends no usage: {usage}");
    assert!(usage.get("promptTokens").is_none(), "unknown prompt tokens are absent: {usage}");
    assert!(usage["completionTokens"].as_u64().unwrap() > 0 && usage["tokensPerSecond"].as_f64().unwrap() > 0.0, "{usage}");

    // A stop ends the stream within 200 ms.
    let long = completion(&server, "Tell a long story about a lighthouse keeper.", json!({ "options": { "temperature": 0.0, "numPredict": 2000 } }));
    let (id, channel) = start(&mut sidecar, long);
    wait_event(&mut sidecar, channel, "Chunk");
    let stopped = Instant::now();
    sidecar.call("stop_generation_stream", json!({ "requestId": channel }));
    let events = finish(&mut sidecar, &id, channel);
    let took = stopped.elapsed();
    assert!(took < Duration::from_millis(200), "Done {took:?} after the stop");
    assert_eq!(terminal(&events, "Done")["doneReason"], "cancelled");

    // A forced tool call: its card forms live, the permission names the tool, Accept runs it.
    let forced = completion(
        &server,
        "Create the file notes.txt containing the word hello.",
        json!({ "tools": true, "toolChoice": { "name": "write_file" }, "options": { "temperature": 0.0, "numPredict": 96 } }),
    );
    let (id, channel) = start(&mut sidecar, forced);
    let permission = wait_event(&mut sidecar, channel, "ToolPermission");
    assert_eq!(permission["tool"], "write_file", "{permission}");
    sidecar.call("resolve_tool_permission", json!({ "permissionId": permission["id"], "decision": "accepted" }));
    let events = finish(&mut sidecar, &id, channel);
    let call = of_kind(&events, "ToolCall")[0].clone();
    assert_eq!(call["tool"], "write_file");
    assert_eq!(call["id"], permission["toolCallId"]);
    let deltas = of_kind(&events, "ToolCallDelta");
    assert!(!deltas.is_empty() && deltas.iter().all(|d| d["tool"] == "write_file" && d["id"] == call["id"]), "{deltas:?}");
    let result = of_kind(&events, "ToolResult").into_iter().find(|r| r["id"] == call["id"]).expect("a result for the call").clone();
    // What the model wrote is its business; that the sidecar did what it asked is ours.
    let (path, content) = (call["args"]["path"].as_str().unwrap_or_default(), call["args"]["content"].as_str());
    let plain_path = !path.trim().is_empty() && !path.starts_with('/') && !path.split(['/', '\\']).any(|part| part == "..");
    if let (true, Some(content)) = (plain_path, content) {
        assert_eq!(result["success"], true, "{result}");
        assert_eq!(std::fs::read_to_string(sidecar.ws(path)).unwrap(), content, "the file holds what the call asked for");
    } else {
        assert_eq!(result["success"], false, "arguments {} cannot be written: {result}", call["args"]);
    }
    assert!(matches!(events.last().unwrap()["event"].as_str(), Some("Done" | "Error")), "{events:?}");

    // A prompt over the context window: the server answers 200 with an empty body.
    let overflow = "lighthouse ".repeat(CONTEXT as usize * 2);
    let events = run(&mut sidecar, completion(&server, &overflow, json!({})));
    let error = terminal(&events, "Error");
    assert_eq!(error["code"], "empty_response", "{error}");
    assert!(error["message"].as_str().unwrap().contains("context window"), "{error}");
}
