//! Wire types of the scaffold command group (design.md §6): `list_templates` and
//! `scaffold_project` with the `ScaffoldEvent`s of its channel.

use super::channel::ChannelError;
use super::process::OutputStream;
use super::rpc::PackageManager;
use crate::channel::ChannelMessage;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One entry of `list_templates`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TemplateInfo {
    /// `react-shadcn`, `react-ts`, `preact`, `api`, `cli` or `static`.
    pub id: String,
    pub name: String,
    pub description: String,
    /// The packages the template depends on: a project may not be named after one of them (npm
    /// refuses to install a package into a project of the same name).
    pub packages: Vec<String>,
    /// Whether the project has a dev server ("Run Dev Server" applies).
    pub dev_server: bool,
}

/// Params of `scaffold_project`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScaffoldProjectParams {
    /// A template id from `list_templates`.
    pub template: String,
    /// The project's folder name and package name: lowercase letters, digits, `-` and `_`.
    pub name: String,
    /// The absolute folder the user picked; the project is created as `parentDir/name`.
    pub parent_dir: String,
    /// Which package manager installs (and later runs) the project; default: the
    /// `prototyper.packageManager` setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub package_manager: Option<PackageManager>,
    /// Run the install after writing the files (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub install: Option<bool>,
    pub on_event: u64,
}

/// A scaffold channel message: `Step`s and install `Output`, then exactly one terminal `Done`
/// or `Error`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "event", content = "data")]
pub enum ScaffoldEvent {
    /// What happens now ("Writing 42 files…"), or a fact the user should know ("The folder is
    /// not empty; none of its files is overwritten").
    Step { label: String },
    /// Lines the install printed, as a process channel's `Output`.
    Output { stream: OutputStream, lines: Vec<String> },
    Done(ScaffoldDone),
    /// `code`: `cancelled` (what was created is removed), `install_failed` (the files stay),
    /// `exists` (the folder has files the template would overwrite), `package_manager_missing`,
    /// `invalid`, `io` (the partial project is removed), `internal`.
    Error(ChannelError),
}

impl ChannelMessage for ScaffoldEvent {
    fn is_terminal(&self) -> bool {
        matches!(self, ScaffoldEvent::Done(_) | ScaffoldEvent::Error(_))
    }
    fn abandoned() -> Self {
        ScaffoldEvent::Error(ChannelError {
            message: "Creating the project stopped unexpectedly inside the sidecar; see the Prototyper Sidecar output.".into(),
            code: Some("internal".into()),
        })
    }
}

/// The terminal `Done` of a scaffold channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScaffoldDone {
    /// The project's absolute path.
    pub path: String,
    /// Whether the dependencies were installed.
    pub installed: bool,
    /// The package manager the project uses (`bun`, `npm` or `pnpm`).
    pub package_manager: PackageManager,
}

/// What `scaffold_project` answers, after the terminal message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScaffoldResult {
    pub path: String,
}
