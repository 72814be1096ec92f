//! The only reader of `/proc/<pid>`: process state, parent, group, threads, descriptors.
//!
//! Every other module asks here, so the format of `/proc/<pid>/stat` (whose second field, the
//! command name, may itself contain spaces and parentheses) is parsed in one place. A process
//! that has gone between two reads simply yields `None` or an empty list: callers decide what
//! a vanished process means for them.

use std::fs;
use std::path::{Path, PathBuf};

/// The fields of `/proc/<pid>/stat` netgrade uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    /// The state letter: `R` running, `S` sleeping (blocked), `Z` zombie, …
    pub state: char,
    /// The parent's pid.
    pub parent: i32,
    /// The process group.
    pub group: i32,
}

/// Parses a `stat` file's text (of a process or of a thread).
fn parse_stat(text: &str) -> Option<Stat> {
    // The command name is in parentheses and may contain anything: split after the last ')'.
    let (_, after_name) = text.rsplit_once(')')?;
    let mut fields = after_name.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let parent = fields.next()?.parse().ok()?;
    let group = fields.next()?.parse().ok()?;
    Some(Stat {
        state,
        parent,
        group,
    })
}

/// The stat of process `pid`, if it is still there.
pub fn stat(pid: i32) -> Option<Stat> {
    parse_stat(&fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// The parent of process `pid`, if it is still there.
pub fn parent_of(pid: i32) -> Option<i32> {
    stat(pid).map(|stat| stat.parent)
}

/// Whether process `pid` exists and is not a zombie.
pub fn is_alive(pid: i32) -> bool {
    stat(pid).is_some_and(|stat| stat.state != 'Z')
}

/// Whether `/proc/<pid>` exists (any state).
pub fn exists(pid: &str) -> bool {
    Path::new("/proc").join(pid).exists()
}

/// Members of process group `group`, found by scanning `/proc`.
pub fn process_group_members(group: i32) -> Vec<i32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| stat(pid).is_some_and(|stat| stat.group == group))
        .collect()
}

/// How many descriptors process `pid` holds (0 once it is gone).
pub fn open_descriptors(pid: i32) -> u64 {
    fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |fds| fds.count() as u64)
}

/// Inodes of the sockets process `pid` holds.
pub fn socket_inodes(pid: i32) -> Vec<u64> {
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    fds.flatten()
        .filter_map(|fd| fs::read_link(fd.path()).ok())
        .filter_map(|target| {
            target
                .to_string_lossy()
                .strip_prefix("socket:[")?
                .strip_suffix(']')?
                .parse()
                .ok()
        })
        .collect()
}

/// One thread of a process, as `/proc/<pid>/task/<tid>` shows it.
#[derive(Debug, Clone)]
pub struct Thread {
    dir: PathBuf,
}

impl Thread {
    /// The thread's scheduler state letter, if it can still be read.
    pub fn state(&self) -> Option<char> {
        parse_stat(&fs::read_to_string(self.dir.join("stat")).ok()?).map(|stat| stat.state)
    }

    /// The first line of `/proc/<pid>/task/<tid>/syscall`: `running`, or the number of the
    /// system call the thread is blocked in followed by its arguments. `None` where it cannot
    /// be read (no permission, or the thread has gone).
    pub fn syscall(&self) -> Option<String> {
        fs::read_to_string(self.dir.join("syscall")).ok()
    }
}

/// The threads of process `pid`; `None` once the process cannot be read any more.
pub fn threads(pid: i32) -> Option<Vec<Thread>> {
    let tasks = fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let threads: Vec<Thread> = tasks
        .flatten()
        .map(|task| Thread { dir: task.path() })
        .collect();
    // A process with no thread left is ending (its threads are gone, the process not yet
    // reaped): `None`, like a process that cannot be read, never "every thread waits".
    (!threads.is_empty()).then_some(threads)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_with_spaces_and_parentheses_does_not_confuse_the_fields() {
        let stat = parse_stat("42 (my (odd) name) S 1 42 42 0 -1").unwrap();
        assert_eq!(
            stat,
            Stat {
                state: 'S',
                parent: 1,
                group: 42
            }
        );
    }

    #[test]
    fn the_test_process_is_alive_and_in_its_own_group_listing() {
        let me = std::process::id() as i32;
        assert!(is_alive(me));
        let group = stat(me).unwrap().group;
        assert!(process_group_members(group).contains(&me));
        assert!(open_descriptors(me) > 0);
    }
}
