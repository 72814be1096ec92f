//! The steps of one test, checked in order against what the earlier steps set up: a
//! connection is used only while open, a UDP peer is answered only after it has sent, stdin
//! is written only before it is closed, and each peer matches the program's role.

use std::collections::BTreeSet;

use super::action::{Action, ConsoleAction, TcpAction, TcpVerb, UdpAction, UdpVerb};
use super::{ProgramRole, UDP_SERVER_PEER, is_reference_file};
use crate::differential::{CaseSource, REFERENCE_ORACLE};

/// What the steps so far have set up, to check each step uses only what exists.
pub(super) struct PeerState<'a> {
    /// What the program is (which peers the grader may play).
    role: ProgramRole,
    /// The exercise's reference (the only oracle `differential` may name).
    reference: Option<&'a str>,
    /// TCP connections open now.
    open_connections: BTreeSet<String>,
    /// UDP peers that have sent (so the program knows their address).
    udp_senders: BTreeSet<String>,
    /// Standard input was closed.
    stdin_closed: bool,
}

impl<'a> PeerState<'a> {
    /// Nothing set up yet, for a program of `role`.
    pub fn new(role: ProgramRole, reference: Option<&'a str>) -> Self {
        PeerState {
            role,
            reference,
            open_connections: BTreeSet::new(),
            udp_senders: BTreeSet::new(),
            stdin_closed: false,
        }
    }

    /// Checks `action` against what exists now, and records what it sets up.
    pub fn check(&mut self, action: &Action) -> Result<(), String> {
        check_peers(action, self)
    }
}

fn check_peers(action: &Action, peers: &mut PeerState<'_>) -> Result<(), String> {
    match action {
        Action::Tcp(TcpAction { connection, verb }) => check_tcp(connection, verb, peers),
        Action::Udp(UdpAction { peer, verb }) => check_udp(peer, verb, peers),
        Action::Console(console) => match console {
            ConsoleAction::Type { .. } | ConsoleAction::Differential { .. }
                if peers.stdin_closed =>
            {
                Err("stdin is already closed here (`close_stdin` came before)".into())
            }
            ConsoleAction::CloseStdin => {
                peers.stdin_closed = true;
                Ok(())
            }
            ConsoleAction::Differential {
                source: CaseSource::Builtin { oracle, .. },
                ..
            } if peers.reference != Some(oracle.name()) => Err(format!(
                "`differential` with oracle `{}` needs `reference: {}` (the oracle is that reference)",
                oracle.name(),
                oracle.name()
            )),
            ConsoleAction::Differential {
                source: CaseSource::Reference(_),
                ..
            } if !peers.reference.is_some_and(is_reference_file) => Err(format!(
                "`differential` with `oracle: {REFERENCE_ORACLE}` needs the exercise's reference program in its folder (`reference: reference.py`)"
            )),
            _ => Ok(()),
        },
    }
}

fn check_tcp(connection: &str, verb: &TcpVerb, peers: &mut PeerState<'_>) -> Result<(), String> {
    match verb {
        TcpVerb::Connect { .. } | TcpVerb::Accept { .. } => {
            let connect = matches!(verb, TcpVerb::Connect { .. });
            match (connect, peers.role) {
                (true, ProgramRole::TcpServer { .. }) | (false, ProgramRole::TcpClient { .. }) => {}
                (true, _) => {
                    return Err(
                        "`connect` needs `program.listens.tcp` (the port the program listens on)"
                            .into(),
                    );
                }
                (false, _) => {
                    return Err("`accept` needs `program.connects.tcp` (the port the grader listens on for the program)".into());
                }
            }
            if !peers.open_connections.insert(connection.to_owned()) {
                return Err(format!(
                    "connection `{connection}` is already open; close it first or use another name"
                ));
            }
        }
        _ => {
            if !peers.open_connections.contains(connection) {
                let opener = if peers.role.grader_is_server() {
                    "accept"
                } else {
                    "connect"
                };
                return Err(format!(
                    "connection `{connection}` is not open here; add `- {opener}: {connection}` before this step"
                ));
            }
            if matches!(verb, TcpVerb::Close | TcpVerb::Reset) {
                peers.open_connections.remove(connection);
            }
        }
    }
    Ok(())
}

fn check_udp(peer: &str, verb: &UdpVerb, peers: &mut PeerState<'_>) -> Result<(), String> {
    let server_peer = peer == UDP_SERVER_PEER;
    match verb {
        UdpVerb::Send { .. } if server_peer => {
            if !matches!(peers.role, ProgramRole::UdpClient { .. }) {
                return Err(format!(
                    "peer `{UDP_SERVER_PEER}` needs `program.connects.udp` (the port the program sends to)"
                ));
            }
        }
        UdpVerb::Send { .. } => {
            if !matches!(peers.role, ProgramRole::UdpServer { .. }) {
                return Err(format!(
                    "peer `{peer}` sends to the program's UDP port: add `program.listens.udp`, or use the peer `{UDP_SERVER_PEER}` with `program.connects.udp`"
                ));
            }
            peers.udp_senders.insert(peer.to_owned());
        }
        UdpVerb::Expect { .. } | UdpVerb::ExpectNone { .. } => {
            if server_peer {
                if !matches!(peers.role, ProgramRole::UdpClient { .. }) {
                    return Err(format!(
                        "peer `{UDP_SERVER_PEER}` needs `program.connects.udp`"
                    ));
                }
            } else if !peers.udp_senders.contains(peer) {
                return Err(format!(
                    "peer `{peer}` has sent nothing yet, so the program cannot know its address; add `- datagram: {{ from: {peer}, text: ... }}` first"
                ));
            }
        }
    }
    Ok(())
}
