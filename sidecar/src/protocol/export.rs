//! Params of the export command group: `export_project` and `export_component`, which write a zip
//! to an absolute path the user picked in a save dialog and answer that path.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Params of `export_project`: zips the workspace, or `projectPath` inside it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ExportProjectParams {
    #[serde(default)]
    pub project_id: Option<String>,
    /// Absolute path of the zip to write (from the host's save dialog).
    #[ts(optional = false)]
    pub output_path: String,
    /// The project's folder, workspace-relative; the workspace root when absent.
    #[serde(default)]
    pub project_path: Option<String>,
    /// Accepted for the seed's sake; the archive is always a zip.
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub options: Option<ExportProjectOptions>,
}

/// The seed's project export options. `includeTests: false` leaves test files out; the others
/// are accepted and change nothing (the workspace has no separate APIs, theme or component store).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ExportProjectOptions {
    #[serde(default)]
    pub include_apis: Option<bool>,
    #[serde(default)]
    pub include_theme: Option<bool>,
    #[serde(default)]
    pub include_components: Option<bool>,
    #[serde(default)]
    pub include_tests: Option<bool>,
}

/// Params of `export_component`: zips one component file with the local files it imports.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ExportComponentParams {
    #[serde(default)]
    pub project_id: Option<String>,
    /// The seed's component id; unused (the component is `componentPath`).
    #[serde(default)]
    pub component_id: Option<String>,
    /// The component's file, workspace-relative (`src/components/Card.tsx`).
    #[ts(optional = false)]
    pub component_path: String,
    #[ts(optional = false)]
    pub output_path: String,
    /// `tsx` (default) or `jsx`; `jsx` needs JavaScript sources (types are not stripped).
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub options: Option<ExportComponentOptions>,
}

/// Stubs to add beside the component.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ExportComponentOptions {
    /// A `<Name>.types.ts` with the props interface.
    #[serde(default)]
    pub include_types: Option<bool>,
    /// A `<Name>.stories.tsx` for Storybook.
    #[serde(default)]
    pub include_storybook: Option<bool>,
    /// A `<Name>.test.tsx` for Vitest and Testing Library.
    #[serde(default)]
    pub include_tests: Option<bool>,
}
