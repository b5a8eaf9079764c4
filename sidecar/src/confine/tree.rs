//! Mirroring a folder tree from one root into another, for the scaffold's dependency store
//! (`commands/scaffold/store.rs`): folders are created, regular files hard-linked (or copied,
//! when a link cannot be made: another device, a file system without hard links), and symlinks
//! recreated with the same relative target. Both sides are opened beneath their roots' handles;
//! nothing is followed while walking, and a symlink whose target is absolute or climbs out of
//! the mirrored tree is refused rather than recreated, so a damaged store cannot plant a link
//! that leads anywhere else.
//!
//! Every entry placed is reported, with the metadata that tells a later reader whether the file
//! is still what it was (size, modification time, mode): the store keeps that list as its
//! manifest and compares against it before it trusts itself again.

use super::{FsError, RelPath, Root};
use cap_std::fs::{Metadata, OpenOptions, Permissions};
use std::io;
use std::path::{Component, Path, PathBuf};

/// What one mirrored entry is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TreeEntry {
    Dir,
    File(FileStamp),
    /// A symlink and its relative target, as written in the link.
    Symlink(String),
}

/// What tells a regular file's content apart cheaply: an in-place write changes the size or the
/// modification time, a `chmod` the mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStamp {
    pub len: u64,
    pub modified_ns: i128,
    pub mode: u32,
}

/// How the files of a mirror were placed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MirrorCount {
    pub linked: usize,
    pub copied: usize,
}

/// What `mirror_tree` does with each regular file after placing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seal {
    /// Leave the mode as it is.
    Keep,
    /// Clear the write bits (of the shared inode, for a link): an accidental write in place fails.
    ReadOnly,
}

/// What the caller's check says about one entry of the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Place,
    /// Leave it (and, for a folder, what it holds) out.
    Skip,
    /// Stop the mirror.
    Stop,
}

/// Why a mirror stopped: a file-system error, or the caller's check stopped it.
#[derive(Debug)]
pub enum MirrorError {
    Fs(FsError),
    /// `check` answered `Stop` for this entry (its path relative to the mirrored folder).
    Stopped(String),
    /// A symlink whose target is absolute or leads out of the mirrored folder.
    LinkOutside(String),
}

impl From<FsError> for MirrorError {
    fn from(err: FsError) -> Self {
        MirrorError::Fs(err)
    }
}

pub fn stamp(metadata: &Metadata) -> FileStamp {
    #[cfg(unix)]
    let (modified_ns, mode) = {
        use cap_std::fs::MetadataExt;
        (i128::from(metadata.mtime()) * 1_000_000_000 + i128::from(metadata.mtime_nsec()), metadata.mode() & 0o7777)
    };
    #[cfg(not(unix))]
    let (modified_ns, mode) = {
        let modified = metadata.modified().ok().and_then(|t| t.into_std().duration_since(std::time::UNIX_EPOCH).ok());
        (modified.map(|d| d.as_nanos() as i128).unwrap_or(0), u32::from(metadata.permissions().readonly()))
    };
    FileStamp { len: metadata.len(), modified_ns, mode }
}

/// True when `target`, written in a link at `depth` folders below the mirrored folder, stays
/// inside it: relative, and never climbing above the mirrored folder.
fn stays_inside(target: &Path, depth: usize) -> bool {
    let mut level = depth as isize;
    for component in target.components() {
        match component {
            Component::Normal(_) => level += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                level -= 1;
                if level < 0 {
                    return false;
                }
            }
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

impl Root {
    /// Recreates the folder `from` (beneath this root) as `to` beneath `dest`, which must not
    /// exist yet (its parent must). `check` sees every entry of the source, by its path relative
    /// to `from`, before it is placed, and may skip it or stop the mirror (`Stopped`; what was
    /// placed stays, for the caller to remove). Returns the entries placed, in walking order
    /// (folders before what they hold), with the files' stamps as they are after `seal`.
    pub fn mirror_tree(
        &self,
        from: &RelPath,
        dest: &Root,
        to: &RelPath,
        seal: Seal,
        check: &mut dyn FnMut(&str, &TreeEntry) -> Verdict,
    ) -> Result<(Vec<(String, TreeEntry)>, MirrorCount), MirrorError> {
        dest.dir().create_dir(to.as_path()).map_err(FsError::from_io)?;
        let mut placed = Vec::new();
        let mut count = MirrorCount::default();
        // Folders still to list: (path relative to `from`, depth below it).
        let mut pending: Vec<(PathBuf, usize)> = vec![(PathBuf::new(), 0)];
        while let Some((folder, depth)) = pending.pop() {
            let source_folder = from.as_path().join(&folder);
            let mut entries: Vec<_> = self.dir().read_dir(&source_folder).map_err(FsError::from_io)?.collect::<Result<_, _>>().map_err(FsError::from_io)?;
            entries.sort_by_key(|entry| entry.file_name());
            for entry in entries {
                let relative = folder.join(entry.file_name());
                let key = RelPath::from_normal(&relative).wire().to_string();
                let source = from.as_path().join(&relative);
                let target = to.as_path().join(&relative);
                let metadata = entry.metadata().map_err(FsError::from_io)?;
                let file_type = metadata.file_type();
                if file_type.is_symlink() {
                    let link = self.dir().read_link_contents(&source).map_err(FsError::from_io)?;
                    if !stays_inside(&link, depth) {
                        return Err(MirrorError::LinkOutside(key));
                    }
                    let described = TreeEntry::Symlink(link.to_string_lossy().into_owned());
                    if !admitted(check, &key, &described)? {
                        continue;
                    }
                    dest.symlink(&link, &RelPath::from_normal(&target))?;
                    placed.push((key, described));
                } else if file_type.is_dir() {
                    if !admitted(check, &key, &TreeEntry::Dir)? {
                        continue;
                    }
                    dest.dir().create_dir(&target).map_err(FsError::from_io)?;
                    placed.push((key, TreeEntry::Dir));
                    pending.push((relative, depth + 1));
                } else if file_type.is_file() {
                    if !admitted(check, &key, &TreeEntry::File(stamp(&metadata)))? {
                        continue;
                    }
                    let linked = self.dir().hard_link(&source, dest.dir(), &target);
                    if linked.is_ok() {
                        count.linked += 1;
                    } else {
                        copy_file(self, &source, dest, &target, &metadata)?;
                        count.copied += 1;
                    }
                    if seal == Seal::ReadOnly {
                        set_mode(dest, &target, stamp(&metadata).mode & !0o222)?;
                    }
                    let after = dest.dir().symlink_metadata(&target).map_err(FsError::from_io)?;
                    placed.push((key, TreeEntry::File(stamp(&after))));
                }
                // Sockets, FIFOs and devices have no place in a dependency tree: left out.
            }
        }
        Ok((placed, count))
    }
}

/// Asks `check` about one entry: `Ok(true)` to place it, `Ok(false)` to leave it out, and the
/// error that stops the mirror.
fn admitted(check: &mut dyn FnMut(&str, &TreeEntry) -> Verdict, key: &str, entry: &TreeEntry) -> Result<bool, MirrorError> {
    match check(key, entry) {
        Verdict::Place => Ok(true),
        Verdict::Skip => Ok(false),
        Verdict::Stop => Err(MirrorError::Stopped(key.to_string())),
    }
}

/// Copies one regular file's bytes and mode (the fallback when a hard link cannot be made).
fn copy_file(from_root: &Root, source: &Path, dest: &Root, target: &Path, metadata: &Metadata) -> Result<(), FsError> {
    let mut input = from_root.dir().open(source).map_err(FsError::from_io)?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    let mut output = dest.dir().open_with(target, &options).map_err(FsError::from_io)?;
    io::copy(&mut input, &mut output).map_err(FsError::from_io)?;
    drop(output);
    set_mode(dest, target, stamp(metadata).mode)
}

/// Sets a file's permission bits (on Unix; elsewhere only "read-only" exists, set from the
/// owner's write bit).
fn set_mode(root: &Root, path: &Path, mode: u32) -> Result<(), FsError> {
    #[cfg(unix)]
    let permissions = {
        use cap_std::fs::PermissionsExt;
        Permissions::from_mode(mode)
    };
    #[cfg(not(unix))]
    let permissions = {
        let mut permissions = root.dir().symlink_metadata(path).map_err(FsError::from_io)?.permissions();
        permissions.set_readonly(mode & 0o200 == 0);
        permissions
    };
    root.dir().set_permissions(path, permissions).map_err(FsError::from_io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_that_climb_out_of_the_tree_are_told_apart() {
        assert!(stays_inside(Path::new("../vite/bin/vite.js"), 1), "a .bin link into a sibling package");
        assert!(stays_inside(Path::new("x/y"), 0));
        assert!(!stays_inside(Path::new("../../etc/passwd"), 1));
        assert!(!stays_inside(Path::new("/etc/passwd"), 3));
        assert!(!stays_inside(Path::new(".."), 0));
    }
}
