//! Wire types shared with TypeScript. These Rust types are the source; `src/protocol/generated/`
//! is generated from them by ts-rs (one `.ts` file per type plus `index.ts`) and the integration
//! test `protocol::generated_typescript_is_up_to_date` fails when the committed copy is stale.
//!
//! One module per command group. Command params are here too, so the host can type its calls.
//! Conventions: `#[serde(rename_all = "camelCase")]` on every struct; an `Option` field the wire
//! may omit is `#[serde(default, skip_serializing_if = "Option::is_none")] #[ts(optional)]`;
//! 64-bit integers are exported as `number` (ids and times stay below 2^53).
//!
//! To add a type: derive `TS`, then add it to `exported_types()` below (types it refers to are
//! exported with it).

pub mod ai;
pub mod bonsai;
pub mod channel;
pub mod export;
pub mod checkpoint;
pub mod editor;
pub mod fs;
pub mod http;
pub mod inline;
pub mod models;
pub mod presets;
pub mod process;
pub mod review;
pub mod rpc;
pub mod search;
pub mod workflows;
pub mod scaffold;

use std::path::Path;
use ts_rs::{Config, ExportError, TS};

type Exporter = fn(&Config) -> Result<(), ExportError>;

fn export<T: TS + 'static>(config: &Config) -> Result<(), ExportError> {
    T::export_all(config)
}

/// For generic types: exports the generic declaration only, not the placeholder's own type.
fn export_generic<T: TS + 'static>(config: &Config) -> Result<(), ExportError> {
    T::export(config)
}

/// Every type exported to TypeScript, with its dependencies. The one list to extend.
pub fn exported_types() -> Vec<Exporter> {
    vec![
        // Handshake and channels.
        export::<rpc::InitializeParams>,
        export::<rpc::InitializeResult>,
        export_generic::<channel::ChannelEnvelope<serde_json::Value>>,
        export::<channel::ChannelError>,
        // fs
        export::<fs::FileEntry>,
        export::<fs::PathParams>,
        export::<fs::WriteFileParams>,
        export::<fs::RenameFileParams>,
        export::<fs::CreateSymlinkParams>,
        export::<fs::RevealResult>,
        // process
        export::<process::ProcessEvent>,
        export::<process::SpawnResult>,
        export::<process::BunDevParams>,
        export::<process::CwdParams>,
        export::<process::ShellCommandParams>,
        export::<process::KillProcessParams>,
        export::<process::KillPortParams>,
        // http
        export::<http::HttpRequestParams>,
        export::<http::HttpResponse>,
        // presets
        export::<presets::ModelPreset>,
        export::<presets::SaveModelPresetsParams>,
        // ai
        export::<ai::CompletionEvent>,
        export::<ai::CompletionRequest>,
        export::<ai::StreamStarted>,
        export::<ai::StopGenerationParams>,
        export::<ai::ResolveToolPermissionParams>,
        export::<ai::ResolveAskUserParams>,
        export::<ai::ResolveAskUserFormParams>,
        export::<ai::ToolPermissionMode>,
        export::<ai::ListModelsParams>,
        export::<ai::OllamaModel>,
        export::<ai::AnthropicModel>,
        export::<ai::OpenAiModel>,
        export::<models::ModelInfoParams>,
        export::<models::ModelDetails>,
        export::<ai::PullModelParams>,
        export::<ai::PullEvent>,
        // bonsai
        export::<bonsai::BonsaiServerConfig>,
        export::<bonsai::SaveServerConfigParams>,
        export::<bonsai::StartServerParams>,
        export::<bonsai::BonsaiServerInfo>,
        export::<bonsai::BonsaiServerStatus>,
        export::<bonsai::GenerateImageParams>,
        export::<bonsai::BonsaiGenerateResult>,
        export::<bonsai::GenerateEvent>,
        export::<bonsai::ListAssetsParams>,
        export::<bonsai::AssetInfo>,
        export::<bonsai::DeleteAssetParams>,
        // export
        export::<export::ExportProjectParams>,
        export::<export::ExportComponentParams>,
        // workflows
        export::<workflows::SaveWorkflowParams>,
        export::<workflows::LoadWorkflowParams>,
        export::<workflows::ListWorkflowsParams>,
        export::<workflows::RunWorkflowParams>,
        // search
        export::<search::TestSearxngParams>,
        // inline
        export::<inline::InlineRequest>,
        export::<inline::InlineResult>,
        // the host's editors (sidecar → host requests)
        export::<editor::ReadDocumentParams>,
        export::<editor::ReadDocumentResult>,
        export::<editor::ApplyEditParams>,
        export::<editor::ApplyEditResult>,
        // checkpoints
        export::<checkpoint::ChatCheckpointsParams>,
        export::<checkpoint::CheckpointSummary>,
        export::<checkpoint::CheckpointSelection>,
        export::<checkpoint::RestorePlan>,
        export::<checkpoint::RestoreResult>,
        // scaffold
        export::<scaffold::TemplateInfo>,
        export::<scaffold::ScaffoldProjectParams>,
        export::<scaffold::ScaffoldEvent>,
        export::<scaffold::ScaffoldResult>,
    ]
}

/// Writes every binding into `dir` (created if missing), plus an `index.ts` re-exporting them all.
pub fn export_bindings(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    let config = Config::new().with_out_dir(dir).with_large_int("number");
    for exporter in exported_types() {
        exporter(&config).map_err(|err| format!("exporting TypeScript bindings to {} failed: {err}", dir.display()))?;
    }
    let mut modules: Vec<String> = std::fs::read_dir(dir)
        .map_err(|err| format!("cannot list {}: {err}", dir.display()))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(".ts").map(str::to_owned))
        .filter(|name| name != "index")
        .collect();
    modules.sort();
    let mut index = String::from(
        "// Generated from the sidecar's Rust wire types (sidecar/src/protocol/) by ts-rs. Do not edit:\n\
         // regenerate with `cargo test --manifest-path sidecar/Cargo.toml --test integration -- --ignored regenerate_protocol`.\n\n",
    );
    for module in modules {
        index.push_str(&format!("export type * from \"./{module}\";\n"));
    }
    std::fs::write(dir.join("index.ts"), index).map_err(|err| format!("cannot write index.ts: {err}"))
}
