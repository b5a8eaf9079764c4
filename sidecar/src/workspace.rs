//! Path confinement (design.md §4): every path that crosses the wire is relative to the workspace
//! root, and nothing outside the root is read or written. Absolute paths, `..` escapes and
//! symlinks that lead outside are refused with a security error.

use std::path::PathBuf;

/// The workspace root and the rules that keep paths inside it.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// Canonical root, or `None` when VS Code has no folder open (file commands then say so).
    root: Option<PathBuf>,
}

impl Workspace {
    pub fn new(root: Option<PathBuf>) -> Self {
        Workspace { root: root.map(|path| path.canonicalize().unwrap_or(path)) }
    }

    pub fn root(&self) -> Option<&std::path::Path> {
        self.root.as_deref()
    }
}
