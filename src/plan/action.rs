//! [`Action`]: what one step does, by family — a TCP connection, a UDP peer, the console.
//!
//! Each family names its peer once (`TcpAction::connection`, `UdpAction::peer`), so a step
//! that acts on a connection cannot forget to say which; the runner plays each family in its
//! own file (`run/tcp_steps.rs`, `run/udp_steps.rs`, `run/console_steps.rs`).

use std::time::Duration;

use super::matchers::{Matcher, OutputMatcher};
use crate::differential::CaseSource;
use crate::program::OutputStream;

/// What a step does.
#[derive(Debug, Clone)]
pub enum Action {
    /// Something on one TCP connection between the grader and the program.
    Tcp(TcpAction),
    /// Something at one of the grader's UDP peers.
    Udp(UdpAction),
    /// Something on the program's console (stdin, stdout, its exit).
    Console(ConsoleAction),
}

/// A step on one TCP connection, named in the spec (`a`, `b`, `server`).
#[derive(Debug, Clone)]
pub struct TcpAction {
    /// The connection's name.
    pub connection: String,
    /// What happens on it.
    pub verb: TcpVerb,
}

/// What happens on a TCP connection.
#[derive(Debug, Clone)]
pub enum TcpVerb {
    /// The grader connects to the program's listening address (a server program).
    Connect {
        /// How long to wait for the connection.
        timeout: Duration,
    },
    /// The grader, as the server of a client program, takes its next connection.
    Accept {
        /// How long to wait for the program to connect.
        timeout: Duration,
    },
    /// Send bytes, at once or in pieces.
    Send {
        /// The bytes.
        bytes: Vec<u8>,
        /// Split into pieces of this size with this pause between them.
        pieces: Option<(usize, Duration)>,
    },
    /// Wait for bytes that satisfy a matcher.
    Expect {
        /// What must arrive.
        matcher: Matcher,
        /// How long to wait.
        timeout: Duration,
    },
    /// Read until the program closes the connection, then check everything received.
    ExpectAll {
        /// What all of it must be (or contain).
        matcher: Matcher,
        /// How long to wait for the close.
        timeout: Duration,
    },
    /// Nothing may arrive for a while.
    ExpectNothing {
        /// For how long.
        during: Duration,
    },
    /// The program must close the connection (FIN).
    ExpectClosed {
        /// How long to wait.
        timeout: Duration,
    },
    /// Close normally (FIN).
    Close,
    /// Stop sending, keep receiving.
    Shutdown,
    /// Abort with RST.
    Reset,
    /// Let the program accept the connection while it is queued (bounded, never fails).
    WaitAccepted {
        /// Longest wait.
        up_to: Duration,
    },
}

/// A step at one of the grader's UDP peers.
#[derive(Debug, Clone)]
pub struct UdpAction {
    /// The peer's name (`server` is the grader's server of a client program).
    pub peer: String,
    /// What happens there.
    pub verb: UdpVerb,
}

/// What happens at a UDP peer.
#[derive(Debug, Clone)]
pub enum UdpVerb {
    /// The peer sends one datagram.
    Send {
        /// The datagram (may be empty).
        bytes: Vec<u8>,
    },
    /// The peer receives one datagram.
    Expect {
        /// What the datagram must be.
        matcher: Matcher,
        /// How long to wait.
        timeout: Duration,
    },
    /// No datagram reaches the peer for a while.
    ExpectNone {
        /// For how long.
        during: Duration,
    },
}

/// A step on the program's console.
#[derive(Debug, Clone)]
pub enum ConsoleAction {
    /// Type on stdin (the bytes include the newline).
    Type {
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// Close stdin.
    CloseStdin,
    /// Wait for output.
    ExpectOutput {
        /// Which stream.
        stream: OutputStream,
        /// What must appear.
        matcher: OutputMatcher,
        /// How long to wait.
        timeout: Duration,
    },
    /// Wait for the program to end by itself.
    ExpectExit {
        /// The exit code required, if any.
        code: Option<i32>,
        /// How long to wait.
        timeout: Duration,
    },
    /// A file the program writes in its folder.
    ExpectFile {
        /// Its path in the program's folder.
        path: String,
        /// What the whole file must be (or contain).
        matcher: Matcher,
        /// How long to wait for it.
        timeout: Duration,
    },
    /// Type generated inputs and expect the reference's answers.
    Differential {
        /// The inputs and who answers them.
        source: CaseSource,
        /// How long each answer may take.
        timeout: Duration,
    },
}

impl Action {
    /// Whether the step gives the program something to react to (a connection, bytes, a
    /// close), as opposed to waiting for or checking what it does.
    pub fn gives_input(&self) -> bool {
        match self {
            Action::Tcp(tcp) => matches!(
                tcp.verb,
                TcpVerb::Connect { .. }
                    | TcpVerb::Send { .. }
                    | TcpVerb::Close
                    | TcpVerb::Shutdown
                    | TcpVerb::Reset
            ),
            Action::Udp(udp) => matches!(udp.verb, UdpVerb::Send { .. }),
            Action::Console(console) => {
                matches!(
                    console,
                    ConsoleAction::Type { .. } | ConsoleAction::CloseStdin
                )
            }
        }
    }

    /// Multiplies every time value of the step by `factor`.
    pub(super) fn scale_durations(&mut self, factor: f64) {
        for (_, duration) in self.durations_mut() {
            *duration = duration.mul_f64(factor);
        }
    }

    /// The time values of the step, by the name the spec gives them (for range checks and
    /// for scaling).
    pub(super) fn durations_mut(&mut self) -> Vec<(&'static str, &mut Duration)> {
        match self {
            Action::Tcp(TcpAction { verb, .. }) => match verb {
                TcpVerb::Connect { timeout }
                | TcpVerb::Accept { timeout }
                | TcpVerb::Expect { timeout, .. }
                | TcpVerb::ExpectAll { timeout, .. }
                | TcpVerb::ExpectClosed { timeout } => vec![("timeout", timeout)],
                TcpVerb::Send {
                    pieces: Some((_, pause)),
                    ..
                } => vec![("pause", pause)],
                TcpVerb::ExpectNothing { during } => vec![("for", during)],
                TcpVerb::WaitAccepted { up_to } => vec![("up_to", up_to)],
                TcpVerb::Send { pieces: None, .. }
                | TcpVerb::Close
                | TcpVerb::Shutdown
                | TcpVerb::Reset => Vec::new(),
            },
            Action::Udp(UdpAction { verb, .. }) => match verb {
                UdpVerb::Expect { timeout, .. } => vec![("timeout", timeout)],
                UdpVerb::ExpectNone { during } => vec![("for", during)],
                UdpVerb::Send { .. } => Vec::new(),
            },
            Action::Console(console) => match console {
                ConsoleAction::ExpectOutput { timeout, .. }
                | ConsoleAction::ExpectExit { timeout, .. }
                | ConsoleAction::ExpectFile { timeout, .. }
                | ConsoleAction::Differential { timeout, .. } => vec![("timeout", timeout)],
                ConsoleAction::Type { .. } | ConsoleAction::CloseStdin => Vec::new(),
            },
        }
    }
}
