//! [`sequence`]: one test's [`Transcript`](crate::transcript::Transcript) as a [`Diagram`] —
//! the grader's peers (clients, the server connection, UDP peers, the keyboard) on the left,
//! the program in the middle, its screen (stdout, stderr) on the right; one row per transcript
//! entry, in order: connects and accepts, the bytes each way (escaped, cut, with their count),
//! FIN and RST, datagrams, typed lines, printed output. Then the step the test failed at, drawn
//! where it went wrong (a connect that was refused, a reply that did not come or went to
//! another peer, output that was wrong), and the program's end, where its lifeline stops.

use super::diagram::{Diagram, Lane, Mark, Row, cut};
use crate::tr;
use crate::transcript::{Entry, byte_count, end_line, show_bytes};
use crate::verdict::{Failure, Outcome, Problem, TestResult};

/// Most transcript entries drawn; the rest are counted in a note.
const MAX_ROWS: usize = 300;

/// A lifeline, before lanes are put in order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Who {
    /// The keyboard: lines typed on stdin.
    Keyboard,
    /// A TCP connection of the grader, by its label (`client a`, `the server`).
    Tcp(String),
    /// A UDP peer of the grader, by name.
    Udp(String),
    /// The program under test.
    Program,
    /// Its standard output.
    Stdout,
    /// Its standard error.
    Stderr,
}

impl Who {
    fn stream(name: &str) -> Who {
        if name == "stderr" {
            Who::Stderr
        } else {
            Who::Stdout
        }
    }

    fn lane(&self, command: &str) -> Lane {
        let (label, sub, kind) = match self {
            Who::Keyboard => (
                tr!("html-lane-keyboard"),
                Some("stdin".to_owned()),
                "console",
            ),
            Who::Tcp(label) => (label.clone(), Some("TCP".to_owned()), "peer"),
            Who::Udp(name) => (tr!("html-lane-peer", name = name), None, "peer"),
            Who::Program => (tr!("html-lane-program"), Some(cut(command, 34)), "program"),
            Who::Stdout => (
                tr!("html-lane-stdout"),
                Some("stdout".to_owned()),
                "console",
            ),
            Who::Stderr => (
                tr!("html-lane-stderr"),
                Some("stderr".to_owned()),
                "console",
            ),
        };
        Lane {
            label,
            sub,
            kind,
            ends_after: None,
        }
    }

    /// Left to right: the keyboard, the peers, the program, its screen.
    fn rank(&self) -> u8 {
        match self {
            Who::Keyboard => 0,
            Who::Tcp(_) | Who::Udp(_) => 1,
            Who::Program => 2,
            Who::Stdout => 3,
            Who::Stderr => 4,
        }
    }
}

/// A row whose lanes are not numbered yet (its shape is set when they are, in [`layout`]).
struct Pending {
    from: Who,
    /// `None` for a note over `from`.
    to: Option<Who>,
    row: Row,
}

fn arrow(from: Who, to: Who, kind: &'static str, label: String) -> Pending {
    Pending {
        from,
        to: Some(to),
        row: Row::arrow(0, 0, kind, label),
    }
}

fn note(over: Who, kind: &'static str, label: String) -> Pending {
    Pending {
        from: over,
        to: None,
        row: Row::note(0, kind, label),
    }
}

/// `"hello"` and `5 bytes` for a payload.
fn payload(bytes: &[u8]) -> (String, String) {
    (show_bytes(bytes), byte_count(bytes))
}

/// The row of one transcript entry, if it has one (the start is the program lane's head).
fn entry_row(entry: &Entry) -> Option<Pending> {
    let during = |d: &std::time::Duration| humantime::format_duration(*d).to_string();
    let pending = match entry {
        Entry::Started { .. } => return None,
        Entry::Listening { address } => note(
            Who::Program,
            "listen",
            tr!("html-note-listening", address = address.to_string()),
        ),
        Entry::Bound { address } => note(
            Who::Program,
            "bind",
            tr!("html-note-bound", address = address.to_string()),
        ),
        Entry::Connected { client, address } => arrow(
            Who::Tcp(client.clone()),
            Who::Program,
            "connect",
            tr!("html-arrow-connect", address = address.to_string()),
        ),
        Entry::ConnectedToGrader { client, from } => arrow(
            Who::Program,
            Who::Tcp(client.clone()),
            "connect",
            tr!("html-arrow-connect-from", from = from.to_string()),
        ),
        Entry::Accepted {
            client,
            accepted: true,
        } => note(
            Who::Program,
            "accept",
            tr!("html-note-accepted", client = client),
        ),
        Entry::Accepted {
            client,
            accepted: false,
        } => note(
            Who::Program,
            "backlog",
            tr!("html-note-not-accepted", client = client),
        ),
        Entry::Sent {
            client,
            bytes,
            pieces,
        } => {
            let (shown, count) = payload(bytes);
            let detail = if *pieces > 1 {
                tr!("html-pieces", count = count, pieces = pieces)
            } else {
                count
            };
            let mut pending = arrow(Who::Tcp(client.clone()), Who::Program, "send", shown);
            pending.row = pending.row.detail(detail);
            pending
        }
        Entry::Received { client, bytes } => {
            let (shown, count) = payload(bytes);
            let mut pending = arrow(Who::Program, Who::Tcp(client.clone()), "recv", shown);
            pending.row = pending.row.detail(count);
            pending
        }
        Entry::QuietFor { client, during: d } => note(
            Who::Tcp(client.clone()),
            "quiet",
            tr!("html-note-quiet", during = during(d)),
        ),
        Entry::ClosedByProgram { client } => arrow(
            Who::Program,
            Who::Tcp(client.clone()),
            "fin",
            tr!("html-arrow-close"),
        ),
        Entry::Closed { client } => arrow(
            Who::Tcp(client.clone()),
            Who::Program,
            "fin",
            tr!("html-arrow-close"),
        ),
        Entry::ShutDown { client } => arrow(
            Who::Tcp(client.clone()),
            Who::Program,
            "fin",
            tr!("html-arrow-shutdown"),
        ),
        Entry::Reset { client } => arrow(
            Who::Tcp(client.clone()),
            Who::Program,
            "rst",
            tr!("html-arrow-reset"),
        ),
        Entry::DatagramSent { peer, bytes, .. } => {
            let (shown, count) = payload(bytes);
            let mut pending = arrow(Who::Udp(peer.clone()), Who::Program, "datagram", shown);
            pending.row = pending.row.detail(count);
            pending
        }
        Entry::DatagramReceived { peer, bytes, .. } => {
            let (shown, count) = payload(bytes);
            let mut pending = arrow(Who::Program, Who::Udp(peer.clone()), "datagram", shown);
            pending.row = pending.row.detail(count);
            pending
        }
        Entry::NoDatagramFor { peer, during: d } => note(
            Who::Udp(peer.clone()),
            "quiet",
            tr!("html-note-quiet", during = during(d)),
        ),
        Entry::Typed { bytes } => arrow(Who::Keyboard, Who::Program, "typed", show_bytes(bytes)),
        Entry::StdinClosed => arrow(Who::Keyboard, Who::Program, "eof", tr!("html-arrow-eof")),
        Entry::Printed { stream, text } => arrow(
            Who::Program,
            Who::stream(stream),
            "printed",
            format!("{text:?}"),
        ),
        Entry::AnsweredLikeReference { .. } => note(Who::Program, "answered", entry.render()),
        Entry::FileWritten { .. } => note(Who::Program, "file", entry.render()),
        Entry::Exited { end } => note(
            Who::Program,
            "end",
            tr!("entry-exited", end = end.to_string()),
        ),
    };
    Some(pending)
}

/// Where a failure is drawn: an arrow where something did not arrive or was wrong, or a note
/// over the program.
fn failure_shape(problem: &Problem) -> (Who, Option<Who>, &'static str) {
    let to_client = |client: &String| (Who::Program, Some(Who::Tcp(client.clone())), "recv");
    match problem {
        Problem::ConnectFailed { client, .. } => {
            (Who::Tcp(client.clone()), Some(Who::Program), "connect")
        }
        Problem::SendFailed { client, .. } => {
            (Who::Tcp(client.clone()), Some(Who::Program), "send")
        }
        Problem::WrongReply { client, .. }
        | Problem::NoReply { client, .. }
        | Problem::ConnectionEnded { client, .. }
        | Problem::UnexpectedData { client, .. } => to_client(client),
        Problem::NotClosed { client, .. } => (Who::Program, Some(Who::Tcp(client.clone())), "fin"),
        Problem::WrongDatagram { peer, .. }
        | Problem::NoDatagram { peer, .. }
        | Problem::UnexpectedDatagram { peer, .. } => {
            (Who::Program, Some(Who::Udp(peer.clone())), "datagram")
        }
        Problem::DatagramSendFailed { peer, .. } => {
            (Who::Udp(peer.clone()), Some(Who::Program), "datagram")
        }
        Problem::WrongOutput { stream, .. } | Problem::NoOutput { stream, .. } => {
            (Who::Program, Some(Who::stream(stream)), "printed")
        }
        Problem::Traceback { .. } => (Who::Program, Some(Who::Stderr), "printed"),
        Problem::InputFailed { .. } => (Who::Keyboard, Some(Who::Program), "typed"),
        _ => (Who::Program, None, "problem"),
    }
}

/// `received: "Thank" (5 bytes)` or `received: nothing`.
fn received_words(received: &[u8]) -> String {
    let shown = if received.is_empty() {
        tr!("report-nothing")
    } else {
        format!("{} ({})", show_bytes(received), byte_count(received))
    };
    format!("{} {shown}", tr!("report-received"))
}

/// The reply the grader found at another peer while waiting for it: drawn where it went.
fn misdirected_row(problem: &Problem) -> Option<Pending> {
    let (to, bytes) = match problem {
        Problem::NoReply {
            misdirected: Some((client, bytes)),
            ..
        } => (Who::Tcp(client.clone()), bytes),
        Problem::NoDatagram {
            misdirected: Some((peer, bytes)),
            ..
        } => (Who::Udp(peer.clone()), bytes),
        _ => return None,
    };
    let (shown, count) = payload(bytes);
    let mut pending = arrow(Who::Program, to, "misdirected", shown);
    pending.row = pending
        .row
        .detail(tr!("html-misdirected", count = count))
        .title(problem.explain());
    Some(pending)
}

/// The row of the step a test failed (or stumbled) at.
fn failure_row(failure: &Failure, fragile: bool) -> Pending {
    let problem = &failure.problem;
    let explanation = problem.explain();
    let step = failure.step.as_ref();
    let label = match (step, fragile) {
        (Some(step), false) => tr!(
            "html-failed-step",
            step = step.number,
            description = step.description.as_str()
        ),
        (Some(step), true) => tr!(
            "html-fragile-step",
            step = step.number,
            description = step.description.as_str()
        ),
        (None, _) => tr!("html-failed", problem = explanation.as_str()),
    };
    let detail = match (problem.received(), problem.expected()) {
        (Some(received), _) => Some(received_words(received)),
        (None, Some(expected)) => Some(format!("{} {expected}", tr!("report-expected"))),
        (None, None) => step.map(|_| explanation.clone()),
    };
    let mut title = vec![label.clone(), explanation];
    if let Some(expected) = problem.expected() {
        title.push(format!("{} {expected}", tr!("report-expected")));
    }
    if let Some(received) = problem.received() {
        title.push(received_words(received));
    }
    let (from, to, kind) = failure_shape(problem);
    let mut row = Row::note(0, kind, label).title(title.join("\n"));
    row.detail = detail;
    row.mark = match fragile {
        true => Mark::Fragile(step.map(|s| s.number)),
        false => Mark::Failed(step.map(|s| s.number)),
    };
    Pending { from, to, row }
}

/// One test's sequence diagram; `command` is the program as shown to people.
pub fn sequence(test: &TestResult, command: &str) -> Diagram {
    let transcript = &test.transcript;
    let mut pending: Vec<Pending> = Vec::new();
    let mut drawn = 0;
    for entry in &transcript.entries {
        let Some(mut row) = entry_row(entry) else {
            continue;
        };
        drawn += 1;
        if drawn > MAX_ROWS {
            continue;
        }
        row.row = row.row.title(entry.render());
        pending.push(row);
    }
    if drawn > MAX_ROWS {
        let hidden = drawn - MAX_ROWS;
        let more = tr!("html-more-rows", count = hidden);
        pending.push(note(Who::Program, "more", more));
    }
    let failure = match &test.outcome {
        Outcome::Failed(failure) => Some((failure, false)),
        Outcome::Fragile(failure) => Some((failure, true)),
        Outcome::Passed | Outcome::Error(_) => None,
    };
    // The program's end, unless a step already drew it. A program that ended by itself
    // ended before the grader found the failure (its end is what the failure shows); one the
    // grader stopped, after.
    let mut end = transcript
        .end_not_yet_said()
        .map(|end| note(Who::Program, "end", end_line(end)));
    if transcript.end.is_some_and(|end| end.ended_by_itself()) {
        pending.extend(end.take());
    }
    if let Some((failure, fragile)) = failure {
        pending.extend(misdirected_row(&failure.problem));
        pending.push(failure_row(failure, fragile));
    }
    pending.extend(end);
    // The program's lifeline stops at its end.
    let end_row = pending
        .iter()
        .rposition(|p| p.row.kind == "end" && p.from == Who::Program);
    for limit in &transcript.limits_hit {
        let text = tr!("entry-limit", limit = limit.to_string());
        pending.push(note(Who::Program, "limit", text));
    }
    let command = transcript
        .entries
        .iter()
        .find_map(|entry| match entry {
            Entry::Started { command } => Some(command.as_str()),
            _ => None,
        })
        .unwrap_or(command);
    layout(pending, end_row, command)
}

/// Puts the lanes in order and numbers the rows' lanes.
fn layout(pending: Vec<Pending>, end_row: Option<usize>, command: &str) -> Diagram {
    let mut whos: Vec<Who> = vec![Who::Program];
    for p in &pending {
        for who in std::iter::once(&p.from).chain(&p.to) {
            if !whos.contains(who) {
                whos.push(who.clone());
            }
        }
    }
    // A stable sort keeps the peers in the order they first appear.
    whos.sort_by_key(Who::rank);
    let index = |who: &Who| whos.iter().position(|w| w == who).unwrap_or(0);
    let mut lanes: Vec<Lane> = whos.iter().map(|who| who.lane(command)).collect();
    if let Some(lane) = lanes.get_mut(index(&Who::Program)) {
        lane.ends_after = end_row;
    }
    let rows = pending
        .into_iter()
        .map(|p| {
            let mut row = p.row;
            row.shape = match &p.to {
                Some(to) => super::diagram::Shape::Arrow {
                    from: index(&p.from),
                    to: index(to),
                },
                None => super::diagram::Shape::Note {
                    lane: index(&p.from),
                },
            };
            row
        })
        .collect();
    Diagram {
        lanes,
        rows,
        arrow_attribute: "data-arrow",
        class: "sequence",
        caption: tr!("html-diagram"),
    }
}
