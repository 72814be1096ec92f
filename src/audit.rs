//! Auditing a spec with its known-good and known-bad programs: [`audit`].
//!
//! Each exercise keeps fixture programs in `solutions/good/` and `solutions/bad/`; each says on
//! a `netgrade-expect:` line what must happen to it (`pass`, `fail 2 4`, `fail all`). A good one
//! must pass every test; a bad one must fail exactly the tests it declares. A miss means the
//! spec is too weak (a bug slips through) or too strict (a correct program fails).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::plan::Exercise;
use crate::program::ProgramCommand;
use crate::report::SilentReporter;
use crate::run::{RunSettings, grade};
use crate::sandbox::Isolation;
use crate::submission;

/// What a fixture declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expectation {
    /// Every test passes.
    Pass,
    /// Exactly these tests fail.
    Fail(BTreeSet<usize>),
    /// Every test fails.
    FailAll,
}

impl Expectation {
    /// Reads the `netgrade-expect:` line of a fixture's source.
    pub fn of_source(text: &str) -> Option<Expectation> {
        let line = text.lines().find_map(|line| {
            line.split_once("netgrade-expect:")
                .map(|(_, rest)| rest.trim())
        })?;
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["pass"] => Some(Expectation::Pass),
            ["fail", "all"] => Some(Expectation::FailAll),
            ["fail", numbers @ ..] if !numbers.is_empty() => numbers
                .iter()
                .map(|n| n.parse().ok())
                .collect::<Option<BTreeSet<usize>>>()
                .map(Expectation::Fail),
            _ => None,
        }
    }

    /// The tests that must fail, for an exercise with `tests` tests.
    pub fn failing_tests(&self, tests: usize) -> BTreeSet<usize> {
        match self {
            Expectation::Pass => BTreeSet::new(),
            Expectation::FailAll => (1..=tests).collect(),
            Expectation::Fail(numbers) => numbers.clone(),
        }
    }
}

/// A fixture program beside an exercise.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// `good` or `bad`.
    pub kind: String,
    /// Its source file.
    pub source: PathBuf,
    /// What it declares.
    pub expectation: Expectation,
}

impl Fixture {
    /// `good/server.py`.
    pub fn label(&self) -> String {
        let name = self
            .source
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        format!("{}/{name}", self.kind)
    }
}

/// A fixture that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// No or an unreadable `netgrade-expect:` line.
    #[error("{0}: no readable `netgrade-expect:` line (pass | fail N… | fail all)")]
    NoExpectation(PathBuf),
    /// A good fixture that declares failures, or the other way round.
    #[error("{0}: fixtures in good/ must `pass`, fixtures in bad/ must `fail`")]
    WrongFolder(PathBuf),
    /// A Rust fixture did not compile.
    #[error("{path}: {output}")]
    Compile {
        /// The source.
        path: PathBuf,
        /// What rustc said.
        output: String,
    },
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

/// The fixtures in `<exercise folder>/solutions/{good,bad}/` (.py and .rs files), sorted.
pub fn fixtures(exercise_dir: &Path) -> Result<Vec<Fixture>, FixtureError> {
    let mut found = Vec::new();
    for kind in ["good", "bad"] {
        let Ok(entries) = std::fs::read_dir(exercise_dir.join("solutions").join(kind)) else {
            continue;
        };
        for entry in entries.flatten() {
            let source = entry.path();
            if !matches!(
                source.extension().and_then(|e| e.to_str()),
                Some("py" | "rs")
            ) {
                continue;
            }
            let text = std::fs::read_to_string(&source)
                .map_err(|e| FixtureError::Other(format!("{}: {e}", source.display())))?;
            let expectation = Expectation::of_source(&text)
                .ok_or_else(|| FixtureError::NoExpectation(source.clone()))?;
            if (kind == "good") != (expectation == Expectation::Pass) {
                return Err(FixtureError::WrongFolder(source));
            }
            found.push(Fixture {
                kind: kind.to_owned(),
                source,
                expectation,
            });
        }
    }
    found.sort_by(|a, b| a.source.cmp(&b.source));
    Ok(found)
}

/// How to run a fixture: a .py as it is, a .rs compiled (in the sandbox) first.
pub async fn program_for(
    fixture: &Fixture,
    isolation: Isolation,
) -> Result<ProgramCommand, FixtureError> {
    let resolved = submission::resolve(Some(&fixture.source), &[])
        .map_err(|e| FixtureError::Other(e.to_string()))?;
    resolved
        .build(isolation)
        .await
        .map_err(|error| FixtureError::Compile {
            path: fixture.source.clone(),
            output: error.to_string(),
        })
}

/// One exercise's audit.
#[derive(Debug, Clone, Default)]
pub struct AuditRow {
    /// Exercise id.
    pub exercise: String,
    /// Good fixtures.
    pub good: usize,
    /// Good fixtures that passed every test.
    pub good_passed: usize,
    /// Bad fixtures.
    pub bad: usize,
    /// Bad fixtures that failed exactly the tests they declare.
    pub bad_caught: usize,
    /// What went wrong, one line each.
    pub misses: Vec<String>,
}

/// Grades every fixture of `exercise` (in `exercise_dir`) and compares with what it declares.
pub async fn audit(
    exercise: &Exercise,
    exercise_dir: &Path,
    settings: &RunSettings,
) -> Result<AuditRow, FixtureError> {
    let mut row = AuditRow {
        exercise: exercise.id.clone(),
        ..AuditRow::default()
    };
    for fixture in fixtures(exercise_dir)? {
        let program = program_for(&fixture, settings.isolation).await?;
        let result = grade(exercise, &program, settings, &mut SilentReporter)
            .await
            .map_err(|e| FixtureError::Other(e.to_string()))?;
        let failed: BTreeSet<usize> = result
            .tests
            .iter()
            .filter(|t| !t.passed())
            .map(|t| t.number)
            .collect();
        let expected = fixture.expectation.failing_tests(exercise.tests.len());
        let good = fixture.expectation == Expectation::Pass;
        if good {
            row.good += 1;
        } else {
            row.bad += 1;
        }
        if failed == expected {
            if good {
                row.good_passed += 1;
            } else {
                row.bad_caught += 1;
            }
        } else {
            let list = |set: &BTreeSet<usize>| {
                if set.is_empty() {
                    "none".to_owned()
                } else {
                    set.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" ")
                }
            };
            row.misses.push(format!(
                "{}: tests failed: {}; declared: {}",
                fixture.label(),
                list(&failed),
                list(&expected)
            ));
        }
    }
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expectations_are_read_from_a_comment() {
        assert_eq!(
            Expectation::of_source("# netgrade-expect: pass\n"),
            Some(Expectation::Pass)
        );
        assert_eq!(
            Expectation::of_source("// netgrade-expect: fail 2 4\n"),
            Some(Expectation::Fail([2, 4].into()))
        );
        assert_eq!(
            Expectation::of_source("# netgrade-expect: fail all"),
            Some(Expectation::FailAll)
        );
        assert_eq!(Expectation::of_source("# netgrade-expect: fail"), None);
        assert_eq!(Expectation::of_source("print('hi')"), None);
    }
}
