//! [`render`]: netgrade's own machine-readable result, schema `netgrade/result/v1`.
//!
//! The superset of the other formats: every test with its status, points, the failed step,
//! the problem (a stable `kind` plus the sentence a student reads), expected and received
//! bytes (as text when they are UTF-8, and always as hex), the hint and the transcript, and
//! the packets on the run's loopback when they were captured.

use std::io;

use serde::Serialize;

use crate::sandbox::Isolation;
use crate::verdict::{ExerciseResult, Outcome, Problem, TestResult, diagnose};
use crate::wire::{Packet, PacketKind};

/// Identifies the format and its version.
pub const SCHEMA: &str = "netgrade/result/v1";

#[derive(Serialize)]
struct JsonResult<'a> {
    schema: &'static str,
    exercise: &'a str,
    title: &'a str,
    program: &'a str,
    isolation: &'static str,
    score: u32,
    max_score: u32,
    passed: bool,
    duration_ms: u128,
    /// How many tests are "works here, but fragile".
    fragile: usize,
    /// Each cause of failure once, with the tests it fails.
    causes: Vec<JsonCause>,
    tests: Vec<JsonTest<'a>>,
}

#[derive(Serialize)]
struct JsonCause {
    tests: Vec<usize>,
    headline: String,
    hints: Vec<String>,
}

#[derive(Serialize)]
struct JsonRobustness {
    why: String,
    counts: bool,
}

#[derive(Serialize)]
struct JsonTest<'a> {
    number: usize,
    name: &'a str,
    status: &'static str,
    points: u32,
    max_points: u32,
    duration_ms: u128,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure: Option<JsonFailure<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    robustness: Option<JsonRobustness>,
    #[serde(skip_serializing_if = "Option::is_none")]
    program_end: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    limits_hit: Vec<String>,
    transcript: String,
    /// The TCP segments and UDP datagrams on the run's loopback, in order (only when the
    /// run had a network namespace of its own).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    packets: Vec<JsonPacket>,
}

/// A captured packet, with Wireshark's relative sequence numbers.
#[derive(Serialize)]
struct JsonPacket {
    /// `tcp` or `udp`.
    kind: &'static str,
    /// TCP flags set, in Wireshark's order (`["SYN", "ACK"]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    flags: Option<Vec<&'static str>>,
    /// TCP: sequence number relative to the sender's SYN (which is 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u32>,
    /// TCP, when ACK is set: acknowledgement number relative to the receiver's SYN.
    #[serde(skip_serializing_if = "Option::is_none")]
    ack: Option<u32>,
    /// Payload bytes.
    len: usize,
    from: String,
    to: String,
    /// Microseconds since the program started.
    at_us: u128,
}

fn packet(packet: &Packet) -> JsonPacket {
    let (kind, flags, seq, ack, len) = match &packet.kind {
        PacketKind::Tcp {
            flags,
            seq,
            ack,
            payload,
        } => (
            "tcp",
            Some(flags.names()),
            Some(*seq),
            flags.ack.then_some(*ack),
            *payload,
        ),
        PacketKind::Udp { payload } => ("udp", None, None, None, *payload),
    };
    JsonPacket {
        kind,
        flags,
        seq,
        ack,
        len,
        from: packet.from.to_string(),
        to: packet.to.to_string(),
        at_us: packet.at.as_micros(),
    }
}

#[derive(Serialize)]
struct JsonFailure<'a> {
    kind: &'static str,
    message: String,
    /// The cause, as the report's headline says it (a crash, say).
    cause: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hints: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    step: Option<JsonStep<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    received: Option<JsonBytes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonStep<'a> {
    number: usize,
    line: u64,
    description: &'a str,
}

#[derive(Serialize)]
struct JsonBytes {
    /// How many bytes there were.
    length: usize,
    /// The first bytes as text, when they are UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    /// The first bytes as hex.
    hex: String,
    /// Whether `text`/`hex` show only the first [`JSON_BYTES_SHOWN`] bytes.
    truncated: bool,
}

/// Bytes of a payload shown in JSON; `length` always gives the full size.
pub const JSON_BYTES_SHOWN: usize = 4096;

fn bytes(data: &[u8]) -> JsonBytes {
    let shown = &data[..data.len().min(JSON_BYTES_SHOWN)];
    JsonBytes {
        length: data.len(),
        text: std::str::from_utf8(shown).ok().map(str::to_owned),
        hex: shown.iter().map(|b| format!("{b:02x}")).collect(),
        truncated: shown.len() < data.len(),
    }
}

/// A stable identifier for each kind of problem, for machines and graders' scripts.
pub fn problem_kind(problem: &Problem) -> &'static str {
    match problem {
        Problem::EndedBeforeListening { .. } => "ended_before_listening",
        Problem::NeverListened { .. } => "never_listened",
        Problem::ConnectFailed { .. } => "connect_failed",
        Problem::WrongReply { .. } => "wrong_reply",
        Problem::NoReply { .. } => "no_reply",
        Problem::ConnectionEnded { .. } => "connection_ended",
        Problem::UnexpectedData { .. } => "unexpected_data",
        Problem::NotClosed { .. } => "not_closed",
        Problem::SendFailed { .. } => "send_failed",
        Problem::TestTimedOut { .. } => "test_timed_out",
        Problem::NotRun { .. } => "not_run",
        Problem::NeverConnected { .. } => "never_connected",
        Problem::EndedBeforeConnecting { .. } => "ended_before_connecting",
        Problem::NeverBound { .. } => "never_bound",
        Problem::WrongOutput { .. } => "wrong_output",
        Problem::NoOutput { .. } => "no_output",
        Problem::InputFailed { .. } => "input_failed",
        Problem::SeveralAnswers { .. } => "several_answers",
        Problem::WrongBindAddress { .. } => "wrong_bind_address",
        Problem::FileMissing { .. } => "file_missing",
        Problem::WrongFile { .. } => "wrong_file",
        Problem::WrongExit { .. } => "wrong_exit",
        Problem::NotExited { .. } => "not_exited",
        Problem::WrongDatagram { .. } => "wrong_datagram",
        Problem::NoDatagram { .. } => "no_datagram",
        Problem::UnexpectedDatagram { .. } => "unexpected_datagram",
        Problem::DatagramSendFailed { .. } => "datagram_send_failed",
        Problem::Traceback { .. } => "traceback",
    }
}

/// Status word of a test.
pub fn status(test: &TestResult) -> &'static str {
    match test.outcome {
        Outcome::Passed => "passed",
        Outcome::Fragile(_) => "fragile",
        Outcome::Failed(_) => "failed",
        Outcome::Error(_) => "error",
    }
}

fn isolation_word(isolation: Isolation) -> &'static str {
    match isolation {
        Isolation::Namespace => "namespace",
        Isolation::HostLoopback => "host-loopback",
    }
}

/// The JSON document of a result.
pub fn render(result: &ExerciseResult) -> io::Result<String> {
    let tests = result
        .tests
        .iter()
        .map(|test| {
            let failure = test.failure().map(|failure| {
                let diagnosis = diagnose(test, failure, result.role);
                JsonFailure {
                    kind: problem_kind(&failure.problem),
                    message: failure.problem.explain(),
                    cause: diagnosis.headline,
                    hints: diagnosis.hints,
                    step: failure.step.as_ref().map(|step| JsonStep {
                        number: step.number,
                        line: step.line,
                        description: &step.description,
                    }),
                    expected: failure.problem.expected(),
                    received: failure.problem.received().map(bytes),
                    detail: failure.detail.as_deref(),
                }
            });
            JsonTest {
                number: test.number,
                name: &test.name,
                status: status(test),
                points: test.points,
                max_points: test.max_points,
                duration_ms: test.duration.as_millis(),
                failure,
                error: match &test.outcome {
                    Outcome::Error(message) => Some(message),
                    _ => None,
                },
                hint: test.hint.as_ref().map(|hint| hint.text()),
                robustness: test.robustness.as_ref().map(|robustness| JsonRobustness {
                    why: robustness.why.text().to_owned(),
                    counts: robustness.counts,
                }),
                program_end: test.transcript.end.map(|end| end.to_string()),
                limits_hit: test
                    .transcript
                    .limits_hit
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                transcript: test.transcript.render(None),
                packets: test.transcript.packets.iter().map(packet).collect(),
            }
        })
        .collect();
    let document = JsonResult {
        schema: SCHEMA,
        exercise: &result.exercise,
        title: &result.title,
        program: &result.program,
        isolation: isolation_word(result.isolation),
        score: result.score(),
        max_score: result.max_score(),
        passed: result.all_passed(),
        duration_ms: result.duration.as_millis(),
        fragile: result.tests.iter().filter(|t| t.fragile()).count(),
        causes: result
            .causes()
            .into_iter()
            .map(|group| JsonCause {
                tests: group.tests.iter().map(|t| t.number).collect(),
                headline: group.diagnosis.headline,
                hints: group.diagnosis.hints,
            })
            .collect(),
        tests,
    };
    serde_json::to_string_pretty(&document).map_err(io::Error::other)
}
