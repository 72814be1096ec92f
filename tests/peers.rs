//! The spec language's peers and console steps on small programs written for each case:
//! what the bundled exercises do not exercise themselves (a second connection, a reset, a
//! connection never closed, stderr, closing stdin, the traceback policy).

mod common;

use common::{netgrade, test_json};

/// Grades `program` (Python source) on a one-exercise pack made of `spec`; returns the JSON.
fn grade(spec: &str, program: &str) -> serde_json::Value {
    let pack = tempfile::tempdir().unwrap();
    std::fs::create_dir(pack.path().join("case")).unwrap();
    std::fs::write(pack.path().join("case/exercise.yaml"), spec).unwrap();
    let source = pack.path().join("program.py");
    std::fs::write(&source, program).unwrap();
    let output = netgrade()
        .arg("--exercises")
        .arg(pack.path())
        .args(["test", "case"])
        .arg(&source)
        .args(["--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&output.stderr));
    })
}

fn failure(document: &serde_json::Value, test: usize) -> &serde_json::Value {
    &test_json(document, test)["failure"]
}

const CLIENT_SPEC: &str = "id: case
title: A client
program: { connects: { tcp: 8888 } }
timeouts: { step: 2s }
tests:
  - name: two connections, one after the other
    steps:
      - accept: first
      - expect: { from: first, text: one }
      - expect_closed: { from: first }
      - accept: second
      - expect: { from: second, text: two }
      - expect_closed: { from: second }
";

#[test]
fn the_grader_accepts_a_second_connection() {
    let document = grade(
        CLIENT_SPEC,
        "import socket\nfor word in ['one', 'two']:\n    s = socket.create_connection(('127.0.0.1', 8888))\n    s.sendall(word.encode())\n    s.close()\n",
    );
    assert_eq!(document["passed"], true, "{document:#}");
}

#[test]
fn a_reset_is_not_an_orderly_close() {
    let document = grade(
        CLIENT_SPEC,
        "import socket, struct\ns = socket.create_connection(('127.0.0.1', 8888))\ns.sendall(b'one')\ns.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))\ns.close()\n",
    );
    let failure = failure(&document, 1);
    assert_eq!(failure["kind"], "connection_ended", "{document:#}");
    assert!(
        failure["message"].as_str().unwrap().contains("reset (RST)"),
        "{failure}"
    );
}

#[test]
fn a_connection_left_open_is_named() {
    let document = grade(
        CLIENT_SPEC,
        "import socket, time\ns = socket.create_connection(('127.0.0.1', 8888))\ns.sendall(b'one')\ninput()\n",
    );
    let failure = failure(&document, 1);
    assert_eq!(failure["kind"], "not_closed", "{document:#}");
    assert_eq!(
        failure["message"],
        "server connection first expected your program to close the connection, but it is waiting for input from the keyboard (input()) with the connection open"
    );
}

const CONSOLE_SPEC: &str = "id: case
title: The console
program: { traceback: TRACEBACK }
timeouts: { step: 2s }
tests:
  - name: keywords in order, on stderr, then the end of input
    steps:
      - type: ping
      - expect_output: { keywords: [got, PING], stream: stderr }
      - close_stdin
      - expect_exit: { code: 1 }
";

const ECHO_TO_STDERR: &str =
    "import sys\nline = input()\nprint('got', line.upper(), file=sys.stderr)\ninput()\n";

#[test]
fn stderr_keywords_and_closing_stdin() {
    // input() at the end of input raises EOFError: a traceback and exit code 1.
    let allowed = grade(
        &CONSOLE_SPEC.replace("TRACEBACK", "allowed"),
        ECHO_TO_STDERR,
    );
    assert_eq!(allowed["passed"], true, "{allowed:#}");
    let transcript = test_json(&allowed, 1)["transcript"].as_str().unwrap();
    assert!(transcript.contains("stdin closed"), "{transcript}");
    assert!(transcript.contains("EOFError"), "{transcript}");
}

#[test]
fn a_traceback_fails_the_test_when_the_spec_says_so() {
    let fails = grade(&CONSOLE_SPEC.replace("TRACEBACK", "fails"), ECHO_TO_STDERR);
    let failure = failure(&fails, 1);
    assert_eq!(failure["kind"], "traceback", "{fails:#}");
    assert_eq!(
        failure["message"],
        "your program crashed with a Python traceback: EOFError: EOF when reading a line"
    );
}

#[test]
fn a_program_that_sleeps_before_answering_is_waited_for() {
    let spec = "id: case
title: Slow answer
tests:
  - name: answer after a nap
    steps:
      - type: hi
      - expect_output: { answer: hello }
";
    let document = grade(
        spec,
        "import time\ninput()\ntime.sleep(0.3)\nprint('hello')\n",
    );
    assert_eq!(document["passed"], true, "{document:#}");
}
