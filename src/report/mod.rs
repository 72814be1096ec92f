//! Stage 5, report: the result in every format.
//!
//! As in nextest, the runner emits [`GradeEvent`]s and knows nothing of formats. The text
//! report is live ([`TextReporter`], a [`Reporter`] of those events: each test is shown as soon
//! as it is done); the machine formats are written once, whole, from the final
//! [`ExerciseResult`] ([`render`]). A new format is a new renderer, not a runner change.

mod classroom;
mod escape;
mod gradescope;
mod html;
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
    /// One self-contained HTML page: every test with a sequence diagram of what happened.
    Html,
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
            Format::Html => "html",
        }
    }
}

/// The command that grades the same program again, one test at a time: every flag before
/// the program (and before `--`, where a command follows), `--exercises` and `--seed` kept, so
/// the line works when pasted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rerun {
    /// `netgrade [--exercises DIR] test EXERCISE [--seed N]`, each a word.
    pub before: Vec<String>,
    /// The program: a path, or `--` and a command.
    pub program: Vec<String>,
}

impl Rerun {
    /// `netgrade test <exercise>` for `program`, with the pack folder when not the bundled one.
    pub fn new(exercises: Option<&std::path::Path>, exercise: &str, program: Vec<String>) -> Rerun {
        let mut before = vec!["netgrade".to_owned()];
        if let Some(folder) = exercises {
            before.push("--exercises".to_owned());
            before.push(folder.display().to_string());
        }
        before.push("test".to_owned());
        before.push(exercise.to_owned());
        Rerun { before, program }
    }

    /// The line that grades test `number` again (with `seed`, when the run had one and the
    /// command does not name one already).
    pub fn for_test(&self, number: usize, seed: Option<u64>) -> String {
        let mut words = self.before.clone();
        if let Some(seed) = seed.filter(|_| !self.before.iter().any(|w| w == "--seed")) {
            words.push("--seed".to_owned());
            words.push(seed.to_string());
        }
        words.push("--test".to_owned());
        words.push(number.to_string());
        words.extend(self.program.iter().cloned());
        words
            .iter()
            .map(|word| shell_word(word))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A word as a shell reads it: quoted when it has spaces or shell characters.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// Renders a finished result in `format`; `rerun` grades this program again (shown under
/// failures).
/// The score sentence people read ("score: 12/14 — 7 of 9 tests passed", with the fragile
/// ones when there are), the same in the live text and the HTML page.
fn score_line(result: &ExerciseResult) -> String {
    let passed = result.tests.iter().filter(|t| t.passed()).count();
    let fragile = result.fragile_apart().len();
    if fragile > 0 {
        crate::tr!(
            "report-score-fragile",
            score = result.score(),
            max = result.max_score(),
            passed = passed,
            total = result.tests.len(),
            fragile = fragile
        )
    } else {
        crate::tr!(
            "report-score",
            score = result.score(),
            max = result.max_score(),
            passed = passed,
            total = result.tests.len()
        )
    }
}

pub fn render(format: Format, result: &ExerciseResult, rerun: &Rerun) -> io::Result<Vec<u8>> {
    let mut text = match format {
        Format::Text => {
            let mut out = anstream::StripStream::new(Vec::new());
            TextReporter::new(&mut out, rerun.clone()).whole(result)?;
            return Ok(out.into_inner());
        }
        Format::Json => json::render(result)?,
        Format::Gradescope => gradescope::render(result, rerun)?,
        Format::Junit => junit::render(result, rerun)?,
        Format::Classroom => classroom::render(result, rerun),
        Format::Html => html::render(result, rerun),
    };
    text.push('\n');
    Ok(text.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rerun_line_puts_every_flag_before_the_program() {
        let rerun = Rerun::new(
            Some(std::path::Path::new("my pack")),
            "tcp-server",
            vec!["--".into(), "python3".into(), "server.py".into()],
        );
        assert_eq!(
            rerun.for_test(4, Some(7)),
            "netgrade --exercises 'my pack' test tcp-server --seed 7 --test 4 -- python3 server.py"
        );
        let plain = Rerun::new(None, "port-ranges", vec!["it's.py".into()]);
        assert_eq!(
            plain.for_test(1, None),
            "netgrade test port-ranges --test 1 'it'\\''s.py'"
        );
    }
}
