//! Compiling a single-file Rust submission, in the sandbox: [`compile_rust`].
//!
//! The compiler reads untrusted source (`include_str!("/etc/shadow")`, `env!("TOKEN")`), so
//! it runs like the program itself: in a sandbox of its own, as the run's unprivileged user,
//! with a clean environment, CPU, memory, process and time limits, seeing only the submission
//! and the system folders (the toolchain is bound read-only at [`TOOLCHAIN_IN_VIEW`]). Only
//! `rustc` on the one file runs: never Cargo, build scripts or proc-macro crates. The binary
//! lands in the submission's own snapshot, so two submissions compiled at once never share an
//! output path; a compile error or a limit is the student's verdict.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use super::stage::Stager;
use crate::program::{ProgramArg, ProgramCommand, RunningProgram};
use crate::sandbox::{Isolation, Limits, PROGRAM_FOLDER, Sandbox};
use crate::spec::StopSpec;
use crate::tr;

/// Where the Rust toolchain appears inside the compiler's sandbox.
pub const TOOLCHAIN_IN_VIEW: &str = "/opt/rust";
/// Longest a compilation may take.
pub const COMPILE_TIME: Duration = Duration::from_secs(120);

/// The compiler's limits: generous for rustc, bounded for a hostile source.
fn compile_limits() -> Limits {
    Limits {
        cpu_seconds: 90,
        memory_bytes: 2 << 30,
        processes: 128,
        file_bytes: 256 << 20,
        open_files: 1024,
    }
}

/// Why a program did not compile.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CompileError {
    /// No Rust compiler on this machine.
    #[error("{}", tr!("compile-no-compiler", reason = .0.as_str()))]
    NoCompiler(String),
    /// The compiler refused the program.
    #[error("{}\n{}", tr!("compile-refused"), .0)]
    Refused(String),
    /// The compiler ran over its time or resource limits.
    #[error("{}", tr!("compile-over-limits", reason = .0.as_str()))]
    OverLimits(String),
    /// The sandbox could not be made (the grader's problem).
    #[error("{}", tr!("compile-failed", reason = .0.as_str()))]
    Failed(String),
}

/// The machine's Rust toolchain (`rustc --print sysroot`, honouring `RUSTC`), found once.
fn toolchain() -> Result<&'static Path, CompileError> {
    static SYSROOT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    SYSROOT
        .get_or_init(|| {
            let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
            let output = std::process::Command::new(&rustc)
                .args(["--print", "sysroot"])
                .output()
                .map_err(|e| format!("cannot run {}: {e}", rustc.to_string_lossy()))?;
            if !output.status.success() {
                return Err(String::from_utf8_lossy(&output.stderr).trim().to_owned());
            }
            let sysroot = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
            if sysroot.join("bin/rustc").is_file() {
                Ok(sysroot)
            } else {
                Err(format!("no rustc in {}", sysroot.display()))
            }
        })
        .as_ref()
        .map(PathBuf::as_path)
        .map_err(|message| CompileError::NoCompiler(message.clone()))
}

/// Compiles `source` (a path in the stager's snapshot) with rustc in a sandbox of `isolation`;
/// puts the executable into the snapshot and returns its path there.
pub async fn compile_rust(
    stager: &Stager,
    source: &Path,
    isolation: Isolation,
) -> Result<PathBuf, CompileError> {
    let toolchain = toolchain()?;
    let failed = |error: std::io::Error| CompileError::Failed(error.to_string());
    let mut binary = source.with_extension("");
    if stager.path().join(&binary).exists() {
        binary = source.with_extension("bin");
    }
    let sandbox = Sandbox::create_with(
        isolation,
        compile_limits(),
        vec![(toolchain.to_owned(), PathBuf::from(TOOLCHAIN_IN_VIEW))],
    )
    .map_err(failed)?;
    sandbox.stage_folder(stager.path()).map_err(failed)?;
    let rustc = if sandbox.is_confined() {
        Path::new(TOOLCHAIN_IN_VIEW).join("bin/rustc")
    } else {
        toolchain.join("bin/rustc")
    };
    let plain = |text: &str| ProgramArg::Plain(text.into());
    let command = ProgramCommand {
        argv: vec![
            ProgramArg::Plain(rustc.into_os_string()),
            plain("--edition"),
            plain("2021"),
            plain("-O"),
            plain("-o"),
            ProgramArg::InFolder(binary.clone()),
            ProgramArg::InFolder(source.to_owned()),
        ],
        display: format!("rustc {}", source.display()),
        files: None,
        origins: Vec::new(),
        data_files: Vec::new(),
        written_files: Vec::new(),
    };
    let program = RunningProgram::spawn(&command, &sandbox)
        .map_err(|error| CompileError::Failed(error.to_string()))?;
    let ended = program.wait_for_end(COMPILE_TIME).await;
    let finished = program.stop(StopSpec::Kill, &sandbox).await;
    if let Some(error) = sandbox.setup_error() {
        return Err(CompileError::Failed(error));
    }
    let messages = finished
        .stderr
        .text()
        .replace(&format!("{PROGRAM_FOLDER}/"), "")
        .replace(&format!("{}/", sandbox.workdir().display()), "");
    match ended {
        None => Err(CompileError::OverLimits(tr!(
            "compile-took-too-long",
            limit = humantime::format_duration(COMPILE_TIME).to_string()
        ))),
        Some(end) if end.exit == crate::program::ExitKind::Code(0) => {
            std::fs::copy(sandbox.workdir().join(&binary), stager.path().join(&binary))
                .map_err(failed)?;
            Ok(binary)
        }
        Some(end) if !finished.limits_hit.is_empty() => Err(CompileError::OverLimits(format!(
            "{end}; {}",
            finished
                .limits_hit
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ))),
        Some(_) => Err(CompileError::Refused(messages.trim_end().to_owned())),
    }
}
