//! [`render`]: JUnit XML (quick-junit), read by GitLab and GitHub test reporters.
//!
//! One `testsuite` per exercise, one `testcase` per test; a failure's message is the
//! one-line reason and its body the failure report; a grader error is an `error`.

use std::io;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{Rerun, plain_test_report};
use crate::tr;
use crate::verdict::{ExerciseResult, Outcome};

/// The XML of a result; `rerun` is the command shown for reproducing a failure.
pub fn render(result: &ExerciseResult, rerun: &Rerun) -> io::Result<String> {
    report(result, rerun)
        .to_string()
        .map_err(|error| io::Error::other(error.to_string()))
}

fn report(result: &ExerciseResult, rerun: &Rerun) -> Report {
    let mut suite = TestSuite::new(result.exercise.as_str());
    suite.set_time(result.duration);
    for test in &result.tests {
        let status = match &test.outcome {
            Outcome::Passed => TestCaseStatus::success(),
            Outcome::Failed(failure) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status
                    .set_message(failure.problem.explain())
                    .set_description(plain_test_report(result, test, rerun));
                status
            }
            // "works here, but fragile" is a pass (advice): the advice goes to its output.
            Outcome::Fragile(_) => TestCaseStatus::success(),
            Outcome::Error(message) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                status.set_message(message.as_str());
                status
            }
        };
        let mut case = TestCase::new(format!("{}. {}", test.number, test.name), status);
        if let (Outcome::Fragile(_), Some(robustness)) = (&test.outcome, &test.robustness) {
            case.set_system_out(format!(
                "{}\n{}",
                tr!(
                    "report-fragile",
                    tests = tr!("report-tests", count = 1, list = test.number),
                    why = robustness.why.text()
                ),
                plain_test_report(result, test, rerun)
            ));
        }
        case.set_classname(result.exercise.as_str())
            .set_time(test.duration);
        suite.add_test_case(case);
    }
    let mut report = Report::new("netgrade");
    report.set_time(result.duration).add_test_suite(suite);
    report
}
