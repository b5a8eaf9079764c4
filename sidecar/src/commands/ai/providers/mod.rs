//! Model providers: one streamed turn (a request and its streamed answer) for Ollama, the
//! OpenAI-compatible servers and Anthropic, with the HTTP plumbing they share.
//!
//! Each provider module builds its request body from the provider-neutral history and decodes its
//! wire format line by line (NDJSON or SSE) into text/thinking deltas, tool calls and usage. This
//! module owns what is common: sending, the idle timeout, cancellation (dropping the response
//! closes the connection: Ollama has no abort endpoint), turning faults into one clear message,
//! and coalescing: everything that arrived in one network read becomes ONE Chunk, with no timers.

pub mod anthropic;
pub mod errors;
pub mod ollama;
pub mod openai;

use super::events::Events;
pub use errors::{empty_failure, idle_failure, malformed, send_failure, status_failure, truncated_failure};
use crate::protocol::ai::{Message, ModelOptions, ProviderKind, Think, ToolCallRef, ToolChoice};
use futures::{FutureExt, StreamExt};
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// A fault that ends a stream: one Error event with this message and code.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub message: String,
    pub code: &'static str,
}

impl Failure {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Failure { message: message.into(), code }
    }
}

/// Where and how to reach one provider for one request. The key is never logged or stored.
#[derive(Clone)]
pub struct Endpoint {
    pub kind: ProviderKind,
    /// Base URL without a trailing `/` (and without `/v1` for the OpenAI-compatible ones).
    pub host: String,
    pub api_key: Option<String>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Deliberately without the key.
        f.debug_struct("Endpoint").field("kind", &self.kind).field("host", &self.host).finish()
    }
}

impl Endpoint {
    /// Normalizes `host` (empty → the provider's default; trailing `/` and an OpenAI-style `/v1`
    /// suffix removed, since users paste both forms) and drops an empty key.
    pub fn new(kind: ProviderKind, host: Option<&str>, api_key: Option<&str>) -> Self {
        let mut host = host.map(str::trim).filter(|h| !h.is_empty()).unwrap_or(match kind {
            ProviderKind::Ollama => "http://localhost:11434",
            ProviderKind::Openai => "https://api.openai.com",
            ProviderKind::Anthropic => "https://api.anthropic.com",
        });
        host = host.trim_end_matches('/');
        if kind != ProviderKind::Ollama {
            host = host.strip_suffix("/v1").unwrap_or(host);
        }
        let api_key = api_key.map(str::trim).filter(|k| !k.is_empty()).map(str::to_string);
        Endpoint { kind, host: host.to_string(), api_key }
    }

    /// How the provider is named in the middle of a sentence ("Cannot reach the OpenAI-compatible
    /// server at …").
    pub fn label(&self) -> &'static str {
        match self.kind {
            ProviderKind::Ollama if self.is_ollama_cloud() => "Ollama Cloud",
            ProviderKind::Ollama => "Ollama",
            ProviderKind::Openai => "the OpenAI-compatible server",
            ProviderKind::Anthropic => "Anthropic",
        }
    }

    /// How the provider is named at the start of a sentence.
    pub fn subject(&self) -> String {
        let label = self.label();
        let mut chars = label.chars();
        chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
    }

    pub fn is_ollama_cloud(&self) -> bool {
        self.kind == ProviderKind::Ollama && self.host.trim_start_matches("https://").trim_start_matches("http://") == "ollama.com"
    }

    /// The setting that holds this provider's host, for "change X" advice.
    pub fn host_setting(&self) -> &'static str {
        match self.kind {
            ProviderKind::Ollama => "prototyper.ollama.host",
            ProviderKind::Openai => "prototyper.openai.host",
            ProviderKind::Anthropic => "prototyper.anthropic.host",
        }
    }

    /// A request with this provider's auth headers.
    pub fn request(&self, client: &reqwest::Client, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut builder = client.request(method, format!("{}{path}", self.host));
        match self.kind {
            ProviderKind::Anthropic => {
                builder = builder.header("anthropic-version", "2023-06-01");
                if let Some(key) = &self.api_key {
                    builder = builder.header("x-api-key", key);
                }
            }
            _ => {
                if let Some(key) = &self.api_key {
                    builder = builder.bearer_auth(key);
                }
            }
        }
        builder
    }
}

/// What one turn asks of the model.
pub struct TurnRequest<'a> {
    pub model: &'a str,
    pub messages: &'a [Message],
    /// Tool definitions `{name, description, parameters}`; empty when tools are off.
    pub tools: &'a [Value],
    pub options: &'a ModelOptions,
    /// Ollama's context window for this request (from the options or the model's real length).
    pub num_ctx: Option<u32>,
    pub think: Option<&'a Think>,
    /// `tool_choice` for this turn (only with tools); `None` sends none.
    pub tool_choice: Option<&'a ToolChoice>,
}

/// What one turn produced.
#[derive(Debug, Default, Clone)]
pub struct TurnOutput {
    pub text: String,
    pub thinking: String,
    pub thinking_signature: Option<String>,
    pub tool_calls: Vec<ToolCallRef>,
    pub prompt_tokens: Option<u32>,
    pub completion_tokens: Option<u32>,
    /// Generation time as the provider measured it (Ollama's eval_duration).
    pub generation_time: Option<Duration>,
    pub done_reason: Option<String>,
    /// When the first text or thinking arrived.
    pub first_token_at: Option<Instant>,
    /// When the first generated output of any kind arrived: text, thinking or tool-call arguments.
    /// Generation time (for tokens/s) runs from here.
    pub first_output_at: Option<Instant>,
    /// Stream lines that carried generated output. Servers send at most one line per token and
    /// most send exactly one, so this is a floor for the token count when none is reported.
    pub pieces: u32,
    pub started_at: Option<Instant>,
    pub finished_at: Option<Instant>,
}

/// How a turn ended when it did not fail.
pub enum TurnEnd {
    Finished(TurnOutput),
    /// Stopped: what the turn had streamed until then (text, thinking, any counts the provider
    /// had already reported, and its times, `finished_at` being the stop), so usage can count it.
    Cancelled(TurnOutput),
}

/// Visible output decoded from one batch of lines.
#[derive(Default)]
pub struct Delta {
    pub text: String,
    pub thinking: String,
    /// Tool calls being written, in the order they progressed; one entry per call and batch.
    pub tool_calls: Vec<ToolCallProgress>,
}

/// A tool call the model is writing: known by its id and name, with the arguments' text that
/// arrived in this batch.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCallProgress {
    pub id: String,
    pub name: String,
    pub args: String,
}

impl Delta {
    /// Records that call `id` (named `name`) progressed by `args`, merging with its entry of this
    /// batch so one read gives one event per call.
    pub fn tool_progress(&mut self, id: &str, name: &str, args: &str) {
        match self.tool_calls.iter_mut().find(|progress| progress.id == id) {
            Some(progress) => progress.args.push_str(args),
            None => self.tool_calls.push(ToolCallProgress { id: id.to_string(), name: name.to_string(), args: args.to_string() }),
        }
    }

    fn has_output(&self) -> bool {
        !self.text.is_empty() || !self.thinking.is_empty() || self.tool_calls.iter().any(|p| !p.args.is_empty())
    }
}

/// A provider's streaming decoder, fed one complete line at a time.
pub trait Decoder: Send {
    /// Decodes one line (without its line break); appends visible output to `delta`.
    fn line(&mut self, line: &str, delta: &mut Delta) -> Result<(), Failure>;
    /// True once the provider's end-of-answer marker was seen.
    fn finished(&self) -> bool;
    /// True once a line of the provider's stream format was read (an answer began). A 200 that
    /// ends without one was no stream at all.
    fn started(&self) -> bool;
    /// True when a stream that ends here (the server closed it) holds a whole answer. Servers that
    /// omit the final marker but said why they stopped override this.
    fn complete_at_eof(&self) -> bool {
        self.finished()
    }
    /// The turn's result (called once the stream ended).
    fn finish(&mut self) -> TurnOutput;
}

/// Request body and decoder for a provider.
pub fn prepare(endpoint: &Endpoint, turn: &TurnRequest, stream: bool) -> (&'static str, Value, Box<dyn Decoder>) {
    match endpoint.kind {
        ProviderKind::Ollama => ("/api/chat", ollama::body(turn, stream), Box::new(ollama::OllamaDecoder::default())),
        ProviderKind::Openai => ("/v1/chat/completions", openai::body(turn, stream), Box::new(openai::OpenAiDecoder::default())),
        ProviderKind::Anthropic => ("/v1/messages", anthropic::body(turn, stream), Box::new(anthropic::AnthropicDecoder::default())),
    }
}

/// Streams one turn: sends the request, emits a Chunk per network read, and returns the decoded
/// turn. Stops promptly on `cancel` (dropping the connection, returning what streamed so far) and
/// fails after `idle` without bytes.
pub async fn stream_turn(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    turn: &TurnRequest<'_>,
    events: &Events,
    cancel: &CancellationToken,
    idle: Duration,
) -> Result<TurnEnd, Failure> {
    let (path, body, mut decoder) = prepare(endpoint, turn, true);
    let started = Instant::now();
    let mut retried = false;
    let response = loop {
        let send = endpoint.request(client, reqwest::Method::POST, path).json(&body).send();
        break tokio::select! {
            biased;
            _ = cancel.cancelled() => return Ok(TurnEnd::Cancelled(Times { started, first_token_at: None, first_output_at: None }.stamp(TurnOutput::default()))),
            sent = tokio::time::timeout(idle, send) => match sent {
                Err(_) => return Err(idle_failure(endpoint, Some(turn.model), idle, false)),
                // A pooled keep-alive connection the server closed just as we reused it (llama.cpp
                // closes idle ones after 5 s): one retry on a fresh connection. A generation has
                // no side effects, so a repeat is harmless.
                Ok(Err(err)) if !retried && !err.is_connect() && !err.is_timeout() && !err.is_builder() => {
                    retried = true;
                    continue;
                }
                Ok(Err(err)) => return Err(send_failure(endpoint, &err)),
                Ok(Ok(response)) => response,
            },
        };
    };
    if !response.status().is_success() {
        return Err(tokio::select! {
            biased;
            _ = cancel.cancelled() => return Ok(TurnEnd::Cancelled(Times { started, first_token_at: None, first_output_at: None }.stamp(TurnOutput::default()))),
            failure = status_failure(endpoint, Some(turn.model), response) => failure,
        });
    }

    let content_type = response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut stream = response.bytes_stream();
    let mut pending: Vec<u8> = Vec::with_capacity(16 * 1024);
    // The body's first bytes, to quote when it turns out not to be a stream.
    let mut head: Vec<u8> = Vec::new();
    let mut times = Times { started, first_token_at: None, first_output_at: None };
    let announce_tools = !turn.tools.is_empty();
    loop {
        let next = tokio::select! {
            biased;
            // Everything decoded so far went out as Chunks: the partial output is what was shown.
            _ = cancel.cancelled() => return Ok(TurnEnd::Cancelled(times.stamp(decoder.finish()))),
            next = tokio::time::timeout(idle, stream.next()) => next,
        };
        let mut ended = false;
        let mut read_error = None;
        match next {
            Err(_) => return Err(idle_failure(endpoint, Some(turn.model), idle, true)),
            Ok(None) => ended = true,
            Ok(Some(Err(err))) => read_error = Some(err),
            Ok(Some(Ok(bytes))) => {
                remember_head(&mut head, &bytes);
                pending.extend_from_slice(&bytes);
                // Take whatever else is already here without waiting: one Chunk per read, even
                // when the body arrives as many small HTTP chunks.
                loop {
                    match stream.next().now_or_never() {
                        Some(Some(Ok(bytes))) => {
                            remember_head(&mut head, &bytes);
                            pending.extend_from_slice(&bytes);
                        }
                        Some(Some(Err(err))) => {
                            read_error = Some(err);
                            break;
                        }
                        Some(None) => {
                            ended = true;
                            break;
                        }
                        None => break,
                    }
                }
            }
        }
        let mut delta = Delta::default();
        let consumed = decode_lines(&pending, ended || read_error.is_some(), decoder.as_mut(), &mut delta);
        let decoded = consumed.map(|used| {
            pending.drain(..used);
        });
        let now = Instant::now();
        if delta.has_output() {
            times.first_output_at.get_or_insert(now);
        }
        if !delta.text.is_empty() || !delta.thinking.is_empty() {
            times.first_token_at.get_or_insert(now);
            events.chunk(delta.text, delta.thinking);
        }
        // Tool calls appear as they form (only when tools were offered: a call the agent would
        // not run must not show up as a card).
        if announce_tools {
            for progress in delta.tool_calls {
                events.tool_call_delta(progress.id, progress.name, progress.args);
            }
        }
        decoded?;
        if (ended || read_error.is_some()) && !decoder.started() {
            let tool_choice_auto = announce_tools && matches!(turn.tool_choice, Some(ToolChoice::Auto));
            return Err(empty_failure(endpoint, turn.model, &head, content_type.as_deref(), tool_choice_auto));
        }
        if let Some(err) = read_error {
            if decoder.complete_at_eof() {
                break;
            }
            return Err(truncated_failure(endpoint, Some(&err)));
        }
        if decoder.finished() {
            break;
        }
        if ended {
            if decoder.complete_at_eof() {
                break;
            }
            return Err(truncated_failure(endpoint, None));
        }
    }
    // Read what already arrived after the end marker (the body's last chunk), without waiting, so
    // the connection can go back to the pool for the next turn.
    while let Some(Some(Ok(_))) = stream.next().now_or_never() {}
    Ok(TurnEnd::Finished(times.stamp(decoder.finish())))
}

/// When a turn started and when its output began.
struct Times {
    started: Instant,
    first_token_at: Option<Instant>,
    first_output_at: Option<Instant>,
}

impl Times {
    /// `output` with the turn's times; it ends now.
    fn stamp(&self, mut output: TurnOutput) -> TurnOutput {
        output.started_at = Some(self.started);
        output.first_token_at = self.first_token_at;
        output.first_output_at = self.first_output_at;
        output.finished_at = Some(Instant::now());
        output
    }
}

/// Keeps the first 512 bytes of a body.
fn remember_head(head: &mut Vec<u8>, bytes: &[u8]) {
    let room = 512usize.saturating_sub(head.len());
    head.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

/// Feeds every complete line of `buffer` (and the unterminated rest when `at_end`) to the
/// decoder. Returns how many bytes were consumed, or the decoder's failure.
fn decode_lines(buffer: &[u8], at_end: bool, decoder: &mut dyn Decoder, delta: &mut Delta) -> Result<usize, Failure> {
    let mut start = 0;
    while let Some(offset) = buffer[start..].iter().position(|&b| b == b'\n') {
        let line = &buffer[start..start + offset];
        start += offset + 1;
        feed_line(line, decoder, delta)?;
        if decoder.finished() {
            return Ok(buffer.len());
        }
    }
    if at_end && start < buffer.len() {
        feed_line(&buffer[start..], decoder, delta)?;
        start = buffer.len();
    }
    Ok(start)
}

fn feed_line(line: &[u8], decoder: &mut dyn Decoder, delta: &mut Delta) -> Result<(), Failure> {
    let line = String::from_utf8_lossy(line);
    let line = line.trim_end_matches('\r');
    if line.trim().is_empty() {
        return Ok(());
    }
    decoder.line(line, delta)
}

/// Sends a non-streamed request and returns its JSON body, mapping faults like `stream_turn`.
pub async fn fetch_json(
    endpoint: &Endpoint,
    builder: reqwest::RequestBuilder,
    model: Option<&str>,
    cancel: &CancellationToken,
    timeout: Duration,
) -> Result<Value, Failure> {
    let work = async {
        let response = builder.send().await.map_err(|err| send_failure(endpoint, &err))?;
        if !response.status().is_success() {
            return Err(status_failure(endpoint, model, response).await);
        }
        let bytes = response.bytes().await.map_err(|err| truncated_failure(endpoint, Some(&err)))?;
        serde_json::from_slice::<Value>(&bytes).map_err(|err| {
            Failure::new(
                "malformed_response",
                format!("{} at {} answered with something that is not JSON ({err}) — check that {} points at the right server.", endpoint.subject(), endpoint.host, endpoint.host_setting()),
            )
        })
    };
    tokio::select! {
        biased;
        _ = cancel.cancelled() => Err(Failure::new("cancelled", "Cancelled")),
        result = tokio::time::timeout(timeout, work) => result.unwrap_or_else(|_| Err(idle_failure(endpoint, model, timeout, false))),
    }
}

/// A tool call id for providers that do not give one (Ollama before 0.12, some OpenAI-compatible
/// servers): unique within the sidecar's life, and across restarts by the start time, since a
/// chat's history keeps ids from earlier sessions.
pub fn new_call_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    static NEXT: AtomicU64 = AtomicU64::new(1);
    static EPOCH: OnceLock<u128> = OnceLock::new();
    let epoch = EPOCH.get_or_init(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0)
    });
    format!("call_{epoch:x}_{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Parses tool-call arguments that may arrive as an object or as a JSON string; anything else
/// becomes `{}` (the tool then reports what is missing).
pub fn arguments_value(raw: &Value) -> Value {
    match raw {
        Value::Object(_) => raw.clone(),
        Value::String(text) if text.trim().is_empty() => Value::Object(Default::default()),
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(value @ Value::Object(_)) => value,
            _ => serde_json::json!({ "_raw": text }),
        },
        _ => Value::Object(Default::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Lines(Vec<String>, bool);
    impl Decoder for Lines {
        fn line(&mut self, line: &str, delta: &mut Delta) -> Result<(), Failure> {
            self.0.push(line.to_string());
            delta.text.push_str(line);
            Ok(())
        }
        fn finished(&self) -> bool {
            self.1
        }
        fn started(&self) -> bool {
            true
        }
        fn finish(&mut self) -> TurnOutput {
            TurnOutput::default()
        }
    }

    #[test]
    fn lines_split_across_reads_are_joined() {
        let mut decoder = Lines(Vec::new(), false);
        let mut delta = Delta::default();
        let used = decode_lines(b"one\r\ntw", false, &mut decoder, &mut delta).unwrap();
        assert_eq!(used, 5);
        assert_eq!(decoder.0, vec!["one"]);
        let used = decode_lines(b"two\n\nthree", true, &mut decoder, &mut delta).unwrap();
        assert_eq!(used, 10);
        assert_eq!(decoder.0, vec!["one", "two", "three"]);
    }

    #[test]
    fn hosts_are_normalized() {
        assert_eq!(Endpoint::new(ProviderKind::Ollama, Some(""), None).host, "http://localhost:11434");
        assert_eq!(Endpoint::new(ProviderKind::Openai, Some("http://localhost:1234/v1/"), Some(" ")).host, "http://localhost:1234");
        assert!(Endpoint::new(ProviderKind::Openai, None, Some(" ")).api_key.is_none());
        assert!(Endpoint::new(ProviderKind::Ollama, Some("https://ollama.com/"), None).is_ollama_cloud());
    }

    #[test]
    fn arguments_are_read_leniently() {
        assert_eq!(arguments_value(&serde_json::json!("{\"a\":1}")), serde_json::json!({"a": 1}));
        assert_eq!(arguments_value(&serde_json::json!("")), serde_json::json!({}));
        assert_eq!(arguments_value(&Value::Null), serde_json::json!({}));
    }
}
