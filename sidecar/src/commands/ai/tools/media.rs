//! The agent's `generate_image` and `web_search` tools. Each is offered only when it can work:
//! `generate_image` when a Bonsai install is found (the image server config in the storage
//! folder), `web_search` when the user configured a SearXNG URL (`prototyper.searxng.url`, which
//! the host sends as the request's `searxngUrl`). Both are gated like every tool that is not a
//! plain read, and `generate_image` (which writes into the workspace) is refused in an untrusted
//! workspace.
//!
//! `generate_image` starts the image server when it is not running (the user allowed the call),
//! generates one image into the images folder, and then arms the server's idle stop.

use super::{int_arg, str_arg, ToolContext, ToolOutcome};
use crate::commands::bonsai::{config, generate, server};
use crate::commands::search;
use crate::confine::Root;
use crate::context::{RequestContext, SidecarState};
use crate::protocol::ai::CompletionRequest;
use serde_json::{json, Value};
use std::sync::Arc;

pub const TOOLS: [&str; 2] = ["generate_image", "web_search"];
const DEFAULT_RESULTS: u64 = 5;
const MAX_RESULTS: u64 = 10;

/// What the two tools need, decided when a stream starts.
#[derive(Clone, Default)]
pub struct MediaTools {
    images: Option<Images>,
    search: Option<Search>,
}

#[derive(Clone)]
struct Images {
    state: Arc<SidecarState>,
    storage: Root,
    folder: Option<String>,
}

#[derive(Clone)]
struct Search {
    base: url::Url,
    allowed: Vec<String>,
}

impl MediaTools {
    /// The tools a request can use: images when Bonsai is installed, search when a SearXNG URL is set.
    pub fn for_request(context: &RequestContext, request: &CompletionRequest) -> MediaTools {
        let storage = context.session.storage.clone();
        let installed = config::load(&storage).ok().is_some_and(|config| config::locate(&config).is_ok());
        let images = installed.then(|| Images { state: context.state.clone(), storage, folder: request.images_folder.clone() });
        let search = request
            .searxng_url
            .as_deref()
            .filter(|url| !url.trim().is_empty())
            .and_then(|url| search::base_url(url).ok())
            .map(|base| Search { base, allowed: context.session.allowed_hosts.clone() });
        MediaTools { images, search }
    }

    pub fn offers(&self, tool: &str) -> bool {
        match tool {
            "generate_image" => self.images.is_some(),
            "web_search" => self.search.is_some(),
            _ => false,
        }
    }

    /// The definitions of the tools offered.
    pub fn definitions(&self) -> Vec<Value> {
        let mut definitions = Vec::new();
        if self.images.is_some() {
            definitions.push(json!({
                "name": "generate_image",
                "description": "Generate an image from a text prompt with the user's local image model, and save it as a PNG in the project's images folder. Returns the saved file's workspace-relative path, to use in code (e.g. an <img src>). Takes tens of seconds.",
                "parameters": { "type": "object", "properties": {
                    "prompt": { "type": "string", "description": "What the image shows: subject, style, colours, composition." },
                    "width": { "type": "integer", "description": "Width in pixels, 64 to 2048 (default 512)." },
                    "height": { "type": "integer", "description": "Height in pixels, 64 to 2048 (default 512)." },
                    "steps": { "type": "integer", "description": "Denoising steps (default 4)." },
                    "seed": { "type": "integer", "description": "Seed, to repeat an image (default: random)." },
                }, "required": ["prompt"] },
            }));
        }
        if self.search.is_some() {
            definitions.push(json!({
                "name": "web_search",
                "description": "Search the web (through the user's SearXNG). Returns numbered results with title, URL and snippet. Use it for current documentation, APIs and facts you are not sure of.",
                "parameters": { "type": "object", "properties": {
                    "query": { "type": "string", "description": "The search query." },
                    "num_results": { "type": "integer", "description": "How many results, 1 to 10 (default 5)." },
                }, "required": ["query"] },
            }));
        }
        definitions
    }

    /// Lines for the system prompt's tool list.
    pub fn prompt_lines(&self) -> String {
        let mut lines = String::new();
        if self.images.is_some() {
            lines.push_str("\n- generate_image: make an image from a prompt; it is saved in the project and you get its path.");
        }
        if self.search.is_some() {
            lines.push_str("\n- web_search: search the web for current information.");
        }
        lines
    }

    /// The permission card's sentence.
    pub fn reason(tool: &str, args: &Value) -> Option<String> {
        match tool {
            "generate_image" => Some(format!("generates an image with the local image server: \"{}\"", str_arg(args, &["prompt"]).unwrap_or_default())),
            "web_search" => Some(format!("searches the web for \"{}\"", str_arg(args, &["query", "q"]).unwrap_or_default())),
            _ => None,
        }
    }
}

pub async fn generate_image(context: &ToolContext, args: &Value) -> Result<ToolOutcome, String> {
    let Some(images) = &context.media.images else {
        return Err("not available: no Bonsai install was found (the user sets it up with 'Prototyper: Configure Image Server…')".into());
    };
    let prompt = str_arg(args, &["prompt", "description"]).ok_or("Invalid arguments: missing \"prompt\"")?;
    let size = |name: &str| int_arg(args, &[name]).map(|v| v.min(u32::MAX as u64) as u32);
    let request = generate::ImageRequest::new(&prompt, size("width"), size("height"), size("steps"), int_arg(args, &["seed"]), None)
        .map_err(|err| format!("Invalid arguments: {}", err.message))?;
    let folder = generate::images_folder(images.folder.as_deref()).map_err(|err| err.message)?;
    let workspace = context.workspace.root().map_err(|err| err.message.clone())?.clone();
    let (state, storage, cancel) = (images.state.clone(), images.storage.clone(), context.cancel.clone());
    // Its own task: when the user stops the stream, the agent stops waiting for the tool at once,
    // but this still sees the stop and cleans up (a server it was starting is stopped, the idle
    // stop is armed), instead of being dropped halfway.
    let work = tokio::spawn(async move {
        if state.bonsai.current().is_none() {
            server::start(&state, &storage, None, &cancel).await.map_err(|err| format!("the image server could not start: {}", err.message))?;
        }
        state.bonsai.cancel_stop_timer();
        let generated = generate::generate(&state, &storage, &workspace, &folder, request, &cancel, &|_| {}).await;
        let _ = server::schedule_stop(&state, &storage);
        generated.map_err(|err| err.message)
    });
    let result = work.await.map_err(|err| format!("the image generation failed unexpectedly ({err})"))??;
    Ok(ToolOutcome {
        path: Some(result.relative_path.clone()),
        ..ToolOutcome::ok(format!(
            "Saved the image to {} ({}×{}, seed {}). Refer to it by that path.",
            result.relative_path, result.width, result.height, result.seed
        ))
    })
}

pub async fn web_search(context: &ToolContext, args: &Value) -> Result<ToolOutcome, String> {
    let Some(configured) = &context.media.search else {
        return Err("not available: no SearXNG URL is configured (setting prototyper.searxng.url)".into());
    };
    let query = str_arg(args, &["query", "q"]).filter(|q| !q.trim().is_empty()).ok_or("Invalid arguments: missing \"query\"")?;
    let count = int_arg(args, &["num_results", "numResults", "count"]).unwrap_or(DEFAULT_RESULTS).clamp(1, MAX_RESULTS) as usize;
    let hits = search::search(&configured.allowed, &configured.base, query.trim(), &context.cancel).await.map_err(|err| err.message)?;
    if hits.is_empty() {
        return Ok(ToolOutcome::ok(format!("No results for \"{}\".", query.trim())));
    }
    let text = hits
        .iter()
        .take(count)
        .enumerate()
        .map(|(i, hit)| format!("[{}] {}\n{}\n{}", i + 1, hit.title.trim(), hit.url.trim(), hit.content.trim()))
        .collect::<Vec<_>>()
        .join("\n\n");
    Ok(ToolOutcome::ok(text))
}
