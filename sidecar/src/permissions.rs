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
/// An environment variable naming a capability file (same shape) that replaces the built-in one,
/// so a locked-down install can narrow the grant without rebuilding; the tests use it to run
/// with a group withheld. Whoever sets the sidecar's environment already controls the process,
/// so this opens nothing new.
pub const CAPABILITY_ENV: &str = "PROTOTYPER_SIDECAR_CAPABILITIES";

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
    /// Writes only the extension's own storage (presets), never the workspace; allowed in
    /// untrusted workspaces, which Workspace Trust protects.
    WriteStorage,
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
    /// The capability file the groups came from, as error messages name it.
    file: String,
}

impl GrantedGroups {
    /// The declared set: from the file named by `PROTOTYPER_SIDECAR_CAPABILITIES` if set,
    /// otherwise the built-in `capabilities/default.json`. A file that cannot be read or parsed
    /// is an error naming it (initialize fails; nothing is granted by accident).
    pub fn load(workspace_trusted: bool) -> Result<Self, AppError> {
        let Some(path) = std::env::var_os(CAPABILITY_ENV) else {
            return Ok(Self::declared(workspace_trusted));
        };
        let file = std::path::PathBuf::from(path).display().to_string();
        let text = std::fs::read_to_string(&file).map_err(|err| {
            AppError::io(format!("cannot read the capability file {file} (from {CAPABILITY_ENV}): {err}"))
        })?;
        let parsed: CapabilityFile = serde_json::from_str(&text).map_err(|err| {
            AppError::invalid_params(format!(
                "the capability file {file} (from {CAPABILITY_ENV}) is not valid: {err}. It must look like {{\"granted\": [\"fs\", \"shell\"]}}."
            ))
        })?;
        Ok(GrantedGroups { groups: parsed.granted, workspace_trusted, file })
    }

    /// The built-in set from `capabilities/default.json`.
    pub fn declared(workspace_trusted: bool) -> Self {
        let file: CapabilityFile =
            serde_json::from_str(CAPABILITY_JSON).expect("capabilities/default.json is valid JSON (checked by tests)");
        GrantedGroups { groups: file.granted, workspace_trusted, file: CAPABILITY_FILE.to_string() }
    }

    /// An explicit set, for tests and for hosts that narrow the grant.
    pub fn only(groups: impl IntoIterator<Item = Group>, workspace_trusted: bool) -> Self {
        GrantedGroups { groups: groups.into_iter().collect(), workspace_trusted, file: CAPABILITY_FILE.to_string() }
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
                    "Permission not granted: '{command}' needs the '{}' group, which {} does not grant. Add \"{}\" to its \"granted\" list.",
                    group.name(),
                    self.file,
                    group.name()
                ),
            )
            .with_data(serde_json::json!({ "group": group.name(), "file": self.file })));
        }
        if !self.workspace_trusted && matches!(effect, Effect::Write | Effect::Execute) {
            let verb = if effect == Effect::Write { "writes files" } else { "runs processes" };
            return Err(AppError::new(
                codes::PERMISSION_NOT_GRANTED,
                format!(
                    "Permission not granted: '{command}' (group '{}') {verb}, which is not allowed in an untrusted workspace. Trust this folder (command \"Workspaces: Manage Workspace Trust\") to allow it.",
                    group.name()
                ),
            )
            .with_data(serde_json::json!({ "group": group.name(), "reason": "untrusted-workspace" })));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_capability_file_parses() {
        let granted = GrantedGroups::declared(true);
        assert!(granted.check("read_file", Group::Fs, Effect::Read).is_ok());
    }

    #[test]
    fn a_missing_group_names_the_group_and_the_file() {
        let granted = GrantedGroups::only([Group::Fs], true);
        let err = granted.check("run_shell_command", Group::Shell, Effect::Execute).unwrap_err();
        assert_eq!(err.code, codes::PERMISSION_NOT_GRANTED);
        assert!(err.message.contains("'shell'") && err.message.contains(CAPABILITY_FILE), "{}", err.message);
    }

    #[test]
    fn an_untrusted_workspace_only_reads() {
        let granted = GrantedGroups::declared(false);
        assert!(granted.check("read_file", Group::Fs, Effect::Read).is_ok());
        let err = granted.check("write_file", Group::Fs, Effect::Write).unwrap_err();
        assert!(err.message.contains("untrusted") && err.message.contains("'fs'"), "{}", err.message);
        assert!(granted.check("bun_dev", Group::Shell, Effect::Execute).is_err());
    }
}
