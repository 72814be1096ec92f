//! TCP steps: connect, accept, send, expect, expect nothing or a close, close, half-close,
//! reset, wait until accepted.

use std::time::Duration;

use super::problems::{StepProblem, expect_problem, quiet_problem};
use super::session::{Endpoint, Session, at_clock};
use crate::peers::TcpClient;
use crate::plan::{TcpAction, TcpVerb, matches_whole};
use crate::readiness::wait_until_accepted;
use crate::sandbox::Isolation;
use crate::transcript::Entry;
use crate::verdict::{Problem, connection_label, error_words};

/// How long, on the host's loopback, a close waits for the program's own FIN (see `Close`).
const HOST_CLOSE_GRACE: Duration = Duration::from_millis(20);

impl Session<'_> {
    /// Plays one TCP step.
    pub(super) async fn play_tcp(&mut self, action: &TcpAction) -> Result<(), StepProblem> {
        let name = action.connection.as_str();
        // How the connection is named in the transcript and in messages.
        let label = connection_label(name, self.exercise.role.grader_is_server());
        match &action.verb {
            TcpVerb::Connect { timeout } => {
                let Endpoint::TcpServer(address) = self.endpoint else {
                    return Err(misplaced("connect"));
                };
                let stream =
                    self.sandbox
                        .connect_tcp(address, *timeout)
                        .await
                        .map_err(|error| Problem::ConnectFailed {
                            client: label.clone(),
                            address,
                            error: error_words(&error),
                        })?;
                self.connections
                    .insert(name.to_owned(), TcpClient::new(stream));
                self.record(Entry::Connected {
                    client: label,
                    address,
                });
            }
            TcpVerb::Accept { timeout } => self.accept(name, label, *timeout).await?,
            TcpVerb::Send { bytes, pieces } => {
                self.connection(name)?
                    .send(bytes, *pieces)
                    .await
                    .map_err(|error| Problem::SendFailed {
                        client: label.clone(),
                        error: error_words(&error),
                    })?;
                let pieces = pieces.map_or(1, |(size, _)| bytes.len().div_ceil(size));
                self.record(Entry::Sent {
                    client: label,
                    bytes: bytes.clone(),
                    pieces,
                });
            }
            TcpVerb::Expect { matcher, timeout } => {
                let (matcher, expected) = at_clock(matcher, *timeout);
                let is_idle = self.idle_check();
                let outcome = self
                    .connection(name)?
                    .expect_unless_idle(&matcher, *timeout, is_idle)
                    .await;
                let bytes = outcome.map_err(|error| {
                    let mut problem = expect_problem(&label, expected, error, || self.waiting());
                    if let Problem::NoReply { misdirected, .. } = &mut problem {
                        *misdirected = self.data_at_other_connections(name);
                    }
                    problem
                })?;
                self.record(Entry::Received {
                    client: label,
                    bytes,
                });
            }
            TcpVerb::ExpectNothing { during } => {
                self.connection(name)?
                    .expect_nothing(*during)
                    .await
                    .map_err(|error| quiet_problem(&label, error, false, || self.waiting()))?;
                self.record(Entry::QuietFor {
                    client: label,
                    during: *during,
                });
            }
            TcpVerb::ExpectAll { matcher, timeout } => {
                let (matcher, expected) = at_clock(matcher, *timeout);
                let is_idle = self.idle_check();
                let outcome = self
                    .connection(name)?
                    .receive_until_closed(*timeout, is_idle)
                    .await;
                let all = match outcome {
                    Ok(all) => all,
                    Err(error) => {
                        let problem =
                            expect_problem(&label, expected.clone(), error, || self.waiting());
                        return Err(match problem {
                            // Data came, the close did not: say what came, then that.
                            // (Nothing came: no reply.)
                            Problem::NoReply {
                                waited,
                                waiting,
                                received,
                                ..
                            } if !received.is_empty() => {
                                self.record(Entry::Received {
                                    client: label.clone(),
                                    bytes: received,
                                });
                                Problem::NotClosed {
                                    client: label,
                                    waited,
                                    waiting,
                                }
                            }
                            other => other,
                        }
                        .into());
                    }
                };
                if !matches_whole(&matcher, &all) {
                    return Err(Problem::WrongReply {
                        client: label,
                        expected,
                        received: all,
                    }
                    .into());
                }
                self.record(Entry::Received {
                    client: label.clone(),
                    bytes: all,
                });
                self.record(Entry::ClosedByProgram { client: label });
            }
            TcpVerb::ExpectClosed { timeout } => {
                let is_idle = self.idle_check();
                self.connection(name)?
                    .expect_closed_unless_idle(*timeout, is_idle)
                    .await
                    .map_err(|error| quiet_problem(&label, error, true, || self.waiting()))?;
                self.record(Entry::ClosedByProgram { client: label });
            }
            TcpVerb::Close => {
                // Bytes that arrived but no step expected (a stray "\n" after "Thanks") mean
                // the program said more than the exercise asks for.
                let leftover = self.connection(name)?.pending().to_vec();
                if !leftover.is_empty() {
                    return Err(Problem::UnexpectedData {
                        client: label,
                        received: leftover,
                        wanted_close: false,
                    }
                    .into());
                }
                // Nothing is pending (checked above) and the program is idle, so this is an
                // orderly close (FIN); what the program sends later meets a reset, as it would
                // from a real client.
                if let Some(mut connection) = self.connections.remove(name) {
                    self.closed_by_grader.extend(connection.local_addr().ok());
                    // On the host's loopback, a connection the program closed first would
                    // keep its port in TIME_WAIT after our FIN (a minute, in which the next
                    // program's bind() fails): a reset ends it at once. Its socket is closed,
                    // so it sees nothing of the difference. A program that closes as it
                    // replies gets a moment for its FIN to be seen.
                    if self.sandbox.isolation() == Isolation::HostLoopback
                        && connection.ended_within(HOST_CLOSE_GRACE).await
                    {
                        let _ = connection.reset();
                    }
                }
                self.record(Entry::Closed { client: label });
            }
            TcpVerb::Shutdown => {
                let host = self.sandbox.isolation() == Isolation::HostLoopback;
                let connection = self.connection(name)?;
                // On the host's loopback, a FIN after the program's own would keep its port in
                // TIME_WAIT (see `Close`): the program has closed, so it needs none; the
                // connection is reset when the test ends.
                if !(host && connection.ended_within(HOST_CLOSE_GRACE).await) {
                    let _ = connection.shutdown().await;
                }
                let local = connection.local_addr().ok();
                self.closed_by_grader.extend(local);
                self.record(Entry::ShutDown { client: label });
            }
            TcpVerb::Reset => {
                if let Some(connection) = self.connections.remove(name) {
                    let _ = connection.reset();
                }
                self.record(Entry::Reset { client: label });
            }
            TcpVerb::WaitAccepted { up_to } => {
                let local = self.connection(name)?.local_addr();
                let accepted = match (local, self.conversation()) {
                    (Ok(local), Some(conversation)) => {
                        wait_until_accepted(
                            self.program,
                            self.sandbox,
                            conversation,
                            &self.closed_by_grader,
                            local,
                            *up_to,
                        )
                        .await
                    }
                    _ => false,
                };
                self.record(Entry::Accepted {
                    client: label,
                    accepted,
                });
            }
        }
        Ok(())
    }

    /// The open connection `name`.
    fn connection(&mut self, name: &str) -> Result<&mut TcpClient, StepProblem> {
        self.connections.get_mut(name).ok_or_else(|| {
            StepProblem::Grader(format!(
                "connection `{name}` is not open (netgrade bug: the plan checks this)"
            ))
        })
    }

    /// As the server of a client program: waits for its next connection.
    async fn accept(
        &mut self,
        name: &str,
        label: String,
        timeout: Duration,
    ) -> Result<(), StepProblem> {
        let port = self.exercise.role.port().unwrap_or_default();
        let Endpoint::TcpClient(listener) = &self.endpoint else {
            return Err(misplaced("accept"));
        };
        let accepted = tokio::select! {
            biased;
            accepted = tokio::time::timeout(timeout, listener.accept()) => accepted.ok(),
            _ = self.program.ended_signal() => None,
        };
        // A program that connected and ended at once still left its connection behind.
        let accepted = match accepted {
            Some(accepted) => Some(accepted),
            None => tokio::time::timeout(Duration::ZERO, listener.accept())
                .await
                .ok(),
        };
        let (stream, from) = match accepted {
            Some(Ok(pair)) => pair,
            Some(Err(error)) => {
                return Err(Problem::SendFailed {
                    client: label,
                    error: error_words(&error),
                }
                .into());
            }
            None if self.program.ended().is_some() => {
                return Err(Problem::EndedBeforeConnecting { port }.into());
            }
            None => {
                return Err(Problem::NeverConnected {
                    port,
                    waited: timeout,
                }
                .into());
            }
        };
        let _ = stream.set_nodelay(true);
        self.connections
            .insert(name.to_owned(), TcpClient::new(stream));
        self.record(Entry::ConnectedToGrader {
            client: label,
            from,
        });
        Ok(())
    }

    /// The first other connection holding bytes nobody expected: where a lost reply went.
    fn data_at_other_connections(&mut self, except: &str) -> Option<(String, Vec<u8>)> {
        let grader_is_server = self.exercise.role.grader_is_server();
        self.connections
            .iter_mut()
            .filter(|(name, _)| name.as_str() != except)
            .find_map(|(name, connection)| {
                let pending = connection.pending();
                (!pending.is_empty())
                    .then(|| (connection_label(name, grader_is_server), pending.to_vec()))
            })
    }
}

/// A step the plan does not allow for this program's role.
fn misplaced(step: &str) -> StepProblem {
    StepProblem::Grader(format!(
        "`{step}` does not fit this program's role (netgrade bug: the plan checks this)"
    ))
}
