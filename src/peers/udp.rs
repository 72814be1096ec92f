//! [`UdpPeer`]: one of the grader's UDP sockets in the run's network.
//!
//! A peer is either a client of the program (bound to an ephemeral loopback port, sending to
//! the program's port) or the server a client program sends to (bound to the spec's port,
//! replying to whoever sent the last datagram). UDP keeps message boundaries: every `expect`
//! takes exactly one datagram, and the sender's address is recorded so a reply from the wrong
//! socket, or to the wrong peer, can be told apart.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::time::Instant;

use crate::plan::{MAX_DATAGRAM_BYTES, MatchState, Matcher, check, is_reply};

/// A datagram that arrived at a peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Who sent it.
    pub from: SocketAddr,
}

/// Why an `expect_datagram` failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatagramError {
    /// A datagram arrived but is not the expected one.
    Mismatch(Datagram),
    /// None arrived in time.
    TimedOut {
        /// How long the peer waited.
        waited: Duration,
    },
    /// None arrived, and the grader stopped waiting early: nothing more could come (the
    /// program had ended, or was waiting for input with nothing on its way).
    GaveUp {
        /// How long the peer waited.
        waited: Duration,
    },
    /// The socket failed.
    Failed(String),
}

/// One UDP socket of the grader.
#[derive(Debug)]
pub struct UdpPeer {
    socket: UdpSocket,
    /// Where this peer's datagrams go: the program's port, or (for the server peer) the
    /// sender of the last datagram received.
    target: Option<SocketAddr>,
    /// Whether `target` follows the last sender (the server peer).
    replies_to_sender: bool,
}

impl UdpPeer {
    /// A peer that sends to the program at `target`.
    pub fn client(socket: UdpSocket, target: SocketAddr) -> UdpPeer {
        UdpPeer {
            socket,
            target: Some(target),
            replies_to_sender: false,
        }
    }

    /// The server a client program sends to.
    pub fn server(socket: UdpSocket) -> UdpPeer {
        UdpPeer {
            socket,
            target: None,
            replies_to_sender: true,
        }
    }

    /// Sends one datagram to the peer's target.
    pub async fn send(&self, bytes: &[u8]) -> io::Result<SocketAddr> {
        let target = self.target.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotConnected,
                "the program has not sent anything to reply to",
            )
        })?;
        self.socket.send_to(bytes, target).await?;
        Ok(target)
    }

    /// Receives the next datagram (waiting up to `timeout`) and checks it against `matcher`.
    pub async fn expect(
        &mut self,
        matcher: &Matcher,
        timeout: Duration,
    ) -> Result<Datagram, DatagramError> {
        let datagram = self
            .receive(timeout)
            .await?
            .ok_or(DatagramError::TimedOut { waited: timeout })?;
        judge(matcher, datagram)
    }

    /// Like [`UdpPeer::expect`], but stops waiting as soon as `give_up()` says nothing more
    /// can come (checked between short waits; a last look follows it).
    pub async fn expect_unless(
        &mut self,
        matcher: &Matcher,
        timeout: Duration,
        give_up: impl FnMut() -> bool,
    ) -> Result<Datagram, DatagramError> {
        match self.receive_unless(timeout, give_up).await? {
            Arrival::Datagram(datagram) => judge(matcher, datagram),
            Arrival::TimedOut => Err(DatagramError::TimedOut { waited: timeout }),
            Arrival::GaveUp(waited) => Err(DatagramError::GaveUp { waited }),
        }
    }

    /// The next datagram within `timeout`, unless `give_up()` says first that none can come.
    pub async fn receive_unless(
        &mut self,
        timeout: Duration,
        mut give_up: impl FnMut() -> bool,
    ) -> Result<Arrival, DatagramError> {
        let started = Instant::now();
        let deadline = started + timeout;
        let mut slice = Duration::from_millis(2);
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Ok(Arrival::TimedOut);
            }
            if let Some(datagram) = self.receive(slice.min(deadline - now)).await? {
                return Ok(Arrival::Datagram(datagram));
            }
            if give_up() {
                // A last look: what arrived while the check ran still counts, however late
                // tokio hears of it (`try_receive` asks the kernel).
                return Ok(match self.try_receive() {
                    Some(datagram) => Arrival::Datagram(datagram),
                    None => Arrival::GaveUp(started.elapsed()),
                });
            }
            slice = (slice * 2).min(Duration::from_millis(50));
        }
    }

    /// Receives the next datagram within `timeout`, if one comes.
    pub async fn receive(&mut self, timeout: Duration) -> Result<Option<Datagram>, DatagramError> {
        let mut buffer = vec![0u8; MAX_DATAGRAM_BYTES + 1];
        match tokio::time::timeout(timeout, self.socket.recv_from(&mut buffer)).await {
            Err(_) => Ok(None),
            Ok(Err(error)) => Err(DatagramError::Failed(error.to_string())),
            Ok(Ok((length, from))) => {
                if self.replies_to_sender {
                    self.target = Some(from);
                }
                buffer.truncate(length);
                Ok(Some(Datagram {
                    bytes: buffer,
                    from,
                }))
            }
        }
    }

    /// A datagram already waiting, without blocking (to find where a lost reply went).
    pub fn try_receive(&mut self) -> Option<Datagram> {
        use rustix::net::RecvFlags;
        let mut buffer = vec![0u8; MAX_DATAGRAM_BYTES + 1];
        // Asked of the kernel, not of tokio's readiness, which may lag behind it.
        let (_, length, from) =
            rustix::net::recvfrom(&self.socket, &mut buffer, RecvFlags::DONTWAIT).ok()?;
        let from = SocketAddr::try_from(from?).ok()?;
        let length = length.min(buffer.len());
        if self.replies_to_sender {
            self.target = Some(from);
        }
        buffer.truncate(length);
        Some(Datagram {
            bytes: buffer,
            from,
        })
    }
}

/// What came while a peer waited.
#[derive(Debug)]
pub enum Arrival {
    /// A datagram.
    Datagram(Datagram),
    /// Nothing, for the whole time.
    TimedOut,
    /// Nothing, and the wait was cut short after this long: nothing more could come.
    GaveUp(Duration),
}

/// Checks a datagram that arrived against `matcher`: `text`/`hex` must be the whole datagram;
/// `contains` and `regex` may match inside it; `reply` allows a line end after it.
fn judge(matcher: &Matcher, datagram: Datagram) -> Result<Datagram, DatagramError> {
    let inside_is_enough = matches!(matcher, Matcher::Contains(_) | Matcher::Regex(_));
    let matched = match (matcher, check(matcher, &datagram.bytes, 0)) {
        (Matcher::Reply(expected), _) => is_reply(expected, &datagram.bytes),
        (_, MatchState::Matched(length)) => inside_is_enough || length == datagram.bytes.len(),
        (_, MatchState::NeedMore | MatchState::Mismatch) => false,
    };
    if matched {
        Ok(datagram)
    } else {
        Err(DatagramError::Mismatch(datagram))
    }
}
