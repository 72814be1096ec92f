//! [`View`]: the filesystem a program sees, built for its run — as the sandboxes that contest
//! graders and untrusted-code runners use (isolate, nsjail, bubblewrap) build theirs.
//!
//! ```text
//! /                 a small tmpfs, read-only once built
//! /usr              the machine's, read-only (interpreters, compilers, libraries)
//! /bin /lib /sbin   links into /usr, as on the machine (or read-only binds where they are folders)
//! /etc              written for the run: hosts, services, passwd, group, nsswitch.conf, hostname;
//!                   read-only: ld.so.cache, alternatives, python3*, protocols, localtime
//! /home/student     the run's own folder: exactly the submission, writable (HOME, the cwd)
//! /tmp /var/tmp     private size-limited tmpfs, gone with the run
//! /dev              null zero full random urandom, fd links, a private size-limited /dev/shm
//! /proc             the run's own processes only (PID 1, the supervisor, hidden)
//! ```
//!
//! Nothing else: no home folders, no exercise pack, no specs or references, no other run's
//! folder, no `/sys`, no `/run`. What is written anywhere but `/home/student` vanishes with the
//! run's mount namespace.
//!
//! Everything is prepared here, before `fork` (paths as C strings, file contents as bytes);
//! [`View::build`] runs in the run's init, between `fork` and `exec`, and only makes system
//! calls. Errors name the step and the `errno`, without allocating.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A step of building the view, to name in an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ViewStep {
    /// Making the machine's mounts private to the run.
    Private = 1,
    /// Mounting the run's root tmpfs.
    Root,
    /// Creating a folder.
    Folder,
    /// Creating a link.
    Link,
    /// Writing a file of `/etc`.
    File,
    /// Binding a file or folder of the machine.
    Bind,
    /// Making a bind read-only.
    ReadOnly,
    /// Mounting a private tmpfs.
    Tmpfs,
    /// Mounting the run's `/proc`.
    Proc,
    /// Switching to the new root.
    PivotRoot,
}

impl ViewStep {
    /// The step with this number, for reports.
    pub fn from_code(code: u8) -> Option<ViewStep> {
        use ViewStep::*;
        [
            Private, Root, Folder, Link, File, Bind, ReadOnly, Tmpfs, Proc, PivotRoot,
        ]
        .into_iter()
        .find(|step| *step as u8 == code)
    }

    /// What the step does, in words.
    pub fn describe(self) -> &'static str {
        match self {
            ViewStep::Private => "making the mounts private",
            ViewStep::Root => "mounting the run's root",
            ViewStep::Folder => "creating a folder",
            ViewStep::Link => "creating a link",
            ViewStep::File => "writing a file of /etc",
            ViewStep::Bind => "binding a system folder",
            ViewStep::ReadOnly => "making a bind read-only",
            ViewStep::Tmpfs => "mounting a private /tmp",
            ViewStep::Proc => "mounting /proc",
            ViewStep::PivotRoot => "switching to the run's root",
        }
    }
}

/// A failed step and the `errno` it failed with.
pub type ViewError = (ViewStep, i32);

/// Where the program's own folder is inside the view.
pub const PROGRAM_FOLDER: &str = "/home/student";

/// One read-only bind of the machine's files into the view.
#[derive(Debug, Clone)]
struct Bind {
    source: CString,
    /// Relative to the new root.
    target: CString,
    folder: bool,
}

/// What of the machine every run sees, found once per grader.
#[derive(Debug, Clone)]
struct MachineLayout {
    /// Top-level links such as `bin -> usr/bin` (merged-usr systems).
    links: Vec<(CString, CString)>,
    /// Top-level folders bound read-only (`usr`, and `lib64` where it is a folder).
    binds: Vec<Bind>,
    /// `/etc/localtime -> …`.
    etc_links: Vec<(CString, CString)>,
}

fn c_path(path: &Path) -> CString {
    // Paths built here never contain NUL (they come from the machine's file system or from
    // constants); an impossible one maps to an empty path, which fails at mount time.
    CString::new(path.as_os_str().as_bytes()).unwrap_or_default()
}

fn c_text(text: &str) -> CString {
    CString::new(text).unwrap_or_default()
}

fn machine_layout() -> &'static MachineLayout {
    static LAYOUT: OnceLock<MachineLayout> = OnceLock::new();
    LAYOUT.get_or_init(|| {
        let mut layout = MachineLayout {
            links: Vec::new(),
            binds: vec![Bind {
                source: c_text("/usr"),
                target: c_text("usr"),
                folder: true,
            }],
            etc_links: Vec::new(),
        };
        for name in ["bin", "sbin", "lib", "lib32", "lib64", "libx32"] {
            let path = Path::new("/").join(name);
            match std::fs::read_link(&path) {
                Ok(target) => layout.links.push((c_path(&target), c_text(name))),
                Err(_) if path.is_dir() => layout.binds.push(Bind {
                    source: c_path(&path),
                    target: c_text(name),
                    folder: true,
                }),
                Err(_) => {}
            }
        }
        for name in [
            "ld.so.cache",
            "ld.so.conf",
            "protocols",
            "mime.types",
            "alternatives",
            "ld.so.conf.d",
            "python3",
            "python3.11",
            "python3.12",
            "python3.13",
        ] {
            let path = Path::new("/etc").join(name);
            if let Ok(metadata) = std::fs::metadata(&path) {
                layout.binds.push(Bind {
                    source: c_path(&path),
                    target: c_path(&Path::new("etc").join(name)),
                    folder: metadata.is_dir(),
                });
            }
        }
        if let Ok(target) = std::fs::read_link("/etc/localtime") {
            layout
                .etc_links
                .push((c_path(&target), c_text("etc/localtime")));
        }
        layout
    })
}

/// Sizes of the run's private temporary folders.
#[derive(Debug, Clone, Copy)]
pub struct TmpSizes {
    /// Bytes of `/tmp`, `/var/tmp` and `/dev/shm` each.
    pub bytes: u64,
    /// Files of each.
    pub files: u64,
}

/// The filesystem view of one run, prepared.
#[derive(Debug)]
pub struct View {
    mount_point: CString,
    work: CString,
    folders: Vec<CString>,
    links: Vec<(CString, CString)>,
    files: Vec<(CString, Vec<u8>)>,
    binds: Vec<Bind>,
    tmpfs: Vec<(CString, CString)>,
}

/// The files of the run's own `/etc`.
pub struct EtcFiles<'a> {
    /// `/etc/hosts`.
    pub hosts: &'a str,
    /// `/etc/services`.
    pub services: &'a str,
    /// The program's user id and group id (for `/etc/passwd` and `/etc/group`).
    pub user: (u32, u32),
    /// The run's host name.
    pub hostname: &'a str,
}

impl View {
    /// The view of a run whose folder on the machine is `work`, with `extra` machine folders
    /// bound read-only at the given places (a compiler's toolchain, say).
    pub fn new(
        work: &Path,
        etc: &EtcFiles<'_>,
        tmp: TmpSizes,
        extra: &[(PathBuf, PathBuf)],
    ) -> io::Result<View> {
        let layout = machine_layout();
        let (uid, gid) = etc.user;
        let mut folders: Vec<CString> = [
            "usr",
            "etc",
            "home",
            "home/student",
            "tmp",
            "var",
            "var/tmp",
            "dev",
            "dev/shm",
            "proc",
        ]
        .into_iter()
        .map(c_text)
        .collect();
        let mut binds = layout.binds.clone();
        for bind in &layout.binds {
            if bind.folder && bind.target.as_bytes() != b"usr" {
                folders.push(bind.target.clone());
            }
        }
        for (source, inside) in extra {
            let relative = inside.strip_prefix("/").unwrap_or(inside);
            // Every folder on the way, in order (`opt`, `opt/rust`, …).
            let mut partial = PathBuf::new();
            for part in relative.components() {
                partial.push(part);
                let folder = c_path(&partial);
                if !folders.contains(&folder) {
                    folders.push(folder);
                }
            }
            binds.push(Bind {
                source: c_path(source),
                target: c_path(relative),
                folder: true,
            });
        }
        let mut links = layout.links.clone();
        links.extend(layout.etc_links.iter().cloned());
        for (target, link) in [
            ("/proc/self/fd", "dev/fd"),
            ("/proc/self/fd/0", "dev/stdin"),
            ("/proc/self/fd/1", "dev/stdout"),
            ("/proc/self/fd/2", "dev/stderr"),
        ] {
            links.push((c_text(target), c_text(link)));
        }
        let files = vec![
            (c_text("etc/hosts"), etc.hosts.as_bytes().to_vec()),
            (c_text("etc/services"), etc.services.as_bytes().to_vec()),
            (
                c_text("etc/passwd"),
                format!(
                    "root:x:0:0:root:/root:/usr/sbin/nologin\n\
                     student:x:{uid}:{gid}:student:{PROGRAM_FOLDER}:/bin/sh\n\
                     nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
                )
                .into_bytes(),
            ),
            (
                c_text("etc/group"),
                format!("root:x:0:\nstudent:x:{gid}:\nnogroup:x:65534:\n").into_bytes(),
            ),
            (
                c_text("etc/nsswitch.conf"),
                b"passwd: files\ngroup: files\nhosts: files\nservices: files\nprotocols: files\n"
                    .to_vec(),
            ),
            (
                c_text("etc/hostname"),
                format!("{}\n", etc.hostname).into_bytes(),
            ),
        ];
        for device in ["null", "zero", "full", "random", "urandom"] {
            binds.push(Bind {
                source: c_text(&format!("/dev/{device}")),
                target: c_text(&format!("dev/{device}")),
                folder: false,
            });
        }
        let options = c_text(&format!(
            "size={},nr_inodes={},mode=1777",
            tmp.bytes, tmp.files
        ));
        let tmpfs = ["tmp", "var/tmp", "dev/shm"]
            .into_iter()
            .map(|target| (c_text(target), options.clone()))
            .collect();
        Ok(View {
            mount_point: c_path(mount_point()?),
            work: c_path(work),
            folders,
            links,
            files,
            binds,
            tmpfs,
        })
    }

    /// Builds the view and makes it the root of the calling process (the run's init, in its
    /// own mount namespace). Ends with the working folder at [`PROGRAM_FOLDER`].
    ///
    /// # Safety
    /// Must run in a process of its own mount namespace, between `fork` and `exec`: it only
    /// makes system calls on data prepared by [`View::new`].
    pub unsafe fn build(&self) -> Result<(), ViewError> {
        // SAFETY (whole function): system calls on C strings and buffers owned by `self`.
        unsafe {
            check(
                ViewStep::Private,
                libc::mount(
                    std::ptr::null(),
                    c"/".as_ptr(),
                    std::ptr::null(),
                    libc::MS_REC | libc::MS_PRIVATE,
                    std::ptr::null(),
                ),
            )?;
            check(
                ViewStep::Root,
                libc::mount(
                    c"tmpfs".as_ptr(),
                    self.mount_point.as_ptr(),
                    c"tmpfs".as_ptr(),
                    libc::MS_NOSUID | libc::MS_NODEV,
                    c"size=1m,nr_inodes=512,mode=0755".as_ptr().cast(),
                ),
            )?;
            check(ViewStep::Root, libc::chdir(self.mount_point.as_ptr()))?;
            for folder in &self.folders {
                let mode = if folder.as_bytes().ends_with(b"tmp") || folder.as_bytes() == b"dev/shm"
                {
                    0o1777
                } else {
                    0o755
                };
                check(ViewStep::Folder, libc::mkdir(folder.as_ptr(), mode))?;
            }
            for (target, link) in &self.links {
                check(
                    ViewStep::Link,
                    libc::symlink(target.as_ptr(), link.as_ptr()),
                )?;
            }
            for (path, bytes) in &self.files {
                write_file(path, bytes)?;
            }
            for bind in &self.binds {
                if !bind.folder {
                    let fd = libc::open(
                        bind.target.as_ptr(),
                        libc::O_WRONLY | libc::O_CREAT | libc::O_CLOEXEC,
                        0o444,
                    );
                    check(ViewStep::Bind, fd)?;
                    libc::close(fd);
                }
                check(
                    ViewStep::Bind,
                    libc::mount(
                        bind.source.as_ptr(),
                        bind.target.as_ptr(),
                        std::ptr::null(),
                        libc::MS_BIND | libc::MS_REC,
                        std::ptr::null(),
                    ),
                )?;
                // Devices stay devices (no nodev), and are never executed.
                let restriction = if bind.folder {
                    Restriction::ReadOnly
                } else {
                    Restriction::Device
                };
                restrict(&bind.target, restriction)?;
            }
            check(
                ViewStep::Bind,
                libc::mount(
                    self.work.as_ptr(),
                    c"home/student".as_ptr(),
                    std::ptr::null(),
                    libc::MS_BIND | libc::MS_REC,
                    std::ptr::null(),
                ),
            )?;
            restrict(c"home/student", Restriction::Writable)?;
            for (target, options) in &self.tmpfs {
                check(
                    ViewStep::Tmpfs,
                    libc::mount(
                        c"tmpfs".as_ptr(),
                        target.as_ptr(),
                        c"tmpfs".as_ptr(),
                        libc::MS_NOSUID | libc::MS_NODEV,
                        options.as_ptr().cast(),
                    ),
                )?;
            }
            mount_proc()?;
            // The root itself read-only: only /home/student and the temporary folders are
            // writable.
            check(
                ViewStep::ReadOnly,
                libc::mount(
                    std::ptr::null(),
                    c".".as_ptr(),
                    std::ptr::null(),
                    libc::MS_REMOUNT
                        | libc::MS_BIND
                        | libc::MS_RDONLY
                        | libc::MS_NOSUID
                        | libc::MS_NODEV,
                    std::ptr::null(),
                ),
            )?;
            check(
                ViewStep::PivotRoot,
                libc::syscall(libc::SYS_pivot_root, c".".as_ptr(), c".".as_ptr()) as libc::c_int,
            )?;
            check(
                ViewStep::PivotRoot,
                libc::umount2(c".".as_ptr(), libc::MNT_DETACH),
            )?;
            check(ViewStep::PivotRoot, libc::chdir(c"/home/student".as_ptr()))?;
        }
        Ok(())
    }
}

/// The empty folder every run's root is mounted on (in the run's own mount namespace, so all
/// runs share it without seeing each other). Made once per grader, owned by it, mode 0700.
fn mount_point() -> io::Result<&'static Path> {
    static POINT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    POINT
        .get_or_init(|| {
            let uid = rustix::process::geteuid().as_raw();
            let machine_uid = super::confinement::machine_uid();
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

fn check(step: ViewStep, result: libc::c_int) -> Result<(), ViewError> {
    if result < 0 {
        // SAFETY: errno is thread-local and readable after a failed call.
        Err((step, unsafe { *libc::__errno_location() }))
    } else {
        Ok(())
    }
}

/// Writes one file of the run's `/etc`.
unsafe fn write_file(path: &CString, bytes: &[u8]) -> Result<(), ViewError> {
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
enum Restriction {
    /// Read-only, no set-uid, no devices (system folders).
    ReadOnly,
    /// No set-uid, not executable (device nodes).
    Device,
    /// Writable, no set-uid, no devices (the program's folder).
    Writable,
}

/// Restricts a bind and everything mounted below it. `mount_setattr` only adds attributes
/// (it keeps those the kernel locked in a user namespace) and is recursive; where the kernel
/// lacks it, a bind remount does the top mount.
unsafe fn restrict(target: &std::ffi::CStr, restriction: Restriction) -> Result<(), ViewError> {
    let attributes = match restriction {
        Restriction::ReadOnly => {
            libc::MOUNT_ATTR_RDONLY | libc::MOUNT_ATTR_NOSUID | libc::MOUNT_ATTR_NODEV
        }
        Restriction::Device => libc::MOUNT_ATTR_NOSUID | libc::MOUNT_ATTR_NOEXEC,
        Restriction::Writable => libc::MOUNT_ATTR_NOSUID | libc::MOUNT_ATTR_NODEV,
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
unsafe fn mount_proc() -> Result<(), ViewError> {
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
