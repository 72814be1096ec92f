//! [`Limits`]: the resource limits every program under test runs with.
//!
//! They bound what a broken or hostile program can do to the machine. Processes and memory
//! are limited per run by a cgroup where one can be made ([`super::cgroup`]); rlimits are the
//! backstop everywhere: RLIMIT_NPROC per (per-run) user, RLIMIT_DATA rather than RLIMIT_AS,
//! which breaks runtimes that reserve large address ranges (Go, Java, Node).

use std::time::Duration;

use rustix::process::{Resource, Rlimit, setrlimit};

/// Resource limits applied to the program and everything it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// CPU seconds; the soft limit sends SIGXCPU, one second later SIGKILL.
    pub cpu_seconds: u64,
    /// Memory of the whole run (cgroup); each process also gets RLIMIT_DATA of twice this.
    pub memory_bytes: u64,
    /// Processes and threads of the whole run.
    pub processes: u64,
    /// Largest file the program may write, in bytes.
    pub file_bytes: u64,
    /// Open file descriptors per process.
    pub open_files: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            cpu_seconds: 30,
            memory_bytes: 512 * 1024 * 1024,
            processes: 64,
            file_bytes: 16 * 1024 * 1024,
            open_files: 256,
        }
    }
}

impl Limits {
    /// Applies the rlimits to the calling process. Called between fork and exec, so it only
    /// makes system calls. `processes`: the RLIMIT_NPROC to set, if any (see
    /// [`process_limit`]).
    pub fn apply(&self, processes: Option<u64>) -> rustix::io::Result<()> {
        let both = |value: u64| Rlimit {
            current: Some(value),
            maximum: Some(value),
        };
        setrlimit(
            Resource::Cpu,
            Rlimit {
                current: Some(self.cpu_seconds),
                maximum: Some(self.cpu_seconds + 1),
            },
        )?;
        setrlimit(Resource::Data, both(self.memory_bytes.saturating_mul(2)))?;
        if let Some(processes) = processes {
            setrlimit(Resource::Nproc, both(processes))?;
        }
        setrlimit(Resource::Fsize, both(self.file_bytes))?;
        setrlimit(Resource::Nofile, both(self.open_files))?;
        setrlimit(Resource::Core, both(0))?;
        Ok(())
    }

    /// The CPU limit as a duration, for messages.
    pub fn cpu(&self) -> Duration {
        Duration::from_secs(self.cpu_seconds)
    }
}

/// Who the program runs as, for [`process_limit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunUser {
    /// A user id of the run's own (the grader is root).
    OwnUid,
    /// A user namespace of the run's own (the grader is not root).
    OwnUserNamespace,
    /// The grader's own user, shared with the grader and every other process of that user.
    GradersUser,
}

/// The RLIMIT_NPROC that bounds a run to `processes` processes and threads. The kernel counts
/// RLIMIT_NPROC per real user id *within a user namespace* (since Linux 5.14, at each level of
/// nested namespaces), so:
///
/// - with a uid or a user namespace of the run's own, the limit is `processes` itself;
/// - as the grader's own user, every task of that user counts: the tasks it has now
///   (`user_tasks`, counted just before the start), plus the run's supervisor (relay and init),
///   plus `processes`, at most the grader's own hard limit. This bounds the run as long as the
///   user's other processes do not end meanwhile (each one that ends frees a place); without
///   `/proc` to count them there is no limit.
pub fn process_limit(processes: u64, user: RunUser, user_tasks: Option<u64>) -> Option<u64> {
    match user {
        RunUser::OwnUid | RunUser::OwnUserNamespace => Some(processes),
        RunUser::GradersUser => {
            let hard = rustix::process::getrlimit(Resource::Nproc)
                .maximum
                .unwrap_or(u64::MAX);
            user_tasks.map(|tasks| tasks.saturating_add(2).saturating_add(processes).min(hard))
        }
    }
}

/// Whether this kernel counts RLIMIT_NPROC per user namespace (Linux 5.14 and later); before,
/// a user namespace of the run's own shares its count with every process of the user.
pub fn nproc_counts_per_namespace() -> bool {
    let release = rustix::system::uname();
    release_at_least(&release.release().to_string_lossy(), (5, 14))
}

/// Whether a kernel release (`6.1.0-18-amd64`) is at least `(major, minor)`.
fn release_at_least(release: &str, wanted: (u32, u32)) -> bool {
    let mut numbers = release
        .split(|c: char| !c.is_ascii_digit())
        .map(|part| part.parse::<u32>().ok());
    match (numbers.next().flatten(), numbers.next().flatten()) {
        (Some(major), Some(minor)) => (major, minor) >= wanted,
        _ => false,
    }
}

/// The tasks (processes and threads) whose real user id is `uid`, as `/proc` shows them: what
/// RLIMIT_NPROC counts. `None` without a readable `/proc`.
pub fn user_tasks(uid: u32) -> Option<u64> {
    /// More than the kernel's largest pid_max.
    const MAX_PROCESSES: usize = 1 << 22;
    let mut tasks = 0u64;
    for entry in std::fs::read_dir("/proc")
        .ok()?
        .take(MAX_PROCESSES)
        .flatten()
    {
        if !entry
            .file_name()
            .as_encoded_bytes()
            .iter()
            .all(u8::is_ascii_digit)
        {
            continue;
        }
        // Gone meanwhile, or hidden: not counted.
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|value| value.parse::<u64>().ok())
        };
        if field("Uid:") == Some(u64::from(uid)) {
            tasks += field("Threads:").unwrap_or(1);
        }
    }
    Some(tasks)
}

/// `512 MiB`, `16 MiB`, `64 KiB` for messages.
pub fn show_size(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{} {unit}", bytes / size);
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_of_its_own_user_or_namespace_gets_the_limit_itself() {
        for user in [RunUser::OwnUid, RunUser::OwnUserNamespace] {
            assert_eq!(process_limit(64, user, None), Some(64));
            assert_eq!(process_limit(64, user, Some(5000)), Some(64));
        }
    }

    #[test]
    fn a_run_as_the_graders_user_gets_room_above_what_the_user_runs() {
        let hard = rustix::process::getrlimit(Resource::Nproc)
            .maximum
            .unwrap_or(u64::MAX);
        assert_eq!(
            process_limit(64, RunUser::GradersUser, Some(100)),
            Some(166.min(hard))
        );
        assert_eq!(process_limit(64, RunUser::GradersUser, None), None);
    }

    #[test]
    fn kernel_releases_compare_by_major_and_minor() {
        assert!(release_at_least("6.18.0-netgrade", (5, 14)));
        assert!(release_at_least("5.14.0", (5, 14)));
        assert!(!release_at_least("5.10.0-28-amd64", (5, 14)));
        assert!(!release_at_least("4.19.0", (5, 14)));
        assert!(!release_at_least("garbage", (5, 14)));
    }

    #[test]
    fn the_users_tasks_include_this_process_and_its_threads() {
        let uid = rustix::process::getuid().as_raw();
        let threads: Vec<_> = (0..3)
            .map(|_| std::thread::spawn(|| std::thread::sleep(std::time::Duration::from_secs(1))))
            .collect();
        let counted = user_tasks(uid).expect("/proc is readable");
        assert!(counted >= 4, "{counted}");
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(user_tasks(u32::MAX - 7), Some(0));
    }
}
