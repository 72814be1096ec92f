//! What runs in the forked child between `fork` and `exec`: [`ChildSetup::apply`].
//!
//! The child becomes a small supervisor, so that everything the program starts dies with it:
//!
//! ```text
//! grader ── relay (pid P, process group P, the run's network namespace, cgroup)
//!             └─ init (PID 1 of new PID, mount, UTS and IPC namespaces; builds the run's
//!                  │   filesystem view and pivots into it; hidden from the program)
//!                  └─ program (limits, an unprivileged identity, then exec)
//! ```
//!
//! When the program ends, init reports its wait status to the relay through a pipe and exits;
//! the kernel then kills every process left in the PID namespace (double-forked, `setsid()`-ed
//! orphans included). The relay exits the way the program did (same code, same signal), so the
//! grader sees the program's own end. Signals for the program are sent to process group P, which
//! all three share; relay and init catch them with a no-op handler and carry on.
//!
//! Init is a fork of the grader, not an exec: it renames itself, makes itself undumpable and
//! wipes its copy of the grader's command line and environment, so nothing of the grader shows
//! through it; the relay wipes its copy too (without namespaces the program sees both in
//! `/proc`). If building the view fails, init writes the step and `errno` to the report pipe
//! (a grader error, not the student's) and ends.
//!
//! Right before `exec`, the program's process gets a fresh, empty session keyring (the
//! caller's may hold tokens), a filter refusing the key-management calls (in namespaces; the
//! fence does this on the host), and every descriptor from 3 up is marked close-on-exec: none
//! of the grader's, nor any its own caller left open (`netgrade … 7</root/secret`), reaches
//! the program. Relay and init close theirs outright.
//!
//! Only async-signal-safe system calls are made here (the parent is multi-threaded): no
//! allocation, no locks. Everything that needs memory (paths as C strings) is prepared first.

use std::ffi::CString;
use std::io;
use std::os::fd::RawFd;

use super::descriptors::{close_all_except, close_on_exec_from_3};

use super::fence::Fence;
use super::keyring;
use super::limits::Limits;
use super::view::View;

/// Who the program runs as.
#[derive(Debug, Clone)]
pub enum Identity {
    /// The grader is root: the program gets this unprivileged uid and gid.
    RunAs(u32, u32),
    /// The grader is in a user namespace of its own: the program gets a nested one, where it
    /// is this uid (mapped to the grader's user) without any capability.
    NestedUserNamespace {
        /// `"<uid> 0 1\n"` for `uid_map`.
        uid_map: CString,
        /// `"<gid> 0 1\n"` for `gid_map`.
        gid_map: CString,
    },
    /// No namespaces: the program runs as the grader's user.
    Same,
}

/// Everything the child needs, prepared before `fork`.
#[derive(Debug)]
pub struct ChildSetup {
    /// The run's network namespace (an open descriptor of the grader's).
    pub netns_fd: Option<RawFd>,
    /// `cgroup.procs` files to join (one per cgroup v1 hierarchy, or the v2 one).
    pub cgroup_procs: Vec<CString>,
    /// Resource limits for the program.
    pub limits: Limits,
    /// RLIMIT_NPROC for the program, where one bounds the run (see
    /// [`super::limits::process_limit`]); `None` leaves the grader's.
    pub process_limit: Option<u64>,
    /// Who the program runs as.
    pub identity: Identity,
    /// PID, mount, UTS and IPC namespaces for the run (otherwise init is only a subreaper).
    pub namespaces: bool,
    /// The grader's pid, to notice that it died before the child could ask to die with it.
    pub grader_pid: libc::pid_t,
    /// The run's host name, set in its UTS namespace.
    pub hostname: CString,
    /// The run's filesystem view, built by init.
    pub view: Option<View>,
    /// Where init reports a failure to build the sandbox (write end of a pipe of the grader).
    pub report_fd: RawFd,
    /// Without namespaces: what holds the program back on the host (files, signals).
    pub fence: Option<Fence>,
    /// Descriptors below this number are closed by number where the kernel has neither
    /// `close_range` nor a `/proc` to list them (the grader's RLIMIT_NOFILE, bounded).
    pub descriptor_bound: u32,
}

/// The signals relay and init survive (the program receives them directly).
const RELAYED: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

extern "C" fn ignore_signal(_: libc::c_int) {}

/// Init's death signal. The kernel does not deliver a plain SIGKILL to the init of a PID
/// namespace that has no handler for it (init is "unkillable" from inside), and the parent-death
/// signal is such a plain signal: so init dies through a signal it handles by exiting.
const INIT_DEATH_SIGNAL: libc::c_int = libc::SIGUSR1;

extern "C" fn exit_now(_: libc::c_int) {
    // Without a PID namespace, orphans came back to init (a subreaper): take them along.
    // SAFETY: kill_children and _exit only make async-signal-safe system calls.
    unsafe {
        kill_children();
        libc::_exit(137);
    }
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
            for signal in RELAYED {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = ignore_signal as *const () as usize;
                action.sa_flags = libc::SA_RESTART;
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
            let isolated = self.namespaces
                && libc::unshare(
                    libc::CLONE_NEWPID
                        | libc::CLONE_NEWNS
                        | libc::CLONE_NEWUTS
                        | libc::CLONE_NEWIPC,
                ) == 0;
            if isolated {
                let name = self.hostname.as_bytes();
                libc::sethostname(name.as_ptr().cast(), name.len());
            }
            let mut status_pipe = [0 as libc::c_int; 2];
            check(libc::pipe2(status_pipe.as_mut_ptr(), libc::O_CLOEXEC))?;
            let [status_read, status_write] = status_pipe;
            match check(libc::fork())? {
                0 => self.init(isolated, status_read, status_write),
                init => relay(
                    init,
                    status_read,
                    status_write,
                    self.report_fd,
                    self.descriptor_bound,
                ),
            }
        }
    }

    /// PID 1 of the run: builds the view, starts the program, reaps everything, reports the
    /// program's end.
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
            // Nothing of the grader shows through init: not its name, memory, command line or
            // environment (the program could otherwise read a class folder's path there).
            libc::prctl(libc::PR_SET_NAME, c"init".as_ptr(), 0, 0, 0);
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
            scrub_command_line();
            if isolated {
                if let Some(view) = &self.view
                    && let Err((step, errno)) = view.build()
                {
                    let report = [step as u8 as i32, errno];
                    libc::write(self.report_fd, report.as_ptr().cast(), 8);
                    libc::_exit(127);
                }
            } else {
                // No PID namespace: orphans at least come back to init, which ends them.
                libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
            }
            let program = check(libc::fork())?;
            if program == 0 {
                libc::close(status_write);
                libc::close(self.report_fd);
                for signal in RELAYED.into_iter().chain([INIT_DEATH_SIGNAL]) {
                    libc::signal(signal, libc::SIG_DFL);
                }
                check(libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0))?;
                return self.become_program();
            }
            close_all_except(&[status_write], self.descriptor_bound);
            loop {
                let mut status = 0;
                let reaped = libc::waitpid(-1, &mut status, 0);
                if reaped == program {
                    libc::write(status_write, (&raw const status).cast(), 4);
                    if !isolated {
                        // Without a PID namespace, end what is left of the run: its orphans
                        // came back to init (a subreaper). Not the process group, which holds
                        // the relay, still to report the program's end.
                        kill_children();
                    }
                    libc::_exit(0);
                }
                if reaped < 0 && *libc::__errno_location() == libc::ECHILD {
                    libc::_exit(0);
                }
            }
        }
    }

    /// The last steps before `exec`: the identity, the limits, a keyring of its own, the fence
    /// (on the host) or the key filter (in namespaces), and no inherited descriptors.
    unsafe fn become_program(&self) -> io::Result<()> {
        // SAFETY: see `apply`.
        unsafe {
            match &self.identity {
                Identity::RunAs(uid, gid) => {
                    self.limits.apply(self.process_limit)?;
                    check(libc::setgroups(0, std::ptr::null()))?;
                    check(libc::setresgid(*gid, *gid, *gid))?;
                    check(libc::setresuid(*uid, *uid, *uid))?;
                }
                Identity::NestedUserNamespace { uid_map, gid_map } => {
                    // Init made itself undumpable, which this process inherited: /proc/self
                    // would belong to root and the maps could not be written.
                    check(libc::prctl(libc::PR_SET_DUMPABLE, 1, 0, 0, 0))?;
                    check(libc::unshare(libc::CLONE_NEWUSER))?;
                    // The order matters: setgroups, then uid_map, then gid_map.
                    write_proc(c"/proc/self/setgroups", b"deny")?;
                    write_proc(c"/proc/self/uid_map", uid_map.as_bytes())?;
                    write_proc(c"/proc/self/gid_map", gid_map.as_bytes())?;
                    // A non-zero uid loses every capability at exec. RLIMIT_NPROC counts the
                    // processes of (this user namespace, uid): the run's alone.
                    self.limits.apply(self.process_limit)?;
                }
                Identity::Same => self.limits.apply(self.process_limit)?,
            }
            // After the identity: the new keyring belongs to the program's user.
            keyring::join_fresh_session_keyring()?;
            match &self.fence {
                // Its filter refuses the key calls too.
                Some(fence) => fence.apply(libc::getpgrp())?,
                None => keyring::refuse_key_calls()?,
            }
            // Last: what is still open from 3 up closes at exec (not now: the descriptor
            // through which `spawn` learns that exec failed must live until then).
            close_on_exec_from_3(self.descriptor_bound);
        }
        Ok(())
    }
}

/// Writes `bytes` to a `/proc/self` file.
unsafe fn write_proc(path: &std::ffi::CStr, bytes: &[u8]) -> io::Result<()> {
    // SAFETY: open/write/close on a constant path and a caller-owned buffer.
    unsafe {
        let fd = check(libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC))?;
        let written = libc::write(fd, bytes.as_ptr().cast(), bytes.len());
        libc::close(fd);
        if written != bytes.len() as isize {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Wipes this process's copy of the grader's command line and environment (their memory is
/// ours after `fork`), so `/proc/<init>/cmdline` and `environ` show nothing of them.
unsafe fn scrub_command_line() {
    // Fields 48 to 51 of /proc/self/stat: arg_start, arg_end, env_start, env_end.
    let mut buffer = [0u8; 2048];
    // SAFETY: reads into a stack buffer; writes only inside the ranges the kernel gives for
    // this process's own argument and environment memory.
    unsafe {
        let fd = libc::open(
            c"/proc/self/stat".as_ptr(),
            libc::O_RDONLY | libc::O_CLOEXEC,
        );
        if fd < 0 {
            return;
        }
        let length = libc::read(fd, buffer.as_mut_ptr().cast(), buffer.len());
        libc::close(fd);
        if length <= 0 {
            return;
        }
        let mut fields = [0usize; 52];
        stat_fields(&buffer[..length as usize], &mut fields);
        let (arg_start, arg_end, env_start, env_end) =
            (fields[48], fields[49], fields[50], fields[51]);
        if arg_start != 0 && arg_end > arg_start && arg_end - arg_start < 1 << 24 {
            std::ptr::write_bytes(arg_start as *mut u8, 0, arg_end - arg_start);
        }
        if env_start != 0 && env_end > env_start && env_end - env_start < 1 << 24 {
            std::ptr::write_bytes(env_start as *mut u8, 0, env_end - env_start);
        }
    }
}

/// Parses the numeric fields of a `/proc/<pid>/stat` text into `fields` (1-based, as
/// `proc(5)` numbers them; the name, field 2, and the state letter, field 3, read as 0).
pub(super) fn stat_fields(text: &[u8], fields: &mut [usize; 52]) {
    let Some(after_name) = text.iter().rposition(|&b| b == b')') else {
        return;
    };
    for (index, word) in text[after_name + 1..]
        .split(|&b| b == b' ' || b == b'\n')
        .filter(|word| !word.is_empty())
        .enumerate()
    {
        let field = index + 3;
        if field >= fields.len() {
            break;
        }
        let mut value = 0usize;
        for &byte in word.iter().filter(|b| b.is_ascii_digit()) {
            value = value
                .wrapping_mul(10)
                .wrapping_add(usize::from(byte - b'0'));
        }
        fields[field] = value;
    }
}

/// Kills every child of the calling thread, repeatedly (orphans of the killed ones come back
/// to it as a subreaper), and reaps them. Bounded.
unsafe fn kill_children() {
    let mut buffer = [0u8; 4096];
    // SAFETY: reads /proc into a stack buffer, sends signals, reaps; no allocation.
    unsafe {
        for _ in 0..50 {
            let fd = libc::open(
                c"/proc/thread-self/children".as_ptr(),
                libc::O_RDONLY | libc::O_CLOEXEC,
            );
            if fd < 0 {
                return;
            }
            let length = libc::read(fd, buffer.as_mut_ptr().cast(), buffer.len());
            libc::close(fd);
            if length <= 0 {
                return;
            }
            let mut pid: libc::pid_t = 0;
            for &byte in &buffer[..length as usize] {
                if byte.is_ascii_digit() {
                    pid = pid
                        .wrapping_mul(10)
                        .wrapping_add(libc::pid_t::from(byte - b'0'));
                } else if pid > 0 {
                    libc::kill(pid, libc::SIGKILL);
                    pid = 0;
                }
            }
            if pid > 0 {
                libc::kill(pid, libc::SIGKILL);
            }
            let mut status = 0;
            while libc::waitpid(-1, &mut status, libc::WNOHANG) > 0 {}
        }
    }
}

/// The relay: waits for init, then ends exactly as the program did.
unsafe fn relay(
    init: libc::pid_t,
    status_read: RawFd,
    status_write: RawFd,
    report_fd: RawFd,
    descriptor_bound: u32,
) -> io::Result<()> {
    // SAFETY: see `ChildSetup::apply`.
    unsafe {
        // Without a PID namespace the program sees the relay in /proc: nothing of the
        // grader's command line (a class folder's path, say) shows through it.
        scrub_command_line();
        libc::close(status_write);
        libc::close(report_fd);
        close_all_except(&[status_read], descriptor_bound);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_numbered_as_in_proc_5() {
        let text = std::fs::read("/proc/self/stat").unwrap();
        let mut fields = [0usize; 52];
        stat_fields(&text, &mut fields);
        let plain = String::from_utf8(text).unwrap();
        let after = &plain[plain.rfind(')').unwrap() + 2..];
        let words: Vec<&str> = after.split_whitespace().collect();
        // words[0] is field 3 (the state); field 4 is the parent, field 48 arg_start.
        assert_eq!(fields[4], words[1].parse::<usize>().unwrap());
        assert_eq!(fields[48], words[45].parse::<usize>().unwrap());
        assert_eq!(fields[51], words[48].parse::<usize>().unwrap());
        assert!(fields[49] > fields[48]);
    }
}
