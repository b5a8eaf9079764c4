//! `load_model_presets` / `save_model_presets` through the real binary: built-ins first, the
//! user's after them, atomic saves, and a corrupt file reported and left alone.

use crate::harness::{Options, Sidecar};
use serde_json::{json, Value};

const BUILT_IN_IDS: [&str; 10] =
    ["creative", "precise", "analytical", "rag", "brainstorm", "gemma4", "gemma4-coding", "long-context", "deterministic", "mirostat2"];

fn ids(presets: &Value) -> Vec<String> {
    presets.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn built_ins_come_first_and_a_missing_file_means_no_user_presets() {
    let mut sidecar = Sidecar::initialized();
    let presets = sidecar.call("load_model_presets", json!({}));
    assert_eq!(ids(&presets), BUILT_IN_IDS);
    for preset in presets.as_array().unwrap() {
        assert_eq!(preset["builtIn"], json!(true));
        assert!(preset["name"].as_str().is_some_and(|n| !n.is_empty()));
        assert!(preset["options"].is_object());
    }
    assert_eq!(presets[9]["options"]["mirostat"], json!(2));
    // Params may be omitted entirely.
    assert_eq!(sidecar.call("load_model_presets", Value::Null), presets);
}

#[test]
fn saved_user_presets_follow_the_built_ins_and_built_ins_are_not_saved() {
    let mut sidecar = Sidecar::initialized();
    let mine = json!({ "id": "user-1", "name": "Mine", "description": "Custom preset", "options": { "temperature": 0.5, "numCtx": 8192 } });
    let smuggled = json!({ "id": "creative", "name": "Creative Writing", "description": "", "options": {}, "builtIn": true });
    sidecar.call("save_model_presets", json!({ "presets": [smuggled, mine] }));
    let stored: Value = serde_json::from_str(&std::fs::read_to_string(sidecar.storage.join("model-presets.json")).unwrap()).unwrap();
    assert_eq!(stored, json!([mine]), "only the user's presets are stored");
    let presets = sidecar.call("load_model_presets", json!({}));
    let mut expected: Vec<String> = BUILT_IN_IDS.iter().map(|s| s.to_string()).collect();
    expected.push("user-1".into());
    assert_eq!(ids(&presets), expected);
    assert_eq!(presets[10], mine);
    // Saving an empty list clears them; no temp files are left behind.
    sidecar.call("save_model_presets", json!({ "presets": [] }));
    assert_eq!(ids(&sidecar.call("load_model_presets", json!({}))).len(), 10);
    let leftovers: Vec<_> = std::fs::read_dir(&sidecar.storage).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("model-presets.json")]);
}

#[test]
fn a_corrupt_file_is_a_clear_error_and_is_left_unchanged() {
    let mut sidecar = Sidecar::initialized();
    let file = sidecar.storage.join("model-presets.json");
    std::fs::write(&file, "[{ not json").unwrap();
    let (code, message) = sidecar.request("load_model_presets", json!({})).unwrap_err();
    assert_eq!(code, -32011);
    assert!(message.contains(&file.display().to_string()) && message.contains("delete it"), "{message}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "[{ not json");
}

#[test]
fn presets_can_be_saved_in_an_untrusted_workspace() {
    let mut sidecar = Sidecar::with_options(Options { trusted: false, ..Options::default() });
    sidecar.call("save_model_presets", json!({ "presets": [{ "id": "u", "name": "U", "description": "", "options": {} }] }));
    assert_eq!(ids(&sidecar.call("load_model_presets", json!({}))).len(), 11);
}
