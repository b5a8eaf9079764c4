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
    /// Lenient on purpose: a missing or malformed object grants the least (see
    /// `InitializeCapabilities`), rather than failing the handshake or granting by default.
    #[serde(default)]
    pub capabilities: InitializeCapabilities,
}

/// What the host allows this session. Deserialized leniently (see its `Deserialize`).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InitializeCapabilities {
    /// VS Code Workspace Trust; when false, commands that write or execute are refused. Trust
    /// fails closed: only a literal `true` trusts the workspace; a missing, null or malformed
    /// value means untrusted.
    pub workspace_trusted: bool,
    /// `host` or `host:port` entries (the configured model hosts) that `http_request` and the
    /// providers may reach although they are loopback or private addresses.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// Which package manager the `bun_*` process commands and scaffolding run (`auto` when absent).
    #[serde(default)]
    pub package_manager: PackageManager,
    /// The host answers `editor/readDocument` and `editor/applyEdit` (`protocol::editor`), so the
    /// agent reads and writes open documents through VS Code's editors. Without it the sidecar
    /// works on the files on disk alone.
    #[serde(default)]
    pub editor_documents: bool,
}

impl Default for InitializeCapabilities {
    /// What a host that says nothing gets: an untrusted workspace.
    fn default() -> Self {
        InitializeCapabilities { workspace_trusted: false, allowed_hosts: Vec::new(), package_manager: PackageManager::Auto, editor_documents: false }
    }
}

/// Fails closed: anything but an object grants the defaults (untrusted); `workspaceTrusted` counts
/// only as a literal `true`; a malformed `allowedHosts` or `packageManager` is ignored.
impl<'de> Deserialize<'de> for InitializeCapabilities {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let mut capabilities = InitializeCapabilities::default();
        let serde_json::Value::Object(fields) = value else { return Ok(capabilities) };
        capabilities.workspace_trusted = fields.get("workspaceTrusted") == Some(&serde_json::Value::Bool(true));
        if let Some(hosts) = fields.get("allowedHosts").and_then(|hosts| serde_json::from_value(hosts.clone()).ok()) {
            capabilities.allowed_hosts = hosts;
        }
        if let Some(manager) = fields.get("packageManager").and_then(|manager| serde_json::from_value(manager.clone()).ok()) {
            capabilities.package_manager = manager;
        }
        capabilities.editor_documents = fields.get("editorDocuments") == Some(&serde_json::Value::Bool(true));
        Ok(capabilities)
    }
}

/// The `prototyper.packageManager` setting. `auto` is resolved where a program is needed
/// (`commands::process::package_manager`): the project's lockfile, else bun when installed, else npm.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum PackageManager {
    #[default]
    Auto,
    Bun,
    Npm,
    Pnpm,
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
