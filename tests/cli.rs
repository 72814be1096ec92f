//! The command line: exit codes, and plain messages for every mistake a user can make.

mod common;

use assert_cmd::assert::OutputAssertExt;
use common::{netgrade, repo};
use predicates::prelude::*;

fn run(args: &[&str]) -> (i32, String, String) {
    let output = netgrade().args(args).output().expect("netgrade runs");
    (
        output.status.code().expect("exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn list_shows_the_bundled_exercises_from_any_directory() {
    let dir = tempfile::tempdir().unwrap();
    let output = netgrade()
        .current_dir(dir.path())
        .arg("list")
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    let listed: Vec<&str> = text
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    for id in [
        "tcp-server",
        "tcp-echo-server",
        "tcp-client",
        "udp-server",
        "udp-client",
        "inet-conversions",
        "port-ranges",
        "special-addresses",
        "service-lookup",
        "host-info",
        "file-server",
        "file-client",
        "chat-server",
    ] {
        assert!(listed.contains(&id), "{id} is not listed:\n{text}");
    }
}

#[test]
fn every_statement_is_in_english_and_chinese_with_its_contract() {
    for id in [
        "tcp-server",
        "tcp-echo-server",
        "tcp-client",
        "udp-server",
        "udp-client",
        "inet-conversions",
        "port-ranges",
        "special-addresses",
        "service-lookup",
        "host-info",
        "file-server",
        "file-client",
        "chat-server",
    ] {
        let (code, out, _) = run(&["show", id]);
        assert_eq!(code, 0, "{id}");
        assert!(
            out.contains("How it is tested"),
            "{id}: no English statement"
        );
        assert!(
            !out.contains("评测方式"),
            "{id}: the English statement has Chinese in it"
        );
        assert!(out.contains("1. "), "{id}: the tests are not listed");
        let (code, out, _) = run(&["--lang", "zh", "show", id]);
        assert_eq!(code, 0, "{id}");
        assert!(out.contains("评测方式"), "{id}: no Chinese statement");
        assert!(
            !out.contains("How it is tested"),
            "{id}: the Chinese statement has English in it"
        );
        assert!(
            out.contains("测试："),
            "{id}: the tests are not listed in Chinese"
        );
    }
}

#[test]
fn show_prints_the_statement_and_tests() {
    let (code, out, _) = run(&["show", "tcp-server"]);
    assert_eq!(code, 0);
    assert!(out.contains("8888"), "{out}");
    assert!(out.contains("1. one message gets \"Thanks\""), "{out}");
}

#[test]
fn a_bad_flag_exits_2_and_says_so() {
    let (code, _, err) = run(&["test", "tcp-server", "x.py", "--no-such-flag"]);
    assert_eq!(code, 2);
    assert!(err.contains("--no-such-flag"), "{err}");
}

#[test]
fn a_missing_program_exits_2_and_names_it() {
    let (code, _, err) = run(&["test", "tcp-server", "no/such/server.py"]);
    assert_eq!(code, 2);
    assert!(err.contains("no such file: no/such/server.py"), "{err}");
}

#[test]
fn a_missing_command_exits_2_and_names_it() {
    let (code, _, err) = run(&["test", "tcp-server", "--", "no-such-interpreter-xyz", "a"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`no-such-interpreter-xyz` was not found on PATH"),
        "{err}"
    );
}

#[test]
fn an_unknown_exercise_lists_the_known_ones() {
    let (code, _, err) = run(&["test", "tcp-sever", "server.py"]);
    assert_eq!(code, 2);
    assert!(err.contains("no exercise `tcp-sever`"), "{err}");
    assert!(err.contains("tcp-server"), "{err}");
}

#[test]
fn a_test_number_out_of_range_is_refused() {
    let fixture = "exercises/tcp-server/solutions/good/server_loopback.py";
    let (code, _, err) = run(&["test", "tcp-server", fixture, "--test", "99"]);
    assert_eq!(code, 2);
    assert!(err.contains("--test 99"), "{err}");
}

#[test]
fn a_command_after_double_dash_is_run() {
    let fixture = repo().join("exercises/tcp-server/solutions/good/server_loopback.py");
    netgrade()
        .args(["test", "tcp-server", "--test", "1", "--", "python3"])
        .arg(&fixture)
        .assert()
        .success()
        .stdout(predicate::str::contains("score: 2/2"));
}

#[test]
fn only_the_chosen_test_runs() {
    let fixture = "exercises/tcp-server/solutions/bad/one_client_then_exit.py";
    let (code, out, _) = run(&["test", "tcp-server", fixture, "-t", "4"]);
    assert_eq!(code, 1);
    assert!(out.contains("✗  4."), "{out}");
    assert!(!out.contains(" 1. "), "{out}");
    assert!(
        out.contains("rerun this test: netgrade test tcp-server"),
        "{out}"
    );
}

#[test]
fn validate_accepts_the_bundled_pack() {
    let (code, out, _) = run(&["validate"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("ok    exercises/tcp-server/exercise.yaml"),
        "{out}"
    );
}

#[test]
fn schema_is_json_schema_of_the_spec() {
    let (code, out, _) = run(&["schema"]);
    assert_eq!(code, 0);
    let schema: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(schema["title"], "ExerciseSpec");
    assert!(schema["properties"]["tests"].is_object());
}

#[test]
fn json_output_can_go_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("result.json");
    let fixture = "exercises/tcp-server/solutions/good/server_loopback.py";
    netgrade()
        .args([
            "test",
            "tcp-server",
            fixture,
            "-t",
            "1",
            "--format",
            "json",
            "--output",
        ])
        .arg(&report)
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(document["schema"], "netgrade/result/v1");
    assert_eq!(document["score"], 2);
}
