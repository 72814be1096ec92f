//! The program's output streams: read as they arrive ([`OutputReader`]), captured for the
//! report with a cap ([`CapturedOutput`]), and kept unmatched for `expect_output` steps.

use std::io;
use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// Bytes kept from the start of each output stream.
pub const OUTPUT_HEAD_BYTES: usize = 48 * 1024;
/// Bytes kept from the end of each output stream (a traceback is at the end).
pub const OUTPUT_TAIL_BYTES: usize = 16 * 1024;

/// What a program wrote to one stream, capped: the head and the tail are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CapturedOutput {
    head: Vec<u8>,
    tail: std::collections::VecDeque<u8>,
    total: u64,
}

impl CapturedOutput {
    fn push(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len() as u64;
        let room = OUTPUT_HEAD_BYTES.saturating_sub(self.head.len());
        let into_head = room.min(bytes.len());
        self.head.extend_from_slice(&bytes[..into_head]);
        bytes = &bytes[into_head..];
        if bytes.len() >= OUTPUT_TAIL_BYTES {
            self.tail.clear();
            bytes = &bytes[bytes.len() - OUTPUT_TAIL_BYTES..];
        }
        let overflow = (self.tail.len() + bytes.len()).saturating_sub(OUTPUT_TAIL_BYTES);
        self.tail.drain(..overflow);
        self.tail.extend(bytes);
    }

    /// Total bytes the program wrote, kept or not.
    pub fn total_bytes(&self) -> u64 {
        self.total
    }

    /// Bytes written but not kept (between head and tail).
    pub fn cut_bytes(&self) -> u64 {
        self.total - (self.head.len() + self.tail.len()) as u64
    }

    /// The kept text, lossily decoded, with a marker where bytes were cut.
    pub fn text(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.head).into_owned();
        if self.cut_bytes() > 0 {
            let kept = (OUTPUT_HEAD_BYTES + OUTPUT_TAIL_BYTES) / 1024;
            text.push_str(&format!(
                "\n[… output cut: {} bytes not kept; netgrade keeps {kept} KiB per stream …]\n",
                self.cut_bytes()
            ));
        }
        let (front, back) = self.tail.as_slices();
        text.push_str(&String::from_utf8_lossy(&[front, back].concat()));
        text
    }

    /// Whether the program wrote nothing.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

/// One output stream of the program, read as it arrives: everything is captured (capped) for
/// the report, and what no `expect_output` step has consumed yet is kept for matching.
///
/// Reads are non-blocking and happen under the stream's lock, both in the background task and
/// in [`OutputReader::catch_up`]: once the program is idle, `catch_up` therefore sees every
/// byte it wrote — no read can be "in flight" between the pipe and the buffer.
pub(super) struct OutputReader {
    pub(super) state: Arc<Mutex<OutputState>>,
    pipe: Option<Arc<AsyncFd<OwnedFd>>>,
    pub(super) arrived: Arc<Notify>,
    task: JoinHandle<()>,
}

/// Bytes of not-yet-matched output kept for `expect_output` (at least; older ones are dropped
/// once twice as many have piled up).
pub const UNMATCHED_OUTPUT_BYTES: usize = 1024 * 1024;

#[derive(Default)]
pub(super) struct OutputState {
    captured: CapturedOutput,
    pub(super) unmatched: Vec<u8>,
    /// Bytes dropped from the front of `unmatched` by its cap, in all.
    pub(super) dropped: u64,
    pub(super) ended: bool,
}

impl OutputState {
    fn push(&mut self, bytes: &[u8]) {
        self.captured.push(bytes);
        self.unmatched.extend_from_slice(bytes);
        // Trim only past twice the cap, so a flood costs amortised constant time per byte.
        if self.unmatched.len() > 2 * UNMATCHED_OUTPUT_BYTES {
            let excess = self.unmatched.len() - UNMATCHED_OUTPUT_BYTES;
            self.unmatched.drain(..excess);
            self.dropped += excess as u64;
        }
    }
}

/// Reads what the pipe holds now, without blocking: `Ok(true)` at end of file, `Ok(false)`
/// after a bounded amount (a program writing without pause must not hold the lock forever),
/// `WouldBlock` once the pipe is empty.
fn read_available(pipe: &OwnedFd, state: &mut OutputState) -> io::Result<bool> {
    let mut buffer = [0u8; 16 * 1024];
    for _ in 0..64 {
        match rustix::io::read(pipe, &mut buffer) {
            Ok(0) => {
                state.ended = true;
                return Ok(true);
            }
            Ok(n) => state.push(&buffer[..n]),
            Err(rustix::io::Errno::INTR) => continue,
            Err(error) => return Err(error.into()),
        }
    }
    Ok(false)
}

/// Reads whatever `pipe` holds right now into `state`, under its lock.
fn catch_up(pipe: Option<&AsyncFd<OwnedFd>>, state: &Mutex<OutputState>) {
    if let Some(pipe) = pipe {
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        if !state.ended {
            let _ = read_available(pipe.get_ref(), &mut state);
        }
    }
}

impl OutputReader {
    pub(super) fn start(pipe: io::Result<OwnedFd>) -> OutputReader {
        let state = Arc::new(Mutex::new(OutputState::default()));
        let arrived = Arc::new(Notify::new());
        let pipe = pipe
            .and_then(|fd| {
                rustix::io::ioctl_fionbio(&fd, true)?;
                // SAFETY: the `OwnedFd` owns the descriptor and moves into the `AsyncFd`, so it
                // stays open and the same for the `AsyncFd`'s whole life.
                unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }
                    .map_err(|error| io::Error::other(error.to_string()))
            })
            .map(Arc::new)
            .ok();
        let task = {
            let (state, arrived, pipe) = (Arc::clone(&state), Arc::clone(&arrived), pipe.clone());
            tokio::spawn(async move {
                let Some(pipe) = pipe else { return };
                loop {
                    let Ok(mut ready) = pipe.readable().await else {
                        break;
                    };
                    let outcome = {
                        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
                        read_available(pipe.get_ref(), &mut state)
                    };
                    arrived.notify_waiters();
                    match outcome {
                        Ok(true) => break,
                        Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                            ready.clear_ready();
                        }
                        // More is waiting: let other tasks run before reading on.
                        Ok(false) => tokio::task::yield_now().await,
                        Err(_) => break,
                    }
                }
                state.lock().unwrap_or_else(PoisonError::into_inner).ended = true;
                arrived.notify_waiters();
            })
        };
        OutputReader {
            state,
            pipe,
            arrived,
            task,
        }
    }

    /// Reads whatever the pipe holds right now into the buffer.
    pub(super) fn catch_up(&self) {
        catch_up(self.pipe.as_deref(), &self.state);
    }

    /// Waits up to `limit` for the stream to reach end of file, then returns what was captured.
    /// A process that escaped the group may still hold the pipe open; it is not waited for.
    pub(super) async fn finish(self, limit: Duration) -> CapturedOutput {
        let OutputReader {
            state,
            pipe,
            task: mut reading,
            ..
        } = self;
        if tokio::time::timeout(limit, &mut reading).await.is_err() {
            reading.abort();
        }
        catch_up(pipe.as_deref(), &state);
        state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .captured
            .clone()
    }
}

/// Which output stream of the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputStream {
    /// Standard output (`print`).
    Stdout,
    /// Standard error (tracebacks).
    Stderr,
}

impl OutputStream {
    /// `stdout` or `stderr`.
    pub fn name(self) -> &'static str {
        match self {
            OutputStream::Stdout => "stdout",
            OutputStream::Stderr => "stderr",
        }
    }
}

/// What a program has written to one stream and no step has matched yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmatchedOutput {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Whether the stream has ended (the program closed it or exited).
    pub ended: bool,
    /// Bytes dropped unmatched from the front so far (a program printing more than
    /// [`UNMATCHED_OUTPUT_BYTES`] that no step matched): offsets into `bytes` shift by this.
    pub dropped: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_keeps_head_and_tail_and_counts_the_rest() {
        let mut out = CapturedOutput::default();
        out.push(&vec![b'a'; OUTPUT_HEAD_BYTES]);
        out.push(&vec![b'b'; 100_000]);
        out.push(b"Traceback: the end");
        assert_eq!(out.total_bytes(), (OUTPUT_HEAD_BYTES + 100_000 + 18) as u64);
        let text = out.text();
        assert!(text.starts_with("aaaa"));
        assert!(text.ends_with("Traceback: the end"));
        assert!(text.contains("output cut"));
        assert_eq!(
            out.cut_bytes(),
            out.total_bytes() - (OUTPUT_HEAD_BYTES + OUTPUT_TAIL_BYTES) as u64
        );
    }

    #[test]
    fn small_output_is_kept_whole() {
        let mut out = CapturedOutput::default();
        out.push(b"hello\n");
        out.push(b"world\n");
        assert_eq!(out.text(), "hello\nworld\n");
        assert_eq!(out.cut_bytes(), 0);
    }
}
