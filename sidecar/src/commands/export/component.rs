//! `export_component`: one component file with the local files it imports, transitively (its
//! `ui/*` pieces, `lib/utils`, styles), the project's global stylesheet, a minimal `package.json`
//! (the packages it imports, at the project's versions) and `tsconfig.json`, and on request
//! stubs for its types, a Storybook story and a test.
//!
//! Imports are found by their specifiers (`from '…'`, `import '…'`, `import('…')`,
//! `require('…')`) with a regular expression rather than a JavaScript parser: only the specifiers
//! matter, and a stray match in a comment at worst adds a file or a package that was not needed.
//! Relative specifiers resolve from the importing file, `@/` and `~/` from the project's `src`
//! folder (the shadcn convention), and the usual extensions and `index` files are tried. Nothing
//! outside the workspace is followed.

use super::{is_executable, Destination};
use crate::confine::{RelPath, Root};
use crate::error::AppError;
use crate::protocol::export::ExportComponentParams;
use regex::Regex;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::OnceLock;

const SOURCE_EXTENSIONS: &[&str] = &["tsx", "ts", "jsx", "js", "mjs", "cjs"];
const RESOLVED_EXTENSIONS: &[&str] = &["tsx", "ts", "jsx", "js", "mjs", "cjs", "css", "json"];
const GLOBAL_STYLES: &[&str] = &["src/globals.css", "src/index.css", "src/app/globals.css", "app/globals.css", "src/styles/globals.css", "styles/globals.css"];
const MAX_SOURCE_BYTES: u64 = 2 * 1024 * 1024;
/// A component with more local files than this is probably importing the whole app.
const MAX_FILES: usize = 500;

fn specifiers() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r#"(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"\n]+)['"]"#).expect("valid regex"))
}

pub fn export(workspace: &Root, params: &ExportComponentParams) -> Result<String, AppError> {
    let component = RelPath::parse(&params.component_path)?;
    let extension = extension_of(&component);
    if component.is_root() || !SOURCE_EXTENSIONS.contains(&extension.as_str()) {
        return Err(AppError::invalid_params(format!(
            "componentPath '{}' is not a component source file; pass a .tsx, .ts, .jsx or .js file",
            params.component_path
        )));
    }
    match workspace.metadata(&component) {
        Ok(metadata) if metadata.is_file() => {}
        Ok(_) => return Err(AppError::invalid_params(format!("componentPath '{}' is not a file", component.wire()))),
        Err(err) => return Err(err.to_app_error(&component, "export")),
    }
    let format = params.format.as_deref().unwrap_or("tsx").trim().to_ascii_lowercase();
    if format != "tsx" && format != "jsx" {
        return Err(AppError::invalid_params(format!("format '{format}' is not known: use \"tsx\" or \"jsx\"")));
    }
    let base = project_folder(workspace, &component);
    let (files, packages) = collect(workspace, &base, &component)?;
    if format == "jsx" {
        if let Some(typed) = files.iter().find(|(path, _)| matches!(extension_of(path).as_str(), "ts" | "tsx")) {
            return Err(AppError::invalid_params(format!(
                "format \"jsx\" needs JavaScript sources, but {} is TypeScript (types are not stripped on export); export as \"tsx\"",
                typed.0.wire()
            )));
        }
    }
    let project_package = workspace
        .read_existing(&base.join("package.json"), 1024 * 1024)
        .ok()
        .flatten()
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .unwrap_or_default();
    let source = workspace.read_regular(&component, MAX_SOURCE_BYTES).map_err(|err| err.to_app_error(&component, "read"))?;
    let stem = component.file_name().and_then(|n| n.to_str()).map(|n| n.rsplit_once('.').map_or(n, |(s, _)| s)).unwrap_or("Component").to_string();
    let symbol = exported_symbol(&String::from_utf8_lossy(&source), &stem);
    let options = params.options.clone().unwrap_or_default();
    let typescript = format == "tsx";

    let destination = Destination::open(&params.output_path)?;
    let component_entry = entry(&base, &component);
    let folder_entry = component_entry.rsplit_once('/').map(|(folder, _)| format!("{folder}/")).unwrap_or_default();
    destination.write(|zip| {
        for (path, executable) in &files {
            let bytes = workspace.read_regular(path, MAX_SOURCE_BYTES).map_err(|err| err.to_app_error(path, "export"))?;
            zip.add(&entry(&base, path), &bytes, *executable)?;
        }
        let mut dev = BTreeMap::new();
        let import = symbol.import(&stem);
        if options.include_types == Some(true) && typescript {
            let text = format!(
                "import type {{ ComponentProps }} from 'react';\n{import}\n\n/** The props of {name}. */\nexport type {name}Props = ComponentProps<typeof {name}>;\n",
                name = symbol.name
            );
            zip.add(&format!("{folder_entry}{stem}.types.ts"), text.as_bytes(), false)?;
        }
        let ext = if typescript { "tsx" } else { "jsx" };
        if options.include_storybook == Some(true) {
            let (meta, story) = if typescript {
                ("import type { Meta, StoryObj } from '@storybook/react';\n", format!("const meta: Meta<typeof {0}> = {{ title: 'Components/{0}', component: {0} }};\nexport default meta;\n\nexport const Default: StoryObj<typeof {0}> = {{ args: {{}} }};\n", symbol.name))
            } else {
                ("", format!("export default {{ title: 'Components/{0}', component: {0} }};\n\nexport const Default = {{ args: {{}} }};\n", symbol.name))
            };
            zip.add(&format!("{folder_entry}{stem}.stories.{ext}"), format!("{meta}{import}\n\n{story}").as_bytes(), false)?;
            dev.insert("@storybook/react", "^8");
        }
        if options.include_tests == Some(true) {
            let text = format!(
                "import {{ render }} from '@testing-library/react';\nimport {{ describe, expect, it }} from 'vitest';\n{import}\n\ndescribe('{0}', () => {{\n  it('renders', () => {{\n    const {{ container }} = render(<{0} />);\n    expect(container.firstChild).not.toBeNull();\n  }});\n}});\n",
                symbol.name
            );
            zip.add(&format!("{folder_entry}{stem}.test.{ext}"), text.as_bytes(), false)?;
            dev.insert("vitest", "^3");
            dev.insert("@testing-library/react", "^16");
            dev.insert("jsdom", "^26");
        }
        if typescript {
            dev.insert("typescript", "^5");
            dev.insert("@types/react", "^19");
        }
        let manifest = package_json(&stem, &packages, &project_package, &dev);
        zip.add("package.json", manifest.as_bytes(), false)?;
        zip.add("tsconfig.json", tsconfig(files.iter().any(|(p, _)| p.wire().starts_with(&format!("{}src/", prefix(&base)))), !typescript).as_bytes(), false)?;
        Ok(())
    })
}

fn extension_of(path: &RelPath) -> String {
    path.file_name().and_then(|n| n.to_str()).and_then(|n| n.rsplit_once('.')).map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default()
}

fn prefix(base: &RelPath) -> String {
    if base.is_root() {
        String::new()
    } else {
        format!("{}/", base.wire())
    }
}

fn entry(base: &RelPath, path: &RelPath) -> String {
    path.wire().strip_prefix(&prefix(base)).unwrap_or(path.wire()).to_string()
}

/// The nearest folder above the component that holds a package.json (the workspace root if none).
fn project_folder(workspace: &Root, component: &RelPath) -> RelPath {
    let mut folder = component.parent();
    while let Some(current) = folder {
        if workspace.metadata(&current.join("package.json")).is_ok_and(|m| m.is_file()) {
            return current;
        }
        folder = current.parent();
    }
    RelPath::root()
}

/// Files to pack, each with whether it is executable.
type Files = Vec<(RelPath, bool)>;

/// The component and every local file it reaches, and the packages they import.
fn collect(workspace: &Root, base: &RelPath, component: &RelPath) -> Result<(Files, BTreeSet<String>), AppError> {
    let mut seen = BTreeSet::from([component.wire().to_string()]);
    let mut queue = VecDeque::from([component.clone()]);
    let mut files = Vec::new();
    let mut packages = BTreeSet::new();
    while let Some(path) = queue.pop_front() {
        let metadata = workspace.metadata(&path).map_err(|err| err.to_app_error(&path, "read"))?;
        files.push((path.clone(), is_executable(&metadata)));
        if files.len() > MAX_FILES {
            return Err(AppError::invalid_params(format!(
                "{} imports more than {MAX_FILES} local files; export the project instead (Export Project…)",
                component.wire()
            )));
        }
        if !SOURCE_EXTENSIONS.contains(&extension_of(&path).as_str()) {
            continue; // styles and JSON are packed, not followed
        }
        let text = workspace.read_regular(&path, MAX_SOURCE_BYTES).map_err(|err| err.to_app_error(&path, "read"))?;
        let text = String::from_utf8_lossy(&text);
        for found in specifiers().captures_iter(&text) {
            let specifier = found[1].trim();
            match resolve(workspace, base, &path, specifier) {
                Import::Local(target) => {
                    if seen.insert(target.wire().to_string()) {
                        queue.push_back(target);
                    }
                }
                Import::Package(name) => {
                    packages.insert(name);
                }
                Import::Skipped => {}
            }
        }
    }
    for style in GLOBAL_STYLES {
        let Ok(path) = RelPath::parse(&format!("{}{style}", prefix(base))) else { continue };
        if workspace.metadata(&path).is_ok_and(|m| m.is_file()) {
            if seen.insert(path.wire().to_string()) {
                let executable = false;
                files.push((path, executable));
            }
            break;
        }
    }
    Ok((files, packages))
}

enum Import {
    Local(RelPath),
    Package(String),
    Skipped,
}

fn resolve(workspace: &Root, base: &RelPath, importer: &RelPath, specifier: &str) -> Import {
    let from_folder = |folder: String, rest: &str| join_lexically(&folder, rest).and_then(|joined| find_file(workspace, &joined));
    let local = if specifier.starts_with("./") || specifier.starts_with("../") || specifier == "." || specifier == ".." {
        from_folder(importer.parent().map(|p| p.wire().to_string()).unwrap_or_default(), specifier)
    } else if let Some(rest) = specifier.strip_prefix("@/").or_else(|| specifier.strip_prefix("~/")) {
        let src = format!("{}src", prefix(base));
        let has_src = RelPath::parse(&src).ok().is_some_and(|p| workspace.metadata(&p).is_ok_and(|m| m.is_dir()));
        from_folder(if has_src { src } else { base.wire().to_string() }, rest)
    } else if specifier.starts_with('/') || specifier.starts_with("node:") || specifier.contains(':') {
        return Import::Skipped;
    } else {
        let mut parts = specifier.split('/');
        let first = parts.next().unwrap_or_default();
        let name = if first.starts_with('@') { format!("{first}/{}", parts.next().unwrap_or_default()) } else { first.to_string() };
        return if name.is_empty() { Import::Skipped } else { Import::Package(name) };
    };
    local.map(Import::Local).unwrap_or(Import::Skipped)
}

/// `folder` + `relative` with `.` and `..` applied; `None` when it climbs above the workspace.
fn join_lexically(folder: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            name => parts.push(name),
        }
    }
    Some(parts.join("/"))
}

/// The file a specifier means: itself, with an extension, or its folder's `index`.
fn find_file(workspace: &Root, joined: &str) -> Option<RelPath> {
    let is_file = |candidate: &str| RelPath::parse(candidate).ok().filter(|p| !p.is_root() && workspace.metadata(p).is_ok_and(|m| m.is_file()));
    if let Some(found) = is_file(joined) {
        return Some(found);
    }
    RESOLVED_EXTENSIONS
        .iter()
        .find_map(|ext| is_file(&format!("{joined}.{ext}")))
        .or_else(|| SOURCE_EXTENSIONS.iter().find_map(|ext| is_file(&format!("{joined}/index.{ext}"))))
}

/// How the stubs import the component: its exported name, or its default export.
struct Symbol {
    name: String,
    default: bool,
}

impl Symbol {
    fn import(&self, stem: &str) -> String {
        if self.default {
            format!("import {} from './{stem}';", self.name)
        } else {
            format!("import {{ {} }} from './{stem}';", self.name)
        }
    }
}

fn exported_symbol(source: &str, stem: &str) -> Symbol {
    static NAMED: OnceLock<Regex> = OnceLock::new();
    static DEFAULT: OnceLock<Regex> = OnceLock::new();
    let named = NAMED.get_or_init(|| Regex::new(r"\bexport\s+(?:const|function|class)\s+([A-Z][A-Za-z0-9_]*)").expect("valid regex"));
    let default = DEFAULT.get_or_init(|| Regex::new(r"\bexport\s+default\s+(?:function|class)?\s*([A-Z][A-Za-z0-9_]*)?").expect("valid regex"));
    if let Some(found) = named.captures(source) {
        return Symbol { name: found[1].to_string(), default: false };
    }
    if let Some(found) = default.captures(source) {
        let name = found.get(1).map(|m| m.as_str().to_string()).unwrap_or_else(|| pascal_case(stem));
        return Symbol { name, default: true };
    }
    Symbol { name: pascal_case(stem), default: true }
}

fn pascal_case(stem: &str) -> String {
    let name: String = stem
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
        .collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("Component{name}")
    } else {
        name
    }
}

fn kebab_case(stem: &str) -> String {
    let mut out = String::new();
    for (i, c) in stem.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 && !out.ends_with('-') {
            out.push('-');
        }
        out.push(if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' });
    }
    let trimmed = out.trim_matches('-').to_string();
    if trimmed.is_empty() {
        "component".into()
    } else {
        trimmed
    }
}

/// The packages the files import, at the versions the project uses (`latest` when it has none).
fn package_json(stem: &str, packages: &BTreeSet<String>, project: &Value, dev: &BTreeMap<&str, &str>) -> String {
    let version_of = |name: &str| {
        ["dependencies", "devDependencies", "peerDependencies"]
            .iter()
            .find_map(|section| project.get(section)?.get(name)?.as_str().map(str::to_string))
            .unwrap_or_else(|| "latest".to_string())
    };
    let mut dependencies = Map::new();
    let mut peers = Map::new();
    for name in packages {
        if name == "react" || name == "react-dom" {
            peers.insert(name.clone(), json!(version_of(name)));
        } else {
            dependencies.insert(name.clone(), json!(version_of(name)));
        }
    }
    if !peers.is_empty() && !peers.contains_key("react-dom") {
        peers.insert("react-dom".into(), json!(version_of("react-dom")));
    }
    let mut manifest = json!({ "name": kebab_case(stem), "version": "0.1.0", "private": true, "type": "module" });
    if !peers.is_empty() {
        manifest["peerDependencies"] = Value::Object(peers);
    }
    if !dependencies.is_empty() {
        manifest["dependencies"] = Value::Object(dependencies);
    }
    if !dev.is_empty() {
        manifest["devDependencies"] = dev.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<Map<_, _>>().into();
    }
    serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n"
}

fn tsconfig(has_src: bool, javascript: bool) -> String {
    let mut options = json!({
        "target": "ES2020", "lib": ["ES2020", "DOM", "DOM.Iterable"], "module": "ESNext", "moduleResolution": "bundler",
        "jsx": "react-jsx", "strict": true, "skipLibCheck": true, "noEmit": true, "isolatedModules": true,
        "baseUrl": ".", "paths": { "@/*": [if has_src { "./src/*" } else { "./*" }] },
    });
    if javascript {
        options["allowJs"] = json!(true);
        options["checkJs"] = json!(false);
    }
    serde_json::to_string_pretty(&json!({ "compilerOptions": options, "include": ["**/*"], "exclude": ["node_modules"] })).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specifiers_in_every_form() {
        let source = "import { cn } from '@/lib/utils';\nimport {\n  Button,\n} from \"./ui/button\";\nimport './card.css';\nconst X = lazy(() => import('./x'));\nconst y = require('left-pad');\nexport * from '@radix-ui/react-slot/dist';";
        let found: Vec<&str> = specifiers().captures_iter(source).map(|c| c.get(1).unwrap().as_str()).collect();
        assert_eq!(found, ["@/lib/utils", "./ui/button", "./card.css", "./x", "left-pad", "@radix-ui/react-slot/dist"]);
    }

    #[test]
    fn lexical_joins_stay_inside() {
        assert_eq!(join_lexically("src/components", "../lib/utils").as_deref(), Some("src/lib/utils"));
        assert_eq!(join_lexically("src", "./a/./b").as_deref(), Some("src/a/b"));
        assert_eq!(join_lexically("src", "../../x"), None);
    }

    #[test]
    fn names() {
        assert_eq!(pascal_case("user-card"), "UserCard");
        assert_eq!(kebab_case("UserCard"), "user-card");
        let symbol = exported_symbol("export function PricingCard() {}", "pricing-card");
        assert_eq!((symbol.name.as_str(), symbol.default), ("PricingCard", false));
        let symbol = exported_symbol("export default function () {}", "hero");
        assert_eq!((symbol.name.as_str(), symbol.default), ("Hero", true));
    }
}
