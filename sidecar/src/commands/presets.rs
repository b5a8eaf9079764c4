//! TODO: the presets command group.

use crate::dispatch::Command;

pub fn commands() -> Vec<Command> {
    Vec::new()
}
