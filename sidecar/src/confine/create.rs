//! Creating without replacing, for writers that must never touch what is already there
//! (scaffolding into a folder the user picked): a file is created with `O_CREAT | O_EXCL`
//! semantics and a folder is told apart from a link to one, so even a file that appears between
//! a check and the write is left alone.

use super::{FsError, RelPath, Root};
use cap_std::fs::OpenOptions;
use std::io::{self, Write};

impl Root {
    /// Creates the file `path` (whose parent folder must exist) with `bytes`. Fails with
    /// `AlreadyExists` when anything is at `path`, a dangling link included; a write that fails
    /// half way (a full disk) removes the partial file.
    pub fn create_new_file(&self, path: &RelPath, bytes: &[u8]) -> Result<(), FsError> {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        let mut file = self.dir().open_with(path.as_path(), &options).map_err(FsError::from_io)?;
        let written = file.write_all(bytes).and_then(|()| file.flush());
        drop(file);
        if let Err(err) = written {
            let _ = self.dir().remove_file(path.as_path());
            return Err(FsError::Io(err));
        }
        Ok(())
    }

    /// Makes sure the folder `path` exists (its parent must): `Ok(true)` when it was created now,
    /// `Ok(false)` when a real folder was already there. A file, or a link (even to a folder), in
    /// its place is an `AlreadyExists` error: writing through a link could land anywhere it leads.
    pub fn ensure_dir(&self, path: &RelPath) -> Result<bool, FsError> {
        match self.dir().create_dir(path.as_path()) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                let own = self.symlink_metadata(path)?;
                if own.is_dir() && !own.file_type().is_symlink() {
                    Ok(false)
                } else {
                    Err(FsError::Io(err))
                }
            }
            Err(err) => Err(FsError::from_io(err)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> (tempfile::TempDir, Root) {
        let temp = tempfile::tempdir().unwrap();
        let root = Root::open_ambient(temp.path()).unwrap();
        (temp, root)
    }

    #[test]
    fn a_new_file_never_replaces_anything() {
        let (temp, root) = root();
        let path = RelPath::parse("a.txt").unwrap();
        root.create_new_file(&path, b"first").unwrap();
        let err = root.create_new_file(&path, b"second").unwrap_err();
        assert!(matches!(err, FsError::Io(ref e) if e.kind() == io::ErrorKind::AlreadyExists), "{err:?}");
        assert_eq!(std::fs::read(temp.path().join("a.txt")).unwrap(), b"first");
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_is_not_written_through() {
        let (temp, root) = root();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path().join("victim"), temp.path().join("link")).unwrap();
        assert!(root.create_new_file(&RelPath::parse("link").unwrap(), b"x").is_err());
        assert!(!outside.path().join("victim").exists());
    }

    #[test]
    fn folders_are_created_once_and_links_refused() {
        let (temp, root) = root();
        let src = RelPath::parse("src").unwrap();
        assert!(root.ensure_dir(&src).unwrap());
        assert!(!root.ensure_dir(&src).unwrap());
        std::fs::write(temp.path().join("file"), "x").unwrap();
        assert!(root.ensure_dir(&RelPath::parse("file").unwrap()).is_err());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(temp.path().join("src"), temp.path().join("alias")).unwrap();
            assert!(root.ensure_dir(&RelPath::parse("alias").unwrap()).is_err());
        }
    }
}
