//! The dependency store: one installed `node_modules` per template lockfile, kept in the
//! extension's storage (a second confined root, beside the checkpoints), so a new project whose
//! lockfile was installed before gets its dependencies by hard links instead of a second
//! `npm install`.
//!
//! - **Key.** `scaffold-store/<template>/<key>`, the key a hash of the template's npm lockfile
//!   (as embedded, before the project's name is filled in), the platform (OS, CPU) and Node's
//!   major version: npm picks platform packages (rolldown, Tailwind's oxide, TypeScript 7's
//!   compiler) by OS and CPU, and packages may differ by Node version. Another key for the same
//!   template (an older lockfile, another Node) is removed when a new one is filled.
//! - **Filling.** The first npm install for a key is a normal install in the project; its
//!   `node_modules` is then mirrored into the store by hard links (copies across devices),
//!   with a manifest of every entry (files with size, modification time and mode) written last:
//!   a store without a manifest is incomplete and ignored.
//! - **Linking.** Later projects get the store's tree by hard links, folders created anew and
//!   `.bin` links recreated. Before a file is linked its metadata is compared with the manifest;
//!   any difference, an extra or a missing entry makes the store stale: what was linked is
//!   removed and the project gets a normal install, which fills the store again. npm's hidden
//!   lockfile (`node_modules/.package-lock.json`) is written fresh for each project, with its
//!   name, and is never shared: npm rewrites it in place.
//! - **Sharing safely.** Linked files are one inode in the store and every project. They are
//!   made read-only in the store (which, the inode being shared, is also how the projects see
//!   them), so an accidental write in place fails instead of reaching the store and the other
//!   projects; npm, Vite and editors that save by replacing create a new file and leave the
//!   shared one alone, and deleting a package only unlinks. A process that ignores the mode
//!   (root, or a `chmod` first) changes the file's modification time, size or mode, and the next
//!   scaffold sees the manifest disagree and installs afresh rather than spread the change.

use crate::confine::{FsError, MirrorCount, MirrorError, RelPath, Root, Seal, TreeEntry, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The store's folder beneath the extension's storage.
const STORE_FOLDER: &str = "scaffold-store";
const MANIFEST: &str = "manifest.json";
/// npm's hidden lockfile, kept beside the tree and written fresh into each project.
const HIDDEN_LOCKFILE: &str = ".package-lock.json";
const HIDDEN_LOCKFILE_COPY: &str = "hidden-lockfile.json";
/// What a store holds: one manifest (about 100 bytes an entry) and npm's hidden lockfile.
const MANIFEST_LIMIT: u64 = 64 * 1024 * 1024;
/// The tree the store holds, beneath a project's root and beneath the store's folder.
fn node_modules_folder() -> RelPath {
    RelPath::from_normal(std::path::Path::new("node_modules"))
}

/// Top-level folders of node_modules that are a build's caches, not the install: never stored.
const CACHE_FOLDERS: &[&str] = &[".cache", ".tmp", ".vite", ".vite-temp"];

/// One entry of the manifest, compact: (path, …) for a folder, a file and a symlink.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
enum Entry {
    D(String),
    F(String, u64, i64, u32),
    L(String, String),
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    key: String,
    entries: Vec<Entry>,
}

impl Entry {
    fn from_tree(path: String, entry: &TreeEntry) -> Entry {
        match entry {
            TreeEntry::Dir => Entry::D(path),
            TreeEntry::File(stamp) => Entry::F(path, stamp.len, stamp.modified_ns as i64, stamp.mode),
            TreeEntry::Symlink(target) => Entry::L(path, target.clone()),
        }
    }

    fn path(&self) -> &str {
        match self {
            Entry::D(path) | Entry::F(path, ..) | Entry::L(path, _) => path,
        }
    }
}

/// How a link from the store went.
pub enum Linked {
    /// The project has the store's tree.
    Done(MirrorCount),
    /// The store is missing, stale or damaged (the reason, for the Step); nothing was left in
    /// the project.
    Unusable(String),
    /// The request was cancelled midway; nothing was left in the project.
    Cancelled,
}

/// The store for one template lockfile.
#[derive(Clone)]
pub struct Store {
    storage: Root,
    /// `scaffold-store/<template>`.
    template_folder: RelPath,
    key: String,
}

/// The store key: the lockfile's hash, the platform and Node's major version.
pub fn key(lockfile: &str, node_major: &str) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(lockfile.as_bytes());
    let hash = hasher.finalize().to_hex();
    format!("{}-{}-node{node_major}-{}", std::env::consts::OS, std::env::consts::ARCH, &hash[..16])
}

/// Node's major version (`22` for `v22.3.0`), or `None` when `node` does not run.
pub fn node_major() -> Option<String> {
    let output = crate::confine::system_command("node")?.arg("--version").output().ok()?;
    let version = String::from_utf8(output.stdout).ok()?;
    let major = version.trim().trim_start_matches('v').split('.').next()?.to_string();
    (output.status.success() && !major.is_empty() && major.bytes().all(|b| b.is_ascii_digit())).then_some(major)
}

impl Store {
    pub fn new(storage: &Root, template: &str, key: String) -> Store {
        let template_folder = RelPath::from_normal(std::path::Path::new(STORE_FOLDER).join(template).as_path());
        Store { storage: storage.clone(), template_folder, key }
    }

    fn folder(&self) -> RelPath {
        self.template_folder.join(&self.key)
    }

    /// True when a complete store for this key exists (it may still turn out stale).
    pub fn is_filled(&self) -> bool {
        self.storage.metadata(&self.folder().join(MANIFEST)).is_ok_and(|m| m.is_file())
    }

    fn manifest(&self) -> Result<Manifest, String> {
        let bytes = self.storage.read_regular(&self.folder().join(MANIFEST), MANIFEST_LIMIT).map_err(|err| describe(&err, "read its manifest"))?;
        let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|err| format!("its manifest is unreadable ({err})"))?;
        if manifest.key != self.key {
            return Err("its manifest belongs to another lockfile".to_string());
        }
        Ok(manifest)
    }

    /// Gives `project` (a new project's root) the store's `node_modules`. `cancelled` is polled
    /// between entries.
    pub fn link_into(&self, project: &Root, project_name: &str, cancelled: &dyn Fn() -> bool) -> Linked {
        let manifest = match self.manifest() {
            Ok(manifest) => manifest,
            Err(reason) => return Linked::Unusable(reason),
        };
        let expected: HashMap<&str, &Entry> = manifest.entries.iter().map(|entry| (entry.path(), entry)).collect();
        let hidden = match self.storage.read_regular(&self.folder().join(HIDDEN_LOCKFILE_COPY), MANIFEST_LIMIT) {
            Ok(bytes) => bytes,
            Err(err) => return Linked::Unusable(describe(&err, "read npm's lockfile of the tree")),
        };
        let node_modules = node_modules_folder();
        let mut mismatch = None;
        let mut was_cancelled = false;
        let mirrored = self.storage.mirror_tree(&self.folder().join("node_modules"), project, &node_modules, Seal::Keep, &mut |path, entry| {
            if cancelled() {
                was_cancelled = true;
                return Verdict::Stop;
            }
            if expected.get(path).is_some_and(|want| **want == Entry::from_tree(path.to_string(), entry)) {
                Verdict::Place
            } else {
                mismatch = Some(path.to_string());
                Verdict::Stop
            }
        });
        let outcome = match mirrored {
            Ok((placed, _)) if placed.len() != expected.len() => Err(format!("{} of its files are missing", expected.len() - placed.len())),
            Ok((_, count)) => Ok(count),
            Err(MirrorError::Stopped(path)) => Err(match mismatch {
                Some(_) => format!("node_modules/{path} changed since it was stored"),
                None => String::from("cancelled"),
            }),
            Err(MirrorError::LinkOutside(path)) => Err(format!("node_modules/{path} is a link leading out of the tree")),
            Err(MirrorError::Fs(err)) => Err(describe(&err, "link its files")),
        };
        let written = outcome.and_then(|count| {
            let lockfile = named_lockfile(&hidden, project_name).ok_or("npm's lockfile of the tree is unreadable")?;
            project.create_new_file(&node_modules.join(HIDDEN_LOCKFILE), &lockfile).map_err(|err| describe(&err, "write npm's lockfile"))?;
            Ok(count)
        });
        match written {
            Ok(count) => Linked::Done(count),
            Err(reason) => {
                // Whatever part was linked goes: the project then gets a normal install.
                let _ = project.remove_dir_all(&node_modules);
                if was_cancelled {
                    Linked::Cancelled
                } else {
                    Linked::Unusable(reason)
                }
            }
        }
    }

    /// Keeps `project`'s freshly installed `node_modules` as the store for this key, replacing
    /// a stale one and removing the template's stores for other keys.
    pub fn fill_from(&self, project: &Root) -> Result<MirrorCount, String> {
        let filling = self.template_folder.join(&format!(".filling-{}-{}", self.key, std::process::id()));
        let _ = self.storage.remove_dir_all(&filling);
        self.storage.create_dir_all(&filling).map_err(|err| describe(&err, "create its folder"))?;
        let filled = self.fill_into(project, &filling);
        if filled.is_err() {
            let _ = self.storage.remove_dir_all(&filling);
            return filled;
        }
        let _ = self.storage.remove_dir_all(&self.folder());
        if let Err(err) = self.storage.rename(&filling, &self.folder()) {
            let _ = self.storage.remove_dir_all(&filling);
            return Err(describe(&err, "put it in place"));
        }
        // Stores for other lockfiles or Node versions of this template are of no further use.
        if let Ok(entries) = self.storage.list(&self.template_folder) {
            for entry in entries.iter().filter(|entry| entry.name != self.key && !entry.name.starts_with(".filling-")) {
                let _ = self.storage.remove_dir_all(&self.template_folder.join(&entry.name));
            }
        }
        filled
    }

    fn fill_into(&self, project: &Root, filling: &RelPath) -> Result<MirrorCount, String> {
        let node_modules = node_modules_folder();
        let hidden = project.read_regular(&node_modules.join(HIDDEN_LOCKFILE), MANIFEST_LIMIT).map_err(|err| describe(&err, "read npm's lockfile"))?;
        let (placed, count) = project
            .mirror_tree(&node_modules, &self.storage, &filling.join("node_modules"), Seal::ReadOnly, &mut |path, _| {
                if path == HIDDEN_LOCKFILE || CACHE_FOLDERS.contains(&path) {
                    Verdict::Skip
                } else {
                    Verdict::Place
                }
            })
            .map_err(|err| match err {
                MirrorError::Fs(err) => describe(&err, "copy the installed files"),
                MirrorError::LinkOutside(path) => format!("node_modules/{path} is a link leading out of the tree"),
                MirrorError::Stopped(path) => format!("node_modules/{path} was refused"),
            })?;
        self.storage.write_atomic(&filling.join(HIDDEN_LOCKFILE_COPY), &hidden).map_err(|err| describe(&err, "keep npm's lockfile"))?;
        let manifest = Manifest { key: self.key.clone(), entries: placed.into_iter().map(|(path, entry)| Entry::from_tree(path, &entry)).collect() };
        let bytes = serde_json::to_vec(&manifest).map_err(|err| format!("its manifest could not be written ({err})"))?;
        // Written last: a store is complete when its manifest is there.
        self.storage.write_atomic(&filling.join(MANIFEST), &bytes).map_err(|err| describe(&err, "write its manifest"))?;
        Ok(count)
    }
}

/// npm's hidden lockfile with the project's own name in it.
fn named_lockfile(bytes: &[u8], name: &str) -> Option<Vec<u8>> {
    let mut lock: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    lock.as_object_mut()?.insert("name".to_string(), serde_json::Value::String(name.to_string()));
    serde_json::to_vec_pretty(&lock).ok()
}

fn describe(err: &FsError, action: &str) -> String {
    match err {
        FsError::Escape => format!("cannot {action}: a link leads outside the extension's storage"),
        FsError::Io(err) if err.kind() == std::io::ErrorKind::NotFound => format!("cannot {action}: a file is missing"),
        FsError::Io(err) => format!("cannot {action}: {}", err.kind()),
        other => format!("cannot {action}: {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_lockfile_and_node() {
        let a = key("{\"lockfileVersion\":3}", "22");
        assert_eq!(a, key("{\"lockfileVersion\":3}", "22"));
        assert_ne!(a, key("{\"lockfileVersion\":3} ", "22"), "another lockfile");
        assert_ne!(a, key("{\"lockfileVersion\":3}", "24"), "another Node major");
        assert!(a.contains(std::env::consts::OS) && a.contains("node22"));
    }

    #[test]
    fn the_hidden_lockfile_gets_the_projects_name() {
        let named = named_lockfile(br#"{"name":"first","lockfileVersion":3,"packages":{}}"#, "second").unwrap();
        let lock: serde_json::Value = serde_json::from_slice(&named).unwrap();
        assert_eq!(lock["name"], "second");
        assert_eq!(lock["lockfileVersion"], 3);
    }
}
