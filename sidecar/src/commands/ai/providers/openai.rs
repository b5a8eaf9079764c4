//! The OpenAI chat-completions API as OpenAI, LM Studio, llama.cpp's server and vLLM speak it:
//! `POST {host}/v1/chat/completions` with `stream:true`, answered with SSE `data:` lines of
//! `chat.completion.chunk` objects and a final `data: [DONE]`.
//!
//! Tool calls stream as `delta.tool_calls[]` fragments keyed by `index`: the first fragment of a
//! call carries its id and name, later ones append to `function.arguments` (a JSON string that is
//! only parseable once complete). `stream_options.include_usage` asks for a last chunk with token
//! usage. Local servers stream reasoning as `delta.reasoning_content` (or `delta.reasoning`).

use super::{arguments_value, malformed, new_call_id, Decoder, Delta, Failure, TurnOutput, TurnRequest};
use crate::protocol::ai::{Message, Think, ToolCallRef};
use serde_json::{json, Value};
use std::collections::BTreeMap;

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

#[derive(Default)]
struct PartialCall {
    id: String,
    name: String,
    arguments: String,
}

/// Decodes the SSE answer.
#[derive(Default)]
pub struct OpenAiDecoder {
    output: TurnOutput,
    calls: BTreeMap<u64, PartialCall>,
    done: bool,
    finish_reason_seen: bool,
}

impl Decoder for OpenAiDecoder {
    fn line(&mut self, line: &str, delta: &mut Delta) -> Result<(), Failure> {
        let Some(data) = sse_data(line) else {
            return Ok(());
        };
        if data == "[DONE]" {
            self.done = true;
            return Ok(());
        }
        let value: Value = serde_json::from_str(data).map_err(|err| malformed("The OpenAI-compatible server", line, err))?;
        if let Some(error) = value.get("error") {
            let text = error.get("message").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| error.to_string());
            return Err(Failure::new("server_error", format!("The OpenAI-compatible server stopped with an error: {text} — retry, or check the server's log.")));
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
        if let Some(text) = fragment.get("content").and_then(Value::as_str) {
            delta.text.push_str(text);
            self.output.text.push_str(text);
        }
        let reasoning = fragment.get("reasoning_content").or_else(|| fragment.get("reasoning")).and_then(Value::as_str);
        if let Some(thinking) = reasoning {
            delta.thinking.push_str(thinking);
            self.output.thinking.push_str(thinking);
        }
        if let Some(calls) = fragment.get("tool_calls").and_then(Value::as_array) {
            for (position, call) in calls.iter().enumerate() {
                let index = call.get("index").and_then(Value::as_u64).unwrap_or(position as u64);
                let partial = self.calls.entry(index).or_default();
                if let Some(id) = call.get("id").and_then(Value::as_str).filter(|id| !id.is_empty()) {
                    partial.id = id.to_string();
                }
                let function = call.get("function");
                if let Some(name) = function.and_then(|f| f.get("name")).and_then(Value::as_str) {
                    partial.name.push_str(name);
                }
                match function.and_then(|f| f.get("arguments")) {
                    Some(Value::String(piece)) => partial.arguments.push_str(piece),
                    // Some servers send the whole arguments object at once.
                    Some(object @ Value::Object(_)) => partial.arguments = object.to_string(),
                    _ => {}
                }
            }
        }
        Ok(())
    }

    fn finished(&self) -> bool {
        self.done
    }

    fn complete_at_eof(&self) -> bool {
        self.done || self.finish_reason_seen
    }

    fn finish(&mut self) -> TurnOutput {
        let mut output = std::mem::take(&mut self.output);
        output.tool_calls = std::mem::take(&mut self.calls)
            .into_values()
            .filter(|call| !call.name.is_empty())
            .map(|call| ToolCallRef {
                id: if call.id.is_empty() { new_call_id() } else { call.id },
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
        let turn = TurnRequest { model: "m", messages: &messages, tools: &tools, options: &options, num_ctx: None, think: None };
        let body = body(&turn, true);
        assert_eq!(body["stream_options"]["include_usage"], true);
        assert_eq!(body["max_tokens"], 100);
        assert!(body.get("top_k").is_none());
        assert_eq!(body["tools"][0]["type"], "function");
        assert_eq!(body["messages"][0]["content"][1]["image_url"]["url"], "data:image/jpeg;base64,/9j/abc");
        assert_eq!(body["messages"][1]["tool_calls"][0]["function"]["arguments"], "{\"pattern\":\"*\"}");
        assert_eq!(body["messages"][2], json!({"role": "tool", "tool_call_id": "c1", "content": "a.rs"}));
    }
}
