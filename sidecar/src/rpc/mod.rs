//! JSON-RPC 2.0 over stdio with LSP framing: the frame codec, the outgoing queue, the server
//! loop (read, dispatch, cancel, write) and the sidecar's own requests to the host (`host`). Only
//! `rpc::outbox` writes to stdout.

pub mod codec;
pub mod fuzz;
pub mod host;
pub mod incoming;
pub mod outbox;
pub mod server;
