//! `generate_inline`: code for the editor — at the cursor, in place of a selection, or a fragment
//! merged into a file. The host applies the streamed text; everything about the model is here.
//!
//! Lifecycle as `generate_completion_stream` (stream.rs): the stream is filed under its channel id
//! so `stop_generation_stream` and `$/cancelRequest` stop it, the channel carries `Chunk` events
//! (text only) and one terminal `Done {usage}` or `Error`, and the response `InlineResult` comes
//! after the terminal message.
//!
//! Prompting: Ollama models whose `/api/show` says they can fill in the middle (the `insert`
//! capability, or a template that uses `.Suffix`: Qwen2.5-Coder, StarCoder2, CodeLlama,
//! DeepSeek-Coder, Codestral, …) get the document's prefix and suffix through `/api/generate`
//! for `generate`; their answer is raw code. Every other case is a chat turn through
//! `providers::stream_turn` asking for one fenced block (prompt.rs), which the host unwraps.
//! `num_ctx` follows the chat's rule (the model's length capped at 32,768, or the user's), so
//! switching between chat and inline does not make Ollama reload the model.

mod prompt;

use super::events::Events;
use super::models::{parse_show, ModelInfo};
use super::providers::{
    fetch_json, idle_failure, malformed, send_failure, status_failure, stream_turn, truncated_failure, Endpoint, Failure, TurnEnd, TurnOutput,
    TurnRequest,
};
use super::stream::{Registration, NUM_CTX_CAP};
use super::usage::Meter;
use crate::context::RequestContext;
use crate::error::AppError;
use crate::protocol::ai::{CompletionEvent, DoneEvent, ModelOptions, ProviderKind, Think, Usage};
use crate::protocol::inline::{InlinePrompt, InlineRequest, InlineResult, InlineTask};
use futures::{FutureExt, StreamExt};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const DEFAULT_IDLE: Duration = Duration::from_secs(60);
/// The window assumed for providers that do not say (cloud models all have more).
const ASSUMED_CONTEXT: u32 = 32_768;
/// The window sent to a local Ollama whose `/api/show` gives no length (older servers default
/// to 2,048 and silently cut the rest).
const UNKNOWN_OLLAMA_CONTEXT: u32 = 4_096;
/// A fill-in-the-middle model stops at its end token; this bounds one that rambles.
const FILL_IN_MIDDLE_MAX_TOKENS: i32 = 1_024;

pub async fn generate_inline(context: RequestContext, request: InlineRequest) -> Result<InlineResult, AppError> {
    let Some(channel) = request.on_event else {
        return Err(AppError::invalid_params("generate_inline needs onEvent: the id of the channel its events go to"));
    };
    let cancel = context.cancel.child_token();
    let _registration = Registration::new(&context.state.ai.streams, channel, cancel.clone())?;
    let sender = context.channel::<CompletionEvent>(channel);
    let events = Events::channel(sender.clone());
    let started = Instant::now();
    let what = format!("{:?} {:?} with {:?}", request.task, request.model, request.provider.unwrap_or_default());
    let mut prompt = InlinePrompt::Instruction;
    let (terminal, note) = match run(&context, request, &events, &cancel, &mut prompt).await {
        Ok(ran) => (ran.terminal, ran.note),
        Err(failure) if failure.code == "cancelled" => (cancelled(None), None),
        Err(failure) => (CompletionEvent::error(failure.message, failure.code), None),
    };
    let ending = match &terminal {
        CompletionEvent::Error(error) => format!("Error ({}): {}", error.code.as_deref().unwrap_or("-"), error.message),
        CompletionEvent::Done(done) => format!("Done ({})", done.done_reason.as_deref().unwrap_or("-")),
        _ => String::new(),
    };
    crate::rpc::server::log(&format!("inline {channel}: {what} ({prompt:?}) ended after {} ms: {ending}", started.elapsed().as_millis()));
    sender.send(terminal);
    Ok(InlineResult { request_id: channel, prompt, context_note: note })
}

struct Ran {
    terminal: CompletionEvent,
    note: Option<String>,
}

fn cancelled(usage: Option<Usage>) -> CompletionEvent {
    CompletionEvent::Done(DoneEvent { done_reason: Some("cancelled".into()), usage, warning: None })
}

/// Runs the request; `prompt` says how the model is prompted as soon as that is decided.
async fn run(context: &RequestContext, request: InlineRequest, events: &Events, cancel: &CancellationToken, prompt: &mut InlinePrompt) -> Result<Ran, Failure> {
    let kind = request.provider.unwrap_or_default();
    let endpoint = Endpoint::new(kind, request.host.as_deref(), request.api_key.as_deref());
    if request.model.trim().is_empty() {
        return Err(Failure::new("invalid_request", "No model selected — set prototyper.inline.model, or pick a model in the chat header."));
    }
    if request.task == InlineTask::Merge && request.fragment.as_deref().is_none_or(|f| f.trim().is_empty()) {
        return Err(Failure::new("invalid_request", "A merge needs the code to merge (fragment) — nothing was sent."));
    }
    check_key(&endpoint)?;
    let idle = request
        .idle_timeout_seconds
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(|s| Duration::from_secs_f64(s.min(86_400.0)))
        .unwrap_or(DEFAULT_IDLE);
    let client = context.state.ai.client();
    let options = request.options.clone().unwrap_or_default();

    let mut capability = Capability::default();
    if kind == ProviderKind::Ollama {
        match show(&client, &endpoint, &request.model, cancel, idle).await {
            Ok(found) => capability = found,
            Err(failure) if matches!(failure.code, "model_not_found" | "provider_unreachable" | "auth" | "cancelled") => return Err(failure),
            // An unusual server without a usable /api/show: an instruction prompt, no checks.
            Err(_) => {}
        }
    }
    let num_ctx = match kind {
        ProviderKind::Ollama if options.num_ctx.is_some() => options.num_ctx,
        ProviderKind::Ollama if !endpoint.is_ollama_cloud() => {
            Some(capability.info.context_length.map_or(UNKNOWN_OLLAMA_CONTEXT, |length| length.min(NUM_CTX_CAP)))
        }
        _ => None,
    };
    let window = prompt::fit(&request, num_ctx.or(capability.info.context_length).unwrap_or(ASSUMED_CONTEXT))
        .map_err(|message| Failure::new("invalid_request", message))?;
    let language = request.language_id.as_deref().unwrap_or_default();
    let fim_prefix = (request.task == InlineTask::Generate && capability.fill_in_middle)
        .then(|| prompt::fill_in_middle_prefix(&window.prefix, &request.instruction, language))
        .flatten();
    let (end, estimate) = match fim_prefix {
        Some(prefix) => {
            *prompt = InlinePrompt::FillInMiddle;
            let estimate = ((prefix.len() + window.suffix.len()) / 4) as u32;
            let mut options = options.clone();
            options.num_predict.get_or_insert(FILL_IN_MIDDLE_MAX_TOKENS);
            let body = fill_in_middle_body(&request.model, &prefix, &window.suffix, &options, num_ctx);
            (stream_generate(&client, &endpoint, &request.model, &body, events, cancel, idle).await?, estimate)
        }
        None => {
            let messages = prompt::instruction_messages(&request, &window);
            let estimate = (messages.iter().map(|m| m.content.len() + 16).sum::<usize>() / 4) as u32;
            let think = quiet_thinking(&capability.info);
            let turn = TurnRequest { model: &request.model, messages: &messages, tools: &[], options: &options, num_ctx, think: think.as_ref(), tool_choice: None };
            (stream_turn(&client, &endpoint, &turn, events, cancel, idle).await?, estimate)
        }
    };
    let estimate = (kind == ProviderKind::Ollama).then_some(estimate);
    let mut meter = Meter::new(num_ctx);
    let terminal = match end {
        TurnEnd::Finished(output) => {
            meter.add(&output, estimate);
            CompletionEvent::Done(DoneEvent { done_reason: output.done_reason.clone(), usage: Some(meter.usage()), warning: None })
        }
        TurnEnd::Cancelled(partial) => {
            meter.add(&partial, None);
            cancelled(Some(meter.usage()))
        }
    };
    Ok(Ran { terminal, note: window.note })
}

fn check_key(endpoint: &Endpoint) -> Result<(), Failure> {
    let (needs_key, name) = match endpoint.kind {
        ProviderKind::Anthropic => (true, "Anthropic"),
        ProviderKind::Openai => (endpoint.host.ends_with("api.openai.com"), "OpenAI"),
        ProviderKind::Ollama => (endpoint.is_ollama_cloud(), "Ollama Cloud"),
    };
    if needs_key && endpoint.api_key.is_none() {
        return Err(Failure::new("auth", format!("{name} needs an API key — set it with 'Prototyper: Set API Key'.")));
    }
    Ok(())
}

/// Thinking only slows an edit down: off for models that think, the lowest level for gpt-oss,
/// which cannot turn it off; nothing for models that do not think (Ollama would refuse it).
fn quiet_thinking(info: &ModelInfo) -> Option<Think> {
    if info.capabilities.iter().any(|c| c == "thinking") {
        Some(if info.family == "gptoss" { Think::Level("low".into()) } else { Think::On(false) })
    } else {
        None
    }
}

/// What `/api/show` says about a model, for inline use.
#[derive(Debug, Clone, Default)]
struct Capability {
    info: ModelInfo,
    fill_in_middle: bool,
}

/// `/api/show` answers by (host, model), for the sidecar's lifetime (a model's template does not
/// change without a pull, which gives it a new digest but the same name; a restart re-reads it).
fn show_cache() -> &'static Mutex<HashMap<(String, String), Capability>> {
    static CACHE: OnceLock<Mutex<HashMap<(String, String), Capability>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

async fn show(client: &reqwest::Client, endpoint: &Endpoint, model: &str, cancel: &CancellationToken, timeout: Duration) -> Result<Capability, Failure> {
    let key = (endpoint.host.clone(), model.to_string());
    if let Some(found) = show_cache().lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(found.clone());
    }
    let request = endpoint.request(client, reqwest::Method::POST, "/api/show").json(&json!({ "model": model }));
    let value = fetch_json(endpoint, request, Some(model), cancel, timeout).await?;
    let found = Capability { info: parse_show(&value), fill_in_middle: can_fill_in_middle(&value) };
    show_cache().lock().unwrap_or_else(|p| p.into_inner()).insert(key, found.clone());
    Ok(found)
}

/// True when Ollama can fill in the middle for this model: it lists the `insert` capability (from
/// 0.4), or its template uses `.Suffix` (how Ollama's FIM templates take the text after the
/// cursor, and what older servers without capabilities have).
pub fn can_fill_in_middle(show: &Value) -> bool {
    let insert = show["capabilities"].as_array().is_some_and(|caps| caps.iter().any(|c| c == "insert"));
    insert || show["template"].as_str().is_some_and(|template| template.contains(".Suffix"))
}

/// The `/api/generate` body: `prompt` and `suffix` go through the model's own FIM template.
fn fill_in_middle_body(model: &str, prefix: &str, suffix: &str, options: &ModelOptions, num_ctx: Option<u32>) -> Value {
    let mut body = json!({ "model": model, "prompt": prefix, "suffix": suffix, "stream": true });
    let options = super::providers::ollama::options(options, num_ctx);
    if !options.is_empty() {
        body["options"] = Value::Object(options);
    }
    body
}

/// Streams Ollama's `/api/generate` (NDJSON lines `{response, done}`, the last with the counts):
/// one Chunk per network read, stops at once on `cancel`, fails after `idle` without bytes.
async fn stream_generate(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    model: &str,
    body: &Value,
    events: &Events,
    cancel: &CancellationToken,
    idle: Duration,
) -> Result<TurnEnd, Failure> {
    let started = Instant::now();
    let mut output = TurnOutput { started_at: Some(started), ..Default::default() };
    let stop = |mut output: TurnOutput| {
        output.finished_at = Some(Instant::now());
        Ok(TurnEnd::Cancelled(output))
    };
    let send = endpoint.request(client, reqwest::Method::POST, "/api/generate").json(body).send();
    let response = tokio::select! {
        biased;
        _ = cancel.cancelled() => return stop(output),
        sent = tokio::time::timeout(idle, send) => match sent {
            Err(_) => return Err(idle_failure(endpoint, Some(model), idle, false)),
            Ok(Err(err)) => return Err(send_failure(endpoint, &err)),
            Ok(Ok(response)) => response,
        },
    };
    if !response.status().is_success() {
        return Err(tokio::select! {
            biased;
            _ = cancel.cancelled() => return stop(output),
            failure = status_failure(endpoint, Some(model), response) => failure,
        });
    }
    let mut stream = response.bytes_stream();
    let mut pending: Vec<u8> = Vec::new();
    let mut done = false;
    while !done {
        let next = tokio::select! {
            biased;
            _ = cancel.cancelled() => return stop(output),
            next = tokio::time::timeout(idle, stream.next()) => next,
        };
        let mut ended = false;
        match next {
            Err(_) => return Err(idle_failure(endpoint, Some(model), idle, true)),
            Ok(None) => ended = true,
            Ok(Some(Err(err))) => return Err(truncated_failure(endpoint, Some(&err))),
            Ok(Some(Ok(bytes))) => {
                pending.extend_from_slice(&bytes);
                // Whatever else already arrived joins this read: one Chunk per read.
                while let Some(Some(Ok(more))) = stream.next().now_or_never() {
                    pending.extend_from_slice(&more);
                }
            }
        }
        let mut text = String::new();
        let complete = if ended { pending.len() } else { pending.iter().rposition(|&b| b == b'\n').map_or(0, |at| at + 1) };
        for line in pending[..complete].split(|&b| b == b'\n') {
            let line = String::from_utf8_lossy(line);
            if line.trim().is_empty() || done {
                continue;
            }
            done = generate_line(line.trim_end_matches('\r'), &mut output, &mut text)?;
        }
        pending.drain(..complete);
        if !text.is_empty() {
            let now = Instant::now();
            output.first_token_at.get_or_insert(now);
            output.first_output_at.get_or_insert(now);
            events.chunk(text, String::new());
        }
        if ended && !done {
            return Err(truncated_failure(endpoint, None));
        }
    }
    output.finished_at = Some(Instant::now());
    Ok(TurnEnd::Finished(output))
}

/// Reads one `/api/generate` line into `output` (and its text into `text`); true at the last.
fn generate_line(line: &str, output: &mut TurnOutput, text: &mut String) -> Result<bool, Failure> {
    let value: Value = serde_json::from_str(line).map_err(|err| malformed("Ollama", "prototyper.ollama.host", line, err))?;
    if let Some(error) = value.get("error") {
        let said = error.as_str().map(str::to_string).unwrap_or_else(|| error.to_string());
        return Err(Failure::new("server_error", format!("Ollama stopped with an error: {said} — retry, or check `ollama serve`'s log.")));
    }
    if let Some(piece) = value.get("response").and_then(Value::as_str).filter(|piece| !piece.is_empty()) {
        text.push_str(piece);
        output.text.push_str(piece);
        output.pieces += 1;
    }
    if value.get("done").and_then(Value::as_bool) != Some(true) {
        return Ok(false);
    }
    let count = |key: &str| value.get(key).and_then(Value::as_u64).map(|n| n.min(u32::MAX as u64) as u32);
    output.prompt_tokens = count("prompt_eval_count");
    output.completion_tokens = count("eval_count");
    output.generation_time = value.get("eval_duration").and_then(Value::as_u64).filter(|&ns| ns > 0).map(Duration::from_nanos);
    output.done_reason = value.get("done_reason").and_then(Value::as_str).map(str::to_string);
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_in_middle_is_read_from_capabilities_or_the_template() {
        assert!(can_fill_in_middle(&json!({ "capabilities": ["completion", "insert"] })));
        assert!(can_fill_in_middle(&json!({ "template": "{{- if .Suffix }}<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>{{ else }}…" })));
        assert!(!can_fill_in_middle(&json!({ "capabilities": ["completion", "tools"], "template": "{{ .Prompt }}" })));
        assert!(!can_fill_in_middle(&json!({})));
    }

    #[test]
    fn generate_lines_are_decoded_with_their_counts() {
        let mut output = TurnOutput::default();
        let mut text = String::new();
        assert!(!generate_line(r#"{"response":"x = ","done":false}"#, &mut output, &mut text).unwrap());
        assert!(generate_line(r#"{"response":"1","done":true,"done_reason":"stop","prompt_eval_count":30,"eval_count":2,"eval_duration":2000000}"#, &mut output, &mut text).unwrap());
        assert_eq!((text.as_str(), output.prompt_tokens, output.completion_tokens), ("x = 1", Some(30), Some(2)));
        assert_eq!(output.generation_time, Some(Duration::from_millis(2)));
        let failure = generate_line(r#"{"error":"model does not support insert"}"#, &mut output, &mut text).unwrap_err();
        assert!(failure.message.contains("does not support insert"));
        assert_eq!(generate_line("nope", &mut output, &mut text).unwrap_err().code, "malformed_response");
    }

    #[test]
    fn thinking_is_turned_down_only_for_models_that_think() {
        let thinker = ModelInfo { capabilities: vec!["thinking".into()], ..Default::default() };
        assert_eq!(quiet_thinking(&thinker), Some(Think::On(false)));
        let gpt_oss = ModelInfo { capabilities: vec!["thinking".into()], family: "gptoss".into(), ..Default::default() };
        assert_eq!(quiet_thinking(&gpt_oss), Some(Think::Level("low".into())));
        assert_eq!(quiet_thinking(&ModelInfo::default()), None);
    }
}
