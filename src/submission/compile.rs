//! Compiling a single-file Rust submission: [`compile_rust`].
//!
//! Only `rustc` on the one file: Cargo build scripts and proc-macro crates are never run.

use std::path::{Path, PathBuf};

/// Why a program did not compile.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CompileError {
    /// The compiler could not be started.
    #[error("cannot run rustc: {0}")]
    NoCompiler(String),
    /// The compiler refused the program.
    #[error("rustc failed:\n{0}")]
    Refused(String),
}

/// Compiles a single-file Rust program with rustc into `into`; returns the executable.
pub fn compile_rust(source: &Path, into: &Path) -> Result<PathBuf, CompileError> {
    let stem = source.file_stem().unwrap_or_default().to_string_lossy();
    let binary = into.join(format!("{stem}-{}", std::process::id()));
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = std::process::Command::new(rustc)
        .args(["--edition", "2021", "-O", "-o"])
        .arg(&binary)
        .arg(source)
        .output()
        .map_err(|e| CompileError::NoCompiler(e.to_string()))?;
    if !output.status.success() {
        return Err(CompileError::Refused(
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ));
    }
    Ok(binary)
}
