//! The grader's command line as `/proc/<pid>/cmdline` shows it to other processes.
//!
//! `cmdline` has no access check: any process that sees the grader in `/proc` reads it, even
//! one that cannot read its environment or memory (the grader is not dumpable then). A program
//! run on the host loopback sees the machine's `/proc`, and the grader's arguments name the
//! class folder, the output folder and the exercise pack. So, on the host loopback, the grader
//! shows `netgrade` and nothing else.
//!
//! Overwriting the argument memory itself would also change what the process reads as its own
//! arguments (Rust's `std::env::args` reads that memory on every call). Instead, as CRIU does
//! when it restores a process, [`take_over`] points the kernel's `arg_start`/`arg_end` at a
//! private anonymous copy with `prctl(PR_SET_MM, PR_SET_MM_MAP)`, which needs no capability
//! (only `CONFIG_CHECKPOINT_RESTORE`); [`hide`] then overwrites the copy. `take_over` is done
//! first in `main` ([`super::prepare_process`]), while the process has a single thread: the
//! call also sets the heap's end (`brk`), which another thread's `malloc` could move meanwhile.
//! Where it was not (a library user), `hide` does it itself; a `brk` moved in that instant only
//! makes later heap growth fall back to `mmap`.
//!
//! Forks of the grader (the run's relay and init) inherit the copy, and wipe theirs as well.

use std::sync::{Mutex, OnceLock, PoisonError};

use super::child::stat_fields;

/// What `/proc/<grader>/cmdline` shows once hidden.
const SHOWN: &[u8] = b"netgrade";

/// The private copy of the command line the kernel now shows.
struct Area {
    start: usize,
    length: usize,
}

static AREA: OnceLock<Option<Area>> = OnceLock::new();
static HIDDEN: Mutex<bool> = Mutex::new(false);

/// `struct prctl_mm_map` (include/uapi/linux/prctl.h).
#[repr(C)]
struct MmMap {
    start_code: u64,
    end_code: u64,
    start_data: u64,
    end_data: u64,
    start_brk: u64,
    brk: u64,
    start_stack: u64,
    arg_start: u64,
    arg_end: u64,
    env_start: u64,
    env_end: u64,
    auxv: *mut u64,
    auxv_size: u32,
    exe_fd: u32,
}

/// Makes the kernel show a private copy of this process's command line (no change visible).
/// Idempotent; `false` where the kernel refuses (no `CONFIG_CHECKPOINT_RESTORE`).
pub fn take_over() -> bool {
    AREA.get_or_init(copy_command_line).is_some()
}

/// From now on `/proc/<this process>/cmdline` shows only `netgrade`. Returns whether it does.
pub fn hide() -> bool {
    let Some(area) = AREA.get_or_init(copy_command_line) else {
        return false;
    };
    let mut hidden = HIDDEN.lock().unwrap_or_else(PoisonError::into_inner);
    if !*hidden {
        // SAFETY: the area is an anonymous mapping of at least `length` bytes made by
        // `copy_command_line`, never unmapped, written only here under the lock; the kernel
        // reads it (for /proc) but never writes it.
        unsafe {
            let bytes = std::slice::from_raw_parts_mut(area.start as *mut u8, area.length);
            bytes.fill(0);
            let shown = SHOWN.len().min(area.length.saturating_sub(1));
            bytes[..shown].copy_from_slice(&SHOWN[..shown]);
        }
        *hidden = true;
    }
    true
}

fn copy_command_line() -> Option<Area> {
    let stat = std::fs::read("/proc/self/stat").ok()?;
    let mut fields = [0usize; 52];
    stat_fields(&stat, &mut fields);
    let (arg_start, arg_end) = (fields[48], fields[49]);
    let original = arg_end.checked_sub(arg_start)?;
    if arg_start == 0 || original > 1 << 24 {
        return None;
    }
    // Room for `netgrade\0` whatever the original length.
    let length = original.max(SHOWN.len() + 1);
    // SAFETY: a fresh private anonymous mapping, never unmapped (the kernel shows it for as
    // long as the process lives).
    let start = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            length,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if start == libc::MAP_FAILED {
        return None;
    }
    // SAFETY: the original area is this process's own argument memory (mapped for its whole
    // life), `original` bytes long; the new one has at least as many.
    unsafe {
        std::ptr::copy_nonoverlapping(arg_start as *const u8, start.cast::<u8>(), original);
    }
    let start = start as usize;
    let as_u64 = |value: usize| value as u64;
    let map = MmMap {
        start_code: as_u64(fields[26]),
        end_code: as_u64(fields[27]),
        start_data: as_u64(fields[45]),
        end_data: as_u64(fields[46]),
        start_brk: as_u64(fields[47]),
        // SAFETY: brk(0) only reads the current end of the heap.
        brk: unsafe { libc::syscall(libc::SYS_brk, 0usize) } as u64,
        start_stack: as_u64(fields[28]),
        arg_start: as_u64(start),
        arg_end: as_u64(start + length),
        env_start: as_u64(fields[50]),
        env_end: as_u64(fields[51]),
        auxv: std::ptr::null_mut(),
        auxv_size: 0,
        exe_fd: u32::MAX,
    };
    // SAFETY: the kernel reads `map`, alive for the call, of the size given.
    let result = unsafe {
        libc::prctl(
            libc::PR_SET_MM,
            libc::PR_SET_MM_MAP,
            &raw const map,
            size_of::<MmMap>(),
            0,
        )
    };
    if result != 0 {
        // SAFETY: the mapping made above, not shown by the kernel.
        unsafe { libc::munmap(start as *mut libc::c_void, length) };
        return None;
    }
    Some(Area { start, length })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own_command_line() -> Vec<u8> {
        std::fs::read("/proc/self/cmdline").unwrap()
    }

    #[test]
    fn the_command_line_shows_netgrade_only_and_the_arguments_stay_readable() {
        let arguments: Vec<_> = std::env::args_os().collect();
        assert!(take_over(), "PR_SET_MM_MAP was refused");
        assert!(hide());
        let shown = own_command_line();
        let words: Vec<&[u8]> = shown.split(|&b| b == 0).filter(|w| !w.is_empty()).collect();
        assert_eq!(words, [SHOWN], "{}", String::from_utf8_lossy(&shown));
        // The process's own view of its arguments is untouched.
        assert_eq!(std::env::args_os().collect::<Vec<_>>(), arguments);
        assert!(hide(), "hiding twice");
    }
}
