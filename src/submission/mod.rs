//! What to run: turning what the user typed or handed in into a [`ProgramCommand`].
//!
//! A `.py` file runs with `python3`, an executable as it is, anything else after `--`
//! ([`resolve`]); a submission folder is searched for its program ([`find_entry`]); a single
//! Rust file is compiled ([`compile_rust`]). Every mistake is a typed reason with a plain
//! message: [`SubmissionError`] for what the user typed (netgrade cannot run), [`NotRunnable`]
//! for what a student handed in (the student's verdict).

mod compile;
mod discover;

pub use compile::{CompileError, compile_rust};
pub use discover::find_entry;

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::program::ProgramCommand;
use crate::sandbox::{Stage, confines_as_root};

/// What the user asked to run could not be run.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SubmissionError {
    /// Nothing to run was given.
    #[error("no program given: name it (`server.py`, `./server`) or give a command after `--`")]
    Missing,
    /// Both a path and a command were given.
    #[error("give either a program path or a command after `--`, not both")]
    Both,
    /// The file does not exist.
    #[error("no such file: {0}")]
    NotFound(PathBuf),
    /// A folder was given.
    #[error("{0} is a folder; name the program file in it (for example {0}/server.py)")]
    Folder(PathBuf),
    /// Not runnable as it is.
    #[error(
        "{0} is neither a .py file nor executable; make it executable (chmod +x) or give the full command after `--`"
    )]
    NotExecutable(PathBuf),
    /// An interpreter or command is not installed.
    #[error("`{0}` was not found on PATH; install it or give its full path")]
    CommandNotFound(String),
}

/// Why a student's submission cannot be run: its verdict, not netgrade's error.
#[derive(Debug, Clone, thiserror::Error)]
pub enum NotRunnable {
    /// The folder holds no files.
    #[error("the submission is empty")]
    Empty,
    /// No file matched the names the program is looked for under.
    #[error("no program found (looked for {})", looked_for.join(", "))]
    NoProgram {
        /// What was looked for, in order.
        looked_for: Vec<String>,
    },
    /// An `--entry` pattern is not a valid glob.
    #[error("bad entry pattern `{pattern}`: {error}")]
    BadPattern {
        /// The pattern.
        pattern: String,
        /// Why it is invalid.
        error: String,
    },
    /// The program did not compile.
    #[error("it does not compile: {0}")]
    DoesNotCompile(CompileError),
    /// The program file cannot be run as it is.
    #[error("{0}")]
    Unusable(SubmissionError),
}

/// Resolves a program path or an explicit command into what to run.
pub fn resolve(
    path: Option<&Path>,
    command: &[OsString],
) -> Result<ProgramCommand, SubmissionError> {
    match (path, command.is_empty()) {
        (Some(_), false) => Err(SubmissionError::Both),
        (None, true) => Err(SubmissionError::Missing),
        (Some(path), true) => resolve_path(path),
        (None, false) => resolve_command(command),
    }
}

fn resolve_path(path: &Path) -> Result<ProgramCommand, SubmissionError> {
    let metadata = path
        .metadata()
        .map_err(|_| SubmissionError::NotFound(path.to_owned()))?;
    if metadata.is_dir() {
        return Err(SubmissionError::Folder(path.to_owned()));
    }
    let absolute =
        std::path::absolute(path).map_err(|_| SubmissionError::NotFound(path.to_owned()))?;
    let cwd = absolute
        .parent()
        .map_or_else(|| PathBuf::from("/"), Path::to_owned);
    let shown = path.display().to_string();
    if path.extension().is_some_and(|ext| ext == "py") {
        let python = find_on_path("python3")
            .ok_or_else(|| SubmissionError::CommandNotFound("python3".into()))?;
        return Ok(ProgramCommand {
            argv: vec![python.into_os_string(), absolute.clone().into_os_string()],
            stage: Some(Stage::Folder(cwd.clone(), absolute)),
            cwd,
            display: format!("python3 {shown}"),
        });
    }
    if metadata.permissions().mode() & 0o111 == 0 {
        return Err(SubmissionError::NotExecutable(path.to_owned()));
    }
    Ok(ProgramCommand {
        argv: vec![absolute.clone().into_os_string()],
        stage: Some(Stage::File(absolute)),
        cwd,
        display: shown,
    })
}

fn resolve_command(command: &[OsString]) -> Result<ProgramCommand, SubmissionError> {
    let program = Path::new(&command[0]);
    let shown = program.display().to_string();
    let resolved = if program.components().count() > 1 {
        if !program.exists() {
            return Err(SubmissionError::NotFound(program.to_owned()));
        }
        std::path::absolute(program).map_err(|_| SubmissionError::NotFound(program.to_owned()))?
    } else {
        find_on_path(&shown).ok_or(SubmissionError::CommandNotFound(shown))?
    };
    let mut argv = vec![resolved.into_os_string()];
    argv.extend(command[1..].iter().cloned());
    let display = command
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(ProgramCommand {
        argv,
        cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
        display,
        stage: None,
    })
}

/// Finds an executable on PATH, like `which`. When programs run as an unprivileged user
/// (the grader is root), only an executable that user can reach counts: a python3 under
/// `/root/.pyenv` is skipped in favour of `/usr/bin/python3`.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let unprivileged = confines_as_root();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/local/bin"), PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(name))
        .find(|candidate| {
            candidate
                .metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                && (!unprivileged || reachable_by_anyone(candidate))
        })
}

/// Whether a user with no special rights can execute `path`: every folder on the way is
/// searchable by others and the file is executable by others.
fn reachable_by_anyone(path: &Path) -> bool {
    let Ok(real) = path.canonicalize() else {
        return false;
    };
    let file_ok = real
        .metadata()
        .is_ok_and(|m| m.permissions().mode() & 0o001 != 0);
    file_ok
        && real.ancestors().skip(1).all(|dir| {
            dir.metadata()
                .is_ok_and(|m| m.permissions().mode() & 0o001 != 0)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_files_run_with_python3_in_their_folder() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("server.py");
        std::fs::write(&script, "print('hi')\n").unwrap();
        let command = resolve(Some(&script), &[]).unwrap();
        assert!(command.argv[0].to_string_lossy().ends_with("python3"));
        assert_eq!(command.cwd, dir.path());
    }

    #[test]
    fn mistakes_are_named() {
        let missing = resolve(Some(Path::new("no/such/server.py")), &[]).unwrap_err();
        assert_eq!(missing.to_string(), "no such file: no/such/server.py");
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("notes.txt");
        std::fs::write(&data, "x").unwrap();
        assert!(matches!(
            resolve(Some(&data), &[]),
            Err(SubmissionError::NotExecutable(_))
        ));
        assert!(matches!(
            resolve(Some(dir.path()), &[]),
            Err(SubmissionError::Folder(_))
        ));
        assert!(matches!(
            resolve(None, &["no-such-command-xyz".into()]),
            Err(SubmissionError::CommandNotFound(_))
        ));
        assert!(matches!(resolve(None, &[]), Err(SubmissionError::Missing)));
    }
}
