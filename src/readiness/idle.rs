//! Idle: [`is_idle`] — every thread of the program waits *indefinitely for input*.
//!
//! A program is idle when it will not do anything more until the grader gives it input: every
//! thread is blocked (state `S`) in a system call that waits for something from outside with
//! no timeout — reading stdin, `recv`, `accept`, `poll`/`select`/`epoll_wait` or a futex
//! without a timeout. A thread in a wait *with* a timeout is busy: `time.sleep(1)`,
//! `threading.Event().wait(1)`, `select.select([], [], [], 1)`, `socket.settimeout(1)` then
//! `accept()`, `await asyncio.sleep(0.2)`, `socketserver`'s polling loop — the program will do
//! something by itself when the timeout runs out, so the grader waits for it (up to the step's
//! timeout). So is a thread blocked writing to a full pipe or socket (the grader is reading).
//!
//! `/proc/<pid>/task/<tid>/syscall` names the call a blocked thread is in and its arguments
//! (`NR a1 … a6 sp pc`; NR in decimal, the rest in hex); where the timeout argument is a
//! pointer, NULL means "no timeout"; where it is an int of milliseconds, a negative value
//! does (the kernel shows ints as 32-bit values, so `-1` reads as `0xffffffff`).

use crate::procfs;
use crate::verdict::Waiting;

/// Whether every thread of every one of `processes` waits indefinitely for input.
pub fn is_idle(processes: &[i32]) -> bool {
    processes.iter().all(|&pid| {
        // A process (or thread) that cannot be read any more is ending right now: not idle,
        // look again (counting it idle let an exiting program look as if it waited for input).
        let Some(threads) = procfs::threads(pid) else {
            return false;
        };
        threads
            .iter()
            .all(|thread| thread.state() == Some('S') && !is_busy(thread.syscall().as_deref()))
    })
}

/// Whether every thread of every one of `processes` is blocked waiting — for input, with or
/// without a timeout — rather than sleeping, writing or running: it has done what it can with
/// the input it has. A program polling with a timeout (socketserver, a select loop) is at rest
/// here though not idle: it may wake by itself, but not to use input it has not been given.
pub fn is_at_rest(processes: &[i32]) -> bool {
    processes.iter().all(|&pid| {
        let Some(threads) = procfs::threads(pid) else {
            return false;
        };
        threads.iter().all(|thread| {
            thread.state() == Some('S') && !sleeps_or_writes(thread.syscall().as_deref())
        })
    })
}

/// Whether a blocked thread is sleeping, writing, leaving or running (by its
/// `/proc/…/syscall` line). A thread in `exit` blocks on its way out: the program is ending,
/// not at rest, and stopping it then would race its own end.
fn sleeps_or_writes(syscall: Option<&str>) -> bool {
    let Some(first) = syscall.and_then(|line| line.split_whitespace().next()) else {
        return false;
    };
    if first == "running" {
        return true;
    }
    matches!(
        first.parse::<libc::c_long>(),
        Ok(libc::SYS_nanosleep
            | libc::SYS_clock_nanosleep
            | libc::SYS_write
            | libc::SYS_writev
            | libc::SYS_pwrite64
            | libc::SYS_sendto
            | libc::SYS_sendmsg
            | libc::SYS_sendmmsg
            | libc::SYS_sendfile
            | libc::SYS_exit
            | libc::SYS_exit_group)
    )
}

/// What an idle program waits for: the keyboard when one of its threads reads standard input
/// (descriptor 0), the network otherwise.
pub fn waiting_for(processes: &[i32]) -> Waiting {
    if reads_stdin(processes) {
        Waiting::Keyboard
    } else {
        Waiting::Network
    }
}

/// Whether a thread of one of `processes` is blocked reading standard input (descriptor 0).
pub fn reads_stdin(processes: &[i32]) -> bool {
    let reads_stdin = |line: &str| {
        let mut words = line.split_whitespace();
        let number = words.next().and_then(|n| n.parse::<libc::c_long>().ok());
        let descriptor = words
            .next()
            .and_then(|a| u64::from_str_radix(a.trim_start_matches("0x"), 16).ok());
        matches!(
            number,
            Some(libc::SYS_read | libc::SYS_readv | libc::SYS_pread64)
        ) && descriptor == Some(0)
    };
    processes.iter().any(|&pid| {
        procfs::threads(pid).is_some_and(|threads| {
            threads
                .iter()
                .any(|thread| thread.syscall().is_some_and(|line| reads_stdin(&line)))
        })
    })
}

/// Whether a blocked thread, according to its `/proc/…/syscall` line, is busy: sleeping,
/// waiting with a timeout, or writing. Where the line cannot be read (no permission), a
/// blocked thread counts as waiting for input.
fn is_busy(syscall: Option<&str>) -> bool {
    let Some(line) = syscall else {
        return false;
    };
    let mut words = line.split_whitespace();
    let Some(first) = words.next() else {
        return false;
    };
    if first == "running" {
        return true;
    }
    let Ok(number) = first.parse::<libc::c_long>() else {
        return false;
    };
    let mut args = [0u64; 6];
    for (slot, word) in args.iter_mut().zip(words) {
        *slot = u64::from_str_radix(word.trim_start_matches("0x"), 16).unwrap_or(0);
    }
    !waits_indefinitely(number, &args)
}

/// A pointer argument: no timeout when it is NULL.
fn no_timeout_pointer(value: u64) -> bool {
    value == 0
}

/// An int argument of milliseconds: no timeout when it is negative (as a 32-bit int).
fn no_timeout_millis(value: u64) -> bool {
    (value as u32 as i32) < 0
}

/// Whether system call `number` with these arguments waits without a timeout (for input),
/// rather than for a while or for the grader.
fn waits_indefinitely(number: libc::c_long, args: &[u64; 6]) -> bool {
    let [_, a2, a3, a4, a5, _] = *args;
    match number {
        // Sleeping: always for a while.
        libc::SYS_nanosleep | libc::SYS_clock_nanosleep => false,
        // Ending: a thread blocked on its way out (other threads dying, files closing) is
        // busy leaving, not waiting for input.
        libc::SYS_exit | libc::SYS_exit_group => false,
        // Writing: held up by the grader's side (a full pipe or socket), not waiting for input.
        libc::SYS_write
        | libc::SYS_writev
        | libc::SYS_pwrite64
        | libc::SYS_sendto
        | libc::SYS_sendmsg
        | libc::SYS_sendmmsg
        | libc::SYS_sendfile => false,
        libc::SYS_pselect6 => no_timeout_pointer(a5),
        libc::SYS_ppoll => no_timeout_pointer(a3),
        libc::SYS_epoll_pwait => no_timeout_millis(a4),
        libc::SYS_epoll_pwait2 => no_timeout_pointer(a4),
        libc::SYS_futex => {
            // FUTEX_WAIT 0, LOCK_PI 6, WAIT_BITSET 9, WAIT_REQUEUE_PI 11, LOCK_PI2 13 take a
            // timeout; the other operations do not block.
            match a2 & 0x7f {
                0 | 6 | 9 | 11 | 13 => no_timeout_pointer(a4),
                _ => true,
            }
        }
        libc::SYS_futex_waitv => no_timeout_pointer(a4),
        libc::SYS_rt_sigtimedwait => no_timeout_pointer(a3),
        libc::SYS_semtimedop => no_timeout_pointer(a4),
        libc::SYS_mq_timedreceive | libc::SYS_mq_timedsend => no_timeout_pointer(a5),
        libc::SYS_io_getevents => no_timeout_pointer(a5),
        libc::SYS_recvmmsg => no_timeout_pointer(a5),
        #[cfg(target_arch = "x86_64")]
        libc::SYS_select => no_timeout_pointer(a5),
        #[cfg(target_arch = "x86_64")]
        libc::SYS_poll => no_timeout_millis(a3),
        #[cfg(target_arch = "x86_64")]
        libc::SYS_epoll_wait => no_timeout_millis(a4),
        // read, recvfrom, accept, connect, wait4, pause, … : no timeout of their own.
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(number: libc::c_long, args: [u64; 6]) -> String {
        let args: Vec<String> = args.iter().map(|a| format!("0x{a:x}")).collect();
        format!("{number} {} 0x7ffc0000 0x7f000000", args.join(" "))
    }

    #[test]
    fn waits_without_a_timeout_are_idle() {
        // input(): read(0, …)
        assert!(!is_busy(Some(&line(
            libc::SYS_read,
            [0, 0x1000, 8192, 0, 0, 0]
        ))));
        // Lock.acquire(): futex WAIT_BITSET|PRIVATE|CLOCK_REALTIME, no timeout
        assert!(!is_busy(Some(&line(
            libc::SYS_futex,
            [0x7f00, 0x189, 0, 0, 0, 0xffffffff]
        ))));
        // an idle asyncio loop: epoll_wait(…, -1)
        assert!(!is_busy(Some(&line(
            libc::SYS_epoll_pwait,
            [3, 0x1000, 1, 0xffffffff, 0, 8]
        ))));
    }

    #[test]
    fn waits_with_a_timeout_and_sleeps_and_writes_are_busy() {
        // Event().wait(1): futex WAIT_BITSET|PRIVATE with a timeout
        assert!(is_busy(Some(&line(
            libc::SYS_futex,
            [0x7f00, 0x89, 0, 0x7ffc1000, 0, 0xffffffff]
        ))));
        // select.select([], [], [], 1): pselect6 with a timespec
        assert!(is_busy(Some(&line(
            libc::SYS_pselect6,
            [0, 0, 0, 0, 0x7ffc1000, 0]
        ))));
        // asyncio.sleep(0.2): epoll_wait(…, 200)
        assert!(is_busy(Some(&line(
            libc::SYS_epoll_pwait,
            [3, 0x1000, 1, 200, 0, 8]
        ))));
        assert!(is_busy(Some(&line(
            libc::SYS_clock_nanosleep,
            [1, 1, 0x7ffc1000, 0, 0, 0]
        ))));
        assert!(is_busy(Some(&line(
            libc::SYS_write,
            [1, 0x1000, 65536, 0, 0, 0]
        ))));
        assert!(is_busy(Some("running")));
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_old_x86_64_calls_are_read_too() {
        // settimeout(1) then accept(): poll(fd, 1, 1000); serve_forever: poll(…, 500)
        assert!(is_busy(Some(&line(
            libc::SYS_poll,
            [0x1000, 1, 1000, 0, 0, 0]
        ))));
        assert!(!is_busy(Some(&line(
            libc::SYS_poll,
            [0x1000, 1, 0xffffffff, 0, 0, 0]
        ))));
        assert!(is_busy(Some(&line(
            libc::SYS_epoll_wait,
            [3, 0x1000, 1, 200, 0, 0]
        ))));
        assert!(is_busy(Some(&line(
            libc::SYS_select,
            [4, 0x1000, 0, 0, 0x7ffc0, 0]
        ))));
        assert!(!is_busy(Some(&line(
            libc::SYS_select,
            [4, 0x1000, 0, 0, 0, 0]
        ))));
    }

    #[test]
    fn a_thread_on_its_way_out_is_not_waiting_for_input() {
        assert!(is_busy(Some(&line(libc::SYS_exit_group, [0; 6]))));
        assert!(is_busy(Some(&line(libc::SYS_exit, [0; 6]))));
    }

    #[test]
    fn timed_waits_for_input_are_at_rest_but_sleeps_and_writes_are_not() {
        let poll_with_timeout = line(libc::SYS_poll, [0x7ffd, 1, 500, 0, 0, 0]);
        assert!(!sleeps_or_writes(Some(&poll_with_timeout)));
        let read_stdin = line(libc::SYS_read, [0, 0x7ffd, 1024, 0, 0, 0]);
        assert!(!sleeps_or_writes(Some(&read_stdin)));
        let sleep = line(libc::SYS_clock_nanosleep, [0, 0, 0x7ffd, 0, 0, 0]);
        assert!(sleeps_or_writes(Some(&sleep)));
        let write = line(libc::SYS_write, [1, 0x7ffd, 10, 0, 0, 0]);
        assert!(sleeps_or_writes(Some(&write)));
        assert!(sleeps_or_writes(Some("running")));
        assert!(!sleeps_or_writes(None));
        // On its way out: not at rest (stopping it then raced its own end).
        assert!(sleeps_or_writes(Some(&line(libc::SYS_exit_group, [0; 6]))));
    }

    #[test]
    fn an_unreadable_line_counts_as_waiting_for_input() {
        assert!(!is_busy(None));
    }
}
