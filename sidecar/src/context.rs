//! What a command handler gets: the sidecar's shared state, the session the host configured at
//! `initialize`, the request's cancellation token, and a way to open channels.

use crate::channel::{ChannelMessage, ChannelSender};
use crate::permissions::GrantedGroups;
use crate::rpc::host::HostClient;
use crate::rpc::outbox::Outbox;
use crate::confine::Root;
use crate::workspace::Workspace;
use std::sync::{Arc, OnceLock};
use tokio_util::sync::CancellationToken;

/// Set once by `initialize`: where the sidecar may read and write, and what it may do.
pub struct Session {
    /// The workspace root every file path is confined to.
    pub workspace: Workspace,
    /// The extension's global storage directory (presets live here), opened as a confinement
    /// root like the workspace.
    pub storage: Root,
    /// The permission groups granted for this session (trust already applied).
    pub granted: GrantedGroups,
    /// Host names (or `host:port`) of loopback/private servers the user configured (their Ollama,
    /// LM Studio, …) which `http_request` and providers may reach despite the private-address rule.
    pub allowed_hosts: Vec<String>,
    /// `bun` (default) or `npm`: which package manager the process commands run.
    pub package_manager: crate::protocol::rpc::PackageManager,
    /// VS Code's editors (none when the host does not serve `editor/*` requests).
    pub editors: crate::editor::Editors,
}

/// State shared by all requests for the sidecar's lifetime. Each command group owns its part.
#[derive(Default)]
pub struct SidecarState {
    pub session: OnceLock<Arc<Session>>,
    pub processes: crate::commands::process::ProcessTable,
    pub ai: crate::commands::ai::AiState,
    pub bonsai: crate::commands::bonsai::BonsaiState,
    /// The workspace's checkpoints, opened at first use.
    pub checkpoints: crate::commands::checkpoints::CheckpointState,
}

/// The per-request handle passed to every handler.
#[derive(Clone)]
pub struct RequestContext {
    pub state: Arc<SidecarState>,
    pub session: Arc<Session>,
    /// Cancelled by `$/cancelRequest` for this request, and when the sidecar shuts down.
    pub cancel: CancellationToken,
    pub outbox: Outbox,
    /// Requests to the host (its editors), answered through the read loop.
    pub host: HostClient,
}

impl RequestContext {
    /// Opens the sending side of channel `id` (the caller's `onEvent`).
    pub fn channel<T: ChannelMessage>(&self, id: u64) -> Arc<ChannelSender<T>> {
        ChannelSender::new(id, self.outbox.clone())
    }
}
