//! Where a completion's events go: the stream's channel, or nowhere for the one-shot
//! `generate_completion` (which only wants the final text).

use crate::channel::ChannelSender;
use crate::protocol::ai::{ChunkEvent, CompletionEvent, ToolCallDeltaEvent};
use std::sync::Arc;

#[derive(Clone, Default)]
pub struct Events {
    sender: Option<Arc<ChannelSender<CompletionEvent>>>,
}

impl Events {
    pub fn channel(sender: Arc<ChannelSender<CompletionEvent>>) -> Self {
        Events { sender: Some(sender) }
    }

    /// Events that go nowhere.
    pub fn none() -> Self {
        Events { sender: None }
    }

    /// True when someone can answer a ToolPermission or AskUser.
    pub fn interactive(&self) -> bool {
        self.sender.as_ref().is_some_and(|sender| !sender.is_closed())
    }

    /// Sends `event`; false when nobody receives it (no channel, closed, host gone).
    pub fn send(&self, event: CompletionEvent) -> bool {
        self.sender.as_ref().is_some_and(|sender| sender.send(event))
    }

    /// A Chunk, sent only when there is text or thinking (the seed's rule).
    pub fn chunk(&self, text: String, thinking: String) {
        if text.is_empty() && thinking.is_empty() {
            return;
        }
        let thinking = (!thinking.is_empty()).then_some(thinking);
        self.send(CompletionEvent::Chunk(ChunkEvent { text, thinking }));
    }

    /// A ToolCallDelta: call `id` named `tool` grew by `args_delta` (empty when it is announced).
    pub fn tool_call_delta(&self, id: String, tool: String, args_delta: String) {
        self.send(CompletionEvent::ToolCallDelta(ToolCallDeltaEvent { id, tool, args_delta }));
    }
}
