//! [`Limits`]: the resource limits every program under test runs with.
//!
//! They bound what a broken or hostile program can do to the machine. Processes and memory
//! are limited per run by a cgroup where one can be made ([`super::cgroup`]); rlimits are the
//! backstop everywhere: RLIMIT_NPROC per (per-run) user, RLIMIT_DATA rather than RLIMIT_AS,
//! which breaks runtimes that reserve large address ranges (Go, Java, Node).

use std::time::Duration;

use rustix::process::{Resource, Rlimit, setrlimit};

/// Resource limits applied to the program and everything it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// CPU seconds; the soft limit sends SIGXCPU, one second later SIGKILL.
    pub cpu_seconds: u64,
    /// Memory of the whole run (cgroup); each process also gets RLIMIT_DATA of twice this.
    pub memory_bytes: u64,
    /// Processes and threads of the whole run.
    pub processes: u64,
    /// Largest file the program may write, in bytes.
    pub file_bytes: u64,
    /// Open file descriptors per process.
    pub open_files: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            cpu_seconds: 30,
            memory_bytes: 512 * 1024 * 1024,
            processes: 64,
            file_bytes: 16 * 1024 * 1024,
            open_files: 256,
        }
    }
}

impl Limits {
    /// Applies the rlimits to the calling process. Called between fork and exec, so it only
    /// makes system calls. `limit_processes`: RLIMIT_NPROC counts every process of the user,
    /// so it is set only where the run has a user (id or namespace) of its own.
    pub fn apply(&self, limit_processes: bool) -> rustix::io::Result<()> {
        let both = |value: u64| Rlimit {
            current: Some(value),
            maximum: Some(value),
        };
        setrlimit(
            Resource::Cpu,
            Rlimit {
                current: Some(self.cpu_seconds),
                maximum: Some(self.cpu_seconds + 1),
            },
        )?;
        setrlimit(Resource::Data, both(self.memory_bytes.saturating_mul(2)))?;
        if limit_processes {
            setrlimit(Resource::Nproc, both(self.processes))?;
        }
        setrlimit(Resource::Fsize, both(self.file_bytes))?;
        setrlimit(Resource::Nofile, both(self.open_files))?;
        setrlimit(Resource::Core, both(0))?;
        Ok(())
    }

    /// The CPU limit as a duration, for messages.
    pub fn cpu(&self) -> Duration {
        Duration::from_secs(self.cpu_seconds)
    }
}

/// `512 MiB`, `16 MiB`, `64 KiB` for messages.
pub fn show_size(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{} {unit}", bytes / size);
        }
    }
    format!("{bytes} bytes")
}
