//! The scaffold's dependency store, through the real binary and real npm: the first install of a
//! template lockfile fills the store in the extension's storage; the next project links its
//! dependencies from it, and builds and lints; a store with a missing or changed file is not
//! used (a full install runs and fills it again); and a project's write to a dependency reaches
//! neither the store nor another project (slow: real npm against the registry, through npm's
//! cache).

use crate::harness::{assert_channel_contract, messages_of, Options, Sidecar};
use serde_json::{json, Value};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// An npm install and build of a fresh project on a busy 2-core machine.
const INSTALL_WAIT: Duration = Duration::from_secs(900);

fn npm_sidecar() -> Sidecar {
    Sidecar::with_options(Options { package_manager: "npm".into(), ..Options::default() })
}

/// Scaffolds `template` as `name` in a new parent folder, with install, and expects it done:
/// (the project folder, the labels of its Steps, how many Output events came).
fn scaffold(sidecar: &mut Sidecar, parents: &tempfile::TempDir, template: &str, name: &str) -> (PathBuf, Vec<String>, usize) {
    let parent = parents.path().canonicalize().unwrap();
    let channel = sidecar.next_channel_id();
    let id = sidecar.send_request("scaffold_project", json!({ "template": template, "name": name, "parentDir": parent, "onEvent": channel }));
    let raw = sidecar.channel_messages_within(channel, INSTALL_WAIT);
    assert_channel_contract(&raw);
    let messages = messages_of(&raw);
    assert!(sidecar.wait_response(&id).is_ok(), "{name}: {messages:?}\n{}", sidecar.stderr());
    assert_eq!(messages.last().unwrap()["event"], "Done", "{messages:?}");
    let steps = messages.iter().filter(|m| m["event"] == "Step").map(|m| m["data"]["label"].as_str().unwrap().to_string()).collect();
    let outputs = messages.iter().filter(|m| m["event"] == "Output").count();
    (parent.join(name), steps, outputs)
}

/// The store folder of `template` (one key: one lockfile, this platform, this Node).
fn store_of(sidecar: &Sidecar, template: &str) -> PathBuf {
    let folder = sidecar.storage.join("scaffold-store").join(template);
    let keys: Vec<PathBuf> = std::fs::read_dir(&folder).unwrap().map(|entry| entry.unwrap().path()).collect();
    assert_eq!(keys.len(), 1, "one store for the template's lockfile: {keys:?}");
    assert!(keys[0].join("manifest.json").is_file(), "a complete store has its manifest");
    keys[0].clone()
}

fn npm(project: &Path, args: &[&str]) {
    let output = Command::new("npm").args(args).current_dir(project).output().unwrap();
    assert!(
        output.status.success(),
        "npm {} failed in {}:\n{}\n{}",
        args.join(" "),
        project.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn linked(steps: &[String]) -> bool {
    steps.iter().any(|step| step == "Linking dependencies from the cache…") && !steps.iter().any(|step| step.starts_with("Installing"))
}

#[test]
fn a_second_react_shadcn_project_links_from_the_store_and_builds_and_lints() {
    let mut sidecar = npm_sidecar();
    let parents = tempfile::tempdir().unwrap();
    let (_, steps, outputs) = scaffold(&mut sidecar, &parents, "react-shadcn", "first");
    assert!(steps.iter().any(|s| s == "Installing dependencies with npm…") && outputs > 0, "the first install is npm's: {steps:?}");
    assert!(steps.iter().any(|s| s == "Keeping the dependencies for the next project…"), "{steps:?}");
    let store = store_of(&sidecar, "react-shadcn");

    let (project, steps, outputs) = scaffold(&mut sidecar, &parents, "react-shadcn", "second");
    assert!(linked(&steps), "the second project links: {steps:?}");
    assert_eq!(outputs, 0, "no package manager ran");
    assert!(steps.iter().any(|s| s.starts_with("Linked ") && s.ends_with(" files from the cache")), "{steps:?}");
    let in_project = std::fs::metadata(project.join("node_modules/react/package.json")).unwrap();
    let in_store = std::fs::metadata(store.join("node_modules/react/package.json")).unwrap();
    assert_eq!(in_project.ino(), in_store.ino(), "one file on disk, hard-linked");
    assert_eq!(in_project.mode() & 0o222, 0, "shared files are read-only");
    // npm's hidden lockfile is the project's own: its name, writable, not shared.
    let hidden = project.join("node_modules/.package-lock.json");
    let lock: Value = serde_json::from_str(&std::fs::read_to_string(&hidden).unwrap()).unwrap();
    assert_eq!(lock["name"], "second");
    assert_eq!(std::fs::metadata(&hidden).unwrap().nlink(), 1);
    // The build's compiler is TypeScript 7's (the TypeScript 6 package's own tsc must not win).
    let tsc = std::fs::canonicalize(project.join("node_modules/.bin/tsc")).unwrap();
    assert!(tsc.starts_with(project.join("node_modules/@typescript/native-compiler")), "{}", tsc.display());

    npm(&project, &["ls", "--depth=0"]);
    npm(&project, &["run", "build"]);
    npm(&project, &["run", "lint"]);
    assert!(project.join("dist/index.html").is_file());
    assert!(!store.join("node_modules/.tmp").exists() && !store.join("node_modules/.vite").exists(), "the build's caches stay in the project");
}

#[test]
fn a_store_with_a_missing_or_changed_file_is_not_used_and_is_filled_again() {
    let mut sidecar = npm_sidecar();
    let parents = tempfile::tempdir().unwrap();
    scaffold(&mut sidecar, &parents, "static", "first");
    let store = store_of(&sidecar, "static");
    let vite_package = store.join("node_modules/vite/package.json");
    let original = std::fs::read(&vite_package).unwrap();

    // A file gone from the store.
    std::fs::remove_file(&vite_package).unwrap();
    let (project, steps, _) = scaffold(&mut sidecar, &parents, "static", "second");
    assert!(steps.iter().any(|s| s.starts_with("The dependency cache cannot be used (") && s.contains("missing")), "{steps:?}");
    assert!(steps.iter().any(|s| s == "Installing dependencies with npm…"), "{steps:?}");
    assert_eq!(std::fs::read(project.join("node_modules/vite/package.json")).unwrap(), original, "a full install");
    npm(&project, &["run", "build"]);
    let store = store_of(&sidecar, "static");
    assert_eq!(std::fs::read(store.join("node_modules/vite/package.json")).unwrap(), original, "filled again");

    // A file changed in place (by a process that ignored its read-only mode).
    let target = store.join("node_modules/vite/package.json");
    let mut permissions = std::fs::metadata(&target).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&target, permissions).unwrap();
    std::fs::write(&target, b"{\"name\":\"vite\",\"damaged\":true}").unwrap();
    let (project, steps, _) = scaffold(&mut sidecar, &parents, "static", "third");
    assert!(steps.iter().any(|s| s.contains("node_modules/vite/package.json changed since it was stored")), "{steps:?}");
    assert_eq!(std::fs::read(project.join("node_modules/vite/package.json")).unwrap(), original, "the damage did not spread");
    npm(&project, &["run", "build"]);

    // And the refilled store is linked from again.
    let (_, steps, _) = scaffold(&mut sidecar, &parents, "static", "fourth");
    assert!(linked(&steps), "{steps:?}");
}

#[test]
fn a_projects_write_to_a_dependency_reaches_neither_the_store_nor_another_project() {
    let mut sidecar = npm_sidecar();
    let parents = tempfile::tempdir().unwrap();
    scaffold(&mut sidecar, &parents, "static", "first");
    let (writer, steps, _) = scaffold(&mut sidecar, &parents, "static", "writer");
    assert!(linked(&steps), "{steps:?}");
    let (other, steps, _) = scaffold(&mut sidecar, &parents, "static", "other");
    assert!(linked(&steps), "{steps:?}");
    let store = store_of(&sidecar, "static");
    let relative = "node_modules/vite/package.json";
    let original = std::fs::read(store.join(relative)).unwrap();

    // How npm, Vite and editors that save safely write: a new file renamed over the old name.
    let replaced = writer.join(relative);
    std::fs::write(writer.join("node_modules/vite/.package.json.new"), b"{\"name\":\"vite\",\"patched\":true}").unwrap();
    std::fs::rename(writer.join("node_modules/vite/.package.json.new"), &replaced).unwrap();
    assert_eq!(std::fs::read(&replaced).unwrap(), b"{\"name\":\"vite\",\"patched\":true}");
    assert_eq!(std::fs::read(store.join(relative)).unwrap(), original, "the store keeps its file");
    assert_eq!(std::fs::read(other.join(relative)).unwrap(), original, "the other project keeps its file");

    // A write in place into a shared file: refused by its mode. Root ignores modes, so there the
    // write lands, and what keeps it from spreading further is the store's check before linking.
    let shared = writer.join("node_modules/vite/README.md");
    let in_place = std::fs::OpenOptions::new().write(true).truncate(true).open(&shared);
    if unsafe { libc::geteuid() } != 0 {
        assert_eq!(in_place.unwrap_err().kind(), std::io::ErrorKind::PermissionDenied, "shared files are read-only");
        assert_eq!(std::fs::read(store.join("node_modules/vite/README.md")).unwrap(), std::fs::read(other.join("node_modules/vite/README.md")).unwrap());
    } else {
        drop(in_place.unwrap());
        let (fresh, steps, _) = scaffold(&mut sidecar, &parents, "static", "fresh");
        assert!(steps.iter().any(|s| s.contains("node_modules/vite/README.md changed since it was stored")), "{steps:?}");
        assert!(std::fs::metadata(fresh.join("node_modules/vite/README.md")).unwrap().len() > 0, "the new project has the real file");
    }
    npm(&other, &["run", "build"]);
}
