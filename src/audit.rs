//! Auditing a spec with its known-good and known-bad programs: [`audit`].
//!
//! Each exercise keeps fixture programs in `solutions/good/` and `solutions/bad/`; each says on
//! a `netgrade-expect:` line what must happen to it (`pass`, `fail 2 4`, `fail all`, then
//! optionally `fragile 9`). A good one must pass every test that counts; a bad one must fail
//! exactly the tests it declares; either must be fragile on exactly the robustness tests it
//! declares. A miss means the
//! spec is too weak (a bug slips through) or too strict (a correct program fails).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::plan::Exercise;
use crate::program::ProgramCommand;
use crate::report::SilentReporter;
use crate::run::{RunSettings, grade};
use crate::sandbox::Isolation;
use crate::submission;

/// What a fixture declares: `pass`, `fail 2 4`, `fail all`, each optionally followed by
/// `fragile N…` (robustness tests that must come out "works here, but fragile").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// The tests that must fail (and cost points).
    pub failing: Failing,
    /// The advice-only robustness tests that must come out fragile.
    pub fragile: BTreeSet<usize>,
}

/// Which tests a fixture must fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failing {
    /// None: a known-good program.
    Nothing,
    /// Exactly these.
    Tests(BTreeSet<usize>),
    /// Every test that counts (and every advice-only test comes out fragile).
    All,
}

impl Expectation {
    /// Passes every test (fragile ones allowed when declared).
    pub const PASS: Expectation = Expectation {
        failing: Failing::Nothing,
        fragile: BTreeSet::new(),
    };

    /// Reads the `netgrade-expect:` line of a fixture's source.
    pub fn of_source(text: &str) -> Option<Expectation> {
        let line = text.lines().find_map(|line| {
            line.split_once("netgrade-expect:")
                .map(|(_, rest)| rest.trim())
        })?;
        let words: Vec<&str> = line.split_whitespace().collect();
        let (verdict, fragile) = match words.iter().position(|w| *w == "fragile") {
            Some(at) => (
                &words[..at],
                numbers(&words[at + 1..]).filter(|n| !n.is_empty())?,
            ),
            None => (&words[..], BTreeSet::new()),
        };
        let failing = match verdict {
            ["pass"] => Failing::Nothing,
            ["fail", "all"] => Failing::All,
            ["fail", list @ ..] if !list.is_empty() => Failing::Tests(numbers(list)?),
            _ => return None,
        };
        Some(Expectation { failing, fragile })
    }

    /// A known-good program: no test may fail.
    pub fn passes(&self) -> bool {
        self.failing == Failing::Nothing
    }

    /// The tests that must fail, in `exercise`.
    pub fn failing_tests(&self, exercise: &Exercise) -> BTreeSet<usize> {
        match &self.failing {
            Failing::Nothing => BTreeSet::new(),
            Failing::All => exercise
                .tests
                .iter()
                .filter(|t| !t.is_advice())
                .map(|t| t.number)
                .collect(),
            Failing::Tests(numbers) => numbers.clone(),
        }
    }

    /// The tests that must come out fragile, in `exercise`.
    pub fn fragile_tests(&self, exercise: &Exercise) -> BTreeSet<usize> {
        let mut fragile = self.fragile.clone();
        if self.failing == Failing::All {
            fragile.extend(
                exercise
                    .tests
                    .iter()
                    .filter(|t| t.is_advice())
                    .map(|t| t.number),
            );
        }
        fragile
    }
}

/// Test numbers, or `None` if a word is not one.
fn numbers(words: &[&str]) -> Option<BTreeSet<usize>> {
    words.iter().map(|n| n.parse().ok()).collect()
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
    #[error(
        "{0}: no readable `netgrade-expect:` line (pass | fail N… | fail all, then optionally fragile N…)"
    )]
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
            if (kind == "good") != expectation.passes() {
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
            .filter(|t| t.failed())
            .map(|t| t.number)
            .collect();
        let fragile: BTreeSet<usize> = result
            .tests
            .iter()
            .filter(|t| t.fragile())
            .map(|t| t.number)
            .collect();
        let expected = fixture.expectation.failing_tests(exercise);
        let expected_fragile = fixture.expectation.fragile_tests(exercise);
        let good = fixture.expectation.passes();
        if good {
            row.good += 1;
        } else {
            row.bad += 1;
        }
        if failed == expected && fragile == expected_fragile {
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
                "{}: tests failed: {}, fragile: {}; declared: failed {}, fragile {}",
                fixture.label(),
                list(&failed),
                list(&fragile),
                list(&expected),
                list(&expected_fragile)
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
            Some(Expectation::PASS)
        );
        assert_eq!(
            Expectation::of_source("// netgrade-expect: fail 2 4\n"),
            Some(Expectation {
                failing: Failing::Tests([2, 4].into()),
                fragile: BTreeSet::new()
            })
        );
        assert_eq!(
            Expectation::of_source("# netgrade-expect: fail all"),
            Some(Expectation {
                failing: Failing::All,
                fragile: BTreeSet::new()
            })
        );
        assert_eq!(
            Expectation::of_source("# netgrade-expect: pass fragile 9"),
            Some(Expectation {
                failing: Failing::Nothing,
                fragile: [9].into()
            })
        );
        assert_eq!(
            Expectation::of_source("# netgrade-expect: fail 2 fragile 6 7"),
            Some(Expectation {
                failing: Failing::Tests([2].into()),
                fragile: [6, 7].into()
            })
        );
        assert_eq!(
            Expectation::of_source("# netgrade-expect: pass fragile"),
            None
        );
        assert_eq!(
            Expectation::of_source("# netgrade-expect: pass fragile x"),
            None
        );
        assert_eq!(Expectation::of_source("# netgrade-expect: fail"), None);
        assert_eq!(Expectation::of_source("print('hi')"), None);
    }
}
