//! Provider faults: each ends the stream with exactly one Error that says what happened and what
//! to do, and the sidecar keeps serving.

use super::{kinds, params, run, setup, terminal, text_of, PROVIDERS};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Runs one stream and returns its terminal Error's (code, message).
fn error_of(events: &[Value]) -> (String, String) {
    let error = terminal(events, "Error");
    assert_eq!(events.iter().filter(|e| e["event"] == "Error" || e["event"] == "Done").count(), 1, "one terminal: {events:?}");
    (error["code"].as_str().unwrap_or("").to_string(), error["message"].as_str().unwrap_or("").to_string())
}

#[test]
fn an_unreachable_provider_says_how_to_start_it() {
    let (mut sidecar, fake) = setup();
    // A port nothing listens on: bind one, then close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let host = format!("http://127.0.0.1:{port}");
    for (provider, model) in PROVIDERS {
        let events = run(&mut sidecar, params(&fake, provider, model, json!({ "host": host })));
        let (code, message) = error_of(&events);
        assert_eq!(code, "provider_unreachable", "{provider}: {message}");
        if provider == "ollama" {
            assert!(message.starts_with(&format!("Ollama is not running at {host}")), "{message}");
            assert!(message.contains("ollama serve") && message.contains("prototyper.ollama.host"), "{message}");
        } else {
            assert!(message.contains(&host) && message.contains("check that the server is running"), "{provider}: {message}");
        }
    }
}

#[test]
fn http_errors_say_what_to_do() {
    let (mut sidecar, fake) = setup();
    let cases = [
        (json!({ "status": 401 }), "auth", "rejected the API key"),
        (json!({ "status": 403 }), "auth", "Set API Key"),
        (json!({ "status": 429, "retryAfter": 7 }), "rate_limited", "retry after 7 s"),
        (json!({ "status": 500, "error": "kaboom" }), "server_error", "kaboom"),
        (json!({ "status": 503 }), "server_error", "retry"),
        (json!({ "status": 400, "error": "bad field" }), "bad_request", "bad field"),
    ];
    for (provider, model) in PROVIDERS {
        for (entry, code, says) in &cases {
            fake.script(json!({ provider: [entry] }));
            let events = run(&mut sidecar, params(&fake, provider, model, json!({})));
            let (got_code, message) = error_of(&events);
            assert_eq!((got_code.as_str(), kinds(&events).len()), (*code, 1), "{provider} {entry}: {message}");
            assert!(message.contains(says), "{provider} {entry}: {message}");
        }
    }
}

#[test]
fn an_unknown_model_names_the_fix() {
    let (mut sidecar, fake) = setup();
    let events = run(&mut sidecar, params(&fake, "ollama", "nosuch:7b", json!({})));
    let (code, message) = error_of(&events);
    assert_eq!(code, "model_not_found");
    assert!(message.contains("'nosuch:7b' not found") && message.contains("`ollama pull nosuch:7b`"), "{message}");
    for (provider, model) in &PROVIDERS[1..] {
        fake.script(json!({ *provider: [{ "status": 404, "error": "The model does not exist" }] }));
        let (code, message) = error_of(&run(&mut sidecar, params(&fake, provider, model, json!({}))));
        assert_eq!(code, "model_not_found", "{provider}");
        assert!(message.contains(model) && message.contains("The model does not exist"), "{provider}: {message}");
    }
}

#[test]
fn missing_keys_are_asked_for_before_any_request() {
    let (mut sidecar, fake) = setup();
    let mut request = params(&fake, "anthropic", "claude-sonnet-4-5", json!({}));
    request.as_object_mut().unwrap().remove("apiKey");
    let (code, message) = error_of(&run(&mut sidecar, request));
    assert_eq!(code, "auth");
    assert_eq!(message, "Anthropic needs an API key — set it with 'Prototyper: Set API Key'.");
    assert!(fake.requests().is_empty());
}

#[test]
fn broken_streams_end_with_one_clear_error() {
    let (mut sidecar, fake) = setup();
    let text = "abcdefghijklmnopqrstuvwxyz".repeat(4);
    let cases = [
        (json!({ "text": text, "malformedLine": true }), "malformed_response", "could not be read"),
        (json!({ "text": text, "cutAfterChunks": 4 }), "truncated_stream", "closed the connection before the answer was complete"),
        (json!({ "text": text, "midStreamError": "GPU fell over" }), "server_error", "GPU fell over"),
        (json!({ "text": text, "stallMs": 3000, "stallAfterChunks": 3 }), "idle_timeout", "stopped sending for 1 s"),
        (json!({ "text": text, "headersDelayMs": 3000 }), "idle_timeout", "did not answer for 1 s"),
    ];
    for (provider, model) in PROVIDERS {
        for (entry, code, says) in &cases {
            fake.script(json!({ provider: [entry] }));
            let started = Instant::now();
            let events = run(&mut sidecar, params(&fake, provider, model, json!({ "idleTimeoutSeconds": 1 })));
            let (got, message) = error_of(&events);
            assert_eq!(got, *code, "{provider} {entry}: {message}");
            assert!(message.contains(says), "{provider} {entry}: {message}");
            if *code == "idle_timeout" {
                assert!(started.elapsed() < Duration::from_millis(2500), "{provider}: the idle timeout ended it");
            }
            if entry.get("cutAfterChunks").is_some() || entry.get("stallMs").is_some() {
                assert!(!text_of(&events).is_empty(), "{provider} {entry}: the text before the fault was delivered");
            }
        }
        // Still serving.
        let events = run(&mut sidecar, params(&fake, provider, model, json!({})));
        terminal(&events, "Done");
    }
}

#[test]
fn a_pull_streams_progress_and_ends_once() {
    let (mut sidecar, fake) = setup();
    fake.script(json!({ "pull": [{ "total": 4000, "steps": 4 }, { "error": "pull model manifest: file does not exist" }] }));
    let channel = sidecar.next_channel_id();
    let result = sidecar.call("pull_ollama_model", json!({ "model": "tinyllama", "host": fake.url(), "onEvent": channel }));
    assert_eq!(result, json!({ "requestId": channel }));
    let messages = crate::harness::messages_of(&sidecar.channel_messages(channel));
    crate::harness::assert_channel_contract(&sidecar.channel_messages(channel));
    assert_eq!(messages.last().unwrap(), &json!({ "event": "Done", "data": {} }));
    let progress: Vec<&Value> = messages.iter().filter(|m| m["event"] == "Progress").map(|m| &m["data"]).collect();
    assert_eq!(progress[0]["status"], "pulling manifest");
    assert!(progress.iter().any(|p| p["completed"] == 4000 && p["total"] == 4000), "{progress:?}");
    assert_eq!(progress.last().unwrap()["status"], "success");

    let channel = sidecar.next_channel_id();
    sidecar.call("pull_ollama_model", json!({ "model": "nosuch", "host": fake.url(), "onEvent": channel }));
    let messages = crate::harness::messages_of(&sidecar.channel_messages(channel));
    let last = messages.last().unwrap();
    assert_eq!(last["event"], "Error");
    assert!(last["data"]["message"].as_str().unwrap().contains("file does not exist"), "{last}");

    // Cancelled mid-pull.
    fake.script(json!({ "pull": [{ "steps": 50, "delayMs": 50 }] }));
    let channel = sidecar.next_channel_id();
    let id = sidecar.send_request("pull_ollama_model", json!({ "model": "slow", "host": fake.url(), "onEvent": channel }));
    sidecar.wait_channel(channel, "pull progress", |m| m["event"] == "Progress");
    sidecar.call("stop_generation_stream", json!({ "requestId": channel }));
    let messages = crate::harness::messages_of(&sidecar.channel_messages(channel));
    assert_eq!(messages.last().unwrap()["data"]["code"], "cancelled");
    assert_eq!(sidecar.wait_response(&id), Ok(json!({ "requestId": channel })));
}
