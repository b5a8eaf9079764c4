//! Starting, watching and stopping the image server, and its idle stop.
//!
//! Start: one start at a time; a server that answers healthy is reused. Otherwise the install is
//! located from the config, a free port found from the configured one, and
//! `<install>/.venv/bin/uvicorn scripts.local_backend:app --port <p>` started with `BACKEND_PORT`
//! and `BONSAI_VARIANT`, its working folder from a handle on the install folder, in its own
//! process group, tracked with the sidecar's other children (so it dies with the sidecar). Then
//! `GET /backends` is polled with backoff from 1 s to 8 s until it answers healthy, the server
//! exits, the start is cancelled, or the start timeout (120 s) passes; in the last three cases the
//! server is stopped and the error says why, with its last output.
//!
//! Stop: SIGTERM to the group, SIGKILL after 10 s. The idle stop (`bonsai_schedule_stop`) is a
//! timer in the sidecar; when it fires during a generation, the stop waits for the generation.

use super::config::{self, CONFIGURE};
use super::log::LogHub;
use super::BonsaiState;
use crate::channel::ChannelSender;
use crate::commands::process::{self, ExitInfo, Signal, Sink};
use crate::confine::{RelPath, Root};
use crate::context::SidecarState;
use crate::error::AppError;
use crate::protocol::bonsai::{BonsaiServerInfo, BonsaiServerStatus};
use crate::protocol::process::ProcessEvent;
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

const DEFAULT_START_TIMEOUT: Duration = Duration::from_secs(120);
const FIRST_POLL: Duration = Duration::from_secs(1);
const MAX_POLL: Duration = Duration::from_secs(8);
/// One health request may take this long (a busy server answers slowly).
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);
const STOP_GRACE: Duration = Duration::from_secs(10);
/// How long a healthy answer stands for the status.
const HEALTH_REUSE: Duration = Duration::from_secs(30);
/// Ports tried above the configured one.
const PORT_RANGE: u16 = 10;

/// A running image server.
pub struct Server {
    pub pid: u32,
    pub port: u16,
    pub exit: watch::Receiver<Option<ExitInfo>>,
    pub log: Arc<LogHub>,
    /// The last healthy answer and when it came: status answers from it for a while (so polling
    /// the status does not fill the server's log with requests), and while a generation keeps
    /// the server from answering.
    pub health: std::sync::Mutex<Option<(Health, Instant)>>,
}

impl Server {
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn has_exited(&self) -> bool {
        self.exit.borrow().is_some()
    }

    /// Waits until the server process has ended.
    pub async fn exited(&self) -> ExitInfo {
        let mut exit = self.exit.clone();
        let ended = match exit.wait_for(Option::is_some).await {
            Ok(info) => info.clone(),
            Err(_) => None,
        };
        ended.unwrap_or(ExitInfo { code: None, signal: None })
    }

    fn info(&self, health: &Health) -> BonsaiServerInfo {
        BonsaiServerInfo {
            port: self.port,
            pid: self.pid,
            healthy: health.healthy,
            kind: health.kind.clone().unwrap_or_default(),
            supported_families: health.supported_families.clone(),
            default_family: health.default_family.clone().unwrap_or_default(),
        }
    }
}

/// `GET /backends`, as the Bonsai server answers it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Health {
    #[serde(default)]
    pub healthy: bool,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub supported_families: Vec<String>,
    #[serde(default)]
    pub default_family: Option<String>,
}

/// Asks the server whether it is ready.
pub async fn health(client: &reqwest::Client, server: &Server) -> Result<Health, String> {
    let response = client
        .get(format!("{}/backends", server.base_url()))
        .timeout(HEALTH_TIMEOUT)
        .send()
        .await
        .map_err(|err| if err.is_connect() { "not listening yet".to_string() } else { err.to_string() })?;
    if !response.status().is_success() {
        return Err(format!("GET /backends answered {}", response.status()));
    }
    let health: Health = response.json().await.map_err(|err| format!("GET /backends answered something other than its JSON ({err})"))?;
    if health.healthy {
        *server.health.lock().unwrap_or_else(|p| p.into_inner()) = Some((health.clone(), Instant::now()));
    }
    Ok(health)
}

/// Starts the server (or reuses a healthy one) and waits until it is healthy. `log` subscribes a
/// channel to its output.
pub async fn start(
    state: &Arc<SidecarState>,
    storage: &Root,
    log: Option<Arc<ChannelSender<ProcessEvent>>>,
    cancel: &CancellationToken,
) -> Result<BonsaiServerInfo, AppError> {
    let bonsai = &state.bonsai;
    let _one_start = tokio::select! {
        guard = bonsai.start_lock.lock() => guard,
        _ = cancel.cancelled() => return Err(AppError::cancelled()),
    };
    if let Some(server) = bonsai.current() {
        if let Some(channel) = &log {
            server.log.subscribe(channel.clone());
        }
        match health(&bonsai.client(), &server).await {
            Ok(health) if health.healthy => return Ok(server.info(&health)),
            // Running but not answering healthy (it broke after its start): start it afresh.
            _ => stop(bonsai).await,
        }
    }
    let config = config::load(storage)?;
    let install = config::locate(&config)?;
    let port = free_port(config.port)?;
    let hub = Arc::new(LogHub::default());
    if let Some(channel) = log {
        hub.subscribe(channel);
    }
    let sink = {
        let hub = hub.clone();
        Sink::Lines(Arc::new(move |stream, lines| hub.deliver(stream, lines)))
    };
    let args: Vec<String> = vec!["scripts.local_backend:app".into(), "--port".into(), port.to_string()];
    let env = [("BACKEND_PORT", port.to_string()), ("BONSAI_VARIANT", config.variant.clone()), ("PYTHONUNBUFFERED", "1".to_string())];
    let cwd = process::Cwd { root: install.root.clone(), folder: RelPath::root() };
    let spawned = process::spawn_program(state.clone(), "uvicorn", &install.uvicorn, &args, &env, &cwd, Some(sink)).map_err(|err| {
        AppError::process(format!("could not start the image server {}: {}; {CONFIGURE}", install.uvicorn.display(), err.message))
    })?;
    crate::rpc::server::log(&format!("image server started: pid {}, port {port}, {}", spawned.pid, install.folder.display()));
    let server = Arc::new(Server { pid: spawned.pid, port, exit: spawned.exit, log: hub, health: Default::default() });
    bonsai.set_current(server.clone());
    tokio::spawn(watch_exit(state.clone(), server.clone()));

    let _starting = bonsai.mark_starting();
    let timeout = config.start_timeout_secs.filter(|&secs| secs > 0).map(Duration::from_secs).unwrap_or(DEFAULT_START_TIMEOUT);
    match wait_healthy(bonsai, &server, timeout, cancel).await {
        Ok(health) => Ok(server.info(&health)),
        Err(err) => {
            // Its own task: a cancelled request is dropped soon after its cancel, and the stop
            // (SIGTERM, then SIGKILL after a grace) must finish anyway.
            let state = state.clone();
            let _ = tokio::spawn(async move { stop(&state.bonsai).await }).await;
            Err(err)
        }
    }
}

/// Polls `GET /backends` with backoff until healthy; fails when the server exits, the wait is
/// cancelled or `timeout` passes.
async fn wait_healthy(bonsai: &BonsaiState, server: &Server, timeout: Duration, cancel: &CancellationToken) -> Result<Health, AppError> {
    let started = Instant::now();
    let deadline = started + timeout;
    let mut delay = FIRST_POLL;
    let mut last = String::from("no answer yet");
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(AppError::process(format!(
                "the image server did not become healthy within {} s (GET {}/backends: {last}), so it was stopped. Its last output:\n{}\nSee 'Prototyper: Show Image Server Log'; a slow machine may need a longer startTimeoutSecs in the image server config.",
                timeout.as_secs(),
                server.base_url(),
                tail_or_nothing(server)
            )));
        }
        tokio::select! {
            _ = tokio::time::sleep(delay.min(deadline - now)) => {}
            exit = server.exited() => return Err(exited_early(server, &exit)),
            _ = cancel.cancelled() => return Err(AppError::cancelled()),
        }
        delay = (delay * 2).min(MAX_POLL);
        let client = bonsai.client();
        let answer = tokio::select! {
            answer = health(&client, server) => answer,
            exit = server.exited() => return Err(exited_early(server, &exit)),
            _ = cancel.cancelled() => return Err(AppError::cancelled()),
        };
        match answer {
            Ok(health) if health.healthy => return Ok(health),
            Ok(_) => last = "answers healthy: false (still loading)".into(),
            Err(reason) => last = reason,
        }
    }
}

fn exited_early(server: &Server, exit: &ExitInfo) -> AppError {
    AppError::process(format!(
        "the image server {} before it was ready. Its last output:\n{}\nCheck the Bonsai install (see 'Prototyper: Show Image Server Log'), or {CONFIGURE}",
        exit.describe(),
        tail_or_nothing(server)
    ))
}

fn tail_or_nothing(server: &Server) -> String {
    let tail = server.log.tail(12);
    if tail.trim().is_empty() {
        "(nothing)".into()
    } else {
        tail
    }
}

/// The first free loopback port from `first` on.
fn free_port(first: u16) -> Result<u16, AppError> {
    let last = first.saturating_add(PORT_RANGE);
    (first..=last).find(|&port| std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()).ok_or_else(|| {
        AppError::process(format!(
            "ports {first}–{last} are all in use, so the image server cannot start; stop what uses them or pick another port with 'Prototyper: Configure Image Server…'"
        ))
    })
}

/// Reports the server's end to its log channels and forgets it.
async fn watch_exit(state: Arc<SidecarState>, server: Arc<Server>) {
    let exit = server.exited().await;
    crate::rpc::server::log(&format!("image server (pid {}) {}", server.pid, exit.describe()));
    server.log.end(&exit);
    state.bonsai.forget(server.pid);
}

/// Stops the running server, if any: SIGTERM to its group, SIGKILL after 10 s. Also cancels an
/// idle stop.
pub async fn stop(bonsai: &BonsaiState) {
    bonsai.cancel_stop_timer();
    let Some(server) = bonsai.take_current() else { return };
    process::signal_group(server.pid, Signal::Term);
    if tokio::time::timeout(STOP_GRACE, server.exited()).await.is_err() {
        process::signal_group(server.pid, Signal::Kill);
        let _ = tokio::time::timeout(Duration::from_secs(3), server.exited()).await;
    }
}

/// What `bonsai_server_status` answers.
pub async fn status(bonsai: &BonsaiState) -> BonsaiServerStatus {
    let mut status = BonsaiServerStatus {
        starting: bonsai.is_starting(),
        generating: bonsai.is_generating(),
        stops_in_secs: bonsai.stops_in().map(|left| left.as_secs()),
        ..Default::default()
    };
    let Some(server) = bonsai.current() else { return status };
    status.running = !server.has_exited();
    status.port = Some(server.port);
    status.pid = Some(server.pid);
    // A recent answer, or the last one while a generation can keep the server from answering.
    let known = server
        .health
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .filter(|(_, at)| status.generating || at.elapsed() < HEALTH_REUSE)
        .map(|(health, _)| health);
    let health = match known {
        Some(health) => Some(health),
        None if status.starting => None,
        None => health(&bonsai.client(), &server).await.ok(),
    };
    if let Some(health) = health {
        status.healthy = health.healthy;
        status.kind = health.kind.unwrap_or_default();
        status.supported_families = health.supported_families;
        status.default_family = health.default_family.unwrap_or_default();
    }
    status
}

/// Arms the idle stop: after `auto_stop_timeout_secs` (0: never) the server is stopped, once no
/// generation runs. A new schedule replaces the old one.
pub fn schedule_stop(state: &Arc<SidecarState>, storage: &Root) -> Result<(), AppError> {
    let config = config::load(storage)?;
    let bonsai = &state.bonsai;
    bonsai.cancel_stop_timer();
    if config.auto_stop_timeout_secs == 0 || bonsai.current().is_none() {
        return Ok(());
    }
    let idle = Duration::from_secs(config.auto_stop_timeout_secs);
    let token = CancellationToken::new();
    bonsai.set_stop_timer(token.clone(), Instant::now() + idle);
    let state = state.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = tokio::time::sleep(idle) => {}
            _ = token.cancelled() => return,
        }
        // A generation in flight keeps the server until it ends.
        tokio::select! {
            _ = state.bonsai.generation_finished() => {}
            _ = token.cancelled() => return,
        }
        crate::rpc::server::log(&format!("image server idle for {} s: stopping it", idle.as_secs()));
        stop(&state.bonsai).await;
    });
    Ok(())
}
