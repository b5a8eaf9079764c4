//! The export command group: `export_project` (the workspace, or a project folder in it, as a zip
//! without dependencies, build output or secrets) and `export_component` (one component with the
//! local files it imports). Both answer the zip's path.
//!
//! Files are read beneath the workspace handle; the zip is written beneath a handle on the folder
//! the user picked in the host's save dialog (`outputPath`'s parent, opened with ambient
//! authority, the one place that is allowed), to a temporary file renamed over the target when
//! complete, so a failed export never leaves half a zip or replaces a good one.
//!
//! Code map: `project` (what goes in, `.env.example`, README), `component` (the import graph and
//! the stubs), this file (the destination and the zip writer).

mod component;
mod project;

use crate::command;
use crate::confine::{RelPath, Root};
use crate::context::RequestContext;
use crate::dispatch::Command;
use crate::error::AppError;
use crate::permissions::{Effect, Group};
use crate::protocol::export::{ExportComponentParams, ExportProjectParams};
use std::io::{Seek, Write};
use std::path::{Component, Path, PathBuf};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

pub fn commands() -> Vec<Command> {
    vec![
        command!("export_project", Group::Fs, Effect::Write, export_project),
        command!("export_component", Group::Fs, Effect::Write, export_component),
    ]
}

async fn export_project(context: RequestContext, params: ExportProjectParams) -> Result<String, AppError> {
    let workspace = context.session.workspace.root()?.clone();
    let cancel = context.cancel.clone();
    let work = tokio::task::spawn_blocking(move || project::export(&workspace, &params));
    finish(work, &cancel).await
}

async fn export_component(context: RequestContext, params: ExportComponentParams) -> Result<String, AppError> {
    let workspace = context.session.workspace.root()?.clone();
    let cancel = context.cancel.clone();
    let work = tokio::task::spawn_blocking(move || component::export(&workspace, &params));
    finish(work, &cancel).await
}

/// Waits for the blocking export. A cancel answers at once; the export thread then finishes into
/// its temporary file, which only replaces the target if it completes.
async fn finish(
    work: tokio::task::JoinHandle<Result<String, AppError>>,
    cancel: &tokio_util::sync::CancellationToken,
) -> Result<String, AppError> {
    tokio::select! {
        result = work => result.map_err(|err| AppError::internal(format!("the export failed unexpectedly ({err})")))?,
        _ = cancel.cancelled() => Err(AppError::cancelled()),
    }
}

/// Where a zip goes: the folder the user picked, opened, and the file's name in it.
pub struct Destination {
    pub folder: Root,
    pub name: RelPath,
}

impl Destination {
    /// Checks `output_path` (absolute, from the save dialog) and opens its folder.
    pub fn open(output_path: &str) -> Result<Destination, AppError> {
        let raw = output_path.trim();
        let path = PathBuf::from(raw);
        if raw.is_empty() || !path.is_absolute() {
            return Err(AppError::invalid_params(format!(
                "outputPath '{raw}' is not an absolute path; pass where to save the zip, as the save dialog gives it (e.g. /home/you/app.zip)"
            )));
        }
        if path.components().any(|c| c == Component::ParentDir) {
            return Err(AppError::invalid_params(format!("outputPath '{raw}' contains '..'; pass the zip's plain absolute path")));
        }
        let (Some(parent), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
            return Err(AppError::invalid_params(format!("outputPath '{raw}' names no file; pass the zip's path, ending in its file name")));
        };
        let folder = Root::open_ambient(parent).map_err(|err| {
            AppError::not_found(format!("the folder {} to save the zip in cannot be opened ({err}); pick another place", parent.display()))
        })?;
        let name = RelPath::parse(name)?;
        Ok(Destination { folder, name })
    }

    /// The zip's absolute path, as the command answers it.
    pub fn path(&self) -> PathBuf {
        self.folder.path().join(self.name.as_path())
    }

    /// True when the zip would land inside `root`'s folder `inside` (it must not pack itself).
    pub fn relative_to(&self, root: &Root, inside: &RelPath) -> Option<RelPath> {
        let base = root.path().join(inside.as_path());
        let relative = self.path().strip_prefix(&base).ok()?.to_path_buf();
        Some(RelPath::from_normal(&relative))
    }

    /// Writes the zip: `fill` adds the entries; the file replaces any old one only when complete.
    pub fn write(&self, fill: impl FnOnce(&mut Zip<&mut crate::confine::File>) -> Result<(), AppError>) -> Result<String, AppError> {
        let mut failure = None;
        let written = self.folder.write_atomic_with(&self.name, |file| {
            let mut zip = Zip { writer: ZipWriter::new(file) };
            if let Err(err) = fill(&mut zip) {
                failure = Some(err);
                return Err(std::io::Error::other("the export stopped"));
            }
            zip.writer.finish().map(|_| ()).map_err(std::io::Error::other)
        });
        if let Some(err) = failure {
            return Err(err);
        }
        let shown = self.path().display().to_string();
        written.map_err(|err| {
            let reason = err.to_app_error(&self.name, "write").message;
            AppError::io(format!("cannot write the zip {shown} ({reason}); pick another place to save it"))
        })?;
        Ok(shown)
    }
}

/// A zip being written: entries by their `/`-separated name.
pub struct Zip<W: Write + Seek> {
    writer: ZipWriter<W>,
}

impl<W: Write + Seek> Zip<W> {
    /// Adds a file with `bytes`; `executable` keeps a script runnable after unzipping.
    pub fn add(&mut self, name: &str, bytes: &[u8], executable: bool) -> Result<(), AppError> {
        let mode = if executable { 0o755 } else { 0o644 };
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated).unix_permissions(mode).large_file(bytes.len() as u64 >= u32::MAX as u64);
        self.writer.start_file(name, options).map_err(|err| AppError::io(format!("cannot add {name} to the zip: {err}")))?;
        self.writer.write_all(bytes).map_err(|err| AppError::io(format!("cannot add {name} to the zip: {err}")))
    }
}

/// True for the mode bits of an executable file.
pub fn is_executable(metadata: &cap_std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use cap_std::fs::PermissionsExt;
        metadata.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        false
    }
}

/// The name of `path` inside the archive: relative to `base`, `/`-separated.
pub fn entry_name(base: &RelPath, path: &RelPath) -> String {
    Path::new(path.wire()).strip_prefix(base.wire()).map(|rest| rest.to_string_lossy().replace('\\', "/")).unwrap_or_else(|_| path.wire().to_string())
}
