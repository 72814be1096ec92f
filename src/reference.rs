//! Building the reference solutions (the `reference/` crate) for `verify` and the golden tests.
//!
//! References are ordinary Rust binaries in the workspace; `cargo build` produces them and its
//! JSON messages say where each executable landed, whatever the target directory is.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The package holding the references.
pub const REFERENCE_PACKAGE: &str = "netgrade-reference";

/// References could not be built or found.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// No workspace with a `reference/` crate.
    #[error(
        "no reference crate found at {0}; run `verify` from a netgrade checkout or pass --reference-dir"
    )]
    NoWorkspace(PathBuf),
    /// cargo failed.
    #[error("building the references failed: {0}")]
    Build(String),
}

/// Cargo build profile for the references.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// `cargo build` (shares the test build's cache).
    Dev,
    /// `cargo build --release`.
    Release,
}

/// The workspace this binary was built from, if it is still there.
pub fn source_workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Builds every reference binary; returns binary name → executable path.
pub fn build(
    workspace: &Path,
    profile: Profile,
) -> Result<BTreeMap<String, PathBuf>, ReferenceError> {
    let manifest = workspace.join("reference").join("Cargo.toml");
    if !manifest.is_file() {
        return Err(ReferenceError::NoWorkspace(workspace.to_owned()));
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args([
            "build",
            "--quiet",
            "--bins",
            "--message-format=json-render-diagnostics",
        ])
        .args(["--package", REFERENCE_PACKAGE]);
    if profile == Profile::Release {
        command.arg("--release");
    }
    let output = command
        .output()
        .map_err(|e| ReferenceError::Build(format!("could not run cargo: {e}")))?;
    if !output.status.success() {
        return Err(ReferenceError::Build(
            String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        ));
    }
    let mut binaries = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        if let (Some(name), Some(executable)) = (
            message["target"]["name"].as_str(),
            message["executable"].as_str(),
        ) {
            binaries.insert(name.to_owned(), PathBuf::from(executable));
        }
    }
    Ok(binaries)
}

/// Reference binaries already built into `dir` (named after their binary).
pub fn from_dir(dir: &Path) -> BTreeMap<String, PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.path().is_file())
        .filter_map(|entry| Some((entry.file_name().into_string().ok()?, entry.path())))
        .collect()
}
