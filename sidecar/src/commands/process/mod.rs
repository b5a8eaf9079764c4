//! The process command group: the package-manager commands (`bun_dev`, `bun_build`,
//! `bun_install`, `bun_install_sync`), allowlisted shell commands (`run_shell_command` and its
//! `_sync` / `_capture` forms), and killing (`kill_process`, `kill_all_processes`, `kill_port`).
//!
//! Every `cwd` is workspace-relative and becomes the child's working directory through the
//! workspace's directory handle (`confine::Root::command`); programs are looked up in the absolute
//! `PATH` entries only. The spawning commands return `{ pid }` at once;
//! with `onEvent` the output streams on that channel as `ProcessEvent`s (`Output` per read, then
//! one terminal `Exit`). The `_sync` commands await the exit and honour cancellation by killing
//! the process. All children are tracked and die with the sidecar (see `spawn`).
//!
//! The allowlist is not a sandbox (`node` and `npx` run anything); it keeps a model or a typo from
//! running arbitrary programs by name. What really gates execution is the `shell` permission group,
//! Workspace Trust, and the agent's tool permission prompt.

mod lines;
pub mod package_manager;
mod ports;
pub(crate) mod spawn;

pub use spawn::{ExitInfo, ProcessTable};

use crate::context::RequestContext;
use crate::dispatch::Command;
use crate::error::AppError;
use crate::permissions::{Effect, Group};
use crate::protocol::process::{
    BunDevParams, CwdParams, KillPortParams, KillProcessParams, ProcessEvent, ShellCommandParams, SpawnResult,
};
use crate::confine::{RelPath, Root};
use spawn::{Collected, Sink};

/// The seed's `ALLOWED_SHELL_COMMANDS`, plus `seq`, `printf` and `sleep`: they only print or wait
/// (no file, network or process effects), and tests and benchmarks need a fast line producer and
/// a process that stays alive without starting a Node runtime.
pub const ALLOWED_SHELL_COMMANDS: &[&str] = &[
    "bun", "bunx", "node", "npx", "git", "ls", "cat", "echo", "mkdir", "rm", "cp", "mv", "pwd", "find", "grep", "vite",
    "npm", "pnpm", "yarn", "tsc", "eslint", "prettier", "touch", "seq", "printf", "sleep",
];

/// `_capture` returns at most this much output (as the seed).
const CAPTURE_LIMIT: usize = 100 * 1024;

pub fn commands() -> Vec<Command> {
    vec![
        crate::command!("bun_dev", Group::Shell, Effect::Execute, bun_dev),
        crate::command!("bun_build", Group::Shell, Effect::Execute, bun_build),
        crate::command!("bun_install", Group::Shell, Effect::Execute, bun_install),
        crate::command!("bun_install_sync", Group::Shell, Effect::Execute, bun_install_sync),
        crate::command!("run_shell_command", Group::Shell, Effect::Execute, run_shell_command),
        crate::command!("run_shell_command_sync", Group::Shell, Effect::Execute, run_shell_command_sync),
        crate::command!("run_shell_command_capture", Group::Shell, Effect::Execute, run_shell_command_capture),
        crate::command!("kill_process", Group::Shell, Effect::Execute, kill_process),
        crate::command!("kill_all_processes", Group::Shell, Effect::Execute, kill_all_processes),
        crate::command!("kill_port", Group::Shell, Effect::Execute, kill_port),
    ]
}

/// Where a process runs: the workspace root and the folder beneath it, which must exist.
pub struct Cwd {
    pub root: Root,
    pub folder: RelPath,
}

/// Checks a workspace-relative `cwd` (an existing folder beneath the root). The folder is opened
/// again by handle when the process starts, so this check is only for a clear error.
async fn resolve_cwd(context: &RequestContext, cwd: &str) -> Result<Cwd, AppError> {
    let session = context.session.clone();
    let cwd = cwd.to_owned();
    tokio::task::spawn_blocking(move || {
        let (root, folder) = session.workspace.locate(&cwd)?;
        let shown = if folder.is_root() { "." } else { folder.wire() };
        match root.metadata(&folder) {
            Ok(meta) if meta.is_dir() => Ok(Cwd { root: root.clone(), folder }),
            Ok(_) => Err(AppError::process(format!("cwd '{shown}' is a file, not a folder; pass the project's folder"))),
            Err(err) if err.is_not_found() => Err(AppError::not_found(format!(
                "the folder '{shown}' (cwd) does not exist in the workspace; create it or fix the path"
            ))),
            Err(err) => Err(err.to_app_error(&folder, "use as the working folder")),
        }
    })
    .await
    .map_err(|err| AppError::internal(format!("Internal error: resolving cwd failed ({err})")))?
}

fn channel_sink(context: &RequestContext, on_event: Option<u64>) -> Option<Sink> {
    on_event.map(|id| Sink::Channel(context.channel::<ProcessEvent>(id)))
}

/// What a `bun_*` command runs: an install, or a package.json script with extra arguments.
enum PackageTask<'a> {
    Install,
    Script(&'a str, &'a [&'a str]),
}

/// The package manager's program and arguments for one of the `bun_*` commands in `cwd`, after
/// checking that it is installed (`prototyper.packageManager`, with `auto` following the
/// project's lockfile; see `package_manager`).
async fn package_command(context: &RequestContext, cwd: &Cwd, task: PackageTask<'_>) -> Result<(String, Vec<String>), AppError> {
    let (root, folder) = (cwd.root.clone(), cwd.folder.clone());
    let lockfile = tokio::task::spawn_blocking(move || package_manager::from_lockfile(&root, &folder)).await.unwrap_or(None);
    let (manager, _) = package_manager::resolve(context.session.package_manager, lockfile)?;
    let args = match task {
        PackageTask::Install => vec!["install".to_string()],
        PackageTask::Script(script, extra) => manager.run_script(script, extra),
    };
    Ok((manager.program().to_string(), args))
}

async fn spawn_package(context: RequestContext, cwd: &str, on_event: Option<u64>, task: PackageTask<'_>) -> Result<SpawnResult, AppError> {
    let cwd = resolve_cwd(&context, cwd).await?;
    let (program, args) = package_command(&context, &cwd, task).await?;
    let spawned = spawn::spawn(context.state.clone(), &program, &args, &cwd, channel_sink(&context, on_event))?;
    Ok(SpawnResult { pid: spawned.pid })
}

async fn bun_dev(context: RequestContext, params: BunDevParams) -> Result<SpawnResult, AppError> {
    let port = params.port.to_string();
    spawn_package(context, &params.cwd, params.on_event, PackageTask::Script("dev", &["--port", &port])).await
}

async fn bun_build(context: RequestContext, params: CwdParams) -> Result<SpawnResult, AppError> {
    spawn_package(context, &params.cwd, params.on_event, PackageTask::Script("build", &[])).await
}

async fn bun_install(context: RequestContext, params: CwdParams) -> Result<SpawnResult, AppError> {
    spawn_package(context, &params.cwd, params.on_event, PackageTask::Install).await
}

async fn bun_install_sync(context: RequestContext, params: CwdParams) -> Result<(), AppError> {
    let cwd = resolve_cwd(&context, &params.cwd).await?;
    let (program, args) = package_command(&context, &cwd, PackageTask::Install).await?;
    let collected = Collected::new(0);
    let exit = run_to_end(&context, &program, &args, &cwd, collected.clone()).await?;
    fail_unless_success(&program, &args, &exit, &collected)
}

/// Splits `command` like a POSIX shell (no expansion) and checks its program against the allowlist.
pub fn parse_command(command: &str) -> Result<(String, Vec<String>), AppError> {
    if command.trim().is_empty() {
        return Err(AppError::invalid_params("Empty command: pass the program and its arguments, e.g. \"npm run build\""));
    }
    let Some(mut words) = shlex::split(command) else {
        return Err(AppError::invalid_params(format!(
            "Invalid shell syntax in {command:?}: check the quotes (an unclosed ' or \") and trailing backslashes"
        )));
    };
    if words.is_empty() {
        return Err(AppError::invalid_params("Empty command: pass the program and its arguments"));
    }
    let program = words.remove(0);
    if !ALLOWED_SHELL_COMMANDS.contains(&program.as_str()) {
        return Err(AppError::security(format!(
            "Command '{program}' not allowed. Allowed programs: {}. Pipes, redirection and paths to programs are not supported.",
            ALLOWED_SHELL_COMMANDS.join(", ")
        )));
    }
    Ok((program, words))
}

async fn run_shell_command(context: RequestContext, params: ShellCommandParams) -> Result<SpawnResult, AppError> {
    let (program, args) = parse_command(&params.command)?;
    let cwd = resolve_cwd(&context, &params.cwd).await?;
    let spawned = spawn::spawn(context.state.clone(), &program, &args, &cwd, channel_sink(&context, params.on_event))?;
    Ok(SpawnResult { pid: spawned.pid })
}

async fn run_shell_command_sync(context: RequestContext, params: ShellCommandParams) -> Result<(), AppError> {
    let (program, args) = parse_command(&params.command)?;
    let cwd = resolve_cwd(&context, &params.cwd).await?;
    let collected = Collected::new(0);
    let exit = run_to_end(&context, &program, &args, &cwd, collected.clone()).await?;
    fail_unless_success(&program, &args, &exit, &collected)
}

async fn run_shell_command_capture(context: RequestContext, params: ShellCommandParams) -> Result<String, AppError> {
    let (program, args) = parse_command(&params.command)?;
    let cwd = resolve_cwd(&context, &params.cwd).await?;
    let collected = Collected::new(CAPTURE_LIMIT);
    run_to_end(&context, &program, &args, &cwd, collected.clone()).await?;
    let collected = collected.lock().unwrap_or_else(|p| p.into_inner());
    let mut output = String::from_utf8_lossy(&collected.head).into_owned();
    if collected.truncated {
        output.push_str("\n... (output truncated)");
    }
    Ok(output)
}

/// Runs a tracked process to its end, collecting its output; a cancelled request kills it.
async fn run_to_end(
    context: &RequestContext,
    program: &str,
    args: &[String],
    cwd: &Cwd,
    collected: std::sync::Arc<std::sync::Mutex<Collected>>,
) -> Result<ExitInfo, AppError> {
    let spawned = spawn::spawn(context.state.clone(), program, args, cwd, Some(Sink::Collect(collected)))?;
    let pid = spawned.pid;
    tokio::select! {
        exit = spawned.wait() => Ok(exit),
        _ = context.cancel.cancelled() => {
            context.state.processes.kill(pid).await;
            Err(AppError::cancelled())
        }
    }
}

fn fail_unless_success(
    program: &str,
    args: &[String],
    exit: &ExitInfo,
    collected: &std::sync::Mutex<Collected>,
) -> Result<(), AppError> {
    if exit.success() {
        return Ok(());
    }
    let shown = std::iter::once(program.to_string()).chain(args.iter().cloned()).collect::<Vec<_>>().join(" ");
    let tail = collected.lock().unwrap_or_else(|p| p.into_inner()).tail_text();
    Err(AppError::process(format!("`{shown}` {}. Output:\n{tail}", exit.describe())))
}

async fn kill_process(context: RequestContext, params: KillProcessParams) -> Result<(), AppError> {
    // Unlike the seed, a pid the sidecar is not running is an error: answering success would
    // claim a kill that did not happen, and the sidecar never signals processes it did not start.
    if !context.state.processes.kill(params.pid).await {
        return Err(AppError::not_found(format!(
            "no process with pid {} was started by Prototyper (or it has already exited); only processes the sidecar started can be stopped",
            params.pid
        )));
    }
    Ok(())
}

async fn kill_all_processes(context: RequestContext, _params: serde_json::Value) -> Result<(), AppError> {
    context.state.processes.kill_all().await;
    Ok(())
}

async fn kill_port(_context: RequestContext, params: KillPortParams) -> Result<Vec<u32>, AppError> {
    let ports = params.ports;
    tokio::task::spawn_blocking(move || {
        let pids = ports::listeners(&ports)?;
        for pid in &pids {
            ports::kill(*pid);
        }
        Ok(pids)
    })
    .await
    .map_err(|err| AppError::internal(format!("Internal error: kill_port failed ({err})")))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::codes;

    #[test]
    fn commands_are_split_and_checked() {
        assert_eq!(parse_command("echo 'a b' c").unwrap(), ("echo".to_string(), vec!["a b".to_string(), "c".to_string()]));
        assert_eq!(parse_command("").unwrap_err().code, codes::INVALID_PARAMS);
        assert!(parse_command("   ").unwrap_err().message.contains("Empty command"));
        assert!(parse_command("echo 'oops").unwrap_err().message.contains("Invalid shell syntax"));
        let err = parse_command("curl http://x").unwrap_err();
        assert_eq!(err.code, codes::SECURITY);
        assert!(err.message.contains("'curl'") && err.message.contains("bun, bunx"), "{}", err.message);
        assert_eq!(parse_command("/bin/rm -rf x").unwrap_err().code, codes::SECURITY);
    }
}
