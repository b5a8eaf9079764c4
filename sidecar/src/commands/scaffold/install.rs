//! The install step: the package manager runs in the new project (its working directory set from
//! the project's handle), tracked like every child so it dies with the sidecar, its output
//! forwarded line by line as `Output` on the scaffold's channel. A cancel kills it at once.

use crate::channel::ChannelSender;
use crate::commands::process::package_manager::Manager;
use crate::commands::process::spawn::{self, ExitInfo, Sink};
use crate::commands::process::Cwd;
use crate::confine::{RelPath, Root};
use crate::context::RequestContext;
use crate::error::AppError;
use crate::protocol::scaffold::ScaffoldEvent;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Lines of output kept for the error message of a failed install.
const TAIL_LINES: usize = 12;

/// How an install ended.
pub enum Installed {
    Succeeded,
    Failed { exit: ExitInfo, tail: Vec<String> },
    Cancelled,
}

/// The install command line for `manager`: no audit, funding or update chatter, and the cache
/// preferred over the network (a lockfile pins every version, so nothing stale can be chosen).
pub fn install_args(manager: Manager) -> Vec<String> {
    let args: &[&str] = match manager {
        Manager::Npm => &["install", "--no-audit", "--no-fund", "--prefer-offline"],
        Manager::Pnpm => &["install", "--prefer-offline"],
        Manager::Bun => &["install"],
    };
    args.iter().map(|arg| arg.to_string()).collect()
}

/// Runs the install in `project` and waits for it (or for the request's cancel).
pub async fn run(
    context: &RequestContext,
    channel: &Arc<ChannelSender<ScaffoldEvent>>,
    project: &Root,
    manager: Manager,
) -> Result<Installed, AppError> {
    let tail = Arc::new(Mutex::new(VecDeque::with_capacity(TAIL_LINES)));
    let forward = {
        let channel = channel.clone();
        let tail = tail.clone();
        Sink::Lines(Arc::new(move |stream, lines: Vec<String>| {
            {
                let mut tail = tail.lock().unwrap_or_else(|p| p.into_inner());
                for line in lines.iter().filter(|line| !line.trim().is_empty()) {
                    if tail.len() == TAIL_LINES {
                        tail.pop_front();
                    }
                    tail.push_back(line.clone());
                }
            }
            // Queued like the Steps, so one door carries the whole channel and the wire order is
            // the index order (an install prints little, so the queue never grows large).
            channel.send(ScaffoldEvent::Output { stream, lines });
        }))
    };
    let cwd = Cwd { root: project.clone(), folder: RelPath::root() };
    let spawned = spawn::spawn(context.state.clone(), manager.program(), &install_args(manager), &cwd, Some(forward))?;
    let pid = spawned.pid;
    let exit = tokio::select! {
        exit = spawned.wait() => exit,
        _ = context.cancel.cancelled() => {
            context.state.processes.kill_now(pid).await;
            return Ok(Installed::Cancelled);
        }
    };
    if exit.success() {
        return Ok(Installed::Succeeded);
    }
    let tail = tail.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect();
    Ok(Installed::Failed { exit, tail })
}
