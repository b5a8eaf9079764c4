//! Checkpoints through the real binary: a turn's write_file and bash changes are listed with their
//! line counts, restored (files changed by a command included), a file the user edited since is
//! restored only when the restore is told to overwrite it, and deleting a chat's checkpoints
//! removes them.

use super::{finish, params, start, Fake};
use crate::harness::Sidecar;
use serde_json::{json, Value};

fn call(name: &str, arguments: Value) -> Value {
    json!({ "name": name, "arguments": arguments })
}

/// Runs one agent turn filed under chat `c1`, message `message`, accepting everything.
fn turn(sidecar: &mut Sidecar, fake: &Fake, message: &str, calls: Vec<Value>) {
    fake.script(json!({ "ollama": [ { "toolCalls": calls }, { "text": "done" } ] }));
    let request = params(fake, "ollama", "llama3.2", json!({
        "tools": true,
        "toolPermissionMode": "auto_accept_all",
        "checkpoint": { "chatId": "c1", "messageId": message },
    }));
    let (id, channel) = start(sidecar, request);
    finish(sidecar, &id, channel);
}

fn selection(message: &str, scope: &str) -> Value {
    json!({ "chatId": "c1", "messageId": message, "scope": scope })
}

fn read(sidecar: &Sidecar, path: &str) -> Option<String> {
    std::fs::read_to_string(sidecar.ws(path)).ok()
}

#[test]
fn changes_by_write_file_and_by_bash_are_listed_and_restored() {
    let (mut sidecar, fake) = (Sidecar::initialized(), Fake::start());
    std::fs::write(sidecar.ws("b.txt"), "b0\n").unwrap();
    std::fs::write(sidecar.ws("c.txt"), "c0\n").unwrap();
    turn(&mut sidecar, &fake, "m1", vec![
        call("write_file", json!({ "path": "notes/a.txt", "content": "one\ntwo\n" })),
        call("bash", json!({ "command": "printf 'b1\\nb2\\n' > b.txt && rm c.txt" })),
    ]);
    assert_eq!(read(&sidecar, "b.txt").as_deref(), Some("b1\nb2\n"));

    let listed = sidecar.call("list_checkpoints", json!({ "chatId": "c1" }));
    let files = listed[0]["files"].as_array().unwrap();
    assert_eq!(listed[0]["messageId"], "m1");
    let summary: Vec<(String, String, u64, u64, bool)> = files
        .iter()
        .map(|f| (f["path"].as_str().unwrap().into(), f["change"].as_str().unwrap().into(), f["added"].as_u64().unwrap(), f["removed"].as_u64().unwrap(), f["byCommand"] == true))
        .collect();
    assert_eq!(summary, [
        ("notes/a.txt".into(), "created".into(), 2, 0, false),
        ("b.txt".into(), "modified".into(), 2, 1, true),
        ("c.txt".into(), "deleted".into(), 0, 1, true),
    ]);

    let plan = sidecar.call("plan_checkpoint_restore", selection("m1", "from_message"));
    assert!(plan["files"].as_array().unwrap().iter().all(|f| f["status"] == "unchanged"), "{plan}");
    let result = sidecar.call("apply_checkpoint_restore", selection("m1", "from_message"));
    assert_eq!(result["skipped"], json!([]));
    assert_eq!(read(&sidecar, "notes/a.txt"), None, "the created file is gone");
    assert_eq!(read(&sidecar, "b.txt").as_deref(), Some("b0\n"), "the command's change is undone");
    assert_eq!(read(&sidecar, "c.txt").as_deref(), Some("c0\n"), "the file the command deleted is back");
    let listed = sidecar.call("list_checkpoints", json!({ "chatId": "c1" }));
    assert!(listed[0]["files"].as_array().unwrap().iter().all(|f| f["state"] == "undone"), "{listed}");
}

#[test]
fn a_file_edited_since_the_turn_is_kept_unless_the_restore_may_overwrite_it() {
    let (mut sidecar, fake) = (Sidecar::initialized(), Fake::start());
    std::fs::write(sidecar.ws("a.txt"), "mine\n").unwrap();
    turn(&mut sidecar, &fake, "m1", vec![call("write_file", json!({ "path": "a.txt", "content": "agent\n" }))]);
    turn(&mut sidecar, &fake, "m2", vec![call("write_file", json!({ "path": "b.txt", "content": "later\n" }))]);
    std::fs::write(sidecar.ws("a.txt"), "agent\nand my edit\n").unwrap();

    let plan = sidecar.call("plan_checkpoint_restore", selection("m1", "from_message"));
    let a = plan["files"].as_array().unwrap().iter().find(|f| f["path"] == "a.txt").unwrap().clone();
    assert_eq!(a["status"], "edited");
    assert_eq!((a["before"]["text"].clone(), a["after"]["text"].clone(), a["current"]["text"].clone()), (json!("mine\n"), json!("agent\n"), json!("agent\nand my edit\n")), "the three versions");

    let result = sidecar.call("apply_checkpoint_restore", selection("m1", "from_message"));
    assert_eq!(result["restored"], json!(["b.txt"]), "the later message's file is restored too");
    assert_eq!(result["skipped"][0]["path"], "a.txt");
    assert_eq!(read(&sidecar, "a.txt").as_deref(), Some("agent\nand my edit\n"));

    let mut forced = selection("m1", "message");
    forced["overwrite"] = json!(["a.txt"]);
    let result = sidecar.call("apply_checkpoint_restore", forced);
    assert_eq!(result["restored"], json!(["a.txt"]));
    assert_eq!(read(&sidecar, "a.txt").as_deref(), Some("mine\n"));
}

#[test]
fn undo_of_one_file_keep_and_deleting_a_chat() {
    let (mut sidecar, fake) = (Sidecar::initialized(), Fake::start());
    turn(&mut sidecar, &fake, "m1", vec![
        call("write_file", json!({ "path": "x.txt", "content": "x\n" })),
        call("write_file", json!({ "path": "y.txt", "content": "y\n" })),
    ]);
    let mut undo_x = selection("m1", "message");
    undo_x["paths"] = json!(["x.txt"]);
    sidecar.call("apply_checkpoint_restore", undo_x);
    let mut keep_y = selection("m1", "message");
    keep_y["paths"] = json!(["y.txt"]);
    sidecar.call("keep_checkpoint_files", keep_y);
    assert_eq!(read(&sidecar, "x.txt"), None);
    assert_eq!(read(&sidecar, "y.txt").as_deref(), Some("y\n"));
    let listed = sidecar.call("list_checkpoints", json!({ "chatId": "c1" }));
    let states: Vec<&str> = listed[0]["files"].as_array().unwrap().iter().map(|f| f["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["undone", "kept"]);

    sidecar.call("delete_checkpoints", json!({ "chatId": "c1" }));
    assert_eq!(sidecar.call("list_checkpoints", json!({ "chatId": "c1" })), json!([]));
    let err = sidecar.request("plan_checkpoint_restore", selection("m1", "message")).unwrap_err();
    assert!(err.1.contains("no checkpoint"), "{err:?}");
    assert!(sidecar.request("list_checkpoints", json!({ "chatId": "../etc" })).is_err(), "ids cannot name other folders");
}
