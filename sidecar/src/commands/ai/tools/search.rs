//! glob and grep over the workspace with the `ignore` walker: .gitignore is honoured (also outside
//! git repositories), .git and node_modules are always skipped, and symlinks are not followed, so
//! a walk cannot leave the workspace. Walks run on the blocking pool.

use super::files::display_path;
use super::{str_arg, ToolContext, ToolOutcome};
use globset::{Glob, GlobBuilder, GlobMatcher};
use ignore::WalkBuilder;
use regex::Regex;
use serde_json::Value;
use std::path::{Path, PathBuf};

const MAX_GLOB_RESULTS: usize = 1000;
const MAX_GREP_MATCHES: usize = 500;
const MAX_GREP_LINE_CHARS: usize = 300;
/// Larger files are skipped by grep: they are data, not code.
const MAX_GREP_FILE_BYTES: u64 = 2 * 1024 * 1024;

fn walker(base: &Path) -> ignore::Walk {
    WalkBuilder::new(base)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| {
            let name = entry.file_name();
            name != ".git" && name != "node_modules"
        })
        .build()
}

/// Resolves the optional `path` argument to (absolute base, workspace root).
fn base_of(context: &ToolContext, args: &Value) -> Result<(PathBuf, PathBuf), String> {
    let raw = str_arg(args, &["path", "dir", "directory"]).unwrap_or_default();
    let base = context.workspace.resolve(&raw).map_err(|err| err.message)?;
    let root = context.workspace.canonical_root().map_err(|err| err.message)?;
    if !base.exists() {
        return Err(format!("{} does not exist", display_path(&raw)));
    }
    Ok((base, root))
}

fn relative(root: &Path, path: &Path) -> String {
    crate::workspace::to_wire(path.strip_prefix(root).unwrap_or(path))
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
    let (base, root) = base_of(context, args)?;
    // A leading "./" or "/" would never match a relative path.
    let cleaned = pattern.trim_start_matches("./").trim_start_matches('/').to_string();
    let glob = matcher(&cleaned)?;
    let found = tokio::task::spawn_blocking(move || {
        let mut found = Vec::new();
        for entry in walker(&base).flatten() {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let from_base = entry.path().strip_prefix(&base).unwrap_or(entry.path());
            if glob.is_match(from_base) {
                found.push(relative(&root, entry.path()));
            }
        }
        found.sort();
        found
    })
    .await
    .map_err(|err| format!("the search failed: {err}"))?;
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
    let (base, root) = base_of(context, args)?;
    let (lines, total) = tokio::task::spawn_blocking(move || {
        let mut lines = Vec::new();
        let mut total = 0usize;
        for entry in walker(&base).flatten() {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let path = entry.path();
            if let Some(include) = &include {
                let name_matches = path.file_name().is_some_and(|name| include.is_match(name));
                if !name_matches && !include.is_match(path.strip_prefix(&base).unwrap_or(path)) {
                    continue;
                }
            }
            if entry.metadata().map(|m| m.len() > MAX_GREP_FILE_BYTES).unwrap_or(true) {
                continue;
            }
            let Ok(bytes) = std::fs::read(path) else { continue };
            if bytes.iter().take(8192).any(|&b| b == 0) {
                continue; // binary
            }
            let text = String::from_utf8_lossy(&bytes);
            let shown = relative(&root, path);
            for (number, line) in text.lines().enumerate() {
                if regex.is_match(line) {
                    total += 1;
                    if lines.len() < MAX_GREP_MATCHES {
                        let line: String = line.trim_end().chars().take(MAX_GREP_LINE_CHARS).collect();
                        lines.push(format!("{shown}:{}: {line}", number + 1));
                    }
                }
            }
        }
        (lines, total)
    })
    .await
    .map_err(|err| format!("the search failed: {err}"))?;
    if lines.is_empty() {
        return Ok(ToolOutcome::ok("(no matches found)"));
    }
    let mut output = lines.join("\n");
    if total > MAX_GREP_MATCHES {
        output.push_str(&format!("\n({total} matches; showing the first {MAX_GREP_MATCHES}. Narrow the pattern or the path.)"));
    }
    Ok(ToolOutcome::ok(output))
}
