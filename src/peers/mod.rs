//! The grader's side of every conversation with the program: scripted peers, each owning its
//! wait loop.
//!
//! [`TcpClient`] is one TCP connection (made by the grader to a server program, or accepted
//! from a client program), [`UdpPeer`] one UDP socket, and [`console`] the program's stdout
//! and stderr as the grader reads them. What an expectation accepts is decided by
//! [`crate::plan::matchers`]; the peers wait until it is satisfied, cannot be any more, or
//! waiting is useless.

pub mod console;
mod tcp_client;
mod udp;

pub use console::{OutputError, expect_output};
pub use tcp_client::{ExpectError, ReadEnd, TcpClient};
pub use udp::{Arrival, Datagram, DatagramError, UdpPeer};
