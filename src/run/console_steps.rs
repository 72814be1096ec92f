//! Console steps: type a line, close stdin, expect output, expect the exit, and differential
//! runs (many generated inputs, each answered like the reference).

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::time::Instant;

use super::problems::{StepProblem, output_problem};
use super::session::{Session, output_at_clock};
use crate::differential::{Case, CaseSource, ReferenceInputs};
use crate::peers::expect_output;
use crate::plan::{ConsoleAction, Matcher, OutputMatcher, matches_whole};
use crate::program::{ExitKind, OutputStream, ProgramEnd};
use crate::readiness::is_settled;
use crate::tr;
use crate::transcript::Entry;
use crate::verdict::{Problem, describe_matcher, describe_output_matcher, error_words};

impl Session<'_> {
    /// Plays one console step.
    pub(super) async fn play_console(&mut self, action: &ConsoleAction) -> Result<(), StepProblem> {
        match action {
            ConsoleAction::Type { bytes } => {
                self.type_input(bytes).await?;
                self.record(Entry::Typed {
                    bytes: bytes.clone(),
                });
            }
            ConsoleAction::CloseStdin => {
                self.program.close_input().await;
                self.record(Entry::StdinClosed);
            }
            ConsoleAction::ExpectOutput {
                stream,
                matcher,
                timeout,
            } => {
                let matcher = matcher.with_hostname(&self.hostname);
                let (matcher, clock) = output_at_clock(&matcher, *timeout);
                let text = self
                    .expect_output(*stream, &matcher, *timeout, &clock)
                    .await?;
                self.record(Entry::Printed {
                    stream: stream.name(),
                    text,
                });
            }
            ConsoleAction::ExpectExit { code, timeout } => {
                let end = self.wait_for_exit(*timeout).await?;
                if code.is_some_and(|code| end.exit != ExitKind::Code(code)) {
                    return Err(Problem::WrongExit {
                        expected: *code,
                        end,
                    }
                    .into());
                }
                self.record(Entry::Exited { end });
            }
            ConsoleAction::ExpectFile {
                path,
                matcher,
                timeout,
            } => {
                let bytes = self.expect_file(path, matcher, *timeout).await?;
                self.record(Entry::FileWritten {
                    path: path.clone(),
                    bytes,
                });
            }
            ConsoleAction::Differential { source, timeout } => {
                self.differential(source, *timeout).await?;
            }
        }
        Ok(())
    }

    /// Types the generated inputs one by one, each when the program waits for it, and expects
    /// the reference's answer to each. A failure comes with which input it was and the seed.
    async fn differential(
        &mut self,
        source: &CaseSource,
        timeout: Duration,
    ) -> Result<(), StepProblem> {
        let seed = self.seed;
        let cases = self.cases(source)?;
        let count = cases.len();
        for (index, case) in cases.iter().enumerate() {
            self.settle().await;
            let line = format!("{}\n", case.input);
            let answer = OutputMatcher::Answer(case.answer.clone());
            let outcome = match self.type_input(line.as_bytes()).await {
                Ok(()) => self
                    .expect_output(OutputStream::Stdout, &answer, timeout, "")
                    .await
                    .map(|_| ()),
                Err(problem) => Err(problem),
            };
            outcome.map_err(|problem| {
                let number = index + 1;
                let (input, answer) = (format!("{:?}", case.input), format!("{:?}", case.answer));
                let detail = if matches!(source, CaseSource::Reference(ReferenceInputs::Listed(_)))
                {
                    tr!(
                        "detail-listed-input",
                        number = number,
                        count = count,
                        input = input,
                        answer = answer
                    )
                } else {
                    tr!(
                        "detail-generated-input",
                        number = number,
                        count = count,
                        input = input,
                        answer = answer,
                        seed = seed.to_string()
                    )
                };
                StepProblem::Problem(Box::new(problem), Some(detail))
            })?;
        }
        self.record(Entry::AnsweredLikeReference {
            oracle: match source {
                CaseSource::Builtin { oracle, .. } => Some(oracle.name()),
                CaseSource::Reference(_) => None,
            },
            count,
        });
        Ok(())
    }

    /// The inputs of a `differential` step with their expected answers.
    fn cases(&self, source: &CaseSource) -> Result<Vec<Case>, StepProblem> {
        let (seed, services) = (self.seed, &self.services);
        let inputs = match source {
            CaseSource::Builtin { oracle, count } => {
                return Ok(oracle.cases(seed, *count, services));
            }
            CaseSource::Reference(inputs) => inputs.lines(seed, services),
        };
        let answers = match self.reference_answers.as_deref() {
            Some(Ok(answers)) => answers,
            Some(Err(error)) => return Err(StepProblem::Grader(error.clone())),
            None => {
                let error = tr!("reference-not-asked");
                return Err(StepProblem::Grader(tr!("reference-failed", error = error)));
            }
        };
        inputs
            .into_iter()
            .map(|input| match answers.get(&input) {
                Some(answer) => Ok(Case {
                    answer: answer.clone(),
                    input,
                }),
                None => {
                    let error = tr!("reference-missing-answer", input = format!("{input:?}"));
                    Err(StepProblem::Grader(tr!("reference-failed", error = error)))
                }
            })
            .collect()
    }

    /// Types each of `inputs` when the program waits for input and reads the one answer it
    /// gives, by the exercise's `answers:` (see [`crate::plan::AnswerSet::answers_given`]): the exercise's
    /// own reference, when it is the oracle. The reaction to an input is complete once the
    /// program waits again or has ended, as for a student's answer.
    pub(super) async fn answers_to(
        &mut self,
        inputs: &[String],
    ) -> Result<BTreeMap<String, String>, String> {
        let (program, sandbox, conversation) = (self.program, self.sandbox, self.conversation());
        let closed_by_grader = self.closed_by_grader.clone();
        let is_settled = || is_settled(program, sandbox, conversation, &closed_by_grader);
        let mut answers = BTreeMap::new();
        for input in inputs {
            let quoted = format!("{input:?}");
            self.settle().await;
            let before = program.unmatched_output(OutputStream::Stdout).bytes.len();
            program.consume_output(OutputStream::Stdout, before);
            program
                .type_input(
                    format!("{input}\n").as_bytes(),
                    self.exercise.typing_timeout,
                )
                .await
                .map_err(|_| tr!("reference-input-failed", input = quoted.as_str()))?;
            let deadline = Instant::now() + self.exercise.typing_timeout;
            let printed = loop {
                let settled = is_settled();
                let printed = program.unmatched_output(OutputStream::Stdout);
                if settled || printed.ended || Instant::now() >= deadline {
                    break String::from_utf8_lossy(&printed.bytes).into_owned();
                }
                let arrived = program.output_arrived(OutputStream::Stdout);
                let _ = tokio::time::timeout(Duration::from_millis(20), arrived).await;
            };
            match self.exercise.answers.answers_given(&printed).as_slice() {
                [answer] => {
                    answers.insert(input.clone(), answer.clone());
                }
                [] => {
                    return Err(tr!(
                        "reference-no-answer",
                        input = quoted.as_str(),
                        printed = format!("{printed:?}")
                    ));
                }
                several => {
                    return Err(tr!(
                        "reference-several-answers",
                        input = quoted.as_str(),
                        answers = several.join(", ")
                    ));
                }
            }
        }
        Ok(answers)
    }

    /// Waits until the program's folder holds `path` as `matcher` wants it; gives up once the
    /// program has ended or is idle and the file is still missing or wrong.
    async fn expect_file(
        &self,
        path: &str,
        matcher: &Matcher,
        timeout: Duration,
    ) -> Result<Vec<u8>, Problem> {
        let folder = self.sandbox.workdir();
        let deadline = Instant::now() + timeout;
        let mut is_idle = self.idle_check();
        let mut slice = Duration::from_millis(2);
        loop {
            // Look at the program first: once it is idle or ended, what it wrote is there.
            let ended = self.program.ended().is_some();
            let idle = !ended && is_idle();
            let content = read_bounded(folder, path);
            if let Some(bytes) = &content
                && matches_whole(matcher, bytes)
            {
                return Ok(content.unwrap_or_default());
            }
            if ended || idle || Instant::now() >= deadline {
                return Err(match content {
                    Some(received) => Problem::WrongFile {
                        path: path.to_owned(),
                        expected: describe_matcher(matcher),
                        received,
                    },
                    None => Problem::FileMissing {
                        path: path.to_owned(),
                        ended,
                        waiting: idle.then(|| self.waiting()),
                    },
                });
            }
            let wait = slice.min(deadline.saturating_duration_since(Instant::now()));
            tokio::time::sleep(wait).await;
            slice = (slice * 2).min(Duration::from_millis(50));
        }
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
                    waiting: None,
                });
            }
            if is_idle() {
                if let Some(end) = self.program.ended() {
                    return Ok(end);
                }
                return Err(Problem::NotExited {
                    waited: started.elapsed(),
                    waiting: Some(self.waiting()),
                });
            }
            slice = (slice * 2).min(Duration::from_millis(50));
        }
    }

    /// Types `bytes` on the program's stdin (not recorded: the caller records what it typed).
    async fn type_input(&mut self, bytes: &[u8]) -> Result<(), Problem> {
        let line = String::from_utf8_lossy(bytes);
        self.last_typed = Some(line.trim_end_matches(['\n', '\r']).to_owned());
        self.awaiting_answer = true;
        self.program
            .type_input(bytes, self.exercise.typing_timeout)
            .await
            .map_err(|error| Problem::InputFailed {
                error: match (error.kind(), self.program.ended()) {
                    (_, Some(end)) => tr!("problem-input-after-end", end = end.to_string()),
                    (std::io::ErrorKind::BrokenPipe, None) => tr!("problem-input-closed"),
                    (std::io::ErrorKind::TimedOut, None) => tr!("problem-input-not-read"),
                    _ => error_words(&error),
                },
            })
    }

    /// Waits until the program's output on `stream` satisfies `matcher` (see
    /// [`expect_output`]); fails as soon as the program is idle or has ended without it.
    async fn expect_output(
        &mut self,
        stream: OutputStream,
        matcher: &OutputMatcher,
        timeout: Duration,
        clock: &str,
    ) -> Result<String, Problem> {
        let expected = describe_output_matcher(matcher) + clock;
        let (program, sandbox, conversation) = (self.program, self.sandbox, self.conversation());
        let closed_by_grader = self.closed_by_grader.clone();
        let is_settled = || is_settled(program, sandbox, conversation, &closed_by_grader);
        // The first answer after a typed line is that line's one answer.
        let one_answer = matches!(matcher, OutputMatcher::Answer(_)) && self.awaiting_answer;
        let answers = one_answer.then_some(&self.exercise.answers);
        let outcome = expect_output(program, stream, matcher, answers, timeout, is_settled).await;
        if outcome.is_ok() && matches!(matcher, OutputMatcher::Answer(_)) {
            self.awaiting_answer = false;
        }
        let input = self.last_typed.clone();
        outcome.map_err(|error| {
            output_problem(stream, expected, error, timeout, || self.waiting(), input)
        })
    }
}

/// The file at `path` (checked relative, no `..`) in the run's `folder`, read without
/// following a link at any step of the way and at most a few MiB (what a program may write is
/// bounded by its file size limit anyway); `None` when it is not there. Each folder on the way
/// is opened with `O_NOFOLLOW`, so a program that makes `received` a link to `/etc` cannot
/// have the grader read a file outside its folder into the report.
fn read_bounded(folder: &std::path::Path, path: &str) -> Option<Vec<u8>> {
    use rustix::fs::{Mode, OFlags, openat};
    use std::io::Read;
    const MAX: u64 = 16 * 1024 * 1024;
    let (folders, name) = match path.rsplit_once('/') {
        Some((folders, name)) => (Some(folders), name),
        None => (None, path),
    };
    let through = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let mut dir = openat(
        rustix::fs::CWD,
        folder,
        through | OFlags::DIRECTORY,
        Mode::empty(),
    )
    .ok()?;
    for part in folders.into_iter().flat_map(|f| f.split('/')) {
        dir = openat(&dir, part, through | OFlags::DIRECTORY, Mode::empty()).ok()?;
    }
    let file = openat(&dir, name, through | OFlags::NONBLOCK, Mode::empty()).ok()?;
    let file = std::fs::File::from(file);
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(MAX).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}
