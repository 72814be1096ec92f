//! Steps and matchers in words, for "failed at step 4: client a expects exactly \"Thanks\"".

use super::wording::words;
use crate::differential::{CaseSource, ReferenceInputs};
use crate::plan::{
    Action, ConsoleAction, Matcher, OutputMatcher, Step, TcpAction, TcpVerb, UdpAction, UdpVerb,
};
use crate::tr;
use crate::transcript::show_bytes;

/// A matcher in words: `exactly "Thanks" (6 bytes)`.
pub fn describe_matcher(matcher: &Matcher) -> String {
    match matcher {
        Matcher::Exact(bytes) => tr!(
            "matcher-exact",
            bytes = show_bytes(bytes),
            count = bytes.len()
        ),
        Matcher::Reply(bytes) => tr!("matcher-reply", bytes = show_bytes(bytes)),
        Matcher::Contains(bytes) => tr!("matcher-contains", bytes = show_bytes(bytes)),
        Matcher::Regex(regex) => tr!("matcher-regex", pattern = regex.as_str()),
        Matcher::Line(line) => tr!("matcher-line", line = format!("{line:?}")),
        Matcher::Count(count) => tr!("matcher-count", count = count),
        Matcher::AnyOf(each) => each
            .iter()
            .map(describe_matcher)
            .collect::<Vec<_>>()
            .join(&tr!("matcher-or")),
    }
}

/// A step in words, for "failed at step 4: ...".
pub fn describe_step(step: &Step, grader_is_server: bool) -> String {
    match &step.action {
        Action::Tcp(TcpAction { connection, verb }) => {
            let who = connection_label(connection, grader_is_server);
            match verb {
                TcpVerb::Connect { .. } => tr!("step-connect", who = who),
                TcpVerb::Send {
                    bytes,
                    pieces: Some((size, _)),
                } => tr!(
                    "step-send-pieces",
                    who = who,
                    bytes = show_bytes(bytes),
                    size = size
                ),
                TcpVerb::Send { bytes, .. } => {
                    tr!("step-send", who = who, bytes = show_bytes(bytes))
                }
                TcpVerb::Expect { matcher, .. } => {
                    tr!(
                        "step-expect",
                        who = who,
                        expected = describe_matcher(matcher)
                    )
                }
                TcpVerb::ExpectAll { matcher, .. } => tr!(
                    "step-expect-all",
                    who = who,
                    expected = describe_matcher(matcher)
                ),
                TcpVerb::ExpectNothing { during } => {
                    tr!("step-expect-nothing", who = who, during = words(*during))
                }
                TcpVerb::ExpectClosed { .. } => tr!("step-expect-closed", who = who),
                TcpVerb::Close => tr!("step-close", who = who),
                TcpVerb::Shutdown => tr!("step-shutdown", who = who),
                TcpVerb::Reset => tr!("step-reset", who = who),
                TcpVerb::WaitAccepted { .. } => tr!("step-wait-accepted", who = who),
                TcpVerb::Accept { .. } => tr!("step-accept", who = who),
            }
        }
        Action::Udp(UdpAction { peer, verb }) => match verb {
            UdpVerb::Send { bytes } => {
                tr!("step-datagram", peer = peer, bytes = show_bytes(bytes))
            }
            UdpVerb::Expect { matcher, .. } => tr!(
                "step-expect-datagram",
                peer = peer,
                expected = describe_matcher(matcher)
            ),
            UdpVerb::ExpectNone { during } => {
                tr!(
                    "step-expect-no-datagram",
                    peer = peer,
                    during = words(*during)
                )
            }
        },
        Action::Console(console) => match console {
            ConsoleAction::Type { bytes } => tr!("step-type", bytes = show_bytes(bytes)),
            ConsoleAction::CloseStdin => tr!("step-close-stdin"),
            ConsoleAction::ExpectOutput {
                stream, matcher, ..
            } => tr!(
                "step-expect-output",
                expected = describe_output_matcher(matcher),
                stream = stream.name()
            ),
            ConsoleAction::ExpectExit {
                code: Some(code), ..
            } => tr!("step-expect-exit-code", code = code),
            ConsoleAction::ExpectExit { code: None, .. } => tr!("step-expect-exit"),
            ConsoleAction::ExpectFile { path, matcher, .. } => tr!(
                "step-expect-file",
                path = path.as_str(),
                expected = describe_matcher(matcher)
            ),
            ConsoleAction::Differential { source, .. } => match source {
                CaseSource::Builtin { oracle, count } => {
                    tr!("step-differential", count = count, oracle = oracle.name())
                }
                CaseSource::Reference(ReferenceInputs::Generated { like, count }) => tr!(
                    "step-differential-reference-generated",
                    count = count,
                    oracle = like.name()
                ),
                CaseSource::Reference(ReferenceInputs::Listed(lines)) => {
                    let count = lines.len();
                    tr!("step-differential-reference-listed", count = count)
                }
            },
        },
    }
}

/// How a TCP connection is named in reports: `client a` when the grader connected to the
/// program, `the server` (or `server connection b`) when the program connected to the grader.
pub fn connection_label(name: &str, grader_is_server: bool) -> String {
    match (grader_is_server, name) {
        (false, _) => tr!("connection-client", name = name),
        (true, "server") => tr!("connection-server"),
        (true, _) => tr!("connection-server-named", name = name),
    }
}

/// Words for what an `expect_output` step waits for.
pub fn describe_output_matcher(matcher: &OutputMatcher) -> String {
    match matcher {
        OutputMatcher::Contains(text) => tr!("output-contains", text = format!("{text:?}")),
        OutputMatcher::Keywords(keywords) => {
            let quoted: Vec<String> = keywords.iter().map(|w| format!("{w:?}")).collect();
            tr!("output-keywords", words = quoted.join(", "))
        }
        OutputMatcher::Regex(regex) => tr!("output-regex", pattern = regex.as_str()),
        OutputMatcher::Answer(answer) => tr!("output-answer", answer = format!("{answer:?}")),
        OutputMatcher::AnyOf(each) => each
            .iter()
            .map(describe_output_matcher)
            .collect::<Vec<_>>()
            .join(&tr!("matcher-or")),
    }
}

/// What `{now}` stood for in an expectation, said after it: `({now} is a time from 11:59:58
/// to 12:00:06)`. Empty when `times` is.
pub fn describe_clock(times: &[String]) -> String {
    match (times.first(), times.last()) {
        (Some(first), Some(last)) => format!(
            " ({})",
            tr!(
                "matcher-now",
                placeholder = crate::plan::now::NOW,
                first = first.as_str(),
                last = last.as_str()
            )
        ),
        _ => String::new(),
    }
}
