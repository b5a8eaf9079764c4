//! The fs command group: the seed's nine file commands, confined to the workspace root.
//!
//! Every path goes through `Workspace::resolve` (absolute paths, `..` and symlinks leading outside
//! are refused) and the operation then runs on the resolved path. Commands that act on a link
//! itself (delete, rename, the link of `create_symlink`) do not follow a symlink in the last
//! component; everything that reads or writes content does. The blocking file system calls run
//! on tokio's blocking pool, never on the command loop.
//!
//! `reveal_in_explorer` differs from the seed on purpose: the sidecar cannot reach the OS file
//! manager the way VS Code does, so it only checks the path and returns `{ absolutePath }`; the
//! host then calls `revealFileInOS`.

use crate::context::RequestContext;
use crate::dispatch::Command;
use crate::error::AppError;
use crate::permissions::{Effect, Group};
use crate::protocol::fs::{CreateSymlinkParams, FileEntry, PathParams, RenameFileParams, RevealResult, WriteFileParams};
use crate::workspace::{normalize_wire, Last, Workspace};
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};

pub fn commands() -> Vec<Command> {
    vec![
        crate::command!("read_dir", Group::Fs, Effect::Read, read_dir),
        crate::command!("read_file", Group::Fs, Effect::Read, read_file),
        crate::command!("write_file", Group::Fs, Effect::Write, write_file),
        crate::command!("create_dir", Group::Fs, Effect::Write, create_dir),
        crate::command!("delete_file", Group::Fs, Effect::Write, delete_file),
        crate::command!("delete_dir", Group::Fs, Effect::Write, delete_dir),
        crate::command!("rename_file", Group::Fs, Effect::Write, rename_file),
        crate::command!("create_symlink", Group::Fs, Effect::Write, create_symlink),
        crate::command!("reveal_in_explorer", Group::Fs, Effect::Read, reveal_in_explorer),
    ]
}

/// Runs blocking file-system work on the blocking pool with the session's workspace.
async fn blocking<T: Send + 'static>(
    context: &RequestContext,
    work: impl FnOnce(&Workspace) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let session = context.session.clone();
    tokio::task::spawn_blocking(move || work(&session.workspace))
        .await
        .map_err(|err| AppError::internal(format!("Internal error: a file operation failed unexpectedly ({err})")))?
}

/// Maps an I/O error while doing `action` on `path` to an error that names both and the fix.
pub fn fs_error(path: &str, action: &str, err: std::io::Error) -> AppError {
    let shown = if path.is_empty() { "the workspace root" } else { path };
    match err.kind() {
        ErrorKind::NotFound => AppError::not_found(format!(
            "'{shown}' does not exist in the workspace (while trying to {action} it); check the path, which is relative to the workspace root"
        )),
        ErrorKind::PermissionDenied => {
            AppError::io(format!("cannot {action} '{shown}': permission denied; check the file's permissions ({err})"))
        }
        ErrorKind::AlreadyExists => {
            AppError::io(format!("cannot {action} '{shown}': it already exists; delete or rename it first"))
        }
        ErrorKind::IsADirectory => {
            AppError::io(format!("cannot {action} '{shown}': it is a directory; use the directory commands for it"))
        }
        ErrorKind::NotADirectory => AppError::io(format!(
            "cannot {action} '{shown}': a part of the path is a file, not a directory; check the path"
        )),
        ErrorKind::DirectoryNotEmpty => {
            AppError::io(format!("cannot {action} '{shown}': the directory is not empty; delete its contents first"))
        }
        _ => AppError::io(format!("cannot {action} '{shown}': {err}")),
    }
}

fn refuse_root(path: &str, resolved: &Path, workspace: &Workspace, action: &str) -> Result<(), AppError> {
    if workspace.canonical_root()? == resolved {
        return Err(AppError::security(format!(
            "refusing to {action} the workspace root itself ('{path}'); name a file or folder inside it"
        )));
    }
    Ok(())
}

fn modified_ms(meta: &std::fs::Metadata) -> Option<u64> {
    let modified = meta.modified().ok()?;
    let since_epoch = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
    u64::try_from(since_epoch.as_millis()).ok()
}

async fn read_dir(context: RequestContext, params: PathParams) -> Result<Vec<FileEntry>, AppError> {
    blocking(&context, move |workspace| {
        let path = params.path;
        let dir = workspace.resolve(&path)?;
        let base = normalize_wire(&path);
        let reader = std::fs::read_dir(&dir).map_err(|err| fs_error(&path, "list", err))?;
        let mut entries = Vec::new();
        for entry in reader {
            let entry = entry.map_err(|err| fs_error(&path, "list", err))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            // Follow links for the kind (a link to a folder lists as a folder); a dangling link
            // is listed as the file it is.
            let meta = std::fs::metadata(entry.path()).or_else(|_| std::fs::symlink_metadata(entry.path()));
            let (is_dir, modified) = match &meta {
                Ok(meta) => (meta.is_dir(), modified_ms(meta)),
                Err(_) => (false, None),
            };
            let entry_path = if base.is_empty() { name.clone() } else { format!("{base}/{name}") };
            entries.push(FileEntry { name, path: entry_path, is_dir, modified_ms: modified });
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(entries)
    })
    .await
}

async fn read_file(context: RequestContext, params: PathParams) -> Result<String, AppError> {
    blocking(&context, move |workspace| {
        let path = params.path;
        let file = workspace.resolve(&path)?;
        let bytes = std::fs::read(&file).map_err(|err| fs_error(&path, "read", err))?;
        String::from_utf8(bytes).map_err(|_| {
            AppError::io(format!("cannot read '{path}' as text: it is not UTF-8 (a binary file?); open it in the editor instead"))
        })
    })
    .await
}

async fn write_file(context: RequestContext, params: WriteFileParams) -> Result<(), AppError> {
    blocking(&context, move |workspace| {
        let path = params.path;
        let file = workspace.resolve(&path)?;
        refuse_root(&path, &file, workspace, "write")?;
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(|err| fs_error(&path, "create the folders of", err))?;
        }
        std::fs::write(&file, params.content.as_bytes()).map_err(|err| fs_error(&path, "write", err))
    })
    .await
}

async fn create_dir(context: RequestContext, params: PathParams) -> Result<(), AppError> {
    blocking(&context, move |workspace| {
        let path = params.path;
        let dir = workspace.resolve(&path)?;
        std::fs::create_dir_all(&dir).map_err(|err| fs_error(&path, "create", err))
    })
    .await
}

async fn delete_file(context: RequestContext, params: PathParams) -> Result<(), AppError> {
    blocking(&context, move |workspace| {
        let path = params.path;
        let file = workspace.resolve_with(&path, Last::NoFollow)?;
        refuse_root(&path, &file, workspace, "delete")?;
        let meta = std::fs::symlink_metadata(&file).map_err(|err| fs_error(&path, "delete", err))?;
        if meta.is_dir() {
            return Err(AppError::io(format!("cannot delete '{path}' with delete_file: it is a folder; use delete_dir")));
        }
        std::fs::remove_file(&file).map_err(|err| fs_error(&path, "delete", err))
    })
    .await
}

async fn delete_dir(context: RequestContext, params: PathParams) -> Result<(), AppError> {
    blocking(&context, move |workspace| {
        let path = params.path;
        let dir = workspace.resolve_with(&path, Last::NoFollow)?;
        refuse_root(&path, &dir, workspace, "delete")?;
        let meta = std::fs::symlink_metadata(&dir).map_err(|err| fs_error(&path, "delete", err))?;
        if meta.file_type().is_symlink() {
            // Remove the link, never what it points to.
            return std::fs::remove_file(&dir).map_err(|err| fs_error(&path, "delete", err));
        }
        if !meta.is_dir() {
            return Err(AppError::io(format!("cannot delete '{path}' with delete_dir: it is a file; use delete_file")));
        }
        // remove_dir_all removes symlinks inside without following them.
        std::fs::remove_dir_all(&dir).map_err(|err| fs_error(&path, "delete", err))
    })
    .await
}

async fn rename_file(context: RequestContext, params: RenameFileParams) -> Result<(), AppError> {
    blocking(&context, move |workspace| {
        let from = workspace.resolve_with(&params.from, Last::NoFollow)?;
        let to = workspace.resolve_with(&params.to, Last::NoFollow)?;
        refuse_root(&params.from, &from, workspace, "rename")?;
        refuse_root(&params.to, &to, workspace, "replace")?;
        std::fs::symlink_metadata(&from).map_err(|err| fs_error(&params.from, "rename", err))?;
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|err| fs_error(&params.to, "create the folders of", err))?;
        }
        std::fs::rename(&from, &to)
            .map_err(|err| fs_error(&params.from, &format!("rename to '{}'", params.to), err))
    })
    .await
}

async fn create_symlink(context: RequestContext, params: CreateSymlinkParams) -> Result<(), AppError> {
    blocking(&context, move |workspace| {
        let link = workspace.resolve_with(&params.link_path, Last::NoFollow)?;
        refuse_root(&params.link_path, &link, workspace, "replace")?;
        let target = workspace.resolve(&params.target)?;
        let existing = std::fs::symlink_metadata(&link).ok();
        if let Some(meta) = &existing {
            if meta.file_type().is_symlink() && workspace.resolve(&params.link_path).ok().as_deref() == Some(&target) {
                return Ok(()); // already points there: idempotent
            }
            let removed = if meta.is_dir() { std::fs::remove_dir(&link) } else { std::fs::remove_file(&link) };
            removed.map_err(|err| match err.kind() {
                ErrorKind::DirectoryNotEmpty => AppError::io(format!(
                    "cannot replace '{}' with a symlink: it is a folder with files in it; delete it first (delete_dir) if that is what you want",
                    params.link_path
                )),
                _ => fs_error(&params.link_path, "replace", err),
            })?;
        }
        let parent = link.parent().map(Path::to_path_buf).unwrap_or_default();
        std::fs::create_dir_all(&parent).map_err(|err| fs_error(&params.link_path, "create the folders of", err))?;
        let relative_target = relative_path(&parent, &target);
        make_symlink(&relative_target, &link, target.is_dir()).map_err(|err| fs_error(&params.link_path, "create", err))
    })
    .await
}

#[cfg(unix)]
fn make_symlink(target: &Path, link: &Path, _is_dir: bool) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(windows)]
fn make_symlink(target: &Path, link: &Path, is_dir: bool) -> std::io::Result<()> {
    if is_dir {
        std::os::windows::fs::symlink_dir(target, link)
    } else {
        std::os::windows::fs::symlink_file(target, link)
    }
}

/// The path from directory `from` to `to`, both absolute and free of symlinks and `..`.
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component> = from.components().collect();
    let to_parts: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to_parts).take_while(|(a, b)| a == b).count();
    let mut relative = PathBuf::new();
    for _ in common..from.len() {
        relative.push("..");
    }
    for part in &to_parts[common..] {
        relative.push(part.as_os_str());
    }
    if relative.as_os_str().is_empty() {
        relative.push(".");
    }
    relative
}

async fn reveal_in_explorer(context: RequestContext, params: PathParams) -> Result<RevealResult, AppError> {
    blocking(&context, move |workspace| {
        let path = params.path;
        let resolved = workspace.resolve(&path)?;
        std::fs::symlink_metadata(&resolved).map_err(|err| fs_error(&path, "reveal", err))?;
        Ok(RevealResult { absolute_path: resolved.display().to_string() })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::codes;

    #[test]
    fn relative_paths_between_directories() {
        assert_eq!(relative_path(Path::new("/w/a/b"), Path::new("/w/c")), PathBuf::from("../../c"));
        assert_eq!(relative_path(Path::new("/w"), Path::new("/w/c/d")), PathBuf::from("c/d"));
        assert_eq!(relative_path(Path::new("/w/a"), Path::new("/w/a")), PathBuf::from("."));
    }

    #[test]
    fn errors_name_the_path_and_the_fix() {
        let err = fs_error("src/a.ts", "read", std::io::Error::from(ErrorKind::NotFound));
        assert_eq!(err.code, codes::NOT_FOUND);
        assert!(err.message.contains("src/a.ts") && err.message.contains("relative to the workspace root"));
    }
}
