//! The sandbox a program under test runs in: [`Sandbox`], one per test run.
//!
//! It owns the run's network namespace (so every run has its own port 8888 and its own
//! loopback), applies resource limits and a process group to the program, and creates the
//! scripted peers' sockets inside the same namespace.

mod limits;
mod netns;

use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::time::Duration;

use rustix::process::Signal;
use rustix::thread::LinkNameSpaceType;

pub use limits::Limits;
pub use netns::NetNamespace;

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

/// One run's sandbox. Dropping it releases the namespace (once its processes are gone).
#[derive(Debug)]
pub struct Sandbox {
    netns: Option<NetNamespace>,
    limits: Limits,
}

impl Sandbox {
    /// Creates a sandbox with the given isolation and limits.
    pub fn create(isolation: Isolation, limits: Limits) -> io::Result<Sandbox> {
        let netns = match isolation {
            Isolation::Namespace => Some(NetNamespace::create()?),
            Isolation::HostLoopback => None,
        };
        Ok(Sandbox { netns, limits })
    }

    /// The isolation this sandbox provides.
    pub fn isolation(&self) -> Isolation {
        if self.netns.is_some() {
            Isolation::Namespace
        } else {
            Isolation::HostLoopback
        }
    }

    /// Makes `command` start inside the sandbox: its own process group (so the whole group can
    /// be signalled), the run's network namespace, the resource limits, and death with the
    /// grader (PR_SET_PDEATHSIG, which is why programs are spawned from long-lived threads).
    pub fn confine(&self, command: &mut tokio::process::Command) {
        let netns_fd = self.netns.as_ref().map(|ns| ns.as_fd().as_raw_fd());
        let limits = self.limits;
        command.process_group(0);
        // SAFETY: the closure runs between fork and exec and only makes raw system calls
        // (prctl, setns, setrlimit), which are async-signal-safe; it allocates nothing. The
        // namespace fd stays open for the whole spawn because `self` outlives this call's use.
        unsafe {
            command.pre_exec(move || {
                rustix::process::set_parent_process_death_signal(Some(Signal::KILL))?;
                if let Some(fd) = netns_fd {
                    let fd = BorrowedFd::borrow_raw(fd);
                    rustix::thread::move_into_link_name_space(
                        fd,
                        Some(LinkNameSpaceType::Network),
                    )?;
                }
                limits.apply()?;
                Ok(())
            });
        }
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
