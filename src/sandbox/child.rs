//! What runs in the forked child between `fork` and `exec`: [`ChildSetup::apply`].
//!
//! The child becomes a small supervisor, so that everything the program starts dies with it:
//!
//! ```text
//! grader ── relay (pid P, process group P, the run's network namespace, cgroup)
//!             └─ init (PID 1 of new PID, mount and UTS namespaces; /proc remounted,
//!                  │   the run's hostname, /etc/hosts and /etc/services)
//!                  └─ program (limits applied, unprivileged uid, then exec)
//! ```
//!
//! When the program ends, init reports its wait status to the relay through a pipe and exits;
//! the kernel then kills every process left in the PID namespace (double-forked, `setsid()`-ed
//! orphans included). The relay exits the way the program did (same code, same signal), so the
//! grader sees the program's own end. Signals for the program are sent to process group P, which
//! all three share; relay and init catch them with a no-op handler and carry on.
//!
//! Only async-signal-safe system calls are made here (the parent is multi-threaded): no
//! allocation, no locks. Everything that needs memory (paths as C strings) is prepared first.

use std::ffi::CString;
use std::io;
use std::os::fd::RawFd;

use super::limits::Limits;

/// Everything the child needs, prepared before `fork`.
#[derive(Debug)]
pub struct ChildSetup {
    /// The run's network namespace (an open descriptor of the grader's).
    pub netns_fd: Option<RawFd>,
    /// `cgroup.procs` files to join (one per cgroup v1 hierarchy, or the v2 one).
    pub cgroup_procs: Vec<CString>,
    /// Resource limits for the program.
    pub limits: Limits,
    /// Run the program as this uid and gid (when the grader is root).
    pub run_as: Option<(u32, u32)>,
    /// Supervise through a PID namespace (otherwise the program is the child itself).
    pub supervise: bool,
    /// The grader's pid, to notice that it died before the child could ask to die with it.
    pub grader_pid: libc::pid_t,
    /// The run's host name, set in a UTS namespace of its own (with the supervisor).
    pub hostname: CString,
    /// Files bind-mounted over system files in the run's mount namespace (source, target):
    /// the run's own `/etc/hosts` and `/etc/services`.
    pub bind_files: Vec<(CString, CString)>,
}

/// The signals relay and init survive (the program receives them directly).
const RELAYED: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

extern "C" fn ignore_signal(_: libc::c_int) {}

/// Init's death signal. The kernel does not deliver a plain SIGKILL to the init of a PID
/// namespace that has no handler for it (init is "unkillable" from inside), and the parent-death
/// signal is such a plain signal: so init dies through a signal it handles by exiting.
const INIT_DEATH_SIGNAL: libc::c_int = libc::SIGUSR1;

extern "C" fn exit_now(_: libc::c_int) {
    // SAFETY: _exit is async-signal-safe.
    unsafe { libc::_exit(137) };
}

fn check(result: libc::c_int) -> io::Result<libc::c_int> {
    if result < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

impl ChildSetup {
    /// Runs in the child after `fork`. Returns `Ok` only in the process that is about to
    /// `exec` the program; the relay and init never return.
    ///
    /// # Safety
    /// Must only be called between `fork` and `exec` (e.g. from `pre_exec`).
    pub unsafe fn apply(&self) -> io::Result<()> {
        // SAFETY (whole function): plain system calls on values owned by `self` or on
        // descriptors created here; no allocation happens between fork and exec.
        unsafe {
            check(libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0))?;
            if libc::getppid() != self.grader_pid {
                // The grader died before the death signal was armed: nothing to run for.
                libc::_exit(1);
            }
            if let Some(fd) = self.netns_fd {
                check(libc::setns(fd, libc::CLONE_NEWNET))?;
            }
            for procs in &self.cgroup_procs {
                // Joining a cgroup is best effort: limits then fall back to rlimits.
                let fd = libc::open(procs.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
                if fd >= 0 {
                    libc::write(fd, b"0".as_ptr().cast(), 1);
                    libc::close(fd);
                }
            }
            if !self.supervise {
                return self.become_program();
            }
            for signal in RELAYED {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = ignore_signal as *const () as usize;
                action.sa_flags = libc::SA_RESTART;
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
            let isolated =
                libc::unshare(libc::CLONE_NEWPID | libc::CLONE_NEWNS | libc::CLONE_NEWUTS) == 0;
            if isolated {
                let name = self.hostname.as_bytes();
                libc::sethostname(name.as_ptr().cast(), name.len());
            }
            let mut status_pipe = [0 as libc::c_int; 2];
            check(libc::pipe2(status_pipe.as_mut_ptr(), libc::O_CLOEXEC))?;
            let [status_read, status_write] = status_pipe;
            match check(libc::fork())? {
                0 => self.init(isolated, status_read, status_write),
                init => relay(init, status_read, status_write),
            }
        }
    }

    /// PID 1 of the run: starts the program, reaps everything, reports the program's end.
    unsafe fn init(
        &self,
        isolated: bool,
        status_read: RawFd,
        status_write: RawFd,
    ) -> io::Result<()> {
        // SAFETY: see `apply`.
        unsafe {
            libc::close(status_read);
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = exit_now as *const () as usize;
            libc::sigaction(INIT_DEATH_SIGNAL, &action, std::ptr::null_mut());
            check(libc::prctl(
                libc::PR_SET_PDEATHSIG,
                INIT_DEATH_SIGNAL,
                0,
                0,
                0,
            ))?;
            // If the relay died before the line above, no signal will come; the relay holds
            // the other end of the status pipe, so its death shows as an error on ours.
            let mut lifeline = libc::pollfd {
                fd: status_write,
                events: 0,
                revents: 0,
            };
            if libc::poll(&mut lifeline, 1, 0) > 0 && lifeline.revents & libc::POLLERR != 0 {
                libc::_exit(1);
            }
            if isolated {
                // A /proc of its own: the program sees only its own processes, not the grader.
                libc::mount(
                    std::ptr::null(),
                    c"/".as_ptr(),
                    std::ptr::null(),
                    libc::MS_REC | libc::MS_PRIVATE,
                    std::ptr::null(),
                );
                libc::mount(
                    c"proc".as_ptr(),
                    c"/proc".as_ptr(),
                    c"proc".as_ptr(),
                    libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
                    std::ptr::null(),
                );
                // The run's own host names and services: lookups give the same answers on
                // every machine, and need no DNS.
                for (source, target) in &self.bind_files {
                    libc::mount(
                        source.as_ptr(),
                        target.as_ptr(),
                        std::ptr::null(),
                        libc::MS_BIND,
                        std::ptr::null(),
                    );
                }
            } else {
                // No PID namespace: orphans at least come back to init to be reaped.
                libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
            }
            let program = check(libc::fork())?;
            if program == 0 {
                libc::close(status_write);
                for signal in RELAYED.into_iter().chain([INIT_DEATH_SIGNAL]) {
                    libc::signal(signal, libc::SIG_DFL);
                }
                check(libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0))?;
                return self.become_program();
            }
            close_all_except(status_write);
            loop {
                let mut status = 0;
                let reaped = libc::waitpid(-1, &mut status, 0);
                if reaped == program {
                    libc::write(status_write, (&raw const status).cast(), 4);
                    if !isolated {
                        // Without a PID namespace, end what is left of the group.
                        libc::kill(0, libc::SIGKILL);
                    }
                    libc::_exit(0);
                }
                if reaped < 0 && *libc::__errno_location() == libc::ECHILD {
                    libc::_exit(0);
                }
            }
        }
    }

    /// The last steps before `exec`: limits, then the unprivileged user.
    unsafe fn become_program(&self) -> io::Result<()> {
        self.limits.apply()?;
        if let Some((uid, gid)) = self.run_as {
            // SAFETY: see `apply`.
            unsafe {
                check(libc::setgroups(0, std::ptr::null()))?;
                check(libc::setresgid(gid, gid, gid))?;
                check(libc::setresuid(uid, uid, uid))?;
            }
        }
        Ok(())
    }
}

/// The relay: waits for init, then ends exactly as the program did.
unsafe fn relay(init: libc::pid_t, status_read: RawFd, status_write: RawFd) -> io::Result<()> {
    // SAFETY: see `ChildSetup::apply`.
    unsafe {
        libc::close(status_write);
        close_all_except(status_read);
        let mut init_status = 0;
        while libc::waitpid(init, &mut init_status, 0) < 0
            && *libc::__errno_location() == libc::EINTR
        {}
        let mut program_status: libc::c_int = 0;
        let got = libc::read(status_read, (&raw mut program_status).cast(), 4);
        let status = if got == 4 {
            program_status
        } else {
            init_status
        };
        if libc::WIFSIGNALED(status) {
            let signal = libc::WTERMSIG(status);
            libc::signal(signal, libc::SIG_DFL);
            let mut unblock: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut unblock);
            libc::sigaddset(&mut unblock, signal);
            libc::sigprocmask(libc::SIG_UNBLOCK, &unblock, std::ptr::null_mut());
            libc::kill(libc::getpid(), signal);
            libc::_exit(128 + signal);
        }
        libc::_exit(libc::WEXITSTATUS(status));
    }
}

/// Closes every descriptor from 3 up except `keep`, so relay and init hold nothing of the
/// grader's (in particular not the pipe through which `spawn` learns that `exec` succeeded).
unsafe fn close_all_except(keep: RawFd) {
    // SAFETY: close_range only closes descriptors of this (forked) process.
    unsafe {
        if keep > 3 {
            libc::syscall(libc::SYS_close_range, 3u32, (keep - 1) as u32, 0u32);
        }
        libc::syscall(libc::SYS_close_range, (keep + 1) as u32, u32::MAX, 0u32);
    }
}
