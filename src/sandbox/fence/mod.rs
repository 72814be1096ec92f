//! [`Fence`]: what holds back a program that runs on the host, without namespaces.
//!
//! In the fallback isolation ("host loopback": `--isolation none`, or where the kernel refuses
//! user namespaces) the program has no filesystem view of its own and, when the grader is not
//! root, runs as the grader's own user. Unfenced it could then read and rewrite that user's
//! files (other students' result files, say) and signal, trace or re-limit the grader itself.
//! The fence, applied to the program only and only in that mode, has two parts:
//!
//! - **Landlock** (filesystem). Read and execute beneath `/usr`, `/bin`, `/sbin`, `/lib`,
//!   `/lib32`, `/lib64`, `/etc`, `/opt` (those that exist; symbolic links such as `/bin` →
//!   `/usr/bin` are followed, Landlock works on the resolved hierarchy) and the target of
//!   `/etc/resolv.conf`; read beneath `/proc` and `/sys`; read and write on `/dev/null`,
//!   `/dev/zero`, `/dev/full`; read on `/dev/random`, `/dev/urandom`; everything but devices
//!   beneath the program's own folder. Nothing else: no home folder, no `/tmp` (the program's
//!   `TMPDIR` is its folder), no `/dev/shm`, no `/dev/tty`, no other run's folder. Only the
//!   rights the running kernel's Landlock ABI knows are handled (ABI 1: the thirteen basic
//!   ones; 2: `REFER`; 3: `TRUNCATE`; 5: `IOCTL_DEV`), network rights never (the program must
//!   bind and connect on the loopback). From ABI 6 the domain is also *scoped*: signals and
//!   abstract unix sockets cannot reach processes outside it, i.e. the grader. Landlock also
//!   forbids, from ABI 1, ptrace-class access (`/proc/<pid>/mem`, `environ`, `fd`, …) to
//!   processes outside the domain.
//! - **seccomp** (a classic BPF filter, x86_64 only): it refuses (`EPERM`) `ptrace`,
//!   `process_vm_readv`/`writev`, the pidfd calls, `tkill`, io_uring (whose operations would
//!   bypass the filter), the key-management calls (the user's session keyring); it lets
//!   signals (`kill`, `tgkill`, `rt_sigqueueinfo`, `rt_tgsigqueueinfo`, `fcntl(F_SETOWN)`)
//!   and per-process controls (`prlimit64`, `sched_set*`, `setpriority`, `ioprio_set`,
//!   `setpgid`) reach only the program's own process group, itself, or processes started
//!   after it (a higher pid: its children); it refuses `socket(AF_UNIX, …)` and datagram
//!   `socketpair`s, because Landlock below ABI 9 does not restrict connecting to a named unix
//!   socket (the user's D-Bus session, systemd user manager, ssh-agent or docker socket would
//!   each be a way out), while stream `socketpair`s (asyncio, multiprocessing) keep working.
//!   System calls of another ABI (x32, or i386 through `int 0x80`) get `ENOSYS`: their
//!   numbers differ and would bypass the rules. On other architectures there is no filter.
//!
//! Where the kernel offers no Landlock (not built, or not enabled at boot) the fence still
//! applies its seccomp part and [`Fence::restricts_files`] says `false`: files are then not
//! protected at all, and the report header should say so.
//!
//! Both parts need `PR_SET_NO_NEW_PRIVS`, which the fence sets: set-user-id programs and file
//! capabilities (`ping`, `sudo`) then no longer raise privileges.
//!
//! Known limits: Landlock does not restrict metadata changes (`chmod`, `chown`, `utimes`,
//! extended attributes) nor `stat`/`readlink` anywhere; the signal and per-process rules of
//! the filter trust that a higher pid is a later process (the grader itself and its process
//! group are refused by number; but after pids wrap, or for other processes of the same user
//! started after the program, only Landlock's scoping, ABI ≥ 6, keeps signals away; `prlimit64` and `sched_set*` on them stay possible); services listening
//! on the machine's loopback are reachable, as the program must be able to connect there;
//! POSIX semaphores (`sem_open` in `/dev/shm`: Python's `multiprocessing.Lock` and `Queue`)
//! fail with `EACCES`, since `/dev/shm` is shared with the whole machine.
//!
//! Also out of the fence's reach, since the program sees the machine's `/proc`:
//! `/proc/<pid>/cmdline` has no access check at all (Landlock's ptrace rule covers `environ`,
//! `mem`, `fd`, not the command line). The grader shows only `netgrade` there (its kernel
//! argument area is moved to a private copy with `PR_SET_MM_MAP` and wiped, see
//! `sandbox::cmdline`) and the run's relay and init wipe theirs; but where the kernel lacks
//! `CONFIG_CHECKPOINT_RESTORE` the grader's own arguments stay readable, and those of every
//! other process always do, whatever started the grader among them (`sh -c 'netgrade grade
//! CLASS -o OUT'`, a CI job's shell). Only a `/proc` mounted with `hidepid` would hide them,
//! which needs a mount namespace and, for the machine's PID namespace, root. And Landlock only
//! grants: nothing beneath an allowed folder can be carved out, so the grader's own executable,
//! when installed under `/usr` (it embeds the exercise pack), is readable to the program
//! unless it is installed execute-only (`install -m 0711`: the kernel still runs it, and a
//! program running as anyone but the file's owner cannot read it). In a confined run the view
//! covers it instead.
//!
//! Why raw system calls and not the `landlock` crate: [`Fence::apply`] runs between `fork` and
//! `exec` of a multi-threaded grader, where only async-signal-safe calls are allowed — no
//! allocation, no locks. The crate allocates while building and restricting; here everything
//! that needs memory (the ruleset with its rules, the lowered filter) is prepared in the parent
//! by [`Fence::prepare`], and `apply` only patches two numbers into a copy of the filter on
//! the stack and makes plain system calls.

mod landlock;
#[cfg(test)]
mod python_tests;
mod seccomp;
#[cfg(test)]
mod tests;

use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;

use landlock::{build_ruleset, landlock_abi};
use seccomp::Filter;

/// A fence around a program that runs on the host: prepared before fork, applied in the
/// program's process between fork and exec.
pub struct Fence {
    /// The Landlock ruleset, all rules added (`None` where the kernel has no Landlock).
    ruleset: Option<OwnedFd>,
    /// Its ABI version (0 without Landlock).
    abi: i32,
    /// The seccomp filter, lowered; two kinds of numbers are patched in by `apply`.
    filter: Filter,
}

impl fmt::Debug for Fence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fence")
            .field("ruleset", &self.ruleset)
            .field("landlock_abi", &self.abi)
            .field("filter_instructions", &self.filter.len)
            .finish()
    }
}

impl Fence {
    /// Prepares the fence for a program whose own folder is `folder` (read-write for it).
    ///
    /// Where the kernel offers no Landlock the fence has only its seccomp part
    /// ([`Fence::restricts_files`] is then `false`). Errors: `folder` cannot be opened, or the
    /// kernel refuses the ruleset or a rule.
    #[cfg(test)]
    pub fn prepare(folder: &Path) -> io::Result<Fence> {
        Fence::prepare_with(folder, &[])
    }

    /// [`Fence::prepare`], and the program may also read and run beneath each of `readable`
    /// (a compiler's toolchain outside the system folders, say); each must exist.
    pub fn prepare_with(folder: &Path, readable: &[&Path]) -> io::Result<Fence> {
        let (ruleset, abi) = match landlock_abi() {
            Some(abi) => (Some(build_ruleset(abi, folder, readable)?), abi),
            None => (None, 0),
        };
        Ok(Fence {
            ruleset,
            abi,
            filter: Filter::build(),
        })
    }

    /// Applies it to the calling process. Called in the forked child right before exec:
    /// only async-signal-safe system calls, no allocation, no locks.
    /// `group` is the program's process group (the kill rule allows signalling it).
    ///
    /// Sets `PR_SET_NO_NEW_PRIVS`, enforces the Landlock ruleset and closes this process's copy
    /// of its descriptor, then installs the seccomp filter. Any failure is returned: the caller
    /// should then not exec (fail closed).
    ///
    /// # Safety
    /// Must only be called in a single-threaded process about to `exec` (between `fork` and
    /// `exec`): it closes the ruleset's descriptor, so this process must not use or drop this
    /// `Fence` afterwards (`exec` or `_exit` follow).
    pub unsafe fn apply(&self, group: libc::pid_t) -> io::Result<()> {
        // SAFETY: prctl, landlock_restrict_self, close and seccomp on this process only, with
        // pointers to memory alive for each call.
        unsafe {
            check(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) as libc::c_long)?;
            if let Some(ruleset) = &self.ruleset {
                let fd = ruleset.as_raw_fd();
                let restricted = libc::syscall(libc::SYS_landlock_restrict_self, fd, 0u32);
                let error = io::Error::last_os_error();
                libc::close(fd);
                if restricted < 0 {
                    return Err(error);
                }
            }
            self.filter.install(libc::getpid(), group)
        }
    }

    /// Whether filesystem rules (Landlock) are in force.
    #[cfg(test)]
    pub fn restricts_files(&self) -> bool {
        self.ruleset.is_some()
    }
}

/// Whether the fence restricts files on this machine (the kernel has Landlock).
pub fn restricts_files() -> bool {
    landlock_abi().is_some()
}

pub(super) fn check(result: libc::c_long) -> io::Result<libc::c_long> {
    if result < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}
