//! How a step fails: [`StepError`], and the peers' errors turned into [`Problem`]s.

use crate::peers::{ExpectError, OutputError};
use crate::program::OutputStream;
use crate::verdict::{Failure, Problem, Waiting};

/// Why playing a test stopped early.
#[derive(Debug)]
pub(super) enum StepError {
    /// The program did something wrong: the test fails.
    Failed(Failure),
    /// The grader could not do its part (a socket it could not open): not the student's fault.
    Grader(String),
}

/// A failed step before its position is known: the problem and an optional detail.
#[derive(Debug)]
pub(super) enum StepProblem {
    /// The program did something wrong (boxed: a problem is large, a step's result is not).
    Problem(Box<Problem>, Option<String>),
    /// The grader could not do its part.
    Grader(String),
}

impl From<Problem> for StepProblem {
    fn from(problem: Problem) -> Self {
        StepProblem::Problem(Box::new(problem), None)
    }
}

/// An `expect` that failed; `waiting` says what the program waits for, when it is idle.
pub(super) fn expect_problem(
    client: &str,
    expected: String,
    error: ExpectError,
    waiting: impl FnOnce() -> Waiting,
) -> Problem {
    let client = client.to_owned();
    match error {
        ExpectError::Mismatch { received } | ExpectError::Unexpected { received } => {
            Problem::WrongReply {
                client,
                expected,
                received,
            }
        }
        ExpectError::TimedOut { received, waited } => Problem::NoReply {
            client,
            expected,
            received,
            waited,
            misdirected: None,
            waiting: None,
        },
        ExpectError::Idle { received, waited } => Problem::NoReply {
            client,
            expected,
            received,
            waited,
            misdirected: None,
            waiting: Some(waiting()),
        },
        ExpectError::Ended { how, received } => Problem::ConnectionEnded {
            client,
            expected,
            received,
            how,
        },
    }
}

/// An `expect_nothing` (`wanted_close` false) or `expect_closed` that failed.
pub(super) fn quiet_problem(
    client: &str,
    error: ExpectError,
    wanted_close: bool,
    waiting: impl FnOnce() -> Waiting,
) -> Problem {
    let client = client.to_owned();
    match error {
        ExpectError::Unexpected { received } | ExpectError::Mismatch { received } => {
            Problem::UnexpectedData {
                client,
                received,
                wanted_close,
            }
        }
        ExpectError::TimedOut { waited, .. } => Problem::NotClosed {
            client,
            waited,
            waiting: None,
        },
        ExpectError::Idle { waited, .. } => Problem::NotClosed {
            client,
            waited,
            waiting: Some(waiting()),
        },
        ExpectError::Ended { how, received } => Problem::ConnectionEnded {
            client,
            expected: if wanted_close {
                "an orderly close (FIN)".into()
            } else {
                "the connection to stay open".into()
            },
            received,
            how,
        },
    }
}

/// An `expect_output` that failed.
pub(super) fn output_problem(
    stream: OutputStream,
    expected: String,
    error: OutputError,
    waited: std::time::Duration,
    waiting: impl FnOnce() -> Waiting,
    input: Option<String>,
) -> Problem {
    match error {
        OutputError::SeveralAnswers { printed, received } => Problem::SeveralAnswers {
            expected,
            printed,
            input,
            received,
        },
        OutputError::Wrong { received, ended } => Problem::WrongOutput {
            stream: stream.name(),
            expected,
            received,
            ended,
            waiting: (!ended).then(waiting),
        },
        OutputError::TimedOut { received } => Problem::NoOutput {
            stream: stream.name(),
            expected,
            received,
            waited,
        },
    }
}
