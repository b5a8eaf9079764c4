//! Generating an image with the running server, and the generated images in the workspace.
//!
//! One generation runs at a time. `POST /generate` must answer a PNG (its magic bytes are
//! checked); the image is saved beneath the workspace root in the images folder as
//! `bonsai_<ms>_<seed>.png`, with a `.json` beside it holding how it was made. A generation ends
//! early, saving nothing, when it is cancelled (`bonsai_cancel_generation` or the request's
//! cancel) or when the server exits under it.

use super::config;
use super::server::Server;
use crate::confine::{RelPath, Root};
use crate::context::SidecarState;
use crate::error::AppError;
use crate::protocol::bonsai::{AssetInfo, BonsaiGenerateResult, GenerateProgress};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio_util::sync::CancellationToken;

pub const DEFAULT_FOLDER: &str = "assets/generated";
const GENERATE_TIMEOUT: Duration = Duration::from_secs(300);
const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
/// Larger answers are refused rather than held in memory.
const MAX_IMAGE_BYTES: usize = 64 * 1024 * 1024;
const MAX_SIDE: u32 = 2048;
const MIN_SIDE: u32 = 64;
const MAX_STEPS: u32 = 200;

/// What to generate (defaults already applied).
#[derive(Debug, Clone)]
pub struct ImageRequest {
    pub prompt: String,
    pub width: u32,
    pub height: u32,
    pub steps: u32,
    pub seed: u64,
    pub backend: Option<String>,
}

impl ImageRequest {
    /// Applies the seed's defaults (512×512, 4 steps, seed = now in ms) and checks the ranges.
    pub fn new(prompt: &str, width: Option<u32>, height: Option<u32>, steps: Option<u32>, seed: Option<u64>, backend: Option<String>) -> Result<Self, AppError> {
        let prompt = prompt.trim();
        if prompt.is_empty() {
            return Err(AppError::invalid_params("the prompt is empty: describe the image to generate"));
        }
        let width = width.unwrap_or(512);
        let height = height.unwrap_or(512);
        for (name, side) in [("width", width), ("height", height)] {
            if !(MIN_SIDE..=MAX_SIDE).contains(&side) {
                return Err(AppError::invalid_params(format!("{name} {side} is out of range: use {MIN_SIDE} to {MAX_SIDE} pixels")));
            }
        }
        let steps = steps.unwrap_or(4);
        if !(1..=MAX_STEPS).contains(&steps) {
            return Err(AppError::invalid_params(format!("steps {steps} is out of range: use 1 to {MAX_STEPS}")));
        }
        let seed = seed.unwrap_or_else(|| now_ms() % (1 << 53));
        let backend = backend.map(|b| b.trim().to_string()).filter(|b| !b.is_empty());
        Ok(ImageRequest { prompt: prompt.to_string(), width, height, steps, seed, backend })
    }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// The images folder a caller named (workspace-relative), or the default.
pub fn images_folder(raw: Option<&str>) -> Result<RelPath, AppError> {
    let raw = raw.map(str::trim).filter(|raw| !raw.is_empty()).unwrap_or(DEFAULT_FOLDER);
    let folder = RelPath::parse(raw)?;
    if folder.names_git() {
        return Err(AppError::security(format!("the images folder '{raw}' is inside .git; pick a folder of the project (prototyper.images.folder)")));
    }
    Ok(folder)
}

/// Generates one image and saves it. `progress` hears where it is; `cancel` ends it.
pub async fn generate(
    state: &Arc<SidecarState>,
    storage: &Root,
    workspace: &Root,
    folder: &RelPath,
    request: ImageRequest,
    cancel: &CancellationToken,
    progress: &(dyn Fn(GenerateProgress) + Send + Sync),
) -> Result<BonsaiGenerateResult, AppError> {
    let bonsai = &state.bonsai;
    let (_generation, dropped) = bonsai.begin_generation()?;
    let Some(server) = bonsai.current() else {
        return Err(AppError::process(
            "the image server is not running: start it first ('Prototyper: Start Image Server', bonsai_start_server)",
        ));
    };
    let variant = config::load(storage).map(|config| config.variant).unwrap_or_else(|_| "ternary".into());
    if workspace.lands_in_git(folder) {
        return Err(AppError::security(format!("the images folder '{}' leads into .git; pick a folder of the project", folder.shown())));
    }
    let started = Instant::now();
    let report = |stage: &str, message: String| progress(GenerateProgress { stage: stage.into(), message, elapsed_ms: started.elapsed().as_millis() as u64 });
    report("starting", format!("Asking the image server for {}×{}, {} steps", request.width, request.height, request.steps));

    let mut body = json!({
        "prompt": request.prompt, "width": request.width, "height": request.height, "steps": request.steps, "seed": request.seed,
    });
    if let Some(backend) = &request.backend {
        body["backend"] = json!(backend);
    }
    let exchange = async {
        let response = bonsai
            .client()
            .post(format!("{}/generate", server.base_url()))
            .timeout(GENERATE_TIMEOUT)
            .json(&body)
            .send()
            .await
            .map_err(|err| request_error(&server, &err))?;
        let status = response.status();
        let bytes = read_body(response).await.map_err(|err| request_error(&server, &err))?;
        Ok::<_, AppError>((status, bytes))
    };
    tokio::pin!(exchange);
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    ticker.tick().await;
    let (status, bytes) = loop {
        tokio::select! {
            answer = &mut exchange => match answer {
                Ok(answer) => break answer,
                Err(err) => return Err(died_or(&server, err).await),
            },
            _ = ticker.tick() => report("generating", format!("Generating… {} s", started.elapsed().as_secs())),
            _ = cancel.cancelled() => return Err(AppError::cancelled()),
            _ = dropped.cancelled() => return Err(AppError::cancelled()),
            exit = server.exited() => return Err(AppError::process(format!(
                "the image server {} during the generation, so no image was made. Its last output:\n{}\nSee 'Prototyper: Show Image Server Log' and start it again.",
                exit.describe(), server.log.tail(8)
            ))),
        }
    };
    if !status.is_success() {
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned();
        return Err(AppError::http(format!("the image server answered {status} to POST /generate: {text}")));
    }
    if !bytes.starts_with(PNG_MAGIC) {
        return Err(AppError::http(format!(
            "the image server's answer is not a PNG image (it starts with {:?}), so nothing was saved; check its log ('Prototyper: Show Image Server Log')",
            String::from_utf8_lossy(&bytes[..bytes.len().min(40)])
        )));
    }
    report("saving", format!("Saving into {}", folder.shown()));
    let workspace = workspace.clone();
    let folder = folder.clone();
    tokio::task::spawn_blocking(move || save(&workspace, &folder, &request, &variant, &bytes))
        .await
        .map_err(|err| AppError::internal(format!("saving the image failed unexpectedly ({err})")))?
}

async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if bytes.len() + chunk.len() > MAX_IMAGE_BYTES {
            break; // judged below: a PNG this large is refused as not a PNG would be
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn request_error(server: &Server, err: &reqwest::Error) -> AppError {
    if err.is_timeout() {
        return AppError::http(format!("the image server did not finish within {} s; try fewer steps or a smaller size", GENERATE_TIMEOUT.as_secs()));
    }
    AppError::http(format!("the request to the image server ({}/generate) failed: {err}", server.base_url()))
}

/// A failed request because the server died reads as that, not as a network error.
async fn died_or(server: &Server, err: AppError) -> AppError {
    // The connection often breaks a moment before the exit is reaped.
    match tokio::time::timeout(Duration::from_millis(500), server.exited()).await.ok() {
        Some(exit) => AppError::process(format!(
            "the image server {} during the generation, so no image was made. Its last output:\n{}\nSee 'Prototyper: Show Image Server Log' and start it again.",
            exit.describe(),
            server.log.tail(8)
        )),
        None => err,
    }
}

fn save(workspace: &Root, folder: &RelPath, request: &ImageRequest, variant: &str, png: &[u8]) -> Result<BonsaiGenerateResult, AppError> {
    workspace.create_dir_all(folder).map_err(|err| err.to_app_error(folder, "create"))?;
    let stamp = now_ms();
    let (mut name, mut n) = (format!("bonsai_{stamp}_{}", request.seed), 1);
    while workspace.symlink_metadata(&folder.join(&format!("{name}.png"))).is_ok() {
        n += 1;
        name = format!("bonsai_{stamp}_{}_{n}", request.seed);
    }
    let image = folder.join(&format!("{name}.png"));
    let about = folder.join(&format!("{name}.json"));
    workspace.write_atomic(&image, png).map_err(|err| err.to_app_error(&image, "write"))?;
    let description = json!({
        "prompt": request.prompt, "width": request.width, "height": request.height, "steps": request.steps,
        "seed": request.seed, "variant": variant,
    });
    let text = serde_json::to_string_pretty(&description).unwrap_or_default();
    workspace.write_atomic(&about, text.as_bytes()).map_err(|err| err.to_app_error(&about, "write"))?;
    Ok(BonsaiGenerateResult {
        file_path: workspace.path().join(image.as_path()).display().to_string(),
        file_name: format!("{name}.png"),
        width: request.width,
        height: request.height,
        seed: request.seed,
        relative_path: image.wire().to_string(),
    })
}

/// The PNGs in `folder`, newest first, with the prompt of each one's `.json`.
pub fn list(workspace: &Root, folder: &RelPath) -> Result<Vec<AssetInfo>, AppError> {
    let entries = match workspace.list(folder) {
        Ok(entries) => entries,
        Err(err) if err.is_not_found() => return Ok(Vec::new()),
        Err(err) => return Err(err.to_app_error(folder, "list")),
    };
    let mut assets = Vec::new();
    for entry in entries {
        if entry.is_dir || entry.is_symlink || !entry.name.to_ascii_lowercase().ends_with(".png") {
            continue;
        }
        let path = folder.join(&entry.name);
        let Ok(metadata) = workspace.symlink_metadata(&path) else { continue };
        let stem = &entry.name[..entry.name.len() - 4];
        let prompt = workspace
            .read_existing(&folder.join(&format!("{stem}.json")), 256 * 1024)
            .ok()
            .flatten()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .and_then(|about| about.get("prompt").and_then(|p| p.as_str()).map(str::to_string));
        let modified_ms = entry.modified_ms.unwrap_or(0);
        assets.push((modified_ms, AssetInfo {
            file_path: workspace.path().join(path.as_path()).display().to_string(),
            relative_path: path.wire().to_string(),
            file_name: entry.name,
            file_size: metadata.len(),
            created_at: modified_ms / 1000,
            prompt,
        }));
    }
    assets.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.file_name.cmp(&a.1.file_name)));
    Ok(assets.into_iter().map(|(_, asset)| asset).collect())
}

/// Deletes `file_name` (a PNG directly in `folder`) and its `.json`.
pub fn delete(workspace: &Root, folder: &RelPath, file_name: &str) -> Result<(), AppError> {
    let plain = !file_name.is_empty() && !file_name.contains(['/', '\\', '\0']) && file_name != "." && file_name != "..";
    if !plain || !file_name.to_ascii_lowercase().ends_with(".png") {
        return Err(AppError::invalid_params(format!(
            "'{file_name}' is not the name of a generated image: pass the PNG's file name as bonsai_list_assets lists it"
        )));
    }
    let image = folder.join(file_name);
    match workspace.remove_file(&image) {
        Ok(()) => {}
        Err(err) if err.is_not_found() => {
            return Err(AppError::not_found(format!("there is no image '{file_name}' in {}; refresh the list", folder.shown())))
        }
        Err(err) => return Err(err.to_app_error(&image, "delete")),
    }
    let about = folder.join(&format!("{}.json", &file_name[..file_name.len() - 4]));
    match workspace.remove_file(&about) {
        Ok(()) => Ok(()),
        Err(err) if err.is_not_found() => Ok(()),
        Err(err) => Err(err.to_app_error(&about, "delete")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_ranges() {
        let request = ImageRequest::new(" a fox ", None, None, None, Some(7), None).unwrap();
        assert_eq!((request.prompt.as_str(), request.width, request.height, request.steps, request.seed), ("a fox", 512, 512, 4, 7));
        assert!(ImageRequest::new("  ", None, None, None, None, None).unwrap_err().message.contains("prompt is empty"));
        assert!(ImageRequest::new("x", Some(10_000), None, None, None, None).unwrap_err().message.contains("width"));
        assert!(ImageRequest::new("x", None, None, Some(0), None, None).unwrap_err().message.contains("steps"));
    }

    #[test]
    fn the_images_folder_stays_out_of_git() {
        assert_eq!(images_folder(None).unwrap().wire(), DEFAULT_FOLDER);
        assert_eq!(images_folder(Some(" public/img ")).unwrap().wire(), "public/img");
        assert!(images_folder(Some(".git/x")).is_err());
        assert!(images_folder(Some("../x")).is_err());
    }
}
