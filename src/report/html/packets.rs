//! [`packet_lane`]: the packets captured on a test's loopback ([`Transcript::packets`]) as a
//! second diagram, drawn right under the test's sequence diagram: one lane per address of the
//! grader's side, one for the program, and one arrow per packet in time order — SYN, SYN-ACK,
//! ACK, data with its relative seq/ack and length, FIN, RST, UDP datagrams — with the time
//! in the margin.
//!
//! The grader's addresses are named after the transcript when it can tell: the n-th SYN to
//! the program comes from the n-th client that connected (or tried to), the n-th datagram to
//! the program from the peer that sent the n-th one (when the sizes agree); an address it
//! cannot name is shown as it is.

use std::net::SocketAddr;

use super::diagram::{Diagram, Lane, Row, Shape};
use crate::plan::ProgramRole;
use crate::tr;
use crate::transcript::{Entry, Transcript};
use crate::wire::{Packet, PacketKind, TcpFlags};

/// Most packets drawn; the rest are counted in a note.
const MAX_PACKETS: usize = 400;

/// The addresses the transcript says are the program's.
fn program_addresses(transcript: &Transcript) -> Vec<SocketAddr> {
    transcript
        .entries
        .iter()
        .filter_map(|entry| match entry {
            Entry::Listening { address }
            | Entry::Bound { address }
            | Entry::Connected { address, .. } => Some(*address),
            Entry::ConnectedToGrader { from, .. } => Some(*from),
            Entry::DatagramSent { to, .. } => Some(*to),
            Entry::DatagramReceived { from, .. } => Some(*from),
            _ => None,
        })
        .collect()
}

/// Which end of a packet is the program: `Some(true)` the sender, `Some(false)` the
/// receiver, `None` when it cannot tell.
fn program_end(packet: &Packet, known: &[SocketAddr], role: ProgramRole) -> Option<bool> {
    let is_known = |address: &SocketAddr| {
        known
            .iter()
            .any(|k| k == address || (k.ip().is_unspecified() && k.port() == address.port()))
    };
    if is_known(&packet.from) {
        return Some(true);
    }
    if is_known(&packet.to) {
        return Some(false);
    }
    match role {
        // A server's port is its own; a client talks to the grader's.
        ProgramRole::TcpServer { port } | ProgramRole::UdpServer { port } => {
            (packet.from.port() == port || packet.to.port() == port)
                .then_some(packet.from.port() == port)
        }
        ProgramRole::TcpClient { port } | ProgramRole::UdpClient { port } => {
            (packet.from.port() == port || packet.to.port() == port)
                .then_some(packet.to.port() == port)
        }
        ProgramRole::Console => None,
    }
}

/// `SYN`, `SYN-ACK`, `PSH-ACK`, `FIN-ACK`, `RST`: the flags in header order (as Wireshark
/// lists them), joined.
fn flags_word(flags: TcpFlags) -> String {
    let names = flags.names();
    if names.is_empty() {
        "—".to_owned()
    } else {
        names.join("-")
    }
}

/// A packet's label, its byte count and its kind (a CSS class and the `data-packet` value).
fn describe(kind: &PacketKind) -> (String, Option<String>, &'static str) {
    match kind {
        PacketKind::Tcp {
            flags,
            seq,
            ack,
            payload,
        } => {
            let mut label = format!("{} seq={seq}", flags_word(*flags));
            if flags.ack {
                label.push_str(&format!(" ack={ack}"));
            }
            let class = match flags {
                TcpFlags { rst: true, .. } => "rst",
                TcpFlags {
                    syn: true,
                    ack: true,
                    ..
                } => "synack",
                TcpFlags { syn: true, .. } => "syn",
                TcpFlags { fin: true, .. } => "fin",
                _ if *payload > 0 => "data",
                _ => "ack",
            };
            let payload = *payload;
            let count = (payload > 0).then(|| tr!("byte-count", count = payload));
            (label, count, class)
        }
        PacketKind::Udp { payload } => {
            let payload = *payload;
            let count = tr!("byte-count", count = payload);
            ("UDP".to_owned(), Some(count), "udp")
        }
    }
}

/// Names for the grader's addresses, from the order of connects and datagrams.
fn names(
    transcript: &Transcript,
    packets: &[Packet],
    ends: &[Option<bool>],
    failed_client: Option<&str>,
) -> Vec<(SocketAddr, String)> {
    let mut clients: Vec<String> = Vec::new();
    let mut senders: Vec<(String, usize)> = Vec::new();
    for entry in &transcript.entries {
        match entry {
            Entry::Connected { client, .. } | Entry::ConnectedToGrader { client, .. } => {
                clients.push(client.clone());
            }
            Entry::DatagramSent { peer, bytes, .. } => {
                senders.push((tr!("html-lane-peer", name = peer.as_str()), bytes.len()));
            }
            _ => {}
        }
    }
    clients.extend(failed_client.map(str::to_owned));
    let (mut clients, mut senders) = (clients.into_iter(), senders.into_iter().peekable());
    let mut named: Vec<(SocketAddr, String)> = Vec::new();
    for (packet, end) in packets.iter().zip(ends) {
        let grader = match end {
            Some(true) => packet.to,
            Some(false) => packet.from,
            None => continue,
        };
        let name = match packet.kind {
            // A connection opens (a SYN, from the grader's client or to the grader's server):
            // connections are named in the order they were opened.
            PacketKind::Tcp { flags, .. } if flags.syn && !flags.ack => clients.next(),
            PacketKind::Udp { payload } if *end == Some(false) => match senders.peek() {
                Some((_, size)) if *size == payload => senders.next().map(|(name, _)| name),
                _ => None,
            },
            _ => None,
        };
        if let Some(name) = name
            && !named.iter().any(|(address, _)| *address == grader)
        {
            named.push((grader, name));
        }
    }
    named
}

/// The packet diagram of a test, when its traffic was captured; `failed_client` is a client
/// whose connect failed (it sent a SYN but has no transcript entry).
pub fn packet_lane(
    transcript: &Transcript,
    role: ProgramRole,
    failed_client: Option<&str>,
) -> Option<Diagram> {
    let packets = &transcript.packets;
    if packets.is_empty() {
        return None;
    }
    let known = program_addresses(transcript);
    let ends: Vec<Option<bool>> = packets
        .iter()
        .map(|packet| program_end(packet, &known, role))
        .collect();
    let names = names(transcript, packets, &ends, failed_client);
    // Lane 0 is the program until the lanes are ordered; then the grader's addresses.
    let mut addresses: Vec<SocketAddr> = Vec::new();
    let mut program: Vec<SocketAddr> = Vec::new();
    let mut lane_of = |address: SocketAddr, is_program: bool| -> usize {
        if is_program {
            if !program.contains(&address) {
                program.push(address);
            }
            return 0;
        }
        match addresses.iter().position(|a| *a == address) {
            Some(at) => at + 1,
            None => {
                addresses.push(address);
                addresses.len()
            }
        }
    };
    let mut rows = Vec::new();
    for (packet, end) in packets.iter().zip(&ends).take(MAX_PACKETS) {
        let from = lane_of(packet.from, *end == Some(true));
        let to = lane_of(packet.to, *end == Some(false));
        let (label, count, kind) = describe(&packet.kind);
        let title = format!("{} → {}: {label}", packet.from, packet.to);
        let mut row = Row::arrow(from, to, kind, label).title(title);
        row.detail = count;
        row.time = Some(format!("{:.1} ms", packet.at.as_secs_f64() * 1000.0));
        rows.push(row);
    }
    if packets.len() > MAX_PACKETS {
        let hidden = packets.len() - MAX_PACKETS;
        let more = tr!("html-more-rows", count = hidden);
        rows.push(Row::note(0, "more", more));
    }
    // The program on the right of the grader's addresses.
    let program_lane = addresses.len();
    for row in &mut rows {
        let place = |lane: usize| if lane == 0 { program_lane } else { lane - 1 };
        row.shape = match row.shape {
            Shape::Arrow { from, to } => Shape::Arrow {
                from: place(from),
                to: place(to),
            },
            Shape::Note { lane } => Shape::Note { lane: place(lane) },
        };
    }
    let mut lanes: Vec<Lane> = addresses
        .iter()
        .map(|address| {
            let name = names.iter().find(|(a, _)| a == address);
            Lane {
                label: name.map_or_else(|| address.to_string(), |(_, n)| n.clone()),
                sub: name.map(|_| address.to_string()),
                kind: "peer",
                ends_after: None,
            }
        })
        .collect();
    let mut shown: Vec<String> = program.iter().take(2).map(ToString::to_string).collect();
    if program.len() > 2 {
        shown.push("…".to_owned());
    }
    lanes.push(Lane {
        label: tr!("html-lane-program"),
        sub: (!shown.is_empty()).then(|| shown.join(", ")),
        kind: "program",
        ends_after: None,
    });
    Some(Diagram {
        lanes,
        rows,
        arrow_attribute: "data-packet",
        class: "packets",
        caption: tr!("html-packets", count = packets.len()),
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn address(text: &str) -> SocketAddr {
        text.parse().expect("a test address")
    }

    fn tcp(
        at_ms: u64,
        from: &str,
        to: &str,
        flags: &str,
        seq: u32,
        ack: u32,
        payload: usize,
    ) -> Packet {
        let flags = TcpFlags {
            syn: flags.contains('S'),
            ack: flags.contains('A'),
            fin: flags.contains('F'),
            rst: flags.contains('R'),
            psh: flags.contains('P'),
        };
        Packet {
            at: Duration::from_millis(at_ms),
            from: address(from),
            to: address(to),
            kind: PacketKind::Tcp {
                flags,
                seq,
                ack,
                payload,
            },
        }
    }

    const SERVER: &str = "127.0.0.1:8888";
    const A: &str = "127.0.0.1:40000";
    const B: &str = "127.0.0.1:40002";

    /// A whole TCP conversation of client a, then client b refused with a RST.
    fn conversation() -> Transcript {
        let mut transcript = Transcript {
            entries: vec![
                Entry::Listening {
                    address: address(SERVER),
                },
                Entry::Connected {
                    client: "client a".into(),
                    address: address(SERVER),
                },
                Entry::Sent {
                    client: "client a".into(),
                    bytes: b"hello".to_vec(),
                    pieces: 1,
                },
                Entry::Received {
                    client: "client a".into(),
                    bytes: b"Thanks".to_vec(),
                },
                Entry::Closed {
                    client: "client a".into(),
                },
            ],
            ..Transcript::default()
        };
        transcript.packets = vec![
            tcp(1, A, SERVER, "S", 0, 0, 0),
            tcp(1, SERVER, A, "SA", 0, 1, 0),
            tcp(1, A, SERVER, "A", 1, 1, 0),
            tcp(2, A, SERVER, "PA", 1, 1, 5),
            tcp(2, SERVER, A, "A", 1, 6, 0),
            tcp(3, SERVER, A, "PA", 1, 6, 6),
            tcp(3, A, SERVER, "A", 6, 7, 0),
            tcp(4, A, SERVER, "FA", 6, 7, 0),
            tcp(4, SERVER, A, "FA", 7, 7, 0),
            tcp(4, A, SERVER, "A", 7, 8, 0),
            tcp(9, B, SERVER, "S", 0, 0, 0),
            tcp(9, SERVER, B, "RA", 0, 1, 0),
        ];
        transcript
    }

    #[test]
    fn every_packet_is_an_arrow_between_named_lanes() {
        let transcript = conversation();
        let role = ProgramRole::TcpServer { port: 8888 };
        let diagram = packet_lane(&transcript, role, Some("client b")).expect("packets");
        let labels: Vec<&str> = diagram.lanes.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, ["client a", "client b", "your program"]);
        assert_eq!(diagram.lanes[0].sub.as_deref(), Some(A));
        assert_eq!(diagram.lanes[2].sub.as_deref(), Some(SERVER));
        assert_eq!(diagram.arrows(), 12);
        let kinds: Vec<&str> = diagram.rows.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [
                "syn", "synack", "ack", "data", "ack", "data", "ack", "fin", "fin", "ack", "syn",
                "rst"
            ]
        );
        assert_eq!(diagram.rows[1].label, "SYN-ACK seq=0 ack=1");
        assert_eq!(diagram.rows[3].label, "PSH-ACK seq=1 ack=1");
        assert_eq!(diagram.rows[3].detail.as_deref(), Some("5 bytes"));
        assert_eq!(diagram.rows[11].label, "RST-ACK seq=0 ack=1");
        assert_eq!(diagram.rows[0].shape, Shape::Arrow { from: 0, to: 2 });
        assert_eq!(diagram.rows[11].shape, Shape::Arrow { from: 2, to: 1 });
        assert_eq!(diagram.rows[3].time.as_deref(), Some("2.0 ms"));
        let svg = diagram.svg();
        assert_eq!(svg.matches("data-packet=").count(), 12);
        assert_eq!(svg.matches(r#"data-packet="rst""#).count(), 1);
        assert!(svg.contains("FIN-ACK seq=6 ack=7"));
    }

    #[test]
    fn datagrams_are_drawn_and_their_peers_named() {
        let mut transcript = Transcript::default();
        let program = address("0.0.0.0:8888");
        transcript.entries = vec![
            Entry::Bound { address: program },
            Entry::DatagramSent {
                peer: "a".into(),
                bytes: b"hi".to_vec(),
                to: address(SERVER),
            },
        ];
        let datagram = |from: &str, to: &str, payload| Packet {
            at: Duration::from_micros(1500),
            from: address(from),
            to: address(to),
            kind: PacketKind::Udp { payload },
        };
        transcript.packets = vec![datagram(A, SERVER, 2), datagram(SERVER, A, 6)];
        let role = ProgramRole::UdpServer { port: 8888 };
        let diagram = packet_lane(&transcript, role, None).expect("packets");
        assert_eq!(diagram.lanes[0].label, "UDP peer a");
        assert_eq!(diagram.lanes[1].label, "your program");
        assert_eq!(diagram.rows[1].detail.as_deref(), Some("6 bytes"));
        assert_eq!(diagram.rows[1].shape, Shape::Arrow { from: 1, to: 0 });
        assert!(diagram.svg().contains(r#"data-packet="udp""#));
    }

    #[test]
    fn a_client_program_connects_to_the_graders_server() {
        let mut transcript = Transcript::default();
        let program = "127.0.0.1:51000";
        transcript.entries = vec![Entry::ConnectedToGrader {
            client: "the server".into(),
            from: address(program),
        }];
        transcript.packets = vec![
            tcp(1, program, SERVER, "S", 0, 0, 0),
            tcp(1, SERVER, program, "SA", 0, 1, 0),
            tcp(1, program, SERVER, "A", 1, 1, 0),
            tcp(5, program, SERVER, "RA", 1, 1, 0),
        ];
        let role = ProgramRole::TcpClient { port: 8888 };
        let diagram = packet_lane(&transcript, role, None).expect("packets");
        let labels: Vec<&str> = diagram.lanes.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, ["the server", "your program"]);
        assert_eq!(diagram.lanes[1].sub.as_deref(), Some(program));
        assert_eq!(diagram.rows[0].shape, Shape::Arrow { from: 1, to: 0 });
        assert_eq!(diagram.rows[3].kind, "rst");
    }

    #[test]
    fn no_packets_no_lane() {
        let transcript = Transcript::default();
        assert!(packet_lane(&transcript, ProgramRole::Console, None).is_none());
    }
}
