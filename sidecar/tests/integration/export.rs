//! The export commands through the real binary: each test builds a project in the workspace,
//! exports it to a folder outside the workspace (as a save dialog would pick), unzips the archive
//! and checks what is in it, and that no secret of any `.env*` file is.

use crate::harness::{Options, Sidecar};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// Every entry of the zip at `path`: name → bytes (and whether it is executable).
pub(crate) fn unzip(path: &Path) -> BTreeMap<String, (Vec<u8>, bool)> {
    let file = std::fs::File::open(path).unwrap_or_else(|err| panic!("{} should exist: {err}", path.display()));
    let mut archive = zip::ZipArchive::new(file).expect("a valid zip");
    let mut entries = BTreeMap::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        let executable = entry.unix_mode().is_some_and(|mode| mode & 0o111 != 0);
        entries.insert(entry.name().expect("a UTF-8 entry name").to_string(), (bytes, executable));
    }
    entries
}

fn text(entries: &BTreeMap<String, (Vec<u8>, bool)>, name: &str) -> String {
    String::from_utf8(entries.get(name).unwrap_or_else(|| panic!("{name} is in the zip: {:?}", entries.keys())).0.clone()).unwrap()
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
}

const SECRETS: [&str; 7] = ["sk-live-SECRET1", "SECRET2pass", "SECRET3line", "SECRET4token", "SECRET5nested", "SECRET6outside", "SECRET7rc"];

#[test]
fn a_project_export_leaves_out_dependencies_build_output_and_every_secret() {
    let mut sidecar = Sidecar::initialized();
    let ws = sidecar.workspace.clone();
    write(&ws, &[
        ("package.json", r#"{"name":"shop","description":"A small shop","scripts":{"dev":"vite","build":"vite build"}}"#),
        ("src/App.tsx", "export function App() { return <h1>Shop</h1>; }\n"),
        ("src/App.test.tsx", "it('renders', () => {});\n"),
        ("scripts/deploy.sh", "#!/bin/sh\necho deploy\n"),
        (".gitignore", "debug.log\n"),
        ("debug.log", "SECRET2pass leaked in a log\n"),
        (".env", "API_KEY=sk-live-SECRET1\nexport DB_URL=\"postgres://shop:SECRET2pass@db/shop\"\nPRIVATE_KEY=\"-----BEGIN-----\nSECRET3line\n-----END-----\"\n# a comment\n"),
        (".env.local", "TOKEN=SECRET4token\n"),
        (".env.production", "API_KEY=sk-live-SECRET1\n"),
        (".envrc", "export RC=SECRET7rc\n"),
        (".env.example", "API_KEY=sk-live-SECRET1\n"),
        ("packages/api/.env", "NESTED=SECRET5nested\n"),
        ("node_modules/react/index.js", "module.exports = {};\n"),
        (".git/config", "[core]\n"),
        ("dist/bundle.js", "bundled\n"),
        (".next/cache/x", "cache\n"),
        (".prototyper/workflows/w.json", "{}"),
    ]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(ws.join("scripts/deploy.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(sidecar.outside.join("credentials"), "SECRET6outside\n").unwrap();
        std::os::unix::fs::symlink(sidecar.outside.join("credentials"), ws.join("src/credentials")).unwrap();
    }
    let out = sidecar.outside.join("exports");
    std::fs::create_dir_all(&out).unwrap();
    let zip_path = out.join("shop.zip");
    let answer = sidecar.call("export_project", json!({ "projectId": "ignored", "outputPath": zip_path, "options": { "includeApis": true } }));
    assert_eq!(answer, json!(zip_path.display().to_string()));

    let entries = unzip(&zip_path);
    let names: Vec<&str> = entries.keys().map(String::as_str).collect();
    assert_eq!(names, [".env.example", ".gitignore", "README.md", "package.json", "scripts/deploy.sh", "src/App.test.tsx", "src/App.tsx"]);
    assert_eq!(text(&entries, ".env.example").lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>(), ["API_KEY=", "DB_URL=", "PRIVATE_KEY=", "TOKEN=", "RC="]);
    let readme = text(&entries, "README.md");
    assert!(readme.starts_with("# shop\n\nA small shop") && readme.contains("npm run dev") && readme.contains(".env.example"), "{readme}");
    #[cfg(unix)]
    assert!(entries["scripts/deploy.sh"].1, "a script stays executable");
    for (name, (bytes, _)) in &entries {
        let content = String::from_utf8_lossy(bytes);
        for secret in SECRETS {
            assert!(!content.contains(secret), "{secret} leaked into {name}");
        }
    }
    // Nothing was left behind beside the zip (the temporary file was renamed over it).
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}

#[test]
fn options_subfolders_an_existing_readme_and_an_export_saved_inside_the_project() {
    let mut sidecar = Sidecar::initialized();
    let ws = sidecar.workspace.clone();
    write(&ws, &[
        ("apps/web/package.json", r#"{"name":"web"}"#),
        ("apps/web/README.md", "# Our own readme\n"),
        ("apps/web/src/main.ts", "console.log(1);\n"),
        ("apps/web/src/main.spec.ts", "test();\n"),
        ("apps/web/src/__tests__/a.ts", "test();\n"),
        ("apps/other/x.ts", "other\n"),
    ]);
    let inside = ws.join("apps/web/exports/web.zip");
    std::fs::create_dir_all(inside.parent().unwrap()).unwrap();
    for _ in 0..2 {
        sidecar.call("export_project", json!({ "outputPath": inside, "projectPath": "apps/web", "options": { "includeTests": false } }));
    }
    let entries = unzip(&inside);
    assert_eq!(entries.keys().map(String::as_str).collect::<Vec<_>>(), ["README.md", "package.json", "src/main.ts"]);
    assert_eq!(text(&entries, "README.md"), "# Our own readme\n", "the project's own README is kept as it is");
}

#[test]
fn export_errors_name_the_problem() {
    let mut sidecar = Sidecar::initialized();
    let zip_path = sidecar.outside.join("a.zip");
    let err = sidecar.request("export_project", json!({ "outputPath": zip_path })).unwrap_err();
    assert!(err.0 == -32010 && err.1.contains("no package.json") && err.1.contains("scaffold"), "{err:?}");
    assert!(!zip_path.exists());
    write(&sidecar.workspace, &[("package.json", "{}")]);
    let err = sidecar.request("export_project", json!({ "outputPath": "relative.zip" })).unwrap_err();
    assert!(err.0 == -32602 && err.1.contains("absolute"), "{err:?}");
    let err = sidecar.request("export_project", json!({ "outputPath": sidecar.outside.join("missing/folder/a.zip") })).unwrap_err();
    assert!(err.0 == -32010 && err.1.contains("missing/folder"), "{err:?}");
    let err = sidecar.request("export_project", json!({ "outputPath": zip_path, "projectPath": "../outside" })).unwrap_err();
    assert_eq!(err.0, -32012, "{err:?}");
    let err = sidecar.request("export_component", json!({ "outputPath": zip_path, "componentPath": "src/Nope.tsx" })).unwrap_err();
    assert_eq!(err.0, -32010, "{err:?}");
    let err = sidecar.request("export_component", json!({ "outputPath": zip_path, "componentPath": "package.json" })).unwrap_err();
    assert_eq!(err.0, -32602, "{err:?}");

    // Untrusted workspaces do not export (it writes a file).
    let mut untrusted = Sidecar::with_options(Options { trusted: false, ..Default::default() });
    let err = untrusted.request("export_project", json!({ "outputPath": zip_path })).unwrap_err();
    assert_eq!(err.0, -32015, "{err:?}");
}

#[test]
fn a_component_export_follows_its_local_imports_and_adds_what_it_needs() {
    let mut sidecar = Sidecar::initialized();
    let ws = sidecar.workspace.clone();
    write(&ws, &[
        ("package.json", r#"{"name":"app","dependencies":{"react":"^19.1.0","react-dom":"^19.1.0","clsx":"^2.1.1","tailwind-merge":"^3.0.0","@radix-ui/react-slot":"^1.2.0"}}"#),
        (".env", "STRIPE_KEY=SECRET1stripe\n"),
        ("src/index.css", "@tailwind base;\n"),
        ("src/components/PricingCard.tsx", "import * as React from 'react';\nimport { Button } from '@/components/ui/button';\nimport { Card } from './ui/card';\nimport { cn } from \"../lib/utils\";\nimport './pricing.css';\n\nexport function PricingCard() {\n  return <Card className={cn('p-4')}><Button>Buy</Button></Card>;\n}\n"),
        ("src/components/pricing.css", ".card {}\n"),
        ("src/components/ui/button.tsx", "import { Slot } from '@radix-ui/react-slot';\nimport { cn } from '@/lib/utils';\nexport function Button() { return null; }\n"),
        ("src/components/ui/card.tsx", "import { cn } from '@/lib/utils';\nexport function Card() { return null; }\n"),
        ("src/components/ui/unused.tsx", "export function Unused() { return null; }\n"),
        ("src/lib/utils.ts", "import { clsx } from 'clsx';\nimport { twMerge } from 'tailwind-merge';\nexport function cn(...a: string[]) { return twMerge(clsx(a)); }\n"),
        ("src/App.tsx", "import { PricingCard } from './components/PricingCard';\n"),
    ]);
    let zip_path = sidecar.outside.join("pricing-card.zip");
    let options = json!({ "includeTypes": true, "includeStorybook": true, "includeTests": true });
    let answer = sidecar.call("export_component", json!({ "componentPath": "src/components/PricingCard.tsx", "outputPath": zip_path, "format": "tsx", "options": options }));
    assert_eq!(answer, json!(zip_path.display().to_string()));
    let entries = unzip(&zip_path);
    assert_eq!(entries.keys().map(String::as_str).collect::<Vec<_>>(), [
        "package.json",
        "src/components/PricingCard.stories.tsx",
        "src/components/PricingCard.test.tsx",
        "src/components/PricingCard.tsx",
        "src/components/PricingCard.types.ts",
        "src/components/pricing.css",
        "src/components/ui/button.tsx",
        "src/components/ui/card.tsx",
        "src/index.css",
        "src/lib/utils.ts",
        "tsconfig.json",
    ]);
    let manifest: Value = serde_json::from_str(&text(&entries, "package.json")).unwrap();
    assert_eq!(manifest["name"], json!("pricing-card"));
    assert_eq!(manifest["dependencies"], json!({ "@radix-ui/react-slot": "^1.2.0", "clsx": "^2.1.1", "tailwind-merge": "^3.0.0" }));
    assert_eq!(manifest["peerDependencies"], json!({ "react": "^19.1.0", "react-dom": "^19.1.0" }));
    assert!(manifest["devDependencies"]["vitest"].is_string() && manifest["devDependencies"]["@storybook/react"].is_string());
    let tsconfig: Value = serde_json::from_str(&text(&entries, "tsconfig.json")).unwrap();
    assert_eq!(tsconfig["compilerOptions"]["paths"]["@/*"], json!(["./src/*"]));
    assert!(text(&entries, "src/components/PricingCard.test.tsx").contains("import { PricingCard } from './PricingCard';"));
    assert!(text(&entries, "src/components/PricingCard.types.ts").contains("export type PricingCardProps = ComponentProps<typeof PricingCard>;"));
    for (name, (bytes, _)) in &entries {
        assert!(!String::from_utf8_lossy(bytes).contains("SECRET1stripe"), "{name}");
    }

    let err = sidecar
        .request("export_component", json!({ "componentPath": "src/components/PricingCard.tsx", "outputPath": zip_path, "format": "jsx" }))
        .unwrap_err();
    assert!(err.0 == -32602 && err.1.contains("export as \"tsx\""), "{err:?}");
}
