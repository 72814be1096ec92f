//! The text report a student reads, pinned as an insta snapshot for a failing fixture.

mod common;

use common::netgrade;

#[test]
fn text_report_of_a_server_that_serves_one_client() {
    let output = netgrade()
        .args([
            "test",
            "tcp-server",
            "exercises/tcp-server/solutions/bad/one_client_then_exit.py",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report = String::from_utf8(output.stdout).unwrap();
    // The report shows the program's output as it was; only the snapshot masks the client's
    // ephemeral port, which changes every run.
    insta::with_settings!({ filters => vec![EPHEMERAL_PORT, PROGRAM_ADDRESS] }, {
        insta::assert_snapshot!(report);
    });
}

/// An insta filter: a client address tuple as Python prints it, port masked.
const EPHEMERAL_PORT: (&str, &str) = (r"\('127\.0\.0\.1', \d+\)", "('127.0.0.1', <port>)");
/// An insta filter: the program's own address in the transcript (an ephemeral port, five
/// digits; the exercises' fixed ports have four).
const PROGRAM_ADDRESS: (&str, &str) = (r"127\.0\.0\.1:\d{5}\b", "127.0.0.1:<port>");

#[test]
fn colour_only_when_asked() {
    let args = [
        "test",
        "tcp-server",
        "exercises/tcp-server/solutions/good/server_loopback.py",
        "-t",
        "1",
    ];
    let plain = netgrade().args(args).output().unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains('\u{1b}'));
    let coloured = netgrade()
        .env_remove("NO_COLOR")
        .args(args)
        .args(["--color", "always"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&coloured.stdout).contains("\u{1b}["));
}

/// One failing fixture per exercise: the report a student of that exercise reads, pinned.
/// Generated inputs come from a fixed seed; the repository's path is replaced by `[repo]`.
#[test]
fn text_reports_of_one_failing_fixture_per_exercise() {
    let cases = [
        ("port-ranges", "bad/off_by_one.py"),
        ("inet-conversions", "bad/trusts_inet_aton.py"),
        ("special-addresses", "bad/gateway_before_loopback.py"),
        ("service-lookup", "bad/tcp_only.py"),
        ("host-info", "bad/prints_whole_tuple.py"),
        ("tcp-client", "bad/prints_bytes.py"),
        ("udp-server", "bad/replies_to_first_peer.py"),
        ("udp-client", "bad/sends_empty_datagram.py"),
    ];
    let repo = common::repo().display().to_string();
    for (exercise, fixture) in cases {
        let output = netgrade()
            .args(["test", exercise])
            .arg(format!("exercises/{exercise}/solutions/{fixture}"))
            .args(["--seed", "7"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{exercise} {fixture}");
        let report = String::from_utf8(output.stdout).unwrap();
        insta::with_settings!({ filters => vec![(repo.as_str(), "[repo]"), EPHEMERAL_PORT, PROGRAM_ADDRESS] }, {
            insta::assert_snapshot!(format!("text_report_{exercise}"), report);
        });
    }
}

/// The course's own client: full marks, and test 6 shown as "works here, but fragile" with
/// why and the fix; exit 0.
#[test]
fn text_report_of_a_program_that_works_here_but_is_fragile() {
    let output = netgrade()
        .args([
            "test",
            "tcp-client",
            "exercises/tcp-client/solutions/good/course_client_one_recv.py",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report = String::from_utf8(output.stdout).unwrap();
    insta::with_settings!({ filters => vec![EPHEMERAL_PORT, PROGRAM_ADDRESS] }, {
        insta::assert_snapshot!(report);
    });
}
