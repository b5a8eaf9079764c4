//! run_tsc, run_lint and run_build: the project's own TypeScript compiler, ESLint and build
//! script, run through the bash tool's runner (working directory from the workspace handle, its
//! own process group, killed on timeout or stop) with the project's package manager (its
//! lockfile's, else bun when installed, else npm). The output is cut to its first and last parts,
//! and the exit code decides success.

use super::super::{bash::bash, path_arg, ToolContext, ToolOutcome};
use crate::commands::process::package_manager::{self, Manager};
use crate::confine::RelPath;
use crate::protocol::rpc::PackageManager;
use serde_json::{json, Value};

/// How long one check may run (builds of a fresh project on a busy machine take a while).
const TIMEOUT_SECONDS: u64 = 180;
/// Output kept: the first part (where the first errors are) and the last (the summary).
const HEAD_CHARS: usize = 20_000;
const TAIL_CHARS: usize = 4_000;

/// The project's package manager, or why there is none to use.
async fn manager(context: &ToolContext) -> Result<Manager, String> {
    let root = context.workspace.root().map_err(|err| err.message.clone())?.clone();
    let ready = tokio::task::spawn_blocking(move || {
        let has_package = root.symlink_metadata(&RelPath::parse("package.json").expect("a plain name")).is_ok();
        (has_package, package_manager::from_lockfile(&root, &RelPath::root()))
    })
    .await
    .map_err(|err| format!("the project check failed unexpectedly ({err})"))?;
    let (has_package, lockfile) = ready;
    if !has_package {
        return Err("the workspace root has no package.json, so there is no project toolchain to run".into());
    }
    package_manager::resolve(PackageManager::Auto, lockfile).map(|(manager, _)| manager).map_err(|err| err.message)
}

/// A path argument checked for the command line: relative, inside the workspace, shell-quoted.
fn quoted_path(raw: &str) -> Result<(String, String), String> {
    let path = RelPath::parse(raw).map_err(|err| err.message)?;
    let shown = if path.is_root() { ".".to_string() } else { path.wire().to_string() };
    let quoted = shlex::try_quote(&shown).map_err(|_| format!("Invalid arguments: '{raw}' cannot be passed to a command"))?.into_owned();
    Ok((shown, quoted))
}

/// Runs `words` (already quoted) and turns the result into the check's outcome.
async fn run_check(context: &ToolContext, words: Vec<String>, keep_line: impl Fn(&str) -> bool) -> Result<ToolOutcome, String> {
    let command_line = words.join(" ");
    let outcome = bash(context, &json!({ "command": command_line, "timeout": TIMEOUT_SECONDS })).await?;
    // bash appends "Exit code: N" when the command failed; the check always says it.
    let (body, exit_line) = match outcome.output.rsplit_once("\n\nExit code: ") {
        Some((body, code)) => (body.to_string(), format!("Exit code: {code}")),
        None if outcome.output.starts_with("Exit code: ") => (String::new(), outcome.output.clone()),
        None if outcome.success => (outcome.output.clone(), "Exit code: 0".to_string()),
        None => (outcome.output.clone(), String::new()),
    };
    let body = if body == "(no output)" { String::new() } else { body };
    let kept: Vec<&str> = body.lines().filter(|line| keep_line(line)).collect();
    let mut output = format!("$ {command_line}\n{}", cut(&kept.join("\n")));
    if !exit_line.is_empty() {
        output.push_str(&format!("\n{exit_line}"));
    }
    Ok(ToolOutcome { success: outcome.success, output, ..Default::default() })
}

/// `text` if short, else its head and tail with what was left out said in between.
fn cut(text: &str) -> String {
    let total = text.chars().count();
    if total <= HEAD_CHARS + TAIL_CHARS {
        return text.to_string();
    }
    let head: String = text.chars().take(HEAD_CHARS).collect();
    let tail: String = text.chars().skip(total - TAIL_CHARS).collect();
    format!("{head}\n... ({} characters of output left out) ...\n{tail}", total - HEAD_CHARS - TAIL_CHARS)
}

fn exec_words(manager: Manager, bin: &str, args: &[String]) -> Vec<String> {
    let (program, args) = manager.exec(bin, args);
    std::iter::once(program.to_string()).chain(args).collect()
}

pub async fn run_tsc(context: &ToolContext, args: &Value) -> Result<ToolOutcome, String> {
    let filter = path_arg(args).filter(|path| !path.trim().is_empty()).map(|raw| quoted_path(&raw)).transpose()?.map(|(shown, _)| shown);
    let manager = manager(context).await?;
    let root = context.workspace.root().map_err(|err| err.message.clone())?.clone();
    // A Vite project keeps its app settings in tsconfig.app.json (tsconfig.json only refers to it).
    let project = tokio::task::spawn_blocking(move || {
        ["tsconfig.app.json", "tsconfig.json"].into_iter().find(|name| root.symlink_metadata(&RelPath::parse(name).expect("a plain name")).is_ok())
    })
    .await
    .map_err(|err| format!("the project check failed unexpectedly ({err})"))?
    .ok_or("the project has no tsconfig.json (nor tsconfig.app.json); there is nothing to type-check")?;
    let words = exec_words(manager, "tsc", &["--noEmit".to_string(), "-p".to_string(), project.to_string()]);
    run_check(context, words, |line| match &filter {
        // tsc names files as `src/a.tsx(3,5): error …`; keep that file's lines and the totals.
        Some(path) => line.starts_with(path.as_str()) || line.starts_with("Found ") || line.starts_with("  "),
        None => true,
    })
    .await
}

pub async fn run_lint(context: &ToolContext, args: &Value) -> Result<ToolOutcome, String> {
    let raw = path_arg(args).filter(|path| !path.trim().is_empty()).unwrap_or_else(|| ".".to_string());
    let (_, quoted) = quoted_path(&raw)?;
    let manager = manager(context).await?;
    run_check(context, exec_words(manager, "eslint", &[quoted]), |_| true).await
}

pub async fn run_build(context: &ToolContext) -> Result<ToolOutcome, String> {
    let manager = manager(context).await?;
    let words = std::iter::once(manager.program().to_string()).chain(manager.run_script("build", &[])).collect();
    run_check(context, words, |_| true).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_output_keeps_its_head_and_tail() {
        let text: String = (0..10_000).map(|n| format!("line {n}\n")).collect();
        let out = cut(&text);
        assert!(out.starts_with("line 0\n") && out.trim_end().ends_with("line 9999") && out.contains("characters of output left out"));
        assert_eq!(cut("short"), "short");
    }

    #[test]
    fn paths_are_confined_and_quoted() {
        assert_eq!(quoted_path("src/a b.tsx").unwrap(), ("src/a b.tsx".to_string(), "'src/a b.tsx'".to_string()));
        assert!(quoted_path("../x").is_err());
        assert!(quoted_path("/etc").is_err());
        assert_eq!(quoted_path(".").unwrap().0, ".");
    }
}
