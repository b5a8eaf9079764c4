//! Params of the workflow command group: saved graphs in `.prototyper/workflows/<id>.json`, and
//! running one (`run_workflow`), whose channel carries `CompletionEvent`s like a chat answer.

use super::ai::{ModelOptions, ProviderKind, Think, ToolPermissionMode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// Params of `save_workflow`. `data` is the graph: a JSON string (the seed's form, stored as
/// given) or a JSON object (stored pretty-printed).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct SaveWorkflowParams {
    #[serde(default)]
    pub project_id: Option<String>,
    #[ts(optional = false)]
    pub workflow_id: String,
    #[ts(optional = false, type = "string | Record<string, unknown>")]
    pub data: Value,
}

/// Params of `load_workflow` (answers the file's JSON text).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct LoadWorkflowParams {
    #[serde(default)]
    pub project_id: Option<String>,
    #[ts(optional = false)]
    pub workflow_id: String,
}

/// Params of `list_workflows` (answers `FileEntry[]` of the `.json` files).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ListWorkflowsParams {
    #[serde(default)]
    pub project_id: Option<String>,
}

/// Params of `run_workflow`: the workflow, its input, the channel, and the model settings its AI
/// nodes use (the host fills `host` and `apiKey` as for `generate_completion_stream`). The
/// response `{requestId}` comes after the channel's terminal message.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct RunWorkflowParams {
    #[ts(optional = false)]
    pub workflow_id: String,
    /// What `input` nodes without a value of their own pass on.
    #[serde(default)]
    pub input: Option<String>,
    #[serde(default)]
    pub on_event: Option<u64>,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub provider: Option<ProviderKind>,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub api_key: Option<String>,
    #[serde(default)]
    pub tool_permission_mode: Option<ToolPermissionMode>,
    #[serde(default)]
    pub tool_allowlist: Option<Vec<String>>,
    #[serde(default)]
    pub options: Option<ModelOptions>,
    #[serde(default)]
    pub think: Option<Think>,
    #[serde(default)]
    pub permission_timeout_seconds: Option<f64>,
    #[serde(default)]
    pub idle_timeout_seconds: Option<f64>,
    /// Where the run's changes to files (writefile and bash nodes) are filed, so Restore
    /// checkpoint can undo them like a chat answer's: the chat and the assistant message that
    /// shows the run.
    #[serde(default)]
    pub checkpoint: Option<crate::protocol::checkpoint::CheckpointTarget>,
}
