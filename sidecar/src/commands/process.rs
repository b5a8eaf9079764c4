//! TODO: the process command group.

use crate::dispatch::Command;

/// Processes started by the sidecar; they die with it.
#[derive(Default)]
pub struct ProcessTable {}

pub fn commands() -> Vec<Command> {
    Vec::new()
}
