//! The system calls the view is built with: binds restricted (read-only, no set-uid, no
//! devices), the run's `/proc`, files of `/etc` written, and the folder every run's root is
//! mounted on. Each returns the failing step and `errno`, without allocating.

use std::ffi::CString;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::{ViewError, ViewStep};

/// The empty folder every run's root is mounted on (in the run's own mount namespace, so all
/// runs share it without seeing each other). Made once per grader, owned by it, mode 0700.
pub(super) fn mount_point() -> io::Result<&'static Path> {
    static POINT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    POINT
        .get_or_init(|| {
            let uid = rustix::process::geteuid().as_raw();
            let machine_uid = crate::sandbox::confinement::machine_uid();
            let path = std::env::temp_dir().join(format!("netgrade-root-{machine_uid}"));
            let usable = |path: &Path| {
                use std::os::unix::fs::MetadataExt;
                std::fs::symlink_metadata(path)
                    .is_ok_and(|m| m.is_dir() && m.uid() == uid && m.mode() & 0o022 == 0)
            };
            if !usable(&path) {
                let _ = std::fs::remove_dir(&path);
                std::fs::create_dir(&path).map_err(|e| e.to_string())?;
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700))
                    .map_err(|e| e.to_string())?;
            }
            if usable(&path) {
                Ok(path)
            } else {
                Err(format!("{} is not a folder netgrade owns", path.display()))
            }
        })
        .as_ref()
        .map(PathBuf::as_path)
        .map_err(|message| io::Error::other(message.clone()))
}

pub(super) fn check(step: ViewStep, result: libc::c_int) -> Result<(), ViewError> {
    if result < 0 {
        // SAFETY: errno is thread-local and readable after a failed call.
        Err((step, unsafe { *libc::__errno_location() }))
    } else {
        Ok(())
    }
}

/// Writes one file of the run's `/etc`.
pub(super) unsafe fn write_file(path: &CString, bytes: &[u8]) -> Result<(), ViewError> {
    // SAFETY: open/write/close on a path and buffer owned by the caller.
    unsafe {
        let fd = libc::open(
            path.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC | libc::O_CLOEXEC,
            0o644,
        );
        check(ViewStep::File, fd)?;
        let mut written = 0;
        while written < bytes.len() {
            let n = libc::write(fd, bytes[written..].as_ptr().cast(), bytes.len() - written);
            if n <= 0 {
                let error = *libc::__errno_location();
                libc::close(fd);
                return Err((ViewStep::File, error));
            }
            written += n as usize;
        }
        libc::close(fd);
    }
    Ok(())
}

/// How a bind is restricted.
#[derive(Clone, Copy)]
pub(super) enum Restriction {
    /// Read-only, no set-uid, no devices (system folders).
    ReadOnly,
    /// No set-uid, not executable (device nodes).
    Device,
    /// Writable, no set-uid, no devices (the program's folder).
    Writable,
    /// Read-only, no set-uid, no devices, not executable (a covered file).
    Cover,
}

/// Restricts a bind and everything mounted below it. `mount_setattr` only adds attributes
/// (it keeps those the kernel locked in a user namespace) and is recursive; where the kernel
/// lacks it, a bind remount does the top mount.
pub(super) unsafe fn restrict(
    target: &std::ffi::CStr,
    restriction: Restriction,
) -> Result<(), ViewError> {
    let attributes = match restriction {
        Restriction::ReadOnly => {
            libc::MOUNT_ATTR_RDONLY | libc::MOUNT_ATTR_NOSUID | libc::MOUNT_ATTR_NODEV
        }
        Restriction::Device => libc::MOUNT_ATTR_NOSUID | libc::MOUNT_ATTR_NOEXEC,
        Restriction::Writable => libc::MOUNT_ATTR_NOSUID | libc::MOUNT_ATTR_NODEV,
        Restriction::Cover => {
            libc::MOUNT_ATTR_RDONLY
                | libc::MOUNT_ATTR_NOSUID
                | libc::MOUNT_ATTR_NODEV
                | libc::MOUNT_ATTR_NOEXEC
        }
    };
    let attr = libc::mount_attr {
        attr_set: attributes,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: mount_setattr and mount read `target` and `attr`, both alive here.
    unsafe {
        let result = libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            target.as_ptr(),
            libc::AT_RECURSIVE,
            &attr as *const libc::mount_attr,
            std::mem::size_of::<libc::mount_attr>(),
        );
        if result == 0 {
            return Ok(());
        }
        if *libc::__errno_location() != libc::ENOSYS {
            return check(ViewStep::ReadOnly, -1);
        }
        let flags = match restriction {
            Restriction::ReadOnly => libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV,
            Restriction::Device => libc::MS_NOSUID | libc::MS_NOEXEC,
            Restriction::Writable => libc::MS_NOSUID | libc::MS_NODEV,
            Restriction::Cover => {
                libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC
            }
        };
        check(
            ViewStep::ReadOnly,
            libc::mount(
                std::ptr::null(),
                target.as_ptr(),
                std::ptr::null(),
                libc::MS_REMOUNT | libc::MS_BIND | flags,
                std::ptr::null(),
            ),
        )
    }
}

/// The run's own `/proc`, showing only its processes, PID 1 (the supervisor) hidden. Kernels
/// older than 5.8 lack the options (plain `/proc` then); where the kernel refuses a `/proc` at
/// all (a user namespace on a machine whose `/proc` is partly masked), the folder stays empty.
pub(super) unsafe fn mount_proc() -> Result<(), ViewError> {
    // SAFETY: mount on constant strings.
    unsafe {
        let mount = |options: *const libc::c_void| {
            libc::mount(
                c"proc".as_ptr(),
                c"proc".as_ptr(),
                c"proc".as_ptr(),
                libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
                options,
            )
        };
        if mount(c"hidepid=invisible,subset=pid".as_ptr().cast()) == 0 {
            return Ok(());
        }
        match *libc::__errno_location() {
            libc::EINVAL => check(ViewStep::Proc, mount(c"hidepid=2".as_ptr().cast())),
            libc::EPERM => Ok(()),
            _ => check(ViewStep::Proc, -1),
        }
    }
}
