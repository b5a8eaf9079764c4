//! write_file and edit_file as proposals. A call first works out the whole file it would write
//! (`Change`, made by `files::propose_write` / `edit::propose_edit` from the file's current text:
//! the editor's when the file is open), which the permission card shows (`Change::proposal`).
//! Only then, after the user accepted (maybe after editing the proposal), is it written
//! (`apply`): through the editor when the file is open, else beneath the workspace handle, and
//! only if the file still holds the text the proposal was made from.
//!
//! The turn's checkpoint records the file's content right before the write, so the change can be
//! undone; a write that is then refused takes its record back.

use super::{ToolContext, ToolOutcome};
use crate::confine::RelPath;
use crate::editor::{self, Current, Written};
use crate::protocol::review::Proposal;
use crate::textdiff;

/// Proposals larger than this (either side) get no inline diff: the card shows a summary and the
/// diff editor link. Diffing them could take long, and so could rendering the result.
pub const LARGE_PROPOSAL_BYTES: usize = 1024 * 1024;
/// The card's diff stops after this many lines (the counts stay complete).
pub const MAX_DIFF_LINES: usize = 2000;

/// A file change worked out but not made.
#[derive(Debug, Clone)]
pub struct Change {
    pub tool: &'static str,
    pub path: RelPath,
    /// The path as reported back.
    pub shown: String,
    /// The file when the proposal was made: the editor's text, or the disk's bytes.
    pub current: Current,
    /// The new whole content.
    pub content: String,
    /// How an edit matched (for the result), empty for write_file.
    pub note: String,
}

impl Change {
    /// The file's text now, `None` when it does not exist; empty (and `true`) when it is not text.
    fn previous(&self) -> (Option<String>, bool) {
        match self.current.bytes() {
            None => (None, false),
            Some(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => (Some(text.to_string()), false),
                Err(_) => (Some(String::new()), true),
            },
        }
    }

    /// What the permission card shows.
    pub fn proposal(&self) -> Proposal {
        let (previous_content, previous_binary) = self.previous();
        let old = previous_content.as_deref().unwrap_or("");
        let small = old.len() <= LARGE_PROPOSAL_BYTES && self.content.len() <= LARGE_PROPOSAL_BYTES;
        let diff = (small && !previous_binary).then(|| textdiff::hunks(old, &self.content, MAX_DIFF_LINES));
        Proposal { path: self.shown.clone(), previous_content, content: self.content.clone(), previous_binary, diff }
    }
}

/// Writes `change` (or `accepted`, the user's edited version of it) if the file still holds what
/// the proposal was made from.
pub async fn apply(context: &ToolContext, change: Change, accepted: Option<String>) -> ToolOutcome {
    let tool = change.tool;
    match write(context, &change, accepted).await {
        Ok(outcome) => outcome,
        Err(message) => ToolOutcome::fail(format!("{tool}: {message}")),
    }
}

async fn write(context: &ToolContext, change: &Change, accepted: Option<String>) -> Result<ToolOutcome, String> {
    let root = context.workspace.root().map_err(|err| err.message.clone())?.clone();
    let edited = accepted.as_ref().is_some_and(|text| *text != change.content);
    let final_text = if edited { accepted.unwrap_or_default() } else { change.content.clone() };
    let before = change.current.bytes().map(<[u8]>::to_vec);
    record(context, &change.path, before.clone(), Some(final_text.clone().into_bytes())).await?;
    let written = editor::replace_checked(
        &context.editors,
        &root,
        &change.path,
        &change.current.expected(),
        change.current.version(),
        Some(final_text.as_bytes()),
    )
    .await;
    let written = match written {
        Ok(written) => written,
        Err(conflict) => {
            // Nothing changed: take the record back (after == before drops it).
            let _ = record(context, &change.path, before.clone(), before).await;
            let advice = match conflict {
                editor::Conflict::Failed(_) => "",
                _ => " Read the file again (read_file) and propose the change anew.",
            };
            return Err(format!("{}.{advice}", conflict.describe(&change.shown)));
        }
    };
    let (previous, _) = change.previous();
    let shown = &change.shown;
    let lines = textdiff::line_count(&final_text);
    let mut output = match (change.tool, &previous) {
        ("edit_file", _) => format!("Edit applied successfully{}.", change.note),
        (_, None) => format!("Wrote {shown} (new file, {lines} lines)."),
        (_, Some(old)) => format!(
            "Overwrote {shown} ({lines} lines; it had {}). For later changes to this file prefer edit_file.",
            textdiff::line_count(old)
        ),
    };
    if written == Written::Editor {
        output.push_str(&format!(" {shown} is open in the editor: the change is there, not saved."));
    }
    if edited {
        output.push_str(&format!(
            "\n\nThe user edited your proposal before accepting it, so {shown} now differs from what you proposed. This is what they changed (your proposal → the file now):\n```diff\n{}```\nBuild on their version from now on.",
            textdiff::unified(&change.content, &final_text, "proposed", "accepted")
        ));
    }
    Ok(ToolOutcome { success: true, output, path: Some(shown.clone()), content: Some(final_text), previous_content: Some(previous) })
}

/// Records the change in the turn's checkpoint (when the turn has one). A checkpoint that cannot
/// be written stops the change: an edit that could not be undone is not made.
async fn record(context: &ToolContext, path: &RelPath, before: Option<Vec<u8>>, after: Option<Vec<u8>>) -> Result<(), String> {
    let Some(recorder) = context.checkpoint.clone() else { return Ok(()) };
    let path = path.clone();
    tokio::task::spawn_blocking(move || recorder.record_change(&path, before.as_deref(), after.as_deref(), false))
        .await
        .map_err(|err| format!("the checkpoint could not be written ({err})"))?
        .map_err(|reason| format!("nothing was written because the change could not be recorded for undo ({reason})"))
}
