//! The sandbox a program under test runs in: [`Sandbox`], one per test run.
//!
//! It owns the run's network namespace (so every run has its own port 8888 and its own
//! loopback), its cgroup (processes and memory of the whole run), an unprivileged user id and a
//! fresh working directory; it starts the program under a small supervisor ([`child`]) so that
//! nothing the program starts outlives it, and creates the scripted peers' sockets inside the
//! same network namespace.

mod cgroup;
mod child;
mod limits;
mod netns;
mod workdir;

use std::ffi::OsString;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub use cgroup::CgroupUsage;
pub use limits::{Limits, show_size};
pub use netns::NetNamespace;
pub use workdir::Stage;

use cgroup::RunCgroup;
use child::ChildSetup;

/// How runs are kept apart from each other and from the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// Each run has a fresh network namespace with only `lo`: fixed ports never collide.
    Namespace,
    /// Programs share the machine's loopback: runs must be serial, a busy port 8888 breaks them.
    HostLoopback,
}

impl Isolation {
    /// Decides the isolation for `--isolation auto`: a namespace where the kernel allows it.
    /// Returns the choice and, when falling back, why.
    pub fn detect() -> (Isolation, Option<String>) {
        match NetNamespace::create() {
            Ok(_) => (Isolation::Namespace, None),
            Err(error) => (
                Isolation::HostLoopback,
                Some(format!(
                    "network namespaces are not available here ({error})"
                )),
            ),
        }
    }

    /// Words for report headers.
    pub fn describe(self) -> &'static str {
        match self {
            Isolation::Namespace => "own network namespace per test",
            Isolation::HostLoopback => "host loopback, tests run one at a time",
        }
    }
}

/// Whether the grader runs as root, and so runs programs as an unprivileged user in PID and
/// mount namespaces of their own.
pub fn confines_as_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// First user id handed to programs; each run gets its own, so per-user limits (RLIMIT_NPROC)
/// are per run. No account is needed for an id.
const FIRST_RUN_UID: u32 = 200_000;

fn next_run_uid() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    // Spread concurrent graders apart by their pid, runs of one grader by a counter.
    let slot = NEXT.fetch_add(1, Ordering::Relaxed) % 1024;
    FIRST_RUN_UID + (std::process::id() % 1024) * 1024 + slot
}

/// The environment a program gets: nothing of the grader's (tokens, paths), only what a
/// student's program needs. Python writes UTF-8 and unbuffered, so Chinese text and output
/// printed just before a kill both arrive.
pub fn program_environment(home: &Path) -> Vec<(OsString, OsString)> {
    [
        ("PATH", "/usr/local/bin:/usr/bin:/bin"),
        ("LANG", "C.UTF-8"),
        ("LC_ALL", "C.UTF-8"),
        ("PYTHONUNBUFFERED", "1"),
        ("PYTHONDONTWRITEBYTECODE", "1"),
        ("PYTHONIOENCODING", "utf-8"),
        ("TERM", "dumb"),
    ]
    .into_iter()
    .map(|(k, v)| (k.into(), v.into()))
    .chain([("HOME".into(), home.as_os_str().to_owned())])
    .collect()
}

/// One run's sandbox. Dropping it kills what is left, removes the cgroup and the folder.
#[derive(Debug)]
pub struct Sandbox {
    netns: Option<NetNamespace>,
    cgroup: Option<RunCgroup>,
    limits: Limits,
    run_as: Option<(u32, u32)>,
    workdir: tempfile::TempDir,
}

impl Sandbox {
    /// Creates a sandbox with the given isolation and limits.
    pub fn create(isolation: Isolation, limits: Limits) -> io::Result<Sandbox> {
        let netns = match isolation {
            Isolation::Namespace => Some(NetNamespace::create()?),
            Isolation::HostLoopback => None,
        };
        let as_root = confines_as_root();
        let cgroup = as_root
            .then(|| RunCgroup::create(limits.processes, limits.memory_bytes))
            .flatten();
        let run_as = as_root.then(|| {
            let id = next_run_uid();
            (id, id)
        });
        let workdir = tempfile::Builder::new().prefix("netgrade-run-").tempdir()?;
        Ok(Sandbox {
            netns,
            cgroup,
            limits,
            run_as,
            workdir,
        })
    }

    /// The isolation this sandbox provides.
    pub fn isolation(&self) -> Isolation {
        if self.netns.is_some() {
            Isolation::Namespace
        } else {
            Isolation::HostLoopback
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The run's working directory.
    pub fn workdir(&self) -> &Path {
        self.workdir.path()
    }

    /// Whether the program left a file of exactly `size` bytes in its folder: a write that
    /// met the file size limit (programs that ignore SIGXFSZ, as Python does, get EFBIG).
    pub fn has_file_at_size(&self, size: u64) -> bool {
        let Ok(entries) = std::fs::read_dir(self.workdir()) else {
            return false;
        };
        entries.flatten().take(1000).any(|entry| {
            entry
                .metadata()
                .is_ok_and(|m| m.is_file() && m.len() == size)
        })
    }

    /// Copies the submission into the working directory; returns the program's path there.
    pub fn stage(&self, what: &Stage) -> io::Result<PathBuf> {
        workdir::stage(what, self.workdir(), self.run_as)
    }

    /// Makes `command` start inside the sandbox: process group, network namespace, cgroup,
    /// supervisor with PID and mount namespaces (as root), limits, unprivileged user, and
    /// death with the grader (PR_SET_PDEATHSIG, hence spawning from long-lived threads).
    pub fn confine(&self, command: &mut tokio::process::Command) {
        let setup = ChildSetup {
            netns_fd: self.netns.as_ref().map(|ns| ns.as_fd().as_raw_fd()),
            cgroup_procs: self
                .cgroup
                .as_ref()
                .map(RunCgroup::procs_files)
                .unwrap_or_default(),
            limits: self.limits,
            run_as: self.run_as,
            supervise: confines_as_root(),
            grader_pid: std::process::id() as libc::pid_t,
        };
        command.process_group(0);
        // SAFETY: `apply` only makes async-signal-safe system calls on data prepared above;
        // the namespace descriptor stays open because `self` outlives the spawn.
        unsafe {
            command.pre_exec(move || setup.apply());
        }
    }

    /// Kills every process of the run still alive, in any process group.
    pub fn kill_all(&self) {
        if let Some(cgroup) = &self.cgroup {
            cgroup.kill_all();
        }
    }

    /// Every process of the run whose leader (relay or program) is `group`: the cgroup's list
    /// where there is one, otherwise the members of the process group.
    pub fn processes(&self, group: i32) -> Vec<i32> {
        match &self.cgroup {
            Some(cgroup) => cgroup.processes(),
            None => crate::readiness::process_group_members(group),
        }
    }

    /// What the cgroup saw (limits hit), where there is one.
    pub fn usage(&self) -> CgroupUsage {
        self.cgroup
            .as_ref()
            .map(RunCgroup::usage)
            .unwrap_or_default()
    }

    /// Opens a TCP connection from inside the sandbox's network, as a scripted client.
    pub async fn connect_tcp(
        &self,
        addr: SocketAddr,
        timeout: Duration,
    ) -> io::Result<tokio::net::TcpStream> {
        let connect = move || {
            let stream = std::net::TcpStream::connect_timeout(&addr, timeout)?;
            stream.set_nonblocking(true)?;
            // Pieces of a split send must leave as separate segments.
            stream.set_nodelay(true)?;
            Ok(stream)
        };
        let stream = match &self.netns {
            Some(netns) => netns.run(connect).await?,
            None => tokio::task::spawn_blocking(connect)
                .await
                .map_err(io::Error::other)??,
        };
        tokio::net::TcpStream::from_std(stream)
    }
}
