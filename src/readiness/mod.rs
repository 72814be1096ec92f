//! Readiness without touching the program: [`wait_until_listening`].
//!
//! A beginner's server may `accept()` exactly once, so probing it with a connection would
//! spend its only client. Instead the grader reads the socket table of the program's network
//! namespace ([`crate::sockets`]) and waits until a socket on the spec's port is in LISTEN. The peer then connects to the exact
//! address found there. If the program ends first, that is reported at once.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::time::Instant;

use crate::plan::TcpConversation;
use crate::procfs;
use crate::verdict::Waiting;

mod idle;

use crate::program::{ProgramEnd, RunningProgram};
use crate::sandbox::Sandbox;
use crate::sockets::{SocketRow, Table, parse_proc_table};
pub use idle::{is_idle, waiting_for};

/// A socket in LISTEN state, as the kernel lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListeningSocket {
    /// The local address it is bound to (may be 0.0.0.0 or ::).
    pub local: SocketAddr,
    /// Its inode, to tell whose socket it is.
    pub inode: u64,
}

impl ListeningSocket {
    /// The address a client should connect to: the bound address, or loopback for a
    /// wildcard bind (0.0.0.0 → 127.0.0.1, :: → ::1).
    pub fn connect_address(&self) -> SocketAddr {
        let ip = match self.local.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            IpAddr::V6(ip) => ip.to_ipv4_mapped().map_or(IpAddr::V6(ip), IpAddr::V4),
            ip => ip,
        };
        SocketAddr::new(ip, self.local.port())
    }
}

/// Parses one `/proc/net/tcp`-style table and returns the sockets in LISTEN.
pub fn parse_listening(table: &str, v6: bool) -> Vec<ListeningSocket> {
    parse_proc_table(table, v6)
        .filter(SocketRow::listening)
        .map(|row| ListeningSocket {
            local: row.local,
            inode: row.inode,
        })
        .collect()
}

/// Whether the program's end of the connection from `client` (the client's local address)
/// to port `server_port` has been `accept()`ed: it then belongs to a process (inode ≠ 0).
fn accepted_in(
    mut rows: impl Iterator<Item = SocketRow>,
    server_port: u16,
    client: SocketAddr,
) -> Option<bool> {
    rows.find(|row| {
        row.local.port() == server_port
            && row.remote.port() == client.port()
            && same_ip(row.remote, client)
    })
    .map(|row| row.inode != 0)
}

fn same_ip(a: SocketAddr, b: SocketAddr) -> bool {
    let plain = |ip: IpAddr| match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    plain(a.ip()) == plain(b.ip())
}

/// Whether the program has accepted the connection whose client end is `client`.
pub fn is_accepted(sandbox: &Sandbox, pid: i32, server_port: u16, client: SocketAddr) -> bool {
    let rows = sandbox.sockets().rows(Table::TcpConnections, pid);
    accepted_in(rows.into_iter(), server_port, client).unwrap_or(false)
}

/// Whether the program still has network input to react to: one of its connections in
/// CLOSE_WAIT (the grader closed, the program has not), one still in its handshake, one the
/// grader closed whose FIN the kernel has not yet delivered (still ESTABLISHED on the
/// program's end), or bytes the grader sent still in flight on loopback (not yet
/// acknowledged).
pub fn input_pending(
    sandbox: &Sandbox,
    pid: i32,
    conversation: TcpConversation,
    closed_by_grader: &[SocketAddr],
) -> bool {
    let rows = sandbox.sockets().rows(Table::TcpConnections, pid);
    rows.iter().any(|row| {
        let program_end = conversation.is_program_end(row.local, row.remote);
        let grader_end = !row.listening() && conversation.is_grader_end(row.local, row.remote);
        (program_end && row.close_wait() && row.inode != 0)
            || (program_end && row.in_handshake())
            || (grader_end && row.unacked)
            || (program_end
                && row.established()
                && closed_by_grader.iter().any(|grader| {
                    row.remote.port() == grader.port() && same_ip(row.remote, *grader)
                }))
    })
}

/// Whether bytes the program sent to the grader are still on their way (not yet acknowledged
/// by the grader's end, so perhaps not yet readable there).
pub fn output_in_flight(sandbox: &Sandbox, pid: i32, conversation: TcpConversation) -> bool {
    let rows = sandbox.sockets().rows(Table::TcpConnections, pid);
    rows.iter()
        .any(|row| row.unacked && conversation.is_program_end(row.local, row.remote))
}

/// Waits (at most `limit`) until the program has settled: it has ended, or every close has
/// reached it and been answered with its own (see [`closes_pending`]) and all its threads
/// are blocked waiting for input — with a timeout or without (a polling loop is at rest: it
/// will not use input it has not been given), not sleeping or writing.
///
/// Used before a client connects and before the program is stopped, so the outcome does not
/// depend on whether the program or the grader was faster: a server that exits after its
/// first client has exited before the next `connect`, and what a server prints when a client
/// leaves is in the transcript every time.
pub async fn wait_until_settled(
    program: &RunningProgram,
    sandbox: &Sandbox,
    conversation: Option<TcpConversation>,
    closed_by_grader: &[SocketAddr],
    limit: Duration,
) {
    poll_until(program, limit, || {
        let processes = sandbox.program_processes(program.pid());
        let at_rest = !processes.is_empty()
            && idle::is_at_rest(&processes)
            && !eof_on_its_way(program, &processes)
            && !conversation
                .is_some_and(|tcp| input_pending(sandbox, program.pid(), tcp, closed_by_grader));
        at_rest.then_some(())
    })
    .await;
}

/// Whether the program has, right now, done all it can with its input: every process of the
/// program is blocked and no network input is on its way to it (see [`input_pending`]). A
/// program whose processes are all gone is exiting, not settled: its end comes next.
pub fn is_settled(
    program: &RunningProgram,
    sandbox: &Sandbox,
    conversation: Option<TcpConversation>,
    closed_by_grader: &[SocketAddr],
) -> bool {
    let pid = program.pid();
    // No process of the program left, but its end not yet seen: it is exiting right now.
    let processes = sandbox.program_processes(pid);
    !processes.is_empty()
        && is_idle(&processes)
        && !eof_on_its_way(program, &processes)
        && !conversation.is_some_and(|tcp| input_pending(sandbox, pid, tcp, closed_by_grader))
}

/// Whether the grader closed the program's stdin and the program still waits reading it: the
/// end of input is on its way (a process forked meanwhile by the grader for another test may
/// hold the pipe's write end for a moment, until its `exec`), not "waiting for input".
fn eof_on_its_way(program: &RunningProgram, processes: &[i32]) -> bool {
    program.input_closed() && idle::reads_stdin(processes)
}

/// Waits until `program` has bound UDP `port`, it ends, it is idle without having bound it,
/// or `limit` passes.
pub async fn wait_until_bound(
    program: &RunningProgram,
    sandbox: &Sandbox,
    port: u16,
    limit: Duration,
    shared_table: bool,
) -> Result<SocketAddr, NotListening> {
    let bound = || {
        let mut rows = sandbox.sockets().rows(Table::Udp, program.pid());
        if shared_table {
            let owned = socket_inodes_of_group(program.pid());
            rows.retain(|row| owned.contains(&row.inode));
        }
        rows.into_iter().map(|row| row.local).collect::<Vec<_>>()
    };
    let started = Instant::now();
    let found = poll_until(program, limit, || {
        look_unless_idle(program, sandbox, || {
            bound().into_iter().find(|local| local.port() == port)
        })
    })
    .await;
    match (found, program.ended()) {
        (Some(Look::Found(local)), _) => Ok(local),
        (_, Some(end)) => Err(NotListening::Ended(end)),
        (look, None) => Err(NotListening::TimedOut {
            waited: started.elapsed(),
            elsewhere: bound(),
            waiting: matches!(look, Some(Look::Idle))
                .then(|| waiting_for(&sandbox.program_processes(program.pid()))),
        }),
    }
}

/// Waits until the program accepts the connection of `client`, it ends, it is idle without
/// having accepted it, or `limit` passes. Returns whether it was accepted.
pub async fn wait_until_accepted(
    program: &RunningProgram,
    sandbox: &Sandbox,
    conversation: TcpConversation,
    closed_by_grader: &[SocketAddr],
    client: SocketAddr,
    limit: Duration,
) -> bool {
    let TcpConversation::ProgramListens(server_port) = conversation else {
        return false;
    };
    let accepted = || is_accepted(sandbox, program.pid(), server_port, client);
    poll_until(program, limit, || {
        if accepted() {
            return Some(true);
        }
        // Idle with the connection still queued: nothing will accept it before the grader
        // gives more input (an iterative server busy with another client). Looked at again
        // after the idle check, in case it was accepted in between.
        is_settled(program, sandbox, Some(conversation), closed_by_grader).then(&accepted)
    })
    .await
    .unwrap_or(false)
}

/// Every TCP socket in LISTEN in the run's network namespace.
pub fn listening_sockets(sandbox: &Sandbox, pid: i32) -> Vec<ListeningSocket> {
    sandbox
        .sockets()
        .rows(Table::TcpListening, pid)
        .into_iter()
        .filter(SocketRow::listening)
        .map(|row| ListeningSocket {
            local: row.local,
            inode: row.inode,
        })
        .collect()
}

/// Socket inodes held by any process in process group `group` (for the host-loopback mode,
/// where the table also lists other programs' sockets).
pub fn socket_inodes_of_group(group: i32) -> Vec<u64> {
    procfs::process_group_members(group)
        .into_iter()
        .flat_map(procfs::socket_inodes)
        .collect()
}

/// Why the program did not become ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotListening {
    /// The program ended before it listened.
    Ended(ProgramEnd),
    /// Time ran out, or the program went idle (waiting for input) without it. `elsewhere`
    /// lists the addresses it does listen on (a wrong port).
    TimedOut {
        /// How long the grader waited.
        waited: Duration,
        /// Other listening addresses of the program, if any.
        elsewhere: Vec<SocketAddr>,
        /// The program is idle: it waits for input (a connection elsewhere, stdin) and will
        /// not open the port without it; what it waits for.
        waiting: Option<Waiting>,
    },
}

/// What a readiness look found: the thing waited for, or a program that is idle without it
/// (it waits for input, so it will not get there by itself).
enum Look<T> {
    Found(T),
    Idle,
}

/// One readiness look: `found`, or [`Look::Idle`] when the program is idle (checked first, so
/// what it did just before going idle is seen by the second look).
fn look_unless_idle<T>(
    program: &RunningProgram,
    sandbox: &Sandbox,
    mut find: impl FnMut() -> Option<T>,
) -> Option<Look<T>> {
    if let Some(found) = find() {
        return Some(Look::Found(found));
    }
    if is_settled(program, sandbox, None, &[]) {
        return Some(find().map_or(Look::Idle, Look::Found));
    }
    None
}

/// How often the grader looks again at what it waits for. The kernel offers no event for "a
/// socket started listening" or "the program is blocked", so these waits poll: quickly at
/// first (programs usually get there within milliseconds), then backing off to 20 ms so a
/// slow program does not cost CPU.
struct PollSchedule {
    looks: u32,
}

impl PollSchedule {
    fn new() -> Self {
        PollSchedule { looks: 0 }
    }

    fn next(&mut self) -> Duration {
        self.looks += 1;
        match self.looks {
            0..=20 => Duration::from_micros(500),
            21..=40 => Duration::from_millis(2),
            _ => Duration::from_millis(20),
        }
    }
}

/// Waits until `program` listens on TCP `port`, it ends, it is idle without listening there,
/// or `limit` passes.
///
/// `shared_table` says the table is the machine's (host loopback), so only sockets held by
/// the program's process group count.
pub async fn wait_until_listening(
    program: &RunningProgram,
    sandbox: &Sandbox,
    port: u16,
    limit: Duration,
    shared_table: bool,
) -> Result<ListeningSocket, NotListening> {
    let started = Instant::now();
    let found = poll_until(program, limit, || {
        look_unless_idle(program, sandbox, || {
            owned_listening(sandbox, program.pid(), shared_table)
                .into_iter()
                .find(|s| s.local.port() == port)
        })
    })
    .await;
    match (found, program.ended()) {
        (Some(Look::Found(socket)), _) => Ok(socket),
        (_, Some(end)) => Err(NotListening::Ended(end)),
        (look, None) => Err(NotListening::TimedOut {
            waited: started.elapsed(),
            elsewhere: owned_listening(sandbox, program.pid(), shared_table)
                .iter()
                .map(|s| s.local)
                .collect(),
            waiting: matches!(look, Some(Look::Idle))
                .then(|| waiting_for(&sandbox.program_processes(program.pid()))),
        }),
    }
}

/// Waits until `holds` is true, the program ends, or `limit` passes.
pub async fn wait_until(
    program: &RunningProgram,
    limit: Duration,
    mut holds: impl FnMut() -> bool,
) {
    poll_until(program, limit, || holds().then_some(())).await;
}

/// Looks with `look` until it finds something, the program ends, or `limit` passes; `None`
/// for the last two. The kernel offers no event for these conditions, so this polls on the
/// [`PollSchedule`], waking at once when the program ends.
async fn poll_until<T>(
    program: &RunningProgram,
    limit: Duration,
    mut look: impl FnMut() -> Option<T>,
) -> Option<T> {
    let deadline = Instant::now() + limit;
    let mut schedule = PollSchedule::new();
    loop {
        if let Some(found) = look() {
            return Some(found);
        }
        if program.ended().is_some() || Instant::now() >= deadline {
            return None;
        }
        tokio::select! {
            _ = tokio::time::sleep(schedule.next().min(deadline - Instant::now())) => {}
            _ = program.ended_signal() => {}
        }
    }
}

fn owned_listening(sandbox: &Sandbox, pid: i32, shared_table: bool) -> Vec<ListeningSocket> {
    let mut sockets = listening_sockets(sandbox, pid);
    if shared_table {
        let owned = socket_inodes_of_group(pid);
        sockets.retain(|s| owned.contains(&s.inode));
    }
    sockets
}

#[cfg(test)]
mod tests {
    use super::*;

    const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:22B8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41234 1 0000000000000000 100 0 0 10 0
   1: 0100007F:22B8 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 41240 1 0000000000000000 20 4 30 10 -1
   2: 00000000:270F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41235 1 0000000000000000 100 0 0 10 0
";

    #[test]
    fn listening_sockets_are_parsed_and_others_skipped() {
        let sockets = parse_listening(TCP, false);
        assert_eq!(
            sockets,
            vec![
                ListeningSocket {
                    local: "127.0.0.1:8888".parse().unwrap(),
                    inode: 41234
                },
                ListeningSocket {
                    local: "0.0.0.0:9999".parse().unwrap(),
                    inode: 41235
                },
            ]
        );
    }

    #[test]
    fn a_connection_is_accepted_once_a_process_holds_it() {
        let table = "header
   0: 0100007F:22B8 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 0 1
   1: 0100007F:22B8 0100007F:D2F1 01 00000000:00000000 00:00000000 00000000     0        0 5150 1
";
        let queued: SocketAddr = "127.0.0.1:54000".parse().unwrap();
        let served: SocketAddr = "127.0.0.1:54001".parse().unwrap();
        assert_eq!(
            accepted_in(parse_proc_table(table, false), 8888, queued),
            Some(false)
        );
        assert_eq!(
            accepted_in(parse_proc_table(table, false), 8888, served),
            Some(true)
        );
        let unknown: SocketAddr = "127.0.0.1:54002".parse().unwrap();
        assert_eq!(
            accepted_in(parse_proc_table(table, false), 8888, unknown),
            None
        );
    }

    #[test]
    fn wildcard_binds_are_reached_through_loopback() {
        let any = ListeningSocket {
            local: "0.0.0.0:8888".parse().unwrap(),
            inode: 1,
        };
        assert_eq!(any.connect_address(), "127.0.0.1:8888".parse().unwrap());
        let host = ListeningSocket {
            local: "127.0.1.1:8888".parse().unwrap(),
            inode: 1,
        };
        assert_eq!(host.connect_address(), "127.0.1.1:8888".parse().unwrap());
    }

    #[test]
    fn ipv6_addresses_are_decoded() {
        let table = "header\n   0: 00000000000000000000000001000000:22B8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1\n";
        let sockets = parse_listening(table, true);
        assert_eq!(sockets[0].local, "[::1]:8888".parse().unwrap());
        let any = "header\n   0: 00000000000000000000000000000000:22B8 00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 778 1\n";
        let sockets = parse_listening(any, true);
        assert_eq!(sockets[0].connect_address(), "[::1]:8888".parse().unwrap());
    }
}
