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

use super::steps::StepSpec;
use super::text::TextSpec;
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
    /// The exercise's reference solution, which `netgrade verify` grades like a submission:
    /// a program file in the exercise's folder (`reference.py`, `solution/server`, a `.rs`;
    /// any name with a `.` or a `/`), or the name of a binary of netgrade's own `reference/`
    /// crate (`tcp-server`).
    #[serde(default)]
    pub reference: Option<String>,
    /// File names a submission's program is looked for under, in order (`server.py`,
    /// `tcp_server.py`); plain names or globs inside the submission folder.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub entry: Option<Spanned<Vec<String>>>,
    /// Data files of the exercise's folder (plain names: `hello.txt`), written into every
    /// run's folder beside the program before it starts, and usable as a payload (`file:`)
    /// in `send`, `expect`, `expect_all` and `expect_file`.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub files: Option<Spanned<Vec<String>>>,
    /// Data files of the exercise's folder that only the grader uses: payloads (`file:`) the
    /// program must not find in its folder (the file a download client has to fetch).
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub grader_files: Option<Spanned<Vec<String>>>,
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
    /// Every answer a console program can give (`[well-known, system, user, invalid]`, or
    /// `{ pattern: '\d+|unknown' }`): an input is answered by exactly one of them, so a
    /// program that prints several candidates for one input does not pass (default: every
    /// `answer` the spec expects).
    #[serde(default)]
    #[schemars(with = "Option<AnswersSpec>")]
    pub answers: Option<Spanned<AnswersSpec>>,
    /// The tests, run one by one, each against a fresh start of the program.
    #[schemars(with = "Vec<TestSpec>")]
    pub tests: Vec<Spanned<TestSpec>>,
}

/// What the grader assumes about the program under test.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramSpec {
    /// The socket a server program must open before a test's steps begin: `{ tcp: 8888 }` or
    /// `{ udp: 8888 }` (any local address), or with a required one: `{ tcp: 8888, address:
    /// 0.0.0.0 }`. A program either listens or connects, not both.
    #[serde(default)]
    #[schemars(with = "Option<PortFields>")]
    pub listens: Option<Spanned<ListenSpec>>,
    /// The server a client program talks to: `{ tcp: 8888 }` (the grader listens there) or
    /// `{ udp: 8888 }` (the grader's peer named `server` is bound there), before the program
    /// starts.
    #[serde(default)]
    #[schemars(with = "Option<PortFields>")]
    pub connects: Option<Spanned<PortSpec>>,
    /// Arguments the program is started with (`python3 client.py hello.txt`), after those of
    /// the command itself.
    #[serde(default)]
    pub args: Vec<String>,
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

/// The socket a server program opens: a port, and the local address it must be bound to
/// when the exercise requires one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "PortFields")]
pub struct ListenSpec {
    /// The port.
    pub port: PortSpec,
    /// The address it must be bound to (`0.0.0.0`: every address); any when absent.
    pub address: Option<std::net::IpAddr>,
}

/// `{ tcp: N }` or `{ udp: N }` as written (with `address` under `listens`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PortFields {
    /// A TCP port (1 to 65535).
    #[serde(default)]
    pub tcp: Option<u16>,
    /// A UDP port (1 to 65535).
    #[serde(default)]
    pub udp: Option<u16>,
    /// Under `listens`: the local address the program must bind (`0.0.0.0` for every
    /// address, `127.0.0.1`); any address when absent.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub address: Option<std::net::IpAddr>,
}

impl TryFrom<PortFields> for ListenSpec {
    type Error = String;

    fn try_from(fields: PortFields) -> Result<ListenSpec, String> {
        let address = fields.address;
        let port = PortSpec::try_from(PortFields {
            address: None,
            ..fields
        })?;
        Ok(ListenSpec { port, address })
    }
}

impl TryFrom<PortFields> for PortSpec {
    type Error = String;

    fn try_from(fields: PortFields) -> Result<PortSpec, String> {
        if fields.address.is_some() {
            return Err(
                "`address` goes with `listens` (the address a server binds); a client connects to the grader's".into(),
            );
        }
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
    /// The program's arguments in this test, instead of `program.args` (a client asked for a
    /// different file in each test).
    #[serde(default)]
    pub args: Option<Vec<String>>,
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

/// The possible answers of a console program.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum AnswersSpec {
    /// Each answer, word for word (matched as console answers are: case and full-width forms
    /// folded).
    Words(Vec<String>),
    /// A regular expression every answer matches as a whole (`\d+|unknown`), case-insensitive.
    Pattern {
        /// The regular expression.
        pattern: String,
    },
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
