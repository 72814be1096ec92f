//! [`TextReporter`]: the report a student reads in a terminal.
//!
//! One line per test as soon as it is done (✓, ✗, or `~` for "works here, but fragile"),
//! the score, then each cause once: the tests it fails on one line, its headline (a crash is a
//! crash, with the traceback's last line), the details of the first test it fails (the step,
//! what was expected and what came back, what happened, the program's own output), the hints
//! that follow the failure, the test's own hint, and how to rerun that test. What the program
//! printed or sent is shown as it is, never rewritten, with control characters escaped.
//! Colour goes through anstream, which drops it for pipes and honours NO_COLOR.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::escape::{escape_controls, one_line};
use super::{GradeEvent, Reporter, Rerun};
use crate::sandbox::Isolation;
use crate::tr;
use crate::transcript::{byte_count, show_bytes};
use crate::verdict::{CauseGroup, ExerciseResult, Failure, Outcome, TestResult};

const PASS: Style = AnsiColor::Green.on_default().bold();
const FAIL: Style = AnsiColor::Red.on_default().bold();
const FRAGILE: Style = AnsiColor::Yellow.on_default().bold();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();
const LABEL: Style = AnsiColor::Yellow.on_default();

/// Lines of program output shown under a failure.
const OUTPUT_TAIL_LINES: usize = 15;

/// Human-readable report.
pub struct TextReporter<W: Write> {
    out: W,
    /// Show what happened in passing tests too.
    pub verbose: bool,
    rerun: Rerun,
    /// The seed of the generated inputs, so a rerun types the same ones.
    seed: Option<u64>,
}

/// What the report's header says.
struct Header<'a> {
    id: &'a str,
    title: &'a str,
    program: &'a str,
    isolation: Isolation,
    slow: f64,
    seed: Option<u64>,
}

/// `1, 2, 5` for messages.
fn numbers(tests: &[&TestResult]) -> String {
    tests
        .iter()
        .map(|test| test.number.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl<W: Write> TextReporter<W> {
    /// A reporter writing to `out` (wrap stdout in `anstream::AutoStream` for colour);
    /// `rerun` grades this program again.
    pub fn new(out: W, rerun: Rerun) -> Self {
        TextReporter {
            out,
            verbose: false,
            rerun,
            seed: None,
        }
    }

    fn header(&mut self, header: Header<'_>) -> io::Result<()> {
        let Header {
            id,
            title,
            program,
            isolation,
            slow,
            seed,
        } = header;
        self.seed = seed;
        let title = tr!("report-title", id = id, title = one_line(title));
        writeln!(self.out, "{BOLD}{title}{BOLD:#}")?;
        let mut line = tr!(
            "report-program",
            program = one_line(program),
            isolation = isolation_words(isolation)
        );
        if (slow - 1.0).abs() > f64::EPSILON {
            line.push_str(", ");
            line.push_str(&tr!("report-slow", factor = slow.to_string()));
        }
        writeln!(self.out, "{DIM}{line}{DIM:#}")?;
        if let Some(seed) = seed {
            let seed = tr!("report-seed", seed = seed.to_string());
            writeln!(self.out, "{DIM}{seed}{DIM:#}")?;
        }
        writeln!(self.out)
    }

    /// The one line of a finished test (and, verbose, what happened in a passing one).
    fn test_line(&mut self, test: &TestResult) -> io::Result<()> {
        let name = one_line(&test.name);
        let (mark, style, tail) = match &test.outcome {
            Outcome::Passed => (
                "✓",
                PASS,
                tr!("report-points", points = test.points, max = test.max_points),
            ),
            Outcome::Fragile(_) => ("~", FRAGILE, tr!("report-fragile-mark")),
            Outcome::Failed(_) | Outcome::Error(_) => (
                "✗",
                FAIL,
                tr!("report-points", points = test.points, max = test.max_points),
            ),
        };
        writeln!(
            self.out,
            "  {style}{mark}{style:#} {:>2}. {name}  {DIM}{tail}{DIM:#}",
            test.number
        )?;
        if self.verbose && test.passed() {
            self.transcript(test)?;
        }
        Ok(())
    }

    fn summary(&mut self, result: &ExerciseResult) -> io::Result<()> {
        self.score(result)?;
        for group in result.causes() {
            self.cause(&group)?;
        }
        for test in result.fragile_apart() {
            self.fragile(test)?;
        }
        self.out.flush()
    }

    /// The score line, and every test the grader could not run, with why.
    fn score(&mut self, result: &ExerciseResult) -> io::Result<()> {
        let style = if result.all_passed() { PASS } else { FAIL };
        let line = super::score_line(result);
        writeln!(self.out)?;
        writeln!(self.out, "{style}{line}{style:#}")?;
        for message in result.tests.iter().filter_map(|t| match &t.outcome {
            Outcome::Error(message) => Some((t.number, message)),
            _ => None,
        }) {
            let label = tr!("report-grader-error");
            let text = escape_controls(message.1);
            writeln!(self.out)?;
            writeln!(self.out, "{FAIL}✗ {}: {label}{FAIL:#} {text}", message.0)?;
        }
        Ok(())
    }

    /// The short report `netgrade watch` shows after each save: the score, the first cause in
    /// full (or, with none, the first "works here, but fragile"), every other failed test on
    /// its one line, then the other fragile ones.
    pub fn brief(&mut self, result: &ExerciseResult) -> io::Result<()> {
        self.seed = result.seed;
        self.score(result)?;
        let causes = result.causes();
        let mut fragile = result.fragile_apart();
        let mut shown: Vec<usize> = Vec::new();
        if let Some(group) = causes.first() {
            self.cause(group)?;
            shown.extend(group.tests.iter().map(|t| t.number));
        } else if let Some(test) = fragile.first() {
            self.fragile(test)?;
            shown.push(test.number);
        }
        let failed: Vec<&TestResult> = result
            .tests
            .iter()
            .filter(|t| matches!(t.outcome, Outcome::Failed(_)) && !shown.contains(&t.number))
            .collect();
        fragile.retain(|t| !shown.contains(&t.number));
        if !failed.is_empty() {
            writeln!(self.out)?;
            writeln!(self.out, "{}", tr!("watch-also-failing"))?;
        } else if !fragile.is_empty() {
            writeln!(self.out)?;
        }
        for test in failed.into_iter().chain(fragile) {
            self.test_line(test)?;
        }
        self.out.flush()
    }

    /// One cause, said once, with the details of the first test it fails.
    fn cause(&mut self, group: &CauseGroup<'_>) -> io::Result<()> {
        let tests = tr!(
            "report-tests",
            count = group.tests.len(),
            list = numbers(&group.tests)
        );
        let points: u32 = group.tests.iter().map(|t| t.max_points).sum();
        let headline = tr!(
            "report-cause",
            tests = tests,
            points = points,
            headline = escape_controls(&group.diagnosis.headline).into_owned()
        );
        writeln!(self.out)?;
        writeln!(self.out, "{FAIL}✗ {headline}{FAIL:#}")?;
        let first = group.tests[0];
        if let Some(failure) = first.failure() {
            self.details(first, failure, Some(&group.diagnosis.headline))?;
        }
        for hint in &group.diagnosis.hints {
            self.labelled(tr!("report-hint"), hint)?;
        }
        self.test_hint_and_rerun(first)
    }

    /// A fragile test: why it would break on a real network, and what happened.
    fn fragile(&mut self, test: &TestResult) -> io::Result<()> {
        let why = test
            .robustness
            .as_ref()
            .map_or("", |robustness| robustness.why.text());
        let line = tr!(
            "report-fragile",
            tests = tr!("report-tests", count = 1, list = test.number),
            why = one_line(why)
        );
        writeln!(self.out)?;
        writeln!(self.out, "{FRAGILE}~ {line}{FRAGILE:#}")?;
        if let Some(failure) = test.failure() {
            let explanation = failure.problem.explain();
            writeln!(self.out, "    {}", escape_controls(&explanation))?;
            self.details(test, failure, None)?;
        }
        self.test_hint_and_rerun(test)
    }

    fn labelled(&mut self, label: String, text: &str) -> io::Result<()> {
        let gap = gap_after(&label);
        writeln!(
            self.out,
            "    {LABEL}{label}{LABEL:#}{gap}{}",
            one_line(text)
        )
    }

    fn test_hint_and_rerun(&mut self, test: &TestResult) -> io::Result<()> {
        if let Some(hint) = &test.hint {
            self.labelled(tr!("report-hint"), hint.text())?;
        }
        let rerun = self.rerun.for_test(test.number, self.seed);
        let label = tr!("report-rerun");
        let gap = gap_after(&label);
        writeln!(self.out, "    {DIM}{label}{gap}{}{DIM:#}", one_line(&rerun))
    }

    /// The failed step, expected and received, and what happened.
    fn details(
        &mut self,
        test: &TestResult,
        failure: &Failure,
        headline: Option<&str>,
    ) -> io::Result<()> {
        if let Some(step) = &failure.step {
            let line = tr!(
                "report-failed-at",
                step = step.number,
                line = step.line,
                test = test.number,
                description = one_line(&step.description)
            );
            writeln!(self.out, "    {DIM}{line}{DIM:#}")?;
        }
        // The problem itself, when the headline named another cause (a crash).
        let problem = failure.problem.explain();
        if headline.is_some_and(|headline| headline != problem) {
            writeln!(self.out, "    {}", escape_controls(&problem))?;
        }
        if let Some(expected) = failure.problem.expected() {
            self.labelled(tr!("report-expected"), expected)?;
        }
        if let Some(received) = failure.problem.received() {
            let shown = if received.is_empty() {
                tr!("report-nothing")
            } else {
                format!("{} ({})", show_bytes(received), byte_count(received))
            };
            self.labelled(tr!("report-received"), &shown)?;
            hex_dump_if_binary(&mut self.out, received)?;
        }
        if let Some(detail) = &failure.detail {
            self.labelled(tr!("report-where"), detail)?;
        }
        if let Some(end) = test.transcript.end.filter(|end| end.ended_by_itself()) {
            self.labelled(tr!("report-your-program"), &end.to_string())?;
        }
        self.transcript(test)
    }

    fn transcript(&mut self, test: &TestResult) -> io::Result<()> {
        let out = &mut self.out;
        if test.transcript.entries.is_empty() && test.transcript.end.is_none() {
            return Ok(()); // nothing ran
        }
        let label = tr!("report-what-happened");
        writeln!(out, "    {DIM}{label}{DIM:#}")?;
        for entry in &test.transcript.entries {
            writeln!(out, "      {}", one_line(&entry.render()))?;
        }
        if let Some(end) = test.transcript.end_not_yet_said() {
            writeln!(out, "      {}", one_line(&crate::transcript::end_line(end)))?;
        }
        for limit in &test.transcript.limits_hit {
            let label = tr!("report-limit");
            let gap = gap_after(&label);
            writeln!(out, "    {LABEL}{label}{LABEL:#}{gap}{limit}")?;
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
            let label = if skipped > 0 {
                tr!(
                    "report-output-tail",
                    stream = name,
                    shown = OUTPUT_TAIL_LINES,
                    lines = lines.len()
                )
            } else {
                tr!("report-output", stream = name)
            };
            writeln!(out, "    {DIM}{label}{DIM:#}")?;
            for line in &lines[skipped..] {
                writeln!(out, "      | {}", one_line(line))?;
            }
        }
        Ok(())
    }

    /// Writes the whole report of a finished result (header, every test, the causes).
    pub fn whole(&mut self, result: &ExerciseResult) -> io::Result<()> {
        self.header(Header {
            id: &result.exercise,
            title: &result.title,
            program: &result.program,
            isolation: result.isolation,
            slow: 1.0,
            seed: result.seed,
        })?;
        for test in &result.tests {
            self.test_line(test)?;
        }
        self.summary(result)
    }
}

/// One test's report as plain text (no colour): the body platforms show under a test.
pub fn plain_test_report(result: &ExerciseResult, test: &TestResult, rerun: &Rerun) -> String {
    let mut reporter = TextReporter::new(anstream::StripStream::new(Vec::new()), rerun.clone());
    reporter.seed = result.seed;
    let written = match test.failure() {
        Some(failure) => {
            let diagnosis = crate::verdict::diagnose(test, failure, result.role);
            let headline = escape_controls(&diagnosis.headline).into_owned();
            writeln!(reporter.out, "{headline}").and_then(|()| {
                reporter.details(test, failure, Some(&diagnosis.headline))?;
                for hint in &diagnosis.hints {
                    reporter.labelled(tr!("report-hint"), hint)?;
                }
                reporter.test_hint_and_rerun(test)
            })
        }
        None => Ok(()),
    };
    if written.is_err() {
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
            "      {:04x}  {:<47}  |{ascii}|",
            row * 16,
            hex.join(" ")
        )?;
    }
    Ok(())
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
                title: exercise.title.text(),
                program,
                isolation: *isolation,
                slow: *slow,
                seed: *seed,
            }),
            GradeEvent::TestFinished(test) => self.test_line(test),
            GradeEvent::Finished(result) => self.summary(result),
        }?;
        self.out.flush()
    }
}

/// How programs are isolated, in words.
fn isolation_words(isolation: Isolation) -> String {
    match isolation {
        Isolation::Namespace => tr!("isolation-namespace"),
        Isolation::HostLoopback if crate::sandbox::host_runs_are_fenced() => {
            tr!("isolation-fenced")
        }
        Isolation::HostLoopback => tr!("isolation-unconfined"),
    }
}

/// The space after a label: none after a full-width colon, which has its own.
fn gap_after(label: &str) -> &'static str {
    if label.ends_with('：') { "" } else { " " }
}
