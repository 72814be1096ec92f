//! [`Confinement`]: how much of the kernel's isolation this grader process can use, decided
//! once, at start-up.
//!
//! - As **root**, every run gets namespaces (network, PID, mount, UTS, IPC), its own filesystem
//!   view, a per-run unprivileged user id and a cgroup.
//! - As a **normal user**, netgrade does what rootless containers do: before any thread
//!   exists it enters a user namespace of its own, where it maps its user to root. It can then
//!   make the same namespaces and filesystem view for every run; the program runs in a nested
//!   user namespace without any capability. There is no cgroup (the kernel gives none to
//!   unprivileged users): limits are rlimits and the sizes of the run's temporary folders.
//! - Where the kernel refuses user namespaces (some hardened distributions), the program runs
//!   **unconfined** on the host loopback, one test at a time, with rlimits, a supervisor that
//!   kills every process it started, and the grader made unreadable to it (not dumpable); the
//!   report header says so loudly.
//!
//! [`prepare_process`] must run first in `main`, while the process has one thread: the kernel
//! refuses a user or mount namespace to a multi-threaded process. It also makes the kernel show
//! a private copy of the grader's command line, which a run on the host loopback later hides
//! (see `sandbox::cmdline`). Library users that skip it (tests calling the library directly)
//! get [`Confinement::Root`] as root and [`Confinement::Unconfined`] otherwise, without a
//! private mount namespace.

use std::io;
use std::sync::OnceLock;

/// What this grader process can do to isolate a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confinement {
    /// The grader is root: namespaces, a per-run user id, cgroups.
    Root,
    /// The grader is a normal user inside a user namespace of its own: namespaces, the program
    /// in a nested user namespace; no cgroups.
    UserNamespace,
    /// No namespaces at all: host loopback, rlimits, a supervisor.
    Unconfined,
}

/// What [`prepare_process`] decided.
#[derive(Debug, Clone, Copy)]
struct Decision {
    confinement: Confinement,
    /// The grader has a mount namespace of its own: it may mount (a run's folder as a tmpfs)
    /// without anything showing on the machine.
    private_mounts: bool,
    /// Why user namespaces were refused, when they were.
    refused: Option<i32>,
    /// The user id on the machine (which a user namespace maps to 0 inside).
    machine_uid: u32,
}

static DECISION: OnceLock<Decision> = OnceLock::new();

fn decided() -> Decision {
    *DECISION.get_or_init(|| Decision {
        confinement: if rustix::process::geteuid().is_root() {
            Confinement::Root
        } else {
            Confinement::Unconfined
        },
        private_mounts: false,
        refused: None,
        machine_uid: rustix::process::geteuid().as_raw(),
    })
}

/// Decides the confinement for this process and enters the namespaces it needs: a private
/// mount namespace (as root), or a user namespace with a private mount namespace (as a normal
/// user). Must be called while the process has a single thread; later calls change nothing.
pub fn prepare_process() -> Confinement {
    if let Some(decision) = DECISION.get() {
        return decision.confinement;
    }
    // Single-threaded, so no other thread moves the heap's end meanwhile. Best effort: where
    // the kernel refuses, the command line stays as it is.
    super::cmdline::take_over();
    let machine_uid = rustix::process::geteuid().as_raw();
    let decision = if machine_uid == 0 {
        Decision {
            confinement: Confinement::Root,
            private_mounts: private_mount_namespace().is_ok(),
            refused: None,
            machine_uid,
        }
    } else {
        match enter_user_namespace() {
            Ok(()) => Decision {
                confinement: Confinement::UserNamespace,
                private_mounts: true,
                refused: None,
                machine_uid,
            },
            Err(error) => {
                // Programs will run as this very user: at least they cannot read or trace the
                // grader's memory, environment or files in /proc.
                // SAFETY: prctl on this process only.
                unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
                Decision {
                    confinement: Confinement::Unconfined,
                    private_mounts: false,
                    refused: error.raw_os_error(),
                    machine_uid,
                }
            }
        }
    };
    let _ = DECISION.set(decision);
    decided().confinement
}

/// The confinement decided for this process.
pub fn confinement() -> Confinement {
    decided().confinement
}

/// Whether the grader has a mount namespace of its own (see [`prepare_process`]).
pub fn has_private_mounts() -> bool {
    decided().private_mounts
}

/// The grader's user id on the machine (inside its user namespace it is 0).
pub fn machine_uid() -> u32 {
    decided().machine_uid
}

/// Why the kernel refused a user namespace, in words, when it did.
pub fn refusal() -> Option<String> {
    decided()
        .refused
        .map(|errno| io::Error::from_raw_os_error(errno).to_string())
}

/// A mount namespace for the grader: what it mounts (runs' folders) is private, while the
/// machine's mounts still propagate in.
fn private_mount_namespace() -> io::Result<()> {
    // SAFETY: unshare and mount change this (single-threaded) process's namespaces only.
    unsafe {
        if libc::unshare(libc::CLONE_NEWNS) != 0 {
            return Err(io::Error::last_os_error());
        }
        if libc::mount(
            std::ptr::null(),
            c"/".as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_SLAVE,
            std::ptr::null(),
        ) != 0
        {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Enters a new user namespace where this user is root, plus a private mount namespace.
fn enter_user_namespace() -> io::Result<()> {
    let uid = rustix::process::geteuid().as_raw();
    let gid = rustix::process::getegid().as_raw();
    // SAFETY: unshare changes this (single-threaded) process's namespaces only.
    if unsafe { libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // The order matters: setgroups must be denied before an unprivileged gid_map is written.
    std::fs::write("/proc/self/setgroups", "deny")?;
    std::fs::write("/proc/self/uid_map", format!("0 {uid} 1\n"))?;
    std::fs::write("/proc/self/gid_map", format!("0 {gid} 1\n"))?;
    // SAFETY: as above.
    if unsafe {
        libc::mount(
            std::ptr::null(),
            c"/".as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_SLAVE,
            std::ptr::null(),
        )
    } != 0
    {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
