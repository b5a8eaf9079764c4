//! Params and results of the fs command group (`read_dir`, `read_file`, `write_file`, …). Every
//! `path` is relative to the workspace root, `/`-separated.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One entry of `read_dir`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FileEntry {
    /// The entry's file name.
    pub name: String,
    /// Its path relative to the workspace root (`src/app.ts`).
    pub path: String,
    /// True for a directory (or a symlink to one).
    pub is_dir: bool,
    /// Last modification time, milliseconds since the Unix epoch, when the OS reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub modified_ms: Option<u64>,
}

/// Params of the commands that take one path: `read_dir`, `read_file`, `create_dir`,
/// `delete_file`, `delete_dir`, `reveal_in_explorer`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PathParams {
    pub path: String,
}

/// Params of `write_file`. The text is `content` (not `contents`), as in the seed.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WriteFileParams {
    pub path: String,
    pub content: String,
}

/// Params of `rename_file`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RenameFileParams {
    pub from: String,
    pub to: String,
}

/// Params of `create_symlink`: both paths workspace-relative; the link is created relative to its
/// own directory so the workspace can move.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CreateSymlinkParams {
    pub link_path: String,
    pub target: String,
}

/// Result of `reveal_in_explorer`: the sidecar only checks the path; the host reveals it through
/// VS Code (`revealFileInOS`), which the sidecar cannot reach.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RevealResult {
    pub absolute_path: String,
}
