//! [`ProgramCommand`]: how to start the program under test — its arguments, and the files
//! each run gets in its own folder.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError};

use crate::sandbox::{Sandbox, Snapshot};

/// One argument of the program's command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgramArg {
    /// As it is (`/usr/bin/python3`, `--port`).
    Plain(OsString),
    /// A file or folder of the submission, relative to the run's folder (`server.py`).
    InFolder(PathBuf),
}

/// How to start the program under test.
#[derive(Debug, Clone)]
pub struct ProgramCommand {
    /// Program and arguments, `argv[0]` first.
    pub argv: Vec<ProgramArg>,
    /// How the command is shown to people (`python3 server.py`).
    pub display: String,
    /// The files every run gets in its own folder (none for a plain command).
    pub files: Option<Arc<Snapshot>>,
    /// Where the submission's files came from: (path in the run's folder, the original), so
    /// messages can name the student's own files.
    pub origins: Vec<(PathBuf, PathBuf)>,
    /// The exercise's data files (`files:`), written into every run's folder beside the
    /// submission's.
    pub data_files: Vec<(String, std::sync::Arc<[u8]>)>,
    /// Files a test expects the program to write (`expect_file`): whatever the submission
    /// brought at these paths is removed before the program starts.
    pub written_files: Vec<String>,
}

/// Forks and staging exclude each other. A staged executable is written through a descriptor;
/// a child forked meanwhile by a parallel test inherits it until its own `exec`, and `exec` of
/// the fresh copy then fails with ETXTBSY ("Text file busy"). Spawns share the lock; staging
/// takes it alone.
pub(super) static FORK_LOCK: std::sync::RwLock<()> = std::sync::RwLock::new(());

impl ProgramCommand {
    /// The command with `args` after its own arguments (shown after it too).
    pub fn with_args(&self, args: &[String]) -> ProgramCommand {
        let mut command = self.clone();
        for arg in args {
            command.argv.push(ProgramArg::Plain(arg.into()));
            command.display.push(' ');
            command.display.push_str(arg);
        }
        command
    }

    /// Stages the files into the run's folder and returns the argv the program gets there.
    pub(super) fn prepare(&self, sandbox: &Sandbox) -> io::Result<Vec<OsString>> {
        if let Some(files) = &self.files {
            let _no_forks = FORK_LOCK.write().unwrap_or_else(PoisonError::into_inner);
            sandbox.stage_folder(files.path())?;
        }
        for (name, bytes) in &self.data_files {
            sandbox.stage_file(name, bytes)?;
        }
        for path in &self.written_files {
            sandbox.remove_staged(path)?;
        }
        let folder = sandbox.program_folder();
        Ok(self
            .argv
            .iter()
            .map(|arg| match arg {
                ProgramArg::Plain(text) => text.clone(),
                ProgramArg::InFolder(relative) => folder.join(relative).into_os_string(),
            })
            .collect())
    }

    /// The original of each path the program sees in its folder, for `folder` as the program
    /// sees it: (what the program sees, what to show instead).
    pub fn path_replacements(&self, folder: &Path) -> Vec<(String, String)> {
        self.origins
            .iter()
            .map(|(inside, original)| {
                let seen = if inside.as_os_str().is_empty() || inside == Path::new(".") {
                    folder.to_owned()
                } else {
                    folder.join(inside)
                };
                (seen.display().to_string(), original.display().to_string())
            })
            .collect()
    }
}
