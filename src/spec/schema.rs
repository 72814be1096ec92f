//! `ExerciseSpec`: the YAML an instructor writes, exactly as it appears on disk.
//!
//! These types only describe the file format (serde + JSON Schema). They are deliberately
//! permissive where YAML is (e.g. `send` may carry `text` or `hex`) and strict about unknown
//! keys; the checks that need more than one field at a time (exactly one payload, peers that
//! exist, a regex that compiles) happen when the spec becomes a plan (`crate::plan`), with the
//! step's line and column kept through [`serde_saphyr::Spanned`]. This module imports nothing
//! else of the crate: the file format stands on its own.

use std::time::Duration;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

/// One exercise: `exercises/<id>/exercise.yaml`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExerciseSpec {
    /// Short identifier used on the command line (`netgrade test tcp-server ...`).
    pub id: String,
    /// One-line title shown by `netgrade list`: one text, or one per language.
    pub title: TextSpec,
    /// Name of the binary in the `reference/` crate that solves this exercise.
    #[serde(default)]
    pub reference: Option<String>,
    /// File names a submission's program is looked for under, in order (`server.py`,
    /// `tcp_server.py`); plain names or globs inside the submission folder.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub entry: Option<Spanned<Vec<String>>>,
    /// How the program under test is started and what it must do before tests begin.
    #[serde(default)]
    pub program: ProgramSpec,
    /// Default time limits; each can be overridden per test or per step.
    #[serde(default)]
    #[schemars(with = "Option<TimeoutsSpec>")]
    pub timeouts: Option<Spanned<TimeoutsSpec>>,
    /// Resource limits of the program in every test (defaults suit a beginner's program).
    #[serde(default)]
    #[schemars(with = "Option<LimitsSpec>")]
    pub limits: Option<Spanned<LimitsSpec>>,
    /// The tests, run one by one, each against a fresh start of the program.
    #[schemars(with = "Vec<TestSpec>")]
    pub tests: Vec<Spanned<TestSpec>>,
}

/// What the grader assumes about the program under test.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramSpec {
    /// The socket a server program must open before a test's steps begin: `{ tcp: 8888 }` or
    /// `{ udp: 8888 }` (any local address). A program either listens or connects, not both.
    #[serde(default)]
    #[schemars(with = "Option<PortFields>")]
    pub listens: Option<Spanned<PortSpec>>,
    /// The server a client program talks to: `{ tcp: 8888 }` (the grader listens there) or
    /// `{ udp: 8888 }` (the grader's peer named `server` is bound there), before the program
    /// starts.
    #[serde(default)]
    #[schemars(with = "Option<PortFields>")]
    pub connects: Option<Spanned<PortSpec>>,
    /// Whether a Python traceback on stderr fails a test (default `allowed`). A
    /// `KeyboardInterrupt` caused by the grader's own Ctrl-C never does.
    #[serde(default)]
    pub traceback: TracebackSpec,
    /// How the program is stopped when a test's steps are done and it is still running.
    #[serde(default)]
    pub stop: StopSpec,
}

/// A port on one transport: exactly one of `tcp` and `udp` (a mix is an error at its line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "PortFields")]
pub enum PortSpec {
    /// A TCP port.
    Tcp(u16),
    /// A UDP port.
    Udp(u16),
}

/// `{ tcp: N }` or `{ udp: N }` as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PortFields {
    /// A TCP port (1 to 65535).
    #[serde(default)]
    pub tcp: Option<u16>,
    /// A UDP port (1 to 65535).
    #[serde(default)]
    pub udp: Option<u16>,
}

impl TryFrom<PortFields> for PortSpec {
    type Error = String;

    fn try_from(fields: PortFields) -> Result<PortSpec, String> {
        let port = match (fields.tcp, fields.udp) {
            (Some(port), None) => PortSpec::Tcp(port),
            (None, Some(port)) => PortSpec::Udp(port),
            (Some(_), Some(_)) => {
                return Err("give one of `tcp` and `udp`, not both: a program has one role".into());
            }
            (None, None) => {
                return Err("give the port: `{ tcp: 8888 }` or `{ udp: 8888 }`".into());
            }
        };
        match port {
            PortSpec::Tcp(0) | PortSpec::Udp(0) => {
                Err("port 0 is not a real port; use the course's 8888".into())
            }
            port => Ok(port),
        }
    }
}

/// What a Python traceback on stderr means for a test.
#[derive(Debug, Default, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TracebackSpec {
    /// Tracebacks are shown in the report but do not fail a test.
    #[default]
    Allowed,
    /// A traceback fails the test (except `KeyboardInterrupt` from the grader's Ctrl-C).
    Fails,
}

/// How a still-running program is stopped at the end of a test.
#[derive(Debug, Default, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StopSpec {
    /// Ctrl-C (SIGINT) to the whole process group, then SIGTERM, then SIGKILL.
    #[default]
    Interrupt,
    /// SIGTERM, then SIGKILL.
    Terminate,
    /// SIGKILL at once.
    Kill,
}

/// Default time limits of an exercise (humantime: "500ms", "5s").
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeoutsSpec {
    /// How long the program may take to start: to listen, bind or connect (default 5s).
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<String>")]
    pub start: Option<Duration>,
    /// How long one step may wait for the program (default 5s).
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<String>")]
    pub step: Option<Duration>,
    /// How long one whole test may take (default 30s).
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<String>")]
    pub test: Option<Duration>,
}

/// Resource limits of the program (sizes like "256MiB", "1GiB", "64KiB").
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitsSpec {
    /// CPU time of the program (default 30s).
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<String>")]
    pub cpu: Option<Duration>,
    /// Memory of the whole run (default 512MiB).
    #[serde(default)]
    pub memory: Option<String>,
    /// Processes and threads of the whole run (default 64).
    #[serde(default)]
    pub processes: Option<u64>,
    /// Largest file the program may write (default 16MiB).
    #[serde(default)]
    pub file_size: Option<String>,
    /// Open files per process (default 256).
    #[serde(default)]
    pub open_files: Option<u64>,
}

/// One test: a fresh start of the program and a script of steps.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestSpec {
    /// What the test checks, in words a student understands: one text, or one per language.
    pub name: TextSpec,
    /// Points earned when every step passes (default 1). A robustness check that does not
    /// count gives none.
    #[serde(default)]
    pub points: Option<u32>,
    /// A one-line hint shown to the student when this test fails: one text, or one per
    /// language (`{ en: "...", zh: "..." }`).
    #[serde(default)]
    pub hint: Option<TextSpec>,
    /// A robustness check: the program works here, where messages arrive whole, but would
    /// break on a real network. A failure is shown as "works here, but fragile" with `why`,
    /// costs no points and does not fail the grading, unless `counts: true`.
    #[serde(default)]
    pub robustness: Option<RobustnessSpec>,
    /// Who sees this test's result on a course platform (default visible).
    #[serde(default)]
    pub visibility: Visibility,
    /// Labels for grouping tests in reports.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Time limit for this whole test (overrides `timeouts.test`).
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<String>")]
    pub timeout: Option<Duration>,
    /// The script, run in order.
    #[schemars(with = "Vec<StepSpec>")]
    pub steps: Vec<Spanned<StepSpec>>,
}

/// Who sees a test's result (the Gradescope vocabulary).
#[derive(Debug, Default, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Always shown.
    #[default]
    Visible,
    /// Never shown to the student.
    Hidden,
    /// Shown after the due date.
    AfterDueDate,
    /// Shown once grades are published.
    AfterPublished,
}

impl Visibility {
    /// The word course platforms use.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Visible => "visible",
            Visibility::Hidden => "hidden",
            Visibility::AfterDueDate => "after_due_date",
            Visibility::AfterPublished => "after_published",
        }
    }
}

/// A text for students: one text, or one per language (English required).
#[derive(Debug, Clone, JsonSchema, PartialEq, Eq)]
#[serde(untagged)]
pub enum TextSpec {
    /// The same text in every language.
    Plain(String),
    /// One text per language.
    ByLanguage {
        /// English.
        en: String,
        /// Simplified Chinese.
        #[serde(default)]
        zh: Option<String>,
    },
}

/// The `{ en, zh }` form, with unknown languages refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextByLanguage {
    en: String,
    #[serde(default)]
    zh: Option<String>,
}

impl<'de> Deserialize<'de> for TextSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;

        impl<'de> serde::de::Visitor<'de> for TextVisitor {
            type Value = TextSpec;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a text, or one text per language: { en: ..., zh: ... }")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<TextSpec, E> {
                Ok(TextSpec::Plain(text.to_owned()))
            }

            // A plain scalar YAML reads as a number or a boolean is still text here.
            fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<TextSpec, E> {
                Ok(TextSpec::Plain(value.to_string()))
            }

            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<TextSpec, E> {
                Ok(TextSpec::Plain(value.to_string()))
            }

            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<TextSpec, E> {
                Ok(TextSpec::Plain(value.to_string()))
            }

            fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<TextSpec, E> {
                Ok(TextSpec::Plain(value.to_string()))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<TextSpec, A::Error> {
                let TextByLanguage { en, zh } =
                    Deserialize::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(TextSpec::ByLanguage { en, zh })
            }
        }

        deserializer.deserialize_any(TextVisitor)
    }
}

/// `robustness`: what a failure of this test means on a real network.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RobustnessSpec {
    /// Why a program failing here works on the grader's loopback but would break on a real
    /// network (shown with the outcome).
    pub why: TextSpec,
    /// Whether a failure counts like any other: it costs the test's points and fails the
    /// grading (default false); otherwise it is advice only.
    #[serde(default)]
    pub counts: bool,
}

/// One step of a test. Written as a one-key map: `- connect: a`, `- send: {to: a, text: hi}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepSpec {
    /// A scripted TCP client named by the value connects to the program's listening port.
    Connect(String),
    /// A client sends bytes to the program.
    Send(SendSpec),
    /// A client waits for bytes from the program and checks them.
    Expect(ExpectSpec),
    /// A client checks that the program sends nothing for a while.
    ExpectNothing(ExpectNothingSpec),
    /// A client waits until the program closes the connection (end of stream).
    ExpectClosed(ExpectClosedSpec),
    /// A client closes its connection normally (FIN).
    Close(String),
    /// A client half-closes: it stops sending (shutdown write) but keeps reading.
    Shutdown(String),
    /// A client aborts its connection (RST).
    Reset(String),
    /// Wait until the program has `accept()`ed a client's connection, for at most `up_to`;
    /// never fails (an iterative server still busy with another client accepts later). Used
    /// before steps whose outcome would otherwise depend on how fast the program accepts.
    WaitAccepted(WaitAcceptedSpec),
    /// The grader, as the server of a client program, accepts its next connection and names it
    /// (then `send`, `expect`, `close` … work on it as on any connection).
    Accept(String),
    /// A UDP peer sends one datagram: to the program's port, or (the peer `server`) back to
    /// the address the last datagram came from.
    Datagram(DatagramSpec),
    /// A UDP peer receives one datagram and checks it (one datagram = one message).
    ExpectDatagram(ExpectDatagramSpec),
    /// No datagram arrives at a UDP peer for a while.
    ExpectNoDatagram(ExpectNoDatagramSpec),
    /// Types a line on the program's standard input (a newline is added).
    Type(String),
    /// Closes standard input (Ctrl-D at a terminal).
    CloseStdin,
    /// Waits for text on stdout (or stderr), matched tolerantly.
    ExpectOutput(ExpectOutputSpec),
    /// Waits for the program to end by itself and checks its exit code.
    ExpectExit(ExpectExitSpec),
    /// Differential testing: types `count` generated inputs, one per line, and expects for
    /// each the answer of the reference solution. The generator is seeded (`--seed`).
    Differential(DifferentialSpec),
}

/// `datagram`: one UDP datagram (exactly one of `text` or `hex`; empty text is allowed).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatagramSpec {
    /// The UDP peer that sends (`server` is the grader's server of a client program).
    pub from: String,
    /// UTF-8 text.
    #[serde(default)]
    pub text: Option<String>,
    /// Raw bytes as hex digits.
    #[serde(default)]
    pub hex: Option<String>,
    /// Repeat the payload this many times (a 4 KiB datagram from a 1 KiB text).
    #[serde(default)]
    pub repeat: Option<u32>,
}

/// `expect_datagram`: the next datagram at a peer. Exactly one matcher.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectDatagramSpec {
    /// The UDP peer that receives.
    pub at: String,
    /// The datagram is exactly this text.
    #[serde(default)]
    pub text: Option<String>,
    /// The datagram is exactly these bytes.
    #[serde(default)]
    pub hex: Option<String>,
    /// With `text` or `hex`: repeated this many times.
    #[serde(default)]
    pub repeat: Option<u32>,
    /// The datagram contains this text.
    #[serde(default)]
    pub contains: Option<String>,
    /// The datagram, as UTF-8, matches this regular expression.
    #[serde(default)]
    pub regex: Option<String>,
    /// The datagram is this reply, with or without a line end at its end (`Thanks`,
    /// `Thanks\n`).
    #[serde(default)]
    pub reply: Option<String>,
    /// How long to wait (overrides `timeouts.step`).
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<String>")]
    pub timeout: Option<Duration>,
}

/// `expect_no_datagram`: nothing arrives at a UDP peer during `for`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectNoDatagramSpec {
    /// The UDP peer.
    pub at: String,
    /// How long.
    #[serde(rename = "for", with = "humantime_serde")]
    #[schemars(with = "String")]
    pub during: Duration,
}

/// `expect_output`: text the program writes. Exactly one matcher. Matching folds what
/// beginners vary without meaning to: whitespace is ignored, full-width punctuation ("：")
/// counts as its ASCII twin, ASCII letters match either case (except `regex`, which sees the
/// raw text). Matched output is consumed; later steps see what follows.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectOutputSpec {
    /// The output contains this text.
    #[serde(default)]
    pub contains: Option<String>,
    /// The output contains these texts, in this order (anything between them).
    #[serde(default)]
    pub keywords: Option<Vec<String>>,
    /// The output matches this regular expression (raw text, not folded).
    #[serde(default)]
    pub regex: Option<String>,
    /// A line of output ends with this answer as a whole word: a prompt before it on the same
    /// line (`IP> c0 a8 01 02`) is fine, other lines before it are skipped.
    #[serde(default)]
    pub answer: Option<String>,
    /// Which stream (default stdout).
    #[serde(default)]
    pub stream: Option<StreamSpec>,
    /// How long to wait (overrides `timeouts.step`).
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<String>")]
    pub timeout: Option<Duration>,
}

/// Which output stream of the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StreamSpec {
    /// Standard output (`print`).
    Stdout,
    /// Standard error (tracebacks).
    Stderr,
}

/// `expect_exit`: the program ends by itself.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectExitSpec {
    /// The exit code it must end with (any code when absent).
    #[serde(default)]
    pub code: Option<i32>,
    /// How long to wait (overrides `timeouts.step`).
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<String>")]
    pub timeout: Option<Duration>,
}

/// `differential`: generated inputs answered as the reference answers them.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DifferentialSpec {
    /// Which reference answers (and generates the inputs): one built into netgrade
    /// (`inet-conversions`, `port-ranges`, `special-addresses`, `service-lookup`).
    pub oracle: String,
    /// How many inputs (1 to 1000).
    pub count: u32,
}

/// `send`: a client sends bytes (exactly one of `text` or `hex`), optionally split into
/// pieces with pauses between them.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SendSpec {
    /// The client that sends.
    pub to: String,
    /// UTF-8 text, sent as its bytes.
    #[serde(default)]
    pub text: Option<String>,
    /// Raw bytes as hex digits, spaces allowed: "c0 a8 01 02".
    #[serde(default)]
    pub hex: Option<String>,
    /// Repeat the payload this many times (e.g. 100 KiB from a 1 KiB text).
    #[serde(default)]
    pub repeat: Option<u32>,
    /// Send in pieces of this many bytes (each its own TCP segment) instead of all at once.
    #[serde(default)]
    pub piece_size: Option<usize>,
    /// Pause between pieces (default 20ms when `piece_size` is set).
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<String>")]
    pub pause: Option<Duration>,
}

/// `expect`: a client waits for bytes from the program. Exactly one matcher.
///
/// Bytes accumulate across reads, so a reply that TCP splits in two is still matched; the
/// matched bytes are consumed and later expectations see what follows.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectSpec {
    /// The client that receives.
    pub from: String,
    /// The next bytes are exactly this UTF-8 text.
    #[serde(default)]
    pub text: Option<String>,
    /// The next bytes are exactly these (hex digits, spaces allowed).
    #[serde(default)]
    pub hex: Option<String>,
    /// With `text` or `hex`: the expected bytes repeated this many times.
    #[serde(default)]
    pub repeat: Option<u32>,
    /// The bytes received so far contain this text (consumed up to its end).
    #[serde(default)]
    pub contains: Option<String>,
    /// The bytes received so far, as UTF-8, match this regular expression.
    #[serde(default)]
    pub regex: Option<String>,
    /// The next line (up to `\n`, which is consumed; a trailing `\r` is ignored) equals this.
    #[serde(default)]
    pub line: Option<String>,
    /// The next bytes are this reply, with or without a line end after it (`Thanks` and
    /// `Thanks\n` both do; a following `\n` or `\r\n` is consumed).
    #[serde(default)]
    pub reply: Option<String>,
    /// Exactly this many bytes arrive, whatever they are.
    #[serde(default)]
    pub bytes: Option<usize>,
    /// How long to wait (overrides `timeouts.step`).
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<String>")]
    pub timeout: Option<Duration>,
}

/// `expect_nothing`: nothing arrives at a client during `for`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectNothingSpec {
    /// The client that listens.
    pub from: String,
    /// How long nothing may arrive.
    #[serde(rename = "for", with = "humantime_serde")]
    #[schemars(with = "String")]
    pub during: Duration,
}

/// `expect_closed`: the program closes the connection (the client reads end of stream).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectClosedSpec {
    /// The client whose connection must be closed by the program.
    pub from: String,
    /// How long to wait (overrides `timeouts.step`).
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<String>")]
    pub timeout: Option<Duration>,
}

/// `wait_accepted`: let the program accept a queued connection before going on.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitAcceptedSpec {
    /// The client whose connection should be accepted.
    pub client: String,
    /// Longest wait (default 2s).
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<String>")]
    pub up_to: Option<Duration>,
}
