//! The Bonsai command group: the seed's eleven commands for local image generation with the
//! Bonsai Image Demo, a FastAPI server the user installs.
//!
//! Code map: `config` (the saved config and finding the install), `server` (start, health, stop,
//! idle stop), `log` (the server's output for log channels and messages), `generate` (one image at
//! a time, saved in the workspace; the images listed and deleted). The agent's `generate_image`
//! tool uses the same parts (`commands::ai::tools::media`).
//!
//! Unlike the seed: the config persists (in the storage folder); the idle stop is done by the
//! sidecar itself; a generation can report progress on a channel; and `bonsai_start_server` takes
//! a log channel (`onEvent`) instead of emitting a global event.

pub mod config;
pub mod generate;
mod log;
pub mod server;

use crate::command;
use crate::context::RequestContext;
use crate::dispatch::Command;
use crate::error::AppError;
use crate::permissions::{Effect, Group};
use crate::protocol::bonsai::{
    AssetInfo, BonsaiGenerateResult, BonsaiServerConfig, BonsaiServerInfo, BonsaiServerStatus, DeleteAssetParams, GenerateEvent,
    GenerateImageParams, ListAssetsParams, SaveServerConfigParams, StartServerParams,
};
use crate::protocol::channel::ChannelError;
use crate::protocol::process::ProcessEvent;
use serde_json::Value;
use server::Server;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

pub fn commands() -> Vec<Command> {
    vec![
        command!("bonsai_start_server", Group::Shell, Effect::Execute, bonsai_start_server),
        command!("bonsai_stop_server", Group::Shell, Effect::Execute, bonsai_stop_server),
        command!("bonsai_server_status", Group::Shell, Effect::Read, bonsai_server_status),
        command!("bonsai_generate_image", Group::Fs, Effect::Write, bonsai_generate_image),
        command!("bonsai_cancel_generation", Group::Shell, Effect::Read, bonsai_cancel_generation),
        command!("bonsai_list_assets", Group::Fs, Effect::Read, bonsai_list_assets),
        command!("bonsai_delete_asset", Group::Fs, Effect::Write, bonsai_delete_asset),
        command!("bonsai_get_server_config", Group::Store, Effect::Read, bonsai_get_server_config),
        command!("bonsai_save_server_config", Group::Store, Effect::WriteStorage, bonsai_save_server_config),
        command!("bonsai_schedule_stop", Group::Shell, Effect::Execute, bonsai_schedule_stop),
        command!("bonsai_cancel_stop", Group::Shell, Effect::Read, bonsai_cancel_stop),
    ]
}

/// The image server and the generation in flight, for the sidecar's lifetime.
#[derive(Default)]
pub struct BonsaiState {
    /// Held by a start for its whole wait, so two starts never start two servers.
    start_lock: tokio::sync::Mutex<()>,
    server: Mutex<Option<Arc<Server>>>,
    starting: AtomicBool,
    /// The cancel token of the generation in flight (one at a time).
    generation: Mutex<Option<CancellationToken>>,
    generation_done: tokio::sync::Notify,
    /// The idle stop: its cancel token and when it fires.
    stop_timer: Mutex<Option<(CancellationToken, Instant)>>,
    client: OnceLock<reqwest::Client>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl BonsaiState {
    /// The HTTP client for the local server: loopback only, so no proxy.
    pub fn client(&self) -> reqwest::Client {
        self.client
            .get_or_init(|| {
                reqwest::Client::builder()
                    .no_proxy()
                    .connect_timeout(Duration::from_secs(5))
                    .build()
                    .unwrap_or_else(|_| reqwest::Client::new())
            })
            .clone()
    }

    /// The running server, if any.
    pub fn current(&self) -> Option<Arc<Server>> {
        lock(&self.server).clone().filter(|server| !server.has_exited())
    }

    fn set_current(&self, server: Arc<Server>) {
        *lock(&self.server) = Some(server);
    }

    fn take_current(&self) -> Option<Arc<Server>> {
        lock(&self.server).take()
    }

    /// Forgets server `pid` after it exited (unless another server replaced it already).
    fn forget(&self, pid: u32) {
        let mut server = lock(&self.server);
        if server.as_ref().is_some_and(|s| s.pid == pid) {
            *server = None;
        }
    }

    fn is_starting(&self) -> bool {
        self.starting.load(Ordering::Acquire)
    }

    fn mark_starting(&self) -> impl Drop + '_ {
        struct Starting<'a>(&'a AtomicBool);
        impl Drop for Starting<'_> {
            fn drop(&mut self) {
                self.0.store(false, Ordering::Release);
            }
        }
        self.starting.store(true, Ordering::Release);
        Starting(&self.starting)
    }

    pub fn is_generating(&self) -> bool {
        lock(&self.generation).is_some()
    }

    /// Claims the one generation slot: the guard frees it; the token is cancelled by
    /// `bonsai_cancel_generation`.
    pub fn begin_generation(&self) -> Result<(impl Drop + '_, CancellationToken), AppError> {
        let mut slot = lock(&self.generation);
        if slot.is_some() {
            return Err(AppError::process(
                "an image generation is already in progress; wait for it to finish, or cancel it (bonsai_cancel_generation) first",
            ));
        }
        let token = CancellationToken::new();
        *slot = Some(token.clone());
        struct Generation<'a>(&'a BonsaiState);
        impl Drop for Generation<'_> {
            fn drop(&mut self) {
                *lock(&self.0.generation) = None;
                self.0.generation_done.notify_waiters();
            }
        }
        Ok((Generation(self), token))
    }

    /// Resolves when no generation runs.
    async fn generation_finished(&self) {
        loop {
            let notified = self.generation_done.notified();
            if !self.is_generating() {
                return;
            }
            notified.await;
        }
    }

    /// Drops the generation in flight, if any.
    pub fn cancel_generation(&self) {
        if let Some(token) = lock(&self.generation).as_ref() {
            token.cancel();
        }
    }

    fn set_stop_timer(&self, token: CancellationToken, at: Instant) {
        if let Some((old, _)) = lock(&self.stop_timer).replace((token, at)) {
            old.cancel();
        }
    }

    /// Disarms the idle stop.
    pub fn cancel_stop_timer(&self) {
        if let Some((token, _)) = lock(&self.stop_timer).take() {
            token.cancel();
        }
    }

    fn stops_in(&self) -> Option<Duration> {
        lock(&self.stop_timer).as_ref().filter(|(token, _)| !token.is_cancelled()).map(|(_, at)| at.saturating_duration_since(Instant::now()))
    }
}

async fn bonsai_start_server(context: RequestContext, params: StartServerParams) -> Result<BonsaiServerInfo, AppError> {
    let log = params.on_event.map(|id| context.channel::<ProcessEvent>(id));
    let started = server::start(&context.state, &context.session.storage, log.clone(), &context.cancel).await;
    if let (Err(err), Some(channel)) = (&started, &log) {
        // A start that failed before the server ran leaves its channel open: end it.
        channel.send(ProcessEvent::Error(ChannelError { message: err.message.clone(), code: Some("start_failed".into()) }));
    }
    started
}

async fn bonsai_stop_server(context: RequestContext, _params: Value) -> Result<(), AppError> {
    server::stop(&context.state.bonsai).await;
    Ok(())
}

async fn bonsai_server_status(context: RequestContext, _params: Value) -> Result<BonsaiServerStatus, AppError> {
    Ok(server::status(&context.state.bonsai).await)
}

async fn bonsai_generate_image(context: RequestContext, params: GenerateImageParams) -> Result<BonsaiGenerateResult, AppError> {
    let channel = params.on_event.map(|id| context.channel::<GenerateEvent>(id));
    let outcome = generate_with(&context, params, channel.clone()).await;
    if let Some(channel) = channel {
        channel.send(match &outcome {
            Ok(result) => GenerateEvent::Done(result.clone()),
            Err(err) => GenerateEvent::Error(ChannelError {
                message: err.message.clone(),
                code: Some(if err.code == crate::error::codes::REQUEST_CANCELLED { "cancelled" } else { "failed" }.into()),
            }),
        });
    }
    outcome
}

async fn generate_with(
    context: &RequestContext,
    params: GenerateImageParams,
    channel: Option<Arc<crate::channel::ChannelSender<GenerateEvent>>>,
) -> Result<BonsaiGenerateResult, AppError> {
    let request = generate::ImageRequest::new(&params.prompt, params.width, params.height, params.steps, params.seed, params.backend)?;
    let folder = generate::images_folder(params.folder.as_deref())?;
    let workspace = context.session.workspace.root()?.clone();
    let progress = move |update| {
        if let Some(channel) = &channel {
            channel.send(GenerateEvent::Progress(update));
        }
    };
    generate::generate(&context.state, &context.session.storage, &workspace, &folder, request, &context.cancel, &progress).await
}

async fn bonsai_cancel_generation(context: RequestContext, _params: Value) -> Result<(), AppError> {
    context.state.bonsai.cancel_generation();
    Ok(())
}

async fn bonsai_list_assets(context: RequestContext, params: ListAssetsParams) -> Result<Vec<AssetInfo>, AppError> {
    let folder = generate::images_folder(params.folder.as_deref())?;
    let workspace = context.session.workspace.root()?.clone();
    blocking(move || generate::list(&workspace, &folder)).await
}

async fn bonsai_delete_asset(context: RequestContext, params: DeleteAssetParams) -> Result<(), AppError> {
    let folder = generate::images_folder(params.folder.as_deref())?;
    let workspace = context.session.workspace.root()?.clone();
    blocking(move || generate::delete(&workspace, &folder, &params.file_name)).await
}

async fn bonsai_get_server_config(context: RequestContext, _params: Value) -> Result<BonsaiServerConfig, AppError> {
    let storage = context.session.storage.clone();
    blocking(move || config::load(&storage)).await
}

/// Takes `{config: {...}}` as the seed sends it, or the config's fields at the top level.
async fn bonsai_save_server_config(context: RequestContext, params: Value) -> Result<(), AppError> {
    let config = match params.get("config") {
        Some(config) => serde_json::from_value::<SaveServerConfigParams>(serde_json::json!({ "config": config })).map(|p| p.config),
        None => serde_json::from_value::<BonsaiServerConfig>(params),
    }
    .map_err(|err| AppError::invalid_params(format!("Invalid params for bonsai_save_server_config: {err}")))?;
    let storage = context.session.storage.clone();
    blocking(move || config::save(&storage, config)).await
}

async fn bonsai_schedule_stop(context: RequestContext, _params: Value) -> Result<(), AppError> {
    server::schedule_stop(&context.state, &context.session.storage)
}

async fn bonsai_cancel_stop(context: RequestContext, _params: Value) -> Result<(), AppError> {
    context.state.bonsai.cancel_stop_timer();
    Ok(())
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, AppError> + Send + 'static) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work).await.map_err(|err| AppError::internal(format!("the file operation failed unexpectedly ({err})")))?
}
