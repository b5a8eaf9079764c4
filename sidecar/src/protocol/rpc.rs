//! The handshake: `initialize` params and result.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// `initialize` params. Paths are absolute on the host's machine.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InitializeParams {
    /// Must equal the sidecar's `PROTOCOL_VERSION`, or initialize fails with -32017.
    pub protocol_version: u32,
    /// The extension's global storage directory (model presets live here); created if missing.
    pub storage_dir: String,
    /// The workspace folder every file path is relative to; `null` when no folder is open.
    #[serde(default)]
    pub workspace_root: Option<String>,
    #[serde(default)]
    pub capabilities: InitializeCapabilities,
}

/// What the host allows this session.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InitializeCapabilities {
    /// VS Code Workspace Trust; when false, commands that write or execute are refused.
    #[serde(default = "default_true")]
    pub workspace_trusted: bool,
    /// `host` or `host:port` entries (the configured model hosts) that `http_request` and the
    /// providers may reach although they are loopback or private addresses.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// Which package manager the `bun_*` process commands run.
    #[serde(default)]
    pub package_manager: PackageManager,
}

impl Default for InitializeCapabilities {
    fn default() -> Self {
        InitializeCapabilities { workspace_trusted: true, allowed_hosts: Vec::new(), package_manager: PackageManager::Bun }
    }
}

fn default_true() -> bool {
    true
}

/// The `prototyper.packageManager` setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum PackageManager {
    #[default]
    Bun,
    Npm,
}

/// `initialize` result.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InitializeResult {
    pub protocol_version: u32,
    pub sidecar_version: String,
    /// Every command this sidecar serves, sorted.
    pub commands: Vec<String>,
}
