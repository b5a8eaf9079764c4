//! `export_project`: the project's files as a zip, without what a recipient must not get or does
//! not need: `node_modules`, `.git`, build output, Prototyper's own `.prototyper` folder,
//! git-ignored files, and every `.env*` file (their secrets). In their place the zip gets an
//! `.env.example` with the variable names and no values, and a README when the project has none.
//!
//! Files are enumerated by `confine::walk` (which never follows links, so nothing outside the
//! workspace is packed) before the zip is created, so an export saved inside the project never
//! packs itself.

use super::{entry_name, is_executable, Destination};
use crate::confine::{walk, RelPath, Root};
use crate::error::AppError;
use crate::protocol::export::ExportProjectParams;
use std::collections::BTreeSet;
use std::ops::ControlFlow;

/// Folders of build output and caches, left out wherever they are.
const BUILD_FOLDERS: &[&str] =
    &["dist", "build", "out", ".next", ".nuxt", ".svelte-kit", ".turbo", ".vercel", ".output", "coverage", ".cache", ".parcel-cache", ".vite", ".prototyper"];
/// A single file larger than this is refused (a project export is source, not media dumps).
const MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;

pub fn export(workspace: &Root, params: &ExportProjectParams) -> Result<String, AppError> {
    let project = RelPath::parse(params.project_path.as_deref().unwrap_or(""))?;
    let shown = if project.is_root() { "the workspace folder".to_string() } else { format!("'{}'", project.wire()) };
    match workspace.metadata(&project) {
        Ok(metadata) if metadata.is_dir() => {}
        Ok(_) => return Err(AppError::invalid_params(format!("projectPath {shown} is a file; pass the project's folder"))),
        Err(err) => return Err(err.to_app_error(&project, "export")),
    }
    let manifest = project.join("package.json");
    let package = match workspace.read_existing(&manifest, 1024 * 1024) {
        Ok(Some(bytes)) => serde_json::from_slice::<serde_json::Value>(&bytes).unwrap_or_default(),
        _ => {
            return Err(AppError::not_found(format!(
                "{shown} has no package.json, so there is no project to export; scaffold a project first, or pass the folder that holds package.json as projectPath"
            )))
        }
    };
    let destination = Destination::open(&params.output_path)?;
    let include_tests = params.options.as_ref().and_then(|o| o.include_tests).unwrap_or(true);
    let own_zip = destination.relative_to(workspace, &project);

    let mut files = Vec::new();
    let mut env_files = Vec::new();
    walk::regular_files(workspace, &project, |path, metadata| {
        let name = entry_name(&project, path);
        if own_zip.as_ref().is_some_and(|own| own.wire() == name) {
            return ControlFlow::Continue(());
        }
        if is_env_file(path) {
            env_files.push(path.clone());
        } else if !is_left_out(&name, include_tests) {
            files.push((path.clone(), name, is_executable(metadata)));
        }
        ControlFlow::Continue(())
    })
    .map_err(|err| err.to_app_error(&project, "list"))?;

    let has_readme = files.iter().any(|(_, name, _)| !name.contains('/') && name.to_ascii_lowercase().starts_with("readme"));
    let keys = env_keys(workspace, &project, &env_files);
    destination.write(|zip| {
        for (path, name, executable) in &files {
            let bytes = workspace.read_regular(path, MAX_FILE_BYTES).map_err(|err| err.to_app_error(path, "export"))?;
            zip.add(name, &bytes, *executable)?;
        }
        if !keys.is_empty() {
            zip.add(".env.example", env_example(&keys).as_bytes(), false)?;
        }
        if !has_readme {
            zip.add("README.md", readme(&package, !keys.is_empty()).as_bytes(), false)?;
        }
        Ok(())
    })
}

/// `.env`, `.env.local`, `.env.production`, `.envrc`, `.env.example`: anything named `.env*`.
fn is_env_file(path: &RelPath) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|name| name.to_ascii_lowercase().starts_with(".env"))
}

/// Build output and Prototyper's folder anywhere in the tree; tests when they are not wanted.
fn is_left_out(name: &str, include_tests: bool) -> bool {
    let parts: Vec<&str> = name.split('/').collect();
    let (folders, file) = parts.split_at(parts.len() - 1);
    if folders.iter().any(|folder| BUILD_FOLDERS.contains(folder)) {
        return true;
    }
    if !include_tests {
        let file = file[0].to_ascii_lowercase();
        let is_test = file.contains(".test.") || file.contains(".spec.") || folders.contains(&"__tests__");
        if is_test {
            return true;
        }
    }
    false
}

/// The variable names of the project folder's own `.env*` files, in first-seen order.
fn env_keys(workspace: &Root, project: &RelPath, env_files: &[RelPath]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut keys = Vec::new();
    let mut top_level: Vec<&RelPath> = env_files.iter().filter(|path| path.parent().as_ref() == Some(project)).collect();
    top_level.sort_by_key(|path| path.wire().to_string());
    for path in top_level {
        let Ok(bytes) = workspace.read_regular(path, 1024 * 1024) else { continue };
        // dotenvy reads the format properly (quotes, multi-line values, `export`); a line it
        // cannot read ends that file's keys, and its value is never looked at.
        for (key, _value) in dotenvy::from_read_iter(bytes.as_slice()).map_while(Result::ok) {
            if seen.insert(key.clone()) {
                keys.push(key);
            }
        }
    }
    keys
}

fn env_example(keys: &[String]) -> String {
    let mut text = String::from(
        "# The environment variables this project reads. Their values were removed when it was exported:\n# copy this file to .env and fill them in.\n",
    );
    for key in keys {
        text.push_str(key);
        text.push_str("=\n");
    }
    text
}

/// A README from package.json: the name, the description and how to run it.
fn readme(package: &serde_json::Value, has_env: bool) -> String {
    let name = package.get("name").and_then(|v| v.as_str()).unwrap_or("Project");
    let mut text = format!("# {name}\n\n");
    if let Some(description) = package.get("description").and_then(|v| v.as_str()).filter(|d| !d.trim().is_empty()) {
        text.push_str(description.trim());
        text.push_str("\n\n");
    }
    text.push_str("## Getting started\n\n");
    if has_env {
        text.push_str("Copy `.env.example` to `.env` and fill in the values.\n\n");
    }
    text.push_str("```sh\nnpm install\n");
    let scripts = package.get("scripts").and_then(|v| v.as_object());
    for script in ["dev", "build", "test"] {
        if scripts.is_some_and(|s| s.contains_key(script)) {
            text.push_str(&format!("npm run {script}\n"));
        }
    }
    text.push_str("```\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_output_and_tests_are_recognised() {
        assert!(is_left_out("dist/index.js", true));
        assert!(is_left_out("packages/web/.next/cache/x", true));
        assert!(!is_left_out("src/dist.ts", true));
        assert!(!is_left_out("src/app.test.ts", true));
        assert!(is_left_out("src/app.test.ts", false));
        assert!(is_left_out("src/__tests__/a.ts", false));
    }

    #[test]
    fn env_files_by_name() {
        for name in [".env", ".env.local", ".ENV.production", ".envrc", "config/.env"] {
            assert!(is_env_file(&RelPath::parse(name).unwrap()), "{name}");
        }
        assert!(!is_env_file(&RelPath::parse("src/env.ts").unwrap()));
    }

    #[test]
    fn the_readme_says_how_to_run_it() {
        let package = serde_json::json!({"name": "shop", "description": "A shop", "scripts": {"dev": "vite", "build": "vite build"}});
        let text = readme(&package, true);
        assert!(text.starts_with("# shop\n\nA shop") && text.contains("npm run dev") && text.contains(".env.example"), "{text}");
        assert!(!text.contains("npm run test"));
    }
}
