//! The scaffold command group: `list_templates` and `scaffold_project` (design.md §6).
//!
//! `scaffold_project` creates `parentDir/name` from an embedded template (`templates`) and
//! installs its dependencies, streaming on its channel: `Step {label}` for each stage, the
//! install's `Output`, then one terminal `Done {path}` or `Error`; the response `{path}` follows.
//!
//! What it promises:
//! - It writes only inside `parentDir/name`, beneath the handle of the folder the user picked
//!   (`target`), and never replaces a file: a folder that already has anything the template (or
//!   the install) would write is refused, naming those paths; a non-empty folder without such a
//!   clash is used, and a `Step` says so.
//! - A missing package manager is reported before anything is written.
//! - A cancel (`$/cancelRequest`) kills the install and removes what was created, and the
//!   terminal `Error {code: "cancelled"}` says what was removed. A write that fails (a full disk,
//!   a permission) removes the partial project too. A failed install keeps the files (they are
//!   complete) and says to run the install again when online.
//!
//! The work runs in a task of its own, so a cleanup is finished even if the server stops waiting
//! for the handler (its cancel grace is shorter than deleting a large node_modules can take).

mod install;
pub mod project;
mod store;
mod target;
pub mod templates;

use crate::channel::ChannelSender;
use crate::commands::process::package_manager::{self, Manager};
use crate::context::RequestContext;
use crate::dispatch::Command;
use crate::error::{codes, AppError};
use crate::permissions::{Effect, Group};
use crate::protocol::channel::ChannelError;
use crate::protocol::scaffold::{ScaffoldDone, ScaffoldEvent, ScaffoldProjectParams, ScaffoldResult, TemplateInfo};
use install::Installed;
use std::sync::Arc;
use target::Target;

pub fn commands() -> Vec<Command> {
    vec![
        crate::command!("list_templates", Group::Fs, Effect::Read, list_templates),
        // Writes files and runs the package manager, outside the workspace: in the folder the
        // user picked in the host's dialog.
        crate::command!("scaffold_project", Group::Shell, Effect::Execute, scaffold_project),
    ]
}

async fn list_templates(_context: RequestContext, _params: serde_json::Value) -> Result<Vec<TemplateInfo>, AppError> {
    Ok(templates::all().iter().map(templates::Template::info).collect())
}

/// Why a scaffold ended early: the terminal message's code and the response's error.
struct Failure {
    code: &'static str,
    error: AppError,
}

impl Failure {
    fn new(code: &'static str, error: AppError) -> Self {
        Failure { code, error }
    }
}

async fn scaffold_project(context: RequestContext, params: ScaffoldProjectParams) -> Result<ScaffoldResult, AppError> {
    let channel = context.channel::<ScaffoldEvent>(params.on_event);
    let job = tokio::spawn(run(context, channel.clone(), params));
    let outcome = job.await.unwrap_or_else(|err| {
        Err(Failure::new("internal", AppError::internal(format!("Internal error: creating the project failed unexpectedly ({err})."))))
    });
    match outcome {
        Ok(done) => {
            let path = done.path.clone();
            channel.send(ScaffoldEvent::Done(done));
            Ok(ScaffoldResult { path })
        }
        Err(Failure { code, error }) => {
            channel.send(ScaffoldEvent::Error(ChannelError { message: error.message.clone(), code: Some(code.to_string()) }));
            Err(error)
        }
    }
}

fn step(channel: &ChannelSender<ScaffoldEvent>, label: impl Into<String>) {
    channel.send(ScaffoldEvent::Step { label: label.into() });
}

/// Runs a blocking file operation on tokio's blocking pool.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, Failure> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| Failure::new("internal", AppError::internal(format!("Internal error: a file operation failed unexpectedly ({err})."))))
}

async fn run(context: RequestContext, channel: Arc<ChannelSender<ScaffoldEvent>>, params: ScaffoldProjectParams) -> Result<ScaffoldDone, Failure> {
    let invalid = |error: AppError| Failure::new("invalid", error);
    let template = templates::find(&params.template).map_err(invalid)?;
    templates::validate_name(&params.name, template).map_err(invalid)?;
    let install = params.install.unwrap_or(true);
    let setting = params.package_manager.unwrap_or(context.session.package_manager);
    // A new project has no lockfile: `auto` is bun when installed, else npm. Checked before
    // anything is written, so a missing manager leaves no half project behind.
    let manager = if install {
        package_manager::resolve(setting, None).map_err(|error| Failure::new("package_manager_missing", error))?.0
    } else {
        package_manager::choose(setting, None)
    };

    step(&channel, format!("Creating {} from the {} template…", params.name, template.manifest.name));
    let (parent_dir, name) = (params.parent_dir.clone(), params.name.clone());
    let mut target = blocking(move || Target::open(&parent_dir, &name)).await?.map_err(|error| Failure::new("io", error))?;
    let created_at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
    let files = template.render(&params.name, manager, created_at);
    let conflicts = target.conflicts(&files, install);
    if !conflicts.is_empty() {
        // Nothing was written; a folder created just now would have had no conflicts.
        let shown: Vec<&str> = conflicts.iter().take(5).map(String::as_str).collect();
        let more = if conflicts.len() > 5 { format!(" and {} more", conflicts.len() - 5) } else { String::new() };
        return Err(Failure::new(
            "exists",
            AppError::new(
                codes::IO,
                format!(
                    "The folder {} already has {}{more}, which the template would overwrite. Nothing was written; pick another name or an empty folder.",
                    target.path(),
                    shown.join(", ")
                ),
            ),
        ));
    }
    if target.existing_entries() > 0 {
        step(&channel, format!("{} is not empty; none of its {} entries is overwritten", target.name(), target.existing_entries()));
    }

    step(&channel, format!("Writing {} files…", files.len()));
    let cancel = context.cancel.clone();
    let (target, written) = blocking(move || {
        for file in &files {
            if cancel.is_cancelled() {
                return (target, Err(None));
            }
            if let Err(error) = target.write(file) {
                return (target, Err(Some(error)));
            }
        }
        (target, Ok(()))
    })
    .await?;
    match written {
        Ok(()) => {}
        Err(None) => return Err(cancelled(target).await),
        Err(Some(error)) => {
            let removed = target.remove_created().await;
            let reason = error.message.trim_end_matches('.');
            return Err(Failure::new("io", AppError::new(error.code, format!("{reason}. Prototyper {removed}."))));
        }
    }
    if context.cancel.is_cancelled() {
        return Err(cancelled(target).await);
    }

    let path = target.path();
    if install {
        if !install_dependencies(&context, &channel, template, manager, &params.name, &target, &path).await? {
            return Err(cancelled(target).await);
        }
    }
    Ok(ScaffoldDone { path, installed: install, package_manager: manager.setting() })
}

/// The install stage: the dependencies come from the store when it holds this template's
/// lockfile (npm only: the store is keyed by npm's lockfile), else from the package manager,
/// whose fresh tree then fills the store for the next project. `Ok(false)`: cancelled.
async fn install_dependencies(
    context: &RequestContext,
    channel: &Arc<ChannelSender<ScaffoldEvent>>,
    template: &'static templates::Template,
    manager: Manager,
    name: &str,
    target: &Target,
    path: &str,
) -> Result<bool, Failure> {
    let store = match (manager, template.lockfile()) {
        (Manager::Npm, Some(lockfile)) => {
            let storage = context.session.storage.clone();
            let template_id = template.id;
            blocking(move || store::node_major().map(|major| store::Store::new(&storage, template_id, store::key(lockfile, &major)))).await?
        }
        _ => None,
    };
    if let Some(store) = store.as_ref().filter(|store| store.is_filled()) {
        step(channel, "Linking dependencies from the cache…");
        let (store, project, name, cancel) = (store.clone(), target.project.clone(), name.to_string(), context.cancel.clone());
        let linked = blocking(move || store.link_into(&project, &name, &|| cancel.is_cancelled())).await?;
        match linked {
            store::Linked::Done(count) => {
                let how = if count.copied == 0 { String::new() } else { format!(" ({} copied: the cache is on another drive)", count.copied) };
                step(channel, format!("Linked {} files from the cache{how}", count.linked + count.copied));
                return Ok(true);
            }
            store::Linked::Cancelled => return Ok(false),
            store::Linked::Unusable(reason) => step(channel, format!("The dependency cache cannot be used ({reason}); installing instead")),
        }
    }

    step(channel, format!("Installing dependencies with {}…", manager.program()));
    match install::run(context, channel, &target.project, manager).await {
        Ok(Installed::Succeeded) => {}
        Ok(Installed::Cancelled) => return Ok(false),
        Ok(Installed::Failed { exit, tail }) => {
            let command = format!("{} {}", manager.program(), install::install_args(manager).first().map(String::as_str).unwrap_or("install"));
            let last = install::summary(&tail).map(|lines| format!(" Its last words: {lines}")).unwrap_or_default();
            return Err(Failure::new(
                "install_failed",
                AppError::process(format!(
                    "The project's files are written in {path}, but `{command}` {} (is the package registry reachable?). Run `{command}` in that folder when you are online.{last}",
                    exit.describe()
                )),
            ));
        }
        Err(error) => {
            // It could not even start (the manager vanished since the check): keep the files.
            return Err(Failure::new(
                "install_failed",
                AppError::process(format!("The project's files are written in {path}, but the install could not start: {}", error.message)),
            ));
        }
    }
    if let Some(store) = store {
        step(channel, "Keeping the dependencies for the next project…");
        let project = target.project.clone();
        if let Err(reason) = blocking(move || store.fill_from(&project)).await? {
            // The project is complete either way; only the next one installs again.
            step(channel, format!("The dependencies could not be kept for the next project ({reason})"));
        }
    }
    Ok(true)
}

async fn cancelled(target: Target) -> Failure {
    let removed = target.remove_created().await;
    Failure::new("cancelled", AppError::new(codes::REQUEST_CANCELLED, format!("Cancelled: Prototyper {removed}.")))
}

/// The workspace's manager for the agent's project tools: the setting, with `auto` following the
/// workspace's lockfile.
pub fn workspace_manager(setting: crate::protocol::rpc::PackageManager, root: &crate::confine::Root) -> Result<Manager, AppError> {
    let lockfile = package_manager::from_lockfile(root, &crate::confine::RelPath::root());
    package_manager::resolve(setting, lockfile).map(|(manager, _)| manager)
}
