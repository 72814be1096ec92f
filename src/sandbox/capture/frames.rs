//! Decoding the frames captured on a run's loopback ([`decode`]) and numbering TCP segments
//! the way Wireshark shows them ([`Conversations`]): each direction of a connection counts
//! from its own initial sequence number, so the SYN is `seq 0` and the first data byte is 1.
//!
//! Frames on `lo` are Ethernet frames with zero addresses. Only their headers are needed (a
//! capture keeps the first bytes of each frame), so lengths come from the IP header and the
//! frame's length on the wire, never from the bytes kept.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use etherparse::{LaxNetSlice, LaxSlicedPacket, LenSource, TransportSlice};

use crate::wire::{PacketKind, TcpFlags};

/// A TCP segment or UDP datagram as it was on the wire: absolute sequence numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Segment {
    /// Sender.
    pub from: SocketAddr,
    /// Receiver.
    pub to: SocketAddr,
    /// What it carries.
    pub body: Body,
}

/// The transport part of a [`Segment`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Body {
    /// A TCP segment, its numbers as sent.
    Tcp {
        flags: TcpFlags,
        seq: u32,
        ack: u32,
        payload: usize,
    },
    /// A UDP datagram.
    Udp { payload: usize },
}

/// Decodes an Ethernet frame of which `frame` holds the first bytes and whose full length was
/// `wire_len`. `None` for anything but TCP or UDP over IPv4 or IPv6 (ARP, ICMP, fragments) and
/// for frames too short to hold their headers.
pub(super) fn decode(frame: &[u8], wire_len: usize) -> Option<Segment> {
    let packet = LaxSlicedPacket::from_ethernet(frame).ok()?;
    let (source, destination, ip_payload) = match packet.net.as_ref()? {
        LaxNetSlice::Ipv4(ip) => (
            IpAddr::V4(ip.header().source_addr()),
            IpAddr::V4(ip.header().destination_addr()),
            ip.payload(),
        ),
        LaxNetSlice::Ipv6(ip) => (
            IpAddr::V6(ip.header().source_addr()),
            IpAddr::V6(ip.header().destination_addr()),
            ip.payload(),
        ),
        LaxNetSlice::Arp(_) => return None,
    };
    // The IP payload runs to the end of the bytes kept when the frame was cut short (or when
    // the length field was not set): the rest of it is what was not kept.
    let missing = wire_len.saturating_sub(frame.len());
    let ip_payload_len = if ip_payload.incomplete || ip_payload.len_source == LenSource::Slice {
        ip_payload.payload.len() + missing
    } else {
        ip_payload.payload.len()
    };
    let (from_port, to_port, body) = match packet.transport.as_ref()? {
        TransportSlice::Tcp(tcp) => (
            tcp.source_port(),
            tcp.destination_port(),
            Body::Tcp {
                flags: TcpFlags {
                    syn: tcp.syn(),
                    ack: tcp.ack(),
                    fin: tcp.fin(),
                    rst: tcp.rst(),
                    psh: tcp.psh(),
                },
                seq: tcp.sequence_number(),
                ack: tcp.acknowledgment_number(),
                payload: ip_payload_len.saturating_sub(tcp.header_slice().len()),
            },
        ),
        TransportSlice::Udp(udp) => (
            udp.source_port(),
            udp.destination_port(),
            Body::Udp {
                payload: ip_payload_len.saturating_sub(udp.header_slice().len()),
            },
        ),
        _ => return None,
    };
    Some(Segment {
        from: SocketAddr::new(source, from_port),
        to: SocketAddr::new(destination, to_port),
        body,
    })
}

/// Initial sequence numbers per direction of every connection seen, to show relative numbers.
#[derive(Debug, Default)]
pub(super) struct Conversations {
    /// (sender, receiver) → the sender's base: its initial sequence number (the SYN's), or
    /// one less than the first number seen when the SYN was not seen (the first byte is 1).
    bases: HashMap<(SocketAddr, SocketAddr), u32>,
}

impl Conversations {
    /// The packet's transport part with relative numbers, in capture order.
    pub fn relative(&mut self, segment: &Segment) -> PacketKind {
        match segment.body {
            Body::Udp { payload } => PacketKind::Udp { payload },
            Body::Tcp {
                flags,
                seq,
                ack,
                payload,
            } => {
                let forward = (segment.from, segment.to);
                let reverse = (segment.to, segment.from);
                if flags.syn && !flags.ack {
                    // A connection (re)starts on these ports: a new SYN forgets the old one,
                    // a retransmitted SYN keeps it.
                    if self.bases.get(&forward) != Some(&seq) {
                        self.bases.insert(forward, seq);
                        self.bases.remove(&reverse);
                    }
                } else if flags.syn {
                    self.bases.insert(forward, seq);
                }
                let base = *self.bases.entry(forward).or_insert(seq.wrapping_sub(1));
                let ack = if flags.ack {
                    let theirs = *self.bases.entry(reverse).or_insert(ack.wrapping_sub(1));
                    ack.wrapping_sub(theirs)
                } else {
                    0
                };
                PacketKind::Tcp {
                    flags,
                    seq: seq.wrapping_sub(base),
                    ack,
                    payload,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT: [u8; 4] = [127, 0, 0, 1];
    const SERVER: [u8; 4] = [127, 0, 0, 1];

    /// An Ethernet + IPv4 header (no options) for `transport_len` bytes of transport, by hand.
    fn ipv4_frame(protocol: u8, from: [u8; 4], to: [u8; 4], transport: &[u8]) -> Vec<u8> {
        let mut frame = vec![0u8; 12]; // destination and source MAC: zero on lo
        frame.extend_from_slice(&[0x08, 0x00]); // IPv4
        let total = u16::try_from(20 + transport.len()).expect("small test frame");
        frame.extend_from_slice(&[0x45, 0x00]);
        frame.extend_from_slice(&total.to_be_bytes());
        frame.extend_from_slice(&[0x12, 0x34, 0x40, 0x00, 64, protocol, 0, 0]);
        frame.extend_from_slice(&from);
        frame.extend_from_slice(&to);
        frame.extend_from_slice(transport);
        frame
    }

    /// A TCP header with `flags` (the byte: FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10),
    /// 12 bytes of options when `options`, then the payload.
    fn tcp(ports: (u16, u16), seq: u32, ack: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
        let mut header = Vec::new();
        header.extend_from_slice(&ports.0.to_be_bytes());
        header.extend_from_slice(&ports.1.to_be_bytes());
        header.extend_from_slice(&seq.to_be_bytes());
        header.extend_from_slice(&ack.to_be_bytes());
        let options = flags & 0x02 != 0; // SYNs carry options (MSS, SACK, …), as Linux's do
        header.push(if options { 8 << 4 } else { 5 << 4 });
        header.push(flags);
        header.extend_from_slice(&[0xff, 0xd7, 0, 0, 0, 0]); // window, checksum, urgent
        if options {
            header.extend_from_slice(&[2, 4, 0xff, 0xd7, 4, 2, 1, 1, 1, 1, 1, 0]);
        }
        header.extend_from_slice(payload);
        header
    }

    fn udp(ports: (u16, u16), payload: &[u8]) -> Vec<u8> {
        let mut datagram = Vec::new();
        datagram.extend_from_slice(&ports.0.to_be_bytes());
        datagram.extend_from_slice(&ports.1.to_be_bytes());
        let length = u16::try_from(8 + payload.len()).expect("small test datagram");
        datagram.extend_from_slice(&length.to_be_bytes());
        datagram.extend_from_slice(&[0, 0]);
        datagram.extend_from_slice(payload);
        datagram
    }

    const SYN: u8 = 0x02;
    const ACK: u8 = 0x10;
    const FIN: u8 = 0x01;
    const RST: u8 = 0x04;
    const PSH: u8 = 0x08;

    fn flags(names: &str) -> TcpFlags {
        TcpFlags {
            syn: names.contains("S"),
            ack: names.contains("A"),
            fin: names.contains("F"),
            rst: names.contains("R"),
            psh: names.contains("P"),
        }
    }

    /// Decodes a whole frame (nothing cut off) and numbers it.
    fn seen(conversations: &mut Conversations, frame: &[u8]) -> (SocketAddr, PacketKind) {
        let segment = decode(frame, frame.len()).expect("a TCP or UDP frame");
        (segment.from, conversations.relative(&segment))
    }

    #[test]
    fn a_whole_conversation_has_wiresharks_relative_numbers() {
        let (c, s) = (50_000u16, 8888u16);
        let (client_isn, server_isn) = (0xffff_fff0_u32, 123_456_789_u32); // the client's wraps
        let frames = [
            tcp((c, s), client_isn, 0, SYN, b""),
            tcp(
                (s, c),
                server_isn,
                client_isn.wrapping_add(1),
                SYN | ACK,
                b"",
            ),
            tcp((c, s), client_isn.wrapping_add(1), server_isn + 1, ACK, b""),
            tcp(
                (c, s),
                client_isn.wrapping_add(1),
                server_isn + 1,
                PSH | ACK,
                b"hello",
            ),
            tcp((s, c), server_isn + 1, client_isn.wrapping_add(6), ACK, b""),
            tcp(
                (s, c),
                server_isn + 1,
                client_isn.wrapping_add(6),
                PSH | ACK,
                b"Thanks",
            ),
            tcp((c, s), client_isn.wrapping_add(6), server_isn + 7, ACK, b""),
            tcp(
                (c, s),
                client_isn.wrapping_add(6),
                server_isn + 7,
                FIN | ACK,
                b"",
            ),
            tcp(
                (s, c),
                server_isn + 7,
                client_isn.wrapping_add(7),
                FIN | ACK,
                b"",
            ),
            tcp((c, s), client_isn.wrapping_add(7), server_isn + 8, ACK, b""),
        ];
        let expected = [
            ("S", 0, 0, 0),
            ("SA", 0, 1, 0),
            ("A", 1, 1, 0),
            ("PA", 1, 1, 5),
            ("A", 1, 6, 0),
            ("PA", 1, 6, 6),
            ("A", 6, 7, 0),
            ("FA", 6, 7, 0),
            ("FA", 7, 7, 0),
            ("A", 7, 8, 0),
        ];
        let mut conversations = Conversations::default();
        for (index, (frame, (names, seq, ack, payload))) in frames.iter().zip(expected).enumerate()
        {
            let frame = ipv4_frame(6, CLIENT, SERVER, frame);
            let (from, kind) = seen(&mut conversations, &frame);
            let sender = if index == 1 || index == 4 || index == 5 || index == 8 {
                s
            } else {
                c
            };
            assert_eq!(from.port(), sender, "frame {index}");
            assert_eq!(
                kind,
                PacketKind::Tcp {
                    flags: flags(names),
                    seq,
                    ack,
                    payload
                },
                "frame {index}"
            );
        }
    }

    #[test]
    fn a_reset_and_a_connection_seen_mid_stream_count_from_one() {
        let mut conversations = Conversations::default();
        // A SYN to a closed port, answered by RST|ACK with seq 0 (the kernel's way).
        let syn = ipv4_frame(6, CLIENT, SERVER, &tcp((40_000, 9), 777, 0, SYN, b""));
        let refused = ipv4_frame(6, SERVER, CLIENT, &tcp((9, 40_000), 0, 778, RST | ACK, b""));
        assert_eq!(
            seen(&mut conversations, &syn).1,
            PacketKind::Tcp {
                flags: flags("S"),
                seq: 0,
                ack: 0,
                payload: 0
            }
        );
        assert_eq!(
            seen(&mut conversations, &refused).1,
            PacketKind::Tcp {
                flags: flags("RA"),
                seq: 1,
                ack: 1,
                payload: 0
            }
        );
        // No SYN seen: the first byte seen is byte 1, in both directions.
        let data = ipv4_frame(
            6,
            CLIENT,
            SERVER,
            &tcp((41_000, 8888), 5000, 9000, PSH | ACK, b"abc"),
        );
        let reset = ipv4_frame(6, SERVER, CLIENT, &tcp((8888, 41_000), 9000, 0, RST, b""));
        assert_eq!(
            seen(&mut conversations, &data).1,
            PacketKind::Tcp {
                flags: flags("PA"),
                seq: 1,
                ack: 1,
                payload: 3
            }
        );
        assert_eq!(
            seen(&mut conversations, &reset).1,
            PacketKind::Tcp {
                flags: flags("R"),
                seq: 1,
                ack: 0,
                payload: 0
            }
        );
        // The same ports again with a new SYN: a new connection, counted from 0 again.
        let again = ipv4_frame(6, CLIENT, SERVER, &tcp((41_000, 8888), 99, 0, SYN, b""));
        assert_eq!(
            seen(&mut conversations, &again).1,
            PacketKind::Tcp {
                flags: flags("S"),
                seq: 0,
                ack: 0,
                payload: 0
            }
        );
    }

    #[test]
    fn udp_datagrams_and_cut_off_frames_keep_their_real_length() {
        let frame = ipv4_frame(17, CLIENT, SERVER, &udp((45_000, 8888), b"hello"));
        let segment = decode(&frame, frame.len()).expect("a UDP frame");
        assert_eq!(segment.from, "127.0.0.1:45000".parse().unwrap());
        assert_eq!(segment.to, "127.0.0.1:8888".parse().unwrap());
        assert_eq!(segment.body, Body::Udp { payload: 5 });
        // An empty datagram is still a datagram.
        let empty = ipv4_frame(17, CLIENT, SERVER, &udp((45_000, 8888), b""));
        assert_eq!(
            decode(&empty, empty.len()).map(|s| s.body),
            Some(Body::Udp { payload: 0 })
        );
        // Only the first 100 bytes of a 4 KiB datagram and of a 1000-byte segment were kept.
        let big = ipv4_frame(17, CLIENT, SERVER, &udp((45_000, 8888), &[7; 4096]));
        assert_eq!(
            decode(&big[..100], big.len()).map(|s| s.body),
            Some(Body::Udp { payload: 4096 })
        );
        let long = ipv4_frame(6, CLIENT, SERVER, &tcp((1, 2), 10, 20, ACK, &[1; 1000]));
        assert!(matches!(
            decode(&long[..80], long.len()).map(|s| s.body),
            Some(Body::Tcp { payload: 1000, .. })
        ));
    }

    #[test]
    fn ipv6_is_decoded_and_other_frames_are_not_packets() {
        let mut frame = vec![0u8; 12];
        frame.extend_from_slice(&[0x86, 0xdd]);
        let segment = tcp((50_000, 8888), 1, 0, SYN, b"");
        frame.extend_from_slice(&[0x60, 0, 0, 0]);
        frame.extend_from_slice(&u16::try_from(segment.len()).unwrap().to_be_bytes());
        frame.extend_from_slice(&[6, 64]);
        let loopback = std::net::Ipv6Addr::LOCALHOST.octets();
        frame.extend_from_slice(&loopback);
        frame.extend_from_slice(&loopback);
        frame.extend_from_slice(&segment);
        let decoded = decode(&frame, frame.len()).expect("a TCP frame over IPv6");
        assert_eq!(decoded.from, "[::1]:50000".parse().unwrap());
        // ICMP (port unreachable), ARP, a frame cut inside its headers: not packets.
        let icmp = ipv4_frame(1, CLIENT, SERVER, &[3, 3, 0, 0, 0, 0, 0, 0]);
        assert_eq!(decode(&icmp, icmp.len()), None);
        let mut arp = vec![0u8; 12];
        arp.extend_from_slice(&[0x08, 0x06]);
        arp.extend_from_slice(&[0, 1, 8, 0, 6, 4, 0, 1]);
        arp.extend_from_slice(&[0; 20]);
        assert_eq!(decode(&arp, arp.len()), None);
        let syn = ipv4_frame(6, CLIENT, SERVER, &tcp((1, 2), 3, 0, SYN, b""));
        assert_eq!(decode(&syn[..40], syn.len()), None);
        assert_eq!(decode(&[], 60), None);
    }
}
