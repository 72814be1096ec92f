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

/// How long a last look waits for what the kernel already holds to reach the grader: tokio
/// learns of it through its reactor, which may lag behind the kernel under load.
const LAST_LOOK: std::time::Duration = std::time::Duration::from_millis(500);

/// Whether the kernel holds something to read on `socket` right now — bytes, a datagram, or
/// (TCP) the end of the stream — asked of the kernel itself, not of tokio's cached readiness,
/// so a "last look" before giving up never misses what has already arrived.
fn kernel_has_input(socket: impl std::os::fd::AsFd) -> bool {
    use rustix::net::RecvFlags;
    let mut byte = [0u8; 1];
    rustix::net::recv(socket, &mut byte, RecvFlags::PEEK | RecvFlags::DONTWAIT).is_ok()
}
