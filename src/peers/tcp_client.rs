//! [`TcpClient`]: one scripted TCP connection to the program (the program is the server).
//!
//! Received bytes accumulate in a buffer; `expect` reads until the buffer satisfies the
//! matcher, cannot any more, the program closes or resets the connection, or time runs out.
//! As in mini-redis, an orderly end of stream is a value ([`ReadEnd::Closed`]), not an
//! error, and differs from a reset: that is exactly what a grader must tell a student.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::plan::{MatchState, Matcher, check};

/// How the program ended the connection, seen from the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadEnd {
    /// End of stream: the program closed the connection (FIN).
    Closed,
    /// The program's side reset the connection (RST), e.g. it exited with unread data.
    Reset,
    /// Another socket error.
    Failed(String),
}

/// Why an `expect`-like step failed. `received` is what had arrived and was not consumed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectError {
    /// What arrived can never match.
    Mismatch {
        /// The bytes received so far.
        received: Vec<u8>,
    },
    /// Time ran out before a match.
    TimedOut {
        /// The bytes received so far.
        received: Vec<u8>,
        /// How long the client waited.
        waited: Duration,
    },
    /// The connection ended before a match.
    Ended {
        /// How.
        how: ReadEnd,
        /// The bytes received before the end.
        received: Vec<u8>,
    },
    /// Bytes arrived when none were expected.
    Unexpected {
        /// The bytes.
        received: Vec<u8>,
    },
    /// The program went idle (waiting for input, nothing on its way to this client) without
    /// satisfying the expectation: waiting longer cannot change that.
    Idle {
        /// The bytes received so far.
        received: Vec<u8>,
        /// How long the client waited.
        waited: Duration,
    },
}

/// Waiting in slices: short at first, longer later, so a program that goes idle without
/// answering is noticed within milliseconds without looking at it constantly.
fn next_slice(slice: Duration) -> Duration {
    (slice * 2).min(Duration::from_millis(50))
}

enum ReadOutcome {
    Data,
    End(ReadEnd),
    TimedOut,
}

/// Most bytes a client holds unconsumed: more than any spec expects at once. A program that
/// floods the connection is cut off here instead of growing the grader's memory.
pub const MAX_BUFFERED_BYTES: usize = crate::plan::MAX_PAYLOAD_BYTES + 1024 * 1024;

/// A scripted client connection.
#[derive(Debug)]
pub struct TcpClient {
    stream: TcpStream,
    received: Vec<u8>,
    ended: Option<ReadEnd>,
    /// The last match was a `reply`: a line end that follows it belongs to it.
    after_reply: bool,
}

impl TcpClient {
    /// Wraps a connected stream.
    pub fn new(stream: TcpStream) -> TcpClient {
        TcpClient {
            stream,
            received: Vec::new(),
            ended: None,
            after_reply: false,
        }
    }

    /// Drops the line end that follows a matched `reply` (`Thanks\r\n`), once it is there.
    fn skip_line_end(&mut self) {
        if !self.after_reply || self.received.is_empty() {
            return;
        }
        if self.received.starts_with(b"\r\n") {
            self.received.drain(..2);
        } else if self.received.starts_with(b"\n") {
            self.received.drain(..1);
        } else if self.received == b"\r" {
            return; // its newline may still be on its way
        }
        self.after_reply = false;
    }

    /// The client's own address (its ephemeral port), as the program sees it.
    pub fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.stream.local_addr()
    }

    /// Bytes that have arrived and not been consumed, reading whatever is ready without
    /// waiting. Used to spot a reply that went to this client instead of another.
    pub fn pending(&mut self) -> &[u8] {
        use rustix::net::RecvFlags;
        let mut chunk = [0u8; 4096];
        // Read from the kernel directly: tokio's readiness may not know yet what has arrived.
        while self.ended.is_none() && self.received.len() < MAX_BUFFERED_BYTES {
            match rustix::net::recv(&self.stream, &mut chunk, RecvFlags::DONTWAIT) {
                Ok((_, 0)) => self.ended = Some(ReadEnd::Closed),
                Ok((_, n)) => self
                    .received
                    .extend_from_slice(&chunk[..n.min(chunk.len())]),
                Err(rustix::io::Errno::CONNRESET) => self.ended = Some(ReadEnd::Reset),
                Err(_) => break,
            }
        }
        self.skip_line_end();
        &self.received
    }

    /// Sends `bytes`, all at once or in pieces of `piece_size` with `pause` between them.
    pub async fn send(
        &mut self,
        bytes: &[u8],
        pieces: Option<(usize, Duration)>,
    ) -> io::Result<()> {
        match pieces {
            None => self.stream.write_all(bytes).await,
            Some((size, pause)) => {
                for (index, piece) in bytes.chunks(size).enumerate() {
                    if index > 0 {
                        // Deliberate spacing of the input (not a wait for the program), so
                        // each piece reaches the program as its own segment.
                        tokio::time::sleep(pause).await;
                    }
                    self.stream.write_all(piece).await?;
                }
                Ok(())
            }
        }
    }

    /// Reads once, waiting until `deadline`.
    async fn read_more(&mut self, deadline: Instant) -> ReadOutcome {
        if let Some(end) = &self.ended {
            return ReadOutcome::End(end.clone());
        }
        if self.received.len() >= MAX_BUFFERED_BYTES {
            let mebibytes = MAX_BUFFERED_BYTES / (1024 * 1024);
            return self.end_with(ReadEnd::Failed(crate::tr!(
                "error-flood",
                mebibytes = mebibytes
            )));
        }
        let mut chunk = vec![0u8; 64 * 1024];
        match tokio::time::timeout_at(deadline, self.stream.read(&mut chunk)).await {
            Err(_) => ReadOutcome::TimedOut,
            Ok(Ok(0)) => self.end_with(ReadEnd::Closed),
            Ok(Ok(n)) => {
                self.received.extend_from_slice(&chunk[..n]);
                ReadOutcome::Data
            }
            Ok(Err(error)) if error.kind() == io::ErrorKind::ConnectionReset => {
                self.end_with(ReadEnd::Reset)
            }
            Ok(Err(error)) => self.end_with(ReadEnd::Failed(error.to_string())),
        }
    }

    fn end_with(&mut self, end: ReadEnd) -> ReadOutcome {
        self.ended = Some(end.clone());
        ReadOutcome::End(end)
    }

    /// Waits for bytes satisfying `matcher`; returns (and consumes) the matched bytes.
    pub async fn expect(
        &mut self,
        matcher: &Matcher,
        timeout: Duration,
    ) -> Result<Vec<u8>, ExpectError> {
        self.expect_unless_idle(matcher, timeout, || false).await
    }

    /// Like [`TcpClient::expect`], but gives up early when `is_idle()` says the program is
    /// waiting for input with nothing on its way to this client (after a last look at what has
    /// arrived): an answer that has not come by then will not come. `is_idle` is asked when
    /// nothing has arrived for a while (a few milliseconds at first, then up to 50 ms).
    pub async fn expect_unless_idle(
        &mut self,
        matcher: &Matcher,
        timeout: Duration,
        mut is_idle: impl FnMut() -> bool,
    ) -> Result<Vec<u8>, ExpectError> {
        let started = Instant::now();
        let deadline = started + timeout;
        let mut slice = Duration::from_millis(2);
        let mut gave_up = false;
        let mut checked = 0;
        loop {
            self.skip_line_end();
            match check(matcher, &self.received, checked) {
                MatchState::Matched(length) => {
                    self.after_reply = matches!(matcher, Matcher::Reply(_));
                    return Ok(self.received.drain(..length).collect());
                }
                MatchState::Mismatch => {
                    return Err(ExpectError::Mismatch {
                        received: self.received.clone(),
                    });
                }
                MatchState::NeedMore => checked = self.received.len(),
            }
            // After giving up, only what is already there is read (a last look): what the
            // kernel holds, however late tokio hears of it.
            let until = if gave_up {
                if super::kernel_has_input(&self.stream) {
                    Instant::now() + super::LAST_LOOK
                } else {
                    Instant::now()
                }
            } else {
                (Instant::now() + slice).min(deadline)
            };
            match self.read_more(until).await {
                ReadOutcome::Data => slice = Duration::from_millis(2),
                ReadOutcome::End(how) => {
                    return Err(ExpectError::Ended {
                        how,
                        received: self.received.clone(),
                    });
                }
                ReadOutcome::TimedOut if gave_up => {
                    return Err(ExpectError::Idle {
                        received: self.received.clone(),
                        waited: started.elapsed(),
                    });
                }
                ReadOutcome::TimedOut if Instant::now() >= deadline => {
                    return Err(ExpectError::TimedOut {
                        received: self.received.clone(),
                        waited: timeout,
                    });
                }
                ReadOutcome::TimedOut => {
                    gave_up = is_idle();
                    slice = next_slice(slice);
                }
            }
        }
    }

    /// Like [`TcpClient::expect_closed`], but gives up early when `is_idle()` says the program
    /// is waiting for input with the connection still open.
    pub async fn expect_closed_unless_idle(
        &mut self,
        timeout: Duration,
        mut is_idle: impl FnMut() -> bool,
    ) -> Result<(), ExpectError> {
        let started = Instant::now();
        let deadline = started + timeout;
        let mut slice = Duration::from_millis(2);
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            match self.expect_closed(slice.min(remaining)).await {
                Err(ExpectError::TimedOut { received, .. }) => {
                    if remaining <= slice {
                        return Err(ExpectError::TimedOut {
                            received,
                            waited: timeout,
                        });
                    }
                    if is_idle() {
                        let last_look = if super::kernel_has_input(&self.stream) {
                            super::LAST_LOOK
                        } else {
                            Duration::ZERO
                        };
                        return match self.expect_closed(last_look).await {
                            Err(ExpectError::TimedOut { received, .. }) => Err(ExpectError::Idle {
                                received,
                                waited: started.elapsed(),
                            }),
                            other => other,
                        };
                    }
                }
                other => return other,
            }
            slice = next_slice(slice);
        }
    }

    /// Checks that nothing arrives (and the connection stays open) for `during`.
    pub async fn expect_nothing(&mut self, during: Duration) -> Result<(), ExpectError> {
        let deadline = Instant::now() + during;
        loop {
            self.skip_line_end();
            if !self.received.is_empty() {
                return Err(ExpectError::Unexpected {
                    received: self.received.clone(),
                });
            }
            match self.read_more(deadline).await {
                ReadOutcome::TimedOut => return Ok(()),
                // Only a reply's line end arrived (skipped above), or the bytes are checked
                // above.
                ReadOutcome::Data => {}
                ReadOutcome::End(how) => {
                    return Err(ExpectError::Ended {
                        how,
                        received: Vec::new(),
                    });
                }
            }
        }
    }

    /// Waits until the program closes the connection. Data arriving first is a failure
    /// (the program said more than the spec expected).
    pub async fn expect_closed(&mut self, timeout: Duration) -> Result<(), ExpectError> {
        let deadline = Instant::now() + timeout;
        loop {
            self.skip_line_end();
            if !self.received.is_empty() {
                return Err(ExpectError::Unexpected {
                    received: self.received.clone(),
                });
            }
            match self.read_more(deadline).await {
                ReadOutcome::Data => {}
                ReadOutcome::End(ReadEnd::Closed) => return Ok(()),
                ReadOutcome::End(how) => {
                    return Err(ExpectError::Ended {
                        how,
                        received: Vec::new(),
                    });
                }
                ReadOutcome::TimedOut => {
                    return Err(ExpectError::TimedOut {
                        received: Vec::new(),
                        waited: timeout,
                    });
                }
            }
        }
    }

    /// Reads until the program closes the connection (FIN) and returns everything received;
    /// gives up early when `is_idle()` says the program waits for input with the connection
    /// still open. A reset is an error.
    pub async fn receive_until_closed(
        &mut self,
        timeout: Duration,
        mut is_idle: impl FnMut() -> bool,
    ) -> Result<Vec<u8>, ExpectError> {
        let started = Instant::now();
        let deadline = started + timeout;
        let mut slice = Duration::from_millis(2);
        loop {
            match self.read_more((Instant::now() + slice).min(deadline)).await {
                ReadOutcome::Data => slice = Duration::from_millis(2),
                ReadOutcome::End(ReadEnd::Closed) => return Ok(std::mem::take(&mut self.received)),
                ReadOutcome::End(how) => {
                    return Err(ExpectError::Ended {
                        how,
                        received: self.received.clone(),
                    });
                }
                ReadOutcome::TimedOut if Instant::now() >= deadline => {
                    return Err(ExpectError::TimedOut {
                        received: self.received.clone(),
                        waited: timeout,
                    });
                }
                ReadOutcome::TimedOut => {
                    if is_idle() && !super::kernel_has_input(&self.stream) {
                        return Err(ExpectError::Idle {
                            received: self.received.clone(),
                            waited: started.elapsed(),
                        });
                    }
                    slice = next_slice(slice);
                }
            }
        }
    }

    /// Half-close: sends FIN, keeps reading.
    pub async fn shutdown(&mut self) -> io::Result<()> {
        self.stream.shutdown().await
    }

    /// Whether the program ends its side (FIN or RST) within `grace`: what arrives meanwhile
    /// is kept.
    pub async fn ended_within(&mut self, grace: Duration) -> bool {
        let deadline = Instant::now() + grace;
        while self.ended.is_none() && self.received.len() < MAX_BUFFERED_BYTES {
            if let ReadOutcome::TimedOut = self.read_more(deadline).await {
                break;
            }
        }
        self.ended.is_some()
    }

    /// Aborts the connection with RST (SO_LINGER 0, then close).
    pub fn reset(self) -> io::Result<()> {
        self.stream.set_zero_linger()?;
        drop(self.stream);
        Ok(())
    }
}
