//! Grading a class: a folder of mixed submissions (good, buggy, empty, hanging, no program,
//! single-file Rust), every output format checked field by field, partitions that cover each
//! submission exactly once, and an interrupted batch resumed without regrading.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use common::{netgrade, processes_mentioning, repo};

const QUICK: &str = "id: quick
title: Thanks, quickly
entry: [server.py]
program: { listens: { tcp: 8888 } }
timeouts: { start: 3s, step: 3s }
tests:
  - name: one message gets Thanks
    points: 2
    tags: [basics]
    steps:
      - connect: a
      - send: { to: a, text: hello }
      - expect: { from: a, text: Thanks }
      - close: a
  - name: a second client is served
    visibility: hidden
    steps:
      - connect: a
      - close: a
      - connect: b
      - send: { to: b, text: again }
      - expect: { from: b, text: Thanks }
      - close: b
";

const RUST_SERVER: &str = r#"use std::io::{Read, Write};
fn main() {
    let listener = std::net::TcpListener::bind("127.0.0.1:8888").unwrap();
    for connection in listener.incoming() {
        let mut connection = connection.unwrap();
        let mut buffer = [0u8; 1024];
        while let Ok(n) = connection.read(&mut buffer) {
            if n == 0 || connection.write_all(b"Thanks").is_err() { break; }
        }
    }
}
"#;

struct Class {
    pack: tempfile::TempDir,
    class: tempfile::TempDir,
    out: tempfile::TempDir,
}

fn fixture(path: &str) -> PathBuf {
    repo().join(path)
}

/// A class whose students are given as (name, files to put in their folder).
fn class(students: &[(&str, &[(&str, &str)])]) -> Class {
    let pack = tempfile::tempdir().unwrap();
    std::fs::create_dir(pack.path().join("quick")).unwrap();
    std::fs::write(pack.path().join("quick/exercise.yaml"), QUICK).unwrap();
    let class = tempfile::tempdir().unwrap();
    for (student, files) in students {
        let dir = class.path().join(student);
        std::fs::create_dir(&dir).unwrap();
        for (name, source) in *files {
            let content = if source.starts_with("exercises/") || source.starts_with("tests/") {
                std::fs::read_to_string(fixture(source)).unwrap()
            } else {
                (*source).to_owned()
            };
            std::fs::write(dir.join(name), content).unwrap();
        }
    }
    Class {
        pack,
        class,
        out: tempfile::tempdir().unwrap(),
    }
}

const GOOD: &str = "exercises/tcp-server/solutions/good/server_loopback.py";
const ONE_CLIENT: &str = "exercises/tcp-server/solutions/bad/one_client_then_exit.py";
const HANGS: &str = "tests/hostile/sleeps_before_listening.py";

impl Class {
    fn grade(&self, extra: &[&str]) -> std::process::Output {
        netgrade()
            .arg("--exercises")
            .arg(self.pack.path())
            .arg("grade")
            .arg(self.class.path())
            .args(["-e", "quick", "-o"])
            .arg(self.out.path())
            .args(extra)
            .output()
            .unwrap()
    }

    fn summary(&self) -> BTreeMap<String, csv::StringRecord> {
        let mut reader = csv::Reader::from_path(self.out.path().join("summary.csv")).unwrap();
        reader
            .records()
            .map(|record| {
                let record = record.unwrap();
                (record[0].to_owned(), record)
            })
            .collect()
    }

    /// A result file: a student's (`alice.json` is `submissions/alice.json`) or a summary.
    fn result(&self, file: &str) -> String {
        let path = if file.starts_with("summary.") {
            self.out.path().join(file)
        } else {
            self.out.path().join("submissions").join(file)
        };
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

#[test]
fn a_mixed_class_gets_one_verdict_each_and_gradescope_files() {
    let class = class(&[
        ("alice", &[("server.py", GOOD)]),
        ("bob", &[("server.py", ONE_CLIENT)]),
        ("carol", &[]),
        ("dave", &[("server.py", HANGS)]),
        ("erin", &[("README.txt", "I did not finish")]),
        ("frank", &[("main.rs", RUST_SERVER)]),
    ]);
    let output = class.grade(&["--format", "gradescope"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("graded 6 submissions of quick"), "{stdout}");

    let summary = class.summary();
    let row = |student: &str| {
        summary
            .get(student)
            .unwrap_or_else(|| panic!("no row for {student}"))
    };
    assert_eq!(summary.len(), 6);
    assert_eq!((&row("alice")[1], &row("alice")[3]), ("3", ""));
    assert_eq!((&row("bob")[1], &row("bob")[3]), ("2", "2"));
    assert!(row("bob")[4].contains("connect"), "{:?}", row("bob"));
    assert_eq!((&row("carol")[1], &row("carol")[3]), ("0", "1 2"));
    assert!(row("carol")[4].contains("the submission is empty"));
    assert_eq!((&row("dave")[1], &row("dave")[3]), ("0", "1 2"));
    assert!(row("dave")[4].contains("did not listen"));
    assert!(row("erin")[4].contains("no program found (looked for server.py"));
    assert_eq!(&row("frank")[1], "3", "{:?}", row("frank"));

    // Gradescope: the documented fields, hidden tests kept hidden.
    let bob: serde_json::Value =
        serde_json::from_str(&class.result("bob.gradescope.json")).unwrap();
    assert_eq!(bob["score"], 2);
    assert!(bob["execution_time"].is_u64());
    assert!(
        bob["output"]
            .as_str()
            .unwrap()
            .contains("1 of 2 tests passed")
    );
    let tests = bob["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 2);
    for (test, key) in tests.iter().flat_map(|t| {
        [
            "name",
            "number",
            "score",
            "max_score",
            "status",
            "output",
            "visibility",
        ]
        .map(|k| (t, k))
    }) {
        assert!(!test[key].is_null(), "missing {key} in {test}");
    }
    assert_eq!(tests[0]["number"], "1");
    assert_eq!(tests[0]["status"], "passed");
    assert_eq!(tests[0]["tags"], serde_json::json!(["basics"]));
    assert_eq!(tests[1]["status"], "failed");
    assert_eq!(tests[1]["visibility"], "hidden");
    assert!(
        tests[1]["output"]
            .as_str()
            .unwrap()
            .contains("could not connect")
    );

    // The JSON result of every submission is there too.
    let alice: serde_json::Value = serde_json::from_str(&class.result("alice.json")).unwrap();
    assert_eq!(alice["schema"], "netgrade/result/v1");
    let summary: serde_json::Value = serde_json::from_str(&class.result("summary.json")).unwrap();
    assert_eq!(summary["submissions"].as_array().unwrap().len(), 6);
}

#[test]
fn junit_results_parse_as_junit() {
    let class = class(&[
        ("alice", &[("server.py", GOOD)]),
        ("bob", &[("server.py", ONE_CLIENT)]),
    ]);
    let output = class.grade(&["--format", "junit"]);
    assert_eq!(output.status.code(), Some(0));
    let report = quick_junit::Report::deserialize_from_str(&class.result("bob.junit.xml")).unwrap();
    assert_eq!(report.test_suites.len(), 1);
    let suite = &report.test_suites[0];
    assert_eq!(suite.name.as_str(), "quick");
    assert_eq!(suite.test_cases.len(), 2);
    assert!(matches!(
        suite.test_cases[0].status,
        quick_junit::TestCaseStatus::Success { .. }
    ));
    let failure = &suite.test_cases[1];
    assert_eq!(failure.name.as_str(), "2. a second client is served");
    match &failure.status {
        quick_junit::TestCaseStatus::NonSuccess {
            message,
            description,
            ..
        } => {
            assert!(
                message
                    .as_ref()
                    .unwrap()
                    .as_str()
                    .contains("could not connect")
            );
            assert!(
                description
                    .as_ref()
                    .unwrap()
                    .as_str()
                    .contains("what happened")
            );
        }
        other => panic!("not a failure: {other:?}"),
    }
}

#[test]
fn classroom_output_is_the_reporters_base64_json() {
    use base64::Engine;
    let output = netgrade()
        .args([
            "test",
            "tcp-server",
            ONE_CLIENT,
            "-t",
            "1",
            "-t",
            "4",
            "--format",
            "classroom",
        ])
        .output()
        .unwrap();
    let line = String::from_utf8(output.stdout).unwrap();
    let json = base64::engine::general_purpose::STANDARD
        .decode(line.trim())
        .unwrap();
    let results: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(results["version"], 1);
    assert_eq!(results["status"], "fail");
    assert_eq!(results["max_score"], 4);
    assert_eq!(results["tests"][0]["status"], "pass");
    assert_eq!(results["tests"][0]["score"], 2);
    assert_eq!(results["tests"][1]["status"], "fail");
    assert!(
        results["tests"][1]["message"]
            .as_str()
            .unwrap()
            .contains("could not connect")
    );
}

#[test]
fn partitions_grade_every_submission_exactly_once() {
    let names = ["ann", "ben", "cat", "dan", "eve", "fay", "gus"];
    let students: Vec<(&str, &[(&str, &str)])> = names.iter().map(|n| (*n, &[][..])).collect();
    let class = class(&students);
    for parts in 1..=4 {
        let mut seen = Vec::new();
        for part in 1..=parts {
            let out = tempfile::tempdir().unwrap();
            let output = netgrade()
                .arg("--exercises")
                .arg(class.pack.path())
                .arg("grade")
                .arg(class.class.path())
                .args([
                    "-e",
                    "quick",
                    "--partition",
                    &format!("{part}/{parts}"),
                    "-o",
                ])
                .arg(out.path())
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(0));
            let mut reader = csv::Reader::from_path(out.path().join("summary.csv")).unwrap();
            seen.extend(reader.records().map(|r| r.unwrap()[0].to_owned()));
        }
        seen.sort();
        assert_eq!(seen, names, "{parts} parts");
    }
    let bad = netgrade()
        .args(["grade", ".", "-e", "tcp-server", "--partition", "5/4"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

#[test]
fn an_interrupted_batch_keeps_its_results_and_resumes_without_regrading() {
    let marker = "netgrade-batch-interrupt";
    let class = class(&[
        ("alice", &[("server.py", GOOD)]),
        ("zed", &[("server.py", HANGS)]),
    ]);
    // zed's program is renamed so the leftover check can find it.
    std::fs::rename(
        class.class.path().join("zed/server.py"),
        class.class.path().join(format!("zed/{marker}.py")),
    )
    .unwrap();
    let mut child = netgrade()
        .arg("--exercises")
        .arg(class.pack.path())
        .arg("grade")
        .arg(class.class.path())
        .args(["-e", "quick", "--jobs", "1", "--entry", "*.py", "-o"])
        .arg(class.out.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let alice = class.out.path().join("submissions/alice.json");
    let zed = class.out.path().join("submissions/zed.json");
    // alice (graded first) finishes; zed's hanging program is running: interrupt now.
    let started = std::time::Instant::now();
    let ready = || alice.exists() && !processes_mentioning(marker).is_empty();
    while !ready() && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(alice.exists(), "alice was never graded");
    rustix::process::kill_process(
        rustix::process::Pid::from_child(&child),
        rustix::process::Signal::INT,
    )
    .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(130));
    assert!(
        !zed.exists(),
        "zed was not finished and must not have a result"
    );
    assert!(processes_mentioning(marker).is_empty(), "left running");

    let alice_written = modified(&alice);
    let output = class.grade(&["--entry", "*.py", "--resume"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(modified(&alice), alice_written, "alice was graded again");
    assert!(zed.exists());
    let summary: serde_json::Value = serde_json::from_str(&class.result("summary.json")).unwrap();
    let rows = summary["submissions"].as_array().unwrap();
    assert_eq!(rows[0]["student"], "alice");
    assert_eq!(rows[0]["graded_now"], false);
    assert_eq!(rows[0]["score"], 3);
    assert_eq!(rows[1]["student"], "zed");
    assert_eq!(rows[1]["graded_now"], true);
}
