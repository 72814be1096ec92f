//! Scripted network peers: the grader's side of every conversation with the program.
//!
//! Only [`TcpClient`] exists so far (the program is a TCP server); TCP server peers and UDP
//! peers join it here.

mod matching;
mod tcp_client;

pub use matching::{MatchState, check, first_difference};
pub use tcp_client::{ExpectError, ReadEnd, TcpClient};
