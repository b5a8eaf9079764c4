//! The session's workspace: the folder VS Code has open, held as a confinement `Root` (an open
//! directory handle, see `confine`). Every workspace path that crosses the wire is relative to it,
//! and every file under it is opened beneath that handle.

use crate::confine::{FsError, RelPath, Root};
use crate::error::{codes, AppError};
use std::path::{Path, PathBuf};

/// The workspace root, opened once at `initialize`.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// `None` when VS Code has no folder open; `Err` when the folder could not be opened (it is
    /// reported to each command that needs it).
    root: Option<Result<Root, String>>,
    /// The folder as the host named it, for its display name.
    configured: Option<PathBuf>,
}

impl Workspace {
    /// Opens the workspace folder (or records that there is none, or why it cannot be opened).
    pub fn new(root: Option<PathBuf>) -> Self {
        let opened = root.as_deref().map(|path| {
            Root::open_ambient(path).map_err(|err| {
                format!("the workspace folder {} cannot be opened ({err}); reopen the folder in VS Code", path.display())
            })
        });
        Workspace { root: opened, configured: root }
    }

    /// The root handle, or the error a command should answer.
    pub fn root(&self) -> Result<&Root, AppError> {
        match &self.root {
            None => Err(AppError::new(
                codes::NOT_FOUND,
                "No workspace folder is open: open a folder in VS Code (File > Open Folder...) so Prototyper has a workspace to read and write.",
            )),
            Some(Err(reason)) => Err(AppError::not_found(reason.clone())),
            Some(Ok(root)) => Ok(root),
        }
    }

    /// The folder's name as the host gave it (for the agent's system prompt).
    pub fn folder_name(&self) -> Option<String> {
        self.configured.as_deref().and_then(Path::file_name).map(|name| name.to_string_lossy().into_owned())
    }

    /// Parses a wire path and returns it with the root, or the error to answer.
    pub fn locate(&self, raw: &str) -> Result<(&Root, RelPath), AppError> {
        let relative = RelPath::parse(raw)?;
        Ok((self.root()?, relative))
    }
}

/// Normalises a wire path (`a//b/./c/` → `a/b/c`, `.` or empty → ``) for echoing it back.
pub fn normalize_wire(relative: &str) -> String {
    relative
        .split(['/', '\\'])
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// Wraps a confined operation's error for a command: `path` names the file, `action` the verb.
pub fn command_error<'a>(path: &'a RelPath, action: &'a str) -> impl Fn(FsError) -> AppError + 'a {
    move |err| err.to_app_error(path, action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_folder_says_open_a_folder() {
        let err = Workspace::new(None).locate("a").unwrap_err();
        assert!(err.message.contains("open a folder"), "{}", err.message);
    }

    #[test]
    fn a_missing_folder_is_named_when_used() {
        let err = Workspace::new(Some(PathBuf::from("/nonexistent/prototyper-test"))).locate("a").unwrap_err();
        assert!(err.message.contains("cannot be opened"), "{}", err.message);
    }

    #[test]
    fn wire_forms() {
        assert_eq!(normalize_wire("./a//b/"), "a/b");
        assert_eq!(normalize_wire("."), "");
    }
}
