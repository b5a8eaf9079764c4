//! TODO: the AI command group.

use crate::dispatch::Command;

/// Streams in flight and pending permission / ask-user waits.
#[derive(Default)]
pub struct AiState {}

pub fn commands() -> Vec<Command> {
    Vec::new()
}
