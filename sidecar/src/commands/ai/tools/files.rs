//! read_file and write_file.
//!
//! read_file numbers lines (`N: line`) so the model can cite and page them, caps what it returns
//! at 50 KB and 2000 characters per line, and lists directories. write_file reports the file's
//! previous text so the host can show a diff of what the agent changed.

use super::{int_arg, path_arg, str_arg, ToolContext, ToolOutcome};
use crate::workspace::normalize_wire;
use serde_json::Value;

const MAX_OUTPUT_BYTES: usize = 50 * 1024;
const DEFAULT_LIMIT: u64 = 2000;
const MAX_LINE_CHARS: usize = 2000;
const MAX_DIRECTORY_ENTRIES: usize = 1000;
/// Files larger than this are not read whole; paging beyond it is refused.
const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

pub async fn read_file(context: &ToolContext, args: &Value) -> Result<ToolOutcome, String> {
    let raw = path_arg(args).unwrap_or_else(|| ".".to_string());
    let shown = display_path(&raw);
    let absolute = context.workspace.resolve(&raw).map_err(|err| err.message)?;
    let metadata = tokio::fs::metadata(&absolute).await.map_err(|err| io_message(&shown, err))?;
    if metadata.is_dir() {
        let mut entries = Vec::new();
        let mut reader = tokio::fs::read_dir(&absolute).await.map_err(|err| io_message(&shown, err))?;
        while let Ok(Some(entry)) = reader.next_entry().await {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_dir = entry.file_type().await.map(|t| t.is_dir()).unwrap_or(false);
            entries.push(if is_dir { format!("{name}/") } else { name });
        }
        entries.sort();
        let total = entries.len();
        entries.truncate(MAX_DIRECTORY_ENTRIES);
        let mut output = format!("<path>{shown}</path>\n<type>directory</type>\n<entries>\n{}\n</entries>", entries.join("\n"));
        if total > MAX_DIRECTORY_ENTRIES {
            output.push_str(&format!("\n({total} entries; showing the first {MAX_DIRECTORY_ENTRIES}. Use glob to narrow down.)"));
        } else if total == 0 {
            output = format!("<path>{shown}</path>\n<type>directory</type>\n<entries>\n</entries>\n(empty directory)");
        }
        return Ok(ToolOutcome { path: Some(shown), ..ToolOutcome::ok(output) });
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(format!("{shown} is {} MB, too large to read; use grep to find the part you need", metadata.len() / (1024 * 1024)));
    }
    let bytes = tokio::fs::read(&absolute).await.map_err(|err| io_message(&shown, err))?;
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

pub async fn write_file(context: &ToolContext, args: &Value) -> Result<ToolOutcome, String> {
    let raw = path_arg(args).ok_or("Invalid arguments: missing \"path\" (a path relative to the workspace root)")?;
    let content = str_arg(args, &["content", "contents", "text"]).ok_or("Invalid arguments: missing \"content\" (the whole file text)")?;
    let shown = display_path(&raw);
    if shown == "." {
        return Err("Invalid arguments: \"path\" names the workspace root; give a file path".into());
    }
    let absolute = context.workspace.resolve(&raw).map_err(|err| err.message)?;
    if absolute.is_dir() {
        return Err(format!("{shown} is a directory; give a file path"));
    }
    let previous = match tokio::fs::read(&absolute).await {
        Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => return Err(io_message(&shown, err)),
    };
    if let Some(parent) = absolute.parent() {
        tokio::fs::create_dir_all(parent).await.map_err(|err| io_message(&shown, err))?;
    }
    tokio::fs::write(&absolute, content.as_bytes()).await.map_err(|err| io_message(&shown, err))?;
    let lines = content.lines().count();
    let output = match &previous {
        None => format!("Wrote {shown} (new file, {lines} lines)."),
        Some(old) => format!(
            "Overwrote {shown} ({lines} lines; it had {}). For later changes to this file prefer edit_file.",
            old.lines().count()
        ),
    };
    Ok(ToolOutcome {
        success: true,
        output,
        path: Some(shown),
        content: Some(content),
        previous_content: Some(previous),
    })
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

pub fn io_message(path: &str, err: std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => format!("{path} does not exist (use glob to find files, or write_file to create it)"),
        std::io::ErrorKind::PermissionDenied => format!("{path}: permission denied by the operating system"),
        _ => format!("{path}: {err}"),
    }
}
