//! The permission gate and the ask-user waits: accept / reject / always allow, the modes, answers
//! and timeouts, stops during a wait, and resolving unknown ids.

use super::{finish, kinds, of_kind, params, setup, start, terminal, wait_event, wait_nth, Fake};
use crate::harness::Sidecar;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const NOT_FOUND: i64 = -32010;

fn call(name: &str, arguments: Value) -> Value {
    json!({ "name": name, "arguments": arguments })
}

fn start_agent(sidecar: &mut Sidecar, fake: &Fake, provider: &str, model: &str, extra: Value) -> (Value, u64) {
    let mut base = json!({ "tools": true, "toolPermissionMode": "ask_every_time" });
    for (key, value) in extra.as_object().cloned().unwrap_or_default() {
        base[key] = value;
    }
    start(sidecar, params(fake, provider, model, base))
}

fn resolve(sidecar: &mut Sidecar, permission: &Value, decision: &str) {
    sidecar.call("resolve_tool_permission", json!({ "permissionId": permission["id"], "decision": decision }));
}

#[test]
fn accept_reject_and_always_allow() {
    let (mut sidecar, fake) = setup();
    fake.script(json!({ "ollama": [
        { "toolCalls": [call("write_file", json!({ "path": "a.txt", "content": "A" }))] },
        { "toolCalls": [call("bash", json!({ "command": "echo hi" }))] },
        { "toolCalls": [call("bash", json!({ "command": "echo one" })), call("bash", json!({ "command": "echo two" }))] },
        { "text": "done" }
    ] }));
    let (id, channel) = start_agent(&mut sidecar, &fake, "ollama", "llama3.2", json!({}));

    let first = wait_nth(&mut sidecar, channel, "ToolPermission", 1);
    let call_event = wait_event(&mut sidecar, channel, "ToolCall");
    assert_eq!(first["toolCallId"], call_event["id"]);
    assert_eq!(first["tool"], "write_file");
    assert_eq!(first["args"], json!({ "path": "a.txt", "content": "A" }));
    assert_eq!(first["reason"], "writes a.txt (new file)");
    assert!(!sidecar.ws("a.txt").exists(), "nothing runs before the decision");
    resolve(&mut sidecar, &first, "accepted");
    let again = sidecar.request("resolve_tool_permission", json!({ "permissionId": first["id"], "decision": "accepted" }));
    assert_eq!(again.unwrap_err().0, NOT_FOUND, "an already resolved id is not found");

    let second = wait_nth(&mut sidecar, channel, "ToolPermission", 2);
    assert_eq!(second["reason"], "runs a shell command in the workspace folder");
    resolve(&mut sidecar, &second, "rejected");

    let third = wait_nth(&mut sidecar, channel, "ToolPermission", 3);
    resolve(&mut sidecar, &third, "always_allowed");
    let events = finish(&mut sidecar, &id, channel);

    assert_eq!(of_kind(&events, "ToolPermission").len(), 3, "the second bash of the turn was always allowed");
    let results = of_kind(&events, "ToolResult");
    assert_eq!((results[0]["success"].clone(), results[0]["tool"].clone()), (json!(true), json!("write_file")));
    assert_eq!(std::fs::read_to_string(sidecar.ws("a.txt")).unwrap(), "A");
    assert_eq!(results[1]["success"], false);
    assert_eq!(results[1]["output"], "User rejected bash");
    assert_eq!(results[2]["output"], "one");
    assert_eq!(results[3]["output"], "two");
    terminal(&events, "Done");
    let history = fake.chat_bodies()[2]["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(history["content"], "User rejected bash", "the model is told");
}

#[test]
fn the_allowlist_and_the_modes_decide_what_is_asked() {
    let (mut sidecar, fake) = setup();
    std::fs::write(sidecar.ws("f.txt"), "x\n").unwrap();
    let turn = json!({ "toolCalls": [
        call("read_file", json!({ "path": "f.txt" })), call("glob", json!({ "pattern": "*" })), call("grep", json!({ "pattern": "x" })),
        call("bash", json!({ "command": "true" }))
    ] });
    fake.script(json!({ "openai": [turn, { "text": "ok" }, turn, { "text": "ok" }] }));
    // auto_accept_read_only: only bash is asked about.
    let (id, channel) = start_agent(&mut sidecar, &fake, "openai", "gpt-4o-mini", json!({ "toolPermissionMode": "auto_accept_read_only" }));
    let permission = wait_event(&mut sidecar, channel, "ToolPermission");
    assert_eq!(permission["tool"], "bash");
    resolve(&mut sidecar, &permission, "accepted");
    let events = finish(&mut sidecar, &id, channel);
    assert_eq!(of_kind(&events, "ToolPermission").len(), 1);
    assert!(of_kind(&events, "ToolResult").iter().all(|r| r["success"] == true));
    // ask_every_time with everything allowlisted: nothing is asked.
    let allow = json!({ "toolAllowlist": ["read_file", "glob", "grep", "bash"] });
    let events = super::run(&mut sidecar, params(&fake, "openai", "gpt-4o-mini", json!({ "tools": true, "toolPermissionMode": "ask_every_time", "toolAllowlist": allow["toolAllowlist"] })));
    assert!(of_kind(&events, "ToolPermission").is_empty());
    assert_eq!(of_kind(&events, "ToolResult").len(), 4);
}

#[test]
fn reads_wait_for_permission_together() {
    let (mut sidecar, fake) = setup();
    fake.script(json!({ "anthropic": [
        { "toolCalls": [call("glob", json!({ "pattern": "*" })), call("grep", json!({ "pattern": "x" }))] },
        { "text": "ok" }
    ] }));
    let (id, channel) = start_agent(&mut sidecar, &fake, "anthropic", "claude-sonnet-4-5", json!({}));
    // Both cards are up at once: reads run in parallel, each with its own permission id.
    let first = wait_nth(&mut sidecar, channel, "ToolPermission", 1);
    let second = wait_nth(&mut sidecar, channel, "ToolPermission", 2);
    assert_ne!(first["id"], second["id"]);
    resolve(&mut sidecar, &second, "rejected");
    resolve(&mut sidecar, &first, "accepted");
    let events = finish(&mut sidecar, &id, channel);
    let results = of_kind(&events, "ToolResult");
    assert_eq!(results[0]["tool"], "glob", "results keep the model's order");
    assert_eq!(results[0]["success"], true);
    assert_eq!(results[1]["output"], "User rejected grep");
}

#[test]
fn ask_user_and_forms_are_answered() {
    let (mut sidecar, fake) = setup();
    fake.script(json!({ "ollama": [
        { "toolCalls": [call("ask_user", json!({ "question": "Which colour?", "question_type": "choice", "choices": ["red", { "label": "blue" }] }))] },
        { "toolCalls": [call("ask_user_form", json!({ "title": "Details", "fields": [
            { "id": "name", "label": "Name", "field_type": "text", "placeholder": "Ada" },
            { "id": "extras", "label": "Extras", "field_type": "multiselect", "choices": ["a", "b"], "required": false }
        ] }))] },
        { "text": "thanks" }
    ] }));
    let (id, channel) = start_agent(&mut sidecar, &fake, "ollama", "llama3.2", json!({}));
    let question = wait_event(&mut sidecar, channel, "AskUser");
    assert_eq!(question["question"], "Which colour?");
    assert_eq!(question["questionType"], "choice");
    assert_eq!(question["choices"], json!(["red", "blue"]));
    let wrong = sidecar.request("resolve_tool_permission", json!({ "permissionId": question["id"], "decision": "accepted" }));
    assert_eq!(wrong.unwrap_err().0, NOT_FOUND, "an ask id is not a permission id");
    sidecar.call("resolve_ask_user", json!({ "requestId": question["id"], "answer": "blue" }));
    let form = wait_event(&mut sidecar, channel, "AskUserForm");
    assert_eq!(form["title"], "Details");
    assert_eq!(form["fields"][0], json!({ "id": "name", "label": "Name", "fieldType": "text", "placeholder": "Ada" }));
    assert_eq!(form["fields"][1]["fieldType"], "multiselect");
    assert_eq!(form["fields"][1]["required"], false);
    sidecar.call("resolve_ask_user_form", json!({ "requestId": form["id"], "answers": { "name": "Ada", "extras": ["b"] } }));
    let events = finish(&mut sidecar, &id, channel);
    assert!(of_kind(&events, "ToolPermission").is_empty(), "asking is never gated");
    let results = of_kind(&events, "ToolResult");
    assert_eq!((results[0]["success"].clone(), results[0]["output"].clone()), (json!(true), json!("blue")));
    let answers: Value = serde_json::from_str(results[1]["output"].as_str().unwrap()).unwrap();
    assert_eq!(answers, json!({ "name": "Ada", "extras": ["b"] }));
    let bodies = fake.chat_bodies();
    assert_eq!(bodies[1]["messages"].as_array().unwrap().last().unwrap()["content"], "blue");
}

#[test]
fn unanswered_waits_time_out() {
    let (mut sidecar, fake) = setup();
    fake.script(json!({ "openai": [
        { "toolCalls": [call("ask_user", json!({ "question": "Anyone?" }))] },
        { "toolCalls": [call("ask_user_form", json!({ "title": "T", "fields": [{ "id": "a", "label": "A", "field_type": "text" }] }))] },
        { "toolCalls": [call("write_file", json!({ "path": "w.txt", "content": "w" }))] },
        { "text": "ok" }
    ] }));
    let timeouts = json!({ "askUserTimeoutSeconds": 0.3, "permissionTimeoutSeconds": 0.3 });
    let (id, channel) = start_agent(&mut sidecar, &fake, "openai", "gpt-4o-mini", timeouts);
    let events = finish(&mut sidecar, &id, channel);
    let results = of_kind(&events, "ToolResult");
    assert_eq!(results[0]["output"], "No response (ask_user timed out after 0.3 seconds)");
    assert_eq!(results[1]["output"], "{}");
    assert_eq!(results[2]["output"], "User rejected write_file (no decision within 0.3 seconds, so it was not run)");
    assert!(!sidecar.ws("w.txt").exists());
    for (kind, result) in [("AskUser", &results[0]), ("AskUserForm", &results[1]), ("ToolPermission", &results[2])] {
        assert_eq!(result["success"], false, "{kind}");
        let wait = &of_kind(&events, kind)[0];
        let resolver = match kind {
            "AskUser" => ("resolve_ask_user", json!({ "requestId": wait["id"], "answer": "late" })),
            "AskUserForm" => ("resolve_ask_user_form", json!({ "requestId": wait["id"], "answers": {} })),
            _ => ("resolve_tool_permission", json!({ "permissionId": wait["id"], "decision": "accepted" })),
        };
        assert_eq!(sidecar.request(resolver.0, resolver.1).unwrap_err().0, NOT_FOUND, "a timed-out {kind} is gone");
    }
    terminal(&events, "Done");
}

#[test]
fn a_stop_releases_every_pending_wait_at_once() {
    let (mut sidecar, fake) = setup();
    fake.script(json!({ "anthropic": [
        { "toolCalls": [call("read_file", json!({ "path": "a" })), call("grep", json!({ "pattern": "b" })), call("write_file", json!({ "path": "c", "content": "c" }))] }
    ] }));
    let (id, channel) = start_agent(&mut sidecar, &fake, "anthropic", "claude-sonnet-4-5", json!({}));
    let first = wait_nth(&mut sidecar, channel, "ToolPermission", 1);
    let second = wait_nth(&mut sidecar, channel, "ToolPermission", 2);
    let stopped = Instant::now();
    sidecar.call("stop_generation_stream", json!({ "requestId": channel }));
    let events = finish(&mut sidecar, &id, channel);
    assert!(stopped.elapsed() < Duration::from_millis(200), "Done after {:?}", stopped.elapsed());
    assert_eq!(kinds(&events), vec!["ToolCall", "ToolCall", "ToolCall", "ToolPermission", "ToolPermission", "Done"]);
    assert_eq!(terminal(&events, "Done")["doneReason"], "cancelled");
    for permission in [first, second] {
        let late = sidecar.request("resolve_tool_permission", json!({ "permissionId": permission["id"], "decision": "accepted" }));
        assert_eq!(late.unwrap_err().0, NOT_FOUND);
    }
    assert!(!sidecar.ws("c").exists());
}

#[test]
fn a_stop_while_the_next_call_waits_for_permission_still_reports_the_write() {
    let (mut sidecar, fake) = setup();
    fake.script(json!({ "ollama": [{ "toolCalls": [
        call("write_file", json!({ "path": "a.txt", "content": "A" })),
        call("bash", json!({ "command": "touch b.txt" }))
    ] }] }));
    let (id, channel) = start_agent(&mut sidecar, &fake, "ollama", "llama3.2", json!({}));
    let write = wait_nth(&mut sidecar, channel, "ToolPermission", 1);
    resolve(&mut sidecar, &write, "accepted");
    let bash = wait_nth(&mut sidecar, channel, "ToolPermission", 2);
    assert_eq!(bash["tool"], "bash");
    let stopped = Instant::now();
    sidecar.call("stop_generation_stream", json!({ "requestId": channel }));
    let events = finish(&mut sidecar, &id, channel);
    assert!(stopped.elapsed() < Duration::from_millis(200), "Done after {:?}", stopped.elapsed());
    assert_eq!(kinds(&events), vec!["ToolCall", "ToolCall", "ToolPermission", "ToolResult", "ToolPermission", "Done"]);
    let results = of_kind(&events, "ToolResult");
    assert_eq!((results[0]["tool"].clone(), results[0]["success"].clone(), results[0]["path"].clone()), (json!("write_file"), json!(true), json!("a.txt")));
    assert_eq!(std::fs::read_to_string(sidecar.ws("a.txt")).unwrap(), "A");
    assert!(!sidecar.ws("b.txt").exists(), "the call waiting for permission did not run and has no result");
    assert_eq!(terminal(&events, "Done")["doneReason"], "cancelled");
}

#[test]
fn a_stop_while_a_read_waits_sends_the_result_of_the_read_that_ran_beside_it() {
    let (mut sidecar, fake) = setup();
    std::fs::write(sidecar.ws("f.txt"), "contents\n").unwrap();
    fake.script(json!({ "openai": [{ "toolCalls": [call("read_file", json!({ "path": "f.txt" })), call("grep", json!({ "pattern": "x" }))] }] }));
    let (id, channel) = start_agent(&mut sidecar, &fake, "openai", "gpt-4o-mini", json!({}));
    // One parallel batch: the read runs once accepted while grep still waits.
    let read = wait_nth(&mut sidecar, channel, "ToolPermission", 1);
    wait_nth(&mut sidecar, channel, "ToolPermission", 2);
    resolve(&mut sidecar, &read, "accepted");
    // No event says the read began before the batch ends; give it ample time to.
    std::thread::sleep(Duration::from_millis(300));
    sidecar.call("stop_generation_stream", json!({ "requestId": channel }));
    let events = finish(&mut sidecar, &id, channel);
    assert_eq!(kinds(&events), vec!["ToolCall", "ToolCall", "ToolPermission", "ToolPermission", "ToolResult", "Done"]);
    let result = &of_kind(&events, "ToolResult")[0];
    assert_eq!((result["tool"].clone(), result["success"].clone()), (json!("read_file"), json!(true)));
    assert_eq!(terminal(&events, "Done")["doneReason"], "cancelled");
}

#[test]
fn a_stop_during_an_ask_ends_cancelled() {
    let (mut sidecar, fake) = setup();
    fake.script(json!({ "ollama": [{ "toolCalls": [call("ask_user", json!({ "question": "?" }))] }] }));
    let (id, channel) = start_agent(&mut sidecar, &fake, "ollama", "llama3.2", json!({}));
    wait_event(&mut sidecar, channel, "AskUser");
    let stopped = Instant::now();
    sidecar.cancel(&id);
    let events = finish(&mut sidecar, &id, channel);
    assert!(stopped.elapsed() < Duration::from_millis(200), "Done after {:?}", stopped.elapsed());
    assert_eq!(kinds(&events), vec!["ToolCall", "AskUser", "Done"]);
}

#[test]
fn unknown_ids_are_not_found() {
    let mut sidecar = Sidecar::initialized();
    for (method, params) in [
        ("resolve_tool_permission", json!({ "permissionId": 424242, "decision": "accepted" })),
        ("resolve_ask_user", json!({ "requestId": 424242, "answer": "x" })),
        ("resolve_ask_user_form", json!({ "requestId": 424242, "answers": {} })),
        ("stop_generation_stream", json!({ "requestId": 424242 })),
    ] {
        let error = sidecar.request(method, params).unwrap_err();
        assert_eq!(error.0, NOT_FOUND, "{method}: {error:?}");
        assert!(error.1.contains("424242"), "{method}: {}", error.1);
    }
    let bad = sidecar.request("resolve_tool_permission", json!({ "permissionId": 1, "decision": "maybe" })).unwrap_err();
    assert_eq!(bad.0, -32602);
}
