//! Stage 3, run: [`grade`] executes an [`Exercise`]'s tests against a program.
//!
//! Each test gets a fresh [`Sandbox`] and a fresh start of the program; the grader waits until
//! the program listens, plays the test's steps with scripted clients, records a [`Transcript`],
//! stops the program and turns what happened into a [`TestResult`]. Tests run in parallel
//! (each in its own network namespace, so port 8888 never collides) and are reported in order.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

use tokio::net::TcpListener;

use crate::differential::Oracle;
use crate::peers::{DatagramError, ExpectError, TcpClient, UdpPeer, find_output};
use crate::plan::{Action, Exercise, Matcher, OutputMatcher, Step, TestPlan, UDP_SERVER_PEER};
use crate::process::{ExitKind, OutputStream, ProgramCommand, ProgramEnd, RunningProgram};
use crate::readiness::{
    ListeningSocket, NotListening, is_settled, output_in_flight, wait_until_accepted,
    wait_until_bound, wait_until_listening, wait_until_settled,
};
use crate::report::{GradeEvent, Reporter};
use crate::sandbox::{Isolation, Sandbox};
use crate::spec::TracebackSpec;
use crate::transcript::{Entry, Transcript};
use crate::verdict::{
    ExerciseResult, FailedStep, Failure, Outcome, Problem, TestResult, connection_label,
    describe_matcher, describe_output_matcher, describe_step, exact_progress,
};

/// Longest wait for the program to settle (before a connect, and before it is stopped).
const SETTLE_LIMIT: Duration = Duration::from_secs(1);

/// How a grading run is carried out.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// Isolation of each test run.
    pub isolation: Isolation,
    /// Tests run at once (forced to 1 on host loopback).
    pub jobs: usize,
    /// Every time limit is multiplied by this (for slow machines).
    pub slow: f64,
    /// Only these test numbers (all when empty).
    pub only_tests: Vec<usize>,
    /// Seed of the differential tests' inputs (a fresh one per grading when absent).
    pub seed: Option<u64>,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            isolation: Isolation::Namespace,
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            slow: 1.0,
            only_tests: Vec::new(),
            seed: None,
        }
    }
}

impl RunSettings {
    fn scaled(&self, duration: Duration) -> Duration {
        duration.mul_f64(self.slow)
    }
}

/// Grades `program` on every (selected) test of `exercise`, reporting each result in test
/// order as soon as it and all before it are known.
pub async fn grade(
    exercise: &Exercise,
    program: &ProgramCommand,
    settings: &RunSettings,
    reporter: &mut (dyn Reporter + Send),
) -> std::io::Result<ExerciseResult> {
    let started = Instant::now();
    let seed = exercise.has_differential().then(|| {
        settings
            .seed
            .unwrap_or_else(crate::differential::random_seed)
    });
    reporter.write_event(&GradeEvent::Started {
        exercise,
        program: &program.display,
        isolation: settings.isolation,
        slow: settings.slow,
        seed,
    })?;
    let jobs = match settings.isolation {
        Isolation::Namespace => settings.jobs.max(1),
        Isolation::HostLoopback => 1,
    };
    let permits = Arc::new(Semaphore::new(jobs));
    let settings = RunSettings {
        seed,
        ..settings.clone()
    };
    let shared = Arc::new((exercise.clone(), program.clone(), settings.clone()));
    let mut running = JoinSet::new();
    for (index, test) in exercise.tests.iter().enumerate() {
        if !settings.only_tests.is_empty() && !settings.only_tests.contains(&test.number) {
            continue;
        }
        let permits = Arc::clone(&permits);
        let shared = Arc::clone(&shared);
        running.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let (exercise, program, settings) = &*shared;
            (
                index,
                run_test(exercise, &exercise.tests[index], program, settings).await,
            )
        });
    }
    let mut finished = BTreeMap::new();
    let mut next_to_report = 0;
    let order: Vec<usize> = (0..exercise.tests.len())
        .filter(|i| {
            settings.only_tests.is_empty()
                || settings.only_tests.contains(&exercise.tests[*i].number)
        })
        .collect();
    let mut results = Vec::with_capacity(order.len());
    while let Some(joined) = running.join_next().await {
        let (index, result) = joined.map_err(std::io::Error::other)?;
        finished.insert(index, result);
        while let Some(result) = order
            .get(next_to_report)
            .and_then(|index| finished.remove(index))
        {
            reporter.write_event(&GradeEvent::TestFinished(&result))?;
            results.push(result);
            next_to_report += 1;
        }
    }
    let result = ExerciseResult {
        exercise: exercise.id.clone(),
        title: exercise.title.clone(),
        program: program.display.clone(),
        isolation: settings.isolation,
        tests: results,
        duration: started.elapsed(),
        seed,
    };
    reporter.write_event(&GradeEvent::Finished(&result))?;
    Ok(result)
}

/// Runs one test from a fresh start of the program to its stop.
async fn run_test(
    exercise: &Exercise,
    test: &TestPlan,
    command: &ProgramCommand,
    settings: &RunSettings,
) -> TestResult {
    let started = Instant::now();
    let mut result = TestResult {
        number: test.number,
        name: test.name.clone(),
        points: 0,
        max_points: test.points,
        outcome: Outcome::Passed,
        transcript: Transcript::default(),
        hint: test.hint.clone(),
        visibility: test.visibility,
        tags: test.tags.clone(),
        duration: Duration::ZERO,
    };
    let sandbox = match Sandbox::create(settings.isolation, exercise.limits) {
        Ok(sandbox) => sandbox,
        Err(error) => {
            result.outcome = Outcome::Error(format!("could not create the sandbox: {error}"));
            return result;
        }
    };
    // The server a client program talks to must exist before the program starts.
    let servers = match GraderServers::open(exercise, &sandbox).await {
        Ok(servers) => servers,
        Err(error) => {
            result.outcome = Outcome::Error(format!("could not open the grader's server: {error}"));
            return result;
        }
    };
    let program = match RunningProgram::spawn(command, &sandbox) {
        Ok(program) => program,
        Err(error) => {
            result.outcome = Outcome::Error(error.to_string());
            return result;
        }
    };
    let services = sandbox.services();
    let mut session = Session {
        exercise,
        settings,
        sandbox: &sandbox,
        program: &program,
        transcript: Transcript::default(),
        clients: BTreeMap::new(),
        closed_by_grader: Vec::new(),
        address: None,
        listener: servers.tcp,
        udp_peers: servers.udp.into_iter().collect(),
        udp_target: None,
        hostname: sandbox.hostname(),
        services,
    };
    session.transcript.entries.push(Entry::Started {
        command: command.display.clone(),
    });
    let limit = settings.scaled(test.timeout);
    let failure = match tokio::time::timeout(limit, session.play(test)).await {
        Ok(Ok(())) => None,
        Ok(Err(failure)) => Some(failure),
        Err(_) => Some(Failure {
            step: None,
            problem: Problem::TestTimedOut { limit },
            detail: None,
        }),
    };
    // Whatever the outcome, let the program finish what it is doing (bounded): its end is
    // then its own when it was on its way out, not a race with the grader's Ctrl-C.
    session.settle().await;
    if let Some(failure) = &failure
        && failure_may_mean_the_program_ended(&failure.problem)
        && !(session.idle_check())()
    {
        // Not idle: the program may be on its way out (crashed on this input). Give it a
        // moment, so the report says so every time instead of depending on who was faster.
        program
            .wait_for_end(settings.scaled(Duration::from_secs(1)))
            .await;
    }
    let Session {
        mut transcript,
        clients,
        udp_peers,
        listener,
        ..
    } = session;
    let finished = program.stop(exercise.stop, &sandbox).await;
    drop((clients, udp_peers, listener));
    transcript.limits_hit = finished.limits_hit;
    transcript.staged_from = finished.staged_from;
    transcript.end = Some(finished.end);
    transcript.stdout = finished.stdout;
    transcript.stderr = finished.stderr;
    let failure = failure.or_else(|| traceback_failure(exercise, &transcript));
    result.transcript = transcript;
    result.duration = started.elapsed();
    match failure {
        None => result.points = test.points,
        Some(failure) => result.outcome = Outcome::Failed(failure),
    }
    result
}

fn failure_may_mean_the_program_ended(problem: &Problem) -> bool {
    matches!(
        problem,
        Problem::NoReply {
            program_idle: false,
            ..
        } | Problem::ConnectFailed { .. }
            | Problem::ConnectionEnded { .. }
            | Problem::SendFailed { .. }
            | Problem::InputFailed { .. }
            | Problem::NoDatagram { .. }
    )
}

/// With `traceback: fails`, a Python traceback on stderr fails an otherwise passing test
/// (the grader's own Ctrl-C and its `KeyboardInterrupt` excepted).
fn traceback_failure(exercise: &Exercise, transcript: &Transcript) -> Option<Failure> {
    if exercise.traceback != TracebackSpec::Fails {
        return None;
    }
    let stderr = transcript.stderr_text();
    stderr
        .contains("Traceback (most recent call last):")
        .then(|| {
            let last_line = stderr
                .lines()
                .rev()
                .find(|line| !line.trim().is_empty())
                .unwrap_or_default()
                .trim()
                .to_owned();
            Failure {
                step: None,
                problem: Problem::Traceback { last_line },
                detail: None,
            }
        })
}

/// The grader's servers for a client program, opened before it starts.
struct GraderServers {
    tcp: Option<TcpListener>,
    udp: Option<(String, UdpPeer)>,
}

impl GraderServers {
    async fn open(exercise: &Exercise, sandbox: &Sandbox) -> std::io::Result<GraderServers> {
        let tcp = match exercise.connects_tcp {
            Some(port) => Some(sandbox.listen_tcp(port).await?),
            None => None,
        };
        let udp = match exercise.connects_udp {
            Some(port) => Some((
                UDP_SERVER_PEER.to_owned(),
                UdpPeer::server(sandbox.bind_udp(port).await?),
            )),
            None => None,
        };
        Ok(GraderServers { tcp, udp })
    }
}

/// The state of one test while its steps are played.
struct Session<'a> {
    exercise: &'a Exercise,
    settings: &'a RunSettings,
    sandbox: &'a Sandbox,
    program: &'a RunningProgram,
    transcript: Transcript,
    clients: BTreeMap<String, TcpClient>,
    /// Client addresses whose connections the grader has closed or half-closed.
    closed_by_grader: Vec<SocketAddr>,
    /// Where the program listens.
    address: Option<SocketAddr>,
    /// The grader's TCP server, for a client program.
    listener: Option<TcpListener>,
    /// The grader's UDP sockets by peer name.
    udp_peers: BTreeMap<String, UdpPeer>,
    /// Where the program's UDP socket is.
    udp_target: Option<SocketAddr>,
    /// The program's host name (for `{hostname}` in expected output).
    hostname: String,
    /// The services file the program sees (for the service-lookup oracle).
    services: String,
}

impl<'a> Session<'a> {
    async fn play(&mut self, test: &TestPlan) -> Result<(), Failure> {
        if let Some(port) = self.exercise.listens_tcp {
            self.wait_until_listening(port).await?;
        }
        if let Some(port) = self.exercise.listens_udp {
            self.wait_until_bound(port).await?;
        }
        for (index, step) in test.steps.iter().enumerate() {
            let outcome = match &step.action {
                Action::Differential {
                    oracle,
                    count,
                    timeout,
                } => self.differential(*oracle, *count, *timeout).await,
                _ => self
                    .play_step(step)
                    .await
                    .map_err(|problem| (problem, None)),
            };
            outcome.map_err(|(problem, detail)| {
                let detail = match (&step.action, problem.received()) {
                    _ if detail.is_some() => detail,
                    (
                        Action::Expect {
                            matcher: Matcher::Exact(expected),
                            ..
                        },
                        Some(received),
                    ) => exact_progress(expected, received),
                    _ => None,
                };
                Failure {
                    step: Some(FailedStep {
                        number: index + 1,
                        line: step.line,
                        description: describe_step(step, self.exercise.connects_tcp.is_some()),
                    }),
                    problem,
                    detail,
                }
            })?;
        }
        Ok(())
    }

    async fn wait_until_listening(&mut self, port: u16) -> Result<(), Failure> {
        let shared_table = self.sandbox.isolation() == Isolation::HostLoopback;
        let limit = self.settings.scaled(self.exercise.start_timeout);
        match wait_until_listening(self.program, self.sandbox, port, limit, shared_table).await {
            Ok(socket) => {
                self.transcript.entries.push(Entry::Listening {
                    address: socket.local,
                });
                self.address = Some(socket.connect_address());
                Ok(())
            }
            Err(NotListening::Ended(_)) => Err(Failure {
                step: None,
                problem: Problem::EndedBeforeListening { port },
                detail: None,
            }),
            Err(NotListening::TimedOut {
                waited,
                elsewhere,
                program_idle,
            }) => Err(Failure {
                step: None,
                problem: Problem::NeverListened {
                    port,
                    waited,
                    elsewhere,
                    program_idle,
                },
                detail: None,
            }),
        }
    }

    async fn wait_until_bound(&mut self, port: u16) -> Result<(), Failure> {
        let shared_table = self.sandbox.isolation() == Isolation::HostLoopback;
        let limit = self.settings.scaled(self.exercise.start_timeout);
        let problem =
            match wait_until_bound(self.program, self.sandbox, port, limit, shared_table).await {
                Ok(local) => {
                    self.transcript
                        .entries
                        .push(Entry::Bound { address: local });
                    let socket = ListeningSocket { local, inode: 0 };
                    self.udp_target = Some(socket.connect_address());
                    return Ok(());
                }
                Err(NotListening::Ended(_)) => Problem::EndedBeforeListening { port },
                Err(NotListening::TimedOut {
                    waited,
                    elsewhere,
                    program_idle,
                }) => Problem::NeverBound {
                    port,
                    waited,
                    elsewhere,
                    program_idle,
                },
            };
        Err(Failure {
            step: None,
            problem,
            detail: None,
        })
    }

    fn client(&mut self, name: &str) -> &mut TcpClient {
        // The plan guarantees every step names a connected client.
        self.clients
            .get_mut(name)
            .expect("the plan checks that clients are connected before use")
    }

    /// Waits until the program has done all it can with its input so far (bounded).
    async fn settle(&self) {
        let limit = self.settings.scaled(SETTLE_LIMIT);
        wait_until_settled(
            self.program,
            self.sandbox,
            self.exercise.tcp_conversation(),
            &self.closed_by_grader,
            limit,
        )
        .await;
    }

    async fn play_step(&mut self, step: &Step) -> Result<(), Problem> {
        let name = step.action.client().unwrap_or_default().to_owned();
        // How the connection is named in the transcript and in messages.
        let label = connection_label(&name, self.exercise.connects_tcp.is_some());
        // Input is given only to a program that is waiting for it, so what happens next does
        // not depend on who was faster (the program's close vs the client's next send).
        if step.action.gives_input() {
            self.settle().await;
        }
        match &step.action {
            Action::Connect { timeout, .. } => {
                let address = self
                    .address
                    .expect("connect steps run only after the program listens");

                let timeout = self.settings.scaled(*timeout);
                let stream = self
                    .sandbox
                    .connect_tcp(address, timeout)
                    .await
                    .map_err(|error| Problem::ConnectFailed {
                        client: label.clone(),
                        address,
                        error: connect_error_words(&error),
                    })?;
                self.clients.insert(name.clone(), TcpClient::new(stream));
                self.transcript.entries.push(Entry::Connected {
                    client: label,
                    address,
                });
            }
            Action::Send { bytes, pieces, .. } => {
                self.client(&name)
                    .send(bytes, *pieces)
                    .await
                    .map_err(|error| Problem::SendFailed {
                        client: label.clone(),
                        error: error.to_string(),
                    })?;
                let pieces = pieces.map_or(1, |(size, _)| bytes.len().div_ceil(size));
                self.transcript.entries.push(Entry::Sent {
                    client: label,
                    bytes: bytes.clone(),
                    pieces,
                });
            }
            Action::Expect {
                matcher, timeout, ..
            } => {
                let timeout = self.settings.scaled(*timeout);
                let expected = describe_matcher(matcher);
                let is_idle = self.idle_check();
                let client = self
                    .clients
                    .get_mut(&name)
                    .expect("the plan checks that clients are connected before use");
                let outcome = client.expect_unless_idle(matcher, timeout, is_idle).await;
                let bytes = outcome.map_err(|error| {
                    let mut problem = expect_problem(&label, expected, error);
                    if let Problem::NoReply { misdirected, .. } = &mut problem {
                        *misdirected = self.data_at_other_clients(&name);
                    }
                    problem
                })?;
                self.transcript.entries.push(Entry::Received {
                    client: label,
                    bytes,
                });
            }
            Action::ExpectNothing { during, .. } => {
                let during = self.settings.scaled(*during);
                self.client(&name)
                    .expect_nothing(during)
                    .await
                    .map_err(|error| quiet_problem(&label, error, false))?;
                self.transcript.entries.push(Entry::QuietFor {
                    client: label,
                    during,
                });
            }
            Action::ExpectClosed { timeout, .. } => {
                let timeout = self.settings.scaled(*timeout);
                let is_idle = self.idle_check();
                let client = self
                    .clients
                    .get_mut(&name)
                    .expect("the plan checks that clients are connected before use");
                client
                    .expect_closed_unless_idle(timeout, is_idle)
                    .await
                    .map_err(|error| quiet_problem(&label, error, true))?;
                self.transcript
                    .entries
                    .push(Entry::ClosedByProgram { client: label });
            }
            Action::Close { .. } => {
                // Bytes that arrived but no step expected (a stray "\n" after "Thanks") mean the
                // program said more than the exercise asks for.
                let leftover = self.client(&name).pending().to_vec();
                if !leftover.is_empty() {
                    return Err(Problem::UnexpectedData {
                        client: label,
                        received: leftover,
                        wanted_close: false,
                    });
                }
                // Nothing is pending (checked above) and the program is idle, so this is an
                // orderly close (FIN); what the program sends later meets a reset, as it would
                // from a real client.
                if let Some(client) = self.clients.remove(&name) {
                    self.closed_by_grader.extend(client.local_addr().ok());
                }
                self.transcript
                    .entries
                    .push(Entry::Closed { client: label });
            }
            Action::Shutdown { .. } => {
                let client = self.client(&name);
                let _ = client.shutdown().await;
                let local = client.local_addr().ok();
                self.closed_by_grader.extend(local);
                self.transcript
                    .entries
                    .push(Entry::ShutDown { client: label });
            }
            Action::Reset { .. } => {
                if let Some(client) = self.clients.remove(&name) {
                    let _ = client.reset();
                }
                self.transcript.entries.push(Entry::Reset { client: label });
            }
            Action::WaitAccepted { up_to, .. } => {
                let conversation = self.exercise.tcp_conversation();
                let accepted = match (self.client(&name).local_addr(), conversation) {
                    (Ok(local), Some(conversation)) => {
                        let limit = self.settings.scaled(*up_to);
                        wait_until_accepted(
                            self.program,
                            self.sandbox,
                            conversation,
                            &self.closed_by_grader,
                            local,
                            limit,
                        )
                        .await
                    }
                    _ => false,
                };
                self.transcript.entries.push(Entry::Accepted {
                    client: label,
                    accepted,
                });
            }
            Action::Accept { timeout, .. } => {
                let timeout = self.settings.scaled(*timeout);
                self.accept(name, label, timeout).await?;
            }
            Action::SendDatagram { peer, bytes } => {
                let to = self.send_datagram(peer, bytes).await?;
                self.transcript.entries.push(Entry::DatagramSent {
                    peer: peer.clone(),
                    bytes: bytes.clone(),
                    to,
                });
            }
            Action::ExpectDatagram {
                peer,
                matcher,
                timeout,
            } => {
                let timeout = self.settings.scaled(*timeout);
                self.expect_datagram(peer, matcher, timeout).await?;
            }
            Action::ExpectNoDatagram { peer, during } => {
                let during = self.settings.scaled(*during);
                let udp = self.udp_peers.get_mut(peer);
                let arrived = match udp {
                    Some(udp) => udp.receive(during).await.ok().flatten(),
                    None => None,
                };
                if let Some(datagram) = arrived {
                    return Err(Problem::UnexpectedDatagram {
                        peer: peer.clone(),
                        received: datagram.bytes,
                    });
                }
                self.transcript.entries.push(Entry::NoDatagramFor {
                    peer: peer.clone(),
                    during,
                });
            }
            Action::Type { bytes } => {
                self.type_input(bytes).await?;
            }
            Action::CloseStdin => {
                self.program.close_input().await;
                self.transcript.entries.push(Entry::StdinClosed);
            }
            Action::ExpectOutput {
                stream,
                matcher,
                timeout,
            } => {
                let timeout = self.settings.scaled(*timeout);
                let matcher = matcher.with_hostname(&self.hostname);
                let text = self.expect_output(*stream, &matcher, timeout).await?;
                self.transcript.entries.push(Entry::Printed {
                    stream: stream.name(),
                    text,
                });
            }
            Action::ExpectExit { code, timeout } => {
                let timeout = self.settings.scaled(*timeout);
                let end = self.wait_for_exit(timeout).await?;
                if code.is_some_and(|code| end.exit != ExitKind::Code(code)) {
                    return Err(Problem::WrongExit {
                        expected: *code,
                        end,
                    });
                }
                self.transcript.entries.push(Entry::Exited { end });
            }
            Action::Differential { .. } => {
                unreachable!("`play` runs differential steps itself")
            }
        }
        Ok(())
    }

    /// Types the generated inputs one by one, each when the program waits for it, and expects
    /// the reference's answer to each. A failure comes with which input it was and the seed.
    async fn differential(
        &mut self,
        oracle: Oracle,
        count: usize,
        timeout: Duration,
    ) -> Result<(), (Problem, Option<String>)> {
        let seed = self.settings.seed.unwrap_or_default();
        let timeout = self.settings.scaled(timeout);
        for (index, case) in oracle.cases(seed, count, &self.services).iter().enumerate() {
            self.settle().await;
            let line = format!("{}\n", case.input);
            let answer = OutputMatcher::Answer(case.answer.clone());
            let outcome = match self.type_input_quietly(line.as_bytes()).await {
                Ok(()) => self
                    .expect_output(OutputStream::Stdout, &answer, timeout)
                    .await
                    .map(|_| ()),
                Err(problem) => Err(problem),
            };
            outcome.map_err(|problem| {
                let detail = format!(
                    "generated input {} of {count}: typed {:?}, the reference answers {:?} \
                     (the same inputs again: --seed {seed})",
                    index + 1,
                    case.input,
                    case.answer
                );
                (problem, Some(detail))
            })?;
        }
        self.transcript.entries.push(Entry::AnsweredLikeReference {
            oracle: oracle.name(),
            count,
        });
        Ok(())
    }

    /// As the server of a client program: waits for its next connection.
    async fn accept(
        &mut self,
        name: String,
        label: String,
        timeout: Duration,
    ) -> Result<(), Problem> {
        let port = self.exercise.connects_tcp.unwrap_or_default();
        let listener = self
            .listener
            .as_ref()
            .expect("the plan checks `accept` has a server");
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
                    error: error.to_string(),
                });
            }
            None if self.program.ended().is_some() => {
                return Err(Problem::EndedBeforeConnecting { port });
            }
            None => {
                return Err(Problem::NeverConnected {
                    port,
                    waited: timeout,
                });
            }
        };
        let _ = stream.set_nodelay(true);
        self.clients.insert(name, TcpClient::new(stream));
        self.transcript.entries.push(Entry::ConnectedToGrader {
            client: label,
            from,
        });
        Ok(())
    }

    /// Sends one datagram from `peer` (creating a client peer on first use).
    async fn send_datagram(&mut self, peer: &str, bytes: &[u8]) -> Result<SocketAddr, Problem> {
        let failed = |error: std::io::Error| Problem::DatagramSendFailed {
            peer: peer.to_owned(),
            error: error.to_string(),
        };
        if !self.udp_peers.contains_key(peer) {
            let target = self
                .udp_target
                .expect("client peers send only after the program is bound");
            let socket = self.sandbox.bind_udp(0).await.map_err(failed)?;
            self.udp_peers
                .insert(peer.to_owned(), UdpPeer::client(socket, target));
        }
        let udp = &self.udp_peers[peer];
        udp.send(bytes).await.map_err(failed)
    }

    /// Receives one datagram at `peer` and checks it.
    async fn expect_datagram(
        &mut self,
        peer: &str,
        matcher: &Matcher,
        timeout: Duration,
    ) -> Result<(), Problem> {
        let expected = describe_matcher(matcher);
        let udp = self
            .udp_peers
            .get_mut(peer)
            .expect("the plan checks the peer exists");
        match udp.expect(matcher, timeout).await {
            Ok(datagram) => {
                self.transcript.entries.push(Entry::DatagramReceived {
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
            }),
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
                })
            }
            Err(DatagramError::Failed(error)) => Err(Problem::DatagramSendFailed {
                peer: peer.to_owned(),
                error,
            }),
        }
    }

    /// A check for "waiting longer is useless" (see [`idle_check`]) on this test's program.
    fn idle_check(&self) -> impl FnMut() -> bool + 'a + use<'a> {
        idle_check(
            self.program,
            self.sandbox,
            self.exercise.tcp_conversation(),
            self.closed_by_grader.clone(),
        )
    }

    /// Waits for the program to end by itself, giving up early when it is idle instead.
    async fn wait_for_exit(&self, timeout: Duration) -> Result<ProgramEnd, Problem> {
        let started = Instant::now();
        let deadline = started + timeout;
        let mut is_idle = self.idle_check();
        let mut slice = Duration::from_millis(2);
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if let Some(end) = self.program.wait_for_end(slice.min(remaining)).await {
                return Ok(end);
            }
            if remaining <= slice {
                return Err(Problem::NotExited {
                    waited: timeout,
                    program_idle: false,
                });
            }
            if is_idle() {
                if let Some(end) = self.program.ended() {
                    return Ok(end);
                }
                return Err(Problem::NotExited {
                    waited: started.elapsed(),
                    program_idle: true,
                });
            }
            slice = (slice * 2).min(Duration::from_millis(50));
        }
    }

    /// Types on stdin and records it.
    async fn type_input(&mut self, bytes: &[u8]) -> Result<(), Problem> {
        self.type_input_quietly(bytes).await?;
        self.transcript.entries.push(Entry::Typed {
            bytes: bytes.to_vec(),
        });
        Ok(())
    }

    async fn type_input_quietly(&mut self, bytes: &[u8]) -> Result<(), Problem> {
        let limit = self.settings.scaled(crate::plan::DEFAULT_STEP_TIMEOUT);
        self.program
            .type_input(bytes, limit)
            .await
            .map_err(|error| Problem::InputFailed {
                error: match (error.kind(), self.program.ended()) {
                    (_, Some(end)) => format!(
                        "your program ended before it read this input ({end}); see its output below"
                    ),
                    (std::io::ErrorKind::BrokenPipe, None) => {
                        "your program closed its standard input".into()
                    }
                    _ => error.to_string(),
                },
            })
    }

    /// Waits until the program's output on `stream` satisfies `matcher`, and consumes the
    /// match. Fails as soon as the program is idle (waiting for input) or has ended without
    /// printing it, so a wrong answer costs no timeout.
    async fn expect_output(
        &mut self,
        stream: OutputStream,
        matcher: &OutputMatcher,
        timeout: Duration,
    ) -> Result<String, Problem> {
        let expected = describe_output_matcher(matcher);
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(1);
        let (mut checked, mut dropped): (usize, Option<u64>) = (0, None);
        loop {
            // Look at the program first, then at its output: output written before it
            // settled is then certainly in the buffer.
            let settled = is_settled(
                self.program,
                self.sandbox,
                self.exercise.tcp_conversation(),
                &self.closed_by_grader,
            );
            let output = self.program.unmatched_output(stream);
            // What the cap dropped from the front since the last look was checked already.
            let shift = output.dropped - dropped.unwrap_or(output.dropped);
            checked = checked.saturating_sub(usize::try_from(shift).unwrap_or(usize::MAX));
            dropped = Some(output.dropped);
            let text = String::from_utf8_lossy(&output.bytes);
            if let Some(end) = find_output(matcher, &text, output.ended, &mut checked) {
                let matched = text[..end].to_owned();
                // Offsets are exact for UTF-8 output; otherwise consume everything seen.
                let consumed = if text.len() == output.bytes.len() {
                    end
                } else {
                    output.bytes.len()
                };
                self.program.consume_output(stream, consumed);
                return Ok(matched);
            }
            if output.ended || settled || Instant::now() >= deadline {
                let received = output.bytes;
                return Err(if output.ended || settled {
                    Problem::WrongOutput {
                        stream: stream.name(),
                        expected,
                        received,
                        ended: output.ended,
                    }
                } else {
                    Problem::NoOutput {
                        stream: stream.name(),
                        expected,
                        received,
                        waited: timeout,
                    }
                });
            }
            let wait = pause.min(deadline.saturating_duration_since(Instant::now()));
            tokio::select! {
                _ = self.program.output_arrived(stream) => {
                    // A program printing without pause is looked at every few milliseconds,
                    // not after every chunk it writes.
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                _ = tokio::time::sleep(wait) => {}
            }
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }

    /// The first other client holding bytes nobody expected: where a lost reply went.
    fn data_at_other_clients(&mut self, except: &str) -> Option<(String, Vec<u8>)> {
        let grader_is_server = self.exercise.connects_tcp.is_some();
        self.clients
            .iter_mut()
            .filter(|(name, _)| name.as_str() != except)
            .find_map(|(name, client)| {
                let pending = client.pending();
                (!pending.is_empty())
                    .then(|| (connection_label(name, grader_is_server), pending.to_vec()))
            })
    }
}

/// A check for "waiting longer is useless": the program is idle (every thread waiting for
/// input, no input on its way) and none of its output is still on its way to the grader. It
/// holds only the program and the sandbox, so it can run while a client is borrowed.
fn idle_check<'a>(
    program: &'a RunningProgram,
    sandbox: &'a Sandbox,
    conversation: Option<crate::plan::TcpConversation>,
    closed_by_grader: Vec<SocketAddr>,
) -> impl FnMut() -> bool + 'a {
    move || {
        is_settled(program, sandbox, conversation, &closed_by_grader)
            && !conversation.is_some_and(|tcp| output_in_flight(sandbox, program.pid(), tcp))
    }
}

fn connect_error_words(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::ConnectionRefused => {
            "connection refused (nothing listens there any more)".into()
        }
        std::io::ErrorKind::TimedOut => {
            "timed out (the server's backlog is full or it stopped accepting)".into()
        }
        _ => error.to_string(),
    }
}

fn expect_problem(client: &str, expected: String, error: ExpectError) -> Problem {
    let client = client.to_owned();
    match error {
        ExpectError::Mismatch { received } => Problem::WrongReply {
            client,
            expected,
            received,
        },
        ExpectError::TimedOut { received, waited } => Problem::NoReply {
            client,
            expected,
            received,
            waited,
            misdirected: None,
            program_idle: false,
        },
        ExpectError::Idle { received, waited } => Problem::NoReply {
            client,
            expected,
            received,
            waited,
            misdirected: None,
            program_idle: true,
        },
        ExpectError::Ended { how, received } => Problem::ConnectionEnded {
            client,
            expected,
            received,
            how,
        },
        ExpectError::Unexpected { received } => Problem::WrongReply {
            client,
            expected,
            received,
        },
    }
}

fn quiet_problem(client: &str, error: ExpectError, wanted_close: bool) -> Problem {
    let client = client.to_owned();
    match error {
        ExpectError::Unexpected { received } | ExpectError::Mismatch { received } => {
            Problem::UnexpectedData {
                client,
                received,
                wanted_close,
            }
        }
        ExpectError::TimedOut { waited, .. } => Problem::NotClosed {
            client,
            waited,
            program_idle: false,
        },
        ExpectError::Idle { waited, .. } => Problem::NotClosed {
            client,
            waited,
            program_idle: true,
        },
        ExpectError::Ended { how, received } => Problem::ConnectionEnded {
            client,
            expected: if wanted_close {
                "an orderly close (FIN)".into()
            } else {
                "the connection to stay open".into()
            },
            received,
            how,
        },
    }
}
