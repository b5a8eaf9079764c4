//! Wire types of the model lists and of `get_model_info` (ARCHITECTURE.md, "The wire"): what each
//! provider's models can do, as the sidecar found out from the server, so the webview shows and
//! sends what the sidecar decides instead of keeping provider rules of its own.
//!
//! Capabilities are the words Ollama's `/api/show` uses: `completion`, `tools`, `thinking`,
//! `vision` (and `insert`, `embedding`). Model pulls (`pull_ollama_model`) are here too. `ai.rs`
//! re-exports these types under their old paths.

use super::ai::{ErrorEvent, ProviderKind};
use crate::channel::ChannelMessage;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An entry of `list_ollama_models`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OllamaModel {
    pub id: String,
    pub name: String,
    /// From `/api/show`: `completion`, `tools`, `thinking`, `vision`, `insert`, `embedding`.
    pub capabilities: Vec<String>,
    pub family: String,
    pub families: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub context_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub parameter_size: Option<String>,
    /// `ollama-local`, or `ollama-cloud` for https://ollama.com.
    pub provider: String,
}

/// An entry of `list_anthropic_models`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AnthropicModel {
    pub id: String,
    pub display_name: String,
    pub created_at: String,
    /// From the Models API's `capabilities` when it sends them, else from the model's generation.
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// `max_input_tokens`, when the Models API sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub context_length: Option<u32>,
}

/// An entry of `list_openai_models`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OpenAiModel {
    pub id: String,
    /// What the server said about the model (LM Studio's model list, llama.cpp's `/props`,
    /// OpenRouter's `supported_parameters`, OpenAI's own model families); empty when it said
    /// nothing, which means unknown, not "none".
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// The context window, when the server reports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub context_length: Option<u32>,
}

/// Params of `list_ollama_models`, `list_anthropic_models` and `list_openai_models`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ListModelsParams {
    /// The provider's base URL; absent or empty means its default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub api_key: Option<String>,
}

/// Params of `get_model_info`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ModelInfoParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub provider: Option<ProviderKind>,
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub api_key: Option<String>,
}

/// How the Thinking control works for a model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ThinkingControl {
    /// The model does not think (or nobody says it does): no control, `think` is not sent.
    #[default]
    None,
    /// On or off (`think: true|false`).
    Toggle,
    /// On or off, and a level (`"low"`/`"medium"`/`"high"`) while on: Claude's budget, OpenAI's
    /// reasoning effort.
    Levels,
    /// Always reasons, at a level; with Thinking off it gets `"low"` (gpt-oss).
    AlwaysLevels,
}

/// The answer of `get_model_info`: what the selected model can do and what the sidecar will send
/// for it. The webview shows this and decides nothing about providers itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ModelDetails {
    pub id: String,
    pub provider: ProviderKind,
    /// `tools`, `thinking`, `vision`, `completion`, … as detected.
    pub capabilities: Vec<String>,
    /// False when the server said nothing about the model: tools are then tried (a refusal comes
    /// back as an error), and thinking is not offered.
    pub capabilities_known: bool,
    /// The model's context window as the server reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub context_length: Option<u32>,
    /// The window the sidecar sends with each request when the user sets none (Ollama's
    /// `num_ctx`: the model's own, capped for memory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub num_ctx: Option<u32>,
    pub thinking: ThinkingControl,
    /// Where the answer came from: `"/api/show"`, `"/props"`, `"/api/v0/models"`, `"/v1/models"`,
    /// `"model name"`, or `"nothing"`.
    pub source: String,
    /// Sentences worth showing: what the model cannot do and what to do about it.
    pub notes: Vec<String>,
}

/// Params of `pull_ollama_model`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PullModelParams {
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub api_key: Option<String>,
    /// The channel the PullEvents go to.
    pub on_event: u64,
}

/// The message type of a `pull_ollama_model` channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "event", content = "data")]
pub enum PullEvent {
    Progress(PullProgress),
    Done(PullDone),
    Error(ErrorEvent),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PullProgress {
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub total: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub completed: Option<u64>,
}

/// `Done {}` of a pull: serialized as an empty object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct PullDone {}

impl ChannelMessage for PullEvent {
    fn is_terminal(&self) -> bool {
        matches!(self, PullEvent::Done(_) | PullEvent::Error(_))
    }
    fn abandoned() -> Self {
        PullEvent::Error(ErrorEvent {
            message: "The model pull ended unexpectedly inside the sidecar; see the Prototyper Sidecar output and retry.".into(),
            code: Some("internal".into()),
        })
    }
}
