//! `generate_inline` against the fake provider: fill-in-the-middle through Ollama's
//! `/api/generate` for models that can, an instruction prompt for the rest and for edits, the
//! document cut around the cursor to the model's context, usage like the chat's, stops, faults,
//! and an inline stream beside a chat stream.

use super::{kinds, of_kind, params, setup, terminal, text_of, wait_event, Fake};
use crate::harness::{assert_channel_contract, messages_of, Sidecar};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const FIM_MODEL: &str = "qwen2.5-coder:1.5b";
const FIM_TEMPLATE: &str = "{{- if .Suffix }}<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>{{- else }}{{ .Prompt }}{{- end }}";

/// The fake's Ollama models: a fill-in-the-middle coder (by capability), an older-style one known
/// only by its template, a chat model that thinks, and one without either.
fn models(fake: &Fake) {
    fake.config(json!({ "models": { "ollama": [
        { "name": FIM_MODEL, "family": "qwen2", "capabilities": ["completion", "insert"], "contextLength": 32768, "template": FIM_TEMPLATE },
        { "name": "starcoder2:3b", "family": "starcoder2", "capabilities": [], "contextLength": 16384, "template": FIM_TEMPLATE },
        { "name": "qwen3:8b", "family": "qwen3", "capabilities": ["completion", "tools", "thinking"], "contextLength": 40960 },
        { "name": "llama3.2:latest", "family": "llama", "capabilities": ["completion", "tools"], "contextLength": 131072 },
        { "name": "tiny:latest", "family": "llama", "capabilities": ["completion"], "contextLength": 2048 },
    ] } }));
}

fn inline(fake: &Fake, model: &str, extra: Value) -> Value {
    let mut params = json!({
        "model": model, "provider": "ollama", "host": fake.url(), "task": "generate", "instruction": "",
        "languageId": "typescript", "path": "src/math.ts",
        "prefix": "export function add(a: number, b: number) {\n  ", "selection": "", "suffix": "\n}\n",
    });
    for (key, value) in extra.as_object().cloned().unwrap_or_default() {
        params[key] = value;
    }
    params
}

fn start(sidecar: &mut Sidecar, mut params: Value) -> (Value, u64) {
    let channel = sidecar.next_channel_id();
    params["onEvent"] = json!(channel);
    (sidecar.send_request("generate_inline", params), channel)
}

/// Waits for the response; checks it came after the terminal message and the channel contract.
fn finish(sidecar: &mut Sidecar, id: &Value, channel: u64) -> (Value, Vec<Value>) {
    let response = sidecar.wait_response(id).expect("generate_inline answers");
    let so_far = sidecar.channel_so_far(channel);
    assert!(so_far.last().is_some_and(|m| m["terminal"] == json!(true)), "the response came before the terminal message: {so_far:?}");
    assert_eq!(response["requestId"], json!(channel));
    let params = sidecar.channel_messages(channel);
    assert_channel_contract(&params);
    let events = messages_of(&params);
    assert!(kinds(&events)[..events.len() - 1].iter().all(|k| *k == "Chunk"), "only Chunks before the terminal: {events:?}");
    assert!(of_kind(&events, "Chunk").iter().all(|c| c.get("thinking").is_none()), "no thinking reaches the editor");
    (response, events)
}

fn run(sidecar: &mut Sidecar, params: Value) -> (Value, Vec<Value>) {
    let (id, channel) = start(sidecar, params);
    finish(sidecar, &id, channel)
}

fn generate_bodies(fake: &Fake) -> Vec<Value> {
    fake.requests().into_iter().filter(|r| r["path"] == "/api/generate").map(|r| r["body"].clone()).collect()
}

#[test]
fn a_model_that_fills_in_the_middle_gets_prefix_and_suffix_through_generate() {
    let (mut sidecar, fake) = setup();
    models(&fake);
    fake.script(json!({ "ollama": [{ "text": "return a + b;", "chunkSize": 4, "promptEvalCount": 20 }] }));
    let (response, events) = run(&mut sidecar, inline(&fake, FIM_MODEL, json!({})));
    assert_eq!(response["prompt"], "fill_in_middle");
    assert!(response.get("contextNote").is_none(), "everything fit: {response}");
    assert_eq!(text_of(&events), "return a + b;");
    let usage = &terminal(&events, "Done")["usage"];
    assert_eq!(usage["contextLength"], 32768, "{usage}");
    assert_eq!(usage["promptTokens"], 20);
    assert!(usage["timeToFirstTokenMs"].as_f64().unwrap() > 0.0 && usage["tokensPerSecond"].as_f64().unwrap() > 0.0, "{usage}");
    assert_eq!(usage["truncated"], false);

    let bodies = generate_bodies(&fake);
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0]["prompt"], "export function add(a: number, b: number) {\n  ");
    assert_eq!(bodies[0]["suffix"], "\n}\n");
    assert_eq!(bodies[0]["options"]["num_ctx"], 32768, "the chat's window, so Ollama does not reload the model");
    assert_eq!(bodies[0]["options"]["num_predict"], 1024);
    assert!(fake.chat_bodies().is_empty(), "no chat request");
}

#[test]
fn a_template_with_suffix_is_enough_and_an_instruction_rides_along_as_a_comment() {
    let (mut sidecar, fake) = setup();
    models(&fake);
    let (response, _) = run(&mut sidecar, inline(&fake, "starcoder2:3b", json!({ "instruction": "sum both", "languageId": "python", "prefix": "def add(a, b):\n    " })));
    assert_eq!(response["prompt"], "fill_in_middle");
    assert_eq!(generate_bodies(&fake)[0]["prompt"], "def add(a, b):\n    # sum both\n    ");
    // Mid-line there is no place for the comment: the instruction goes to a chat prompt instead.
    let (response, _) = run(&mut sidecar, inline(&fake, "starcoder2:3b", json!({ "instruction": "sum both", "prefix": "const total = " })));
    assert_eq!(response["prompt"], "instruction");
}

#[test]
fn other_models_and_edits_get_an_instruction_prompt() {
    let (mut sidecar, fake) = setup();
    models(&fake);
    fake.script(json!({ "ollama": [{ "text": "```ts\nreturn a + b;\n```" }, { "text": "```ts\n  return a - b;\n```" }] }));
    let (response, events) = run(&mut sidecar, inline(&fake, "qwen3:8b", json!({ "instruction": "add them" })));
    assert_eq!(response["prompt"], "instruction");
    assert_eq!(text_of(&events), "```ts\nreturn a + b;\n```", "the model's text as it came: the host unwraps it");
    let (response, _) = run(
        &mut sidecar,
        inline(&fake, FIM_MODEL, json!({ "task": "edit", "instruction": "subtract", "prefix": "function f(a, b) {\n", "selection": "  return a + b;\n", "suffix": "}\n" })),
    );
    assert_eq!(response["prompt"], "instruction", "an edit needs the instruction, whatever the model can do");
    let bodies = fake.chat_bodies();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0]["messages"][0]["role"], "system");
    let user = bodies[0]["messages"][1]["content"].as_str().unwrap();
    assert!(user.contains("src/math.ts (typescript)") && user.contains("{\n  ⟨CURSOR⟩\n}") && user.contains("add them"), "{user}");
    assert_eq!(bodies[0]["think"], false, "a thinking model is asked not to think");
    assert!(bodies[0].get("tools").is_none(), "no tools");
    assert!(bodies[1].get("think").is_none(), "a model that does not think is not told about it");
    let user = bodies[1]["messages"][1]["content"].as_str().unwrap();
    assert!(user.contains("⟨SELECTION⟩  return a + b;\n⟨/SELECTION⟩") && user.contains("Rewrite the selected code: subtract"), "{user}");
}

#[test]
fn cloud_providers_answer_inline_too() {
    let (mut sidecar, fake) = setup();
    for (provider, model) in [("openai", "gpt-4o-mini"), ("anthropic", "claude-haiku-4-5")] {
        fake.script(json!({ provider: [{ "text": "```\nx\n```" }] }));
        let (response, events) = run(&mut sidecar, inline(&fake, model, json!({ "provider": provider, "apiKey": "k", "task": "merge", "selection": "a\nb\n", "fragment": "b2" })));
        assert_eq!(response["prompt"], "instruction", "{provider}");
        assert_eq!(text_of(&events), "```\nx\n```", "{provider}");
        assert!(terminal(&events, "Done")["usage"].get("contextLength").is_none(), "{provider}: no window is sent to a cloud model");
    }
    let (_, events) = run(&mut sidecar, inline(&fake, "claude-haiku-4-5", json!({ "provider": "anthropic" })));
    assert_eq!(terminal(&events, "Error")["code"], "auth", "Anthropic without a key");
}

#[test]
fn a_long_document_is_cut_around_the_cursor_and_the_result_says_so() {
    let (mut sidecar, fake) = setup();
    models(&fake);
    let prefix: String = (1..=2000).map(|n| format!("const before{n} = {n};\n")).collect();
    let suffix: String = (1..=2000).map(|n| format!("const after{n} = {n};\n")).collect();
    let (response, _) = run(&mut sidecar, inline(&fake, "tiny", json!({ "prefix": prefix, "suffix": suffix, "instruction": "x" })));
    let note = response["contextNote"].as_str().expect("a note says what was left out");
    assert!(note.starts_with("Sent lines ") && note.contains("of 4,000 of src/math.ts") && note.contains("2,048-token context"), "{note}");
    let user = fake.chat_bodies()[0]["messages"][1]["content"].as_str().unwrap().to_string();
    assert!(user.contains("const before2000 = 2000;\n⟨CURSOR⟩const after1 = 1;"), "the lines at the cursor are kept");
    assert!(!user.contains("const before1 = 1;") && !user.contains("const after2000 ="), "the far ends are cut");
    assert!(user.len() / 3 < 2048, "the prompt fits the window: {} chars", user.len());
    assert_eq!(fake.chat_bodies()[0]["options"]["num_ctx"], 2048);

    let (_, events) = run(&mut sidecar, inline(&fake, "tiny", json!({ "task": "edit", "selection": "x".repeat(20_000) })));
    let error = terminal(&events, "Error");
    assert_eq!(error["code"], "invalid_request");
    assert!(error["message"].as_str().unwrap().contains("select less"), "{error}");
}

#[test]
fn a_stop_ends_an_inline_stream_within_200_ms_and_drops_the_connection() {
    let (mut sidecar, fake) = setup();
    models(&fake);
    for (n, model) in [FIM_MODEL, "llama3.2"].into_iter().enumerate() {
        fake.script(json!({ "ollama": [{ "text": "x".repeat(2000), "chunkSize": 2, "delayMs": 20 }] }));
        let (id, channel) = start(&mut sidecar, inline(&fake, model, json!({})));
        wait_event(&mut sidecar, channel, "Chunk");
        let stopped = Instant::now();
        if n == 0 {
            assert_eq!(sidecar.call("stop_generation_stream", json!({ "requestId": channel })), Value::Null);
        } else {
            sidecar.cancel(&id);
        }
        let (_, events) = finish(&mut sidecar, &id, channel);
        assert!(stopped.elapsed() < Duration::from_millis(200), "{model}: Done after {:?}", stopped.elapsed());
        let done = terminal(&events, "Done");
        assert_eq!(done["doneReason"], "cancelled");
        assert!(done["usage"]["timeToFirstTokenMs"].as_f64().is_some(), "{done}");
        super::eventually("the provider saw the connection dropped", || {
            let streams: Vec<Value> = fake.requests().into_iter().filter(|r| matches!(r["path"].as_str(), Some("/api/generate" | "/api/chat"))).collect();
            streams.get(n).is_some_and(|r| r["aborted"] == true)
        });
    }
}

#[test]
fn faults_end_the_channel_with_one_clear_error() {
    let (mut sidecar, fake) = setup();
    models(&fake);
    let (_, events) = run(&mut sidecar, inline(&fake, "nosuch:7b", json!({})));
    let error = terminal(&events, "Error");
    assert_eq!(error["code"], "model_not_found");
    assert!(error["message"].as_str().unwrap().contains("ollama pull nosuch:7b"), "{error}");
    let (_, events) = run(&mut sidecar, inline(&fake, " ", json!({})));
    assert!(terminal(&events, "Error")["message"].as_str().unwrap().contains("prototyper.inline.model"));
    fake.script(json!({ "ollama": [{ "text": "abc", "midStreamError": "out of memory" }] }));
    let (_, events) = run(&mut sidecar, inline(&fake, FIM_MODEL, json!({})));
    assert!(terminal(&events, "Error")["message"].as_str().unwrap().contains("out of memory"));
    let missing = sidecar.request("generate_inline", inline(&fake, FIM_MODEL, json!({})));
    let (code, message) = missing.unwrap_err();
    assert_eq!(code, -32602);
    assert!(message.contains("onEvent"), "{message}");
    // The sidecar keeps serving.
    let (_, events) = run(&mut sidecar, inline(&fake, FIM_MODEL, json!({})));
    assert_eq!(text_of(&events), "Hello from the fake provider.");
}

#[test]
fn an_inline_stream_runs_beside_a_chat_stream() {
    let (mut sidecar, fake) = setup();
    models(&fake);
    fake.script(json!({ "any": [
        { "text": "chat answer that takes a while", "chunkSize": 3, "delayMs": 15 },
        { "text": "inline code", "chunkSize": 3, "delayMs": 5 },
    ] }));
    let (chat_id, chat_channel) = super::start(&mut sidecar, params(&fake, "ollama", "llama3.2", json!({})));
    wait_event(&mut sidecar, chat_channel, "Chunk");
    let (inline_id, inline_channel) = start(&mut sidecar, inline(&fake, FIM_MODEL, json!({})));
    let (_, inline_events) = finish(&mut sidecar, &inline_id, inline_channel);
    assert_eq!(text_of(&inline_events), "inline code");
    assert!(sidecar.channel_so_far(chat_channel).last().is_none_or(|m| m["terminal"] != json!(true)), "the chat is still streaming");
    let chat_events = super::finish(&mut sidecar, &chat_id, chat_channel);
    assert_eq!(text_of(&chat_events), "chat answer that takes a while");
}
