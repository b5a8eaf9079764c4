//! Checkpoints on the wire: where a turn's checkpoint is filed, what the turns of a chat changed,
//! and the restore of those changes (see `crate::checkpoint`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The chat and assistant message a turn's changes are filed under (`CompletionRequest.checkpoint`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CheckpointTarget {
    /// 1–128 letters, digits, `-` or `_` (as chat ids are).
    pub chat_id: String,
    pub message_id: String,
}

/// Params of `list_checkpoints` and `delete_checkpoints`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChatCheckpointsParams {
    pub chat_id: String,
}

/// What one assistant message changed (an entry of `list_checkpoints`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CheckpointSummary {
    pub message_id: String,
    /// When its first change was recorded (ms since the epoch).
    pub created_at: f64,
    pub files: Vec<ChangedFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChangedFile {
    pub path: String,
    pub change: FileChange,
    /// Lines added and removed (0 and 0 for binary files and files too large to count).
    pub added: u32,
    pub removed: u32,
    #[serde(default)]
    pub binary: bool,
    pub state: FileState,
    /// Changed by a `bash` command (found by comparing the workspace before and after it).
    #[serde(default)]
    pub by_command: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FileChange {
    Created,
    Modified,
    Deleted,
}

/// What the user decided about a change: nothing yet, keep it, or it was undone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FileState {
    #[default]
    Pending,
    Kept,
    Undone,
}

/// Which changes a restore covers: one message's (Undo), or the message's and every later one's
/// (Restore checkpoint: the files as they were before the message).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RestoreScope {
    Message,
    FromMessage,
}

/// Params of `plan_checkpoint_restore`, `apply_checkpoint_restore` and `keep_checkpoint_files`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CheckpointSelection {
    pub chat_id: String,
    pub message_id: String,
    pub scope: RestoreScope,
    /// Only these files (workspace-relative); absent: every file in the scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub paths: Option<Vec<String>>,
    /// For `apply_checkpoint_restore`: files the user has edited since that may be overwritten
    /// anyway (they said so after seeing the differences).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub overwrite: Option<Vec<String>>,
}

/// `plan_checkpoint_restore`: each file with the three versions a restore is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RestorePlan {
    pub files: Vec<PlannedFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlannedFile {
    pub path: String,
    pub status: PlanStatus,
    /// The file before the changes (what a restore brings back).
    pub before: FileText,
    /// The file as the agent's changes left it.
    pub after: FileText,
    /// The file now (the editor's text when it is open).
    pub current: FileText,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// It still holds what the changes left: a restore replaces nothing else.
    Unchanged,
    /// Edited since (by the user or a later change): a restore would discard those edits.
    Edited,
    /// It already holds the version a restore would bring back.
    Restored,
}

/// One version of a file. `text` is absent when the file does not exist, is not text, or is over
/// the size shown (`binary` / `tooLarge` say which).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FileText {
    pub exists: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub text: Option<String>,
    #[serde(default)]
    pub binary: bool,
    #[serde(default)]
    pub too_large: bool,
}

/// `apply_checkpoint_restore`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RestoreResult {
    pub restored: Vec<String>,
    pub skipped: Vec<SkippedFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SkippedFile {
    pub path: String,
    /// Why, as a sentence.
    pub reason: String,
}
