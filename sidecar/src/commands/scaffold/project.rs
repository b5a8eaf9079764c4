//! The marker a scaffolded project carries, `.prototyper/project.json` (its template, package
//! manager and whether it has a dev server), and what it tells the agent: a chat in such a
//! workspace gets the template's layout in its system prompt, so the model knows where pages,
//! components and routes go without exploring first.

use super::templates;
use crate::confine::{RelPath, Root};
use crate::protocol::rpc::PackageManager;
use crate::workspace::Workspace;
use serde::{Deserialize, Serialize};

/// Where the marker lives in a project.
pub const MARKER_PATH: &str = ".prototyper/project.json";
/// A marker larger than this is not ours.
const MARKER_LIMIT: u64 = 64 * 1024;

/// `.prototyper/project.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectMarker {
    pub name: String,
    pub template: String,
    pub package_manager: PackageManager,
    pub dev_server: bool,
    /// When it was created, in ms since the Unix epoch.
    pub created_at: u64,
}

/// The marker at the root of `root`, if there is a readable one.
pub fn read_marker(root: &Root) -> Option<ProjectMarker> {
    let bytes = root.read_regular(&RelPath::parse(MARKER_PATH).ok()?, MARKER_LIMIT).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The system prompt's section about the workspace's project, when it was made from one of the
/// templates: which template, and its layout.
pub fn prompt_section(workspace: &Workspace) -> Option<String> {
    let marker = read_marker(workspace.root().ok()?)?;
    let template = templates::find(&marker.template).ok()?;
    Some(format!(
        "The workspace is the project \"{}\", created from Prototyper's {} template.\n{}",
        marker.name,
        template.manifest.name,
        template.manifest.guide.join("\n")
    ))
}

/// `system`, with the project's section appended when the workspace is a scaffolded project.
/// Reads a small file beneath the workspace on the blocking pool.
pub async fn with_project_section(workspace: &Workspace, system: String) -> String {
    let workspace = workspace.clone();
    let section = tokio::task::spawn_blocking(move || prompt_section(&workspace)).await.ok().flatten();
    match section {
        Some(section) if !system.contains(&section) => format!("{system}\n\n{section}"),
        _ => system,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scaffolded_workspace_gets_its_template_layout() {
        let temp = tempfile::tempdir().unwrap();
        let workspace = Workspace::new(Some(temp.path().to_path_buf()));
        assert!(prompt_section(&workspace).is_none(), "a plain folder gets nothing");
        std::fs::create_dir_all(temp.path().join(".prototyper")).unwrap();
        let marker = ProjectMarker {
            name: "shop".into(),
            template: "react-shadcn".into(),
            package_manager: PackageManager::Npm,
            dev_server: true,
            created_at: 1_767_225_600_000,
        };
        std::fs::write(temp.path().join(MARKER_PATH), serde_json::to_string(&marker).unwrap()).unwrap();
        let section = prompt_section(&workspace).unwrap();
        assert!(section.contains("\"shop\"") && section.contains("src/router.tsx") && section.contains("register_screen"), "{section}");
    }
}
