//! Walking a folder beneath a root (glob and grep): the `ignore` crate enumerates names and
//! applies `.gitignore` rules; every name it yields is then checked again beneath the root's
//! handle before anything about it is reported or its content read. A walk never follows a link,
//! so it cannot leave the root; and if a folder is swapped for a link while the walk runs, the
//! names it then lists from outside fail that second check and are dropped unreported.
//!
//! The walk starts from the root's handle: on Linux through `/proc/self/fd/<n>`, the kernel's
//! name for the already-open folder; elsewhere from the root's path.

use super::{FsError, RelPath, Root};
use cap_std::fs::Metadata;
use ignore::WalkBuilder;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

/// Folders no walk enters: version-control internals and installed dependencies.
const ALWAYS_SKIPPED: &[&str] = &[".git", "node_modules"];

/// A path the OS resolves to the root's open handle (on Linux `/proc/self/fd/<n>`): where walks
/// start, and what a file-system watcher watches, so neither goes by the path string the root was
/// opened from. Only names found beneath it are ever used, and they are opened beneath the root.
pub fn handle_path(root: &Root) -> PathBuf {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let magic = PathBuf::from(format!("/proc/self/fd/{}", root.dir().as_raw_fd()));
        if magic.is_dir() {
            return magic;
        }
    }
    root.path().to_path_buf()
}

/// Calls `visit` for every regular file under `base` (a folder or a single file beneath `root`),
/// in the walker's order, with its path relative to the root and its metadata. `.git`,
/// `node_modules` and git-ignored files are skipped (`.gitignore` is honoured outside git
/// repositories too). `visit` may stop the walk by returning `Break`.
pub fn regular_files(root: &Root, base: &RelPath, visit: impl FnMut(&RelPath, &Metadata) -> ControlFlow<()>) -> Result<(), FsError> {
    regular_files_to_depth(root, base, None, visit)
}

/// `regular_files`, going at most `max_depth` levels below `base` (1: the files directly in it).
/// The ignore files of `base`'s parent folders apply, as they do to a walk from the root.
pub fn regular_files_to_depth(
    root: &Root,
    base: &RelPath,
    max_depth: Option<usize>,
    mut visit: impl FnMut(&RelPath, &Metadata) -> ControlFlow<()>,
) -> Result<(), FsError> {
    let base_metadata = root.metadata(base)?;
    if base_metadata.is_file() {
        let _ = visit(base, &base_metadata);
        return Ok(());
    }
    let start = handle_path(root);
    let walk_from = start.join(base.as_path());
    let walker = WalkBuilder::new(&walk_from)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .max_depth(max_depth)
        .filter_entry(|entry| !ALWAYS_SKIPPED.iter().any(|skipped| entry.file_name() == *skipped))
        .build();
    for entry in walker.flatten() {
        if !entry.file_type().is_some_and(|kind| kind.is_file()) {
            continue;
        }
        let Some(relative) = relative_to(&start, entry.path()) else { continue };
        // The second check: beneath the handle, without following a link in the last name.
        let Ok(metadata) = root.symlink_metadata(&relative) else { continue };
        if !metadata.is_file() {
            continue;
        }
        if visit(&relative, &metadata).is_break() {
            break;
        }
    }
    Ok(())
}

fn relative_to(start: &Path, path: &Path) -> Option<RelPath> {
    let inside = path.strip_prefix(start).ok()?;
    let relative = RelPath::from_normal(inside);
    (!relative.is_root()).then_some(relative)
}
