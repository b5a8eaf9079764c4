//! Checkpoints: what each assistant message changed in the workspace, kept so it can be undone.
//!
//! How a turn is captured (ARCHITECTURE.md, "Checkpoints", says why this way and what it costs):
//! - `write_file` / `edit_file` know their file: right before the change, the file's content (the
//!   editor's text when it is open) is stored as the file's "before", and the new content as its
//!   "after". Cost: one hash and one small write per changed file, whatever the workspace's size.
//! - `bash` can change anything: the workspace is scanned before and after the command (`scan`:
//!   a stat walk compared with the previous scan's manifest; only files whose stat changed are
//!   read), and every file whose content differs is recorded the same way.
//!
//! Contents go to a content-addressed store in the extension's storage, outside the user's
//! repository (`store`); each message's record lists its files with their before/after hashes.
//! Records survive reloads, and `delete_checkpoints` removes a chat's records with the contents
//! nothing else refers to. `restore` lists, plans and applies restores.

pub mod restore;
pub mod scan;
pub mod store;
pub mod watch;

use crate::confine::{RelPath, Root};
use crate::protocol::checkpoint::{CheckpointTarget, FileState};
use scan::{Manifest, Snapshot};
use std::sync::{Arc, Mutex, MutexGuard};
use store::{FileRecord, Record, Store};

/// The checkpoints of one workspace.
pub struct Checkpoints {
    pub(crate) store: Store,
    pub(crate) workspace: Root,
    /// The last scan and the watch that keeps it current. Locked for a whole scan, so two
    /// commands' scans never interleave.
    scanning: Mutex<Scanning>,
    /// Serializes changes to records (turns of different chats may run at once).
    records: Mutex<()>,
}

/// The last scan (loaded from the store at first use) and the watch started with the first full
/// scan; `watch_failed` keeps a watch that cannot start from being retried at every scan.
#[derive(Default)]
struct Scanning {
    manifest: Option<Manifest>,
    watch: Option<watch::Watch>,
    watch_failed: bool,
}

fn now_ms() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Checkpoints {
    /// The checkpoints of `workspace`, stored beneath `storage` in a folder named after the
    /// workspace's path (hashed, so any path makes a plain name).
    pub fn open(storage: &Root, workspace: &Root) -> Result<Checkpoints, String> {
        let key = store::hash(workspace.path().to_string_lossy().as_bytes())[..16].to_string();
        Ok(Checkpoints { store: Store::open(storage, &key)?, workspace: workspace.clone(), scanning: Mutex::default(), records: Mutex::new(()) })
    }

    /// A recorder for the turn that answers `target`.
    pub fn turn(self: &Arc<Self>, target: &CheckpointTarget) -> Result<TurnRecorder, String> {
        if !store::valid_id(&target.chat_id) || !store::valid_id(&target.message_id) {
            return Err("checkpoint ids must be 1–128 letters, digits, '-' or '_'".into());
        }
        Ok(TurnRecorder { checkpoints: self.clone(), target: target.clone(), record: Mutex::new(None) })
    }

    /// Brings the manifest up to date (blocking) and returns the snapshot. With a running watch
    /// only the paths it saw change are checked; otherwise (the first time, or when events were
    /// lost) the whole workspace is walked, and a watch is started for the next time.
    pub fn scan(&self) -> Result<(Snapshot, scan::ScanStats), String> {
        let mut scanning = lock(&self.scanning);
        let Scanning { manifest, watch, watch_failed } = &mut *scanning;
        let manifest = manifest.get_or_insert_with(|| Manifest::load(&self.store));
        let changed = match watch.as_mut().map(|watch| watch.take(&self.store)) {
            Some(Some(changed)) => Some(changed),
            _ => None,
        };
        let stats = match changed {
            // Only a watch started before a full scan vouches for what that scan did not see.
            Some(changed) => scan::rescan(&self.workspace, &self.store, manifest, &changed)?.1,
            None => {
                if !*watch_failed {
                    match watch::Watch::start(&self.workspace, &self.store) {
                        Ok(started) => *watch = Some(started),
                        Err(reason) => {
                            *watch_failed = true;
                            crate::rpc::server::log(&format!("checkpoints scan the whole workspace before and after each command: {reason}"));
                        }
                    }
                }
                let (changed, stats) = scan::scan(&self.workspace, &self.store, manifest)?;
                // Persisted after full scans (a restart's first scan compares against it); the
                // watch keeps the in-memory copy current in between.
                if changed {
                    manifest.save(&self.store)?;
                }
                // Changes the watch saw during the walk are checked again by the next scan.
                stats
            }
        };
        Ok((manifest.snapshot(), stats))
    }

    /// The hashes the last scan refers to (kept by garbage collection). The manifest is saved
    /// first, so the one on disk never refers to contents the collection removes.
    pub(crate) fn manifest_hashes(&self) -> Result<Vec<String>, String> {
        let mut scanning = lock(&self.scanning);
        let manifest = scanning.manifest.get_or_insert_with(|| Manifest::load(&self.store));
        manifest.save(&self.store)?;
        Ok(manifest.files.values().map(|entry| entry.hash.clone()).collect())
    }

    pub(crate) fn forget_manifest(&self) {
        *lock(&self.scanning) = Scanning::default();
    }

    pub(crate) fn lock_records(&self) -> MutexGuard<'_, ()> {
        lock(&self.records)
    }
}

/// Records one turn's changes. Its record is created with the turn's first change.
pub struct TurnRecorder {
    checkpoints: Arc<Checkpoints>,
    target: CheckpointTarget,
    /// The record file and its content, once the first change is recorded.
    record: Mutex<Option<(RelPath, Record)>>,
}

impl TurnRecorder {
    /// Records that `path` changed from `before` to `after` (`None`: absent). Blocking: stores
    /// the contents and rewrites the record. A file changed twice in a turn keeps its first
    /// "before"; one changed back to where it started is dropped from the record.
    pub fn record_change(&self, path: &RelPath, before: Option<&[u8]>, after: Option<&[u8]>, by_command: bool) -> Result<(), String> {
        let store = &self.checkpoints.store;
        let before = before.map(|bytes| store.put(bytes)).transpose()?;
        let after = after.map(|bytes| store.put(bytes)).transpose()?;
        self.record_hashes(&[(path.wire().to_string(), before, after)], by_command)
    }

    fn record_hashes(&self, changes: &[(String, Option<String>, Option<String>)], by_command: bool) -> Result<(), String> {
        if changes.is_empty() {
            return Ok(());
        }
        let _records = self.checkpoints.lock_records();
        let mut slot = lock(&self.record);
        if slot.is_none() {
            *slot = Some(self.open_record()?);
        }
        let (file, record) = slot.as_mut().expect("just filled");
        for (path, before, after) in changes {
            match record.files.iter().position(|f| f.path == *path) {
                Some(index) => {
                    let entry = &mut record.files[index];
                    entry.after = after.clone();
                    entry.state = FileState::Pending;
                    entry.by_command |= by_command;
                    if entry.before == entry.after {
                        record.files.remove(index);
                    }
                }
                None if before != after => record.files.push(FileRecord {
                    path: path.clone(),
                    before: before.clone(),
                    after: after.clone(),
                    state: FileState::Pending,
                    by_command,
                }),
                None => {}
            }
        }
        self.checkpoints.store.write_record(file, record)
    }

    /// The message's existing record (a turn continued after a reload), or a new one.
    fn open_record(&self) -> Result<(RelPath, Record), String> {
        let store = &self.checkpoints.store;
        if let Some(found) = store.records(&self.target.chat_id)?.into_iter().find(|(_, r)| r.message_id == self.target.message_id) {
            return Ok(found);
        }
        let created_at = now_ms();
        let path = store.new_record_path(&self.target.chat_id, &self.target.message_id, created_at)?;
        Ok((path, Record { message_id: self.target.message_id.clone(), created_at, files: Vec::new() }))
    }

    /// Before a command: the workspace as it is now (blocking).
    pub fn before_command(&self) -> Result<Snapshot, String> {
        self.checkpoints.scan().map(|(snapshot, _)| snapshot)
    }

    /// After a command: records every file whose content differs from `before` (blocking).
    /// Returns the paths that changed.
    pub fn after_command(&self, before: &Snapshot) -> Result<Vec<String>, String> {
        let (after, _) = self.checkpoints.scan()?;
        let changes = scan::differences(before, &after);
        self.record_hashes(&changes, true)?;
        Ok(changes.into_iter().map(|(path, _, _)| path).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_turn_records_its_first_before_and_its_last_after() {
        let storage = tempfile::tempdir().unwrap();
        let workspace = tempfile::tempdir().unwrap();
        let checkpoints = Arc::new(
            Checkpoints::open(&Root::open_ambient(storage.path()).unwrap(), &Root::open_ambient(workspace.path()).unwrap()).unwrap(),
        );
        let turn = checkpoints.turn(&CheckpointTarget { chat_id: "chat1".into(), message_id: "m1".into() }).unwrap();
        let a = RelPath::parse("a.txt").unwrap();
        turn.record_change(&a, Some(b"one"), Some(b"two"), false).unwrap();
        turn.record_change(&a, Some(b"two"), Some(b"three"), false).unwrap();
        let b = RelPath::parse("b.txt").unwrap();
        turn.record_change(&b, None, Some(b"new"), false).unwrap();
        turn.record_change(&b, Some(b"new"), None, false).unwrap();

        let records = checkpoints.store.records("chat1").unwrap();
        assert_eq!(records.len(), 1);
        let files = &records[0].1.files;
        assert_eq!(files.len(), 1, "b.txt was created and deleted again: no change");
        assert_eq!(checkpoints.store.get(files[0].before.as_ref().unwrap()).unwrap(), b"one");
        assert_eq!(checkpoints.store.get(files[0].after.as_ref().unwrap()).unwrap(), b"three");
        assert!(checkpoints.turn(&CheckpointTarget { chat_id: "../x".into(), message_id: "m".into() }).is_err());
    }
}
