//! One test's life: [`TestRun::run`] — a fresh sandbox and program start, the steps, the stop,
//! and the [`TestResult`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use super::problems::StepError;
use super::session::{Opening, ReferenceAnswers, Session};
use crate::plan::{Exercise, TestPlan};
use crate::program::{ProgramCommand, RunningProgram};
use crate::sandbox::{Capture, Isolation, Sandbox};
use crate::spec::TracebackSpec;
use crate::transcript::{Entry, Transcript};
use crate::verdict::{Failure, Outcome, Problem, TestResult};

/// Longest wait for a program that may be on its way out after a failure.
const ENDING_GRACE: Duration = Duration::from_secs(1);

/// What every test of one grading shares.
#[derive(Debug)]
pub(super) struct TestRun {
    /// The exercise, its time limits already scaled by `--slow`.
    pub exercise: Exercise,
    /// The program.
    pub command: ProgramCommand,
    /// How runs are isolated.
    pub isolation: Isolation,
    /// Seed of generated inputs.
    pub seed: u64,
    /// Folder for each test's capture file (`--pcap`).
    pub pcap: Option<PathBuf>,
    /// The exercise's own reference's answers, by test number, for the tests whose
    /// `differential` steps need them.
    pub reference_answers: BTreeMap<usize, ReferenceAnswers>,
}

impl TestRun {
    /// Runs test `index` from a fresh start of the program to its stop.
    pub async fn run(&self, index: usize) -> TestResult {
        let test = &self.exercise.tests[index];
        let started = Instant::now();
        let mut result = TestResult {
            number: test.number,
            name: test.name.text().to_owned(),
            points: 0,
            max_points: test.points,
            outcome: Outcome::Passed,
            transcript: Transcript::default(),
            hint: test.hint.clone(),
            robustness: test.robustness.clone(),
            visibility: test.visibility,
            tags: test.tags.clone(),
            duration: Duration::ZERO,
        };
        match self.play(test).await {
            Ok((transcript, failure)) => {
                result.transcript = transcript;
                let advice_only = test.is_advice();
                match failure {
                    None => result.points = test.points,
                    Some(failure) if advice_only => result.outcome = Outcome::Fragile(failure),
                    Some(failure) => result.outcome = Outcome::Failed(failure),
                }
            }
            Err(message) => result.outcome = Outcome::Error(message),
        }
        result.duration = started.elapsed();
        result
    }

    /// Plays the test in a fresh sandbox; `Err` when the grader itself could not.
    async fn play(&self, test: &TestPlan) -> Result<(Transcript, Option<Failure>), String> {
        let exercise = &self.exercise;
        let sandbox = Sandbox::create(self.isolation, exercise.limits)
            .map_err(|error| format!("could not create the sandbox: {error}"))?;
        // The run's traffic is recorded from before the program starts (its whole handshake)
        // until right after it is stopped; a capture that cannot start costs only the packets.
        let capture = self.start_capture(&sandbox);
        // The server a client program talks to must exist before the program starts.
        let opening = Opening::prepare(exercise.role, &sandbox)
            .await
            .map_err(|error| format!("could not open the grader's server: {error}"))?;
        let program_started = SystemTime::now();
        let command = self.command_for(test);
        let program =
            RunningProgram::spawn(&command, &sandbox).map_err(|error| error.to_string())?;
        let mut session = Session::new(exercise, &sandbox, &program, self.seed);
        session.reference_answers = self.reference_answers.get(&test.number).cloned();
        session.record(Entry::Started {
            command: command.display,
        });
        let limit = test.timeout;
        let failure = match tokio::time::timeout(limit, session.play(opening, test)).await {
            Ok(Ok(())) => None,
            Ok(Err(StepError::Failed(failure))) => Some(failure),
            Ok(Err(StepError::Grader(message))) => return Err(message),
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
        {
            // Until it is idle again, the program may be on its way out (crashed on this
            // input): give it a moment to end or to wait again, so the report says which every
            // time instead of depending on who was faster.
            let is_idle = session.idle_check();
            crate::readiness::wait_until(&program, ENDING_GRACE, is_idle).await;
        }
        // The grader's connections stay open until the program is stopped: what it does when
        // they close is not part of the test.
        let (mut transcript, peers) = session.finish();
        let finished = program.stop(exercise.stop, &sandbox).await;
        peers.abort();
        if let Some(capture) = capture {
            transcript.packets = self.finish_capture(capture, program_started, test.number);
        }
        transcript.limits_hit = finished.limits_hit;
        transcript.path_replacements = finished.path_replacements;
        transcript.end = Some(finished.end);
        transcript.stdout = finished.stdout;
        transcript.stderr = finished.stderr;
        let failure = failure.or_else(|| traceback_failure(exercise, &transcript));
        Ok((transcript, failure))
    }
}

impl TestRun {
    /// Runs this run's program (the exercise's own reference) in a fresh sandbox, as `test`
    /// starts it, and asks it every line that test's `differential` steps will type.
    pub async fn ask_reference(&self, test: &TestPlan) -> Result<BTreeMap<String, String>, String> {
        let exercise = &self.exercise;
        let sandbox = Sandbox::create(self.isolation, exercise.limits)
            .map_err(|error| format!("could not create the sandbox: {error}"))?;
        let inputs = test.reference_inputs(self.seed, &sandbox.services());
        let command = self.command_for(test);
        let program =
            RunningProgram::spawn(&command, &sandbox).map_err(|error| error.to_string())?;
        let mut session = Session::new(exercise, &sandbox, &program, self.seed);
        let answers = tokio::time::timeout(test.timeout, session.answers_to(&inputs))
            .await
            .unwrap_or_else(|_| {
                Err(crate::tr!(
                    "reference-too-slow",
                    limit = humantime::format_duration(test.timeout).to_string()
                ))
            });
        let (_, peers) = session.finish();
        let finished = program.stop(exercise.stop, &sandbox).await;
        peers.abort();
        answers.map_err(|error| {
            let stderr = finished.stderr.text();
            let mut message = crate::tr!("reference-failed", error = error);
            if let Some(last) = stderr.lines().rfind(|line| !line.trim().is_empty()) {
                message += &crate::tr!("reference-stderr", line = last);
            }
            message
        })
    }

    /// The command for `test`: its own arguments, or else the exercise's.
    fn command_for(&self, test: &TestPlan) -> ProgramCommand {
        self.command
            .with_args(test.args.as_deref().unwrap_or(&self.exercise.args))
    }

    /// Starts recording the run's loopback (nothing on the host loopback).
    fn start_capture(&self, sandbox: &Sandbox) -> Option<Capture> {
        match sandbox.start_capture(self.pcap.is_some()) {
            Ok(capture) => capture,
            Err(error) => {
                if self.pcap.is_some() {
                    warn_once(&format!(
                        "--pcap: the traffic cannot be captured here ({error})"
                    ));
                }
                None
            }
        }
    }

    /// Stops the capture; writes `test-<number>.pcap` when asked. Returns the packets.
    fn finish_capture(
        &self,
        capture: Capture,
        program_started: SystemTime,
        number: usize,
    ) -> Vec<crate::wire::Packet> {
        let captured = capture.stop(program_started);
        if let Some(dir) = &self.pcap {
            let path = dir.join(format!("test-{number}.pcap"));
            if let Err(error) = captured.write_pcap(&path) {
                warn_once(&format!("--pcap: cannot write {}: {error}", show(&path)));
            } else if captured.full || captured.dropped > 0 {
                eprintln!(
                    "netgrade: {} is incomplete: {} frames kept at most, {} lost by the kernel",
                    show(&path),
                    crate::sandbox::MAX_FRAMES,
                    captured.dropped
                );
            }
        }
        captured.packets
    }
}

/// A path for a one-line message.
fn show(path: &Path) -> String {
    path.display().to_string().escape_debug().to_string()
}

/// Prints a warning about capturing once per grader (every test would say the same).
fn warn_once(message: &str) {
    static WARNED: Once = Once::new();
    WARNED.call_once(|| eprintln!("netgrade: {message}"));
}

fn failure_may_mean_the_program_ended(problem: &Problem) -> bool {
    matches!(
        problem,
        Problem::NoReply { waiting: None, .. }
            | Problem::ConnectFailed { .. }
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
