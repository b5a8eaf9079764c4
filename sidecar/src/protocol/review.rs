//! What a permission card shows before the user decides (design.md §6): the proposed change of a
//! `write_file` / `edit_file` (`Proposal`, with a line diff for the card), and what a `bash`
//! command will do that needs care (`CommandReview`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A file change before it is made. `content` is the whole file after the change;
/// `previousContent` is the whole file now (the editor's text when it is open), `null` when the
/// file does not exist yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Proposal {
    /// Workspace-relative, `/`-separated.
    pub path: String,
    /// Always present on the wire: `null` for a new file.
    #[ts(type = "string | null")]
    pub previous_content: Option<String>,
    pub content: String,
    /// The file being replaced is not text; `previousContent` is then empty.
    #[serde(default)]
    pub previous_binary: bool,
    /// The change as lines, for the card. Absent when the proposal is too large to diff quickly
    /// (`proposal::LARGE_PROPOSAL_BYTES`); the card then shows a summary and the diff editor link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub diff: Option<ProposalDiff>,
}

/// A line diff of a proposal: counts, and hunks with three lines of context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProposalDiff {
    pub added: u32,
    pub removed: u32,
    pub hunks: Vec<DiffHunk>,
    /// Hunks were left out after `proposal::MAX_DIFF_LINES` lines (the counts are complete).
    #[serde(default)]
    pub truncated: bool,
}

/// One hunk: where it starts in the old and new file (1-based) and its lines, each starting with
/// `' '` (context), `'+'` (added) or `'-'` (removed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiffHunk {
    pub old_start: u32,
    pub new_start: u32,
    pub lines: Vec<String>,
}

/// A `bash` call as the card shows it: the exact command, where it runs, and what needs care.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CommandReview {
    pub command: String,
    /// The working directory, workspace-relative (`.` is the workspace root).
    pub cwd: String,
    pub notes: Vec<CommandNote>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CommandNote {
    pub kind: CommandNoteKind,
    /// What exactly, as a phrase: "writes to out.txt (>)", "deletes build/ (rm -rf)".
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CommandNoteKind {
    /// Output redirected into a file (`>`, `>>`, `>|`, `&>`).
    Redirection,
    /// Removes files or their content (`rm`, `rmdir`, `unlink`, `shred`, `truncate`, `find -delete`,
    /// `git clean`, …).
    Deletion,
    /// Runs a command to build an argument (`$(…)`, backquotes, `<(…)`).
    Substitution,
    /// Runs with other privileges (`sudo`, `su`, `doas`).
    Privilege,
    /// Runs code it downloads, or evaluates a string as code (`curl … | sh`, `eval`).
    RemoteCode,
    /// Rewrites or discards git history or work (`git reset --hard`, `git push --force`, …).
    Git,
    /// The command could not be parsed; read it yourself.
    Unparsed,
}
