//! The process commands through the real binary: channel contract and output order, the `_sync`
//! and `_capture` forms, the allowlist, killing (by pid, all, by port), children dying with the
//! sidecar, and the package-manager commands (npm here; bun when missing gives the install hint).

use crate::harness::{assert_channel_contract, messages_of, wait_process_gone, Options, Sidecar};
use serde_json::{json, Value};
use std::time::Duration;

const PROCESS: i64 = -32014;
const SECURITY: i64 = -32012;

/// All `Output` lines of `stream`, in order.
fn lines_of(messages: &[Value], stream: &str) -> Vec<String> {
    messages
        .iter()
        .filter(|m| m["event"] == json!("Output") && m["data"]["stream"] == json!(stream))
        .flat_map(|m| m["data"]["lines"].as_array().unwrap().iter().map(|l| l.as_str().unwrap().to_string()))
        .collect()
}

fn exit_of(messages: &[Value]) -> Value {
    let last = messages.last().unwrap();
    assert_eq!(last["event"], json!("Exit"), "the terminal message is Exit: {last}");
    last["data"].clone()
}

/// Starts `command` with a channel; returns (pid, channel id).
fn start(sidecar: &mut Sidecar, command: &str) -> (u32, u64) {
    let channel = sidecar.next_channel_id();
    let result = sidecar.call("run_shell_command", json!({ "cwd": "", "command": command, "onEvent": channel }));
    (result["pid"].as_u64().unwrap() as u32, channel)
}

#[test]
fn run_shell_command_streams_lines_in_order_then_exit() {
    let mut sidecar = Sidecar::initialized();
    let (pid, channel) = start(&mut sidecar, "seq 1 100000");
    assert!(pid > 1);
    let params = sidecar.channel_messages(channel);
    assert_channel_contract(&params);
    let messages = messages_of(&params);
    let lines = lines_of(&messages, "stdout");
    assert_eq!(lines.len(), 100_000);
    assert!(lines.iter().enumerate().all(|(i, line)| line == &(i + 1).to_string()), "lines in order");
    assert!(messages.len() < 2_000, "lines are coalesced per read ({} messages)", messages.len());
    assert_eq!(exit_of(&messages), json!({ "code": 0, "signal": null }));
}

#[test]
fn a_last_line_without_newline_and_stderr_are_delivered() {
    let mut sidecar = Sidecar::initialized();
    let (_, channel) = start(&mut sidecar, "printf 'a\\nb'");
    let messages = messages_of(&sidecar.channel_messages(channel));
    assert_eq!(lines_of(&messages, "stdout"), vec!["a", "b"]);
    let (_, channel) = start(&mut sidecar, "ls does-not-exist");
    let messages = messages_of(&sidecar.channel_messages(channel));
    let stderr = lines_of(&messages, "stderr");
    assert!(stderr.iter().any(|l| l.contains("does-not-exist")), "{stderr:?}");
    assert_ne!(exit_of(&messages)["code"], json!(0));
}

#[test]
fn without_on_event_the_command_still_runs() {
    let mut sidecar = Sidecar::initialized();
    sidecar.call("run_shell_command", json!({ "cwd": "", "command": "touch made.txt" }));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !sidecar.ws("made.txt").exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(sidecar.ws("made.txt").exists());
}

#[test]
fn the_allowlist_and_shell_syntax_are_checked() {
    let mut sidecar = Sidecar::initialized();
    let (code, message) = sidecar.request("run_shell_command", json!({ "cwd": "", "command": "curl http://example.com" })).unwrap_err();
    assert_eq!(code, SECURITY);
    assert!(message.contains("'curl'") && message.contains("npm"), "{message}");
    let (_, message) = sidecar.request("run_shell_command_sync", json!({ "cwd": "", "command": "" })).unwrap_err();
    assert!(message.contains("Empty command"), "{message}");
    let (_, message) = sidecar.request("run_shell_command_capture", json!({ "cwd": "", "command": "echo 'open" })).unwrap_err();
    assert!(message.contains("Invalid shell syntax"), "{message}");
    let (code, _) = sidecar.request("run_shell_command", json!({ "cwd": "../", "command": "ls" })).unwrap_err();
    assert_eq!(code, SECURITY);
    let (code, message) = sidecar.request("run_shell_command", json!({ "cwd": "nope", "command": "ls" })).unwrap_err();
    assert_eq!(code, -32010);
    assert!(message.contains("nope"), "{message}");
}

#[test]
fn sync_waits_and_reports_failures_with_output() {
    let mut sidecar = Sidecar::initialized();
    sidecar.call("run_shell_command_sync", json!({ "cwd": "", "command": "mkdir -p made/here" }));
    assert!(sidecar.ws("made/here").is_dir(), "the command finished before the response");
    let (code, message) = sidecar.request("run_shell_command_sync", json!({ "cwd": "", "command": "ls no-such-file" })).unwrap_err();
    assert_eq!(code, PROCESS);
    assert!(message.contains("`ls no-such-file` exited with code"), "{message}");
    assert!(message.contains("no-such-file") && message.contains("Output:"), "{message}");
}

#[test]
fn capture_returns_output_and_truncates() {
    let mut sidecar = Sidecar::initialized();
    std::fs::create_dir(sidecar.ws("sub")).unwrap();
    std::fs::write(sidecar.ws("sub/f.txt"), "x").unwrap();
    assert_eq!(sidecar.call("run_shell_command_capture", json!({ "cwd": "sub", "command": "ls" })), json!("f.txt\n"));
    let failed = sidecar.call("run_shell_command_capture", json!({ "cwd": "", "command": "ls no-such-file" }));
    assert!(failed.as_str().unwrap().contains("no-such-file"), "no error on a non-zero exit: {failed}");
    let big = sidecar.call("run_shell_command_capture", json!({ "cwd": "", "command": "seq 1 200000" }));
    let big = big.as_str().unwrap();
    assert!(big.ends_with("\n... (output truncated)"));
    assert_eq!(big.len(), 100 * 1024 + "\n... (output truncated)".len());
    assert!(big.starts_with("1\n2\n3\n"));
}

#[test]
fn kill_process_ends_the_channel_with_exit() {
    let mut sidecar = Sidecar::initialized();
    let (pid, channel) = start(&mut sidecar, "sleep 30");
    sidecar.call("kill_process", json!({ "pid": pid }));
    let params = sidecar.channel_messages(channel);
    assert_channel_contract(&params);
    assert_eq!(exit_of(&messages_of(&params)), json!({ "code": null, "signal": "SIGTERM" }));
    assert!(wait_process_gone(pid, Duration::from_secs(5)));
    // A pid the sidecar is not running is a not-found error: nothing was killed.
    let (code, message) = sidecar.request("kill_process", json!({ "pid": pid })).unwrap_err();
    assert_eq!(code, -32010, "{message}");
    assert!(message.contains(&pid.to_string()), "{message}");
    // Nor does it signal a process it did not start (here: the test itself).
    let (code, _) = sidecar.request("kill_process", json!({ "pid": std::process::id() })).unwrap_err();
    assert_eq!(code, -32010);
}

#[test]
fn kill_all_processes_kills_every_child() {
    let mut sidecar = Sidecar::initialized();
    let (first, first_channel) = start(&mut sidecar, "sleep 30");
    let (second, second_channel) = start(&mut sidecar, "sleep 30");
    sidecar.call("kill_all_processes", json!({}));
    for channel in [first_channel, second_channel] {
        assert_channel_contract(&sidecar.channel_messages(channel));
    }
    assert!(wait_process_gone(first, Duration::from_secs(5)) && wait_process_gone(second, Duration::from_secs(5)));
}

#[test]
fn kill_port_kills_the_listener() {
    let mut sidecar = Sidecar::initialized();
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let script = format!("node -e \"require('net').createServer().listen({port}, '127.0.0.1', () => console.log('listening'))\"");
    let (pid, channel) = start(&mut sidecar, &script);
    sidecar.wait_channel(channel, "the server to listen", |m| m["data"]["lines"] == json!(["listening"]));
    let killed = sidecar.call("kill_port", json!({ "ports": [port] }));
    assert_eq!(killed, json!([pid]));
    let messages = messages_of(&sidecar.channel_messages(channel));
    assert_eq!(exit_of(&messages)["signal"], json!("SIGKILL"));
    assert_eq!(sidecar.call("kill_port", json!({ "ports": [port] })), json!([]), "nothing left to kill");
}

#[test]
fn children_die_when_the_sidecar_stdin_closes() {
    let mut sidecar = Sidecar::initialized();
    let (pid, _) = start(&mut sidecar, "sleep 30");
    sidecar.close_stdin();
    assert!(sidecar.wait_exit(Duration::from_secs(10)).is_some(), "the sidecar exits on EOF");
    assert!(wait_process_gone(pid, Duration::from_secs(5)), "its child is killed");
}

#[test]
fn children_die_after_shutdown() {
    let mut sidecar = Sidecar::initialized();
    let (pid, channel) = start(&mut sidecar, "sleep 30");
    sidecar.call("shutdown", Value::Null);
    assert!(wait_process_gone(pid, Duration::from_secs(5)));
    assert_channel_contract(&sidecar.channel_messages(channel));
    sidecar.notify("exit", Value::Null);
    assert_eq!(sidecar.wait_exit(Duration::from_secs(10)).unwrap().code(), Some(0));
}

#[cfg(target_os = "linux")]
#[test]
fn children_die_when_the_sidecar_is_killed() {
    let mut sidecar = Sidecar::initialized();
    let (pid, _) = start(&mut sidecar, "sleep 30");
    // SAFETY: sending SIGKILL to the sidecar this test started.
    unsafe {
        libc::kill(sidecar.pid() as i32, libc::SIGKILL);
    }
    assert!(wait_process_gone(pid, Duration::from_secs(5)), "PR_SET_PDEATHSIG kills the child");
}

#[test]
fn a_cancelled_sync_command_is_answered_once_and_killed() {
    let mut sidecar = Sidecar::initialized();
    let id = sidecar.send_request("run_shell_command_sync", json!({ "cwd": "", "command": "sleep 30" }));
    std::thread::sleep(Duration::from_millis(300));
    sidecar.cancel(&id);
    let (code, _) = sidecar.wait_response(&id).unwrap_err();
    assert_eq!(code, -32800);
    // A later request's answer proves the loop moved on; still exactly one response for `id`.
    sidecar.call("kill_all_processes", json!({}));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(sidecar.response_count(&id), 1);
}

#[test]
fn process_commands_are_refused_in_an_untrusted_workspace() {
    let mut sidecar = Sidecar::with_options(Options { trusted: false, ..Options::default() });
    let (code, message) = sidecar.request("run_shell_command", json!({ "cwd": "", "command": "ls" })).unwrap_err();
    assert_eq!(code, -32015);
    assert!(message.contains("'shell'") && message.contains("untrusted"), "{message}");
}

#[test]
fn a_missing_bun_says_how_to_install_it() {
    let empty = tempfile::tempdir().unwrap();
    let env = vec![("PATH".to_string(), empty.path().display().to_string())];
    let mut sidecar = Sidecar::with_options(Options { env, ..Options::default() });
    for method in ["bun_install", "bun_install_sync", "bun_build"] {
        let (code, message) = sidecar.request(method, json!({ "cwd": "" })).unwrap_err();
        assert_eq!(code, PROCESS);
        assert!(message.contains("https://bun.sh") && message.contains("prototyper.packageManager"), "{message}");
    }
    let (_, message) = sidecar.request("bun_dev", json!({ "cwd": "", "port": 5173 })).unwrap_err();
    assert!(message.contains("https://bun.sh"), "{message}");
}

fn npm_project(sidecar: &Sidecar) {
    let package = json!({
        "name": "fixture",
        "version": "1.0.0",
        "private": true,
        "scripts": {
            "build": "node -e \"console.log('built')\"",
            "dev": "node -e \"console.log(process.argv.slice(1).join(' '))\""
        }
    });
    std::fs::create_dir_all(sidecar.ws("app")).unwrap();
    std::fs::write(sidecar.ws("app/package.json"), package.to_string()).unwrap();
}

#[test]
fn npm_runs_build_dev_and_install() {
    let mut sidecar = Sidecar::with_options(Options { package_manager: "npm".into(), ..Options::default() });
    npm_project(&sidecar);
    let channel = sidecar.next_channel_id();
    sidecar.call("bun_build", json!({ "cwd": "app", "onEvent": channel }));
    let messages = messages_of(&sidecar.channel_messages(channel));
    assert!(lines_of(&messages, "stdout").contains(&"built".to_string()), "{messages:?}");
    assert_eq!(exit_of(&messages)["code"], json!(0));

    let channel = sidecar.next_channel_id();
    sidecar.call("bun_dev", json!({ "cwd": "app", "port": 4321, "onEvent": channel }));
    let messages = messages_of(&sidecar.channel_messages(channel));
    assert!(lines_of(&messages, "stdout").iter().any(|l| l.contains("--port 4321")), "{messages:?}");

    sidecar.call("bun_install_sync", json!({ "cwd": "app" }));
    assert!(sidecar.ws("app/package-lock.json").exists(), "npm install ran");
}

/// A line a running child prints reaches the host while the child runs, before it prints the
/// next: output is passed on as it comes, not held until the child exits or a pipe buffer fills.
/// (`cat` copies a FIFO the test writes into; the FIFO stays open until the end, so `cat` cannot
/// exit early, and a held-back line would make the wait below time out.) How fast lines arrive is
/// a benchmark's question: bench/relay measures it with the release build.
#[cfg(unix)]
#[test]
fn each_line_reaches_the_host_while_the_child_still_runs() {
    use std::io::Write;
    let mut sidecar = Sidecar::initialized();
    let fifo = sidecar.ws("lines");
    let c_path = std::ffi::CString::new(fifo.display().to_string()).unwrap();
    // SAFETY: mkfifo with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let (_, channel) = start(&mut sidecar, "cat lines");
    // Opening for writing waits until `cat` has opened the FIFO for reading.
    let mut writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    for line in ["first", "second", "third"] {
        writeln!(writer, "{line}").unwrap();
        let so_far = sidecar.wait_channel(channel, &format!("the line {line:?} while cat still runs"), |message| {
            message["event"] == json!("Output") && message["data"]["lines"].as_array().is_some_and(|lines| lines.contains(&json!(line)))
        });
        assert!(so_far.iter().all(|m| m["terminal"] != json!(true)), "the channel ended before {line:?} was written: {so_far:?}");
    }
    drop(writer);
    let params = sidecar.channel_messages(channel);
    assert_channel_contract(&params);
    let messages = messages_of(&params);
    assert_eq!(lines_of(&messages, "stdout"), ["first", "second", "third"]);
    assert_eq!(exit_of(&messages), json!({ "code": 0, "signal": null }));
}

/// The pid of the running `seq 1 <count>`, if any.
fn find_seq(count: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|entry| {
        let cmdline = std::fs::read_to_string(entry.path().join("cmdline")).ok()?;
        (cmdline == format!("seq\01\0{count}\0")).then(|| entry.file_name().to_str()?.parse().ok())?
    })
}

/// Bytes process `pid` has written so far (`wchar` in /proc/<pid>/io).
fn bytes_written(pid: u32) -> Option<u64> {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).ok()?;
    io.lines().find_map(|line| line.strip_prefix("wchar: ")?.trim().parse().ok())
}

#[cfg(target_os = "linux")]
#[test]
fn a_stalled_host_slows_the_child_instead_of_growing_memory() {
    let mut sidecar = Sidecar::initialized();
    sidecar.pause_reading(true);
    // ~30 MB of channel JSON, far more than the pipes hold: the reader blocks writing to the host,
    // so the child must block on its own pipe.
    let channel = sidecar.next_channel_id();
    sidecar.send_request("run_shell_command", json!({ "cwd": "", "command": "seq 1 3000000", "onEvent": channel }));
    // Wait until seq stops making progress (blocked on its full pipe) while still running.
    // Without backpressure it would run to its end instead, however long we wait.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut last = None;
    let blocked = loop {
        std::thread::sleep(Duration::from_millis(500));
        let Some(pid) = find_seq("3000000") else { break false };
        let written = bytes_written(pid);
        if written.is_some() && written == last {
            break true;
        }
        last = written;
        if std::time::Instant::now() > deadline {
            break false;
        }
    };
    assert!(blocked, "seq must be held back (blocked on its pipe) while the host does not read");
    sidecar.pause_reading(false);
    let params = sidecar.channel_messages(channel);
    assert_channel_contract(&params);
    let lines = lines_of(&messages_of(&params), "stdout");
    assert_eq!(lines.len(), 3_000_000);
    assert_eq!(lines.last().unwrap(), "3000000");
}
