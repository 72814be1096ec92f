//! Stage 4, verdict: [`TestResult`] and [`ExerciseResult`], the one result model every report
//! format is written from, and [`Problem`], what went wrong in words a beginner understands.

use std::net::SocketAddr;
use std::time::Duration;

use crate::peers::ReadEnd;
use crate::plan::{Action, Matcher, Step};
use crate::sandbox::Isolation;
use crate::transcript::{Transcript, show_bytes};

/// The result of one test.
#[derive(Debug, Clone)]
pub struct TestResult {
    /// 1-based test number in the spec.
    pub number: usize,
    /// Test name.
    pub name: String,
    /// Points earned.
    pub points: u32,
    /// Points available.
    pub max_points: u32,
    /// Pass, fail, or a grader error.
    pub outcome: Outcome,
    /// What happened.
    pub transcript: Transcript,
    /// The spec's hint for this test.
    pub hint: Option<String>,
    /// Who sees the result on a course platform.
    pub visibility: crate::spec::Visibility,
    /// The test's labels.
    pub tags: Vec<String>,
    /// Wall time of the test.
    pub duration: Duration,
}

/// How a test went.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Every step passed.
    Passed,
    /// The program did something wrong.
    Failed(Failure),
    /// The grader could not run the test (not the student's fault).
    Error(String),
}

impl TestResult {
    /// Whether the test passed.
    pub fn passed(&self) -> bool {
        matches!(self.outcome, Outcome::Passed)
    }
}

/// A failed test: which step, and what went wrong.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The step that failed; `None` when the test failed before its steps (not listening)
    /// or as a whole (time limit).
    pub step: Option<FailedStep>,
    /// What went wrong.
    pub problem: Problem,
    /// Where long payloads diverged ("the first 1024 of 102400 bytes arrived").
    pub detail: Option<String>,
}

/// The step a test failed at.
#[derive(Debug, Clone)]
pub struct FailedStep {
    /// 1-based step number within the test.
    pub number: usize,
    /// Line of the step in the spec file.
    pub line: u64,
    /// The step in words (`client a expects exactly "Thanks"`).
    pub description: String,
}

/// What went wrong, as data; [`Problem::explain`] puts it in words.
#[derive(Debug, Clone)]
pub enum Problem {
    /// The program ended before it listened.
    EndedBeforeListening {
        /// The port it should have listened on.
        port: u16,
    },
    /// The program did not listen on the port in time.
    NeverListened {
        /// The port it should listen on.
        port: u16,
        /// How long the grader waited.
        waited: Duration,
        /// Where it listens instead.
        elsewhere: Vec<SocketAddr>,
    },
    /// A client could not connect.
    ConnectFailed {
        /// Client name.
        client: String,
        /// Where it tried.
        address: SocketAddr,
        /// What the system said.
        error: String,
    },
    /// The program sent something other than expected.
    WrongReply {
        /// Client name.
        client: String,
        /// What was expected, in words.
        expected: String,
        /// What arrived.
        received: Vec<u8>,
    },
    /// The expected bytes did not arrive in time.
    NoReply {
        /// Client name.
        client: String,
        /// What was expected, in words.
        expected: String,
        /// What arrived (possibly nothing).
        received: Vec<u8>,
        /// How long the client waited.
        waited: Duration,
        /// Another client that received data meanwhile (a reply sent to the wrong client).
        misdirected: Option<(String, Vec<u8>)>,
    },
    /// The program ended the connection while the client still expected data.
    ConnectionEnded {
        /// Client name.
        client: String,
        /// What was expected, in words.
        expected: String,
        /// What arrived before the end.
        received: Vec<u8>,
        /// Closed or reset.
        how: ReadEnd,
    },
    /// Bytes arrived where the spec expects none.
    UnexpectedData {
        /// Client name.
        client: String,
        /// What arrived.
        received: Vec<u8>,
        /// The step expected the connection to be closed (rather than quiet).
        wanted_close: bool,
    },
    /// The program kept a connection open that it should have closed.
    NotClosed {
        /// Client name.
        client: String,
        /// How long the client waited.
        waited: Duration,
    },
    /// A client could not send.
    SendFailed {
        /// Client name.
        client: String,
        /// What the system said.
        error: String,
    },
    /// The whole test ran over its time limit.
    TestTimedOut {
        /// The limit.
        limit: Duration,
    },
    /// The submission could not be run at all (no program found, it did not compile).
    NotRun {
        /// Why, in words.
        reason: String,
    },
}

fn words(duration: Duration) -> String {
    humantime::format_duration(duration).to_string()
}

impl Problem {
    /// One or two sentences for the student.
    pub fn explain(&self) -> String {
        match self {
            Problem::EndedBeforeListening { port } => format!(
                "your program ended before it listened on TCP port {port}; see its output below"
            ),
            Problem::NeverListened {
                port, elsewhere, ..
            } if !elsewhere.is_empty() => {
                let found: Vec<String> = elsewhere.iter().map(ToString::to_string).collect();
                format!(
                    "your program listens on {}, not on TCP port {port}; check the port you bind()",
                    found.join(", ")
                )
            }
            Problem::NeverListened { port, waited, .. } => format!(
                "your program did not listen on TCP port {port} within {}; does it call bind() and listen()?",
                words(*waited)
            ),
            Problem::ConnectFailed {
                client,
                address,
                error,
            } => format!("client {client} could not connect to {address}: {error}"),
            Problem::WrongReply { client, .. } => {
                format!("client {client} received something other than expected")
            }
            Problem::NoReply {
                client,
                expected,
                misdirected: Some((other, bytes)),
                ..
            } => format!(
                "client {client} never received {expected}, but client {other} received {} \
                 instead: your program replied to the wrong client",
                show_bytes(bytes)
            ),
            Problem::NoReply {
                client,
                expected,
                received,
                waited,
                ..
            } if received.is_empty() => format!(
                "client {client} waited {} for {expected} but received nothing",
                words(*waited)
            ),
            Problem::NoReply {
                client,
                expected,
                waited,
                ..
            } => format!(
                "client {client} waited {} for {expected} but received only part of it",
                words(*waited)
            ),
            Problem::ConnectionEnded {
                client,
                expected,
                how,
                ..
            } => match how {
                ReadEnd::Closed => format!(
                    "your program closed the connection of client {client} instead of sending {expected}"
                ),
                ReadEnd::Reset => format!(
                    "the connection of client {client} was reset (RST) instead of receiving {expected}"
                ),
                ReadEnd::Failed(error) => {
                    format!("client {client} could not receive {expected}: {error}")
                }
            },
            Problem::UnexpectedData {
                client,
                wanted_close: true,
                ..
            } => format!(
                "client {client} expected your program to close the connection, but it sent more data"
            ),
            Problem::UnexpectedData { client, .. } => {
                format!("your program sent client {client} more than the exercise expects")
            }
            Problem::NotClosed { client, waited } => format!(
                "client {client} waited {} for your program to close the connection, but it stayed open",
                words(*waited)
            ),
            Problem::SendFailed { client, error } => {
                format!("client {client} could not send: {error}")
            }
            Problem::TestTimedOut { limit } => {
                format!(
                    "the test did not finish within its limit of {}",
                    words(*limit)
                )
            }
            Problem::NotRun { reason } => format!("your submission could not be run: {reason}"),
        }
    }

    /// What was expected, when there is a single thing to show.
    pub fn expected(&self) -> Option<&str> {
        match self {
            Problem::WrongReply { expected, .. }
            | Problem::NoReply { expected, .. }
            | Problem::ConnectionEnded { expected, .. } => Some(expected),
            _ => None,
        }
    }

    /// What was received, when it matters.
    pub fn received(&self) -> Option<&[u8]> {
        match self {
            Problem::WrongReply { received, .. }
            | Problem::NoReply { received, .. }
            | Problem::ConnectionEnded { received, .. }
            | Problem::UnexpectedData { received, .. } => Some(received),
            _ => None,
        }
    }
}

/// A matcher in words: `exactly "Thanks" (6 bytes)`.
pub fn describe_matcher(matcher: &Matcher) -> String {
    match matcher {
        Matcher::Exact(bytes) => format!("exactly {} ({} bytes)", show_bytes(bytes), bytes.len()),
        Matcher::Contains(bytes) => format!("text containing {}", show_bytes(bytes)),
        Matcher::Regex(regex) => format!("text matching /{}/", regex.as_str()),
        Matcher::Line(line) => format!("the line {line:?} (ending in a newline)"),
        Matcher::Count(count) => format!("{count} bytes"),
    }
}

/// A step in words, for "failed at step 4: ...".
pub fn describe_step(step: &Step) -> String {
    match &step.action {
        Action::Connect { client, .. } => format!("client {client} connects"),
        Action::Send {
            client,
            bytes,
            pieces,
        } => {
            let split = pieces
                .map(|(size, _)| format!(" in pieces of {size} bytes"))
                .unwrap_or_default();
            format!("client {client} sends {}{split}", show_bytes(bytes))
        }
        Action::Expect {
            client, matcher, ..
        } => format!("client {client} expects {}", describe_matcher(matcher)),
        Action::ExpectNothing { client, during } => {
            format!("client {client} expects nothing for {}", words(*during))
        }
        Action::ExpectClosed { client, .. } => {
            format!("client {client} expects your program to close the connection")
        }
        Action::Close { client } => format!("client {client} closes its connection"),
        Action::Shutdown { client } => format!("client {client} stops sending (half-close)"),
        Action::Reset { client } => format!("client {client} resets its connection"),
        Action::WaitAccepted { client, .. } => {
            format!("your program accepts the connection of client {client}")
        }
    }
}

/// The result of grading one program on one exercise.
#[derive(Debug, Clone)]
pub struct ExerciseResult {
    /// Exercise id.
    pub exercise: String,
    /// Exercise title.
    pub title: String,
    /// The program, as shown to people.
    pub program: String,
    /// How runs were isolated.
    pub isolation: Isolation,
    /// Results in test order.
    pub tests: Vec<TestResult>,
    /// Wall time of the whole grading.
    pub duration: Duration,
}

impl ExerciseResult {
    /// Points earned.
    pub fn score(&self) -> u32 {
        self.tests.iter().map(|t| t.points).sum()
    }

    /// Points available.
    pub fn max_score(&self) -> u32 {
        self.tests.iter().map(|t| t.max_points).sum()
    }

    /// Whether every test passed.
    pub fn all_passed(&self) -> bool {
        self.tests.iter().all(TestResult::passed)
    }

    /// Whether any test could not be run by the grader.
    pub fn has_errors(&self) -> bool {
        self.tests
            .iter()
            .any(|t| matches!(t.outcome, Outcome::Error(_)))
    }
}

/// For an exact expectation, how far the received bytes got: where they first differ, or how
/// much of the expected payload arrived. `None` when the plain expected/received lines say it.
pub fn exact_progress(expected: &[u8], received: &[u8]) -> Option<String> {
    let at = crate::peers::first_difference(expected, received);
    if at < expected.len().min(received.len()) {
        (at > 0).then(|| {
            format!(
                "the first {at} bytes were right; byte {at} differs (expected {}, received {})",
                show_bytes(&expected[at..at + 1]),
                show_bytes(&received[at..at + 1])
            )
        })
    } else if received.len() < expected.len() && !received.is_empty() {
        Some(format!(
            "only the first {} of {} expected bytes arrived",
            received.len(),
            expected.len()
        ))
    } else {
        None
    }
}
