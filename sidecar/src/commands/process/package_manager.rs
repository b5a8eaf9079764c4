//! Which package manager runs a project's installs, scripts and tools, from the
//! `prototyper.packageManager` setting (`auto`, `bun`, `npm` or `pnpm`).
//!
//! `auto` follows the project's lockfile when its manager is installed (a project made with pnpm
//! stays on pnpm), else picks bun when it is installed, else npm. An explicit choice that is not
//! installed is an error naming what to install and the setting to change; it never silently
//! falls back, since a second manager would write a second lockfile.

use crate::confine::{find_program, RelPath, Root};
use crate::error::AppError;
use crate::protocol::rpc::PackageManager;
use std::path::PathBuf;

/// A concrete package manager (what `auto` resolves to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    Bun,
    Npm,
    Pnpm,
}

/// Lockfile names and the manager that writes each, in the order they are trusted.
const LOCKFILES: [(&str, Manager); 5] = [
    ("bun.lock", Manager::Bun),
    ("bun.lockb", Manager::Bun),
    ("pnpm-lock.yaml", Manager::Pnpm),
    ("package-lock.json", Manager::Npm),
    ("npm-shrinkwrap.json", Manager::Npm),
];

impl Manager {
    /// The program's name on PATH.
    pub fn program(self) -> &'static str {
        match self {
            Manager::Bun => "bun",
            Manager::Npm => "npm",
            Manager::Pnpm => "pnpm",
        }
    }

    /// The setting value naming exactly this manager.
    pub fn setting(self) -> PackageManager {
        match self {
            Manager::Bun => PackageManager::Bun,
            Manager::Npm => PackageManager::Npm,
            Manager::Pnpm => PackageManager::Pnpm,
        }
    }

    /// Its absolute path, when installed.
    pub fn find(self) -> Option<PathBuf> {
        find_program(self.program())
    }

    /// Arguments that run the package.json script `script` with `extra` arguments passed to it.
    /// npm needs `--` before them; bun and pnpm pass everything after the script name on (pnpm
    /// would pass a `--` on too, which some tools then read as "no more options").
    pub fn run_script(self, script: &str, extra: &[&str]) -> Vec<String> {
        let mut args = vec!["run".to_string(), script.to_string()];
        if self == Manager::Npm && !extra.is_empty() {
            args.push("--".to_string());
        }
        args.extend(extra.iter().map(|arg| arg.to_string()));
        args
    }

    /// The program and arguments that run the project's own installed binary `bin` (tsc,
    /// eslint, …), never downloading one: `bunx`, `npx --no` or `pnpm exec`.
    pub fn exec(self, bin: &str, args: &[String]) -> (&'static str, Vec<String>) {
        let mut all = Vec::with_capacity(args.len() + 3);
        let program = match self {
            Manager::Bun => "bunx",
            Manager::Npm => {
                all.extend(["--no".to_string(), "--".to_string()]);
                "npx"
            }
            Manager::Pnpm => {
                all.push("exec".to_string());
                "pnpm"
            }
        };
        all.push(bin.to_string());
        all.extend(args.iter().cloned());
        (program, all)
    }

    /// The error when this manager is needed and not installed: what to install, and the setting.
    pub fn missing(self) -> AppError {
        AppError::process(match self {
            Manager::Bun => "bun is not installed (not found on PATH). Install it from https://bun.sh and restart VS Code, or set the setting `prototyper.packageManager` to `npm` (or `auto`, which uses npm when bun is missing).",
            Manager::Npm => "npm is not installed (not found on PATH). Install Node.js, which includes npm, from https://nodejs.org and restart VS Code, or set the setting `prototyper.packageManager` to `bun` or `pnpm`.",
            Manager::Pnpm => "pnpm is not installed (not found on PATH). Install it with `npm install -g pnpm` (or `corepack enable pnpm`) and restart VS Code, or set the setting `prototyper.packageManager` to `auto` or `npm`.",
        })
    }
}

/// The manager whose lockfile the folder `project` beneath `root` has, if any.
pub fn from_lockfile(root: &Root, project: &RelPath) -> Option<Manager> {
    LOCKFILES
        .iter()
        .find(|(name, _)| root.symlink_metadata(&project.join(name)).is_ok_and(|meta| meta.is_file()))
        .map(|(_, manager)| *manager)
}

/// What `setting` means for a project (`lockfile`: the manager its lockfile names, if any),
/// whether or not that manager is installed: an explicit choice as is; `auto` the lockfile's
/// manager when installed, else bun when installed, else npm.
pub fn choose(setting: PackageManager, lockfile: Option<Manager>) -> Manager {
    match setting {
        PackageManager::Bun => Manager::Bun,
        PackageManager::Npm => Manager::Npm,
        PackageManager::Pnpm => Manager::Pnpm,
        PackageManager::Auto => lockfile
            .filter(|manager| manager.find().is_some())
            .or_else(|| Manager::Bun.find().map(|_| Manager::Bun))
            .unwrap_or(Manager::Npm),
    }
}

/// `choose`, then checks that the manager is installed: its absolute path, or the error naming
/// what to install and the setting to change.
pub fn resolve(setting: PackageManager, lockfile: Option<Manager>) -> Result<(Manager, PathBuf), AppError> {
    let manager = choose(setting, lockfile);
    manager.find().map(|path| (manager, path)).ok_or_else(|| manager.missing())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_get_their_arguments_the_way_each_manager_passes_them() {
        assert_eq!(Manager::Npm.run_script("dev", &["--port", "5173"]), ["run", "dev", "--", "--port", "5173"]);
        assert_eq!(Manager::Npm.run_script("build", &[]), ["run", "build"]);
        assert_eq!(Manager::Pnpm.run_script("dev", &["--port", "5173"]), ["run", "dev", "--port", "5173"]);
        assert_eq!(Manager::Bun.run_script("dev", &["--port", "5173"]), ["run", "dev", "--port", "5173"]);
    }

    #[test]
    fn project_binaries_run_without_downloading() {
        let args = vec!["--noEmit".to_string()];
        assert_eq!(Manager::Npm.exec("tsc", &args), ("npx", vec!["--no".into(), "--".into(), "tsc".into(), "--noEmit".into()]));
        assert_eq!(Manager::Pnpm.exec("tsc", &args), ("pnpm", vec!["exec".into(), "tsc".into(), "--noEmit".into()]));
        assert_eq!(Manager::Bun.exec("tsc", &args).0, "bunx");
    }

    #[test]
    fn an_explicit_choice_is_kept_and_its_absence_names_the_fix() {
        assert_eq!(choose(PackageManager::Pnpm, Some(Manager::Npm)), Manager::Pnpm);
        for manager in [Manager::Bun, Manager::Npm, Manager::Pnpm] {
            let message = manager.missing().message;
            assert!(message.contains(manager.program()) && message.contains("prototyper.packageManager"), "{message}");
        }
    }

    #[test]
    fn auto_prefers_an_installed_lockfile_manager_then_bun_then_npm() {
        let expected = if Manager::Bun.find().is_some() { Manager::Bun } else { Manager::Npm };
        assert_eq!(choose(PackageManager::Auto, None), expected);
        if Manager::Npm.find().is_some() {
            assert_eq!(choose(PackageManager::Auto, Some(Manager::Npm)), Manager::Npm);
        }
        if Manager::Pnpm.find().is_none() {
            assert_eq!(choose(PackageManager::Auto, Some(Manager::Pnpm)), expected, "a lockfile of a missing manager is not followed");
        }
    }
}
