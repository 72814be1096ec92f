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

use std::ffi::{CString, OsString};
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub use cgroup::CgroupUsage;
pub use limits::{Limits, show_size};
pub use netns::NetNamespace;
pub use workdir::Stage;

use crate::sockets::SocketTable;
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
    /// The run's `/etc/hosts` and `/etc/services` (mounted over the system's ones).
    etc: Option<tempfile::TempDir>,
    /// The socket table of the run's network namespace.
    sockets: SocketTable,
}

/// The host name every run has (in a UTS namespace of its own) when the grader is root.
pub const RUN_HOSTNAME: &str = "netgrade-box";

/// The services database of every run (see `etc/services`).
pub const RUN_SERVICES: &str = include_str!("etc/services");

/// The run's `/etc/hosts`: `localhost` and the run's own name, nothing else.
fn run_hosts() -> String {
    format!(
        "127.0.0.1\tlocalhost\n127.0.1.1\t{RUN_HOSTNAME}\n::1\tlocalhost ip6-localhost ip6-loopback\n"
    )
}

/// Writes the run's `/etc` files into a fresh folder readable by the program's user.
fn write_etc_files() -> io::Result<tempfile::TempDir> {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new().prefix("netgrade-etc-").tempdir()?;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
    for (name, text) in [
        ("hosts", run_hosts()),
        ("services", RUN_SERVICES.to_owned()),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))?;
    }
    Ok(dir)
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
        let etc = if as_root {
            Some(write_etc_files()?)
        } else {
            None
        };
        let sockets = match &netns {
            Some(netns) => netns.run_blocking(SocketTable::open)?,
            None => SocketTable::open(),
        };
        Ok(Sandbox {
            netns,
            cgroup,
            limits,
            run_as,
            workdir,
            etc,
            sockets,
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

    /// The socket table of the run's network (the machine's, on the host loopback).
    pub fn sockets(&self) -> &SocketTable {
        &self.sockets
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
            hostname: CString::new(RUN_HOSTNAME).unwrap_or_default(),
            bind_files: self.etc_binds(),
        };
        command.process_group(0);
        // SAFETY: `apply` only makes async-signal-safe system calls on data prepared above;
        // the namespace descriptor stays open because `self` outlives the spawn.
        unsafe {
            command.pre_exec(move || setup.apply());
        }
    }

    /// The run's `/etc` files and where they are mounted, for the supervisor.
    fn etc_binds(&self) -> Vec<(CString, CString)> {
        let Some(etc) = &self.etc else {
            return Vec::new();
        };
        ["hosts", "services"]
            .into_iter()
            .filter(|name| Path::new("/etc").join(name).is_file())
            .filter_map(|name| {
                let source =
                    CString::new(etc.path().join(name).into_os_string().into_vec()).ok()?;
                let target = CString::new(format!("/etc/{name}")).ok()?;
                Some((source, target))
            })
            .collect()
    }

    /// The services database the program sees (`/etc/services`): the bundled one in a
    /// confined run, the machine's otherwise.
    pub fn services(&self) -> String {
        // The bundled file is mounted over the machine's, so only where the machine has one.
        if self.etc.is_some() && Path::new("/etc/services").is_file() {
            RUN_SERVICES.to_owned()
        } else {
            std::fs::read_to_string("/etc/services").unwrap_or_default()
        }
    }

    /// The host name the program sees (`gethostname()`).
    pub fn hostname(&self) -> String {
        if self.etc.is_some() {
            RUN_HOSTNAME.to_owned()
        } else {
            rustix::system::uname()
                .nodename()
                .to_string_lossy()
                .into_owned()
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
            None => crate::procfs::process_group_members(group),
        }
    }

    /// The processes of the student's program itself: [`Sandbox::processes`] without the
    /// supervisor (the relay, `group`, and the namespace's init, its child). Empty once the
    /// program has exited, even while the supervisor is still reporting its end.
    pub fn program_processes(&self, group: i32) -> Vec<i32> {
        let mut processes = self.processes(group);
        if confines_as_root() {
            // A process whose parent cannot be read has just ended (it may be the exiting init:
            // counting it as the program would make an exiting program look idle).
            processes.retain(|&pid| {
                pid != group && crate::procfs::parent_of(pid).is_some_and(|p| p != group)
            });
        }
        processes
    }

    /// What the cgroup saw (limits hit), where there is one.
    pub fn usage(&self) -> CgroupUsage {
        self.cgroup
            .as_ref()
            .map(RunCgroup::usage)
            .unwrap_or_default()
    }

    /// Runs `make` (which creates sockets) inside the sandbox's network namespace.
    async fn in_network<T, F>(&self, make: F) -> io::Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> io::Result<T> + Send + 'static,
    {
        match &self.netns {
            Some(netns) => netns.run(make).await,
            None => tokio::task::spawn_blocking(make)
                .await
                .map_err(io::Error::other)?,
        }
    }

    /// Opens a TCP connection from inside the sandbox's network, as a scripted client.
    pub async fn connect_tcp(
        &self,
        addr: SocketAddr,
        timeout: Duration,
    ) -> io::Result<tokio::net::TcpStream> {
        let stream = self
            .in_network(move || {
                let stream = std::net::TcpStream::connect_timeout(&addr, timeout)?;
                stream.set_nonblocking(true)?;
                // Pieces of a split send must leave as separate segments.
                stream.set_nodelay(true)?;
                Ok(stream)
            })
            .await?;
        tokio::net::TcpStream::from_std(stream)
    }

    /// The address the grader's own servers bind in this sandbox: every local address in the
    /// run's namespace (so 127.0.0.1, 0.0.0.0 and the run's host name all reach it), loopback
    /// only on the shared host.
    fn peer_server_address(&self, port: u16) -> SocketAddr {
        let ip = if self.netns.is_some() {
            std::net::Ipv4Addr::UNSPECIFIED
        } else {
            std::net::Ipv4Addr::LOCALHOST
        };
        SocketAddr::from((ip, port))
    }

    /// Listens on TCP `port` inside the sandbox's network, as the server a client program
    /// connects to.
    pub async fn listen_tcp(&self, port: u16) -> io::Result<tokio::net::TcpListener> {
        let address = self.peer_server_address(port);
        let listener = self
            .in_network(move || {
                let listener = std::net::TcpListener::bind(address)?;
                listener.set_nonblocking(true)?;
                Ok(listener)
            })
            .await?;
        tokio::net::TcpListener::from_std(listener)
    }

    /// Binds a UDP socket inside the sandbox's network: on `port` as the server a client
    /// program sends to, or (port 0) on loopback as one of the grader's UDP peers.
    pub async fn bind_udp(&self, port: u16) -> io::Result<tokio::net::UdpSocket> {
        let address = if port == 0 {
            SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0))
        } else {
            self.peer_server_address(port)
        };
        let socket = self
            .in_network(move || {
                let socket = std::net::UdpSocket::bind(address)?;
                socket.set_nonblocking(true)?;
                Ok(socket)
            })
            .await?;
        tokio::net::UdpSocket::from_std(socket)
    }
}
