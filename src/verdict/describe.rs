//! Steps and matchers in words, for "failed at step 4: client a expects exactly \"Thanks\"".

use super::problem::words;
use crate::plan::{
    Action, ConsoleAction, Matcher, OutputMatcher, Step, TcpAction, TcpVerb, UdpAction, UdpVerb,
};
use crate::transcript::show_bytes;

/// A matcher in words: `exactly "Thanks" (6 bytes)`.
pub fn describe_matcher(matcher: &Matcher) -> String {
    match matcher {
        Matcher::Exact(bytes) => format!("exactly {} ({} bytes)", show_bytes(bytes), bytes.len()),
        Matcher::Contains(bytes) => format!("text containing {}", show_bytes(bytes)),
        Matcher::Regex(regex) => format!("text matching /{}/", regex.as_str()),
        Matcher::Line(line) => format!("the line {line:?} (ending in a newline)"),
        Matcher::Count(count) => format!("{count} bytes"),
    }
}

/// A step in words, for "failed at step 4: ...".
pub fn describe_step(step: &Step, grader_is_server: bool) -> String {
    let who = |name: &str| connection_label(name, grader_is_server);
    match &step.action {
        Action::Tcp(TcpAction { connection, verb }) => {
            let who = who(connection);
            match verb {
                TcpVerb::Connect { .. } => format!("{who} connects"),
                TcpVerb::Send { bytes, pieces } => {
                    let split = pieces
                        .map(|(size, _)| format!(" in pieces of {size} bytes"))
                        .unwrap_or_default();
                    format!("{who} sends {}{split}", show_bytes(bytes))
                }
                TcpVerb::Expect { matcher, .. } => {
                    format!("{who} expects {}", describe_matcher(matcher))
                }
                TcpVerb::ExpectNothing { during } => {
                    format!("{who} expects nothing for {}", words(*during))
                }
                TcpVerb::ExpectClosed { .. } => {
                    format!("{who} expects your program to close the connection")
                }
                TcpVerb::Close => format!("{who} closes its connection"),
                TcpVerb::Shutdown => format!("{who} stops sending (half-close)"),
                TcpVerb::Reset => format!("{who} resets its connection"),
                TcpVerb::WaitAccepted { .. } => {
                    format!("your program accepts the connection of {who}")
                }
                TcpVerb::Accept { .. } => {
                    format!("your program connects to the grader ({who})")
                }
            }
        }
        Action::Udp(UdpAction { peer, verb }) => match verb {
            UdpVerb::Send { bytes } => {
                format!("peer {peer} sends the datagram {}", show_bytes(bytes))
            }
            UdpVerb::Expect { matcher, .. } => format!(
                "peer {peer} expects a datagram with {}",
                describe_matcher(matcher)
            ),
            UdpVerb::ExpectNone { during } => {
                format!("peer {peer} expects no datagram for {}", words(*during))
            }
        },
        Action::Console(console) => match console {
            ConsoleAction::Type { bytes } => format!("type {} on stdin", show_bytes(bytes)),
            ConsoleAction::CloseStdin => "close stdin (Ctrl-D)".into(),
            ConsoleAction::ExpectOutput {
                stream, matcher, ..
            } => format!(
                "expect {} on {}",
                describe_output_matcher(matcher),
                stream.name()
            ),
            ConsoleAction::ExpectExit {
                code: Some(code), ..
            } => format!("expect your program to exit with code {code}"),
            ConsoleAction::ExpectExit { code: None, .. } => "expect your program to exit".into(),
            ConsoleAction::Differential { oracle, count, .. } => format!(
                "type {count} generated inputs, expecting the answers of the {} reference",
                oracle.name()
            ),
        },
    }
}

/// How a TCP connection is named in reports: `client a` when the grader connected to the
/// program, `the server` (or `server connection b`) when the program connected to the grader.
pub fn connection_label(name: &str, grader_is_server: bool) -> String {
    match (grader_is_server, name) {
        (false, _) => format!("client {name}"),
        (true, "server") => "the server".to_owned(),
        (true, _) => format!("server connection {name}"),
    }
}

/// Words for what an `expect_output` step waits for.
pub fn describe_output_matcher(matcher: &OutputMatcher) -> String {
    match matcher {
        OutputMatcher::Contains(text) => format!("text containing {text:?}"),
        OutputMatcher::Keywords(words) => {
            let quoted: Vec<String> = words.iter().map(|w| format!("{w:?}")).collect();
            format!("the words {} in this order", quoted.join(", "))
        }
        OutputMatcher::Regex(regex) => format!("text matching /{}/", regex.as_str()),
        OutputMatcher::Answer(answer) => format!("a line ending with the answer {answer:?}"),
    }
}
