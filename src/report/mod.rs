//! Stage 5, report: [`Reporter`]s turn the stream of [`GradeEvent`]s into output.
//!
//! As in nextest, the runner emits events and knows nothing of formats; a new format is a new
//! reporter.

mod json;
mod text;

use std::io;

use crate::plan::Exercise;
use crate::sandbox::Isolation;
use crate::verdict::{ExerciseResult, TestResult};

pub use json::{JsonReporter, SCHEMA as JSON_SCHEMA, problem_kind, status};
pub use text::TextReporter;

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
