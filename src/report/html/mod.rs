//! [`render`]: the result as one self-contained HTML page (`--format html`) — inline CSS and
//! inline SVG, no script, no font, no image, no link to anything outside, so it opens the
//! same from a Gradescope artifact, a CI download or an e-mail attachment.
//!
//! The page: a header (exercise, program, score, every test with ✓, ✗ or `~`), each cause of
//! failure once, then one section per test — for a failed or fragile test the step it failed
//! at, expected and received, the cause and its hints, the test's hint and the rerun line —
//! and, per test, the sequence diagram of what happened ([`sequence`]), the captured packets
//! under it when there are any ([`packets`]), and the tail of the program's stdout and stderr.
//! Passing tests keep their diagram folded (`<details>`).
//!
//! Everything that comes from the program (its output, the bytes it sent, file names in a
//! traceback) and from the spec is escaped by [`esc`]: shown as text, never obeyed.
//!
//! - [`diagram`]: the SVG sequence diagram (lanes, arrows, notes), drawn by hand.
//! - [`sequence`]: a test's transcript and failure as a diagram.
//! - [`packets`]: captured packets as a diagram.

mod diagram;
mod packets;
mod sequence;
mod style;

use std::fmt::Write as _;

use super::Rerun;
use super::escape::escape_controls;
use crate::i18n::{Language, language};
use crate::sandbox::Isolation;
use crate::tr;
use crate::transcript::{byte_count, show_bytes};
use crate::verdict::{ExerciseResult, Failure, Outcome, Problem, TestResult, diagnose};

/// Lines of each output stream shown under a test.
const OUTPUT_TAIL_LINES: usize = 30;
/// Bytes of each output stream shown under a test, at most.
const OUTPUT_TAIL_BYTES: usize = 8 * 1024;

/// `text` as HTML text or attribute value: `& < > " '` as entities, and control and
/// direction-changing characters made visible first (as in the text report).
pub fn esc(text: &str) -> String {
    let visible = escape_controls(text);
    let mut out = String::with_capacity(visible.len() + 8);
    for c in visible.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// How programs were isolated, in words (the text report's words).
fn isolation_words(isolation: Isolation) -> String {
    match isolation {
        Isolation::Namespace => tr!("isolation-namespace"),
        Isolation::HostLoopback if crate::sandbox::host_runs_are_fenced() => {
            tr!("isolation-fenced")
        }
        Isolation::HostLoopback => tr!("isolation-unconfined"),
    }
}

/// `✓`, `✗` or `~`, and the status word (a CSS class).
fn mark(test: &TestResult) -> (&'static str, &'static str) {
    match test.outcome {
        Outcome::Passed => ("✓", "passed"),
        Outcome::Fragile(_) => ("~", "fragile"),
        Outcome::Failed(_) => ("✗", "failed"),
        Outcome::Error(_) => ("✗", "error"),
    }
}

/// `2/2 pts`, or "works here, but fragile".
fn points(test: &TestResult) -> String {
    match test.outcome {
        Outcome::Fragile(_) => tr!("report-fragile-mark"),
        _ => tr!("report-points", points = test.points, max = test.max_points),
    }
}

/// The whole page.
pub fn render(result: &ExerciseResult, rerun: &Rerun) -> String {
    let lang = match language() {
        Language::En => "en",
        Language::Zh => "zh-CN",
    };
    let mut out = String::with_capacity(64 * 1024);
    let page_title = tr!(
        "html-page-title",
        id = result.exercise.as_str(),
        score = result.score(),
        max = result.max_score()
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"netgrade\">\n<title>{}</title>\n<style>{}</style>\n\
         </head>\n<body>\n",
        esc(&page_title),
        style::CSS
    );
    header(&mut out, result);
    causes(&mut out, result);
    out.push_str("<main>\n");
    for test in &result.tests {
        test_section(&mut out, result, test, rerun);
    }
    let _ = write!(
        out,
        "</main>\n<footer>{}</footer>\n</body>\n</html>",
        esc(&tr!("html-footer"))
    );
    out
}

/// Exercise, program, score, and every test on one line.
fn header(out: &mut String, result: &ExerciseResult) {
    let title = tr!(
        "report-title",
        id = result.exercise.as_str(),
        title = result.title.as_str()
    );
    let program = tr!(
        "report-program",
        program = result.program.as_str(),
        isolation = isolation_words(result.isolation)
    );
    let _ = write!(
        out,
        "<header>\n<h1>{}</h1>\n<p class=\"program\">{}</p>\n",
        esc(&title),
        esc(&program)
    );
    if let Some(seed) = result.seed {
        let seed = tr!("report-seed", seed = seed.to_string());
        let _ = writeln!(out, "<p class=\"seed\">{}</p>", esc(&seed));
    }
    let score = super::score_line(result);
    let _ = writeln!(
        out,
        "<p class=\"score {}\" data-score=\"{}\" data-max=\"{}\">{}</p>",
        if result.all_passed() {
            "passed"
        } else {
            "failed"
        },
        result.score(),
        result.max_score(),
        esc(&score)
    );
    let _ = writeln!(
        out,
        "<nav>\n<h2>{}</h2>\n<ol class=\"overview\">",
        esc(&tr!("html-tests"))
    );
    for test in &result.tests {
        let (sign, status) = mark(test);
        let _ = writeln!(
            out,
            "<li class=\"{status}\"><a href=\"#test-{n}\"><span class=\"mark\">{sign}</span> \
             {n}. {}</a> <span class=\"points\">{}</span></li>",
            esc(&test.name),
            esc(&points(test)),
            n = test.number
        );
    }
    out.push_str("</ol>\n</nav>\n</header>\n");
}

/// Each cause of failure once, with the tests it fails; then the fragile tests.
fn causes(out: &mut String, result: &ExerciseResult) {
    let groups = result.causes();
    let fragile = result.fragile_apart();
    if groups.is_empty() && fragile.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section class=\"causes\">\n<h2>{}</h2>\n<ul>",
        esc(&tr!("html-causes"))
    );
    for group in &groups {
        let list: Vec<String> = group.tests.iter().map(|t| t.number.to_string()).collect();
        let tests = tr!(
            "report-tests",
            count = group.tests.len(),
            list = list.join(", ")
        );
        let points: u32 = group.tests.iter().map(|t| t.max_points).sum();
        let line = tr!(
            "report-cause",
            tests = tests,
            points = points,
            headline = group.diagnosis.headline.as_str()
        );
        let first = group.tests.first().map_or(0, |t| t.number);
        let _ = writeln!(
            out,
            "<li class=\"failed\"><a href=\"#test-{first}\">\
             <span class=\"mark\">✗</span> {}</a></li>",
            esc(&line)
        );
    }
    for test in fragile {
        let line = tr!(
            "report-fragile",
            tests = tr!("report-tests", count = 1, list = test.number),
            why = test.robustness.as_ref().map_or("", |r| r.why.text())
        );
        let _ = writeln!(
            out,
            "<li class=\"fragile\"><a href=\"#test-{}\"><span class=\"mark\">~</span> {}</a></li>",
            test.number,
            esc(&line)
        );
    }
    out.push_str("</ul>\n</section>\n");
}

/// One test: its line, what went wrong, the diagram, the program's output.
fn test_section(out: &mut String, result: &ExerciseResult, test: &TestResult, rerun: &Rerun) {
    let (sign, status) = mark(test);
    let _ = writeln!(
        out,
        "<section class=\"test {status}\" id=\"test-{n}\" data-test=\"{n}\" \
         data-status=\"{status}\">\n\
         <h2><span class=\"mark\">{sign}</span> {n}. {} <span class=\"points\">{}</span></h2>",
        esc(&test.name),
        esc(&points(test)),
        n = test.number
    );
    match &test.outcome {
        Outcome::Failed(failure) | Outcome::Fragile(failure) => {
            failure_box(out, result, test, failure, rerun);
        }
        Outcome::Error(message) => {
            let _ = writeln!(
                out,
                "<div class=\"failure\"><p class=\"cause\">{} {}</p></div>",
                esc(&tr!("report-grader-error")),
                esc(message)
            );
        }
        Outcome::Passed => {}
    }
    happened(out, result, test);
    out.push_str("</section>\n");
}

/// A `<dt>`/`<dd>` pair.
fn pair(out: &mut String, label: &str, value: &str, class: &str) {
    let _ = writeln!(
        out,
        "<dt>{}</dt><dd class=\"{class}\">{}</dd>",
        esc(label),
        esc(value)
    );
}

/// The failed step, expected and received, the cause and its hints, the rerun line.
fn failure_box(
    out: &mut String,
    result: &ExerciseResult,
    test: &TestResult,
    failure: &Failure,
    rerun: &Rerun,
) {
    let diagnosis = diagnose(test, failure, result.role);
    let explanation = failure.problem.explain();
    out.push_str("<div class=\"failure\">\n");
    if test.fragile() {
        let why = test.robustness.as_ref().map_or("", |r| r.why.text());
        let line = tr!(
            "report-fragile",
            tests = tr!("report-tests", count = 1, list = test.number),
            why = why
        );
        let _ = writeln!(out, "<p class=\"why\">{}</p>", esc(&line));
    }
    let _ = writeln!(out, "<p class=\"cause\">{}</p>", esc(&diagnosis.headline));
    if let Some(step) = &failure.step {
        let line = tr!(
            "report-failed-at",
            step = step.number,
            line = step.line,
            test = test.number,
            description = step.description.as_str()
        );
        let _ = writeln!(
            out,
            "<p class=\"step\" data-step=\"{}\">{}</p>",
            step.number,
            esc(&line)
        );
    }
    if diagnosis.headline != explanation {
        let _ = writeln!(out, "<p class=\"problem\">{}</p>", esc(&explanation));
    }
    out.push_str("<dl class=\"compare\">\n");
    if let Some(expected) = failure.problem.expected() {
        pair(out, &tr!("report-expected"), expected, "expected");
    }
    if let Some(received) = failure.problem.received() {
        let shown = if received.is_empty() {
            tr!("report-nothing")
        } else {
            format!("{} ({})", show_bytes(received), byte_count(received))
        };
        pair(out, &tr!("report-received"), &shown, "received");
        if std::str::from_utf8(received).is_err() {
            let _ = writeln!(
                out,
                "<dd class=\"hex\"><pre>{}</pre></dd>",
                esc(&hex_dump(received))
            );
        }
    }
    if let Some(detail) = &failure.detail {
        pair(out, &tr!("report-where"), detail, "where");
    }
    if let Some(end) = test.transcript.end.filter(|end| end.ended_by_itself()) {
        pair(out, &tr!("report-your-program"), &end.to_string(), "end");
    }
    out.push_str("</dl>\n<ul class=\"hints\">\n");
    let hint = tr!("report-hint");
    for text in &diagnosis.hints {
        let _ = writeln!(out, "<li><b>{}</b> {}</li>", esc(&hint), esc(text));
    }
    if let Some(text) = &test.hint {
        let _ = writeln!(
            out,
            "<li class=\"test-hint\"><b>{}</b> {}</li>",
            esc(&hint),
            esc(text.text())
        );
    }
    out.push_str("</ul>\n");
    if !matches!(failure.problem, Problem::NotRun { .. }) {
        let line = rerun.for_test(test.number, result.seed);
        let _ = writeln!(
            out,
            "<p class=\"rerun\">{} <code>{}</code></p>",
            esc(&tr!("report-rerun")),
            esc(&line)
        );
    }
    out.push_str("</div>\n");
}

/// The diagram, the packets and the output: folded for a passing test.
fn happened(out: &mut String, result: &ExerciseResult, test: &TestResult) {
    let transcript = &test.transcript;
    if transcript.entries.is_empty() && transcript.end.is_none() {
        return; // nothing ran
    }
    let open = if test.passed() { "" } else { " open" };
    let _ = writeln!(
        out,
        "<details class=\"happened\"{open}>\n<summary>{}</summary>",
        esc(&tr!("report-what-happened"))
    );
    let diagram = sequence::sequence(test, &result.program);
    let _ = writeln!(out, "<div class=\"scroll\">{}</div>", diagram.svg());
    let failed_client = match test.failure().map(|f| &f.problem) {
        Some(Problem::ConnectFailed { client, .. }) => Some(client.as_str()),
        _ => None,
    };
    if let Some(wire) = packets::packet_lane(transcript, result.role, failed_client) {
        let _ = writeln!(
            out,
            "<div class=\"wire\"><p class=\"caption\">{}</p><div class=\"scroll\">{}</div></div>",
            esc(&wire.caption),
            wire.svg()
        );
    }
    for (name, output, text) in [
        ("stdout", &transcript.stdout, transcript.stdout_text()),
        ("stderr", &transcript.stderr, transcript.stderr_text()),
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
        let _ = writeln!(
            out,
            "<div class=\"output {name}\"><p class=\"caption\">{}</p><pre>{}</pre></div>",
            esc(&label),
            esc(&tail(&lines[skipped..].join("\n")))
        );
    }
    out.push_str("</details>\n");
}

/// The last [`OUTPUT_TAIL_BYTES`] of an output tail (a few long lines can be long), from a
/// line start when there is one.
fn tail(text: &str) -> String {
    if text.len() <= OUTPUT_TAIL_BYTES {
        return text.to_owned();
    }
    let mut start = text.len() - OUTPUT_TAIL_BYTES;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let rest = &text[start..];
    let rest = rest
        .split_once('\n')
        .map_or(rest, |(_, whole_lines)| whole_lines);
    format!("…\n{rest}")
}

/// Non-text bytes as a hex + ASCII dump (first 64 bytes), as the text report shows them.
fn hex_dump(bytes: &[u8]) -> String {
    let mut out = String::new();
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
        let _ = writeln!(out, "{:04x}  {:<47}  |{ascii}|", row * 16, hex.join(" "));
    }
    out
}

#[cfg(test)]
mod tests;
