//! The system-call part of the [`super::Fence`]: a classic BPF seccomp filter (x86_64).

#[cfg(target_arch = "x86_64")]
pub(super) use filter::Filter;

/// The seccomp filter (x86_64).
#[cfg(target_arch = "x86_64")]
pub(super) mod filter {
    use std::io;

    /// `AUDIT_ARCH_X86_64`: EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE.
    const AUDIT_ARCH_X86_64: u32 = 62 | 0x8000_0000 | 0x4000_0000;
    /// System call numbers with this bit are x32 calls (same `arch`, different numbers).
    const X32_SYSCALL_BIT: u32 = 0x4000_0000;
    /// The sign bit of a 32-bit pid.
    const NEGATIVE: u32 = 0x8000_0000;
    const F_SETOWN: u32 = 8;
    const F_SETOWN_EX: u32 = 15;
    const PRIO_PROCESS: u32 = 0;
    const IOPRIO_WHO_PROCESS: u32 = 1;
    /// `SOCK_TYPE_MASK`: the type without SOCK_NONBLOCK / SOCK_CLOEXEC.
    const SOCK_TYPE_MASK: u32 = 0xf;

    const RET_ALLOW: u32 = libc::SECCOMP_RET_ALLOW;
    const RET_EPERM: u32 = libc::SECCOMP_RET_ERRNO | libc::EPERM as u32;
    const RET_ENOSYS: u32 = libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32;

    // Offsets in `struct seccomp_data`: nr, arch, instruction_pointer, args[6].
    const NR: u32 = 0;
    const ARCH: u32 = 4;
    /// The low 32 bits (little-endian) of argument `index`: every argument tested is a C
    /// `int` (pid, signal target, command, domain, type), which the kernel truncates too.
    const fn arg(index: u32) -> u32 {
        16 + 8 * index
    }
    const fn nr(number: libc::c_long) -> Value {
        Value::Fixed(number as u32)
    }

    /// A comparison operand: fixed, or known only in the program's process.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Value {
        Fixed(u32),
        /// The program's pid (`getpid()` when the fence is applied).
        OwnPid,
        /// Minus it, as a 32-bit word.
        MinusOwnPid,
        /// The program's process group.
        Group,
        /// Minus it, as a 32-bit word (`kill(-group, …)`).
        MinusGroup,
        /// The grader's pid and process group (when the filter was built): never a target,
        /// even when pids have wrapped and they look "later" than the program.
        Grader,
        GraderGroup,
        MinusGraderGroup,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum To {
        Next,
        Allow,
        Deny,
        Label(usize),
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Cmp {
        Jeq,
        Jgt,
        Jge,
        Jset,
    }

    #[derive(Clone, Copy, Debug)]
    enum Op {
        /// Where a label points (not an instruction).
        Mark(usize),
        /// A = 32-bit word at this offset of `seccomp_data`.
        Load(u32),
        /// A &= constant.
        And(u32),
        /// Unconditional jump to a label.
        Jump(usize),
        /// Compare A (unsigned 32 bits) and jump.
        If(Cmp, Value, To, To),
        /// Return a verdict.
        Ret(u32),
    }

    // Labels.
    const KILL: usize = 0;
    const FCNTL: usize = 1;
    const SIGNAL_TARGET: usize = 2;
    const SETPRIORITY: usize = 3;
    const IOPRIO_SET: usize = 4;
    const SETPGID: usize = 5;
    const PID_ARG: usize = 6;
    const TGID_ARG: usize = 7;
    const SELF_OR_LATER: usize = 8;
    const AT_LEAST_OWN: usize = 9;
    const SOCKET: usize = 10;
    const SOCKETPAIR: usize = 11;
    const NO_SYS: usize = 12;
    const LABELS: usize = 13;

    use Cmp::{Jeq, Jge, Jgt, Jset};
    use Op::{And, If, Jump, Load, Mark, Ret};
    use To::{Allow, Deny, Label, Next};
    use Value::{
        Fixed, Grader, GraderGroup, Group, MinusGraderGroup, MinusGroup, MinusOwnPid, OwnPid,
    };

    /// The filter, as written. Every jump goes forward, as classic BPF requires.
    const PROGRAM: &[Op] = &[
        // Another ABI (i386 through int 0x80, x32): other numbers; refuse all of it.
        Load(ARCH),
        If(Jeq, Fixed(AUDIT_ARCH_X86_64), Next, Label(NO_SYS)),
        Load(NR),
        If(Jset, Fixed(X32_SYSCALL_BIT), Label(NO_SYS), Next),
        // Always refused: reading or changing other processes, pidfds (which could signal
        // anyone), io_uring (its operations would not pass this filter), the user's keyrings.
        If(Jeq, nr(libc::SYS_ptrace), Deny, Next),
        If(Jeq, nr(libc::SYS_process_vm_readv), Deny, Next),
        If(Jeq, nr(libc::SYS_process_vm_writev), Deny, Next),
        If(Jeq, nr(libc::SYS_pidfd_open), Deny, Next),
        If(Jeq, nr(libc::SYS_pidfd_send_signal), Deny, Next),
        If(Jeq, nr(libc::SYS_pidfd_getfd), Deny, Next),
        If(Jeq, nr(libc::SYS_tkill), Deny, Next),
        If(Jeq, nr(libc::SYS_io_uring_setup), Deny, Next),
        If(Jeq, nr(libc::SYS_io_uring_enter), Deny, Next),
        If(Jeq, nr(libc::SYS_io_uring_register), Deny, Next),
        If(Jeq, nr(libc::SYS_keyctl), Deny, Next),
        If(Jeq, nr(libc::SYS_add_key), Deny, Next),
        If(Jeq, nr(libc::SYS_request_key), Deny, Next),
        // Calls whose arguments decide.
        If(Jeq, nr(libc::SYS_kill), Label(KILL), Next),
        If(Jeq, nr(libc::SYS_tgkill), Label(TGID_ARG), Next),
        If(Jeq, nr(libc::SYS_rt_sigqueueinfo), Label(TGID_ARG), Next),
        If(Jeq, nr(libc::SYS_rt_tgsigqueueinfo), Label(TGID_ARG), Next),
        If(Jeq, nr(libc::SYS_fcntl), Label(FCNTL), Next),
        If(Jeq, nr(libc::SYS_prlimit64), Label(PID_ARG), Next),
        If(Jeq, nr(libc::SYS_sched_setaffinity), Label(PID_ARG), Next),
        If(Jeq, nr(libc::SYS_sched_setscheduler), Label(PID_ARG), Next),
        If(Jeq, nr(libc::SYS_sched_setparam), Label(PID_ARG), Next),
        If(Jeq, nr(libc::SYS_sched_setattr), Label(PID_ARG), Next),
        If(Jeq, nr(libc::SYS_setpriority), Label(SETPRIORITY), Next),
        If(Jeq, nr(libc::SYS_ioprio_set), Label(IOPRIO_SET), Next),
        If(Jeq, nr(libc::SYS_setpgid), Label(SETPGID), Next),
        If(Jeq, nr(libc::SYS_socket), Label(SOCKET), Next),
        If(Jeq, nr(libc::SYS_socketpair), Label(SOCKETPAIR), Next),
        Ret(RET_ALLOW),
        // kill(pid, sig): a signal target.
        Mark(KILL),
        Load(arg(0)),
        Jump(SIGNAL_TARGET),
        // fcntl(fd, F_SETOWN, target): SIGIO (or F_SETSIG's signal) goes to the target.
        // F_SETOWN_EX passes a pointer the filter cannot read.
        Mark(FCNTL),
        Load(arg(1)),
        If(Jeq, Fixed(F_SETOWN_EX), Deny, Next),
        If(Jeq, Fixed(F_SETOWN), Next, Allow),
        Load(arg(2)),
        // A signal target in A: 0 (own group), -group, minus a group led by a later process,
        // or a process: itself or a later one.
        Mark(SIGNAL_TARGET),
        If(Jeq, Fixed(0), Allow, Next),
        If(Jeq, MinusGroup, Allow, Next),
        If(Jset, Fixed(NEGATIVE), Next, Label(AT_LEAST_OWN)),
        // Negative, -x: allowed when x >= own pid, i.e. 0x8000_0000 < A <= -own pid (this
        // leaves out -1, every process, and INT_MIN).
        If(Jgt, Fixed(NEGATIVE), Next, Deny),
        If(Jeq, MinusGraderGroup, Deny, Next),
        If(Jgt, MinusOwnPid, Deny, Allow),
        // setpriority(which, who, prio): one process only.
        Mark(SETPRIORITY),
        Load(arg(0)),
        If(Jeq, Fixed(PRIO_PROCESS), Next, Deny),
        Load(arg(1)),
        Jump(SELF_OR_LATER),
        // ioprio_set(which, who, prio): one process only.
        Mark(IOPRIO_SET),
        Load(arg(0)),
        If(Jeq, Fixed(IOPRIO_WHO_PROCESS), Next, Deny),
        Load(arg(1)),
        Jump(SELF_OR_LATER),
        // setpgid(pid, pgid): into the program's group, a new one, or a later process's
        // (never the grader's, where kill(0, …) would then reach it).
        Mark(SETPGID),
        Load(arg(1)),
        If(Jeq, Group, Allow, Label(SELF_OR_LATER)),
        // A first argument that is a pid, 0 meaning the caller.
        Mark(PID_ARG),
        Load(arg(0)),
        Jump(SELF_OR_LATER),
        // A first argument that is a thread group id.
        Mark(TGID_ARG),
        Load(arg(0)),
        Jump(AT_LEAST_OWN),
        Mark(SELF_OR_LATER),
        If(Jeq, Fixed(0), Allow, Next),
        // A positive pid at least the program's own: itself, or started after it.
        Mark(AT_LEAST_OWN),
        If(Jset, Fixed(NEGATIVE), Deny, Next),
        If(Jeq, Grader, Deny, Next),
        If(Jeq, GraderGroup, Deny, Next),
        If(Jge, OwnPid, Allow, Deny),
        // socket(domain, type, protocol): no unix sockets (connecting to a named one would
        // reach the user's services).
        Mark(SOCKET),
        Load(arg(0)),
        If(Jeq, Fixed(libc::AF_UNIX as u32), Deny, Allow),
        // socketpair(domain, type, …): no datagram pairs (sendto could name any socket).
        Mark(SOCKETPAIR),
        Load(arg(1)),
        And(SOCK_TYPE_MASK),
        If(Jeq, Fixed(libc::SOCK_DGRAM as u32), Deny, Allow),
        Mark(NO_SYS),
        Ret(RET_ENOSYS),
    ];

    /// Room for the lowered program (it has 69 instructions).
    const CAPACITY: usize = 128;

    /// The lowered filter, with the places where `apply` writes the run's numbers.
    pub struct Filter {
        code: [libc::sock_filter; CAPACITY],
        holes: [Value; CAPACITY],
        pub len: usize,
        grader: libc::pid_t,
        grader_group: libc::pid_t,
    }

    impl Filter {
        /// Lowers [`PROGRAM`] (two verdicts, Allow and Deny, are appended at its end).
        pub fn build() -> Filter {
            let empty = libc::sock_filter {
                code: 0,
                jt: 0,
                jf: 0,
                k: 0,
            };
            let mut filter = Filter {
                code: [empty; CAPACITY],
                holes: [Value::Fixed(0); CAPACITY],
                len: 0,
                // SAFETY: getpid and getpgrp cannot fail.
                grader: unsafe { libc::getpid() },
                grader_group: unsafe { libc::getpgrp() },
            };
            // Pass 1: where each label and the appended verdicts are.
            let mut labels = [usize::MAX; LABELS];
            let mut count = 0;
            for op in PROGRAM {
                match op {
                    Mark(label) => labels[*label] = count,
                    _ => count += 1,
                }
            }
            let allow = count;
            let deny = count + 1;
            filter.len = count + 2;
            assert!(filter.len <= CAPACITY, "seccomp filter too long");
            let target = |to: To| match to {
                Next => None,
                Allow => Some(allow),
                Deny => Some(deny),
                Label(label) => Some(labels[label]),
            };
            // Pass 2: instructions.
            let mut at = 0;
            for op in PROGRAM {
                let offset = |to: Option<usize>| -> u32 {
                    let to = to.unwrap_or(at + 1);
                    assert!(to != usize::MAX && to > at, "seccomp filter jumps back");
                    (to - at - 1) as u32
                };
                let short = |to: To| -> u8 {
                    u8::try_from(offset(target(to))).expect("seccomp filter jump too far")
                };
                let (code, jt, jf, k, hole) = match *op {
                    Mark(_) => continue,
                    Load(position) => (
                        libc::BPF_LD | libc::BPF_W | libc::BPF_ABS,
                        0,
                        0,
                        position,
                        Value::Fixed(0),
                    ),
                    And(mask) => (
                        libc::BPF_ALU | libc::BPF_AND | libc::BPF_K,
                        0,
                        0,
                        mask,
                        Value::Fixed(0),
                    ),
                    Jump(label) => (
                        libc::BPF_JMP | libc::BPF_JA,
                        0,
                        0,
                        offset(Some(labels[label])),
                        Value::Fixed(0),
                    ),
                    If(cmp, value, yes, no) => {
                        let jump = match cmp {
                            Jeq => libc::BPF_JEQ,
                            Jgt => libc::BPF_JGT,
                            Jge => libc::BPF_JGE,
                            Jset => libc::BPF_JSET,
                        };
                        let k = match value {
                            Value::Fixed(k) => k,
                            _ => 0,
                        };
                        (
                            libc::BPF_JMP | jump | libc::BPF_K,
                            short(yes),
                            short(no),
                            k,
                            value,
                        )
                    }
                    Ret(verdict) => (libc::BPF_RET | libc::BPF_K, 0, 0, verdict, Value::Fixed(0)),
                };
                filter.code[at] = libc::sock_filter {
                    code: code as u16,
                    jt,
                    jf,
                    k,
                };
                filter.holes[at] = hole;
                at += 1;
            }
            for (index, verdict) in [(allow, RET_ALLOW), (deny, RET_EPERM)] {
                filter.code[index] = libc::sock_filter {
                    code: (libc::BPF_RET | libc::BPF_K) as u16,
                    jt: 0,
                    jf: 0,
                    k: verdict,
                };
            }
            filter
        }

        /// The filter for a program of pid `own` in process group `group`.
        pub fn for_process(
            &self,
            own: libc::pid_t,
            group: libc::pid_t,
        ) -> [libc::sock_filter; CAPACITY] {
            let mut code = self.code;
            for (instruction, hole) in code.iter_mut().zip(self.holes).take(self.len) {
                match hole {
                    Value::Fixed(_) => {}
                    Value::OwnPid => instruction.k = own as u32,
                    Value::MinusOwnPid => instruction.k = (own as u32).wrapping_neg(),
                    Value::Group => instruction.k = group as u32,
                    Value::MinusGroup => instruction.k = (group as u32).wrapping_neg(),
                    Value::Grader => instruction.k = self.grader as u32,
                    Value::GraderGroup => instruction.k = self.grader_group as u32,
                    Value::MinusGraderGroup => {
                        instruction.k = (self.grader_group as u32).wrapping_neg()
                    }
                }
            }
            code
        }

        /// Installs the filter on the calling thread (and what it starts).
        ///
        /// # Safety
        /// Between fork and exec; `PR_SET_NO_NEW_PRIVS` must be set.
        pub unsafe fn install(&self, own: libc::pid_t, group: libc::pid_t) -> io::Result<()> {
            let mut code = self.for_process(own, group);
            let program = libc::sock_fprog {
                len: self.len as u16,
                filter: code.as_mut_ptr(),
            };
            // SAFETY: the kernel copies the program, alive for the call.
            let result = unsafe {
                libc::syscall(
                    libc::SYS_seccomp,
                    libc::SECCOMP_SET_MODE_FILTER,
                    0u32,
                    &raw const program,
                )
            };
            super::super::check(result).map(drop)
        }
    }

    /// Runs the lowered filter on `data` as the kernel would (for tests).
    #[cfg(test)]
    pub fn evaluate(code: &[libc::sock_filter], len: usize, data: &[u32; 16]) -> u32 {
        let mut a = 0u32;
        let mut pc = 0;
        while pc < len {
            let instruction = code[pc];
            let op = u32::from(instruction.code);
            pc += 1;
            if op == libc::BPF_LD | libc::BPF_W | libc::BPF_ABS {
                a = data[instruction.k as usize / 4];
            } else if op == libc::BPF_ALU | libc::BPF_AND | libc::BPF_K {
                a &= instruction.k;
            } else if op == libc::BPF_JMP | libc::BPF_JA {
                pc += instruction.k as usize;
            } else if op & 0x07 == libc::BPF_JMP {
                let taken = match op & 0xf0 {
                    x if x == libc::BPF_JEQ => a == instruction.k,
                    x if x == libc::BPF_JGT => a > instruction.k,
                    x if x == libc::BPF_JGE => a >= instruction.k,
                    x if x == libc::BPF_JSET => a & instruction.k != 0,
                    _ => panic!("unknown jump {op:#x}"),
                };
                pc += usize::from(if taken {
                    instruction.jt
                } else {
                    instruction.jf
                });
            } else if op == libc::BPF_RET | libc::BPF_K {
                return instruction.k;
            } else {
                panic!("unknown instruction {op:#x}");
            }
        }
        panic!("the filter ran off its end");
    }

    #[cfg(test)]
    pub const ALLOW: u32 = RET_ALLOW;
    #[cfg(test)]
    pub const EPERM: u32 = RET_EPERM;
    #[cfg(test)]
    pub const ENOSYS: u32 = RET_ENOSYS;
    #[cfg(test)]
    pub const ARCH_X86_64: u32 = AUDIT_ARCH_X86_64;
}

/// No seccomp filter outside x86_64 (its system call numbers are those of x86_64).
#[cfg(not(target_arch = "x86_64"))]
struct Filter {
    len: usize,
}

#[cfg(not(target_arch = "x86_64"))]
impl Filter {
    fn build() -> Filter {
        Filter { len: 0 }
    }

    unsafe fn install(&self, _own: libc::pid_t, _group: libc::pid_t) -> io::Result<()> {
        Ok(())
    }
}
