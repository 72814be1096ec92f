//! [`TextReporter`]: the report a student reads in a terminal.
//!
//! Per test a ✓ or ✗ with points; for a failure: the step that failed, what was expected and
//! what came back, the transcript up to that point, the program's output, the hint, and how
//! to rerun just that test. Colour goes through anstream, which drops it for pipes and
//! honours NO_COLOR / CLICOLOR_FORCE.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::escape::{escape_controls, one_line};
use super::{GradeEvent, Reporter};
use crate::sandbox::Isolation;
use crate::transcript::{Normalizer, byte_count, show_bytes};
use crate::verdict::{ExerciseResult, Outcome, TestResult};

const PASS: Style = AnsiColor::Green.on_default().bold();
const FAIL: Style = AnsiColor::Red.on_default().bold();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();
const LABEL: Style = AnsiColor::Yellow.on_default();

/// Lines of program output shown under a failure.
const OUTPUT_TAIL_LINES: usize = 15;

/// Human-readable report.
pub struct TextReporter<W: Write> {
    out: W,
    /// Show transcripts of passing tests too.
    pub verbose: bool,
    normalizer: Normalizer,
    rerun: String,
    /// `--seed N` when the run has generated inputs, so a rerun types the same ones.
    seed_flag: String,
}

impl<W: Write> TextReporter<W> {
    /// A reporter writing to `out` (wrap stdout in `anstream::AutoStream` for colour).
    /// `rerun` is the command that grades this program again (`--test N` is appended).
    pub fn new(out: W, rerun: String) -> Self {
        TextReporter {
            out,
            verbose: false,
            normalizer: Normalizer::default(),
            rerun,
            seed_flag: String::new(),
        }
    }

    fn test(&mut self, test: &TestResult) -> io::Result<()> {
        let out = &mut self.out;
        let (mark, style) = if test.passed() {
            ("✓", PASS)
        } else {
            ("✗", FAIL)
        };
        writeln!(
            out,
            "  {style}{mark}{style:#} {:>2}. {}  {DIM}{}/{} pts{DIM:#}",
            test.number,
            one_line(&test.name),
            test.points,
            test.max_points
        )?;
        match &test.outcome {
            Outcome::Passed if self.verbose => self.transcript(test)?,
            Outcome::Passed => {}
            Outcome::Error(message) => {
                let message = escape_controls(message);
                writeln!(self.out, "       {FAIL}grader error:{FAIL:#} {message}")?;
            }
            Outcome::Failed(failure) => {
                let out = &mut self.out;
                if let Some(step) = &failure.step {
                    writeln!(
                        out,
                        "       {LABEL}failed at step {}{LABEL:#} {DIM}(spec line {}){DIM:#}: {}",
                        step.number,
                        step.line,
                        one_line(&step.description)
                    )?;
                }
                let explanation = failure.problem.explain();
                writeln!(
                    out,
                    "       {BOLD}{}{BOLD:#}",
                    escape_controls(&explanation)
                )?;
                if let Some(expected) = failure.problem.expected() {
                    let expected = one_line(expected);
                    writeln!(out, "       {LABEL}expected:{LABEL:#} {expected}")?;
                }
                if let Some(received) = failure.problem.received() {
                    let shown = if received.is_empty() {
                        "nothing".to_owned()
                    } else {
                        format!("{} ({})", show_bytes(received), byte_count(received))
                    };
                    writeln!(out, "       {LABEL}received:{LABEL:#} {shown}")?;
                    hex_dump_if_binary(out, received)?;
                }
                if let Some(detail) = &failure.detail {
                    let detail = one_line(detail);
                    writeln!(out, "       {LABEL}where:{LABEL:#} {detail}")?;
                }
                if let Some(end) = test.transcript.end.filter(|end| end.ended_by_itself()) {
                    writeln!(out, "       {LABEL}your program:{LABEL:#} {end}")?;
                }
                self.transcript(test)?;
                let out = &mut self.out;
                if let Some(hint) = &test.hint {
                    let hint = one_line(hint);
                    writeln!(out, "       {LABEL}hint:{LABEL:#} {hint}")?;
                }
                writeln!(
                    out,
                    "       {DIM}rerun this test: {} --test {}{}{DIM:#}",
                    one_line(&self.rerun),
                    test.number,
                    self.seed_flag
                )?;
            }
        }
        Ok(())
    }

    fn transcript(&mut self, test: &TestResult) -> io::Result<()> {
        let out = &mut self.out;
        if test.transcript.entries.is_empty() && test.transcript.end.is_none() {
            return Ok(()); // nothing ran
        }
        writeln!(out, "       {DIM}what happened:{DIM:#}")?;
        for entry in &test.transcript.entries {
            let line = self.normalizer.line(&entry.render());
            writeln!(out, "         {}", one_line(&line))?;
        }
        if let Some(end) = &test.transcript.end {
            writeln!(out, "         program {end}")?;
        }
        for limit in &test.transcript.limits_hit {
            writeln!(out, "       {LABEL}limit reached:{LABEL:#} {limit}")?;
        }
        for (name, output, text) in [
            (
                "stdout",
                &test.transcript.stdout,
                test.transcript.stdout_text(),
            ),
            (
                "stderr",
                &test.transcript.stderr,
                test.transcript.stderr_text(),
            ),
        ] {
            if output.is_empty() {
                continue;
            }
            let lines: Vec<&str> = text.lines().collect();
            let skipped = lines.len().saturating_sub(OUTPUT_TAIL_LINES);
            let more = if skipped > 0 {
                format!(" (last {OUTPUT_TAIL_LINES} of {} lines)", lines.len())
            } else {
                String::new()
            };
            writeln!(out, "       {DIM}your program's {name}{more}:{DIM:#}")?;
            for line in &lines[skipped..] {
                let line = self.normalizer.line(line);
                writeln!(out, "         | {}", one_line(&line))?;
            }
        }
        Ok(())
    }

    fn summary(&mut self, result: &ExerciseResult) -> io::Result<()> {
        let passed = result.tests.iter().filter(|t| t.passed()).count();
        let style = if result.all_passed() { PASS } else { FAIL };
        writeln!(self.out)?;
        writeln!(
            self.out,
            "{style}score: {}/{}{style:#} — {passed} of {} tests passed",
            result.score(),
            result.max_score(),
            result.tests.len()
        )
    }
}

/// One test's report as plain text (no colour): the body platforms show under a test.
pub fn plain_test_report(exercise_ports: Vec<u16>, test: &TestResult, rerun: &str) -> String {
    let mut reporter = TextReporter::new(anstream::StripStream::new(Vec::new()), rerun.to_owned());
    reporter.normalizer.fixed_ports = exercise_ports;
    if reporter.test(test).is_err() {
        return String::new();
    }
    String::from_utf8_lossy(&reporter.out.into_inner()).into_owned()
}

/// Shows non-text bytes as a hex + ASCII dump (first 64 bytes).
fn hex_dump_if_binary(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    if std::str::from_utf8(bytes).is_ok() {
        return Ok(());
    }
    for (row, chunk) in bytes.chunks(16).take(4).enumerate() {
        let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        let ascii: String = chunk
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        writeln!(
            out,
            "         {:04x}  {:<47}  |{ascii}|",
            row * 16,
            hex.join(" ")
        )?;
    }
    Ok(())
}

/// What the report's header says.
struct Header<'a> {
    id: &'a str,
    title: &'a str,
    program: &'a str,
    isolation: Isolation,
    slow: f64,
    seed: Option<u64>,
    fixed_ports: Vec<u16>,
}

impl<W: Write> TextReporter<W> {
    fn header(&mut self, header: Header<'_>) -> io::Result<()> {
        let Header {
            id,
            title,
            program,
            isolation,
            slow,
            seed,
            fixed_ports,
        } = header;
        self.normalizer.fixed_ports = fixed_ports;
        let title = one_line(title);
        writeln!(self.out, "{BOLD}netgrade · {id}{BOLD:#} — {title}")?;
        let slow = if (slow - 1.0).abs() > f64::EPSILON {
            format!(", time limits ×{slow}")
        } else {
            String::new()
        };
        writeln!(
            self.out,
            "{DIM}program: {}   isolation: {}{slow}{DIM:#}",
            one_line(program),
            isolation.describe()
        )?;
        if let Some(seed) = seed {
            self.seed_flag = format!(" --seed {seed}");
            writeln!(
                self.out,
                "{DIM}generated inputs: seed {seed} (the same inputs again: --seed {seed}){DIM:#}"
            )?;
        }
        writeln!(self.out)
    }

    /// Writes the whole report of a finished result (header, every test, the score).
    pub fn whole(&mut self, result: &ExerciseResult) -> io::Result<()> {
        self.header(Header {
            id: &result.exercise,
            title: &result.title,
            program: &result.program,
            isolation: result.isolation,
            slow: 1.0,
            seed: result.seed,
            fixed_ports: result.fixed_ports.clone(),
        })?;
        for test in &result.tests {
            self.test(test)?;
        }
        self.summary(result)?;
        self.out.flush()
    }
}

impl<W: Write> Reporter for TextReporter<W> {
    fn write_event(&mut self, event: &GradeEvent<'_>) -> io::Result<()> {
        match event {
            GradeEvent::Started {
                exercise,
                program,
                isolation,
                slow,
                seed,
            } => self.header(Header {
                id: &exercise.id,
                title: &exercise.title,
                program,
                isolation: *isolation,
                slow: *slow,
                seed: *seed,
                fixed_ports: exercise.fixed_ports(),
            }),
            GradeEvent::TestFinished(test) => self.test(test),
            GradeEvent::Finished(result) => self.summary(result),
        }?;
        self.out.flush()
    }
}
