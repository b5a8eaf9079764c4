//! Model lists: Ollama's with capabilities and context lengths from /api/show, OpenAI's and
//! Anthropic's from /v1/models, and their faults.

use super::Fake;
use crate::harness::Sidecar;
use serde_json::json;

#[test]
fn ollama_models_come_with_capabilities_and_context_length() {
    let mut sidecar = Sidecar::initialized();
    let fake = Fake::start();
    let models = sidecar.call("list_ollama_models", json!({ "host": fake.url(), "apiKey": null }));
    let models = models.as_array().unwrap();
    assert_eq!(models.len(), 4);
    assert_eq!(
        models[1],
        json!({
            "id": "qwen3:8b", "name": "qwen3:8b", "capabilities": ["completion", "tools", "thinking"],
            "family": "qwen3", "families": ["qwen3"], "contextLength": 40960, "parameterSize": "8.2B", "provider": "ollama-local"
        })
    );
    assert_eq!(models[3]["capabilities"], json!(["completion", "vision"]));
    assert_eq!(models[3]["families"], json!(["llama", "clip"]));
    let shows = fake.requests().iter().filter(|r| r["path"] == "/api/show").count();
    assert_eq!(shows, 4, "one /api/show per model");
}

#[test]
fn openai_and_anthropic_lists() {
    let mut sidecar = Sidecar::initialized();
    let fake = Fake::start();
    let openai = sidecar.call("list_openai_models", json!({ "host": format!("{}/v1", fake.url()), "apiKey": "k" }));
    assert_eq!(openai, json!([{ "id": "gpt-4o-mini" }, { "id": "local-model" }]));
    let anthropic = sidecar.call("list_anthropic_models", json!({ "host": fake.url(), "apiKey": "k" }));
    assert_eq!(anthropic[0], json!({ "id": "claude-sonnet-4-5", "displayName": "Claude Sonnet 4.5", "createdAt": "2025-09-29T00:00:00Z" }));
    let requests = fake.requests();
    assert_eq!(requests[1]["headers"]["x-api-key"], "k");
    assert_eq!(requests[1]["headers"]["anthropic-version"], "2023-06-01");
}

#[test]
fn list_faults_are_provider_errors_that_say_what_to_do() {
    let mut sidecar = Sidecar::initialized();
    let fake = Fake::start();
    fake.config(json!({ "requireKey": "right" }));
    let error = sidecar.request("list_openai_models", json!({ "host": fake.url(), "apiKey": "wrong" })).unwrap_err();
    assert_eq!(error.0, -32016);
    assert!(error.1.contains("rejected the API key") && error.1.contains("Set API Key"), "{}", error.1);
    let error = sidecar.request("list_anthropic_models", json!({ "host": fake.url() })).unwrap_err();
    assert!(error.1.contains("Anthropic needs an API key"), "{}", error.1);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let error = sidecar.request("list_ollama_models", json!({ "host": format!("http://127.0.0.1:{port}") })).unwrap_err();
    assert_eq!(error.0, -32016);
    assert!(error.1.contains("Ollama is not running") && error.1.contains("ollama serve"), "{}", error.1);
    // With the right key all is well.
    let models = sidecar.call("list_ollama_models", json!({ "host": fake.url(), "apiKey": "right" }));
    assert_eq!(models.as_array().unwrap().len(), 4);
}
