//! Unit tests of planning a spec: every validation case with its message and position.

use super::*;
use crate::plan::Matcher;
use crate::plan::action::{Action, ConsoleAction, TcpAction, TcpVerb, UdpAction, UdpVerb};

const HEADER: &str =
    "id: t\ntitle: T\nprogram: { listens: { tcp: 8888 } }\ntests:\n  - name: n\n    steps:\n";

fn plan(steps: &str) -> Result<Exercise, SpecError> {
    Exercise::from_yaml(&format!("{HEADER}{steps}"), "t.yaml")
}

fn plan_with(program: &str, steps: &str) -> Result<Exercise, SpecError> {
    let yaml = format!(
        "id: t\ntitle: T\nreference: port-ranges\nprogram: {program}\ntests:\n  - name: n\n    steps:\n{steps}"
    );
    Exercise::from_yaml(&yaml, "t.yaml")
}

fn error_with(program: &str, steps: &str) -> String {
    plan_with(program, steps).unwrap_err().to_string()
}

/// The problem's first line (`file:line:column: message`), without its snippet.
fn first_line(error: SpecError) -> String {
    error
        .to_string()
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn absurd_timeouts_and_limits_are_refused() {
    let err = plan("      - connect: a\n      - expect: { from: a, text: x, timeout: 3h }\n")
        .unwrap_err();
    assert!(
        err.to_string().contains("timeout: 3h is out of range"),
        "{err}"
    );
    let spec = HEADER.replace("tests:", "limits: { memory: 1KiB }\ntests:");
    let err = Exercise::from_yaml(&format!("{spec}      - connect: a\n"), "t.yaml").unwrap_err();
    assert!(err.to_string().contains("limits.memory"), "{err}");
}

#[test]
fn a_test_timeout_out_of_range_is_reported_at_its_value() {
    let yaml = "id: t\ntitle: T\nprogram: { listens: { tcp: 8888 } }\ntests:\n  - name: n\n    timeout: 2h\n    steps:\n      - connect: a\n";
    let err = Exercise::from_yaml(yaml, "t.yaml").unwrap_err().to_string();
    assert!(err.starts_with("t.yaml:6:14: test 1: timeout"), "{err}");
}

#[test]
fn entries_outside_the_submission_are_refused_at_their_line() {
    let spec = HEADER.replace("tests:", "entry: [../../etc/passwd]\ntests:");
    let err = Exercise::from_yaml(&format!("{spec}      - connect: a\n"), "t.yaml").unwrap_err();
    assert!(err.to_string().contains("no `..`"), "{err}");
}

#[test]
fn a_client_must_connect_before_sending() {
    let err = plan("      - send: { to: a, text: hi }\n").unwrap_err();
    assert_eq!(
        first_line(err),
        "t.yaml:7:9: connection `a` is not open here; add `- connect: a` before this step"
    );
}

#[test]
fn send_needs_exactly_one_payload() {
    let err =
        plan("      - connect: a\n      - send: { to: a, text: hi, hex: '00' }\n").unwrap_err();
    assert_eq!(
        first_line(err),
        "t.yaml:8:9: send: give exactly one of `text`, `hex` and `file`"
    );
}

#[test]
fn expect_needs_exactly_one_matcher() {
    let err = plan("      - connect: a\n      - expect: { from: a }\n").unwrap_err();
    assert!(err.to_string().contains("found 0"), "{err}");
}

#[test]
fn bad_regex_is_reported_at_its_step() {
    let err = plan("      - connect: a\n      - expect: { from: a, regex: '(' }\n").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("t.yaml:8:9: expect: `regex` does not compile")
    );
}

#[test]
fn repeat_multiplies_the_payload() {
    let exercise =
        plan("      - connect: a\n      - send: { to: a, text: ab, repeat: 3 }\n").unwrap();
    match &exercise.tests[0].steps[1].action {
        Action::Tcp(TcpAction {
            verb: TcpVerb::Send { bytes, .. },
            ..
        }) => assert_eq!(bytes, b"ababab"),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn reconnecting_after_close_is_allowed_but_not_twice_open() {
    assert!(plan("      - connect: a\n      - close: a\n      - connect: a\n").is_ok());
    let err = plan("      - connect: a\n      - connect: a\n").unwrap_err();
    assert!(err.to_string().contains("already open"), "{err}");
}

#[test]
fn console_steps_parse_including_a_bare_close_stdin() {
    let exercise = plan_with(
        "{}",
        "      - type: hello\n      - close_stdin\n      - expect_output: { answer: x }\n      - expect_exit: { code: 0 }\n",
    )
    .unwrap();
    assert_eq!(exercise.role, ProgramRole::Console);
    let actions: Vec<_> = exercise.tests[0].steps.iter().map(|s| &s.action).collect();
    assert!(
        matches!(actions[0], Action::Console(ConsoleAction::Type { bytes }) if bytes == b"hello\n")
    );
    assert!(matches!(
        actions[1],
        Action::Console(ConsoleAction::CloseStdin)
    ));
    assert!(matches!(
        actions[3],
        Action::Console(ConsoleAction::ExpectExit { code: Some(0), .. })
    ));
}

#[test]
fn typing_after_stdin_is_closed_is_refused() {
    let err = error_with("{}", "      - close_stdin\n      - type: more\n");
    assert!(err.contains("stdin is already closed"), "{err}");
}

#[test]
fn expect_output_needs_exactly_one_matcher() {
    let err = error_with("{}", "      - expect_output: { answer: a, contains: b }\n");
    assert!(err.contains("found 2"), "{err}");
    let err = error_with("{}", "      - expect_output: { contains: \"  \" }\n");
    assert!(err.contains("more than whitespace"), "{err}");
}

#[test]
fn accept_needs_the_grader_to_be_a_server() {
    let err = error_with("{ listens: { tcp: 8888 } }", "      - accept: s\n");
    assert!(
        err.contains("`accept` needs `program.connects.tcp`"),
        "{err}"
    );
    assert!(
        plan_with(
            "{ connects: { tcp: 8888 } }",
            "      - accept: s\n      - send: { to: s, text: hi }\n"
        )
        .is_ok()
    );
    let err = error_with(
        "{ connects: { tcp: 8888 } }",
        "      - send: { to: s, text: hi }\n",
    );
    assert!(err.contains("add `- accept: s`"), "{err}");
}

#[test]
fn udp_peers_are_checked() {
    let err = error_with(
        "{ connects: { udp: 8888 } }",
        "      - datagram: { from: a, text: hi }\n",
    );
    assert!(err.contains("add `program.listens.udp`"), "{err}");
    let err = error_with(
        "{ listens: { udp: 8888 } }",
        "      - expect_datagram: { at: a, text: hi }\n",
    );
    assert!(err.contains("has sent nothing yet"), "{err}");
    let err = error_with(
        "{ listens: { udp: 8888 } }",
        "      - expect_datagram: { at: server, text: hi }\n",
    );
    assert!(err.contains("needs `program.connects.udp`"), "{err}");
    let ok = plan_with(
        "{ listens: { udp: 8888 } }",
        "      - datagram: { from: a, text: \"\" }\n      - expect_datagram: { at: a, text: Thanks }\n",
    )
    .unwrap();
    assert!(matches!(
        &ok.tests[0].steps[0].action,
        Action::Udp(UdpAction { verb: UdpVerb::Send { bytes }, .. }) if bytes.is_empty()
    ));
    assert!(matches!(
        &ok.tests[0].steps[1].action,
        Action::Udp(UdpAction {
            verb: UdpVerb::Expect {
                matcher: Matcher::Exact(_),
                ..
            },
            ..
        })
    ));
    let err = error_with(
        "{ listens: { udp: 8888 } }",
        "      - datagram: { from: a, text: abcd, repeat: 20000 }\n",
    );
    assert!(err.contains("do not fit in one UDP datagram"), "{err}");
}

#[test]
fn a_bad_mix_of_roles_is_an_error_at_its_own_line() {
    let yaml = "id: t\ntitle: T\nprogram:\n  stop: kill\n  listens: { tcp: 8888, udp: 8888 }\ntests:\n  - name: n\n    steps: [ { type: x } ]\n";
    let err = Exercise::from_yaml(yaml, "t.yaml").unwrap_err().to_string();
    assert!(err.starts_with("t.yaml:5:"), "{err}");
    assert!(err.contains("not both"), "{err}");
    let yaml = "id: t\ntitle: T\nprogram:\n  listens: { tcp: 8888 }\n  connects: { tcp: 8888 }\ntests:\n  - name: n\n    steps: [ { type: x } ]\n";
    let err = Exercise::from_yaml(yaml, "t.yaml").unwrap_err().to_string();
    assert!(err.starts_with("t.yaml:5:"), "{err}");
    assert!(err.contains("`listens` (a server) or `connects`"), "{err}");
    let err = error_with("{ connects: {} }", "      - type: x\n");
    assert!(err.contains("give the port"), "{err}");
    let err = error_with("{ listens: { tcp: 0 } }", "      - type: x\n");
    assert!(err.contains("port 0"), "{err}");
}

#[test]
fn a_differential_oracle_must_be_the_exercise_s_reference() {
    assert!(
        plan_with(
            "{}",
            "      - differential: { oracle: port-ranges, count: 10 }\n"
        )
        .is_ok()
    );
    let err = error_with(
        "{}",
        "      - differential: { oracle: service-lookup, count: 10 }\n",
    );
    assert!(err.contains("needs `reference: service-lookup`"), "{err}");
    let err = error_with(
        "{}",
        "      - differential: { oracle: port-ranges, count: 0 }\n",
    );
    assert!(err.contains("`count` must be 1 to 1000"), "{err}");
    let err = error_with(
        "{}",
        "      - differential: { oracle: port-range, count: 5 }\n",
    );
    assert!(err.contains("unknown oracle `port-range` — did you mean `port-ranges`?"));
}

#[test]
fn the_slow_factor_scales_every_time_limit_once() {
    let exercise = plan(
        "      - connect: a\n      - expect: { from: a, text: x, timeout: 2s }\n      - expect_nothing: { from: a, for: 100ms }\n",
    )
    .unwrap();
    let slow = exercise.with_time_factor(3.0);
    assert_eq!(slow.start_timeout, exercise.start_timeout * 3);
    assert_eq!(slow.tests[0].timeout, exercise.tests[0].timeout * 3);
    let mut original = exercise.tests[0].steps[1].action.clone();
    let mut scaled = slow.tests[0].steps[1].action.clone();
    assert_eq!(
        *scaled.durations_mut()[0].1,
        *original.durations_mut()[0].1 * 3
    );
}
