//! The grader's side of every conversation with the program: scripted peers.
//!
//! [`TcpClient`] is one TCP connection (made by the grader to a server program, or accepted
//! from a client program), [`UdpPeer`] one UDP socket, and [`console`] the program's stdin and
//! stdout.

pub mod console;
mod matching;
mod tcp_client;
mod udp;

pub use console::{find_output, fold};
pub use matching::{MatchState, check, first_difference};
pub use tcp_client::{ExpectError, ReadEnd, TcpClient};
pub use udp::{Datagram, DatagramError, UdpPeer};
