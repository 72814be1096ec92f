//! [`JunitReporter`]: JUnit XML (quick-junit), read by GitLab and GitHub test reporters.
//!
//! One `testsuite` per exercise, one `testcase` per test; a failure's message is the
//! one-line reason and its body the failure report; a grader error is an `error`.

use std::io::{self, Write};

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{GradeEvent, Reporter, plain_test_report};
use crate::verdict::{ExerciseResult, Outcome};

/// Writes the XML when grading ends.
pub struct JunitReporter<W: Write> {
    out: W,
    ports: Vec<u16>,
    rerun: String,
}

impl<W: Write> JunitReporter<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W, rerun: String) -> Self {
        JunitReporter {
            out,
            ports: Vec::new(),
            rerun,
        }
    }

    fn report(&self, result: &ExerciseResult) -> Report {
        let mut suite = TestSuite::new(result.exercise.as_str());
        suite.set_time(result.duration);
        for test in &result.tests {
            let status = match &test.outcome {
                Outcome::Passed => TestCaseStatus::success(),
                Outcome::Failed(failure) => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status
                        .set_message(failure.problem.explain())
                        .set_description(plain_test_report(self.ports.clone(), test, &self.rerun));
                    status
                }
                Outcome::Error(message) => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                    status.set_message(message.as_str());
                    status
                }
            };
            let mut case = TestCase::new(format!("{}. {}", test.number, test.name), status);
            case.set_classname(result.exercise.as_str())
                .set_time(test.duration);
            suite.add_test_case(case);
        }
        let mut report = Report::new("netgrade");
        report.set_time(result.duration).add_test_suite(suite);
        report
    }
}

impl<W: Write> Reporter for JunitReporter<W> {
    fn write_event(&mut self, event: &GradeEvent<'_>) -> io::Result<()> {
        match event {
            GradeEvent::Started { exercise, .. } => {
                self.ports = exercise.fixed_ports();
                Ok(())
            }
            GradeEvent::TestFinished(_) => Ok(()),
            GradeEvent::Finished(result) => {
                let report = self.report(result);
                report.serialize(&mut self.out).map_err(io::Error::other)?;
                writeln!(self.out)?;
                self.out.flush()
            }
        }
    }
}
