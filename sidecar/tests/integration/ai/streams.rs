//! Streaming without tools: text and thinking per provider, usage, what goes on the wire
//! (num_ctx, options, keys), coalescing, concurrency, stops, and the one-shot command.

use super::{finish, kinds, of_kind, params, run, setup, start, terminal, text_of, thinking_of, wait_event, Fake, PROVIDERS};
use crate::harness::{assert_channel_contract, messages_of, Sidecar};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[test]
fn each_provider_streams_text_and_thinking_then_done_with_usage() {
    let (mut sidecar, fake) = setup();
    for (provider, model) in PROVIDERS {
        fake.script(json!({ provider: [{ "thinking": "Let me think.", "text": "Hello there, this is the answer.", "chunkSize": 5, "promptEvalCount": 42 }] }));
        let think = if provider == "ollama" { json!(null) } else { json!(true) };
        let model = if provider == "ollama" { "qwen3:8b" } else { model };
        let events = run(&mut sidecar, params(&fake, provider, model, json!({ "think": think })));
        assert_eq!(text_of(&events), "Hello there, this is the answer.", "{provider}");
        assert_eq!(thinking_of(&events), "Let me think.", "{provider}");
        assert!(kinds(&events)[..events.len() - 1].iter().all(|k| *k == "Chunk"), "{provider}: {events:?}");
        let usage = &terminal(&events, "Done")["usage"];
        assert_eq!(usage["promptTokens"], 42, "{provider}: {usage}");
        assert!(usage["completionTokens"].as_u64().unwrap() > 0, "{provider}: {usage}");
        assert!(usage["totalDurationMs"].as_f64().unwrap() > 0.0);
        assert!(usage["timeToFirstTokenMs"].as_f64().unwrap() > 0.0, "{provider}: {usage}");
        assert_eq!(usage["truncated"], false, "{provider}: {usage}");
    }
    let bodies = fake.chat_bodies();
    assert_eq!(bodies[1]["stream_options"]["include_usage"], true, "OpenAI asks for usage");
    assert_eq!(bodies[2]["thinking"]["type"], "enabled", "Anthropic thinking on");
}

#[test]
fn keys_and_headers_go_where_each_provider_wants_them() {
    let (mut sidecar, fake) = setup();
    for (provider, model) in PROVIDERS {
        run(&mut sidecar, params(&fake, provider, model, json!({ "apiKey": "sk-secret" })));
    }
    let chats: Vec<Value> = fake.requests().into_iter().filter(|r| r["method"] == "POST" && r["path"] != "/api/show").collect();
    assert_eq!(chats[0]["headers"]["authorization"], "Bearer sk-secret");
    assert_eq!(chats[1]["headers"]["authorization"], "Bearer sk-secret");
    assert_eq!(chats[2]["headers"]["x-api-key"], "sk-secret");
    assert_eq!(chats[2]["headers"]["anthropic-version"], "2023-06-01");
    assert!(!sidecar.stderr().contains("sk-secret"), "keys never reach the log");
}

#[test]
fn ollama_gets_the_models_real_context_capped_or_the_users_num_ctx() {
    let (mut sidecar, fake) = setup();
    let events = run(&mut sidecar, params(&fake, "ollama", "llama3.2", json!({ "options": { "temperature": 0.3, "topK": 20 } })));
    assert_eq!(terminal(&events, "Done")["usage"]["contextLength"], 32768, "131072 capped at 32768");
    let events = run(&mut sidecar, params(&fake, "ollama", "llama3.2", json!({ "options": { "numCtx": 65536, "repeatPenalty": 1.1 } })));
    assert_eq!(terminal(&events, "Done")["usage"]["contextLength"], 65536, "the user's numCtx is sent as is");
    run(&mut sidecar, params(&fake, "ollama", "gemma3:1b", json!({})));
    let bodies = fake.chat_bodies();
    assert_eq!(bodies[0]["options"], json!({ "temperature": 0.3, "top_k": 20, "num_ctx": 32768 }));
    assert_eq!(bodies[1]["options"], json!({ "num_ctx": 65536, "repeat_penalty": 1.1 }));
    assert_eq!(bodies[2]["options"]["num_ctx"], 32768, "gemma3's 32768");
    let shows = fake.requests().iter().filter(|r| r["path"] == "/api/show").count();
    assert_eq!(shows, 2, "/api/show is cached per host and model");
}

#[test]
fn a_prompt_bigger_than_the_window_is_reported_truncated() {
    let (mut sidecar, fake) = setup();
    let long = "word ".repeat(8_000); // ~10,000 tokens by the chars/4 estimate
    fake.script(json!({ "ollama": [{ "text": "ok", "promptEvalCount": 4096 }, { "text": "ok", "promptEvalCount": 1500 }] }));
    let messages = json!([{ "role": "user", "content": long }]);
    let events = run(&mut sidecar, params(&fake, "ollama", "llama3.2", json!({ "messages": messages, "options": { "numCtx": 4096 } })));
    let usage = &terminal(&events, "Done")["usage"];
    assert_eq!((usage["truncated"].clone(), usage["contextLength"].clone()), (json!(true), json!(4096)), "{usage}");
    // Without a known window: the evaluated count far below what was sent.
    fake.config(json!({ "models": { "ollama": [{ "name": "bare:latest", "capabilities": ["completion"] }] } }));
    let events = run(&mut sidecar, params(&fake, "ollama", "bare", json!({ "messages": messages })));
    assert_eq!(terminal(&events, "Done")["usage"]["truncated"], true);
}

#[test]
fn thinking_is_dropped_for_an_ollama_model_without_it() {
    let (mut sidecar, fake) = setup();
    run(&mut sidecar, params(&fake, "ollama", "llama3.2", json!({ "think": true })));
    run(&mut sidecar, params(&fake, "ollama", "qwen3:8b", json!({ "think": "high" })));
    let bodies = fake.chat_bodies();
    assert!(bodies[0].get("think").is_none(), "{}", bodies[0]);
    // qwen3 thinks on or off; only gpt-oss takes a level, so a level means on.
    assert_eq!(bodies[1]["think"], true);
}

#[test]
fn chunks_are_coalesced_per_read_and_a_fast_stream_arrives_whole() {
    let (mut sidecar, fake) = setup();
    for (provider, model) in PROVIDERS {
        fake.script(json!({ provider: [{ "tokens": 100_000 }] }));
        let started = Instant::now();
        let events = run(&mut sidecar, params(&fake, provider, model, json!({})));
        let elapsed = started.elapsed();
        let text = text_of(&events);
        assert_eq!(text.len(), 400_000, "{provider}");
        assert!(text.split(' ').filter(|t| !t.is_empty()).all(|t| t == "tok"));
        let chunks = of_kind(&events, "Chunk").len();
        assert!(chunks < 5_000, "{provider}: 100,000 tokens in {chunks} chunks: one per read, not per token");
        assert_eq!(terminal(&events, "Done")["usage"]["completionTokens"], 100_000, "{provider}");
        eprintln!("{provider}: 100,000 tokens in {elapsed:?} ({chunks} chunks)");
    }
}

#[test]
fn fifty_concurrent_streams_each_keep_their_order() {
    let (mut sidecar, fake) = setup();
    let text: String = (0..200).map(|i| format!("{i} ")).collect();
    let mut started = Vec::new();
    for n in 0..50 {
        let (provider, model) = PROVIDERS[n % 3];
        fake.script(json!({ provider: [{ "text": text, "chunkSize": 3, "delayMs": 1 }] }));
        started.push(start(&mut sidecar, params(&fake, provider, model, json!({}))));
    }
    for (id, channel) in started {
        let events = finish(&mut sidecar, &id, channel);
        assert_eq!(text_of(&events), text, "channel {channel}");
        terminal(&events, "Done");
    }
}

/// Starts a slow stream and waits for its first Chunk.
fn slow_stream(sidecar: &mut Sidecar, fake: &Fake, provider: &str, model: &str) -> (Value, u64) {
    fake.script(json!({ provider: [{ "text": "x".repeat(2000), "chunkSize": 2, "delayMs": 20 }] }));
    let (id, channel) = start(sidecar, params(fake, provider, model, json!({})));
    wait_event(sidecar, channel, "Chunk");
    (id, channel)
}

#[test]
fn stop_mid_stream_ends_with_done_cancelled_fast_and_drops_the_connection() {
    let (mut sidecar, fake) = setup();
    for (n, (provider, model)) in PROVIDERS.into_iter().enumerate() {
        let (id, channel) = slow_stream(&mut sidecar, &fake, provider, model);
        let stopped = Instant::now();
        assert_eq!(sidecar.call("stop_generation_stream", json!({ "requestId": channel })), Value::Null);
        let events = finish(&mut sidecar, &id, channel);
        let took = stopped.elapsed();
        assert!(took < Duration::from_millis(200), "{provider}: Done after {took:?}");
        assert_eq!(terminal(&events, "Done")["doneReason"], "cancelled");
        super::eventually("the provider saw the connection dropped", || {
            let chats: Vec<Value> = fake.requests().into_iter().filter(|r| matches!(r["path"].as_str(), Some("/api/chat" | "/v1/chat/completions" | "/v1/messages"))).collect();
            chats.get(n).is_some_and(|r| r["aborted"] == true)
        });
    }
    let unknown = sidecar.request("stop_generation_stream", json!({ "requestId": 9999 }));
    assert_eq!(unknown.unwrap_err().0, -32010);
}

#[test]
fn a_stop_after_tokens_reports_the_first_token_and_what_streamed() {
    let (mut sidecar, fake) = setup();
    for (provider, model) in PROVIDERS {
        fake.script(json!({ provider: [{ "text": "x".repeat(2000), "chunkSize": 2, "delayMs": 20, "headersDelayMs": 50 }] }));
        let (id, channel) = start(&mut sidecar, params(&fake, provider, model, json!({})));
        super::wait_nth(&mut sidecar, channel, "Chunk", 3);
        sidecar.call("stop_generation_stream", json!({ "requestId": channel }));
        let events = finish(&mut sidecar, &id, channel);
        let done = terminal(&events, "Done");
        assert_eq!(done["doneReason"], "cancelled", "{provider}");
        let usage = &done["usage"];
        let ttft = usage["timeToFirstTokenMs"].as_f64().unwrap_or_else(|| panic!("{provider}: a token arrived, so a TTFT: {usage}"));
        assert!(ttft >= 50.0, "{provider}: the response started after 50 ms: {usage}");
        let streamed = text_of(&events).len() as u64;
        assert!(streamed >= 6, "{provider}");
        // No provider reports counts mid-stream: the estimate of what the Chunks carried, at
        // least one token per streamed piece (of 2 bytes here), and marked as an estimate.
        assert_eq!(usage["completionTokens"].as_u64(), Some(streamed.div_ceil(2)), "{provider}: {streamed} bytes streamed: {usage}");
        assert_eq!(usage["estimated"], true, "{provider}: {usage}");
        assert!(usage["tokensPerSecond"].as_f64().unwrap() > 0.0, "{provider}: {usage}");
        assert!(usage["totalDurationMs"].as_f64().unwrap() >= ttft, "{provider}: {usage}");
    }
}

#[test]
fn a_stop_before_the_first_token_reports_no_time_to_first_token() {
    let (mut sidecar, fake) = setup();
    for (n, (provider, model)) in PROVIDERS.into_iter().enumerate() {
        fake.script(json!({ provider: [{ "text": "never shown", "headersDelayMs": 10_000 }] }));
        let (id, channel) = start(&mut sidecar, params(&fake, provider, model, json!({})));
        super::eventually("the provider got the request", || fake.chat_bodies().len() > n);
        sidecar.call("stop_generation_stream", json!({ "requestId": channel }));
        let events = finish(&mut sidecar, &id, channel);
        assert_eq!(kinds(&events), vec!["Done"], "{provider}");
        let done = terminal(&events, "Done");
        assert_eq!(done["doneReason"], "cancelled");
        let usage = &done["usage"];
        assert!(usage.get("timeToFirstTokenMs").is_none(), "{provider}: no token arrived, so no TTFT (not 0): {usage}");
        assert_eq!(usage["completionTokens"], 0, "{provider}: {usage}");
        assert!(usage["totalDurationMs"].as_f64().unwrap() > 0.0, "{provider}: {usage}");
    }
}

#[test]
fn cancel_request_stops_a_stream_too() {
    let (mut sidecar, fake) = setup();
    let (id, channel) = slow_stream(&mut sidecar, &fake, "ollama", "llama3.2");
    let stopped = Instant::now();
    sidecar.cancel(&id);
    let events = finish(&mut sidecar, &id, channel);
    assert!(stopped.elapsed() < Duration::from_millis(200), "Done after {:?}", stopped.elapsed());
    assert_eq!(terminal(&events, "Done")["doneReason"], "cancelled");
    // The sidecar keeps serving.
    let events = super::run(&mut sidecar, params(&fake, "ollama", "llama3.2", json!({})));
    assert_eq!(text_of(&events), "Hello from the fake provider.");
}

#[test]
fn a_channel_id_in_use_is_refused() {
    let (mut sidecar, fake) = setup();
    let (_, channel) = slow_stream(&mut sidecar, &fake, "openai", "gpt-4o-mini");
    let mut again = params(&fake, "openai", "gpt-4o-mini", json!({}));
    again["onEvent"] = json!(channel);
    let error = sidecar.request("generate_completion_stream", again).unwrap_err();
    assert_eq!(error.0, -32602, "{error:?}");
    sidecar.call("stop_generation_stream", json!({ "requestId": channel }));
    let events = messages_of(&sidecar.channel_messages(channel));
    assert_eq!(events.iter().filter(|e| e["event"] == "Done").count(), 1);
}

#[test]
fn generate_completion_returns_the_text() {
    let (mut sidecar, fake) = setup();
    for (provider, model) in PROVIDERS {
        fake.script(json!({ provider: [{ "text": "One-shot answer." }] }));
        let mut request = params(&fake, provider, model, json!({ "tools": true }));
        request.as_object_mut().unwrap().remove("onEvent");
        assert_eq!(sidecar.call("generate_completion", request), json!("One-shot answer."), "{provider}");
    }
    fake.script(json!({ "openai": [{ "status": 500, "error": "boom" }] }));
    let error = sidecar.request("generate_completion", params(&fake, "openai", "gpt-4o-mini", json!({}))).unwrap_err();
    assert_eq!(error.0, -32016);
    assert!(error.1.contains("server error") && error.1.contains("boom"), "{}", error.1);
    let bodies = fake.chat_bodies();
    assert!(bodies.iter().all(|b| b.get("tools").is_none()), "one-shot completions run no tools");
}

#[test]
fn every_stream_ends_exactly_once_under_a_flood_of_stops() {
    let (mut sidecar, fake) = setup();
    let mut started = Vec::new();
    for n in 0..12 {
        let (provider, model) = PROVIDERS[n % 3];
        started.push(slow_stream(&mut sidecar, &fake, provider, model));
    }
    for (_, channel) in &started {
        for _ in 0..3 {
            let _ = sidecar.send_request("stop_generation_stream", json!({ "requestId": channel }));
        }
    }
    for (id, channel) in started {
        let events = finish(&mut sidecar, &id, channel);
        let params = sidecar.channel_messages(channel);
        assert_channel_contract(&params);
        assert_eq!(terminal(&events, "Done")["doneReason"], "cancelled");
    }
}
