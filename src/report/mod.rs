//! Stage 5, report: the result in every format.
//!
//! As in nextest, the runner emits [`GradeEvent`]s and knows nothing of formats. The text
//! report is live ([`TextReporter`], a [`Reporter`] of those events: each test is shown as soon
//! as it is done); the machine formats are written once, whole, from the final
//! [`ExerciseResult`] ([`render`]). A new format is a new renderer, not a runner change.

mod classroom;
mod escape;
mod gradescope;
mod json;
mod junit;
mod text;

use std::io;

use crate::plan::Exercise;
use crate::sandbox::Isolation;
use crate::verdict::{ExerciseResult, TestResult};

pub use classroom::classroom_json;
pub use escape::{csv_cell, escape_controls, one_line};
pub use json::{SCHEMA as JSON_SCHEMA, problem_kind, status};
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
}

/// Renders a finished result in `format`; `rerun` is the command that grades this program
/// again (shown under failures).
pub fn render(format: Format, result: &ExerciseResult, rerun: &str) -> io::Result<Vec<u8>> {
    let mut text = match format {
        Format::Text => {
            let mut out = anstream::StripStream::new(Vec::new());
            TextReporter::new(&mut out, rerun.to_owned()).whole(result)?;
            return Ok(out.into_inner());
        }
        Format::Json => json::render(result)?,
        Format::Gradescope => gradescope::render(result, rerun)?,
        Format::Junit => junit::render(result, rerun)?,
        Format::Classroom => classroom::render(result, rerun),
    };
    text.push('\n');
    Ok(text.into_bytes())
}
