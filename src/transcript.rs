//! [`Transcript`]: the ordered record of one test run, normalised and rendered as stable text.
//!
//! Entries are recorded in step order by the runner (the peers act one step at a time, so the
//! order is deterministic); the program's own output is kept apart, since when a line is
//! printed relative to the network traffic depends on scheduling. Rendering replaces what
//! differs run to run (ephemeral ports) so a reference's transcript can be a golden snapshot.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::LazyLock;
use std::time::Duration;

use regex::Regex;

use crate::program::{CapturedOutput, LimitHit, ProgramEnd};
use crate::tr;

/// One thing that happened during a test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// The program was started.
    Started {
        /// The command, as shown to people.
        command: String,
    },
    /// The program was found listening.
    Listening {
        /// The address it listens on.
        address: SocketAddr,
    },
    /// A client connected.
    Connected {
        /// Client name.
        client: String,
        /// The address it connected to.
        address: SocketAddr,
    },
    /// A client sent bytes.
    Sent {
        /// Client name.
        client: String,
        /// The bytes.
        bytes: Vec<u8>,
        /// Number of pieces they were sent in (1 = at once).
        pieces: usize,
    },
    /// A client received bytes that an `expect` matched.
    Received {
        /// Client name.
        client: String,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// Nothing arrived at a client for a while, as expected.
    QuietFor {
        /// Client name.
        client: String,
        /// How long.
        during: Duration,
    },
    /// The program closed a client's connection.
    ClosedByProgram {
        /// Client name.
        client: String,
    },
    /// A client closed its connection (FIN).
    Closed {
        /// Client name.
        client: String,
    },
    /// A client half-closed (shutdown write).
    ShutDown {
        /// Client name.
        client: String,
    },
    /// A client reset its connection (RST).
    Reset {
        /// Client name.
        client: String,
    },
    /// The program bound its UDP port.
    Bound {
        /// The address it is bound to.
        address: SocketAddr,
    },
    /// The program connected to the grader's server; the grader named the connection.
    ConnectedToGrader {
        /// Connection name.
        client: String,
        /// The program's end of it.
        from: SocketAddr,
    },
    /// A UDP peer sent a datagram.
    DatagramSent {
        /// Peer name.
        peer: String,
        /// The bytes.
        bytes: Vec<u8>,
        /// Where to.
        to: SocketAddr,
    },
    /// A UDP peer received the datagram a step expected.
    DatagramReceived {
        /// Peer name.
        peer: String,
        /// The bytes.
        bytes: Vec<u8>,
        /// Who sent it.
        from: SocketAddr,
    },
    /// No datagram reached a peer for a while, as expected.
    NoDatagramFor {
        /// Peer name.
        peer: String,
        /// How long.
        during: Duration,
    },
    /// A line was typed on stdin.
    Typed {
        /// The bytes, newline included.
        bytes: Vec<u8>,
    },
    /// Stdin was closed.
    StdinClosed,
    /// The program's folder held a file an `expect_file` step checked.
    FileWritten {
        /// Its path in the program's folder.
        path: String,
        /// What it holds.
        bytes: Vec<u8>,
    },
    /// Output an `expect_output` step matched.
    Printed {
        /// `stdout` or `stderr`.
        stream: &'static str,
        /// The matched text (everything up to the end of the match).
        text: String,
    },
    /// Generated inputs were typed and every answer matched the reference's.
    AnsweredLikeReference {
        /// Which built-in reference; `None`: the exercise's own reference program.
        oracle: Option<&'static str>,
        /// How many inputs.
        count: usize,
    },
    /// The program exited by itself, as a step expected.
    Exited {
        /// How.
        end: ProgramEnd,
    },
    /// The program accepted a client's connection (or had not, after the bounded wait).
    Accepted {
        /// Client name.
        client: String,
        /// Whether it had.
        accepted: bool,
    },
}

/// Everything recorded for one test.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    /// What happened, in order.
    pub entries: Vec<Entry>,
    /// How the program ended (filled when the test is over).
    pub end: Option<ProgramEnd>,
    /// The program's standard output.
    pub stdout: CapturedOutput,
    /// The program's standard error.
    pub stderr: CapturedOutput,
    /// Limits the run ran into.
    pub limits_hit: Vec<LimitHit>,
    /// Paths as the program saw them and the originals (see [`Transcript::stdout_text`]).
    pub path_replacements: Vec<(String, String)>,
    /// The packets on the run's loopback, in time order, when the traffic was captured.
    pub packets: Vec<crate::wire::Packet>,
}

/// What rendering keeps and hides.
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    /// Ports the spec names (8888): shown as they are. Every other port after an IP address
    /// is ephemeral and shown as `<port>`.
    pub fixed_ports: Vec<u16>,
}

static ADDRESS_AND_PORT: LazyLock<Regex> = LazyLock::new(|| {
    // 127.0.0.1:53122 and Python's ('127.0.0.1', 53122)
    // (a separator is required: a bare address such as 97.58.38.215 has no port)
    Regex::new(r"(\d{1,3}(?:\.\d{1,3}){3}(?::\s?|'?,\s?))(\d{1,5})\b").expect("valid regex")
});

impl Normalizer {
    /// Replaces ephemeral ports in a line of program output.
    pub fn line(&self, line: &str) -> String {
        ADDRESS_AND_PORT
            .replace_all(line, |caps: &regex::Captures<'_>| {
                let port: Option<u16> = caps[2].parse().ok();
                match port {
                    Some(port) if self.fixed_ports.contains(&port) => caps[0].to_owned(),
                    _ => format!("{}<port>", &caps[1]),
                }
            })
            .into_owned()
    }
}

/// Longest rendering of a payload before it is shortened.
const SHOWN_BYTES: usize = 64;

/// Renders bytes for people: quoted text when it is printable UTF-8, hex otherwise.
pub fn show_bytes(bytes: &[u8]) -> String {
    let mut shown = &bytes[..bytes.len().min(SHOWN_BYTES)];
    let more = if bytes.len() > SHOWN_BYTES { "…" } else { "" };
    // A cut through a character (Chinese text is 3 bytes a character) is not a reason to show
    // text as hex: the cut moves back to the character's start.
    if let Err(error) = std::str::from_utf8(shown)
        && error.error_len().is_none()
        && bytes.len() > SHOWN_BYTES
    {
        shown = &shown[..error.valid_up_to()];
    }
    match std::str::from_utf8(shown) {
        Ok(text)
            if text
                .chars()
                .all(|c| !c.is_control() || "\n\r\t".contains(c)) =>
        {
            format!("{:?}{more}", text)
        }
        _ => {
            let hex: Vec<String> = shown.iter().map(|b| format!("{b:02x}")).collect();
            format!("hex {}{more}", hex.join(" "))
        }
    }
}

/// `1 byte`, `6 bytes`.
pub fn byte_count(bytes: &[u8]) -> String {
    tr!("byte-count", count = bytes.len())
}

/// The transcript's last line: how the program ended.
pub fn end_line(end: &ProgramEnd) -> String {
    tr!("entry-end", end = end.to_string())
}

impl Entry {
    /// One line describing the entry.
    pub fn render(&self) -> String {
        let during = |d: &Duration| humantime::format_duration(*d).to_string();
        match self {
            Entry::Started { command } => tr!("entry-started", command = command),
            Entry::Listening { address } => {
                tr!("entry-listening", address = address.to_string())
            }
            Entry::Connected { client, address } => tr!(
                "entry-connected",
                client = client,
                address = address.to_string()
            ),
            Entry::Sent {
                client,
                bytes,
                pieces,
            } if *pieces > 1 => tr!(
                "entry-sent-pieces",
                client = client,
                bytes = show_bytes(bytes),
                count = byte_count(bytes),
                pieces = pieces
            ),
            Entry::Sent { client, bytes, .. } => tr!(
                "entry-sent",
                client = client,
                bytes = show_bytes(bytes),
                count = byte_count(bytes)
            ),
            Entry::Received { client, bytes } => tr!(
                "entry-received",
                client = client,
                bytes = show_bytes(bytes),
                count = byte_count(bytes)
            ),
            Entry::QuietFor { client, during: d } => {
                tr!("entry-quiet", client = client, during = during(d))
            }
            Entry::ClosedByProgram { client } => tr!("entry-closed-by-program", client = client),
            Entry::Closed { client } => tr!("entry-closed", client = client),
            Entry::ShutDown { client } => tr!("entry-shut-down", client = client),
            Entry::Reset { client } => tr!("entry-reset", client = client),
            Entry::Bound { address } => tr!("entry-bound", address = address.to_string()),
            Entry::ConnectedToGrader { client, from } => tr!(
                "entry-connected-to-grader",
                client = client,
                from = from.to_string()
            ),
            Entry::DatagramSent { peer, bytes, to } => tr!(
                "entry-datagram-sent",
                peer = peer,
                bytes = show_bytes(bytes),
                count = byte_count(bytes),
                to = to.to_string()
            ),
            Entry::DatagramReceived { peer, bytes, from } => tr!(
                "entry-datagram-received",
                peer = peer,
                bytes = show_bytes(bytes),
                count = byte_count(bytes),
                from = from.to_string()
            ),
            Entry::NoDatagramFor { peer, during: d } => {
                tr!("entry-no-datagram", peer = peer, during = during(d))
            }
            Entry::Typed { bytes } => tr!("entry-typed", bytes = show_bytes(bytes)),
            Entry::StdinClosed => tr!("entry-stdin-closed"),
            Entry::FileWritten { path, bytes } => tr!(
                "entry-file-written",
                path = path.as_str(),
                bytes = show_bytes(bytes)
            ),
            Entry::Printed { stream, text } => tr!(
                "entry-printed",
                stream = stream.to_string(),
                text = format!("{text:?}")
            ),
            Entry::AnsweredLikeReference {
                oracle: Some(oracle),
                count,
            } => tr!("entry-answered", count = count, oracle = oracle.to_string()),
            Entry::AnsweredLikeReference {
                oracle: None,
                count,
            } => tr!("entry-answered-own", count = count),
            Entry::Exited { end } => tr!("entry-exited", end = end.to_string()),
            Entry::Accepted {
                client,
                accepted: true,
            } => tr!("entry-accepted", client = client),
            Entry::Accepted {
                client,
                accepted: false,
            } => tr!("entry-not-accepted", client = client),
        }
    }
}

impl Transcript {
    /// Output as the student should read it: the run's private copy of their folder
    /// (`/tmp/netgrade-run-…`) is named as their own folder, so tracebacks point at their files.
    fn own_paths(&self, mut text: String) -> String {
        // Longest first: `/home/student/server.py` before `/home/student`.
        let mut replacements: Vec<&(String, String)> = self.path_replacements.iter().collect();
        replacements.sort_by_key(|(seen, _)| std::cmp::Reverse(seen.len()));
        for (seen, original) in replacements {
            text = text.replace(seen.as_str(), original);
        }
        text
    }

    /// The program's stdout as shown to people.
    pub fn stdout_text(&self) -> String {
        self.own_paths(self.stdout.text())
    }

    /// The program's stderr as shown to people. When the grader stopped the program with
    /// Ctrl-C, Python's closing `KeyboardInterrupt` traceback is the grader's doing, not the
    /// student's error (and where it points depends on timing): it is folded into one line.
    pub fn stderr_text(&self) -> String {
        let text = self.own_paths(self.stderr.text());
        let interrupted = self
            .end
            .is_some_and(|end| end.stopped_with == Some(libc::SIGINT));
        let ends_with_interrupt = text
            .lines()
            .rev()
            .find(|line| !line.trim().is_empty())
            .is_some_and(|line| line.starts_with("KeyboardInterrupt"));
        match text.rfind("Traceback (most recent call last):") {
            Some(start) if interrupted && ends_with_interrupt => {
                format!("{}{}\n", &text[..start], tr!("entry-interrupted-traceback"))
            }
            _ => text,
        }
    }

    /// How the program ended, unless a step already said it (`expect_exit`).
    pub fn end_not_yet_said(&self) -> Option<&ProgramEnd> {
        let said = self
            .entries
            .iter()
            .any(|entry| matches!(entry, Entry::Exited { .. }));
        self.end.as_ref().filter(|_| !said)
    }

    /// Renders the whole transcript as text; with a normalizer, as stable text (ephemeral
    /// ports hidden, for golden snapshots), otherwise exactly as it happened.
    pub fn render(&self, normalizer: Option<&Normalizer>) -> String {
        let line = |text: &str| match normalizer {
            Some(normalizer) => normalizer.line(text),
            None => text.to_owned(),
        };
        let mut out = String::new();
        for entry in &self.entries {
            let _ = writeln!(out, "{}", line(&entry.render()));
        }
        if let Some(end) = self.end_not_yet_said() {
            let _ = writeln!(out, "{}", end_line(end));
        }
        for limit in &self.limits_hit {
            let _ = writeln!(out, "{}", tr!("entry-limit", limit = limit.to_string()));
        }
        for (name, output, text) in [
            ("stdout", &self.stdout, self.stdout_text()),
            ("stderr", &self.stderr, self.stderr_text()),
        ] {
            if output.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{name}:");
            for text_line in text.lines() {
                let _ = writeln!(out, "  | {}", line(text_line));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ephemeral_ports_are_hidden_and_fixed_ones_kept() {
        let normalizer = Normalizer {
            fixed_ports: vec![8888],
        };
        assert_eq!(
            normalizer.line("Connect from ('127.0.0.1', 53122)"),
            "Connect from ('127.0.0.1', <port>)"
        );
        assert_eq!(
            normalizer.line("client 127.0.0.1:40000 said hi to 127.0.0.1:8888"),
            "client 127.0.0.1:<port> said hi to 127.0.0.1:8888"
        );
        assert_eq!(normalizer.line("97.58.38.215"), "97.58.38.215");
    }

    #[test]
    fn bytes_show_as_text_or_hex() {
        assert_eq!(show_bytes(b"Thanks"), "\"Thanks\"");
        assert_eq!(show_bytes("你好".as_bytes()), "\"你好\"");
        assert_eq!(show_bytes(&[0xc0, 0xa8, 1, 2]), "hex c0 a8 01 02");
        assert!(show_bytes(&[b'a'; 100]).ends_with("…"));
        // 30 Chinese characters are 90 bytes: the cut at 64 falls inside the 22nd.
        let poem = "床".repeat(30);
        assert_eq!(
            show_bytes(poem.as_bytes()),
            format!("{:?}…", "床".repeat(21))
        );
    }
}
