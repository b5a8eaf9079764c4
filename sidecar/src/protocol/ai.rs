//! Wire types of the AI command group (design.md §2; ARCHITECTURE.md, "The wire"): the CompletionEvent a
//! `generate_completion_stream` channel carries, the request params, messages, model lists and
//! the model-pull progress events. These Rust types are the source of the TypeScript copies.
//!
//! Conventions: data fields are camelCase; optional fields are omitted when absent (`field?: T`),
//! except `ToolResult.previousContent`, which is `null` for a file that did not exist before.
//! Counts are `u32` and durations `f64` so TypeScript sees `number`, never `bigint`.

use crate::channel::ChannelMessage;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

pub use super::models::{AnthropicModel, ListModelsParams, OllamaModel, OpenAiModel, PullDone, PullEvent, PullModelParams, PullProgress};

/// One message of a completion stream: `{ "event": <Variant>, "data": {...} }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "event", content = "data")]
pub enum CompletionEvent {
    Chunk(ChunkEvent),
    ToolCall(ToolCallEvent),
    /// A tool call while the model is still writing it (the ninth event, added to the contract's
    /// eight): the first one comes as soon as the tool's name is known, then one per network read
    /// as its arguments stream in. The final `ToolCall` with the parsed arguments still follows.
    ToolCallDelta(ToolCallDeltaEvent),
    ToolPermission(ToolPermissionEvent),
    ToolResult(ToolResultEvent),
    AskUser(AskUserEvent),
    AskUserForm(AskUserFormEvent),
    Done(DoneEvent),
    Error(ErrorEvent),
}

impl CompletionEvent {
    /// The terminal `Error` with a machine-readable `code` (see `ErrorEvent::code`).
    pub fn error(message: impl Into<String>, code: &str) -> Self {
        CompletionEvent::Error(ErrorEvent { message: message.into(), code: Some(code.to_string()) })
    }
}

impl ChannelMessage for CompletionEvent {
    fn is_terminal(&self) -> bool {
        matches!(self, CompletionEvent::Done(_) | CompletionEvent::Error(_))
    }
    fn abandoned() -> Self {
        CompletionEvent::error(
            "The completion stream ended unexpectedly inside the sidecar; see the Prototyper Sidecar output and retry.",
            "internal",
        )
    }
}

/// Model output. Sent only when `text` or `thinking` is non-empty; one per network read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChunkEvent {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub thinking: Option<String>,
}

/// The model asked for a tool; sent for every call of a turn before any of them runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ToolCallEvent {
    /// The tool call id (the provider's, or generated); ToolPermission/ToolResult refer to it.
    pub id: String,
    pub tool: String,
    #[ts(type = "Record<string, unknown>")]
    pub args: Value,
}

/// Part of a tool call the model is still writing. Appending every `argsDelta` of one `id`, in
/// order, gives the arguments' JSON text as far as it has arrived (it only parses once whole).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ToolCallDeltaEvent {
    /// The tool call id the later ToolCall, ToolPermission and ToolResult carry.
    pub id: String,
    pub tool: String,
    /// The arguments' text that arrived since the previous ToolCallDelta of this call (may be
    /// empty on the first, which only announces the call).
    pub args_delta: String,
}

/// A gated tool call waiting for `resolve_tool_permission { permissionId: id, decision }`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ToolPermissionEvent {
    /// The permission id (not the tool call id).
    pub id: u32,
    pub tool_call_id: String,
    pub tool: String,
    #[ts(type = "Record<string, unknown>")]
    pub args: Value,
    /// Why the user is asked, as a sentence: "writes src/app.ts (new file)", "runs a shell command".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reason: Option<String>,
    /// For `write_file` and `edit_file`: the change, before it is made (design.md §6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub proposal: Option<crate::protocol::review::Proposal>,
    /// For `bash`: the command, its working directory and what it will do that needs care.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub command_review: Option<crate::protocol::review::CommandReview>,
}

/// The outcome of one tool call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ToolResultEvent {
    /// The tool call id.
    pub id: String,
    pub tool: String,
    pub success: bool,
    /// The complete output (the model's history gets at most 15,000 characters of it).
    pub output: String,
    /// The workspace-relative path the tool read or wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub path: Option<String>,
    /// The file's whole text after a successful write_file/edit_file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub content: Option<String>,
    /// The file's text before a successful write_file/edit_file; `null` when the file was new.
    /// Absent for every other tool.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "double_option")]
    #[ts(optional = nullable, as = "Option<String>")]
    pub previous_content: Option<Option<String>>,
}

/// `ask_user`: a question for the user, answered with `resolve_ask_user { requestId: id, answer }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AskUserEvent {
    pub id: u32,
    pub question: String,
    pub question_type: QuestionType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub choices: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum QuestionType {
    Text,
    Choice,
    Confirm,
}

/// `ask_user_form`: a form, answered with `resolve_ask_user_form { requestId: id, answers }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AskUserFormEvent {
    pub id: u32,
    pub title: String,
    pub fields: Vec<FormField>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FormField {
    pub id: String,
    pub label: String,
    pub field_type: FormFieldType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub choices: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub placeholder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub required: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FormFieldType {
    Text,
    Choice,
    Multiselect,
    Confirm,
}

/// The normal end of a stream. `doneReason` is `"cancelled"` after a stop, else the provider's
/// reason when it gave one (`"stop"`, `"length"`, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DoneEvent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub done_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub usage: Option<Usage>,
    /// Something the user should know about this answer although it succeeded, as "what
    /// happened — what to do": the model or server ignored the tools, naming the setting that
    /// fixes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub warning: Option<String>,
}

/// What a stream cost, summed over the agent's turns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Prompt tokens of the last turn (what the context held), as the provider counted them;
    /// absent when it did not say (never a made-up 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub prompt_tokens: Option<u32>,
    /// Generated tokens (text, thinking and tool-call arguments) over all turns.
    pub completion_tokens: u32,
    /// True when some count is the sidecar's estimate because the provider sent none (or a stop
    /// cut the turn short): the UI shows "~".
    pub estimated: bool,
    /// From sending a request to the first text or thinking (of the first turn that streamed
    /// any); absent when none arrived (a stop before the first token, or only tool calls), never
    /// a made-up 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub time_to_first_token_ms: Option<f64>,
    /// Generated tokens per second of generation time: from each turn's first text, thinking or
    /// tool-call argument to its end (the provider's own figure when it gives one), without the
    /// wait for the first token, tool runs or permission prompts.
    pub tokens_per_second: f64,
    /// The whole stream, tools and waits included.
    pub total_duration_ms: f64,
    /// True when the prompt was (probably) cut to fit the context window: the model did not see
    /// all of the conversation.
    pub truncated: bool,
    /// The context window used (Ollama's `num_ctx`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub context_length: Option<u32>,
}

/// A terminal error. `code` is a stable machine-readable kind: `provider_unreachable`, `auth`,
/// `model_not_found`, `rate_limited`, `server_error`, `bad_request`, `malformed_response`,
/// `empty_response` (an HTTP 200 without a stream), `truncated_stream`, `idle_timeout`,
/// `max_tool_calls`, `tools_unsupported`, `invalid_request`, `internal` (and `sidecar_exited`,
/// which only the host sends).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ErrorEvent {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub code: Option<String>,
}

/// The user's answer to a ToolPermission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ToolPermissionDecision {
    Accepted,
    Rejected,
    AlwaysAllowed,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ToolPermissionMode {
    #[default]
    AskEveryTime,
    AutoAcceptReadOnly,
    AutoAcceptAll,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    #[default]
    Ollama,
    Openai,
    Anthropic,
}

/// One chat message, provider-neutral; each provider converts the history to its wire format.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// `system`, `user`, `assistant` or `tool`.
    pub role: String,
    #[serde(default)]
    pub content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub thinking: Option<String>,
    /// Anthropic's signature of `thinking`, which it needs back when tools are used with thinking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub thinking_signature: Option<String>,
    /// Base64 images (no data: prefix) for vision models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub images: Option<Vec<String>>,
    /// On assistant messages: the tools the model called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tool_calls: Option<Vec<ToolCallRef>>,
    /// On tool messages: which call this answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tool_call_id: Option<String>,
    /// On tool messages: the tool's name (Ollama matches results by name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tool_name: Option<String>,
}

/// A tool call recorded in an assistant message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ToolCallRef {
    pub id: String,
    pub name: String,
    #[ts(type = "Record<string, unknown>")]
    pub arguments: Value,
}

/// Sampling options (the seed's OllamaModelOptions); each provider sends what it understands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ModelOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_ctx: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_predict: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_penalty: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_last_n: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mirostat: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mirostat_tau: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mirostat_eta: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tfs_z: Option<f64>,
}

/// `think`: on/off, or a reasoning level for models that take one (gpt-oss).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
pub enum Think {
    On(bool),
    /// `"low"`, `"medium"` or `"high"`.
    Level(String),
}

impl Think {
    /// True when thinking is requested at all.
    pub fn enabled(&self) -> bool {
        match self {
            Think::On(on) => *on,
            Think::Level(level) => !level.is_empty(),
        }
    }
}

/// Params of `generate_completion_stream` (and of `generate_completion`, minus `onEvent`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct CompletionRequest {
    #[ts(optional = false)]
    pub model: String,
    #[ts(optional = false)]
    pub messages: Vec<Message>,
    /// The provider's base URL; absent or empty means the provider's default.
    #[serde(default)]
    pub host: Option<String>,
    /// Never logged or stored; only sent to `host`.
    #[serde(default)]
    pub api_key: Option<String>,
    /// The channel id (absent for `generate_completion`).
    #[serde(default)]
    pub on_event: Option<u64>,
    #[serde(default)]
    pub provider: Option<ProviderKind>,
    #[serde(default)]
    pub tools: Option<bool>,
    #[serde(default)]
    pub tool_permission_mode: Option<ToolPermissionMode>,
    #[serde(default)]
    pub tool_allowlist: Option<Vec<String>>,
    /// Whether and which tool the model must call (see `ToolChoice`); absent means `"auto"`.
    #[serde(default)]
    #[ts(optional, type = "\"auto\" | \"required\" | \"none\" | \"omit\" | { name: string }")]
    pub tool_choice: Option<ToolChoice>,
    #[serde(default)]
    pub max_tool_calls: Option<u32>,
    #[serde(default)]
    pub options: Option<ModelOptions>,
    #[serde(default)]
    pub think: Option<Think>,
    /// How long a ToolPermission waits before it counts as rejected (default 300).
    #[serde(default)]
    pub permission_timeout_seconds: Option<f64>,
    /// How long AskUser/AskUserForm wait for an answer (default 180).
    #[serde(default)]
    pub ask_user_timeout_seconds: Option<f64>,
    /// How long the provider may send nothing before the stream fails (default 60).
    #[serde(default)]
    pub idle_timeout_seconds: Option<f64>,
    /// The SearXNG base URL the user configured (`prototyper.searxng.url`, filled by the host);
    /// absent or empty: the `web_search` tool is not offered.
    #[serde(default)]
    pub searxng_url: Option<String>,
    /// Where `generate_image` saves images, workspace-relative (`prototyper.images.folder`,
    /// filled by the host); `assets/generated` when absent.
    #[serde(default)]
    pub images_folder: Option<String>,
    /// Where this turn's checkpoint is filed (the chat and the assistant message being answered).
    /// Without it the turn's changes are not recorded and cannot be restored.
    #[serde(default)]
    pub checkpoint: Option<crate::protocol::checkpoint::CheckpointTarget>,
}

/// `toolChoice` of a completion: `"auto"` (the default: sent as such), `"required"` (the first
/// turn must call some tool), `"none"`, `"omit"` (never sent, for servers that refuse the
/// parameter) or one tool by name, `{ "name": "write_file" }` (the first turn must call it;
/// OpenAI's `{type:"function", function:{name}}` and Anthropic's `{type:"tool", name}` shapes are
/// read too). A forced or required choice applies to the first turn only: the turns after it
/// send none, so the model can answer once the tool ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolChoice {
    Auto,
    Required,
    None,
    Omit,
    Tool(String),
}

impl ToolChoice {
    /// True when it makes the model call a tool.
    pub fn forces_a_call(&self) -> bool {
        matches!(self, ToolChoice::Required | ToolChoice::Tool(_))
    }

    fn parse(value: &Value) -> Result<ToolChoice, String> {
        let mode = |word: &str| match word {
            "auto" => Some(ToolChoice::Auto),
            "required" | "any" => Some(ToolChoice::Required),
            "none" => Some(ToolChoice::None),
            "omit" | "none-sent" | "" => Some(ToolChoice::Omit),
            _ => None,
        };
        let named = |v: &Value| v.as_str().filter(|n| !n.trim().is_empty()).map(|n| ToolChoice::Tool(n.trim().to_string()));
        let found = match value {
            Value::Null => Some(ToolChoice::Auto),
            Value::String(word) => mode(word.trim()),
            Value::Object(object) => named(&value["name"])
                .or_else(|| named(&value["function"]["name"]))
                .or_else(|| object.get("type").and_then(Value::as_str).and_then(mode)),
            _ => None,
        };
        found.ok_or_else(|| {
            format!("toolChoice {value} is not one of \"auto\", \"required\", \"none\", \"omit\" or {{\"name\": \"<tool>\"}}")
        })
    }
}

impl Serialize for ToolChoice {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ToolChoice::Auto => serializer.serialize_str("auto"),
            ToolChoice::Required => serializer.serialize_str("required"),
            ToolChoice::None => serializer.serialize_str("none"),
            ToolChoice::Omit => serializer.serialize_str("omit"),
            ToolChoice::Tool(name) => serde_json::json!({ "name": name }).serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for ToolChoice {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ToolChoice::parse(&Value::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// The result of `generate_completion_stream` and `pull_ollama_model`, sent after the terminal
/// channel message: the channel id, which `stop_generation_stream` takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StreamStarted {
    pub request_id: u64,
}

/// Params of `stop_generation_stream`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StopGenerationParams {
    /// The stream's channel id (`onEvent`).
    pub request_id: u64,
}

/// Params of `resolve_tool_permission`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ResolveToolPermissionParams {
    /// `ToolPermission.id`.
    pub permission_id: u32,
    pub decision: ToolPermissionDecision,
    /// With `accepted`/`always_allowed` for a proposal: the whole file as the user accepted it,
    /// when they edited the proposal (in the diff editor) before accepting. Absent: as proposed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub content: Option<String>,
}

/// Params of `resolve_ask_user`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ResolveAskUserParams {
    /// `AskUser.id`.
    pub request_id: u32,
    pub answer: String,
}

/// Params of `resolve_ask_user_form`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ResolveAskUserFormParams {
    /// `AskUserForm.id`.
    pub request_id: u32,
    /// Field id → answer (a string, or a list of strings for multiselect).
    #[ts(type = "Record<string, string | string[]>")]
    pub answers: Value,
}

/// `Option<Option<T>>` as "absent / null / value", which plain serde collapses.
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, T: Serialize>(value: &Option<Option<T>>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_serialize_as_the_contract_says() {
        let chunk = CompletionEvent::Chunk(ChunkEvent { text: "hi".into(), thinking: None });
        assert_eq!(serde_json::to_value(&chunk).unwrap(), json!({"event": "Chunk", "data": {"text": "hi"}}));
        let result = CompletionEvent::ToolResult(ToolResultEvent {
            id: "c1".into(),
            tool: "write_file".into(),
            success: true,
            output: "ok".into(),
            path: Some("a.txt".into()),
            content: Some("x".into()),
            previous_content: Some(None),
        });
        assert_eq!(
            serde_json::to_value(&result).unwrap(),
            json!({"event": "ToolResult", "data": {"id": "c1", "tool": "write_file", "success": true, "output": "ok", "path": "a.txt", "content": "x", "previousContent": null}})
        );
        let done = CompletionEvent::Done(DoneEvent { done_reason: Some("cancelled".into()), ..Default::default() });
        assert_eq!(serde_json::to_value(&done).unwrap(), json!({"event": "Done", "data": {"doneReason": "cancelled"}}));
        let pull = PullEvent::Done(PullDone {});
        assert_eq!(serde_json::to_value(&pull).unwrap(), json!({"event": "Done", "data": {}}));
    }

    #[test]
    fn request_params_accept_the_host_shape() {
        let request: CompletionRequest = serde_json::from_value(json!({
            "model": "m", "messages": [{"role": "user", "content": "hi"}], "host": "", "apiKey": null,
            "onEvent": 3, "provider": "anthropic", "tools": true, "toolPermissionMode": "auto_accept_read_only",
            "toolAllowlist": ["bash"], "maxToolCalls": 5, "options": {"numCtx": 8192, "topK": 40}, "think": "high"
        }))
        .unwrap();
        assert_eq!(request.provider, Some(ProviderKind::Anthropic));
        assert_eq!(request.options.unwrap().num_ctx, Some(8192));
        assert_eq!(request.think, Some(Think::Level("high".into())));
        let request: CompletionRequest = serde_json::from_value(json!({"model": "m", "messages": [], "think": true})).unwrap();
        assert!(request.think.unwrap().enabled());
    }

    #[test]
    fn tool_choice_reads_every_spelling() {
        let read = |value: Value| serde_json::from_value::<CompletionRequest>(json!({"model": "m", "messages": [], "toolChoice": value})).map(|r| r.tool_choice);
        assert_eq!(read(json!("auto")).unwrap(), Some(ToolChoice::Auto));
        assert_eq!(read(json!("any")).unwrap(), Some(ToolChoice::Required));
        assert_eq!(read(json!("omit")).unwrap(), Some(ToolChoice::Omit));
        assert_eq!(read(json!({"name": "write_file"})).unwrap(), Some(ToolChoice::Tool("write_file".into())));
        assert_eq!(read(json!({"type": "function", "function": {"name": "grep"}})).unwrap(), Some(ToolChoice::Tool("grep".into())));
        assert_eq!(read(json!({"type": "tool", "name": "glob"})).unwrap(), Some(ToolChoice::Tool("glob".into())));
        let error = read(json!("sometimes")).unwrap_err().to_string();
        assert!(error.contains("\"sometimes\"") && error.contains("omit"), "{error}");
        assert_eq!(serde_json::to_value(ToolChoice::Tool("bash".into())).unwrap(), json!({"name": "bash"}));
    }

    #[test]
    fn unknown_prompt_tokens_are_absent_and_estimates_say_so() {
        let usage = Usage { completion_tokens: 7, estimated: true, ..Default::default() };
        let value = serde_json::to_value(&usage).unwrap();
        assert!(value.get("promptTokens").is_none(), "{value}");
        assert_eq!(value["estimated"], true);
        let delta = CompletionEvent::ToolCallDelta(ToolCallDeltaEvent { id: "c".into(), tool: "write_file".into(), args_delta: "{\"pa".into() });
        assert_eq!(serde_json::to_value(&delta).unwrap(), json!({"event": "ToolCallDelta", "data": {"id": "c", "tool": "write_file", "argsDelta": "{\"pa"}}));
    }
}
