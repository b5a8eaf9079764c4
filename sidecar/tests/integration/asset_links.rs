//! Images, exports and workflows probed as an attacker who controls a cloned repository would:
//! the images folder, the project folder, a component's import and the workflows folder each
//! reached through a link to the folder beside the workspace. Nothing there may be read, listed,
//! written, deleted or zipped, and no answer may carry its content or its absolute path.

use crate::bonsai::{pngs_in, with_install};
use crate::export::unzip;
use crate::harness::{snapshot, Sidecar};
use serde_json::{json, Value};
use std::os::unix::fs::symlink;

const SECRET: &str = "TOP-SECRET-OUTSIDE";

/// Puts a secret image, its `.json` and a project beside the workspace, and links to them.
fn plant(sidecar: &Sidecar) {
    let outside = &sidecar.outside;
    std::fs::create_dir_all(outside.join("images")).unwrap();
    std::fs::write(outside.join("images/secret.png"), b"\x89PNG\r\n\x1a\nTOP-SECRET-OUTSIDE").unwrap();
    std::fs::write(outside.join("images/secret.json"), format!("{{\"prompt\":\"{SECRET}\"}}")).unwrap();
    std::fs::create_dir_all(outside.join("project/src")).unwrap();
    std::fs::write(outside.join("project/package.json"), "{\"name\":\"stolen\"}").unwrap();
    std::fs::write(outside.join("project/src/Secret.tsx"), format!("export const secret = '{SECRET}';\n")).unwrap();
    std::fs::write(outside.join("project/.env"), format!("KEY={SECRET}\n")).unwrap();
    std::fs::create_dir_all(outside.join("workflows")).unwrap();
    std::fs::write(outside.join("workflows/stolen.json"), format!("{{\"nodes\":[],\"edges\":[],\"note\":\"{SECRET}\"}}")).unwrap();
    symlink("../outside/images", sidecar.ws("pictures")).unwrap();
    symlink(outside.join("project"), sidecar.ws("vendor")).unwrap();
}

fn text_of(result: &Result<Value, (i64, String)>) -> String {
    match result {
        Ok(value) => value.to_string(),
        Err((_, message)) => message.clone(),
    }
}

fn assert_clean(sidecar: &Sidecar, before: &[(std::path::PathBuf, Vec<u8>)], what: &str, text: &str) {
    assert_eq!(snapshot(&sidecar.outside), before, "{what}: the folder outside the workspace changed");
    assert!(!text.contains(SECRET), "{what}: outside content leaked: {text}");
    assert!(!text.contains(&sidecar.outside.display().to_string()), "{what}: the outside path leaked: {text}");
}

#[test]
fn images_never_land_in_list_or_leave_a_linked_folder() {
    let (mut sidecar, _install) = with_install("healthy", 18750, json!({}));
    plant(&sidecar);
    let before = snapshot(&sidecar.outside);
    for folder in ["pictures", "pictures/sub", "vendor/src", "vendor/../pictures"] {
        let listed = sidecar.request("bonsai_list_assets", json!({ "folder": folder }));
        assert!(listed.as_ref().map_or(true, |l| l == &json!([])), "bonsai_list_assets {folder}: {listed:?}");
        assert_clean(&sidecar, &before, &format!("bonsai_list_assets {folder}"), &text_of(&listed));
        let deleted = sidecar.request("bonsai_delete_asset", json!({ "folder": folder, "fileName": "secret.png" }));
        assert!(deleted.is_err(), "bonsai_delete_asset in {folder} succeeded");
        assert_clean(&sidecar, &before, &format!("bonsai_delete_asset {folder}"), &text_of(&deleted));
        let made = sidecar.request("bonsai_generate_image", json!({ "prompt": "a fox", "width": 64, "height": 64, "folder": folder }));
        assert!(made.is_err(), "bonsai_generate_image into {folder} succeeded: {made:?}");
        assert_clean(&sidecar, &before, &format!("bonsai_generate_image {folder}"), &text_of(&made));
    }
    assert!(pngs_in(&sidecar.outside.join("images")).len() == 2);
    sidecar.call("bonsai_stop_server", json!({}));
}

#[test]
fn exports_never_zip_what_a_link_points_to() {
    let mut sidecar = Sidecar::initialized();
    plant(&sidecar);
    std::fs::create_dir_all(sidecar.ws("src/components")).unwrap();
    std::fs::write(sidecar.ws("package.json"), "{\"name\":\"shop\"}").unwrap();
    std::fs::write(sidecar.ws("src/components/Card.tsx"), "import { secret } from '../../vendor/src/Secret';\nexport const Card = () => secret;\n").unwrap();
    let saves = tempfile::tempdir().unwrap();
    let before = snapshot(&sidecar.outside);

    // The linked project itself is refused.
    let zip = saves.path().join("vendor.zip");
    let result = sidecar.request("export_project", json!({ "outputPath": zip, "projectPath": "vendor" }));
    assert!(result.is_err(), "exporting a linked project succeeded: {result:?}");
    assert_clean(&sidecar, &before, "export_project vendor", &text_of(&result));
    assert!(!zip.exists());

    // The workspace's own export leaves the links out.
    let zip = saves.path().join("shop.zip");
    sidecar.call("export_project", json!({ "outputPath": zip }));
    let entries = unzip(&zip);
    assert!(entries.keys().all(|name| !name.starts_with("vendor") && !name.starts_with("pictures")), "{:?}", entries.keys());
    assert!(entries.values().all(|(bytes, _)| !String::from_utf8_lossy(bytes).contains(SECRET)), "a secret from outside is in the zip");

    // A component whose import goes through the link: the outside file is never bundled.
    let zip = saves.path().join("card.zip");
    let result = sidecar.request("export_component", json!({ "componentPath": "src/components/Card.tsx", "outputPath": zip }));
    if result.is_ok() {
        let entries = unzip(&zip);
        assert!(entries.values().all(|(bytes, _)| !String::from_utf8_lossy(bytes).contains(SECRET)), "{:?}", entries.keys());
    }
    assert_clean(&sidecar, &before, "export_component", &text_of(&result));
    let result = sidecar.request("export_component", json!({ "componentPath": "vendor/src/Secret.tsx", "outputPath": saves.path().join("secret.zip") }));
    assert!(result.is_err(), "exporting a component through a link succeeded");
    assert_clean(&sidecar, &before, "export_component through a link", &text_of(&result));
}

#[test]
fn workflows_in_a_linked_folder_are_neither_read_nor_written() {
    let mut sidecar = Sidecar::initialized();
    plant(&sidecar);
    std::fs::create_dir_all(sidecar.ws(".prototyper")).unwrap();
    symlink("../../outside/workflows", sidecar.ws(".prototyper/workflows")).unwrap();
    let before = snapshot(&sidecar.outside);
    let probes = [
        ("load_workflow", json!({ "workflowId": "stolen" })),
        ("save_workflow", json!({ "workflowId": "planted", "data": "{}" })),
        ("save_workflow", json!({ "workflowId": "stolen", "data": "{}" })),
        ("list_workflows", json!({})),
    ];
    for (command, args) in probes {
        let result = sidecar.request(command, args.clone());
        let what = format!("{command} {args}");
        assert!(result.as_ref().map_or(true, |v| v == &json!([])), "{what}: {result:?}");
        assert_clean(&sidecar, &before, &what, &text_of(&result));
    }
}
