//! The steps of a test as written: [`StepSpec`] and the fields of each kind of step (TCP,
//! UDP, console, files). Like the rest of `spec`, only the file format.

use std::time::Duration;

use schemars::JsonSchema;
use serde::Deserialize;

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
    /// A client reads until the program closes the connection (FIN), then checks all it
    /// received: `text`, `hex`, `file`, `reply` and `bytes` must be all of it; `contains` and
    /// `regex` may match inside it. For a program that sends a whole file and closes.
    ExpectAll(ExpectSpec),
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
    /// A file the program writes in its folder: waits until it is there with the expected
    /// content, the program has ended, or it is waiting for input.
    ExpectFile(ExpectFileSpec),
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
    /// Which reference answers: one built into netgrade (`inet-conversions`, `port-ranges`,
    /// `special-addresses`, `service-lookup`; it also generates the inputs), or `reference`,
    /// the exercise's own reference program (`reference: reference.py`), which answers
    /// `inputs` or the inputs of `generate`.
    pub oracle: String,
    /// How many inputs (1 to 1000); with a built-in oracle or `generate`.
    #[serde(default)]
    pub count: Option<u32>,
    /// With `oracle: reference`: the lines to type, in order.
    #[serde(default)]
    pub inputs: Option<Vec<String>>,
    /// With `oracle: reference`: a built-in oracle whose generator makes the inputs
    /// (`port-ranges`), `count` of them.
    #[serde(default)]
    pub generate: Option<String>,
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
    /// The bytes of one of the exercise's data files (listed in `files:`).
    #[serde(default)]
    pub file: Option<String>,
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
    /// The next bytes are exactly those of one of the exercise's data files (`files:`).
    #[serde(default)]
    pub file: Option<String>,
    /// With `text` or `hex`: the expected bytes repeated this many times.
    #[serde(default)]
    pub repeat: Option<u32>,
    /// The bytes received so far contain this text (consumed up to its end). `{now}` in it is
    /// the grader's local time, `HH:MM:SS`, any second of the step's wait (±2 s).
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

/// `expect_file`: a file the program writes in its folder. Exactly one of `text`, `hex`,
/// `file` (the whole file) or `contains`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectFileSpec {
    /// Its path in the program's folder (`received/hello.txt`; no `..`, not absolute).
    pub path: String,
    /// The whole file is this UTF-8 text.
    #[serde(default)]
    pub text: Option<String>,
    /// The whole file is these bytes (hex digits, spaces allowed).
    #[serde(default)]
    pub hex: Option<String>,
    /// The whole file equals one of the exercise's data files (`files:`).
    #[serde(default)]
    pub file: Option<String>,
    /// The file contains this text.
    #[serde(default)]
    pub contains: Option<String>,
    /// How long to wait for it (overrides `timeouts.step`).
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<String>")]
    pub timeout: Option<Duration>,
}
