//! Every known-good and known-bad fixture program really runs and gets the verdict it
//! declares (`netgrade-expect:`), with the exit code that goes with it; the messages for the
//! bad ones name the actual problem.

mod common;

use common::{failed_tests, fixtures, grade_json, program_for, repo, test_json};

/// Grades one fixture and checks the declared verdict.
fn check(exercise: &str, file: &str) -> serde_json::Value {
    let fixture = fixtures(exercise)
        .into_iter()
        .find(|f| f.source.ends_with(file))
        .unwrap_or_else(|| panic!("no fixture {file} for {exercise}"));
    let (code, document) = grade_json(exercise, &program_for(&fixture.source), &[]);
    let tests = document["tests"].as_array().unwrap().len();
    let expected_failures = fixture.expectation.failing_tests(tests);
    assert_eq!(
        failed_tests(&document),
        expected_failures,
        "{file}: wrong tests failed\n{document:#}"
    );
    let expected_code = if expected_failures.is_empty() { 0 } else { 1 };
    assert_eq!(code, expected_code, "{file}: exit code");
    assert_eq!(document["passed"], expected_failures.is_empty());
    document
}

fn failure_kind(document: &serde_json::Value, test: usize) -> String {
    test_json(document, test)["failure"]["kind"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn message(document: &serde_json::Value, test: usize) -> String {
    test_json(document, test)["failure"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Every fixture on disk is covered by a test below (so a new fixture cannot be forgotten).
#[test]
fn every_fixture_has_a_test() {
    let source = std::fs::read_to_string(repo().join("tests/fixtures.rs")).unwrap();
    for exercise in ["tcp-server", "tcp-echo-server"] {
        for fixture in fixtures(exercise) {
            let name = fixture
                .source
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            assert!(
                source.contains(&format!("check(\"{exercise}\", \"{name}\")")),
                "{} has no test in tests/fixtures.rs",
                fixture.source.display()
            );
        }
    }
}

mod tcp_server {
    use super::*;

    #[test]
    fn loopback_server_passes() {
        let document = check("tcp-server", "server_loopback.py");
        assert_eq!(document["score"], document["max_score"]);
    }

    #[test]
    fn any_address_server_passes() {
        check("tcp-server", "server_any_address.py");
    }

    #[test]
    fn rust_reference_passes_as_a_student_program() {
        let binary = &common::references()["tcp-server"];
        let (code, document) = grade_json("tcp-server", binary, &[]);
        assert_eq!(code, 0, "{document:#}");
    }

    #[test]
    fn one_recv_per_client_fails_the_several_messages_test() {
        let document = check("tcp-server", "one_recv_per_client.py");
        assert_eq!(failure_kind(&document, 2), "connection_ended");
        assert!(message(&document, 2).contains("closed the connection of client a"));
    }

    #[test]
    fn one_recv_per_client_in_rust_fails_the_same_way() {
        let document = check("tcp-server", "one_recv_per_client.rs");
        assert_eq!(failure_kind(&document, 2), "connection_ended");
    }

    #[test]
    fn serving_one_client_then_exiting_is_named() {
        let document = check("tcp-server", "one_client_then_exit.py");
        assert_eq!(failure_kind(&document, 4), "connect_failed");
        assert!(message(&document, 4).contains("connection refused"));
        assert_eq!(
            test_json(&document, 4)["program_end"],
            "ended by itself with exit code 0"
        );
    }

    #[test]
    fn ignoring_the_empty_recv_is_caught() {
        let document = check("tcp-server", "no_empty_recv_check.py");
        // After the client's half-close, the server keeps "replying" instead of closing.
        assert_eq!(failure_kind(&document, 6), "unexpected_data");
    }

    #[test]
    fn replying_to_the_wrong_client_is_named() {
        let document = check("tcp-server", "replies_to_wrong_client.py");
        assert_eq!(failure_kind(&document, 7), "no_reply");
        assert!(
            message(&document, 7).contains("replied to the wrong client"),
            "{}",
            message(&document, 7)
        );
    }

    #[test]
    fn forgetting_listen_ends_before_listening_with_the_traceback() {
        let document = check("tcp-server", "forgets_listen.py");
        assert_eq!(failure_kind(&document, 1), "ended_before_listening");
        let transcript = test_json(&document, 1)["transcript"].as_str().unwrap();
        assert!(transcript.contains("Invalid argument"), "{transcript}");
    }

    #[test]
    fn a_syntax_error_is_shown() {
        let document = check("tcp-server", "syntax_error.py");
        let transcript = test_json(&document, 1)["transcript"].as_str().unwrap();
        assert!(transcript.contains("SyntaxError"), "{transcript}");
    }

    #[test]
    fn the_wrong_port_is_named() {
        let document = check("tcp-server", "wrong_port.py");
        assert_eq!(failure_kind(&document, 1), "never_listened");
        assert!(
            message(&document, 1).contains("listens on 127.0.0.1:8889, not on TCP port 8888"),
            "{}",
            message(&document, 1)
        );
    }
}

mod tcp_echo_server {
    use super::*;

    #[test]
    fn python_echo_server_passes() {
        check("tcp-echo-server", "echo_server.py");
    }

    #[test]
    fn threaded_rust_echo_server_passes() {
        check("tcp-echo-server", "echo_server.rs");
    }

    #[test]
    fn one_recv_per_client_loses_the_large_message() {
        let document = check("tcp-echo-server", "one_recv_per_client.py");
        let failure = &test_json(&document, 4)["failure"];
        assert_eq!(failure["received"]["length"], 1024);
        assert_eq!(
            failure["detail"],
            "only the first 1024 of 102400 expected bytes arrived"
        );
    }

    #[test]
    fn an_added_newline_is_reported_as_extra_bytes() {
        let document = check("tcp-echo-server", "adds_newline.py");
        assert_eq!(failure_kind(&document, 1), "unexpected_data");
        assert_eq!(test_json(&document, 1)["failure"]["received"]["text"], "\n");
    }

    #[test]
    fn decoding_binary_data_is_caught_at_the_first_changed_byte() {
        let document = check("tcp-echo-server", "decodes_text.py");
        assert_eq!(failure_kind(&document, 3), "wrong_reply");
        let detail = test_json(&document, 3)["failure"]["detail"]
            .as_str()
            .unwrap();
        assert!(detail.contains("byte 1 differs"), "{detail}");
    }
}
