//! Path confinement (design.md §4): every path that crosses the wire is relative to the workspace
//! root, and nothing outside the root is read or written. Absolute paths, `..` escapes and
//! symlinks that lead outside are refused with a security error.
//!
//! How: `resolve` walks the path one component at a time from the canonical root, following every
//! symlink it meets (its target is walked the same way, so a link to a link to outside is caught),
//! and treats the rest lexically once a component does not exist (a path that does not exist yet
//! cannot hide a symlink). The result is a path with no symlinks and no `..` in its existing part;
//! callers operate on that returned path, never on the raw input, so what was checked is what is
//! touched. A process that swaps a directory for a symlink between the check and the use can
//! still race us (as with any path-based check); the host and the agent are the only writers we
//! defend against.

use crate::error::{codes, AppError};
use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// Symlink hops followed before a path is called a loop (Linux's own limit is 40).
const MAX_SYMLINK_HOPS: usize = 40;

/// The workspace root and the rules that keep paths inside it.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The root as the host gave it, or `None` when VS Code has no folder open (file commands
    /// then say so).
    root: Option<PathBuf>,
}

/// Whether `resolve` follows a symlink in the last component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Last {
    /// Follow it: reading or writing through a link touches its target, so the target must be
    /// inside.
    Follow,
    /// Do not: deleting or renaming a link acts on the link itself, which is inside.
    NoFollow,
}

impl Workspace {
    pub fn new(root: Option<PathBuf>) -> Self {
        Workspace { root: root.map(|path| path.canonicalize().unwrap_or(path)) }
    }

    /// The root as configured (canonical when it existed at `initialize`).
    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// The canonical root, or an error saying to open a folder / that it is gone.
    pub fn canonical_root(&self) -> Result<PathBuf, AppError> {
        let Some(root) = &self.root else {
            return Err(AppError::new(
                codes::NOT_FOUND,
                "No workspace folder is open: open a folder in VS Code (File > Open Folder...) so Prototyper has a workspace to read and write.",
            ));
        };
        root.canonicalize().map_err(|err| {
            AppError::not_found(format!(
                "the workspace folder {} cannot be opened ({err}); reopen the folder in VS Code",
                root.display()
            ))
        })
    }

    /// Resolves a workspace-relative path to an absolute one inside the workspace, following
    /// symlinks (also in the last component). Refuses absolute paths, `..`, and symlinks that
    /// lead outside.
    pub fn resolve(&self, relative: &str) -> Result<PathBuf, AppError> {
        self.resolve_with(relative, Last::Follow)
    }

    /// `resolve`, choosing whether a symlink in the last component is followed.
    pub fn resolve_with(&self, relative: &str, last: Last) -> Result<PathBuf, AppError> {
        let root = self.canonical_root()?;
        let components = check_relative(relative)?;
        let resolved = walk(&root, components, last).map_err(|err| match err {
            WalkError::Loop => AppError::security(format!(
                "'{relative}' goes through more than {MAX_SYMLINK_HOPS} symlinks (a symlink loop?); fix or remove the links"
            )),
            WalkError::Io(err) => AppError::io(format!("cannot resolve '{relative}': {err}")),
        })?;
        if !resolved.starts_with(&root) {
            return Err(AppError::security(format!(
                "'{relative}' leads outside the workspace through a symlink (to {}); only files inside {} can be used",
                resolved.display(),
                root.display()
            )));
        }
        Ok(resolved)
    }

    /// The workspace-relative form of an absolute path inside the workspace, with `/` separators
    /// (as `FileEntry.path` carries it).
    pub fn relative_of(&self, absolute: &Path) -> Option<String> {
        let root = self.canonical_root().ok()?;
        let relative = absolute.strip_prefix(&root).ok()?;
        Some(to_wire(relative))
    }
}

/// A path in wire form: `/`-separated, no leading `./`.
pub fn to_wire(path: &Path) -> String {
    path.components()
        .filter_map(|component| match component {
            Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Normalises a wire path (`a//b/./c/` → `a/b/c`, `.` or empty → ``) for echoing it back.
pub fn normalize_wire(relative: &str) -> String {
    relative
        .split(['/', '\\'])
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// Checks the lexical rules and returns the path's names (empty for the root itself).
fn check_relative(relative: &str) -> Result<Vec<OsString>, AppError> {
    if relative.contains('\0') {
        return Err(AppError::security(format!("'{}' contains a NUL byte; use a plain relative path", relative.escape_debug())));
    }
    let looks_absolute = relative.starts_with('/')
        || relative.starts_with('\\')
        || Path::new(relative).is_absolute()
        || relative.as_bytes().get(1) == Some(&b':'); // a Windows drive (`C:`), on any OS
    if looks_absolute {
        return Err(AppError::security(format!(
            "'{relative}' is an absolute path; paths are relative to the workspace root (e.g. 'src/main.ts')"
        )));
    }
    let mut names = Vec::new();
    for part in relative.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                return Err(AppError::security(format!(
                    "'{relative}' contains '..'; paths must stay inside the workspace, so write them relative to its root without '..'"
                )))
            }
            name => names.push(OsString::from(name)),
        }
    }
    Ok(names)
}

enum WalkError {
    Loop,
    Io(std::io::Error),
}

/// Walks `names` from `root`, following symlinks (see the module doc). The returned path has no
/// symlinks in its existing part, except the last component under `Last::NoFollow`.
fn walk(root: &Path, names: Vec<OsString>, last: Last) -> Result<PathBuf, WalkError> {
    // Each pending item is a component plus whether it is the user's last name (only that one
    // may be left unfollowed). Components of a link's target inherit the link's flag for their
    // own last component.
    let count = names.len();
    let mut pending: VecDeque<(PathBuf, bool)> =
        names.into_iter().enumerate().map(|(i, name)| (PathBuf::from(name), i + 1 == count)).collect();
    let mut current = root.to_path_buf();
    let mut missing = false;
    let mut hops = 0;
    while let Some((component, is_last)) = pending.pop_front() {
        // `component` is a single name from the user, or one component of a symlink target.
        match component.components().next() {
            None | Some(Component::CurDir) => continue,
            Some(Component::ParentDir) => {
                current.pop();
                continue;
            }
            Some(Component::RootDir) => {
                current = PathBuf::from("/");
                continue;
            }
            Some(Component::Prefix(prefix)) => {
                current = PathBuf::from(prefix.as_os_str());
                continue;
            }
            Some(Component::Normal(_)) => {}
        }
        let next = current.join(&component);
        if missing {
            current = next;
            continue;
        }
        match std::fs::symlink_metadata(&next) {
            Ok(meta) if meta.file_type().is_symlink() && !(is_last && last == Last::NoFollow) => {
                hops += 1;
                if hops > MAX_SYMLINK_HOPS {
                    return Err(WalkError::Loop);
                }
                let target = std::fs::read_link(&next).map_err(WalkError::Io)?;
                let parts: Vec<PathBuf> = target.components().map(|c| PathBuf::from(c.as_os_str())).collect();
                let parts_count = parts.len();
                for (i, part) in parts.into_iter().enumerate().rev() {
                    pending.push_front((part, is_last && i + 1 == parts_count));
                }
            }
            Ok(_) => current = next,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                missing = true;
                current = next;
            }
            Err(err) => return Err(WalkError::Io(err)),
        }
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, Workspace, PathBuf, PathBuf) {
        let temp = tempfile::tempdir().unwrap();
        let base = temp.path().canonicalize().unwrap();
        let root = base.join("ws");
        let outside = base.join("outside");
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        (temp, Workspace::new(Some(root.clone())), root, outside)
    }

    #[test]
    fn plain_paths_resolve_inside() {
        let (_temp, ws, root, _) = setup();
        assert_eq!(ws.resolve("src/a.ts").unwrap(), root.join("src/a.ts"));
        assert_eq!(ws.resolve("./src//b/c.ts").unwrap(), root.join("src/b/c.ts"));
        assert_eq!(ws.resolve("").unwrap(), root);
        assert_eq!(ws.resolve(".").unwrap(), root);
    }

    #[test]
    fn absolute_and_dotdot_are_refused() {
        let (_temp, ws, _, _) = setup();
        for bad in ["/etc/passwd", "..", "../x", "src/../../x", "src/..", "\\x", "C:\\x", "a\0b"] {
            let err = ws.resolve(bad).unwrap_err();
            assert_eq!(err.code, codes::SECURITY, "{bad}: {}", err.message);
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_leading_outside_are_refused_also_for_new_paths() {
        let (_temp, ws, root, outside) = setup();
        std::os::unix::fs::symlink(&outside, root.join("out")).unwrap();
        std::os::unix::fs::symlink("../outside/secret", root.join("dangling")).unwrap();
        std::os::unix::fs::symlink("src", root.join("inner")).unwrap();
        std::os::unix::fs::symlink("out", root.join("chain")).unwrap();
        for bad in ["out", "out/x", "out/new/deeper.txt", "dangling", "chain/x"] {
            let err = ws.resolve(bad).unwrap_err();
            assert_eq!(err.code, codes::SECURITY, "{bad}: {}", err.message);
        }
        assert_eq!(ws.resolve("inner/a.ts").unwrap(), root.join("src/a.ts"));
        // The link itself is inside: deleting or renaming it is fine.
        assert_eq!(ws.resolve_with("out", Last::NoFollow).unwrap(), root.join("out"));
        assert!(ws.resolve_with("out/x", Last::NoFollow).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_refused() {
        let (_temp, ws, root, _) = setup();
        std::os::unix::fs::symlink("b", root.join("a")).unwrap();
        std::os::unix::fs::symlink("a", root.join("b")).unwrap();
        assert_eq!(ws.resolve("a/x").unwrap_err().code, codes::SECURITY);
    }

    #[test]
    fn no_folder_says_open_a_folder() {
        let err = Workspace::new(None).resolve("a").unwrap_err();
        assert!(err.message.contains("open a folder"), "{}", err.message);
    }

    #[test]
    fn wire_forms() {
        assert_eq!(normalize_wire("./a//b/"), "a/b");
        assert_eq!(normalize_wire("."), "");
        assert_eq!(to_wire(Path::new("a/b")), "a/b");
    }
}
