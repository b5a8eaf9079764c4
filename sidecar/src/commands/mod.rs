//! The command groups, one module each; `dispatch` gathers their `commands()` into one table.

pub mod ai;
pub mod checkpoints;
pub mod fs;
pub mod http;
pub mod presets;
pub mod process;
pub mod scaffold;
