//! The program's console as a peer: [`expect_output`] waits until what the program printed
//! satisfies an [`OutputMatcher`], the program is idle or has ended without printing it, or
//! time runs out.
//!
//! The program's output is read by [`RunningProgram`] as it arrives; this loop looks at what no
//! step has matched yet and consumes the match, so the next step sees what follows. An
//! `answer` that answers a typed line is judged on the program's whole reaction, once it waits
//! for input again (or has ended): one input, one answer ([`judge_answer`]); a program that
//! prints several of the possible answers has not given the expected one. Answers that follow
//! one another with no input between (a program printing four facts) are matched in turn.

use std::time::Duration;

use tokio::time::Instant;

use crate::plan::{AnswerSet, Judgement, OutputMatcher, find_output, judge_answer};
use crate::program::{OutputStream, RunningProgram};

/// Why an `expect_output` step failed. `received` is the output no step has matched yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputError {
    /// The program is idle (waiting for input) or has ended, and its output does not satisfy
    /// the matcher: waiting longer cannot change that.
    Wrong {
        /// The unmatched output.
        received: Vec<u8>,
        /// Whether the stream has ended.
        ended: bool,
    },
    /// Time ran out while the program was still busy.
    TimedOut {
        /// The unmatched output.
        received: Vec<u8>,
    },
    /// The program printed the expected answer and others for one input.
    SeveralAnswers {
        /// The answers it printed, in order.
        printed: Vec<String>,
        /// The unmatched output.
        received: Vec<u8>,
    },
}

/// Waits until the program's output on `stream` satisfies `matcher`, and consumes the match;
/// returns the matched text. `is_settled` says the program is idle: it is asked before each
/// look at the output, so output written before it went idle is certainly there.
pub async fn expect_output(
    program: &RunningProgram,
    stream: OutputStream,
    matcher: &OutputMatcher,
    answers: Option<&AnswerSet>,
    timeout: Duration,
    mut is_settled: impl FnMut() -> bool,
) -> Result<String, OutputError> {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    let (mut checked, mut dropped): (usize, Option<u64>) = (0, None);
    loop {
        // Look at the program first, then at its output: output written before it settled is
        // then certainly in the buffer.
        let settled = is_settled();
        let output = program.unmatched_output(stream);
        // What the cap dropped from the front since the last look was checked already.
        let shift = output.dropped - dropped.unwrap_or(output.dropped);
        checked = checked.saturating_sub(usize::try_from(shift).unwrap_or(usize::MAX));
        dropped = Some(output.dropped);
        let text = String::from_utf8_lossy(&output.bytes);
        let out_of_time = Instant::now() >= deadline;
        if let (OutputMatcher::Answer(expected), Some(answers)) = (matcher, answers) {
            // Judged once the reaction is complete: the program waits again, has ended, or
            // the time is up.
            if settled || output.ended || out_of_time {
                match judge_answer(answers, expected, &text, output.ended) {
                    Judgement::Answered(end) => {
                        let consumed = if text.len() == output.bytes.len() {
                            end
                        } else {
                            output.bytes.len()
                        };
                        program.consume_output(stream, consumed);
                        return Ok(text[..end.min(text.len())].to_owned());
                    }
                    Judgement::Several(printed) => {
                        return Err(OutputError::SeveralAnswers {
                            printed,
                            received: output.bytes,
                        });
                    }
                    Judgement::NotThere => {}
                }
            }
        } else if let Some(end) = find_output(matcher, &text, output.ended, &mut checked) {
            let matched = text[..end].to_owned();
            // Offsets are exact for UTF-8 output; otherwise consume everything seen.
            let consumed = if text.len() == output.bytes.len() {
                end
            } else {
                output.bytes.len()
            };
            program.consume_output(stream, consumed);
            return Ok(matched);
        }
        if output.ended || settled {
            return Err(OutputError::Wrong {
                received: output.bytes,
                ended: output.ended,
            });
        }
        if out_of_time {
            return Err(OutputError::TimedOut {
                received: output.bytes,
            });
        }
        let wait = pause.min(deadline.saturating_duration_since(Instant::now()));
        tokio::select! {
            _ = program.output_arrived(stream) => {
                // A program printing without pause is looked at every few milliseconds, not
                // after every chunk it writes.
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            _ = tokio::time::sleep(wait) => {}
        }
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}
