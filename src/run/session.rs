//! [`Session`]: the state of one test while its steps are played — the program, its
//! endpoint, the grader's peers and the transcript — and the dispatcher that hands each step
//! to its family (`tcp_steps`, `udp_steps`, `console_steps`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;

use super::problems::{StepError, StepProblem};
use crate::peers::{TcpClient, UdpPeer};
use crate::plan::{
    Action, ConsoleAction, Exercise, Matcher, OutputMatcher, ProgramRole, Step, TcpAction,
    TcpConversation, TcpVerb, TestPlan, UDP_SERVER_PEER,
};
use crate::program::RunningProgram;
use crate::readiness::{
    ListeningSocket, NotListening, is_settled, output_in_flight, wait_until_bound,
    wait_until_listening, wait_until_settled,
};
use crate::sandbox::{Isolation, Sandbox};
use crate::transcript::{Entry, Transcript};
use crate::verdict::{
    FailedStep, Failure, Problem, Transport, Waiting, describe_step, exact_progress,
};

/// Longest wait for the program to settle (before input, and before it is stopped).
const SETTLE_LIMIT: Duration = Duration::from_secs(1);

/// What the grader opens before the program starts, by the program's role.
pub(super) enum Opening {
    /// A server program: wait until it listens on this TCP port.
    TcpServer(u16),
    /// A server program: wait until it binds this UDP port.
    UdpServer(u16),
    /// A client program: the grader already listens here.
    TcpClient(TcpListener),
    /// A client program: the grader's peer `server` is already bound.
    UdpClient(UdpPeer),
    /// A console program: nothing to open.
    Console,
}

impl Opening {
    /// Opens what a client program needs before it starts (nothing for other roles).
    pub async fn prepare(role: ProgramRole, sandbox: &Sandbox) -> std::io::Result<Opening> {
        Ok(match role {
            ProgramRole::TcpServer { port } => Opening::TcpServer(port),
            ProgramRole::UdpServer { port } => Opening::UdpServer(port),
            ProgramRole::TcpClient { port } => Opening::TcpClient(sandbox.listen_tcp(port).await?),
            ProgramRole::UdpClient { port } => {
                Opening::UdpClient(UdpPeer::server(sandbox.bind_udp(port).await?))
            }
            ProgramRole::Console => Opening::Console,
        })
    }
}

/// The program's network side, once it is ready.
pub(super) enum Endpoint {
    /// Not known yet (the program is starting).
    Starting,
    /// A TCP server listening here.
    TcpServer(SocketAddr),
    /// A UDP server bound here.
    UdpServer(SocketAddr),
    /// A TCP client of the grader's listener.
    TcpClient(TcpListener),
    /// A UDP client of the grader's peer `server` (kept with the other UDP peers).
    UdpClient,
    /// A console program.
    Console,
}

/// The grader's sockets of a test, kept open until the program is stopped.
pub(super) struct Peers {
    connections: BTreeMap<String, TcpClient>,
    _udp: BTreeMap<String, UdpPeer>,
    _endpoint: Endpoint,
}

impl Peers {
    /// Closes every connection with a reset, once the program is stopped. Its side closed
    /// first (it was stopped), so an orderly close would leave its port in TIME_WAIT for a
    /// minute, and on the host's loopback the next program's bind() without SO_REUSEADDR
    /// would fail: one student's run must not cost the next one the port.
    pub fn abort(self) {
        for connection in self.connections.into_values() {
            let _ = connection.reset();
        }
    }
}

/// The state of one test while its steps are played.
pub(super) struct Session<'a> {
    pub(super) exercise: &'a Exercise,
    pub(super) sandbox: &'a Sandbox,
    pub(super) program: &'a RunningProgram,
    pub(super) seed: u64,
    pub(super) transcript: Transcript,
    pub(super) endpoint: Endpoint,
    /// Open TCP connections by name.
    pub(super) connections: BTreeMap<String, TcpClient>,
    /// Client addresses whose connections the grader has closed or half-closed.
    pub(super) closed_by_grader: Vec<SocketAddr>,
    /// The grader's UDP sockets by peer name.
    pub(super) udp_peers: BTreeMap<String, UdpPeer>,
    /// The program's host name (for `{hostname}` in expected output).
    pub(super) hostname: String,
    /// The services file the program sees (for the service-lookup oracle).
    pub(super) services: String,
    /// The last line typed on the program's stdin (to say what an answer answered).
    pub(super) last_typed: Option<String>,
    /// A line was typed and its answer not yet matched (that answer must be the only one).
    pub(super) awaiting_answer: bool,
    /// The exercise's own reference program's answers, for `differential` steps with
    /// `oracle: reference` (asked once per grading, before the tests).
    pub(super) reference_answers: Option<ReferenceAnswers>,
}

/// What the exercise's own reference answered to each input line, or why it could not.
pub(super) type ReferenceAnswers = std::sync::Arc<Result<BTreeMap<String, String>, String>>;

impl<'a> Session<'a> {
    /// A session for a program that has just started.
    pub fn new(
        exercise: &'a Exercise,
        sandbox: &'a Sandbox,
        program: &'a RunningProgram,
        seed: u64,
    ) -> Session<'a> {
        Session {
            exercise,
            sandbox,
            program,
            seed,
            transcript: Transcript::default(),
            endpoint: Endpoint::Starting,
            connections: BTreeMap::new(),
            closed_by_grader: Vec::new(),
            udp_peers: BTreeMap::new(),
            hostname: sandbox.hostname(),
            services: sandbox.services(),
            last_typed: None,
            awaiting_answer: false,
            reference_answers: None,
        }
    }

    /// Adds an entry to the transcript.
    pub fn record(&mut self, entry: Entry) {
        self.transcript.entries.push(entry);
    }

    /// The transcript so far, and the grader's sockets (to be dropped after the program is
    /// stopped).
    pub fn finish(self) -> (Transcript, Peers) {
        let peers = Peers {
            connections: self.connections,
            _udp: self.udp_peers,
            _endpoint: self.endpoint,
        };
        (self.transcript, peers)
    }

    /// Waits until the program is ready, then plays every step.
    pub async fn play(&mut self, opening: Opening, test: &TestPlan) -> Result<(), StepError> {
        self.endpoint = match opening {
            Opening::TcpServer(port) => Endpoint::TcpServer(self.wait_until_listening(port).await?),
            Opening::UdpServer(port) => Endpoint::UdpServer(self.wait_until_bound(port).await?),
            Opening::TcpClient(listener) => Endpoint::TcpClient(listener),
            Opening::UdpClient(server) => {
                self.udp_peers.insert(UDP_SERVER_PEER.to_owned(), server);
                Endpoint::UdpClient
            }
            Opening::Console => Endpoint::Console,
        };
        self.play_steps(&test.steps).await
    }

    /// Plays `steps` in order on a ready program; stops at the first that fails.
    pub(super) async fn play_steps(&mut self, steps: &[Step]) -> Result<(), StepError> {
        for (index, step) in steps.iter().enumerate() {
            // Input is given only to a program that is waiting for it, so what happens next
            // does not depend on who was faster (the program's close vs the client's next send).
            if step.action.gives_input() {
                self.settle().await;
            }
            let outcome = match &step.action {
                Action::Tcp(action) => self.play_tcp(action).await,
                Action::Udp(action) => self.play_udp(action).await,
                Action::Console(action) => self.play_console(action).await,
            };
            match outcome {
                Ok(()) => {}
                Err(StepProblem::Grader(message)) => return Err(StepError::Grader(message)),
                Err(StepProblem::Problem(problem, detail)) => {
                    return Err(StepError::Failed(
                        self.failure_at(index, step, *problem, detail),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The failure of step `index`, with where its long payload diverged when the step says.
    fn failure_at(
        &self,
        index: usize,
        step: &Step,
        problem: Problem,
        detail: Option<String>,
    ) -> Failure {
        let detail = detail.or_else(|| {
            let expected = match &step.action {
                Action::Tcp(TcpAction {
                    verb: TcpVerb::Expect { matcher, .. } | TcpVerb::ExpectAll { matcher, .. },
                    ..
                })
                | Action::Console(ConsoleAction::ExpectFile { matcher, .. }) => matcher,
                _ => return None,
            };
            match (expected, problem.received()) {
                (Matcher::Exact(expected), Some(received)) => exact_progress(expected, received),
                _ => None,
            }
        });
        Failure {
            step: Some(FailedStep {
                number: index + 1,
                line: step.line,
                // The step as the program met it: `{hostname}` is this run's host name.
                description: describe_step(step, self.exercise.role.grader_is_server())
                    .replace("{hostname}", &self.hostname),
            }),
            problem,
            detail,
        }
    }

    fn before_steps(problem: Problem) -> StepError {
        StepError::Failed(Failure {
            step: None,
            problem,
            detail: None,
        })
    }

    async fn wait_until_listening(&mut self, port: u16) -> Result<SocketAddr, StepError> {
        let shared_table = self.sandbox.isolation() == Isolation::HostLoopback;
        let limit = self.exercise.start_timeout;
        match wait_until_listening(self.program, self.sandbox, port, limit, shared_table).await {
            Ok(socket) => {
                self.record(Entry::Listening {
                    address: socket.local,
                });
                if let Some(problem) = self.wrong_bind_address(socket.local) {
                    return Err(Self::before_steps(problem));
                }
                Ok(socket.connect_address())
            }
            Err(NotListening::Ended(_)) => Err(Self::before_steps(Problem::EndedBeforeListening {
                transport: Transport::Tcp,
                port,
            })),
            Err(NotListening::TimedOut {
                waited,
                elsewhere,
                waiting,
            }) => Err(Self::before_steps(Problem::NeverListened {
                port,
                waited,
                elsewhere,
                waiting,
            })),
        }
    }

    async fn wait_until_bound(&mut self, port: u16) -> Result<SocketAddr, StepError> {
        let shared_table = self.sandbox.isolation() == Isolation::HostLoopback;
        let limit = self.exercise.start_timeout;
        match wait_until_bound(self.program, self.sandbox, port, limit, shared_table).await {
            Ok(local) => {
                self.record(Entry::Bound { address: local });
                if let Some(problem) = self.wrong_bind_address(local) {
                    return Err(Self::before_steps(problem));
                }
                Ok(ListeningSocket { local, inode: 0 }.connect_address())
            }
            Err(NotListening::Ended(_)) => Err(Self::before_steps(Problem::EndedBeforeListening {
                transport: Transport::Udp,
                port,
            })),
            Err(NotListening::TimedOut {
                waited,
                elsewhere,
                waiting,
            }) => Err(Self::before_steps(Problem::NeverBound {
                port,
                waited,
                elsewhere,
                waiting,
            })),
        }
    }

    /// The problem when the exercise requires a bind address (`listens: { …, address }`) and
    /// the program bound another.
    fn wrong_bind_address(&self, local: SocketAddr) -> Option<Problem> {
        let required = self.exercise.bind_address?;
        (local.ip() != required).then_some(Problem::WrongBindAddress {
            required,
            found: local,
        })
    }

    /// How the program talks TCP with the grader, if it does.
    pub(super) fn conversation(&self) -> Option<TcpConversation> {
        self.exercise.tcp_conversation()
    }

    /// Waits until the program has done all it can with its input so far (bounded).
    pub async fn settle(&self) {
        wait_until_settled(
            self.program,
            self.sandbox,
            self.conversation(),
            &self.closed_by_grader,
            SETTLE_LIMIT,
        )
        .await;
    }

    /// What the (idle) program waits for: the keyboard or the network.
    pub(super) fn waiting(&self) -> Waiting {
        crate::readiness::waiting_for(&self.sandbox.program_processes(self.program.pid()))
    }

    /// Whether waiting longer is useless right now (see [`idle_check`]).
    pub fn is_idle(&self) -> bool {
        self.idle_check()()
    }

    /// A check for "waiting longer is useless" (see [`idle_check`]) on this test's program.
    pub(super) fn idle_check(&self) -> impl FnMut() -> bool + 'a + use<'a> {
        idle_check(
            self.program,
            self.sandbox,
            self.conversation(),
            self.closed_by_grader.clone(),
        )
    }
}

/// A check for "waiting longer is useless": the program is idle (every thread waiting for
/// input, no input on its way) and none of its output is still on its way to the grader. It
/// holds only the program and the sandbox, so it can run while a connection is borrowed.
fn idle_check<'a>(
    program: &'a RunningProgram,
    sandbox: &'a Sandbox,
    conversation: Option<TcpConversation>,
    closed_by_grader: Vec<SocketAddr>,
) -> impl FnMut() -> bool + 'a {
    move || {
        is_settled(program, sandbox, conversation, &closed_by_grader)
            && !conversation.is_some_and(|tcp| output_in_flight(sandbox, program.pid(), tcp))
    }
}

/// `matcher` made concrete for a wait of `wait` starting now (`{now}` stands for the times of
/// that wait) and the words that describe it, with what `{now}` stood for.
pub(super) fn at_clock(matcher: &Matcher, wait: Duration) -> (Matcher, String) {
    if !matcher.mentions_now() {
        return (matcher.clone(), crate::verdict::describe_matcher(matcher));
    }
    let times = crate::plan::now::times_from_now(wait);
    let expected =
        crate::verdict::describe_matcher(matcher) + &crate::verdict::describe_clock(&times);
    (matcher.at_times(&times), expected)
}

/// [`at_clock`] for what the program prints: the matcher made concrete, and the words that say
/// what `{now}` stood for (empty without it).
pub(super) fn output_at_clock(matcher: &OutputMatcher, wait: Duration) -> (OutputMatcher, String) {
    if !matcher.mentions_now() {
        return (matcher.clone(), String::new());
    }
    let times = crate::plan::now::times_from_now(wait);
    (
        matcher.at_times(&times),
        crate::verdict::describe_clock(&times),
    )
}
