//! set_active_theme and validate_design_json. A theme is a folder `themes/<slug>/` with a
//! `theme.css` (token overrides) and optionally a `design.json` (the design language: 14 sections,
//! 19 colour tokens per mode, as the seed checks). Activating a theme rewrites
//! `src/styles/preview-theme.css` to import its CSS, and records it in the project's marker.

use super::super::{confined, path_arg, str_arg, ToolContext, ToolOutcome};
use crate::commands::scaffold::project::MARKER_PATH;
use crate::confine::{RelPath, Root};
use serde_json::Value;

const PREVIEW_THEME: &str = "src/styles/preview-theme.css";
const DESIGN_LIMIT: u64 = 1024 * 1024;

/// The sections a design.json must have.
pub const DESIGN_SECTIONS: [&str; 14] = [
    "meta", "color", "typography", "spacing", "radii", "shadows", "borders", "motion", "components", "iconography", "layout", "voice",
    "content", "antiPatterns",
];

/// The colour tokens `color.light` and `color.dark` must each define (the template's CSS variables).
pub const COLOR_TOKENS: [&str; 19] = [
    "background", "foreground", "card", "card-foreground", "popover", "popover-foreground", "primary", "primary-foreground", "secondary",
    "secondary-foreground", "muted", "muted-foreground", "accent", "accent-foreground", "destructive", "destructive-foreground", "border",
    "input", "ring",
];

pub async fn set_active_theme(context: &ToolContext, args: &Value) -> Result<ToolOutcome, String> {
    let slug = str_arg(args, &["theme_slug", "themeSlug", "slug", "theme"]).ok_or("Invalid arguments: missing \"theme_slug\"")?;
    let valid = !slug.is_empty() && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') && !slug.starts_with('-');
    if !valid {
        return Err(format!("Invalid arguments: theme_slug '{slug}' must be a folder name under themes/ (lowercase letters, digits and '-')"));
    }
    confined(context, move |root| activate(root, &slug)).await
}

fn activate(root: &Root, slug: &str) -> Result<ToolOutcome, String> {
    let css = RelPath::parse(&format!("themes/{slug}/theme.css")).map_err(|err| err.message)?;
    if root.symlink_metadata(&css).is_err() {
        let available: Vec<String> = root
            .list(&RelPath::parse("themes").expect("a plain name"))
            .map(|entries| entries.into_iter().filter(|e| e.is_dir).map(|e| e.name).collect())
            .unwrap_or_default();
        let listed = if available.is_empty() { "there are none yet".to_string() } else { format!("the themes are: {}", available.join(", ")) };
        return Err(format!("themes/{slug}/theme.css does not exist ({listed}); write it first, then activate it"));
    }
    let preview = RelPath::parse(PREVIEW_THEME).expect("a relative path");
    let before = root.read_existing(&preview, DESIGN_LIMIT).ok().flatten().map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    let after = format!(
        "/* The active theme, set by set_active_theme: themes/{slug}/theme.css overrides the tokens of src/index.css. */\n@import '../../themes/{slug}/theme.css';\n"
    );
    root.write_atomic(&preview, after.as_bytes()).map_err(|err| err.to_tool_message(&preview, "write"))?;
    // The project's marker records the choice, like the seed's stylePreset (absent: not a
    // scaffolded project, nothing to record).
    let marker = RelPath::parse(MARKER_PATH).expect("a relative path");
    if let Ok(Some(bytes)) = root.read_existing(&marker, DESIGN_LIMIT) {
        if let Ok(Value::Object(mut fields)) = serde_json::from_slice::<Value>(&bytes) {
            fields.insert("activeTheme".into(), Value::String(slug.to_string()));
            let text = serde_json::to_string_pretty(&Value::Object(fields)).unwrap_or_default() + "\n";
            let _ = root.write_atomic(&marker, text.as_bytes());
        }
    }
    Ok(ToolOutcome {
        path: Some(PREVIEW_THEME.to_string()),
        content: Some(after),
        previous_content: Some(before),
        ..ToolOutcome::ok(format!("The active theme is now '{slug}': {PREVIEW_THEME} imports themes/{slug}/theme.css."))
    })
}

pub async fn validate_design_json(context: &ToolContext, args: &Value) -> Result<ToolOutcome, String> {
    let raw = path_arg(args).ok_or("Invalid arguments: missing \"path\"")?;
    let path = RelPath::parse(&raw).map_err(|err| err.message)?;
    let shown = path.wire().to_string();
    let bytes = confined(context, move |root| root.read_regular(&path, DESIGN_LIMIT).map_err(|err| err.to_tool_message(&path, "read"))).await?;
    let json: Value = serde_json::from_slice(&bytes).map_err(|err| format!("{shown} is not valid JSON: {err}"))?;
    let problems = problems(&json);
    if problems.is_empty() {
        return Ok(ToolOutcome::ok(format!(
            "{shown} is valid: all {} sections, and all {} colour tokens in color.light and color.dark.",
            DESIGN_SECTIONS.len(),
            COLOR_TOKENS.len()
        )));
    }
    Ok(ToolOutcome::fail(format!("{shown} is not valid:\n- {}", problems.join("\n- "))))
}

/// Everything wrong with a design.json, one sentence each.
pub fn problems(json: &Value) -> Vec<String> {
    let Some(object) = json.as_object() else {
        return vec!["the top level must be a JSON object".to_string()];
    };
    let mut problems = Vec::new();
    let missing: Vec<&str> = DESIGN_SECTIONS.iter().copied().filter(|key| !object.contains_key(*key)).collect();
    if !missing.is_empty() {
        problems.push(format!("missing sections: {}", missing.join(", ")));
    }
    if let Some(color) = object.get("color") {
        for mode in ["light", "dark"] {
            match color.get(mode).and_then(Value::as_object) {
                None => problems.push(format!("color.{mode} is missing (an object of the {} colour tokens)", COLOR_TOKENS.len())),
                Some(tokens) => {
                    let absent: Vec<&str> = COLOR_TOKENS
                        .iter()
                        .copied()
                        .filter(|token| tokens.get(*token).and_then(Value::as_str).is_none_or(|value| value.trim().is_empty()))
                        .collect();
                    if !absent.is_empty() {
                        problems.push(format!("color.{mode} lacks (or has empty) tokens: {}", absent.join(", ")));
                    }
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_templates_design_json_is_valid() {
        let text = include_str!("../../../../../templates/react-shadcn/files/themes/default/design.json");
        assert_eq!(problems(&serde_json::from_str(text).unwrap()), Vec::<String>::new());
    }

    #[test]
    fn every_problem_is_named() {
        let json = serde_json::json!({ "meta": {}, "color": { "light": { "background": "#fff" } } });
        let found = problems(&json);
        assert!(found[0].contains("missing sections: typography"), "{found:?}");
        assert!(found[1].contains("color.light lacks") && found[1].contains("foreground"), "{found:?}");
        assert!(found[2].contains("color.dark is missing"), "{found:?}");
        assert_eq!(problems(&serde_json::json!([])), vec!["the top level must be a JSON object".to_string()]);
    }
}
