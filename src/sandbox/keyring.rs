//! The kernel's keyrings are not the program's.
//!
//! A process inherits its parent's *session keyring*: whatever started the grader (a login
//! session, a CI job, `keyctl session`) may keep tokens or credentials there, and a program
//! that reads `@s` (`keyctl(KEYCTL_READ, KEY_SPEC_SESSION_KEYRING, …)`) would see them; user
//! namespaces do not change that. So, as container runtimes do (runc and crun join a fresh
//! session keyring for every container; their default seccomp profiles refuse the key calls),
//! the program's process, right before `exec`:
//!
//! - joins a fresh, empty, anonymous session keyring ([`join_fresh_session_keyring`]);
//! - in namespaces, installs a tiny seccomp filter that refuses `add_key`, `request_key` and
//!   `keyctl` with `EPERM` ([`refuse_key_calls`]), so neither the user keyring nor any other
//!   keyring the kernel would look up is reachable. On the host, the fence's filter already
//!   refuses them.
//!
//! Both run between `fork` and `exec`: plain system calls on static data, no allocation.

use std::io;

/// `keyctl` operation: join (here: create) a session keyring; with a null name an anonymous one.
const KEYCTL_JOIN_SESSION_KEYRING: libc::c_long = 1;

/// Whether this build refuses the key calls with a filter (x86_64 only, like the fence's).
const FILTER_AVAILABLE: bool = cfg!(target_arch = "x86_64");

/// Replaces the calling process's session keyring with a fresh, empty one of its own.
///
/// A kernel without keyrings (`ENOSYS`) has nothing to hide. Where a filter refuses the key
/// calls (x86_64) any other failure (the user's key quota) is ignored, since the program could
/// not read the old keyring anyway; elsewhere it is returned, and the run does not start.
///
/// # Safety
/// Between `fork` and `exec`.
pub unsafe fn join_fresh_session_keyring() -> io::Result<()> {
    // SAFETY: keyctl with a null name reads no memory.
    let result = unsafe {
        libc::syscall(
            libc::SYS_keyctl,
            KEYCTL_JOIN_SESSION_KEYRING,
            std::ptr::null::<libc::c_char>(),
        )
    };
    if result >= 0 {
        return Ok(());
    }
    let error = io::Error::last_os_error();
    if error.raw_os_error() == Some(libc::ENOSYS) || FILTER_AVAILABLE {
        Ok(())
    } else {
        Err(error)
    }
}

/// Installs the filter that refuses the key calls (`PR_SET_NO_NEW_PRIVS` first, which the
/// kernel requires of a process without privileges). Nothing on other architectures.
///
/// # Safety
/// Between `fork` and `exec`.
pub unsafe fn refuse_key_calls() -> io::Result<()> {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prctl and seccomp on this process; the kernel copies the static program.
    unsafe {
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            return Err(io::Error::last_os_error());
        }
        let program = libc::sock_fprog {
            len: filter::PROGRAM.len() as u16,
            filter: filter::PROGRAM.as_ptr().cast_mut(),
        };
        if libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            0u32,
            &raw const program,
        ) != 0
        {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The filter (classic BPF, x86_64).
#[cfg(target_arch = "x86_64")]
mod filter {
    /// `AUDIT_ARCH_X86_64`: EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE.
    pub const ARCH_X86_64: u32 = 62 | 0x8000_0000 | 0x4000_0000;
    /// `AUDIT_ARCH_I386`: EM_386 | __AUDIT_ARCH_LE (`int 0x80` from any process).
    pub const ARCH_I386: u32 = 3 | 0x4000_0000;
    /// x32 system calls: the x86_64 number with this bit (the key calls are shared).
    const X32_SYSCALL_BIT: u32 = 0x4000_0000;
    /// The i386 numbers of add_key, request_key and keyctl.
    pub const I386_KEY_CALLS: [u32; 3] = [286, 287, 288];
    /// The x86_64 numbers.
    pub const KEY_CALLS: [u32; 3] = [
        libc::SYS_add_key as u32,
        libc::SYS_request_key as u32,
        libc::SYS_keyctl as u32,
    ];

    const LOAD: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
    const AND: u16 = (libc::BPF_ALU | libc::BPF_AND | libc::BPF_K) as u16;
    const JEQ: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
    const RET: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
    /// Offsets in `struct seccomp_data`.
    const NR: u32 = 0;
    const ARCH: u32 = 4;
    pub const ALLOW: u32 = libc::SECCOMP_RET_ALLOW;
    pub const EPERM: u32 = libc::SECCOMP_RET_ERRNO | libc::EPERM as u32;

    const fn op(code: u16, jt: u8, jf: u8, k: u32) -> libc::sock_filter {
        libc::sock_filter { code, jt, jf, k }
    }

    /// Jumps are relative to the next instruction; every one goes forward.
    pub static PROGRAM: [libc::sock_filter; 14] = [
        /* 0 */ op(LOAD, 0, 0, ARCH),
        /* 1 */ op(JEQ, 1, 0, ARCH_X86_64), // → 3
        /* 2 */ op(JEQ, 5, 9, ARCH_I386), // → 8, else → 12
        /* 3 */ op(LOAD, 0, 0, NR),
        /* 4 */ op(AND, 0, 0, !X32_SYSCALL_BIT),
        /* 5 */ op(JEQ, 7, 0, KEY_CALLS[0]), // → 13
        /* 6 */ op(JEQ, 6, 0, KEY_CALLS[1]), // → 13
        /* 7 */ op(JEQ, 5, 4, KEY_CALLS[2]), // → 13, else → 12
        /* 8 */ op(LOAD, 0, 0, NR),
        /* 9 */ op(JEQ, 3, 0, I386_KEY_CALLS[0]), // → 13
        /* 10 */ op(JEQ, 2, 0, I386_KEY_CALLS[1]), // → 13
        /* 11 */ op(JEQ, 1, 0, I386_KEY_CALLS[2]), // → 13, else → 12
        /* 12 */ op(RET, 0, 0, ALLOW),
        /* 13 */ op(RET, 0, 0, EPERM),
    ];
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::filter::*;
    use super::*;

    /// Runs the program on (arch, nr) as the kernel would (the instructions it uses).
    fn verdict(arch: u32, nr: u32) -> u32 {
        let mut a = 0u32;
        let mut pc = 0usize;
        for _ in 0..PROGRAM.len() {
            let instruction = PROGRAM[pc];
            pc += 1;
            match u32::from(instruction.code) {
                code if code == libc::BPF_LD | libc::BPF_W | libc::BPF_ABS => {
                    a = if instruction.k == 0 { nr } else { arch };
                }
                code if code == libc::BPF_ALU | libc::BPF_AND | libc::BPF_K => a &= instruction.k,
                code if code == libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K => {
                    pc += usize::from(if a == instruction.k {
                        instruction.jt
                    } else {
                        instruction.jf
                    });
                }
                code if code == libc::BPF_RET | libc::BPF_K => return instruction.k,
                other => panic!("unexpected instruction {other:#x}"),
            }
        }
        panic!("the filter ran off its end");
    }

    #[test]
    fn the_filter_refuses_the_key_calls_of_every_x86_abi_and_nothing_else() {
        for nr in KEY_CALLS {
            assert_eq!(verdict(ARCH_X86_64, nr), EPERM, "x86_64 {nr}");
            assert_eq!(verdict(ARCH_X86_64, nr | 0x4000_0000), EPERM, "x32 {nr}");
        }
        for nr in I386_KEY_CALLS {
            assert_eq!(verdict(ARCH_I386, nr), EPERM, "i386 {nr}");
        }
        for nr in [0, 1, 56, 57, 59, 231, 251, 285, 289, 435] {
            assert_eq!(verdict(ARCH_X86_64, nr), ALLOW, "x86_64 {nr}");
            assert_eq!(verdict(ARCH_I386, nr), ALLOW, "i386 {nr}");
        }
        assert_eq!(verdict(0xc000_00b7, 250), ALLOW, "another architecture");
    }

    /// In a forked child: a key in a session keyring of its own, then the program's steps; it
    /// reports whether the key is still reachable, and what keyctl says after the filter.
    #[test]
    fn a_fresh_session_keyring_and_the_filter_leave_the_program_no_key() {
        let mut pipe = [0; 2];
        // SAFETY: pipe2 writes two descriptors into the array.
        assert_eq!(
            unsafe { libc::pipe2(pipe.as_mut_ptr(), libc::O_CLOEXEC) },
            0
        );
        let [read_end, write_end] = pipe;
        // SAFETY: the child makes only system calls on static data, then _exits.
        let child = unsafe { libc::fork() };
        assert!(child >= 0);
        if child == 0 {
            // SAFETY: as above.
            unsafe {
                let key_spec_session: libc::c_long = -3;
                let mut report = [0i64; 4];
                libc::syscall(
                    libc::SYS_keyctl,
                    KEYCTL_JOIN_SESSION_KEYRING,
                    std::ptr::null::<libc::c_char>(),
                );
                let payload = b"grader-token";
                let key = libc::syscall(
                    libc::SYS_add_key,
                    c"user".as_ptr(),
                    c"netgrade-test".as_ptr(),
                    payload.as_ptr(),
                    payload.len(),
                    key_spec_session,
                );
                report[0] = key;
                report[1] = join_fresh_session_keyring().map_or(-1, |()| 0);
                // KEYCTL_SEARCH (10) in the session keyring: gone?
                report[2] = libc::syscall(
                    libc::SYS_keyctl,
                    10 as libc::c_long,
                    key_spec_session,
                    c"user".as_ptr(),
                    c"netgrade-test".as_ptr(),
                    0 as libc::c_long,
                );
                report[3] = match refuse_key_calls() {
                    // KEYCTL_GET_KEYRING_ID (0) of the session keyring.
                    Ok(()) => {
                        let id = libc::syscall(libc::SYS_keyctl, 0 as libc::c_long, -3i64, 0i64);
                        if id < 0 {
                            i64::from(*libc::__errno_location())
                        } else {
                            0
                        }
                    }
                    Err(_) => -1,
                };
                libc::write(write_end, report.as_ptr().cast(), size_of_val(&report));
                libc::_exit(0);
            }
        }
        let mut report = [0i64; 4];
        // SAFETY: reads into a local array; closes our descriptors; reaps the child.
        unsafe {
            libc::close(write_end);
            let got = libc::read(read_end, report.as_mut_ptr().cast(), size_of_val(&report));
            libc::close(read_end);
            libc::waitpid(child, std::ptr::null_mut(), 0);
            assert_eq!(got as usize, size_of_val(&report));
        }
        assert!(report[0] > 0, "the key could not be added: {report:?}");
        assert_eq!(report[1], 0, "joining a fresh keyring failed: {report:?}");
        assert!(report[2] < 0, "the key is still in the session keyring");
        assert_eq!(report[3], i64::from(libc::EPERM), "keyctl after the filter");
    }
}
