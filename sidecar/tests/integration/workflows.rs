//! The workflow commands through the real binary: saving, loading and listing graphs in
//! `.prototyper/workflows/`, malformed files and ids, and running a workflow against the fake
//! provider (AI nodes, the permission gate for writefile and bash, validate's branches, stops,
//! the graphs that are refused before anything runs, and the checkpoint a run is filed under).

use crate::ai::{kinds, of_kind, terminal, text_of, wait_event, Fake};
use crate::harness::{assert_channel_contract, messages_of, Options, Sidecar};
use serde_json::{json, Value};

fn node(id: &str, kind: &str, data: Value) -> Value {
    let mut data = if data.is_null() { json!({}) } else { data };
    data["nodeType"] = json!(kind);
    json!({ "id": id, "type": "workflowNode", "position": { "x": 0, "y": 0 }, "data": data })
}

fn edge(source: &str, target: &str) -> Value {
    json!({ "id": format!("{source}-{target}"), "source": source, "target": target })
}

#[test]
fn workflows_round_trip_and_list() {
    let mut sidecar = Sidecar::initialized();
    let text = "{\"nodes\":[{\"id\":\"a\",\"data\":{\"nodeType\":\"input\"}}],\"edges\":[]}";
    sidecar.call("save_workflow", json!({ "projectId": "p", "workflowId": "landing-page", "data": text }));
    assert_eq!(sidecar.call("load_workflow", json!({ "workflowId": "landing-page" })), json!(text), "a string is stored exactly");
    assert_eq!(std::fs::read_to_string(sidecar.ws(".prototyper/workflows/landing-page.json")).unwrap(), text);

    let graph = json!({ "nodes": [node("in", "input", json!({ "label": "Brief" }))], "edges": [], "viewport": { "zoom": 1.5 } });
    sidecar.call("save_workflow", json!({ "workflowId": "Second_2", "data": graph }));
    let loaded = sidecar.call("load_workflow", json!({ "workflowId": "Second_2" }));
    assert_eq!(serde_json::from_str::<Value>(loaded.as_str().unwrap()).unwrap(), graph, "an object comes back as the same JSON");
    // Saving again replaces it.
    sidecar.call("save_workflow", json!({ "workflowId": "Second_2", "data": { "nodes": [], "edges": [] } }));
    let loaded = sidecar.call("load_workflow", json!({ "workflowId": "Second_2" }));
    assert_eq!(serde_json::from_str::<Value>(loaded.as_str().unwrap()).unwrap(), json!({ "nodes": [], "edges": [] }));
    assert!(loaded.as_str().unwrap().contains("\n  "), "an object is stored pretty-printed");

    std::fs::write(sidecar.ws(".prototyper/workflows/notes.txt"), "not a workflow").unwrap();
    let listed = sidecar.call("list_workflows", json!({ "projectId": "p" }));
    let names: Vec<&str> = listed.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Second_2.json", "landing-page.json"]);
    assert_eq!(listed[1]["path"], json!(".prototyper/workflows/landing-page.json"));
    assert_eq!(listed[1]["isDir"], json!(false));
    assert!(listed[1]["modifiedMs"].as_u64().is_some());
}

#[test]
fn bad_ids_missing_and_malformed_files_are_named() {
    let mut sidecar = Sidecar::initialized();
    assert_eq!(sidecar.call("list_workflows", json!({})), json!([]), "no folder yet: an empty list");
    for id in ["../escape", "a b", "", "x/y", "name.json"] {
        let err = sidecar.request("save_workflow", json!({ "workflowId": id, "data": "{}" })).unwrap_err();
        assert!(err.0 == -32602 && err.1.contains("letters, digits"), "{id:?}: {err:?}");
    }
    let err = sidecar.request("load_workflow", json!({ "workflowId": "nope" })).unwrap_err();
    assert!(err.0 == -32010 && err.1.contains(".prototyper/workflows/nope.json"), "{err:?}");
    let err = sidecar.request("save_workflow", json!({ "workflowId": "w", "data": "{ not json" })).unwrap_err();
    assert!(err.0 == -32602 && err.1.contains("not valid JSON"), "{err:?}");
    let err = sidecar.request("save_workflow", json!({ "workflowId": "w", "data": [1, 2] })).unwrap_err();
    assert_eq!(err.0, -32602, "{err:?}");

    std::fs::create_dir_all(sidecar.ws(".prototyper/workflows")).unwrap();
    std::fs::write(sidecar.ws(".prototyper/workflows/broken.json"), "{\n  \"nodes\": [\n    {\"id\": 1,}\n  ]\n}").unwrap();
    let err = sidecar.request("load_workflow", json!({ "workflowId": "broken" })).unwrap_err();
    assert!(err.1.contains(".prototyper/workflows/broken.json is not valid JSON") && err.1.contains("line 3"), "{err:?}");
    std::fs::write(sidecar.ws(".prototyper/workflows/list.json"), "[]").unwrap();
    let err = sidecar.request("load_workflow", json!({ "workflowId": "list" })).unwrap_err();
    assert!(err.1.contains("list.json is not a workflow"), "{err:?}");

    let mut untrusted = Sidecar::with_options(Options { trusted: false, ..Default::default() });
    let err = untrusted.request("save_workflow", json!({ "workflowId": "w", "data": "{}" })).unwrap_err();
    assert_eq!(err.0, -32015, "{err:?}");
}

/// `run_workflow` params against the fake provider's Ollama.
fn run_params(fake: &Fake, workflow: &str, channel: u64, extra: Value) -> Value {
    let mut params = json!({
        "workflowId": workflow, "onEvent": channel, "model": "llama3.2", "provider": "ollama", "host": fake.url(),
        "toolPermissionMode": "ask_every_time", "toolAllowlist": [],
    });
    for (key, value) in extra.as_object().unwrap() {
        params[key] = value.clone();
    }
    params
}

/// Waits for the next ToolPermission and answers it.
fn answer(sidecar: &mut Sidecar, channel: u64, nth: usize, decision: &str) -> Value {
    let permission = crate::ai::wait_nth(sidecar, channel, "ToolPermission", nth);
    sidecar.call("resolve_tool_permission", json!({ "permissionId": permission["id"], "decision": decision }));
    permission
}

fn finish(sidecar: &mut Sidecar, id: &Value, channel: u64) -> Vec<Value> {
    let response = sidecar.wait_response(id);
    assert_eq!(response, Ok(json!({ "requestId": channel })));
    let params = sidecar.channel_messages(channel);
    assert_channel_contract(&params);
    messages_of(&params)
}

#[test]
fn a_workflow_runs_in_graph_order_with_its_tools_gated() {
    let mut sidecar = Sidecar::initialized();
    let fake = Fake::start();
    // A type checker that fails, so validate takes its `fail` branch.
    let tsc = sidecar.ws("node_modules/.bin/tsc");
    std::fs::create_dir_all(tsc.parent().unwrap()).unwrap();
    std::fs::write(&tsc, "#!/bin/sh\necho \"src/a.ts(1,7): error TS2322: Type 'string' is not assignable to type 'number'.\"\nexit 2\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tsc, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    // Listed out of order on purpose: the run follows the edges.
    let graph = json!({
        "nodes": [
            node("check", "validate", json!({ "label": "Type check" })),
            node("write", "writefile", json!({ "label": "Save component", "path": "src/Hero.tsx" })),
            node("brief", "input", json!({ "label": "Brief" })),
            node("build", "structure", json!({ "label": "Build it", "systemPrompt": "You write one React component." })),
            node("done", "output", json!({ "label": "Result" })),
            node("fix", "bash", json!({ "label": "Report", "command": "echo checking failed for" })),
        ],
        "edges": [
            edge("brief", "build"), edge("build", "write"), edge("write", "check"),
            { "source": "check", "target": "done", "sourceHandle": "pass" },
            { "source": "check", "target": "fix", "sourceHandle": "fail" },
        ],
    });
    sidecar.call("save_workflow", json!({ "workflowId": "hero", "data": graph }));
    fake.script(json!([{ "text": "Here it is:\n```tsx\nexport function Hero() { return <h1>Hi</h1>; }\n```\n" }]));
    let channel = sidecar.next_channel_id();
    let id = sidecar.send_request("run_workflow", run_params(&fake, "hero", channel, json!({ "input": "a hero section for a bakery" })));
    let write = answer(&mut sidecar, channel, 1, "accepted");
    assert_eq!((write["tool"].clone(), write["reason"].clone()), (json!("write_file"), json!("writes src/Hero.tsx (new file)")));
    let bash = answer(&mut sidecar, channel, 2, "accepted");
    assert_eq!(bash["tool"], json!("bash"));
    let events = finish(&mut sidecar, &id, channel);

    terminal(&events, "Done");
    let text = text_of(&events);
    let headings: Vec<&str> = text.lines().filter(|l| l.starts_with("### ")).collect();
    assert_eq!(headings, ["### 1. Brief · input", "### 2. Build it · structure", "### 3. Save component · writefile", "### 4. Type check · validate", "### 5. Result · output", "### 6. Report · bash"]);
    assert!(text.contains("> a hero section for a bakery") && text.contains("export function Hero()"), "{text}");
    assert!(text.contains("Skipped: none of the branches"), "the pass branch was not taken: {text}");
    assert!(text.contains("Workflow finished: 5 of 6 nodes ran."), "{text}");
    assert_eq!(std::fs::read_to_string(sidecar.ws("src/Hero.tsx")).unwrap(), "export function Hero() { return <h1>Hi</h1>; }\n");
    let results = of_kind(&events, "ToolResult");
    let tools: Vec<(&str, bool)> = results.iter().map(|r| (r["tool"].as_str().unwrap(), r["success"].as_bool().unwrap())).collect();
    assert_eq!(tools, [("write_file", true), ("validate", false), ("bash", true)]);
    assert!(results[1]["output"].as_str().unwrap().contains("TS2322"));
    assert!(results[2]["output"].as_str().unwrap().contains("checking failed for"));
    // The AI node got its own system prompt and the input.
    let bodies = fake.chat_bodies();
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0]["messages"][0], json!({ "role": "system", "content": "You write one React component." }));
    assert_eq!(bodies[0]["messages"][1]["content"], json!("a hero section for a bakery"));
    assert!(bodies[0].get("tools").is_none_or(|tools| tools.as_array().is_none_or(Vec::is_empty)), "AI nodes get no tools");
}

#[test]
fn graphs_that_cannot_run_are_refused_before_anything_runs() {
    let mut sidecar = Sidecar::initialized();
    let fake = Fake::start();
    let cases = [
        (
            "unsupported",
            json!({ "nodes": [node("a", "input", json!({})), node("b", "fetch", json!({ "label": "Get docs" })), node("c", "condition", json!({ "label": "If" }))], "edges": [edge("a", "b")] }),
            vec!["'Get docs' (fetch)", "'If' (condition)", "Nothing was run"],
        ),
        ("dangling", json!({ "nodes": [node("a", "input", json!({ "label": "Brief" }))], "edges": [edge("a", "ghost")] }), vec!["'Brief' (a)", "'ghost'"]),
        (
            "cycle",
            json!({ "nodes": [node("a", "architect", json!({ "label": "Plan" })), node("b", "style", json!({ "label": "Polish" }))], "edges": [edge("a", "b"), edge("b", "a")] }),
            vec!["cycle", "'Plan' → 'Polish' → 'Plan'"],
        ),
    ];
    for (id, graph, expected) in cases {
        sidecar.call("save_workflow", json!({ "workflowId": id, "data": graph }));
        let channel = sidecar.next_channel_id();
        let request = sidecar.send_request("run_workflow", run_params(&fake, id, channel, json!({})));
        let events = finish(&mut sidecar, &request, channel);
        assert_eq!(kinds(&events), ["Error"], "{id}: nothing ran before the refusal: {events:?}");
        let error = terminal(&events, "Error");
        assert_eq!(error["code"], json!("invalid_workflow"));
        for part in expected {
            assert!(error["message"].as_str().unwrap().contains(part), "{id}: {error}");
        }
    }
    // A malformed file and a missing workflow end the same way, naming the file.
    std::fs::write(sidecar.ws(".prototyper/workflows/bad.json"), "{\"nodes\": 3}").unwrap();
    for (id, expected) in [("bad", ".prototyper/workflows/bad.json is not a workflow"), ("missing", "no workflow 'missing'")] {
        let channel = sidecar.next_channel_id();
        let request = sidecar.send_request("run_workflow", run_params(&fake, id, channel, json!({})));
        let events = finish(&mut sidecar, &request, channel);
        assert!(terminal(&events, "Error")["message"].as_str().unwrap().contains(expected), "{events:?}");
    }
    assert!(fake.chat_bodies().is_empty(), "the model was never called");
}

#[test]
fn a_rejected_step_stops_the_run_and_a_stop_cancels_it() {
    let mut sidecar = Sidecar::initialized();
    let fake = Fake::start();
    let graph = json!({ "nodes": [node("a", "bash", json!({ "label": "Deploy", "command": "echo deploying" })), node("b", "bash", json!({ "command": "echo after" }))], "edges": [edge("a", "b")] });
    sidecar.call("save_workflow", json!({ "workflowId": "deploy", "data": graph }));
    let channel = sidecar.next_channel_id();
    let id = sidecar.send_request("run_workflow", run_params(&fake, "deploy", channel, json!({})));
    answer(&mut sidecar, channel, 1, "rejected");
    let events = finish(&mut sidecar, &id, channel);
    let error = terminal(&events, "Error");
    assert!(error["message"].as_str().unwrap().starts_with("Deploy (bash): User rejected bash, so the workflow stopped"), "{error}");
    assert_eq!(of_kind(&events, "ToolResult").len(), 1, "the second step never ran");

    let graph = json!({ "nodes": [node("s", "bash", json!({ "label": "Wait", "command": "sleep 30" }))], "edges": [] });
    sidecar.call("save_workflow", json!({ "workflowId": "slow", "data": graph }));
    let channel = sidecar.next_channel_id();
    let id = sidecar.send_request("run_workflow", run_params(&fake, "slow", channel, json!({ "toolPermissionMode": "auto_accept_all" })));
    wait_event(&mut sidecar, channel, "ToolCall");
    std::thread::sleep(std::time::Duration::from_millis(300));
    sidecar.call("stop_generation_stream", json!({ "requestId": channel }));
    let events = finish(&mut sidecar, &id, channel);
    assert_eq!(terminal(&events, "Done")["doneReason"], json!("cancelled"));
}

#[test]
fn a_run_filed_under_a_chat_message_can_be_restored_like_an_answer() {
    let mut sidecar = Sidecar::initialized();
    let fake = Fake::start();
    std::fs::write(sidecar.ws("notes.txt"), "mine\n").unwrap();
    let graph = json!({
        "nodes": [
            node("brief", "input", json!({ "label": "Brief", "value": "```\nexport const greeting = 'hi';\n```" })),
            node("write", "writefile", json!({ "label": "Save", "path": "src/greeting.ts" })),
            node("edit", "bash", json!({ "label": "Append", "command": "printf 'workflow\\n' >> notes.txt" })),
        ],
        "edges": [edge("brief", "write"), edge("write", "edit")],
    });
    sidecar.call("save_workflow", json!({ "workflowId": "greet", "data": graph }));
    let channel = sidecar.next_channel_id();
    let target = json!({ "checkpoint": { "chatId": "c1", "messageId": "m1" }, "toolPermissionMode": "auto_accept_all" });
    let id = sidecar.send_request("run_workflow", run_params(&fake, "greet", channel, target));
    terminal(&finish(&mut sidecar, &id, channel), "Done");
    assert_eq!(std::fs::read_to_string(sidecar.ws("src/greeting.ts")).unwrap(), "export const greeting = 'hi';\n");
    assert_eq!(std::fs::read_to_string(sidecar.ws("notes.txt")).unwrap(), "mine\nworkflow\n");

    // The run's changes are listed under the message that shows it, as a chat answer's are.
    let listed = sidecar.call("list_checkpoints", json!({ "chatId": "c1" }));
    assert_eq!(listed[0]["messageId"], "m1", "{listed}");
    let files: Vec<(&str, &str, bool)> = listed[0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["change"].as_str().unwrap(), f["byCommand"] == true))
        .collect();
    assert_eq!(files, [("src/greeting.ts", "created", false), ("notes.txt", "modified", true)]);

    // Restore checkpoint puts the workspace back as it was before the run.
    let result = sidecar.call("apply_checkpoint_restore", json!({ "chatId": "c1", "messageId": "m1", "scope": "from_message" }));
    assert_eq!(result["skipped"], json!([]), "{result}");
    assert!(!sidecar.ws("src/greeting.ts").exists(), "the file the run created is gone");
    assert_eq!(std::fs::read_to_string(sidecar.ws("notes.txt")).unwrap(), "mine\n", "the command's change is undone");

    // A run without a target records nothing.
    let channel = sidecar.next_channel_id();
    let id = sidecar.send_request("run_workflow", run_params(&fake, "greet", channel, json!({ "toolPermissionMode": "auto_accept_all" })));
    terminal(&finish(&mut sidecar, &id, channel), "Done");
    let listed = sidecar.call("list_checkpoints", json!({ "chatId": "c1" }));
    assert_eq!(listed.as_array().unwrap().len(), 1, "still only the first run: {listed}");
}
