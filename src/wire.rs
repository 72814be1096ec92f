//! [`Packet`]: a TCP segment or UDP datagram seen on the run's loopback, when the run's
//! traffic is captured — the handshake, the data with relative sequence numbers, the close —
//! as data for the reports (the HTML sequence diagram draws them under the socket events).
//! Capturing is the sandbox's job; this file only says what a captured packet is.

use std::net::SocketAddr;
use std::time::Duration;

/// One packet on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// When, since the test's program started.
    pub at: Duration,
    /// Sender.
    pub from: SocketAddr,
    /// Receiver.
    pub to: SocketAddr,
    /// What it is.
    pub kind: PacketKind,
}

/// A TCP segment or a UDP datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PacketKind {
    /// A TCP segment.
    Tcp {
        /// SYN, ACK, FIN, RST, PSH.
        flags: TcpFlags,
        /// Sequence number, relative to the sender's initial one (the SYN is 0).
        seq: u32,
        /// Acknowledgement number, relative to the receiver's initial sequence number (when
        /// the ACK flag is set).
        ack: u32,
        /// Payload bytes.
        payload: usize,
    },
    /// A UDP datagram.
    Udp {
        /// Payload bytes.
        payload: usize,
    },
}

/// The TCP flags a course teaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpFlags {
    /// Synchronise (opening).
    pub syn: bool,
    /// Acknowledgement.
    pub ack: bool,
    /// Finish (orderly close).
    pub fin: bool,
    /// Reset (abort).
    pub rst: bool,
    /// Push.
    pub psh: bool,
}

impl TcpFlags {
    /// The flags that are set, as Wireshark lists them (`[SYN, ACK]`, `[FIN, PSH, ACK]`):
    /// in the order of their bits in the header.
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.fin, "FIN"),
            (self.syn, "SYN"),
            (self.rst, "RST"),
            (self.psh, "PSH"),
            (self.ack, "ACK"),
        ]
        .into_iter()
        .filter_map(|(set, name)| set.then_some(name))
        .collect()
    }
}
