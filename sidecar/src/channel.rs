//! The seed's `Channel<T>` on the sidecar side: numbered messages on one channel, at most one
//! terminal message, and nothing after it.
//!
//! Each message goes out as the notification `channel` with params
//! `{ id, index, message, terminal? }` (design.md §2). `index` starts at 0 and rises by exactly one.
//! `terminal: true` marks the last message so relays can free their replay buffers without knowing
//! the message type. A sender dropped before it sent a terminal message (a bug, a panic in the
//! handler) sends `T::abandoned()` so no caller is ever left waiting on an open channel.

use crate::rpc::outbox::Outbox;
use serde::Serialize;
use std::fmt::Write as _;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

/// A message type that can travel on a channel.
pub trait ChannelMessage: Serialize + Send + Sync + 'static {
    /// True for the message that ends the stream (`Done`/`Error`, a process's `Exit`, …).
    fn is_terminal(&self) -> bool;
    /// The terminal message sent when a sender is dropped without having sent one.
    fn abandoned() -> Self;
}

struct ChannelState {
    next_index: u64,
    closed: bool,
}

/// Sends the messages of one channel. Shared with `Arc` between the tasks that produce them.
pub struct ChannelSender<T: ChannelMessage> {
    id: u64,
    outbox: Outbox,
    state: Mutex<ChannelState>,
    _message: PhantomData<fn(T)>,
}

impl<T: ChannelMessage> ChannelSender<T> {
    pub fn new(id: u64, outbox: Outbox) -> Arc<Self> {
        Arc::new(ChannelSender {
            id,
            outbox,
            state: Mutex::new(ChannelState { next_index: 0, closed: false }),
            _message: PhantomData,
        })
    }

    /// The channel id the caller allocated (the `onEvent` param).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Sends `message` as the channel's next message, queued for the writer thread. Returns false,
    /// sending nothing, once the terminal message has been sent or the host is gone.
    pub fn send(&self, message: T) -> bool {
        self.deliver(message, Outbox::send_body)
    }

    /// Sends `message` by writing it to stdout from this thread, blocking while the host is not
    /// reading (`Outbox::write_now`). For threads reading a child's pipe, never for async tasks.
    /// A channel's messages must all take one door, except the terminal one sent after the others
    /// returned, or their wire order could differ from their indices.
    pub fn send_now(&self, message: T) -> bool {
        self.deliver(message, Outbox::write_now)
    }

    fn deliver(&self, message: T, door: fn(&Outbox, Vec<u8>) -> bool) -> bool {
        let terminal = message.is_terminal();
        // Serialize outside the lock: it is the expensive part, and order is only decided below.
        let Ok(message_json) = serde_json::to_string(&message) else {
            return false;
        };
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.closed {
            return false;
        }
        let mut body = String::with_capacity(message_json.len() + 96);
        let _ = write!(
            body,
            r#"{{"jsonrpc":"2.0","method":"channel","params":{{"id":{},"index":{},"message":{}{}}}}}"#,
            self.id,
            state.next_index,
            message_json,
            if terminal { r#","terminal":true"# } else { "" }
        );
        state.next_index += 1;
        state.closed = terminal;
        // Handed over under the lock so that index order is wire order.
        door(&self.outbox, body.into_bytes())
    }

    /// True once the terminal message went out.
    pub fn is_closed(&self) -> bool {
        self.state.lock().map(|state| state.closed).unwrap_or(true)
    }

    /// How many messages were sent so far.
    pub fn sent(&self) -> u64 {
        self.state.lock().map(|state| state.next_index).unwrap_or(0)
    }
}

impl<T: ChannelMessage> Drop for ChannelSender<T> {
    fn drop(&mut self) {
        if !self.is_closed() {
            self.send(T::abandoned());
        }
    }
}
