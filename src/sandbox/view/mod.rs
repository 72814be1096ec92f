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
//! run's mount namespace. The grader's own executable (it embeds the bundled exercise pack) is
//! covered by an empty, unreadable file where it lies beneath a bound folder (installed as
//! `/usr/local/bin/netgrade`, say), as bubblewrap's `--ro-bind /dev/null PATH` hides a file.
//!
//! Everything is prepared here, before `fork` (paths as C strings, file contents as bytes);
//! [`View::build`] runs in the run's init, between `fork` and `exec`, and only makes system
//! calls. Errors name the step and the `errno`, without allocating.

mod mounts;

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use mounts::{Restriction, check, mount_point, mount_proc, restrict, write_file};

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
    /// Covering the grader's own executable.
    Cover,
}

impl ViewStep {
    /// The step with this number, for reports.
    pub fn from_code(code: u8) -> Option<ViewStep> {
        use ViewStep::*;
        [
            Private, Root, Folder, Link, File, Bind, ReadOnly, Tmpfs, Proc, PivotRoot, Cover,
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
            ViewStep::Cover => "covering netgrade's own program",
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
    /// Files of the machine's visible in the view that an empty file covers (relative).
    covers: Vec<CString>,
}

/// The empty file the covers are bound from, made in the root tmpfs and removed once bound.
const COVER_SOURCE: &std::ffi::CStr = c".netgrade-cover";

/// The grader's own executable (`/proc/self/exe`), found once.
fn own_executable() -> Option<&'static Path> {
    static EXE: OnceLock<Option<PathBuf>> = OnceLock::new();
    EXE.get_or_init(|| {
        let path = std::fs::read_link("/proc/self/exe").ok()?;
        // Replaced while running (an upgrade): the new file at that path embeds a pack too.
        let text = path.as_os_str().as_bytes();
        let path = match text.strip_suffix(b" (deleted)") {
            Some(kept) => PathBuf::from(std::ffi::OsStr::from_bytes(kept)),
            None => path,
        };
        path.is_absolute().then_some(path)
    })
    .as_deref()
}

/// Where `file` shows in the view (relative to its root) through the folder binds
/// (source on the machine, target in the view), each place once.
fn visible_places(file: &Path, binds: &[(PathBuf, PathBuf)]) -> Vec<PathBuf> {
    let mut places: Vec<PathBuf> = Vec::new();
    for (source, target) in binds {
        if let Ok(below) = file.strip_prefix(source) {
            let place = target.join(below);
            if !below.as_os_str().is_empty() && !places.contains(&place) {
                places.push(place);
            }
        }
    }
    places
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
        let folder_binds: Vec<(PathBuf, PathBuf)> = binds
            .iter()
            .filter(|bind| bind.folder)
            .map(|bind| {
                (
                    PathBuf::from(std::ffi::OsStr::from_bytes(bind.source.as_bytes())),
                    PathBuf::from(std::ffi::OsStr::from_bytes(bind.target.as_bytes())),
                )
            })
            .collect();
        let covers = own_executable()
            .map(|exe| visible_places(exe, &folder_binds))
            .unwrap_or_default()
            .iter()
            .map(|place| c_path(place))
            .collect();
        Ok(View {
            mount_point: c_path(mount_point()?),
            work: c_path(work),
            folders,
            links,
            files,
            binds,
            tmpfs,
            covers,
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
            self.cover()?;
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

impl View {
    /// Covers each of [`View::covers`] with an empty file no one may read (mode 0, on a
    /// read-only, no-exec bind). A cover whose file is gone (replaced meanwhile) is skipped.
    ///
    /// # Safety
    /// As [`View::build`], from which it is called with the root tmpfs as working folder.
    unsafe fn cover(&self) -> Result<(), ViewError> {
        if self.covers.is_empty() {
            return Ok(());
        }
        // SAFETY: system calls on C strings owned by `self` or constant.
        unsafe {
            let fd = libc::open(
                COVER_SOURCE.as_ptr(),
                libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC,
                0,
            );
            check(ViewStep::Cover, fd)?;
            libc::close(fd);
            for target in &self.covers {
                let bound = libc::mount(
                    COVER_SOURCE.as_ptr(),
                    target.as_ptr(),
                    std::ptr::null(),
                    libc::MS_BIND,
                    std::ptr::null(),
                );
                if bound < 0 && *libc::__errno_location() == libc::ENOENT {
                    continue;
                }
                check(ViewStep::Cover, bound)?;
                restrict(target, Restriction::Cover)?;
            }
            // The bind keeps the empty file; its name goes from the root.
            check(ViewStep::Cover, libc::unlink(COVER_SOURCE.as_ptr()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_executable_is_covered_wherever_a_folder_bind_shows_it() {
        let binds = [
            (PathBuf::from("/usr"), PathBuf::from("usr")),
            (PathBuf::from("/usr/local"), PathBuf::from("usr/local")),
            (PathBuf::from("/opt/tools"), PathBuf::from("opt/tools")),
        ];
        // Shown through /usr and through /usr/local at the same place: covered once.
        assert_eq!(
            visible_places(Path::new("/usr/local/bin/netgrade"), &binds),
            [PathBuf::from("usr/local/bin/netgrade")]
        );
        assert_eq!(
            visible_places(Path::new("/opt/tools/netgrade"), &binds),
            [PathBuf::from("opt/tools/netgrade")]
        );
        // Not beneath any bind (a build folder, a home folder): nothing to cover.
        assert!(visible_places(Path::new("/root/netgrade"), &binds).is_empty());
        assert!(visible_places(Path::new("/usrx/netgrade"), &binds).is_empty());
        // A bind of the file's own path is not a folder that shows it.
        assert!(visible_places(Path::new("/usr"), &binds).is_empty());
    }
}
