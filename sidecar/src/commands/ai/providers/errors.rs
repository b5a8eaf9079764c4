//! Provider faults as messages a user can act on: what happened, at which host, and what to do
//! (start Ollama, set the key, pull the model, wait for the rate limit, retry). Each carries a
//! stable `code` for the Error event.

use super::{Endpoint, Failure};
use crate::protocol::ai::ProviderKind;
use serde_json::Value;
use std::time::Duration;

/// A fault before any response: connection refused, DNS, TLS, connect timeout, or a connection
/// that closed before the answer started.
pub fn send_failure(endpoint: &Endpoint, err: &reqwest::Error) -> Failure {
    if !err.is_connect() && !err.is_timeout() && !err.is_builder() {
        // The server took the connection and dropped it: it is running, but crashed or restarted.
        return truncated_failure(endpoint, Some(err));
    }
    let detail = root_cause(err);
    let message = match endpoint.kind {
        ProviderKind::Ollama if !endpoint.is_ollama_cloud() => format!(
            "Ollama is not running at {} ({detail}) — start it with `ollama serve` or change {}.",
            endpoint.host,
            endpoint.host_setting()
        ),
        _ => format!(
            "Cannot reach {} at {} ({detail}) — check that the server is running and the address in {} is right.",
            endpoint.label(),
            endpoint.host,
            endpoint.host_setting()
        ),
    };
    Failure::new("provider_unreachable", message)
}

/// A non-2xx answer: names what happened and what to do.
pub async fn status_failure(endpoint: &Endpoint, model: Option<&str>, response: reqwest::Response) -> Failure {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    // The body names the cause; read a bounded amount, briefly, so a stalled error body cannot hang us.
    let body = tokio::time::timeout(Duration::from_secs(5), response.bytes())
        .await
        .ok()
        .and_then(Result::ok)
        .map(|bytes| String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned())
        .unwrap_or_default();
    status_message(endpoint, model, status.as_u16(), retry_after.as_deref(), &body)
}

/// The message for HTTP status `status` with error body `body` (pure, for tests). `model` is the
/// model the request was about, if any (a 404 then means the model is missing).
pub fn status_message(endpoint: &Endpoint, model: Option<&str>, status: u16, retry_after: Option<&str>, body: &str) -> Failure {
    let label = endpoint.subject();
    let detail = error_detail(body);
    let said = if detail.is_empty() { String::new() } else { format!(": {detail}") };
    match status {
        401 | 403 => Failure::new(
            "auth",
            format!("{label} rejected the API key (HTTP {status}{said}) — set it with 'Prototyper: Set API Key'."),
        ),
        404 => match model {
            Some(model) if endpoint.kind == ProviderKind::Ollama && !endpoint.is_ollama_cloud() => Failure::new(
                "model_not_found",
                format!("Model '{model}' not found at {} — run `ollama pull {model}` or pick another model.", endpoint.host),
            ),
            Some(model) => Failure::new(
                "model_not_found",
                format!("{label} at {} does not know model '{model}' (HTTP 404{said}) — pick another model or check {}.", endpoint.host, endpoint.host_setting()),
            ),
            None => Failure::new(
                "bad_request",
                format!("{label} at {} does not offer this API (HTTP 404{said}) — check that {} points at {}.", endpoint.host, endpoint.host_setting(), kind_of_server(endpoint.kind)),
            ),
        },
        429 => {
            let wait = match retry_after {
                Some(seconds) => format!("retry after {seconds} s"),
                None => "wait a moment and retry".to_string(),
            };
            Failure::new("rate_limited", format!("{label} is rate limiting requests (HTTP 429{said}) — {wait}."))
        }
        500..=599 => Failure::new(
            "server_error",
            format!("{label} at {} had a server error (HTTP {status}{said}) — retry, or check the server's log.", endpoint.host),
        ),
        // Servers that refuse `tool_choice` (or need flags for it) say so in a 400.
        400 | 422 if endpoint.kind == ProviderKind::Openai && (detail.contains("tool_choice") || detail.contains("tool choice")) => Failure::new(
            "bad_request",
            format!("{label} refused the request (HTTP {status}{said}) — it does not take this tool_choice: set prototyper.openai.toolChoice to \"omit\" (or \"required\"), or start the server with tool calling enabled."),
        ),
        _ => Failure::new("bad_request", format!("{label} refused the request (HTTP {status}{said}).")),
    }
}

/// What a host setting should point at, for advice.
fn kind_of_server(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Ollama => "an Ollama server",
        ProviderKind::Openai => "an OpenAI-compatible server (the address without /chat/completions)",
        ProviderKind::Anthropic => "Anthropic's API",
    }
}

/// An HTTP 200 that carried no stream: an empty body (llama.cpp's server answers a prompt longer
/// than its context, or a `tool_choice: "auto"` it cannot stream, this way) or a body in another
/// format. Retrying the same request cannot help, so the advice is about the request.
pub fn empty_failure(endpoint: &Endpoint, model: &str, head: &[u8], content_type: Option<&str>, tool_choice_auto: bool) -> Failure {
    let subject = endpoint.subject();
    let body = String::from_utf8_lossy(head);
    let body = body.trim();
    let what = if body.is_empty() {
        format!("{subject} at {} answered model '{model}' with an empty response (HTTP 200 and no stream)", endpoint.host)
    } else {
        let detail = error_detail(body);
        let sample: String = if detail.is_empty() { body.chars().take(160).collect() } else { detail };
        let kind = content_type.map(|t| format!(" ({t})")).unwrap_or_default();
        format!("{subject} at {} answered model '{model}' with HTTP 200 but no stream{kind}: {sample:?}", endpoint.host)
    };
    let mut advice = String::from(
        "the conversation is probably longer than the model's context window: start a new chat, or give the server a larger context (llama.cpp: --n_ctx); the server's log says more",
    );
    if tool_choice_auto {
        advice.push_str(
            ". Some servers (llama-cpp-python) cannot stream tool calls the model chooses itself and answer this way: set prototyper.openai.toolChoice to \"omit\" to chat there without tools",
        );
    }
    Failure::new("empty_response", format!("{what} — {advice}."))
}

/// The human part of a provider's error body: Ollama `{error}`, OpenAI `{error:{message}}`,
/// Anthropic `{error:{message}}`, else the text itself.
pub fn error_detail(body: &str) -> String {
    let detail = match serde_json::from_str::<Value>(body) {
        Ok(value) => value
            .get("error")
            .and_then(|error| error.as_str().map(str::to_string).or_else(|| error.get("message").and_then(Value::as_str).map(str::to_string)))
            .or_else(|| value.get("message").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_default(),
        Err(_) => body.trim().to_string(),
    };
    detail.chars().take(300).collect()
}

pub fn idle_failure(endpoint: &Endpoint, model: Option<&str>, idle: Duration, streaming: bool) -> Failure {
    // Whole seconds as "60", fractions (tests use them) as "0.5".
    let seconds = format!("{:.1}", idle.as_secs_f64());
    let seconds = seconds.strip_suffix(".0").unwrap_or(&seconds);
    let model = model.map(|m| format!(" (model '{m}')")).unwrap_or_default();
    let phase = if streaming { "stopped sending" } else { "did not answer" };
    Failure::new(
        "idle_timeout",
        format!(
            "{} {phase} for {seconds} s{model} — the model may still be loading or the server is stuck; retry, or raise prototyper.idleTimeoutSeconds.",
            endpoint.subject()
        ),
    )
}

pub fn truncated_failure(endpoint: &Endpoint, err: Option<&reqwest::Error>) -> Failure {
    let detail = err.map(|err| format!(" ({})", root_cause(err))).unwrap_or_default();
    Failure::new(
        "truncated_stream",
        format!(
            "{} closed the connection before the answer was complete{detail} — the server may have crashed or restarted; retry.",
            endpoint.subject()
        ),
    )
}

/// A malformed line from the provider named `subject` (sentence case), whose address is in
/// `host_setting`: what it was and what to do.
pub fn malformed(subject: &str, host_setting: &str, line: &str, err: impl std::fmt::Display) -> Failure {
    let sample: String = line.chars().take(120).collect();
    Failure::new(
        "malformed_response",
        format!("{subject} sent a line that could not be read ({err}): {sample:?} — check that {host_setting} points at the right server, then retry."),
    )
}

/// Why `err` happened: its innermost source ("Connection refused (os error 111)", "dns error: …"),
/// which is what a user can act on; the outer layers only repeat the URL and the library's names.
fn root_cause(err: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = err;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_say_what_to_do() {
        let ollama = Endpoint::new(ProviderKind::Ollama, None, None);
        let failure = status_message(&ollama, Some("qwen3"), 404, None, r#"{"error":"model \"qwen3\" not found, try pulling it first"}"#);
        assert_eq!(failure.code, "model_not_found");
        assert!(failure.message.contains("ollama pull qwen3"), "{}", failure.message);
        let anthropic = Endpoint::new(ProviderKind::Anthropic, None, Some("k"));
        let failure = status_message(&anthropic, Some("c"), 401, None, r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#);
        assert!(failure.message.contains("invalid x-api-key") && failure.message.contains("Set API Key"), "{}", failure.message);
        let openai = Endpoint::new(ProviderKind::Openai, None, None);
        let failure = status_message(&openai, Some("m"), 429, Some("7"), r#"{"error":{"message":"slow down"}}"#);
        assert!(failure.message.contains("retry after 7 s") && failure.message.contains("slow down"), "{}", failure.message);
        assert_eq!(status_message(&openai, None, 503, None, "").code, "server_error");
        let failure = status_message(&openai, Some("m"), 400, None, r#"{"error":{"message":"\"auto\" tool choice requires --enable-auto-tool-choice"}}"#);
        assert!(failure.message.contains("prototyper.openai.toolChoice"), "{}", failure.message);
    }

    #[test]
    fn names_read_well_mid_sentence_and_at_the_start() {
        let openai = Endpoint::new(ProviderKind::Openai, Some("http://127.0.0.1:9"), None);
        let failure = status_message(&openai, None, 404, None, "");
        assert!(failure.message.starts_with("The OpenAI-compatible server at"), "{}", failure.message);
        assert!(!failure.message.contains("server server") && !failure.message.contains("a the"), "{}", failure.message);
        let failure = truncated_failure(&openai, None);
        assert!(failure.message.starts_with("The OpenAI-compatible server closed"), "{}", failure.message);
    }

    #[test]
    fn an_empty_200_says_what_probably_happened() {
        let openai = Endpoint::new(ProviderKind::Openai, Some("http://127.0.0.1:9"), None);
        let failure = empty_failure(&openai, "m", b"", Some("text/event-stream"), false);
        assert_eq!(failure.code, "empty_response");
        assert!(failure.message.contains("empty response") && failure.message.contains("context window"), "{}", failure.message);
        assert!(!failure.message.contains("retry"), "retrying cannot help: {}", failure.message);
        let failure = empty_failure(&openai, "m", b"", None, true);
        assert!(failure.message.contains("prototyper.openai.toolChoice"), "{}", failure.message);
        let failure = empty_failure(&openai, "m", br#"{"error":{"message":"model is loading"}}"#, Some("application/json"), false);
        assert!(failure.message.contains("model is loading") && failure.message.contains("application/json"), "{}", failure.message);
    }
}
