//! Params, results and channel messages of the process command group.

use super::channel::ChannelError;
use crate::channel::ChannelMessage;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A process channel message: `Output` any number of times, then exactly one terminal `Exit`
/// (or the generic terminal `Error`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "event", content = "data")]
pub enum ProcessEvent {
    /// Complete lines read from one stream, coalesced per read (never split mid-line; a final
    /// line without a newline comes when the stream ends). Line endings are stripped.
    Output { stream: OutputStream, lines: Vec<String> },
    /// The process ended: `code` when it exited, `signal` (e.g. `SIGTERM`) when it was killed.
    Exit { code: Option<i32>, signal: Option<String> },
    /// It could not be run or watched.
    Error(ChannelError),
}

impl ChannelMessage for ProcessEvent {
    fn is_terminal(&self) -> bool {
        !matches!(self, ProcessEvent::Output { .. })
    }
    fn abandoned() -> Self {
        ProcessEvent::Error(ChannelError {
            message: "The process's output stream ended unexpectedly inside the sidecar; see the Prototyper Sidecar output.".into(),
            code: Some("internal".into()),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum OutputStream {
    Stdout,
    Stderr,
}

/// What the spawning commands return at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SpawnResult {
    pub pid: u32,
}

/// Params of `bun_dev`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BunDevParams {
    /// Workspace-relative folder of the project.
    pub cwd: String,
    pub port: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub on_event: Option<u64>,
}

/// Params of `bun_build`, `bun_install` and `bun_install_sync` (which ignores `onEvent`).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CwdParams {
    pub cwd: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub on_event: Option<u64>,
}

/// Params of `run_shell_command` (`onEvent` streams its output), `run_shell_command_sync` and
/// `run_shell_command_capture`. `command` is split like a POSIX shell would (no expansion,
/// pipes or redirection) and its first word must be an allowed program.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ShellCommandParams {
    pub cwd: String,
    pub command: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub on_event: Option<u64>,
}

/// Params of `kill_process`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KillProcessParams {
    pub pid: u32,
}

/// Params of `kill_port` (a list, as in the seed).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KillPortParams {
    pub ports: Vec<u16>,
}
