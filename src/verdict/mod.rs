//! Stage 4, verdict: [`TestResult`] and [`ExerciseResult`], the one result model every report
//! format is written from.
//!
//! - [`problem`]: [`Problem`], what went wrong, as data, and its explanation in words a
//!   beginner understands.
//! - [`describe`]: steps and matchers in words (`client a expects exactly "Thanks"`).
//! - [`limits`]: the resource limits a run hit, in words.

mod describe;
mod diagnosis;
mod limits;
mod problem;
mod wording;

use std::time::Duration;

pub use crate::i18n::error_words;
pub use describe::{
    connection_label, describe_clock, describe_matcher, describe_output_matcher, describe_step,
};
pub use diagnosis::{Diagnosis, diagnose};
pub use problem::{Problem, Transport, Waiting};

use crate::i18n::Localized;
use crate::plan::{ProgramRole, Robustness, first_difference};
use crate::sandbox::Isolation;
use crate::tr;
use crate::transcript::{Transcript, show_bytes};

/// The result of one test.
#[derive(Debug, Clone)]
pub struct TestResult {
    /// 1-based test number in the spec.
    pub number: usize,
    /// Test name.
    pub name: String,
    /// Points earned.
    pub points: u32,
    /// Points available.
    pub max_points: u32,
    /// Pass, fail, or a grader error.
    pub outcome: Outcome,
    /// What happened.
    pub transcript: Transcript,
    /// The spec's hint for this test.
    pub hint: Option<Localized>,
    /// When the test is a robustness check: why, and whether it counts.
    pub robustness: Option<Robustness>,
    /// Who sees the result on a course platform.
    pub visibility: crate::spec::Visibility,
    /// The test's labels.
    pub tags: Vec<String>,
    /// Wall time of the test.
    pub duration: Duration,
}

/// How a test went.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Every step passed.
    Passed,
    /// The program did something wrong.
    Failed(Failure),
    /// A robustness check that does not count failed: the program works here, but would
    /// break on a real network ("works here, but fragile"). No points lost.
    Fragile(Failure),
    /// The grader could not run the test (not the student's fault).
    Error(String),
}

impl TestResult {
    /// Whether the test passed (fully: a fragile pass is not one).
    pub fn passed(&self) -> bool {
        matches!(self.outcome, Outcome::Passed)
    }

    /// Whether the test failed in a way that counts (a failure or a grader error; a fragile
    /// outcome does not).
    pub fn failed(&self) -> bool {
        matches!(self.outcome, Outcome::Failed(_) | Outcome::Error(_))
    }

    /// Whether it is "works here, but fragile".
    pub fn fragile(&self) -> bool {
        matches!(self.outcome, Outcome::Fragile(_))
    }

    /// The failure, whether it counts or not.
    pub fn failure(&self) -> Option<&Failure> {
        match &self.outcome {
            Outcome::Failed(failure) | Outcome::Fragile(failure) => Some(failure),
            Outcome::Passed | Outcome::Error(_) => None,
        }
    }
}

/// A failed test: which step, and what went wrong.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The step that failed; `None` when the test failed before its steps (not listening)
    /// or as a whole (time limit).
    pub step: Option<FailedStep>,
    /// What went wrong.
    pub problem: Problem,
    /// Where long payloads diverged ("the first 1024 of 102400 bytes arrived").
    pub detail: Option<String>,
}

/// The step a test failed at.
#[derive(Debug, Clone)]
pub struct FailedStep {
    /// 1-based step number within the test.
    pub number: usize,
    /// Line of the step in the spec file.
    pub line: u64,
    /// The step in words (`client a expects exactly "Thanks"`).
    pub description: String,
}

/// The result of grading one program on one exercise.
#[derive(Debug, Clone)]
pub struct ExerciseResult {
    /// Exercise id.
    pub exercise: String,
    /// Exercise title.
    pub title: String,
    /// The program, as shown to people.
    pub program: String,
    /// How runs were isolated.
    pub isolation: Isolation,
    /// Results in test order.
    pub tests: Vec<TestResult>,
    /// Wall time of the whole grading.
    pub duration: Duration,
    /// Seed of the generated inputs, when the exercise has differential tests.
    pub seed: Option<u64>,
    /// What the program is on the network (for diagnoses).
    pub role: ProgramRole,
}

impl ExerciseResult {
    /// Points earned.
    pub fn score(&self) -> u32 {
        self.tests.iter().map(|t| t.points).sum()
    }

    /// Points available.
    pub fn max_score(&self) -> u32 {
        self.tests.iter().map(|t| t.max_points).sum()
    }

    /// Whether every test passed (a fragile outcome counts as passed: it is advice).
    pub fn all_passed(&self) -> bool {
        !self.tests.iter().any(TestResult::failed)
    }

    /// Whether the submission could not be run at all (its program was not found or did not
    /// compile).
    pub fn not_runnable(&self) -> bool {
        self.tests.iter().any(|test| {
            matches!(
                &test.outcome,
                Outcome::Failed(Failure {
                    problem: Problem::NotRun { .. },
                    ..
                })
            )
        })
    }

    /// Whether any test could not be run by the grader.
    pub fn has_errors(&self) -> bool {
        self.tests
            .iter()
            .any(|t| matches!(t.outcome, Outcome::Error(_)))
    }
}

/// Tests that fail for one cause, in the order they first appear: the report says the cause
/// once.
#[derive(Debug, Clone)]
pub struct CauseGroup<'a> {
    /// The cause, with the hints of its first test.
    pub diagnosis: Diagnosis,
    /// The tests it fails, in order.
    pub tests: Vec<&'a TestResult>,
}

impl ExerciseResult {
    /// The failed tests grouped by cause. A fragile test whose failure has the cause of a
    /// failed one (a crash, say) joins its group: it is not "works here" then, though it
    /// still costs nothing.
    pub fn causes(&self) -> Vec<CauseGroup<'_>> {
        self.grouped().0
    }

    /// The fragile tests whose failure has a cause of its own: "works here, but fragile".
    pub fn fragile_apart(&self) -> Vec<&TestResult> {
        self.grouped().1
    }

    fn grouped(&self) -> (Vec<CauseGroup<'_>>, Vec<&TestResult>) {
        let mut groups: Vec<CauseGroup<'_>> = Vec::new();
        for test in &self.tests {
            let Outcome::Failed(failure) = &test.outcome else {
                continue;
            };
            let diagnosis = diagnose(test, failure, self.role);
            match groups.iter_mut().find(|g| g.diagnosis.key == diagnosis.key) {
                Some(group) => group.tests.push(test),
                None => groups.push(CauseGroup {
                    diagnosis,
                    tests: vec![test],
                }),
            }
        }
        let mut apart = Vec::new();
        for test in &self.tests {
            let Outcome::Fragile(failure) = &test.outcome else {
                continue;
            };
            let key = diagnose(test, failure, self.role).key;
            match groups.iter_mut().find(|g| g.diagnosis.key == key) {
                Some(group) => {
                    group.tests.push(test);
                    group.tests.sort_by_key(|t| t.number);
                }
                None => apart.push(test),
            }
        }
        (groups, apart)
    }
}

/// For an exact expectation, how far the received bytes got: where they first differ, or how
/// much of the expected payload arrived. `None` when the plain expected/received lines say it.
pub fn exact_progress(expected: &[u8], received: &[u8]) -> Option<String> {
    let at = first_difference(expected, received);
    if at < expected.len().min(received.len()) {
        (at > 0).then(|| {
            tr!(
                "detail-first-difference",
                at = at,
                expected = show_bytes(&expected[at..at + 1]),
                received = show_bytes(&received[at..at + 1])
            )
        })
    } else if received.len() < expected.len() && !received.is_empty() {
        Some(tr!(
            "detail-partly-arrived",
            arrived = received.len(),
            expected = expected.len()
        ))
    } else if received.len() > expected.len() {
        // All of it, then more (a whole file or all a connection carried): show the extra.
        let extra = &received[expected.len()..];
        Some(tr!(
            "detail-extra-bytes",
            expected = expected.len(),
            count = extra.len(),
            extra = show_bytes(extra)
        ))
    } else {
        None
    }
}
