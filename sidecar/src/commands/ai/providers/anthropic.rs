//! Anthropic's Messages API: `POST {host}/v1/messages` with `x-api-key` and
//! `anthropic-version: 2023-06-01`, answered with SSE events `message_start`,
//! `content_block_start/delta/stop` (text_delta, thinking_delta, signature_delta,
//! input_json_delta), `message_delta` (stop reason, output tokens) and `message_stop`.
//!
//! History mapping: system messages become the top-level `system`; assistant tool calls become
//! `tool_use` blocks; tool results go back as `tool_result` blocks in ONE user message per turn
//! (consecutive results are merged, since the API wants alternating roles). With thinking on, the
//! previous turn's thinking goes back with its signature, which the API requires for tool use.

use super::openai::{image_media_type, sse_data};
use super::{malformed, new_call_id, Decoder, Delta, Failure, TurnOutput, TurnRequest};
use crate::protocol::ai::{Message, Think, ToolCallRef, ToolChoice};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const HOST_SETTING: &str = "prototyper.anthropic.host";

/// Output budget when the options do not set `numPredict` (the API requires one).
const DEFAULT_MAX_TOKENS: i64 = 8192;

fn thinking_budget(think: Option<&Think>) -> Option<i64> {
    match think? {
        Think::On(false) => None,
        Think::On(true) => Some(8000),
        Think::Level(level) => match level.as_str() {
            "" => None,
            "low" => Some(4000),
            "high" => Some(16000),
            _ => Some(8000),
        },
    }
}

/// The request body.
pub fn body(turn: &TurnRequest, stream: bool) -> Value {
    let (system, messages) = messages(turn.messages);
    let requested = turn.options.num_predict.filter(|&n| n > 0).map(i64::from);
    let budget = thinking_budget(turn.think);
    // max_tokens must exceed the thinking budget, and leave room for the answer.
    // Claude 3 Haiku and Opus refuse more than 4096 output tokens; later models allow 8192+.
    let old_model = turn.model.starts_with("claude-3-") && !turn.model.starts_with("claude-3-5") && !turn.model.starts_with("claude-3-7");
    let default_max = if old_model { 4096 } else { DEFAULT_MAX_TOKENS };
    let max_tokens = match budget {
        Some(budget) => requested.unwrap_or(0).max(budget + default_max),
        None => requested.unwrap_or(default_max),
    };
    let mut body = json!({
        "model": turn.model,
        "max_tokens": max_tokens,
        "messages": messages,
        "stream": stream,
    });
    if !system.is_empty() {
        body["system"] = json!(system);
    }
    if !turn.tools.is_empty() {
        body["tools"] = turn
            .tools
            .iter()
            .map(|tool| json!({ "name": tool["name"], "description": tool["description"], "input_schema": tool["parameters"] }))
            .collect();
    }
    if !turn.tools.is_empty() {
        // With extended thinking the API takes only "auto" and "none": a forced call would be
        // refused, so the model is then left to choose.
        let choice = match turn.tool_choice {
            Some(ToolChoice::Required) if budget.is_none() => Some(json!({ "type": "any" })),
            Some(ToolChoice::Tool(name)) if budget.is_none() => Some(json!({ "type": "tool", "name": name })),
            Some(ToolChoice::None) => Some(json!({ "type": "none" })),
            Some(ToolChoice::Auto | ToolChoice::Required | ToolChoice::Tool(_)) => Some(json!({ "type": "auto" })),
            Some(ToolChoice::Omit) | None => None,
        };
        if let Some(choice) = choice {
            body["tool_choice"] = choice;
        }
    }
    match budget {
        // Sampling parameters are not allowed together with extended thinking.
        Some(budget) => body["thinking"] = json!({ "type": "enabled", "budget_tokens": budget }),
        None => {
            if let Some(temperature) = turn.options.temperature {
                body["temperature"] = json!(temperature.clamp(0.0, 1.0));
            }
            if let Some(top_p) = turn.options.top_p {
                body["top_p"] = json!(top_p);
            }
            if let Some(top_k) = turn.options.top_k {
                body["top_k"] = json!(top_k);
            }
        }
    }
    body
}

/// Splits the history into the system prompt and the API's alternating messages.
fn messages(history: &[Message]) -> (String, Vec<Value>) {
    let mut system = Vec::new();
    let mut out: Vec<Value> = Vec::new();
    for message in history {
        match message.role.as_str() {
            "system" => system.push(message.content.clone()),
            "assistant" => {
                let mut blocks = Vec::new();
                if let (Some(thinking), Some(signature)) = (&message.thinking, &message.thinking_signature) {
                    blocks.push(json!({ "type": "thinking", "thinking": thinking, "signature": signature }));
                }
                if !message.content.is_empty() {
                    blocks.push(json!({ "type": "text", "text": message.content }));
                }
                for call in message.tool_calls.iter().flatten() {
                    blocks.push(json!({ "type": "tool_use", "id": call.id, "name": call.name, "input": call.arguments }));
                }
                if !blocks.is_empty() {
                    push(&mut out, "assistant", blocks);
                }
            }
            "tool" => {
                let block = match &message.tool_call_id {
                    Some(id) => json!({ "type": "tool_result", "tool_use_id": id, "content": message.content }),
                    None => json!({
                        "type": "text",
                        "text": format!("Result of {}:\n{}", message.tool_name.as_deref().unwrap_or("a tool"), message.content),
                    }),
                };
                push(&mut out, "user", vec![block]);
            }
            _ => {
                let mut blocks: Vec<Value> = message
                    .images
                    .iter()
                    .flatten()
                    .map(|data| json!({ "type": "image", "source": { "type": "base64", "media_type": image_media_type(data), "data": data } }))
                    .collect();
                if !message.content.is_empty() {
                    blocks.push(json!({ "type": "text", "text": message.content }));
                }
                if !blocks.is_empty() {
                    push(&mut out, "user", blocks);
                }
            }
        }
    }
    (system.join("\n\n"), out)
}

/// Appends blocks, merging into the previous message when it has the same role.
fn push(out: &mut Vec<Value>, role: &str, blocks: Vec<Value>) {
    if let Some(last) = out.last_mut().filter(|last| last["role"] == role) {
        if let Some(content) = last["content"].as_array_mut() {
            // tool_result blocks must come first in a user message.
            if role == "user" && blocks.iter().any(|b| b["type"] == "tool_result") {
                let at = content.iter().take_while(|b| b["type"] == "tool_result").count();
                for (offset, block) in blocks.into_iter().enumerate() {
                    content.insert(at + offset, block);
                }
            } else {
                content.extend(blocks);
            }
            return;
        }
    }
    out.push(json!({ "role": role, "content": blocks }));
}

struct Block {
    kind: String,
    id: String,
    name: String,
    json: String,
}

/// Decodes the SSE answer.
#[derive(Default)]
pub struct AnthropicDecoder {
    output: TurnOutput,
    blocks: BTreeMap<u64, Block>,
    done: bool,
    started: bool,
}

impl Decoder for AnthropicDecoder {
    fn line(&mut self, line: &str, delta: &mut Delta) -> Result<(), Failure> {
        let Some(data) = sse_data(line) else {
            return Ok(());
        };
        self.started = true;
        let value: Value = serde_json::from_str(data).map_err(|err| malformed("Anthropic", HOST_SETTING, line, err))?;
        let index = value.get("index").and_then(Value::as_u64).unwrap_or(0);
        match value.get("type").and_then(Value::as_str).unwrap_or_default() {
            "message_start" => {
                let usage = &value["message"]["usage"];
                let input = ["input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"]
                    .iter()
                    .filter_map(|key| usage.get(*key).and_then(Value::as_u64))
                    .sum::<u64>();
                self.output.prompt_tokens = Some(input.min(u32::MAX as u64) as u32);
            }
            "content_block_start" => {
                let block = &value["content_block"];
                let text = |key: &str| block.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
                let mut block = Block { kind: text("type"), id: text("id"), name: text("name"), json: String::new() };
                if block.kind == "tool_use" {
                    // The id and name come first: the call is announced before its input streams.
                    if block.id.is_empty() {
                        block.id = new_call_id();
                    }
                    delta.tool_progress(&block.id, &block.name, "");
                }
                self.blocks.insert(index, block);
            }
            "content_block_delta" => {
                let fragment = &value["delta"];
                let text = |key: &str| fragment.get(key).and_then(Value::as_str).unwrap_or_default();
                match text("type") {
                    "text_delta" => {
                        delta.text.push_str(text("text"));
                        self.output.text.push_str(text("text"));
                        self.output.pieces += 1;
                    }
                    "thinking_delta" => {
                        delta.thinking.push_str(text("thinking"));
                        self.output.thinking.push_str(text("thinking"));
                        self.output.pieces += 1;
                    }
                    "signature_delta" => {
                        self.output.thinking_signature.get_or_insert_with(String::new).push_str(text("signature"));
                    }
                    "input_json_delta" => {
                        if let Some(block) = self.blocks.get_mut(&index) {
                            block.json.push_str(text("partial_json"));
                            delta.tool_progress(&block.id, &block.name, text("partial_json"));
                            self.output.pieces += 1;
                        }
                    }
                    _ => {}
                }
            }
            "content_block_stop" => {
                if let Some(block) = self.blocks.remove(&index).filter(|b| b.kind == "tool_use") {
                    let arguments = if block.json.trim().is_empty() {
                        json!({})
                    } else {
                        serde_json::from_str(&block.json).map_err(|err| malformed("Anthropic", HOST_SETTING, &block.json, err))?
                    };
                    self.output.tool_calls.push(ToolCallRef { id: block.id, name: block.name, arguments });
                }
            }
            "message_delta" => {
                if let Some(reason) = value["delta"].get("stop_reason").and_then(Value::as_str) {
                    self.output.done_reason = Some(reason.to_string());
                }
                if let Some(output) = value["usage"].get("output_tokens").and_then(Value::as_u64) {
                    self.output.completion_tokens = Some(output.min(u32::MAX as u64) as u32);
                }
            }
            "message_stop" => self.done = true,
            "error" => {
                let error = &value["error"];
                let kind = error.get("type").and_then(Value::as_str).unwrap_or("error");
                let text = error.get("message").and_then(Value::as_str).unwrap_or("unknown error");
                let advice = if kind == "overloaded_error" { "Anthropic is overloaded; retry in a moment" } else { "retry" };
                return Err(Failure::new("server_error", format!("Anthropic stopped with an error ({kind}: {text}) — {advice}.")));
            }
            _ => {}
        }
        Ok(())
    }

    fn finished(&self) -> bool {
        self.done
    }

    fn started(&self) -> bool {
        self.started
    }

    fn finish(&mut self) -> TurnOutput {
        std::mem::take(&mut self.output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ai::ModelOptions;

    #[test]
    fn decodes_the_event_sequence() {
        let mut decoder = AnthropicDecoder::default();
        let mut delta = Delta::default();
        for line in [
            "event: message_start",
            r#"data: {"type":"message_start","message":{"usage":{"input_tokens":20,"cache_read_input_tokens":5,"output_tokens":1}}}"#,
            r#"data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"#,
            r#"data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}}"#,
            r#"data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig"}}"#,
            r#"data: {"type":"content_block_stop","index":0}"#,
            r#"data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#,
            r#"data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hi"}}"#,
            r#"data: {"type":"content_block_stop","index":1}"#,
            r#"data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"bash","input":{}}}"#,
            r#"data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"command\":"}}"#,
            r#"data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"\"ls\"}"}}"#,
            r#"data: {"type":"content_block_stop","index":2}"#,
            r#"data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":7}}"#,
            r#"data: {"type":"message_stop"}"#,
        ] {
            decoder.line(line, &mut delta).unwrap();
        }
        assert!(decoder.finished());
        assert_eq!((delta.text.as_str(), delta.thinking.as_str()), ("Hi", "hmm"));
        let output = decoder.finish();
        assert_eq!(output.thinking_signature.as_deref(), Some("sig"));
        assert_eq!(output.tool_calls, vec![ToolCallRef { id: "toolu_1".into(), name: "bash".into(), arguments: json!({"command": "ls"}) }]);
        assert_eq!((output.prompt_tokens, output.completion_tokens), (Some(25), Some(7)));
    }

    #[test]
    fn in_stream_errors_fail() {
        let mut delta = Delta::default();
        let failure = AnthropicDecoder::default()
            .line(r#"data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#, &mut delta)
            .unwrap_err();
        assert!(failure.message.contains("overloaded"), "{}", failure.message);
    }

    #[test]
    fn history_becomes_alternating_blocks() {
        let messages = vec![
            Message { role: "system".into(), content: "be brief".into(), ..Default::default() },
            Message { role: "user".into(), content: "list".into(), ..Default::default() },
            Message {
                role: "assistant".into(),
                content: "Looking".into(),
                thinking: Some("t".into()),
                thinking_signature: Some("s".into()),
                tool_calls: Some(vec![
                    ToolCallRef { id: "a".into(), name: "glob".into(), arguments: json!({}) },
                    ToolCallRef { id: "b".into(), name: "grep".into(), arguments: json!({}) },
                ]),
                ..Default::default()
            },
            Message { role: "tool".into(), content: "x".into(), tool_call_id: Some("a".into()), ..Default::default() },
            Message { role: "tool".into(), content: "y".into(), tool_call_id: Some("b".into()), ..Default::default() },
        ];
        let tools = vec![json!({"name": "glob", "description": "d", "parameters": {"type": "object"}})];
        let options = ModelOptions { temperature: Some(0.2), ..Default::default() };
        let choice = ToolChoice::Tool("glob".into());
        let turn = TurnRequest { model: "c", messages: &messages, tools: &tools, options: &options, num_ctx: None, think: Some(&Think::On(true)), tool_choice: Some(&choice) };
        let body = body(&turn, true);
        assert_eq!(body["system"], "be brief");
        assert_eq!(body["thinking"], json!({"type": "enabled", "budget_tokens": 8000}));
        assert!(body["max_tokens"].as_i64().unwrap() > 8000);
        assert!(body.get("temperature").is_none());
        assert_eq!(body["tools"][0]["input_schema"], json!({"type": "object"}));
        assert_eq!(body["tool_choice"], json!({"type": "auto"}), "thinking cannot be combined with a forced call");
        let sent = body["messages"].as_array().unwrap();
        assert_eq!(sent.len(), 3);
        assert_eq!(sent[1]["content"][0]["type"], "thinking");
        assert_eq!(sent[1]["content"][2], json!({"type": "tool_use", "id": "a", "name": "glob", "input": {}}));
        assert_eq!(sent[2]["content"].as_array().unwrap().len(), 2);
        assert_eq!(sent[2]["content"][1]["tool_use_id"], "b");
    }
}
