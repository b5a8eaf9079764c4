//! Confinement by construction (design.md §4 and §6): every file the sidecar touches is opened
//! beneath a directory handle, a `Root`, never by a path string checked earlier.
//!
//! A `Root` is a cap-std `Dir`: an open file descriptor on the workspace folder (or on a folder the
//! user picked, or on the extension's storage folder). Paths given to it are relative, and the
//! kernel resolves them beneath that descriptor. On Linux 5.6+ that is `openat2` with
//! `RESOLVE_BENEATH`; elsewhere (older kernels, macOS, Windows) cap-std walks the path one
//! component at a time from the descriptor with `O_NOFOLLOW` opens, which gives the same guarantee
//! without the single syscall. Either way a `..`, an absolute symlink, or a symlink whose target
//! climbs out fails with an "escape" error, and there is no window between a check and a use: the
//! check *is* the open. A directory swapped for a symlink mid-operation cannot redirect a write.
//!
//! What stays string-based, on purpose: the lexical rules of the wire (`RelPath`: no absolute
//! paths, no `..`, no NUL), which make errors say what was wrong before anything is opened; and
//! `Root::path`, the absolute path the root was opened from, which only ever goes to the host (to
//! reveal a file in the OS) and into no `open`.
//!
//! Processes get their working directory from a handle too (`Root::command`): the child calls
//! `fchdir` on the opened directory between fork and exec.

mod create;
mod files;
mod process;
mod tree;
pub mod walk;

pub use files::{DirEntryInfo, WriteOutcome};
pub use process::{find_program, system_command};
pub use tree::{FileStamp, MirrorCount, MirrorError, Seal, TreeEntry, Verdict};
/// A file a root opened (`write_atomic_with` hands one to its writer); naming the type opens nothing.
pub use std::fs::File;

use crate::error::AppError;
use cap_std::ambient_authority;
use cap_std::fs::Dir;
use std::ffi::OsStr;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// A directory capability: everything under it can be opened, nothing above it.
#[derive(Clone)]
pub struct Root {
    dir: Arc<Dir>,
    /// The absolute path the directory was opened from. For messages to the host only.
    path: PathBuf,
}

impl std::fmt::Debug for Root {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Root").field("path", &self.path).finish()
    }
}

impl Root {
    /// Opens `path` as a root. This is the one place ambient authority is used: for the workspace
    /// folder the host names at `initialize`, for the storage folder, and for a folder the user
    /// picked in a dialog (scaffolding's parent folder, an export's destination).
    pub fn open_ambient(path: &Path) -> io::Result<Root> {
        let dir = Dir::open_ambient_dir(path, ambient_authority())?;
        let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        Ok(Root { dir: Arc::new(dir), path })
    }

    /// Like `open_ambient`, creating the folder (and its parents) first when missing (the
    /// extension's storage folder on first start).
    pub fn create_ambient(path: &Path) -> io::Result<Root> {
        Dir::create_ambient_dir_all(path, ambient_authority())?;
        Root::open_ambient(path)
    }

    /// The absolute path this root was opened from (for the host, never for opening).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying capability, for the few operations `files` does not wrap.
    pub fn dir(&self) -> &Dir {
        &self.dir
    }

    /// A root for the sub-folder `relative` (which must be a directory beneath this one).
    pub fn open_dir(&self, relative: &RelPath) -> Result<Root, FsError> {
        let dir = if relative.is_root() { self.dir.try_clone() } else { self.dir.open_dir(relative.as_path()) };
        let dir = dir.map_err(FsError::from_io)?;
        Ok(Root { dir: Arc::new(dir), path: self.path.join(relative.as_path()) })
    }

    /// The absolute path of `relative`, after checking that it exists beneath the root (for
    /// `reveal_in_explorer`, whose caller is the host).
    pub fn absolute_path_of(&self, relative: &RelPath) -> Result<PathBuf, FsError> {
        if !relative.is_root() {
            self.dir.symlink_metadata(relative.as_path()).map_err(FsError::from_io)?;
            self.dir.metadata(relative.as_path()).map_err(FsError::from_io)?;
        }
        Ok(self.path.join(relative.as_path()))
    }

    /// True when `relative`, with the symlinks inside the root resolved, lands inside a `.git`
    /// folder (git's internals: hooks there run code). Lexical `.git` components count too, so a
    /// path that does not exist yet is judged by its name.
    pub fn lands_in_git(&self, relative: &RelPath) -> bool {
        if relative.names_git() {
            return true;
        }
        // The deepest existing ancestor, resolved beneath the root, plus the rest of the path.
        let mut existing = relative.as_path().to_path_buf();
        loop {
            if existing.as_os_str().is_empty() {
                return false;
            }
            if let Ok(real) = self.dir.canonicalize(&existing) {
                return real.components().any(|c| is_git_name(c.as_os_str()));
            }
            if !existing.pop() {
                return false;
            }
        }
    }
}

fn is_git_name(name: &OsStr) -> bool {
    name.to_str().is_some_and(|name| name.eq_ignore_ascii_case(".git"))
}

/// A path relative to a root that passed the wire's lexical rules: not absolute, no drive letter,
/// no `..`, no NUL. Normalised (`./a//b/` → `a/b`); empty for the root itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelPath {
    path: PathBuf,
    wire: String,
}

impl RelPath {
    /// Checks `raw` (as the host, the webview or the model sent it) against the lexical rules.
    pub fn parse(raw: &str) -> Result<RelPath, AppError> {
        if raw.contains('\0') {
            return Err(AppError::security(format!("'{}' contains a NUL byte; use a plain relative path", raw.escape_debug())));
        }
        let looks_absolute = raw.starts_with('/')
            || raw.starts_with('\\')
            || Path::new(raw).is_absolute()
            || raw.as_bytes().get(1) == Some(&b':'); // a Windows drive (`C:`), on any OS
        if looks_absolute {
            return Err(AppError::security(format!(
                "'{raw}' is an absolute path; paths are relative to the workspace root (e.g. 'src/main.ts')"
            )));
        }
        let mut names = Vec::new();
        for part in raw.split(['/', '\\']) {
            match part {
                "" | "." => {}
                ".." => {
                    return Err(AppError::security(format!(
                        "'{raw}' contains '..'; paths must stay inside the workspace, so write them relative to its root without '..'"
                    )))
                }
                name => names.push(name),
            }
        }
        let wire = names.join("/");
        Ok(RelPath { path: names.iter().collect(), wire })
    }

    /// The root itself.
    pub fn root() -> RelPath {
        RelPath { path: PathBuf::new(), wire: String::new() }
    }

    pub fn is_root(&self) -> bool {
        self.wire.is_empty()
    }

    /// For cap-std calls; `.` for the root (cap-std refuses an empty path).
    pub fn as_path(&self) -> &Path {
        if self.is_root() {
            Path::new(".")
        } else {
            &self.path
        }
    }

    /// The wire form: `/`-separated, empty for the root.
    pub fn wire(&self) -> &str {
        &self.wire
    }

    /// How messages name it: the wire form, or "the workspace root".
    pub fn shown(&self) -> &str {
        if self.is_root() {
            "the workspace root"
        } else {
            &self.wire
        }
    }

    /// The parent, or `None` for the root.
    pub fn parent(&self) -> Option<RelPath> {
        if self.is_root() {
            return None;
        }
        let parent = self.path.parent().unwrap_or(Path::new(""));
        Some(RelPath::from_normal(parent))
    }

    /// The last name, or `None` for the root.
    pub fn file_name(&self) -> Option<&OsStr> {
        self.path.file_name()
    }

    /// `self/name` (`name` is one plain name, as read from a directory listing).
    pub fn join(&self, name: &str) -> RelPath {
        let wire = if self.is_root() { name.to_string() } else { format!("{}/{name}", self.wire) };
        RelPath { path: self.path.join(name), wire }
    }

    /// True when one of the names is `.git` (any case: case-insensitive file systems).
    pub fn names_git(&self) -> bool {
        self.path.components().any(|c| is_git_name(c.as_os_str()))
    }

    /// Builds a RelPath from a path known to consist of plain names (a walker's output).
    pub fn from_normal(path: &Path) -> RelPath {
        let names: Vec<String> = path
            .components()
            .filter_map(|c| match c {
                Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        RelPath { path: names.iter().collect(), wire: names.join("/") }
    }
}

/// Why a confined operation failed, before it is worded for a command or a tool.
#[derive(Debug)]
pub enum FsError {
    /// The path leads outside the root (through `..` in a link, or an absolute link).
    Escape,
    /// A FIFO, socket or device where a regular file was expected.
    NotRegular(&'static str),
    /// Larger than the caller's limit.
    TooLarge { size: u64, limit: u64 },
    Io(io::Error),
}

impl FsError {
    /// Classifies an error from cap-std: its escape error is a `PermissionDenied` with its own
    /// message (`openat2` answers `EXDEV`, which cap-std maps to the same error).
    pub fn from_io(err: io::Error) -> FsError {
        let escape = err.raw_os_error().is_none()
            && err.kind() == io::ErrorKind::PermissionDenied
            && err.to_string().contains("outside of the filesystem");
        if escape {
            FsError::Escape
        } else {
            FsError::Io(err)
        }
    }

    /// The error a command returns for it: names the path relative to the root (never an
    /// absolute path outside it), the action, and the fix.
    pub fn to_app_error(&self, path: &RelPath, action: &str) -> AppError {
        let shown = path.shown();
        match self {
            FsError::Escape => AppError::security(format!(
                "'{shown}' leads outside the workspace through a symbolic link; only files inside the workspace can be used (remove or fix the link)"
            )),
            FsError::NotRegular(kind) => AppError::io(format!(
                "cannot {action} '{shown}': it is a {kind}, not a regular file; only regular files can be read or written"
            )),
            FsError::TooLarge { size, limit } => AppError::io(format!(
                "cannot {action} '{shown}': it is {} and the limit is {}; open it in the editor instead",
                describe_size(*size),
                describe_size(*limit)
            )),
            FsError::Io(err) => io_app_error(shown, action, err),
        }
    }

    /// The same, as the one-line text a tool result carries (a model reads it): a missing file
    /// says what to do instead; security faults keep their "Security error" prefix, as the seed's
    /// tools report them; other categories drop theirs.
    pub fn to_tool_message(&self, path: &RelPath, action: &str) -> String {
        if self.is_not_found() {
            return format!("{} does not exist (use glob to find files, or write_file to create it)", path.shown());
        }
        let message = self.to_app_error(path, action).message;
        for prefix in ["IO error: ", "Not found: "] {
            if let Some(rest) = message.strip_prefix(prefix) {
                return rest.to_string();
            }
        }
        message
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, FsError::Io(err) if err.kind() == io::ErrorKind::NotFound)
    }
}

fn io_app_error(shown: &str, action: &str, err: &io::Error) -> AppError {
    use io::ErrorKind;
    // The OS's own text can name absolute paths; keep only its description.
    let reason = describe_io(err);
    match err.kind() {
        ErrorKind::NotFound => AppError::not_found(format!(
            "'{shown}' does not exist in the workspace (while trying to {action} it); check the path, which is relative to the workspace root"
        )),
        ErrorKind::PermissionDenied => {
            AppError::io(format!("cannot {action} '{shown}': permission denied; check the file's permissions ({reason})"))
        }
        ErrorKind::AlreadyExists => AppError::io(format!("cannot {action} '{shown}': it already exists; delete or rename it first")),
        ErrorKind::IsADirectory => {
            AppError::io(format!("cannot {action} '{shown}': it is a directory; use the directory commands for it"))
        }
        ErrorKind::NotADirectory => {
            AppError::io(format!("cannot {action} '{shown}': a part of the path is a file, not a directory; check the path"))
        }
        ErrorKind::DirectoryNotEmpty => {
            AppError::io(format!("cannot {action} '{shown}': the directory is not empty; delete its contents first"))
        }
        ErrorKind::StorageFull => AppError::io(format!("cannot {action} '{shown}': the disk is full; free some space and try again")),
        _ if err.raw_os_error() == Some(libc::ELOOP) => AppError::security(format!(
            "'{shown}' goes through too many symbolic links (a loop?); fix or remove the links"
        )),
        _ => AppError::io(format!("cannot {action} '{shown}': {reason}")),
    }
}

/// An I/O error's description without any path the OS or a library put into it.
fn describe_io(err: &io::Error) -> String {
    match err.raw_os_error() {
        Some(code) => io::Error::from_raw_os_error(code).to_string(),
        None => format!("{:?}", err.kind()),
    }
}

/// `12.3 MB`, `512 KB`, `42 bytes`.
pub fn describe_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::codes;

    #[test]
    fn relative_paths_are_normalised() {
        assert_eq!(RelPath::parse("./src//b/c.ts").unwrap().wire(), "src/b/c.ts");
        assert!(RelPath::parse(".").unwrap().is_root());
        assert!(RelPath::parse("").unwrap().is_root());
        assert_eq!(RelPath::parse("a\\b").unwrap().wire(), "a/b");
        assert_eq!(RelPath::parse("a/b").unwrap().parent().unwrap().wire(), "a");
        assert!(RelPath::parse("a").unwrap().parent().unwrap().is_root());
    }

    #[test]
    fn absolute_and_dotdot_are_refused_by_name() {
        for bad in ["/etc/passwd", "..", "../x", "src/../../x", "src/..", "\\x", "C:\\x", "a\0b"] {
            let err = RelPath::parse(bad).unwrap_err();
            assert_eq!(err.code, codes::SECURITY, "{bad}: {}", err.message);
        }
    }

    #[test]
    fn git_names_are_seen_in_any_case() {
        assert!(RelPath::parse(".git/hooks/pre-commit").unwrap().names_git());
        assert!(RelPath::parse("vendor/lib/.GIT/config").unwrap().names_git());
        assert!(!RelPath::parse(".github/workflows/ci.yml").unwrap().names_git());
    }

    #[test]
    fn errors_never_show_absolute_paths() {
        let path = RelPath::parse("src/a.ts").unwrap();
        let err = FsError::Io(io::Error::new(io::ErrorKind::Other, "/home/someone/secret failed")).to_app_error(&path, "read");
        assert!(!err.message.contains("/home/someone"), "{}", err.message);
        assert!(err.message.contains("src/a.ts"));
        let escape = FsError::Escape.to_app_error(&path, "read");
        assert_eq!(escape.code, codes::SECURITY);
    }
}
