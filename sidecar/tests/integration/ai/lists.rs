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
    // OpenAI's own family by its name; a model nobody describes has unknown capabilities.
    assert_eq!(openai, json!([{ "id": "gpt-4o-mini", "capabilities": ["completion", "tools", "vision"] }, { "id": "local-model", "capabilities": [] }]));
    let anthropic = sidecar.call("list_anthropic_models", json!({ "host": fake.url(), "apiKey": "k" }));
    assert_eq!(
        anthropic[0],
        json!({ "id": "claude-sonnet-4-5", "displayName": "Claude Sonnet 4.5", "createdAt": "2025-09-29T00:00:00Z", "capabilities": ["completion", "tools", "vision", "thinking"] })
    );
    let request = fake.requests().into_iter().find(|r| r["headers"]["x-api-key"].is_string()).unwrap();
    assert_eq!(request["headers"]["x-api-key"], "k");
    assert_eq!(request["headers"]["anthropic-version"], "2023-06-01");
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

#[test]
fn openai_compatible_servers_are_asked_what_their_models_can_do() {
    let mut sidecar = Sidecar::initialized();
    let fake = Fake::start();
    // An OpenRouter-like list with metadata, LM Studio's own list, and llama.cpp's /props.
    fake.config(json!({
        "models": { "openai": [
            { "id": "qwen/qwen3-8b", "context_length": 40960, "supported_parameters": ["tools", "reasoning"] },
            { "id": "qwen2-vl" },
            { "id": "smollm2" }
        ] },
        "lmStudio": [{ "id": "qwen2-vl", "type": "vlm", "max_context_length": 32768, "capabilities": ["tool_use"] }]
    }));
    let models = sidecar.call("list_openai_models", json!({ "host": fake.url() }));
    assert_eq!(models[0], json!({ "id": "qwen/qwen3-8b", "capabilities": ["completion", "tools", "thinking"], "contextLength": 40960 }));
    assert_eq!(models[1], json!({ "id": "qwen2-vl", "capabilities": ["completion", "vision", "tools"], "contextLength": 32768 }));
    assert_eq!(models[2], json!({ "id": "smollm2", "capabilities": [] }), "nobody said anything: unknown");

    let info = sidecar.call("get_model_info", json!({ "provider": "openai", "model": "qwen/qwen3-8b", "host": fake.url() }));
    assert_eq!((&info["thinking"], &info["capabilitiesKnown"], &info["source"]), (&json!("levels"), &json!(true), &json!("/v1/models")));
    let unknown = sidecar.call("get_model_info", json!({ "provider": "openai", "model": "smollm2", "host": fake.url() }));
    assert_eq!((&unknown["thinking"], &unknown["capabilitiesKnown"]), (&json!("none"), &json!(false)));
    assert!(unknown["notes"][0].as_str().unwrap().contains("does not say"), "{unknown}");

    // A llama.cpp server whose template thinks and takes tools, on another sidecar (fresh cache).
    let mut sidecar = Sidecar::initialized();
    fake.config(json!({ "lmStudio": null, "props": { "default_generation_settings": { "n_ctx": 8192 }, "chat_template": "{% if tools %}{{ tools }}{% endif %}<think>" } }));
    let info = sidecar.call("get_model_info", json!({ "provider": "openai", "model": "smollm2", "host": fake.url() }));
    assert_eq!((&info["capabilities"], &info["contextLength"], &info["source"]), (&json!(["completion", "tools", "thinking"]), &json!(8192), &json!("/props")));
}

#[test]
fn model_info_carries_the_provider_rules_the_webview_used_to_keep() {
    let mut sidecar = Sidecar::initialized();
    let fake = Fake::start();
    fake.config(json!({ "models": {
        "ollama": [
            { "name": "gpt-oss:20b", "family": "gptoss", "capabilities": ["completion", "tools", "thinking"], "contextLength": 131072 },
            { "name": "gemma3:1b", "family": "gemma3", "capabilities": ["completion"], "contextLength": 32768 }
        ],
        "anthropic": [
            { "id": "claude-3-5-haiku-20241022" },
            { "id": "claude-next", "capabilities": { "thinking": { "supported": true }, "image_input": { "supported": false } }, "max_input_tokens": 500000 }
        ]
    } }));
    let gpt_oss = sidecar.call("get_model_info", json!({ "provider": "ollama", "model": "gpt-oss:20b", "host": fake.url() }));
    assert_eq!((&gpt_oss["thinking"], &gpt_oss["numCtx"], &gpt_oss["contextLength"]), (&json!("always_levels"), &json!(32768), &json!(131072)));
    let gemma = sidecar.call("get_model_info", json!({ "provider": "ollama", "model": "gemma3:1b", "host": fake.url() }));
    assert!(gemma["notes"][0].as_str().unwrap().contains("cannot use tools"), "{gemma}");
    let haiku = sidecar.call("get_model_info", json!({ "provider": "anthropic", "model": "claude-3-5-haiku-20241022", "host": fake.url(), "apiKey": "k" }));
    assert_eq!((&haiku["thinking"], &haiku["source"]), (&json!("none"), &json!("model name")), "Claude 3.5 does not think: {haiku}");
    let next = sidecar.call("get_model_info", json!({ "provider": "anthropic", "model": "claude-next", "host": fake.url(), "apiKey": "k" }));
    assert_eq!((&next["capabilities"], &next["contextLength"], &next["thinking"]), (&json!(["completion", "tools", "thinking"]), &json!(500000), &json!("levels")));
    let missing = sidecar.request("get_model_info", json!({ "provider": "ollama", "model": "nope", "host": fake.url() })).unwrap_err();
    assert!(missing.1.contains("ollama pull nope"), "{missing:?}");
}
