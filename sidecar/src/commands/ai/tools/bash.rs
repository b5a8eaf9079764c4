//! bash: `sh -c <command>` in the workspace root, in its own process group so a timeout or a stop
//! kills everything it started (a pipeline, a dev server it spawned), not just the shell. Its
//! working directory comes from the workspace's directory handle and `sh` from an absolute `PATH`
//! entry (`confine::Root::command`).
//!
//! When the turn records a checkpoint, the workspace is scanned before and after the command, so
//! what it changed can be undone (`checkpoint::scan`).
//!
//! stdout and stderr are read together in arrival order. The event carries the whole output (up to
//! 1 MB, beyond which it says how much was dropped); the history gets the usual 15,000 characters.

use super::{int_arg, str_arg, ToolContext, ToolOutcome};
use crate::confine::{find_program, RelPath};
use serde_json::Value;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

const MAX_OUTPUT_BYTES: usize = 1024 * 1024;
const MAX_TIMEOUT: Duration = Duration::from_secs(600);
/// How long to keep reading after the shell exited, for output still in the pipes (a background
/// child holding the pipe open must not hold the tool).
const DRAIN: Duration = Duration::from_millis(300);
/// The same after a stop, which must end the stream within 200 ms.
const STOPPED_DRAIN: Duration = Duration::from_millis(50);

#[derive(Default)]
struct Collected {
    bytes: Vec<u8>,
    dropped: usize,
}

pub async fn bash(context: &ToolContext, args: &Value) -> Result<ToolOutcome, String> {
    let command_line = str_arg(args, &["command", "cmd", "script"]).ok_or("Invalid arguments: missing \"command\"")?;
    if command_line.trim().is_empty() {
        return Err("Invalid arguments: \"command\" is empty".into());
    }
    let timeout = int_arg(args, &["timeout", "timeout_seconds"])
        .filter(|&seconds| seconds > 0)
        .map(|seconds| Duration::from_secs(seconds).min(MAX_TIMEOUT))
        .unwrap_or(context.bash_timeout);
    let root = context.workspace.root().map_err(|err| err.message.clone())?;
    // What the command changes can be undone: the workspace is scanned before and after it.
    let recorder = context.checkpoint.clone();
    let before = match &recorder {
        Some(recorder) => {
            let recorder = recorder.clone();
            Some(tokio::task::spawn_blocking(move || recorder.before_command()).await.map_err(|err| err.to_string()).and_then(|scan| scan))
        }
        None => None,
    };
    let shell = find_program("sh").ok_or("could not start sh: it was not found in the absolute PATH entries")?;
    let (mut command, cwd_guard) = root.command(&RelPath::root(), &shell).map_err(|err| err.to_tool_message(&RelPath::root(), "open"))?;
    command
        .arg("-c")
        .arg(&command_line)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("PAGER", "cat")
        .env("GIT_PAGER", "cat")
        .env("TERM", "dumb")
        .process_group(0)
        .kill_on_drop(true);
    let spawned = command.spawn();
    drop(cwd_guard);
    let mut child = spawned.map_err(|err| format!("could not start sh: {err}"))?;
    let pid = child.id();
    let collected = Arc::new(Mutex::new(Collected::default()));
    let readers = [
        child.stdout.take().map(|out| tokio::spawn(collect(out, collected.clone()))),
        child.stderr.take().map(|err| tokio::spawn(collect(err, collected.clone()))),
    ];
    enum End {
        Exited(std::process::ExitStatus),
        TimedOut,
        Stopped,
    }
    let end = tokio::select! {
        status = child.wait() => match status {
            Ok(status) => End::Exited(status),
            Err(err) => return Err(format!("waiting for the command failed: {err}")),
        },
        _ = tokio::time::sleep(timeout) => End::TimedOut,
        _ = context.cancel.cancelled() => End::Stopped,
    };
    if !matches!(end, End::Exited(_)) {
        kill_group(pid);
        let _ = child.kill().await;
    } else {
        // The shell is done; anything it left running in its group goes too.
        kill_group(pid);
    }
    // After a stop the user is waiting: what is still in the pipes gets a moment, not a wait.
    let drain = if matches!(end, End::Stopped) { STOPPED_DRAIN } else { DRAIN };
    for reader in readers.into_iter().flatten() {
        let _ = tokio::time::timeout(drain, reader).await;
    }
    let collected = std::mem::take(&mut *collected.lock().unwrap_or_else(|p| p.into_inner()));
    let mut output = String::from_utf8_lossy(&collected.bytes).trim_end().to_string();
    if collected.dropped > 0 {
        output.push_str(&format!("\n... ({} more bytes of output dropped)", collected.dropped));
    }
    let (success, tail) = match end {
        End::Exited(status) => match status.code() {
            Some(0) => (true, String::new()),
            Some(code) => (false, format!("Exit code: {code}")),
            None => (false, "The command was killed by a signal.".to_string()),
        },
        End::TimedOut => (
            false,
            format!("The command timed out after {} s and was stopped (with everything it started).", timeout.as_secs_f64()),
        ),
        End::Stopped => (false, "The command was stopped because the user stopped the generation.".to_string()),
    };
    let untracked = match (recorder, before) {
        (Some(recorder), Some(Ok(before))) => {
            let recorded = tokio::task::spawn_blocking(move || recorder.after_command(&before)).await.map_err(|err| err.to_string()).and_then(|r| r);
            recorded.err()
        }
        (_, Some(Err(reason))) => Some(reason),
        _ => None,
    };
    if let Some(reason) = untracked {
        crate::rpc::server::log(&format!("a bash command's changes were not recorded for undo: {reason}"));
    }
    if output.is_empty() && tail.is_empty() {
        output = "(no output)".to_string();
    } else if !tail.is_empty() {
        if !output.is_empty() {
            output.push_str("\n\n");
        }
        output.push_str(&tail);
    }
    Ok(ToolOutcome { success, output, ..Default::default() })
}

async fn collect(mut pipe: impl AsyncRead + Unpin, into: Arc<Mutex<Collected>>) {
    let mut buffer = vec![0u8; 16 * 1024];
    while let Ok(read) = pipe.read(&mut buffer).await {
        if read == 0 {
            break;
        }
        let mut collected = into.lock().unwrap_or_else(|p| p.into_inner());
        let room = MAX_OUTPUT_BYTES.saturating_sub(collected.bytes.len());
        let kept = read.min(room);
        collected.bytes.extend_from_slice(&buffer[..kept]);
        collected.dropped += read - kept;
    }
}

/// SIGKILL to the whole process group led by `pid`.
fn kill_group(pid: Option<u32>) {
    if let Some(pid) = pid.and_then(|pid| i32::try_from(pid).ok()).filter(|&pid| pid > 0) {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is involved.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
}
