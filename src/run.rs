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

use crate::peers::{ExpectError, TcpClient};
use crate::plan::{Action, Exercise, Matcher, Step, TestPlan};
use crate::process::{ProgramCommand, RunningProgram};
use crate::readiness::{
    NotListening, wait_until_accepted, wait_until_listening, wait_until_settled,
};
use crate::report::{GradeEvent, Reporter};
use crate::sandbox::{Isolation, Sandbox};
use crate::transcript::{Entry, Transcript};
use crate::verdict::{
    ExerciseResult, FailedStep, Failure, Outcome, Problem, TestResult, describe_matcher,
    describe_step, exact_progress,
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
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            isolation: Isolation::Namespace,
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            slow: 1.0,
            only_tests: Vec::new(),
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
    reporter.write_event(&GradeEvent::Started {
        exercise,
        program: &program.display,
        isolation: settings.isolation,
        slow: settings.slow,
    })?;
    let jobs = match settings.isolation {
        Isolation::Namespace => settings.jobs.max(1),
        Isolation::HostLoopback => 1,
    };
    let permits = Arc::new(Semaphore::new(jobs));
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
    let program = match RunningProgram::spawn(command, &sandbox) {
        Ok(program) => program,
        Err(error) => {
            result.outcome = Outcome::Error(error.to_string());
            return result;
        }
    };
    let mut session = Session {
        exercise,
        settings,
        sandbox: &sandbox,
        program: &program,
        transcript: Transcript::default(),
        clients: BTreeMap::new(),
        closed_by_grader: Vec::new(),
        address: None,
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
    if failure.is_none() {
        session.settle().await;
    }
    if let Some(failure) = &failure
        && failure_may_mean_the_program_ended(&failure.problem)
    {
        // The program may be on its way out (crashed on this input): give it a moment, so
        // the report says so every time instead of depending on who was faster.
        program
            .wait_for_end(settings.scaled(Duration::from_secs(1)))
            .await;
    }
    let Session {
        mut transcript,
        clients,
        ..
    } = session;
    let finished = program.stop(exercise.stop, &sandbox).await;
    drop(clients);
    transcript.limits_hit = finished.limits_hit;
    transcript.staged_from = finished.staged_from;
    transcript.end = Some(finished.end);
    transcript.stdout = finished.stdout;
    transcript.stderr = finished.stderr;
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
        Problem::ConnectFailed { .. }
            | Problem::ConnectionEnded { .. }
            | Problem::NoReply { .. }
            | Problem::SendFailed { .. }
    )
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
}

impl Session<'_> {
    async fn play(&mut self, test: &TestPlan) -> Result<(), Failure> {
        if let Some(port) = self.exercise.listens_tcp {
            self.wait_until_listening(port).await?;
        }
        for (index, step) in test.steps.iter().enumerate() {
            self.play_step(step).await.map_err(|problem| {
                let detail = match (&step.action, problem.received()) {
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
                        description: describe_step(step),
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
        match wait_until_listening(self.program, port, limit, shared_table).await {
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
            Err(NotListening::TimedOut { waited, elsewhere }) => Err(Failure {
                step: None,
                problem: Problem::NeverListened {
                    port,
                    waited,
                    elsewhere,
                },
                detail: None,
            }),
        }
    }

    fn client(&mut self, name: &str) -> &mut TcpClient {
        // The plan guarantees every step names a connected client.
        self.clients
            .get_mut(name)
            .expect("the plan checks that clients are connected before use")
    }

    /// Waits until the program has done all it can with its input so far (bounded).
    async fn settle(&self) {
        if let Some(port) = self.exercise.listens_tcp {
            let limit = self.settings.scaled(SETTLE_LIMIT);
            wait_until_settled(
                self.program,
                self.sandbox,
                port,
                &self.closed_by_grader,
                limit,
            )
            .await;
        }
    }

    async fn play_step(&mut self, step: &Step) -> Result<(), Problem> {
        let name = step.action.client().to_owned();
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
                        client: name.clone(),
                        address,
                        error: connect_error_words(&error),
                    })?;
                self.clients.insert(name.clone(), TcpClient::new(stream));
                self.transcript.entries.push(Entry::Connected {
                    client: name,
                    address,
                });
            }
            Action::Send { bytes, pieces, .. } => {
                self.client(&name)
                    .send(bytes, *pieces)
                    .await
                    .map_err(|error| Problem::SendFailed {
                        client: name.clone(),
                        error: error.to_string(),
                    })?;
                let pieces = pieces.map_or(1, |(size, _)| bytes.len().div_ceil(size));
                self.transcript.entries.push(Entry::Sent {
                    client: name,
                    bytes: bytes.clone(),
                    pieces,
                });
            }
            Action::Expect {
                matcher, timeout, ..
            } => {
                let timeout = self.settings.scaled(*timeout);
                let expected = describe_matcher(matcher);
                let outcome = self.client(&name).expect(matcher, timeout).await;
                let bytes = outcome.map_err(|error| {
                    let mut problem = expect_problem(&name, expected, error);
                    if let Problem::NoReply { misdirected, .. } = &mut problem {
                        *misdirected = self.data_at_other_clients(&name);
                    }
                    problem
                })?;
                self.transcript.entries.push(Entry::Received {
                    client: name,
                    bytes,
                });
            }
            Action::ExpectNothing { during, .. } => {
                let during = self.settings.scaled(*during);
                self.client(&name)
                    .expect_nothing(during)
                    .await
                    .map_err(|error| quiet_problem(&name, error, false))?;
                self.transcript.entries.push(Entry::QuietFor {
                    client: name,
                    during,
                });
            }
            Action::ExpectClosed { timeout, .. } => {
                let timeout = self.settings.scaled(*timeout);
                self.client(&name)
                    .expect_closed(timeout)
                    .await
                    .map_err(|error| quiet_problem(&name, error, true))?;
                self.transcript
                    .entries
                    .push(Entry::ClosedByProgram { client: name });
            }
            Action::Close { .. } => {
                // Bytes that arrived but no step expected (a stray "\n" after "Thanks") mean the
                // program said more than the exercise asks for.
                let leftover = self.client(&name).pending().to_vec();
                if !leftover.is_empty() {
                    return Err(Problem::UnexpectedData {
                        client: name,
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
                self.transcript.entries.push(Entry::Closed { client: name });
            }
            Action::Shutdown { .. } => {
                let client = self.client(&name);
                let _ = client.shutdown().await;
                let local = client.local_addr().ok();
                self.closed_by_grader.extend(local);
                self.transcript
                    .entries
                    .push(Entry::ShutDown { client: name });
            }
            Action::Reset { .. } => {
                if let Some(client) = self.clients.remove(&name) {
                    let _ = client.reset();
                }
                self.transcript.entries.push(Entry::Reset { client: name });
            }
            Action::WaitAccepted { up_to, .. } => {
                let accepted = match (self.client(&name).local_addr(), self.exercise.listens_tcp) {
                    (Ok(local), Some(port)) => {
                        let limit = self.settings.scaled(*up_to);
                        wait_until_accepted(self.program, port, local, limit).await
                    }
                    _ => false,
                };
                self.transcript.entries.push(Entry::Accepted {
                    client: name,
                    accepted,
                });
            }
        }
        Ok(())
    }

    /// The first other client holding bytes nobody expected: where a lost reply went.
    fn data_at_other_clients(&mut self, except: &str) -> Option<(String, Vec<u8>)> {
        self.clients
            .iter_mut()
            .filter(|(name, _)| name.as_str() != except)
            .find_map(|(name, client)| {
                let pending = client.pending();
                (!pending.is_empty()).then(|| (name.clone(), pending.to_vec()))
            })
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
        ExpectError::TimedOut { waited, .. } => Problem::NotClosed { client, waited },
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
