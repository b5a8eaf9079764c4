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
const TAIL_LINES: usize = 40;

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

/// The informative lines of a failed install's output, joined: what went wrong (the first two
/// statements) and the advice it ended with, without stack frames, object dumps, the pointer to
/// npm's log file or the tool's prefix on every line.
pub fn summary(tail: &[String]) -> Option<String> {
    let useful: Vec<&str> = tail
        .iter()
        .map(|line| line.strip_prefix("npm error").or_else(|| line.strip_prefix("npm ERR!")).unwrap_or(line))
        .filter(|line| {
            let indented = line.starts_with("  ");
            let line = line.trim();
            !(line.is_empty()
                || indented
                || line.starts_with("at ")
                || line.starts_with('}')
                || line.ends_with('{')
                || line.starts_with("syscall ")
                || line.starts_with("errno ")
                || line.contains("complete log of this run"))
        })
        .map(str::trim)
        .collect();
    let mut picked: Vec<&str> = useful.iter().take(2).copied().collect();
    if let Some(last) = useful.last().filter(|_| useful.len() > 2) {
        picked.push(last);
    }
    (!picked.is_empty()).then(|| picked.join(" / "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_install_is_summed_up_without_noise() {
        let tail: Vec<String> = [
            "npm error code ECONNREFUSED",
            "npm error syscall connect",
            "npm error FetchError: request to http://127.0.0.1:9/vite failed, reason: connect ECONNREFUSED",
            "npm error     at ClientRequest.<anonymous> (/usr/lib/node_modules/npm/x.js:130:14)",
            "npm error   code: 'ECONNREFUSED',",
            "npm error }",
            "npm error",
            "npm error If you are behind a proxy, please make sure that the 'proxy' config is set properly.",
            "npm error A complete log of this run can be found in: /root/.npm/_logs/x.log",
        ]
        .map(String::from)
        .to_vec();
        let summary = summary(&tail).unwrap();
        assert_eq!(
            summary,
            "code ECONNREFUSED / FetchError: request to http://127.0.0.1:9/vite failed, reason: connect ECONNREFUSED / If you are behind a proxy, please make sure that the 'proxy' config is set properly."
        );
        assert_eq!(super::summary(&[]), None);
    }
}
