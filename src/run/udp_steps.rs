//! UDP steps: a peer sends a datagram, expects one, or expects none.

use std::net::SocketAddr;
use std::time::Duration;

use super::problems::StepProblem;
use super::session::{Endpoint, Session};
use crate::peers::{DatagramError, UdpPeer};
use crate::plan::{Matcher, UdpAction, UdpVerb};
use crate::transcript::Entry;
use crate::verdict::{Problem, describe_matcher, error_words};

impl Session<'_> {
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
                let arrived = match self.udp_peers.get_mut(peer) {
                    Some(udp) => udp.receive(*during).await.ok().flatten(),
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
        let expected = describe_matcher(matcher);
        match self.peer(peer)?.expect(matcher, timeout).await {
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
            Err(DatagramError::TimedOut { waited }) => {
                let misdirected = self
                    .udp_peers
                    .iter_mut()
                    .filter(|(name, _)| name.as_str() != peer)
                    .find_map(|(name, other)| other.try_receive().map(|d| (name.clone(), d.bytes)));
                Err(Problem::NoDatagram {
                    peer: peer.to_owned(),
                    expected,
                    waited,
                    misdirected,
                    program_ended: self.program.ended().is_some(),
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
