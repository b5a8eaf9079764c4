//! The sidecar's one integration-test binary: each module drives the real built binary through
//! `harness` over framed JSON-RPC, one module per command group (one binary builds faster on
//! two cores than one per file).

mod harness;

mod ai;
mod bonsai;
mod commands;
mod export;
mod workflows;
mod fs;
mod http;
mod presets;
mod confinement;
mod search;
mod asset_links;
mod process;
mod protocol;
mod rpc;
mod scaffold;
mod scaffold_store;
