//! [`Problem`]: what went wrong in a test, as data, and [`Problem::explain`], the sentence a
//! beginner reads.

use std::net::SocketAddr;
use std::time::Duration;

use crate::peers::ReadEnd;
use crate::program::ProgramEnd;
use crate::submission::NotRunnable;
use crate::transcript::show_bytes;

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
    /// A client program did not connect to the grader's server in time.
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
        end: ProgramEnd,
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
    /// The submission could not be run at all (no program found, it did not compile).
    NotRun {
        /// Why.
        reason: NotRunnable,
    },
}

pub(super) fn words(duration: Duration) -> String {
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
