//! The agent loop and its tools: multi-turn loops per provider with the results fed back in each
//! provider's format, file changes with their previous content, confinement, bash, limits and an
//! untrusted workspace.

use super::{kinds, of_kind, params, run, setup, terminal, text_of, Fake, PROVIDERS};
use crate::harness::{process_alive, wait_process_gone, Options, Sidecar};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn call(name: &str, arguments: Value) -> Value {
    json!({ "name": name, "arguments": arguments })
}

/// Runs one stream with tools on (auto_accept_all unless `extra` says otherwise).
fn agent(sidecar: &mut Sidecar, fake: &Fake, provider: &str, model: &str, extra: Value) -> Vec<Value> {
    let mut base = json!({ "tools": true });
    for (key, value) in extra.as_object().cloned().unwrap_or_default() {
        base[key] = value;
    }
    run(sidecar, params(fake, provider, model, base))
}

#[test]
fn each_provider_runs_a_multi_turn_tool_loop_and_gets_the_results_back() {
    let (mut sidecar, fake) = setup();
    std::fs::write(sidecar.ws("hello.txt"), "hello from the workspace\n").unwrap();
    std::fs::create_dir_all(sidecar.ws("src")).unwrap();
    std::fs::write(sidecar.ws("src/main.rs"), "fn main() {}\n").unwrap();
    for (provider, model) in PROVIDERS {
        fake.script(json!({ provider: [
            { "text": "Let me look.", "toolCalls": [call("read_file", json!({ "path": "hello.txt" })), call("glob", json!({ "pattern": "**/*.rs" }))] },
            { "toolCalls": [call("grep", json!({ "pattern": "fn main" }))] },
            { "text": "All done." }
        ] }));
        let events = agent(&mut sidecar, &fake, provider, model, json!({}));
        assert_eq!(
            super::shape(&events),
            vec!["Chunk", "ToolCall", "ToolCall", "ToolResult", "ToolResult", "ToolCall", "ToolResult", "Chunk", "Done"],
            "{provider}: {events:?}"
        );
        let calls = of_kind(&events, "ToolCall");
        let results = of_kind(&events, "ToolResult");
        for (call, result) in calls.iter().zip(&results) {
            assert_eq!(call["id"], result["id"], "{provider}: results answer their calls by id");
            assert_eq!(result["success"], true, "{provider}: {result}");
            assert!(result.get("previousContent").is_none(), "only writes carry previousContent");
        }
        assert!(results[0]["output"].as_str().unwrap().contains("1: hello from the workspace"), "{}", results[0]);
        assert_eq!(results[0]["path"], "hello.txt");
        assert_eq!(results[1]["output"], "src/main.rs");
        assert_eq!(results[2]["output"], "src/main.rs:1: fn main() {}");
        assert_eq!(text_of(&events), "Let me look.All done.");
    }
    let bodies = fake.chat_bodies();
    assert_eq!(bodies.len(), 9);
    // Turn 2 of each provider carries turn 1's calls and results in that provider's format.
    let ollama = bodies[1]["messages"].as_array().unwrap();
    assert_eq!(ollama[0]["role"], "system", "a system prompt is added when tools are on");
    assert_eq!(ollama[2]["tool_calls"][0]["function"]["name"], "read_file");
    assert_eq!(ollama[3]["role"], "tool");
    assert_eq!(ollama[3]["tool_name"], "read_file");
    assert!(ollama[3]["content"].as_str().unwrap().contains("hello from the workspace"));
    let offered: Vec<&str> = bodies[1]["tools"].as_array().unwrap().iter().filter_map(|t| t["function"]["name"].as_str()).collect();
    for tool in ["read_file", "write_file", "edit_file", "glob", "grep", "bash", "ask_user", "ask_user_form", "run_tsc", "register_screen"] {
        assert!(offered.contains(&tool), "{tool} is offered: {offered:?}");
    }
    let openai = bodies[4]["messages"].as_array().unwrap();
    let call_id = openai[2]["tool_calls"][0]["id"].clone();
    assert_eq!(openai[3]["role"], "tool");
    assert_eq!(openai[3]["tool_call_id"], call_id);
    assert_eq!(bodies[4]["tools"][0]["type"], "function");
    let anthropic = bodies[7]["messages"].as_array().unwrap();
    assert!(bodies[7]["system"].as_str().unwrap().contains("Prototyper"));
    assert_eq!(anthropic[1]["content"][1]["type"], "tool_use");
    let results = anthropic[2]["content"].as_array().unwrap();
    assert_eq!(results.len(), 2, "both results in one user message");
    assert_eq!(results[0]["type"], "tool_result");
    assert_eq!(results[0]["tool_use_id"], anthropic[1]["content"][1]["id"]);
    assert!(bodies[7]["tools"][0].get("input_schema").is_some());
}

#[test]
fn writes_and_edits_report_the_previous_content() {
    let (mut sidecar, fake) = setup();
    std::fs::write(sidecar.ws("app.ts"), "export const a = 1;\nexport const b = 2;\n").unwrap();
    fake.script(json!({ "openai": [
        { "toolCalls": [call("write_file", json!({ "path": "src/new.ts", "content": "export {};\n" }))] },
        { "toolCalls": [call("edit_file", json!({ "path": "app.ts", "old_string": "export const b = 2;", "new_string": "export const b = 3;" }))] },
        { "toolCalls": [call("edit_file", json!({ "path": "app.ts", "old_string": "nowhere", "new_string": "x" }))] },
        { "text": "done" }
    ] }));
    let events = agent(&mut sidecar, &fake, "openai", "gpt-4o-mini", json!({}));
    let results = of_kind(&events, "ToolResult");
    assert_eq!(results[0]["previousContent"], Value::Null);
    assert!(results[0].as_object().unwrap().contains_key("previousContent"), "null, not absent, for a new file");
    assert_eq!(results[0]["content"], "export {};\n");
    assert_eq!(results[0]["path"], "src/new.ts");
    assert_eq!(std::fs::read_to_string(sidecar.ws("src/new.ts")).unwrap(), "export {};\n");
    assert_eq!(results[1]["previousContent"], "export const a = 1;\nexport const b = 2;\n");
    assert_eq!(results[1]["content"], "export const a = 1;\nexport const b = 3;\n");
    assert_eq!(std::fs::read_to_string(sidecar.ws("app.ts")).unwrap(), "export const a = 1;\nexport const b = 3;\n");
    assert_eq!(results[2]["success"], false);
    assert!(results[2]["output"].as_str().unwrap().contains("old_string was not found in app.ts"), "{}", results[2]);
    terminal(&events, "Done");
}

#[test]
fn tools_refuse_paths_outside_the_workspace() {
    let (mut sidecar, fake) = setup();
    std::fs::write(sidecar.outside.join("secret.txt"), "secret").unwrap();
    std::os::unix::fs::symlink(&sidecar.outside, sidecar.ws("link")).unwrap();
    let outside = sidecar.outside.join("secret.txt").to_string_lossy().into_owned();
    let before = crate::harness::snapshot(&sidecar.outside);
    fake.script(json!({ "ollama": [
        { "toolCalls": [
            call("read_file", json!({ "path": "../outside/secret.txt" })),
            call("read_file", json!({ "path": outside })),
            call("read_file", json!({ "path": "link/secret.txt" })),
            call("write_file", json!({ "path": "../outside/new.txt", "content": "x" })),
            call("edit_file", json!({ "path": "link/secret.txt", "old_string": "secret", "new_string": "gone" })),
            call("grep", json!({ "pattern": "secret", "path": "link" })),
            call("glob", json!({ "pattern": "*", "path": "/" }))
        ] },
        { "text": "ok" }
    ] }));
    let events = agent(&mut sidecar, &fake, "ollama", "llama3.2", json!({}));
    for result in of_kind(&events, "ToolResult") {
        assert_eq!(result["success"], false, "{result}");
        assert!(result["output"].as_str().unwrap().contains("Security error"), "{result}");
        assert!(!result["output"].as_str().unwrap().contains("secret\n"), "nothing from outside is read");
    }
    assert_eq!(crate::harness::snapshot(&sidecar.outside), before, "nothing outside was written");
}

#[test]
fn bash_runs_in_the_workspace_and_its_timeout_kills_the_whole_group() {
    let (mut sidecar, fake) = setup();
    fake.script(json!({ "anthropic": [
        { "toolCalls": [call("bash", json!({ "command": "pwd; echo to-stderr >&2; exit 3" }))] },
        { "toolCalls": [call("bash", json!({ "command": "sleep 30 & echo $! > child.pid; sleep 30", "timeout": 1 }))] },
        { "text": "ok" }
    ] }));
    let started = Instant::now();
    let events = agent(&mut sidecar, &fake, "anthropic", "claude-sonnet-4-5", json!({}));
    assert!(started.elapsed() < Duration::from_secs(10), "the timeout stopped the command");
    let results = of_kind(&events, "ToolResult");
    let first = results[0]["output"].as_str().unwrap();
    assert!(first.contains(sidecar.workspace.to_str().unwrap()) && first.contains("to-stderr") && first.ends_with("Exit code: 3"), "{first}");
    assert_eq!(results[0]["success"], false);
    let second = results[1]["output"].as_str().unwrap();
    assert!(second.contains("timed out after 1 s"), "{second}");
    let pid: u32 = std::fs::read_to_string(sidecar.ws("child.pid")).unwrap().trim().parse().unwrap();
    assert!(wait_process_gone(pid, Duration::from_secs(5)), "the background child {pid} was killed with the group");
}

#[test]
fn long_output_is_whole_in_the_event_and_capped_in_the_history() {
    let (mut sidecar, fake) = setup();
    fake.script(json!({ "ollama": [
        { "toolCalls": [call("bash", json!({ "command": "head -c 40000 /dev/zero | tr '\\0' a" }))] },
        { "text": "ok" }
    ] }));
    let events = agent(&mut sidecar, &fake, "ollama", "llama3.2", json!({}));
    assert_eq!(of_kind(&events, "ToolResult")[0]["output"].as_str().unwrap().len(), 40_000);
    let history = fake.chat_bodies()[1]["messages"].as_array().unwrap().last().unwrap()["content"].as_str().unwrap().to_string();
    assert!(history.starts_with(&"a".repeat(15_000)) && history.ends_with("(output truncated, 40000 characters total)"), "{}", &history[14_990..]);
}

#[test]
fn reaching_max_tool_calls_ends_with_exactly_one_error() {
    let (mut sidecar, fake) = setup();
    let turn = json!({ "toolCalls": [call("glob", json!({ "pattern": "*" }))] });
    fake.script(json!({ "openai": [turn, turn, turn, { "text": "never" }] }));
    let events = agent(&mut sidecar, &fake, "openai", "gpt-4o-mini", json!({ "maxToolCalls": 2 }));
    assert_eq!(kinds(&events), vec!["ToolCall", "ToolResult", "ToolCall", "ToolResult", "Error"]);
    let error = terminal(&events, "Error");
    assert_eq!(error["code"], "max_tool_calls");
    assert!(error["message"].as_str().unwrap().contains("limit of 2 tool calls"), "{error}");
}

#[test]
fn unknown_tools_and_bad_arguments_fail_without_ending_the_loop() {
    let (mut sidecar, fake) = setup();
    fake.script(json!({ "ollama": [
        { "toolCalls": [call("teleport", json!({})), call("read_file", json!({ "path": "missing.txt" })), call("write_file", json!({ "path": "a.txt" }))] },
        { "text": "recovered" }
    ] }));
    let events = agent(&mut sidecar, &fake, "ollama", "llama3.2", json!({}));
    let results = of_kind(&events, "ToolResult");
    assert!(results[0]["output"].as_str().unwrap().contains("unknown tool 'teleport'"));
    assert!(results[1]["output"].as_str().unwrap().contains("missing.txt does not exist"));
    assert!(results[2]["output"].as_str().unwrap().contains("missing \"content\""), "{}", results[2]);
    assert!(results.iter().all(|r| r["success"] == false));
    assert_eq!(text_of(&events), "recovered");
    terminal(&events, "Done");
}

#[test]
fn an_untrusted_workspace_reads_but_refuses_changes_without_asking() {
    let mut sidecar = Sidecar::with_options(Options { trusted: false, ..Options::default() });
    let fake = Fake::start();
    std::fs::write(sidecar.ws("readme.md"), "hi\n").unwrap();
    fake.script(json!({ "ollama": [
        { "toolCalls": [call("read_file", json!({ "path": "readme.md" })), call("write_file", json!({ "path": "x.txt", "content": "x" })), call("bash", json!({ "command": "touch y" }))] },
        { "text": "ok" }
    ] }));
    let events = agent(&mut sidecar, &fake, "ollama", "llama3.2", json!({ "toolPermissionMode": "auto_accept_read_only" }));
    assert!(of_kind(&events, "ToolPermission").is_empty(), "refused changes are not asked about");
    let results = of_kind(&events, "ToolResult");
    assert_eq!(results[0]["success"], true);
    for refused in &results[1..] {
        assert_eq!(refused["success"], false);
        assert!(refused["output"].as_str().unwrap().contains("untrusted workspace"), "{refused}");
    }
    assert!(!sidecar.ws("x.txt").exists() && !sidecar.ws("y").exists());
    let system = fake.chat_bodies()[0]["messages"][0]["content"].as_str().unwrap().to_string();
    assert!(system.contains("not trusted"), "{system}");
}

#[test]
fn a_model_without_tools_is_refused_before_streaming() {
    let (mut sidecar, fake) = setup();
    let events = agent(&mut sidecar, &fake, "ollama", "gemma3:1b", json!({}));
    assert_eq!(kinds(&events), vec!["Error"]);
    let error = terminal(&events, "Error");
    assert_eq!(error["code"], "tools_unsupported");
    assert_eq!(error["message"], "gemma3:1b does not support tools — pick a model with the tools badge, or turn tools off.");
    assert!(fake.chat_bodies().is_empty(), "nothing was streamed");
}

#[test]
fn a_stop_while_bash_runs_kills_it_and_ends_cancelled() {
    let (mut sidecar, fake) = setup();
    fake.script(json!({ "ollama": [{ "toolCalls": [call("bash", json!({ "command": "echo $$ > sh.pid; sleep 30" }))] }] }));
    let (id, channel) = super::start(&mut sidecar, params(&fake, "ollama", "llama3.2", json!({ "tools": true })));
    super::wait_event(&mut sidecar, channel, "ToolCall");
    super::eventually("bash started", || sidecar.ws("sh.pid").exists() && std::fs::read_to_string(sidecar.ws("sh.pid")).is_ok_and(|s| s.ends_with('\n')));
    let pid: u32 = std::fs::read_to_string(sidecar.ws("sh.pid")).unwrap().trim().parse().unwrap();
    assert!(process_alive(pid));
    let stopped = Instant::now();
    sidecar.call("stop_generation_stream", json!({ "requestId": channel }));
    let events = super::finish(&mut sidecar, &id, channel);
    assert!(stopped.elapsed() < Duration::from_millis(200), "Done after {:?}", stopped.elapsed());
    assert_eq!(kinds(&events), vec!["ToolCall", "ToolResult", "Done"], "the command ran (it may have changed things): its result comes before Done");
    let result = &of_kind(&events, "ToolResult")[0];
    assert_eq!(result["success"], false);
    assert!(result["output"].as_str().unwrap().ends_with("The command was stopped because the user stopped the generation."), "{result}");
    assert_eq!(terminal(&events, "Done")["doneReason"], "cancelled");
    assert!(wait_process_gone(pid, Duration::from_secs(5)));
}

#[test]
fn a_stop_while_a_slow_tool_runs_after_a_write_still_reports_the_write() {
    let (mut sidecar, fake) = setup();
    fake.script(json!({ "openai": [{ "toolCalls": [
        call("write_file", json!({ "path": "src/app.ts", "content": "export {};\n" })),
        call("bash", json!({ "command": "echo $$ > sh.pid; sleep 30" })),
        call("write_file", json!({ "path": "never.txt", "content": "x" }))
    ] }] }));
    let (id, channel) = super::start(&mut sidecar, params(&fake, "openai", "gpt-4o-mini", json!({ "tools": true })));
    super::eventually("bash started", || std::fs::read_to_string(sidecar.ws("sh.pid")).is_ok_and(|s| s.ends_with('\n')));
    sidecar.call("stop_generation_stream", json!({ "requestId": channel }));
    let events = super::finish(&mut sidecar, &id, channel);
    assert_eq!(kinds(&events), vec!["ToolCall", "ToolCall", "ToolCall", "ToolResult", "ToolResult", "Done"], "{events:?}");
    let calls = of_kind(&events, "ToolCall");
    let results = of_kind(&events, "ToolResult");
    assert_eq!(results[0]["id"], calls[0]["id"]);
    assert_eq!((results[0]["success"].clone(), results[0]["path"].clone()), (json!(true), json!("src/app.ts")));
    assert_eq!(results[0]["content"], "export {};\n");
    assert_eq!(results[1]["id"], calls[1]["id"], "the stopped bash reports too");
    assert_eq!(terminal(&events, "Done")["doneReason"], "cancelled");
    assert!(!sidecar.ws("never.txt").exists(), "nothing starts after a stop");
}

#[test]
fn special_files_are_refused_at_once_and_never_hold_the_stream() {
    let (mut sidecar, fake) = setup();
    // A FIFO with no writer: opening it to read would block forever, and one with no reader
    // would block a write. Every tool must answer at once instead.
    let fifo = sidecar.ws("pipe");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    fake.script(json!({ "ollama": [
        { "toolCalls": [
            call("read_file", json!({ "path": "pipe" })),
            call("write_file", json!({ "path": "pipe", "content": "written" })),
            call("edit_file", json!({ "path": "pipe", "old_string": "a", "new_string": "b" })),
            call("grep", json!({ "pattern": "x", "path": "pipe" }))
        ] },
        { "text": "done" }
    ] }));
    let started = Instant::now();
    let events = agent(&mut sidecar, &fake, "ollama", "llama3.2", json!({}));
    let results = of_kind(&events, "ToolResult");
    assert_eq!(results.len(), 4, "{events:?}");
    for result in &results[..3] {
        assert_eq!(result["success"], false, "{result}");
        assert!(result["output"].as_str().unwrap().contains("named pipe"), "{result}");
    }
    assert_eq!(results[3]["output"], "(no matches found)", "grep skips what is not a regular file");
    terminal(&events, "Done");
    assert!(started.elapsed() < Duration::from_secs(20), "nothing waited on the FIFO");
}
