//! The SearXNG pair and the agent's `web_search` tool through the real binary, against a small
//! fake SearXNG served from a thread on loopback (which the HTTP guard refuses for anything but
//! the configured SearXNG).

use crate::ai::{of_kind, params, run, terminal, wait_event, Fake};
use crate::harness::Sidecar;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// A fake SearXNG: `ok` answers JSON results, `html-only` answers 403 to format=json (JSON not
/// enabled), `not-json` answers an HTML page.
struct FakeSearxng {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

impl FakeSearxng {
    fn start(mode: &'static str) -> FakeSearxng {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap_or_default();
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                seen.lock().unwrap().push(line.trim().to_string());
                let (status, kind, body) = match mode {
                    "html-only" => ("403 Forbidden", "text/html", "<h1>403 Forbidden</h1>".to_string()),
                    "not-json" => ("200 OK", "text/html", "<html>results</html>".to_string()),
                    _ => (
                        "200 OK",
                        "application/json",
                        json!({ "query": "q", "results": [
                            { "title": "zip - crates.io", "url": "https://crates.io/crates/zip", "content": "Library to support the reading and writing of zip files." },
                            { "title": "zip-rs/zip2", "url": "https://github.com/zip-rs/zip2", "content": "Zip implementation in Rust." },
                            { "title": "third", "url": "https://example.org/3", "content": "more" },
                        ] })
                        .to_string(),
                    ),
                };
                let mut stream = stream;
                let _ = write!(stream, "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
            }
        });
        FakeSearxng { port, requests }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

#[test]
fn the_connection_test_says_what_to_fix() {
    let mut sidecar = Sidecar::initialized();
    let searxng = FakeSearxng::start("ok");
    assert_eq!(sidecar.call("test_searxng_connection", json!({ "url": searxng.url() })), json!(true));
    assert_eq!(sidecar.call("test_searxng_connection", json!({ "url": format!("{}/searx/", searxng.url()) })), json!(true));
    assert_eq!(searxng.requests(), ["GET /search?q=test&format=json HTTP/1.1", "GET /searx/search?q=test&format=json HTTP/1.1"]);
    // The configured instance is let through only for SearXNG: http_request still refuses it.
    let err = sidecar.request("http_request", json!({ "method": "GET", "url": searxng.url(), "headers": {} })).unwrap_err();
    assert_eq!(err.0, -32012, "{err:?}");

    let forbidden = FakeSearxng::start("html-only");
    let err = sidecar.request("test_searxng_connection", json!({ "url": forbidden.url() })).unwrap_err();
    assert!(err.1.contains("403") && err.1.contains("search.formats") && err.1.contains("Set Up SearXNG Config"), "{err:?}");
    let html = FakeSearxng::start("not-json");
    let err = sidecar.request("test_searxng_connection", json!({ "url": html.url() })).unwrap_err();
    assert!(err.1.contains("did not answer JSON") && err.1.contains("search.formats"), "{err:?}");
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let err = sidecar.request("test_searxng_connection", json!({ "url": format!("http://127.0.0.1:{closed}") })).unwrap_err();
    assert!(err.0 == -32013 && err.1.contains("could not reach SearXNG"), "{err:?}");
    let err = sidecar.request("test_searxng_connection", json!({ "url": "localhost:8888" })).unwrap_err();
    assert!(err.0 == -32602 && err.1.contains("http://"), "{err:?}");
}

#[test]
fn the_config_is_written_once_with_the_json_format() {
    let mut sidecar = Sidecar::initialized();
    let path = sidecar.call("setup_searxng_config", json!({}));
    let expected = sidecar.storage.join(".searxng/settings.yml");
    assert_eq!(path, json!(expected.display().to_string()));
    let text = std::fs::read_to_string(&expected).unwrap();
    assert!(text.contains("use_default_settings: true") && text.contains("    - json") && text.contains("secret_key: \""), "{text}");
    assert!(!text.contains("ultrasecretkey"));
    assert_eq!(sidecar.call("setup_searxng_config", json!({})), path);
    assert_eq!(std::fs::read_to_string(&expected).unwrap(), text, "a config with the JSON format is kept as it is");
}

fn tool_names(body: &Value) -> Vec<String> {
    body["tools"].as_array().map(|tools| tools.iter().filter_map(|t| t["function"]["name"].as_str().map(str::to_string)).collect()).unwrap_or_default()
}

#[test]
fn web_search_is_offered_only_when_configured_and_asks_first() {
    let mut sidecar = Sidecar::initialized();
    let fake = Fake::start();
    let searxng = FakeSearxng::start("ok");
    fake.script(json!([
        { "toolCalls": [{ "name": "web_search", "arguments": { "query": "rust zip crate", "num_results": 2 } }] },
        { "text": "Use the zip crate." },
        { "text": "No search here." },
    ]));
    let channel = sidecar.next_channel_id();
    let mut request = params(&fake, "ollama", "llama3.2", json!({ "tools": true, "toolPermissionMode": "ask_every_time", "searxngUrl": searxng.url() }));
    request["onEvent"] = json!(channel);
    let id = sidecar.send_request("generate_completion_stream", request);
    let permission = wait_event(&mut sidecar, channel, "ToolPermission");
    assert_eq!((permission["tool"].clone(), permission["reason"].clone()), (json!("web_search"), json!("searches the web for \"rust zip crate\"")));
    sidecar.call("resolve_tool_permission", json!({ "permissionId": permission["id"], "decision": "accepted" }));
    sidecar.wait_response(&id).unwrap();
    let events = messages_of_channel(&mut sidecar, channel);
    terminal(&events, "Done");
    let result = of_kind(&events, "ToolResult")[0];
    assert_eq!(result["success"], json!(true));
    assert_eq!(
        result["output"],
        json!("[1] zip - crates.io\nhttps://crates.io/crates/zip\nLibrary to support the reading and writing of zip files.\n\n[2] zip-rs/zip2\nhttps://github.com/zip-rs/zip2\nZip implementation in Rust.")
    );
    assert_eq!(searxng.requests(), ["GET /search?q=rust+zip+crate&format=json HTTP/1.1"]);
    assert!(tool_names(&fake.chat_bodies()[0]).contains(&"web_search".to_string()));

    // Without a SearXNG URL the tool is not offered at all.
    let events = run(&mut sidecar, params(&fake, "ollama", "llama3.2", json!({ "tools": true })));
    terminal(&events, "Done");
    let bodies = fake.chat_bodies();
    let names = tool_names(bodies.last().unwrap());
    assert!(names.contains(&"read_file".to_string()) && !names.contains(&"web_search".to_string()), "{names:?}");
}

fn messages_of_channel(sidecar: &mut Sidecar, channel: u64) -> Vec<Value> {
    crate::harness::messages_of(&sidecar.channel_messages(channel))
}
