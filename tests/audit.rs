//! `netgrade audit`: every known-good fixture must pass, every known-bad one must fail the
//! tests it declares; a wrong declaration (a weak or too strict spec) is a miss and exit 1.

mod common;

use common::{netgrade, repo};

const SPEC: &str = "id: quick
title: quick
program: { listens: { tcp: 8888 } }
tests:
  - name: one message
    steps:
      - connect: a
      - send: { to: a, text: hi }
      - expect: { from: a, text: Thanks }
      - close: a
  - name: a second client
    steps:
      - connect: b
      - send: { to: b, text: hi }
      - expect: { from: b, text: Thanks }
      - close: b
";

fn pack(bad_declares: &str) -> tempfile::TempDir {
    let pack = tempfile::tempdir().unwrap();
    let solutions = pack.path().join("quick/solutions");
    std::fs::create_dir_all(solutions.join("good")).unwrap();
    std::fs::create_dir_all(solutions.join("bad")).unwrap();
    std::fs::write(pack.path().join("quick/exercise.yaml"), SPEC).unwrap();
    // The course's server; this spec has no robustness test, so it simply passes.
    let good = std::fs::read_to_string(
        repo().join("exercises/tcp-server/solutions/good/server_loopback.py"),
    )
    .unwrap()
    .replace("netgrade-expect: pass fragile 9", "netgrade-expect: pass");
    std::fs::write(solutions.join("good/server.py"), good).unwrap();
    let bad = std::fs::read_to_string(
        repo().join("exercises/tcp-server/solutions/bad/forgets_listen.py"),
    )
    .unwrap()
    .replace(
        "netgrade-expect: fail all",
        &format!("netgrade-expect: {bad_declares}"),
    );
    std::fs::write(solutions.join("bad/forgets_listen.py"), bad).unwrap();
    pack
}

fn audit(pack: &tempfile::TempDir) -> (i32, String) {
    let output = netgrade()
        .arg("--exercises")
        .arg(pack.path())
        .arg("audit")
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn a_spec_that_catches_every_declared_bug_passes_the_audit() {
    let (code, out) = audit(&pack("fail all"));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("quick"), "{out}");
    assert!(out.contains("1/1          1/1  0"), "{out}");
}

#[test]
fn a_wrong_declaration_is_a_miss() {
    let (code, out) = audit(&pack("fail 2"));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "miss: quick: bad/forgets_listen.py: tests failed: 1 2, fragile: none; declared: failed 2, fragile none"
        ),
        "{out}"
    );
}
