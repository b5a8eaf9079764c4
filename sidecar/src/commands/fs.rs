//! The fs command group: the seed's nine file commands, confined to the workspace root.
//!
//! Every path is parsed by `RelPath` (absolute paths and `..` are refused by name) and opened
//! beneath the workspace's directory handle (`confine::Root`), so a symlink leading outside fails
//! in the kernel's own path resolution. Commands that act on a link itself (delete, rename, the
//! link of `create_symlink`) do not follow a symlink in the last component; everything that reads
//! or writes content does. The blocking calls run on tokio's blocking pool.
//!
//! Limits: `read_file` reads regular files up to `MAX_READ_BYTES` (FIFOs, sockets and devices are
//! refused at once) and refuses content that is binary, so a response stays within a small
//! multiple of the file's size. Nothing is written, deleted or renamed inside a `.git` folder:
//! git's hooks there run code, and repository changes belong to git itself.
//!
//! `reveal_in_explorer` differs from the seed on purpose: the sidecar cannot reach the OS file
//! manager the way VS Code does, so it only checks the path and returns `{ absolutePath }`; the
//! host then calls `revealFileInOS`.

use crate::confine::{describe_size, RelPath, Root};
use crate::context::RequestContext;
use crate::dispatch::Command;
use crate::error::AppError;
use crate::permissions::{Effect, Group};
use crate::protocol::fs::{CreateSymlinkParams, FileEntry, PathParams, RenameFileParams, RevealResult, WriteFileParams};
use crate::workspace::{command_error, Workspace};
use std::path::{Component, Path, PathBuf};

/// The largest file `read_file` returns (10 MiB). Larger files are for the editor.
pub const MAX_READ_BYTES: u64 = 10 * 1024 * 1024;

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

fn refuse_root(path: &RelPath, action: &str) -> Result<(), AppError> {
    if path.is_root() {
        return Err(AppError::security(format!("refusing to {action} the workspace root itself; name a file or folder inside it")));
    }
    Ok(())
}

/// Refuses a change inside a `.git` folder (also one reached through a symlink).
pub fn refuse_git(root: &Root, path: &RelPath, action: &str) -> Result<(), AppError> {
    if root.lands_in_git(path) {
        return Err(AppError::security(format!(
            "refusing to {action} '{}': it is inside a .git folder, git's own internals (hooks there run code); make repository changes with git itself",
            path.shown()
        )));
    }
    Ok(())
}

async fn read_dir(context: RequestContext, params: PathParams) -> Result<Vec<FileEntry>, AppError> {
    blocking(&context, move |workspace| {
        let (root, path) = workspace.locate(&params.path)?;
        let entries = root.list(&path).map_err(command_error(&path, "list"))?;
        Ok(entries
            .into_iter()
            .map(|entry| FileEntry {
                path: path.join(&entry.name).wire().to_string(),
                name: entry.name,
                is_dir: entry.is_dir,
                modified_ms: entry.modified_ms,
            })
            .collect())
    })
    .await
}

async fn read_file(context: RequestContext, params: PathParams) -> Result<String, AppError> {
    blocking(&context, move |workspace| {
        let (root, path) = workspace.locate(&params.path)?;
        let bytes = root.read_regular(&path, MAX_READ_BYTES).map_err(command_error(&path, "read"))?;
        text_of(&path, bytes)
    })
    .await
}

/// The file's text, or an error for binary content: invalid UTF-8, a NUL byte, or so many
/// control characters that JSON would more than double its size (each becomes `\u00XX`).
fn text_of(path: &RelPath, bytes: Vec<u8>) -> Result<String, AppError> {
    let size = describe_size(bytes.len() as u64);
    let escaped = bytes.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x08 | 0x0c)).count();
    if bytes.contains(&0) || escaped * 5 > bytes.len() {
        return Err(AppError::io(format!("cannot read '{}' as text: it is binary ({size}); open it in the editor instead", path.shown())));
    }
    String::from_utf8(bytes).map_err(|_| {
        AppError::io(format!("cannot read '{}' as text: it is not UTF-8 (a binary file?); open it in the editor instead", path.shown()))
    })
}

async fn write_file(context: RequestContext, params: WriteFileParams) -> Result<(), AppError> {
    blocking(&context, move |workspace| {
        let (root, path) = workspace.locate(&params.path)?;
        refuse_root(&path, "write")?;
        refuse_git(root, &path, "write")?;
        root.write_atomic(&path, params.content.as_bytes()).map_err(command_error(&path, "write"))?;
        Ok(())
    })
    .await
}

async fn create_dir(context: RequestContext, params: PathParams) -> Result<(), AppError> {
    blocking(&context, move |workspace| {
        let (root, path) = workspace.locate(&params.path)?;
        refuse_git(root, &path, "create")?;
        root.create_dir_all(&path).map_err(command_error(&path, "create"))
    })
    .await
}

async fn delete_file(context: RequestContext, params: PathParams) -> Result<(), AppError> {
    blocking(&context, move |workspace| {
        let (root, path) = workspace.locate(&params.path)?;
        refuse_root(&path, "delete")?;
        refuse_git(root, &path, "delete")?;
        let own = root.symlink_metadata(&path).map_err(command_error(&path, "delete"))?;
        if own.is_dir() {
            return Err(AppError::io(format!("cannot delete '{}' with delete_file: it is a folder; use delete_dir", path.shown())));
        }
        root.remove_file(&path).map_err(command_error(&path, "delete"))
    })
    .await
}

async fn delete_dir(context: RequestContext, params: PathParams) -> Result<(), AppError> {
    blocking(&context, move |workspace| {
        let (root, path) = workspace.locate(&params.path)?;
        refuse_root(&path, "delete")?;
        refuse_git(root, &path, "delete")?;
        let own = root.symlink_metadata(&path).map_err(command_error(&path, "delete"))?;
        if !own.is_dir() && !own.file_type().is_symlink() {
            return Err(AppError::io(format!("cannot delete '{}' with delete_dir: it is a file; use delete_file", path.shown())));
        }
        root.remove_dir_all(&path).map_err(command_error(&path, "delete"))
    })
    .await
}

async fn rename_file(context: RequestContext, params: RenameFileParams) -> Result<(), AppError> {
    blocking(&context, move |workspace| {
        let (root, from) = workspace.locate(&params.from)?;
        let to = RelPath::parse(&params.to)?;
        refuse_root(&from, "rename")?;
        refuse_root(&to, "replace")?;
        refuse_git(root, &from, "rename")?;
        refuse_git(root, &to, "rename a file into")?;
        root.rename(&from, &to).map_err(command_error(&from, &format!("rename to '{}'", to.shown())))
    })
    .await
}

async fn create_symlink(context: RequestContext, params: CreateSymlinkParams) -> Result<(), AppError> {
    blocking(&context, move |workspace| {
        let (root, link) = workspace.locate(&params.link_path)?;
        let target = RelPath::parse(&params.target)?;
        refuse_root(&link, "replace")?;
        refuse_git(root, &link, "create a link at")?;
        // A link to something that itself leads outside would hand the escape to whoever follows
        // the new link (the editor, a build tool): refused like the escape itself.
        if let Err(err @ crate::confine::FsError::Escape) = root.metadata(&target) {
            return Err(err.to_app_error(&target, "link to"));
        }
        let link_parent = link.parent().unwrap_or_else(RelPath::root);
        let target_from_link = relative_path(link_parent.as_path(), target.as_path());
        if let Ok(own) = root.symlink_metadata(&link) {
            if own.file_type().is_symlink() {
                let current = root.dir().read_link_contents(link.as_path()).ok();
                if current.as_deref() == Some(target_from_link.as_path()) {
                    return Ok(()); // already points there: idempotent
                }
                root.remove_file(&link).map_err(command_error(&link, "replace"))?;
            } else if own.is_dir() {
                root.dir().remove_dir(link.as_path()).map_err(|err| match err.kind() {
                    std::io::ErrorKind::DirectoryNotEmpty => AppError::io(format!(
                        "cannot replace '{}' with a symlink: it is a folder with files in it; delete it first (delete_dir) if that is what you want",
                        link.shown()
                    )),
                    _ => crate::confine::FsError::from_io(err).to_app_error(&link, "replace"),
                })?;
            } else {
                root.remove_file(&link).map_err(command_error(&link, "replace"))?;
            }
        }
        root.create_dir_all(&link_parent).map_err(command_error(&link, "create the folders of"))?;
        root.symlink(&target_from_link, &link).map_err(command_error(&link, "create"))
    })
    .await
}

/// The path from folder `from` to `to`, both relative to the same root and free of `..`.
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let names = |path: &Path| -> Vec<std::ffi::OsString> {
        path.components()
            .filter_map(|c| match c {
                Component::Normal(name) => Some(name.to_os_string()),
                _ => None,
            })
            .collect()
    };
    let (from, to) = (names(from), names(to));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut relative = PathBuf::new();
    for _ in common..from.len() {
        relative.push("..");
    }
    for part in &to[common..] {
        relative.push(part);
    }
    if relative.as_os_str().is_empty() {
        relative.push(".");
    }
    relative
}

async fn reveal_in_explorer(context: RequestContext, params: PathParams) -> Result<RevealResult, AppError> {
    blocking(&context, move |workspace| {
        let (root, path) = workspace.locate(&params.path)?;
        let absolute = root.absolute_path_of(&path).map_err(command_error(&path, "reveal"))?;
        Ok(RevealResult { absolute_path: absolute.display().to_string() })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::codes;

    #[test]
    fn relative_paths_between_directories() {
        assert_eq!(relative_path(Path::new("a/b"), Path::new("c")), PathBuf::from("../../c"));
        assert_eq!(relative_path(Path::new(""), Path::new("c/d")), PathBuf::from("c/d"));
        assert_eq!(relative_path(Path::new("a"), Path::new("a")), PathBuf::from("."));
    }

    #[test]
    fn binary_content_is_refused_and_text_kept() {
        let path = RelPath::parse("x.bin").unwrap();
        assert_eq!(text_of(&path, b"a\0b".to_vec()).unwrap_err().code, codes::IO);
        assert!(text_of(&path, vec![1u8; 100]).is_err(), "control bytes only");
        assert!(text_of(&path, vec![0xff, 0xfe]).is_err(), "not UTF-8");
        assert_eq!(text_of(&path, b"line\r\n\tindented\n".to_vec()).unwrap(), "line\r\n\tindented\n");
    }
}
