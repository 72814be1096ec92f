//! `netgrade watch`: a student's loop of save and verdict, run as a student would — a bad
//! program graded, the file saved over by an editor that saves by rename, graded again with
//! full marks; the file deleted and written back; Ctrl-C in the middle of a round leaves no
//! program running.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use common::{netgrade, repo};

/// Longest wait for any one thing the watcher should print.
const PATIENCE: Duration = Duration::from_secs(60);

/// A running `netgrade watch` and what it has printed so far.
struct Watcher {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Watcher {
    fn start(program: &Path) -> Watcher {
        let mut child = netgrade()
            .args(["watch", "tcp-server"])
            .arg(program)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("netgrade watch starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (send, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Watcher {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Reads lines until one satisfies `wanted` and returns it; panics, with everything
    /// printed, after [`PATIENCE`] or when the watcher's output ends.
    fn wait_for(&mut self, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if wanted(&line) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no {what} within {PATIENCE:?}; printed:\n{}", self.output())
                }
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "netgrade watch ended ({:?}) before {what}; printed:\n{}",
                    self.child.try_wait(),
                    self.output()
                ),
            }
        }
    }

    fn output(&self) -> String {
        self.seen.join("\n")
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        // A failed assertion must not leave the watcher running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One process as /proc tells it: parent, start time (to tell a reused pid), name, state.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Process {
    parent: u32,
    started: u64,
    name: String,
    state: char,
}

fn process(pid: u32) -> Option<Process> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (head, rest) = stat.rsplit_once(") ")?;
    let name = head.split_once(" (")?.1.to_owned();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(Process {
        state: fields.first()?.chars().next()?,
        parent: fields.get(1)?.parse().ok()?,
        started: fields.get(19)?.parse().ok()?,
        name,
    })
}

/// Every process below `root`, by pid.
fn descendants(root: u32) -> BTreeMap<u32, Process> {
    let all: BTreeMap<u32, Process> = std::fs::read_dir("/proc")
        .expect("/proc is readable")
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
        .filter_map(|pid| Some((pid, process(pid)?)))
        .collect();
    let mut found = BTreeMap::new();
    let mut parents = vec![root];
    while let Some(parent) = parents.pop() {
        for (pid, process) in &all {
            if process.parent == parent && !found.contains_key(pid) {
                found.insert(*pid, process.clone());
                parents.push(*pid);
            }
        }
    }
    found
}

/// Whether the process `pid` that started at `started` still runs (a zombie has ended).
fn still_runs(pid: u32, started: u64) -> bool {
    process(pid).is_some_and(|p| p.started == started && p.state != 'Z')
}

#[test]
fn a_save_grades_again_and_ctrl_c_leaves_nothing_running() {
    let folder = tempfile::tempdir().unwrap();
    let program = folder.path().join("server.py");
    let solutions = repo().join("exercises/tcp-server/solutions");
    let bad = solutions.join("bad/one_client_then_exit.py");
    let good = solutions.join("good/server_asyncio.py");
    std::fs::copy(&bad, &program).unwrap();

    let mut watcher = Watcher::start(&program);

    // Round 1: the bad program — its score, the first cause in full, then waiting.
    let score = watcher.wait_for("first score line", |l| l.starts_with("score: "));
    assert!(score.starts_with("score: 6/14"), "{}", watcher.output());
    watcher.wait_for("the watching line", |l| {
        l.starts_with("watching ") && l.ends_with("save to grade again, Ctrl-C to stop")
    });
    let first = watcher.output();
    assert!(
        first.contains("rerun this test: netgrade test tcp-server --test 4 "),
        "the first cause is not shown in full:\n{first}"
    );
    // Every failed test is said: in the cause shown in full, or on its own line after it.
    let in_cause: Vec<usize> = first
        .lines()
        .find_map(|l| {
            l.strip_prefix("✗ tests ")
                .or_else(|| l.strip_prefix("✗ test "))
        })
        .and_then(|l| l.split_once(" ("))
        .map(|(list, _)| list.split(", ").filter_map(|n| n.parse().ok()).collect())
        .unwrap_or_default();
    let on_their_line: Vec<usize> = first
        .lines()
        .filter_map(|l| l.strip_prefix("  ✗ "))
        .filter_map(|l| l.trim_start().split_once('.')?.0.parse().ok())
        .collect();
    for number in [4, 5, 7, 8] {
        assert!(
            in_cause.contains(&number) ^ on_their_line.contains(&number),
            "test {number} is not said exactly once:\n{first}"
        );
    }
    assert_eq!(
        !on_their_line.is_empty(),
        first.contains("also failing:"),
        "{first}"
    );
    assert!(
        !first.contains('\x1b'),
        "escape codes (a screen clear, colour) on a pipe:\n{first}"
    );

    // Round 2: saved as many editors do, a new file renamed over the old one.
    let written = program.with_extension("py.new");
    std::fs::copy(&good, &written).unwrap();
    let saved = Instant::now();
    std::fs::rename(&written, &program).unwrap();
    watcher.wait_for("round 2", |l| l.starts_with("round 2: grading "));
    let score = watcher.wait_for("second score line", |l| l.starts_with("score: "));
    let took = saved.elapsed();
    assert!(
        score.starts_with("score: 14/14 — 9 of 9 tests passed"),
        "{}",
        watcher.output()
    );
    eprintln!("save to verdict: {took:.2?} (the good program graded in full, 14/14)");
    watcher.wait_for("the watching line", |l| l.starts_with("watching "));

    // Deleted: the watcher waits for it; written back in place, it grades again.
    std::fs::remove_file(&program).unwrap();
    watcher.wait_for("the file-gone line", |l| l.contains("is gone"));
    std::fs::copy(&good, &program).unwrap();
    watcher.wait_for("round 3", |l| l.starts_with("round 3: grading "));

    // Ctrl-C while the program runs: the watcher ends, and so does every program it started.
    let pid = watcher.child.id();
    let deadline = Instant::now() + PATIENCE;
    let running = loop {
        let below = descendants(pid);
        if below.values().any(|p| p.name.starts_with("python")) {
            break below;
        }
        assert!(
            Instant::now() < deadline,
            "no python program below the watcher during round 3"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    eprintln!(
        "Ctrl-C with {} processes below the watcher: {:?}",
        running.len(),
        running
            .values()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
    );
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(pid as i32).expect("a pid"),
        rustix::process::Signal::INT,
    )
    .expect("SIGINT is sent");
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = watcher.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the watcher ignores Ctrl-C");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(130), "{}", watcher.output());
    // The programs were killed before the watcher left; the kernel may take a moment to
    // finish them off.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left: Vec<_> = running
            .iter()
            .filter(|(pid, p)| still_runs(**pid, p.started))
            .collect();
        if left.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still running after Ctrl-C: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_missing_file_is_an_error_at_once() {
    let folder = tempfile::tempdir().unwrap();
    let output = netgrade()
        .args(["watch", "tcp-server"])
        .arg(folder.path().join("server.py"))
        .stdin(Stdio::null())
        .output()
        .expect("netgrade runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no such file or folder") && stderr.contains("server.py"),
        "{stderr}"
    );
}
