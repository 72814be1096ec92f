//! Unit tests of the HTML page and its sequence diagram, on hand-made results: the arrows of
//! a known transcript, the failing step drawn where it went wrong, a fragile step, and
//! everything from the program shown as text (`<script>` included).

use std::net::SocketAddr;
use std::time::Duration;

use super::diagram::{Mark, Shape};
use super::sequence::sequence;
use super::*;
use crate::i18n::Localized;
use crate::plan::{ProgramRole, Robustness};
use crate::program::{ExitKind, ProgramEnd};
use crate::transcript::{Entry, Transcript};
use crate::verdict::FailedStep;

fn address(text: &str) -> SocketAddr {
    text.parse().expect("a test address")
}

fn client(name: &str) -> String {
    format!("client {name}")
}

/// Test 4 of tcp-server against a server that serves one client and exits: client a is
/// served, the program ends, client b's connect is refused.
fn second_client_refused() -> TestResult {
    let server = address("127.0.0.1:8888");
    let mut transcript = Transcript {
        entries: vec![
            Entry::Started {
                command: "python3 server.py".into(),
            },
            Entry::Listening { address: server },
            Entry::Connected {
                client: client("a"),
                address: server,
            },
            Entry::Sent {
                client: client("a"),
                bytes: b"first".to_vec(),
                pieces: 1,
            },
            Entry::Received {
                client: client("a"),
                bytes: b"Thanks".to_vec(),
            },
            Entry::Closed {
                client: client("a"),
            },
        ],
        ..Transcript::default()
    };
    transcript.end = Some(ProgramEnd {
        exit: ExitKind::Code(0),
        stopped_with: None,
    });
    TestResult {
        number: 4,
        name: "a second client is served after the first leaves".into(),
        points: 0,
        max_points: 2,
        outcome: Outcome::Failed(Failure {
            step: Some(FailedStep {
                number: 5,
                line: 73,
                description: "client b connects".into(),
            }),
            problem: Problem::ConnectFailed {
                client: client("b"),
                address: server,
                error: "connection refused".into(),
            },
            detail: None,
        }),
        transcript,
        hint: Some(Localized::plain("put accept() in an outer loop")),
        robustness: None,
        visibility: crate::spec::Visibility::Visible,
        tags: Vec::new(),
        duration: Duration::from_millis(300),
    }
}

fn result(tests: Vec<TestResult>) -> ExerciseResult {
    ExerciseResult {
        exercise: "tcp-server".into(),
        title: "TCP server that thanks every message".into(),
        program: "python3 server.py".into(),
        isolation: Isolation::Namespace,
        tests,
        duration: Duration::from_secs(1),
        seed: None,
        role: ProgramRole::TcpServer { port: 8888 },
    }
}

fn rerun() -> Rerun {
    Rerun::new(None, "tcp-server", vec!["server.py".into()])
}

#[test]
fn a_known_transcript_has_one_arrow_per_exchange_and_the_failure_where_it_happened() {
    let test = second_client_refused();
    let diagram = sequence(&test, "python3 server.py");
    let lanes: Vec<&str> = diagram.lanes.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(lanes, ["client a", "client b", "your program"]);
    // connect, "first", "Thanks", FIN — and client b's refused connect.
    assert_eq!(diagram.arrows(), 5);
    let kinds: Vec<&str> = diagram.rows.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        ["listen", "connect", "send", "recv", "fin", "end", "connect"]
    );
    // The program ended by itself before client b tried: its lifeline stops at its end,
    // above the failed connect.
    assert_eq!(diagram.lanes[2].ends_after, Some(5));
    let failed = &diagram.rows[6];
    assert_eq!(failed.mark, Mark::Failed(Some(5)));
    assert_eq!(failed.shape, Shape::Arrow { from: 1, to: 2 });
    assert_eq!(failed.label, "✗ step 5: client b connects");
    assert_eq!(diagram.rows[2].label, "\"first\"");
    assert_eq!(diagram.rows[2].detail.as_deref(), Some("5 bytes"));
    let svg = diagram.svg();
    assert_eq!(svg.matches("data-arrow=").count(), 5);
    assert_eq!(svg.matches("data-failed-step=\"5\"").count(), 1);
    assert_eq!(svg.matches("class=\"lifeline-end\"").count(), 1);
}

#[test]
fn the_page_marks_each_test_and_the_failing_step() {
    let mut passed = second_client_refused();
    passed.number = 1;
    passed.name = "one message gets \"Thanks\"".into();
    passed.points = 2;
    passed.outcome = Outcome::Passed;
    let page = render(&result(vec![passed, second_client_refused()]), &rerun());
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert_eq!(page.matches("<section class=\"test ").count(), 2);
    assert!(page.contains("id=\"test-4\" data-test=\"4\" data-status=\"failed\""));
    assert!(page.contains("data-score=\"2\" data-max=\"4\""));
    assert!(page.contains("<p class=\"step\" data-step=\"5\">at step 5 (spec line 73)"));
    assert!(page.contains("put accept() in an outer loop"));
    assert!(page.contains("netgrade test tcp-server --test 4 server.py"));
    assert_eq!(page.matches("data-failed-step=").count(), 1);
    assert!(!page.contains("http"), "nothing outside the page");
    assert!(!page.contains("<script"));
}

#[test]
fn whatever_the_program_printed_or_sent_is_text() {
    let mut test = second_client_refused();
    test.name = "<b>bold</b> name".into();
    test.transcript.entries.push(Entry::Printed {
        stream: "stdout",
        text: "<script>alert('x')</script>".into(),
    });
    test.transcript.entries.push(Entry::Received {
        client: client("a"),
        bytes: b"<img src=x onerror=alert(1)>\x1b[2J".to_vec(),
    });
    test.outcome = Outcome::Failed(Failure {
        step: Some(FailedStep {
            number: 7,
            line: 90,
            description: "client a expects the reply \"Thanks\"".into(),
        }),
        problem: Problem::WrongReply {
            client: client("a"),
            expected: "the reply \"Thanks\"".into(),
            received: b"</svg><script>alert(2)</script>".to_vec(),
        },
        detail: None,
    });
    let page = render(&result(vec![test]), &rerun());
    assert!(!page.contains("<script"), "{page}");
    assert!(!page.contains("<img"), "{page}");
    assert!(!page.contains("<b>bold"), "{page}");
    assert!(!page.contains('\u{1b}'));
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(page.contains("&lt;/svg&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
    assert!(page.contains("&lt;b&gt;bold&lt;/b&gt; name"));
}

#[test]
fn a_fragile_step_is_marked_as_fragile_not_failed() {
    let mut test = second_client_refused();
    test.transcript.end = Some(ProgramEnd {
        exit: ExitKind::Signal(libc::SIGINT),
        stopped_with: Some(libc::SIGINT),
    });
    test.robustness = Some(Robustness {
        why: Localized::plain("TCP is a byte stream"),
        counts: false,
    });
    test.outcome = Outcome::Fragile(Failure {
        step: Some(FailedStep {
            number: 3,
            line: 166,
            description: "client a expects the line \"Thanks\"".into(),
        }),
        problem: Problem::NoReply {
            client: client("a"),
            expected: "the line \"Thanks\"".into(),
            received: b"Thanks".to_vec(),
            waited: Duration::from_secs(5),
            misdirected: None,
            waiting: None,
        },
        detail: None,
    });
    let diagram = sequence(&test, "python3 server.py");
    // The grader stopped the program after the step: the end comes last.
    let last = diagram.rows.last().expect("rows");
    assert_eq!(last.kind, "end");
    let fragile = &diagram.rows[diagram.rows.len() - 2];
    assert_eq!(fragile.mark, Mark::Fragile(Some(3)));
    assert_eq!(fragile.shape, Shape::Arrow { from: 1, to: 0 });
    assert_eq!(
        fragile.detail.as_deref(),
        Some("received: \"Thanks\" (6 bytes)")
    );
    let page = render(&result(vec![test]), &rerun());
    assert!(page.contains("data-fragile-step=\"3\""));
    assert!(!page.contains("data-failed-step"));
    assert!(page.contains("data-status=\"fragile\""));
}

#[test]
fn console_and_udp_entries_get_their_own_lanes() {
    let mut test = second_client_refused();
    test.outcome = Outcome::Passed;
    test.transcript.entries = vec![
        Entry::Bound {
            address: address("0.0.0.0:8888"),
        },
        Entry::Typed {
            bytes: b"hello\n".to_vec(),
        },
        Entry::DatagramSent {
            peer: "a".into(),
            bytes: b"hi".to_vec(),
            to: address("127.0.0.1:8888"),
        },
        Entry::DatagramReceived {
            peer: "a".into(),
            bytes: b"Thanks".to_vec(),
            from: address("127.0.0.1:8888"),
        },
        Entry::Printed {
            stream: "stdout",
            text: "Thanks".into(),
        },
        Entry::StdinClosed,
    ];
    let diagram = sequence(&test, "python3 client.py");
    let lanes: Vec<&str> = diagram.lanes.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(lanes, ["keyboard", "UDP peer a", "your program", "screen"]);
    assert_eq!(diagram.arrows(), 5);
    assert_eq!(diagram.rows[4].shape, Shape::Arrow { from: 2, to: 3 });
}

#[test]
fn a_reply_sent_to_the_wrong_peer_is_drawn_where_it_went() {
    let mut test = second_client_refused();
    test.transcript.end = None;
    test.outcome = Outcome::Failed(Failure {
        step: Some(FailedStep {
            number: 4,
            line: 53,
            description: "peer b expects a datagram".into(),
        }),
        problem: Problem::NoDatagram {
            peer: "b".into(),
            expected: "the reply \"Thanks\"".into(),
            waited: Duration::from_secs(1),
            misdirected: Some(("a".into(), b"Thanks".to_vec())),
            program_ended: false,
            waiting: None,
        },
        detail: None,
    });
    test.transcript.entries = vec![Entry::DatagramSent {
        peer: "b".into(),
        bytes: b"from b".to_vec(),
        to: address("127.0.0.1:8888"),
    }];
    let diagram = sequence(&test, "python3 server.py");
    let lanes: Vec<&str> = diagram.lanes.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(lanes, ["UDP peer b", "UDP peer a", "your program"]);
    let kinds: Vec<&str> = diagram.rows.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, ["datagram", "misdirected", "datagram"]);
    assert_eq!(diagram.rows[1].shape, Shape::Arrow { from: 2, to: 1 });
    assert_eq!(
        diagram.rows[1].detail.as_deref(),
        Some("6 bytes, arrived here instead")
    );
    assert_eq!(diagram.rows[2].mark, Mark::Failed(Some(4)));
    assert_eq!(diagram.rows[2].shape, Shape::Arrow { from: 2, to: 0 });
}

#[test]
fn a_long_output_tail_is_cut_at_a_line_start() {
    let long = format!("{}\nlast line", "x".repeat(20_000));
    let shown = super::tail(&long);
    assert_eq!(shown, "…\nlast line");
    let lines: String = (0..2000).map(|i| format!("line {i}\n")).collect();
    let shown = super::tail(&lines);
    assert!(shown.len() <= super::OUTPUT_TAIL_BYTES + 4);
    assert!(shown.starts_with("…\nline "));
    assert!(shown.ends_with("line 1999\n"));
    assert_eq!(super::tail("short"), "short");
}
