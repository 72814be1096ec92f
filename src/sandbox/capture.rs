//! Capturing a run's traffic: [`Sandbox::start_capture`] records every frame on the loopback
//! of the run's own network namespace while the test runs; [`Capture::stop`] hands back the
//! TCP segments and UDP datagrams as [`Packet`]s (relative sequence numbers, times since the
//! program started) and, on request, the frames for a pcap file ([`Captured::write_pcap`]).
//!
//! A thread of its own joins the run's namespace, opens an `AF_PACKET` socket bound to `lo`
//! (all protocols) and reads it as frames arrive, off the runtime's threads. The test never
//! waits on that thread: stopping reads what is still queued itself, under the lock the thread
//! takes for each frame (so the order stays the kernel's), and tells the thread to end; the
//! socket is closed away from the test too (closing a packet socket waits for an RCU grace
//! period, about 10 ms).
//!
//! Each frame on `lo` is handed to packet sockets twice, once as sent (`PACKET_OUTGOING`) and
//! once as received: the sent copy is skipped, in the kernel where it can
//! (`PACKET_IGNORE_OUTGOING`, Linux 4.20) and by its `sll_pkttype` otherwise, so each segment
//! is kept exactly once, as tcpdump shows it. Memory is bounded: at most [`MAX_FRAMES`] frames,
//! and of each only the first [`SNAP_LEN`] bytes (the headers), kept only when a pcap file is
//! wanted. Times are the kernel's (`SO_TIMESTAMPNS`), so a thread scheduled late does not shift
//! them.
//!
//! On the host loopback (no namespace of the run's own) nothing is captured: the machine's
//! other traffic is not the grader's to record.

mod frames;
mod pcap;

use std::io;
use std::mem::{size_of, size_of_val};
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use rustix::thread::LinkNameSpaceType;

use super::Sandbox;
use crate::wire::{Packet, PacketKind};
use frames::{Conversations, decode};
use pcap::Frame;

/// Most frames kept per test; later ones are not recorded (see [`Captured::full`]).
pub const MAX_FRAMES: usize = 10_000;
/// Bytes kept of each frame: every header, and the start of the payload in pcap files.
pub const SNAP_LEN: usize = 256;
/// Longest a capture runs when it is never stopped nor dropped.
const MAX_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// Longest single wait for a frame (then the lifetime is checked).
const POLL_WAIT_MS: i32 = 1000;
/// Wake-ups of the capture thread at most (frames, stops and timeouts together).
const MAX_PASSES: usize = 4 * MAX_FRAMES + 4000;
/// Frames read in a row before looking for the stop again.
const BATCH: usize = 256;
/// Receive buffer asked for: frames wait there while the thread is not scheduled.
const RECEIVE_BUFFER: libc::c_int = 4 << 20;
/// A kernel time further than this from the clock is not believed (the clock is used).
const CLOCK_TRUST: Duration = Duration::from_secs(60);

/// A capture in progress. Dropping it stops it too (and its frames are lost).
#[derive(Debug)]
pub struct Capture {
    /// The socket and what was recorded, shared with the capture thread.
    shared: Option<Arc<Shared>>,
    /// Write end of the pipe the thread watches: closing it tells the thread to end.
    stop: Option<OwnedFd>,
}

/// What the capture thread and the test share.
#[derive(Debug)]
struct Shared {
    socket: OwnedFd,
    /// Taken for each frame read, by the thread or by [`Capture::stop`].
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    recording: Recording,
    conversations: Conversations,
    /// The capture was stopped: nothing more is recorded.
    stopped: bool,
}

/// What a capture saw.
#[derive(Debug, Default)]
pub struct Captured {
    /// The TCP segments and UDP datagrams, in the order the kernel handed them over.
    pub packets: Vec<Packet>,
    /// Frames the kernel dropped because the capture's receive buffer was full.
    pub dropped: u64,
    /// [`MAX_FRAMES`] were reached: later frames are not recorded.
    pub full: bool,
    /// Every frame (also ARP, ICMP, …), its first [`SNAP_LEN`] bytes, when they were kept.
    frames: Vec<Frame>,
}

impl Captured {
    /// Writes the frames as a classic pcap file (link type Ethernet) that Wireshark and
    /// tshark open; its folder is created when missing.
    pub fn write_pcap(&self, path: &Path) -> io::Result<()> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut bytes = Vec::with_capacity(24 + self.frames.len() * (16 + SNAP_LEN));
        pcap::write(&mut bytes, SNAP_LEN as u32, &self.frames)?;
        std::fs::write(path, bytes)
    }
}

/// What was recorded so far, times still absolute.
#[derive(Debug, Default)]
struct Recording {
    packets: Vec<(SystemTime, SocketAddr, SocketAddr, PacketKind)>,
    frames: Vec<Frame>,
    /// Frames recorded (kept or not).
    count: usize,
    keep_frames: bool,
    full: bool,
}

impl Recording {
    fn into_captured(self, program_started: SystemTime) -> Captured {
        Captured {
            packets: self
                .packets
                .into_iter()
                .map(|(time, from, to, kind)| Packet {
                    at: time.duration_since(program_started).unwrap_or_default(),
                    from,
                    to,
                    kind,
                })
                .collect(),
            dropped: 0,
            full: self.full,
            frames: self.frames,
        }
    }
}

impl Sandbox {
    /// Starts capturing the run's loopback: before the program starts, so its first SYN is
    /// seen. `Ok(None)` on the host loopback. With `keep_frames`, the frames' first bytes are
    /// kept for [`Captured::write_pcap`].
    pub fn start_capture(&self, keep_frames: bool) -> io::Result<Option<Capture>> {
        let Some(netns) = &self.netns else {
            return Ok(None);
        };
        let netns = netns.as_fd().try_clone_to_owned()?;
        let (watch, stop) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)?;
        let (ready, opened) = std::sync::mpsc::sync_channel::<io::Result<Arc<Shared>>>(1);
        std::thread::Builder::new()
            .name("netgrade-capture".into())
            .spawn(move || {
                let socket = rustix::thread::move_into_link_name_space(
                    netns.as_fd(),
                    Some(LinkNameSpaceType::Network),
                )
                .map_err(io::Error::from)
                .and_then(|()| open_socket());
                drop(netns);
                let shared = match socket {
                    Ok(socket) => Arc::new(Shared {
                        socket,
                        state: Mutex::new(State {
                            recording: Recording {
                                keep_frames,
                                ..Recording::default()
                            },
                            ..State::default()
                        }),
                    }),
                    Err(error) => {
                        let _ = ready.send(Err(error));
                        return;
                    }
                };
                if ready.send(Ok(Arc::clone(&shared))).is_ok() {
                    record(&shared, &watch);
                }
            })?;
        let shared = opened
            .recv()
            .map_err(|_| io::Error::other("the capture thread ended before capturing"))??;
        Ok(Some(Capture {
            shared: Some(shared),
            stop: Some(stop),
        }))
    }
}

impl Capture {
    /// Stops the capture and returns what it saw, the frames the kernel still held included;
    /// packet times count from `program_started`. It reads those frames itself rather than
    /// wait for the capture thread.
    pub fn stop(mut self, program_started: SystemTime) -> Captured {
        let Some(shared) = self.shared.take() else {
            return Captured::default();
        };
        let recording = {
            let mut state = lock(&shared.state);
            if !state.stopped {
                drain(&shared.socket, &mut state, MAX_FRAMES);
            }
            state.stopped = true;
            std::mem::take(&mut state.recording)
        };
        let dropped = dropped(&shared.socket);
        self.stop = None;
        release(shared);
        Captured {
            dropped,
            ..recording.into_captured(program_started)
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            lock(&shared.state).stopped = true;
            self.stop = None;
            release(shared);
        }
    }
}

/// The state, even if a thread panicked while holding it (it is only data).
fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Lets go of the test's hold on the socket away from the caller's thread: whoever lets go
/// last closes it, which waits for an RCU grace period.
fn release(shared: Arc<Shared>) {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.spawn_blocking(move || drop(shared));
        }
        Err(_) => drop(shared),
    }
}

/// An `AF_PACKET` socket that receives every frame on `lo` of the calling thread's network
/// namespace.
fn open_socket() -> io::Result<OwnedFd> {
    let all = (libc::ETH_P_ALL as u16).to_be();
    // SAFETY: plain socket calls; the descriptor is owned at once and closed on every path.
    let socket = unsafe {
        // Protocol 0 receives nothing until bound: no frame of another interface slips in.
        let raw = libc::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 0);
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        OwnedFd::from_raw_fd(raw)
    };
    // Best effort: without it, sent copies are skipped by their packet type below.
    let _ = set_option(&socket, libc::SOL_PACKET, libc::PACKET_IGNORE_OUTGOING, 1);
    // Without kernel times, the time of reading is used.
    let _ = set_option(&socket, libc::SOL_SOCKET, libc::SO_TIMESTAMPNS, 1);
    if set_option(
        &socket,
        libc::SOL_SOCKET,
        libc::SO_RCVBUFFORCE,
        RECEIVE_BUFFER,
    )
    .is_err()
    {
        let _ = set_option(&socket, libc::SOL_SOCKET, libc::SO_RCVBUF, RECEIVE_BUFFER);
    }
    // SAFETY: a NUL-terminated name.
    let index = unsafe { libc::if_nametoindex(c"lo".as_ptr()) };
    if index == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a zeroed sockaddr_ll is valid; bind reads exactly its size.
    unsafe {
        let mut address: libc::sockaddr_ll = std::mem::zeroed();
        address.sll_family = libc::AF_PACKET as u16;
        address.sll_protocol = all;
        address.sll_ifindex = i32::try_from(index).map_err(io::Error::other)?;
        let bound = libc::bind(
            socket.as_raw_fd(),
            (&raw const address).cast(),
            size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        );
        if bound < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(socket)
}

fn set_option(
    socket: &OwnedFd,
    level: libc::c_int,
    name: libc::c_int,
    value: libc::c_int,
) -> io::Result<()> {
    // SAFETY: the option value is a c_int that lives across the call.
    let done = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            level,
            name,
            (&raw const value).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if done < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Reads frames as they come until `watch` says stop (its write end closed), the capture is
/// stopped or full, the socket fails or [`MAX_LIFETIME`] has passed.
fn record(shared: &Shared, watch: &OwnedFd) {
    let started = Instant::now();
    for _ in 0..MAX_PASSES {
        let mut polled = [
            libc::pollfd {
                fd: shared.socket.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: watch.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: two valid pollfd structures, their count given.
        let ready = unsafe { libc::poll(polled.as_mut_ptr(), 2, POLL_WAIT_MS) };
        if ready < 0 && io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return;
        }
        if polled[1].revents != 0 || started.elapsed() > MAX_LIFETIME {
            return;
        }
        if polled[0].revents != 0 {
            // One frame per hold of the lock: a stop never waits for more than one.
            for _ in 0..BATCH {
                let mut state = lock(&shared.state);
                if state.stopped {
                    return;
                }
                match drain(&shared.socket, &mut state, 1) {
                    Drained::More => {}
                    Drained::Empty => break,
                    Drained::Done => return,
                }
            }
        }
    }
}

/// How a [`drain`] ended.
enum Drained {
    /// It read its limit: there may be more.
    More,
    /// Nothing more is queued.
    Empty,
    /// The socket failed or the capture is full: nothing more is read.
    Done,
}

/// Reads and records up to `limit` queued frames.
fn drain(socket: &OwnedFd, state: &mut State, limit: usize) -> Drained {
    let mut buffer = [0u8; SNAP_LEN];
    let State {
        recording,
        conversations,
        ..
    } = state;
    for _ in 0..limit {
        if recording.count >= MAX_FRAMES {
            recording.full = true;
            return Drained::Done;
        }
        let received = match receive(socket, &mut buffer) {
            Ok(Some(received)) => received,
            Ok(None) => return Drained::Empty,
            Err(_) => return Drained::Done,
        };
        if received.outgoing {
            continue;
        }
        recording.count += 1;
        let bytes = &buffer[..received.kept];
        if let Some(segment) = decode(bytes, received.wire_len) {
            let kind = conversations.relative(&segment);
            recording
                .packets
                .push((received.time, segment.from, segment.to, kind));
        }
        if recording.keep_frames {
            recording.frames.push(Frame {
                time: received.time,
                wire_len: u32::try_from(received.wire_len).unwrap_or(u32::MAX),
                bytes: bytes.to_vec(),
            });
        }
    }
    Drained::More
}

/// One frame as read.
struct Received {
    /// Bytes of it in the buffer.
    kept: usize,
    /// Its whole length.
    wire_len: usize,
    /// The sent copy of a frame (its received copy comes too).
    outgoing: bool,
    time: SystemTime,
}

/// Reads one frame without waiting (`None`: nothing queued).
fn receive(socket: &OwnedFd, buffer: &mut [u8; SNAP_LEN]) -> io::Result<Option<Received>> {
    // Room for the timestamp message (and any other), aligned for cmsghdr.
    let mut control = [0u64; 16];
    // SAFETY: zeroed sockaddr_ll and msghdr are valid; every pointer in the msghdr points
    // to a local that outlives the call, with its true size; control messages are read only
    // within `msg_controllen` through the CMSG macros, and their data with an unaligned read.
    unsafe {
        let mut address: libc::sockaddr_ll = std::mem::zeroed();
        let mut part = libc::iovec {
            iov_base: buffer.as_mut_ptr().cast(),
            iov_len: buffer.len(),
        };
        let mut message: libc::msghdr = std::mem::zeroed();
        message.msg_name = (&raw mut address).cast();
        message.msg_namelen = size_of::<libc::sockaddr_ll>() as libc::socklen_t;
        message.msg_iov = &raw mut part;
        message.msg_iovlen = 1;
        message.msg_control = control.as_mut_ptr().cast();
        message.msg_controllen = size_of_val(&control) as _;
        // MSG_TRUNC: the frame's whole length is returned, even though only a part is copied.
        let length = libc::recvmsg(
            socket.as_raw_fd(),
            &mut message,
            libc::MSG_DONTWAIT | libc::MSG_TRUNC,
        );
        if length < 0 {
            let error = io::Error::last_os_error();
            return match error.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => Ok(None),
                _ => Err(error),
            };
        }
        let wire_len = usize::try_from(length).unwrap_or_default();
        let mut stamp = None;
        let mut header = libc::CMSG_FIRSTHDR(&message);
        for _ in 0..8 {
            if header.is_null() {
                break;
            }
            if (*header).cmsg_level == libc::SOL_SOCKET
                && (*header).cmsg_type == libc::SCM_TIMESTAMPNS
            {
                let time: libc::timespec = std::ptr::read_unaligned(libc::CMSG_DATA(header).cast());
                stamp = kernel_time(time);
            }
            header = libc::CMSG_NXTHDR(&message, header);
        }
        let now = SystemTime::now();
        let believable = |time: &SystemTime| match time.duration_since(now) {
            Ok(ahead) => ahead < CLOCK_TRUST,
            Err(behind) => behind.duration() < CLOCK_TRUST,
        };
        Ok(Some(Received {
            kept: wire_len.min(buffer.len()),
            wire_len,
            outgoing: address.sll_pkttype == libc::PACKET_OUTGOING,
            time: stamp.filter(believable).unwrap_or(now),
        }))
    }
}

/// A `timespec` from the kernel as a time, if it is one.
fn kernel_time(time: libc::timespec) -> Option<SystemTime> {
    let seconds = u64::try_from(time.tv_sec).ok()?;
    let nanos = u32::try_from(time.tv_nsec)
        .ok()
        .filter(|n| *n < 1_000_000_000)?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::new(seconds, nanos))
}

/// Frames the kernel dropped for this socket (its receive buffer was full).
fn dropped(socket: &OwnedFd) -> u64 {
    // SAFETY: tpacket_stats is plain data; getsockopt writes at most `length` bytes.
    unsafe {
        let mut stats: libc::tpacket_stats = std::mem::zeroed();
        let mut length = size_of::<libc::tpacket_stats>() as libc::socklen_t;
        let read = libc::getsockopt(
            socket.as_raw_fd(),
            libc::SOL_PACKET,
            libc::PACKET_STATISTICS,
            (&raw mut stats).cast(),
            &mut length,
        );
        if read < 0 {
            0
        } else {
            u64::from(stats.tp_drops)
        }
    }
}
