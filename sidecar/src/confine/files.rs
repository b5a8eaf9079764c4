//! File operations on a `Root`: reading regular files with a size limit, listing, writing
//! atomically, creating, deleting, renaming and linking. Every call resolves its path beneath the
//! root's handle (see the module doc of `confine`). All of them block: run them on tokio's
//! blocking pool.
//!
//! Reads open with `O_NONBLOCK` and check the opened file's type before reading, so a FIFO, a
//! socket or a device is refused at once instead of blocking a thread forever. Writes go to a
//! temporary file beside the target and are renamed over it, so a full disk or a crash never
//! leaves the user's file half written.

use super::{FsError, RelPath, Root};
use cap_std::fs::{Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};

/// One entry of a directory listing, judged beneath the root.
#[derive(Debug, Clone)]
pub struct DirEntryInfo {
    pub name: String,
    /// A folder, or a symlink to a folder inside the root.
    pub is_dir: bool,
    pub is_symlink: bool,
    /// Modification time in ms since the epoch; absent for a link leading outside (its target's
    /// metadata is not reported).
    pub modified_ms: Option<u64>,
}

/// What a write replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOutcome {
    /// True when the file did not exist before.
    pub created: bool,
}

/// The kind of a non-regular file, for messages.
fn special_kind(metadata: &Metadata) -> Option<&'static str> {
    let file_type = metadata.file_type();
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("directory");
    }
    #[cfg(unix)]
    {
        use cap_std::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("named pipe (FIFO)");
        }
        if file_type.is_socket() {
            return Some("socket");
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return Some("device");
        }
    }
    Some("special file")
}

fn read_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use cap_std::fs::OpenOptionsExt;
        // Opening a FIFO for reading blocks until a writer appears; O_NONBLOCK makes the open
        // return at once so its type can be checked. It has no effect on regular files.
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options
}

pub(crate) fn modified_ms(metadata: &Metadata) -> Option<u64> {
    let modified = metadata.modified().ok()?.into_std();
    let since_epoch = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
    u64::try_from(since_epoch.as_millis()).ok()
}

impl Root {
    /// Opens a regular file for reading (symlinks inside the root are followed), refusing
    /// anything else, and anything larger than `limit` bytes. Returns the file and its size.
    pub fn open_regular(&self, path: &RelPath, limit: u64) -> Result<(std::fs::File, u64), FsError> {
        let file = self.dir().open_with(path.as_path(), &read_options()).map_err(FsError::from_io)?;
        let metadata = file.metadata().map_err(FsError::Io)?;
        if let Some(kind) = special_kind(&metadata) {
            return Err(FsError::NotRegular(kind));
        }
        let size = metadata.len();
        if size > limit {
            return Err(FsError::TooLarge { size, limit });
        }
        Ok((file.into_std(), size))
    }

    /// Reads a whole regular file of at most `limit` bytes.
    pub fn read_regular(&self, path: &RelPath, limit: u64) -> Result<Vec<u8>, FsError> {
        let (file, size) = self.open_regular(path, limit)?;
        let mut bytes = Vec::with_capacity(size as usize);
        // Read one byte past the limit: a file that grew since the check is still refused.
        file.take(limit + 1).read_to_end(&mut bytes).map_err(FsError::Io)?;
        if bytes.len() as u64 > limit {
            return Err(FsError::TooLarge { size: bytes.len() as u64, limit });
        }
        Ok(bytes)
    }

    /// Reads a regular file if it exists: `Ok(None)` when it does not.
    pub fn read_existing(&self, path: &RelPath, limit: u64) -> Result<Option<Vec<u8>>, FsError> {
        match self.read_regular(path, limit) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err) if err.is_not_found() => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Metadata of the file `path` names (symlinks inside the root followed).
    pub fn metadata(&self, path: &RelPath) -> Result<Metadata, FsError> {
        if path.is_root() {
            return self.dir().dir_metadata().map_err(FsError::Io);
        }
        self.dir().metadata(path.as_path()).map_err(FsError::from_io)
    }

    /// Metadata of `path` itself (a symlink in the last component is not followed).
    pub fn symlink_metadata(&self, path: &RelPath) -> Result<Metadata, FsError> {
        if path.is_root() {
            return self.dir().dir_metadata().map_err(FsError::Io);
        }
        self.dir().symlink_metadata(path.as_path()).map_err(FsError::from_io)
    }

    /// Lists a directory, sorted by name. A symlink lists as a folder when it leads to one inside
    /// the root; one that leads outside lists as a plain entry without a modification time.
    pub fn list(&self, path: &RelPath) -> Result<Vec<DirEntryInfo>, FsError> {
        let dir = self.open_dir(path)?;
        let mut entries = Vec::new();
        for entry in dir.dir().entries().map_err(FsError::Io)? {
            let entry = entry.map_err(FsError::Io)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(own) = entry.metadata() else { continue };
            let is_symlink = own.file_type().is_symlink();
            let (is_dir, modified) = if is_symlink {
                match dir.dir().metadata(&name) {
                    Ok(target) => (target.is_dir(), modified_ms(&target)),
                    Err(_) => (false, None), // dangling, or leads outside: nothing of the target is told
                }
            } else {
                (own.is_dir(), modified_ms(&own))
            };
            entries.push(DirEntryInfo { name, is_dir, is_symlink, modified_ms: modified });
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(entries)
    }

    /// Creates `path` and its missing parents as folders.
    pub fn create_dir_all(&self, path: &RelPath) -> Result<(), FsError> {
        if path.is_root() {
            return Ok(());
        }
        self.dir().create_dir_all(path.as_path()).map_err(|err| {
            // A link leading outside in the way reads as "already exists" here; say what it is.
            let escapes = path
                .as_path()
                .ancestors()
                .filter(|prefix| !prefix.as_os_str().is_empty())
                .any(|prefix| matches!(self.dir().metadata(prefix).map_err(FsError::from_io), Err(FsError::Escape)));
            if escapes {
                FsError::Escape
            } else {
                FsError::from_io(err)
            }
        })
    }

    /// Writes `bytes` as the whole content of `path`, creating missing parent folders. The data
    /// goes to a temporary file in the same folder, which is then renamed over the target: the
    /// old content stays intact until the new one is complete. A symlink inside the root is
    /// written through (its target is replaced, the link stays); the permissions of an existing
    /// file are kept.
    pub fn write_atomic(&self, path: &RelPath, bytes: &[u8]) -> Result<WriteOutcome, FsError> {
        self.write_atomic_with(path, |file| file.write_all(bytes))
    }

    /// `write_atomic` for content too large to hold in memory (an export's zip): `write` fills
    /// the temporary file (it may seek), which then replaces `path` only if `write` succeeded.
    pub fn write_atomic_with(
        &self,
        path: &RelPath,
        write: impl FnOnce(&mut std::fs::File) -> io::Result<()>,
    ) -> Result<WriteOutcome, FsError> {
        let Some(parent) = path.parent() else {
            return Err(FsError::Io(io::Error::from(io::ErrorKind::IsADirectory)));
        };
        self.create_dir_all(&parent)?;
        // Where the data really goes: through a symlink inside the root, to its target.
        let (target, existing) = match self.dir().symlink_metadata(path.as_path()) {
            Ok(own) if own.file_type().is_symlink() => match self.dir().canonicalize(path.as_path()) {
                Ok(real) => {
                    let real = RelPath::from_normal(&real);
                    let metadata = self.dir().metadata(real.as_path()).ok();
                    (real, metadata)
                }
                // A dangling link: create its target's name... but only beneath the root, which
                // canonicalize could not prove. Refuse rather than guess.
                Err(err) => return Err(FsError::from_io(err)),
            },
            Ok(own) => (path.clone(), Some(own)),
            Err(err) if err.kind() == io::ErrorKind::NotFound => (path.clone(), None),
            Err(err) => return Err(FsError::from_io(err)),
        };
        if let Some(metadata) = &existing {
            if let Some(kind) = special_kind(metadata) {
                return Err(FsError::NotRegular(kind));
            }
        }
        let target_parent = target.parent().unwrap_or_else(RelPath::root);
        let file_name = target.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        let temp = target_parent.join(&temp_name(&file_name));
        let mut options = OpenOptions::new();
        // Readable too: a zip writer reads back what it wrote to finish its central directory.
        options.read(true).write(true).create_new(true);
        let mut file = self.dir().open_with(temp.as_path(), &options).map_err(FsError::from_io)?.into_std();
        let written = write(&mut file)
            .and_then(|()| file.flush())
            .and_then(|()| match &existing {
                Some(metadata) => metadata.permissions().into_std(&file).and_then(|permissions| file.set_permissions(permissions)),
                None => Ok(()),
            });
        drop(file);
        let renamed = written.and_then(|()| self.dir().rename(temp.as_path(), self.dir(), target.as_path()));
        if let Err(err) = renamed {
            let _ = self.dir().remove_file(temp.as_path());
            return Err(FsError::from_io(err));
        }
        Ok(WriteOutcome { created: existing.is_none() })
    }

    /// Creates `path` with `bytes`, failing with `AlreadyExists` if something is there already
    /// (a file someone created meanwhile is never replaced). Like `write_atomic`, the data goes to
    /// a temporary file first; it is then hard-linked to the target name, which fails instead of
    /// replacing an existing name, and the temporary name is removed.
    pub fn write_new(&self, path: &RelPath, bytes: &[u8]) -> Result<(), FsError> {
        let Some(parent) = path.parent() else {
            return Err(FsError::Io(io::Error::from(io::ErrorKind::IsADirectory)));
        };
        self.create_dir_all(&parent)?;
        let file_name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        let temp = parent.join(&temp_name(&file_name));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        let mut file = self.dir().open_with(temp.as_path(), &options).map_err(FsError::from_io)?;
        let written = file.write_all(bytes).and_then(|()| file.flush());
        drop(file);
        let linked = written.and_then(|()| self.dir().hard_link(temp.as_path(), self.dir(), path.as_path()));
        let _ = self.dir().remove_file(temp.as_path());
        linked.map_err(FsError::from_io)
    }

    /// Deletes the file or symlink `path` (never what a link points to).
    pub fn remove_file(&self, path: &RelPath) -> Result<(), FsError> {
        self.dir().remove_file(path.as_path()).map_err(FsError::from_io)
    }

    /// Deletes the folder `path` with everything in it; a symlink is removed itself, and links
    /// inside are removed without being followed.
    pub fn remove_dir_all(&self, path: &RelPath) -> Result<(), FsError> {
        let own = self.symlink_metadata(path)?;
        if own.file_type().is_symlink() {
            return self.remove_file(path);
        }
        self.dir().remove_dir_all(path.as_path()).map_err(FsError::from_io)
    }

    /// Renames `from` to `to` (a symlink is renamed itself), creating `to`'s missing parents.
    pub fn rename(&self, from: &RelPath, to: &RelPath) -> Result<(), FsError> {
        self.symlink_metadata(from)?;
        if let Some(parent) = to.parent() {
            self.create_dir_all(&parent)?;
        }
        self.dir().rename(from.as_path(), self.dir(), to.as_path()).map_err(FsError::from_io)
    }

    /// Creates the symlink `link` whose content is the relative path `target_from_link`.
    #[cfg(unix)]
    pub fn symlink(&self, target_from_link: &std::path::Path, link: &RelPath) -> Result<(), FsError> {
        self.dir().symlink(target_from_link, link.as_path()).map_err(FsError::from_io)
    }

    #[cfg(windows)]
    pub fn symlink(&self, target_from_link: &std::path::Path, link: &RelPath) -> Result<(), FsError> {
        let is_dir = self.dir().is_dir(link.parent().unwrap_or_else(RelPath::root).as_path().join(target_from_link));
        let made = if is_dir {
            self.dir().symlink_dir(target_from_link, link.as_path())
        } else {
            self.dir().symlink_file(target_from_link, link.as_path())
        };
        made.map_err(FsError::from_io)
    }
}

/// A name for a write's temporary file: hidden, unique within this process, and recognisable.
fn temp_name(file_name: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(".{file_name}.prototyper-{}-{n}.tmp", std::process::id())
}
