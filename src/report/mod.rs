//! Stage 5, report: [`Reporter`]s turn the stream of [`GradeEvent`]s into output.
//!
//! As in nextest, the runner emits events and knows nothing of formats; a new format is a new
//! reporter.

mod classroom;
mod gradescope;
mod json;
mod junit;
mod text;

use std::io;

use crate::plan::Exercise;
use crate::sandbox::Isolation;
use crate::verdict::{ExerciseResult, TestResult};

pub use classroom::{ClassroomReporter, classroom_json};
pub use gradescope::GradescopeReporter;
pub use json::{JsonReporter, SCHEMA as JSON_SCHEMA, problem_kind, status};
pub use junit::JunitReporter;
pub use text::{TextReporter, plain_test_report};

/// What happens during a grading run, in order.
#[derive(Debug)]
pub enum GradeEvent<'a> {
    /// Grading begins.
    Started {
        /// The exercise.
        exercise: &'a Exercise,
        /// The program, as shown to people.
        program: &'a str,
        /// How runs are isolated.
        isolation: Isolation,
        /// Time-limit factor in force.
        slow: f64,
        /// Seed of the generated inputs, when there are any.
        seed: Option<u64>,
    },
    /// One test is done (emitted in test order).
    TestFinished(&'a TestResult),
    /// Every test is done.
    Finished(&'a ExerciseResult),
}

/// Writes grading events somewhere.
pub trait Reporter {
    /// Handles one event.
    fn write_event(&mut self, event: &GradeEvent<'_>) -> io::Result<()>;
}

/// A reporter that writes nothing (for library use and tests that read the result).
#[derive(Debug, Default)]
pub struct SilentReporter;

impl Reporter for SilentReporter {
    fn write_event(&mut self, _event: &GradeEvent<'_>) -> io::Result<()> {
        Ok(())
    }
}

/// The output formats, for `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: colour, expected vs received, what happened.
    Text,
    /// netgrade's JSON result (schema netgrade/result/v1), the superset of the others.
    Json,
    /// Gradescope's autograder results.json.
    Gradescope,
    /// JUnit XML (GitLab, GitHub test reporters).
    Junit,
    /// GitHub Classroom's grading reporter input (base64 JSON).
    Classroom,
}

impl Format {
    /// File name ending for per-submission result files.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Json => "json",
            Format::Gradescope => "gradescope.json",
            Format::Junit => "junit.xml",
            Format::Classroom => "classroom.b64",
        }
    }

    /// A reporter of this format writing to `out`; `rerun` reproduces the grading.
    pub fn reporter<'a, W: std::io::Write + Send + 'a>(
        self,
        out: W,
        rerun: String,
        verbose: bool,
    ) -> Box<dyn Reporter + Send + 'a> {
        match self {
            Format::Text => {
                let mut text = TextReporter::new(out, rerun);
                text.verbose = verbose;
                Box::new(text)
            }
            Format::Json => Box::new(JsonReporter::new(out)),
            Format::Gradescope => Box::new(GradescopeReporter::new(out, rerun)),
            Format::Junit => Box::new(JunitReporter::new(out, rerun)),
            Format::Classroom => Box::new(ClassroomReporter::new(out, rerun)),
        }
    }
}

/// Renders a finished result in `format`, as a reporter would have written it live.
pub fn render(
    format: Format,
    exercise: &Exercise,
    result: &ExerciseResult,
    rerun: String,
) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let sink = anstream::StripStream::new(&mut out);
        let mut reporter = format.reporter(sink, rerun, false);
        reporter.write_event(&GradeEvent::Started {
            exercise,
            program: &result.program,
            isolation: result.isolation,
            slow: 1.0,
            seed: result.seed,
        })?;
        for test in &result.tests {
            reporter.write_event(&GradeEvent::TestFinished(test))?;
        }
        reporter.write_event(&GradeEvent::Finished(result))?;
    }
    Ok(out)
}
