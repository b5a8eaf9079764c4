//! Starting programs inside a root: the working directory comes from an opened directory handle
//! (the child calls `fchdir` on it between fork and exec), never from a path string checked
//! earlier; and programs are looked up only in the absolute entries of `PATH`, so an empty or
//! relative entry (which means "the current folder") cannot make a workspace script named `npm`
//! run in place of the real one.

use super::{FsError, RelPath, Root};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The absolute `PATH` entries, in order.
fn absolute_path_entries() -> Vec<PathBuf> {
    let Some(path) = std::env::var_os("PATH") else { return Vec::new() };
    std::env::split_paths(&path).filter(|entry| entry.is_absolute()).collect()
}

/// `PATH` with only its absolute entries, for children (so their own lookups are safe too).
pub fn sanitized_path() -> OsString {
    std::env::join_paths(absolute_path_entries()).unwrap_or_default()
}

/// Finds `program` (a bare name) in the absolute `PATH` entries: an executable regular file.
pub fn find_program(program: &str) -> Option<PathBuf> {
    if program.contains('/') || program.contains('\\') || program.is_empty() {
        return None;
    }
    absolute_path_entries().into_iter().find_map(|dir| {
        let candidate = dir.join(program);
        is_executable(&candidate).then_some(candidate)
    })
}

fn is_executable(candidate: &Path) -> bool {
    let Ok(metadata) = candidate.metadata() else { return false };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        metadata.is_file() && metadata.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        metadata.is_file()
    }
}

/// A command for a system utility (`lsof`, `taskkill`) that touches no workspace file: found in
/// the absolute `PATH` entries, run with the sanitized `PATH`. `None` when it is not installed.
pub fn system_command(program: &str) -> Option<std::process::Command> {
    let executable = find_program(program)?;
    let mut command = std::process::Command::new(executable);
    command.env("PATH", sanitized_path());
    Some(command)
}

impl Root {
    /// A command for `program` (an absolute path from `find_program`) whose working directory is
    /// the folder `cwd` beneath this root, opened now. `PATH` is the sanitized one and `PWD` names
    /// the folder for programs that print it. The returned guard keeps the directory handle open
    /// until the command is spawned; drop it after `spawn`.
    pub fn command(&self, cwd: &RelPath, program: &Path) -> Result<(tokio::process::Command, CwdGuard), FsError> {
        let folder = self.open_dir(cwd)?;
        let mut command = tokio::process::Command::new(program);
        command.env("PATH", sanitized_path()).env("PWD", folder.path());
        #[cfg(unix)]
        if let Some(name) = program.file_name() {
            // argv[0] stays the bare name the user typed, as a shell would set it.
            command.arg0(name);
        }
        set_cwd(&mut command, &folder);
        Ok((command, CwdGuard { _folder: folder }))
    }
}

/// Keeps a command's working-directory handle open until the command has been spawned.
pub struct CwdGuard {
    _folder: Root,
}

#[cfg(unix)]
fn set_cwd(command: &mut tokio::process::Command, folder: &Root) {
    use std::os::fd::AsRawFd;
    let fd = folder.dir().as_raw_fd();
    // SAFETY: fchdir is async-signal-safe and touches no memory; `fd` stays open until spawn
    // returns because the caller holds the `CwdGuard` (the descriptor is close-on-exec, so the
    // program itself never inherits it).
    unsafe {
        command.pre_exec(move || {
            if libc::fchdir(fd) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Windows has no `fchdir`: the folder's path is used. It was opened beneath the root a moment
/// before, so only a swap in between could redirect it (documented in ARCHITECTURE.md).
#[cfg(not(unix))]
fn set_cwd(command: &mut tokio::process::Command, folder: &Root) {
    command.current_dir(folder.path());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_are_found_only_by_bare_name() {
        assert!(find_program("sh").is_some_and(|path| path.is_absolute()));
        assert!(find_program("./sh").is_none());
        assert!(find_program("/bin/sh").is_none());
        assert!(find_program("").is_none());
    }
}
