//! Permission groups: every command belongs to one, and the granted set is declared in one file,
//! `sidecar/capabilities/default.json` (compiled in). Unlike the seed, where a missing permission
//! fails silently, a call outside the granted set fails loudly with an error naming the group and
//! the file. In an untrusted workspace, commands that write or execute are refused as well.

use crate::error::{codes, AppError};
use serde::Deserialize;
use std::collections::BTreeSet;

/// Where the granted set is declared, as named in error messages.
pub const CAPABILITY_FILE: &str = "sidecar/capabilities/default.json";
const CAPABILITY_JSON: &str = include_str!("../capabilities/default.json");

/// The permission groups of design.md §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    Shell,
    Fs,
    Http,
    Store,
    Dialog,
    Clipboard,
    Ai,
}

impl Group {
    pub fn name(self) -> &'static str {
        match self {
            Group::Shell => "shell",
            Group::Fs => "fs",
            Group::Http => "http",
            Group::Store => "store",
            Group::Dialog => "dialog",
            Group::Clipboard => "clipboard",
            Group::Ai => "ai",
        }
    }
}

/// What a command does to the machine; decides what an untrusted workspace may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Reads files or talks to the network; allowed in untrusted workspaces.
    Read,
    /// Creates, changes or deletes files.
    Write,
    /// Starts or stops processes.
    Execute,
}

#[derive(Deserialize)]
struct CapabilityFile {
    granted: BTreeSet<Group>,
}

/// The groups granted to this session, with workspace trust applied.
#[derive(Debug, Clone)]
pub struct GrantedGroups {
    groups: BTreeSet<Group>,
    workspace_trusted: bool,
}

impl GrantedGroups {
    /// The declared set from the capability file.
    pub fn declared(workspace_trusted: bool) -> Self {
        let file: CapabilityFile =
            serde_json::from_str(CAPABILITY_JSON).expect("capabilities/default.json is valid JSON (checked by tests)");
        GrantedGroups { groups: file.granted, workspace_trusted }
    }

    /// An explicit set, for tests and for hosts that narrow the grant.
    pub fn only(groups: impl IntoIterator<Item = Group>, workspace_trusted: bool) -> Self {
        GrantedGroups { groups: groups.into_iter().collect(), workspace_trusted }
    }

    pub fn workspace_trusted(&self) -> bool {
        self.workspace_trusted
    }

    /// Refuses `command` unless its group is granted and, in an untrusted workspace, it only reads.
    pub fn check(&self, command: &str, group: Group, effect: Effect) -> Result<(), AppError> {
        if !self.groups.contains(&group) {
            return Err(AppError::new(
                codes::PERMISSION_NOT_GRANTED,
                format!(
                    "Permission not granted: '{command}' needs the '{}' group, which {CAPABILITY_FILE} does not grant. Add \"{}\" to its \"granted\" list.",
                    group.name(),
                    group.name()
                ),
            )
            .with_data(serde_json::json!({ "group": group.name(), "file": CAPABILITY_FILE })));
        }
        if !self.workspace_trusted && effect != Effect::Read {
            let verb = if effect == Effect::Write { "writes files" } else { "runs processes" };
            return Err(AppError::new(
                codes::PERMISSION_NOT_GRANTED,
                format!(
                    "Permission not granted: '{command}' {verb}, which is not allowed in an untrusted workspace. Trust this folder (command \"Workspaces: Manage Workspace Trust\") to allow it."
                ),
            )
            .with_data(serde_json::json!({ "group": group.name(), "reason": "untrusted-workspace" })));
        }
        Ok(())
    }
}
