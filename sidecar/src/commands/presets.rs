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
use std::path::{Path, PathBuf};

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

fn presets_file(context: &RequestContext) -> PathBuf {
    context.session.storage_dir.join(FILE_NAME)
}

/// The user's presets from `file`; `[]` when it does not exist.
fn read_user_presets(file: &Path) -> Result<Vec<ModelPreset>, AppError> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(AppError::io(format!("cannot read the presets file {}: {err}", file.display()))),
    };
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_str::<Vec<ModelPreset>>(&text).map_err(|err| {
        AppError::io(format!(
            "the presets file {} is not a valid preset list ({err}); fix it or delete it to start over. It was left unchanged.",
            file.display()
        ))
    })
}

async fn load_model_presets(context: RequestContext, _params: serde_json::Value) -> Result<Vec<ModelPreset>, AppError> {
    let file = presets_file(&context);
    let user = tokio::task::spawn_blocking(move || read_user_presets(&file))
        .await
        .map_err(|err| AppError::internal(format!("Internal error: reading presets failed ({err})")))??;
    let mut presets = built_in_presets();
    presets.extend(user.into_iter().filter(|p| p.built_in != Some(true)).map(|p| ModelPreset { built_in: None, ..p }));
    Ok(presets)
}

async fn save_model_presets(context: RequestContext, params: SaveModelPresetsParams) -> Result<(), AppError> {
    let file = presets_file(&context);
    let user: Vec<ModelPreset> = params
        .presets
        .into_iter()
        .filter(|p| p.built_in != Some(true))
        .map(|p| ModelPreset { built_in: None, ..p })
        .collect();
    tokio::task::spawn_blocking(move || write_atomically(&file, &user))
        .await
        .map_err(|err| AppError::internal(format!("Internal error: saving presets failed ({err})")))?
}

/// Writes `presets` to a temp file beside `file`, then renames it over `file`.
fn write_atomically(file: &Path, presets: &[ModelPreset]) -> Result<(), AppError> {
    let text = serde_json::to_string_pretty(presets)
        .map_err(|err| AppError::internal(format!("cannot serialize the presets: {err}")))?;
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|err| AppError::io(format!("cannot create {}: {err}", dir.display())))?;
    let temp = dir.join(format!(".{FILE_NAME}.{}.tmp", std::process::id()));
    let written = std::fs::write(&temp, text.as_bytes()).and_then(|()| std::fs::rename(&temp, file));
    written.map_err(|err| {
        let _ = std::fs::remove_file(&temp);
        AppError::io(format!("cannot save the presets to {}: {err}; check that the folder is writable", file.display()))
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
