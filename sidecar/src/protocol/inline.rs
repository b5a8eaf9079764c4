//! Wire types of `generate_inline` (design.md §6; ARCHITECTURE.md, "The wire"): code written into
//! the editor at the cursor, in place of a selection, or merged into a file. Its channel carries
//! the same `CompletionEvent`s as a chat stream, restricted to `Chunk` (text only) and the terminal
//! `Done {usage}` or `Error`; the response `InlineResult` comes after the terminal message.

use super::ai::{ModelOptions, ProviderKind};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the model is asked to write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum InlineTask {
    /// New code at the cursor (between `prefix` and `suffix`).
    #[default]
    Generate,
    /// A replacement for `selection`.
    Edit,
    /// `fragment` merged into the file given as `selection`: answered with search/replace blocks
    /// (or the whole merged file).
    Merge,
}

/// Another open file, sent for reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RelatedFile {
    /// Workspace-relative, as the user sees it.
    pub path: String,
    pub content: String,
}

/// Params of `generate_inline`. The host sends the whole document around the cursor (capped); the
/// sidecar cuts it to the model's context, keeping the lines nearest the cursor.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct InlineRequest {
    #[ts(optional = false)]
    pub model: String,
    #[serde(default)]
    pub provider: Option<ProviderKind>,
    /// The provider's base URL; absent or empty means its default.
    #[serde(default)]
    pub host: Option<String>,
    /// Never logged or stored; only sent to `host`.
    #[serde(default)]
    pub api_key: Option<String>,
    /// The channel the events go to.
    #[serde(default)]
    pub on_event: Option<u64>,
    #[serde(default)]
    pub task: InlineTask,
    /// What the user typed ("add a docstring"); may be empty for `generate` (complete here).
    #[serde(default)]
    pub instruction: String,
    /// VS Code's language id of the document (`typescript`, `python`, …).
    #[serde(default)]
    pub language_id: Option<String>,
    /// The document's workspace-relative path (or its name when it is untitled).
    #[serde(default)]
    pub path: Option<String>,
    /// The document's text before the cursor (or the selection).
    #[serde(default)]
    pub prefix: String,
    /// The selected text (`edit`), or the whole file (`merge`); empty for `generate`.
    #[serde(default)]
    pub selection: String,
    /// The document's text after the cursor (or the selection).
    #[serde(default)]
    pub suffix: String,
    /// Other open files, most relevant first; dropped first when the context is short.
    #[serde(default)]
    pub related_files: Option<Vec<RelatedFile>>,
    /// `merge`: the code block to merge into the file.
    #[serde(default)]
    pub fragment: Option<String>,
    #[serde(default)]
    pub options: Option<ModelOptions>,
    /// How long the provider may send nothing before the stream fails (default 60).
    #[serde(default)]
    pub idle_timeout_seconds: Option<f64>,
}

/// How the model was prompted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum InlinePrompt {
    /// Prefix and suffix through Ollama's `/api/generate` `suffix`: the model's own
    /// fill-in-the-middle template. Its answer is raw code.
    FillInMiddle,
    /// A chat request asking for one fenced code block (or search/replace blocks for `merge`).
    Instruction,
}

/// The result of `generate_inline`, sent after the terminal channel message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InlineResult {
    /// The channel id, which `stop_generation_stream` takes.
    pub request_id: u64,
    pub prompt: InlinePrompt,
    /// What was left out to fit the model's context, as a sentence ("Sent lines 120–480 of 2,000
    /// of src/a.ts to fit the model's 8,192-token context."); absent when everything was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub context_note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn params_read_the_host_shape() {
        let request: InlineRequest = serde_json::from_value(json!({
            "model": "qwen2.5-coder:7b", "provider": "ollama", "onEvent": 7, "task": "edit", "instruction": "rename x",
            "languageId": "typescript", "path": "src/a.ts", "prefix": "a\n", "selection": "let x = 1;\n", "suffix": "b\n",
            "relatedFiles": [{ "path": "src/b.ts", "content": "export {}" }], "options": { "numCtx": 4096 }
        }))
        .unwrap();
        assert_eq!(request.task, InlineTask::Edit);
        assert_eq!(request.related_files.unwrap()[0].path, "src/b.ts");
        let minimal: InlineRequest = serde_json::from_value(json!({ "model": "m" })).unwrap();
        assert_eq!((minimal.task, minimal.prefix.as_str()), (InlineTask::Generate, ""));
        let result = InlineResult { request_id: 7, prompt: InlinePrompt::FillInMiddle, context_note: None };
        assert_eq!(serde_json::to_value(result).unwrap(), json!({ "requestId": 7, "prompt": "fill_in_middle" }));
    }
}
