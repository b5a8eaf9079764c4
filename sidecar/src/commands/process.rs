//! TODO: the process command group.

use crate::dispatch::Command;

/// Processes started by the sidecar; they die with it.
#[derive(Default)]
pub struct ProcessTable {}

impl ProcessTable {
    /// Kills every tracked process (called at shutdown and on EOF).
    pub async fn kill_all(&self) {}
}

pub fn commands() -> Vec<Command> {
    Vec::new()
}
