//! Proposals through the real binary: the permission request carries the whole change before
//! anything is written, a rejection writes nothing, an accepted edit of the proposal is what gets
//! written (and the model hears it), a file changed after the proposal is never overwritten, open
//! documents are read from and written to the (simulated) editor, and bash requests carry a review.

use super::{finish, of_kind, params, start, wait_nth, Fake};
use crate::harness::{Options, Sidecar};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

fn call(name: &str, arguments: Value) -> Value {
    json!({ "name": name, "arguments": arguments })
}

fn ask_params(fake: &Fake) -> Value {
    params(fake, "ollama", "llama3.2", json!({ "tools": true, "toolPermissionMode": "ask_every_time" }))
}

fn resolve(sidecar: &mut Sidecar, permission: &Value, decision: &str, content: Option<&str>) {
    let mut args = json!({ "permissionId": permission["id"], "decision": decision });
    if let Some(content) = content {
        args["content"] = json!(content);
    }
    sidecar.call("resolve_tool_permission", args);
}

/// The last tool message the model was sent.
fn last_tool_message(fake: &Fake) -> String {
    let bodies = fake.chat_bodies();
    let messages = bodies.last().unwrap()["messages"].as_array().unwrap().clone();
    messages.iter().rev().find(|m| m["role"] == "tool").map(|m| m["content"].as_str().unwrap_or("").to_string()).unwrap_or_default()
}

#[test]
fn the_permission_request_carries_the_proposal_and_a_rejection_writes_nothing() {
    let (mut sidecar, fake) = (Sidecar::initialized(), Fake::start());
    std::fs::write(sidecar.ws("a.txt"), "one\ntwo\nthree\n").unwrap();
    fake.script(json!({ "ollama": [
        { "toolCalls": [call("edit_file", json!({ "path": "a.txt", "old_string": "two", "new_string": "TWO" }))] },
        { "toolCalls": [call("write_file", json!({ "path": "notes/new.txt", "content": "hello\n" }))] },
        { "text": "done" }
    ] }));
    let (id, channel) = start(&mut sidecar, ask_params(&fake));

    let edit = wait_nth(&mut sidecar, channel, "ToolPermission", 1);
    let proposal = &edit["proposal"];
    assert_eq!(proposal["path"], "a.txt");
    assert_eq!(proposal["previousContent"], "one\ntwo\nthree\n");
    assert_eq!(proposal["content"], "one\nTWO\nthree\n", "the whole file after the change");
    assert_eq!((proposal["diff"]["added"].clone(), proposal["diff"]["removed"].clone()), (json!(1), json!(1)));
    assert_eq!(proposal["diff"]["hunks"][0]["lines"], json!([" one", "-two", "+TWO", " three"]));
    resolve(&mut sidecar, &edit, "rejected", Some("ignored with a rejection"));

    let write = wait_nth(&mut sidecar, channel, "ToolPermission", 2);
    assert_eq!(write["proposal"]["previousContent"], Value::Null, "a new file has no previous content");
    assert_eq!(write["proposal"]["content"], "hello\n");
    assert!(!sidecar.ws("notes/new.txt").exists(), "nothing is written before the decision");
    resolve(&mut sidecar, &write, "accepted", None);
    let events = finish(&mut sidecar, &id, channel);

    assert_eq!(std::fs::read_to_string(sidecar.ws("a.txt")).unwrap(), "one\ntwo\nthree\n", "the rejected edit wrote nothing");
    assert_eq!(std::fs::read_to_string(sidecar.ws("notes/new.txt")).unwrap(), "hello\n");
    let results = of_kind(&events, "ToolResult");
    assert_eq!((results[0]["success"].clone(), results[0]["output"].clone()), (json!(false), json!("User rejected edit_file")));
    assert_eq!(results[1]["previousContent"], Value::Null);
}

#[test]
fn an_edited_proposal_is_what_gets_written_and_the_model_hears_it() {
    let (mut sidecar, fake) = (Sidecar::initialized(), Fake::start());
    fake.script(json!({ "ollama": [
        { "toolCalls": [call("write_file", json!({ "path": "greet.ts", "content": "export const hi = 'hi';\n" }))] },
        { "text": "ok" }
    ] }));
    let (id, channel) = start(&mut sidecar, ask_params(&fake));
    let permission = wait_nth(&mut sidecar, channel, "ToolPermission", 1);
    resolve(&mut sidecar, &permission, "accepted", Some("export const hi = 'hello';\n"));
    let events = finish(&mut sidecar, &id, channel);

    assert_eq!(std::fs::read_to_string(sidecar.ws("greet.ts")).unwrap(), "export const hi = 'hello';\n");
    let result = of_kind(&events, "ToolResult")[0];
    assert_eq!(result["content"], "export const hi = 'hello';\n", "the result carries what was written");
    let told = last_tool_message(&fake);
    assert!(told.contains("The user edited your proposal"), "{told}");
    assert!(told.contains("-export const hi = 'hi';\n+export const hi = 'hello';"), "the model gets the diff: {told}");
}

#[test]
fn a_file_changed_or_deleted_after_the_proposal_is_never_overwritten() {
    let (mut sidecar, fake) = (Sidecar::initialized(), Fake::start());
    std::fs::write(sidecar.ws("a.txt"), "original\n").unwrap();
    std::fs::write(sidecar.ws("b.txt"), "will be deleted\n").unwrap();
    fake.script(json!({ "ollama": [
        { "toolCalls": [call("write_file", json!({ "path": "a.txt", "content": "agent\n" }))] },
        { "toolCalls": [call("edit_file", json!({ "path": "b.txt", "old_string": "will", "new_string": "would" }))] },
        { "text": "ok" }
    ] }));
    let (id, channel) = start(&mut sidecar, ask_params(&fake));
    let first = wait_nth(&mut sidecar, channel, "ToolPermission", 1);
    std::fs::write(sidecar.ws("a.txt"), "the user's edit\n").unwrap();
    resolve(&mut sidecar, &first, "accepted", None);
    let second = wait_nth(&mut sidecar, channel, "ToolPermission", 2);
    std::fs::remove_file(sidecar.ws("b.txt")).unwrap();
    resolve(&mut sidecar, &second, "accepted", None);
    let events = finish(&mut sidecar, &id, channel);

    assert_eq!(std::fs::read_to_string(sidecar.ws("a.txt")).unwrap(), "the user's edit\n");
    assert!(!sidecar.ws("b.txt").exists(), "nothing recreated the deleted file");
    let results = of_kind(&events, "ToolResult");
    assert_eq!(results[0]["success"], false);
    assert!(results[0]["output"].as_str().unwrap().contains("a.txt changed after the change was proposed"), "{}", results[0]["output"]);
    assert!(results[0]["output"].as_str().unwrap().contains("Read the file again"), "the model is told to re-read");
    assert!(results[1]["output"].as_str().unwrap().contains("b.txt was deleted or renamed"), "{}", results[1]["output"]);
}

#[test]
fn an_edit_that_cannot_apply_fails_without_asking() {
    let (mut sidecar, fake) = (Sidecar::initialized(), Fake::start());
    std::fs::write(sidecar.ws("a.txt"), "alpha\n").unwrap();
    fake.script(json!({ "ollama": [
        { "toolCalls": [call("edit_file", json!({ "path": "a.txt", "old_string": "beta", "new_string": "gamma" }))] },
        { "text": "ok" }
    ] }));
    let events = {
        let (id, channel) = start(&mut sidecar, ask_params(&fake));
        finish(&mut sidecar, &id, channel)
    };
    assert!(of_kind(&events, "ToolPermission").is_empty(), "nobody is asked about an edit that cannot apply");
    let result = of_kind(&events, "ToolResult")[0];
    assert_eq!(result["success"], false);
    assert!(result["output"].as_str().unwrap().contains("old_string was not found"));
}

/// A stand-in for VS Code's open documents: path → (text, version), answering `editor/*`.
#[derive(Clone, Default)]
struct Editor {
    documents: Arc<Mutex<HashMap<String, (String, i64)>>>,
}

impl Editor {
    fn open(&self, path: &str, text: &str, version: i64) {
        self.documents.lock().unwrap().insert(path.to_string(), (text.to_string(), version));
    }

    fn text(&self, path: &str) -> Option<String> {
        self.documents.lock().unwrap().get(path).map(|(text, _)| text.clone())
    }

    /// Installs the editor as the sidecar's host.
    fn serve(&self, sidecar: &Sidecar) {
        let documents = self.documents.clone();
        sidecar.answer_host_requests(move |method, params| {
            let path = params["path"].as_str().unwrap_or("").to_string();
            let mut documents = documents.lock().unwrap();
            match method {
                "editor/readDocument" => Ok(match documents.get(&path) {
                    Some((text, version)) => json!({ "open": true, "text": text, "version": version }),
                    None => json!({ "open": false }),
                }),
                "editor/applyEdit" => Ok(match documents.get_mut(&path) {
                    None => json!({ "applied": false, "reason": "closed" }),
                    Some((_, version)) if json!(*version) != params["expectedVersion"] => json!({ "applied": false, "reason": "changed" }),
                    Some((text, version)) => {
                        *text = params["content"].as_str().unwrap_or("").to_string();
                        *version += 1;
                        json!({ "applied": true, "version": *version })
                    }
                }),
                other => Err((-32601, format!("Unhandled method {other}"))),
            }
        });
    }
}

fn with_editor() -> (Sidecar, Fake, Editor) {
    let sidecar = Sidecar::with_options(Options { editor_documents: true, ..Options::default() });
    let editor = Editor::default();
    editor.serve(&sidecar);
    (sidecar, Fake::start(), editor)
}

#[test]
fn open_documents_are_read_from_the_editor_and_edited_there_unsaved() {
    let (mut sidecar, fake, editor) = with_editor();
    std::fs::write(sidecar.ws("a.ts"), "const saved = 1;\n").unwrap();
    editor.open("a.ts", "const unsaved = 2;\n", 7);
    fake.script(json!({ "ollama": [
        { "toolCalls": [call("read_file", json!({ "path": "a.ts" }))] },
        { "toolCalls": [call("edit_file", json!({ "path": "a.ts", "old_string": "unsaved = 2", "new_string": "unsaved = 3" }))] },
        { "text": "ok" }
    ] }));
    let mut request = ask_params(&fake);
    request["toolAllowlist"] = json!(["read_file"]);
    let (id, channel) = start(&mut sidecar, request);
    let permission = wait_nth(&mut sidecar, channel, "ToolPermission", 1);
    assert_eq!(permission["proposal"]["previousContent"], "const unsaved = 2;\n", "the proposal is made from the editor's text");
    resolve(&mut sidecar, &permission, "accepted", None);
    let events = finish(&mut sidecar, &id, channel);

    let results = of_kind(&events, "ToolResult");
    assert!(results[0]["output"].as_str().unwrap().contains("1: const unsaved = 2;"), "read_file reads the editor: {}", results[0]["output"]);
    assert_eq!(results[1]["success"], true, "{}", results[1]["output"]);
    assert!(results[1]["output"].as_str().unwrap().contains("open in the editor"), "{}", results[1]["output"]);
    assert_eq!(editor.text("a.ts").as_deref(), Some("const unsaved = 3;\n"), "the edit went into the editor");
    assert_eq!(std::fs::read_to_string(sidecar.ws("a.ts")).unwrap(), "const saved = 1;\n", "and nothing was saved to disk");
    let apply = sidecar.host_requests().into_iter().find(|r| r["method"] == "editor/applyEdit").expect("an applyEdit request");
    assert_eq!(apply["params"]["expectedVersion"], 7, "checked against the version the proposal was read at");
}

#[test]
fn a_document_changed_in_the_editor_after_the_proposal_is_left_alone() {
    let (mut sidecar, fake, editor) = with_editor();
    std::fs::write(sidecar.ws("a.ts"), "x\n").unwrap();
    editor.open("a.ts", "x\n", 1);
    fake.script(json!({ "ollama": [
        { "toolCalls": [call("write_file", json!({ "path": "a.ts", "content": "agent\n" }))] },
        { "text": "ok" }
    ] }));
    let (id, channel) = start(&mut sidecar, ask_params(&fake));
    let permission = wait_nth(&mut sidecar, channel, "ToolPermission", 1);
    editor.open("a.ts", "x\ntyped by the user\n", 2);
    resolve(&mut sidecar, &permission, "accepted", None);
    let events = finish(&mut sidecar, &id, channel);

    let result = of_kind(&events, "ToolResult")[0];
    assert_eq!(result["success"], false);
    assert!(result["output"].as_str().unwrap().contains("changed after the change was proposed"), "{}", result["output"]);
    assert_eq!(editor.text("a.ts").as_deref(), Some("x\ntyped by the user\n"));
    assert_eq!(std::fs::read_to_string(sidecar.ws("a.ts")).unwrap(), "x\n");
}

#[test]
fn bash_requests_carry_the_command_its_cwd_and_what_needs_care() {
    let (mut sidecar, fake) = (Sidecar::initialized(), Fake::start());
    fake.script(json!({ "ollama": [
        { "toolCalls": [call("bash", json!({ "command": "rm -rf build && echo \"$(date)\" > stamp.txt" }))] },
        { "text": "ok" }
    ] }));
    let (id, channel) = start(&mut sidecar, ask_params(&fake));
    let permission = wait_nth(&mut sidecar, channel, "ToolPermission", 1);
    let review = &permission["commandReview"];
    assert_eq!(review["command"], "rm -rf build && echo \"$(date)\" > stamp.txt");
    assert_eq!(review["cwd"], ".");
    let kinds: Vec<&str> = review["notes"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["deletion", "substitution", "redirection"], "{review}");
    resolve(&mut sidecar, &permission, "rejected", None);
    finish(&mut sidecar, &id, channel);
    assert!(!sidecar.ws("stamp.txt").exists());
}
