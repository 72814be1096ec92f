//! The spec language's features for instructors' own exercises, each proven on a real
//! program: a required bind address, program arguments, data files in the run's folder, a file
//! the program writes, reading until the program closes, the time now.

mod common;

use std::path::Path;

use common::{netgrade, repo};

/// A pack with one exercise `feature` whose spec is `yaml`; `files` are written beside it.
fn pack(yaml: &str, files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("feature");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("exercise.yaml"), yaml).unwrap();
    for (name, bytes) in files {
        std::fs::write(folder.join(name), bytes).unwrap();
    }
    dir
}

/// Grades `program` on the pack's exercise; returns the exit code and the JSON result.
fn grade(pack: &tempfile::TempDir, program: &Path) -> (i32, serde_json::Value) {
    let output = netgrade()
        .arg("--exercises")
        .arg(pack.path())
        .args(["test", "feature", "--format", "json"])
        .arg(program)
        .output()
        .unwrap();
    let code = output.status.code().unwrap();
    let document = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (code, document)
}

fn first_failure(document: &serde_json::Value) -> &serde_json::Value {
    &document["tests"][0]["failure"]
}

const BIND_ANY: &str = "id: feature
title: Bind every address
program: { listens: { tcp: 8888, address: 0.0.0.0 } }
tests:
  - name: thanks
    steps:
      - connect: a
      - send: { to: a, text: hi }
      - expect: { from: a, reply: Thanks }
      - close: a
";

#[test]
fn a_required_bind_address_fails_a_server_bound_elsewhere() {
    let pack = pack(BIND_ANY, &[]);
    let (code, document) = grade(
        &pack,
        &repo().join("exercises/tcp-server/solutions/good/server_any_address.py"),
    );
    assert_eq!(code, 0, "{document:#}");
    let (code, document) = grade(
        &pack,
        &repo().join("exercises/tcp-server/solutions/good/server_loopback.py"),
    );
    assert_eq!(code, 1, "{document:#}");
    assert_eq!(first_failure(&document)["kind"], "wrong_bind_address");
    assert_eq!(
        first_failure(&document)["message"],
        "your program is bound to 127.0.0.1:8888, but this exercise asks for 0.0.0.0 (port 8888): bind((\"0.0.0.0\", 8888))"
    );
}

#[test]
fn an_address_under_connects_is_refused() {
    let yaml = BIND_ANY.replace(
        "listens: { tcp: 8888, address: 0.0.0.0 }",
        "connects: { tcp: 8888, address: 0.0.0.0 }",
    );
    let pack = pack(&yaml, &[]);
    let output = netgrade()
        .arg("validate")
        .arg(pack.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stderr).into_owned()
        + &String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("`address` goes with `listens`"), "{text}");
}
