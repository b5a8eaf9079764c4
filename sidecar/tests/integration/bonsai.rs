//! The Bonsai commands through the real binary against a fake Bonsai install: a folder whose
//! `.venv/bin/uvicorn` starts `test/fake-bonsai/server.mjs` (which speaks `/backends` and
//! `/generate`) in one of its modes. Each test uses its own port range so tests running in parallel
//! never race for a port.

use crate::harness::{assert_channel_contract, messages_of, process_alive, wait_process_gone, Options, Sidecar, WAIT};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Makes `dir` a fake Bonsai install whose server runs in `mode` (see server.mjs).
pub fn fake_install(dir: &Path, mode: &str) -> PathBuf {
    let bin = dir.join(".venv/bin");
    std::fs::create_dir_all(&bin).unwrap();
    let node = which("node").expect("node is on PATH");
    let server = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../test/fake-bonsai/server.mjs")).canonicalize().unwrap();
    let script = format!("#!/bin/sh\nexec '{}' '{}' --mode {mode} \"$@\"\n", node.display(), server.display());
    let uvicorn = bin.join("uvicorn");
    std::fs::write(&uvicorn, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&uvicorn, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir.to_path_buf()
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join(program)).find(|path| path.is_file())
}

/// A sidecar whose config points at a fake install in `mode` (beside the workspace).
pub(crate) fn with_install(mode: &str, port: u16, extra: Value) -> (Sidecar, PathBuf) {
    let mut sidecar = Sidecar::initialized();
    let install = fake_install(&sidecar.outside.join("Bonsai-Image-Demo"), mode);
    let mut config = json!({ "installPath": install, "port": port, "variant": "binary", "autoStopTimeoutSecs": 0 });
    for (key, value) in extra.as_object().unwrap() {
        config[key] = value.clone();
    }
    sidecar.call("bonsai_save_server_config", json!({ "config": config }));
    (sidecar, install)
}

/// How the fake server was started (it writes this into its working folder).
fn started_record(install: &Path) -> Value {
    let file = install.join("fake-bonsai-started.json");
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(text) = std::fs::read_to_string(&file) {
            if let Ok(record) = serde_json::from_str::<Value>(&text) {
                return record;
            }
        }
        assert!(Instant::now() < deadline, "the fake server never wrote {}", file.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub(crate) fn pngs_in(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".png") || n.ends_with(".json")).collect()
}

#[test]
fn config_round_trips_and_has_the_seed_defaults() {
    let mut sidecar = Sidecar::initialized();
    let config = sidecar.call("bonsai_get_server_config", json!({}));
    assert_eq!(config, json!({ "installPath": "", "port": 8000, "variant": "ternary", "autoStopTimeoutSecs": 60 }));
    let saved = json!({ "installPath": sidecar.outside, "port": 8123, "variant": "binary", "autoStopTimeoutSecs": 5 });
    sidecar.call("bonsai_save_server_config", json!({ "config": saved }));
    assert_eq!(sidecar.call("bonsai_get_server_config", json!({})), saved);
    // It persists: a new sidecar with the same storage folder reads it back.
    assert!(std::fs::read_to_string(sidecar.storage.join("bonsai-config.json")).unwrap().contains("8123"));
    let err = sidecar.request("bonsai_save_server_config", json!({ "config": { "variant": "quaternary" } })).unwrap_err();
    assert!(err.1.contains("ternary"), "{err:?}");
    let err = sidecar.request("bonsai_save_server_config", json!({ "config": { "installPath": "relative/path" } })).unwrap_err();
    assert!(err.1.contains("absolute"), "{err:?}");
}

#[test]
fn starts_generates_lists_and_deletes_then_stops() {
    let (mut sidecar, install) = with_install("healthy", 18100, json!({}));
    let log = sidecar.next_channel_id();
    let info = sidecar.call("bonsai_start_server", json!({ "onEvent": log }));
    assert_eq!(info["healthy"], json!(true), "{info}");
    assert_eq!(info["kind"], json!("mflux"));
    assert_eq!(info["supportedFamilies"], json!(["flux", "bonsai"]));
    assert_eq!(info["defaultFamily"], json!("bonsai"));
    let pid = info["pid"].as_u64().unwrap() as u32;
    let port = info["port"].as_u64().unwrap();
    assert!((18100..=18110).contains(&port), "{info}");
    assert!(process_alive(pid));

    // Started as the seed starts it: the args, the environment, the install folder as cwd.
    let record = started_record(&install);
    assert_eq!(record["argv"], json!(["--mode", "healthy", "scripts.local_backend:app", "--port", port.to_string()]));
    assert_eq!(record["env"], json!({ "BACKEND_PORT": port.to_string(), "BONSAI_VARIANT": "binary" }));
    assert_eq!(Path::new(record["cwd"].as_str().unwrap()).canonicalize().unwrap(), install.canonicalize().unwrap());

    // Starting a healthy server again answers its info.
    let again = sidecar.call("bonsai_start_server", json!({}));
    assert_eq!(again["pid"], info["pid"]);
    let status = sidecar.call("bonsai_server_status", json!({}));
    assert_eq!((status["healthy"].clone(), status["running"].clone(), status["port"].clone()), (json!(true), json!(true), json!(port)));

    let progress = sidecar.next_channel_id();
    let result = sidecar.call(
        "bonsai_generate_image",
        json!({ "projectId": "ignored", "prompt": "a red fox in snow", "width": 96, "height": 64, "seed": 42, "onEvent": progress }),
    );
    let file_name = result["fileName"].as_str().unwrap();
    assert!(file_name.starts_with("bonsai_") && file_name.ends_with("_42.png"), "{result}");
    assert_eq!((result["width"].clone(), result["height"].clone(), result["seed"].clone()), (json!(96), json!(64), json!(42)));
    let folder = sidecar.ws("assets/generated");
    let png = folder.join(file_name);
    assert_eq!(Path::new(result["filePath"].as_str().unwrap()), png);
    assert_eq!(result["relativePath"], json!(format!("assets/generated/{file_name}")));
    assert!(std::fs::read(&png).unwrap().starts_with(PNG_MAGIC));
    let about: Value = serde_json::from_str(&std::fs::read_to_string(png.with_extension("json")).unwrap()).unwrap();
    assert_eq!(about, json!({ "prompt": "a red fox in snow", "width": 96, "height": 64, "steps": 4, "seed": 42, "variant": "binary" }));
    let events = sidecar.channel_messages(progress);
    assert_channel_contract(&events);
    let events = messages_of(&events);
    assert_eq!(events[0]["event"], json!("Progress"));
    assert_eq!(events.last().unwrap(), &json!({ "event": "Done", "data": result }));

    // Into another folder (the setting), then both listed newest first with their prompts.
    std::thread::sleep(Duration::from_millis(20));
    let second = sidecar.call("bonsai_generate_image", json!({ "prompt": "a blue whale", "width": 64, "height": 64, "folder": "public/img" }));
    assert!(sidecar.ws("public/img").join(second["fileName"].as_str().unwrap()).is_file());
    let listed = sidecar.call("bonsai_list_assets", json!({}));
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["fileName"], json!(file_name));
    assert_eq!(listed[0]["prompt"], json!("a red fox in snow"));
    assert_eq!(listed[0]["fileSize"], json!(std::fs::metadata(&png).unwrap().len()));
    assert_eq!(sidecar.call("bonsai_list_assets", json!({ "folder": "public/img" }))[0]["prompt"], json!("a blue whale"));
    assert_eq!(sidecar.call("bonsai_list_assets", json!({ "folder": "nothing/here" })), json!([]));

    sidecar.call("bonsai_delete_asset", json!({ "fileName": file_name }));
    assert!(pngs_in(&folder).is_empty(), "the PNG and its .json are gone: {:?}", pngs_in(&folder));
    let err = sidecar.request("bonsai_delete_asset", json!({ "fileName": file_name })).unwrap_err();
    assert_eq!(err.0, -32010, "{err:?}");
    let err = sidecar.request("bonsai_delete_asset", json!({ "fileName": "../../secret.png" })).unwrap_err();
    assert_eq!(err.0, -32602, "{err:?}");

    sidecar.call("bonsai_stop_server", json!({}));
    assert!(wait_process_gone(pid, WAIT), "the server is stopped");
    let status = sidecar.call("bonsai_server_status", json!({}));
    assert_eq!((status["healthy"].clone(), status["running"].clone()), (json!(false), json!(false)), "{status}");
    // The log channel carried the server's output and ended with its exit.
    let log = sidecar.channel_messages(log);
    assert_channel_contract(&log);
    let text = messages_of(&log).iter().filter(|m| m["event"] == "Output").flat_map(|m| m["data"]["lines"].as_array().unwrap().clone()).map(|l| l.as_str().unwrap().to_string()).collect::<Vec<_>>().join("\n");
    assert!(text.contains("Uvicorn running") && text.contains("a red fox in snow"), "{text}");
    assert_eq!(messages_of(&log).last().unwrap()["event"], json!("Exit"));
    // Stopping a stopped server is fine.
    sidecar.call("bonsai_stop_server", json!({}));
}

#[test]
fn a_missing_install_names_the_path_and_the_setting() {
    let mut sidecar = Sidecar::initialized();
    let empty = sidecar.outside.join("not-bonsai");
    std::fs::create_dir_all(&empty).unwrap();
    sidecar.call("bonsai_save_server_config", json!({ "config": { "installPath": empty } }));
    let err = sidecar.request("bonsai_start_server", json!({})).unwrap_err();
    assert!(err.1.contains(&format!("{}/.venv/bin/uvicorn", empty.display())) && err.1.contains("Configure Image Server"), "{err:?}");
    sidecar.call("bonsai_save_server_config", json!({ "config": { "installPath": sidecar.outside.join("nowhere") } }));
    let err = sidecar.request("bonsai_start_server", json!({})).unwrap_err();
    assert!(err.1.contains("nowhere") && err.1.contains("installPath"), "{err:?}");

    // No folder configured: the seed's default folders in the home folder, named when missing.
    let home = tempfile::tempdir().unwrap();
    let mut sidecar = Sidecar::with_options(Options { env: vec![("HOME".into(), home.path().display().to_string())], ..Default::default() });
    let err = sidecar.request("bonsai_start_server", json!({})).unwrap_err();
    assert!(err.1.contains("Bonsai-Image-Demo") && err.1.contains("bonsai-image-demo") && err.1.contains("Configure Image Server"), "{err:?}");
    fake_install(&home.path().join("bonsai-image-demo"), "healthy");
    sidecar.call("bonsai_save_server_config", json!({ "config": { "port": 18400, "autoStopTimeoutSecs": 0 } }));
    let info = sidecar.call("bonsai_start_server", json!({}));
    assert_eq!(info["healthy"], json!(true));
    assert_eq!(sidecar.shutdown().code(), Some(0));
    assert!(wait_process_gone(info["pid"].as_u64().unwrap() as u32, WAIT), "the server dies with the sidecar");
}

#[test]
fn a_server_that_never_becomes_healthy_is_stopped_after_the_timeout() {
    let (mut sidecar, install) = with_install("never-healthy", 18200, json!({ "startTimeoutSecs": 3 }));
    let log = sidecar.next_channel_id();
    let err = sidecar.request("bonsai_start_server", json!({ "onEvent": log })).unwrap_err();
    assert!(err.1.contains("did not become healthy within 3 s") && err.1.contains("healthy: false"), "{err:?}");
    let pid = started_record(&install)["pid"].as_u64().unwrap() as u32;
    assert!(wait_process_gone(pid, WAIT), "the unhealthy server was stopped");
    assert_channel_contract(&sidecar.channel_messages(log));
    assert_eq!(sidecar.call("bonsai_server_status", json!({}))["running"], json!(false));
}

#[test]
fn a_server_that_exits_at_start_reports_its_last_output() {
    let (mut sidecar, _install) = with_install("exit-at-start", 18250, json!({}));
    let err = sidecar.request("bonsai_start_server", json!({})).unwrap_err();
    assert!(err.1.contains("exited with code 3") && err.1.contains("gemlite not found"), "{err:?}");
}

#[test]
fn a_server_that_dies_mid_generation_is_reported_and_nothing_is_saved() {
    let (mut sidecar, install) = with_install("die-on-generate", 18300, json!({}));
    sidecar.call("bonsai_start_server", json!({}));
    let pid = started_record(&install)["pid"].as_u64().unwrap() as u32;
    let err = sidecar.request("bonsai_generate_image", json!({ "prompt": "a lighthouse" })).unwrap_err();
    assert!(err.1.contains("exited with code 7 during the generation") && err.1.contains("Metal device lost"), "{err:?}");
    assert!(pngs_in(&sidecar.ws("assets/generated")).is_empty());
    assert!(wait_process_gone(pid, WAIT));
    let status = sidecar.call("bonsai_server_status", json!({}));
    assert_eq!((status["running"].clone(), status["generating"].clone()), (json!(false), json!(false)), "{status}");
    let err = sidecar.request("bonsai_generate_image", json!({ "prompt": "again" })).unwrap_err();
    assert!(err.1.contains("not running") && err.1.contains("Start Image Server"), "{err:?}");
}

#[test]
fn a_non_png_answer_saves_nothing() {
    let (mut sidecar, _install) = with_install("not-png", 18350, json!({}));
    sidecar.call("bonsai_start_server", json!({}));
    let err = sidecar.request("bonsai_generate_image", json!({ "prompt": "a cat" })).unwrap_err();
    assert!(err.1.contains("not a PNG") && err.1.contains("model not loaded"), "{err:?}");
    assert!(pngs_in(&sidecar.ws("assets/generated")).is_empty());
}

#[test]
fn one_generation_at_a_time_and_cancelling_drops_it() {
    let (mut sidecar, _install) = with_install("slow", 18450, json!({}));
    sidecar.call("bonsai_start_server", json!({}));
    let progress = sidecar.next_channel_id();
    let first = sidecar.send_request("bonsai_generate_image", json!({ "prompt": "slow one", "onEvent": progress }));
    sidecar.wait_channel(progress, "the first generation to be under way", |m| m["event"] == "Progress");
    let err = sidecar.request("bonsai_generate_image", json!({ "prompt": "second" })).unwrap_err();
    assert!(err.1.contains("already in progress"), "{err:?}");
    assert_eq!(sidecar.call("bonsai_server_status", json!({}))["generating"], json!(true));

    let cancelled_at = Instant::now();
    sidecar.call("bonsai_cancel_generation", json!({}));
    let err = sidecar.wait_response(&first).unwrap_err();
    assert_eq!(err.0, -32800, "{err:?}");
    assert!(cancelled_at.elapsed() < Duration::from_secs(10), "the cancel drops the request at once");
    let events = messages_of(&sidecar.channel_messages(progress));
    assert_eq!(events.last().unwrap()["data"]["code"], json!("cancelled"));
    assert!(pngs_in(&sidecar.ws("assets/generated")).is_empty());

    // The request's own cancel works too, and the slot is free again afterwards.
    let third = sidecar.send_request("bonsai_generate_image", json!({ "prompt": "third" }));
    let deadline = Instant::now() + WAIT;
    while sidecar.call("bonsai_server_status", json!({}))["generating"] != json!(true) {
        assert!(Instant::now() < deadline, "the third generation never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    sidecar.cancel(&third);
    assert_eq!(sidecar.wait_response(&third).unwrap_err().0, -32800);
    assert_eq!(sidecar.call("bonsai_server_status", json!({}))["generating"], json!(false));
    // The server survived both cancels.
    assert_eq!(sidecar.call("bonsai_server_status", json!({}))["running"], json!(true));
}

#[test]
fn the_idle_stop_stops_the_server_and_can_be_cancelled() {
    let (mut sidecar, _install) = with_install("healthy", 18500, json!({ "autoStopTimeoutSecs": 1 }));
    let pid = sidecar.call("bonsai_start_server", json!({}))["pid"].as_u64().unwrap() as u32;
    sidecar.call("bonsai_schedule_stop", json!({}));
    sidecar.call("bonsai_cancel_stop", json!({}));
    std::thread::sleep(Duration::from_millis(2500));
    assert!(process_alive(pid), "a cancelled idle stop leaves the server running");

    sidecar.call("bonsai_schedule_stop", json!({}));
    let status = sidecar.call("bonsai_server_status", json!({}));
    assert!(status["stopsInSecs"].as_u64().is_some_and(|s| s <= 1), "{status}");
    assert!(wait_process_gone(pid, WAIT), "the idle stop stopped the server");
    let status = sidecar.call("bonsai_server_status", json!({}));
    assert_eq!((status["running"].clone(), status.get("stopsInSecs").cloned()), (json!(false), None), "{status}");
}

#[test]
fn an_untrusted_workspace_may_not_start_the_server_or_generate() {
    let mut sidecar = Sidecar::with_options(Options { trusted: false, ..Default::default() });
    for (command, params) in [("bonsai_start_server", json!({})), ("bonsai_generate_image", json!({ "prompt": "x" }))] {
        let err = sidecar.request(command, params).unwrap_err();
        assert!(err.0 == -32015 && err.1.contains("untrusted"), "{command}: {err:?}");
    }
    // Reading what exists is fine.
    assert_eq!(sidecar.call("bonsai_list_assets", json!({})), json!([]));
    assert_eq!(sidecar.call("bonsai_server_status", json!({}))["running"], json!(false));
}

#[test]
fn the_agent_generates_an_image_after_asking_and_starts_the_server_itself() {
    let (mut sidecar, _install) = with_install("healthy", 18550, json!({ "autoStopTimeoutSecs": 60 }));
    let fake = crate::ai::Fake::start();
    fake.script(json!([
        { "toolCalls": [{ "name": "generate_image", "arguments": { "prompt": "a bakery storefront at dawn", "width": 128, "height": 96, "seed": 5 } }] },
        { "text": "Added the image." },
    ]));
    let channel = sidecar.next_channel_id();
    let mut request = crate::ai::params(&fake, "ollama", "llama3.2", json!({ "tools": true, "toolPermissionMode": "ask_every_time", "imagesFolder": "public/images" }));
    request["onEvent"] = json!(channel);
    let id = sidecar.send_request("generate_completion_stream", request);
    let permission = crate::ai::wait_event(&mut sidecar, channel, "ToolPermission");
    assert_eq!(permission["reason"], json!("generates an image with the local image server: \"a bakery storefront at dawn\""));
    assert_eq!(sidecar.call("bonsai_server_status", json!({}))["running"], json!(false), "nothing runs before the user allows it");
    sidecar.call("resolve_tool_permission", json!({ "permissionId": permission["id"], "decision": "accepted" }));
    sidecar.wait_response(&id).unwrap();
    let events = messages_of(&sidecar.channel_messages(channel));
    crate::ai::terminal(&events, "Done");
    let result = crate::ai::of_kind(&events, "ToolResult")[0].clone();
    assert_eq!(result["success"], json!(true), "{result}");
    let path = result["path"].as_str().unwrap();
    assert!(path.starts_with("public/images/bonsai_") && path.ends_with("_5.png"), "{result}");
    assert!(result["output"].as_str().unwrap().contains(path));
    assert!(std::fs::read(sidecar.ws(path)).unwrap().starts_with(PNG_MAGIC));
    let status = sidecar.call("bonsai_server_status", json!({}));
    assert_eq!(status["running"], json!(true));
    assert!(status["stopsInSecs"].as_u64().is_some(), "the idle stop is armed after the agent's image: {status}");
    let offered: Vec<String> = fake.chat_bodies()[0]["tools"].as_array().unwrap().iter().map(|t| t["function"]["name"].as_str().unwrap().to_string()).collect();
    assert!(offered.contains(&"generate_image".to_string()), "{offered:?}");
}

#[test]
fn generate_image_is_not_offered_without_an_install() {
    let home = tempfile::tempdir().unwrap();
    let mut sidecar = Sidecar::with_options(Options { env: vec![("HOME".into(), home.path().display().to_string())], ..Default::default() });
    let fake = crate::ai::Fake::start();
    let events = crate::ai::run(&mut sidecar, crate::ai::params(&fake, "ollama", "llama3.2", json!({ "tools": true })));
    crate::ai::terminal(&events, "Done");
    let offered: Vec<String> = fake.chat_bodies()[0]["tools"].as_array().unwrap().iter().map(|t| t["function"]["name"].as_str().unwrap().to_string()).collect();
    assert!(offered.contains(&"bash".to_string()) && !offered.contains(&"generate_image".to_string()), "{offered:?}");
}

#[test]
fn a_cancelled_start_stops_the_server_it_started() {
    let (mut sidecar, install) = with_install("never-healthy", 18600, json!({ "startTimeoutSecs": 600 }));
    let start = sidecar.send_request("bonsai_start_server", json!({}));
    let pid = started_record(&install)["pid"].as_u64().unwrap() as u32;
    sidecar.cancel(&start);
    assert_eq!(sidecar.wait_response(&start).unwrap_err().0, -32800);
    assert!(wait_process_gone(pid, WAIT), "the half-started server was stopped");
    assert_eq!(sidecar.call("bonsai_server_status", json!({}))["running"], json!(false));
}

#[test]
fn a_taken_port_is_skipped_for_the_next_free_one() {
    let taken = std::net::TcpListener::bind(("127.0.0.1", 18650)).expect("port 18650 is free for this test");
    let (mut sidecar, install) = with_install("healthy", 18650, json!({}));
    let info = sidecar.call("bonsai_start_server", json!({}));
    let port = info["port"].as_u64().unwrap();
    assert!(port > 18650 && port <= 18660, "the server skipped the taken port: {info}");
    assert_eq!(started_record(&install)["env"]["BACKEND_PORT"], json!(port.to_string()));
    drop(taken);
    sidecar.call("bonsai_stop_server", json!({}));
}

#[test]
fn the_server_stops_when_the_editor_closes() {
    let (mut sidecar, _install) = with_install("healthy", 18700, json!({}));
    let pid = sidecar.call("bonsai_start_server", json!({}))["pid"].as_u64().unwrap() as u32;
    assert!(process_alive(pid));
    // VS Code closing ends the sidecar's stdin; the sidecar takes its children with it.
    sidecar.close_stdin();
    assert!(sidecar.wait_exit(WAIT).is_some(), "the sidecar exits when its stdin closes");
    assert!(wait_process_gone(pid, WAIT), "the image server did not outlive the sidecar");
}
