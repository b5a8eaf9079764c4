//! The image server's config (`bonsai-config.json` in the storage folder) and finding the install
//! it names.
//!
//! The install folder is the user's own program, so it comes from this config only, never from the
//! workspace. It is opened with ambient authority (like a folder picked in a dialog), and
//! `.venv/bin/uvicorn` is checked beneath that handle before anything is started.

use crate::confine::{RelPath, Root};
use crate::error::AppError;
use crate::protocol::bonsai::BonsaiServerConfig;
use std::path::{Component, PathBuf};

const FILE_NAME: &str = "bonsai-config.json";
/// Where the Bonsai Image Demo is looked for when the config names no folder (the seed's list).
const DEFAULT_FOLDERS: [&str; 3] = ["Bonsai-Image-Demo", "Bonsai-image-demo", "bonsai-image-demo"];
/// The server program inside the install folder.
pub const UVICORN: &str = ".venv/bin/uvicorn";
/// How the fix is named in messages: the host command that edits this config.
pub const CONFIGURE: &str = "set its folder with 'Prototyper: Configure Image Server…' (the image server config's installPath)";
pub const VARIANTS: [&str; 2] = ["ternary", "binary"];

/// The saved config, or the defaults when none was saved. A file that does not parse is an error
/// naming it, never silently replaced by defaults.
pub fn load(storage: &Root) -> Result<BonsaiServerConfig, AppError> {
    let path = RelPath::parse(FILE_NAME)?;
    let Some(bytes) = storage.read_existing(&path, 64 * 1024).map_err(|err| err.to_app_error(&path, "read"))? else {
        return Ok(BonsaiServerConfig::default());
    };
    serde_json::from_slice(&bytes).map_err(|err| {
        AppError::io(format!(
            "the image server config {} is not valid ({err}); save the config again with 'Prototyper: Configure Image Server…', or delete the file to use the defaults",
            storage.path().join(FILE_NAME).display()
        ))
    })
}

/// Checks and stores `config` (pretty-printed, written atomically).
pub fn save(storage: &Root, mut config: BonsaiServerConfig) -> Result<(), AppError> {
    config.install_path = config.install_path.trim().to_string();
    config.variant = config.variant.trim().to_ascii_lowercase();
    if config.variant.is_empty() {
        config.variant = BonsaiServerConfig::default().variant;
    }
    if !VARIANTS.contains(&config.variant.as_str()) {
        return Err(AppError::invalid_params(format!(
            "unknown Bonsai variant '{}': use \"ternary\" or \"binary\"",
            config.variant
        )));
    }
    if config.port == 0 {
        return Err(AppError::invalid_params("port 0 is not a port the image server can use; pick one like 8000"));
    }
    if !config.install_path.is_empty() {
        check_install_path(&config.install_path)?;
    }
    let path = RelPath::parse(FILE_NAME)?;
    let text = serde_json::to_string_pretty(&config).map_err(|err| AppError::internal(format!("cannot encode the config: {err}")))?;
    storage.write_atomic(&path, text.as_bytes()).map_err(|err| err.to_app_error(&path, "write"))?;
    Ok(())
}

/// The lexical rules for a configured install folder: absolute, without `..`.
fn check_install_path(raw: &str) -> Result<PathBuf, AppError> {
    let path = PathBuf::from(raw);
    if !path.is_absolute() {
        return Err(AppError::invalid_params(format!(
            "the image server's installPath '{raw}' is not an absolute path; pick the Bonsai folder itself (e.g. /home/you/Bonsai-Image-Demo)"
        )));
    }
    if path.components().any(|component| component == Component::ParentDir) {
        return Err(AppError::invalid_params(format!("the image server's installPath '{raw}' contains '..'; give the folder's plain absolute path")));
    }
    Ok(path)
}

/// A Bonsai install that has its server program.
pub struct Install {
    /// The install folder, opened (the server's working folder comes from this handle).
    pub root: Root,
    pub folder: PathBuf,
    /// `<folder>/.venv/bin/uvicorn`, checked beneath `root`.
    pub uvicorn: PathBuf,
}

/// Finds the install `config` names (or the first default folder that exists) and checks it has
/// an executable `.venv/bin/uvicorn`.
pub fn locate(config: &BonsaiServerConfig) -> Result<Install, AppError> {
    let folder = if config.install_path.trim().is_empty() {
        let home = home_folder().ok_or_else(|| {
            AppError::not_found(format!("Bonsai is not installed: there is no home folder to look in; {CONFIGURE}"))
        })?;
        let candidates: Vec<PathBuf> = DEFAULT_FOLDERS.iter().map(|name| home.join(name)).collect();
        candidates.iter().find(|candidate| candidate.is_dir()).cloned().ok_or_else(|| {
            AppError::not_found(format!(
                "Bonsai is not installed: none of {} exists. Install the Bonsai Image Demo in one of them, or {CONFIGURE}",
                candidates.iter().map(|c| c.display().to_string()).collect::<Vec<_>>().join(", ")
            ))
        })?
    } else {
        check_install_path(config.install_path.trim())?
    };
    let root = Root::open_ambient(&folder).map_err(|err| {
        AppError::not_found(format!("the Bonsai install folder {} cannot be opened ({err}); {CONFIGURE}", folder.display()))
    })?;
    let program = RelPath::parse(UVICORN)?;
    let metadata = root.metadata(&program).map_err(|_| {
        AppError::not_found(format!(
            "{} is missing, so Bonsai is not installed in {} (create its virtual environment with the install steps of the Bonsai Image Demo), or {CONFIGURE}",
            folder.join(UVICORN).display(),
            folder.display()
        ))
    })?;
    if !metadata.is_file() || !is_executable(&metadata) {
        return Err(AppError::process(format!(
            "{} is not an executable file; reinstall the Bonsai virtual environment, or {CONFIGURE}",
            folder.join(UVICORN).display()
        )));
    }
    let uvicorn = folder.join(UVICORN);
    Ok(Install { root, folder, uvicorn })
}

fn home_folder() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"))?;
    let home = PathBuf::from(home);
    home.is_absolute().then_some(home)
}

fn is_executable(metadata: &cap_std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use cap_std::fs::PermissionsExt;
        metadata.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_paths_must_be_absolute_and_plain() {
        assert!(check_install_path("relative/bonsai").unwrap_err().message.contains("not an absolute path"));
        assert!(check_install_path("/opt/../etc").unwrap_err().message.contains(".."));
        assert!(check_install_path("/opt/bonsai").is_ok());
    }

    #[test]
    fn a_missing_program_names_the_path_and_the_setting() {
        let folder = tempfile::tempdir().unwrap();
        let config = BonsaiServerConfig { install_path: folder.path().display().to_string(), ..Default::default() };
        let err = locate(&config).err().expect("no uvicorn");
        assert!(err.message.contains(".venv/bin/uvicorn") && err.message.contains("Configure Image Server"), "{}", err.message);
    }
}
