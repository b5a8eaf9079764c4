//! What a model can do, read from what its server says, so that nothing is assumed per provider:
//! Ollama's `/api/show` (`capabilities`, the context length), Anthropic's Models API
//! (`capabilities.image_input/thinking`, `max_input_tokens`), and for OpenAI-compatible servers
//! the model list's own metadata (OpenRouter's `supported_parameters` and `context_length`,
//! vLLM's `max_model_len`), LM Studio's `/api/v0/models` (`type`, `capabilities: ["tool_use"]`,
//! context lengths) and llama.cpp's `/props` (its context size, its chat template: does it take
//! tools, does it think). Only when the server says nothing are the model's names used, for the
//! families whose abilities are published (OpenAI's and Claude's); otherwise they stay unknown.
//!
//! `details` turns that into the `ModelDetails` the webview shows and the stream obeys: which
//! Thinking control applies, the context window sent, and notes for the user.

use super::models::ModelInfo;
use crate::protocol::ai::ProviderKind;
use crate::protocol::models::{ModelDetails, ThinkingControl};
use serde_json::Value;

/// The largest context window sent on the user's behalf: a model's full window (often 128k) can
/// need tens of GB of KV cache. A `numCtx` the user set is sent as is.
pub const NUM_CTX_CAP: u32 = 32_768;

/// What an OpenAI-compatible server said about its models, besides `/v1/models`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServerHints {
    /// LM Studio's `/api/v0/models` entries.
    pub lm_studio: Vec<Value>,
    /// llama.cpp's `/props`.
    pub props: Option<Value>,
}

fn count(value: &Value) -> Option<u32> {
    value.as_u64().filter(|&n| n > 0).map(|n| n.min(u32::MAX as u64) as u32)
}

fn push(capabilities: &mut Vec<String>, capability: &str) {
    if !capabilities.iter().any(|c| c == capability) {
        capabilities.push(capability.to_string());
    }
}

/// An OpenAI-compatible model's capabilities and context window, from its `/v1/models` entry and
/// the server's hints, with where they came from (`None`: nobody said anything).
pub fn openai_model(entry: &Value, hints: &ServerHints) -> (Vec<String>, Option<u32>, Option<&'static str>) {
    let id = entry["id"].as_str().unwrap_or_default();
    let mut capabilities = Vec::new();
    let mut context = count(&entry["context_length"])
        .or_else(|| count(&entry["max_model_len"]))
        .or_else(|| count(&entry["meta"]["n_ctx_train"]));
    let mut source = context.map(|_| "/v1/models");
    // OpenRouter and others that follow it.
    if let Some(parameters) = entry["supported_parameters"].as_array() {
        let has = |name: &str| parameters.iter().any(|p| p.as_str() == Some(name));
        push(&mut capabilities, "completion");
        if has("tools") {
            push(&mut capabilities, "tools");
        }
        if has("reasoning") || has("include_reasoning") || has("reasoning_effort") {
            push(&mut capabilities, "thinking");
        }
        source = Some("/v1/models");
    }
    if let Some(modalities) = entry["architecture"]["input_modalities"].as_array() {
        if modalities.iter().any(|m| m.as_str() == Some("image")) {
            push(&mut capabilities, "vision");
        }
        source = Some("/v1/models");
    }
    if let Some(studio) = hints.lm_studio.iter().find(|m| m["id"].as_str() == Some(id)) {
        match studio["type"].as_str() {
            Some("embeddings") => push(&mut capabilities, "embedding"),
            Some("vlm") => {
                push(&mut capabilities, "completion");
                push(&mut capabilities, "vision");
            }
            _ => push(&mut capabilities, "completion"),
        }
        if studio["capabilities"].as_array().is_some_and(|c| c.iter().any(|c| c.as_str() == Some("tool_use"))) {
            push(&mut capabilities, "tools");
        }
        context = count(&studio["loaded_context_length"]).or_else(|| count(&studio["max_context_length"])).or(context);
        source = Some("/api/v0/models");
    }
    if let Some(props) = &hints.props {
        push(&mut capabilities, "completion");
        let template = props["chat_template"].as_str().unwrap_or_default();
        let declared = &props["chat_template_caps"];
        let tools = declared["supports_tool_calls"].as_bool().or(declared["supports_tools"].as_bool()).unwrap_or(template.contains("tools"));
        if tools {
            push(&mut capabilities, "tools");
        }
        if template.contains("<think>") || template.contains("enable_thinking") || template.contains("reasoning_content") {
            push(&mut capabilities, "thinking");
        }
        if props["modalities"]["vision"].as_bool() == Some(true) {
            push(&mut capabilities, "vision");
        }
        context = count(&props["default_generation_settings"]["n_ctx"]).or_else(|| count(&props["n_ctx"])).or(context);
        source = Some("/props");
    }
    if source.is_none() {
        if let Some(named) = openai_family(id) {
            return (named, None, Some("model name"));
        }
    }
    (capabilities, context, source)
}

/// OpenAI's own model families, whose abilities OpenAI publishes (served under these names by
/// OpenAI and by routers, sometimes as `openai/<name>`). `None` for every other name.
pub fn openai_family(id: &str) -> Option<Vec<String>> {
    let name = id.rsplit('/').next().unwrap_or(id).to_ascii_lowercase();
    let words = |list: &[&str]| Some(list.iter().map(|s| s.to_string()).collect());
    if name.starts_with("text-embedding") {
        return words(&["embedding"]);
    }
    if name.starts_with("gpt-oss") {
        return words(&["completion", "tools", "thinking"]);
    }
    let reasoning = ["o1", "o3", "o4"].iter().any(|p| name == *p || name.starts_with(&format!("{p}-")))
        || (name.starts_with("gpt-5") && !name.contains("chat"));
    if name.starts_with("o1-mini") || name.starts_with("o1-preview") {
        return words(&["completion", "thinking"]);
    }
    if reasoning {
        return words(&["completion", "tools", "thinking", "vision"]);
    }
    if name.starts_with("gpt-4o") || name.starts_with("gpt-4.1") || name.starts_with("gpt-4-turbo") || name.starts_with("gpt-5") {
        return words(&["completion", "tools", "vision"]);
    }
    if name.starts_with("gpt-4") || name.starts_with("gpt-3.5-turbo") {
        return words(&["completion", "tools"]);
    }
    None
}

/// A Claude model's capabilities and context window: from the Models API's `capabilities` and
/// `max_input_tokens` when it sends them, else from the generation in its name (every Claude 3+
/// takes tools and images; extended thinking came with 3.7 and every model from 4 on).
pub fn anthropic_model(entry: &Value) -> (Vec<String>, Option<u32>, &'static str) {
    let context = count(&entry["max_input_tokens"]);
    let declared = &entry["capabilities"];
    if declared.is_object() {
        let supported = |key: &str| declared[key]["supported"].as_bool().unwrap_or(false);
        let mut capabilities = vec!["completion".to_string(), "tools".to_string()];
        if supported("thinking") {
            capabilities.push("thinking".into());
        }
        if supported("image_input") {
            capabilities.push("vision".into());
        }
        return (capabilities, context, "/v1/models");
    }
    let id = entry["id"].as_str().unwrap_or_default();
    let mut capabilities = vec!["completion".to_string(), "tools".to_string(), "vision".to_string()];
    if claude_thinks(id) {
        capabilities.push("thinking".into());
    }
    (capabilities, context, "model name")
}

/// Claude 3.7 and every generation from 4 on (`claude-sonnet-4-5`, `claude-opus-4-1`,
/// `claude-4-…`); not 3, 3.5.
fn claude_thinks(id: &str) -> bool {
    if id.contains("claude-3-7") {
        return true;
    }
    let generation = id
        .split(['-', '.', '@'])
        .filter_map(|part| part.parse::<u32>().ok())
        .find(|&n| n < 100); // the first small number is the generation; dates are 8 digits
    generation.is_some_and(|g| g >= 4)
}

/// The details of one model from what was found out about it.
pub fn details(kind: ProviderKind, id: &str, capabilities: Vec<String>, context_length: Option<u32>, source: Option<&str>, cloud: bool, family: &str) -> ModelDetails {
    let known = source.is_some() && !capabilities.is_empty();
    let has = |c: &str| capabilities.iter().any(|x| x == c);
    let thinking = if !has("thinking") {
        ThinkingControl::None
    } else {
        match kind {
            // gpt-oss always reasons, at a level; other thinking models on Ollama switch on/off.
            ProviderKind::Ollama if family == "gptoss" || id.starts_with("gpt-oss") => ThinkingControl::AlwaysLevels,
            ProviderKind::Ollama => ThinkingControl::Toggle,
            ProviderKind::Anthropic => ThinkingControl::Levels,
            // The chat-completions API's one reasoning parameter is `reasoning_effort` (OpenAI,
            // OpenRouter, vLLM and LM Studio read it; llama.cpp's server ignores it): a level
            // while Thinking is on, the model's default while off.
            ProviderKind::Openai => ThinkingControl::Levels,
        }
    };
    let num_ctx = match kind {
        ProviderKind::Ollama if !cloud => context_length.map(|length| length.min(NUM_CTX_CAP)),
        _ => None,
    };
    let mut notes = Vec::new();
    if known && !has("tools") {
        notes.push(format!("{id} cannot use tools: with tools on, messages are refused — turn tools off to chat with it, or pick a model with the tools badge."));
    }
    if !known && kind == ProviderKind::Openai {
        notes.push("The server does not say what this model can do: tools are offered to it, and Thinking is not.".to_string());
    }
    ModelDetails {
        id: id.to_string(),
        provider: kind,
        capabilities,
        capabilities_known: known,
        context_length,
        num_ctx,
        thinking,
        source: source.unwrap_or("nothing").to_string(),
        notes,
    }
}

/// `details` for an Ollama model from its `/api/show`.
pub fn ollama_details(id: &str, info: &ModelInfo, cloud: bool) -> ModelDetails {
    details(ProviderKind::Ollama, id, info.capabilities.clone(), info.context_length, Some("/api/show"), cloud, &info.family)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn openai_compatible_servers_are_read_for_what_they_say() {
        let none = ServerHints::default();
        // llama-cpp-python: an id and nothing else.
        let (caps, context, source) = openai_model(&json!({"id": "smollm2-135m-instruct", "object": "model", "owned_by": "me"}), &none);
        assert!(caps.is_empty() && context.is_none() && source.is_none());
        // OpenRouter.
        let entry = json!({"id": "qwen/qwen3-8b", "context_length": 40960, "supported_parameters": ["tools", "reasoning"], "architecture": {"input_modalities": ["text"]}});
        assert_eq!(openai_model(&entry, &none), (vec!["completion".into(), "tools".into(), "thinking".into()], Some(40960), Some("/v1/models")));
        // LM Studio.
        let hints = ServerHints { lm_studio: vec![json!({"id": "qwen2-vl", "type": "vlm", "max_context_length": 32768, "capabilities": ["tool_use"]})], props: None };
        let (caps, context, source) = openai_model(&json!({"id": "qwen2-vl"}), &hints);
        assert_eq!((caps.len(), context, source), (3, Some(32768), Some("/api/v0/models")));
        // llama.cpp's llama-server with a thinking template that takes tools.
        let props = json!({"default_generation_settings": {"n_ctx": 8192}, "chat_template": "{% if tools %}…{% endif %}<think>", "modalities": {"vision": false}});
        let (caps, context, _) = openai_model(&json!({"id": "qwen3"}), &ServerHints { lm_studio: vec![], props: Some(props) });
        assert_eq!((caps, context), (vec!["completion".into(), "tools".into(), "thinking".into()], Some(8192)));
        // OpenAI's own names.
        assert_eq!(openai_model(&json!({"id": "o4-mini"}), &none).2, Some("model name"));
        assert!(openai_family("gpt-4o-mini").unwrap().contains(&"vision".to_string()));
        assert!(openai_family("local-model").is_none());
    }

    #[test]
    fn claude_capabilities_come_from_the_api_or_the_generation() {
        let (caps, context, source) = anthropic_model(&json!({"id": "claude-x", "max_input_tokens": 200000, "capabilities": {"thinking": {"supported": false}, "image_input": {"supported": true}}}));
        assert_eq!((caps, context, source), (vec!["completion".into(), "tools".into(), "vision".into()], Some(200000), "/v1/models"));
        assert!(claude_thinks("claude-sonnet-4-5") && claude_thinks("claude-3-7-sonnet-20250219") && claude_thinks("claude-opus-4-1-20250805"));
        assert!(!claude_thinks("claude-3-5-haiku-20241022") && !claude_thinks("claude-3-opus-20240229"));
    }

    #[test]
    fn details_decide_thinking_and_the_window() {
        let gpt_oss = details(ProviderKind::Ollama, "gpt-oss:20b", vec!["completion".into(), "tools".into(), "thinking".into()], Some(131072), Some("/api/show"), false, "gptoss");
        assert_eq!((gpt_oss.thinking, gpt_oss.num_ctx), (ThinkingControl::AlwaysLevels, Some(NUM_CTX_CAP)));
        let gemma = details(ProviderKind::Ollama, "gemma3:1b", vec!["completion".into()], Some(32768), Some("/api/show"), false, "gemma3");
        assert_eq!(gemma.thinking, ThinkingControl::None);
        assert!(gemma.notes[0].contains("cannot use tools"), "{:?}", gemma.notes);
        let unknown = details(ProviderKind::Openai, "smollm2", vec![], None, None, false, "");
        assert!(!unknown.capabilities_known && unknown.thinking == ThinkingControl::None && unknown.source == "nothing");
        let o3 = details(ProviderKind::Openai, "o3", openai_family("o3").unwrap(), None, Some("model name"), false, "");
        assert_eq!(o3.thinking, ThinkingControl::Levels);
    }
}
