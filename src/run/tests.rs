//! The step engine on its own: each step family played by a real [`Session`] against an
//! in-process peer (a tokio task of this test playing the student's program), with `cat` as
//! the program whose state the grader watches (blocked reading stdin: idle; it echoes what is
//! typed). No namespace is needed: the runs use the host loopback.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

use super::problems::StepError;
use super::session::{Endpoint, Session};
use crate::peers::ReadEnd;
use crate::plan::Exercise;
use crate::program::RunningProgram;
use crate::sandbox::{Isolation, Limits, Sandbox};
use crate::submission;
use crate::transcript::Entry;
use crate::verdict::Problem;

/// An exercise whose program has `role` and whose one test has `steps` (YAML lines).
fn exercise(role: &str, steps: &str) -> Exercise {
    let yaml = format!(
        "id: unit\ntitle: Unit\nprogram: {role}\ntimeouts: {{ step: 2s }}\ntests:\n  - name: t\n    steps:\n{steps}"
    );
    Exercise::from_yaml(&yaml, "unit.yaml").unwrap()
}

/// `command` in a host-loopback sandbox: the program the grader watches.
fn start(sandbox: &Sandbox, command: &[&str]) -> RunningProgram {
    let argv: Vec<std::ffi::OsString> = command.iter().map(Into::into).collect();
    let command = match submission::resolve(None, &argv).unwrap() {
        submission::Resolved::Ready(command) => command,
        other => panic!("{other:?}"),
    };
    RunningProgram::spawn(&command, sandbox).unwrap()
}

/// `cat`: blocked reading stdin, so the grader sees an idle program (and it echoes lines).
fn cat(sandbox: &Sandbox) -> RunningProgram {
    start(sandbox, &["cat"])
}

/// Plays the test's steps while `cat` is the watched program.
async fn play(
    exercise: &Exercise,
    endpoint: impl FnOnce() -> Endpoint,
) -> (Option<Problem>, Vec<Entry>) {
    play_watching(&["cat"], exercise, endpoint).await
}

/// Plays the test's steps while `watched` runs as the program; returns what failed, if
/// anything, and the transcript.
async fn play_watching(
    watched: &[&str],
    exercise: &Exercise,
    endpoint: impl FnOnce() -> Endpoint,
) -> (Option<Problem>, Vec<Entry>) {
    let sandbox = Sandbox::create(Isolation::HostLoopback, Limits::default()).unwrap();
    let program = start(&sandbox, watched);
    let mut session = Session::new(exercise, &sandbox, &program, 1);
    session.endpoint = endpoint();
    let outcome = session.play_steps(&exercise.tests[0].steps).await;
    let (transcript, peers) = session.finish();
    program.stop(exercise.stop, &sandbox).await;
    drop(peers);
    let problem = match outcome {
        Ok(()) => None,
        Err(StepError::Failed(failure)) => Some(failure.problem),
        Err(StepError::Grader(message)) => panic!("grader error: {message}"),
    };
    (problem, transcript.entries)
}

/// An in-process TCP server on an ephemeral loopback port that handles one connection with
/// `serve`.
async fn server<F, Fut>(serve: F) -> SocketAddr
where
    F: FnOnce(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        if let Ok((stream, _)) = listener.accept().await {
            serve(stream).await;
        }
    });
    address
}

fn tcp_exercise(address: SocketAddr, steps: &str) -> Exercise {
    exercise(
        &format!("{{ listens: {{ tcp: {} }} }}", address.port()),
        steps,
    )
}

/// The in-process peer stands for the program, but the grader watches `sleep` — a busy
/// program, so it waits for the rest of the reply instead of deciding the program is idle.
#[tokio::test]
async fn tcp_a_reply_split_in_two_pieces_is_matched() {
    let address = server(|mut stream| async move {
        let mut buffer = [0u8; 16];
        let _ = stream.read(&mut buffer).await;
        let _ = stream.write_all(b"Tha").await;
        tokio::time::sleep(Duration::from_millis(30)).await;
        let _ = stream.write_all(b"nks").await;
        let _ = stream.read(&mut buffer).await;
    })
    .await;
    let exercise = tcp_exercise(
        address,
        "      - connect: a\n      - send: { to: a, text: hello }\n      - expect: { from: a, text: Thanks }\n      - close: a\n",
    );
    let (problem, entries) =
        play_watching(&["sleep", "30"], &exercise, || Endpoint::TcpServer(address)).await;
    assert!(problem.is_none(), "{problem:?}");
    assert!(entries.contains(&Entry::Received {
        client: "client a".into(),
        bytes: b"Thanks".to_vec()
    }));
    assert!(entries.contains(&Entry::Closed {
        client: "client a".into()
    }));
}

#[tokio::test]
async fn tcp_a_wrong_reply_fails_at_once_with_what_arrived() {
    let address = server(|mut stream| async move {
        let mut buffer = [0u8; 16];
        let _ = stream.read(&mut buffer).await;
        let _ = stream.write_all(b"b'Thanks'").await;
        let _ = stream.read(&mut buffer).await;
    })
    .await;
    let exercise = tcp_exercise(
        address,
        "      - connect: a\n      - send: { to: a, text: hello }\n      - expect: { from: a, text: Thanks, timeout: 30s }\n",
    );
    let started = std::time::Instant::now();
    let (problem, _) = play(&exercise, || Endpoint::TcpServer(address)).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    match problem {
        Some(Problem::WrongReply { received, .. }) => assert_eq!(received, b"b'Thanks'"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn tcp_a_close_instead_of_a_reply_is_named() {
    let address = server(|mut stream| async move {
        let mut buffer = [0u8; 16];
        let _ = stream.read(&mut buffer).await;
    })
    .await;
    let exercise = tcp_exercise(
        address,
        "      - connect: a\n      - send: { to: a, text: hello }\n      - expect: { from: a, text: Thanks }\n",
    );
    let (problem, _) = play(&exercise, || Endpoint::TcpServer(address)).await;
    assert!(
        matches!(
            problem,
            Some(Problem::ConnectionEnded {
                how: ReadEnd::Closed,
                ..
            })
        ),
        "{problem:?}"
    );
}

#[tokio::test]
async fn tcp_an_orderly_close_by_the_program_is_seen() {
    let address = server(|mut stream| async move {
        let _ = stream.write_all(b"bye").await;
        let _ = stream.shutdown().await;
    })
    .await;
    let exercise = tcp_exercise(
        address,
        "      - connect: a\n      - expect: { from: a, text: bye }\n      - expect_closed: { from: a }\n",
    );
    let (problem, entries) = play(&exercise, || Endpoint::TcpServer(address)).await;
    assert!(problem.is_none(), "{problem:?}");
    assert!(entries.contains(&Entry::ClosedByProgram {
        client: "client a".into()
    }));
}

#[tokio::test]
async fn udp_a_datagram_and_its_reply() {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let address = socket.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buffer = [0u8; 64];
        if let Ok((_, from)) = socket.recv_from(&mut buffer).await {
            let _ = socket.send_to(b"Thanks", from).await;
        }
    });
    let exercise = exercise(
        &format!("{{ listens: {{ udp: {} }} }}", address.port()),
        "      - datagram: { from: a, text: hi }\n      - expect_datagram: { at: a, text: Thanks }\n",
    );
    let (problem, entries) = play(&exercise, || Endpoint::UdpServer(address)).await;
    assert!(problem.is_none(), "{problem:?}");
    assert!(entries.iter().any(|entry| matches!(
        entry,
        Entry::DatagramReceived { peer, bytes, .. } if peer == "a" && bytes == b"Thanks"
    )));
}

#[tokio::test]
async fn udp_silence_is_a_missing_datagram() {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let address = socket.local_addr().unwrap();
    let exercise = exercise(
        &format!("{{ listens: {{ udp: {} }} }}", address.port()),
        "      - datagram: { from: a, text: hi }\n      - expect_datagram: { at: a, text: Thanks, timeout: 200ms }\n",
    );
    let (problem, _) = play(&exercise, || Endpoint::UdpServer(address)).await;
    drop(socket);
    assert!(
        matches!(problem, Some(Problem::NoDatagram { ref peer, .. }) if peer == "a"),
        "{problem:?}"
    );
}

#[tokio::test]
async fn console_typed_lines_and_answers_and_the_exit() {
    let exercise = exercise(
        "{}",
        "      - type: port 8888\n      - expect_output: { answer: \"8888\" }\n      - close_stdin\n      - expect_exit: { code: 0 }\n",
    );
    let (problem, entries) = play(&exercise, || Endpoint::Console).await;
    assert!(problem.is_none(), "{problem:?}");
    assert!(entries.contains(&Entry::StdinClosed));
}

#[tokio::test]
async fn console_a_wrong_answer_fails_as_soon_as_the_program_waits() {
    let exercise = exercise(
        "{}",
        "      - type: hello\n      - expect_output: { answer: bye, timeout: 30s }\n",
    );
    let started = std::time::Instant::now();
    let (problem, _) = play(&exercise, || Endpoint::Console).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    match problem {
        Some(Problem::WrongOutput {
            received, ended, ..
        }) => {
            assert_eq!(received, b"hello\n");
            assert!(!ended);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_step_of_another_role_is_a_grader_error_not_a_panic() {
    let address: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let exercise = tcp_exercise(address, "      - connect: a\n");
    let sandbox = Sandbox::create(Isolation::HostLoopback, Limits::default()).unwrap();
    let program = cat(&sandbox);
    let mut session = Session::new(&exercise, &sandbox, &program, 1);
    session.endpoint = Endpoint::Console;
    let outcome = session.play_steps(&exercise.tests[0].steps).await;
    assert!(matches!(outcome, Err(StepError::Grader(_))));
    drop(session);
    program.stop(exercise.stop, &sandbox).await;
}
