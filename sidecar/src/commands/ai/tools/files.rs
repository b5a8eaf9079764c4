//! read_file and write_file.
//!
//! read_file numbers lines (`N: line`) so the model can cite and page them, caps what it returns
//! at 50 KB and 2000 characters per line, and lists directories. A file open in an editor is read
//! from the editor (unsaved changes included). write_file proposes the whole new file
//! (`propose_write`); `change::apply` writes it once the user accepted.
//!
//! Both open files beneath the workspace handle (`confine`): a FIFO or device is refused at once,
//! files beyond `MAX_FILE_BYTES` are refused with a pointer to grep, and nothing is written
//! inside a `.git` folder.

use super::change::Change;
use super::{confined, int_arg, path_arg, str_arg, ToolContext, ToolOutcome};
use crate::confine::{RelPath, Root};
use crate::editor::{self, Document};
use crate::workspace::normalize_wire;
use serde_json::Value;

const MAX_OUTPUT_BYTES: usize = 50 * 1024;
const DEFAULT_LIMIT: u64 = 2000;
const MAX_LINE_CHARS: usize = 2000;
const MAX_DIRECTORY_ENTRIES: usize = 1000;
/// Files larger than this are not read whole; paging beyond it is refused.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

pub async fn read_file(context: &ToolContext, args: &Value) -> Result<ToolOutcome, String> {
    let raw = path_arg(args).unwrap_or_else(|| ".".to_string());
    let shown = display_path(&raw);
    let path = RelPath::parse(&raw).map_err(|err| err.message)?;
    let shown_for_read = shown.clone();
    // The editor's text when the file is open there: what the user sees, unsaved changes included.
    let open = if path.is_root() { Document::NotOpen } else { context.editors.read(&path).await? };
    let read = match open {
        Document::Open { text, .. } => Entry::File(text.into_bytes()),
        Document::NotOpen => confined(context, move |root| read_entry(root, &path, &shown_for_read)).await?,
    };
    let bytes = match read {
        Entry::Directory(output) => return Ok(ToolOutcome { path: Some(shown), ..ToolOutcome::ok(output) }),
        Entry::File(bytes) => bytes,
    };
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err(format!("{shown} is a binary file ({} bytes); read_file only shows text", bytes.len()));
    }
    let text = String::from_utf8_lossy(&bytes);
    let offset = int_arg(args, &["offset", "start_line"]).unwrap_or(1).max(1);
    let limit = int_arg(args, &["limit", "max_lines"]).unwrap_or(DEFAULT_LIMIT).max(1);
    let lines: Vec<&str> = text.lines().collect();
    let total = lines.len() as u64;
    if offset > total.max(1) {
        return Err(format!("offset {offset} is past the end of {shown}, which has {total} lines"));
    }
    let mut output = format!("<path>{shown}</path>\n<type>file</type>\n<content>\n");
    let mut last_shown = offset - 1;
    let mut capped = false;
    for (index, line) in lines.iter().enumerate().skip((offset - 1) as usize).take(limit as usize) {
        let number = index as u64 + 1;
        let line = if line.chars().count() > MAX_LINE_CHARS {
            format!("{}… (line cut at {MAX_LINE_CHARS} characters)", line.chars().take(MAX_LINE_CHARS).collect::<String>())
        } else {
            line.to_string()
        };
        if output.len() + line.len() > MAX_OUTPUT_BYTES {
            capped = true;
            break;
        }
        output.push_str(&format!("{number}: {line}\n"));
        last_shown = number;
    }
    output.push_str("</content>\n");
    if last_shown >= total {
        output.push_str(&format!("(End of file - {total} lines)"));
    } else {
        let why = if capped { "Output capped at 50 KB. " } else { "" };
        output.push_str(&format!(
            "({why}Showing lines {offset}-{last_shown} of {total}. Use offset={} to continue.)",
            last_shown + 1
        ));
    }
    Ok(ToolOutcome { path: Some(shown), ..ToolOutcome::ok(output) })
}

enum Entry {
    Directory(String),
    File(Vec<u8>),
}

/// Reads a file, or lists a directory (blocking, beneath the root).
fn read_entry(root: &Root, path: &RelPath, shown: &str) -> Result<Entry, String> {
    let metadata = root.metadata(path).map_err(|err| err.to_tool_message(path, "read"))?;
    if !metadata.is_dir() {
        return root.read_regular(path, MAX_FILE_BYTES).map(Entry::File).map_err(|err| match err {
            crate::confine::FsError::TooLarge { size, .. } => {
                format!("{shown} is {} MB, too large to read; use grep to find the part you need", size / (1024 * 1024))
            }
            other => other.to_tool_message(path, "read"),
        });
    }
    let listed = root.list(path).map_err(|err| err.to_tool_message(path, "list"))?;
    let total = listed.len();
    let entries: Vec<String> = listed
        .into_iter()
        .take(MAX_DIRECTORY_ENTRIES)
        .map(|entry| if entry.is_dir { format!("{}/", entry.name) } else { entry.name })
        .collect();
    let mut output = format!("<path>{shown}</path>\n<type>directory</type>\n<entries>\n{}\n</entries>", entries.join("\n"));
    if total > MAX_DIRECTORY_ENTRIES {
        output.push_str(&format!("\n({total} entries; showing the first {MAX_DIRECTORY_ENTRIES}. Use glob to narrow down.)"));
    } else if total == 0 {
        output = format!("<path>{shown}</path>\n<type>directory</type>\n<entries>\n</entries>\n(empty directory)");
    }
    Ok(Entry::Directory(output))
}

/// write_file's proposal: the file's current text (the editor's when it is open) and the new
/// content. Nothing is written here (see `change::apply`).
pub async fn propose_write(context: &ToolContext, args: &Value) -> Result<Change, String> {
    let raw = path_arg(args).ok_or("Invalid arguments: missing \"path\" (a path relative to the workspace root)")?;
    let content = str_arg(args, &["content", "contents", "text"]).ok_or("Invalid arguments: missing \"content\" (the whole file text)")?;
    let shown = display_path(&raw);
    if shown == "." {
        return Err("Invalid arguments: \"path\" names the workspace root; give a file path".into());
    }
    let path = RelPath::parse(&raw).map_err(|err| err.message)?;
    let checked = path.clone();
    let shown_for_check = shown.clone();
    confined(context, move |root| {
        refuse_git(root, &checked)?;
        if root.metadata(&checked).is_ok_and(|metadata| metadata.is_dir()) {
            return Err(format!("{shown_for_check} is a directory; give a file path"));
        }
        Ok(())
    })
    .await?;
    let root = context.workspace.root().map_err(|err| err.message.clone())?;
    let current = editor::read_current(&context.editors, root, &path).await?;
    Ok(Change { tool: "write_file", path, shown, current, content, note: String::new() })
}

/// The path as reported back: normalized, `/`-separated, `.` for the root.
pub fn display_path(raw: &str) -> String {
    let path = normalize_wire(raw);
    if path.is_empty() {
        ".".to_string()
    } else {
        path
    }
}

/// Refuses a change inside a `.git` folder: git's internals, where hooks run code. No permission
/// mode or allowlist gets past this; repository changes go through git (bash, with permission).
pub fn refuse_git(root: &Root, path: &RelPath) -> Result<(), String> {
    if root.lands_in_git(path) {
        return Err(format!(
            "{} is inside a .git folder (git's internals; hooks there run code), which the agent may not change. Use git commands through bash instead.",
            path.shown()
        ));
    }
    Ok(())
}
