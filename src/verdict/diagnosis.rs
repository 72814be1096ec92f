//! [`Diagnosis`]: why a test failed, as a beginner should read it — the real cause in one
//! headline (a crash is a crash, with the traceback's last line), the same for every test it
//! fails, so a report can say it once; and hints that follow the failure: the classic
//! beginner bugs (a `str` sent, a `bytes` printed, the wrong port, a server handed in for a
//! client exercise…) are recognised and named with their fix.

use std::sync::LazyLock;

use regex::Regex;

use super::problem::Problem;
use super::{Failure, TestResult};
use crate::peers::ReadEnd;
use crate::plan::ProgramRole;
use crate::program::ExitKind;
use crate::tr;
use crate::transcript::Transcript;

/// What a failed test says: its headline and the hints its failure calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// The cause, in one sentence.
    pub headline: String,
    /// Tests failing for the same cause have the same key.
    pub key: String,
    /// Hints for the classic bugs recognised, most specific first.
    pub hints: Vec<String>,
}

/// How a program crashed by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Crash {
    /// A Python traceback: its last line, and where the error happened (file name, line).
    Traceback {
        error: String,
        place: Option<(String, String)>,
    },
    /// A deadly signal, as the program's end says it ("was killed by SIGSEGV…").
    Signal(String),
}

static TRACEBACK_PLACE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"File "([^"]+)", line (\d+)"#).expect("valid regex"));

static PRINTED_BYTES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\bb'[^']*'|\bb"[^"]*""#).expect("valid regex"));

/// The crash the transcript shows, if the program crashed by itself: a Python traceback's
/// last line (not the one the grader's own Ctrl-C causes), or a deadly signal.
fn crash_of(transcript: &Transcript) -> Option<Crash> {
    let end = transcript.end?;
    if !end.ended_by_itself() {
        return None;
    }
    let stderr = transcript.stderr_text();
    if let Some(start) = stderr.rfind("Traceback (most recent call last):") {
        let traceback = &stderr[start..];
        let error = traceback
            .lines()
            .rev()
            .find(|line| !line.trim().is_empty())?
            .trim()
            .to_owned();
        let place = TRACEBACK_PLACE
            .captures_iter(traceback)
            .last()
            .map(|found| {
                let file = std::path::Path::new(&found[1])
                    .file_name()
                    .map_or_else(|| found[1].to_owned(), |n| n.to_string_lossy().into_owned());
                (file, found[2].to_owned())
            });
        return Some(Crash::Traceback { error, place });
    }
    match end.exit {
        ExitKind::Signal(_) => Some(Crash::Signal(end.to_string())),
        ExitKind::Code(_) => None,
    }
}

/// Whether the failure is what a program that had already ended looks like from outside
/// (so its end, a crash, is the real cause).
fn follows_an_end(problem: &Problem) -> bool {
    matches!(
        problem,
        Problem::EndedBeforeListening { .. }
            | Problem::EndedBeforeConnecting { .. }
            | Problem::ConnectFailed { .. }
            | Problem::SendFailed { .. }
            | Problem::InputFailed { .. }
            | Problem::Traceback { .. }
            | Problem::NoReply { waiting: None, .. }
            | Problem::NoDatagram {
                program_ended: true,
                ..
            }
            | Problem::WrongOutput { ended: true, .. }
    ) || matches!(
        problem,
        Problem::ConnectionEnded {
            how: ReadEnd::Closed | ReadEnd::Reset,
            ..
        }
    ) || matches!(
        // `expect_all`: the connection closed before anything came.
        problem,
        Problem::WrongReply { received, .. } if received.is_empty()
    )
}

/// The diagnosis of a test that failed (or is fragile); `role` is the exercise's program role.
pub fn diagnose(test: &TestResult, failure: &Failure, role: ProgramRole) -> Diagnosis {
    let transcript = &test.transcript;
    let crash = crash_of(transcript).filter(|_| follows_an_end(&failure.problem));
    let hints = hints(transcript, failure, role, test.hint.is_some());
    let prints_bytes = hints.contains(&tr!("hint-print-bytes"));
    let (headline, key) = match &crash {
        Some(Crash::Traceback {
            error,
            place: Some((file, line)),
        }) => {
            let headline = tr!("cause-crash-at", error = error, file = file, line = line);
            (headline.clone(), headline)
        }
        Some(Crash::Traceback { error, place: None }) => {
            let headline = tr!("cause-crash", error = error);
            (headline.clone(), headline)
        }
        Some(Crash::Signal(end)) => {
            let headline = tr!("cause-killed", end = end);
            (headline.clone(), headline)
        }
        // Several answers to one input is one way of answering, whatever each input was.
        None if matches!(failure.problem, Problem::SeveralAnswers { .. }) => {
            let headline = failure.problem.explain();
            (headline, "several-answers".to_owned())
        }
        // Every answer printed as b'...' is one bug, whatever each test expected.
        None if prints_bytes => {
            let headline = tr!("cause-print-bytes");
            (headline.clone(), headline)
        }
        None => {
            let headline = failure.problem.explain();
            let key = format!(
                "{headline}\u{0}{}\u{0}{}",
                failure.problem.expected().unwrap_or_default(),
                String::from_utf8_lossy(failure.problem.received().unwrap_or_default())
            );
            (headline, key)
        }
    };
    Diagnosis {
        headline,
        key,
        hints,
    }
}

/// Hints for the classic bugs this failure shows. A hint about what the program did (rather
/// than about an error it printed) gives way to the test's own hint, which says the same for
/// that test in the instructor's words.
fn hints(
    transcript: &Transcript,
    failure: &Failure,
    role: ProgramRole,
    test_has_hint: bool,
) -> Vec<String> {
    let stderr = transcript.stderr_text();
    let port = role.port().unwrap_or(8888);
    let mut hints = Vec::new();
    if stderr.contains("a bytes-like object is required, not 'str'") {
        hints.push(match role {
            ProgramRole::UdpServer { .. } | ProgramRole::UdpClient { .. } => {
                tr!("hint-sendto-str")
            }
            _ => tr!("hint-send-str"),
        });
    }
    if stderr.contains("UnicodeDecodeError") || stderr.contains("UnicodeEncodeError") {
        hints.push(tr!("hint-decode"));
    }
    let received = failure.problem.received().unwrap_or_default();
    let printed = String::from_utf8_lossy(received);
    // `b'...'` in what came is the bug only when the expectation does not say it itself (and
    // never in a file's content, which is data).
    let expects_bytes_syntax = failure
        .problem
        .expected()
        .is_some_and(|expected| PRINTED_BYTES.is_match(expected));
    let about_data = matches!(failure.problem, Problem::WrongFile { .. });
    if PRINTED_BYTES.is_match(&printed) && !expects_bytes_syntax && !about_data
        || PRINTED_BYTES.is_match(&transcript.stdout_text())
            && matches!(
                failure.problem,
                Problem::WrongOutput { .. } | Problem::NoOutput { .. }
            )
    {
        hints.push(tr!("hint-print-bytes"));
    }
    match (&failure.problem, role) {
        (Problem::NeverListened { elsewhere, .. } | Problem::NeverBound { elsewhere, .. }, _)
            if !elsewhere.is_empty() =>
        {
            hints.push(tr!("hint-wrong-port", port = port))
        }
        (_, ProgramRole::TcpClient { .. } | ProgramRole::UdpClient { .. })
            if stderr.contains("Address already in use") =>
        {
            hints.push(tr!("hint-server-for-client", port = port));
        }
        (_, ProgramRole::TcpServer { .. }) if stderr.contains("ConnectionRefusedError") => {
            hints.push(tr!("hint-client-for-server", port = port));
        }
        (_, ProgramRole::TcpClient { .. }) if stderr.contains("ConnectionRefusedError") => {
            hints.push(tr!("hint-wrong-address", port = port));
        }
        (Problem::ConnectFailed { .. }, ProgramRole::TcpServer { .. })
            if !test_has_hint
                && transcript
                    .end
                    .is_some_and(|end| end.ended_by_itself() && end.exit == ExitKind::Code(0)) =>
        {
            hints.push(tr!("hint-accept-loop"));
        }
        _ => {}
    }
    hints
}
