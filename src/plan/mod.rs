//! Stage 2, plan: [`Exercise`], the validated form of a spec that the runner executes.
//!
//! The spec types ([`crate::spec`]) mirror the YAML; these types mirror what the grader does.
//! [`validate`] turns one into the other — the only place cross-field rules are checked (one
//! role for the program, exactly one payload per `send`, a connection is open before it is
//! used, regexes compile), each error pointing at its line and column in the spec file. What
//! passes is then true by construction: the runner does not check it again.
//!
//! - [`action`]: what one step does, by family (TCP, UDP, console).
//! - [`matchers`]: what an expectation accepts, and the matching itself.
//! - [`validate`]: spec → plan.

pub mod action;
mod answers;
mod data;
pub mod matchers;
pub mod now;
mod peer_checks;
mod steps;
mod validate;
mod values;

use std::time::Duration;

pub use action::{Action, ConsoleAction, TcpAction, TcpVerb, UdpAction, UdpVerb};
pub use answers::{AnswerSet, Judgement, judge_answer};
pub use data::{DataFiles, DataReader};
pub use matchers::{
    MatchState, Matcher, OutputMatcher, check, find_output, first_difference, fold, is_reply,
    matches_whole,
};
pub use values::{MAX_DURATION, check_entry, parse_hex, parse_size};

use crate::differential::{CaseSource, ReferenceInputs};
use crate::i18n::Localized;
use crate::sandbox::Limits;
use crate::spec::{StopSpec, TracebackSpec, Visibility};

/// Default time a program has to start (listen, bind, connect).
pub const DEFAULT_START_TIMEOUT: Duration = Duration::from_secs(5);
/// Default time one step waits for the program.
pub const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(5);
/// Default time one whole test may take.
pub const DEFAULT_TEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default pause between pieces of a split `send`.
pub const DEFAULT_PIECE_PAUSE: Duration = Duration::from_millis(20);
/// Default longest wait of `wait_accepted`.
pub const DEFAULT_ACCEPT_WAIT: Duration = Duration::from_secs(2);
/// Largest payload one step may describe (after `repeat`).
pub const MAX_PAYLOAD_BYTES: usize = 16 * 1024 * 1024;
/// Largest UDP datagram a step may send or expect (what fits in one datagram on loopback).
pub const MAX_DATAGRAM_BYTES: usize = 65_507;
/// Most inputs one `differential` step may type.
pub const MAX_DIFFERENTIAL_CASES: u32 = 1000;
/// The name of the grader's UDP peer that plays the server of a client program.
pub const UDP_SERVER_PEER: &str = "server";

/// What the program under test is, seen from the network: its one role in every test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgramRole {
    /// A TCP server: it must listen on this port; the grader's clients connect to it.
    TcpServer {
        /// The port.
        port: u16,
    },
    /// A UDP server: it must bind this port; the grader's peers send to it.
    UdpServer {
        /// The port.
        port: u16,
    },
    /// A TCP client: the grader listens on this port before the program starts.
    TcpClient {
        /// The port.
        port: u16,
    },
    /// A UDP client: the grader's peer `server` is bound to this port.
    UdpClient {
        /// The port.
        port: u16,
    },
    /// A console program: it talks through stdin and stdout only.
    Console,
}

impl ProgramRole {
    /// The port the spec names, if the program uses the network.
    pub fn port(self) -> Option<u16> {
        match self {
            ProgramRole::TcpServer { port }
            | ProgramRole::UdpServer { port }
            | ProgramRole::TcpClient { port }
            | ProgramRole::UdpClient { port } => Some(port),
            ProgramRole::Console => None,
        }
    }

    /// How the program talks TCP with the grader, if it does.
    pub fn tcp_conversation(self) -> Option<TcpConversation> {
        match self {
            ProgramRole::TcpServer { port } => Some(TcpConversation::ProgramListens(port)),
            ProgramRole::TcpClient { port } => Some(TcpConversation::ProgramConnects(port)),
            _ => None,
        }
    }

    /// Whether the grader is the server of this program (its TCP connections are accepted,
    /// not made, by the grader).
    pub fn grader_is_server(self) -> bool {
        matches!(self, ProgramRole::TcpClient { .. })
    }
}

/// A validated exercise, ready to run.
#[derive(Debug, Clone)]
pub struct Exercise {
    /// Identifier used on the command line.
    pub id: String,
    /// One-line title.
    pub title: Localized,
    /// Where the spec came from (a path, or `bundled:<id>`), for messages.
    pub source: String,
    /// The reference solution: a file in the exercise's folder, or a binary of the
    /// `reference/` crate (see [`Exercise::reference_file`]).
    pub reference: Option<String>,
    /// Names (or globs) a submission's program is looked for under.
    pub entry: Vec<String>,
    /// What the program is on the network.
    pub role: ProgramRole,
    /// How a still-running program is stopped after the steps.
    pub stop: StopSpec,
    /// Whether a traceback on stderr fails a test.
    pub traceback: TracebackSpec,
    /// Time the program has to start listening.
    pub start_timeout: Duration,
    /// Longest wait for the program to take a typed line (its stdin pipe full).
    pub typing_timeout: Duration,
    /// Resource limits of the program.
    pub limits: Limits,
    /// Every answer a console program can give (one input, one answer).
    pub answers: AnswerSet,
    /// The local address a server must bind, when the exercise requires one.
    pub bind_address: Option<std::net::IpAddr>,
    /// Arguments the program is started with, after its command's own.
    pub args: Vec<String>,
    /// Data files written into every run's folder before the program starts.
    pub files: DataFiles,
    /// The tests, in spec order.
    pub tests: Vec<TestPlan>,
}

/// One test: a fresh program start and its script.
#[derive(Debug, Clone)]
pub struct TestPlan {
    /// 1-based position in the spec; stable for `--test N` and reports.
    pub number: usize,
    /// What the test checks.
    pub name: Localized,
    /// Points for passing it.
    pub points: u32,
    /// Shown to the student when the test fails.
    pub hint: Option<Localized>,
    /// A robustness check: what a failure means on a real network, and whether it counts.
    pub robustness: Option<Robustness>,
    /// Who sees the result on a course platform.
    pub visibility: Visibility,
    /// Labels.
    pub tags: Vec<String>,
    /// Limit for the whole test.
    pub timeout: Duration,
    /// The program's arguments in this test, when they differ from the exercise's.
    pub args: Option<Vec<String>>,
    /// The script.
    pub steps: Vec<Step>,
}

impl TestPlan {
    /// Whether a `differential` step of this test asks the exercise's own reference.
    pub fn asks_reference(&self) -> bool {
        self.steps.iter().any(|step| {
            matches!(
                &step.action,
                Action::Console(ConsoleAction::Differential {
                    source: CaseSource::Reference(_),
                    ..
                })
            )
        })
    }

    /// Every line this test's `differential` steps ask the exercise's own reference to
    /// answer, for `seed` and the services file the run sees.
    pub fn reference_inputs(&self, seed: u64, services: &str) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        for step in &self.steps {
            if let Action::Console(ConsoleAction::Differential {
                source: CaseSource::Reference(inputs),
                ..
            }) = &step.action
            {
                for line in inputs.lines(seed, services) {
                    if !lines.contains(&line) {
                        lines.push(line);
                    }
                }
            }
        }
        lines
    }

    /// A robustness check that does not count: its failure is advice ("works here, but
    /// fragile"), not a lost point.
    pub fn is_advice(&self) -> bool {
        self.robustness.as_ref().is_some_and(|r| !r.counts)
    }
}

/// A robustness check (see `robustness` in the spec).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Robustness {
    /// Why a program failing it works here but would break on a real network.
    pub why: Localized,
    /// Whether a failure costs points and fails the grading (otherwise: "works here, but
    /// fragile", advice only).
    pub counts: bool,
}

/// One step, with where it is written in the spec.
#[derive(Debug, Clone)]
pub struct Step {
    /// Line of the step in the spec file.
    pub line: u64,
    /// What to do.
    pub action: Action,
}

impl Exercise {
    /// Every port the spec itself names; transcripts keep these and hide ephemeral ones.
    pub fn fixed_ports(&self) -> Vec<u16> {
        self.role.port().into_iter().collect()
    }

    /// The reference as a program file of the exercise's folder (a name with a `.` or a `/`),
    /// rather than a binary of netgrade's `reference/` crate; `None` for the latter or none.
    pub fn reference_file(&self) -> Option<std::path::PathBuf> {
        let name = self.reference.as_deref()?;
        let folder = std::path::Path::new(&self.source).parent()?;
        is_reference_file(name).then(|| folder.join(name))
    }

    /// The paths `expect_file` steps expect the program to write, each once.
    pub fn written_files(&self) -> Vec<String> {
        let mut paths: Vec<String> = Vec::new();
        for step in self.tests.iter().flat_map(|test| &test.steps) {
            if let Action::Console(ConsoleAction::ExpectFile { path, .. }) = &step.action
                && !paths.contains(path)
            {
                paths.push(path.clone());
            }
        }
        paths
    }

    /// Whether any test types generated inputs (and so needs a seed; listed inputs do not).
    pub fn uses_seed(&self) -> bool {
        self.tests.iter().flat_map(|test| &test.steps).any(|step| {
            matches!(
                &step.action,
                Action::Console(ConsoleAction::Differential { source, .. })
                    if !matches!(source, CaseSource::Reference(ReferenceInputs::Listed(_)))
            )
        })
    }

    /// How the program talks TCP with the grader, if it does.
    pub fn tcp_conversation(&self) -> Option<TcpConversation> {
        self.role.tcp_conversation()
    }

    /// The same exercise with every time limit multiplied by `factor` (`--slow`): the one
    /// place the factor is applied, so the runner never scales a duration by hand.
    pub fn with_time_factor(&self, factor: f64) -> Exercise {
        let mut scaled = self.clone();
        if (factor - 1.0).abs() < f64::EPSILON {
            return scaled;
        }
        let scale = |duration: &mut Duration| *duration = duration.mul_f64(factor);
        scale(&mut scaled.start_timeout);
        scale(&mut scaled.typing_timeout);
        for test in &mut scaled.tests {
            scale(&mut test.timeout);
            for step in &mut test.steps {
                step.action.scale_durations(factor);
            }
        }
        scaled
    }
}

/// Which side of the TCP connections between program and grader is whose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpConversation {
    /// The program is the server on this port; the grader's clients connect to it.
    ProgramListens(u16),
    /// The grader is the server on this port; the program connects to it.
    ProgramConnects(u16),
}

impl TcpConversation {
    /// Whether a socket with these addresses is the program's end of a connection.
    pub fn is_program_end(self, local: std::net::SocketAddr, remote: std::net::SocketAddr) -> bool {
        match self {
            TcpConversation::ProgramListens(port) => local.port() == port,
            TcpConversation::ProgramConnects(port) => remote.port() == port,
        }
    }

    /// Whether a socket with these addresses is the grader's end of a connection.
    pub fn is_grader_end(self, local: std::net::SocketAddr, remote: std::net::SocketAddr) -> bool {
        match self {
            TcpConversation::ProgramListens(port) => remote.port() == port,
            TcpConversation::ProgramConnects(port) => local.port() == port,
        }
    }
}

/// Whether a spec's `reference` names a program file of the exercise's folder (a name with
/// a `.` or a `/`: `reference.py`, `solution/server`) rather than a bundled binary.
pub fn is_reference_file(name: &str) -> bool {
    name.contains(['.', '/'])
}
