//! `pull_ollama_model {model, host, apiKey, onEvent}`: `POST {host}/api/pull` streams NDJSON
//! progress (`{status, digest?, total?, completed?}`, or `{error}`), relayed as `Progress` events
//! and ended by `Done {}` after `status: "success"`, or by one `Error`.
//!
//! Progress lines come many per second; per network read only the last line of each run of lines
//! with the same status and digest is sent, so the UI gets every step without the flood. Stops:
//! `$/cancelRequest` or `stop_generation_stream {requestId: onEvent}`; the connection is dropped
//! (Ollama then stops the download) and the channel ends with `Error {code: "cancelled"}`, since
//! the model was not pulled.

use super::providers::{send_failure, status_failure, Endpoint};
use super::stream::Registration;
use crate::context::RequestContext;
use crate::error::AppError;
use crate::protocol::ai::{ErrorEvent, ProviderKind, PullDone, PullEvent, PullModelParams, PullProgress, StreamStarted};
use futures::{FutureExt, StreamExt};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Ollama goes quiet while it verifies a large download; allow for it.
const PULL_IDLE: Duration = Duration::from_secs(300);

pub async fn pull_ollama_model(context: RequestContext, params: PullModelParams) -> Result<StreamStarted, AppError> {
    let channel = params.on_event;
    let cancel = context.cancel.child_token();
    let _registration = Registration::new(&context.state.ai.streams, channel, cancel.clone())?;
    let sender = context.channel::<PullEvent>(channel);
    let endpoint = Endpoint::new(ProviderKind::Ollama, params.host.as_deref(), params.api_key.as_deref());
    let terminal = pull(&context.state.ai.client(), &endpoint, params.model.trim(), &cancel, |event| {
        sender.send(event);
    })
    .await;
    sender.send(terminal);
    Ok(StreamStarted { request_id: params.on_event })
}

fn error(message: String, code: &str) -> PullEvent {
    PullEvent::Error(ErrorEvent { message, code: Some(code.to_string()) })
}

/// Runs the pull, sending progress through `progress`; returns the terminal event.
async fn pull(client: &reqwest::Client, endpoint: &Endpoint, model: &str, cancel: &CancellationToken, progress: impl Fn(PullEvent)) -> PullEvent {
    if model.is_empty() {
        return error("No model name given — type the name of a model to pull, e.g. qwen3:8b.".into(), "invalid_request");
    }
    let cancelled = || error(format!("The pull of {model} was cancelled; run it again to resume."), "cancelled");
    let send = endpoint.request(client, reqwest::Method::POST, "/api/pull").json(&json!({ "model": model, "stream": true })).send();
    let response = tokio::select! {
        biased;
        _ = cancel.cancelled() => return cancelled(),
        sent = tokio::time::timeout(PULL_IDLE, send) => match sent {
            Err(_) => return error(format!("Ollama at {} did not answer the pull of {model} for {} s — retry.", endpoint.host, PULL_IDLE.as_secs()), "idle_timeout"),
            Ok(Err(err)) => {
                let failure = send_failure(endpoint, &err);
                return error(failure.message, failure.code);
            }
            Ok(Ok(response)) => response,
        },
    };
    if !response.status().is_success() {
        let failure = status_failure(endpoint, Some(model), response).await;
        return error(failure.message, failure.code);
    }
    let mut stream = response.bytes_stream();
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let next = tokio::select! {
            biased;
            _ = cancel.cancelled() => return cancelled(),
            next = tokio::time::timeout(PULL_IDLE, stream.next()) => next,
        };
        let ended = match next {
            Err(_) => return error(format!("Ollama stopped sending progress for the pull of {model} for {} s — retry.", PULL_IDLE.as_secs()), "idle_timeout"),
            Ok(None) => true,
            Ok(Some(Err(err))) => return error(format!("The connection to Ollama broke during the pull of {model} ({err}) — run it again to resume."), "truncated_stream"),
            Ok(Some(Ok(bytes))) => {
                pending.extend_from_slice(&bytes);
                let mut ended = false;
                while let Some(next) = stream.next().now_or_never() {
                    match next {
                        Some(Ok(bytes)) => pending.extend_from_slice(&bytes),
                        _ => {
                            ended = true;
                            break;
                        }
                    }
                }
                ended
            }
        };
        let cut = if ended { pending.len() } else { pending.iter().rposition(|&b| b == b'\n').map_or(0, |at| at + 1) };
        let lines: Vec<u8> = pending.drain(..cut).collect();
        let mut batch: Vec<PullProgress> = Vec::new();
        for line in String::from_utf8_lossy(&lines).lines().map(str::trim).filter(|l| !l.is_empty()) {
            let value: Value = match serde_json::from_str(line) {
                Ok(value) => value,
                Err(err) => return error(format!("Ollama sent a progress line that could not be read ({err}) — check prototyper.ollama.host, then retry."), "malformed_response"),
            };
            if let Some(message) = value.get("error").and_then(Value::as_str) {
                flush(&mut batch, &progress);
                return error(format!("Ollama could not pull {model}: {message}"), "server_error");
            }
            let status = value.get("status").and_then(Value::as_str).unwrap_or_default().to_string();
            let item = PullProgress {
                digest: value.get("digest").and_then(Value::as_str).map(str::to_string),
                total: value.get("total").and_then(Value::as_u64),
                completed: value.get("completed").and_then(Value::as_u64),
                status: status.clone(),
            };
            let same_step = batch.last().is_some_and(|last| last.status == item.status && last.digest == item.digest);
            if same_step {
                batch.pop();
            }
            batch.push(item);
            if status == "success" {
                flush(&mut batch, &progress);
                return PullEvent::Done(PullDone {});
            }
        }
        flush(&mut batch, &progress);
        if ended {
            return error(format!("Ollama closed the connection before the pull of {model} finished — run it again to resume."), "truncated_stream");
        }
    }
}

fn flush(batch: &mut Vec<PullProgress>, progress: &impl Fn(PullEvent)) {
    for item in batch.drain(..) {
        progress(PullEvent::Progress(item));
    }
}
