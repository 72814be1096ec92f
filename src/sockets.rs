//! The run's socket table: every TCP or UDP socket in the run's network namespace, as the
//! kernel lists it ([`SocketTable::rows`]).
//!
//! The table is read through NETLINK_SOCK_DIAG, what `ss` uses: a netlink socket opened inside
//! the namespace answers for that namespace in tens of microseconds. Where such a socket cannot
//! be opened, `/proc/<pid>/net/{tcp,tcp6,udp,udp6}` gives the same rows, at a few milliseconds
//! per read (the kernel walks its whole hash table for every read, even of an empty one).

use std::fs;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Mutex, PoisonError};

use netlink_packet_core::{
    NLM_F_DUMP, NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload,
};
use netlink_packet_sock_diag::SockDiagMessage;
use netlink_packet_sock_diag::constants::{AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP};
use netlink_packet_sock_diag::inet::{ExtensionFlags, InetRequest, SocketId, StateFlags};
use netlink_sys::protocols::NETLINK_SOCK_DIAG;

/// Which sockets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// TCP sockets in LISTEN. (Asking for these walks the kernel's listening hash, which all
    /// namespaces share: only readiness asks, while the program starts.)
    TcpListening,
    /// Every other TCP socket: connections, including those in their handshake or closing.
    /// Their hash table is the run's own (see `sandbox::netns`), so this look is cheap.
    TcpConnections,
    /// UDP sockets.
    Udp,
}

impl Table {
    fn is_tcp(self) -> bool {
        self != Table::Udp
    }

    /// The states asked for: one bit per state number.
    fn states(self) -> u32 {
        let listen = 1 << TCP_LISTEN;
        match self {
            Table::TcpListening => listen,
            Table::TcpConnections => !listen,
            Table::Udp => u32::MAX,
        }
    }

    /// Whether a row of the `/proc` tables belongs to this table.
    fn holds(self, row: &SocketRow) -> bool {
        match self {
            Table::TcpListening => row.listening(),
            Table::TcpConnections => !row.listening(),
            Table::Udp => true,
        }
    }
}

/// TCP states, as the kernel numbers them.
const TCP_ESTABLISHED: u8 = 1;
const TCP_SYN_RECV: u8 = 3;
const TCP_NEW_SYN_RECV: u8 = 12;
const TCP_CLOSE_WAIT: u8 = 8;
const TCP_LISTEN: u8 = 10;

/// One socket of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketRow {
    /// Its local address.
    pub local: SocketAddr,
    /// Its peer's address (unspecified when not connected).
    pub remote: SocketAddr,
    /// The kernel's state number (TCP states; 7 for an unconnected UDP socket).
    pub state: u8,
    /// 0 for a connection still waiting in a listen backlog (no process holds it yet).
    pub inode: u64,
    /// Bytes sent on this socket and not yet acknowledged by the other side (in flight).
    pub unacked: bool,
}

impl SocketRow {
    /// A TCP socket in LISTEN.
    pub fn listening(&self) -> bool {
        self.state == TCP_LISTEN
    }

    /// The peer closed and the owner has not called close() yet.
    pub fn close_wait(&self) -> bool {
        self.state == TCP_CLOSE_WAIT
    }

    /// Open both ways (a FIN from the peer has not been processed).
    pub fn established(&self) -> bool {
        self.state == TCP_ESTABLISHED
    }

    /// A connection whose handshake the listening side has not finished processing.
    pub fn in_handshake(&self) -> bool {
        matches!(self.state, TCP_SYN_RECV | TCP_NEW_SYN_RECV)
    }
}

/// Reads the socket table of one network namespace.
#[derive(Debug, Default)]
pub struct SocketTable {
    /// A NETLINK_SOCK_DIAG socket of the namespace, when one could be opened.
    diag: Option<Mutex<netlink_sys::Socket>>,
}

impl SocketTable {
    /// Opens the table of the calling thread's network namespace (call it from a thread that
    /// has joined the run's namespace). Falls back to `/proc` when netlink is unavailable.
    pub fn open() -> SocketTable {
        let diag = netlink_sys::Socket::new(NETLINK_SOCK_DIAG)
            .ok()
            .filter(|socket| socket.connect(&netlink_sys::SocketAddr::new(0, 0)).is_ok())
            .map(Mutex::new);
        SocketTable { diag }
    }

    /// Whether the table is read through netlink (else through `/proc`).
    pub fn uses_netlink(&self) -> bool {
        self.diag.is_some()
    }

    /// The sockets of `table` in the namespace, IPv4 and IPv6. `pid` is a process inside the
    /// namespace, for the `/proc` fallback.
    pub fn rows(&self, table: Table, pid: i32) -> Vec<SocketRow> {
        if let Some(diag) = &self.diag {
            let socket = diag.lock().unwrap_or_else(PoisonError::into_inner);
            let mut rows = Vec::new();
            let dumped = [AF_INET, AF_INET6]
                .into_iter()
                .try_for_each(|family| dump(&socket, family, table, &mut rows));
            if dumped.is_ok() {
                return rows;
            }
        }
        proc_rows(table, pid)
    }
}

/// Asks the kernel for every socket of `family` in `table`; appends them to `rows`.
fn dump(
    socket: &netlink_sys::Socket,
    family: u8,
    table: Table,
    rows: &mut Vec<SocketRow>,
) -> io::Result<()> {
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_REQUEST | NLM_F_DUMP;
    let mut request = NetlinkMessage::new(
        header,
        SockDiagMessage::InetRequest(InetRequest {
            family,
            protocol: if table.is_tcp() {
                IPPROTO_TCP
            } else {
                IPPROTO_UDP
            },
            extensions: ExtensionFlags::empty(),
            // All the table's states, including TCP_NEW_SYN_RECV (12): connections still in
            // their handshake.
            states: StateFlags::from_bits_retain(table.states()),
            socket_id: if family == AF_INET {
                SocketId::new_v4()
            } else {
                SocketId::new_v6()
            },
        })
        .into(),
    );
    request.finalize();
    let mut bytes = vec![0; request.buffer_len()];
    request.serialize(&mut bytes);
    socket.send(&bytes, 0)?;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let size = socket.recv(&mut &mut buffer[..], 0)?;
        let mut offset = 0;
        while offset < size {
            let message = NetlinkMessage::<SockDiagMessage>::deserialize(&buffer[offset..size])
                .map_err(|error| io::Error::other(error.to_string()))?;
            let length = message.header.length as usize;
            match message.payload {
                NetlinkPayload::InnerMessage(SockDiagMessage::InetResponse(response)) => {
                    let header = &response.header;
                    let id = &header.socket_id;
                    rows.push(SocketRow {
                        local: SocketAddr::new(id.source_address, id.source_port),
                        remote: SocketAddr::new(id.destination_address, id.destination_port),
                        state: header.state,
                        inode: u64::from(header.inode),
                        unacked: table == Table::TcpConnections && header.send_queue > 0,
                    });
                }
                NetlinkPayload::Done(_) => return Ok(()),
                NetlinkPayload::Error(error) => {
                    return Err(io::Error::other(format!("sock_diag: {error:?}")));
                }
                _ => {}
            }
            if length == 0 {
                break;
            }
            offset += length;
        }
    }
}

/// The same rows from `/proc/<pid>/net/…` (a missing table — no IPv6, or the process just
/// ended — has no sockets).
fn proc_rows(table: Table, pid: i32) -> Vec<SocketRow> {
    let files = if table.is_tcp() {
        [("tcp", false), ("tcp6", true)]
    } else {
        [("udp", false), ("udp6", true)]
    };
    let mut rows = Vec::new();
    for (file, v6) in files {
        if let Ok(text) = fs::read_to_string(format!("/proc/{pid}/net/{file}")) {
            rows.extend(parse_proc_table(&text, v6).filter(|row| table.holds(row)));
        }
    }
    rows
}

/// Parses one `/proc/net/tcp`-style table.
pub fn parse_proc_table(table: &str, v6: bool) -> impl Iterator<Item = SocketRow> + '_ {
    table.lines().skip(1).filter_map(move |line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
        if fields.len() < 10 {
            return None;
        }
        Some(SocketRow {
            local: parse_address(fields[1], v6)?,
            remote: parse_address(fields[2], v6)?,
            state: u8::from_str_radix(fields[3], 16).ok()?,
            inode: fields[9].parse().ok()?,
            unacked: fields[4]
                .split(':')
                .next()
                .is_some_and(|tx| !tx.trim_start_matches('0').is_empty())
                && fields[3] != "0A",
        })
    })
}

/// `0100007F:22B8` → 127.0.0.1:8888: the address in host byte order, 32 bits at a time (IPv6:
/// four such words).
fn parse_address(field: &str, v6: bool) -> Option<SocketAddr> {
    let (ip, port) = field.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let ip = if v6 {
        if ip.len() != 32 {
            return None;
        }
        let mut bytes = [0u8; 16];
        for (word_index, chunk) in ip.as_bytes().chunks(8).enumerate() {
            let word = u32::from_str_radix(std::str::from_utf8(chunk).ok()?, 16).ok()?;
            bytes[word_index * 4..word_index * 4 + 4].copy_from_slice(&word.to_ne_bytes());
        }
        IpAddr::V6(Ipv6Addr::from(bytes))
    } else {
        let word = u32::from_str_radix(ip, 16).ok()?;
        IpAddr::V4(Ipv4Addr::from(word.to_ne_bytes()))
    };
    Some(SocketAddr::new(ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::{Isolation, Limits, Sandbox};

    #[tokio::test]
    async fn netlink_lists_exactly_the_run_s_own_sockets() {
        let sandbox = Sandbox::create(Isolation::Namespace, Limits::default()).unwrap();
        assert!(sandbox.sockets().uses_netlink());
        let listener = sandbox.listen_tcp(8888).await.unwrap();
        let client = sandbox
            .connect_tcp(
                "127.0.0.1:8888".parse().unwrap(),
                std::time::Duration::from_secs(1),
            )
            .await
            .unwrap();
        let _udp = sandbox.bind_udp(9999).await.unwrap();
        let listening = sandbox.sockets().rows(Table::TcpListening, 0);
        assert_eq!(listening.len(), 1, "{listening:?}");
        assert_eq!(listening[0].local.port(), 8888);
        // The fresh namespace holds only these: the listener, and both ends of the connection
        // (the accepting end still in the backlog, held by no process: inode 0).
        let tcp = sandbox.sockets().rows(Table::TcpConnections, 0);
        assert_eq!(tcp.len(), 2, "{tcp:?}");
        let local = client.local_addr().unwrap();
        assert!(
            tcp.iter()
                .any(|row| row.established() && row.local == local)
        );
        assert!(tcp.iter().any(|row| row.remote == local && row.inode == 0));
        let udp = sandbox.sockets().rows(Table::Udp, 0);
        assert_eq!(udp.len(), 1, "{udp:?}");
        assert_eq!(udp[0].local.port(), 9999);
        drop((listener, client));
    }
}
