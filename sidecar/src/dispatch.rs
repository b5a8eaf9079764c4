//! The one dispatch table: every command the sidecar serves, with its permission group and effect.
//!
//! A command is a JSON-RPC method named as in the seed app whose params are one camelCase object.
//! `command!` turns a plain `async fn(RequestContext, Params) -> Result<R, AppError>` into a table
//! entry: params that do not deserialize become "invalid params" (-32602) naming the command, and
//! the result is serialized to JSON. To add a command: write the handler in its group's module under
//! `commands/`, add a `command!` line to that module's `commands()`, and give it a group in
//! `capabilities/default.json` if the group is new.

use crate::context::RequestContext;
use crate::error::AppError;
use crate::permissions::{Effect, Group};
use futures::future::BoxFuture;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

pub type HandlerFuture = BoxFuture<'static, Result<Value, AppError>>;

/// One entry of the dispatch table.
pub struct Command {
    pub name: &'static str,
    pub group: Group,
    pub effect: Effect,
    pub run: fn(RequestContext, Value) -> HandlerFuture,
    /// Only deserializes the params (the fuzz target's view of a command: no side effects).
    pub validate: fn(Value) -> Result<(), AppError>,
}

/// Builds a `Command` from a handler `async fn(RequestContext, P) -> Result<R, AppError>`.
#[macro_export]
macro_rules! command {
    ($name:literal, $group:expr, $effect:expr, $handler:path) => {
        $crate::dispatch::Command {
            name: $name,
            group: $group,
            effect: $effect,
            run: |context, params| {
                Box::pin(async move {
                    let params = $crate::dispatch::parse_params($name, params)?;
                    let result = $handler(context, params).await?;
                    $crate::dispatch::to_result(result)
                })
            },
            validate: |params| $crate::dispatch::check_params($handler, $name, params),
        }
    };
}

/// Deserializes a command's params. A missing params object is read as `{}` so that commands
/// without arguments (`kill_all_processes`, `load_model_presets`) accept both forms.
pub fn parse_params<P: DeserializeOwned>(command: &str, params: Value) -> Result<P, AppError> {
    let params = if params.is_null() { Value::Object(Default::default()) } else { params };
    serde_json::from_value(params)
        .map_err(|err| AppError::invalid_params(format!("Invalid params for {command}: {err}")))
}

/// Deserializes `params` as `handler`'s params type, and nothing else.
pub fn check_params<P: DeserializeOwned, F>(_handler: impl Fn(RequestContext, P) -> F, command: &str, params: Value) -> Result<(), AppError> {
    parse_params::<P>(command, params).map(|_| ())
}

pub fn to_result<R: Serialize>(result: R) -> Result<Value, AppError> {
    serde_json::to_value(result).map_err(|err| AppError::internal(format!("could not serialize the result: {err}")))
}

/// Every command, gathered from the command-group modules.
fn all_commands() -> Vec<Command> {
    let mut commands = Vec::new();
    commands.extend(crate::commands::process::commands());
    commands.extend(crate::commands::fs::commands());
    commands.extend(crate::commands::http::commands());
    commands.extend(crate::commands::presets::commands());
    commands.extend(crate::commands::ai::commands());
    commands.extend(crate::commands::bonsai::commands());
    commands.extend(crate::commands::export::commands());
    commands.extend(crate::commands::workflows::commands());
    commands.extend(crate::commands::search::commands());
    commands.extend(crate::commands::checkpoints::commands());
    commands.extend(crate::commands::scaffold::commands());
    commands
}

/// The table, built once.
pub fn table() -> &'static HashMap<&'static str, Command> {
    static TABLE: OnceLock<HashMap<&'static str, Command>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = HashMap::new();
        for command in all_commands() {
            let name = command.name;
            let previous = table.insert(name, command);
            assert!(previous.is_none(), "command {name} is registered twice");
        }
        table
    })
}

/// The command names, sorted, as `initialize` reports them.
pub fn command_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = table().keys().copied().collect();
    names.sort_unstable();
    names
}
