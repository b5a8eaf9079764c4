//! Ollama's chat API: `POST {host}/api/chat`, answered with NDJSON lines
//! `{message:{content, thinking?, tool_calls?}, done}` and a final `done:true` line carrying
//! `done_reason`, `prompt_eval_count`, `eval_count` and `eval_duration`.
//!
//! Sampling options go in `options` with Ollama's snake_case names, including `num_ctx`: without
//! it Ollama silently cuts long prompts to its small default window. Tool calls arrive with
//! arguments as an object (and, from 0.12, with an id); results go back as `role:"tool"` messages
//! carrying `tool_name`.

use super::{arguments_value, malformed, new_call_id, Decoder, Delta, Failure, TurnOutput, TurnRequest};
use crate::protocol::ai::{Message, ModelOptions, Think, ToolCallRef};
use serde_json::{json, Map, Value};
use std::time::Duration;

/// The request body.
pub fn body(turn: &TurnRequest, stream: bool) -> Value {
    let mut body = json!({
        "model": turn.model,
        "messages": turn.messages.iter().map(message).collect::<Vec<_>>(),
        "stream": stream,
    });
    let options = options(turn.options, turn.num_ctx);
    if !options.is_empty() {
        body["options"] = Value::Object(options);
    }
    if !turn.tools.is_empty() {
        body["tools"] = turn.tools.iter().map(|tool| json!({ "type": "function", "function": tool })).collect();
    }
    match turn.think {
        Some(Think::On(on)) => body["think"] = json!(on),
        Some(Think::Level(level)) => body["think"] = json!(level),
        None => {}
    }
    body
}

fn message(message: &Message) -> Value {
    let mut out = json!({ "role": message.role, "content": message.content });
    if let Some(thinking) = message.thinking.as_deref().filter(|t| !t.is_empty()) {
        out["thinking"] = json!(thinking);
    }
    if let Some(images) = message.images.as_ref().filter(|i| !i.is_empty()) {
        out["images"] = json!(images);
    }
    if let Some(calls) = message.tool_calls.as_ref().filter(|c| !c.is_empty()) {
        out["tool_calls"] = calls
            .iter()
            .enumerate()
            .map(|(index, call)| json!({ "id": call.id, "function": { "index": index, "name": call.name, "arguments": call.arguments } }))
            .collect();
    }
    if let Some(name) = &message.tool_name {
        out["tool_name"] = json!(name);
    }
    if let Some(id) = &message.tool_call_id {
        out["tool_call_id"] = json!(id);
    }
    out
}

/// `ModelOptions` in Ollama's names; `num_ctx` is the window decided for this request.
pub fn options(options: &ModelOptions, num_ctx: Option<u32>) -> Map<String, Value> {
    let mut out = Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            out.insert(key.to_string(), value);
        }
    };
    put("temperature", options.temperature.map(Value::from));
    put("top_k", options.top_k.map(Value::from));
    put("top_p", options.top_p.map(Value::from));
    put("num_ctx", num_ctx.or(options.num_ctx).map(Value::from));
    put("num_predict", options.num_predict.map(Value::from));
    put("repeat_penalty", options.repeat_penalty.map(Value::from));
    put("repeat_last_n", options.repeat_last_n.map(Value::from));
    put("seed", options.seed.map(Value::from));
    put("mirostat", options.mirostat.map(Value::from));
    put("mirostat_tau", options.mirostat_tau.map(Value::from));
    put("mirostat_eta", options.mirostat_eta.map(Value::from));
    put("tfs_z", options.tfs_z.map(Value::from));
    out
}

/// Decodes the NDJSON answer.
#[derive(Default)]
pub struct OllamaDecoder {
    output: TurnOutput,
    done: bool,
    started: bool,
}

impl Decoder for OllamaDecoder {
    fn line(&mut self, line: &str, delta: &mut Delta) -> Result<(), Failure> {
        let value: Value = serde_json::from_str(line).map_err(|err| malformed("Ollama", "prototyper.ollama.host", line, err))?;
        self.started = true;
        if let Some(error) = value.get("error") {
            let text = error.as_str().map(str::to_string).unwrap_or_else(|| error.to_string());
            return Err(Failure::new("server_error", format!("Ollama stopped with an error: {text} — retry, or check `ollama serve`'s log.")));
        }
        if let Some(message) = value.get("message") {
            let mut generated = false;
            if let Some(text) = message.get("content").and_then(Value::as_str) {
                delta.text.push_str(text);
                self.output.text.push_str(text);
                generated |= !text.is_empty();
            }
            if let Some(thinking) = message.get("thinking").and_then(Value::as_str) {
                delta.thinking.push_str(thinking);
                self.output.thinking.push_str(thinking);
                generated |= !thinking.is_empty();
            }
            if generated {
                self.output.pieces += 1;
            }
            if let Some(calls) = message.get("tool_calls").and_then(Value::as_array) {
                for call in calls {
                    let function = call.get("function").unwrap_or(call);
                    let name = function.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
                    let id = call
                        .get("id")
                        .and_then(Value::as_str)
                        .filter(|id| !id.is_empty())
                        .map(str::to_string)
                        .unwrap_or_else(new_call_id);
                    let arguments = arguments_value(function.get("arguments").unwrap_or(&Value::Null));
                    // Ollama sends each call whole, in one message: announced with all of it.
                    delta.tool_progress(&id, &name, &arguments.to_string());
                    self.output.tool_calls.push(ToolCallRef { id, name, arguments });
                }
            }
        }
        if value.get("done").and_then(Value::as_bool) == Some(true) {
            self.done = true;
            let count = |key: &str| value.get(key).and_then(Value::as_u64).map(|n| n.min(u32::MAX as u64) as u32);
            self.output.prompt_tokens = count("prompt_eval_count");
            self.output.completion_tokens = count("eval_count");
            self.output.generation_time = value.get("eval_duration").and_then(Value::as_u64).filter(|&ns| ns > 0).map(Duration::from_nanos);
            self.output.done_reason = value.get("done_reason").and_then(Value::as_str).map(str::to_string);
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

    #[test]
    fn decodes_text_thinking_tools_and_usage() {
        let mut decoder = OllamaDecoder::default();
        let mut delta = Delta::default();
        for line in [
            r#"{"message":{"role":"assistant","content":"","thinking":"hm"},"done":false}"#,
            r#"{"message":{"role":"assistant","content":"Hi"},"done":false}"#,
            r#"{"message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"read_file","arguments":{"path":"a"}}}]},"done":false}"#,
            r#"{"message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":12,"eval_count":3,"eval_duration":3000000}"#,
        ] {
            decoder.line(line, &mut delta).unwrap();
        }
        assert!(decoder.finished());
        assert_eq!((delta.text.as_str(), delta.thinking.as_str()), ("Hi", "hm"));
        let output = decoder.finish();
        assert_eq!(output.tool_calls[0].name, "read_file");
        assert_eq!(output.tool_calls[0].arguments, json!({"path": "a"}));
        assert!(output.tool_calls[0].id.starts_with("call_"));
        assert_eq!((output.prompt_tokens, output.completion_tokens), (Some(12), Some(3)));
        assert_eq!(output.generation_time, Some(Duration::from_millis(3)));
    }

    #[test]
    fn errors_and_garbage_fail_clearly() {
        let mut delta = Delta::default();
        let failure = OllamaDecoder::default().line("not json", &mut delta).unwrap_err();
        assert_eq!(failure.code, "malformed_response");
        let failure = OllamaDecoder::default().line(r#"{"error":"out of memory"}"#, &mut delta).unwrap_err();
        assert!(failure.message.contains("out of memory"));
    }

    #[test]
    fn body_carries_options_tools_history_and_think() {
        let messages = vec![
            Message { role: "user".into(), content: "hi".into(), ..Default::default() },
            Message {
                role: "assistant".into(),
                tool_calls: Some(vec![ToolCallRef { id: "c1".into(), name: "glob".into(), arguments: json!({"pattern": "*"}) }]),
                ..Default::default()
            },
            Message { role: "tool".into(), content: "a.rs".into(), tool_call_id: Some("c1".into()), tool_name: Some("glob".into()), ..Default::default() },
        ];
        let options = ModelOptions { top_k: Some(40), num_ctx: Some(4096), ..Default::default() };
        let tools = vec![json!({"name": "glob", "description": "d", "parameters": {"type": "object"}})];
        let turn = TurnRequest { model: "m", messages: &messages, tools: &tools, options: &options, num_ctx: Some(8192), think: Some(&Think::Level("high".into())), tool_choice: None };
        let body = body(&turn, true);
        assert_eq!(body["options"], json!({"top_k": 40, "num_ctx": 8192}));
        assert_eq!(body["tools"][0]["function"]["name"], "glob");
        assert_eq!(body["think"], "high");
        assert_eq!(body["messages"][1]["tool_calls"][0]["function"]["arguments"], json!({"pattern": "*"}));
        assert_eq!(body["messages"][2]["tool_name"], "glob");
    }
}
