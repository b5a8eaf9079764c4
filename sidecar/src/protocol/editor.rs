//! The requests the sidecar sends to the host about its editors (`rpc::host`), and their answers.
//! The host serves them only when it said so at `initialize` (`capabilities.editorDocuments`).
//!
//! - `editor/readDocument {path}` → `{open, text?, version?}`: the text of the document VS Code has
//!   open for that workspace file (dirty or not), with its version; `open: false` when there is
//!   none, and the sidecar reads the file from disk instead.
//! - `editor/applyEdit {path, content, expectedVersion, mustExist}` → `{applied, reason?, version?}`:
//!   replaces the document's whole text (or deletes the file, for `content: null`) through a
//!   `WorkspaceEdit`, only if its version is still `expectedVersion`. Nothing is saved.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReadDocumentParams {
    /// Workspace-relative, `/`-separated.
    pub path: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReadDocumentResult {
    /// True when a document for the file is open in VS Code (shown in a tab, or with unsaved
    /// changes).
    pub open: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub text: Option<String>,
    /// `TextDocument.version`, which rises with every change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub version: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ApplyEditParams {
    pub path: String,
    /// The document's whole text after the edit; `null` deletes the file (an undo of its creation).
    pub content: Option<String>,
    /// The version the text was read at; any other version means the user changed it since.
    pub expected_version: i64,
    /// The file existed when the change was proposed: if it is gone from disk now (deleted or
    /// renamed), nothing is applied.
    #[serde(default)]
    pub must_exist: bool,
}

/// Why an edit was not applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ApplyEditRefusal {
    /// The document's version is not the expected one: it changed after it was read.
    Changed,
    /// No document is open for the file any more (the sidecar then writes the file itself).
    Closed,
    /// The file was deleted or renamed on disk.
    Deleted,
    /// VS Code refused the edit (a read-only file system, or the document changed meanwhile).
    Refused,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ApplyEditResult {
    pub applied: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reason: Option<ApplyEditRefusal>,
    /// The document's version after the edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub version: Option<i64>,
}
