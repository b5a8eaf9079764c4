//! JSON-RPC 2.0 over stdio with LSP framing: the frame codec, the outgoing queue and the server
//! loop (read, dispatch, cancel, write). Only `rpc::outbox` writes to stdout.

pub mod codec;
pub mod fuzz;
pub mod incoming;
pub mod outbox;
pub mod server;
