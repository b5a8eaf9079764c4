//! The presets command group: `load_model_presets` returns the built-in presets (the seed's ten)
//! followed by the user's, stored in `<storageDir>/model-presets.json`; `save_model_presets`
//! stores the user's (entries marked `builtIn` are ignored).
//!
//! The file is written atomically (a temp file renamed over it), so a crash never leaves half a
//! file. A file that does not parse is reported with its path and never overwritten by a load;
//! only an explicit save replaces it.

use crate::context::RequestContext;
use crate::dispatch::Command;
use crate::error::AppError;
use crate::permissions::{Effect, Group};
use crate::protocol::ai::ModelOptions;
use crate::protocol::presets::{ModelPreset, SaveModelPresetsParams};
use crate::confine::{RelPath, Root};

const FILE_NAME: &str = "model-presets.json";

pub fn commands() -> Vec<Command> {
    vec![
        crate::command!("load_model_presets", Group::Store, Effect::Read, load_model_presets),
        crate::command!("save_model_presets", Group::Store, Effect::WriteStorage, save_model_presets),
    ]
}

fn preset(id: &str, name: &str, description: &str, options: ModelOptions) -> ModelPreset {
    ModelPreset {
        id: id.to_string(),
        name: name.to_string(),
        description: description.to_string(),
        options,
        built_in: Some(true),
    }
}

/// The seed's ten built-in presets (Ollama options).
pub fn built_in_presets() -> Vec<ModelPreset> {
    let o = ModelOptions::default;
    vec![
        preset(
            "creative",
            "Creative Writing",
            "Varied, imaginative prose: high temperature, wide sampling.",
            ModelOptions { temperature: Some(1.0), top_k: Some(60), top_p: Some(0.95), repeat_penalty: Some(1.1), ..o() },
        ),
        preset(
            "precise",
            "Precise / Factual",
            "Focused, factual answers: low temperature, narrow sampling.",
            ModelOptions { temperature: Some(0.2), top_k: Some(20), top_p: Some(0.8), repeat_penalty: Some(1.1), ..o() },
        ),
        preset(
            "analytical",
            "Analytical",
            "Step-by-step reasoning over longer inputs.",
            ModelOptions { temperature: Some(0.4), top_k: Some(30), top_p: Some(0.9), num_ctx: Some(16384), ..o() },
        ),
        preset(
            "rag",
            "RAG / Retrieval",
            "Answers grounded in supplied documents: a large context and a low temperature.",
            ModelOptions { temperature: Some(0.3), top_p: Some(0.85), num_ctx: Some(32768), repeat_penalty: Some(1.05), ..o() },
        ),
        preset(
            "brainstorm",
            "Brainstorming",
            "Many different ideas: the highest temperature and a strong repeat penalty.",
            ModelOptions { temperature: Some(1.2), top_k: Some(100), top_p: Some(0.98), repeat_penalty: Some(1.15), ..o() },
        ),
        preset(
            "gemma4",
            "Gemma 4 27B",
            "Google's recommended sampling for Gemma (temperature 1.0, top-k 64, top-p 0.95).",
            ModelOptions { temperature: Some(1.0), top_k: Some(64), top_p: Some(0.95), num_ctx: Some(32768), ..o() },
        ),
        preset(
            "gemma4-coding",
            "Gemma 4 27B — Coding",
            "Gemma for code: a lower temperature and a large context for whole files.",
            ModelOptions { temperature: Some(0.3), top_k: Some(64), top_p: Some(0.95), num_ctx: Some(65536), ..o() },
        ),
        preset(
            "long-context",
            "Long Context",
            "A 128K context window for large files and long chats (needs a model and memory that allow it).",
            ModelOptions { temperature: Some(0.7), num_ctx: Some(131072), ..o() },
        ),
        preset(
            "deterministic",
            "Deterministic",
            "The same answer every time: greedy sampling and a fixed seed.",
            ModelOptions { temperature: Some(0.0), top_k: Some(1), top_p: Some(1.0), seed: Some(42), ..o() },
        ),
        preset(
            "mirostat2",
            "Mirostat 2",
            "Mirostat 2.0 keeps perplexity steady over long outputs (tau 5, eta 0.1).",
            ModelOptions { mirostat: Some(2), mirostat_tau: Some(5.0), mirostat_eta: Some(0.1), ..o() },
        ),
    ]
}

/// The largest presets file read (a preset list is a few KB).
const MAX_PRESETS_BYTES: u64 = 4 * 1024 * 1024;

fn presets_path() -> RelPath {
    RelPath::parse(FILE_NAME).expect("the presets file name is a plain relative name")
}

/// The user's presets in the storage folder; `[]` when the file does not exist.
fn read_user_presets(storage: &Root) -> Result<Vec<ModelPreset>, AppError> {
    let shown = storage.path().join(FILE_NAME).display().to_string();
    let bytes = match storage.read_existing(&presets_path(), MAX_PRESETS_BYTES) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(Vec::new()),
        Err(err) => return Err(AppError::io(format!("cannot read the presets file {shown}: {}", err.to_tool_message(&presets_path(), "read")))),
    };
    let text = String::from_utf8_lossy(&bytes);
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_str::<Vec<ModelPreset>>(&text).map_err(|err| {
        AppError::io(format!(
            "the presets file {shown} is not a valid preset list ({err}); fix it or delete it to start over. It was left unchanged."
        ))
    })
}

async fn load_model_presets(context: RequestContext, _params: serde_json::Value) -> Result<Vec<ModelPreset>, AppError> {
    let storage = context.session.storage.clone();
    let user = tokio::task::spawn_blocking(move || read_user_presets(&storage))
        .await
        .map_err(|err| AppError::internal(format!("Internal error: reading presets failed ({err})")))??;
    let mut presets = built_in_presets();
    presets.extend(user.into_iter().filter(|p| p.built_in != Some(true)).map(|p| ModelPreset { built_in: None, ..p }));
    Ok(presets)
}

async fn save_model_presets(context: RequestContext, params: SaveModelPresetsParams) -> Result<(), AppError> {
    let storage = context.session.storage.clone();
    let user: Vec<ModelPreset> = params
        .presets
        .into_iter()
        .filter(|p| p.built_in != Some(true))
        .map(|p| ModelPreset { built_in: None, ..p })
        .collect();
    tokio::task::spawn_blocking(move || write_presets(&storage, &user))
        .await
        .map_err(|err| AppError::internal(format!("Internal error: saving presets failed ({err})")))?
}

/// Writes `presets` atomically (a temp file renamed over the old one).
fn write_presets(storage: &Root, presets: &[ModelPreset]) -> Result<(), AppError> {
    let text = serde_json::to_string_pretty(presets)
        .map_err(|err| AppError::internal(format!("cannot serialize the presets: {err}")))?;
    storage.write_atomic(&presets_path(), text.as_bytes()).map(|_| ()).map_err(|err| {
        AppError::io(format!(
            "cannot save the presets to {}: {}; check that the folder is writable",
            storage.path().join(FILE_NAME).display(),
            err.to_tool_message(&presets_path(), "write")
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_built_ins_with_unique_ids() {
        let presets = built_in_presets();
        let ids: Vec<&str> = presets.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            ["creative", "precise", "analytical", "rag", "brainstorm", "gemma4", "gemma4-coding", "long-context", "deterministic", "mirostat2"]
        );
        assert!(presets.iter().all(|p| p.built_in == Some(true) && !p.description.is_empty()));
    }
}
