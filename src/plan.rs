//! Stage 2, plan: [`Exercise`], the validated form of a spec that the runner executes.
//!
//! The spec types mirror YAML; these types mirror what the grader does. Converting one into
//! the other is where cross-field rules are checked (exactly one payload per `send`, a client
//! is connected before it is used, regexes compile), each error pointing at the step's
//! line and column in the spec file.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_saphyr::Spanned;

use crate::differential::Oracle;
use crate::process::OutputStream;
use crate::sandbox::Limits;
use crate::spec::{
    DatagramSpec, ExerciseSpec, ExpectDatagramSpec, ExpectOutputSpec, ExpectSpec, LimitsSpec,
    SendSpec, SpecError, StepSpec, StopSpec, TestSpec, TracebackSpec, Visibility, parse_spec,
};

/// Default time a program has to start listening.
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

/// A validated exercise, ready to run.
#[derive(Debug, Clone)]
pub struct Exercise {
    /// Identifier used on the command line.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Where the spec came from (a path, or `bundled:<id>`), for messages.
    pub source: String,
    /// Binary name of the reference solution in the `reference/` crate.
    pub reference: Option<String>,
    /// Names (or globs) a submission's program is looked for under.
    pub entry: Vec<String>,
    /// TCP port the program must listen on before the steps begin.
    pub listens_tcp: Option<u16>,
    /// UDP port the program must have bound before the steps begin.
    pub listens_udp: Option<u16>,
    /// TCP port the grader listens on for a client program.
    pub connects_tcp: Option<u16>,
    /// UDP port the grader's `server` peer is bound to for a client program.
    pub connects_udp: Option<u16>,
    /// How a still-running program is stopped after the steps.
    pub stop: StopSpec,
    /// Whether a traceback on stderr fails a test.
    pub traceback: TracebackSpec,
    /// Time the program has to start listening.
    pub start_timeout: Duration,
    /// Resource limits of the program.
    pub limits: Limits,
    /// The tests, in spec order.
    pub tests: Vec<TestPlan>,
}

/// One test: a fresh program start and its script.
#[derive(Debug, Clone)]
pub struct TestPlan {
    /// 1-based position in the spec; stable for `--test N` and reports.
    pub number: usize,
    /// What the test checks.
    pub name: String,
    /// Points for passing it.
    pub points: u32,
    /// Shown to the student when the test fails.
    pub hint: Option<String>,
    /// Who sees the result on a course platform.
    pub visibility: Visibility,
    /// Labels.
    pub tags: Vec<String>,
    /// Limit for the whole test.
    pub timeout: Duration,
    /// The script.
    pub steps: Vec<Step>,
}

/// One step, with where it is written in the spec.
#[derive(Debug, Clone)]
pub struct Step {
    /// Line of the step in the spec file.
    pub line: u64,
    /// What to do.
    pub action: Action,
}

/// What a step does. Clients are the grader's scripted TCP connections, named in the spec.
#[derive(Debug, Clone)]
pub enum Action {
    /// Connect a new client to the program's listening address.
    Connect {
        /// Client name.
        client: String,
        /// How long to wait for the connection.
        timeout: Duration,
    },
    /// Send bytes, at once or in pieces.
    Send {
        /// Client name.
        client: String,
        /// The bytes.
        bytes: Vec<u8>,
        /// Split into pieces of this size with this pause between them.
        pieces: Option<(usize, Duration)>,
    },
    /// Wait for bytes that satisfy a matcher.
    Expect {
        /// Client name.
        client: String,
        /// What must arrive.
        matcher: Matcher,
        /// How long to wait.
        timeout: Duration,
    },
    /// Nothing may arrive for a while.
    ExpectNothing {
        /// Client name.
        client: String,
        /// For how long.
        during: Duration,
    },
    /// The program must close the connection (FIN).
    ExpectClosed {
        /// Client name.
        client: String,
        /// How long to wait.
        timeout: Duration,
    },
    /// Close normally (FIN).
    Close {
        /// Client name.
        client: String,
    },
    /// Stop sending, keep receiving.
    Shutdown {
        /// Client name.
        client: String,
    },
    /// Abort with RST.
    Reset {
        /// Client name.
        client: String,
    },
    /// Let the program accept the client's queued connection (bounded, never fails).
    WaitAccepted {
        /// Client name.
        client: String,
        /// Longest wait.
        up_to: Duration,
    },
    /// As the server of a client program: take its next connection and name it.
    Accept {
        /// Connection name.
        client: String,
        /// How long to wait for the program to connect.
        timeout: Duration,
    },
    /// A UDP peer sends one datagram.
    SendDatagram {
        /// Peer name.
        peer: String,
        /// The datagram (may be empty).
        bytes: Vec<u8>,
    },
    /// A UDP peer receives one datagram.
    ExpectDatagram {
        /// Peer name.
        peer: String,
        /// What the datagram must be.
        matcher: Matcher,
        /// How long to wait.
        timeout: Duration,
    },
    /// No datagram reaches a UDP peer for a while.
    ExpectNoDatagram {
        /// Peer name.
        peer: String,
        /// For how long.
        during: Duration,
    },
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
    /// Type generated inputs and expect the reference's answers.
    Differential {
        /// The reference and its generator.
        oracle: Oracle,
        /// How many inputs.
        count: usize,
        /// How long each answer may take.
        timeout: Duration,
    },
}

impl OutputMatcher {
    /// The matcher with `{hostname}` replaced by the run's host name.
    pub fn with_hostname(&self, hostname: &str) -> OutputMatcher {
        let fill = |text: &String| text.replace("{hostname}", hostname);
        match self {
            OutputMatcher::Contains(text) => OutputMatcher::Contains(fill(text)),
            OutputMatcher::Keywords(words) => {
                OutputMatcher::Keywords(words.iter().map(fill).collect())
            }
            OutputMatcher::Answer(text) => OutputMatcher::Answer(fill(text)),
            OutputMatcher::Regex(regex) => OutputMatcher::Regex(regex.clone()),
        }
    }
}

/// What an `expect_output` step accepts. Text is folded (see [`crate::peers::console`])
/// except for `Regex`.
#[derive(Debug, Clone)]
pub enum OutputMatcher {
    /// The output contains this.
    Contains(String),
    /// The output contains these, in order.
    Keywords(Vec<String>),
    /// The raw output matches this.
    Regex(regex::Regex),
    /// A line ends with this answer (as a whole word).
    Answer(String),
}

impl Action {
    /// Whether the step gives the program something to react to (a connection, bytes, a
    /// close), as opposed to waiting for or checking what it does.
    pub fn gives_input(&self) -> bool {
        matches!(
            self,
            Action::Connect { .. }
                | Action::Send { .. }
                | Action::Close { .. }
                | Action::Shutdown { .. }
                | Action::Reset { .. }
                | Action::SendDatagram { .. }
                | Action::Type { .. }
                | Action::CloseStdin
        )
    }

    /// The time values of a step, named, for range checks.
    fn durations(&self) -> Vec<(&'static str, Duration)> {
        match self {
            Action::Connect { timeout, .. }
            | Action::Expect { timeout, .. }
            | Action::ExpectClosed { timeout, .. }
            | Action::Accept { timeout, .. }
            | Action::ExpectDatagram { timeout, .. }
            | Action::ExpectOutput { timeout, .. }
            | Action::ExpectExit { timeout, .. }
            | Action::Differential { timeout, .. } => vec![("timeout", *timeout)],
            Action::Send {
                pieces: Some((_, pause)),
                ..
            } => vec![("pause", *pause)],
            Action::ExpectNothing { during, .. } | Action::ExpectNoDatagram { during, .. } => {
                vec![("for", *during)]
            }
            Action::WaitAccepted { up_to, .. } => vec![("up_to", *up_to)],
            _ => Vec::new(),
        }
    }

    /// The TCP connection a step acts on, if it acts on one.
    pub fn client(&self) -> Option<&str> {
        match self {
            Action::Connect { client, .. }
            | Action::Send { client, .. }
            | Action::Expect { client, .. }
            | Action::ExpectNothing { client, .. }
            | Action::ExpectClosed { client, .. }
            | Action::Close { client }
            | Action::Shutdown { client }
            | Action::Reset { client }
            | Action::WaitAccepted { client, .. }
            | Action::Accept { client, .. } => Some(client),
            _ => None,
        }
    }
}

/// What an `expect` step accepts.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// The next bytes are exactly these.
    Exact(Vec<u8>),
    /// The received bytes contain these.
    Contains(Vec<u8>),
    /// The received bytes match this pattern.
    Regex(regex::bytes::Regex),
    /// The next line equals this (without its `\n` / `\r\n`).
    Line(String),
    /// This many bytes arrive.
    Count(usize),
}

impl Exercise {
    /// Parses and validates a spec. `source` names the file in every error.
    pub fn from_yaml(text: &str, source: &str) -> Result<Exercise, SpecError> {
        let spec = parse_spec(text, source)?;
        Exercise::from_spec(spec, source)
    }

    /// Validates a parsed spec into a plan.
    pub fn from_spec(spec: ExerciseSpec, source: &str) -> Result<Exercise, SpecError> {
        let (timeouts_at, limits_at, entry_at) =
            (at(&spec.timeouts), at(&spec.limits), at(&spec.entry));
        let timeouts = spec.timeouts.map(|s| s.value).unwrap_or_default();
        let start_timeout = timeouts.start.unwrap_or(DEFAULT_START_TIMEOUT);
        let step_timeout = timeouts.step.unwrap_or(DEFAULT_STEP_TIMEOUT);
        let test_timeout = timeouts.test.unwrap_or(DEFAULT_TEST_TIMEOUT);
        let (listens_tcp, listens_udp) = spec
            .program
            .listens
            .as_ref()
            .map_or((None, None), |l| (l.tcp, l.udp));
        let (connects_tcp, connects_udp) = spec
            .program
            .connects
            .as_ref()
            .map_or((None, None), |c| (c.tcp, c.udp));
        let invalid_at = |line: u64, column: u64, message: String| SpecError::Invalid {
            file: source.to_owned(),
            line,
            column,
            message,
        };
        if !is_identifier(&spec.id) {
            return Err(invalid_at(
                1,
                1,
                format!(
                    "exercise id `{}` must be lowercase letters, digits and dashes",
                    spec.id
                ),
            ));
        }
        for (what, port) in [
            ("listens.tcp", listens_tcp),
            ("listens.udp", listens_udp),
            ("connects.tcp", connects_tcp),
            ("connects.udp", connects_udp),
        ] {
            if port == Some(0) {
                return Err(invalid_at(
                    1,
                    1,
                    format!("program.{what}: port 0 is not a real port; use the course's 8888"),
                ));
            }
        }
        let sockets = [listens_tcp, listens_udp, connects_tcp, connects_udp];
        if sockets.iter().flatten().count() > 1 {
            return Err(invalid_at(
                1,
                1,
                "program: give one of `listens: {tcp|udp}` and `connects: {tcp|udp}`, not several"
                    .into(),
            ));
        }
        if spec.program.listens.is_some() && listens_tcp.is_none() && listens_udp.is_none()
            || spec.program.connects.is_some() && connects_tcp.is_none() && connects_udp.is_none()
        {
            return Err(invalid_at(
                1,
                1,
                "program: `listens` and `connects` need a port: `{ tcp: 8888 }` or `{ udp: 8888 }`"
                    .into(),
            ));
        }
        if spec.tests.is_empty() {
            return Err(invalid_at(1, 1, "the exercise has no tests".into()));
        }
        for (name, value) in [
            ("timeouts.start", start_timeout),
            ("timeouts.step", step_timeout),
            ("timeouts.test", test_timeout),
        ] {
            check_duration(name, value)
                .map_err(|message| invalid_at(timeouts_at.0, timeouts_at.1, message))?;
        }
        let limits = plan_limits(&spec.limits.map(|s| s.value).unwrap_or_default())
            .map_err(|message| invalid_at(limits_at.0, limits_at.1, message))?;
        let entry = spec.entry.map(|s| s.value).unwrap_or_default();
        for name in &entry {
            check_entry(name).map_err(|message| invalid_at(entry_at.0, entry_at.1, message))?;
        }
        let mut tests = Vec::with_capacity(spec.tests.len());
        for (index, test) in spec.tests.into_iter().enumerate() {
            let ctx = StepContext {
                source,
                step_timeout,
                start_timeout,
                listens_tcp,
                listens_udp,
                connects_tcp,
                connects_udp,
                reference: spec.reference.as_deref(),
            };
            tests.push(plan_test(index + 1, test, test_timeout, &ctx)?);
        }
        Ok(Exercise {
            id: spec.id,
            title: spec.title,
            source: source.to_owned(),
            reference: spec.reference,
            entry,
            listens_tcp,
            listens_udp,
            connects_tcp,
            connects_udp,
            stop: spec.program.stop,
            traceback: spec.program.traceback,
            start_timeout,
            limits,
            tests,
        })
    }

    /// Every port the spec itself names; transcripts keep these and hide ephemeral ones.
    pub fn fixed_ports(&self) -> Vec<u16> {
        [
            self.listens_tcp,
            self.listens_udp,
            self.connects_tcp,
            self.connects_udp,
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// Whether any test types generated inputs (and so needs a seed).
    pub fn has_differential(&self) -> bool {
        self.tests.iter().any(|test| {
            test.steps
                .iter()
                .any(|step| matches!(step.action, Action::Differential { .. }))
        })
    }

    /// How the program talks TCP with the grader, if it does.
    pub fn tcp_conversation(&self) -> Option<TcpConversation> {
        match (self.listens_tcp, self.connects_tcp) {
            (Some(port), _) => Some(TcpConversation::ProgramListens(port)),
            (None, Some(port)) => Some(TcpConversation::ProgramConnects(port)),
            (None, None) => None,
        }
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

/// Longest time limit a spec may set: a test that needs longer is not a beginner's exercise,
/// and an absurd value would let one submission hold a grading slot for hours.
pub const MAX_DURATION: Duration = Duration::from_secs(600);

fn check_duration(what: &str, value: Duration) -> Result<(), String> {
    if value.is_zero() || value > MAX_DURATION {
        return Err(format!(
            "{what}: {} is out of range (more than 0, at most 10m)",
            humantime::format_duration(value)
        ));
    }
    Ok(())
}

/// An entry name must stay inside the submission: relative, no `..`, a valid glob.
pub fn check_entry(entry: &str) -> Result<(), String> {
    let path = std::path::Path::new(entry);
    if entry.is_empty()
        || path.is_absolute()
        || path
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Err(format!(
            "entry `{entry}` must be a file name inside the submission folder (no `..`, not absolute)"
        ));
    }
    globset::Glob::new(entry)
        .map(|_| ())
        .map_err(|e| format!("entry `{entry}` is not a valid pattern: {e}"))
}

/// Parses "256MiB", "1GiB", "64KiB", "1000000" into bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size like 256MiB"))?;
    let factor = match unit.trim() {
        "" | "B" => 1,
        "KiB" | "K" | "KB" => 1 << 10,
        "MiB" | "M" | "MB" => 1 << 20,
        "GiB" | "G" | "GB" => 1 << 30,
        other => return Err(format!("unknown size unit `{other}` (use KiB, MiB or GiB)")),
    };
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("`{text}` is too large"))
}

fn plan_limits(spec: &LimitsSpec) -> Result<Limits, String> {
    let mut limits = Limits::default();
    let in_range = |what: &str, value: u64, low: u64, high: u64| {
        if (low..=high).contains(&value) {
            Ok(value)
        } else {
            Err(format!(
                "limits.{what}: {value} is out of range ({low} to {high})"
            ))
        }
    };
    if let Some(cpu) = spec.cpu {
        check_duration("limits.cpu", cpu)?;
        limits.cpu_seconds = cpu.as_secs().max(1);
    }
    if let Some(memory) = &spec.memory {
        let bytes = parse_size(memory).map_err(|e| format!("limits.memory: {e}"))?;
        limits.memory_bytes = in_range("memory", bytes, 16 << 20, 16 << 30)?;
    }
    if let Some(processes) = spec.processes {
        limits.processes = in_range("processes", processes, 1, 4096)?;
    }
    if let Some(size) = &spec.file_size {
        let bytes = parse_size(size).map_err(|e| format!("limits.file_size: {e}"))?;
        limits.file_bytes = in_range("file_size", bytes, 1, 4 << 30)?;
    }
    if let Some(files) = spec.open_files {
        limits.open_files = in_range("open_files", files, 16, 65536)?;
    }
    Ok(limits)
}

/// Where an optional spanned value is written (line 1, column 1 when it is absent).
fn at<T>(spanned: &Option<Spanned<T>>) -> (u64, u64) {
    spanned
        .as_ref()
        .map_or((1, 1), |s| (s.referenced.line(), s.referenced.column()))
}

fn is_identifier(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

struct StepContext<'a> {
    source: &'a str,
    step_timeout: Duration,
    start_timeout: Duration,
    listens_tcp: Option<u16>,
    listens_udp: Option<u16>,
    connects_tcp: Option<u16>,
    connects_udp: Option<u16>,
    reference: Option<&'a str>,
}

fn plan_test(
    number: usize,
    test: TestSpec,
    default_timeout: Duration,
    ctx: &StepContext<'_>,
) -> Result<TestPlan, SpecError> {
    let mut peers = PeerState::default();
    let mut steps = Vec::with_capacity(test.steps.len());
    for spanned in test.steps {
        let Spanned {
            value, referenced, ..
        } = spanned;
        let (line, column) = (referenced.line(), referenced.column());
        let invalid = |message: String| SpecError::Invalid {
            file: ctx.source.to_owned(),
            line,
            column,
            message,
        };
        let action = plan_action(value, ctx).map_err(&invalid)?;
        for (what, duration) in action.durations() {
            check_duration(what, duration).map_err(&invalid)?;
        }
        check_peers(&action, ctx, &mut peers).map_err(&invalid)?;
        steps.push(Step { line, action });
    }
    let timeout = test.timeout.unwrap_or(default_timeout);
    check_duration("timeout", timeout).map_err(|message| SpecError::Invalid {
        file: ctx.source.to_owned(),
        line: 1,
        column: 1,
        message: format!("test {number}: {message}"),
    })?;
    Ok(TestPlan {
        number,
        name: test.name,
        points: test.points,
        hint: test.hint,
        visibility: test.visibility,
        tags: test.tags,
        timeout,
        steps,
    })
}

/// What the steps so far have set up, to check each step uses only what exists.
#[derive(Default)]
struct PeerState {
    /// TCP connections open now.
    open_clients: BTreeSet<String>,
    /// UDP peers that have sent (so the program knows their address).
    udp_senders: BTreeSet<String>,
    /// Standard input was closed.
    stdin_closed: bool,
}

fn check_peers(
    action: &Action,
    ctx: &StepContext<'_>,
    peers: &mut PeerState,
) -> Result<(), String> {
    match action {
        Action::Connect { client, .. } | Action::Accept { client, .. } => {
            let (needed, what) = match action {
                Action::Connect { .. } => (
                    ctx.listens_tcp,
                    "`connect` needs `program.listens.tcp` (the port the program listens on)",
                ),
                _ => (
                    ctx.connects_tcp,
                    "`accept` needs `program.connects.tcp` (the port the grader listens on for the program)",
                ),
            };
            if needed.is_none() {
                return Err(what.into());
            }
            if !peers.open_clients.insert(client.clone()) {
                return Err(format!(
                    "connection `{client}` is already open; close it first or use another name"
                ));
            }
        }
        Action::SendDatagram { peer, .. }
            if peer == UDP_SERVER_PEER && ctx.connects_udp.is_none() =>
        {
            return Err(format!(
                "peer `{UDP_SERVER_PEER}` needs `program.connects.udp` (the port the program sends to)"
            ));
        }
        Action::SendDatagram { peer, .. } if peer == UDP_SERVER_PEER => {}
        Action::SendDatagram { peer, .. } => {
            if ctx.listens_udp.is_none() {
                return Err(format!(
                    "peer `{peer}` sends to the program's UDP port: add `program.listens.udp`, or use the peer `{UDP_SERVER_PEER}` with `program.connects.udp`"
                ));
            }
            peers.udp_senders.insert(peer.clone());
        }
        Action::ExpectDatagram { peer, .. } | Action::ExpectNoDatagram { peer, .. } => {
            if peer == UDP_SERVER_PEER {
                if ctx.connects_udp.is_none() {
                    return Err(format!(
                        "peer `{UDP_SERVER_PEER}` needs `program.connects.udp`"
                    ));
                }
            } else if !peers.udp_senders.contains(peer) {
                return Err(format!(
                    "peer `{peer}` has sent nothing yet, so the program cannot know its address; add `- datagram: {{ from: {peer}, text: ... }}` first"
                ));
            }
        }
        Action::Type { .. } | Action::Differential { .. } if peers.stdin_closed => {
            return Err("stdin is already closed here (`close_stdin` came before)".into());
        }
        Action::CloseStdin => peers.stdin_closed = true,
        Action::Differential { oracle, .. } if ctx.reference != Some(oracle.name()) => {
            return Err(format!(
                "`differential` with oracle `{}` needs `reference: {}` (the oracle is that reference)",
                oracle.name(),
                oracle.name()
            ));
        }
        _ => {}
    }
    if let Some(client) = action.client()
        && !matches!(action, Action::Connect { .. } | Action::Accept { .. })
    {
        if !peers.open_clients.contains(client) {
            let opener = if ctx.connects_tcp.is_some() {
                "accept"
            } else {
                "connect"
            };
            return Err(format!(
                "connection `{client}` is not open here; add `- {opener}: {client}` before this step"
            ));
        }
        if matches!(action, Action::Close { .. } | Action::Reset { .. }) {
            peers.open_clients.remove(client);
        }
    }
    Ok(())
}

fn plan_action(step: StepSpec, ctx: &StepContext<'_>) -> Result<Action, String> {
    Ok(match step {
        StepSpec::Connect(client) => Action::Connect {
            client,
            timeout: ctx.step_timeout,
        },
        StepSpec::Send(send) => plan_send(send)?,
        StepSpec::Expect(expect) => plan_expect(expect, ctx.step_timeout)?,
        StepSpec::ExpectNothing(spec) => Action::ExpectNothing {
            client: spec.from,
            during: spec.during,
        },
        StepSpec::ExpectClosed(spec) => Action::ExpectClosed {
            client: spec.from,
            timeout: spec.timeout.unwrap_or(ctx.step_timeout),
        },
        StepSpec::Close(client) => Action::Close { client },
        StepSpec::Shutdown(client) => Action::Shutdown { client },
        StepSpec::Reset(client) => Action::Reset { client },
        StepSpec::WaitAccepted(spec) => Action::WaitAccepted {
            client: spec.client,
            up_to: spec.up_to.unwrap_or(DEFAULT_ACCEPT_WAIT),
        },
        StepSpec::Accept(client) => Action::Accept {
            client,
            // The program connects as it starts: allow it the time a program has to start.
            timeout: ctx.start_timeout.max(ctx.step_timeout),
        },
        StepSpec::Datagram(spec) => plan_datagram(spec)?,
        StepSpec::ExpectDatagram(spec) => plan_expect_datagram(spec, ctx.step_timeout)?,
        StepSpec::ExpectNoDatagram(spec) => Action::ExpectNoDatagram {
            peer: spec.at,
            during: spec.during,
        },
        StepSpec::Type(text) => {
            if text.contains('\n') {
                return Err("type: one line at a time; use one `type` step per line".into());
            }
            Action::Type {
                bytes: format!("{text}\n").into_bytes(),
            }
        }
        StepSpec::CloseStdin => Action::CloseStdin,
        StepSpec::ExpectOutput(spec) => plan_expect_output(spec, ctx.step_timeout)?,
        StepSpec::ExpectExit(spec) => Action::ExpectExit {
            code: spec.code,
            timeout: spec.timeout.unwrap_or(ctx.step_timeout),
        },
        StepSpec::Differential(spec) => {
            if !(1..=MAX_DIFFERENTIAL_CASES).contains(&spec.count) {
                return Err(format!(
                    "differential: `count` must be 1 to {MAX_DIFFERENTIAL_CASES}"
                ));
            }
            Action::Differential {
                oracle: spec.oracle,
                count: spec.count as usize,
                timeout: ctx.step_timeout,
            }
        }
    })
}

fn plan_datagram(spec: DatagramSpec) -> Result<Action, String> {
    let bytes = match (&spec.text, &spec.hex) {
        // An empty datagram is a real UDP message (unlike an empty TCP send).
        (Some(text), None) if text.is_empty() => Vec::new(),
        _ => payload(spec.text, spec.hex, spec.repeat, "datagram")?,
    };
    if bytes.len() > MAX_DATAGRAM_BYTES {
        return Err(format!(
            "datagram: {} bytes do not fit in one UDP datagram (at most {MAX_DATAGRAM_BYTES})",
            bytes.len()
        ));
    }
    Ok(Action::SendDatagram {
        peer: spec.from,
        bytes,
    })
}

fn plan_expect_datagram(
    spec: ExpectDatagramSpec,
    step_timeout: Duration,
) -> Result<Action, String> {
    let ExpectDatagramSpec {
        at,
        text,
        hex,
        repeat,
        contains,
        regex,
        timeout,
    } = spec;
    let expect = ExpectSpec {
        from: at,
        text,
        hex,
        repeat,
        contains,
        regex,
        line: None,
        bytes: None,
        timeout,
    };
    match plan_expect(expect, step_timeout)? {
        Action::Expect {
            client,
            matcher,
            timeout,
        } => Ok(Action::ExpectDatagram {
            peer: client,
            matcher,
            timeout,
        }),
        _ => unreachable!("plan_expect plans an expect step"),
    }
}

fn plan_expect_output(spec: ExpectOutputSpec, step_timeout: Duration) -> Result<Action, String> {
    let ExpectOutputSpec {
        contains,
        keywords,
        regex,
        answer,
        stream,
        timeout,
    } = spec;
    let given = [
        contains.is_some(),
        keywords.is_some(),
        regex.is_some(),
        answer.is_some(),
    ]
    .into_iter()
    .filter(|g| *g)
    .count();
    if given != 1 {
        return Err(format!(
            "expect_output: give exactly one of `contains`, `keywords`, `regex`, `answer` (found {given})"
        ));
    }
    let folds_to_nothing = |text: &str| crate::peers::fold(text).0.is_empty();
    let matcher = if let Some(text) = contains {
        if folds_to_nothing(&text) {
            return Err("expect_output: `contains` must have more than whitespace".into());
        }
        OutputMatcher::Contains(text)
    } else if let Some(words) = keywords {
        if words.is_empty() || words.iter().any(|w| folds_to_nothing(w)) {
            return Err("expect_output: `keywords` must be a list of non-blank texts".into());
        }
        OutputMatcher::Keywords(words)
    } else if let Some(pattern) = regex {
        OutputMatcher::Regex(
            regex::Regex::new(&pattern)
                .map_err(|e| format!("expect_output: `regex` does not compile: {e}"))?,
        )
    } else {
        let answer = answer.unwrap_or_default();
        if folds_to_nothing(&answer) || answer.contains('\n') {
            return Err("expect_output: `answer` is one non-blank line".into());
        }
        OutputMatcher::Answer(answer)
    };
    Ok(Action::ExpectOutput {
        stream: stream.unwrap_or(OutputStream::Stdout),
        matcher,
        timeout: timeout.unwrap_or(step_timeout),
    })
}

fn plan_send(send: SendSpec) -> Result<Action, String> {
    let bytes = payload(send.text, send.hex, send.repeat, "send")?;
    let pieces = match send.piece_size {
        Some(0) => return Err("send: `piece_size` must be at least 1".into()),
        Some(size) => Some((size, send.pause.unwrap_or(DEFAULT_PIECE_PAUSE))),
        None if send.pause.is_some() => {
            return Err("send: `pause` only makes sense with `piece_size`".into());
        }
        None => None,
    };
    Ok(Action::Send {
        client: send.to,
        bytes,
        pieces,
    })
}

fn plan_expect(expect: ExpectSpec, step_timeout: Duration) -> Result<Action, String> {
    let ExpectSpec {
        from,
        text,
        hex,
        repeat,
        contains,
        regex,
        line,
        bytes,
        timeout,
    } = expect;
    let given = [
        text.is_some(),
        hex.is_some(),
        contains.is_some(),
        regex.is_some(),
        line.is_some(),
        bytes.is_some(),
    ]
    .into_iter()
    .filter(|g| *g)
    .count();
    if given != 1 {
        return Err(format!(
            "expect: give exactly one of `text`, `hex`, `contains`, `regex`, `line`, `bytes` (found {given})"
        ));
    }
    if repeat.is_some() && text.is_none() && hex.is_none() {
        return Err("expect: `repeat` goes with `text` or `hex`".into());
    }
    let matcher = if text.is_some() || hex.is_some() {
        Matcher::Exact(payload(text, hex, repeat, "expect")?)
    } else if let Some(needle) = contains {
        if needle.is_empty() {
            return Err("expect: `contains` must not be empty".into());
        }
        Matcher::Contains(needle.into_bytes())
    } else if let Some(pattern) = regex {
        Matcher::Regex(
            regex::bytes::Regex::new(&pattern)
                .map_err(|e| format!("expect: `regex` does not compile: {e}"))?,
        )
    } else if let Some(line) = line {
        if line.contains('\n') {
            return Err("expect: `line` is one line; it must not contain a newline".into());
        }
        Matcher::Line(line)
    } else {
        match bytes {
            Some(0) | None => return Err("expect: `bytes` must be at least 1".into()),
            Some(count) => Matcher::Count(count),
        }
    };
    Ok(Action::Expect {
        client: from,
        matcher,
        timeout: timeout.unwrap_or(step_timeout),
    })
}

/// Builds the bytes of a `text`/`hex` payload, repeated.
fn payload(
    text: Option<String>,
    hex: Option<String>,
    repeat: Option<u32>,
    step: &str,
) -> Result<Vec<u8>, String> {
    let unit = match (text, hex) {
        (Some(text), None) => text.into_bytes(),
        (None, Some(hex)) => parse_hex(&hex).map_err(|e| format!("{step}: `hex`: {e}"))?,
        (Some(_), Some(_)) => return Err(format!("{step}: give `text` or `hex`, not both")),
        (None, None) => return Err(format!("{step}: give the bytes as `text` or `hex`")),
    };
    let times = repeat.unwrap_or(1);
    if times == 0 {
        return Err(format!("{step}: `repeat` must be at least 1"));
    }
    let total = unit.len().saturating_mul(times as usize);
    if unit.is_empty() {
        return Err(format!(
            "{step}: the payload is empty (TCP has no empty messages)"
        ));
    }
    if total > MAX_PAYLOAD_BYTES {
        return Err(format!(
            "{step}: payload of {total} bytes is over the {MAX_PAYLOAD_BYTES}-byte limit"
        ));
    }
    Ok(unit.repeat(times as usize))
}

/// Parses hex digits, ignoring whitespace: `"c0 a8 01 02"` → `[0xc0, 0xa8, 1, 2]`.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return Err(format!("odd number of hex digits in `{text}`"));
    }
    digits
        .chunks(2)
        .map(|pair| {
            let pair = std::str::from_utf8(pair).map_err(|_| format!("not hex: `{text}`"))?;
            u8::from_str_radix(pair, 16).map_err(|_| format!("`{pair}` is not a hex byte"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "id: t\ntitle: T\nprogram: { listens: { tcp: 8888 } }\ntests:\n  - name: n\n    steps:\n";

    fn plan(steps: &str) -> Result<Exercise, SpecError> {
        Exercise::from_yaml(&format!("{HEADER}{steps}"), "t.yaml")
    }

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("256MiB"), Ok(256 << 20));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5 parsecs").is_err());
    }

    #[test]
    fn absurd_timeouts_and_limits_are_refused() {
        let err = plan("      - connect: a\n      - expect: { from: a, text: x, timeout: 3h }\n")
            .unwrap_err();
        assert!(
            err.to_string().contains("timeout: 3h is out of range"),
            "{err}"
        );
        let spec = HEADER.replace("tests:", "limits: { memory: 1KiB }\ntests:");
        let err =
            Exercise::from_yaml(&format!("{spec}      - connect: a\n"), "t.yaml").unwrap_err();
        assert!(err.to_string().contains("limits.memory"), "{err}");
    }

    #[test]
    fn entries_cannot_leave_the_submission() {
        assert!(check_entry("server.py").is_ok());
        assert!(check_entry("*.py").is_ok());
        assert!(check_entry("../../etc/passwd").is_err());
        assert!(check_entry("/etc/passwd").is_err());
        let spec = HEADER.replace("tests:", "entry: [../../etc/passwd]\ntests:");
        let err =
            Exercise::from_yaml(&format!("{spec}      - connect: a\n"), "t.yaml").unwrap_err();
        assert!(err.to_string().contains("no `..`"), "{err}");
    }

    #[test]
    fn hex_parses_with_spaces() {
        assert_eq!(parse_hex("c0 a8 01 02"), Ok(vec![0xc0, 0xa8, 1, 2]));
        assert!(parse_hex("c0a").is_err());
        assert!(parse_hex("zz").is_err());
    }

    #[test]
    fn a_client_must_connect_before_sending() {
        let err = plan("      - send: { to: a, text: hi }\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.yaml:7:9: connection `a` is not open here; add `- connect: a` before this step"
        );
    }

    #[test]
    fn send_needs_exactly_one_payload() {
        let err =
            plan("      - connect: a\n      - send: { to: a, text: hi, hex: '00' }\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.yaml:8:9: send: give `text` or `hex`, not both"
        );
    }

    #[test]
    fn expect_needs_exactly_one_matcher() {
        let err = plan("      - connect: a\n      - expect: { from: a }\n").unwrap_err();
        assert!(err.to_string().contains("found 0"), "{err}");
    }

    #[test]
    fn bad_regex_is_reported_at_its_step() {
        let err =
            plan("      - connect: a\n      - expect: { from: a, regex: '(' }\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("t.yaml:8:9: expect: `regex` does not compile")
        );
    }

    #[test]
    fn repeat_multiplies_the_payload() {
        let exercise =
            plan("      - connect: a\n      - send: { to: a, text: ab, repeat: 3 }\n").unwrap();
        match &exercise.tests[0].steps[1].action {
            Action::Send { bytes, .. } => assert_eq!(bytes, b"ababab"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn reconnecting_after_close_is_allowed_but_not_twice_open() {
        assert!(plan("      - connect: a\n      - close: a\n      - connect: a\n").is_ok());
        let err = plan("      - connect: a\n      - connect: a\n").unwrap_err();
        assert!(err.to_string().contains("already open"), "{err}");
    }

    fn plan_with(program: &str, steps: &str) -> Result<Exercise, SpecError> {
        let yaml = format!(
            "id: t\ntitle: T\nreference: port-ranges\nprogram: {program}\ntests:\n  - name: n\n    steps:\n{steps}"
        );
        Exercise::from_yaml(&yaml, "t.yaml")
    }

    fn error_with(program: &str, steps: &str) -> String {
        plan_with(program, steps).unwrap_err().to_string()
    }

    #[test]
    fn console_steps_parse_including_a_bare_close_stdin() {
        let exercise = plan_with(
            "{}",
            "      - type: hello\n      - close_stdin\n      - expect_output: { answer: x }\n      - expect_exit: { code: 0 }\n",
        )
        .unwrap();
        let actions: Vec<_> = exercise.tests[0].steps.iter().map(|s| &s.action).collect();
        assert!(matches!(actions[0], Action::Type { bytes } if bytes == b"hello\n"));
        assert!(matches!(actions[1], Action::CloseStdin));
        assert!(matches!(
            actions[3],
            Action::ExpectExit { code: Some(0), .. }
        ));
    }

    #[test]
    fn typing_after_stdin_is_closed_is_refused() {
        let err = error_with("{}", "      - close_stdin\n      - type: more\n");
        assert!(err.contains("stdin is already closed"), "{err}");
    }

    #[test]
    fn expect_output_needs_exactly_one_matcher() {
        let err = error_with("{}", "      - expect_output: { answer: a, contains: b }\n");
        assert!(err.contains("found 2"), "{err}");
        let err = error_with("{}", "      - expect_output: { contains: \"  \" }\n");
        assert!(err.contains("more than whitespace"), "{err}");
    }

    #[test]
    fn accept_needs_the_grader_to_be_a_server() {
        let err = error_with("{ listens: { tcp: 8888 } }", "      - accept: s\n");
        assert!(
            err.contains("`accept` needs `program.connects.tcp`"),
            "{err}"
        );
        assert!(
            plan_with(
                "{ connects: { tcp: 8888 } }",
                "      - accept: s\n      - send: { to: s, text: hi }\n"
            )
            .is_ok()
        );
        let err = error_with(
            "{ connects: { tcp: 8888 } }",
            "      - send: { to: s, text: hi }\n",
        );
        assert!(err.contains("add `- accept: s`"), "{err}");
    }

    #[test]
    fn udp_peers_are_checked() {
        let err = error_with(
            "{ connects: { udp: 8888 } }",
            "      - datagram: { from: a, text: hi }\n",
        );
        assert!(err.contains("add `program.listens.udp`"), "{err}");
        let err = error_with(
            "{ listens: { udp: 8888 } }",
            "      - expect_datagram: { at: a, text: hi }\n",
        );
        assert!(err.contains("has sent nothing yet"), "{err}");
        let err = error_with(
            "{ listens: { udp: 8888 } }",
            "      - expect_datagram: { at: server, text: hi }\n",
        );
        assert!(err.contains("needs `program.connects.udp`"), "{err}");
        let ok = plan_with(
            "{ listens: { udp: 8888 } }",
            "      - datagram: { from: a, text: \"\" }\n      - expect_datagram: { at: a, text: Thanks }\n",
        )
        .unwrap();
        assert!(
            matches!(&ok.tests[0].steps[0].action, Action::SendDatagram { bytes, .. } if bytes.is_empty())
        );
        let err = error_with(
            "{ listens: { udp: 8888 } }",
            "      - datagram: { from: a, text: abcd, repeat: 20000 }\n",
        );
        assert!(err.contains("do not fit in one UDP datagram"), "{err}");
    }

    #[test]
    fn a_program_listens_or_connects_once() {
        let err = error_with("{ listens: { tcp: 8888, udp: 8888 } }", "      - type: x\n");
        assert!(err.contains("not several"), "{err}");
        let err = error_with("{ connects: {} }", "      - type: x\n");
        assert!(err.contains("need a port"), "{err}");
    }

    #[test]
    fn a_differential_oracle_must_be_the_exercise_s_reference() {
        assert!(
            plan_with(
                "{}",
                "      - differential: { oracle: port-ranges, count: 10 }\n"
            )
            .is_ok()
        );
        let err = error_with(
            "{}",
            "      - differential: { oracle: service-lookup, count: 10 }\n",
        );
        assert!(err.contains("needs `reference: service-lookup`"), "{err}");
        let err = error_with(
            "{}",
            "      - differential: { oracle: port-ranges, count: 0 }\n",
        );
        assert!(err.contains("`count` must be 1 to 1000"), "{err}");
    }
}
