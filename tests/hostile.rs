//! The hostile-submission suite: programs that misbehave on purpose (`tests/hostile/`). For
//! each: the verdict and its reason, the grading ends within a generous bound, nothing of the
//! program is left running, the grader's own memory stays bounded, and the next grading on
//! the same machine is unaffected.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{netgrade, repo, test_json};

/// Grading one test ends well within this, whatever the program does: every wait has a
/// limit (start 5 s, step 5 s, settle 1 s, stop 3 × 1.5 s). Generous, for loaded machines.
const BOUND: Duration = Duration::from_secs(60);
/// The grader's own peak memory, whatever the program sends or prints.
const GRADER_MEMORY_KIB: u64 = 256 * 1024;

struct Graded {
    code: i32,
    document: serde_json::Value,
}

fn hostile(name: &str) -> PathBuf {
    repo().join("tests/hostile").join(name)
}

/// Peak resident memory of a running process, in KiB.
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Grades `program` with the given extra arguments, checking the bounds every hostile run
/// must keep, and that a correct program passes right after.
fn grade(program: &Path, extra: &[&str]) -> Graded {
    let started = Instant::now();
    let mut child = netgrade()
        .args(["test"])
        .args(extra)
        .arg(program)
        .args(["--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    // Drain the grader's output meanwhile: a full pipe would stall it.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut bytes).map(|_| bytes)
    });
    let err_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut bytes).map(|_| bytes)
    });
    // Sample the grader's peak memory while it runs (VmHWM only grows).
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() && started.elapsed() < BOUND * 2 {
        peak = peak.max(peak_kib(pid).unwrap_or(0));
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = child.wait().unwrap();
    let output = std::process::Output {
        status,
        stdout: out_reader.join().unwrap().unwrap(),
        stderr: err_reader.join().unwrap().unwrap(),
    };
    let elapsed = started.elapsed();
    let name = program.file_name().unwrap().to_string_lossy().into_owned();
    assert!(elapsed < BOUND, "{name}: grading took {elapsed:?}");
    assert!(
        peak < GRADER_MEMORY_KIB,
        "{name}: the grader peaked at {peak} KiB"
    );
    let left = common::processes_mentioning(&name);
    assert!(
        left.is_empty(),
        "{name}: still running afterwards: {left:?}"
    );
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{name}: no JSON ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    // The next grading on this machine is unaffected.
    let good = repo().join("exercises/tcp-server/solutions/good/server_loopback.py");
    let (code, after) = common::grade_json("tcp-server", &good, &["-t", "1"]);
    assert_eq!(
        code, 0,
        "{name}: a correct program failed right after: {after:#}"
    );
    Graded {
        code: output.status.code().unwrap(),
        document,
    }
}

fn first_test(name: &str) -> Graded {
    grade(&hostile(name), &["tcp-server", "-t", "1"])
}

fn kind(graded: &Graded) -> String {
    test_json(&graded.document, 1)["failure"]["kind"]
        .as_str()
        .unwrap_or("passed")
        .to_owned()
}

fn limits(graded: &Graded) -> String {
    test_json(&graded.document, 1)["limits_hit"].to_string()
}

fn transcript(graded: &Graded) -> String {
    test_json(&graded.document, 1)["transcript"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn fork_bomb_hits_the_process_limit() {
    let graded = first_test("fork_bomb.py");
    assert_eq!(graded.code, 1);
    assert_eq!(kind(&graded), "never_listened");
    assert!(
        limits(&graded).contains("process limit"),
        "{}",
        limits(&graded)
    );
}

#[test]
fn endless_stdout_is_cut_and_reported() {
    let graded = first_test("infinite_stdout.py");
    assert_eq!(kind(&graded), "never_listened");
    assert!(
        limits(&graded).contains("stdout cut at 64 KiB"),
        "{}",
        limits(&graded)
    );
}

#[test]
fn endless_stderr_is_cut_and_reported() {
    let graded = first_test("infinite_stderr.py");
    assert_eq!(kind(&graded), "never_listened");
    assert!(
        limits(&graded).contains("stderr cut at 64 KiB"),
        "{}",
        limits(&graded)
    );
}

#[test]
fn sleeping_before_listening_times_out_at_the_start_limit() {
    let graded = first_test("sleeps_before_listening.py");
    assert_eq!(kind(&graded), "never_listened");
    let message = test_json(&graded.document, 1)["failure"]["message"].to_string();
    assert!(
        message.contains("did not listen on TCP port 8888 within 5s"),
        "{message}"
    );
}

#[test]
fn listening_without_accepting_gets_no_reply() {
    let graded = first_test("listens_never_accepts.py");
    assert_eq!(kind(&graded), "no_reply");
}

#[test]
fn accepting_without_replying_gets_no_reply() {
    let graded = first_test("accepts_never_replies.py");
    assert_eq!(kind(&graded), "no_reply");
}

#[test]
fn ignoring_ctrl_c_and_sigterm_ends_with_sigkill() {
    let graded = first_test("ignores_signals.py");
    assert_eq!(graded.code, 0, "{:#}", graded.document);
    assert_eq!(
        test_json(&graded.document, 1)["program_end"],
        "stopped by the grader with SIGKILL"
    );
}

#[test]
fn a_memory_hog_hits_the_memory_limit() {
    let graded = first_test("memory_hog.py");
    assert_eq!(kind(&graded), "ended_before_listening");
    assert!(
        limits(&graded).contains("memory limit (512 MiB)"),
        "{}",
        limits(&graded)
    );
}

#[test]
fn a_busy_loop_never_listens() {
    let graded = first_test("busy_loop.py");
    assert_eq!(kind(&graded), "never_listened");
}

#[test]
fn a_double_forked_orphan_keeping_the_port_dies_with_the_program() {
    // Whether the grader sees the orphan's LISTEN before the parent exits (or sees the parent
    // waiting in wait() with nothing listening yet) is a race the program creates; either way
    // the test fails, and nothing may survive (checked in grade).
    let graded = first_test("orphan_keeps_port.py");
    assert_eq!(graded.code, 1);
    assert!(
        ["ended_before_listening", "connect_failed", "never_listened"]
            .contains(&kind(&graded).as_str()),
        "{}",
        kind(&graded)
    );
}

#[test]
fn a_huge_file_hits_the_file_size_limit() {
    let graded = first_test("huge_file.py");
    assert_eq!(kind(&graded), "ended_before_listening");
    assert!(
        limits(&graded).contains("file size limit (16 MiB)"),
        "{}",
        limits(&graded)
    );
    assert!(
        transcript(&graded).contains("File too large"),
        "{}",
        transcript(&graded)
    );
}

#[test]
fn closing_stdout_does_not_hang_the_grader() {
    let graded = grade(&hostile("closes_stdout.py"), &["tcp-server"]);
    assert_eq!(graded.code, 0, "{:#}", graded.document);
}

#[test]
fn reading_stdin_forever_does_not_hang_the_grader() {
    let graded = grade(&hostile("reads_stdin_forever.py"), &["tcp-server"]);
    assert_eq!(graded.code, 0, "{:#}", graded.document);
}

#[test]
fn a_flood_is_cut_off_without_growing_the_grader() {
    // A spec whose expectation never matches, so the client keeps reading the flood.
    let pack = tempfile::tempdir().unwrap();
    std::fs::create_dir(pack.path().join("flood")).unwrap();
    std::fs::write(
        pack.path().join("flood/exercise.yaml"),
        "id: flood\ntitle: flood\nprogram: { listens: { tcp: 8888 } }\ntests:\n  - name: n\n    steps:\n      - connect: a\n      - send: { to: a, text: hi }\n      - expect: { from: a, contains: never, timeout: 20s }\n",
    )
    .unwrap();
    let exercises = pack.path().to_string_lossy().into_owned();
    let graded = grade(
        &hostile("floods_the_client.py"),
        &["--exercises", &exercises, "flood"],
    );
    assert_eq!(kind(&graded), "connection_ended");
    let message = test_json(&graded.document, 1)["failure"]["message"].to_string();
    assert!(message.contains("sent over 17 MiB"), "{message}");
}

#[test]
fn the_outside_is_unreachable_and_the_output_says_so() {
    let graded = first_test("reaches_outside.py");
    assert_eq!(graded.code, 0, "{:#}", graded.document);
    assert_eq!(graded.document["isolation"], "namespace");
    assert!(
        transcript(&graded).contains("outside unreachable: [Errno 101] Network is unreachable"),
        "{}",
        transcript(&graded)
    );
}

#[test]
fn killing_its_own_group_cannot_touch_the_grader() {
    let graded = first_test("kills_own_group.py");
    assert_eq!(kind(&graded), "ended_before_listening");
    assert_eq!(
        test_json(&graded.document, 1)["program_end"],
        "crashed: killed by SIGKILL"
    );
}

#[test]
fn the_program_cannot_see_or_signal_the_grader() {
    let graded = first_test("spies_on_the_grader.py");
    assert_eq!(graded.code, 0, "{:#}", graded.document);
    let transcript = transcript(&graded);
    // PID 2 is itself; PID 1, its supervisor, is hidden: nothing of the machine, nothing to
    // signal.
    assert!(transcript.contains("visible pids [2]"), "{transcript}");
    assert!(transcript.contains("could signal []"), "{transcript}");
    assert!(!transcript.contains("uid 0 "), "{transcript}");
}

#[test]
fn the_cpu_limit_of_the_spec_is_enforced_and_reported() {
    let pack = tempfile::tempdir().unwrap();
    std::fs::create_dir(pack.path().join("spin")).unwrap();
    std::fs::write(
        pack.path().join("spin/exercise.yaml"),
        "id: spin\ntitle: spin\nprogram: { listens: { tcp: 8888 } }\nlimits: { cpu: 1s }\ntimeouts: { start: 20s }\ntests:\n  - name: n\n    steps:\n      - connect: a\n",
    )
    .unwrap();
    let exercises = pack.path().to_string_lossy().into_owned();
    let graded = grade(
        &hostile("busy_loop.py"),
        &["--exercises", &exercises, "spin"],
    );
    assert_eq!(kind(&graded), "ended_before_listening");
    assert!(
        limits(&graded).contains("CPU time limit (1s) reached"),
        "{}",
        limits(&graded)
    );
}

#[test]
fn every_hostile_program_has_a_test() {
    let source = std::fs::read_to_string(repo().join("tests/hostile.rs")).unwrap();
    for entry in std::fs::read_dir(repo().join("tests/hostile"))
        .unwrap()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        // `_`-prefixed files are modules the programs import, not programs.
        if name.ends_with(".py") && !name.starts_with('_') {
            assert!(
                source.contains(&format!("\"{name}\"")),
                "{name} has no test"
            );
        }
    }
}

#[test]
fn running_out_of_files_is_reported() {
    let graded = first_test("opens_files_without_end.py");
    assert_eq!(kind(&graded), "never_listened");
    assert!(
        limits(&graded).contains("open files limit (256) reached"),
        "{}",
        limits(&graded)
    );
}

#[test]
fn a_udp_flood_does_not_disturb_the_grading() {
    let graded = first_test("floods_udp.py");
    assert_eq!(graded.code, 0, "{:#}", graded.document);
}
