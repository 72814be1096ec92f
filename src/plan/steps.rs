//! One step as written ([`StepSpec`]) → what it does ([`Action`]): defaults filled in,
//! payloads built, matchers compiled. Errors are sentences; the caller adds the step's
//! position.

use std::time::Duration;

use super::action::{Action, ConsoleAction, TcpAction, TcpVerb, UdpAction, UdpVerb};
use super::data::{DataFiles, is_folder_path};
use super::matchers::{Matcher, OutputMatcher, fold};
use super::now::{NOW, mentions_now};
use super::values::payload;
use super::{DEFAULT_ACCEPT_WAIT, DEFAULT_PIECE_PAUSE, MAX_DATAGRAM_BYTES, MAX_DIFFERENTIAL_CASES};
use crate::differential::{CaseSource, Oracle, REFERENCE_ORACLE, ReferenceInputs};
use crate::program::OutputStream;
use crate::spec::{
    DatagramSpec, DifferentialSpec, ExpectDatagramSpec, ExpectFileSpec, ExpectOutputSpec,
    ExpectSpec, SendSpec, StepSpec, StreamSpec, closest,
};

/// The exercise-wide defaults a step falls back on, and its data files.
pub(super) struct StepDefaults<'a> {
    /// `timeouts.step`.
    pub step_timeout: Duration,
    /// `timeouts.start` (an `accept` waits for a program that is still starting).
    pub start_timeout: Duration,
    /// The exercise's data files (for `file:` payloads).
    pub data: &'a DataFiles,
}

fn tcp(connection: String, verb: TcpVerb) -> Action {
    Action::Tcp(TcpAction { connection, verb })
}

fn udp(peer: String, verb: UdpVerb) -> Action {
    Action::Udp(UdpAction { peer, verb })
}

/// Plans one step.
pub(super) fn plan_action(step: StepSpec, defaults: &StepDefaults<'_>) -> Result<Action, String> {
    let step_timeout = defaults.step_timeout;
    Ok(match step {
        StepSpec::Connect(client) => tcp(
            client,
            TcpVerb::Connect {
                timeout: step_timeout,
            },
        ),
        StepSpec::Accept(client) => tcp(
            client,
            TcpVerb::Accept {
                // The program connects as it starts: allow it the time a program has to start.
                timeout: defaults.start_timeout.max(step_timeout),
            },
        ),
        StepSpec::Send(send) => plan_send(send, defaults.data)?,
        StepSpec::Expect(expect) => {
            let ExpectSpec { from, timeout, .. } = &expect;
            let (from, timeout) = (from.clone(), timeout.unwrap_or(step_timeout));
            tcp(
                from,
                TcpVerb::Expect {
                    matcher: plan_matcher(MatcherFields::from(expect), "expect", defaults.data)?,
                    timeout,
                },
            )
        }
        StepSpec::ExpectAll(expect) => {
            let ExpectSpec { from, timeout, .. } = &expect;
            let (from, timeout) = (from.clone(), timeout.unwrap_or(step_timeout));
            if expect.line.is_some() {
                return Err(
                    "expect_all: `line` reads one line; for all the program sends before it closes, give `text`, `file`, `contains` or `regex`".into(),
                );
            }
            tcp(
                from,
                TcpVerb::ExpectAll {
                    matcher: plan_matcher(
                        MatcherFields::from(expect),
                        "expect_all",
                        defaults.data,
                    )?,
                    timeout,
                },
            )
        }
        StepSpec::ExpectFile(spec) => plan_expect_file(spec, step_timeout, defaults.data)?,
        StepSpec::ExpectNothing(spec) => tcp(
            spec.from,
            TcpVerb::ExpectNothing {
                during: spec.during,
            },
        ),
        StepSpec::ExpectClosed(spec) => tcp(
            spec.from,
            TcpVerb::ExpectClosed {
                timeout: spec.timeout.unwrap_or(step_timeout),
            },
        ),
        StepSpec::Close(client) => tcp(client, TcpVerb::Close),
        StepSpec::Shutdown(client) => tcp(client, TcpVerb::Shutdown),
        StepSpec::Reset(client) => tcp(client, TcpVerb::Reset),
        StepSpec::WaitAccepted(spec) => tcp(
            spec.client,
            TcpVerb::WaitAccepted {
                up_to: spec.up_to.unwrap_or(DEFAULT_ACCEPT_WAIT),
            },
        ),
        StepSpec::Datagram(spec) => plan_datagram(spec)?,
        StepSpec::ExpectDatagram(spec) => {
            let (at, timeout) = (spec.at.clone(), spec.timeout.unwrap_or(step_timeout));
            udp(
                at,
                UdpVerb::Expect {
                    matcher: plan_matcher(
                        MatcherFields::from(spec),
                        "expect_datagram",
                        defaults.data,
                    )?,
                    timeout,
                },
            )
        }
        StepSpec::ExpectNoDatagram(spec) => udp(
            spec.at,
            UdpVerb::ExpectNone {
                during: spec.during,
            },
        ),
        StepSpec::Type(text) => {
            if text.contains('\n') {
                return Err("type: one line at a time; use one `type` step per line".into());
            }
            Action::Console(ConsoleAction::Type {
                bytes: format!("{text}\n").into_bytes(),
            })
        }
        StepSpec::CloseStdin => Action::Console(ConsoleAction::CloseStdin),
        StepSpec::ExpectOutput(spec) => plan_expect_output(spec, step_timeout)?,
        StepSpec::ExpectExit(spec) => Action::Console(ConsoleAction::ExpectExit {
            code: spec.code,
            timeout: spec.timeout.unwrap_or(step_timeout),
        }),
        StepSpec::Differential(spec) => Action::Console(ConsoleAction::Differential {
            source: plan_differential(spec)?,
            timeout: step_timeout,
        }),
    })
}

/// Where a `differential` step's inputs and answers come from.
fn plan_differential(spec: DifferentialSpec) -> Result<CaseSource, String> {
    let count = |count: Option<u32>| match count {
        Some(count) if (1..=MAX_DIFFERENTIAL_CASES).contains(&count) => Ok(count as usize),
        Some(_) => Err(format!(
            "differential: `count` must be 1 to {MAX_DIFFERENTIAL_CASES}"
        )),
        None => Err("differential: give `count`, how many inputs to generate".to_owned()),
    };
    if spec.oracle != REFERENCE_ORACLE {
        if spec.inputs.is_some() || spec.generate.is_some() {
            return Err(format!(
                "differential: `inputs` and `generate` go with `oracle: {REFERENCE_ORACLE}`; `{}` makes its own inputs",
                spec.oracle
            ));
        }
        return Ok(CaseSource::Builtin {
            oracle: builtin_oracle(&spec.oracle, "oracle")?,
            count: count(spec.count)?,
        });
    }
    let inputs = match (spec.inputs, spec.generate) {
        (Some(lines), None) => {
            if spec.count.is_some() {
                return Err(
                    "differential: `count` goes with `generate`; `inputs` are all typed".into(),
                );
            }
            if lines.is_empty() || lines.len() > MAX_DIFFERENTIAL_CASES as usize {
                return Err(format!(
                    "differential: `inputs` must list 1 to {MAX_DIFFERENTIAL_CASES} lines"
                ));
            }
            if lines.iter().any(|line| line.contains(['\n', '\r'])) {
                return Err("differential: each of `inputs` is one line (no line end)".into());
            }
            ReferenceInputs::Listed(lines)
        }
        (None, Some(name)) => ReferenceInputs::Generated {
            like: builtin_oracle(&name, "generate")?,
            count: count(spec.count)?,
        },
        _ => {
            return Err(format!(
                "differential: with `oracle: {REFERENCE_ORACLE}`, give exactly one of `inputs` (the lines to type) and `generate` (a built-in oracle's inputs)"
            ));
        }
    };
    Ok(CaseSource::Reference(inputs))
}

/// The built-in oracle `name` names, or an error with a guess.
fn builtin_oracle(name: &str, key: &str) -> Result<Oracle, String> {
    Oracle::from_name(name).ok_or_else(|| {
        let names = Oracle::ALL.map(Oracle::name);
        let guess = closest(name, names)
            .map_or_else(String::new, |name| format!(" — did you mean `{name}`?"));
        let reference = if key == "oracle" {
            format!(", or `{REFERENCE_ORACLE}` for the exercise's own reference")
        } else {
            String::new()
        };
        format!(
            "differential: unknown {key} `{name}`{guess} (the built-in oracles are {}{reference})",
            names.join(", ")
        )
    })
}

/// The bytes of data file `name`, when the step names one (it must be listed in `files:` or `grader_files:`).
fn data_file(name: Option<&str>, data: &DataFiles, step: &str) -> Result<Option<Vec<u8>>, String> {
    let Some(name) = name else {
        return Ok(None);
    };
    match data.get(name) {
        Some(bytes) => Ok(Some(bytes.to_vec())),
        None => Err(format!(
            "{step}: `file: {name}` is not one of the exercise's data files; list it in `files:` (given to the program too) or `grader_files:`"
        )),
    }
}

/// `expect_file`: the path stays in the program's folder; exactly one of `text`, `hex`,
/// `file` (the whole file) or `contains`.
fn plan_expect_file(
    spec: ExpectFileSpec,
    step_timeout: Duration,
    data: &DataFiles,
) -> Result<Action, String> {
    if !is_folder_path(&spec.path) {
        return Err(format!(
            "expect_file: `{}` must be a path inside the program's folder (relative, no `..`)",
            spec.path
        ));
    }
    let given = [
        spec.text.is_some(),
        spec.hex.is_some(),
        spec.file.is_some(),
        spec.contains.is_some(),
    ]
    .into_iter()
    .filter(|g| *g)
    .count();
    if given != 1 {
        return Err(format!(
            "expect_file: give exactly one of `text`, `hex`, `file`, `contains` (found {given})"
        ));
    }
    let matcher = match spec.contains {
        Some(needle) if needle.is_empty() => {
            return Err("expect_file: `contains` must not be empty".into());
        }
        Some(needle) => Matcher::Contains(needle.into_bytes()),
        None => {
            let file = data_file(spec.file.as_deref(), data, "expect_file")?;
            match (spec.text, spec.hex, file) {
                // An empty file is a file too.
                (Some(text), None, None) if text.is_empty() => Matcher::Exact(Vec::new()),
                (text, hex, file) => Matcher::Exact(payload(text, hex, file, None, "expect_file")?),
            }
        }
    };
    Ok(Action::Console(ConsoleAction::ExpectFile {
        path: spec.path,
        matcher,
        timeout: spec.timeout.unwrap_or(step_timeout),
    }))
}

/// Why a regular expression does not compile, on one line: `unclosed group`, not the
/// pattern drawn with a caret under it over four lines.
pub(super) fn regex_problem(error: &regex::Error) -> String {
    let text = error.to_string();
    let last = text.lines().rev().find(|line| !line.trim().is_empty());
    let last = last.unwrap_or(&text).trim();
    last.strip_prefix("error: ").unwrap_or(last).to_owned()
}

fn plan_send(send: SendSpec, data: &DataFiles) -> Result<Action, String> {
    let file = data_file(send.file.as_deref(), data, "send")?;
    let bytes = payload(send.text, send.hex, file, send.repeat, "send")?;
    let pieces = match send.piece_size {
        Some(0) => return Err("send: `piece_size` must be at least 1".into()),
        Some(size) => Some((size, send.pause.unwrap_or(DEFAULT_PIECE_PAUSE))),
        None if send.pause.is_some() => {
            return Err("send: `pause` only makes sense with `piece_size`".into());
        }
        None => None,
    };
    Ok(tcp(send.to, TcpVerb::Send { bytes, pieces }))
}

fn plan_datagram(spec: DatagramSpec) -> Result<Action, String> {
    let bytes = match (&spec.text, &spec.hex) {
        // An empty datagram is a real UDP message (unlike an empty TCP send).
        (Some(text), None) if text.is_empty() => Vec::new(),
        _ => payload(spec.text, spec.hex, None, spec.repeat, "datagram")?,
    };
    if bytes.len() > MAX_DATAGRAM_BYTES {
        return Err(format!(
            "datagram: {} bytes do not fit in one UDP datagram (at most {MAX_DATAGRAM_BYTES})",
            bytes.len()
        ));
    }
    Ok(udp(spec.from, UdpVerb::Send { bytes }))
}

/// The matcher keys of `expect` and `expect_datagram` (a datagram has no `line`/`bytes`).
struct MatcherFields {
    text: Option<String>,
    hex: Option<String>,
    file: Option<String>,
    repeat: Option<u32>,
    contains: Option<String>,
    regex: Option<String>,
    line: Option<String>,
    bytes: Option<usize>,
    reply: Option<String>,
}

impl From<ExpectSpec> for MatcherFields {
    fn from(spec: ExpectSpec) -> Self {
        MatcherFields {
            text: spec.text,
            hex: spec.hex,
            file: spec.file,
            repeat: spec.repeat,
            contains: spec.contains,
            regex: spec.regex,
            line: spec.line,
            bytes: spec.bytes,
            reply: spec.reply,
        }
    }
}

impl From<ExpectDatagramSpec> for MatcherFields {
    fn from(spec: ExpectDatagramSpec) -> Self {
        MatcherFields {
            text: spec.text,
            hex: spec.hex,
            file: None,
            repeat: spec.repeat,
            contains: spec.contains,
            regex: spec.regex,
            line: None,
            bytes: None,
            reply: spec.reply,
        }
    }
}

/// Exactly one matcher key, compiled. The message names which keys the step has, so it
/// reads right for both `expect` and `expect_datagram`.
fn plan_matcher(fields: MatcherFields, step: &str, data: &DataFiles) -> Result<Matcher, String> {
    let MatcherFields {
        text,
        hex,
        file,
        repeat,
        contains,
        regex,
        line,
        bytes,
        reply,
    } = fields;
    let given = [
        text.is_some(),
        hex.is_some(),
        file.is_some(),
        contains.is_some(),
        regex.is_some(),
        line.is_some(),
        bytes.is_some(),
        reply.is_some(),
    ]
    .into_iter()
    .filter(|g| *g)
    .count();
    if given != 1 {
        let keys = if step == "expect" {
            "`text`, `hex`, `file`, `reply`, `line`, `contains`, `regex`, `bytes`"
        } else if step == "expect_all" {
            "`text`, `hex`, `file`, `reply`, `contains`, `regex`, `bytes`"
        } else {
            "`text`, `hex`, `reply`, `contains`, `regex`"
        };
        return Err(format!(
            "{step}: give exactly one of {keys} (found {given})"
        ));
    }
    if repeat.is_some() && text.is_none() && hex.is_none() {
        return Err(format!("{step}: `repeat` goes with `text` or `hex`"));
    }
    if [&text, &reply]
        .into_iter()
        .flatten()
        .any(|t| mentions_now(t))
    {
        return Err(format!(
            "{step}: `{NOW}` works in `contains` and `line` (a time is matched within a few seconds, not as exact bytes)"
        ));
    }
    Ok(if text.is_some() || hex.is_some() || file.is_some() {
        let file = data_file(file.as_deref(), data, step)?;
        Matcher::Exact(payload(text, hex, file, repeat, step)?)
    } else if let Some(reply) = reply {
        if reply.is_empty() {
            return Err(format!("{step}: `reply` must not be empty"));
        }
        Matcher::Reply(reply.into_bytes())
    } else if let Some(needle) = contains {
        if needle.is_empty() {
            return Err(format!("{step}: `contains` must not be empty"));
        }
        Matcher::Contains(needle.into_bytes())
    } else if let Some(pattern) = regex {
        Matcher::Regex(
            regex::bytes::Regex::new(&pattern)
                .map_err(|e| format!("{step}: `regex` does not compile: {}", regex_problem(&e)))?,
        )
    } else if let Some(line) = line {
        if line.contains('\n') {
            return Err(format!(
                "{step}: `line` is one line; it must not contain a newline"
            ));
        }
        Matcher::Line(line)
    } else {
        match bytes {
            Some(0) | None => return Err(format!("{step}: `bytes` must be at least 1")),
            Some(count) => Matcher::Count(count),
        }
    })
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
    let folds_to_nothing = |text: &str| fold(text).0.is_empty();
    if keywords
        .iter()
        .flatten()
        .chain(&answer)
        .any(|t| mentions_now(t))
    {
        return Err(format!("expect_output: `{NOW}` works in `contains`"));
    }
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
        OutputMatcher::Regex(regex::Regex::new(&pattern).map_err(|e| {
            format!(
                "expect_output: `regex` does not compile: {}",
                regex_problem(&e)
            )
        })?)
    } else {
        let answer = answer.unwrap_or_default();
        if folds_to_nothing(&answer) || answer.contains('\n') {
            return Err("expect_output: `answer` is one non-blank line".into());
        }
        OutputMatcher::Answer(answer)
    };
    Ok(Action::Console(ConsoleAction::ExpectOutput {
        stream: match stream {
            None | Some(StreamSpec::Stdout) => OutputStream::Stdout,
            Some(StreamSpec::Stderr) => OutputStream::Stderr,
        },
        matcher,
        timeout: timeout.unwrap_or(step_timeout),
    }))
}
