//! The lifecycle of `generate_completion_stream` (design.md §2, which overrides the seed here):
//! register the stream under its channel id so `stop_generation_stream` can find it, check what
//! can be checked before streaming (model chosen, key present, the tool choice, the model's
//! capabilities and context length as `models::model_details` found them), run the agent loop, send its one terminal event as the channel's last
//! message, and only then answer the request with `{ requestId }`.
//!
//! Both stops (`stop_generation_stream` and `$/cancelRequest`) cancel the same token: the stream's
//! token is a child of the request's, so the server's cancel reaches it too.

use super::agent::{Agent, Limits};
use super::events::Events;
use super::models::model_details;
use super::providers::{Endpoint, Failure};
use super::tools::{self, ToolContext};
use crate::context::RequestContext;
use crate::error::AppError;
use crate::protocol::ai::{CompletionEvent, CompletionRequest, DoneEvent, Message, ProviderKind, StreamStarted, Think, ToolChoice};
use crate::protocol::models::ThinkingControl;
use serde_json::json;
use std::sync::Mutex;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const DEFAULT_IDLE: Duration = Duration::from_secs(60);
const DEFAULT_PERMISSION_WAIT: Duration = Duration::from_secs(300);
const DEFAULT_ASK_WAIT: Duration = Duration::from_secs(180);
const DEFAULT_BASH_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_MAX_TOOL_CALLS: u32 = 20;
pub use super::capabilities::NUM_CTX_CAP;

pub async fn generate_completion_stream(context: RequestContext, request: CompletionRequest) -> Result<StreamStarted, AppError> {
    let Some(channel) = request.on_event else {
        return Err(AppError::invalid_params("generate_completion_stream needs onEvent: the id of the channel its events go to"));
    };
    
    let cancel = context.cancel.child_token();
    let _registration = Registration::new(&context.state.ai.streams, channel, cancel.clone())?;
    let sender = context.channel::<CompletionEvent>(channel);
    let events = Events::channel(sender.clone());
    let started = std::time::Instant::now();
    let what = format!("{} model {:?}", provider_name(request.provider.unwrap_or_default()), request.model);
    let terminal = match prepare(&context, request, events, cancel.clone(), false).await {
        Ok(agent) => agent.run().await.terminal,
        Err(failure) if failure.code == "cancelled" => CompletionEvent::Done(DoneEvent { done_reason: Some("cancelled".into()), ..Default::default() }),
        Err(failure) => CompletionEvent::error(failure.message, failure.code),
    };
    // One line per stream for the Prototyper Sidecar output (never the key or the conversation).
    let ending = match &terminal {
        CompletionEvent::Error(error) => format!("Error ({}): {}", error.code.as_deref().unwrap_or("-"), error.message),
        CompletionEvent::Done(done) => format!("Done ({})", done.done_reason.as_deref().unwrap_or("-")),
        _ => String::new(),
    };
    crate::rpc::server::log(&format!("stream {channel}: {what} ended after {} ms: {ending}", started.elapsed().as_millis()));
    sender.send(terminal);
    Ok(StreamStarted { request_id: channel })
}

/// `generate_completion`: the same request without a channel; returns the answer's text. Tools are
/// not run (nobody could approve them); the model answers from the conversation alone.
pub async fn generate_completion(context: RequestContext, request: CompletionRequest) -> Result<String, AppError> {
    let cancel = context.cancel.clone();
    let agent = prepare(&context, request, Events::none(), cancel, true).await.map_err(failure_to_error)?;
    let outcome = agent.run().await;
    match outcome.failure {
        None => Ok(outcome.text),
        Some(failure) => Err(failure_to_error(failure)),
    }
}

/// The provider as the log names it.
fn provider_name(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Ollama => "Ollama",
        ProviderKind::Openai => "OpenAI-compatible",
        ProviderKind::Anthropic => "Anthropic",
    }
}

fn failure_to_error(failure: Failure) -> AppError {
    if failure.code == "cancelled" {
        AppError::cancelled()
    } else {
        AppError::provider(failure.message).with_data(json!({ "kind": failure.code }))
    }
}

/// `stop_generation_stream {requestId}`: cancels the stream on that channel.
pub fn stop(streams: &Mutex<std::collections::HashMap<u64, CancellationToken>>, request_id: u64) -> Result<(), AppError> {
    let token = streams.lock().unwrap_or_else(|p| p.into_inner()).get(&request_id).cloned();
    match token {
        Some(token) => {
            token.cancel();
            Ok(())
        }
        None => Err(AppError::not_found(format!("No active generation with request id {request_id} (it may have finished already)"))),
    }
}

/// Files a stream's token under its channel id for its lifetime.
pub struct Registration<'a> {
    streams: &'a Mutex<std::collections::HashMap<u64, CancellationToken>>,
    channel: u64,
}

impl<'a> Registration<'a> {
    pub fn new(streams: &'a Mutex<std::collections::HashMap<u64, CancellationToken>>, channel: u64, token: CancellationToken) -> Result<Self, AppError> {
        let mut map = streams.lock().unwrap_or_else(|p| p.into_inner());
        if map.contains_key(&channel) {
            return Err(AppError::invalid_params(format!(
                "channel {channel} is already streaming; allocate a new channel id for each stream"
            )));
        }
        map.insert(channel, token);
        Ok(Registration { streams, channel })
    }
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        self.streams.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.channel);
    }
}

fn seconds(value: Option<f64>, default: Duration) -> Duration {
    value
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(|s| Duration::from_secs_f64(s.min(86_400.0)))
        .unwrap_or(default)
}

/// Checks the request and builds the agent. Fails with the message the user should see.
pub(crate) async fn prepare(context: &RequestContext, request: CompletionRequest, events: Events, cancel: CancellationToken, one_shot: bool) -> Result<Agent, Failure> {
    let kind = request.provider.unwrap_or_default();
    let endpoint = Endpoint::new(kind, request.host.as_deref(), request.api_key.as_deref());
    if request.model.trim().is_empty() {
        return Err(Failure::new("invalid_request", "No model selected — pick a model in the chat header."));
    }
    let needs_key = match kind {
        ProviderKind::Anthropic => true,
        ProviderKind::Openai => endpoint.host.ends_with("api.openai.com"),
        ProviderKind::Ollama => endpoint.is_ollama_cloud(),
    };
    if needs_key && endpoint.api_key.is_none() {
        let name = match kind {
            ProviderKind::Anthropic => "Anthropic",
            ProviderKind::Openai => "OpenAI",
            ProviderKind::Ollama => "Ollama Cloud",
        };
        return Err(Failure::new("auth", format!("{name} needs an API key — set it with 'Prototyper: Set API Key'.")));
    }
    let limits = Limits {
        idle: seconds(request.idle_timeout_seconds, DEFAULT_IDLE),
        permission: seconds(request.permission_timeout_seconds, DEFAULT_PERMISSION_WAIT),
        ask_user: seconds(request.ask_user_timeout_seconds, DEFAULT_ASK_WAIT),
    };
    let tools_on = request.tools.unwrap_or(false) && !one_shot;
    let media = if tools_on { tools::media::MediaTools::for_request(context, &request) } else { Default::default() };
    let tool_choice = request.tool_choice.unwrap_or(ToolChoice::Auto);
    if let ToolChoice::Tool(name) = &tool_choice {
        if !one_shot && !tools_on {
            return Err(Failure::new("invalid_request", format!("toolChoice names {name}, but tools are off — turn tools on, or drop toolChoice.")));
        }
        if tools_on && !tools::is_known(name) && !media.offers(name) {
            let known: Vec<String> = tools::definitions().iter().chain(media.definitions().iter()).filter_map(|d| d["name"].as_str().map(str::to_string)).collect();
            return Err(Failure::new("invalid_request", format!("toolChoice names {name}, which is not one of the agent's tools ({}) — name one of them.", known.join(", "))));
        }
    }
    let options = request.options.unwrap_or_default();
    let mut think = request.think;
    let mut num_ctx = if kind == ProviderKind::Ollama { options.num_ctx } else { None };
    let client = context.state.ai.client();
    match model_details(&context.state.ai.models, &client, &endpoint, &request.model, &cancel, limits.idle).await {
        Ok(details) => {
            let has = |capability: &str| details.capabilities.iter().any(|c| c == capability);
            if tools_on && details.capabilities_known && !has("tools") {
                return Err(Failure::new(
                    "tools_unsupported",
                    format!("{} does not support tools — pick a model with the tools badge, or turn tools off.", request.model),
                ));
            }
            // Thinking asked of a model without it is dropped rather than refused: the server
            // would fail the request, and the answer is still useful without reasoning.
            think = match (details.thinking, think) {
                (ThinkingControl::None, _) => None,
                // On/off models take no level: a level means on.
                (ThinkingControl::Toggle, Some(Think::Level(level))) => Some(Think::On(!level.is_empty())),
                (_, think) => think,
            };
            if num_ctx.is_none() {
                num_ctx = details.num_ctx;
            }
        }
        Err(failure) if matches!(failure.code, "model_not_found" | "provider_unreachable" | "auth" | "cancelled") && kind == ProviderKind::Ollama => {
            return Err(failure)
        }
        Err(failure) if failure.code == "cancelled" => return Err(failure),
        // A server without usable model metadata: stream without the checks (the stream itself
        // reports an unreachable server or a refused key).
        Err(_) => {}
    }
    let session = &context.session;
    let trusted = session.granted.workspace_trusted();
    let mut history = request.messages;
    if tools_on && !history.iter().any(|m| m.role == "system") {
        let prompt = tools::system_prompt(&session.workspace, trusted) + &media.prompt_lines();
        history.insert(0, Message { role: "system".into(), content: prompt, ..Default::default() });
    }
    if let Some(system) = history.iter_mut().find(|m| m.role == "system") {
        system.content = crate::commands::scaffold::project::with_project_section(&session.workspace, std::mem::take(&mut system.content)).await;
    }
    Ok(Agent {
        client,
        endpoint,
        model: request.model,
        history,
        tools_on,
        tool_choice,
        mode: request.tool_permission_mode.unwrap_or_default(),
        allowlist: Mutex::new(request.tool_allowlist.unwrap_or_default()),
        max_tool_calls: request.max_tool_calls.unwrap_or(DEFAULT_MAX_TOOL_CALLS),
        options,
        think,
        num_ctx,
        limits,
        events,
        tool_context: ToolContext {
            workspace: session.workspace.clone(),
            trusted,
            cancel: cancel.clone(),
            bash_timeout: DEFAULT_BASH_TIMEOUT,
            media,
            editors: session.editors.clone(),
            // Only a turn that may run tools can change files.
            checkpoint: crate::commands::checkpoints::turn_recorder(context, request.checkpoint.as_ref().filter(|_| tools_on)),
        },
        cancel,
        state: context.state.clone(),
    })
}
