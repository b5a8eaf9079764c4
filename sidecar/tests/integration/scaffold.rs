//! The scaffold command group: every template scaffolds its files into a folder the test picks;
//! folders with files are refused or used without overwriting; cancel removes what was created;
//! bad input is named; and npm installs every template's project and its production build
//! succeeds, react-shadcn and react-ts lint clean too (slow: real npm against the registry,
//! through npm's cache).

use crate::harness::{assert_channel_contract, messages_of, snapshot, Options, Sidecar};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// An npm install and build of a fresh project on a busy 2-core machine, with a cold cache.
const INSTALL_WAIT: Duration = Duration::from_secs(900);

fn npm_sidecar() -> Sidecar {
    Sidecar::with_options(Options { package_manager: "npm".into(), ..Options::default() })
}

/// A parent folder outside the sidecar's workspace, as the user would pick one.
fn parent() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().canonicalize().unwrap();
    (temp, path)
}

/// Runs scaffold_project to its end: (the channel's messages, the response).
fn scaffold(sidecar: &mut Sidecar, params: Value, wait: Duration) -> (Vec<Value>, Result<Value, (i64, String)>) {
    let channel = sidecar.next_channel_id();
    let mut params = params;
    params["onEvent"] = json!(channel);
    let id = sidecar.send_request("scaffold_project", params);
    let messages = sidecar.channel_messages_within(channel, wait);
    let response = sidecar.wait_response(&id);
    assert_channel_contract(&messages);
    (messages_of(&messages), response)
}

fn events<'a>(messages: &'a [Value], event: &str) -> Vec<&'a Value> {
    messages.iter().filter(|m| m["event"] == event).map(|m| &m["data"]).collect()
}

fn last(messages: &[Value]) -> &Value {
    messages.last().expect("a terminal message")
}

fn files_under(dir: &Path) -> Vec<String> {
    snapshot(dir).into_iter().map(|(path, _)| path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/")).collect()
}

#[test]
fn list_templates_offers_the_six_templates() {
    let mut sidecar = npm_sidecar();
    let templates = sidecar.call("list_templates", json!({}));
    let ids: Vec<&str> = templates.as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["react-shadcn", "react-ts", "preact", "api", "cli", "static"]);
    for template in templates.as_array().unwrap() {
        assert!(!template["name"].as_str().unwrap().is_empty() && template["description"].as_str().unwrap().len() > 20, "{template}");
    }
    assert!(templates[0]["packages"].as_array().unwrap().contains(&json!("react")));
    assert_eq!(templates[4]["devServer"], false, "a CLI has no dev server");
}

#[test]
fn each_template_scaffolds_its_files() {
    let expected: [(&str, &[&str]); 6] = [
        (
            "react-shadcn",
            // The seed's validity check, then the rest of the stack.
            &[
                "package.json", "components.json", "eslint.config.js", "src/index.css", "src/lib/utils.ts", "src/App.tsx", "src/router.tsx",
                "src/pages/home.tsx", "src/main.tsx", "vite.config.ts", "src/components/ui/button.tsx", "src/components/ui/card.tsx",
                "src/components/ui/input.tsx", "src/components/ui/dialog.tsx", "themes/default/design.json", "package-lock.json",
            ],
        ),
        ("react-ts", &["package.json", "index.html", "src/main.tsx", "src/App.tsx", "vite.config.ts", "tsconfig.app.json", "eslint.config.js"]),
        ("preact", &["package.json", "index.html", "src/main.tsx", "src/app.tsx", "vite.config.ts"]),
        ("api", &["package.json", "src/server.ts", "src/routes.ts", "tsconfig.json"]),
        ("cli", &["package.json", "src/cli.ts", "src/commands.ts", "tsconfig.json"]),
        ("static", &["package.json", "index.html", "src/main.js", "src/styles.css", "vite.config.js"]),
    ];
    let mut sidecar = npm_sidecar();
    let (_temp, parent) = parent();
    for (template, files) in expected {
        let name = format!("my-{template}");
        let (messages, response) =
            scaffold(&mut sidecar, json!({ "template": template, "name": name, "parentDir": parent, "install": false }), Duration::from_secs(30));
        let project = parent.join(&name);
        let done = last(&messages);
        assert_eq!(done["event"], "Done", "{template}: {messages:?}");
        assert_eq!(done["data"]["path"], json!(project), "{template}");
        assert_eq!(done["data"]["installed"], false);
        assert_eq!(done["data"]["packageManager"], "npm");
        assert_eq!(response.unwrap(), json!({ "path": project }), "{template}: the response follows the terminal message");
        let steps: Vec<&str> = events(&messages, "Step").iter().map(|s| s["label"].as_str().unwrap()).collect();
        assert!(steps.iter().any(|s| s.starts_with("Writing ")), "{template}: {steps:?}");

        let written = files_under(&project);
        for file in files.iter().chain(&[".gitignore", ".prototyper/project.json"]) {
            assert!(written.contains(&file.to_string()), "{template}: {file} is missing from {written:?}");
        }
        let package: Value = serde_json::from_str(&std::fs::read_to_string(project.join("package.json")).unwrap()).unwrap();
        assert_eq!(package["name"], json!(name));
        assert!(package["scripts"]["build"].is_string(), "{template}: every template builds");
        let marker: Value = serde_json::from_str(&std::fs::read_to_string(project.join(".prototyper/project.json")).unwrap()).unwrap();
        assert_eq!(marker["template"], template);
        for (path, bytes) in snapshot(&project) {
            assert!(!String::from_utf8_lossy(&bytes).contains("{{"), "{template}: a placeholder is left in {}", path.display());
        }
    }
    let shadcn = parent.join("my-react-shadcn");
    assert!(shadcn.join("src/pages").is_dir());
    assert!(!std::fs::read_to_string(shadcn.join("src/App.tsx")).unwrap().contains("./components/Generated"), "the seed's validity check");
}

#[test]
fn a_folder_with_files_the_template_would_write_is_refused() {
    let mut sidecar = npm_sidecar();
    let (_temp, parent) = parent();
    let project = parent.join("app");
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::write(project.join("package.json"), "{\"name\": \"mine\"}").unwrap();
    std::fs::write(project.join("src/main.tsx"), "// mine").unwrap();
    let before = snapshot(&parent);
    let (messages, response) = scaffold(&mut sidecar, json!({ "template": "react-ts", "name": "app", "parentDir": parent }), Duration::from_secs(30));
    let error = last(&messages);
    assert_eq!(error["event"], "Error");
    assert_eq!(error["data"]["code"], "exists");
    let message = error["data"]["message"].as_str().unwrap();
    assert!(message.contains("package.json") && message.contains("src/main.tsx") && message.contains("Nothing was written"), "{message}");
    assert!(response.is_err());
    assert_eq!(snapshot(&parent), before, "nothing was written or changed");
}

#[test]
fn a_folder_with_other_files_is_used_and_the_user_is_told() {
    let mut sidecar = npm_sidecar();
    let (_temp, parent) = parent();
    std::fs::create_dir_all(parent.join("app/docs")).unwrap();
    std::fs::write(parent.join("app/notes.txt"), "keep me").unwrap();
    let (messages, response) =
        scaffold(&mut sidecar, json!({ "template": "static", "name": "app", "parentDir": parent, "install": false }), Duration::from_secs(30));
    assert!(response.is_ok(), "{messages:?}");
    let steps: Vec<&str> = events(&messages, "Step").iter().map(|s| s["label"].as_str().unwrap()).collect();
    assert!(steps.iter().any(|s| s.contains("not empty") && s.contains("none of its 2 entries is overwritten")), "{steps:?}");
    assert_eq!(std::fs::read_to_string(parent.join("app/notes.txt")).unwrap(), "keep me");
    assert!(parent.join("app/index.html").is_file());
}

#[test]
fn bad_input_is_named_and_nothing_is_written() {
    let mut sidecar = npm_sidecar();
    let (_temp, parent) = parent();
    let cases = [
        (json!({ "template": "vue", "name": "app", "parentDir": parent }), "react-shadcn, react-ts"),
        (json!({ "template": "react-ts", "name": "My App", "parentDir": parent }), "letters, digits"),
        (json!({ "template": "react-ts", "name": "../escape", "parentDir": parent }), "letters, digits"),
        (json!({ "template": "react-ts", "name": "react", "parentDir": parent }), "same name"),
        (json!({ "template": "react-ts", "name": "app", "parentDir": "relative/dir" }), "absolute"),
        (json!({ "template": "react-ts", "name": "app", "parentDir": parent.join("missing") }), "does not exist"),
    ];
    for (params, hint) in cases {
        let (messages, response) = scaffold(&mut sidecar, params.clone(), Duration::from_secs(30));
        let message = last(&messages)["data"]["message"].as_str().unwrap().to_string();
        assert!(message.contains(hint), "{params}: {message}");
        assert_eq!(response.unwrap_err().1, message, "the response carries the same message");
    }
    assert!(std::fs::read_dir(&parent).unwrap().next().is_none(), "nothing was created");
}

#[test]
fn a_missing_package_manager_is_named_before_anything_is_written() {
    let (_temp, parent) = parent();
    // PATH without pnpm (this machine has none either way) but with what a shell needs.
    let bin = tempfile::tempdir().unwrap();
    let env = vec![("PATH".to_string(), bin.path().display().to_string())];
    let mut sidecar = Sidecar::with_options(Options { package_manager: "pnpm".into(), env, ..Options::default() });
    let (messages, _) = scaffold(&mut sidecar, json!({ "template": "react-ts", "name": "app", "parentDir": parent }), Duration::from_secs(30));
    let error = last(&messages);
    assert_eq!(error["data"]["code"], "package_manager_missing");
    let message = error["data"]["message"].as_str().unwrap();
    assert!(message.contains("pnpm is not installed") && message.contains("prototyper.packageManager"), "{message}");
    assert!(!parent.join("app").exists());
    // npm asked for explicitly, and missing too.
    let (messages, _) =
        scaffold(&mut sidecar, json!({ "template": "react-ts", "name": "app", "parentDir": parent, "packageManager": "npm" }), Duration::from_secs(30));
    assert!(last(&messages)["data"]["message"].as_str().unwrap().contains("https://nodejs.org"));
}

/// A small tmpfs mounted for one test (a full disk, a read-only one); unmounted on drop.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// None where this user may not mount (the test then says so and checks nothing else).
    fn mount(options: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount").args(["-t", "tmpfs", "-o", options, "tmpfs"]).arg(dir.path()).output();
        match mounted {
            Ok(output) if output.status.success() => Some(SmallDisk { dir }),
            _ => {
                eprintln!("skipped: mounting a tmpfs needs root (or CAP_SYS_ADMIN) here");
                None
            }
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().canonicalize().unwrap()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn a_full_disk_is_named_and_the_partial_project_removed() {
    // 64 KiB: the first files fit, the react-shadcn lockfile (about 170 KB) does not.
    let Some(disk) = SmallDisk::mount("size=64k") else { return };
    let mut sidecar = npm_sidecar();
    let (messages, response) =
        scaffold(&mut sidecar, json!({ "template": "react-shadcn", "name": "app", "parentDir": disk.path(), "install": false }), Duration::from_secs(60));
    let error = last(&messages);
    assert_eq!(error["event"], "Error");
    assert_eq!(error["data"]["code"], "io");
    let message = error["data"]["message"].as_str().unwrap();
    assert!(message.contains("the disk is full") && message.contains("removed the folder app"), "{message}");
    assert!(response.is_err());
    assert_eq!(std::fs::read_dir(disk.path()).unwrap().count(), 0, "nothing is left on the disk");
}

#[test]
fn a_read_only_folder_is_named_and_nothing_is_written() {
    let Some(disk) = SmallDisk::mount("size=1m,ro") else { return };
    let mut sidecar = npm_sidecar();
    let (messages, _) = scaffold(&mut sidecar, json!({ "template": "react-ts", "name": "app", "parentDir": disk.path() }), Duration::from_secs(60));
    let message = last(&messages)["data"]["message"].as_str().unwrap();
    assert!(message.contains("app") && message.contains("read-only"), "{message}");
    assert_eq!(std::fs::read_dir(disk.path()).unwrap().count(), 0);
}

/// Starts a scaffold with npm install and cancels it once the install runs.
fn cancel_during_install(sidecar: &mut Sidecar, parent: &Path) -> Vec<Value> {
    let channel = sidecar.next_channel_id();
    let id = sidecar.send_request(
        "scaffold_project",
        json!({ "template": "react-ts", "name": "app", "parentDir": parent, "onEvent": channel }),
    );
    sidecar.wait_channel(channel, "the install step", |m| m["event"] == "Step" && m["data"]["label"].as_str().unwrap_or("").starts_with("Installing"));
    std::thread::sleep(Duration::from_millis(300));
    sidecar.cancel(&id);
    let messages = sidecar.channel_messages(channel);
    assert_channel_contract(&messages);
    let (code, _) = sidecar.wait_response(&id).unwrap_err();
    assert_eq!(code, -32800);
    messages_of(&messages)
}

#[test]
fn cancel_removes_the_project_it_created() {
    let mut sidecar = npm_sidecar();
    let (_temp, parent) = parent();
    let messages = cancel_during_install(&mut sidecar, &parent);
    let error = last(&messages);
    assert_eq!(error["data"]["code"], "cancelled", "{messages:?}");
    assert!(error["data"]["message"].as_str().unwrap().contains("removed the folder app"), "{error}");
    assert!(!parent.join("app").exists(), "gone by the time the cancel is reported");
    // A large half-installed tree may finish deleting just after; nothing is left for long.
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::read_dir(&parent).unwrap().next().is_some() {
        assert!(Instant::now() < deadline, "left behind: {:?}", files_under(&parent));
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn cancel_in_a_folder_that_existed_keeps_what_was_there() {
    let mut sidecar = npm_sidecar();
    let (_temp, parent) = parent();
    std::fs::create_dir_all(parent.join("app")).unwrap();
    std::fs::write(parent.join("app/notes.txt"), "keep me").unwrap();
    let messages = cancel_during_install(&mut sidecar, &parent);
    let message = last(&messages)["data"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("what was there before is untouched"), "{message}");
    assert_eq!(files_under(&parent.join("app")), ["notes.txt"]);
}

#[test]
fn a_failed_install_keeps_the_files_and_says_what_to_run() {
    let (_temp, parent) = parent();
    let cache = tempfile::tempdir().unwrap();
    // No registry (a closed port), an empty cache and no retries: what being offline looks like.
    let env = vec![
        ("npm_config_registry".to_string(), "http://127.0.0.1:9/".to_string()),
        ("npm_config_cache".to_string(), cache.path().display().to_string()),
        ("npm_config_fetch_retries".to_string(), "0".to_string()),
        ("PATH".to_string(), std::env::var("PATH").unwrap()),
    ];
    let mut sidecar = Sidecar::with_options(Options { package_manager: "npm".into(), env, ..Options::default() });
    let (messages, response) = scaffold(&mut sidecar, json!({ "template": "static", "name": "site", "parentDir": parent }), INSTALL_WAIT);
    let error = last(&messages);
    assert_eq!(error["data"]["code"], "install_failed", "{messages:?}");
    let message = error["data"]["message"].as_str().unwrap();
    assert!(message.contains("Run `npm install` in that folder when you are online") && message.contains("ECONNREFUSED"), "{message}");
    assert!(!events(&messages, "Output").is_empty(), "npm's own output was streamed");
    assert!(response.is_err());
    assert!(parent.join("site/index.html").is_file() && parent.join("site/package.json").is_file(), "the files stay");
}

/// Scaffolds `template` with npm's install, then runs its `scripts` (its production build, and
/// lint where the template has it) and checks that the build wrote `output`.
fn installs_and_builds(template: &str, scripts: &[&str], output: &str) {
    let mut sidecar = npm_sidecar();
    let (_temp, parent) = parent();
    let (messages, response) = scaffold(&mut sidecar, json!({ "template": template, "name": "demo", "parentDir": parent }), INSTALL_WAIT);
    let done = last(&messages);
    assert_eq!(done["event"], "Done", "{template}: {messages:?}\n{}", sidecar.stderr());
    assert_eq!(done["data"]["installed"], true);
    assert!(response.is_ok());
    assert!(!events(&messages, "Output").is_empty(), "{template}: the install's output was streamed");
    let project = parent.join("demo");
    assert!(project.join("node_modules/.package-lock.json").is_file(), "{template}: installed");
    assert!(!project.join(output).exists(), "{template}: {output} is the build's, not the template's");
    for script in scripts {
        let output = Command::new("npm").args(["run", script]).current_dir(&project).output().unwrap();
        assert!(
            output.status.success(),
            "{template}: npm run {script} failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert!(project.join(output).is_file(), "{template}: built {output}");
}

#[test]
fn react_shadcn_installs_and_builds_with_npm() {
    installs_and_builds("react-shadcn", &["build", "lint"], "dist/index.html");
}

#[test]
fn react_ts_installs_and_builds_with_npm() {
    installs_and_builds("react-ts", &["build", "lint"], "dist/index.html");
}

/// The other templates build too, each with what its build makes: a page, a server, a command.
#[test]
fn preact_static_api_and_cli_install_and_build_with_npm() {
    for (template, output) in [("preact", "dist/index.html"), ("static", "dist/index.html"), ("api", "dist/server.js"), ("cli", "dist/cli.js")] {
        installs_and_builds(template, &["build"], output);
    }
}
