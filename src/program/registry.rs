//! The registry of live program groups: [`kill_all_live_groups`] when the grader itself is
//! interrupted, so no student process outlives it.

use std::collections::BTreeSet;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rustix::process::{Pid, Signal};

use crate::procfs;

/// Process groups of programs still running, killed if the grader itself is interrupted.
static LIVE_GROUPS: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

/// Kills every program group the grader started and has not yet stopped. Called on Ctrl-C
/// and SIGTERM to the grader, so no student process outlives it.
pub fn kill_all_live_groups() {
    let groups: Vec<i32> = LIVE_GROUPS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .copied()
        .collect();
    for &group in &groups {
        if let Some(pid) = Pid::from_raw(group) {
            let _ = rustix::process::kill_process_group(pid, Signal::KILL);
        }
    }
    // A killed process takes a moment to die: wait (bounded) until none is left alive, so
    // nothing of theirs is still running when the grader exits.
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while std::time::Instant::now() < deadline && groups.iter().any(|&g| group_has_living(g)) {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Whether process group `group` still has a member that is not a zombie.
fn group_has_living(group: i32) -> bool {
    procfs::process_group_members(group)
        .into_iter()
        .any(procfs::is_alive)
}

/// Records a group as live.
pub(super) fn register(group: i32) {
    LIVE_GROUPS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(group);
}

/// Forgets a group once it has been stopped.
pub(super) fn unregister(group: i32) {
    LIVE_GROUPS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .remove(&group);
}
