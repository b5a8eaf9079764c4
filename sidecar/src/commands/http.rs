//! TODO: the http command group.

use crate::dispatch::Command;

pub fn commands() -> Vec<Command> {
    Vec::new()
}
