//! [`Problem`]: what went wrong in a test, as data, and [`Problem::explain`], the sentence a
//! beginner reads (in their language).

use std::net::SocketAddr;
use std::time::Duration;

pub use super::wording::{Transport, Waiting};
use super::wording::{addresses, answer_list, words};
use crate::peers::ReadEnd;
use crate::program::ProgramEnd;
use crate::submission::NotRunnable;
use crate::tr;
use crate::transcript::show_bytes;

/// What went wrong, as data; [`Problem::explain`] puts it in words.
#[derive(Debug, Clone)]
pub enum Problem {
    /// The program ended before it listened (TCP) or bound (UDP).
    EndedBeforeListening {
        /// The transport.
        transport: Transport,
        /// The port it should have listened on.
        port: u16,
    },
    /// The program listens (or is bound) on another local address than the exercise requires.
    WrongBindAddress {
        /// The address required.
        required: std::net::IpAddr,
        /// Where the program is bound.
        found: SocketAddr,
    },
    /// The program did not listen on the port in time.
    NeverListened {
        /// The port it should listen on.
        port: u16,
        /// How long the grader waited.
        waited: Duration,
        /// Where it listens instead.
        elsewhere: Vec<SocketAddr>,
        /// The grader stopped waiting because the program was idle: what it waits for.
        waiting: Option<Waiting>,
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
        /// The grader stopped waiting because the program was idle: what it waits for.
        waiting: Option<Waiting>,
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
        /// The grader stopped waiting because the program was idle: what it waits for.
        waiting: Option<Waiting>,
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
    /// A client program did not connect to the grader's server in time.
    NeverConnected { port: u16, waited: Duration },
    /// A client program ended without connecting to the grader's server.
    EndedBeforeConnecting { port: u16 },
    /// A UDP server did not bind its port (in time, or before going idle).
    NeverBound {
        port: u16,
        waited: Duration,
        elsewhere: Vec<SocketAddr>,
        waiting: Option<Waiting>,
    },
    /// The program printed something else and is now waiting for input (or has ended).
    WrongOutput {
        stream: &'static str,
        expected: String,
        received: Vec<u8>,
        /// The stream has ended (the program exited); otherwise it waits for this.
        ended: bool,
        waiting: Option<Waiting>,
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
    /// The program did not write a file an `expect_file` step looks for.
    FileMissing {
        /// Its path in the program's folder.
        path: String,
        /// The program had ended.
        ended: bool,
        /// The grader stopped waiting because the program was idle: what it waits for.
        waiting: Option<Waiting>,
    },
    /// A file the program wrote is not what the step expects.
    WrongFile {
        /// Its path in the program's folder.
        path: String,
        /// What was expected, in words.
        expected: String,
        /// What the file holds.
        received: Vec<u8>,
    },
    /// For one input the program printed the expected answer and other possible answers.
    SeveralAnswers {
        /// What was expected, in words.
        expected: String,
        /// The answers it printed, in order.
        printed: Vec<String>,
        /// The input they answered (the last line typed), when there was one.
        input: Option<String>,
        /// The output no step had matched.
        received: Vec<u8>,
    },
    /// The program ended otherwise than the step expects.
    WrongExit {
        expected: Option<i32>,
        end: ProgramEnd,
    },
    /// The program did not end by itself.
    NotExited {
        waited: Duration,
        waiting: Option<Waiting>,
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
        /// The program had ended: nothing more could come.
        program_ended: bool,
        /// The grader stopped waiting because the program was idle: what it waits for.
        waiting: Option<Waiting>,
    },
    /// A datagram arrived when none was expected (an empty one included).
    UnexpectedDatagram { peer: String, received: Vec<u8> },
    /// A UDP peer could not send.
    DatagramSendFailed { peer: String, error: String },
    /// With `traceback: fails`, the program wrote a Python traceback.
    Traceback { last_line: String },
    /// The submission could not be run at all (no program found, it did not compile).
    NotRun {
        /// Why.
        reason: NotRunnable,
    },
}

impl Problem {
    /// One or two sentences for the student.
    pub fn explain(&self) -> String {
        match self {
            Problem::EndedBeforeListening {
                transport: Transport::Tcp,
                port,
            } => tr!("problem-ended-before-listening-tcp", port = port),
            Problem::EndedBeforeListening {
                transport: Transport::Udp,
                port,
            } => tr!("problem-ended-before-listening-udp", port = port),
            Problem::NeverListened {
                port, elsewhere, ..
            } if !elsewhere.is_empty() => tr!(
                "problem-listens-elsewhere",
                found = addresses(elsewhere),
                port = port
            ),
            Problem::NeverListened {
                port,
                waiting: Some(waiting),
                ..
            } => tr!(
                "problem-never-listened-waiting",
                waiting = waiting.words(),
                port = port
            ),
            Problem::NeverListened { port, waited, .. } => {
                tr!(
                    "problem-never-listened",
                    port = port,
                    waited = words(*waited)
                )
            }
            Problem::ConnectFailed {
                client,
                address,
                error,
            } => tr!(
                "problem-connect-failed",
                client = client,
                address = address.to_string(),
                error = error
            ),
            Problem::WrongReply { client, .. } => tr!("problem-wrong-reply", client = client),
            Problem::NoReply {
                client,
                expected,
                misdirected: Some((other, bytes)),
                ..
            } => tr!(
                "problem-reply-misdirected",
                client = client,
                expected = expected,
                other = other,
                bytes = show_bytes(bytes)
            ),
            Problem::NoReply {
                client,
                expected,
                received,
                waiting: Some(waiting),
                ..
            } if received.is_empty() => tr!(
                "problem-no-reply-waiting",
                client = client,
                expected = expected,
                waiting = waiting.words()
            ),
            Problem::NoReply {
                client,
                expected,
                waiting: Some(waiting),
                ..
            } => tr!(
                "problem-partial-reply-waiting",
                client = client,
                expected = expected,
                waiting = waiting.words()
            ),
            Problem::NoReply {
                client,
                expected,
                received,
                waited,
                ..
            } if received.is_empty() => tr!(
                "problem-no-reply",
                client = client,
                waited = words(*waited),
                expected = expected
            ),
            Problem::NoReply {
                client,
                expected,
                waited,
                ..
            } => tr!(
                "problem-partial-reply",
                client = client,
                waited = words(*waited),
                expected = expected
            ),
            Problem::ConnectionEnded {
                client,
                expected,
                how,
                ..
            } => match how {
                ReadEnd::Closed => {
                    tr!(
                        "problem-closed-instead",
                        client = client,
                        expected = expected
                    )
                }
                ReadEnd::Reset => {
                    tr!(
                        "problem-reset-instead",
                        client = client,
                        expected = expected
                    )
                }
                ReadEnd::Failed(error) => tr!(
                    "problem-receive-failed",
                    client = client,
                    expected = expected,
                    error = error
                ),
            },
            Problem::UnexpectedData {
                client,
                wanted_close: true,
                ..
            } => tr!("problem-data-instead-of-close", client = client),
            Problem::UnexpectedData { client, .. } => {
                tr!("problem-more-than-expected", client = client)
            }
            Problem::NotClosed {
                client,
                waiting: Some(waiting),
                ..
            } => tr!(
                "problem-not-closed-waiting",
                client = client,
                waiting = waiting.words()
            ),
            Problem::NotClosed { client, waited, .. } => {
                tr!(
                    "problem-not-closed",
                    client = client,
                    waited = words(*waited)
                )
            }
            Problem::SendFailed { client, error } => {
                tr!("problem-send-failed", client = client, error = error)
            }
            Problem::TestTimedOut { limit } => {
                tr!("problem-test-timed-out", limit = words(*limit))
            }
            Problem::NotRun { reason } => tr!("problem-not-run", reason = reason.to_string()),
            Problem::NeverConnected { port, waited } => {
                tr!(
                    "problem-never-connected",
                    port = port,
                    waited = words(*waited)
                )
            }
            Problem::EndedBeforeConnecting { port } => {
                tr!("problem-ended-before-connecting", port = port)
            }
            Problem::NeverBound {
                port, elsewhere, ..
            } if !elsewhere.is_empty() => tr!(
                "problem-bound-elsewhere",
                found = addresses(elsewhere),
                port = port
            ),
            Problem::NeverBound {
                port,
                waiting: Some(waiting),
                ..
            } => tr!(
                "problem-never-bound-waiting",
                waiting = waiting.words(),
                port = port
            ),
            Problem::NeverBound { port, waited, .. } => {
                tr!("problem-never-bound", port = port, waited = words(*waited))
            }
            Problem::WrongOutput {
                stream,
                expected,
                ended: true,
                ..
            } => tr!(
                "problem-output-ended",
                expected = expected,
                stream = stream.to_string()
            ),
            Problem::WrongOutput {
                stream,
                expected,
                waiting,
                ..
            } => tr!(
                "problem-output-other-waiting",
                stream = stream.to_string(),
                waiting = waiting.unwrap_or(Waiting::Keyboard).words(),
                expected = expected
            ),
            Problem::NoOutput {
                stream,
                expected,
                waited,
                ..
            } => tr!(
                "problem-no-output",
                expected = expected,
                stream = stream.to_string(),
                waited = words(*waited)
            ),
            Problem::InputFailed { error } => tr!("problem-input-failed", error = error),
            Problem::FileMissing {
                path,
                ended,
                waiting,
            } => {
                let why = match (ended, waiting) {
                    (true, _) => tr!("problem-file-missing-ended"),
                    (false, Some(waiting)) => {
                        tr!("problem-file-missing-waiting", waiting = waiting.words())
                    }
                    (false, None) => String::new(),
                };
                tr!("problem-file-missing", path = path.as_str(), why = why)
            }
            Problem::WrongFile { path, expected, .. } => tr!(
                "problem-wrong-file",
                path = path.as_str(),
                expected = expected.as_str()
            ),
            Problem::WrongBindAddress { required, found } => tr!(
                "problem-wrong-bind-address",
                found = found.to_string(),
                required = required.to_string(),
                port = found.port()
            ),
            Problem::SeveralAnswers { printed, input, .. } => {
                let list = answer_list(printed);
                match input {
                    Some(input) => tr!(
                        "problem-several-answers",
                        count = printed.len(),
                        printed = list,
                        input = format!("{input:?}")
                    ),
                    None => tr!(
                        "problem-several-answers-no-input",
                        count = printed.len(),
                        printed = list
                    ),
                }
            }
            Problem::WrongExit {
                expected: Some(code),
                end,
            } => tr!(
                "problem-wrong-exit-code",
                code = code,
                end = end.to_string()
            ),
            Problem::WrongExit { end, .. } => tr!("problem-wrong-exit", end = end.to_string()),
            Problem::NotExited {
                waiting: Some(waiting),
                ..
            } => tr!("problem-not-exited-waiting", waiting = waiting.words()),
            Problem::NotExited { waited, .. } => {
                tr!("problem-not-exited", waited = words(*waited))
            }
            Problem::WrongDatagram { peer, .. } => tr!("problem-wrong-datagram", peer = peer),
            Problem::NoDatagram {
                peer,
                expected,
                misdirected: Some((other, bytes)),
                ..
            } => tr!(
                "problem-datagram-misdirected",
                peer = peer,
                expected = expected,
                other = other,
                bytes = show_bytes(bytes)
            ),
            Problem::NoDatagram {
                peer,
                expected,
                program_ended: true,
                ..
            } => tr!(
                "problem-no-datagram-ended",
                peer = peer,
                expected = expected
            ),
            Problem::NoDatagram {
                peer,
                expected,
                waiting: Some(waiting),
                ..
            } => tr!(
                "problem-no-datagram-waiting",
                peer = peer,
                expected = expected,
                waiting = waiting.words()
            ),
            Problem::NoDatagram {
                peer,
                expected,
                waited,
                ..
            } => tr!(
                "problem-no-datagram",
                peer = peer,
                waited = words(*waited),
                expected = expected
            ),
            Problem::UnexpectedDatagram { peer, received } if received.is_empty() => {
                tr!("problem-empty-datagram", peer = peer)
            }
            Problem::UnexpectedDatagram { peer, .. } => {
                tr!("problem-unexpected-datagram", peer = peer)
            }
            Problem::DatagramSendFailed { peer, error } => {
                tr!("problem-datagram-send-failed", peer = peer, error = error)
            }
            Problem::Traceback { last_line } => tr!("problem-traceback", line = last_line),
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
            | Problem::SeveralAnswers { expected, .. }
            | Problem::WrongFile { expected, .. }
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
            | Problem::SeveralAnswers { received, .. }
            | Problem::WrongFile { received, .. }
            | Problem::WrongDatagram { received, .. }
            | Problem::UnexpectedDatagram { received, .. } => Some(received),
            _ => None,
        }
    }
}
