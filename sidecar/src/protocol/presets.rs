//! Params and result types of the presets command group. `ModelOptions` is the AI group's type
//! (`protocol::ai`), since the same options travel with a completion request.

use super::ai::ModelOptions;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A named set of model options. Built-ins come from the sidecar with `builtIn: true`; the user's
/// own are stored in `<storageDir>/model-presets.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ModelPreset {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub options: ModelOptions,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub built_in: Option<bool>,
}

/// Params of `save_model_presets`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SaveModelPresetsParams {
    pub presets: Vec<ModelPreset>,
}
