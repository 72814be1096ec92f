//! The sandbox a program under test runs in: [`Sandbox`], one per test run.
//!
//! It owns the run's network namespace (so every run has its own port 8888 and its own
//! loopback), its cgroup (processes, memory and a fair CPU share of the whole run), the
//! program's unprivileged identity, the run's own folder and its filesystem [`view`]; it
//! starts the program under a small supervisor ([`child`]) so that nothing the program starts
//! outlives it, and creates the scripted peers' sockets inside the same network namespace
//! ([`network`]); it can record the traffic on the run's loopback ([`capture`]). How much of
//! this the machine allows is decided once per grader ([`confinement`]).

mod capture;
mod cgroup;
mod child;
mod cmdline;
pub mod confinement;
mod descriptors;
mod fence;
mod keyring;
mod limits;
mod netns;
mod network;
pub mod view;
mod workdir;

use std::ffi::{CString, OsString};
use std::io;
use std::os::fd::{AsFd, AsRawFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

pub use capture::{Capture, Captured, MAX_FRAMES, SNAP_LEN};
pub use cgroup::CgroupUsage;
pub use confinement::{Confinement, confinement, prepare_process};
pub use fence::restricts_files as host_runs_are_fenced;
pub use limits::{Limits, show_size};
pub use netns::NetNamespace;
pub use view::PROGRAM_FOLDER;
pub use workdir::{MAX_BYTES, MAX_FILES, Snapshot};

use crate::sockets::SocketTable;
use cgroup::RunCgroup;
use child::{ChildSetup, Identity};
use limits::{RunUser, nproc_counts_per_namespace, process_limit, user_tasks};
use view::{EtcFiles, TmpSizes, View};
use workdir::RunFolder;

/// How runs are kept apart from each other and from the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// Each run has a fresh network namespace with only `lo`: fixed ports never collide.
    Namespace,
    /// Programs share the machine's loopback: runs must be serial, a busy port 8888 breaks them.
    HostLoopback,
}

impl Isolation {
    /// Decides the isolation for `--isolation auto`: a namespace where the kernel allows it.
    /// Returns the choice and, when falling back, why.
    pub fn detect() -> (Isolation, Option<String>) {
        match NetNamespace::create() {
            Ok(_) => (Isolation::Namespace, None),
            Err(error) => (
                Isolation::HostLoopback,
                Some(format!(
                    "network namespaces are not available here ({error})"
                )),
            ),
        }
    }

    /// Words for report headers.
    pub fn describe(self) -> &'static str {
        match self {
            Isolation::Namespace => "own network namespace per test",
            Isolation::HostLoopback if fence::restricts_files() => {
                "host loopback, one test at a time, no namespaces: the program runs on this machine, fenced to its own folder and the system folders"
            }
            Isolation::HostLoopback => {
                "host loopback, one test at a time, NO SANDBOX: the program runs on this machine and can read your files"
            }
        }
    }
}

/// First user id handed to programs; each run gets its own, so per-user limits (RLIMIT_NPROC)
/// are per run. No account is needed for an id.
const FIRST_RUN_UID: u32 = 200_000;

fn next_run_uid() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    // Spread concurrent graders apart by their pid, runs of one grader by a counter.
    let slot = NEXT.fetch_add(1, Ordering::Relaxed) % 1024;
    FIRST_RUN_UID + (std::process::id() % 1024) * 1024 + slot
}

/// The environment a program gets: nothing of the grader's (tokens, paths), only what a
/// student's program needs. Python writes UTF-8 and unbuffered, so Chinese text and output
/// printed just before a kill both arrive.
pub fn program_environment(home: &Path) -> Vec<(OsString, OsString)> {
    [
        ("PATH", "/usr/local/bin:/usr/bin:/bin"),
        ("LANG", "C.UTF-8"),
        ("LC_ALL", "C.UTF-8"),
        ("PYTHONUNBUFFERED", "1"),
        ("PYTHONDONTWRITEBYTECODE", "1"),
        ("PYTHONIOENCODING", "utf-8"),
        ("TERM", "dumb"),
    ]
    .into_iter()
    .map(|(k, v)| (k.into(), v.into()))
    .chain([("HOME".into(), home.as_os_str().to_owned())])
    // The grader's time zone, so that the program's clock says what `{now}` expects.
    .chain(time_zone().map(|zone| ("TZ".into(), zone.into())))
    .collect()
}

/// The grader's `TZ`, when it names a zone (`Asia/Shanghai`, `UTC`, `CST-8`) rather than a
/// file of its own.
fn time_zone() -> Option<String> {
    let zone = std::env::var("TZ").ok()?;
    let plain = zone.len() <= 64
        && !zone.contains("..")
        && !zone.starts_with(['/', ':'])
        && zone
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+-,.<>".contains(c));
    plain.then_some(zone)
}

/// Where descriptors are closed by number (kernels without `close_range` or `/proc`): below
/// the grader's hard RLIMIT_NOFILE (only a limit lowered after opening leaves one higher), at
/// most 2^20.
fn descriptor_bound() -> u32 {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
    let highest = limit.maximum.or(limit.current).unwrap_or(1 << 20);
    u32::try_from(highest.min(1 << 20)).unwrap_or(1 << 20)
}

/// The user id the program has inside its nested user namespace (unprivileged grader).
const NESTED_UID: u32 = 1000;

/// Bytes of each of the run's private temporary folders (`/tmp`, `/var/tmp`, `/dev/shm`).
pub const TMP_BYTES: u64 = 16 * 1024 * 1024;
/// Files in each of them.
pub const TMP_FILES: u64 = 1024;
/// Room the program has in its own folder beyond the submission.
pub const FOLDER_SPARE_BYTES: u64 = 64 * 1024 * 1024;
/// Files the program may add to its own folder.
pub const FOLDER_SPARE_FILES: u64 = 4096;

/// One run's sandbox. Dropping it kills what is left, removes the cgroup and the folder.
#[derive(Debug)]
pub struct Sandbox {
    /// The program runs in namespaces of its own with its own filesystem view (otherwise on
    /// the host: `--isolation none`, or where the kernel refuses namespaces).
    confined: bool,
    /// The grader is root (a per-run uid, a cgroup).
    as_root: bool,
    netns: Option<NetNamespace>,
    cgroup: Option<RunCgroup>,
    limits: Limits,
    /// The program's uid and gid as it sees them.
    user: (u32, u32),
    /// The run's own folder (on the machine); the program sees it as [`PROGRAM_FOLDER`].
    folder: RunFolder,
    /// Machine folders bound read-only into the view, and where.
    extra_binds: Vec<(PathBuf, PathBuf)>,
    /// Init reports a failure to build the sandbox here (read end, write end).
    report: (std::os::fd::OwnedFd, std::os::fd::OwnedFd),
    /// The socket table of the run's network namespace.
    sockets: SocketTable,
}

/// The host name every run has (in a UTS namespace of its own) when the grader is root.
pub const RUN_HOSTNAME: &str = "netgrade-box";

/// The services database of every run (see `etc/services`).
pub const RUN_SERVICES: &str = include_str!("etc/services");

/// The run's `/etc/hosts`: `localhost` and the run's own name, nothing else.
fn run_hosts() -> String {
    format!(
        "127.0.0.1\tlocalhost\n127.0.1.1\t{RUN_HOSTNAME}\n::1\tlocalhost ip6-localhost ip6-loopback\n"
    )
}

impl Sandbox {
    /// Creates a sandbox with the given isolation and limits.
    pub fn create(isolation: Isolation, limits: Limits) -> io::Result<Sandbox> {
        Sandbox::create_with(isolation, limits, Vec::new())
    }

    /// Creates a sandbox whose view also holds `extra_binds`: machine folders bound read-only
    /// at the given places (a compiler's toolchain, say).
    pub fn create_with(
        isolation: Isolation,
        limits: Limits,
        extra_binds: Vec<(PathBuf, PathBuf)>,
    ) -> io::Result<Sandbox> {
        let as_root = confinement() == Confinement::Root;
        let (netns, confined) = match isolation {
            Isolation::Namespace => (Some(NetNamespace::create()?), true),
            Isolation::HostLoopback => {
                // The program runs as the grader's user (or, as root, an unprivileged uid):
                // at least it cannot read or trace the grader's memory or environment.
                // SAFETY: prctl on this process only.
                unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
                // It sees the machine's /proc, where the grader's command line (the class
                // and output folders) has no access check: it shows `netgrade` only.
                cmdline::hide();
                (None, false)
            }
        };
        let cgroup = as_root
            .then(|| RunCgroup::create(limits.processes, limits.memory_bytes))
            .flatten();
        let user = if as_root {
            let id = next_run_uid();
            (id, id)
        } else if confinement() == Confinement::UserNamespace {
            (NESTED_UID, NESTED_UID)
        } else {
            (
                rustix::process::getuid().as_raw(),
                rustix::process::getgid().as_raw(),
            )
        };
        // The folder belongs to the program: its own uid as root; the grader's user otherwise
        // (which is the program's, seen from its nested user namespace).
        let owner = as_root.then_some(user);
        let folder = RunFolder::create(owner, FOLDER_SPARE_BYTES, FOLDER_SPARE_FILES)?;
        let sockets = match &netns {
            Some(netns) => netns.run_blocking(SocketTable::open)?,
            None => SocketTable::open(),
        };
        let (read, write) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)?;
        rustix::io::ioctl_fionbio(&read, true)?;
        Ok(Sandbox {
            confined,
            as_root,
            netns,
            cgroup,
            limits,
            user,
            folder,
            extra_binds,
            report: (read, write),
            sockets,
        })
    }

    /// Whether the program runs in its own namespaces and filesystem view.
    pub fn is_confined(&self) -> bool {
        self.confined
    }

    /// The folder the program works in, as the program sees it (its HOME and cwd).
    pub fn program_folder(&self) -> PathBuf {
        if self.is_confined() {
            PathBuf::from(PROGRAM_FOLDER)
        } else {
            self.folder.path().to_owned()
        }
    }

    /// Why the sandbox could not be built, if it could not (the step and what the kernel said).
    pub fn setup_error(&self) -> Option<String> {
        let mut report = [0u8; 8];
        let read = rustix::io::read(&self.report.0, &mut report).ok()?;
        if read != 8 {
            return None;
        }
        let step = i32::from_ne_bytes([report[0], report[1], report[2], report[3]]);
        let errno = i32::from_ne_bytes([report[4], report[5], report[6], report[7]]);
        let step = u8::try_from(step)
            .ok()
            .and_then(view::ViewStep::from_code)
            .map_or("building the sandbox", view::ViewStep::describe);
        Some(format!(
            "the sandbox could not be built ({step}): {}",
            io::Error::from_raw_os_error(errno)
        ))
    }

    /// The isolation this sandbox provides.
    pub fn isolation(&self) -> Isolation {
        if self.netns.is_some() {
            Isolation::Namespace
        } else {
            Isolation::HostLoopback
        }
    }

    /// The socket table of the run's network (the machine's, on the host loopback).
    pub fn sockets(&self) -> &SocketTable {
        &self.sockets
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The run's own folder, on the machine.
    pub fn workdir(&self) -> &Path {
        self.folder.path()
    }

    /// Whether the program left a file of exactly `size` bytes in its folder: a write that
    /// met the file size limit (programs that ignore SIGXFSZ, as Python does, get EFBIG).
    pub fn has_file_at_size(&self, size: u64) -> bool {
        let Ok(entries) = std::fs::read_dir(self.workdir()) else {
            return false;
        };
        entries.flatten().take(1000).any(|entry| {
            entry
                .metadata()
                .is_ok_and(|m| m.is_file() && m.len() == size)
        })
    }

    /// Copies a submission's files (a [`Snapshot`]'s folder) into the run's folder.
    pub fn stage_folder(&self, snapshot: &Path) -> io::Result<()> {
        let owner = self.as_root.then_some(self.user);
        workdir::copy_snapshot(snapshot, self.workdir(), owner)
    }

    /// Writes one file of the exercise's data (`files:` in the spec) into the run's folder,
    /// owned by the program's user. `name` is a plain file name (the plan checks it).
    pub fn stage_file(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let target = self.workdir().join(name);
        // It replaces whatever the submission brought under that name, never writing through
        // a link.
        self.remove_staged(name)?;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&target)?
            .write_all(bytes)?;
        if let Some((uid, gid)) = self.as_root.then_some(self.user) {
            std::os::unix::fs::chown(&target, Some(uid), Some(gid))?;
        }
        Ok(())
    }

    /// Removes `path` (relative, no `..`) from the run's folder before the program starts, if
    /// the submission brought something there: a file or a link is unlinked, a folder removed
    /// with what it holds. Links on the way are not followed (then nothing is there to remove).
    /// So a file a test expects the program to write cannot be handed in ready-made.
    pub fn remove_staged(&self, path: &str) -> io::Result<()> {
        let mut at = self.workdir().to_owned();
        let parts: Vec<&str> = path.split('/').collect();
        for (index, part) in parts.iter().enumerate() {
            at.push(part);
            let Ok(found) = std::fs::symlink_metadata(&at) else {
                return Ok(());
            };
            let last = index + 1 == parts.len();
            match (last, found.is_dir()) {
                (false, true) => continue,
                (false, false) => return Ok(()),
                (true, true) => std::fs::remove_dir_all(&at)?,
                (true, false) => std::fs::remove_file(&at)?,
            }
        }
        Ok(())
    }

    /// Makes `command` start inside the sandbox: process group, network namespace, cgroup,
    /// supervisor with PID, mount, UTS and IPC namespaces and the run's filesystem view,
    /// limits, an unprivileged identity, and death with the grader (PR_SET_PDEATHSIG, hence
    /// spawning from long-lived threads).
    pub fn confine(&self, command: &mut tokio::process::Command) -> io::Result<()> {
        let view = if self.is_confined() {
            let hosts = run_hosts();
            Some(View::new(
                self.workdir(),
                &EtcFiles {
                    hosts: &hosts,
                    services: RUN_SERVICES,
                    user: self.user,
                    hostname: RUN_HOSTNAME,
                },
                TmpSizes {
                    bytes: TMP_BYTES,
                    files: TMP_FILES,
                },
                &self.extra_binds,
            )?)
        } else {
            None
        };
        let (identity, run_user) = if self.as_root {
            (Identity::RunAs(self.user.0, self.user.1), RunUser::OwnUid)
        } else if confinement() == Confinement::UserNamespace {
            // Before Linux 5.14 the run's namespace shares the user's process count.
            let counted = if nproc_counts_per_namespace() {
                RunUser::OwnUserNamespace
            } else {
                RunUser::GradersUser
            };
            (
                Identity::NestedUserNamespace {
                    uid_map: CString::new(format!("{} 0 1\n", self.user.0)).unwrap_or_default(),
                    gid_map: CString::new(format!("{} 0 1\n", self.user.1)).unwrap_or_default(),
                },
                counted,
            )
        } else {
            (Identity::Same, RunUser::GradersUser)
        };
        let tasks = (run_user == RunUser::GradersUser)
            .then(|| user_tasks(rustix::process::getuid().as_raw()))
            .flatten();
        let setup = ChildSetup {
            netns_fd: self.netns.as_ref().map(|ns| ns.as_fd().as_raw_fd()),
            cgroup_procs: self
                .cgroup
                .as_ref()
                .map(RunCgroup::procs_files)
                .unwrap_or_default(),
            limits: self.limits,
            process_limit: process_limit(self.limits.processes, run_user, tasks),
            identity,
            namespaces: self.is_confined(),
            grader_pid: std::process::id() as libc::pid_t,
            hostname: CString::new(RUN_HOSTNAME).unwrap_or_default(),
            view,
            report_fd: self.report.1.as_raw_fd(),
            fence: if self.confined {
                None
            } else {
                let readable: Vec<&Path> = self
                    .extra_binds
                    .iter()
                    .map(|(from, _)| from.as_path())
                    .collect();
                Some(fence::Fence::prepare_with(self.workdir(), &readable)?)
            },
            descriptor_bound: descriptor_bound(),
        };
        command.process_group(0);
        // SAFETY: `apply` only makes async-signal-safe system calls on data prepared above;
        // the namespace and report descriptors stay open because `self` outlives the spawn.
        unsafe {
            command.pre_exec(move || setup.apply());
        }
        Ok(())
    }

    /// The services database the program sees (`/etc/services`): the bundled one in a
    /// confined run, the machine's otherwise.
    pub fn services(&self) -> String {
        if self.is_confined() {
            RUN_SERVICES.to_owned()
        } else {
            std::fs::read_to_string("/etc/services").unwrap_or_default()
        }
    }

    /// The host name the program sees (`gethostname()`).
    pub fn hostname(&self) -> String {
        if self.is_confined() {
            RUN_HOSTNAME.to_owned()
        } else {
            rustix::system::uname()
                .nodename()
                .to_string_lossy()
                .into_owned()
        }
    }

    /// Kills every process of the run still alive, in any process group.
    pub fn kill_all(&self) {
        if let Some(cgroup) = &self.cgroup {
            cgroup.kill_all();
        }
    }

    /// Every process of the run whose leader (relay or program) is `group`: the cgroup's list
    /// where there is one, otherwise the members of the process group.
    pub fn processes(&self, group: i32) -> Vec<i32> {
        match &self.cgroup {
            Some(cgroup) => cgroup.processes(),
            None => crate::procfs::process_group_members(group),
        }
    }

    /// The processes of the student's program itself: [`Sandbox::processes`] without the
    /// supervisor (the relay, `group`, and the namespace's init, its child). Empty once the
    /// program has exited, even while the supervisor is still reporting its end.
    pub fn program_processes(&self, group: i32) -> Vec<i32> {
        let mut processes = self.processes(group);
        if self.is_confined() {
            // A process whose parent cannot be read has just ended (it may be the exiting init:
            // counting it as the program would make an exiting program look idle).
            processes.retain(|&pid| {
                pid != group && crate::procfs::parent_of(pid).is_some_and(|p| p != group)
            });
        }
        processes
    }

    /// What the cgroup saw (limits hit), where there is one.
    pub fn usage(&self) -> CgroupUsage {
        self.cgroup
            .as_ref()
            .map(RunCgroup::usage)
            .unwrap_or_default()
    }
}
