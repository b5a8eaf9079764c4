//! The command groups, one module each; `dispatch` gathers their `commands()` into one table.

pub mod ai;
pub mod bonsai;
pub mod checkpoints;
pub mod export;
pub mod fs;
pub mod http;
pub mod presets;
pub mod process;
pub mod search;
pub mod workflows;
pub mod scaffold;
