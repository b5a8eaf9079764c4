//! The JSON-RPC runtime seen from the host: handshake, version flag, protocol faults, malformed
//! input, cancellation, shutdown/exit and EOF, and permission refusals.

use crate::harness::{binary, Options, Sidecar, WAIT};
use serde_json::{json, Value};
use std::time::Duration;

#[test]
fn version_flag_prints_the_version_and_exits_zero() {
    let output = std::process::Command::new(binary()).arg("--version").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text.trim(), format!("prototyper-sidecar {}", env!("CARGO_PKG_VERSION")));
}

/// Commands the extension calls, by group; `initialize` must list each of them.
const COMMANDS_THE_EXTENSION_CALLS: &[&str] = &[
    "run_shell_command", "run_shell_command_sync", "run_shell_command_capture", "kill_process", "kill_all_processes", "kill_port",
    "bun_dev", "bun_build", "bun_install", "bun_install_sync",
    "read_dir", "read_file", "write_file", "create_dir", "delete_file", "delete_dir", "rename_file", "create_symlink", "reveal_in_explorer",
    "http_request",
    "load_model_presets", "save_model_presets",
    "generate_completion", "generate_completion_stream", "stop_generation_stream",
    "resolve_tool_permission", "resolve_ask_user", "resolve_ask_user_form",
    "list_ollama_models", "list_openai_models", "list_anthropic_models", "pull_ollama_model",
];

#[test]
fn initialize_reports_versions_and_commands() {
    let mut sidecar = Sidecar::start(Options::default());
    let params = sidecar.initialize_params();
    let result = sidecar.call("initialize", params);
    assert_eq!(result["protocolVersion"], json!(1));
    assert_eq!(result["sidecarVersion"], json!(env!("CARGO_PKG_VERSION")));
    let commands: Vec<String> = result["commands"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    let mut sorted = commands.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(commands, sorted, "commands are listed sorted, each once");
    let missing: Vec<&&str> = COMMANDS_THE_EXTENSION_CALLS.iter().filter(|name| !commands.iter().any(|c| c == **name)).collect();
    assert!(missing.is_empty(), "initialize does not list {missing:?}; it lists {commands:?}");
    // Every listed command is routed to a handler: params that are not an object are refused by the
    // command itself (invalid params), never as an unknown method.
    for command in &commands {
        let outcome = sidecar.request(command, json!(42));
        if let Err((code, message)) = outcome {
            assert_ne!(code, -32601, "'{command}' is listed but not dispatched: {message}");
        }
    }
    let (code, _) = sidecar.request("not_a_listed_command", json!({})).unwrap_err();
    assert_eq!(code, -32601, "an unlisted command is unknown");
}

#[test]
fn a_second_initialize_is_refused() {
    let mut sidecar = Sidecar::initialized();
    let params = sidecar.initialize_params();
    let (code, message) = sidecar.request("initialize", params).unwrap_err();
    assert_eq!(code, -32600);
    assert!(message.contains("already"), "{message}");
}

#[test]
fn unknown_command_is_method_not_found() {
    let mut sidecar = Sidecar::initialized();
    let (code, message) = sidecar.request("no_such_command", json!({})).unwrap_err();
    assert_eq!(code, -32601);
    assert!(message.contains("no_such_command"), "{message}");
}

#[test]
fn invalid_initialize_params_are_invalid_params() {
    let mut sidecar = Sidecar::start(Options::default());
    let (code, message) = sidecar.request("initialize", json!({ "protocolVersion": "one" })).unwrap_err();
    assert_eq!(code, -32602);
    assert!(message.contains("initialize"), "{message}");
}

#[test]
fn a_command_before_initialize_is_not_initialized() {
    let mut sidecar = Sidecar::start(Options::default());
    let (code, message) = sidecar.request("read_file", json!({ "path": "a.txt" })).unwrap_err();
    assert_eq!(code, -32002);
    assert!(message.contains("initialize"), "{message}");
}

/// One frame's bytes, as the host writes it.
fn framed(message: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(message).unwrap();
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(&body);
    frame
}

// `initialize` is answered before the async runtime starts (main.rs); these check that the bytes
// read for it are not lost and that a first frame that is something else is served as before.

#[test]
fn requests_written_with_initialize_in_one_write_are_all_answered() {
    let mut sidecar = Sidecar::start(Options::default());
    let params = sidecar.initialize_params();
    let mut bytes = framed(&json!({ "jsonrpc": "2.0", "id": "init", "method": "initialize", "params": params }));
    bytes.extend(framed(&json!({ "jsonrpc": "2.0", "id": "dir", "method": "read_dir", "params": { "path": "" } })));
    bytes.extend(framed(&json!({ "jsonrpc": "2.0", "id": "unknown", "method": "no_such_command", "params": {} })));
    sidecar.send_raw(&bytes);
    assert!(sidecar.wait_response(&json!("init")).is_ok());
    assert_eq!(sidecar.wait_response(&json!("dir")).unwrap(), json!([]));
    assert_eq!(sidecar.wait_response(&json!("unknown")).unwrap_err().0, -32601);
}

#[test]
fn an_initialize_arriving_in_pieces_is_answered() {
    let mut sidecar = Sidecar::start(Options::default());
    let params = sidecar.initialize_params();
    let bytes = framed(&json!({ "jsonrpc": "2.0", "id": "slow", "method": "initialize", "params": params }));
    for piece in [&bytes[..7], &bytes[7..30], &bytes[30..]] {
        sidecar.send_raw(piece);
        std::thread::sleep(Duration::from_millis(30));
    }
    let result = sidecar.wait_response(&json!("slow")).unwrap();
    assert_eq!(result["protocolVersion"], json!(1));
    assert_eq!(sidecar.call("read_dir", json!({ "path": "" })), json!([]));
}

#[test]
fn garbage_before_the_first_initialize_is_answered_and_initialize_still_works() {
    let mut sidecar = Sidecar::start(Options::default());
    sidecar.send_raw(b"not a frame header\r\n\r\n");
    assert_eq!(sidecar.wait_other(1)[0]["error"]["code"], json!(-32700));
    let params = sidecar.initialize_params();
    sidecar.call("initialize", params);
    assert_eq!(sidecar.call("read_dir", json!({ "path": "" })), json!([]));
}

#[test]
fn a_failed_first_initialize_leaves_the_sidecar_serving() {
    let mut sidecar = Sidecar::start(Options::default());
    let mut params = sidecar.initialize_params();
    params["storageDir"] = json!(sidecar.ws("a-file-not-a-folder/storage"));
    std::fs::write(sidecar.ws("a-file-not-a-folder"), "x").unwrap();
    let (_, message) = sidecar.request("initialize", params).unwrap_err();
    assert!(message.contains("storage directory"), "{message}");
    let (code, _) = sidecar.request("read_file", json!({ "path": "a.txt" })).unwrap_err();
    assert_eq!(code, -32002, "still not initialized, and still answering");
    let params = sidecar.initialize_params();
    sidecar.call("initialize", params);
}

#[test]
fn a_protocol_version_mismatch_says_what_to_do() {
    let mut sidecar = Sidecar::start(Options::default());
    let mut params = sidecar.initialize_params();
    params["protocolVersion"] = json!(99);
    let (code, message) = sidecar.request("initialize", params).unwrap_err();
    assert_eq!(code, -32017);
    assert!(message.contains("99") && message.contains('1'), "{message}");
    assert!(message.contains("Rebuild") || message.contains("update"), "{message}");
    // The host may retry with the right version.
    let params = sidecar.initialize_params();
    sidecar.call("initialize", params);
}

#[test]
fn a_garbage_frame_is_answered_and_the_next_request_is_served() {
    let mut sidecar = Sidecar::initialized();
    sidecar.send_raw(b"this is not a header\r\n\r\n");
    let errors = sidecar.wait_other(1);
    assert_eq!(errors[0]["error"]["code"], json!(-32700));
    assert_eq!(errors[0]["id"], Value::Null);
    let (code, _) = sidecar.request("no_such_command", json!({})).unwrap_err();
    assert_eq!(code, -32601, "the sidecar still serves after garbage");
}

#[test]
fn garbage_glued_to_a_frame_header_does_not_lose_the_frame() {
    let mut sidecar = Sidecar::initialized();
    let body = br#"{"jsonrpc":"2.0","id":"glued","method":"no_such_command","params":{}}"#;
    let mut bytes = b"garbage without a newline".to_vec();
    bytes.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    bytes.extend_from_slice(body);
    sidecar.send_raw(&bytes);
    let (code, _) = sidecar.wait_response(&json!("glued")).unwrap_err();
    assert_eq!(code, -32601);
}

#[test]
fn a_lying_content_length_costs_one_error_and_the_sidecar_keeps_answering() {
    let mut sidecar = Sidecar::initialized();
    for lie in ["999999999999", "67108865", "18446744073709551615", "99999999999999999999999999", "-5", "0x10"] {
        sidecar.send_raw(format!("Content-Length: {lie}\r\n\r\n{{\"jsonrpc\":\"2.0\",\"id\":\"big\",\"method\":\"x\"}}").as_bytes());
        let (code, _) = sidecar.request("no_such_command", json!({})).unwrap_err();
        assert_eq!(code, -32601, "after Content-Length {lie} the next request is still answered");
    }
    let parse_errors = sidecar.other_messages().iter().filter(|m| m["error"]["code"] == json!(-32700)).count();
    assert_eq!(parse_errors, 6, "one error per lying frame: {:?}", sidecar.other_messages());
    assert_eq!(sidecar.call("read_dir", json!({ "path": "" })), json!([]));
}

#[test]
fn a_body_that_is_not_json_is_a_parse_error() {
    let mut sidecar = Sidecar::initialized();
    sidecar.send_raw(b"Content-Length: 9\r\n\r\nnot json!");
    let errors = sidecar.wait_other(1);
    assert_eq!(errors[0]["error"]["code"], json!(-32700));
    let (code, _) = sidecar.request("no_such_command", json!({})).unwrap_err();
    assert_eq!(code, -32601);
    assert!(sidecar.bad_frames().is_empty(), "stdout carries frames only: {:?}", sidecar.bad_frames());
}

#[test]
fn a_request_without_method_or_with_a_bad_version_is_invalid() {
    let mut sidecar = Sidecar::initialized();
    sidecar.send_message(&json!({ "jsonrpc": "2.0", "id": 500 }));
    let (code, _) = sidecar.wait_response(&json!(500)).unwrap_err();
    assert_eq!(code, -32600);
    sidecar.send_message(&json!({ "jsonrpc": "1.0", "id": 501, "method": "load_model_presets" }));
    let (code, _) = sidecar.wait_response(&json!(501)).unwrap_err();
    assert_eq!(code, -32600);
}

#[test]
fn eof_on_stdin_stops_the_sidecar() {
    let mut sidecar = Sidecar::initialized();
    sidecar.close_stdin();
    assert!(sidecar.wait_exit(Duration::from_secs(5)).is_some(), "the sidecar exits when its stdin closes");
}

#[test]
fn shutdown_then_exit_exits_zero() {
    let mut sidecar = Sidecar::initialized();
    let status = sidecar.shutdown();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn exit_without_shutdown_exits_one() {
    let mut sidecar = Sidecar::initialized();
    sidecar.notify("exit", Value::Null);
    let status = sidecar.wait_exit(WAIT).expect("exits");
    assert_eq!(status.code(), Some(1));
}

#[test]
fn requests_after_shutdown_are_refused() {
    let mut sidecar = Sidecar::initialized();
    sidecar.call("shutdown", Value::Null);
    let (code, message) = sidecar.request("load_model_presets", json!({})).unwrap_err();
    assert_eq!(code, -32600);
    assert!(message.contains("shutting down"), "{message}");
}

#[test]
fn a_command_whose_group_is_not_granted_names_the_group_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("narrow.json");
    std::fs::write(&file, r#"{ "granted": ["shell", "http"] }"#).unwrap();
    let env = vec![("PROTOTYPER_SIDECAR_CAPABILITIES".to_string(), file.display().to_string())];
    let mut sidecar = Sidecar::with_options(Options { env, ..Options::default() });
    let (code, message) = sidecar.request("read_file", json!({ "path": "a.txt" })).unwrap_err();
    assert_eq!(code, -32015);
    assert!(message.contains("'fs'") && message.contains(&file.display().to_string()), "{message}");
    assert!(message.contains("read_file"), "{message}");
}

#[test]
fn an_unreadable_capability_file_fails_initialize_naming_it() {
    let env = vec![("PROTOTYPER_SIDECAR_CAPABILITIES".to_string(), "/nonexistent/caps.json".to_string())];
    let mut sidecar = Sidecar::start(Options { env, ..Options::default() });
    let params = sidecar.initialize_params();
    let (_, message) = sidecar.request("initialize", params).unwrap_err();
    assert!(message.contains("/nonexistent/caps.json"), "{message}");
}

#[test]
fn an_untrusted_workspace_refuses_writes_naming_the_group() {
    let mut sidecar = Sidecar::with_options(Options { trusted: false, ..Options::default() });
    let (code, message) = sidecar.request("create_dir", json!({ "path": "x" })).unwrap_err();
    assert_eq!(code, -32015);
    assert!(message.contains("'fs'") && message.contains("Workspace Trust"), "{message}");
}
