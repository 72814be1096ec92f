//! Stage 4, verdict: [`TestResult`] and [`ExerciseResult`], the one result model every report
//! format is written from.
//!
//! - [`problem`]: [`Problem`], what went wrong, as data, and its explanation in words a
//!   beginner understands.
//! - [`describe`]: steps and matchers in words (`client a expects exactly "Thanks"`).
//! - [`limits`]: the resource limits a run hit, in words.

mod describe;
mod limits;
mod problem;

use std::time::Duration;

pub use describe::{connection_label, describe_matcher, describe_output_matcher, describe_step};
pub use problem::Problem;

use crate::plan::first_difference;
use crate::sandbox::Isolation;
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
    pub hint: Option<String>,
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
    /// The grader could not run the test (not the student's fault).
    Error(String),
}

impl TestResult {
    /// Whether the test passed.
    pub fn passed(&self) -> bool {
        matches!(self.outcome, Outcome::Passed)
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
    /// Ports the spec names: reports show them as they are and hide ephemeral ones.
    pub fixed_ports: Vec<u16>,
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

    /// Whether every test passed.
    pub fn all_passed(&self) -> bool {
        self.tests.iter().all(TestResult::passed)
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

/// For an exact expectation, how far the received bytes got: where they first differ, or how
/// much of the expected payload arrived. `None` when the plain expected/received lines say it.
pub fn exact_progress(expected: &[u8], received: &[u8]) -> Option<String> {
    let at = first_difference(expected, received);
    if at < expected.len().min(received.len()) {
        (at > 0).then(|| {
            format!(
                "the first {at} bytes were right; byte {at} differs (expected {}, received {})",
                show_bytes(&expected[at..at + 1]),
                show_bytes(&received[at..at + 1])
            )
        })
    } else if received.len() < expected.len() && !received.is_empty() {
        Some(format!(
            "only the first {} of {} expected bytes arrived",
            received.len(),
            expected.len()
        ))
    } else {
        None
    }
}
