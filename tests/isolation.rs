//! Isolation: two gradings of port-8888 servers at the same time both pass (each test has its
//! own network namespace), and the host-loopback fallback works and says so.

mod common;

use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{netgrade, processes_mentioning, repo};

/// Tests on the host loopback all need port 8888 of the machine: one at a time.
static HOST_PORT: Mutex<()> = Mutex::new(());

/// Waits (bounded) until `check` holds, polling; for watching other processes from a test.
fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    check()
}

/// A copy of a slow-to-finish server under a unique name, and netgrade grading it.
fn grading_in_progress(marker: &str) -> (tempfile::TempDir, Child) {
    let dir = tempfile::tempdir().unwrap();
    let server: PathBuf = dir.path().join(format!("{marker}.py"));
    std::fs::copy(repo().join("tests/hostile/ignores_signals.py"), &server).unwrap();
    let child = netgrade()
        .args(["test", "tcp-server"])
        .arg(&server)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(
        eventually(Duration::from_secs(20), || !processes_mentioning(marker)
            .is_empty()),
        "the program never started"
    );
    (dir, child)
}

#[test]
fn two_gradings_of_port_8888_servers_at_once_both_pass() {
    let servers = [
        "exercises/tcp-server/solutions/good/server_loopback.py",
        "exercises/tcp-server/solutions/good/server_any_address.py",
    ];
    let children: Vec<_> = servers
        .iter()
        .map(|server| {
            netgrade()
                .args(["test", "tcp-server", server, "--format", "json"])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("netgrade starts")
        })
        .collect();
    for (server, child) in servers.iter().zip(children) {
        let output = child.wait_with_output().unwrap();
        let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(output.status.code(), Some(0), "{server}: {document:#}");
        assert_eq!(document["isolation"], "namespace");
    }
}

#[test]
fn the_host_loopback_fallback_grades_and_says_so() {
    let _port = HOST_PORT.lock().unwrap_or_else(|e| e.into_inner());
    let output = netgrade()
        .args(["test", "tcp-server", "--isolation", "none"])
        .arg(repo().join("exercises/tcp-server/solutions/good/server_loopback.py"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(
        out.contains("isolation: host loopback, one test at a time, no namespaces"),
        "{out}"
    );
}

/// Sockets of the machine's loopback with local port 8888 in TIME_WAIT.
fn port_8888_in_time_wait() -> usize {
    std::fs::read_to_string("/proc/net/tcp")
        .unwrap()
        .lines()
        .skip(1)
        .filter(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields.get(1).is_some_and(|local| local.ends_with(":22B8"))
                && fields.get(3) == Some(&"06")
        })
        .count()
}

/// On the host's loopback, a server that closes every connection first (a classic bug) must
/// not leave port 8888 in TIME_WAIT: the next student's server, binding without SO_REUSEADDR
/// as the course's does, would fail for a minute.
#[test]
fn a_server_that_closes_first_does_not_cost_the_next_one_the_port() {
    let _port = HOST_PORT.lock().unwrap_or_else(|e| e.into_inner());
    let closes_first = netgrade()
        .args(["test", "tcp-server", "--isolation", "none"])
        .arg(repo().join("exercises/tcp-server/solutions/bad/one_recv_per_client.py"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&closes_first.stdout);
    assert_eq!(closes_first.status.code(), Some(1), "{out}");
    assert!(out.contains("score: 12/14"), "{out}");
    assert_eq!(port_8888_in_time_wait(), 0, "{out}");
    let next = netgrade()
        .args(["test", "tcp-server", "--isolation", "none"])
        .arg(repo().join("exercises/tcp-server/solutions/good/server_loopback.py"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&next.stdout);
    assert_eq!(next.status.code(), Some(0), "{out}");
}

#[test]
fn no_program_is_left_running_after_grading() {
    let marker = "netgrade-leftover-check";
    let dir = tempfile::tempdir().unwrap();
    let server = dir.path().join(format!("{marker}.py"));
    std::fs::copy(
        repo().join("exercises/tcp-server/solutions/good/server_loopback.py"),
        &server,
    )
    .unwrap();
    let output = netgrade()
        .args(["test", "tcp-server"])
        .arg(&server)
        .output()
        .unwrap();
    assert!(output.status.success());
    let leftovers = processes_mentioning(marker);
    assert!(leftovers.is_empty(), "still running: {leftovers:?}");
}

#[test]
fn sigterm_to_the_grader_stops_every_program_it_started() {
    let marker = "netgrade-sigterm-check";
    let (_dir, mut child) = grading_in_progress(marker);
    rustix::process::kill_process(
        rustix::process::Pid::from_child(&child),
        rustix::process::Signal::TERM,
    )
    .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let mut message = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut message).unwrap();
    assert!(message.contains("interrupted by SIGTERM"), "{message}");
    assert!(
        eventually(Duration::from_secs(5), || processes_mentioning(marker)
            .is_empty()),
        "left running: {:?}",
        processes_mentioning(marker)
    );
}

#[test]
fn a_grader_killed_outright_takes_its_programs_with_it() {
    let marker = "netgrade-sigkill-check";
    let (_dir, mut child) = grading_in_progress(marker);
    child.kill().unwrap();
    child.wait().unwrap();
    // PR_SET_PDEATHSIG ends the supervisor, and with it the program's PID namespace.
    assert!(
        eventually(Duration::from_secs(5), || processes_mentioning(marker)
            .is_empty()),
        "left running: {:?}",
        processes_mentioning(marker)
    );
}

/// A probe program: it prints what it sees of the machine, then serves correctly.
const PROBE: &str = r#"
import os, sys
def look(path):
    try:
        return sorted(os.listdir(path))[:8] if os.path.isdir(path) else open(path, "rb").read(40)
    except OSError as error:
        return type(error).__name__
print("uid", os.getuid(), "root", sorted(os.listdir("/")), file=sys.stderr)
print("repo", look("REPO"), "proc1", look("/proc/1/cmdline"), file=sys.stderr, flush=True)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thanks import serve_forever
serve_forever()
"#;

#[test]
#[cfg_attr(
    not(netgrade_root),
    ignore = "needs root: it grades as another user (setpriv)"
)]
fn without_root_every_run_is_isolated_all_the_same() {
    assert!(
        rustix::process::geteuid().is_root(),
        "built as root but run as another user: rebuild the tests"
    );
    // A folder anyone can read, as a student's would be.
    let dir = tempfile::tempdir().unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        dir.path().join("probe.py"),
        PROBE.replace("REPO", &repo().display().to_string()),
    )
    .unwrap();
    std::fs::copy(
        repo().join("tests/hostile/_thanks_server.py"),
        dir.path().join("thanks.py"),
    )
    .unwrap();
    let binary = assert_cmd::cargo::cargo_bin("netgrade");
    let output = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(binary)
        .args([
            "test",
            "tcp-server",
            "--format",
            "json",
            "--test",
            "1",
            "--",
        ])
        .arg("python3")
        .arg(dir.path().join("probe.py"))
        .current_dir("/")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let document: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    assert_eq!(output.status.code(), Some(0), "{document:#}");
    assert_eq!(document["isolation"], "namespace");
    let transcript = document["tests"][0]["transcript"].as_str().unwrap();
    // Its own user in its own namespace, the run's own root, nothing of the checkout, and the
    // supervisor (PID 1) hidden.
    assert!(transcript.contains("uid 1000 root ['bin', 'dev', 'etc', 'home', 'lib', 'lib64', 'proc', 'sbin', 'tmp', 'usr', 'var']"), "{transcript}");
    assert!(
        transcript.contains("repo FileNotFoundError proc1 FileNotFoundError"),
        "{transcript}"
    );
}
