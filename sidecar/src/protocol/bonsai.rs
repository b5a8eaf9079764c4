//! Params, results and channel messages of the Bonsai command group: the local image server the
//! user installs (start, stop, status, its config), image generation and the generated images.
//! Names follow the seed (`bonsai_*`, camelCase params); `projectId` is accepted and ignored, since
//! the project is the workspace.

use super::channel::ChannelError;
use crate::channel::ChannelMessage;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The image server's config, kept in the sidecar's storage folder (`bonsai-config.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct BonsaiServerConfig {
    /// The Bonsai install folder (absolute). Empty: the first existing of `~/Bonsai-Image-Demo`,
    /// `~/Bonsai-image-demo` and `~/bonsai-image-demo`.
    pub install_path: String,
    /// The first port tried; the next free one above it is used when it is taken.
    pub port: u16,
    /// The model variant, `ternary` or `binary` (`BONSAI_VARIANT`).
    pub variant: String,
    /// How long the server may sit idle after `bonsai_schedule_stop` before it is stopped; 0 never.
    pub auto_stop_timeout_secs: u64,
    /// How long a start waits for the server to answer healthy (model loading can be slow).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_timeout_secs: Option<u64>,
}

impl Default for BonsaiServerConfig {
    fn default() -> Self {
        BonsaiServerConfig {
            install_path: String::new(),
            port: 8000,
            variant: "ternary".into(),
            auto_stop_timeout_secs: 60,
            start_timeout_secs: None,
        }
    }
}

/// Params of `bonsai_save_server_config`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SaveServerConfigParams {
    pub config: BonsaiServerConfig,
}

/// Params of `bonsai_start_server`. With `onEvent`, the server's output streams on that channel as
/// process `Output` messages (what it printed since it started first), ending with `Exit` when the
/// server ends.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StartServerParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub on_event: Option<u64>,
}

/// What `bonsai_start_server` answers once the server is healthy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BonsaiServerInfo {
    pub port: u16,
    /// The server's process id; it leads its own process group.
    pub pid: u32,
    pub healthy: bool,
    pub kind: String,
    pub supported_families: Vec<String>,
    pub default_family: String,
}

/// What `bonsai_server_status` answers. The seed's four fields, plus what the status bar shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BonsaiServerStatus {
    pub healthy: bool,
    pub kind: String,
    pub supported_families: Vec<String>,
    pub default_family: String,
    /// A server process is running (it may still be loading, so not yet healthy).
    pub running: bool,
    /// A start is waiting for the server to become healthy.
    pub starting: bool,
    /// An image is being generated.
    pub generating: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub pid: Option<u32>,
    /// Seconds until an idle stop scheduled with `bonsai_schedule_stop`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub stops_in_secs: Option<u64>,
}

/// Params of `bonsai_generate_image`. Defaults: 512×512, 4 steps, seed = the time in ms.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct GenerateImageParams {
    #[serde(default)]
    pub project_id: Option<String>,
    #[ts(optional = false)]
    pub prompt: String,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    #[serde(default)]
    pub steps: Option<u32>,
    #[serde(default)]
    pub seed: Option<u64>,
    /// The server's backend family (`/backends` lists them); its default when absent.
    #[serde(default)]
    pub backend: Option<String>,
    /// The images folder, workspace-relative (the host passes `prototyper.images.folder`);
    /// `assets/generated` when absent.
    #[serde(default)]
    pub folder: Option<String>,
    /// A channel for `GenerateEvent`s.
    #[serde(default)]
    pub on_event: Option<u64>,
}

/// What a generation returns: the PNG's absolute path and name, and how it was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BonsaiGenerateResult {
    pub file_path: String,
    pub file_name: String,
    pub width: u32,
    pub height: u32,
    pub seed: u64,
    /// The PNG's path relative to the workspace root.
    pub relative_path: String,
}

/// A generation's progress channel: `Progress` any number of times, then `Done` or `Error`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "event", content = "data")]
pub enum GenerateEvent {
    Progress(GenerateProgress),
    Done(BonsaiGenerateResult),
    Error(ChannelError),
}

/// Where a generation is: `starting` (asking the server), `generating` (once a second while the
/// server works), `saving`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GenerateProgress {
    pub stage: String,
    pub message: String,
    pub elapsed_ms: u64,
}

impl ChannelMessage for GenerateEvent {
    fn is_terminal(&self) -> bool {
        !matches!(self, GenerateEvent::Progress(_))
    }
    fn abandoned() -> Self {
        GenerateEvent::Error(ChannelError {
            message: "The image generation ended unexpectedly inside the sidecar; see the Prototyper Sidecar output.".into(),
            code: Some("internal".into()),
        })
    }
}

/// Params of `bonsai_list_assets`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ListAssetsParams {
    #[serde(default)]
    pub project_id: Option<String>,
    /// As in `bonsai_generate_image`.
    #[serde(default)]
    pub folder: Option<String>,
}

/// One generated image, newest first in `bonsai_list_assets`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AssetInfo {
    pub file_name: String,
    /// Absolute path.
    pub file_path: String,
    /// Workspace-relative path.
    pub relative_path: String,
    pub file_size: u64,
    /// Seconds since the Unix epoch.
    pub created_at: u64,
    /// The prompt from the image's `.json` file, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub prompt: Option<String>,
}

/// Params of `bonsai_delete_asset`: deletes the PNG and its `.json`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct DeleteAssetParams {
    #[serde(default)]
    pub project_id: Option<String>,
    #[ts(optional = false)]
    pub file_name: String,
    #[serde(default)]
    pub folder: Option<String>,
}
