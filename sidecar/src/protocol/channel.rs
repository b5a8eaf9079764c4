//! The channel envelope (the params of the `channel` notification) and the generic terminal error
//! every channel type may end with (ARCHITECTURE.md, "Channels").

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One channel message: `{ id, index, message, terminal? }`. `index` counts from 0 per channel;
/// `terminal: true` marks the last message. `channel::ChannelSender` writes these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChannelEnvelope<T> {
    pub id: u64,
    pub index: u64,
    pub message: T,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub terminal: Option<bool>,
}

/// The data of the generic terminal `{ "event": "Error", "data": ChannelError }`, valid on every
/// channel. `code` is a short machine-readable reason (`sidecar_exited`, `spawn_failed`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChannelError {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub code: Option<String>,
}
