//! Prototyper's sidecar: the backend commands of the seed app (processes, file system, HTTP,
//! presets, AI streaming and the agent loop) served over JSON-RPC 2.0 on stdio to the VS Code
//! extension host. See ARCHITECTURE.md for the code map and the invariants.

pub mod channel;
pub mod checkpoint;
pub mod commands;
pub mod confine;
pub mod context;
pub mod dispatch;
pub mod editor;
pub mod error;
pub mod permissions;
pub mod protocol;
pub mod rpc;
pub mod textdiff;
pub mod workspace;

/// The protocol version `initialize` checks; bump it when the wire changes incompatibly.
pub const PROTOCOL_VERSION: u32 = 1;
/// The sidecar's own version, as `--version` prints it.
pub const SIDECAR_VERSION: &str = env!("CARGO_PKG_VERSION");
