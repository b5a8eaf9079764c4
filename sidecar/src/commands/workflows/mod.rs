//! The workflow command group: the seed's `save_workflow`, `load_workflow` and `list_workflows`,
//! which keep JSON graphs in the workspace's `.prototyper/workflows/<id>.json`, and
//! `run_workflow`, which runs one in graph order and streams its progress as CompletionEvents, so
//! a chat shows it like an answer (see `run`).
//!
//! A workflow id matches `^[a-zA-Z0-9_-]+$`, so it is always one plain file name. `load_workflow`
//! answers the file's text (as the seed does) after checking that it is a JSON object; a
//! malformed file is an error naming the file and the problem.

pub mod graph;
mod run;

use crate::command;
use crate::confine::{RelPath, Root};
use crate::context::RequestContext;
use crate::dispatch::Command;
use crate::error::AppError;
use crate::permissions::{Effect, Group};
use crate::protocol::fs::FileEntry;
use crate::protocol::workflows::{ListWorkflowsParams, LoadWorkflowParams, SaveWorkflowParams};
use serde_json::Value;

pub const FOLDER: &str = ".prototyper/workflows";
const MAX_WORKFLOW_BYTES: u64 = 5 * 1024 * 1024;

pub fn commands() -> Vec<Command> {
    vec![
        command!("save_workflow", Group::Fs, Effect::Write, save_workflow),
        command!("load_workflow", Group::Fs, Effect::Read, load_workflow),
        command!("list_workflows", Group::Fs, Effect::Read, list_workflows),
        command!("run_workflow", Group::Ai, Effect::Read, run::run_workflow),
    ]
}

/// The file of workflow `id`, after checking the id.
pub fn workflow_file(id: &str) -> Result<RelPath, AppError> {
    let plain = !id.is_empty() && id.len() <= 128 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !plain {
        return Err(AppError::invalid_params(format!(
            "workflow id '{id}' is not allowed: use letters, digits, '_' and '-' only (it becomes the file name {FOLDER}/<id>.json)"
        )));
    }
    RelPath::parse(&format!("{FOLDER}/{id}.json"))
}

/// Reads workflow `id`'s text; errors name the file.
pub fn read_workflow(workspace: &Root, id: &str) -> Result<String, AppError> {
    let file = workflow_file(id)?;
    let bytes = match workspace.read_regular(&file, MAX_WORKFLOW_BYTES) {
        Ok(bytes) => bytes,
        Err(err) if err.is_not_found() => {
            return Err(AppError::not_found(format!("there is no workflow '{id}' ({} does not exist); list_workflows lists the saved ones", file.wire())))
        }
        Err(err) => return Err(err.to_app_error(&file, "read")),
    };
    String::from_utf8(bytes).map_err(|_| AppError::io(format!("{} is not UTF-8 text; fix the file or save the workflow again", file.wire())))
}

/// Checks a workflow's text is a JSON object (the graph); the message names the file.
fn check_object(text: &str, file: &RelPath) -> Result<(), AppError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(_)) => Ok(()),
        Ok(_) => Err(AppError::invalid_params(format!("{} is not a workflow: it must be a JSON object with \"nodes\" and \"edges\"", file.wire()))),
        Err(err) => Err(AppError::invalid_params(format!("{} is not valid JSON ({err}); fix the file or save the workflow again", file.wire()))),
    }
}

async fn save_workflow(context: RequestContext, params: SaveWorkflowParams) -> Result<(), AppError> {
    let file = workflow_file(&params.workflow_id)?;
    let text = match params.data {
        // The seed's form: the graph as a JSON string, stored exactly as given.
        Value::String(text) => {
            match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(_)) => text,
                Ok(_) => return Err(AppError::invalid_params("data is not a workflow: it must be a JSON object with \"nodes\" and \"edges\"")),
                Err(err) => return Err(AppError::invalid_params(format!("data is not valid JSON ({err}); pass the graph as a JSON object or its text"))),
            }
        }
        Value::Object(_) => serde_json::to_string_pretty(&params.data).unwrap_or_default(),
        _ => return Err(AppError::invalid_params("data is not a workflow: pass the graph as a JSON object, or its JSON text")),
    };
    let workspace = context.session.workspace.root()?.clone();
    blocking(move || workspace.write_atomic(&file, text.as_bytes()).map(|_| ()).map_err(|err| err.to_app_error(&file, "write"))).await
}

async fn load_workflow(context: RequestContext, params: LoadWorkflowParams) -> Result<String, AppError> {
    let workspace = context.session.workspace.root()?.clone();
    blocking(move || {
        let text = read_workflow(&workspace, &params.workflow_id)?;
        check_object(&text, &workflow_file(&params.workflow_id)?)?;
        Ok(text)
    })
    .await
}

async fn list_workflows(context: RequestContext, _params: ListWorkflowsParams) -> Result<Vec<FileEntry>, AppError> {
    let workspace = context.session.workspace.root()?.clone();
    blocking(move || {
        let folder = RelPath::parse(FOLDER)?;
        let entries = match workspace.list(&folder) {
            Ok(entries) => entries,
            Err(err) if err.is_not_found() => return Ok(Vec::new()),
            Err(err) => return Err(err.to_app_error(&folder, "list")),
        };
        Ok(entries
            .into_iter()
            .filter(|entry| !entry.is_dir && entry.name.ends_with(".json") && workflow_file(&entry.name[..entry.name.len() - 5]).is_ok())
            .map(|entry| FileEntry { path: folder.join(&entry.name).wire().to_string(), name: entry.name, is_dir: false, modified_ms: entry.modified_ms })
            .collect())
    })
    .await
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, AppError> + Send + 'static) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work).await.map_err(|err| AppError::internal(format!("the file operation failed unexpectedly ({err})")))?
}
