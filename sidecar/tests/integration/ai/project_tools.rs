//! The project tools through the real agent loop: the workspace is a project scaffolded by the
//! sidecar itself (scaffold_project into the workspace folder), the fake model calls
//! register_screen, set_active_theme, validate_design_json and the toolchain checks, and the
//! test looks at the files and results; an untrusted workspace refuses the ones that change
//! things; a chat in a scaffolded workspace gets the template's layout in its system prompt.

use super::{of_kind, params, run, start, terminal, Fake};
use crate::harness::{assert_channel_contract, messages_of, Options, Sidecar};
use serde_json::{json, Value};
use std::time::Duration;

fn call(name: &str, arguments: Value) -> Value {
    json!({ "name": name, "arguments": arguments })
}

/// Makes the sidecar's (empty) workspace folder a `template` project; npm installs when `install`.
fn scaffold_workspace(sidecar: &mut Sidecar, template: &str, install: bool) {
    let workspace = sidecar.ws("");
    let channel = sidecar.next_channel_id();
    let id = sidecar.send_request(
        "scaffold_project",
        json!({
            "template": template, "name": "workspace", "parentDir": workspace.parent().unwrap(),
            "packageManager": "npm", "install": install, "onEvent": channel,
        }),
    );
    let messages = sidecar.channel_messages_within(channel, Duration::from_secs(900));
    let last = &messages.last().unwrap()["message"];
    assert_eq!(last["event"], "Done", "{messages:?}");
    sidecar.wait_response(&id).unwrap();
}

/// One agent turn (auto-accept) that makes `calls`, then says "Done."; returns the ToolResults.
fn agent_calls(sidecar: &mut Sidecar, fake: &Fake, calls: Vec<Value>) -> Vec<Value> {
    fake.script(json!({ "ollama": [{ "toolCalls": calls }, { "text": "Done." }] }));
    let events = run(sidecar, params(fake, "ollama", "llama3.2", json!({ "tools": true })));
    of_kind(&events, "ToolResult").into_iter().cloned().collect()
}

#[test]
fn register_screen_adds_a_page_and_its_route() {
    let mut sidecar = Sidecar::initialized();
    let fake = Fake::start();
    scaffold_workspace(&mut sidecar, "react-shadcn", false);
    let results = agent_calls(
        &mut sidecar,
        &fake,
        vec![
            call("register_screen", json!({ "screen_id": "order-history", "title": "Order history", "path": "/orders" })),
            call("register_screen", json!({ "screen_id": "home", "title": "Start", "path": "/", "is_default": true })),
            call("register_screen", json!({ "screen_id": "Bad Id", "title": "x", "path": "/x" })),
        ],
    );
    assert_eq!(results[0]["success"], true, "{results:?}");
    assert_eq!(results[0]["path"], "src/router.tsx");
    assert!(results[0]["previousContent"].as_str().unwrap().contains("HomePage"), "the diff has the router before the change");
    let page = std::fs::read_to_string(sidecar.ws("src/pages/order-history.tsx")).unwrap();
    assert!(page.contains("export default function OrderHistoryPage()") && page.contains("\"Order history\""), "{page}");
    let router = std::fs::read_to_string(sidecar.ws("src/router.tsx")).unwrap();
    assert!(router.contains("import OrderHistoryPage from './pages/order-history'"), "{router}");
    assert!(router.contains("{ id: \"order-history\", title: \"Order history\", path: \"/orders\", component: OrderHistoryPage },"), "{router}");
    assert!(router.contains("{ id: \"home\", title: \"Start\", path: \"/\", component: HomePage },"), "the existing screen is updated: {router}");
    assert_eq!(results[1]["success"], true);
    assert!(std::fs::read_to_string(sidecar.ws("src/pages/home.tsx")).unwrap().contains("useState"), "an existing page is never touched");
    assert_eq!(results[2]["success"], false);
    assert!(results[2]["output"].as_str().unwrap().contains("kebab-case"), "{}", results[2]);
}

#[test]
fn themes_are_switched_and_design_files_checked() {
    let mut sidecar = Sidecar::initialized();
    let fake = Fake::start();
    scaffold_workspace(&mut sidecar, "react-shadcn", false);
    std::fs::write(sidecar.ws("themes/ocean/design.json"), r##"{"meta": {}, "color": {"light": {"background": "#fff"}, "dark": {}}}"##).unwrap();
    let results = agent_calls(
        &mut sidecar,
        &fake,
        vec![
            call("set_active_theme", json!({ "theme_slug": "ocean" })),
            call("set_active_theme", json!({ "theme_slug": "sunset" })),
            call("validate_design_json", json!({ "path": "themes/default/design.json" })),
            call("validate_design_json", json!({ "path": "themes/ocean/design.json" })),
            call("validate_design_json", json!({ "path": "../outside.json" })),
        ],
    );
    assert_eq!(results[0]["success"], true, "{results:?}");
    let preview = std::fs::read_to_string(sidecar.ws("src/styles/preview-theme.css")).unwrap();
    assert!(preview.contains("@import '../../themes/ocean/theme.css';"), "{preview}");
    let marker: Value = serde_json::from_str(&std::fs::read_to_string(sidecar.ws(".prototyper/project.json")).unwrap()).unwrap();
    assert_eq!(marker["activeTheme"], "ocean");
    assert_eq!(results[1]["success"], false);
    assert!(results[1]["output"].as_str().unwrap().contains("the themes are: default, ocean"), "{}", results[1]);
    assert_eq!(results[2]["success"], true, "{}", results[2]);
    assert_eq!(results[3]["success"], false);
    let problems = results[3]["output"].as_str().unwrap();
    assert!(problems.contains("missing sections: typography") && problems.contains("color.dark lacks"), "{problems}");
    assert_eq!(results[4]["success"], false);
    assert!(results[4]["output"].as_str().unwrap().contains(".."), "{}", results[4]);
}

#[test]
fn the_checks_run_the_projects_own_toolchain() {
    let mut sidecar = Sidecar::initialized();
    let fake = Fake::start();
    scaffold_workspace(&mut sidecar, "react-ts", true);
    std::fs::write(sidecar.ws("src/broken.ts"), "export const n: number = 'not a number'\n").unwrap();
    fake.script(json!({ "ollama": [
        { "toolCalls": [call("run_tsc", json!({ "path": "src/broken.ts" })), call("run_lint", json!({ "path": "src/App.tsx" }))] },
        { "toolCalls": [call("run_build", json!({}))] },
        { "text": "Done." }
    ] }));
    let (id, channel) = start(&mut sidecar, params(&fake, "ollama", "llama3.2", json!({ "tools": true })));
    let messages = sidecar.channel_messages_within(channel, Duration::from_secs(600));
    assert_channel_contract(&messages);
    sidecar.wait_response(&id).unwrap();
    let events = messages_of(&messages);
    terminal(&events, "Done");
    let results = of_kind(&events, "ToolResult");
    let tsc = results[0]["output"].as_str().unwrap();
    assert_eq!(results[0]["success"], false, "{tsc}");
    assert!(tsc.contains("src/broken.ts(1,14): error TS2322") && tsc.contains("Exit code: "), "{tsc}");
    assert!(!tsc.contains("src/App.tsx"), "only the asked file's errors: {tsc}");
    assert_eq!(results[1]["success"], true, "{}", results[1]["output"]);
    assert!(results[1]["output"].as_str().unwrap().ends_with("Exit code: 0"), "{}", results[1]["output"]);
    // The build type-checks the whole project, so the broken file fails it too.
    let build = results[2]["output"].as_str().unwrap();
    assert_eq!(results[2]["success"], false, "{build}");
    assert!(build.starts_with("$ npm run build") && build.contains("TS2322"), "{build}");
}

#[test]
fn an_untrusted_workspace_refuses_the_project_tools_that_change_things() {
    let mut sidecar = Sidecar::with_options(Options { trusted: false, ..Options::default() });
    let fake = Fake::start();
    std::fs::create_dir_all(sidecar.ws("themes")).unwrap();
    std::fs::write(sidecar.ws("design.json"), "{}").unwrap();
    let results = agent_calls(
        &mut sidecar,
        &fake,
        vec![
            call("run_build", json!({})),
            call("register_screen", json!({ "screen_id": "a", "title": "A", "path": "/a" })),
            call("validate_design_json", json!({ "path": "design.json" })),
        ],
    );
    for result in &results[..2] {
        assert!(result["output"].as_str().unwrap().contains("untrusted"), "{result}");
    }
    assert!(results[2]["output"].as_str().unwrap().contains("missing sections"), "reading is allowed: {}", results[2]);
}

#[test]
fn a_chat_in_a_scaffolded_project_knows_its_layout() {
    let mut sidecar = Sidecar::initialized();
    let fake = Fake::start();
    scaffold_workspace(&mut sidecar, "react-shadcn", false);
    fake.script(json!({ "ollama": [{ "text": "Hi." }] }));
    run(
        &mut sidecar,
        params(&fake, "ollama", "llama3.2", json!({ "messages": [{ "role": "system", "content": "You are helpful." }, { "role": "user", "content": "Hi" }] })),
    );
    let system = fake.chat_bodies()[0]["messages"][0]["content"].as_str().unwrap().to_string();
    assert!(system.starts_with("You are helpful."), "the chat's own prompt comes first: {system}");
    assert!(system.contains("React + shadcn/ui template") && system.contains("src/router.tsx"), "{system}");
}
