//! VS Code's editors as the sidecar sees them, and the one way it changes a workspace file that
//! the user may have open: `replace_checked`.
//!
//! A file open in an editor (dirty or not) is read from the editor and changed through the host's
//! `editor/applyEdit`, a `WorkspaceEdit` checked against the document version that was read; it is
//! never saved for the user. A file that is not open is read and written here, beneath the
//! workspace's directory handle (`confine`). Either way the change is made only if the file still
//! holds what the change was decided on: a file the user changed, deleted or created since is
//! never overwritten, and the caller is told which of these happened.
//!
//! Without the host's `editorDocuments` capability (tests, other clients) every file counts as not
//! open.

use crate::confine::{FsError, RelPath, Root};
use crate::protocol::editor::{ApplyEditParams, ApplyEditRefusal, ApplyEditResult, ReadDocumentParams, ReadDocumentResult};
use crate::rpc::host::HostClient;
use std::time::Duration;

/// How long the host may take to answer; it answers from memory, so this only guards against a
/// host that hangs.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
const APPLY_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest file read whole for a change or a comparison.
pub const MAX_TEXT_BYTES: u64 = 20 * 1024 * 1024;

/// The host's editors, or none.
#[derive(Clone, Default)]
pub struct Editors {
    host: Option<HostClient>,
}

/// A file as the editor has it.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    Open { text: String, version: i64 },
    NotOpen,
}

/// What a file held when a change was decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    /// It did not exist.
    Absent,
    /// This text (read from the editor, or from disk as UTF-8).
    Text(String),
    /// These exact bytes (a file that is not text).
    Bytes(Vec<u8>),
}

impl Expected {
    fn matches_disk(&self, current: Option<&[u8]>) -> bool {
        match (self, current) {
            (Expected::Absent, None) => true,
            (Expected::Text(text), Some(bytes)) => bytes == text.as_bytes() || String::from_utf8_lossy(bytes) == *text,
            (Expected::Bytes(expected), Some(bytes)) => expected == bytes,
            _ => false,
        }
    }

    fn matches_text(&self, text: &str) -> bool {
        match self {
            Expected::Absent => false,
            Expected::Text(expected) => expected == text,
            Expected::Bytes(bytes) => bytes == text.as_bytes(),
        }
    }
}

/// Where a change went.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    /// Into the open document (not saved).
    Editor,
    /// To the file on disk.
    Disk,
}

/// Why a change was not made. Nothing was written in any of these cases.
#[derive(Debug, Clone, PartialEq)]
pub enum Conflict {
    /// The file (or its open document) no longer holds what the change was decided on.
    Changed,
    /// It existed and is gone now (deleted or renamed).
    Deleted,
    /// It did not exist and does now.
    Created,
    /// The editor, the host or the disk refused; the text says why.
    Failed(String),
}

impl Conflict {
    /// A sentence for the model or the user about `shown`.
    pub fn describe(&self, shown: &str) -> String {
        match self {
            Conflict::Changed => format!("{shown} changed after the change was proposed (the user edited it), so nothing was written"),
            Conflict::Deleted => format!("{shown} was deleted or renamed after the change was proposed, so nothing was written"),
            Conflict::Created => format!("{shown} was created by someone else after the change was proposed, so nothing was written"),
            Conflict::Failed(reason) => format!("{shown} could not be written: {reason}"),
        }
    }
}

impl Editors {
    /// No editors: every file is read and written on disk.
    pub fn none() -> Editors {
        Editors { host: None }
    }

    /// The host's editors, when it serves `editor/*` requests.
    pub fn from_host(host: HostClient, served: bool) -> Editors {
        Editors { host: served.then_some(host) }
    }

    /// The editor's text of `path` when a document for it is open.
    pub async fn read(&self, path: &RelPath) -> Result<Document, String> {
        let Some(host) = &self.host else { return Ok(Document::NotOpen) };
        let answer = host
            .request("editor/readDocument", &ReadDocumentParams { path: path.wire().to_string() }, READ_TIMEOUT)
            .await
            .map_err(|err| format!("could not ask VS Code whether {} is open ({err})", path.shown()))?;
        let result: ReadDocumentResult =
            serde_json::from_value(answer).map_err(|err| format!("VS Code's answer about {} was not understood ({err})", path.shown()))?;
        match (result.open, result.text, result.version) {
            (true, Some(text), Some(version)) => Ok(Document::Open { text, version }),
            (true, _, _) => Err(format!("VS Code said {} is open but did not send its text", path.shown())),
            (false, _, _) => Ok(Document::NotOpen),
        }
    }

    async fn apply(&self, path: &RelPath, content: Option<&str>, version: i64, must_exist: bool) -> Result<ApplyEditResult, Conflict> {
        let Some(host) = &self.host else { return Ok(ApplyEditResult { applied: false, reason: Some(ApplyEditRefusal::Closed), version: None }) };
        let params = ApplyEditParams { path: path.wire().to_string(), content: content.map(str::to_string), expected_version: version, must_exist };
        let answer = host
            .request("editor/applyEdit", &params, APPLY_TIMEOUT)
            .await
            .map_err(|err| Conflict::Failed(format!("the edit could not be sent to VS Code ({err})")))?;
        serde_json::from_value(answer).map_err(|err| Conflict::Failed(format!("VS Code's answer was not understood ({err})")))
    }
}

/// The file's current content for a change: the open document's text, else the bytes on disk
/// (`None` when it does not exist).
pub async fn read_current(editors: &Editors, root: &Root, path: &RelPath) -> Result<Current, String> {
    if let Document::Open { text, version } = editors.read(path).await? {
        return Ok(Current::Editor { text, version });
    }
    let (root, path) = (root.clone(), path.clone());
    let read = tokio::task::spawn_blocking(move || root.read_existing(&path, MAX_TEXT_BYTES).map_err(|err| err.to_tool_message(&path, "read")))
        .await
        .map_err(|err| format!("the file operation failed unexpectedly ({err})"))??;
    Ok(Current::Disk(read))
}

/// A file's content as `read_current` found it.
#[derive(Debug, Clone, PartialEq)]
pub enum Current {
    Editor { text: String, version: i64 },
    Disk(Option<Vec<u8>>),
}

impl Current {
    /// What a later change must find there.
    pub fn expected(&self) -> Expected {
        match self {
            Current::Editor { text, .. } => Expected::Text(text.clone()),
            Current::Disk(None) => Expected::Absent,
            Current::Disk(Some(bytes)) => match std::str::from_utf8(bytes) {
                Ok(text) => Expected::Text(text.to_string()),
                Err(_) => Expected::Bytes(bytes.clone()),
            },
        }
    }

    /// The editor version the content was read at, if it came from an editor.
    pub fn version(&self) -> Option<i64> {
        match self {
            Current::Editor { version, .. } => Some(*version),
            Current::Disk(_) => None,
        }
    }

    /// The content as bytes (`None`: the file does not exist).
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Current::Editor { text, .. } => Some(text.as_bytes()),
            Current::Disk(bytes) => bytes.as_deref(),
        }
    }
}

/// Replaces `path`'s content with `new` (or deletes the file when `new` is `None`), but only if it
/// still holds `expected`. `read_version` is the editor version `expected` was read at, when it
/// was read from an editor: the edit is then checked against that version, as LSP checks a
/// versioned edit. Text goes through the editor when a document is open for the file; bytes that
/// are not UTF-8, and files that are not open, are written beneath the root.
pub async fn replace_checked(
    editors: &Editors,
    root: &Root,
    path: &RelPath,
    expected: &Expected,
    read_version: Option<i64>,
    new: Option<&[u8]>,
) -> Result<Written, Conflict> {
    let document = editors.read(path).await.map_err(Conflict::Failed)?;
    let new_text = new.map(std::str::from_utf8);
    if let Document::Open { text, version } = document {
        let version = match read_version {
            Some(read) => read,
            None if expected.matches_text(&text) => version,
            None => return Err(if *expected == Expected::Absent { Conflict::Created } else { Conflict::Changed }),
        };
        let content = match new_text {
            None => None,
            Some(Ok(text)) => Some(text),
            Some(Err(_)) => return Err(Conflict::Failed("the new content is not text, and the file is open in an editor; close it and try again".into())),
        };
        let must_exist = *expected != Expected::Absent;
        let result = editors.apply(path, content, version, must_exist).await?;
        match (result.applied, result.reason) {
            (true, _) => return Ok(Written::Editor),
            (false, Some(ApplyEditRefusal::Closed)) => {} // closed meanwhile: the disk decides below
            (false, Some(ApplyEditRefusal::Changed)) => return Err(Conflict::Changed),
            (false, Some(ApplyEditRefusal::Deleted)) => return Err(Conflict::Deleted),
            (false, _) => return Err(Conflict::Failed("VS Code refused the edit (is the file read-only?)".into())),
        }
    }
    // Not open (or closed meanwhile). Text read from an editor that has been closed since must now
    // be on disk (it was saved before closing); if its changes were discarded instead, it is not,
    // and the comparison below refuses.
    let (root, path, expected, new) = (root.clone(), path.clone(), expected.clone(), new.map(<[u8]>::to_vec));
    tokio::task::spawn_blocking(move || write_disk_checked(&root, &path, &expected, new.as_deref()))
        .await
        .map_err(|err| Conflict::Failed(format!("the file operation failed unexpectedly ({err})")))?
}

/// The disk half of `replace_checked` (blocking).
fn write_disk_checked(root: &Root, path: &RelPath, expected: &Expected, new: Option<&[u8]>) -> Result<Written, Conflict> {
    let failed = |err: FsError, action: &str| Conflict::Failed(err.to_tool_message(path, action));
    let current = root.read_existing(path, MAX_TEXT_BYTES).map_err(|err| failed(err, "read"))?;
    if !expected.matches_disk(current.as_deref()) {
        return Err(match (expected, &current) {
            (Expected::Absent, Some(_)) => Conflict::Created,
            (_, None) => Conflict::Deleted,
            _ => Conflict::Changed,
        });
    }
    match new {
        Some(bytes) if *expected == Expected::Absent => root.write_new(path, bytes).map_err(|err| match err {
            FsError::Io(io) if io.kind() == std::io::ErrorKind::AlreadyExists => Conflict::Created,
            other => failed(other, "create"),
        })?,
        Some(bytes) => {
            root.write_atomic(path, bytes).map_err(|err| failed(err, "write"))?;
        }
        None if current.is_none() => {}
        None => root.remove_file(path).map_err(|err| failed(err, "delete"))?,
    }
    Ok(Written::Disk)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        let root = Root::open_ambient(dir.path()).unwrap();
        (dir, root)
    }

    fn rel(path: &str) -> RelPath {
        RelPath::parse(path).unwrap()
    }

    #[tokio::test]
    async fn writes_only_over_what_was_expected() {
        let (dir, root) = root();
        std::fs::write(dir.path().join("a.txt"), "one\n").unwrap();
        let editors = Editors::none();
        let current = read_current(&editors, &root, &rel("a.txt")).await.unwrap();
        assert_eq!(current.expected(), Expected::Text("one\n".into()));

        std::fs::write(dir.path().join("a.txt"), "user's\n").unwrap();
        let refused = replace_checked(&editors, &root, &rel("a.txt"), &current.expected(), None, Some(b"two\n")).await;
        assert_eq!(refused, Err(Conflict::Changed));
        assert_eq!(std::fs::read_to_string(dir.path().join("a.txt")).unwrap(), "user's\n", "the user's text survives");

        let now = read_current(&editors, &root, &rel("a.txt")).await.unwrap();
        assert_eq!(replace_checked(&editors, &root, &rel("a.txt"), &now.expected(), None, Some(b"two\n")).await, Ok(Written::Disk));
        assert_eq!(std::fs::read_to_string(dir.path().join("a.txt")).unwrap(), "two\n");
    }

    #[tokio::test]
    async fn deleted_and_created_files_are_named() {
        let (dir, root) = root();
        let editors = Editors::none();
        std::fs::write(dir.path().join("gone.txt"), "x").unwrap();
        let expected = read_current(&editors, &root, &rel("gone.txt")).await.unwrap().expected();
        std::fs::remove_file(dir.path().join("gone.txt")).unwrap();
        assert_eq!(replace_checked(&editors, &root, &rel("gone.txt"), &expected, None, Some(b"y")).await, Err(Conflict::Deleted));
        assert!(!dir.path().join("gone.txt").exists(), "nothing is written");

        let absent = read_current(&editors, &root, &rel("new/b.txt")).await.unwrap().expected();
        assert_eq!(absent, Expected::Absent);
        std::fs::create_dir(dir.path().join("new")).unwrap();
        std::fs::write(dir.path().join("new/b.txt"), "theirs").unwrap();
        assert_eq!(replace_checked(&editors, &root, &rel("new/b.txt"), &absent, None, Some(b"mine")).await, Err(Conflict::Created));
        assert_eq!(std::fs::read_to_string(dir.path().join("new/b.txt")).unwrap(), "theirs");
    }

    #[tokio::test]
    async fn binary_content_is_compared_byte_for_byte_and_can_be_deleted() {
        let (dir, root) = root();
        let editors = Editors::none();
        std::fs::write(dir.path().join("img.bin"), [0u8, 159, 146, 150]).unwrap();
        let expected = read_current(&editors, &root, &rel("img.bin")).await.unwrap().expected();
        assert!(matches!(expected, Expected::Bytes(_)));
        assert_eq!(replace_checked(&editors, &root, &rel("img.bin"), &expected, None, None).await, Ok(Written::Disk));
        assert!(!dir.path().join("img.bin").exists());
    }
}
