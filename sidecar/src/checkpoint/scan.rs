//! Finding what a `bash` command changed: a scan of the workspace before and after it.
//!
//! A scan walks the workspace (skipping `.git`, `node_modules` and git-ignored files, like glob
//! and grep) and compares each file's size, modification and change times and inode with the
//! manifest of the previous scan, as git compares a work tree with its index. Only files whose
//! stat differs are read, hashed and stored, so after the first scan of a workspace (which stores
//! every file once) a scan costs one directory walk plus the files that changed. A file modified
//! within `RACY_WINDOW_NS` of a scan could change again without its stat changing (timestamps are
//! coarse), so it is hashed again by the next scan ("racily clean", as git calls it).
//!
//! Files larger than `MAX_SNAPSHOT_BYTES` are not stored; a command's changes to them cannot be
//! restored, and neither can changes to ignored files.

use super::store::Store;
use crate::confine::{walk, RelPath, Root};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;

/// Files larger than this are left out of scans.
pub const MAX_SNAPSHOT_BYTES: u64 = 8 * 1024 * 1024;
/// A file modified this close to a scan's start is hashed again by the next scan.
const RACY_WINDOW_NS: i128 = 50_000_000;
const MANIFEST: &str = "manifest.json";

/// What a scan knew about one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub size: u64,
    pub mtime_ns: i128,
    pub ctime_ns: i128,
    pub ino: u64,
    /// BLAKE3 of the content, stored in the blob store.
    pub hash: String,
    /// Modified too close to the scan: hash it again next time.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub racy: bool,
}

/// The workspace as the last scan saw it: path → entry.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub files: BTreeMap<String, Entry>,
}

/// The content hashes of a scan, by path, to compare two scans.
pub type Snapshot = BTreeMap<String, String>;

impl Manifest {
    pub fn load(store: &Store) -> Manifest {
        store.read_file(MANIFEST).ok().flatten().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default()
    }

    pub fn save(&self, store: &Store) -> Result<(), String> {
        let bytes = serde_json::to_vec(self).map_err(|err| format!("cannot encode the workspace manifest: {err}"))?;
        store.write_file(MANIFEST, &bytes)
    }

    pub fn snapshot(&self) -> Snapshot {
        self.files.iter().map(|(path, entry)| (path.clone(), entry.hash.clone())).collect()
    }
}

#[cfg(unix)]
fn stat_of(metadata: &cap_std::fs::Metadata) -> (i128, i128, u64) {
    use cap_std::fs::MetadataExt;
    let nanos = |secs: i64, nsec: i64| secs as i128 * 1_000_000_000 + nsec as i128;
    (nanos(metadata.mtime(), metadata.mtime_nsec()), nanos(metadata.ctime(), metadata.ctime_nsec()), metadata.ino())
}

#[cfg(not(unix))]
fn stat_of(metadata: &cap_std::fs::Metadata) -> (i128, i128, u64) {
    let mtime = metadata
        .modified()
        .ok()
        .and_then(|time| time.into_std().duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_nanos() as i128);
    (mtime, mtime, 0)
}

fn now_ns() -> i128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as i128).unwrap_or(0)
}

/// How much a scan had to do (for the benchmark and the log).
#[derive(Debug, Default, Clone, Copy)]
pub struct ScanStats {
    pub files: usize,
    pub hashed: usize,
}

/// Scans the workspace, updating `manifest` in place and storing the content of every file whose
/// stat changed. Returns whether anything changed, and what the scan did.
pub fn scan(root: &Root, store: &Store, manifest: &mut Manifest) -> Result<(bool, ScanStats), String> {
    let started = now_ns();
    let mut seen: BTreeMap<String, Entry> = BTreeMap::new();
    let mut stats = ScanStats::default();
    let mut failure = None;
    walk::regular_files(root, &RelPath::root(), |path, metadata| {
        let size = metadata.len();
        if size > MAX_SNAPSHOT_BYTES {
            return ControlFlow::Continue(());
        }
        stats.files += 1;
        let (mtime_ns, ctime_ns, ino) = stat_of(metadata);
        let racy = mtime_ns >= started - RACY_WINDOW_NS || ctime_ns >= started - RACY_WINDOW_NS;
        if let Some(known) = manifest.files.get(path.wire()) {
            if !known.racy && known.size == size && known.mtime_ns == mtime_ns && known.ctime_ns == ctime_ns && known.ino == ino {
                seen.insert(path.wire().to_string(), known.clone());
                return ControlFlow::Continue(());
            }
        }
        // Changed (or new, or racy): read it beneath the root and store its content.
        let bytes = match root.read_regular(path, MAX_SNAPSHOT_BYTES) {
            Ok(bytes) => bytes,
            Err(_) => return ControlFlow::Continue(()), // vanished or replaced meanwhile: not part of this scan
        };
        stats.hashed += 1;
        match store.put(&bytes) {
            Ok(hash) => {
                seen.insert(path.wire().to_string(), Entry { size: bytes.len() as u64, mtime_ns, ctime_ns, ino, hash, racy });
                ControlFlow::Continue(())
            }
            Err(err) => {
                failure = Some(err);
                ControlFlow::Break(())
            }
        }
    })
    .map_err(|err| err.to_tool_message(&RelPath::root(), "scan"))?;
    if let Some(err) = failure {
        return Err(err);
    }
    let changed = seen != manifest.files;
    manifest.files = seen;
    Ok((changed, stats))
}

/// Brings `manifest` up to date for the paths a watch saw change (`watch::Watch::take`), without
/// walking the workspace: each path is checked again, a folder's files are walked (a folder that
/// appeared) or re-checked (one that was deleted or renamed), and files the manifest does not know
/// yet are taken only when the ignore rules would let a full scan see them.
pub fn rescan(root: &Root, store: &Store, manifest: &mut Manifest, changed: &BTreeSet<String>) -> Result<(bool, ScanStats), String> {
    let started = now_ns();
    let mut candidates: BTreeSet<String> = manifest.files.iter().filter(|(_, entry)| entry.racy).map(|(path, _)| path.clone()).collect();
    for path in changed {
        let prefix = format!("{path}/");
        candidates.extend(manifest.files.range(prefix.clone()..).take_while(|(known, _)| known.starts_with(&prefix)).map(|(known, _)| known.clone()));
        let Ok(relative) = RelPath::parse(path) else { continue };
        match root.symlink_metadata(&relative) {
            Ok(metadata) if metadata.is_dir() => {
                let _ = walk::regular_files(root, &relative, |file, _| {
                    candidates.insert(file.wire().to_string());
                    ControlFlow::Continue(())
                });
            }
            _ => {
                candidates.insert(path.clone());
            }
        }
    }
    let mut stats = ScanStats::default();
    let mut rules = IgnoreRules::default();
    let before = manifest.files.len();
    let mut changed_any = false;
    for path in candidates {
        let relative = RelPath::parse(&path).map_err(|err| err.message)?;
        let metadata = match root.symlink_metadata(&relative) {
            Ok(metadata) if metadata.is_file() && metadata.len() <= MAX_SNAPSHOT_BYTES => metadata,
            _ => {
                changed_any |= manifest.files.remove(&path).is_some();
                continue;
            }
        };
        if !manifest.files.contains_key(&path) && rules.ignored(root, &relative) {
            continue;
        }
        stats.files += 1;
        let (mtime_ns, ctime_ns, ino) = stat_of(&metadata);
        let size = metadata.len();
        if let Some(known) = manifest.files.get(&path) {
            if !known.racy && known.size == size && known.mtime_ns == mtime_ns && known.ctime_ns == ctime_ns && known.ino == ino {
                continue;
            }
        }
        let Ok(bytes) = root.read_regular(&relative, MAX_SNAPSHOT_BYTES) else { continue };
        stats.hashed += 1;
        let hash = store.put(&bytes)?;
        let racy = mtime_ns >= started - RACY_WINDOW_NS || ctime_ns >= started - RACY_WINDOW_NS;
        let entry = Entry { size: bytes.len() as u64, mtime_ns, ctime_ns, ino, hash, racy };
        changed_any |= manifest.files.get(&path) != Some(&entry);
        manifest.files.insert(path, entry);
    }
    changed_any |= manifest.files.len() != before;
    Ok((changed_any, stats))
}

/// The `.gitignore` rules of a file's folders, read beneath the root and kept per folder, to
/// decide about files a watch reports that the manifest does not know.
#[derive(Default)]
struct IgnoreRules {
    folders: std::collections::HashMap<String, Option<ignore::gitignore::Gitignore>>,
}

impl IgnoreRules {
    /// True when a `.gitignore` of one of `path`'s folders excludes it (or one of its folders),
    /// unless a deeper one lets it back in.
    fn ignored(&mut self, root: &Root, path: &RelPath) -> bool {
        let mut verdict = false;
        let mut folder = RelPath::root();
        let names: Vec<&str> = path.wire().split('/').collect();
        for depth in 0..names.len() {
            if depth > 0 {
                folder = folder.join(names[depth - 1]);
            }
            let rules = self.folders.entry(folder.wire().to_string()).or_insert_with(|| load_rules(root, &folder));
            if let Some(rules) = rules {
                let anchored = std::path::Path::new("/").join(path.as_path());
                match rules.matched_path_or_any_parents(&anchored, false) {
                    ignore::Match::Ignore(_) => verdict = true,
                    ignore::Match::Whitelist(_) => verdict = false,
                    ignore::Match::None => {}
                }
            }
        }
        verdict
    }
}

fn load_rules(root: &Root, folder: &RelPath) -> Option<ignore::gitignore::Gitignore> {
    let file = folder.join(".gitignore");
    let bytes = root.read_existing(&file, 1024 * 1024).ok().flatten()?;
    let base = if folder.is_root() { std::path::PathBuf::from("/") } else { std::path::Path::new("/").join(folder.wire()) };
    let mut builder = ignore::gitignore::GitignoreBuilder::new(base);
    for line in String::from_utf8_lossy(&bytes).lines() {
        let _ = builder.add_line(None, line);
    }
    builder.build().ok()
}

/// The files whose content differs between two snapshots: `(path, before, after)`, `None` where a
/// file is absent.
pub fn differences(before: &Snapshot, after: &Snapshot) -> Vec<(String, Option<String>, Option<String>)> {
    let mut changed = Vec::new();
    for (path, hash) in before {
        match after.get(path) {
            Some(now) if now == hash => {}
            now => changed.push((path.clone(), Some(hash.clone()), now.cloned())),
        }
    }
    for (path, hash) in after {
        if !before.contains_key(path) {
            changed.push((path.clone(), None, Some(hash.clone())));
        }
    }
    changed.sort();
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_scan_reads_only_what_changed() {
        let workspace = tempfile::tempdir().unwrap();
        let storage = tempfile::tempdir().unwrap();
        for i in 0..20 {
            std::fs::create_dir_all(workspace.path().join(format!("d{}", i % 4))).unwrap();
            std::fs::write(workspace.path().join(format!("d{}/f{i}.txt", i % 4)), format!("file {i}\n")).unwrap();
        }
        std::fs::write(workspace.path().join(".gitignore"), "ignored/\n").unwrap();
        std::fs::create_dir(workspace.path().join("ignored")).unwrap();
        std::fs::write(workspace.path().join("ignored/x"), "x").unwrap();
        // Older than the racy window, as a workspace's files are: trusted by their stat later.
        std::thread::sleep(std::time::Duration::from_millis(120));
        let root = Root::open_ambient(workspace.path()).unwrap();
        let store = Store::open(&Root::open_ambient(storage.path()).unwrap(), "w").unwrap();
        let mut manifest = Manifest::default();
        let (changed, first) = scan(&root, &store, &mut manifest).unwrap();
        assert!(changed);
        assert_eq!((first.files, first.hashed), (21, 21), "every file once (the .gitignore too, the ignored file not)");
        let before = manifest.snapshot();

        std::fs::write(workspace.path().join("d1/f1.txt"), "changed\n").unwrap();
        std::fs::remove_file(workspace.path().join("d2/f2.txt")).unwrap();
        std::fs::write(workspace.path().join("d0/new.txt"), "new\n").unwrap();
        let (changed, second) = scan(&root, &store, &mut manifest).unwrap();
        assert!(changed);
        assert_eq!(second.hashed, 2, "only the changed and the new file are read");
        let differences = differences(&before, &manifest.snapshot());
        let paths: Vec<&str> = differences.iter().map(|(path, _, _)| path.as_str()).collect();
        assert_eq!(paths, ["d0/new.txt", "d1/f1.txt", "d2/f2.txt"]);
        let (_, was, now) = &differences[1];
        assert_eq!(store.get(was.as_ref().unwrap()).unwrap(), b"file 1\n");
        assert_eq!(store.get(now.as_ref().unwrap()).unwrap(), b"changed\n");
        assert_eq!(differences[2].2, None, "deleted");
    }

    #[test]
    fn a_rescan_of_the_changed_paths_agrees_with_a_full_scan() {
        let workspace = tempfile::tempdir().unwrap();
        let storage = tempfile::tempdir().unwrap();
        let w = workspace.path();
        for dir in ["a", "b/c", "moved"] {
            std::fs::create_dir_all(w.join(dir)).unwrap();
        }
        for (path, text) in [("a/1.txt", "1"), ("a/2.txt", "2"), ("b/c/3.txt", "3"), ("moved/4.txt", "4"), (".gitignore", "out/\n*.log\n")] {
            std::fs::write(w.join(path), text).unwrap();
        }
        let root = Root::open_ambient(w).unwrap();
        let store = Store::open(&Root::open_ambient(storage.path()).unwrap(), "w").unwrap();
        let mut manifest = Manifest::default();
        scan(&root, &store, &mut manifest).unwrap();

        std::fs::write(w.join("a/1.txt"), "one").unwrap(); // modified
        std::fs::remove_file(w.join("a/2.txt")).unwrap(); // deleted
        std::fs::create_dir_all(w.join("new/deep")).unwrap();
        std::fs::write(w.join("new/deep/5.txt"), "5").unwrap(); // in a new folder
        std::fs::rename(w.join("moved"), w.join("renamed")).unwrap(); // a folder renamed
        std::fs::create_dir_all(w.join("out")).unwrap();
        std::fs::write(w.join("out/bundle.js"), "x").unwrap(); // ignored folder
        std::fs::write(w.join("a/debug.log"), "x").unwrap(); // ignored name
        let changed: BTreeSet<String> = ["a/1.txt", "a/2.txt", "new", "moved", "renamed", "out", "a/debug.log"].iter().map(|s| s.to_string()).collect();
        rescan(&root, &store, &mut manifest, &changed).unwrap();

        let mut full = Manifest::default();
        scan(&root, &store, &mut full).unwrap();
        assert_eq!(manifest.snapshot(), full.snapshot());
        assert!(manifest.files.contains_key("renamed/4.txt") && !manifest.files.contains_key("moved/4.txt"));
        assert!(!manifest.files.contains_key("out/bundle.js") && !manifest.files.contains_key("a/debug.log"));
    }
}
