//! Confinement, as an attacker who controls a cloned repository would probe it: symlink chains
//! that pass a textual "inside the root" check (`out -> ../outside`, `trick -> nope/../out`), a
//! directory swapped for a symlink while writes run, `.git` internals, PATH tricks, special files,
//! size limits and untrusted workspaces. Every probe goes through the real binary, and after each
//! the folder beside the workspace must be byte-for-byte unchanged and no answer may carry its
//! content or its absolute path.

use crate::ai::{of_kind, params, run, Fake};
use crate::harness::{snapshot, Options, Sidecar};
use serde_json::{json, Value};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::{Duration, Instant};

const SECRET: &str = "TOP-SECRET-OUTSIDE";
const SECURITY: i64 = -32012;
const NOT_FOUND: i64 = -32010;

/// A workspace holding the attacker's links, and a secret file beside it.
fn hostile(options: Options) -> Sidecar {
    let sidecar = Sidecar::with_options(options);
    std::fs::write(sidecar.outside.join("secret.txt"), SECRET).unwrap();
    std::fs::create_dir_all(sidecar.outside.join("sub")).unwrap();
    std::fs::write(sidecar.outside.join("sub/deep.txt"), SECRET).unwrap();
    symlink("../outside", sidecar.ws("out")).unwrap();
    // `nope` does not exist: `trick/x` looks like `nope/../out/x`, i.e. "out/x", to a textual check.
    symlink("nope/../out", sidecar.ws("trick")).unwrap();
    symlink(sidecar.outside.join("secret.txt"), sidecar.ws("absolute")).unwrap();
    symlink("out/secret.txt", sidecar.ws("via-out")).unwrap();
    std::fs::create_dir_all(sidecar.ws("src")).unwrap();
    std::fs::write(sidecar.ws("src/app.ts"), "export {};\n").unwrap();
    sidecar
}

/// The paths that must never lead anywhere (each names something through a hostile link).
const ESCAPES: &[&str] = &[
    "out/secret.txt",
    "out/sub/deep.txt",
    "out/new.txt",
    "trick/secret.txt",
    "trick/new.txt",
    "trick/sub/new.txt",
    "absolute",
    "via-out",
    "out",
    "trick",
    "out/sub",
    "trick/sub",
];

/// Asserts that nothing outside changed and that `text` (an answer) holds neither the secret
/// nor the outside folder's absolute path.
fn assert_clean(sidecar: &Sidecar, before: &[(std::path::PathBuf, Vec<u8>)], what: &str, text: &str) {
    assert_eq!(snapshot(&sidecar.outside), before, "{what}: the folder outside the workspace changed");
    assert!(!text.contains(SECRET), "{what}: outside content leaked: {text}");
    let outside = sidecar.outside.display().to_string();
    assert!(!text.contains(&outside), "{what}: the outside path leaked: {text}");
}

fn answer_text(result: &Result<Value, (i64, String)>) -> String {
    match result {
        Ok(value) => value.to_string(),
        Err((_, message)) => message.clone(),
    }
}

#[test]
fn every_fs_command_refuses_paths_through_hostile_links() {
    let mut sidecar = hostile(Options::default());
    let before = snapshot(&sidecar.outside);
    for path in ESCAPES {
        let probes = [
            ("read_file", json!({ "path": path })),
            ("read_dir", json!({ "path": path })),
            ("write_file", json!({ "path": path, "content": "pwned" })),
            ("write_file", json!({ "path": format!("{path}/x.txt"), "content": "pwned" })),
            ("create_dir", json!({ "path": format!("{path}/made") })),
            ("delete_file", json!({ "path": format!("{path}/secret.txt") })),
            ("delete_dir", json!({ "path": format!("{path}/sub") })),
            ("rename_file", json!({ "from": format!("{path}/secret.txt"), "to": "stolen.txt" })),
            ("rename_file", json!({ "from": "src/app.ts", "to": format!("{path}/planted.ts") })),
            ("create_symlink", json!({ "linkPath": format!("{path}/link"), "target": "src" })),
            ("create_symlink", json!({ "linkPath": "new-link", "target": path })),
            ("reveal_in_explorer", json!({ "path": format!("{path}/secret.txt") })),
        ];
        for (command, args) in probes {
            let result = sidecar.request(command, args.clone());
            let what = format!("{command} {args}");
            match &result {
                Err((code, message)) => {
                    assert!([SECURITY, NOT_FOUND, -32011].contains(code), "{what}: unexpected error {code}: {message}")
                }
                // The one thing that may succeed: a new link inside whose target does not resolve
                // (a dangling `trick/...`); it is removed again so every probe starts alike.
                Ok(_) => {
                    assert!(command == "create_symlink" && path.starts_with("trick") && args["linkPath"] == "new-link", "{what} succeeded");
                    std::fs::remove_file(sidecar.ws("new-link")).unwrap();
                }
            }
            assert_clean(&sidecar, &before, &what, &answer_text(&result));
        }
        // Reading straight through the link is refused as a security fault, never "not found".
        let (code, message) = sidecar.request("read_file", json!({ "path": path })).unwrap_err();
        if !path.starts_with("trick") {
            assert_eq!(code, SECURITY, "read_file {path}: {message}");
        }
    }
    assert!(!sidecar.ws("stolen.txt").exists());
    assert_eq!(std::fs::read_to_string(sidecar.ws("src/app.ts")).unwrap(), "export {};\n");
}

#[test]
fn deleting_or_renaming_a_hostile_link_acts_on_the_link_only() {
    let mut sidecar = hostile(Options::default());
    let before = snapshot(&sidecar.outside);
    sidecar.call("delete_file", json!({ "path": "out" }));
    sidecar.call("delete_dir", json!({ "path": "trick" }));
    sidecar.call("rename_file", json!({ "from": "absolute", "to": "renamed" }));
    assert!(std::fs::symlink_metadata(sidecar.ws("out")).is_err());
    assert!(std::fs::symlink_metadata(sidecar.ws("renamed")).unwrap().file_type().is_symlink());
    assert_eq!(snapshot(&sidecar.outside), before);
}

#[test]
fn listings_never_report_what_a_link_points_to_outside() {
    let mut sidecar = hostile(Options::default());
    let entries = sidecar.call("read_dir", json!({ "path": "" }));
    let out = entries.as_array().unwrap().iter().find(|e| e["name"] == "out").unwrap();
    assert_eq!(out["isDir"], false, "a link leading outside is not listed as a folder: {out}");
    assert!(out.get("modifiedMs").is_none(), "nothing of the target's metadata: {out}");
    // Links inside stay useful.
    symlink("src", sidecar.ws("inner")).unwrap();
    let entries = sidecar.call("read_dir", json!({ "path": "" }));
    let inner = entries.as_array().unwrap().iter().find(|e| e["name"] == "inner").unwrap();
    assert_eq!(inner["isDir"], true);
    assert_eq!(sidecar.call("read_file", json!({ "path": "inner/app.ts" })), json!("export {};\n"));
}

#[test]
fn process_commands_refuse_a_cwd_through_hostile_links() {
    let mut sidecar = hostile(Options { package_manager: "npm".into(), ..Options::default() });
    let before = snapshot(&sidecar.outside);
    for cwd in ["out", "trick", "out/sub", "trick/sub", "absolute"] {
        for command in ["run_shell_command", "run_shell_command_sync", "run_shell_command_capture"] {
            let result = sidecar.request(command, json!({ "cwd": cwd, "command": "touch planted.txt" }));
            assert!(result.is_err(), "{command} in {cwd} ran: {result:?}");
            assert_clean(&sidecar, &before, &format!("{command} {cwd}"), &answer_text(&result));
        }
        for command in ["bun_install", "bun_build", "bun_install_sync"] {
            let result = sidecar.request(command, json!({ "cwd": cwd }));
            assert!(result.is_err(), "{command} in {cwd} ran: {result:?}");
            assert_clean(&sidecar, &before, &format!("{command} {cwd}"), &answer_text(&result));
        }
    }
    // A cwd inside still works, and the process really runs there.
    sidecar.call("run_shell_command_sync", json!({ "cwd": "src", "command": "touch made-here.txt" }));
    assert!(sidecar.ws("src/made-here.txt").exists());
    let listed = sidecar.call("run_shell_command_capture", json!({ "cwd": "src", "command": "ls" }));
    assert!(listed.as_str().unwrap().contains("app.ts"), "{listed}");
}

#[test]
fn a_directory_swapped_for_a_symlink_during_writes_never_lets_one_land_outside() {
    let mut sidecar = hostile(Options::default());
    let before = snapshot(&sidecar.outside);
    // `swap` is a real folder and `spare` a link to outside; exchanging the two names atomically
    // (renameat2 RENAME_EXCHANGE) flips what `swap` is thousands of times a second.
    std::fs::create_dir(sidecar.ws("swap")).unwrap();
    symlink(&sidecar.outside, sidecar.ws("spare")).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (swap, spare, stop) = (path_c(&sidecar.ws("swap")), path_c(&sidecar.ws("spare")), stop.clone());
        std::thread::spawn(move || {
            let mut swaps = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // SAFETY: renameat2 with two valid NUL-terminated paths; no memory is shared.
                let done = unsafe { libc::renameat2(libc::AT_FDCWD, swap.as_ptr(), libc::AT_FDCWD, spare.as_ptr(), libc::RENAME_EXCHANGE) };
                assert_eq!(done, 0, "renameat2 failed: {}", std::io::Error::last_os_error());
                swaps += 1;
            }
            swaps
        })
    };
    // Many writes in flight at once, so the swap lands between resolution steps.
    let mut ids = Vec::new();
    let mut written = 0;
    for round in 0..40 {
        for n in 0..100 {
            let path = format!("swap/f-{round}-{n}.txt");
            ids.push(sidecar.send_request("write_file", json!({ "path": path, "content": "raced" })));
            ids.push(sidecar.send_request("create_dir", json!({ "path": format!("swap/d-{round}-{n}/deeper") })));
        }
        for id in ids.drain(..) {
            if sidecar.wait_response(&id).is_ok() {
                written += 1;
            }
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    assert!(swaps > 1000, "the swapper raced ({swaps} swaps)");
    assert!(written > 0, "some writes succeeded while the folder was real");
    assert_eq!(snapshot(&sidecar.outside), before, "a write landed outside after {swaps} swaps");
}

fn path_c(path: &Path) -> std::ffi::CString {
    std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap()
}

#[test]
fn nothing_is_changed_inside_git_internals() {
    let mut sidecar = hostile(Options::default());
    std::fs::create_dir_all(sidecar.ws(".git/hooks")).unwrap();
    std::fs::write(sidecar.ws(".git/config"), "[core]\n").unwrap();
    symlink(".git/hooks", sidecar.ws("hooks")).unwrap();
    let probes = [
        ("write_file", json!({ "path": ".git/hooks/pre-commit", "content": "#!/bin/sh\nrm -rf ~\n" })),
        ("write_file", json!({ "path": "hooks/post-checkout", "content": "#!/bin/sh\n" })),
        ("write_file", json!({ "path": ".GIT/hooks/pre-push", "content": "#!/bin/sh\n" })),
        ("create_dir", json!({ "path": ".git/hooks/evil" })),
        ("delete_file", json!({ "path": ".git/config" })),
        ("delete_dir", json!({ "path": ".git" })),
        ("rename_file", json!({ "from": "src/app.ts", "to": ".git/hooks/pre-commit" })),
        ("rename_file", json!({ "from": ".git/config", "to": "config" })),
        ("create_symlink", json!({ "linkPath": ".git/hooks/pre-commit", "target": "src/app.ts" })),
    ];
    for (command, args) in probes {
        let (code, message) = sidecar.request(command, args.clone()).unwrap_err();
        assert_eq!(code, SECURITY, "{command} {args}: {message}");
        assert!(message.contains(".git"), "the error says why: {message}");
    }
    assert!(!sidecar.ws(".git/hooks/pre-commit").exists());
    assert_eq!(std::fs::read_to_string(sidecar.ws(".git/config")).unwrap(), "[core]\n");
    // Reading git's files is fine.
    assert_eq!(sidecar.call("read_file", json!({ "path": ".git/config" })), json!("[core]\n"));
}

#[test]
fn special_files_and_large_files_are_refused_at_once() {
    let mut sidecar = Sidecar::initialized();
    let fifo = sidecar.ws("pipe");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let started = Instant::now();
    let (code, message) = sidecar.request("read_file", json!({ "path": "pipe" })).unwrap_err();
    assert_eq!(code, -32011);
    assert!(message.contains("named pipe") && message.contains("pipe"), "{message}");
    let (_, message) = sidecar.request("write_file", json!({ "path": "pipe", "content": "x" })).unwrap_err();
    assert!(message.contains("named pipe"), "{message}");
    assert!(started.elapsed() < Duration::from_secs(10), "nothing blocked on the FIFO");
    // Beyond the documented limit: an error naming the size and the limit, not a 150 MB answer.
    let big = std::fs::File::create(sidecar.ws("big.log")).unwrap();
    big.set_len(11 * 1024 * 1024).unwrap();
    let (code, message) = sidecar.request("read_file", json!({ "path": "big.log" })).unwrap_err();
    assert_eq!(code, -32011);
    assert!(message.contains("11.0 MB") && message.contains("10.0 MB"), "{message}");
    // Binary content is refused rather than escaped into a JSON string six times its size.
    std::fs::write(sidecar.ws("controls.bin"), vec![1u8; 4096]).unwrap();
    let (_, message) = sidecar.request("read_file", json!({ "path": "controls.bin" })).unwrap_err();
    assert!(message.contains("binary"), "{message}");
}

/// Peak resident memory of `pid` in KB (`VmHWM`).
fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status.lines().find_map(|line| line.strip_prefix("VmHWM:")).unwrap().trim().trim_end_matches(" kB").trim().parse().unwrap()
}

#[test]
fn reading_a_large_file_costs_a_small_multiple_of_its_size() {
    let mut sidecar = Sidecar::initialized();
    // 8 MB of text with a quote and a tab per line (escaped to two bytes each in JSON).
    let line = "\"quoted\"\tand a tab, plus plain text to make the line a realistic length ......\n";
    let text: String = line.repeat(8 * 1024 * 1024 / line.len());
    std::fs::write(sidecar.ws("big.txt"), &text).unwrap();
    let before = peak_rss_kb(sidecar.pid());
    let read = sidecar.call("read_file", json!({ "path": "big.txt" }));
    assert_eq!(read.as_str().unwrap().len(), text.len());
    let grown_mb = (peak_rss_kb(sidecar.pid()) - before) as f64 / 1024.0;
    let size_mb = text.len() as f64 / (1024.0 * 1024.0);
    assert!(grown_mb < 5.0 * size_mb, "peak grew {grown_mb:.0} MB for a {size_mb:.0} MB file");
}

#[test]
fn a_workspace_program_named_like_an_allowed_one_never_runs() {
    // An empty PATH entry means "the current folder" to execvp; the sidecar ignores it.
    let system_path = std::env::var("PATH").unwrap();
    let mut sidecar = Sidecar::with_options(Options {
        env: vec![("PATH".into(), format!(":.:{system_path}"))],
        ..Options::default()
    });
    let marker = sidecar.outside.join("ran");
    for name in ["ls", "echo", "npm"] {
        let script = sidecar.ws(name);
        std::fs::write(&script, format!("#!/bin/sh\ntouch {}\n", marker.display())).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let listed = sidecar.call("run_shell_command_capture", json!({ "cwd": "", "command": "ls" }));
    assert!(listed.as_str().unwrap().contains("echo"), "the real ls listed the folder: {listed}");
    sidecar.call("run_shell_command_sync", json!({ "cwd": "", "command": "echo hi" }));
    let _ = sidecar.request("run_shell_command_capture", json!({ "cwd": "", "command": "npm --version" }));
    assert!(!marker.exists(), "a workspace script ran in place of a system program");
}

#[test]
fn trust_fails_closed() {
    for capabilities in [json!(null), json!({}), json!({ "workspaceTrusted": "true" }), json!({ "workspaceTrusted": 1 }), json!("yes")] {
        let mut sidecar = Sidecar::start(Options::default());
        let mut params = sidecar.initialize_params();
        if capabilities.is_null() {
            params.as_object_mut().unwrap().remove("capabilities");
        } else {
            params["capabilities"] = capabilities.clone();
        }
        sidecar.call("initialize", params);
        let (code, message) = sidecar.request("write_file", json!({ "path": "a.txt", "content": "x" })).unwrap_err();
        assert_eq!(code, -32015, "{capabilities}: {message}");
        assert!(message.contains("untrusted"), "{message}");
        assert!(sidecar.request("run_shell_command_sync", json!({ "cwd": "", "command": "touch b.txt" })).is_err());
        assert!(!sidecar.ws("a.txt").exists() && !sidecar.ws("b.txt").exists(), "{capabilities}");
        assert!(sidecar.request("read_dir", json!({ "path": "" })).is_ok(), "reading is still allowed");
    }
}

/// What the provider was sent, as one string (every request body).
fn sent_to_provider(fake: &Fake) -> String {
    fake.requests().iter().map(|request| request["body"].to_string()).collect()
}

#[test]
fn agent_tools_never_read_outside_even_unprompted_in_an_untrusted_workspace() {
    let mut sidecar = hostile(Options { trusted: false, ..Options::default() });
    let before = snapshot(&sidecar.outside);
    let fake = Fake::start();
    let calls: Vec<Value> = ESCAPES
        .iter()
        .flat_map(|path| {
            [
                json!({ "name": "read_file", "arguments": { "path": path } }),
                json!({ "name": "grep", "arguments": { "pattern": "SECRET", "path": path } }),
                json!({ "name": "glob", "arguments": { "pattern": "**/*", "path": path } }),
            ]
        })
        .chain([
            json!({ "name": "grep", "arguments": { "pattern": "SECRET" } }),
            json!({ "name": "glob", "arguments": { "pattern": "**/*.txt" } }),
            json!({ "name": "read_file", "arguments": { "path": "." } }),
        ])
        .collect();
    let count = calls.len();
    fake.script(json!({ "ollama": [{ "toolCalls": calls }, { "text": "done" }] }));
    let events = run(
        &mut sidecar,
        params(&fake, "ollama", "llama3.2", json!({ "tools": true, "toolPermissionMode": "auto_accept_read_only", "maxToolCalls": 1000 })),
    );
    assert_eq!(of_kind(&events, "ToolResult").len(), count, "every probe ran: {events:?}");
    assert!(of_kind(&events, "ToolPermission").is_empty(), "read-only tools ran without a prompt, as configured");
    let everything = serde_json::to_string(&events).unwrap();
    assert_clean(&sidecar, &before, "agent events", &everything);
    assert_clean(&sidecar, &before, "what reached the model", &sent_to_provider(&fake));
    for result in of_kind(&events, "ToolResult").into_iter().filter(|result| result["success"] == true) {
        let output = result["output"].as_str().unwrap();
        assert!(!output.contains("deep.txt") && !output.contains("secret.txt"), "no outside name is listed: {output}");
    }
}

#[test]
fn agent_writes_through_hostile_links_and_into_git_fail_even_when_auto_accepted() {
    let mut sidecar = hostile(Options::default());
    std::fs::create_dir_all(sidecar.ws(".git/hooks")).unwrap();
    let before = snapshot(&sidecar.outside);
    let fake = Fake::start();
    let calls: Vec<Value> = ["out/new.txt", "trick/new.txt", "via-out", "absolute", ".git/hooks/pre-commit", ".Git/hooks/post-merge"]
        .iter()
        .flat_map(|path| {
            [
                json!({ "name": "write_file", "arguments": { "path": path, "content": "pwned" } }),
                json!({ "name": "edit_file", "arguments": { "path": path, "old_string": "SECRET", "new_string": "pwned" } }),
            ]
        })
        .collect();
    let count = calls.len();
    fake.script(json!({ "ollama": [{ "toolCalls": calls }, { "text": "done" }] }));
    let events = run(
        &mut sidecar,
        params(&fake, "ollama", "llama3.2", json!({ "tools": true, "toolPermissionMode": "auto_accept_all", "maxToolCalls": 1000 })),
    );
    assert_eq!(of_kind(&events, "ToolResult").len(), count, "every probe ran: {events:?}");
    for result in of_kind(&events, "ToolResult") {
        assert_eq!(result["success"], false, "{result}");
    }
    assert_clean(&sidecar, &before, "agent writes", &serde_json::to_string(&events).unwrap());
    // Asking first changes nothing for git's internals: they are refused without a card.
    fake.script(json!({ "ollama": [
        { "toolCalls": [{ "name": "write_file", "arguments": { "path": ".git/hooks/pre-commit", "content": "#!/bin/sh\n" } }] },
        { "text": "done" }
    ] }));
    let events = run(&mut sidecar, params(&fake, "ollama", "llama3.2", json!({ "tools": true, "toolPermissionMode": "ask_every_time" })));
    assert!(of_kind(&events, "ToolPermission").is_empty(), "no card for a write no one may allow: {events:?}");
    let result = &of_kind(&events, "ToolResult")[0];
    assert!(result["output"].as_str().unwrap().contains(".git folder"), "{result}");
    assert!(!sidecar.ws(".git/hooks/pre-commit").exists() && !sidecar.ws(".Git/hooks/post-merge").exists());
}

#[test]
fn bash_runs_in_the_workspace_even_when_its_path_is_swapped_after_initialize() {
    // The workspace handle is opened at initialize: renaming the folder and putting a link to
    // outside in its place does not move the agent's commands outside.
    let mut sidecar = Sidecar::initialized();
    let fake = Fake::start();
    let moved = sidecar.workspace.with_file_name("moved-workspace");
    std::fs::rename(&sidecar.workspace, &moved).unwrap();
    symlink(&sidecar.outside, &sidecar.workspace).unwrap();
    fake.script(json!({ "ollama": [
        { "toolCalls": [{ "name": "bash", "arguments": { "command": "touch made-by-bash" } }] },
        { "text": "done" }
    ] }));
    run(&mut sidecar, params(&fake, "ollama", "llama3.2", json!({ "tools": true })));
    assert!(moved.join("made-by-bash").exists(), "bash ran in the opened workspace folder");
    assert!(!Path::new(&sidecar.outside).join("made-by-bash").exists());
}

#[test]
fn a_stop_ends_the_stream_at_once_whatever_tool_is_running() {
    let mut sidecar = Sidecar::initialized();
    let fake = Fake::start();
    // A search long enough to be stopped in the middle: Unicode word boundaries over non-ASCII
    // text keep the regex engine off its fast path.
    let line = "Ünïcödé wörds façade naïve Ωμέγα λόγος 東京 Straße café déjà vu\n".repeat(20);
    for file in 0..4 {
        std::fs::write(sidecar.ws(&format!("text{file}.txt")), line.repeat(900)).unwrap();
    }
    fake.script(json!({ "ollama": [
        { "toolCalls": [{ "name": "grep", "arguments": { "pattern": "\\b\\w{3,}\\b\\s+\\b\\w{2}\\b.*\\bnever-present\\b" } }] },
        { "text": "not reached" }
    ] }));
    let (id, channel) = crate::ai::start(&mut sidecar, params(&fake, "ollama", "llama3.2", json!({ "tools": true })));
    crate::ai::wait_event(&mut sidecar, channel, "ToolCall");
    std::thread::sleep(Duration::from_millis(100));
    let stopped = Instant::now();
    sidecar.call("stop_generation_stream", json!({ "requestId": channel }));
    let events = crate::ai::finish(&mut sidecar, &id, channel);
    let waited = stopped.elapsed();
    assert_eq!(crate::ai::terminal(&events, "Done")["doneReason"], "cancelled", "{events:?}");
    let result = &of_kind(&events, "ToolResult")[0];
    assert!(result["output"].as_str().unwrap().contains("stopped"), "the search was cut short: {result}");
    // The design target is 200 ms; the bound here leaves room for a loaded 2-core machine.
    assert!(waited < Duration::from_secs(2), "Done came {waited:?} after the stop");
}

