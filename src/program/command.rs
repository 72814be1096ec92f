//! [`ProgramCommand`]: how to start the program under test, and its staging into a run's
//! own folder.

use std::ffi::OsString;
use std::io;
use std::path::PathBuf;
use std::sync::PoisonError;

use crate::sandbox::{Sandbox, Stage};

/// How to start the program under test.
#[derive(Debug, Clone)]
pub struct ProgramCommand {
    /// Program and arguments, `argv[0]` first.
    pub argv: Vec<OsString>,
    /// Working directory (when nothing is staged).
    pub cwd: PathBuf,
    /// How the command is shown to people (`python3 server.py`).
    pub display: String,
    /// What to copy into the run's own folder; the program then runs on the copy, there.
    pub stage: Option<Stage>,
}

/// Forks and staging exclude each other. A staged executable is written through a descriptor;
/// a child forked meanwhile by a parallel test inherits it until its own `exec`, and `exec` of
/// the fresh copy then fails with ETXTBSY ("Text file busy"). Spawns share the lock; staging
/// takes it alone.
pub(super) static FORK_LOCK: std::sync::RwLock<()> = std::sync::RwLock::new(());

impl ProgramCommand {
    /// The argv and working directory for one run: on a staged copy when there is one.
    pub(super) fn prepare(&self, sandbox: &Sandbox) -> io::Result<(Vec<OsString>, PathBuf)> {
        let Some(stage) = &self.stage else {
            return Ok((self.argv.clone(), self.cwd.clone()));
        };
        let original = match stage {
            Stage::Folder(_, script) => script,
            Stage::File(file) => file,
        };
        let copy = {
            let _no_forks = FORK_LOCK.write().unwrap_or_else(PoisonError::into_inner);
            sandbox.stage(stage)?
        };
        let argv = self
            .argv
            .iter()
            .map(|arg| {
                if arg == original.as_os_str() {
                    copy.clone().into_os_string()
                } else {
                    arg.clone()
                }
            })
            .collect();
        Ok((argv, sandbox.workdir().to_owned()))
    }
}
