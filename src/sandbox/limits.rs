//! [`Limits`]: the resource limits (rlimits) every program under test runs with.
//!
//! They bound what a broken or hostile program can do to the machine: CPU time, memory,
//! file size, open files. Memory uses RLIMIT_DATA, not RLIMIT_AS, which breaks runtimes that
//! reserve large address ranges (Go, Java, Node) while leaving Python unaffected.

use rustix::process::{Resource, Rlimit, setrlimit};

/// Resource limits applied to the program (and inherited by everything it starts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// CPU seconds; the soft limit sends SIGXCPU, one second later SIGKILL.
    pub cpu_seconds: u64,
    /// Heap and private mappings, in bytes.
    pub data_bytes: u64,
    /// Largest file the program may write, in bytes.
    pub file_bytes: u64,
    /// Open file descriptors.
    pub open_files: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            cpu_seconds: 30,
            data_bytes: 1024 * 1024 * 1024,
            file_bytes: 64 * 1024 * 1024,
            open_files: 256,
        }
    }
}

impl Limits {
    /// Applies the limits to the calling process. Called between fork and exec, so it only
    /// makes system calls.
    pub fn apply(&self) -> rustix::io::Result<()> {
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
        setrlimit(Resource::Data, both(self.data_bytes))?;
        setrlimit(Resource::Fsize, both(self.file_bytes))?;
        setrlimit(Resource::Nofile, both(self.open_files))?;
        setrlimit(Resource::Core, both(0))?;
        Ok(())
    }
}
