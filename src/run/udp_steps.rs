//! UDP steps: a peer sends a datagram, expects one, or expects none.

use std::net::SocketAddr;
use std::time::Duration;

use super::problems::StepProblem;
use super::session::at_clock;
use super::session::{Endpoint, Session};
use crate::peers::{Arrival, DatagramError, UdpPeer};
use crate::plan::{Matcher, UdpAction, UdpVerb};
use crate::transcript::Entry;
use crate::verdict::{Problem, error_words};

impl<'a> Session<'a> {
    /// Plays one UDP step.
    pub(super) async fn play_udp(&mut self, action: &UdpAction) -> Result<(), StepProblem> {
        let peer = action.peer.as_str();
        match &action.verb {
            UdpVerb::Send { bytes } => {
                let to = self.send_datagram(peer, bytes).await?;
                self.record(Entry::DatagramSent {
                    peer: peer.to_owned(),
                    bytes: bytes.clone(),
                    to,
                });
            }
            UdpVerb::Expect { matcher, timeout } => {
                self.expect_datagram(peer, matcher, *timeout).await?;
            }
            UdpVerb::ExpectNone { during } => {
                // Nothing can come from a program that has ended or waits for input with
                // nothing on its way: no need to sit out the whole time.
                let give_up = self.nothing_more_can_come();
                let arrived = match self.udp_peers.get_mut(peer) {
                    Some(udp) => match udp.receive_unless(*during, give_up).await {
                        Ok(Arrival::Datagram(datagram)) => Some(datagram),
                        _ => None,
                    },
                    None => None,
                };
                if let Some(datagram) = arrived {
                    return Err(Problem::UnexpectedDatagram {
                        peer: peer.to_owned(),
                        received: datagram.bytes,
                    }
                    .into());
                }
                self.record(Entry::NoDatagramFor {
                    peer: peer.to_owned(),
                    during: *during,
                });
            }
        }
        Ok(())
    }

    /// Sends one datagram from `peer` (creating a client peer on first use).
    async fn send_datagram(&mut self, peer: &str, bytes: &[u8]) -> Result<SocketAddr, StepProblem> {
        let failed = |error: std::io::Error| Problem::DatagramSendFailed {
            peer: peer.to_owned(),
            error: error_words(&error),
        };
        if !self.udp_peers.contains_key(peer) {
            let Endpoint::UdpServer(target) = self.endpoint else {
                return Err(StepProblem::Grader(format!(
                    "peer `{peer}` has nowhere to send (netgrade bug: the plan checks this)"
                )));
            };
            let socket = self.sandbox.bind_udp(0).await.map_err(failed)?;
            self.udp_peers
                .insert(peer.to_owned(), UdpPeer::client(socket, target));
        }
        let udp = self.peer(peer)?;
        Ok(udp.send(bytes).await.map_err(failed)?)
    }

    /// A check for "no datagram can come any more": the program has ended, or it is idle
    /// (waiting for input, with nothing on its way to it). Holds only the program and the
    /// sandbox, so a peer can be borrowed while it runs.
    fn nothing_more_can_come(&self) -> impl FnMut() -> bool + 'a + use<'a> {
        let program = self.program;
        let mut is_idle = self.idle_check();
        move || program.ended().is_some() || is_idle()
    }

    /// The UDP peer `name`.
    fn peer(&mut self, name: &str) -> Result<&mut UdpPeer, StepProblem> {
        self.udp_peers.get_mut(name).ok_or_else(|| {
            StepProblem::Grader(format!(
                "peer `{name}` does not exist (netgrade bug: the plan checks this)"
            ))
        })
    }

    /// Receives one datagram at `peer` and checks it.
    async fn expect_datagram(
        &mut self,
        peer: &str,
        matcher: &Matcher,
        timeout: Duration,
    ) -> Result<(), StepProblem> {
        let (matcher, expected) = at_clock(matcher, timeout);
        let give_up = self.nothing_more_can_come();
        match self
            .peer(peer)?
            .expect_unless(&matcher, timeout, give_up)
            .await
        {
            Ok(datagram) => {
                self.record(Entry::DatagramReceived {
                    peer: peer.to_owned(),
                    bytes: datagram.bytes,
                    from: datagram.from,
                });
                Ok(())
            }
            Err(DatagramError::Mismatch(datagram)) => Err(Problem::WrongDatagram {
                peer: peer.to_owned(),
                expected,
                received: datagram.bytes,
                from: datagram.from,
            }
            .into()),
            Err(DatagramError::TimedOut { waited } | DatagramError::GaveUp { waited }) => {
                let misdirected = self
                    .udp_peers
                    .iter_mut()
                    .filter(|(name, _)| name.as_str() != peer)
                    .find_map(|(name, other)| other.try_receive().map(|d| (name.clone(), d.bytes)));
                let program_ended = self.program.ended().is_some();
                let waiting = (!program_ended && self.is_idle()).then(|| self.waiting());
                Err(Problem::NoDatagram {
                    peer: peer.to_owned(),
                    expected,
                    waited,
                    misdirected,
                    program_ended,
                    waiting,
                }
                .into())
            }
            Err(DatagramError::Failed(error)) => Err(Problem::DatagramSendFailed {
                peer: peer.to_owned(),
                error,
            }
            .into()),
        }
    }
}
