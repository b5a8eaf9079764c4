//! The checkpoint commands (see `crate::checkpoint`): what each message of a chat changed, the
//! plan and the application of a restore, Keep, and deleting a chat's checkpoints with the chat.
//!
//! The host drives restores: it asks for the plan, asks the user about files edited since (showing
//! the differences), then applies with the files the user allowed to be overwritten.

use crate::checkpoint::{restore, Checkpoints, TurnRecorder};
use crate::command;
use crate::context::RequestContext;
use crate::dispatch::Command;
use crate::error::AppError;
use crate::permissions::{Effect, Group};
use crate::protocol::checkpoint::{ChatCheckpointsParams, CheckpointSelection, CheckpointTarget, CheckpointSummary, RestorePlan, RestoreResult};
use serde_json::Value;
use std::sync::{Arc, OnceLock};

/// The workspace's checkpoints, opened at first use (after `initialize`).
#[derive(Default)]
pub struct CheckpointState {
    opened: OnceLock<Result<Arc<Checkpoints>, String>>,
}

/// The checkpoints of the session's workspace.
pub fn checkpoints(context: &RequestContext) -> Result<Arc<Checkpoints>, AppError> {
    let session = &context.session;
    let root = session.workspace.root()?;
    context
        .state
        .checkpoints
        .opened
        .get_or_init(|| Checkpoints::open(&session.storage, root).map(Arc::new))
        .clone()
        .map_err(|reason| AppError::io(format!("Checkpoints are not available: {reason}. Check that the extension's storage folder is writable.")))
}

/// The recorder of one turn's changes (a chat answer or a workflow run), filed under `target`.
/// Checkpoints that cannot be opened (say, a storage folder that is not writable) are named in the
/// sidecar's log and the turn runs without them, as a turn did before checkpoints existed.
pub(crate) fn turn_recorder(context: &RequestContext, target: Option<&CheckpointTarget>) -> Option<Arc<TurnRecorder>> {
    let target = target?;
    let opened = checkpoints(context).map_err(|err| err.message).and_then(|checkpoints| checkpoints.turn(target));
    match opened {
        Ok(recorder) => Some(Arc::new(recorder)),
        Err(reason) => {
            crate::rpc::server::log(&format!("this turn's changes are not recorded for undo: {reason}"));
            None
        }
    }
}

pub fn commands() -> Vec<Command> {
    vec![
        command!("list_checkpoints", Group::Fs, Effect::Read, list_checkpoints),
        command!("plan_checkpoint_restore", Group::Fs, Effect::Read, plan_checkpoint_restore),
        command!("apply_checkpoint_restore", Group::Fs, Effect::Write, apply_checkpoint_restore),
        command!("keep_checkpoint_files", Group::Fs, Effect::WriteStorage, keep_checkpoint_files),
        command!("delete_checkpoints", Group::Fs, Effect::WriteStorage, delete_checkpoints),
    ]
}

fn failed(reason: String) -> AppError {
    AppError::io(format!("Checkpoint: {reason}"))
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, String> + Send + 'static) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work).await.map_err(|err| AppError::internal(format!("the checkpoint operation failed unexpectedly ({err})")))?.map_err(failed)
}

async fn list_checkpoints(context: RequestContext, params: ChatCheckpointsParams) -> Result<Vec<CheckpointSummary>, AppError> {
    let checkpoints = checkpoints(&context)?;
    blocking(move || restore::list(&checkpoints, &params.chat_id)).await
}

async fn plan_checkpoint_restore(context: RequestContext, selection: CheckpointSelection) -> Result<RestorePlan, AppError> {
    let checkpoints = checkpoints(&context)?;
    restore::plan(checkpoints, &context.session.editors, selection).await.map_err(failed)
}

async fn apply_checkpoint_restore(context: RequestContext, selection: CheckpointSelection) -> Result<RestoreResult, AppError> {
    let checkpoints = checkpoints(&context)?;
    restore::apply(checkpoints, &context.session.editors, selection).await.map_err(failed)
}

async fn keep_checkpoint_files(context: RequestContext, selection: CheckpointSelection) -> Result<Value, AppError> {
    let checkpoints = checkpoints(&context)?;
    blocking(move || restore::keep(&checkpoints, &selection)).await?;
    Ok(Value::Null)
}

async fn delete_checkpoints(context: RequestContext, params: ChatCheckpointsParams) -> Result<Value, AppError> {
    let checkpoints = checkpoints(&context)?;
    blocking(move || restore::delete(&checkpoints, &params.chat_id)).await?;
    Ok(Value::Null)
}
