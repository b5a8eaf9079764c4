//! register_screen: adds a page to a React + shadcn/ui project, or updates one. The page is
//! `src/pages/<id>.tsx` (a stub is created when missing; an existing page is never touched) and
//! its route an entry of `screens` in `src/router.tsx`, inserted above the marker comments the
//! template put there. `is_default` points `defaultPath` (where unknown paths go) at it.

use super::super::{bool_arg, confined, str_arg, ToolContext, ToolOutcome};
use crate::confine::{RelPath, Root};
use serde_json::Value;

const ROUTER: &str = "src/router.tsx";
const IMPORTS_MARKER: &str = "// register_screen: imports above this line";
const SCREENS_MARKER: &str = "// register_screen: screens above this line";
const ROUTER_LIMIT: u64 = 1024 * 1024;

#[derive(Debug)]
struct Screen {
    id: String,
    title: String,
    path: String,
    is_default: bool,
}

fn parse(args: &Value) -> Result<Screen, String> {
    let id = str_arg(args, &["screen_id", "screenId", "id"]).ok_or("Invalid arguments: missing \"screen_id\"")?;
    let kebab = id.split('-').all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
        && id.starts_with(|c: char| c.is_ascii_lowercase());
    if !kebab {
        return Err(format!("Invalid arguments: screen_id '{id}' must be kebab-case (lowercase words and digits joined by '-', starting with a letter), e.g. order-history"));
    }
    let title = str_arg(args, &["title", "name"]).filter(|t| !t.trim().is_empty()).ok_or("Invalid arguments: missing \"title\"")?;
    let path = str_arg(args, &["path", "route", "url"]).ok_or("Invalid arguments: missing \"path\" (the URL path, e.g. /orders)")?;
    let path_ok = path.starts_with('/') && path.chars().all(|c| c.is_ascii_alphanumeric() || "/-_:.*".contains(c));
    if !path_ok {
        return Err(format!("Invalid arguments: path '{path}' must be a URL path starting with '/', made of letters, digits and / - _ : . * (e.g. /orders/:id)"));
    }
    Ok(Screen { id, title: title.trim().to_string(), path, is_default: bool_arg(args, &["is_default", "isDefault", "default"]) })
}

/// `order-history` → `OrderHistoryPage`.
fn component_name(id: &str) -> String {
    let mut name: String = id
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect();
    name.push_str("Page");
    name
}

fn js_string(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialize")
}

/// The router with the screen added (or its entry replaced), or why it cannot be edited.
fn edit_router(router: &str, screen: &Screen) -> Result<String, String> {
    if !router.contains(IMPORTS_MARKER) || !router.contains(SCREENS_MARKER) {
        return Err(format!(
            "{ROUTER} has no register_screen markers (`{IMPORTS_MARKER}` and `{SCREENS_MARKER}`); add the route with edit_file instead"
        ));
    }
    let component = component_name(&screen.id);
    let entry = format!(
        "  {{ id: {}, title: {}, path: {}, component: {component} }},",
        js_string(&screen.id),
        js_string(&screen.title),
        js_string(&screen.path)
    );
    let import = format!("import {component} from './pages/{}'", screen.id);
    let id_single = format!("id: '{}'", screen.id);
    let id_double = format!("id: \"{}\"", screen.id);
    let mut lines: Vec<String> = router.lines().map(str::to_string).collect();
    if let Some(existing) = lines.iter().position(|line| line.contains(&id_single) || line.contains(&id_double)) {
        // Keep the component the existing entry uses (it may not follow the naming).
        let used = lines[existing].split("component:").nth(1).map(|rest| rest.trim().trim_end_matches(['}', ',', ' ']).trim().to_string());
        let used = used.filter(|name| !name.is_empty()).unwrap_or(component.clone());
        lines[existing] = entry.replace(&format!("component: {component}"), &format!("component: {used}"));
    } else {
        let marker = lines.iter().position(|line| line.trim() == SCREENS_MARKER).ok_or("the screens marker must be a line of its own")?;
        lines.insert(marker, entry);
        if !lines.iter().any(|line| line.contains(&format!("'./pages/{}'", screen.id))) {
            let marker = lines.iter().position(|line| line.trim() == IMPORTS_MARKER).ok_or("the imports marker must be a line of its own")?;
            lines.insert(marker, import);
        }
    }
    if screen.is_default {
        let line = lines
            .iter()
            .position(|line| line.trim_start().starts_with("const defaultPath") || line.trim_start().starts_with("export const defaultPath"))
            .ok_or_else(|| format!("{ROUTER} has no `const defaultPath = …` line to point at the new default screen"))?;
        let exported = if lines[line].trim_start().starts_with("export") { "export " } else { "" };
        lines[line] = format!("{exported}const defaultPath = {}", js_string(&screen.path));
    }
    let mut text = lines.join("\n");
    if router.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

fn page_stub(screen: &Screen) -> String {
    format!(
        "// The {title} screen ({path}).\n\
         import {{ Card, CardContent, CardDescription, CardHeader, CardTitle }} from '@/components/ui/card'\n\n\
         export default function {component}() {{\n\
         \x20 return (\n\
         \x20   <main className=\"mx-auto flex min-h-svh max-w-3xl flex-col gap-6 bg-background p-6 text-foreground\">\n\
         \x20     <Card>\n\
         \x20       <CardHeader>\n\
         \x20         <CardTitle className=\"text-2xl\">{{{title_js}}}</CardTitle>\n\
         \x20         <CardDescription>This screen is new: build it in src/pages/{id}.tsx.</CardDescription>\n\
         \x20       </CardHeader>\n\
         \x20       <CardContent />\n\
         \x20     </Card>\n\
         \x20   </main>\n\
         \x20 )\n\
         }}\n",
        title = screen.title.replace(['\n', '\r'], " "),
        path = screen.path,
        component = component_name(&screen.id),
        title_js = js_string(&screen.title),
        id = screen.id,
    )
}

pub async fn register_screen(context: &ToolContext, args: &Value) -> Result<ToolOutcome, String> {
    let screen = parse(args)?;
    confined(context, move |root| register(root, &screen)).await
}

fn register(root: &Root, screen: &Screen) -> Result<ToolOutcome, String> {
    let router_path = RelPath::parse(ROUTER).expect("a relative path");
    let before = match root.read_existing(&router_path, ROUTER_LIMIT) {
        Ok(Some(bytes)) => String::from_utf8(bytes).map_err(|_| format!("{ROUTER} is not UTF-8 text"))?,
        Ok(None) => {
            return Err(format!(
                "{ROUTER} does not exist: register_screen works in projects made from the React + shadcn/ui template (\"Prototyper: New Project…\")"
            ))
        }
        Err(err) => return Err(err.to_tool_message(&router_path, "read")),
    };
    let after = edit_router(&before, screen)?;
    let page_path = RelPath::parse(&format!("src/pages/{}.tsx", screen.id)).map_err(|err| err.message)?;
    let page_created = match root.create_new_file(&page_path, page_stub(screen).as_bytes()) {
        Ok(()) => true,
        Err(err) if matches!(&err, crate::confine::FsError::Io(io) if io.kind() == std::io::ErrorKind::AlreadyExists) => false,
        Err(err) => return Err(err.to_tool_message(&page_path, "create")),
    };
    root.write_atomic(&router_path, after.as_bytes()).map_err(|err| err.to_tool_message(&router_path, "write"))?;
    let page_note = if page_created { "created as a stub" } else { "kept as it was" };
    let default_note = if screen.is_default { "; unknown paths now go to it" } else { "" };
    Ok(ToolOutcome {
        path: Some(ROUTER.to_string()),
        content: Some(after),
        previous_content: Some(Some(before)),
        ..ToolOutcome::ok(format!(
            "Registered screen '{}' ({}) at {}: src/pages/{}.tsx {page_note}, route in {ROUTER}{default_note}.",
            screen.id, screen.title, screen.path, screen.id
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ROUTER_TEXT: &str = "import HomePage from './pages/home'\n// register_screen: imports above this line\n\nconst screens: Screen[] = [\n  { id: 'home', title: 'Home', path: '/', component: HomePage },\n  // register_screen: screens above this line\n]\n\nconst defaultPath = '/'\n";

    fn screen(args: Value) -> Screen {
        parse(&args).unwrap()
    }

    #[test]
    fn a_new_screen_gets_an_import_and_an_entry() {
        let after = edit_router(ROUTER_TEXT, &screen(json!({"screen_id": "order-history", "title": "Order \"history\"", "path": "/orders"}))).unwrap();
        assert!(after.contains("import OrderHistoryPage from './pages/order-history'\n// register_screen: imports"), "{after}");
        assert!(after.contains("  { id: \"order-history\", title: \"Order \\\"history\\\"\", path: \"/orders\", component: OrderHistoryPage },\n  // register_screen: screens"), "{after}");
        assert!(after.ends_with("const defaultPath = '/'\n"));
    }

    #[test]
    fn an_existing_screen_is_updated_in_place() {
        let after = edit_router(ROUTER_TEXT, &screen(json!({"screen_id": "home", "title": "Start", "path": "/start", "is_default": true}))).unwrap();
        assert!(after.contains("{ id: \"home\", title: \"Start\", path: \"/start\", component: HomePage },"), "{after}");
        assert_eq!(after.matches("import HomePage").count(), 1);
        assert!(after.contains("const defaultPath = \"/start\""));
    }

    #[test]
    fn bad_arguments_and_unmarked_routers_are_explained() {
        assert!(parse(&json!({"screen_id": "Bad_Id", "title": "x", "path": "/x"})).unwrap_err().contains("kebab-case"));
        assert!(parse(&json!({"screen_id": "x", "title": "x", "path": "x\"); evil("})).unwrap_err().contains("URL path"));
        let err = edit_router("export const x = 1\n", &screen(json!({"screen_id": "a", "title": "A", "path": "/a"}))).unwrap_err();
        assert!(err.contains("edit_file"), "{err}");
    }
}
