//! The OpenAI chat-completions API as OpenAI, LM Studio, llama.cpp's server and vLLM speak it:
//! `POST {host}/v1/chat/completions` with `stream:true`, answered with SSE `data:` lines of
//! `chat.completion.chunk` objects and a final `data: [DONE]`.
//!
//! Tool calls stream as `delta.tool_calls[]` fragments keyed by `index`: the first fragment of a
//! call carries its id and name, later ones append to `function.arguments` (a JSON string that is
//! only parseable once complete). Real servers stray from that, and the decoder follows what they
//! send: llama.cpp's repeats the full name (and the legacy `delta.function_call`) in every
//! fragment, some put parallel calls at one index with different ids, older ones send only
//! `function_call`. Names and ids are set once; argument text is appended.
//!
//! `stream_options.include_usage` asks for a last chunk with token usage (llama.cpp's server
//! ignores it; the agent then estimates). `tool_choice` is sent as the request says (`"auto"` by
//! default). Local servers stream reasoning as `delta.reasoning_content` (or `delta.reasoning`).

use super::{arguments_value, malformed, new_call_id, Decoder, Delta, Failure, TurnOutput, TurnRequest};
use crate::protocol::ai::{Message, Think, ToolCallRef, ToolChoice};
use serde_json::{json, Value};

/// The request body. Only the standard sampling options are sent: OpenAI itself refuses unknown
/// parameters such as `top_k`.
pub fn body(turn: &TurnRequest, stream: bool) -> Value {
    let mut body = json!({
        "model": turn.model,
        "messages": messages(turn.messages),
        "stream": stream,
    });
    if stream {
        body["stream_options"] = json!({ "include_usage": true });
    }
    if !turn.tools.is_empty() {
        body["tools"] = turn.tools.iter().map(|tool| json!({ "type": "function", "function": tool })).collect();
        match turn.tool_choice {
            Some(ToolChoice::Auto) => body["tool_choice"] = json!("auto"),
            Some(ToolChoice::Required) => body["tool_choice"] = json!("required"),
            Some(ToolChoice::None) => body["tool_choice"] = json!("none"),
            Some(ToolChoice::Tool(name)) => body["tool_choice"] = json!({ "type": "function", "function": { "name": name } }),
            Some(ToolChoice::Omit) | None => {}
        }
    }
    let options = turn.options;
    if let Some(temperature) = options.temperature {
        body["temperature"] = json!(temperature);
    }
    if let Some(top_p) = options.top_p {
        body["top_p"] = json!(top_p);
    }
    if let Some(max) = options.num_predict.filter(|&n| n > 0) {
        body["max_tokens"] = json!(max);
    }
    if let Some(seed) = options.seed {
        body["seed"] = json!(seed);
    }
    // Reasoning models take an effort level; a plain `true` is left to the model's default
    // because non-reasoning models reject the parameter.
    if let Some(Think::Level(level)) = turn.think {
        body["reasoning_effort"] = json!(level);
    }
    body
}

fn messages(history: &[Message]) -> Vec<Value> {
    history
        .iter()
        .map(|message| match message.role.as_str() {
            "tool" => match &message.tool_call_id {
                Some(id) => json!({ "role": "tool", "tool_call_id": id, "content": message.content }),
                // A result without an id cannot be matched to a call; keep it readable instead.
                None => json!({
                    "role": "user",
                    "content": format!("Result of {}:\n{}", message.tool_name.as_deref().unwrap_or("a tool"), message.content),
                }),
            },
            "assistant" => {
                let mut out = json!({ "role": "assistant", "content": message.content });
                if let Some(calls) = message.tool_calls.as_ref().filter(|c| !c.is_empty()) {
                    out["tool_calls"] = calls
                        .iter()
                        .map(|call| json!({
                            "id": call.id,
                            "type": "function",
                            "function": { "name": call.name, "arguments": call.arguments.to_string() },
                        }))
                        .collect();
                }
                out
            }
            role => match message.images.as_ref().filter(|i| !i.is_empty()) {
                Some(images) => {
                    let mut parts = vec![json!({ "type": "text", "text": message.content })];
                    parts.extend(images.iter().map(|data| {
                        json!({ "type": "image_url", "image_url": { "url": format!("data:{};base64,{data}", image_media_type(data)) } })
                    }));
                    json!({ "role": role, "content": parts })
                }
                None => json!({ "role": role, "content": message.content }),
            },
        })
        .collect()
}

/// The media type of base64 image data, from its first bytes (PNG when unknown).
pub fn image_media_type(base64: &str) -> &'static str {
    if base64.starts_with("/9j/") {
        "image/jpeg"
    } else if base64.starts_with("R0lGOD") {
        "image/gif"
    } else if base64.starts_with("UklGR") {
        "image/webp"
    } else {
        "image/png"
    }
}

/// A tool call being assembled from fragments.
#[derive(Default)]
struct PartialCall {
    /// The provider's `index` for it, when it sent one.
    index: Option<u64>,
    /// Set once: the provider's id, or one generated when the call is announced without one.
    id: Option<String>,
    /// Set once: servers such as llama.cpp's repeat the full name in every fragment.
    name: String,
    arguments: String,
    /// Whether a ToolCallDelta went out for it (from then on only new argument text goes out).
    announced: bool,
}

/// Decodes the SSE answer.
#[derive(Default)]
pub struct OpenAiDecoder {
    output: TurnOutput,
    calls: Vec<PartialCall>,
    done: bool,
    started: bool,
    finish_reason_seen: bool,
}

const SUBJECT: &str = "The OpenAI-compatible server";
const HOST_SETTING: &str = "prototyper.openai.host";

impl OpenAiDecoder {
    /// The call a fragment belongs to. Fragments are matched by `index`; a fragment whose id
    /// differs from the id its index already has starts a new call (some servers put every
    /// parallel call at index 0, each with its own id), and so does a fragment without index or
    /// id that comes after a finished-looking call of another name.
    fn slot(&mut self, index: Option<u64>, id: Option<&str>, name: Option<&str>) -> usize {
        let same_index = self.calls.iter().rposition(|call| call.index == index);
        let found = match same_index {
            Some(at) => {
                let call = &self.calls[at];
                let other_id = matches!((id, call.id.as_deref()), (Some(new), Some(old)) if new != old);
                let other_name = index.is_none() && id.is_none() && matches!(name, Some(new) if !call.name.is_empty() && new != call.name);
                (!other_id && !other_name).then_some(at)
            }
            None => None,
        };
        found.unwrap_or_else(|| {
            self.calls.push(PartialCall { index, ..Default::default() });
            self.calls.len() - 1
        })
    }

    /// Adds one fragment (`tool_calls[i]`, or the legacy `function_call`) to its call and reports
    /// the progress. Returns whether it carried argument text.
    fn fragment(&mut self, index: Option<u64>, id: Option<&str>, function: Option<&Value>, delta: &mut Delta) -> bool {
        let name = function.and_then(|f| f.get("name")).and_then(Value::as_str).filter(|n| !n.is_empty());
        let at = self.slot(index, id, name);
        let call = &mut self.calls[at];
        if call.id.is_none() {
            call.id = id.map(str::to_string);
        }
        if call.name.is_empty() {
            if let Some(name) = name {
                call.name = name.to_string();
            }
        }
        let before = call.arguments.len();
        match function.and_then(|f| f.get("arguments")) {
            Some(Value::String(piece)) => call.arguments.push_str(piece),
            // Some servers send the whole arguments object at once.
            Some(object @ Value::Object(_)) => call.arguments = object.to_string(),
            _ => {}
        }
        let grew = call.arguments.len() != before;
        if call.name.is_empty() {
            return grew; // announced once the name is known, with what arrived until then
        }
        let id = call.id.get_or_insert_with(new_call_id).clone();
        if !call.announced {
            call.announced = true;
            delta.tool_progress(&id, &call.name, &call.arguments);
        } else if grew {
            let new_text = if call.arguments.len() > before { &call.arguments[before..] } else { &call.arguments };
            delta.tool_progress(&id, &call.name, new_text);
        }
        grew
    }
}

impl Decoder for OpenAiDecoder {
    fn line(&mut self, line: &str, delta: &mut Delta) -> Result<(), Failure> {
        let Some(data) = sse_data(line) else {
            return Ok(());
        };
        self.started = true;
        if data == "[DONE]" {
            self.done = true;
            return Ok(());
        }
        let value: Value = serde_json::from_str(data).map_err(|err| malformed(SUBJECT, HOST_SETTING, line, err))?;
        if let Some(error) = value.get("error") {
            let text = error.get("message").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| error.to_string());
            return Err(Failure::new("server_error", format!("{SUBJECT} stopped with an error: {text} — retry, or check the server's log.")));
        }
        if let Some(usage) = value.get("usage").filter(|u| u.is_object()) {
            let count = |key: &str| usage.get(key).and_then(Value::as_u64).map(|n| n.min(u32::MAX as u64) as u32);
            self.output.prompt_tokens = count("prompt_tokens").or(self.output.prompt_tokens);
            self.output.completion_tokens = count("completion_tokens").or(self.output.completion_tokens);
        }
        let Some(choice) = value.get("choices").and_then(Value::as_array).and_then(|c| c.first()) else {
            return Ok(());
        };
        if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
            self.finish_reason_seen = true;
            self.output.done_reason = Some(reason.to_string());
        }
        let Some(fragment) = choice.get("delta").or_else(|| choice.get("message")) else {
            return Ok(());
        };
        let mut generated = false;
        if let Some(text) = fragment.get("content").and_then(Value::as_str) {
            delta.text.push_str(text);
            self.output.text.push_str(text);
            generated |= !text.is_empty();
        }
        let reasoning = fragment.get("reasoning_content").or_else(|| fragment.get("reasoning")).and_then(Value::as_str);
        if let Some(thinking) = reasoning {
            delta.thinking.push_str(thinking);
            self.output.thinking.push_str(thinking);
            generated |= !thinking.is_empty();
        }
        match fragment.get("tool_calls").and_then(Value::as_array) {
            Some(calls) => {
                for call in calls {
                    let index = call.get("index").and_then(Value::as_u64);
                    let id = call.get("id").and_then(Value::as_str).filter(|id| !id.is_empty());
                    generated |= self.fragment(index, id, call.get("function"), delta);
                }
            }
            // The legacy single `function_call` delta, from servers that predate `tool_calls`.
            // Servers that send both (llama.cpp's) repeat the same call in it: read one only.
            None => {
                if let Some(function) = fragment.get("function_call").filter(|f| f.is_object()) {
                    generated |= self.fragment(Some(0), None, Some(function), delta);
                }
            }
        }
        if generated {
            self.output.pieces += 1;
        }
        Ok(())
    }

    fn finished(&self) -> bool {
        self.done
    }

    fn started(&self) -> bool {
        self.started
    }

    fn complete_at_eof(&self) -> bool {
        self.done || self.finish_reason_seen
    }

    fn finish(&mut self) -> TurnOutput {
        let mut output = std::mem::take(&mut self.output);
        let mut calls = std::mem::take(&mut self.calls);
        // In the model's order: by index, and in arrival order where indices are equal or absent.
        calls.sort_by_key(|call| call.index.unwrap_or(u64::MAX));
        output.tool_calls = calls
            .into_iter()
            .filter(|call| !call.name.is_empty())
            .map(|call| ToolCallRef {
                id: call.id.unwrap_or_else(new_call_id),
                name: call.name,
                arguments: arguments_value(&Value::String(call.arguments)),
            })
            .collect();
        output
    }
}

/// The payload of an SSE `data:` line; `None` for comments, `event:`/`id:` lines and blank lines.
pub fn sse_data(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("data:")?;
    Some(rest.strip_prefix(' ').unwrap_or(rest).trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ai::ModelOptions;

    #[test]
    fn assembles_streamed_tool_calls_by_index() {
        let mut decoder = OpenAiDecoder::default();
        let mut delta = Delta::default();
        for line in [
            r#"data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Let me look"},"finish_reason":null}]}"#,
            r#"data: {"choices":[{"index":0,"delta":{"reasoning_content":"thinking"},"finish_reason":null}]}"#,
            r#"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"b","type":"function","function":{"name":"grep","arguments":""}}]}}]}"#,
            r#"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"read_file","arguments":"{\"pa"}}]}}]}"#,
            r#"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"th\":\"x\"}"}}]}}]}"#,
            r#"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"pattern\":\"fn\"}"}}]}}]}"#,
            r#"data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
            r#"data: {"choices":[],"usage":{"prompt_tokens":30,"completion_tokens":9}}"#,
            "data: [DONE]",
        ] {
            decoder.line(line, &mut delta).unwrap();
        }
        assert!(decoder.finished());
        assert_eq!(delta.text, "Let me look");
        assert_eq!(delta.thinking, "thinking");
        let output = decoder.finish();
        let calls: Vec<_> = output.tool_calls.iter().map(|c| (c.id.as_str(), c.name.as_str(), c.arguments.clone())).collect();
        assert_eq!(calls, vec![("a", "read_file", json!({"path": "x"})), ("b", "grep", json!({"pattern": "fn"}))]);
        assert_eq!((output.prompt_tokens, output.completion_tokens), (Some(30), Some(9)));
        assert_eq!(output.done_reason.as_deref(), Some("tool_calls"));
    }

    #[test]
    fn ignores_sse_noise_and_fails_on_garbage() {
        let mut decoder = OpenAiDecoder::default();
        let mut delta = Delta::default();
        decoder.line(": keep-alive", &mut delta).unwrap();
        decoder.line("event: message", &mut delta).unwrap();
        assert_eq!(decoder.line("data: {oops", &mut delta).unwrap_err().code, "malformed_response");
        let failure = decoder.line(r#"data: {"error":{"message":"context too long"}}"#, &mut delta).unwrap_err();
        assert!(failure.message.contains("context too long"));
    }

    #[test]
    fn body_has_tools_history_and_usage_request() {
        let messages = vec![
            Message { role: "user".into(), content: "see".into(), images: Some(vec!["/9j/abc".into()]), ..Default::default() },
            Message {
                role: "assistant".into(),
                tool_calls: Some(vec![ToolCallRef { id: "c1".into(), name: "glob".into(), arguments: json!({"pattern": "*"}) }]),
                ..Default::default()
            },
            Message { role: "tool".into(), content: "a.rs".into(), tool_call_id: Some("c1".into()), ..Default::default() },
        ];
        let tools = vec![json!({"name": "glob", "description": "d", "parameters": {"type": "object"}})];
        let options = ModelOptions { num_predict: Some(100), top_k: Some(3), ..Default::default() };
        let choice = ToolChoice::Tool("glob".into());
        let turn = TurnRequest { model: "m", messages: &messages, tools: &tools, options: &options, num_ctx: None, think: None, tool_choice: Some(&choice) };
        let body = body(&turn, true);
        assert_eq!(body["tool_choice"], json!({"type": "function", "function": {"name": "glob"}}));
        assert_eq!(body["stream_options"]["include_usage"], true);
        assert_eq!(body["max_tokens"], 100);
        assert!(body.get("top_k").is_none());
        assert_eq!(body["tools"][0]["type"], "function");
        assert_eq!(body["messages"][0]["content"][1]["image_url"]["url"], "data:image/jpeg;base64,/9j/abc");
        assert_eq!(body["messages"][1]["tool_calls"][0]["function"]["arguments"], "{\"pattern\":\"*\"}");
        assert_eq!(body["messages"][2], json!({"role": "tool", "tool_call_id": "c1", "content": "a.rs"}));
    }
}
