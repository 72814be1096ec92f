//! [`render`]: what GitHub Classroom's grading reporter reads.
//!
//! The reporter takes, from each runner step, a base64-encoded JSON
//! `{version: 1, status, max_score, tests: [{name, status, score, message, …}]}` (passed in as
//! `<RUNNER>_RESULTS`); this writes exactly that base64 line, ready for
//! `echo "result=$(netgrade … --format classroom)" >> "$GITHUB_OUTPUT"`.

use base64::Engine;
use serde::Serialize;

use super::Rerun;
use crate::tr;
use crate::verdict::{ExerciseResult, Outcome, diagnose};

#[derive(Serialize)]
struct Results<'a> {
    version: u32,
    status: &'static str,
    max_score: u32,
    tests: Vec<Test<'a>>,
}

#[derive(Serialize)]
struct Test<'a> {
    name: String,
    status: &'static str,
    score: u32,
    message: String,
    test_code: String,
    filename: &'a str,
    line_no: u32,
    execution_time: String,
}

/// The JSON before base64 (for tests and for people).
pub fn classroom_json(result: &ExerciseResult, rerun: &Rerun) -> serde_json::Value {
    let status = if result.has_errors() {
        "error"
    } else if result.all_passed() {
        "pass"
    } else {
        "fail"
    };
    let document = Results {
        version: 1,
        status,
        max_score: result.max_score(),
        tests: result
            .tests
            .iter()
            .map(|test| Test {
                name: format!("{}. {}", test.number, test.name),
                status: match test.outcome {
                    Outcome::Passed | Outcome::Fragile(_) => "pass",
                    Outcome::Failed(_) => "fail",
                    Outcome::Error(_) => "error",
                },
                score: test.points,
                message: match (&test.outcome, &test.robustness) {
                    (Outcome::Passed, _) => String::new(),
                    (Outcome::Fragile(_), Some(robustness)) => tr!(
                        "report-fragile",
                        tests = tr!("report-tests", count = 1, list = test.number),
                        why = robustness.why.text()
                    ),
                    (Outcome::Failed(failure) | Outcome::Fragile(failure), _) => {
                        diagnose(test, failure, result.role).headline
                    }
                    (Outcome::Error(message), _) => message.clone(),
                },
                test_code: rerun.for_test(test.number, result.seed),
                filename: "",
                line_no: 0,
                execution_time: format!("{:.2}s", test.duration.as_secs_f64()),
            })
            .collect(),
    };
    serde_json::to_value(document).unwrap_or_default()
}

/// The base64 line of a result.
pub fn render(result: &ExerciseResult, rerun: &Rerun) -> String {
    let json = classroom_json(result, rerun).to_string();
    base64::engine::general_purpose::STANDARD.encode(json)
}
