//! Stage 4, verdict: [`TestResult`] and [`ExerciseResult`], the one result model every report
//! format is written from, and [`Problem`], what went wrong in words a beginner understands.

use std::net::SocketAddr;
use std::time::Duration;

use crate::peers::ReadEnd;
use crate::plan::{Action, Matcher, OutputMatcher, Step};
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
        /// The grader stopped waiting because the program was idle (waiting for input).
        program_idle: bool,
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
        /// The grader stopped waiting because the program was idle (waiting for input).
        program_idle: bool,
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
        /// The grader stopped waiting because the program was idle (waiting for input).
        program_idle: bool,
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
    NeverConnected { port: u16, waited: Duration },
    /// A client program ended without connecting to the grader's server.
    EndedBeforeConnecting { port: u16 },
    /// A UDP server did not bind its port (in time, or before going idle).
    NeverBound {
        port: u16,
        waited: Duration,
        elsewhere: Vec<SocketAddr>,
        program_idle: bool,
    },
    /// The program printed something else and is now waiting for input (or has ended).
    WrongOutput {
        stream: &'static str,
        expected: String,
        received: Vec<u8>,
        ended: bool,
    },
    /// The expected output did not come within the step's time.
    NoOutput {
        stream: &'static str,
        expected: String,
        received: Vec<u8>,
        waited: Duration,
    },
    /// Typing on the program's stdin failed.
    InputFailed { error: String },
    /// The program ended otherwise than the step expects.
    WrongExit {
        expected: Option<i32>,
        end: crate::process::ProgramEnd,
    },
    /// The program did not end by itself.
    NotExited {
        waited: Duration,
        program_idle: bool,
    },
    /// A datagram other than the expected one arrived.
    WrongDatagram {
        peer: String,
        expected: String,
        received: Vec<u8>,
        from: SocketAddr,
    },
    /// No datagram arrived at a UDP peer (perhaps at another one: `misdirected`).
    NoDatagram {
        peer: String,
        expected: String,
        waited: Duration,
        misdirected: Option<(String, Vec<u8>)>,
    },
    /// A datagram arrived when none was expected (an empty one included).
    UnexpectedDatagram { peer: String, received: Vec<u8> },
    /// A UDP peer could not send.
    DatagramSendFailed { peer: String, error: String },
    /// With `traceback: fails`, the program wrote a Python traceback.
    Traceback { last_line: String },
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
            Problem::NeverListened {
                port,
                program_idle: true,
                ..
            } => format!(
                "your program is waiting (for a connection or for input) but does not listen on TCP port {port}; does it call bind() and listen()?"
            ),
            Problem::NeverListened { port, waited, .. } => format!(
                "your program did not listen on TCP port {port} within {}; does it call bind() and listen()?",
                words(*waited)
            ),
            Problem::ConnectFailed {
                client,
                address,
                error,
            } => format!("{client} could not connect to {address}: {error}"),
            Problem::WrongReply { client, .. } => {
                format!("{client} received something other than expected")
            }
            Problem::NoReply {
                client,
                expected,
                misdirected: Some((other, bytes)),
                ..
            } => format!(
                "{client} never received {expected}, but {other} received {} \
                 instead: your program replied to the wrong client",
                show_bytes(bytes)
            ),
            Problem::NoReply {
                client,
                expected,
                received,
                program_idle: true,
                ..
            } if received.is_empty() => format!(
                "{client} expected {expected}, but your program is waiting for input without having sent anything"
            ),
            Problem::NoReply {
                client,
                expected,
                program_idle: true,
                ..
            } => format!(
                "{client} received only part of {expected}, and your program is waiting for input: the rest is not coming"
            ),
            Problem::NoReply {
                client,
                expected,
                received,
                waited,
                ..
            } if received.is_empty() => format!(
                "{client} waited {} for {expected} but received nothing",
                words(*waited)
            ),
            Problem::NoReply {
                client,
                expected,
                waited,
                ..
            } => format!(
                "{client} waited {} for {expected} but received only part of it",
                words(*waited)
            ),
            Problem::ConnectionEnded {
                client,
                expected,
                how,
                ..
            } => match how {
                ReadEnd::Closed => format!(
                    "your program closed the connection of {client} instead of sending {expected}"
                ),
                ReadEnd::Reset => format!(
                    "the connection of {client} was reset (RST) instead of receiving {expected}"
                ),
                ReadEnd::Failed(error) => {
                    format!("{client} could not receive {expected}: {error}")
                }
            },
            Problem::UnexpectedData {
                client,
                wanted_close: true,
                ..
            } => format!(
                "{client} expected your program to close the connection, but it sent more data"
            ),
            Problem::UnexpectedData { client, .. } => {
                format!("your program sent {client} more than the exercise expects")
            }
            Problem::NotClosed {
                client,
                program_idle: true,
                ..
            } => format!(
                "{client} expected your program to close the connection, but it is waiting for input with the connection open"
            ),
            Problem::NotClosed { client, waited, .. } => format!(
                "{client} waited {} for your program to close the connection, but it stayed open",
                words(*waited)
            ),
            Problem::SendFailed { client, error } => {
                format!("{client} could not send: {error}")
            }
            Problem::TestTimedOut { limit } => {
                format!(
                    "the test did not finish within its limit of {}",
                    words(*limit)
                )
            }
            Problem::NotRun { reason } => format!("your submission could not be run: {reason}"),
            Problem::NeverConnected { port, waited } => format!(
                "your program did not connect to TCP port {port} within {}; does it call connect() to 127.0.0.1:{port}?",
                words(*waited)
            ),
            Problem::EndedBeforeConnecting { port } => format!(
                "your program ended without connecting to TCP port {port}; see its output below"
            ),
            Problem::NeverBound {
                port, elsewhere, ..
            } if !elsewhere.is_empty() => {
                let found: Vec<String> = elsewhere.iter().map(ToString::to_string).collect();
                format!(
                    "your program bound UDP {}, not UDP port {port}; check the port you bind()",
                    found.join(", ")
                )
            }
            Problem::NeverBound {
                port,
                program_idle: true,
                ..
            } => format!(
                "your program is waiting for input but has not bound UDP port {port}; does it call bind()?"
            ),
            Problem::NeverBound { port, waited, .. } => format!(
                "your program did not bind UDP port {port} within {}; does it call bind()?",
                words(*waited)
            ),
            Problem::WrongOutput {
                stream,
                expected,
                ended: true,
                ..
            } => format!("your program ended without printing {expected} (on {stream})"),
            Problem::WrongOutput {
                stream, expected, ..
            } => format!(
                "your program printed something else on {stream}: it is waiting for input now, and {expected} is not there"
            ),
            Problem::NoOutput {
                stream,
                expected,
                waited,
                ..
            } => format!(
                "your program did not print {expected} on {stream} within {}",
                words(*waited)
            ),
            Problem::InputFailed { error } => {
                format!("could not type on your program's input: {error}")
            }
            Problem::WrongExit {
                expected: Some(code),
                end,
            } => format!("your program should exit with code {code}, but it {end}"),
            Problem::WrongExit { end, .. } => format!("your program should exit, but it {end}"),
            Problem::NotExited {
                program_idle: true, ..
            } => "your program should end here, but it is waiting for input".into(),
            Problem::NotExited { waited, .. } => format!(
                "your program did not exit within {} (it should end by itself here)",
                words(*waited)
            ),
            Problem::WrongDatagram { peer, .. } => {
                format!("peer {peer} received a datagram other than expected")
            }
            Problem::NoDatagram {
                peer,
                expected,
                misdirected: Some((other, bytes)),
                ..
            } => format!(
                "peer {peer} never received {expected}, but peer {other} received {} instead: \
                 your program replied to the wrong address (reply to the address recvfrom() returned)",
                show_bytes(bytes)
            ),
            Problem::NoDatagram {
                peer,
                expected,
                waited,
                ..
            } => format!(
                "peer {peer} waited {} for a datagram with {expected} but received none",
                words(*waited)
            ),
            Problem::UnexpectedDatagram { peer, received } if received.is_empty() => {
                format!("peer {peer} received an empty datagram; your program must not send one")
            }
            Problem::UnexpectedDatagram { peer, .. } => {
                format!("peer {peer} received a datagram when none was expected")
            }
            Problem::DatagramSendFailed { peer, error } => {
                format!("peer {peer} could not send: {error}")
            }
            Problem::Traceback { last_line } => {
                format!("your program crashed with a Python traceback: {last_line}")
            }
        }
    }

    /// What was expected, when there is a single thing to show.
    pub fn expected(&self) -> Option<&str> {
        match self {
            Problem::WrongReply { expected, .. }
            | Problem::NoReply { expected, .. }
            | Problem::ConnectionEnded { expected, .. }
            | Problem::WrongOutput { expected, .. }
            | Problem::NoOutput { expected, .. }
            | Problem::WrongDatagram { expected, .. } => Some(expected),
            _ => None,
        }
    }

    /// What was received, when it matters.
    pub fn received(&self) -> Option<&[u8]> {
        match self {
            // An empty datagram is named in the message; "received: nothing" would mislead.
            Problem::UnexpectedDatagram { received, .. } if received.is_empty() => None,
            Problem::WrongReply { received, .. }
            | Problem::NoReply { received, .. }
            | Problem::ConnectionEnded { received, .. }
            | Problem::UnexpectedData { received, .. }
            | Problem::WrongOutput { received, .. }
            | Problem::NoOutput { received, .. }
            | Problem::WrongDatagram { received, .. }
            | Problem::UnexpectedDatagram { received, .. } => Some(received),
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
pub fn describe_step(step: &Step, grader_is_server: bool) -> String {
    let who = |name: &str| connection_label(name, grader_is_server);
    match &step.action {
        Action::Connect { client, .. } => format!("{} connects", who(client)),
        Action::Send {
            client,
            bytes,
            pieces,
        } => {
            let split = pieces
                .map(|(size, _)| format!(" in pieces of {size} bytes"))
                .unwrap_or_default();
            format!("{} sends {}{split}", who(client), show_bytes(bytes))
        }
        Action::Expect {
            client, matcher, ..
        } => format!("{} expects {}", who(client), describe_matcher(matcher)),
        Action::ExpectNothing { client, during } => {
            format!("{} expects nothing for {}", who(client), words(*during))
        }
        Action::ExpectClosed { client, .. } => {
            format!(
                "{} expects your program to close the connection",
                who(client)
            )
        }
        Action::Close { client } => format!("{} closes its connection", who(client)),
        Action::Shutdown { client } => format!("{} stops sending (half-close)", who(client)),
        Action::Reset { client } => format!("{} resets its connection", who(client)),
        Action::WaitAccepted { client, .. } => {
            format!("your program accepts the connection of {}", who(client))
        }
        Action::Accept { client, .. } => {
            format!("your program connects to the grader ({})", who(client))
        }
        Action::SendDatagram { peer, bytes } => {
            format!("peer {peer} sends the datagram {}", show_bytes(bytes))
        }
        Action::ExpectDatagram { peer, matcher, .. } => format!(
            "peer {peer} expects a datagram with {}",
            describe_matcher(matcher)
        ),
        Action::ExpectNoDatagram { peer, during } => {
            format!("peer {peer} expects no datagram for {}", words(*during))
        }
        Action::Type { bytes } => format!("type {} on stdin", show_bytes(bytes)),
        Action::CloseStdin => "close stdin (Ctrl-D)".into(),
        Action::ExpectOutput {
            stream, matcher, ..
        } => format!(
            "expect {} on {}",
            describe_output_matcher(matcher),
            stream.name()
        ),
        Action::ExpectExit {
            code: Some(code), ..
        } => {
            format!("expect your program to exit with code {code}")
        }
        Action::ExpectExit { code: None, .. } => "expect your program to exit".into(),
        Action::Differential { oracle, count, .. } => format!(
            "type {count} generated inputs, expecting the answers of the {} reference",
            oracle.name()
        ),
    }
}

/// How a TCP connection is named in reports: `client a` when the grader connected to the
/// program, `the server` (or `server connection b`) when the program connected to the grader.
pub fn connection_label(name: &str, grader_is_server: bool) -> String {
    match (grader_is_server, name) {
        (false, _) => format!("client {name}"),
        (true, "server") => "the server".to_owned(),
        (true, _) => format!("server connection {name}"),
    }
}

/// Words for what an `expect_output` step waits for.
pub fn describe_output_matcher(matcher: &OutputMatcher) -> String {
    match matcher {
        OutputMatcher::Contains(text) => format!("text containing {text:?}"),
        OutputMatcher::Keywords(words) => {
            let quoted: Vec<String> = words.iter().map(|w| format!("{w:?}")).collect();
            format!("the words {} in this order", quoted.join(", "))
        }
        OutputMatcher::Regex(regex) => format!("text matching /{}/", regex.as_str()),
        OutputMatcher::Answer(answer) => format!("a line ending with the answer {answer:?}"),
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
    /// Seed of the generated inputs, when the exercise has differential tests.
    pub seed: Option<u64>,
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
