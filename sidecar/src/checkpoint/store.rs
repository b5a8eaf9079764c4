//! The checkpoint store on disk, beneath the extension's storage root (never in the workspace):
//!
//! ```text
//! checkpoints/<workspace key>/
//!   blobs/<2 hex>/<62 hex>           file contents, named by their BLAKE3 hash (stored once)
//!   manifest.json                    the last scan of the workspace (see `scan`)
//!   chats/<chat id>/<time>-<message id>.json   one record per assistant message that changed files
//! ```
//!
//! Everything is written atomically (temporary file, then rename or link), so a crash leaves
//! either the old or the new version. Blobs are immutable: a blob that exists is complete.

use crate::confine::{FsError, RelPath, Root};
use crate::protocol::checkpoint::FileState;
use serde::{Deserialize, Serialize};
use std::io;

/// No stored content is larger (scans skip larger files; a write_file is at most 20 MB).
const MAX_BLOB_BYTES: u64 = 1024 * 1024 * 1024;

/// A file's content by its hash (64 hex digits), or its absence.
pub type BlobRef = Option<String>;

/// What one assistant message changed, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub message_id: String,
    pub created_at: f64,
    /// In the order the files were first changed.
    pub files: Vec<FileRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileRecord {
    pub path: String,
    /// The content before the message changed it; `None`: it did not exist.
    pub before: BlobRef,
    /// The content the message left; `None`: it deleted the file.
    pub after: BlobRef,
    #[serde(default)]
    pub state: FileState,
    #[serde(default)]
    pub by_command: bool,
}

/// One workspace's part of the store.
pub struct Store {
    /// `checkpoints/<workspace key>` beneath the storage root.
    root: Root,
    /// The path of `root` as `RelPath` inside the storage root, to delete it whole.
    pub(super) dir: RelPath,
    pub(super) storage: Root,
}

/// True for ids that may name a folder or file (chat and message ids from the webview).
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub fn hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

fn io_text(err: FsError, what: &str) -> String {
    match err {
        FsError::Io(io) => format!("cannot {what} in the checkpoint store: {io}"),
        FsError::Escape => format!("cannot {what}: the checkpoint store leads outside the extension's storage"),
        FsError::NotRegular(kind) => format!("cannot {what}: a {kind} is in the way in the checkpoint store"),
        FsError::TooLarge { .. } => format!("cannot {what}: a stored file is larger than expected"),
    }
}

impl Store {
    /// Opens (creating it) the part of `storage` for the workspace whose key is `key`.
    pub fn open(storage: &Root, key: &str) -> Result<Store, String> {
        let dir = RelPath::parse(&format!("checkpoints/{key}")).map_err(|err| err.message)?;
        storage.create_dir_all(&dir).map_err(|err| io_text(err, "create the checkpoint folder"))?;
        let root = storage.open_dir(&dir).map_err(|err| io_text(err, "open the checkpoint folder"))?;
        Ok(Store { root, dir, storage: storage.clone() })
    }

    fn blob_path(hash: &str) -> RelPath {
        RelPath::from_normal(std::path::Path::new(&format!("blobs/{}/{}", &hash[..2], &hash[2..])))
    }

    /// Stores `bytes` (once) and returns their hash.
    pub fn put(&self, bytes: &[u8]) -> Result<String, String> {
        let hash = hash(bytes);
        let path = Self::blob_path(&hash);
        if self.root.symlink_metadata(&path).is_ok() {
            return Ok(hash);
        }
        match self.root.write_new(&path, bytes) {
            Ok(()) => Ok(hash),
            Err(FsError::Io(err)) if err.kind() == io::ErrorKind::AlreadyExists => Ok(hash),
            Err(err) => Err(io_text(err, "store a file's content")),
        }
    }

    /// The content stored under `hash`.
    pub fn get(&self, hash: &str) -> Result<Vec<u8>, String> {
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("'{hash}' is not a content hash"));
        }
        self.root
            .read_regular(&Self::blob_path(hash), MAX_BLOB_BYTES)
            .map_err(|err| if err.is_not_found() { "a stored file's content is missing from the checkpoint store".to_string() } else { io_text(err, "read a stored file") })
    }

    fn chat_dir(chat_id: &str) -> Result<RelPath, String> {
        if !valid_id(chat_id) {
            return Err(format!("'{chat_id}' is not a chat id (1–128 letters, digits, '-' or '_')"));
        }
        RelPath::parse(&format!("chats/{chat_id}")).map_err(|err| err.message)
    }

    /// The records of a chat, oldest first.
    pub fn records(&self, chat_id: &str) -> Result<Vec<(RelPath, Record)>, String> {
        let dir = Self::chat_dir(chat_id)?;
        let entries = match self.root.list(&dir) {
            Ok(entries) => entries,
            Err(err) if err.is_not_found() => return Ok(Vec::new()),
            Err(err) => return Err(io_text(err, "list a chat's checkpoints")),
        };
        let mut records = Vec::new();
        for entry in entries.into_iter().filter(|entry| entry.name.ends_with(".json")) {
            let path = dir.join(&entry.name);
            let bytes = self.root.read_regular(&path, 64 * 1024 * 1024).map_err(|err| io_text(err, "read a checkpoint"))?;
            // A record that cannot be read (written by a newer version?) is left alone, not fatal.
            if let Ok(record) = serde_json::from_slice::<Record>(&bytes) {
                records.push((path, record));
            }
        }
        records.sort_by(|a, b| a.1.created_at.total_cmp(&b.1.created_at).then_with(|| a.0.wire().cmp(b.0.wire())));
        Ok(records)
    }

    /// Where a new record of `message_id` goes.
    pub fn new_record_path(&self, chat_id: &str, message_id: &str, created_at: f64) -> Result<RelPath, String> {
        if !valid_id(message_id) {
            return Err(format!("'{message_id}' is not a message id (1–128 letters, digits, '-' or '_')"));
        }
        Ok(Self::chat_dir(chat_id)?.join(&format!("{:013}-{message_id}.json", created_at as u64)))
    }

    pub fn write_record(&self, path: &RelPath, record: &Record) -> Result<(), String> {
        let bytes = serde_json::to_vec(record).map_err(|err| format!("cannot encode a checkpoint: {err}"))?;
        self.root.write_atomic(path, &bytes).map(|_| ()).map_err(|err| io_text(err, "write a checkpoint"))
    }

    /// Reads a small file of the store (the manifest), `None` when it does not exist.
    pub fn read_file(&self, name: &str) -> Result<Option<Vec<u8>>, String> {
        let path = RelPath::parse(name).map_err(|err| err.message)?;
        self.root.read_existing(&path, 1024 * 1024 * 1024).map_err(|err| io_text(err, "read the workspace manifest"))
    }

    /// The store's folder as a root (the watcher watches it for its sentinels).
    pub fn root(&self) -> &Root {
        &self.root
    }

    pub fn remove_file(&self, name: &str) -> Result<(), String> {
        let path = RelPath::parse(name).map_err(|err| err.message)?;
        self.root.remove_file(&path).map_err(|err| io_text(err, "remove a file of the checkpoint store"))
    }

    pub fn write_file(&self, name: &str, bytes: &[u8]) -> Result<(), String> {
        let path = RelPath::parse(name).map_err(|err| err.message)?;
        self.root.write_atomic(&path, bytes).map(|_| ()).map_err(|err| io_text(err, "write the workspace manifest"))
    }

    /// Deletes a chat's records. Returns whether any chat is left in this workspace's store.
    pub fn delete_chat(&self, chat_id: &str) -> Result<bool, String> {
        let dir = Self::chat_dir(chat_id)?;
        match self.root.remove_dir_all(&dir) {
            Ok(()) => {}
            Err(err) if err.is_not_found() => {}
            Err(err) => return Err(io_text(err, "delete a chat's checkpoints")),
        }
        let chats = RelPath::parse("chats").map_err(|err| err.message)?;
        Ok(self.root.list(&chats).map(|entries| !entries.is_empty()).unwrap_or(false))
    }

    /// Every chat id with records.
    pub fn chat_ids(&self) -> Vec<String> {
        let chats = RelPath::parse("chats").expect("a plain name");
        self.root.list(&chats).map(|entries| entries.into_iter().filter(|e| e.is_dir).map(|e| e.name).collect()).unwrap_or_default()
    }

    /// Deletes every blob whose hash `keep` does not hold. Returns how many were deleted.
    pub fn collect_garbage(&self, keep: &std::collections::HashSet<String>) -> usize {
        let blobs = RelPath::parse("blobs").expect("a plain name");
        let mut deleted = 0;
        for prefix in self.root.list(&blobs).unwrap_or_default().into_iter().filter(|e| e.is_dir) {
            let folder = blobs.join(&prefix.name);
            for blob in self.root.list(&folder).unwrap_or_default() {
                let hash = format!("{}{}", prefix.name, blob.name);
                if !keep.contains(&hash) && self.root.remove_file(&folder.join(&blob.name)).is_ok() {
                    deleted += 1;
                }
            }
        }
        deleted
    }

    /// Deletes this workspace's whole store (no chat has checkpoints any more).
    pub fn delete_all(&self) -> Result<(), String> {
        match self.storage.remove_dir_all(&self.dir) {
            Ok(()) => Ok(()),
            Err(err) if err.is_not_found() => Ok(()),
            Err(err) => Err(io_text(err, "delete the checkpoint store")),
        }
    }
}
