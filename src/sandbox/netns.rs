//! [`NetNamespace`]: a fresh Linux network namespace holding only a loopback interface.
//!
//! A namespace is made by a short-lived thread that `unshare`s into it and brings `lo` up;
//! the namespace then lives as long as its file descriptor (and any process inside it).
//! Sockets belong to the namespace they are created in, so the grader's peer sockets are
//! created by a thread that has first `setns`'d into it; once created they work from any thread.

use std::fs::File;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, FromRawFd, OwnedFd};
use std::sync::OnceLock;

use rustix::thread::{LinkNameSpaceType, UnshareFlags};

/// A network namespace, kept alive by an open `/proc/thread-self/ns/net` descriptor.
#[derive(Debug)]
pub struct NetNamespace {
    fd: OwnedFd,
}

/// Buckets of the TCP and UDP hash tables of each run's namespace (see [`nursery`]).
const RUN_HASH_BUCKETS: &str = "256";

/// The namespace every run's namespace is created from.
///
/// Namespaces created from the machine's own share its socket hash tables (262,144 TCP
/// buckets on a 24 GiB machine), and every look at a run's sockets — netlink or `/proc` —
/// walks the whole table. Since Linux 6.1 a namespace can give the namespaces created from it
/// tables of their own (`tcp_child_ehash_entries`, and `udp_child_hash_entries` since 6.2).
/// That setting is made here, in an empty namespace of netgrade's own, never on the
/// machine's. `None` where the kernel refuses: runs then share the machine's tables.
fn nursery() -> Option<&'static OwnedFd> {
    static NURSERY: OnceLock<Option<OwnedFd>> = OnceLock::new();
    NURSERY
        .get_or_init(|| {
            std::thread::Builder::new()
                .name("netgrade-nursery".into())
                .spawn(|| -> io::Result<OwnedFd> {
                    // SAFETY: as in `NetNamespace::create`: this thread only, which ends here.
                    unsafe { rustix::thread::unshare_unsafe(UnshareFlags::NEWNET)? };
                    // Net sysctls belong to the namespace of the thread that opens them.
                    std::fs::write(
                        "/proc/sys/net/ipv4/tcp_child_ehash_entries",
                        RUN_HASH_BUCKETS,
                    )?;
                    let _ = std::fs::write(
                        "/proc/sys/net/ipv4/udp_child_hash_entries",
                        RUN_HASH_BUCKETS,
                    );
                    Ok(File::open("/proc/thread-self/ns/net")?.into())
                })
                .ok()?
                .join()
                .ok()?
                .ok()
        })
        .as_ref()
}

impl NetNamespace {
    /// Creates a namespace with `lo` up. Needs root (or CAP_SYS_ADMIN).
    pub fn create() -> io::Result<NetNamespace> {
        let nursery = nursery().map(|fd| fd.try_clone()).transpose()?;
        let maker = std::thread::Builder::new()
            .name("netgrade-netns".into())
            .spawn(move || -> io::Result<OwnedFd> {
                if let Some(nursery) = &nursery {
                    rustix::thread::move_into_link_name_space(
                        nursery.as_fd(),
                        Some(LinkNameSpaceType::Network),
                    )?;
                }
                // SAFETY: only the network namespace is unshared, and only for this thread,
                // which ends right after; no file descriptor table is unshared.
                unsafe { rustix::thread::unshare_unsafe(UnshareFlags::NEWNET)? };
                bring_loopback_up()?;
                Ok(File::open("/proc/thread-self/ns/net")?.into())
            })?;
        let fd = maker
            .join()
            .map_err(|_| io::Error::other("the namespace thread panicked"))??;
        Ok(NetNamespace { fd })
    }

    /// Runs `work` on a new thread that has joined this namespace and waits for its result
    /// (for short work from synchronous code).
    pub fn run_blocking<T, F>(&self, work: F) -> io::Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let fd = self.fd.try_clone()?;
        std::thread::Builder::new()
            .name("netgrade-peer".into())
            .spawn(move || -> io::Result<T> {
                rustix::thread::move_into_link_name_space(
                    fd.as_fd(),
                    Some(LinkNameSpaceType::Network),
                )?;
                Ok(work())
            })?
            .join()
            .map_err(|_| io::Error::other("the namespace thread panicked"))?
    }

    /// Runs `work` on a new thread that has joined this namespace, and returns its result.
    pub async fn run<T, F>(&self, work: F) -> io::Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> io::Result<T> + Send + 'static,
    {
        let fd = self.fd.try_clone()?;
        let (reply, result) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("netgrade-peer".into())
            .spawn(move || {
                let outcome = rustix::thread::move_into_link_name_space(
                    fd.as_fd(),
                    Some(LinkNameSpaceType::Network),
                )
                .map_err(io::Error::from)
                .and_then(|()| work());
                let _ = reply.send(outcome);
            })?;
        result
            .await
            .map_err(|_| io::Error::other("the peer thread ended without answering"))?
    }
}

impl AsFd for NetNamespace {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// `ip link set lo up`, done with the SIOCGIFFLAGS/SIOCSIFFLAGS ioctls on a throwaway socket.
fn bring_loopback_up() -> io::Result<()> {
    // SAFETY: plain socket and ioctl calls on a zeroed `ifreq` whose name is set to "lo";
    // the socket is owned by an OwnedFd and closed on every path.
    unsafe {
        let raw = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        let socket = OwnedFd::from_raw_fd(raw);
        let mut request: libc::ifreq = std::mem::zeroed();
        for (slot, byte) in request.ifr_name.iter_mut().zip(b"lo\0") {
            *slot = *byte as libc::c_char;
        }
        use std::os::fd::AsRawFd;
        if libc::ioctl(socket.as_raw_fd(), libc::SIOCGIFFLAGS, &mut request) < 0 {
            return Err(io::Error::last_os_error());
        }
        request.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
        if libc::ioctl(socket.as_raw_fd(), libc::SIOCSIFFLAGS, &request) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}
