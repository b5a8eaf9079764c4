//! What real servers send, replayed byte for byte by the fake provider: the streams recorded from
//! llama.cpp's OpenAI-compatible server (`test/fixtures/real-streams/`: a full tool-call name in
//! every fragment, the legacy `function_call` beside `tool_calls`, no usage, an empty 200) and
//! Ollama's documented NDJSON (`test/fixtures/ollama/`: tool calls whole in one message,
//! `done_reason`, the duration fields, errors). The sidecar must read them as the server meant.

use super::{finish, of_kind, params, run, setup, start, terminal, text_of, wait_event};
use serde_json::{json, Value};

const LLAMA_MODEL: &str = "smollm2-135m-instruct";

fn fixture(name: &str) -> String {
    let path = format!("{}/../test/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// The `data:` objects of a recorded SSE body.
fn sse_objects(body: &str) -> Vec<Value> {
    body.lines().filter_map(|line| line.strip_prefix("data: ")).filter_map(|data| serde_json::from_str(data).ok()).collect()
}

/// What a recorded OpenAI stream says: its text, and its tool-call arguments as the server meant
/// them (the `tool_calls` fragments only, appended).
fn recorded(body: &str) -> (String, String) {
    let mut text = String::new();
    let mut arguments = String::new();
    for object in sse_objects(body) {
        let delta = &object["choices"][0]["delta"];
        text.push_str(delta["content"].as_str().unwrap_or_default());
        for call in delta["tool_calls"].as_array().into_iter().flatten() {
            arguments.push_str(call["function"]["arguments"].as_str().unwrap_or_default());
        }
    }
    (text, arguments)
}

#[test]
fn a_plain_llama_cpp_stream_arrives_byte_for_byte_with_honest_usage() {
    let (mut sidecar, fake) = setup();
    let body = fixture("real-streams/llamacpp-plain.sse");
    let (expected, _) = recorded(&body);
    fake.script(json!({ "openai": [{ "replay": "real-streams/llamacpp-plain.sse" }] }));
    let events = run(&mut sidecar, params(&fake, "openai", LLAMA_MODEL, json!({})));
    assert_eq!(text_of(&events), expected);
    let done = terminal(&events, "Done");
    assert_eq!(done["doneReason"], "stop");
    let usage = &done["usage"];
    assert_eq!(usage["estimated"], true, "the server sent no usage: {usage}");
    assert!(usage.get("promptTokens").is_none(), "an unknown prompt count is absent, not 0: {usage}");
    let lines_with_text = sse_objects(&body).iter().filter(|o| o["choices"][0]["delta"]["content"].as_str().is_some_and(|t| !t.is_empty())).count();
    assert!(usage["completionTokens"].as_u64().unwrap() >= lines_with_text as u64, "one token at least per streamed line: {usage}");
    assert_eq!(fake.chat_bodies()[0]["stream_options"]["include_usage"], true, "usage is asked for");
}

#[test]
fn a_name_repeated_in_every_fragment_is_one_call_that_forms_live_and_runs_after_accept() {
    let (mut sidecar, fake) = setup();
    let body = fixture("real-streams/llamacpp-forced-tool-call.sse");
    let (_, arguments) = recorded(&body);
    fake.script(json!({ "openai": [{ "replay": "real-streams/llamacpp-forced-tool-call.sse", "delayMs": 5 }, { "text": "Written." }] }));
    let extra = json!({ "tools": true, "toolChoice": { "type": "function", "function": { "name": "write_file" } }, "toolPermissionMode": "ask_every_time" });
    let (id, channel) = start(&mut sidecar, params(&fake, "openai", LLAMA_MODEL, extra));
    let permission = wait_event(&mut sidecar, channel, "ToolPermission");
    assert_eq!(permission["tool"], "write_file", "{permission}");
    sidecar.call("resolve_tool_permission", json!({ "permissionId": permission["id"], "decision": "accepted" }));
    let events = finish(&mut sidecar, &id, channel);

    let deltas = of_kind(&events, "ToolCallDelta");
    let call = of_kind(&events, "ToolCall");
    assert_eq!(call.len(), 1, "one call, not one per fragment: {events:?}");
    assert_eq!(call[0]["tool"], "write_file");
    // How many deltas there are depends on how the reads fell; what they add up to does not.
    assert!(!deltas.is_empty());
    assert!(deltas.iter().all(|d| d["tool"] == "write_file" && d["id"] == call[0]["id"]), "{deltas:?}");
    let streamed: String = deltas.iter().map(|d| d["argsDelta"].as_str().unwrap()).collect();
    assert_eq!(streamed, arguments, "appending the deltas gives the arguments the server sent");
    let first_delta = events.iter().position(|e| e["event"] == "ToolCallDelta").unwrap();
    let the_call = events.iter().position(|e| e["event"] == "ToolCall").unwrap();
    assert!(first_delta < the_call);
    assert_eq!(call[0]["args"], serde_json::from_str::<Value>(&arguments).unwrap());

    // The 135M model's arguments are nonsense, but the protocol is not: the file it named was
    // written with the content it gave, inside the workspace.
    let path = call[0]["args"]["path"].as_str().unwrap();
    let result = &of_kind(&events, "ToolResult")[0];
    assert_eq!(result["success"], true, "{result}");
    assert_eq!(std::fs::read_to_string(sidecar.ws(path)).unwrap(), call[0]["args"]["content"].as_str().unwrap());

    let bodies = fake.chat_bodies();
    assert_eq!(bodies[0]["tool_choice"], json!({ "type": "function", "function": { "name": "write_file" } }));
    assert!(bodies[1].get("tool_choice").is_none(), "a forced choice applies to the first turn only: {}", bodies[1]);
    let history = bodies[1]["messages"].as_array().unwrap();
    let assistant = history.iter().find(|m| m["role"] == "assistant").unwrap();
    assert_eq!(assistant["tool_calls"][0]["function"]["name"], "write_file", "the history keeps the name whole");
    let usage = &terminal(&events, "Done")["usage"];
    assert!(usage["estimated"] == true && usage["completionTokens"].as_u64().unwrap() > 20, "the tool turn's arguments count: {usage}");
}

#[test]
fn an_empty_200_is_its_own_error_with_what_to_try() {
    let (mut sidecar, fake) = setup();
    fake.script(json!({ "openai": [{ "replay": "real-streams/llamacpp-auto-tool-choice-empty-200.sse" }, { "replay": "real-streams/llamacpp-auto-tool-choice-empty-200.sse" }] }));
    let events = run(&mut sidecar, params(&fake, "openai", LLAMA_MODEL, json!({ "tools": true })));
    let error = terminal(&events, "Error");
    assert_eq!(error["code"], "empty_response", "{error}");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("context window") && message.contains("prototyper.openai.toolChoice"), "{message}");
    assert!(!message.contains("crashed") && !message.contains("retry"), "retrying cannot help: {message}");
    assert_eq!(fake.chat_bodies()[0]["tool_choice"], "auto", "tool_choice is sent, auto by default");

    let events = run(&mut sidecar, params(&fake, "openai", LLAMA_MODEL, json!({ "tools": false })));
    let error = terminal(&events, "Error");
    assert_eq!(error["code"], "empty_response");
    assert!(!error["message"].as_str().unwrap().contains("toolChoice"), "no tools, no tool advice: {error}");
}

#[test]
fn a_server_that_ignores_a_forced_tool_is_named_with_the_fix() {
    let (mut sidecar, fake) = setup();
    fake.script(json!({ "openai": [{ "replay": "real-streams/llamacpp-tools-ignored.sse" }, { "replay": "real-streams/llamacpp-tools-ignored.sse" }] }));
    let forced = json!({ "tools": true, "toolChoice": { "name": "write_file" } });
    let events = run(&mut sidecar, params(&fake, "openai", LLAMA_MODEL, forced));
    let warning = terminal(&events, "Done")["warning"].as_str().unwrap_or_default().to_string();
    assert!(warning.contains("write_file") && warning.contains("ignored") && warning.contains("prototyper.openai.toolChoice"), "{warning}");

    // Without a forced choice a text answer is the model's choice: nothing to warn about.
    let events = run(&mut sidecar, params(&fake, "openai", LLAMA_MODEL, json!({ "tools": true, "toolChoice": "omit" })));
    assert!(terminal(&events, "Done").get("warning").is_none(), "{events:?}");
    assert!(fake.chat_bodies()[1].get("tool_choice").is_none(), "omit sends none");
}

#[test]
fn ollama_documented_streams_are_read_as_documented() {
    let (mut sidecar, fake) = setup();
    fake.script(json!({ "ollama": [{ "replay": "ollama/chat-tool-calls.ndjson" }, { "replay": "ollama/chat-text.ndjson" }] }));
    std::fs::write(sidecar.ws("README.md"), "# readme\n").unwrap();
    let events = run(&mut sidecar, params(&fake, "ollama", "qwen3:8b", json!({ "tools": true })));
    let deltas = of_kind(&events, "ToolCallDelta");
    let calls = of_kind(&events, "ToolCall");
    let ids: Vec<&str> = calls.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["call_k1x9", "call_p2q7"], "both calls of one message, with Ollama's ids");
    assert_eq!(deltas.len(), 2, "each call announced whole: {deltas:?}");
    assert_eq!(serde_json::from_str::<Value>(deltas[1]["argsDelta"].as_str().unwrap()).unwrap(), json!({ "pattern": "src/**/*.ts" }));
    assert_eq!(text_of(&events), "The sky is blue.");
    let usage = &terminal(&events, "Done")["usage"];
    assert_eq!((usage["promptTokens"].as_u64(), usage["completionTokens"].as_u64(), &usage["estimated"]), (Some(26), Some(37), &json!(false)), "{usage}");
    let expected = 37.0 / (0.552222 + 0.080);
    assert!((usage["tokensPerSecond"].as_f64().unwrap() - expected).abs() < 0.01, "eval_count over eval_duration: {usage}");

    fake.script(json!({ "ollama": [
        { "replay": "ollama/chat-length.ndjson" },
        { "replay": "ollama/chat-error-midstream.ndjson" },
        { "replay": "ollama/error-model-not-found.json", "replayStatus": 404 },
        { "replay": "ollama/chat-tool-calls-no-ids.ndjson" },
        { "text": "ok" }
    ] }));
    let events = run(&mut sidecar, params(&fake, "ollama", "llama3.2", json!({})));
    assert_eq!(terminal(&events, "Done")["doneReason"], "length");
    let events = run(&mut sidecar, params(&fake, "ollama", "llama3.2", json!({})));
    let error = terminal(&events, "Error");
    assert_eq!(error["code"], "server_error");
    assert!(error["message"].as_str().unwrap().contains("unexpected EOF"), "{error}");
    let events = run(&mut sidecar, params(&fake, "ollama", "llama3.2", json!({})));
    let error = terminal(&events, "Error");
    assert_eq!(error["code"], "model_not_found");
    assert!(error["message"].as_str().unwrap().contains("ollama pull llama3.2"), "{error}");
    std::fs::write(sidecar.ws("package.json"), "{}\n").unwrap();
    let events = run(&mut sidecar, params(&fake, "ollama", "llama3.2", json!({ "tools": true })));
    let call = &of_kind(&events, "ToolCall")[0];
    assert!(call["tool"] == "read_file" && call["id"].as_str().unwrap().starts_with("call_"), "an id is made up when Ollama gives none: {call}");
    assert_eq!(of_kind(&events, "ToolCallDelta")[0]["id"], call["id"], "the card and the call share the id");
}
