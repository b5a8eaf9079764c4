//! The AI command group: completions (streamed, with the agent loop, and one-shot), stopping a
//! stream, answering its permission and ask-user requests, model lists and model pulls, and code
//! for the editor (`generate_inline`).
//!
//! Code map: `stream` (the lifecycle of a streamed completion), `agent` (the tool loop), `gate`
//! (permission modes and the waits for the user), `tools/` (what the agent can do),
//! `providers/` (Ollama, OpenAI-compatible and Anthropic wire formats), `models` (lists,
//! `get_model_info` and the capability cache), `capabilities` (reading what servers say about
//! their models), `usage` (token counts and speed), `pull` (model downloads), `events` (where
//! events go), `inline` (editor code: fill-in-the-middle or instruction prompts, `inline/prompt.rs`).
//! The wire types are in `crate::protocol::ai`.

pub mod agent;
pub mod capabilities;
pub mod events;
pub mod gate;
pub mod inline;
pub mod models;
pub mod providers;
pub mod pull;
pub mod stream;
pub mod tools;
pub mod usage;

use crate::command;
use crate::context::RequestContext;
use crate::dispatch::Command;
use crate::error::AppError;
use crate::permissions::{Effect, Group};
use crate::protocol::ai::{
    AnthropicModel, CompletionRequest, ListModelsParams, OllamaModel, OpenAiModel, ResolveAskUserFormParams, ResolveAskUserParams,
    ResolveToolPermissionParams, StopGenerationParams,
};
use crate::protocol::models::{ModelDetails, ModelInfoParams};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Streams in flight and pending permission / ask-user waits, for the sidecar's lifetime.
#[derive(Default)]
pub struct AiState {
    /// The cancel token of each running stream (and model pull), by channel id.
    pub(crate) streams: Mutex<HashMap<u64, CancellationToken>>,
    pub(crate) waits: gate::Waits,
    pub(crate) models: models::ModelCache,
    client: OnceLock<reqwest::Client>,
}

impl AiState {
    /// The shared HTTP client: one connection pool for every provider request.
    pub fn client(&self) -> reqwest::Client {
        self.client
            .get_or_init(|| {
                reqwest::Client::builder()
                    .connect_timeout(Duration::from_secs(10))
                    .tcp_nodelay(true)
                    .user_agent(concat!("prototyper-sidecar/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .unwrap_or_else(|_| reqwest::Client::new())
            })
            .clone()
    }

    /// How many streams are running (for diagnostics and tests).
    pub fn running_streams(&self) -> usize {
        self.streams.lock().map(|s| s.len()).unwrap_or(0)
    }
}

pub fn commands() -> Vec<Command> {
    vec![
        command!("generate_completion", Group::Ai, Effect::Read, generate_completion),
        command!("generate_completion_stream", Group::Ai, Effect::Read, stream::generate_completion_stream),
        command!("stop_generation_stream", Group::Ai, Effect::Read, stop_generation_stream),
        command!("resolve_tool_permission", Group::Ai, Effect::Read, resolve_tool_permission),
        command!("resolve_ask_user", Group::Ai, Effect::Read, resolve_ask_user),
        command!("resolve_ask_user_form", Group::Ai, Effect::Read, resolve_ask_user_form),
        command!("list_ollama_models", Group::Ai, Effect::Read, list_ollama_models),
        command!("list_anthropic_models", Group::Ai, Effect::Read, list_anthropic_models),
        command!("list_openai_models", Group::Ai, Effect::Read, list_openai_models),
        command!("get_model_info", Group::Ai, Effect::Read, get_model_info),
        command!("pull_ollama_model", Group::Ai, Effect::Read, pull::pull_ollama_model),
        command!("generate_inline", Group::Ai, Effect::Read, inline::generate_inline),
    ]
}

async fn generate_completion(context: RequestContext, request: CompletionRequest) -> Result<String, AppError> {
    stream::generate_completion(context, request).await
}

async fn stop_generation_stream(context: RequestContext, params: StopGenerationParams) -> Result<Value, AppError> {
    stream::stop(&context.state.ai.streams, params.request_id)?;
    Ok(Value::Null)
}

async fn resolve_tool_permission(context: RequestContext, params: ResolveToolPermissionParams) -> Result<Value, AppError> {
    context.state.ai.waits.resolve_permission(params.permission_id, params.decision, params.content)?;
    Ok(Value::Null)
}

async fn resolve_ask_user(context: RequestContext, params: ResolveAskUserParams) -> Result<Value, AppError> {
    context.state.ai.waits.resolve_question(params.request_id, params.answer)?;
    Ok(Value::Null)
}

async fn resolve_ask_user_form(context: RequestContext, params: ResolveAskUserFormParams) -> Result<Value, AppError> {
    context.state.ai.waits.resolve_form(params.request_id, params.answers)?;
    Ok(Value::Null)
}

async fn list_ollama_models(context: RequestContext, params: ListModelsParams) -> Result<Vec<OllamaModel>, AppError> {
    let ai = &context.state.ai;
    models::list_ollama_models(&ai.models, &ai.client(), params, &context.cancel).await
}

async fn list_anthropic_models(context: RequestContext, params: ListModelsParams) -> Result<Vec<AnthropicModel>, AppError> {
    let ai = &context.state.ai;
    models::list_anthropic_models(&ai.models, &ai.client(), params, &context.cancel).await
}

async fn list_openai_models(context: RequestContext, params: ListModelsParams) -> Result<Vec<OpenAiModel>, AppError> {
    let ai = &context.state.ai;
    models::list_openai_models(&ai.models, &ai.client(), params, &context.cancel).await
}

/// `get_model_info {provider, model, host?, apiKey?}`: what the model can do and what the sidecar
/// sends for it (ModelDetails), so the webview keeps no provider rules of its own.
async fn get_model_info(context: RequestContext, params: ModelInfoParams) -> Result<ModelDetails, AppError> {
    if params.model.trim().is_empty() {
        return Err(AppError::invalid_params("get_model_info needs model: the id of the model to describe"));
    }
    let ai = &context.state.ai;
    let endpoint = providers::Endpoint::new(params.provider.unwrap_or_default(), params.host.as_deref(), params.api_key.as_deref());
    models::model_details(&ai.models, &ai.client(), &endpoint, &params.model, &context.cancel, Duration::from_secs(30))
        .await
        .map_err(models::to_app_error)
}
