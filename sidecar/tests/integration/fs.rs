//! The fs commands through the real binary: each command's behaviour, its errors, and
//! confinement (absolute paths, `..`, symlinks leading outside), proving nothing outside the
//! workspace is read or written.

use crate::harness::{snapshot, Options, Sidecar};
use serde_json::{json, Value};

const SECURITY: i64 = -32012;
const NOT_FOUND: i64 = -32010;

#[test]
fn write_then_read_creates_parent_folders() {
    let mut sidecar = Sidecar::initialized();
    sidecar.call("write_file", json!({ "path": "src/deep/a.txt", "content": "héllo ✓" }));
    assert_eq!(std::fs::read_to_string(sidecar.ws("src/deep/a.txt")).unwrap(), "héllo ✓");
    assert_eq!(sidecar.call("read_file", json!({ "path": "src/deep/a.txt" })), json!("héllo ✓"));
    // Overwrite.
    sidecar.call("write_file", json!({ "path": "./src/deep/a.txt", "content": "" }));
    assert_eq!(sidecar.call("read_file", json!({ "path": "src/deep/a.txt" })), json!(""));
}

#[test]
fn write_file_wants_content_not_contents() {
    let mut sidecar = Sidecar::initialized();
    let (code, message) = sidecar.request("write_file", json!({ "path": "a.txt", "contents": "x" })).unwrap_err();
    assert_eq!(code, -32602);
    assert!(message.contains("content") && message.contains("write_file"), "{message}");
}

#[test]
fn read_file_errors_name_the_path() {
    let mut sidecar = Sidecar::initialized();
    let (code, message) = sidecar.request("read_file", json!({ "path": "missing/file.txt" })).unwrap_err();
    assert_eq!(code, NOT_FOUND);
    assert!(message.contains("missing/file.txt"), "{message}");
    std::fs::write(sidecar.ws("bin.dat"), [0xff, 0xfe, 0x41]).unwrap();
    let (code, message) = sidecar.request("read_file", json!({ "path": "bin.dat" })).unwrap_err();
    assert_eq!(code, -32011);
    assert!(message.contains("bin.dat") && message.contains("UTF-8"), "{message}");
}

#[test]
fn read_dir_lists_entries_with_workspace_relative_paths() {
    let mut sidecar = Sidecar::initialized();
    std::fs::create_dir_all(sidecar.ws("src/components")).unwrap();
    std::fs::write(sidecar.ws("src/main.ts"), "x").unwrap();
    let entries = sidecar.call("read_dir", json!({ "path": "src" }));
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["name"], json!("components"));
    assert_eq!(entries[0]["path"], json!("src/components"));
    assert_eq!(entries[0]["isDir"], json!(true));
    assert_eq!(entries[1]["path"], json!("src/main.ts"));
    assert_eq!(entries[1]["isDir"], json!(false));
    assert!(entries[1]["modifiedMs"].as_u64().unwrap() > 1_600_000_000_000);
    let root = sidecar.call("read_dir", json!({ "path": "" }));
    assert_eq!(root[0]["path"], json!("src"));
    let dot = sidecar.call("read_dir", json!({ "path": "." }));
    assert_eq!(dot, root);
}

#[test]
fn create_dir_is_recursive_and_delete_dir_removes_trees() {
    let mut sidecar = Sidecar::initialized();
    sidecar.call("create_dir", json!({ "path": "a/b/c" }));
    assert!(sidecar.ws("a/b/c").is_dir());
    sidecar.call("create_dir", json!({ "path": "a/b/c" })); // again: fine
    std::fs::write(sidecar.ws("a/b/c/f.txt"), "x").unwrap();
    sidecar.call("delete_dir", json!({ "path": "a" }));
    assert!(!sidecar.ws("a").exists());
    let (code, _) = sidecar.request("delete_dir", json!({ "path": "a" })).unwrap_err();
    assert_eq!(code, NOT_FOUND);
}

#[test]
fn delete_dir_refuses_the_workspace_root() {
    let mut sidecar = Sidecar::initialized();
    std::fs::write(sidecar.ws("keep.txt"), "x").unwrap();
    for root in ["", ".", "./"] {
        let (code, message) = sidecar.request("delete_dir", json!({ "path": root })).unwrap_err();
        assert_eq!(code, SECURITY, "{message}");
        assert!(message.contains("workspace root"), "{message}");
    }
    assert!(sidecar.ws("keep.txt").exists());
}

#[test]
fn delete_file_removes_files_only() {
    let mut sidecar = Sidecar::initialized();
    std::fs::write(sidecar.ws("f.txt"), "x").unwrap();
    std::fs::create_dir(sidecar.ws("d")).unwrap();
    sidecar.call("delete_file", json!({ "path": "f.txt" }));
    assert!(!sidecar.ws("f.txt").exists());
    let (_, message) = sidecar.request("delete_file", json!({ "path": "d" })).unwrap_err();
    assert!(message.contains("delete_dir"), "{message}");
    let (code, message) = sidecar.request("delete_file", json!({ "path": "f.txt" })).unwrap_err();
    assert_eq!(code, NOT_FOUND);
    assert!(message.contains("f.txt"), "{message}");
}

#[test]
fn rename_file_moves_into_new_folders() {
    let mut sidecar = Sidecar::initialized();
    std::fs::write(sidecar.ws("old.txt"), "data").unwrap();
    sidecar.call("rename_file", json!({ "from": "old.txt", "to": "new/place.txt" }));
    assert!(!sidecar.ws("old.txt").exists());
    assert_eq!(std::fs::read_to_string(sidecar.ws("new/place.txt")).unwrap(), "data");
    let (code, message) = sidecar.request("rename_file", json!({ "from": "old.txt", "to": "x.txt" })).unwrap_err();
    assert_eq!(code, NOT_FOUND);
    assert!(message.contains("old.txt"), "{message}");
}

#[cfg(unix)]
#[test]
fn create_symlink_is_relative_idempotent_and_replaces() {
    let mut sidecar = Sidecar::initialized();
    std::fs::create_dir_all(sidecar.ws("shared/ui")).unwrap();
    std::fs::write(sidecar.ws("shared/ui/button.tsx"), "btn").unwrap();
    sidecar.call("create_symlink", json!({ "linkPath": "app/ui", "target": "shared/ui" }));
    assert_eq!(std::fs::read_link(sidecar.ws("app/ui")).unwrap(), std::path::PathBuf::from("../shared/ui"));
    assert_eq!(sidecar.call("read_file", json!({ "path": "app/ui/button.tsx" })), json!("btn"));
    // Idempotent.
    sidecar.call("create_symlink", json!({ "linkPath": "app/ui", "target": "shared/ui" }));
    // Replaces a file and a link pointing elsewhere.
    std::fs::write(sidecar.ws("app/file"), "x").unwrap();
    sidecar.call("create_symlink", json!({ "linkPath": "app/file", "target": "shared" }));
    assert!(sidecar.ws("app/file").is_dir());
    sidecar.call("create_symlink", json!({ "linkPath": "app/ui", "target": "shared" }));
    assert_eq!(std::fs::read_link(sidecar.ws("app/ui")).unwrap(), std::path::PathBuf::from("../shared"));
    // Refuses to swallow a folder with files.
    std::fs::create_dir_all(sidecar.ws("full")).unwrap();
    std::fs::write(sidecar.ws("full/x"), "x").unwrap();
    let (_, message) = sidecar.request("create_symlink", json!({ "linkPath": "full", "target": "shared" })).unwrap_err();
    assert!(message.contains("full") && message.contains("delete"), "{message}");
    assert!(sidecar.ws("full/x").exists());
}

#[test]
fn reveal_in_explorer_returns_the_absolute_path() {
    let mut sidecar = Sidecar::initialized();
    std::fs::write(sidecar.ws("r.txt"), "x").unwrap();
    let result = sidecar.call("reveal_in_explorer", json!({ "path": "r.txt" }));
    assert_eq!(result["absolutePath"], json!(sidecar.ws("r.txt").display().to_string()));
    let (code, _) = sidecar.request("reveal_in_explorer", json!({ "path": "nope" })).unwrap_err();
    assert_eq!(code, NOT_FOUND);
}

#[test]
fn no_workspace_folder_says_open_a_folder() {
    let mut sidecar = Sidecar::with_options(Options { no_workspace: true, ..Options::default() });
    let (_, message) = sidecar.request("read_dir", json!({ "path": "" })).unwrap_err();
    assert!(message.contains("open a folder"), "{message}");
}

/// Every fs command with a path that must be refused, and what it must not have touched.
fn assert_all_refused(sidecar: &mut Sidecar, bad: &str) {
    let outside_before = snapshot(&sidecar.outside);
    let calls: Vec<(&str, Value)> = vec![
        ("read_dir", json!({ "path": bad })),
        ("read_file", json!({ "path": bad })),
        ("write_file", json!({ "path": bad, "content": "pwned" })),
        ("write_file", json!({ "path": format!("{bad}/new.txt"), "content": "pwned" })),
        ("create_dir", json!({ "path": format!("{bad}/newdir") })),
        ("delete_file", json!({ "path": format!("{bad}/secret.txt") })),
        ("delete_dir", json!({ "path": format!("{bad}/sub") })),
        ("rename_file", json!({ "from": format!("{bad}/secret.txt"), "to": "stolen.txt" })),
        ("rename_file", json!({ "from": "inside.txt", "to": format!("{bad}/dropped.txt") })),
        ("create_symlink", json!({ "linkPath": "escape", "target": bad })),
        ("create_symlink", json!({ "linkPath": format!("{bad}/link"), "target": "inside.txt" })),
        ("reveal_in_explorer", json!({ "path": bad })),
    ];
    for (method, params) in calls {
        let result = sidecar.request(method, params.clone());
        let (code, message) = result.expect_err(&format!("{method} {params} must be refused"));
        assert_eq!(code, SECURITY, "{method} {params}: {message}");
        assert!(message.contains("Security error"), "{message}");
    }
    assert_eq!(snapshot(&sidecar.outside), outside_before, "nothing outside the workspace changed");
    assert!(sidecar.ws("inside.txt").exists(), "the inside file was not moved out");
}

fn confinement_setup() -> Sidecar {
    let sidecar = Sidecar::initialized();
    std::fs::write(sidecar.outside.join("secret.txt"), "secret").unwrap();
    std::fs::create_dir_all(sidecar.outside.join("sub")).unwrap();
    std::fs::write(sidecar.ws("inside.txt"), "inside").unwrap();
    sidecar
}

#[test]
fn dotdot_paths_are_refused() {
    let mut sidecar = confinement_setup();
    assert_all_refused(&mut sidecar, "../outside");
    assert_all_refused(&mut sidecar, "src/../../outside");
}

#[test]
fn absolute_paths_are_refused() {
    let mut sidecar = confinement_setup();
    let outside = sidecar.outside.display().to_string();
    assert_all_refused(&mut sidecar, &outside);
    let (_, message) = sidecar.request("read_file", json!({ "path": "/etc/hostname" })).unwrap_err();
    assert!(message.contains("absolute") && message.contains("relative to the workspace root"), "{message}");
}

#[cfg(unix)]
#[test]
fn symlinks_leading_outside_are_refused() {
    let mut sidecar = confinement_setup();
    std::os::unix::fs::symlink(&sidecar.outside, sidecar.ws("out")).unwrap();
    std::os::unix::fs::symlink(sidecar.outside.join("secret.txt"), sidecar.ws("secret-link")).unwrap();
    std::os::unix::fs::symlink("../outside/not-yet", sidecar.ws("dangling")).unwrap();
    assert_all_refused(&mut sidecar, "out");
    // Reading or writing through a link to an outside file.
    let (code, _) = sidecar.request("read_file", json!({ "path": "secret-link" })).unwrap_err();
    assert_eq!(code, SECURITY);
    let before = snapshot(&sidecar.outside);
    let (code, _) = sidecar.request("write_file", json!({ "path": "secret-link", "content": "pwned" })).unwrap_err();
    assert_eq!(code, SECURITY);
    // A dangling link whose target does not exist yet must not create it.
    let (code, _) = sidecar.request("write_file", json!({ "path": "dangling", "content": "pwned" })).unwrap_err();
    assert_eq!(code, SECURITY);
    let (code, _) = sidecar.request("create_dir", json!({ "path": "dangling" })).unwrap_err();
    assert_eq!(code, SECURITY);
    assert_eq!(snapshot(&sidecar.outside), before);
    assert!(!sidecar.outside.join("not-yet").exists());
    // Deleting the link itself is inside the workspace: allowed, and the target survives.
    sidecar.call("delete_file", json!({ "path": "secret-link" }));
    sidecar.call("delete_dir", json!({ "path": "out" }));
    assert!(!sidecar.ws("out").exists());
    assert_eq!(std::fs::read_to_string(sidecar.outside.join("secret.txt")).unwrap(), "secret");
    assert!(sidecar.outside.join("sub").is_dir());
}

#[cfg(unix)]
#[test]
fn symlinks_inside_the_workspace_are_followed() {
    let mut sidecar = Sidecar::initialized();
    std::fs::create_dir_all(sidecar.ws("real")).unwrap();
    std::os::unix::fs::symlink("real", sidecar.ws("alias")).unwrap();
    sidecar.call("write_file", json!({ "path": "alias/f.txt", "content": "via link" }));
    assert_eq!(std::fs::read_to_string(sidecar.ws("real/f.txt")).unwrap(), "via link");
    let entries = sidecar.call("read_dir", json!({ "path": "alias" }));
    assert_eq!(entries[0]["path"], json!("alias/f.txt"), "paths are given as the caller named them");
}

#[test]
fn fs_writes_are_refused_in_an_untrusted_workspace() {
    let mut sidecar = Sidecar::with_options(Options { trusted: false, ..Options::default() });
    std::fs::write(sidecar.ws("r.txt"), "readable").unwrap();
    assert_eq!(sidecar.call("read_file", json!({ "path": "r.txt" })), json!("readable"));
    let (code, message) = sidecar.request("write_file", json!({ "path": "w.txt", "content": "x" })).unwrap_err();
    assert_eq!(code, -32015);
    assert!(message.contains("write_file") && message.contains("'fs'") && message.contains("untrusted"), "{message}");
    assert!(!sidecar.ws("w.txt").exists());
}
