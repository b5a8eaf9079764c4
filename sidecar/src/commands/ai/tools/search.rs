//! glob and grep over the workspace: `confine::walk` enumerates files (honouring .gitignore, also
//! outside git repositories, and always skipping .git and node_modules) without following links,
//! and re-checks every name beneath the workspace handle; grep reads each file through that
//! handle. A walk cannot leave the workspace or report anything outside it. Walks run on the
//! blocking pool.

use super::files::display_path;
use super::{confined, str_arg, ToolContext, ToolOutcome};
use crate::confine::{walk, RelPath, Root};
use globset::{Glob, GlobBuilder, GlobMatcher};
use regex::Regex;
use serde_json::Value;
use std::ops::ControlFlow;
use std::path::Path;
use tokio_util::sync::CancellationToken;

const MAX_GLOB_RESULTS: usize = 1000;
const MAX_GREP_MATCHES: usize = 500;
const MAX_GREP_LINE_CHARS: usize = 300;
/// Larger files are skipped by grep: they are data, not code.
const MAX_GREP_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// The optional `path` argument: the folder (or file) to search, beneath the root.
fn base_of(args: &Value) -> Result<RelPath, String> {
    let raw = str_arg(args, &["path", "dir", "directory"]).unwrap_or_default();
    RelPath::parse(&raw).map_err(|err| err.message)
}

/// `path` relative to `base` (for matching patterns written relative to the searched folder).
fn under<'a>(base: &RelPath, path: &'a RelPath) -> &'a Path {
    path.as_path().strip_prefix(base.as_path()).unwrap_or(path.as_path())
}

fn missing_base(base: &RelPath, err: crate::confine::FsError) -> String {
    if err.is_not_found() {
        format!("{} does not exist", display_path(base.wire()))
    } else {
        err.to_tool_message(base, "search")
    }
}

fn matcher(pattern: &str) -> Result<GlobMatcher, String> {
    GlobBuilder::new(pattern)
        .literal_separator(false)
        .build()
        .map(|glob| glob.compile_matcher())
        .map_err(|err| format!("Invalid arguments: bad glob pattern {pattern:?} ({err})"))
}

pub async fn glob(context: &ToolContext, args: &Value) -> Result<ToolOutcome, String> {
    let pattern = str_arg(args, &["pattern", "glob"]).ok_or("Invalid arguments: missing \"pattern\" (e.g. **/*.ts)")?;
    let base = base_of(args)?;
    // A leading "./" or "/" would never match a relative path.
    let cleaned = pattern.trim_start_matches("./").trim_start_matches('/').to_string();
    let glob = matcher(&cleaned)?;
    let cancel = context.cancel.clone();
    let found = confined(context, move |root| {
        let mut found = Vec::new();
        walk::regular_files(root, &base, |path, _| {
            if cancel.is_cancelled() {
                return ControlFlow::Break(()); // the agent stopped waiting: stop working too
            }
            if glob.is_match(under(&base, path)) {
                found.push(path.wire().to_string());
            }
            ControlFlow::Continue(())
        })
        .map_err(|err| missing_base(&base, err))?;
        found.sort();
        Ok(found)
    })
    .await?;
    if found.is_empty() {
        return Ok(ToolOutcome::ok("(no files matched)"));
    }
    let total = found.len();
    let mut output = found.into_iter().take(MAX_GLOB_RESULTS).collect::<Vec<_>>().join("\n");
    if total > MAX_GLOB_RESULTS {
        output.push_str(&format!("\n({total} files matched; showing the first {MAX_GLOB_RESULTS}. Use a narrower pattern.)"));
    }
    Ok(ToolOutcome::ok(output))
}

pub async fn grep(context: &ToolContext, args: &Value) -> Result<ToolOutcome, String> {
    let pattern = str_arg(args, &["pattern", "regex", "query"]).ok_or("Invalid arguments: missing \"pattern\" (a regular expression)")?;
    let regex = Regex::new(&pattern).map_err(|err| format!("Invalid arguments: bad regular expression ({err})"))?;
    let include = match str_arg(args, &["include", "glob"]) {
        Some(include) => Some(Glob::new(&include).map_err(|err| format!("Invalid arguments: bad include glob ({err})"))?.compile_matcher()),
        None => None,
    };
    let base = base_of(args)?;
    let cancel = context.cancel.clone();
    let (lines, total) = confined(context, move |root| {
        let mut lines = Vec::new();
        let mut total = 0usize;
        walk::regular_files(root, &base, |path, metadata| {
            if cancel.is_cancelled() {
                return ControlFlow::Break(()); // the agent stopped waiting: stop working too
            }
            if let Some(include) = &include {
                let name_matches = path.file_name().is_some_and(|name| include.is_match(name));
                if !name_matches && !include.is_match(under(&base, path)) {
                    return ControlFlow::Continue(());
                }
            }
            if metadata.len() > MAX_GREP_FILE_BYTES {
                return ControlFlow::Continue(());
            }
            search_file(root, path, &regex, &cancel, &mut lines, &mut total);
            ControlFlow::Continue(())
        })
        .map_err(|err| missing_base(&base, err))?;
        Ok((lines, total))
    })
    .await?;
    if lines.is_empty() {
        return Ok(ToolOutcome::ok("(no matches found)"));
    }
    let mut output = lines.join("\n");
    if total > MAX_GREP_MATCHES {
        output.push_str(&format!("\n({total} matches; showing the first {MAX_GREP_MATCHES}. Narrow the pattern or the path.)"));
    }
    Ok(ToolOutcome::ok(output))
}

/// Adds `path`'s matching lines (read beneath the root; binary files skipped) to `lines`.
fn search_file(root: &Root, path: &RelPath, regex: &Regex, cancel: &CancellationToken, lines: &mut Vec<String>, total: &mut usize) {
    let Ok(bytes) = root.read_regular(path, MAX_GREP_FILE_BYTES) else { return };
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return; // binary
    }
    let text = String::from_utf8_lossy(&bytes);
    for (number, line) in text.lines().enumerate() {
        if cancel.is_cancelled() {
            return;
        }
        if regex.is_match(line) {
            *total += 1;
            if lines.len() < MAX_GREP_MATCHES {
                let line: String = line.trim_end().chars().take(MAX_GREP_LINE_CHARS).collect();
                lines.push(format!("{}:{}: {line}", path.wire(), number + 1));
            }
        }
    }
}
