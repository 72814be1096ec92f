//! [`RunCgroup`]: a control group per run, for limits rlimits cannot give — the number of
//! processes of the whole run (a fork bomb), its total memory, and its fair share of the CPU
//! (a run hogging every core cannot slow a classmate graded beside it) — and to tell
//! afterwards whether a limit was hit.
//!
//! cgroup v2 (one unified tree) and v1 (a `pids` and a `memory` hierarchy) are both handled;
//! where neither is writable the run goes on with rlimits alone.

use std::ffi::CString;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

const ROOT: &str = "/sys/fs/cgroup";

/// A run's control group(s). Removed when dropped.
#[derive(Debug)]
pub struct RunCgroup {
    layout: Layout,
}

#[derive(Debug)]
enum Layout {
    Unified(PathBuf),
    Split {
        pids: Option<PathBuf>,
        memory: Option<PathBuf>,
        cpu: Option<PathBuf>,
    },
}

/// What the cgroup saw during the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CgroupUsage {
    /// A fork was refused because the process limit was reached.
    pub processes_limited: bool,
    /// The memory limit was reached (a process was killed or an allocation failed).
    pub memory_limited: bool,
}

fn unique_name() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn make(parent: &Path, name: &str) -> Option<PathBuf> {
    let group = parent.join("netgrade").join(name);
    fs::create_dir_all(&group).ok()?;
    Some(group)
}

impl RunCgroup {
    /// Creates the run's cgroup with these limits, or `None` where cgroups are not writable.
    pub fn create(max_processes: u64, max_memory: u64) -> Option<RunCgroup> {
        let name = unique_name();
        let root = Path::new(ROOT);
        sweep_stale(&[
            root.to_owned(),
            root.join("pids"),
            root.join("memory"),
            root.join("cpu"),
        ]);
        let layout = if root.join("cgroup.controllers").exists() {
            // cgroup v2: controllers must be enabled for the children of our parent group.
            // Every run gets the same CPU weight (the default, 100): equal shares.
            let _ = fs::create_dir_all(root.join("netgrade"));
            let _ = fs::write(root.join("cgroup.subtree_control"), "+pids +memory +cpu");
            let _ = fs::write(
                root.join("netgrade/cgroup.subtree_control"),
                "+pids +memory +cpu",
            );
            let group = make(root, &name)?;
            let _ = fs::write(group.join("pids.max"), max_processes.to_string());
            let _ = fs::write(group.join("memory.max"), max_memory.to_string());
            let _ = fs::write(group.join("memory.swap.max"), "0");
            let _ = fs::write(group.join("cpu.weight"), "100");
            Layout::Unified(group)
        } else {
            let pids = make(&root.join("pids"), &name);
            if let Some(group) = &pids {
                let _ = fs::write(group.join("pids.max"), max_processes.to_string());
            }
            let memory = make(&root.join("memory"), &name);
            if let Some(group) = &memory {
                let _ = fs::write(group.join("memory.limit_in_bytes"), max_memory.to_string());
                let _ = fs::write(
                    group.join("memory.memsw.limit_in_bytes"),
                    max_memory.to_string(),
                );
            }
            let cpu = make(&root.join("cpu"), &name);
            if let Some(group) = &cpu {
                // Equal shares between runs; the parent group weighs as much as all cores, so
                // the grader's own threads (outside it) are not starved by the runs either.
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                let _ = fs::write(
                    root.join("cpu/netgrade/cpu.shares"),
                    (1024 * cores).to_string(),
                );
                let _ = fs::write(group.join("cpu.shares"), "1024");
            }
            if pids.is_none() && memory.is_none() && cpu.is_none() {
                return None;
            }
            Layout::Split { pids, memory, cpu }
        };
        Some(RunCgroup { layout })
    }

    fn dirs(&self) -> Vec<&Path> {
        match &self.layout {
            Layout::Unified(dir) => vec![dir],
            Layout::Split { pids, memory, cpu } => pids
                .iter()
                .chain(memory.iter())
                .chain(cpu.iter())
                .map(PathBuf::as_path)
                .collect(),
        }
    }

    /// The `cgroup.procs` files a new process writes itself into.
    pub fn procs_files(&self) -> Vec<CString> {
        self.dirs()
            .iter()
            .filter_map(|dir| {
                CString::new(dir.join("cgroup.procs").as_os_str().as_encoded_bytes()).ok()
            })
            .collect()
    }

    /// Every process of the run (host pids), wherever it is in the process tree.
    pub fn processes(&self) -> Vec<i32> {
        self.dirs()
            .first()
            .and_then(|dir| fs::read_to_string(dir.join("cgroup.procs")).ok())
            .map(|procs| {
                procs
                    .lines()
                    .filter_map(|l| l.trim().parse().ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What happened during the run.
    pub fn usage(&self) -> CgroupUsage {
        let counter = |file: PathBuf, key: &str| -> u64 {
            fs::read_to_string(file)
                .ok()
                .and_then(|text| {
                    text.lines().find_map(|line| {
                        let (name, value) = line.split_once(' ')?;
                        (name == key).then(|| value.trim().parse().ok())?
                    })
                })
                .unwrap_or(0)
        };
        match &self.layout {
            Layout::Unified(dir) => CgroupUsage {
                processes_limited: counter(dir.join("pids.events"), "max") > 0,
                memory_limited: counter(dir.join("memory.events"), "max") > 0
                    || counter(dir.join("memory.events"), "oom_kill") > 0,
            },
            Layout::Split { pids, memory, .. } => CgroupUsage {
                processes_limited: pids
                    .as_ref()
                    .is_some_and(|dir| counter(dir.join("pids.events"), "max") > 0),
                memory_limited: memory.as_ref().is_some_and(|dir| {
                    counter(dir.join("memory.oom_control"), "oom_kill") > 0
                        || fs::read_to_string(dir.join("memory.failcnt"))
                            .ok()
                            .and_then(|t| t.trim().parse::<u64>().ok())
                            .is_some_and(|failures| failures > 0)
                }),
            },
        }
    }

    /// Kills every process still in the cgroup (whatever process group or session it is in).
    pub fn kill_all(&self) {
        if let Layout::Unified(dir) = &self.layout
            && fs::write(dir.join("cgroup.kill"), "1").is_ok()
        {
            return;
        }
        for dir in self.dirs() {
            // Processes may fork while we kill: a few rounds, bounded.
            for _ in 0..10 {
                let Ok(procs) = fs::read_to_string(dir.join("cgroup.procs")) else {
                    break;
                };
                let pids: Vec<i32> = procs
                    .lines()
                    .filter_map(|l| l.trim().parse().ok())
                    .collect();
                if pids.is_empty() {
                    break;
                }
                for pid in pids {
                    // SAFETY: kill has no memory effects.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                }
            }
        }
    }
}

impl Drop for RunCgroup {
    fn drop(&mut self) {
        self.kill_all();
        // Succeeds once the last process is gone; a group still busy now is retried by the
        // next run instead of being waited for here.
        let mut busy = LEFTOVERS.lock().unwrap_or_else(PoisonError::into_inner);
        for dir in self.dirs() {
            if fs::remove_dir(dir).is_err() && dir.exists() {
                busy.push(dir.to_owned());
            }
        }
    }
}

/// This grader's groups that were still busy when their run ended.
static LEFTOVERS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes groups left behind: this grader's earlier busy ones, and those of graders that no
/// longer run (their names start with the grader's pid). Fresh groups of live graders, which
/// may still be empty, are never touched.
fn sweep_stale(parents: &[PathBuf]) {
    LEFTOVERS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .retain(|dir| fs::remove_dir(dir).is_err() && dir.exists());
    for parent in parents {
        let Ok(entries) = fs::read_dir(parent.join("netgrade")) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let owner = name
                .to_str()
                .and_then(|n| n.split_once('-'))
                .map(|(pid, _)| pid);
            if owner.is_some_and(|pid| !crate::procfs::exists(pid)) {
                let _ = fs::remove_dir(entry.path());
            }
        }
    }
}
