//! Wire types shared with TypeScript. These Rust types are the source; `src/protocol/generated/`
//! is generated from them by ts-rs and a test fails when the committed copy is stale.
//!
//! One module per command group. Command params are here too, so the host can type its calls.
//! Conventions: `#[serde(rename_all = "camelCase")]` on every struct; an `Option` field the wire
//! may omit is `#[serde(default, skip_serializing_if = "Option::is_none")] #[ts(optional)]`.

pub mod ai;
pub mod fs;
