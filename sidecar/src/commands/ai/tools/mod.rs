//! The agent's tools: their definitions as the model sees them, and running one call.
//!
//! Every path is workspace-relative and opened beneath the workspace's directory handle
//! (`confine`): absolute paths and `..` are refused by name, symlinks leading outside by the
//! kernel's path resolution. A tool never aborts the agent loop: any fault
//! becomes a failed result whose text tells the model what went wrong, prefixed by the tool's
//! name. In an untrusted workspace the tools that change things (write_file, edit_file, bash)
//! refuse to run. `ask_user`/`ask_user_form` are defined here but answered by the agent through
//! the gate, since they need the user rather than the machine.

pub mod ask;
mod bash;
pub mod change;
mod edit;
mod files;
pub mod media;
mod project;
mod search;
pub mod shell_review;

pub use change::Change;
pub use edit::apply_edit;

use crate::checkpoint::TurnRecorder;
use crate::confine::Root;
use crate::editor::Editors;
use crate::workspace::Workspace;
use serde_json::{json, Value};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How much of a tool's output goes back into the model's history (the event carries all of it).
pub const HISTORY_OUTPUT_LIMIT: usize = 15_000;

/// What a tool needs to run.
#[derive(Clone)]
pub struct ToolContext {
    pub workspace: Workspace,
    pub trusted: bool,
    pub cancel: CancellationToken,
    /// bash's timeout when the call does not set one.
    pub bash_timeout: Duration,
    /// `generate_image` and `web_search`, when they can be offered.
    pub media: media::MediaTools,
    /// VS Code's editors: open files are read from and written to them.
    pub editors: Editors,
    /// Records this turn's changes so they can be undone (absent: not recorded).
    pub checkpoint: Option<Arc<TurnRecorder>>,
}

impl ToolContext {
    /// The tools of `session`'s workspace with the default bash timeout, and no media tools.
    pub fn for_session(session: &crate::context::Session, cancel: CancellationToken) -> Self {
        ToolContext {
            workspace: session.workspace.clone(),
            trusted: session.granted.workspace_trusted(),
            cancel,
            bash_timeout: Duration::from_secs(30),
            media: Default::default(),
            editors: session.editors.clone(),
            checkpoint: None,
        }
    }
}

/// The result of one call, as the ToolResult event reports it.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ToolOutcome {
    pub success: bool,
    pub output: String,
    pub path: Option<String>,
    pub content: Option<String>,
    pub previous_content: Option<Option<String>>,
}

impl ToolOutcome {
    pub fn ok(output: impl Into<String>) -> Self {
        ToolOutcome { success: true, output: output.into(), ..Default::default() }
    }
    pub fn fail(output: impl Into<String>) -> Self {
        ToolOutcome { success: false, output: output.into(), ..Default::default() }
    }
}

/// Tools that change the workspace or the machine: refused in an untrusted workspace.
pub fn changes_things(tool: &str) -> bool {
    matches!(tool, "write_file" | "edit_file" | "bash" | "generate_image") || project::changes_things(tool)
}

/// True for a call no permission can allow: a change in an untrusted workspace, or a write
/// inside a `.git` folder. The tool refuses such calls itself too; this keeps them from being
/// presented for approval first.
pub fn never_allowed(context: &ToolContext, tool: &str, args: &Value) -> bool {
    if changes_things(tool) && !context.trusted {
        return true;
    }
    if !matches!(tool, "write_file" | "edit_file") {
        return false;
    }
    let Some(path) = path_arg(args).and_then(|raw| crate::confine::RelPath::parse(&raw).ok()) else { return false };
    context.workspace.root().is_ok_and(|root| root.lands_in_git(&path))
}

pub fn is_known(tool: &str) -> bool {
    definitions().iter().any(|definition| definition["name"] == tool)
}

/// True when `tool` is one this stream offers (the fixed tools, plus the media tools it can use).
pub fn is_offered(context: &ToolContext, tool: &str) -> bool {
    is_known(tool) || context.media.offers(tool)
}

/// The definitions a stream offers the model.
pub fn offered(context: &ToolContext) -> Vec<Value> {
    definitions().iter().cloned().chain(context.media.definitions()).collect()
}

/// Runs one call of a machine tool (not ask_user / ask_user_form).
pub async fn run(context: &ToolContext, tool: &str, args: &Value) -> ToolOutcome {
    if changes_things(tool) && !context.trusted {
        return untrusted(tool);
    }
    if let Some(change) = propose(context, tool, args).await {
        return match change {
            Ok(change) => change::apply(context, change, None).await,
            Err(failure) => failure,
        };
    }
    let outcome = match tool {
        "read_file" => files::read_file(context, args).await,
        "glob" => search::glob(context, args).await,
        "grep" => search::grep(context, args).await,
        "bash" => bash::bash(context, args).await,
        "generate_image" if context.media.offers(tool) => media::generate_image(context, args).await,
        "web_search" if context.media.offers(tool) => media::web_search(context, args).await,
        other if project::is_project_tool(other) => project::run(context, other, args).await,
        other => Err(format!(
            "Invalid arguments: unknown tool '{other}'. The tools are: {}.",
            definitions().iter().filter_map(|d| d["name"].as_str()).collect::<Vec<_>>().join(", ")
        )),
    };
    outcome.unwrap_or_else(|message| ToolOutcome::fail(format!("{tool}: {message}")))
}

/// For write_file and edit_file: the change the call would make, worked out from the file's
/// current text without writing anything (`None` for other tools). A call that cannot apply
/// (a missing file, an old_string not found, a path in `.git`) fails here, before anyone is asked.
pub async fn propose(context: &ToolContext, tool: &str, args: &Value) -> Option<Result<Change, ToolOutcome>> {
    if !matches!(tool, "write_file" | "edit_file") {
        return None;
    }
    if !context.trusted {
        return Some(Err(untrusted(tool)));
    }
    let proposed = if tool == "write_file" { files::propose_write(context, args).await } else { edit::propose_edit(context, args).await };
    Some(proposed.map_err(|message| ToolOutcome::fail(format!("{tool}: {message}"))))
}

fn untrusted(tool: &str) -> ToolOutcome {
    ToolOutcome::fail(format!(
        "{tool}: not available in an untrusted workspace — the user must trust this folder (command \"Workspaces: Manage Workspace Trust\") before the agent may change files or run commands. You can still read files."
    ))
}

/// Runs blocking file work beneath the workspace root on tokio's blocking pool. The agent stops
/// waiting for it when the user stops the stream; the work itself is bounded (regular files only,
/// size limits), so the thread is never left blocked.
pub async fn confined<T: Send + 'static>(
    context: &ToolContext,
    work: impl FnOnce(&Root) -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let root = context.workspace.root().map_err(|err| err.message.clone())?.clone();
    tokio::task::spawn_blocking(move || work(&root)).await.map_err(|err| format!("the file operation failed unexpectedly ({err})"))?
}

/// The output as it goes into the model's history: cut at `HISTORY_OUTPUT_LIMIT` characters.
pub fn history_text(output: &str) -> String {
    let total = output.chars().count();
    if total <= HISTORY_OUTPUT_LIMIT {
        return output.to_string();
    }
    let kept: String = output.chars().take(HISTORY_OUTPUT_LIMIT).collect();
    format!("{kept}\n... (output truncated, {total} characters total)")
}

/// A sentence saying what a gated call will do, for the permission card.
pub fn reason(workspace: &Workspace, tool: &str, args: &Value) -> String {
    let path = path_arg(args).unwrap_or_default();
    match tool {
        "write_file" => {
            let exists = crate::confine::RelPath::parse(&path)
                .ok()
                .zip(workspace.root().ok())
                .is_some_and(|(relative, root)| root.symlink_metadata(&relative).is_ok());
            if exists {
                format!("overwrites {path}")
            } else {
                format!("writes {path} (new file)")
            }
        }
        "edit_file" => format!("edits {path}"),
        "read_file" => format!("reads {}", if path.is_empty() { "the workspace folder" } else { &path }),
        "bash" => "runs a shell command in the workspace folder".to_string(),
        "glob" => format!("lists files matching {}", str_arg(args, &["pattern"]).unwrap_or_default()),
        "grep" => format!("searches files for {}", str_arg(args, &["pattern"]).unwrap_or_default()),
        other if project::is_project_tool(other) => project::reason(other, args),
        other => media::MediaTools::reason(other, args).unwrap_or_else(|| format!("runs {other}")),
    }
}

/// For bash: the command as the permission card shows it, with what needs care.
pub fn review_command(args: &Value) -> Option<crate::protocol::review::CommandReview> {
    let command = str_arg(args, &["command", "cmd", "script"])?;
    Some(shell_review::review(&command, "."))
}

/// The first string argument found under any of `names` (models vary: `path`, `file_path`, …).
pub fn str_arg(args: &Value, names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| args.get(*name).and_then(Value::as_str)).map(str::to_string)
}

pub fn path_arg(args: &Value) -> Option<String> {
    str_arg(args, &["path", "file_path", "filePath", "file", "filename"])
}

/// A non-negative integer argument, accepting numbers and numeric strings.
pub fn int_arg(args: &Value, names: &[&str]) -> Option<u64> {
    names.iter().find_map(|name| match args.get(*name)? {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

pub fn bool_arg(args: &Value, names: &[&str]) -> bool {
    names.iter().any(|name| match args.get(*name) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    })
}

/// The tool definitions `{name, description, parameters}` (JSON Schema); each provider wraps them
/// in its own format.
pub fn definitions() -> &'static [Value] {
    static DEFINITIONS: OnceLock<Vec<Value>> = OnceLock::new();
    DEFINITIONS.get_or_init(|| {
        let string = |description: &str| json!({ "type": "string", "description": description });
        let integer = |description: &str| json!({ "type": "integer", "description": description });
        vec![
            json!({
                "name": "read_file",
                "description": "Read a text file from the workspace, with line numbers (`N: line`). For a directory, list its entries. Long files: use offset and limit to page. Output is capped at 50 KB.",
                "parameters": { "type": "object", "properties": {
                    "path": string("Path relative to the workspace root, e.g. src/app.ts. Use . for the root."),
                    "offset": integer("First line to show, 1-based (default 1)."),
                    "limit": integer("How many lines to show (default 2000)."),
                }, "required": ["path"] },
            }),
            json!({
                "name": "write_file",
                "description": "Create a file, or replace a file's whole content. Parent folders are created. For changes to an existing file prefer edit_file.",
                "parameters": { "type": "object", "properties": {
                    "path": string("Path relative to the workspace root."),
                    "content": string("The complete file content, exactly as it should be saved (no markdown fences)."),
                }, "required": ["path", "content"] },
            }),
            json!({
                "name": "edit_file",
                "description": "Replace text in an existing file. old_string must match the file's text (copy it from read_file, without the line-number prefixes) and be unique unless replace_all is true; small whitespace and indentation differences are tolerated.",
                "parameters": { "type": "object", "properties": {
                    "path": string("Path relative to the workspace root."),
                    "old_string": string("The text to replace, with enough surrounding lines to be unique."),
                    "new_string": string("The replacement text."),
                    "replace_all": { "type": "boolean", "description": "Replace every occurrence (default false)." },
                }, "required": ["path", "old_string", "new_string"] },
            }),
            json!({
                "name": "glob",
                "description": "Find files by glob pattern (e.g. **/*.ts, src/**/test_*.py). Skips .git, node_modules and git-ignored files. Returns workspace-relative paths.",
                "parameters": { "type": "object", "properties": {
                    "pattern": string("Glob pattern, matched against paths relative to `path`."),
                    "path": string("Folder to search in, relative to the workspace root (default: the root)."),
                }, "required": ["pattern"] },
            }),
            json!({
                "name": "grep",
                "description": "Search file contents with a regular expression (Rust regex syntax; (?i) for case-insensitive). Returns `path:line: text` for each match. Skips .git, node_modules, git-ignored and binary files.",
                "parameters": { "type": "object", "properties": {
                    "pattern": string("Regular expression."),
                    "path": string("Folder or file to search, relative to the workspace root (default: the root)."),
                    "include": string("Only search files matching this glob, e.g. *.ts."),
                }, "required": ["pattern"] },
            }),
            json!({
                "name": "bash",
                "description": "Run a shell command (sh -c) in the workspace root and return its output and exit code. Non-interactive; stopped after the timeout (default 30 s). Processes it leaves in the background are stopped when it ends.",
                "parameters": { "type": "object", "properties": {
                    "command": string("The command line."),
                    "timeout": integer("Timeout in seconds (default 30, at most 600)."),
                }, "required": ["command"] },
            }),
            json!({
                "name": "ask_user",
                "description": "Ask the user one question and wait for the answer. Use it when a requirement is unclear instead of guessing.",
                "parameters": { "type": "object", "properties": {
                    "question": string("The question."),
                    "question_type": { "type": "string", "enum": ["text", "choice", "confirm"], "description": "text: free answer; choice: pick one of choices; confirm: yes/no." },
                    "choices": { "type": "array", "items": { "type": "string" }, "description": "The options for question_type choice." },
                }, "required": ["question"] },
            }),
            json!({
                "name": "ask_user_form",
                "description": "Ask the user several questions at once as a form. Returns a JSON object mapping each field id to the answer (a list for multiselect).",
                "parameters": { "type": "object", "properties": {
                    "title": string("The form's title."),
                    "fields": { "type": "array", "items": { "type": "object", "properties": {
                        "id": string("Key of the answer."),
                        "label": string("The question."),
                        "field_type": { "type": "string", "enum": ["text", "choice", "multiselect", "confirm"] },
                        "choices": { "type": "array", "items": { "type": "string" } },
                        "placeholder": string("Hint shown in an empty text field."),
                        "required": { "type": "boolean", "description": "Default true." },
                    }, "required": ["id", "label", "field_type"] } },
                }, "required": ["title", "fields"] },
            }),
        ]
        .into_iter()
        .chain(project::definitions())
        .collect()
    })
}

/// The system prompt added when tools are on and the conversation has none.
pub fn system_prompt(workspace: &Workspace, trusted: bool) -> String {
    let folder = workspace
        .folder_name()
        .map(|name| format!("the workspace folder \"{name}\""))
        .unwrap_or_else(|| "the user's workspace (no folder is open, so file tools will fail)".to_string());
    let mut prompt = format!(
        "You are Prototyper, a coding agent inside the user's editor, working in {folder}.\n\
         Tools:\n\
         - read_file: read a file with line numbers, or list a folder.\n\
         - glob / grep: find files by name pattern / search their contents with a regex.\n\
         - edit_file: change part of an existing file (old_string → new_string).\n\
         - write_file: create a file or replace its whole content.\n\
         - bash: run a shell command in the workspace root.\n\
         - ask_user / ask_user_form: ask the user when something is unclear.\n\
         - run_tsc / run_lint / run_build: check the project with its own toolchain; register_screen, set_active_theme, validate_design_json: pages, themes and design files of a scaffolded project.\n\
         Rules: paths are relative to the workspace root (never absolute, never ..). Read a file before you edit it. \
         Prefer edit_file for changes to existing files. The user may be asked to approve writes and commands; \
         if a call is rejected, do not retry it unchanged. Keep answers short and say what you changed."
    );
    if !trusted {
        prompt.push_str("\nThis workspace is not trusted: write_file, edit_file and bash will fail. You can read and suggest changes.");
    }
    prompt
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_output_is_capped_but_says_so() {
        let long = "x".repeat(HISTORY_OUTPUT_LIMIT + 10);
        let text = history_text(&long);
        assert!(text.ends_with(&format!("(output truncated, {} characters total)", HISTORY_OUTPUT_LIMIT + 10)));
        assert_eq!(history_text("short"), "short");
    }

    #[test]
    fn arguments_are_read_leniently() {
        let args = json!({"file_path": "a.rs", "offset": "3", "replace_all": "true"});
        assert_eq!(path_arg(&args).as_deref(), Some("a.rs"));
        assert_eq!(int_arg(&args, &["offset"]), Some(3));
        assert!(bool_arg(&args, &["replace_all"]));
    }

    #[tokio::test]
    async fn untrusted_workspaces_refuse_changes() {
        let context = ToolContext {
            workspace: Workspace::new(None),
            trusted: false,
            cancel: CancellationToken::new(),
            bash_timeout: Duration::from_secs(1),
            editors: Editors::none(),
            checkpoint: None,
            media: Default::default(),
        };
        let outcome = run(&context, "bash", &json!({"command": "true"})).await;
        assert!(!outcome.success && outcome.output.contains("untrusted"), "{}", outcome.output);
        let outcome = run(&context, "nope", &json!({})).await;
        assert!(outcome.output.contains("unknown tool 'nope'"));
    }
}
