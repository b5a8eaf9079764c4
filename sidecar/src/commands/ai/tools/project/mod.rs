//! The seed's project tools (spec §5.6): checks that run the project's own toolchain
//! (`run_tsc`, `run_lint`, `run_build`), and edits that know a scaffolded project's layout
//! (`register_screen`, `set_active_theme`) or check its design files (`validate_design_json`).
//!
//! They are gated like every tool (the user approves each call unless allowlisted), and the ones
//! that run programs or write files are refused in an untrusted workspace. The workspace root is
//! the project.

mod checks;
mod design;
mod screens;

use super::{str_arg, ToolContext, ToolOutcome};
use serde_json::{json, Value};

const TOOLS: [&str; 6] = ["run_tsc", "run_lint", "run_build", "register_screen", "set_active_theme", "validate_design_json"];

pub fn is_project_tool(tool: &str) -> bool {
    TOOLS.contains(&tool)
}

/// The project tools that run programs or write files (refused in an untrusted workspace).
pub fn changes_things(tool: &str) -> bool {
    is_project_tool(tool) && tool != "validate_design_json"
}

pub async fn run(context: &ToolContext, tool: &str, args: &Value) -> Result<ToolOutcome, String> {
    match tool {
        "run_tsc" => checks::run_tsc(context, args).await,
        "run_lint" => checks::run_lint(context, args).await,
        "run_build" => checks::run_build(context).await,
        "register_screen" => screens::register_screen(context, args).await,
        "set_active_theme" => design::set_active_theme(context, args).await,
        "validate_design_json" => design::validate_design_json(context, args).await,
        other => Err(format!("Invalid arguments: unknown project tool '{other}'")),
    }
}

/// What a call will do, for the permission card.
pub fn reason(tool: &str, args: &Value) -> String {
    let arg = |names: &[&str]| str_arg(args, names).unwrap_or_default();
    match tool {
        "run_tsc" => "type-checks the project (runs tsc --noEmit)".to_string(),
        "run_lint" => format!("lints {} (runs eslint)", Some(arg(&["path"])).filter(|p| !p.is_empty()).unwrap_or_else(|| "the project".into())),
        "run_build" => "builds the project (runs its package.json build script)".to_string(),
        "register_screen" => {
            let id = arg(&["screen_id", "screenId", "id"]);
            format!("adds the page src/pages/{id}.tsx and its route {} to src/router.tsx", arg(&["path", "route"]))
        }
        "set_active_theme" => format!("switches the theme to {} (rewrites src/styles/preview-theme.css)", arg(&["theme_slug", "themeSlug", "slug"])),
        "validate_design_json" => format!("checks {} against the design-language schema", arg(&["path"])),
        other => format!("runs {other}"),
    }
}

pub fn definitions() -> Vec<Value> {
    let string = |description: &str| json!({ "type": "string", "description": description });
    vec![
        json!({
            "name": "run_tsc",
            "description": "Type-check the project with its TypeScript compiler (tsc --noEmit) and return the errors and the exit code. With path, only the errors in that file are shown.",
            "parameters": { "type": "object", "properties": {
                "path": string("Optional: a file relative to the workspace root, to show only its errors."),
            } },
        }),
        json!({
            "name": "run_lint",
            "description": "Run the project's ESLint on a file or folder and return the problems and the exit code.",
            "parameters": { "type": "object", "properties": {
                "path": string("File or folder relative to the workspace root (default: the whole project)."),
            } },
        }),
        json!({
            "name": "run_build",
            "description": "Run the project's production build (its package.json build script) and return the output and the exit code. Catches type errors, JSX syntax errors and import mistakes.",
            "parameters": { "type": "object", "properties": {} },
        }),
        json!({
            "name": "register_screen",
            "description": "In a React + shadcn/ui project: add a page (src/pages/<screen_id>.tsx, created as a stub if missing) and its route in src/router.tsx, or update an existing screen's title and path.",
            "parameters": { "type": "object", "properties": {
                "screen_id": string("kebab-case id, e.g. order-history; also the page's file name."),
                "title": string("Human title, e.g. Order history."),
                "path": string("URL path, e.g. /orders or /orders/:id."),
                "is_default": { "type": "boolean", "description": "Make this the screen unknown paths go to (default false)." },
            }, "required": ["screen_id", "title", "path"] },
        }),
        json!({
            "name": "set_active_theme",
            "description": "Make themes/<theme_slug>/theme.css the active theme (src/styles/preview-theme.css imports it). Create the theme's folder and theme.css first.",
            "parameters": { "type": "object", "properties": {
                "theme_slug": string("The theme's folder name under themes/, e.g. ocean."),
            }, "required": ["theme_slug"] },
        }),
        json!({
            "name": "validate_design_json",
            "description": "Check a design-language file (themes/<slug>/design.json): the 14 required sections (meta, color, typography, spacing, radii, shadows, borders, motion, components, iconography, layout, voice, content, antiPatterns) and the 19 colour tokens in color.light and color.dark.",
            "parameters": { "type": "object", "properties": {
                "path": string("The file, relative to the workspace root."),
            }, "required": ["path"] },
        }),
    ]
}
