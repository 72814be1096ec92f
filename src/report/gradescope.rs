//! [`render`]: Gradescope's autograder `results.json`.
//!
//! Fields per Gradescope's autograder specification: top-level `score`, `execution_time`,
//! `output`; `tests[]` with `name`, `number`, `score`, `max_score`, `status`
//! (`passed`/`failed`), `output` (the failure report), `visibility` (hidden tests stay hidden)
//! and `tags`.

use std::io;

use serde::Serialize;

use super::{Rerun, plain_test_report};
use crate::tr;
use crate::verdict::{ExerciseResult, Outcome};

#[derive(Serialize)]
struct Results<'a> {
    score: u32,
    execution_time: u64,
    output: String,
    tests: Vec<Test<'a>>,
}

#[derive(Serialize)]
struct Test<'a> {
    name: &'a str,
    number: String,
    score: u32,
    max_score: u32,
    status: &'static str,
    output: String,
    visibility: &'static str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
}

fn results<'a>(result: &'a ExerciseResult, rerun: &Rerun) -> Results<'a> {
    let passed = result.tests.iter().filter(|t| t.passed()).count();
    Results {
        score: result.score(),
        execution_time: result.duration.as_secs(),
        output: format!(
            "{}: {} of {} tests passed, {}/{} points.",
            result.title,
            passed,
            result.tests.len(),
            result.score(),
            result.max_score()
        ),
        tests: result
            .tests
            .iter()
            .map(|test| Test {
                name: &test.name,
                number: test.number.to_string(),
                score: test.points,
                max_score: test.max_points,
                // "works here, but fragile" passes (it costs no points) and says why.
                status: if test.failed() { "failed" } else { "passed" },
                output: match (&test.outcome, &test.robustness) {
                    (Outcome::Passed, _) => String::new(),
                    (Outcome::Fragile(_), Some(robustness)) => format!(
                        "{}\n{}",
                        tr!(
                            "report-fragile",
                            tests = tr!("report-tests", count = 1, list = test.number),
                            why = robustness.why.text()
                        ),
                        plain_test_report(result, test, rerun)
                    ),
                    (Outcome::Error(message), _) => message.clone(),
                    _ => plain_test_report(result, test, rerun),
                },
                visibility: test.visibility.as_str(),
                tags: &test.tags,
            })
            .collect(),
    }
}

/// The `results.json` of a result; `rerun` is the command shown for reproducing a failure.
pub fn render(result: &ExerciseResult, rerun: &Rerun) -> io::Result<String> {
    serde_json::to_string_pretty(&results(result, rerun)).map_err(io::Error::other)
}
