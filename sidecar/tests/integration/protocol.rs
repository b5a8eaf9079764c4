//! The generated TypeScript in `src/protocol/generated/` must match the Rust wire types.
//!
//! When `generated_typescript_is_up_to_date` fails, regenerate the committed copy with
//!
//! ```text
//! cargo test --manifest-path sidecar/Cargo.toml --test integration -- --ignored regenerate_protocol
//! ```
//!
//! and commit the changed files under `src/protocol/generated/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const REGENERATE: &str =
    "cargo test --manifest-path sidecar/Cargo.toml --test integration -- --ignored regenerate_protocol";

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../src/protocol/generated")
}

/// Every `.ts` file under `dir`, by path relative to it.
fn read_all(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "ts") {
                let name = path.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                files.insert(name, std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    files
}

#[test]
fn generated_typescript_is_up_to_date() {
    let fresh_dir = tempfile::tempdir().unwrap();
    prototyper_sidecar::protocol::export_bindings(fresh_dir.path()).unwrap();
    let fresh = read_all(fresh_dir.path());
    let committed = read_all(&committed_dir());
    let mut problems = Vec::new();
    for (name, text) in &fresh {
        match committed.get(name) {
            None => problems.push(format!("src/protocol/generated/{name} is missing")),
            Some(old) if old != text => problems.push(format!("src/protocol/generated/{name} is stale")),
            Some(_) => {}
        }
    }
    for name in committed.keys().filter(|name| !fresh.contains_key(*name)) {
        problems.push(format!("src/protocol/generated/{name} is no longer generated (delete it)"));
    }
    assert!(problems.is_empty(), "{}\nRegenerate with: {REGENERATE}", problems.join("\n"));
}

/// Rewrites `src/protocol/generated/` from the Rust types (run with `--ignored`, see the module doc).
#[test]
#[ignore = "writes src/protocol/generated/; run explicitly to regenerate"]
fn regenerate_protocol() {
    let dir = committed_dir();
    for name in read_all(&dir).keys() {
        std::fs::remove_file(dir.join(name)).unwrap();
    }
    prototyper_sidecar::protocol::export_bindings(&dir).unwrap();
}
