//! Descriptors a program must not inherit: closing all but a few (relay and init), and
//! marking every one from 3 up close-on-exec (the program, right before `exec`). Each way has
//! a fallback for older kernels, bounded; everything here is async-signal-safe.

use std::os::fd::RawFd;

/// Closes every descriptor from 3 up except those in `keep` (at most four), so relay and init
/// hold nothing of the grader's (in particular not the pipe through which `spawn` learns that
/// `exec` succeeded). Where the kernel lacks `close_range` (before 5.9), closes them one by
/// one below `bound`.
pub(super) unsafe fn close_all_except(keep: &[RawFd], bound: u32) {
    // SAFETY: close_range and close only close descriptors of this (forked) process.
    unsafe {
        let mut kept = [RawFd::MAX; 4];
        let count = keep.len().min(kept.len());
        kept[..count].copy_from_slice(&keep[..count]);
        kept[..count].sort_unstable();
        let close_between = |from: u32, to: u32| {
            if libc::syscall(libc::SYS_close_range, from, to, 0u32) != 0 {
                for fd in from..=to.min(bound) {
                    libc::close(fd as RawFd);
                }
            }
        };
        let mut from = 3u32;
        for &fd in &kept[..count] {
            let Ok(fd) = u32::try_from(fd) else { continue };
            if fd >= from {
                if fd > from {
                    close_between(from, fd - 1);
                }
                from = fd + 1;
            }
        }
        close_between(from, u32::MAX);
    }
}

/// Marks every descriptor from 3 up close-on-exec: `close_range(CLOSE_RANGE_CLOEXEC)` (Linux
/// 5.11), else each descriptor `/proc/self/fd` lists, else each below `bound`.
pub(super) unsafe fn close_on_exec_from_3(bound: u32) {
    // SAFETY: close_range and fcntl only change descriptor flags of this process.
    unsafe {
        if libc::syscall(
            libc::SYS_close_range,
            3u32,
            u32::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        ) == 0
        {
            return;
        }
        if !close_on_exec_listed(c"/proc/self/fd") {
            close_on_exec_below(bound);
        }
    }
}

/// Marks close-on-exec every descriptor from 3 up that `folder` (`/proc/self/fd`) lists.
/// Returns whether the whole list was read.
unsafe fn close_on_exec_listed(folder: &std::ffi::CStr) -> bool {
    /// More reads than any descriptor table needs (each read returns at least 100 names).
    const MAX_READS: usize = 1 << 16;
    // SAFETY: open/getdents64/fcntl/close on this process's own descriptors, into a stack
    // buffer; the records are parsed within the length the kernel returned.
    unsafe {
        let dir = libc::open(
            folder.as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
        );
        if dir < 0 {
            return false;
        }
        let mut buffer = [0u8; 4096];
        let mut complete = false;
        for _ in 0..MAX_READS {
            let length =
                libc::syscall(libc::SYS_getdents64, dir, buffer.as_mut_ptr(), buffer.len());
            if length <= 0 {
                complete = length == 0;
                break;
            }
            for_each_dirent_name(&buffer[..length as usize], |name| {
                if let Some(fd) = parse_descriptor(name)
                    && fd >= 3
                    && fd != dir
                {
                    libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
                }
            });
        }
        libc::close(dir);
        complete
    }
}

/// Marks close-on-exec every descriptor from 3 to below `bound` (those not open: EBADF).
unsafe fn close_on_exec_below(bound: u32) {
    for fd in 3..bound.min(i32::MAX as u32) {
        // SAFETY: fcntl on a descriptor number of this process.
        unsafe { libc::fcntl(fd as RawFd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
}

/// Calls `each` with the name of every `linux_dirent64` record in `records` (what getdents64
/// returned). Malformed lengths end the walk.
fn for_each_dirent_name(records: &[u8], mut each: impl FnMut(&[u8])) {
    // d_ino (8), d_off (8), d_reclen (2), d_type (1), then the NUL-terminated name.
    const NAME_AT: usize = 19;
    let mut at = 0;
    while at + NAME_AT <= records.len() {
        let length = usize::from(u16::from_ne_bytes([records[at + 16], records[at + 17]]));
        if length < NAME_AT || at + length > records.len() {
            return;
        }
        let name = &records[at + NAME_AT..at + length];
        let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
        each(&name[..end]);
        at += length;
    }
}

/// A descriptor number written in decimal (`"17"`), `None` for anything else (`"."`).
fn parse_descriptor(name: &[u8]) -> Option<RawFd> {
    if name.is_empty() || name.len() > 10 || !name.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut value: i64 = 0;
    for &digit in name {
        value = value * 10 + i64::from(digit - b'0');
    }
    RawFd::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_names_are_decimal_numbers_only() {
        assert_eq!(parse_descriptor(b"0"), Some(0));
        assert_eq!(parse_descriptor(b"1048575"), Some(1_048_575));
        for name in [&b"."[..], b"..", b"", b"12a", b"-1", b"99999999999"] {
            assert_eq!(parse_descriptor(name), None, "{name:?}");
        }
    }

    /// In a forked child: a descriptor without close-on-exec, then one way of marking; exits
    /// 0 when the descriptor is marked and stdin, stdout and stderr are not.
    fn marks_descriptors(mark: fn()) {
        // SAFETY: the child makes only system calls (the marking functions are
        // async-signal-safe), then _exits.
        unsafe {
            let child = libc::fork();
            assert!(child >= 0);
            if child == 0 {
                let fd = libc::fcntl(0, libc::F_DUPFD, 500);
                if fd < 500 || libc::fcntl(fd, libc::F_GETFD) & libc::FD_CLOEXEC != 0 {
                    libc::_exit(2);
                }
                mark();
                let marked = libc::fcntl(fd, libc::F_GETFD) & libc::FD_CLOEXEC != 0;
                let standard =
                    (0..3).all(|fd| libc::fcntl(fd, libc::F_GETFD) & libc::FD_CLOEXEC == 0);
                libc::_exit(if marked && standard { 0 } else { 1 });
            }
            let mut status = 0;
            libc::waitpid(child, &mut status, 0);
            assert!(
                libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
                "status {status:#x}"
            );
        }
    }

    #[test]
    fn every_descriptor_from_3_is_marked_close_on_exec_each_way() {
        // SAFETY (each): marks descriptors of the forked child only.
        marks_descriptors(|| unsafe { close_on_exec_from_3(1 << 10) });
        marks_descriptors(|| unsafe {
            if !close_on_exec_listed(c"/proc/self/fd") {
                libc::_exit(3);
            }
        });
        marks_descriptors(|| unsafe { close_on_exec_below(1 << 10) });
    }

    #[test]
    fn relay_and_init_keep_only_their_pipe() {
        // SAFETY: the child only closes and inspects its own descriptors, then _exits.
        unsafe {
            let child = libc::fork();
            assert!(child >= 0);
            if child == 0 {
                let kept = libc::fcntl(0, libc::F_DUPFD, 400);
                let closed = libc::fcntl(0, libc::F_DUPFD, 300);
                let above = libc::fcntl(0, libc::F_DUPFD, 600);
                close_all_except(&[kept], 1 << 10);
                let open = |fd| libc::fcntl(fd, libc::F_GETFD) >= 0;
                let fine = open(0) && open(kept) && !open(closed) && !open(above);
                libc::_exit(if fine { 0 } else { 1 });
            }
            let mut status = 0;
            libc::waitpid(child, &mut status, 0);
            assert!(
                libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
                "status {status:#x}"
            );
        }
    }
}
