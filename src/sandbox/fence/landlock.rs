//! The filesystem part of the [`super::Fence`]: a Landlock ruleset built before `fork`
//! (raw system calls: see the fence's doc for why not the crate).

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::check;

// Landlock's user-space interface (include/uapi/linux/landlock.h).

/// `landlock_create_ruleset` flag: return the highest ABI version instead of a ruleset.
const LANDLOCK_CREATE_RULESET_VERSION: u32 = 1 << 0;
/// `landlock_add_rule` rule type: a `landlock_path_beneath_attr`.
const LANDLOCK_RULE_PATH_BENEATH: libc::c_int = 1;

const FS_EXECUTE: u64 = 1 << 0;
const FS_WRITE_FILE: u64 = 1 << 1;
const FS_READ_FILE: u64 = 1 << 2;
const FS_READ_DIR: u64 = 1 << 3;
const FS_REMOVE_DIR: u64 = 1 << 4;
const FS_REMOVE_FILE: u64 = 1 << 5;
const FS_MAKE_CHAR: u64 = 1 << 6;
const FS_MAKE_DIR: u64 = 1 << 7;
const FS_MAKE_REG: u64 = 1 << 8;
const FS_MAKE_SOCK: u64 = 1 << 9;
const FS_MAKE_FIFO: u64 = 1 << 10;
const FS_MAKE_BLOCK: u64 = 1 << 11;
const FS_MAKE_SYM: u64 = 1 << 12;
/// ABI 2.
const FS_REFER: u64 = 1 << 13;
/// ABI 3.
const FS_TRUNCATE: u64 = 1 << 14;
/// ABI 5.
const FS_IOCTL_DEV: u64 = 1 << 15;

/// ABI 6.
const SCOPE_ABSTRACT_UNIX_SOCKET: u64 = 1 << 0;
/// ABI 6.
const SCOPE_SIGNAL: u64 = 1 << 1;

/// The rights a rule on a file (not a directory) may carry; others make the rule `EINVAL`.
const FILE_RIGHTS: u64 = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV;
/// System folders: read and run.
const READ_EXECUTE: u64 = FS_READ_FILE | FS_READ_DIR | FS_EXECUTE;
/// `/proc`, `/sys`: read.
const READ_ONLY: u64 = FS_READ_FILE | FS_READ_DIR;
/// `/dev/null` and friends.
const DEVICE_READ_WRITE: u64 = FS_READ_FILE | FS_WRITE_FILE | FS_TRUNCATE | FS_IOCTL_DEV;
/// The program's own folder: everything but making devices (and using them).
const OWN_FOLDER: u64 = FS_EXECUTE
    | FS_WRITE_FILE
    | FS_READ_FILE
    | FS_READ_DIR
    | FS_REMOVE_DIR
    | FS_REMOVE_FILE
    | FS_MAKE_DIR
    | FS_MAKE_REG
    | FS_MAKE_SOCK
    | FS_MAKE_FIFO
    | FS_MAKE_SYM
    | FS_REFER
    | FS_TRUNCATE;

/// Folders the program may read and run from, where they exist.
const SYSTEM_FOLDERS: &[&str] = &[
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc", "/opt",
];
/// Kernel views the program may read: runtimes read `/proc/self/…` and `/proc/cpuinfo`,
/// glibc and Go read `/sys/devices/system/cpu/…`. Landlock keeps the ptrace-class files of
/// processes outside the program's domain (`/proc/<grader>/environ`, `mem`, `fd`) closed.
const KERNEL_VIEWS: &[&str] = &["/proc", "/sys"];
/// Single files, with their rights.
const SINGLE_FILES: &[(&str, u64)] = &[
    ("/dev/null", DEVICE_READ_WRITE),
    ("/dev/zero", DEVICE_READ_WRITE),
    ("/dev/full", DEVICE_READ_WRITE),
    ("/dev/random", FS_READ_FILE),
    ("/dev/urandom", FS_READ_FILE),
    // Often a link into /run (systemd-resolved); the rule goes to the link's target.
    ("/etc/resolv.conf", FS_READ_FILE),
];

/// `struct landlock_ruleset_attr` (ABI 6 size; the kernel accepts it from older ABIs as long
/// as the fields it does not know are zero).
#[repr(C)]
pub(super) struct RulesetAttr {
    handled_access_fs: u64,
    handled_access_net: u64,
    scoped: u64,
}

/// `struct landlock_path_beneath_attr`: packed, 12 bytes.
#[repr(C, packed)]
pub(super) struct PathBeneathAttr {
    allowed_access: u64,
    parent_fd: i32,
}

/// The filesystem rights Landlock ABI `abi` knows (and the fence handles, i.e. denies unless
/// a rule allows them). Rights of ABIs above 5 are not known here (ABI 9's `RESOLVE_UNIX` would
/// be the next; the filter refuses unix sockets meanwhile).
pub(super) fn handled_access_fs(abi: i32) -> u64 {
    let mut rights = FS_EXECUTE
        | FS_WRITE_FILE
        | FS_READ_FILE
        | FS_READ_DIR
        | FS_REMOVE_DIR
        | FS_REMOVE_FILE
        | FS_MAKE_CHAR
        | FS_MAKE_DIR
        | FS_MAKE_REG
        | FS_MAKE_SOCK
        | FS_MAKE_FIFO
        | FS_MAKE_BLOCK
        | FS_MAKE_SYM;
    if abi >= 2 {
        rights |= FS_REFER;
    }
    if abi >= 3 {
        rights |= FS_TRUNCATE;
    }
    if abi >= 5 {
        rights |= FS_IOCTL_DEV;
    }
    rights
}

/// The scopes of ABI `abi` the fence uses.
pub(super) fn scoped(abi: i32) -> u64 {
    if abi >= 6 {
        SCOPE_SIGNAL | SCOPE_ABSTRACT_UNIX_SOCKET
    } else {
        0
    }
}

/// The Landlock ABI version of the running kernel, `None` without Landlock.
pub(super) fn landlock_abi() -> Option<i32> {
    // SAFETY: with a null attribute, size 0 and the VERSION flag the kernel reads nothing.
    let version = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<RulesetAttr>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    (version > 0).then(|| i32::try_from(version).unwrap_or(i32::MAX))
}

/// Creates the ruleset for ABI `abi` and adds every rule.
pub(super) fn build_ruleset(abi: i32, folder: &Path, readable: &[&Path]) -> io::Result<OwnedFd> {
    let handled = handled_access_fs(abi);
    let attr = RulesetAttr {
        handled_access_fs: handled,
        handled_access_net: 0,
        scoped: scoped(abi),
    };
    // SAFETY: the kernel reads `attr`, alive for the call, of the size given.
    let fd = check(unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            &raw const attr,
            size_of::<RulesetAttr>(),
            0u32,
        )
    })?;
    // SAFETY: a fresh descriptor (close-on-exec, as the kernel makes ruleset descriptors),
    // owned by nothing else.
    let ruleset = unsafe { OwnedFd::from_raw_fd(fd as libc::c_int) };
    let rule = |path: &Path, rights: u64| add_rule(&ruleset, path, rights & handled);
    let required = |path: &Path, rights: u64| {
        rule(path, rights).map_err(|error| {
            io::Error::new(
                error.kind(),
                format!("Landlock rule for {}: {error}", path.display()),
            )
        })
    };
    required(folder, OWN_FOLDER)?;
    for path in readable {
        required(path, READ_EXECUTE)?;
    }
    // The system's own paths are optional: a missing one (no /lib32, no /opt) is skipped.
    let optional = |result: io::Result<()>| match result {
        Err(error)
            if matches!(
                error.raw_os_error(),
                Some(libc::ENOENT | libc::ENOTDIR | libc::EACCES | libc::ELOOP)
            ) =>
        {
            Ok(())
        }
        other => other,
    };
    for path in SYSTEM_FOLDERS {
        optional(rule(Path::new(path), READ_EXECUTE))?;
    }
    for path in KERNEL_VIEWS {
        optional(rule(Path::new(path), READ_ONLY))?;
    }
    for (path, rights) in SINGLE_FILES {
        optional(rule(Path::new(path), *rights))?;
    }
    Ok(ruleset)
}

/// Adds a path-beneath rule: `rights` beneath `path` (following symbolic links); on a file
/// only the rights that apply to files.
fn add_rule(ruleset: &OwnedFd, path: &Path, rights: u64) -> io::Result<()> {
    let name = CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: open reads the C string, alive for the call.
    let fd = check(unsafe {
        libc::open(name.as_ptr(), libc::O_PATH | libc::O_CLOEXEC) as libc::c_long
    })?;
    // SAFETY: a fresh descriptor owned by nothing else.
    let parent = unsafe { OwnedFd::from_raw_fd(fd as libc::c_int) };
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: fstat writes into `stat`; O_PATH descriptors support fstat.
    check(unsafe { libc::fstat(parent.as_raw_fd(), &mut stat) as libc::c_long })?;
    let rights = if stat.st_mode & libc::S_IFMT == libc::S_IFDIR {
        rights
    } else {
        rights & FILE_RIGHTS
    };
    if rights == 0 {
        return Ok(());
    }
    let attr = PathBeneathAttr {
        allowed_access: rights,
        parent_fd: parent.as_raw_fd(),
    };
    // SAFETY: the kernel reads `attr`, alive for the call.
    check(unsafe {
        libc::syscall(
            libc::SYS_landlock_add_rule,
            ruleset.as_raw_fd(),
            LANDLOCK_RULE_PATH_BENEATH,
            &raw const attr,
            0u32,
        )
    })?;
    Ok(())
}
