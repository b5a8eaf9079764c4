//! The folder a project is created in, `parentDir/name`, and everything written into it.
//!
//! The parent is the one folder opened with ambient authority (the user picked it in VS Code's
//! dialog); the project folder is created or opened beneath it, and every file after that is
//! created beneath the project's handle with create-new semantics, so nothing that exists is ever
//! replaced. What was created is recorded, so a cancel or a failure removes exactly that: the
//! whole folder when it was made now, else the files and folders written into it and whatever the
//! install added at its top level.

use super::templates::Rendered;
use crate::confine::{FsError, RelPath, Root};
use crate::error::AppError;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What the install adds at the top level (and so must not be there already).
const INSTALL_OUTPUTS: [&str; 6] = ["node_modules", "package-lock.json", "npm-shrinkwrap.json", "bun.lock", "bun.lockb", "pnpm-lock.yaml"];
/// How long a removal is awaited before it finishes in the background (a large node_modules).
const REMOVAL_WAIT: Duration = Duration::from_secs(1);

pub struct Target {
    parent: Root,
    name: RelPath,
    pub project: Root,
    /// The project folder did not exist and was created by us.
    created_folder: bool,
    /// Top-level names in the folder before anything was written (when it already existed).
    before: BTreeSet<String>,
    /// Folders and files created, in creation order.
    created: Vec<RelPath>,
}

impl Target {
    /// Opens the parent `parent_dir` (absolute, an existing folder) and creates or opens `name`
    /// (already validated as one plain name) beneath it.
    pub fn open(parent_dir: &str, name: &str) -> Result<Target, AppError> {
        let parent_path = Path::new(parent_dir);
        if !parent_path.is_absolute() {
            return Err(AppError::invalid_params(format!(
                "parentDir must be an absolute folder path (the folder picked in the dialog), not '{parent_dir}'."
            )));
        }
        let parent = Root::open_ambient(parent_path).map_err(|err| {
            let why = match err.kind() {
                std::io::ErrorKind::NotFound => "it does not exist".to_string(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                std::io::ErrorKind::NotADirectory => "it is a file, not a folder".to_string(),
                _ => err.to_string(),
            };
            AppError::io(format!("Cannot open the folder {parent_dir}: {why}. Pick another parent folder."))
        })?;
        let name = RelPath::parse(name)?;
        let created_folder = parent.ensure_dir(&name).map_err(|err| folder_error(&err, &name, parent_dir))?;
        let project = parent.open_dir(&name).map_err(|err| folder_error(&err, &name, parent_dir))?;
        let before = if created_folder {
            BTreeSet::new()
        } else {
            project.list(&RelPath::root()).map_err(|err| err.to_app_error(&name, "list"))?.into_iter().map(|entry| entry.name).collect()
        };
        Ok(Target { parent, name, project, created_folder, before, created: Vec::new() })
    }

    /// The project's absolute path.
    pub fn path(&self) -> String {
        self.project.path().display().to_string()
    }

    pub fn name(&self) -> &str {
        self.name.wire()
    }

    /// How many entries the folder already had.
    pub fn existing_entries(&self) -> usize {
        self.before.len()
    }

    /// The paths (relative to the project) that writing `files`, and installing when `install`,
    /// would overwrite or write through: existing files, and non-folders where a folder is needed.
    pub fn conflicts(&self, files: &[Rendered], install: bool) -> Vec<String> {
        if self.before.is_empty() {
            return Vec::new();
        }
        let mut conflicts = BTreeSet::new();
        let mut folders_seen = BTreeSet::new();
        for file in files {
            let mut ancestor = file.path.parent();
            while let Some(folder) = ancestor.filter(|folder| !folder.is_root()) {
                if folders_seen.insert(folder.wire().to_string()) {
                    if let Ok(meta) = self.project.symlink_metadata(&folder) {
                        if !meta.is_dir() || meta.file_type().is_symlink() {
                            conflicts.insert(folder.wire().to_string());
                        }
                    }
                }
                ancestor = folder.parent();
            }
            if self.project.symlink_metadata(&file.path).is_ok() {
                conflicts.insert(file.path.wire().to_string());
            }
        }
        if install {
            conflicts.extend(INSTALL_OUTPUTS.iter().filter(|name| self.before.contains(**name)).map(|name| name.to_string()));
        }
        conflicts.into_iter().collect()
    }

    /// Writes `file`, creating its missing folders; everything created is recorded.
    pub fn write(&mut self, file: &Rendered) -> Result<(), AppError> {
        let mut missing = Vec::new();
        let mut ancestor = file.path.parent();
        while let Some(folder) = ancestor.filter(|folder| !folder.is_root()) {
            missing.push(folder.clone());
            ancestor = folder.parent();
        }
        for folder in missing.into_iter().rev() {
            if self.project.ensure_dir(&folder).map_err(|err| self.write_error(&err, &folder))? {
                self.created.push(folder);
            }
        }
        self.project.create_new_file(&file.path, &file.bytes).map_err(|err| self.write_error(&err, &file.path))?;
        self.created.push(file.path.clone());
        Ok(())
    }

    fn write_error(&self, err: &FsError, path: &RelPath) -> AppError {
        let shown = format!("{}/{}", self.name.wire(), path.wire());
        match err {
            FsError::Io(io) if io.kind() == std::io::ErrorKind::AlreadyExists => {
                AppError::io(format!("{shown} appeared while the project was being written; nothing was overwritten. Pick an empty folder."))
            }
            other => other.to_app_error(&RelPath::parse(&shown).unwrap_or_else(|_| path.clone()), "write"),
        }
    }

    /// Removes what was created (see the module doc) and says what that was.
    pub async fn remove_created(self) -> String {
        let Target { parent, name, project, created_folder, before, created } = self;
        let shown = name.wire().to_string();
        if created_folder {
            drop(project);
            // Out of sight at once under a hidden name, then deleted: a large node_modules takes
            // a while, and the user should not see a half-deleted project in the meantime.
            let doomed = RelPath::parse(&hidden_name(&shown)).expect("a plain name");
            let (to_delete, moved) = match parent.rename(&name, &doomed) {
                Ok(()) => (doomed, true),
                Err(_) => (name.clone(), false),
            };
            let removal = tokio::task::spawn_blocking(move || parent.remove_dir_all(&to_delete));
            return match tokio::time::timeout(REMOVAL_WAIT, removal).await {
                Ok(Ok(Ok(()))) => format!("removed the folder {shown} and everything in it"),
                Ok(_) if !moved => format!("could not remove everything in {shown}; delete the folder yourself"),
                Ok(_) => format!("moved {shown} aside as a hidden folder but could not delete all of it; delete .{shown}.removing-* yourself"),
                Err(_) => format!("removed the folder {shown} (its last files are being deleted)"),
            };
        }
        let mut failed = Vec::new();
        let mut removed = 0;
        // Whatever the install added at the top level, then what was written, newest first.
        let added: Vec<RelPath> = project
            .list(&RelPath::root())
            .map(|entries| entries.into_iter().filter(|entry| !before.contains(&entry.name)).map(|entry| RelPath::root().join(&entry.name)).collect())
            .unwrap_or_default();
        let task = tokio::task::spawn_blocking(move || {
            for path in added.iter().chain(created.iter().rev()) {
                let gone = match project.symlink_metadata(path) {
                    Err(err) if err.is_not_found() => continue,
                    Ok(meta) if meta.is_dir() && !meta.file_type().is_symlink() => project.remove_dir_all(path),
                    _ => project.remove_file(path),
                };
                match gone {
                    Ok(()) => removed += 1,
                    Err(err) if err.is_not_found() => {}
                    Err(_) => failed.push(path.wire().to_string()),
                }
            }
            (removed, failed)
        });
        match task.await {
            Ok((removed, failed)) if failed.is_empty() => {
                format!("removed the {removed} files and folders it had created in {shown}; what was there before is untouched")
            }
            Ok((_, failed)) => format!("could not remove {} in {shown}; delete them yourself", failed.join(", ")),
            Err(_) => format!("could not finish removing what it had created in {shown}"),
        }
    }
}

fn folder_error(err: &FsError, name: &RelPath, parent_dir: &str) -> AppError {
    match err {
        FsError::Io(io) if io.kind() == std::io::ErrorKind::AlreadyExists => AppError::io(format!(
            "{parent_dir} already has a file or a link named '{}'; pick another name.",
            name.wire()
        )),
        FsError::Escape => AppError::security(format!(
            "'{}' in {parent_dir} is a link leading elsewhere; pick another name.",
            name.wire()
        )),
        FsError::Io(io) if io.kind() == std::io::ErrorKind::ReadOnlyFilesystem => AppError::io(format!(
            "cannot create '{}' in {parent_dir}: that folder is on a read-only file system; pick a folder you can write to.",
            name.wire()
        )),
        other => {
            // Already worded as an I/O error; only the picked folder is added.
            let error = other.to_app_error(name, "create");
            AppError::new(error.code, format!("{} (in {parent_dir})", error.message))
        }
    }
}

/// `.name.removing-<pid>-<n>`: where a cancelled project goes while it is deleted.
fn hidden_name(name: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!(".{name}.removing-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> Rendered {
        Rendered { path: RelPath::parse(path).unwrap(), bytes: text.as_bytes().to_vec() }
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
    }

    #[test]
    fn a_failed_write_is_named_and_the_new_folder_removed() {
        let parent = tempfile::tempdir().unwrap();
        let mut target = Target::open(parent.path().to_str().unwrap(), "app").unwrap();
        target.write(&file("src/main.ts", "ok")).unwrap();
        // Something takes the place of a folder the next file needs, after the conflict check.
        std::fs::write(parent.path().join("app/lib"), "in the way").unwrap();
        let error = target.write(&file("lib/utils.ts", "x")).unwrap_err();
        assert!(error.message.contains("app/lib"), "{}", error.message);
        let removed = runtime().block_on(target.remove_created());
        assert!(removed.contains("removed the folder app"), "{removed}");
        assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 0, "nothing is left, not even the hidden name");
    }

    #[test]
    fn in_a_folder_that_existed_only_what_was_written_goes() {
        let parent = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(parent.path().join("app/src")).unwrap();
        std::fs::write(parent.path().join("app/src/mine.ts"), "mine").unwrap();
        std::fs::write(parent.path().join("app/notes.txt"), "mine").unwrap();
        let mut target = Target::open(parent.path().to_str().unwrap(), "app").unwrap();
        let files = [file("src/main.ts", "x"), file("lib/utils.ts", "y"), file("package.json", "{}")];
        assert!(target.conflicts(&files, true).is_empty());
        for f in &files {
            target.write(f).unwrap();
        }
        // What an install would have added at the top level.
        std::fs::create_dir_all(parent.path().join("app/node_modules/vite")).unwrap();
        let removed = runtime().block_on(target.remove_created());
        assert!(removed.contains("untouched"), "{removed}");
        let mut left: Vec<String> = walk(&parent.path().join("app"));
        left.sort();
        assert_eq!(left, ["notes.txt", "src", "src/mine.ts"]);
    }

    #[test]
    fn conflicts_name_files_and_folders_in_the_way() {
        let parent = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(parent.path().join("app")).unwrap();
        std::fs::write(parent.path().join("app/src"), "a file where a folder goes").unwrap();
        std::fs::write(parent.path().join("app/package.json"), "{}").unwrap();
        std::fs::create_dir_all(parent.path().join("app/node_modules")).unwrap();
        let target = Target::open(parent.path().to_str().unwrap(), "app").unwrap();
        let files = [file("src/main.ts", "x"), file("package.json", "{}"), file("README.md", "")];
        assert_eq!(target.conflicts(&files, true), ["node_modules", "package.json", "src"]);
        assert_eq!(target.conflicts(&files, false), ["package.json", "src"]);
    }

    fn walk(dir: &std::path::Path) -> Vec<String> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            out.push(name.clone());
            if entry.file_type().unwrap().is_dir() {
                out.extend(walk(&entry.path()).into_iter().map(|inner| format!("{name}/{inner}")));
            }
        }
        out
    }
}
