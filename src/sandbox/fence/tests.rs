//! The fence, proven on real processes: a forked child applies it and tries what a hostile
//! program would; Python starts and works under it.

use std::ffi::CString;
use std::os::fd::RawFd;
use std::os::unix::ffi::OsStrExt;

use super::landlock::{PathBeneathAttr, RulesetAttr, handled_access_fs, landlock_abi, scoped};
use super::*;

/// The result of one check in the fenced process: the call's return value and errno.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
struct Outcome {
    ret: i64,
    errno: i32,
    done: i32,
}

const MAX_CHECKS: usize = 40;

/// Where a fenced process writes its outcomes: no allocation, plain system calls.
struct Outcomes {
    list: [Outcome; MAX_CHECKS],
}

impl Outcomes {
    fn record(&mut self, index: usize, ret: i64) {
        // SAFETY: reads this thread's errno.
        let errno = unsafe { *libc::__errno_location() };
        self.list[index] = Outcome {
            ret,
            errno: if ret < 0 { errno } else { 0 },
            done: 1,
        };
    }

    /// Sends the outcomes through `fd`.
    fn send(&self, fd: RawFd) {
        let bytes = size_of::<[Outcome; MAX_CHECKS]>();
        // SAFETY: writes the array, alive for the call.
        unsafe { libc::write(fd, self.list.as_ptr().cast(), bytes) };
    }
}

fn c(text: &str) -> CString {
    CString::new(text).unwrap()
}

fn path_c(path: &Path) -> CString {
    CString::new(path.as_os_str().as_bytes()).unwrap()
}

/// Forks a group leader (as the supervisor's relay is in netgrade), which forks the
/// program's process; that one applies `fence` with the leader's group and runs `body`
/// (async-signal-safe only), whose outcomes come back. Panics if the fence cannot apply.
fn in_fenced_process(
    fence: &Fence,
    body: impl Fn(&mut Outcomes, libc::pid_t),
) -> [Outcome; MAX_CHECKS] {
    let mut pipe = [0; 2];
    // SAFETY: pipe2 writes two descriptors into the array.
    assert_eq!(
        unsafe { libc::pipe2(pipe.as_mut_ptr(), libc::O_CLOEXEC) },
        0
    );
    let [read_end, write_end] = pipe;
    // SAFETY: the child makes only async-signal-safe system calls, then _exits; the
    // closure only makes system calls on data prepared before the fork.
    let leader = unsafe { libc::fork() };
    assert!(leader >= 0, "fork: {}", io::Error::last_os_error());
    if leader == 0 {
        unsafe {
            libc::close(read_end);
            libc::setpgid(0, 0);
            let group = libc::getpid();
            let program = libc::fork();
            if program == 0 {
                let mut outcomes = Outcomes {
                    list: [Outcome::default(); MAX_CHECKS],
                };
                if fence.apply(group).is_err() {
                    libc::_exit(99);
                }
                body(&mut outcomes, group);
                outcomes.send(write_end);
                libc::_exit(0);
            }
            let mut status = 0;
            libc::waitpid(program, &mut status, 0);
            libc::_exit(if libc::WIFEXITED(status) {
                libc::WEXITSTATUS(status)
            } else {
                100 + libc::WTERMSIG(status)
            });
        }
    }
    // SAFETY: closes our copy of the write end, reads into a local array, reaps the child.
    unsafe {
        libc::close(write_end);
        let mut list = [Outcome::default(); MAX_CHECKS];
        let bytes = size_of::<[Outcome; MAX_CHECKS]>();
        let mut got = 0;
        while got < bytes {
            let n = libc::read(
                read_end,
                list.as_mut_ptr().cast::<u8>().add(got).cast(),
                bytes - got,
            );
            if n <= 0 {
                break;
            }
            got += n as usize;
        }
        libc::close(read_end);
        let mut status = 0;
        libc::waitpid(leader, &mut status, 0);
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "the fenced process failed (status {status:#x}; exit 99: apply failed)"
        );
        assert_eq!(got, bytes, "the fenced process sent no outcomes");
        list
    }
}

#[derive(Debug)]
enum Expect {
    Works,
    Fails(i32),
    /// Succeeds with exactly this return value.
    Returns(i64),
}

fn judge(outcomes: &[Outcome; MAX_CHECKS], expectations: &[(usize, &str, Expect)]) {
    let mut wrong = Vec::new();
    for (index, what, expect) in expectations {
        let outcome = outcomes[*index];
        let fine = outcome.done == 1
            && match expect {
                Expect::Works => outcome.ret >= 0,
                Expect::Fails(errno) => outcome.ret < 0 && outcome.errno == *errno,
                Expect::Returns(value) => outcome.ret == *value,
            };
        if !fine {
            wrong.push(format!(
                "{what}: expected {expect:?}, got ret {} errno {} ({})",
                outcome.ret,
                outcome.errno,
                io::Error::from_raw_os_error(outcome.errno)
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "fence checks failed:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn landlock_is_available_here() {
    // The fence's file rules need it; a kernel without it fails here, loudly, instead of the
    // file checks below passing without checking anything.
    assert!(landlock_abi().is_some(), "this kernel offers no Landlock");
}

#[test]
fn ruleset_attributes_have_the_kernels_layout() {
    assert_eq!(size_of::<RulesetAttr>(), 24);
    assert_eq!(size_of::<PathBeneathAttr>(), 12);
    assert_eq!(handled_access_fs(1), 0x1fff);
    assert_eq!(handled_access_fs(2), 0x3fff);
    assert_eq!(handled_access_fs(4), 0x7fff);
    assert_eq!(handled_access_fs(7), 0xffff);
    assert_eq!(scoped(5), 0);
    assert_eq!(scoped(6), 3);
}

#[cfg(target_arch = "x86_64")]
#[test]
fn filter_decides_pid_arguments_as_signed_32_bit_numbers() {
    use super::seccomp::filter::{ALLOW, ARCH_X86_64, ENOSYS, EPERM, evaluate};
    let own = 5000;
    let group = 4990;
    let built = Filter::build();
    let code = built.for_process(own, group);
    let run = |nr: libc::c_long, args: [i64; 3]| {
        let mut data = [0u32; 16];
        data[0] = nr as u32;
        data[1] = ARCH_X86_64;
        for (index, value) in args.into_iter().enumerate() {
            data[4 + 2 * index] = value as u32;
            data[5 + 2 * index] = (value >> 32) as u32;
        }
        evaluate(&code, built.len, &data)
    };
    let kill = |pid: i64| run(libc::SYS_kill, [pid, 0, 0]);
    assert_eq!(kill(0), ALLOW);
    assert_eq!(kill(own.into()), ALLOW);
    assert_eq!(kill(own as i64 + 1), ALLOW);
    assert_eq!(kill(-i64::from(group)), ALLOW);
    assert_eq!(kill(-i64::from(own) - 3), ALLOW, "a later child's group");
    assert_eq!(kill(-i64::from(own)), ALLOW);
    assert_eq!(kill(i64::from(group)), EPERM, "the relay itself");
    assert_eq!(kill(1), EPERM);
    assert_eq!(kill(own as i64 - 1), EPERM, "the grader");
    assert_eq!(kill(-1), EPERM, "everyone");
    assert_eq!(kill(-2), EPERM);
    assert_eq!(kill(-i64::from(own) + 1), EPERM, "an earlier group");
    assert_eq!(kill(i64::from(i32::MIN)), EPERM);
    assert_eq!(kill(i64::from(i32::MAX)), ALLOW);
    // The high half of the 64-bit slot does not count (the kernel truncates to int).
    assert_eq!(kill(0x1_0000_0000 + 1), EPERM);
    let tgkill = |tgid: i64| run(libc::SYS_tgkill, [tgid, tgid, 0]);
    assert_eq!(tgkill(own.into()), ALLOW);
    assert_eq!(tgkill(own as i64 + 7), ALLOW);
    assert_eq!(tgkill(0), EPERM);
    assert_eq!(tgkill(own as i64 - 1), EPERM);
    assert_eq!(tgkill(-own as i64), EPERM);
    assert_eq!(run(libc::SYS_tkill, [own.into(), 0, 0]), EPERM);
    assert_eq!(run(libc::SYS_ptrace, [0, 0, 0]), EPERM);
    assert_eq!(run(libc::SYS_pidfd_open, [own.into(), 0, 0]), EPERM);
    assert_eq!(run(libc::SYS_prlimit64, [0, 7, 0]), ALLOW);
    assert_eq!(run(libc::SYS_prlimit64, [own as i64 - 1, 7, 0]), EPERM);
    assert_eq!(run(libc::SYS_setpriority, [0, 0, 5]), ALLOW);
    assert_eq!(run(libc::SYS_setpriority, [2, 0, 5]), EPERM, "PRIO_USER");
    assert_eq!(run(libc::SYS_setpgid, [0, 0, 0]), ALLOW);
    assert_eq!(run(libc::SYS_setpgid, [0, group.into(), 0]), ALLOW);
    assert_eq!(run(libc::SYS_setpgid, [0, 100, 0]), EPERM);
    let fcntl = |cmd: i64, arg: i64| run(libc::SYS_fcntl, [3, cmd, arg]);
    assert_eq!(fcntl(libc::F_GETFL.into(), 0), ALLOW);
    assert_eq!(fcntl(libc::F_SETOWN.into(), own.into()), ALLOW);
    assert_eq!(fcntl(libc::F_SETOWN.into(), 1), EPERM);
    assert_eq!(fcntl(libc::F_SETOWN.into(), -i64::from(group)), ALLOW);
    assert_eq!(fcntl(15, 0), EPERM, "F_SETOWN_EX");
    let socket = |domain: i32, kind: i32| run(libc::SYS_socket, [domain.into(), kind.into(), 0]);
    assert_eq!(socket(libc::AF_INET, libc::SOCK_STREAM), ALLOW);
    assert_eq!(socket(libc::AF_INET6, libc::SOCK_DGRAM), ALLOW);
    assert_eq!(socket(libc::AF_UNIX, libc::SOCK_STREAM), EPERM);
    let pair = |kind: i32| run(libc::SYS_socketpair, [libc::AF_UNIX.into(), kind.into(), 0]);
    assert_eq!(pair(libc::SOCK_STREAM | libc::SOCK_CLOEXEC), ALLOW);
    assert_eq!(pair(libc::SOCK_DGRAM | libc::SOCK_CLOEXEC), EPERM);
    assert_eq!(run(libc::SYS_read, [0, 0, 0]), ALLOW);
    assert_eq!(
        run(libc::SYS_getpid | 0x4000_0000, [0, 0, 0]),
        ENOSYS,
        "x32"
    );
    let mut i386 = [0u32; 16];
    i386[0] = 37; // kill on i386
    i386[1] = 0x4000_0003; // AUDIT_ARCH_I386
    assert_eq!(evaluate(&code, built.len, &i386), ENOSYS, "i386");
}

#[test]
fn fenced_process_keeps_to_its_folder_and_its_own_processes() {
    let folder = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, "other student's result").unwrap();
    let fence = Fence::prepare(folder.path()).unwrap();
    assert!(fence.restricts_files(), "this kernel offers no Landlock");
    eprintln!("{fence:?}");
    for needed in ["/usr/bin/env", "/etc/hostname", "/dev/null"] {
        assert!(
            Path::new(needed).exists(),
            "{needed} is missing on this machine"
        );
    }
    let secret_c = path_c(&secret);
    let outside_new = path_c(&outside.path().join("new.txt"));
    let outside_dir = path_c(outside.path());
    let tmp_new = c(&format!("/tmp/netgrade-fence-test-{}", std::process::id()));
    let written = path_c(&folder.path().join("written.txt"));
    let sub = path_c(&folder.path().join("sub"));
    let moved = path_c(&folder.path().join("sub/moved.txt"));
    let link = path_c(&folder.path().join("link"));
    let folder_c = path_c(folder.path());
    let env = c("/usr/bin/env");
    let hostname = c("/etc/hostname");
    let null = c("/dev/null");
    let grader = std::process::id() as libc::pid_t;
    // SAFETY: reads this process's group.
    let grader_group = unsafe { libc::getpgrp() };

    let outcomes = in_fenced_process(&fence, |out, group| unsafe {
        let mut buffer = [0u8; 16];
        let fd = libc::open(secret_c.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
        out.record(0, fd.into());
        let fd = libc::open(
            outside_new.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_CLOEXEC,
            0o600,
        );
        out.record(1, fd.into());
        let fd = libc::open(
            tmp_new.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_CLOEXEC,
            0o600,
        );
        out.record(2, fd.into());
        let fd = libc::open(
            outside_dir.as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
        );
        out.record(3, fd.into());
        let fd = libc::open(
            written.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC | libc::O_CLOEXEC,
            0o600,
        );
        out.record(4, libc::write(fd, b"hello".as_ptr().cast(), 5) as i64);
        libc::close(fd);
        let fd = libc::open(written.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
        out.record(5, libc::read(fd, buffer.as_mut_ptr().cast(), 16) as i64);
        libc::close(fd);
        out.record(6, libc::mkdir(sub.as_ptr(), 0o700).into());
        out.record(7, libc::rename(written.as_ptr(), moved.as_ptr()).into());
        out.record(8, libc::symlink(secret_c.as_ptr(), link.as_ptr()).into());
        let fd = libc::open(link.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
        out.record(9, fd.into());
        let fd = libc::open(folder_c.as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY);
        out.record(10, fd.into());
        let fd = libc::open(env.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
        out.record(11, libc::read(fd, buffer.as_mut_ptr().cast(), 4) as i64);
        let elf = buffer[..4] == *b"\x7fELF";
        out.record(12, if elf { 0 } else { -1 });
        let fd = libc::open(hostname.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
        out.record(13, fd.into());
        let fd = libc::open(
            null.as_ptr(),
            libc::O_WRONLY | libc::O_TRUNC | libc::O_CLOEXEC,
        );
        out.record(14, libc::write(fd, b"x".as_ptr().cast(), 1) as i64);
        // Signals.
        out.record(15, libc::kill(libc::getppid(), 0).into());
        out.record(16, libc::kill(grader, 0).into());
        out.record(17, libc::kill(0, 0).into());
        out.record(18, libc::kill(-group, 0).into());
        out.record(19, libc::kill(-1, 0).into());
        out.record(20, libc::kill(1, 0).into());
        let me = libc::getpid();
        out.record(21, libc::syscall(libc::SYS_tgkill, me, libc::gettid(), 0));
        out.record(22, libc::syscall(libc::SYS_tgkill, grader, grader, 0));
        out.record(23, libc::syscall(libc::SYS_tkill, libc::gettid(), 0));
        // A child of the program: a later pid, in the same Landlock domain.
        let child = libc::fork();
        if child == 0 {
            libc::_exit(0);
        }
        out.record(24, libc::kill(child, 0).into());
        let mut status = 0;
        libc::waitpid(child, &mut status, 0);
        // Tracing and limits of others.
        out.record(
            25,
            libc::syscall(libc::SYS_ptrace, libc::PTRACE_PEEKUSER, grader, 0, 0),
        );
        let mut limit: libc::rlimit = std::mem::zeroed();
        out.record(
            26,
            libc::syscall(
                libc::SYS_prlimit64,
                grader,
                libc::RLIMIT_NOFILE,
                std::ptr::null::<libc::rlimit>(),
                &raw mut limit,
            ),
        );
        out.record(
            27,
            libc::syscall(
                libc::SYS_prlimit64,
                0,
                libc::RLIMIT_NOFILE,
                std::ptr::null::<libc::rlimit>(),
                &raw mut limit,
            ),
        );
        out.record(28, libc::syscall(libc::SYS_pidfd_open, grader, 0));
        // Sockets.
        out.record(29, libc::socket(libc::AF_UNIX, libc::SOCK_STREAM, 0).into());
        let mut pair = [0; 2];
        out.record(
            30,
            libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM, 0, pair.as_mut_ptr()).into(),
        );
        let tcp = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        out.record(31, tcp.into());
        out.record(32, libc::fcntl(tcp, libc::F_SETOWN, grader).into());
        out.record(33, libc::fcntl(tcp, libc::F_SETOWN, me).into());
        out.record(34, libc::setpgid(0, grader_group).into());
        // The same kill through the i386 entry point (int 0x80, kill = 37).
        let result: i32;
        // rbx belongs to LLVM: swap the first argument in and back out.
        std::arch::asm!(
            "xchg {first}, rbx",
            "int 0x80",
            "xchg {first}, rbx",
            first = inout(reg) u64::from(grader as u32) => _,
            inlateout("eax") 37i32 => result,
            in("ecx") 0i32,
            out("r8") _,
            out("r9") _,
            out("r10") _,
            out("r11") _,
        );
        out.record(35, if result < 0 { result.into() } else { 0 });
        let mut params = [0u8; 120];
        out.record(
            36,
            libc::syscall(libc::SYS_io_uring_setup, 1, params.as_mut_ptr()),
        );
    });

    let mut expectations = vec![
        (4, "write a file in the folder", Expect::Returns(5)),
        (5, "read it back", Expect::Returns(5)),
        (6, "make a folder in the folder", Expect::Works),
        (8, "make a symbolic link in the folder", Expect::Works),
        (10, "list the folder", Expect::Works),
        (11, "read /usr/bin/env", Expect::Returns(4)),
        (12, "/usr/bin/env starts with ELF", Expect::Works),
        (13, "open /etc/hostname", Expect::Works),
        (14, "write /dev/null (O_TRUNC)", Expect::Returns(1)),
        (15, "kill(getppid(), 0)", Expect::Fails(libc::EPERM)),
        (16, "kill(grader, 0)", Expect::Fails(libc::EPERM)),
        (17, "kill(0, 0)", Expect::Works),
        (18, "kill(-group, 0)", Expect::Works),
        (19, "kill(-1, 0)", Expect::Fails(libc::EPERM)),
        (20, "kill(1, 0)", Expect::Fails(libc::EPERM)),
        (21, "tgkill(own, own thread, 0)", Expect::Works),
        (22, "tgkill(grader, grader, 0)", Expect::Fails(libc::EPERM)),
        (23, "tkill(own thread, 0)", Expect::Fails(libc::EPERM)),
        (24, "kill(own child, 0)", Expect::Works),
        (25, "ptrace(PEEKUSER, grader)", Expect::Fails(libc::EPERM)),
        (26, "prlimit64(grader)", Expect::Fails(libc::EPERM)),
        (27, "prlimit64(0)", Expect::Works),
        (28, "pidfd_open(grader)", Expect::Fails(libc::EPERM)),
        (29, "socket(AF_UNIX)", Expect::Fails(libc::EPERM)),
        (30, "socketpair(AF_UNIX, SOCK_STREAM)", Expect::Works),
        (31, "socket(AF_INET)", Expect::Works),
        (32, "fcntl(F_SETOWN, grader)", Expect::Fails(libc::EPERM)),
        (33, "fcntl(F_SETOWN, own pid)", Expect::Works),
        (34, "setpgid(0, grader's group)", Expect::Fails(libc::EPERM)),
        (
            35,
            "kill(grader) through int 0x80",
            Expect::Returns(-i64::from(libc::ENOSYS)),
        ),
        (36, "io_uring_setup", Expect::Fails(libc::EPERM)),
    ];
    {
        expectations.extend([
            (0, "read a file outside", Expect::Fails(libc::EACCES)),
            (1, "create a file outside", Expect::Fails(libc::EACCES)),
            (2, "create a file in /tmp", Expect::Fails(libc::EACCES)),
            (3, "list a folder outside", Expect::Fails(libc::EACCES)),
            (
                9,
                "read outside through a link",
                Expect::Fails(libc::EACCES),
            ),
        ]);
        if fence.abi >= 2 {
            expectations.push((7, "rename into a subfolder", Expect::Works));
        }
    }
    judge(&outcomes, &expectations);
    assert!(
        folder.path().join("sub/moved.txt").exists() || fence.abi < 2,
        "the fenced write did not land in the folder"
    );
    assert!(!outside.path().join("new.txt").exists());
}
