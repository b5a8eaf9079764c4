//! Model lists, `get_model_info`, and the cache streams read capabilities from.
//!
//! `list_ollama_models` reads `/api/tags`, then `/api/show` for every model concurrently, for the
//! capabilities (`tools`, `thinking`, `vision`, `completion`) and the real context length
//! (`model_info["<arch>.context_length"]`). `list_openai_models` reads `/v1/models` and, beside
//! it, what LM Studio (`/api/v0/models`) and llama.cpp (`/props`) add; `list_anthropic_models`
//! reads the Models API's capabilities (see `capabilities` for how each is read).
//!
//! What was found is cached per host and model as `ModelDetails`: `get_model_info` answers from
//! it, and streams use it to refuse tools on a model without them, to drop Thinking a model does
//! not have, and to send a real `num_ctx`. A list refresh renews it.

use super::capabilities::{self, ServerHints};
use super::providers::{fetch_json, Endpoint, Failure};
use crate::error::AppError;
use crate::protocol::ai::{AnthropicModel, ListModelsParams, OllamaModel, OpenAiModel, ProviderKind};
use crate::protocol::models::ModelDetails;
use futures::StreamExt;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How long a model-list request may take.
const LIST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the optional requests beside it (LM Studio's list, llama.cpp's `/props`) may take.
const HINT_TIMEOUT: Duration = Duration::from_secs(5);
/// `/api/show` calls in flight at once.
const SHOW_CONCURRENCY: usize = 8;

/// What `/api/show` says about a model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelInfo {
    pub capabilities: Vec<String>,
    pub context_length: Option<u32>,
    pub family: String,
    pub families: Vec<String>,
    pub parameter_size: Option<String>,
}

impl ModelInfo {
    /// False only when the model lists its capabilities and `capability` is not among them (older
    /// Ollama versions list none; then nothing is refused).
    pub fn supports(&self, capability: &str) -> bool {
        self.capabilities.is_empty() || self.capabilities.iter().any(|c| c == capability)
    }
}

/// `/api/show` results and model details by (host, model).
#[derive(Default)]
pub struct ModelCache {
    entries: Mutex<HashMap<(String, String), ModelInfo>>,
    details: Mutex<HashMap<(String, String), ModelDetails>>,
}

impl ModelCache {
    fn details(&self, host: &str, model: &str) -> Option<ModelDetails> {
        self.details.lock().unwrap_or_else(|p| p.into_inner()).get(&(host.to_string(), model.to_string())).cloned()
    }
    fn put_details(&self, host: &str, details: ModelDetails) {
        self.details.lock().unwrap_or_else(|p| p.into_inner()).insert((host.to_string(), details.id.clone()), details);
    }
    fn get(&self, host: &str, model: &str) -> Option<ModelInfo> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).get(&(host.to_string(), model.to_string())).cloned()
    }
    fn put(&self, host: &str, model: &str, info: ModelInfo) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).insert((host.to_string(), model.to_string()), info);
    }
}

/// `/api/show` for `model`, from the cache when possible.
pub async fn ollama_info(
    cache: &ModelCache,
    client: &reqwest::Client,
    endpoint: &Endpoint,
    model: &str,
    cancel: &CancellationToken,
    timeout: Duration,
) -> Result<ModelInfo, Failure> {
    if let Some(info) = cache.get(&endpoint.host, model) {
        return Ok(info);
    }
    let request = endpoint.request(client, reqwest::Method::POST, "/api/show").json(&json!({ "model": model }));
    let value = fetch_json(endpoint, request, Some(model), cancel, timeout).await?;
    let info = parse_show(&value);
    cache.put(&endpoint.host, model, info.clone());
    Ok(info)
}

/// Reads an `/api/show` answer.
pub fn parse_show(value: &Value) -> ModelInfo {
    let details = &value["details"];
    let strings = |v: &Value| v.as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect()).unwrap_or_default();
    let model_info = value.get("model_info").and_then(Value::as_object);
    let context_length = model_info.and_then(|info| {
        let arch = info.get("general.architecture").and_then(Value::as_str);
        arch.and_then(|arch| info.get(&format!("{arch}.context_length")))
            .or_else(|| info.iter().find(|(key, _)| key.ends_with(".context_length")).map(|(_, v)| v))
            .and_then(Value::as_u64)
            .map(|n| n.min(u32::MAX as u64) as u32)
    });
    ModelInfo {
        capabilities: strings(&value["capabilities"]),
        context_length,
        family: details["family"].as_str().unwrap_or_default().to_string(),
        families: strings(&details["families"]),
        parameter_size: details["parameter_size"].as_str().filter(|s| !s.is_empty()).map(str::to_string),
    }
}

pub fn to_app_error(failure: Failure) -> AppError {
    if failure.code == "cancelled" {
        AppError::cancelled()
    } else {
        AppError::provider(failure.message).with_data(json!({ "kind": failure.code }))
    }
}

pub async fn list_ollama_models(
    cache: &ModelCache,
    client: &reqwest::Client,
    params: ListModelsParams,
    cancel: &CancellationToken,
) -> Result<Vec<OllamaModel>, AppError> {
    let endpoint = Endpoint::new(ProviderKind::Ollama, params.host.as_deref(), params.api_key.as_deref());
    let request = endpoint.request(client, reqwest::Method::GET, "/api/tags");
    let tags = fetch_json(&endpoint, request, None, cancel, LIST_TIMEOUT).await.map_err(to_app_error)?;
    let names: Vec<String> = tags["models"]
        .as_array()
        .map(|models| models.iter().filter_map(|m| m["name"].as_str().or(m["model"].as_str())).map(str::to_string).collect())
        .unwrap_or_default();
    let provider = if endpoint.is_ollama_cloud() { "ollama-cloud" } else { "ollama-local" };
    // Each future owns what it uses, so the set can be polled concurrently.
    let shows: Vec<Result<ModelInfo, Failure>> = futures::stream::iter(names.clone().into_iter().map(|name| {
        let (client, endpoint, cancel) = (client.clone(), endpoint.clone(), cancel.clone());
        async move {
            let request = endpoint.request(&client, reqwest::Method::POST, "/api/show").json(&json!({ "model": name }));
            fetch_json(&endpoint, request, Some(&name), &cancel, LIST_TIMEOUT).await.map(|value| parse_show(&value))
        }
    }))
    .buffered(SHOW_CONCURRENCY)
    .collect()
    .await;
    if cancel.is_cancelled() {
        return Err(AppError::cancelled());
    }
    let tag_details: HashMap<&str, &Value> = tags["models"]
        .as_array()
        .map(|models| models.iter().filter_map(|m| Some((m["name"].as_str()?, &m["details"]))).collect())
        .unwrap_or_default();
    Ok(names
        .iter()
        .zip(shows)
        .map(|(name, shown)| {
            // A model whose /api/show failed is still listed, from what /api/tags said.
            let info = match shown {
                Ok(info) => {
                    cache.put(&endpoint.host, name, info.clone());
                    cache.put_details(&endpoint.host, capabilities::ollama_details(name, &info, endpoint.is_ollama_cloud()));
                    info
                }
                Err(_) => {
                    let details = tag_details.get(name.as_str()).copied().unwrap_or(&Value::Null);
                    parse_show(&json!({ "details": details }))
                }
            };
            OllamaModel {
                id: name.clone(),
                name: name.clone(),
                capabilities: info.capabilities,
                family: info.family,
                families: info.families,
                context_length: info.context_length,
                parameter_size: info.parameter_size,
                provider: provider.to_string(),
            }
        })
        .collect())
}

pub async fn list_anthropic_models(
    cache: &ModelCache,
    client: &reqwest::Client,
    params: ListModelsParams,
    cancel: &CancellationToken,
) -> Result<Vec<AnthropicModel>, AppError> {
    let endpoint = Endpoint::new(ProviderKind::Anthropic, params.host.as_deref(), params.api_key.as_deref());
    if endpoint.api_key.is_none() {
        return Err(missing_key("Anthropic"));
    }
    let request = endpoint.request(client, reqwest::Method::GET, "/v1/models?limit=1000");
    let value = fetch_json(&endpoint, request, None, cancel, LIST_TIMEOUT).await.map_err(to_app_error)?;
    let entries = value["data"].as_array().cloned().unwrap_or_default();
    Ok(entries
        .iter()
        .filter_map(|m| {
            let id = m["id"].as_str()?.to_string();
            let (capabilities, context_length, source) = capabilities::anthropic_model(m);
            let details = capabilities::details(ProviderKind::Anthropic, &id, capabilities.clone(), context_length, Some(source), false, "");
            cache.put_details(&endpoint.host, details);
            Some(AnthropicModel {
                display_name: m["display_name"].as_str().unwrap_or(&id).to_string(),
                created_at: m["created_at"].as_str().unwrap_or_default().to_string(),
                id,
                capabilities,
                context_length,
            })
        })
        .collect())
}

/// `/v1/models` and what the server adds about them (LM Studio's and llama.cpp's endpoints, asked
/// at once; a server without them answers 404, which is fine). OpenAI's own API has neither.
async fn openai_catalog(client: &reqwest::Client, endpoint: &Endpoint, cancel: &CancellationToken) -> Result<(Vec<Value>, ServerHints), Failure> {
    let request = endpoint.request(client, reqwest::Method::GET, "/v1/models");
    let probe = |path: &'static str| {
        let request = endpoint.request(client, reqwest::Method::GET, path);
        async move {
            if endpoint.host.ends_with("api.openai.com") {
                return None;
            }
            fetch_json(endpoint, request, None, cancel, HINT_TIMEOUT).await.ok()
        }
    };
    let (listed, studio, props) = futures::join!(fetch_json(endpoint, request, None, cancel, LIST_TIMEOUT), probe("/api/v0/models"), probe("/props"));
    let listed = listed?;
    let hints = ServerHints {
        lm_studio: studio.and_then(|v| v["data"].as_array().cloned()).unwrap_or_default(),
        props: props.filter(|p| p.get("chat_template").is_some() || p.get("default_generation_settings").is_some()),
    };
    Ok((listed["data"].as_array().cloned().unwrap_or_default(), hints))
}

pub async fn list_openai_models(
    cache: &ModelCache,
    client: &reqwest::Client,
    params: ListModelsParams,
    cancel: &CancellationToken,
) -> Result<Vec<OpenAiModel>, AppError> {
    let endpoint = Endpoint::new(ProviderKind::Openai, params.host.as_deref(), params.api_key.as_deref());
    let (entries, hints) = openai_catalog(client, &endpoint, cancel).await.map_err(to_app_error)?;
    let mut models: Vec<OpenAiModel> = entries
        .iter()
        .filter_map(|entry| {
            let id = entry["id"].as_str()?.to_string();
            let (capabilities, context_length, source) = capabilities::openai_model(entry, &hints);
            cache.put_details(&endpoint.host, capabilities::details(ProviderKind::Openai, &id, capabilities.clone(), context_length, source, false, ""));
            Some(OpenAiModel { id, capabilities, context_length })
        })
        .collect();
    models.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(models)
}

/// What `model` can do and what the sidecar sends for it, from the cache or the server. A
/// server that cannot be asked gives details with unknown capabilities (for OpenAI-compatible
/// servers) or from the model's name (Claude), never a failure: only a missing Ollama model, an
/// unreachable Ollama or a refused key fail.
pub async fn model_details(
    cache: &ModelCache,
    client: &reqwest::Client,
    endpoint: &Endpoint,
    model: &str,
    cancel: &CancellationToken,
    timeout: Duration,
) -> Result<ModelDetails, Failure> {
    if let Some(details) = cache.details(&endpoint.host, model) {
        return Ok(details);
    }
    let details = match endpoint.kind {
        ProviderKind::Ollama => {
            let info = ollama_info(cache, client, endpoint, model, cancel, timeout).await?;
            capabilities::ollama_details(model, &info, endpoint.is_ollama_cloud())
        }
        ProviderKind::Anthropic => {
            let request = endpoint.request(client, reqwest::Method::GET, &format!("/v1/models/{model}"));
            let entry = match fetch_json(endpoint, request, Some(model), cancel, timeout.min(HINT_TIMEOUT)).await {
                Ok(entry) => entry,
                Err(failure) if failure.code == "auth" || failure.code == "cancelled" => return Err(failure),
                Err(_) => json!({ "id": model }),
            };
            let (capabilities, context_length, source) = capabilities::anthropic_model(&json!({ "id": model, "capabilities": entry["capabilities"], "max_input_tokens": entry["max_input_tokens"] }));
            capabilities::details(ProviderKind::Anthropic, model, capabilities, context_length, Some(source), false, "")
        }
        ProviderKind::Openai => {
            let (entries, hints) = match openai_catalog(client, endpoint, cancel).await {
                Ok(found) => found,
                Err(failure) if failure.code == "auth" || failure.code == "cancelled" => return Err(failure),
                Err(_) => (Vec::new(), ServerHints::default()),
            };
            let entry = entries.into_iter().find(|e| e["id"].as_str() == Some(model)).unwrap_or_else(|| json!({ "id": model }));
            let (capabilities, context_length, source) = capabilities::openai_model(&entry, &hints);
            capabilities::details(ProviderKind::Openai, model, capabilities, context_length, source, false, "")
        }
    };
    cache.put_details(&endpoint.host, details.clone());
    Ok(details)
}

pub fn missing_key(provider: &str) -> AppError {
    AppError::provider(format!("{provider} needs an API key — set it with 'Prototyper: Set API Key'."))
        .with_data(json!({ "kind": "auth" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_answers_are_read() {
        let info = parse_show(&json!({
            "details": {"family": "qwen3", "families": ["qwen3"], "parameter_size": "8.2B"},
            "model_info": {"general.architecture": "qwen3", "qwen3.context_length": 40960},
            "capabilities": ["completion", "tools", "thinking"]
        }));
        assert_eq!(info.context_length, Some(40960));
        assert!(info.supports("tools") && !info.supports("vision"));
        let fallback = parse_show(&json!({"model_info": {"llama.context_length": 8192}}));
        assert_eq!(fallback.context_length, Some(8192));
        assert!(fallback.supports("tools"), "no capabilities listed: nothing is refused");
    }
}
