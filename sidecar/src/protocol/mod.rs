//! Wire types shared with TypeScript. These Rust types are the source; `src/protocol/generated/`
//! is generated from them by ts-rs and a test fails when the committed copy is stale.
