//! Reading checkpoints back: the changed-file list of each message, the plan of a restore (each
//! file's before, after and current version, and whether the user has edited it since), the
//! restore itself, Keep, and deleting a chat's checkpoints.
//!
//! A restore never destroys work it was not asked to: a file whose current content is neither
//! what the changes left nor what a restore brings back has been edited since, and is restored
//! only when the caller lists it in `overwrite` (after the user saw the differences). Files are
//! written through `editor::replace_checked`, so an open document is restored in its editor
//! (unsaved, with its undo history) and a document that changes during the restore is left alone.

use super::store::{self, BlobRef, Record};
use super::Checkpoints;
use crate::confine::RelPath;
use crate::editor::{self, Editors};
use crate::protocol::checkpoint::{
    ChangedFile, CheckpointSelection, CheckpointSummary, FileChange, FileState, FileText, PlanStatus, PlannedFile, RestorePlan,
    RestoreResult, RestoreScope, SkippedFile,
};
use crate::textdiff;
use std::collections::HashSet;
use std::sync::Arc;

/// Texts over this size are not sent for diffs or counted line by line.
const MAX_SHOWN_BYTES: usize = 2 * 1024 * 1024;

/// One file of a selection: its content before the first selected change and after the last.
#[derive(Debug, Clone)]
struct Selected {
    path: String,
    before: BlobRef,
    after: BlobRef,
}

fn blob(checkpoints: &Checkpoints, hash: &BlobRef) -> Result<Option<Vec<u8>>, String> {
    hash.as_ref().map(|hash| checkpoints.store.get(hash)).transpose()
}

fn text_of(bytes: Option<&[u8]>) -> FileText {
    match bytes {
        None => FileText::default(),
        Some(bytes) if bytes.len() > MAX_SHOWN_BYTES => FileText { exists: true, too_large: true, ..Default::default() },
        Some(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => FileText { exists: true, text: Some(text.to_string()), ..Default::default() },
            Err(_) => FileText { exists: true, binary: true, ..Default::default() },
        },
    }
}

/// The changed files of every message of a chat that has a checkpoint, oldest first (blocking).
pub fn list(checkpoints: &Checkpoints, chat_id: &str) -> Result<Vec<CheckpointSummary>, String> {
    let mut summaries = Vec::new();
    for (_, record) in checkpoints.store.records(chat_id)? {
        let mut files = Vec::new();
        for file in &record.files {
            let before = blob(checkpoints, &file.before)?;
            let after = blob(checkpoints, &file.after)?;
            let change = match (&before, &after) {
                (None, _) => FileChange::Created,
                (_, None) => FileChange::Deleted,
                _ => FileChange::Modified,
            };
            let texts = (text_of(before.as_deref()), text_of(after.as_deref()));
            let binary = texts.0.binary || texts.1.binary;
            let (added, removed) = match texts {
                (old, new) if old.text.is_some() || new.text.is_some() => {
                    textdiff::line_counts(old.text.as_deref().unwrap_or(""), new.text.as_deref().unwrap_or(""))
                }
                _ => (0, 0),
            };
            files.push(ChangedFile { path: file.path.clone(), change, added, removed, binary, state: file.state, by_command: file.by_command });
        }
        if !files.is_empty() {
            summaries.push(CheckpointSummary { message_id: record.message_id, created_at: record.created_at, files });
        }
    }
    Ok(summaries)
}

/// The records a selection covers (with their store paths) and the files it selects.
fn select(checkpoints: &Checkpoints, selection: &CheckpointSelection) -> Result<(Vec<(RelPath, Record)>, Vec<Selected>), String> {
    let records = checkpoints.store.records(&selection.chat_id)?;
    let Some(start) = records.iter().position(|(_, record)| record.message_id == selection.message_id) else {
        return Err("this message has no checkpoint (it changed no files, or its chat's checkpoints were deleted)".into());
    };
    let end = match selection.scope {
        RestoreScope::Message => start + 1,
        RestoreScope::FromMessage => records.len(),
    };
    let covered: Vec<(RelPath, Record)> = records.into_iter().skip(start).take(end - start).collect();
    let wanted: Option<HashSet<&str>> = selection.paths.as_ref().map(|paths| paths.iter().map(String::as_str).collect());
    let mut selected: Vec<Selected> = Vec::new();
    for (_, record) in &covered {
        for file in record.files.iter().filter(|file| file.state != FileState::Undone) {
            if wanted.as_ref().is_some_and(|wanted| !wanted.contains(file.path.as_str())) {
                continue;
            }
            match selected.iter_mut().find(|s| s.path == file.path) {
                Some(known) => known.after = file.after.clone(),
                None => selected.push(Selected { path: file.path.clone(), before: file.before.clone(), after: file.after.clone() }),
            }
        }
    }
    Ok((covered, selected))
}

fn status(current: Option<&[u8]>, before: &BlobRef, after: &BlobRef) -> PlanStatus {
    let current = current.map(store::hash);
    if current == *after {
        PlanStatus::Unchanged
    } else if current == *before {
        PlanStatus::Restored
    } else {
        PlanStatus::Edited
    }
}

fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, String> + Send + 'static) -> impl std::future::Future<Output = Result<T, String>> {
    async move { tokio::task::spawn_blocking(work).await.map_err(|err| format!("the checkpoint operation failed unexpectedly ({err})"))? }
}

/// Each selected file with its three versions and status.
pub async fn plan(checkpoints: Arc<Checkpoints>, editors: &Editors, selection: CheckpointSelection) -> Result<RestorePlan, String> {
    let loaded = {
        let checkpoints = checkpoints.clone();
        blocking(move || {
            let (_, selected) = select(&checkpoints, &selection)?;
            selected
                .into_iter()
                .map(|file| Ok((blob(&checkpoints, &file.before)?, blob(&checkpoints, &file.after)?, file)))
                .collect::<Result<Vec<_>, String>>()
        })
        .await?
    };
    let mut files = Vec::new();
    for (before, after, file) in loaded {
        let path = RelPath::parse(&file.path).map_err(|err| err.message)?;
        let current = editor::read_current(editors, &checkpoints.workspace, &path).await?;
        files.push(PlannedFile {
            status: status(current.bytes(), &file.before, &file.after),
            path: file.path,
            before: text_of(before.as_deref()),
            after: text_of(after.as_deref()),
            current: text_of(current.bytes()),
        });
    }
    Ok(RestorePlan { files })
}

/// Restores the selected files to their content before the selected changes.
pub async fn apply(checkpoints: Arc<Checkpoints>, editors: &Editors, selection: CheckpointSelection) -> Result<RestoreResult, String> {
    let overwrite: HashSet<String> = selection.overwrite.iter().flatten().cloned().collect();
    let loaded = {
        let checkpoints = checkpoints.clone();
        let selection = selection.clone();
        blocking(move || {
            let (_, selected) = select(&checkpoints, &selection)?;
            selected.into_iter().map(|file| Ok((blob(&checkpoints, &file.before)?, file))).collect::<Result<Vec<_>, String>>()
        })
        .await?
    };
    let mut result = RestoreResult { restored: Vec::new(), skipped: Vec::new() };
    for (before, file) in loaded {
        let path = RelPath::parse(&file.path).map_err(|err| err.message)?;
        let current = match editor::read_current(editors, &checkpoints.workspace, &path).await {
            Ok(current) => current,
            Err(reason) => {
                result.skipped.push(SkippedFile { path: file.path, reason });
                continue;
            }
        };
        match status(current.bytes(), &file.before, &file.after) {
            PlanStatus::Restored => {
                result.restored.push(file.path);
                continue;
            }
            PlanStatus::Edited if !overwrite.contains(&file.path) => {
                result.skipped.push(SkippedFile {
                    path: file.path,
                    reason: "it was edited after the change; restoring it would discard those edits".into(),
                });
                continue;
            }
            _ => {}
        }
        match editor::replace_checked(editors, &checkpoints.workspace, &path, &current.expected(), current.version(), before.as_deref()).await {
            Ok(_) => result.restored.push(file.path),
            Err(conflict) => result.skipped.push(SkippedFile { reason: conflict.describe(&file.path), path: file.path }),
        }
    }
    let done: HashSet<String> = result.restored.iter().cloned().collect();
    blocking(move || mark(&checkpoints, &selection, &done, FileState::Undone)).await?;
    Ok(result)
}

/// Sets the state of the selected files in the covered records (blocking).
fn mark(checkpoints: &Checkpoints, selection: &CheckpointSelection, paths: &HashSet<String>, state: FileState) -> Result<(), String> {
    if paths.is_empty() {
        return Ok(());
    }
    let _records = checkpoints.lock_records();
    let (covered, _) = select(checkpoints, selection)?;
    for (file, mut record) in covered {
        let mut touched = false;
        for entry in record.files.iter_mut().filter(|entry| paths.contains(&entry.path) && entry.state != FileState::Undone) {
            entry.state = state;
            touched = true;
        }
        if touched {
            checkpoints.store.write_record(&file, &record)?;
        }
    }
    Ok(())
}

/// Keep: the selected files' changes are accepted (their Undo is no longer offered). Blocking.
pub fn keep(checkpoints: &Checkpoints, selection: &CheckpointSelection) -> Result<(), String> {
    let (_, selected) = select(checkpoints, selection)?;
    let paths: HashSet<String> = selected.into_iter().map(|file| file.path).collect();
    mark(checkpoints, selection, &paths, FileState::Kept)
}

/// Deletes a chat's checkpoints and every stored content nothing refers to any more (blocking).
/// The workspace's whole store goes when no chat has checkpoints left.
pub fn delete(checkpoints: &Checkpoints, chat_id: &str) -> Result<(), String> {
    let _records = checkpoints.lock_records();
    if !checkpoints.store.delete_chat(chat_id)? {
        checkpoints.forget_manifest();
        return checkpoints.store.delete_all();
    }
    let mut keep: HashSet<String> = checkpoints.manifest_hashes()?.into_iter().collect();
    for chat in checkpoints.store.chat_ids() {
        for (_, record) in checkpoints.store.records(&chat)? {
            keep.extend(record.files.into_iter().flat_map(|file| [file.before, file.after]).flatten());
        }
    }
    checkpoints.store.collect_garbage(&keep);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::confine::Root;
    use crate::protocol::checkpoint::CheckpointTarget;

    struct Fixture {
        workspace: tempfile::TempDir,
        _storage: tempfile::TempDir,
        checkpoints: Arc<Checkpoints>,
    }

    fn fixture() -> Fixture {
        let workspace = tempfile::tempdir().unwrap();
        let storage = tempfile::tempdir().unwrap();
        let checkpoints = Arc::new(
            Checkpoints::open(&Root::open_ambient(storage.path()).unwrap(), &Root::open_ambient(workspace.path()).unwrap()).unwrap(),
        );
        Fixture { workspace, _storage: storage, checkpoints }
    }

    fn selection(message: &str, scope: RestoreScope) -> CheckpointSelection {
        CheckpointSelection { chat_id: "c".into(), message_id: message.into(), scope, paths: None, overwrite: None }
    }

    impl Fixture {
        fn write(&self, path: &str, text: &str) {
            std::fs::write(self.workspace.path().join(path), text).unwrap();
        }
        fn read(&self, path: &str) -> Option<String> {
            std::fs::read_to_string(self.workspace.path().join(path)).ok()
        }
        /// Makes a turn change `path` from its current content to `text` (`None`: delete).
        fn change(&self, message: &str, path: &str, text: Option<&str>) {
            let turn = self.checkpoints.turn(&CheckpointTarget { chat_id: "c".into(), message_id: message.into() }).unwrap();
            let before = self.read(path);
            match text {
                Some(text) => self.write(path, text),
                None => std::fs::remove_file(self.workspace.path().join(path)).unwrap(),
            }
            turn.record_change(&RelPath::parse(path).unwrap(), before.as_deref().map(str::as_bytes), text.map(str::as_bytes), false).unwrap();
        }
    }

    #[tokio::test]
    async fn restore_from_a_message_undoes_it_and_every_later_one() {
        let f = fixture();
        f.write("a.txt", "a0\n");
        f.change("m1", "a.txt", Some("a1\n"));
        f.change("m1", "new.txt", Some("created\n"));
        f.change("m2", "a.txt", Some("a2\n"));
        let listed = list(&f.checkpoints, "c").unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].files.iter().map(|f| (f.path.as_str(), f.change, f.added, f.removed)).collect::<Vec<_>>(), [
            ("a.txt", FileChange::Modified, 1, 1),
            ("new.txt", FileChange::Created, 1, 0)
        ]);

        let editors = Editors::none();
        let plan = plan(f.checkpoints.clone(), &editors, selection("m1", RestoreScope::FromMessage)).await.unwrap();
        let a = plan.files.iter().find(|p| p.path == "a.txt").unwrap();
        assert_eq!((a.status, a.before.text.as_deref(), a.after.text.as_deref()), (PlanStatus::Unchanged, Some("a0\n"), Some("a2\n")));

        let result = apply(f.checkpoints.clone(), &editors, selection("m1", RestoreScope::FromMessage)).await.unwrap();
        assert_eq!(result.skipped, []);
        assert_eq!(f.read("a.txt").as_deref(), Some("a0\n"));
        assert_eq!(f.read("new.txt"), None, "a file the message created is deleted again");
        let states: Vec<FileState> = list(&f.checkpoints, "c").unwrap().iter().flat_map(|s| s.files.iter().map(|f| f.state)).collect();
        assert!(states.iter().all(|s| *s == FileState::Undone), "{states:?}");
    }

    #[tokio::test]
    async fn a_file_edited_since_is_restored_only_when_asked() {
        let f = fixture();
        f.write("a.txt", "mine\n");
        f.change("m1", "a.txt", Some("agent\n"));
        f.write("a.txt", "agent\nplus my edit\n");
        let editors = Editors::none();
        let plan = plan(f.checkpoints.clone(), &editors, selection("m1", RestoreScope::Message)).await.unwrap();
        assert_eq!(plan.files[0].status, PlanStatus::Edited);
        assert_eq!(plan.files[0].current.text.as_deref(), Some("agent\nplus my edit\n"));

        let result = apply(f.checkpoints.clone(), &editors, selection("m1", RestoreScope::Message)).await.unwrap();
        assert_eq!(result.restored, Vec::<String>::new());
        assert_eq!(result.skipped.len(), 1);
        assert_eq!(f.read("a.txt").as_deref(), Some("agent\nplus my edit\n"), "the user's edit is kept");

        let mut forced = selection("m1", RestoreScope::Message);
        forced.overwrite = Some(vec!["a.txt".into()]);
        let result = apply(f.checkpoints.clone(), &editors, forced).await.unwrap();
        assert_eq!(result.restored, ["a.txt"]);
        assert_eq!(f.read("a.txt").as_deref(), Some("mine\n"));
    }

    #[tokio::test]
    async fn keep_and_delete() {
        let f = fixture();
        f.write("a.txt", "0");
        f.change("m1", "a.txt", Some("1"));
        keep(&f.checkpoints, &selection("m1", RestoreScope::Message)).unwrap();
        assert_eq!(list(&f.checkpoints, "c").unwrap()[0].files[0].state, FileState::Kept);
        delete(&f.checkpoints, "c").unwrap();
        assert!(list(&f.checkpoints, "c").unwrap().is_empty());
        assert!(f.checkpoints.store.storage.symlink_metadata(&f.checkpoints.store.dir).is_err(), "the last chat takes the store with it");
    }
}
