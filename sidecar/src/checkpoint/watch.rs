//! What changed in the workspace, from the file system's own notifications (inotify, FSEvents,
//! ReadDirectoryChangesW through the `notify` crate), so a scan after the first one re-reads only
//! the paths that changed instead of walking the whole workspace.
//!
//! The watch covers the workspace through its handle's path (`confine::walk::handle_path`); the
//! names it reports are only ever opened beneath the root. To be sure every change made before a
//! scan has been seen (events arrive on the watcher's own thread), `take` writes a numbered
//! sentinel file into the checkpoint store, which the same watcher also watches, and waits for its
//! event: events of one watcher arrive in order. Lost events (a queue overflow, a watch that could
//! not be added) make `take` answer `None`, and the caller scans everything, as the first time.

use super::store::Store;
use crate::confine::{walk, RelPath, Root};
use notify::{Event, RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How long `take` waits for its sentinel before it gives up and asks for a full scan.
const SENTINEL_WAIT: Duration = Duration::from_secs(5);
const SENTINEL_PREFIX: &str = "sentinel-";

#[derive(Default)]
struct Seen {
    /// Workspace-relative paths with events since the last `take`.
    paths: BTreeSet<String>,
    /// Events were lost: the next `take` cannot vouch for anything.
    lost: bool,
    /// The highest sentinel number whose event arrived.
    sentinel: u64,
}

type Shared = Arc<(Mutex<Seen>, Condvar)>;

/// A running watch of one workspace.
pub struct Watch {
    _watcher: notify::RecommendedWatcher,
    seen: Shared,
    next_sentinel: u64,
}

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Seen> {
    shared.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Watch {
    /// Starts watching `root` (recursively) and the store's folder (for sentinels).
    pub fn start(root: &Root, store: &Store) -> Result<Watch, String> {
        // `/.`: the handle path is a symbolic link on Linux, and links are not followed.
        let base = walk::handle_path(root).join(".");
        let sentinels = walk::handle_path(store.root()).join(".");
        let seen: Shared = Arc::default();
        let handler = {
            let seen = seen.clone();
            let (base, sentinels) = (base.clone(), sentinels.clone());
            move |event: notify::Result<Event>| {
                let mut state = lock(&seen);
                let event = match event {
                    Ok(event) => event,
                    Err(_) => {
                        state.lost = true;
                        return;
                    }
                };
                if event.need_rescan() {
                    state.lost = true;
                }
                // Opening and reading (our own scans read files) changes nothing.
                if event.kind.is_access() {
                    return;
                }
                for path in &event.paths {
                    if let Ok(name) = path.strip_prefix(&sentinels) {
                        let number = name.to_str().and_then(|n| n.strip_prefix(SENTINEL_PREFIX)).and_then(|n| n.parse::<u64>().ok());
                        if let Some(number) = number {
                            state.sentinel = state.sentinel.max(number);
                            seen.1.notify_all();
                        }
                    } else if let Ok(relative) = path.strip_prefix(&base) {
                        let relative = RelPath::from_normal(relative);
                        if !relative.is_root() && !skipped(&relative) {
                            state.paths.insert(relative.wire().to_string());
                        }
                    }
                }
            }
        };
        let config = notify::Config::default().with_follow_symlinks(false);
        let mut watcher = notify::RecommendedWatcher::new(handler, config).map_err(|err| format!("cannot watch the workspace ({err})"))?;
        watcher.watch(&sentinels, RecursiveMode::NonRecursive).map_err(|err| format!("cannot watch the checkpoint store ({err})"))?;
        watcher.watch(&base, RecursiveMode::Recursive).map_err(|err| format!("cannot watch the workspace ({err})"))?;
        Ok(Watch { _watcher: watcher, seen, next_sentinel: 1 })
    }

    /// The paths that changed since the last call (every change made before this call included),
    /// or `None` when events were lost and everything must be scanned. Blocking.
    pub fn take(&mut self, store: &Store) -> Option<BTreeSet<String>> {
        let number = self.next_sentinel;
        self.next_sentinel += 1;
        let name = format!("{SENTINEL_PREFIX}{number}");
        if store.write_file(&name, b"").is_err() {
            return None;
        }
        let (mutex, arrived) = &*self.seen;
        let state = mutex.lock().unwrap_or_else(|p| p.into_inner());
        let (mut state, timeout) = arrived
            .wait_timeout_while(state, SENTINEL_WAIT, |state| state.sentinel < number && !state.lost)
            .unwrap_or_else(|p| p.into_inner());
        let taken = std::mem::take(&mut *state);
        state.sentinel = taken.sentinel;
        drop(state);
        let _ = store.remove_file(&name);
        (!timeout.timed_out() && !taken.lost).then_some(taken.paths)
    }
}

/// `.git` and `node_modules` are never part of a checkpoint (as in every walk).
fn skipped(path: &RelPath) -> bool {
    path.wire().split('/').any(|name| name == "node_modules" || name.eq_ignore_ascii_case(".git"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_seen_by_the_time_take_returns() {
        let workspace = tempfile::tempdir().unwrap();
        let storage = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(workspace.path().join("src/deep")).unwrap();
        let root = Root::open_ambient(workspace.path()).unwrap();
        let store = Store::open(&Root::open_ambient(storage.path()).unwrap(), "w").unwrap();
        let mut watch = Watch::start(&root, &store).unwrap();
        assert_eq!(watch.take(&store), Some(BTreeSet::new()));
        std::fs::write(workspace.path().join("src/deep/a.txt"), "a").unwrap();
        std::fs::write(workspace.path().join("b.txt"), "b").unwrap();
        std::fs::create_dir_all(workspace.path().join("node_modules/x")).unwrap();
        std::fs::write(workspace.path().join("node_modules/x/i.js"), "i").unwrap();
        let seen = watch.take(&store).expect("no events lost");
        assert!(seen.contains("src/deep/a.txt") && seen.contains("b.txt"), "{seen:?}");
        assert!(!seen.iter().any(|p| p.starts_with("node_modules")), "{seen:?}");
        assert_eq!(watch.take(&store), Some(BTreeSet::new()), "taken once");
    }
}
