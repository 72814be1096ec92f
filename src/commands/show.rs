//! `netgrade show`: an exercise's statement and tests, in the reader's language; with
//! `--test N`, one test's points, hint and steps, each step with its line in the spec, so the
//! "spec line 51" of a report leads somewhere.

use std::io::Write;

use anstyle::Style;
use anyhow::{Result, bail};
use netgrade::pack::ExercisePack;
use netgrade::plan::{Exercise, TestPlan};
use netgrade::tr;
use netgrade::verdict::describe_step;

use super::Conclusion;

const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

pub fn show(pack: &ExercisePack, id: &str, test: Option<usize>) -> Result<Conclusion> {
    let (exercise, source) = pack.find(id)?;
    if let Some(number) = test {
        return show_test(&exercise, number);
    }
    let mut out = anstream::stdout();
    match source.statement {
        Some(statement) => write!(out, "{statement}")?,
        None => writeln!(
            out,
            "{}: {}\n{}",
            exercise.id,
            exercise.title,
            tr!("show-no-statement")
        )?,
    }
    writeln!(out, "\n{}", tr!("show-tests"))?;
    for test in &exercise.tests {
        writeln!(
            out,
            "  {:>2}. {} ({})",
            test.number,
            test.name,
            tr!("show-test-points", points = test.points)
        )?;
    }
    Ok(Conclusion::Passed)
}

/// One test: name, points, hint, robustness advice, and its steps in words with their lines.
fn show_test(exercise: &Exercise, number: usize) -> Result<Conclusion> {
    let Some(test) = exercise.tests.iter().find(|t| t.number == number) else {
        bail!(
            "{}",
            tr!(
                "no-such-test",
                number = number,
                id = exercise.id.as_str(),
                count = exercise.tests.len()
            )
        );
    };
    let mut out = anstream::stdout();
    let title = tr!(
        "show-test-title",
        id = exercise.id.as_str(),
        number = test.number,
        name = test.name.text()
    );
    writeln!(out, "{BOLD}{title}{BOLD:#}")?;
    let points = tr!("show-test-points", points = test.points);
    let spec = tr!("show-spec", source = exercise.source.as_str());
    writeln!(out, "{points} · {DIM}{spec}{DIM:#}")?;
    if let Some(hint) = &test.hint {
        writeln!(out, "{}", labelled(&tr!("report-hint"), hint.text()))?;
    }
    if let Some(advice) = robustness(test) {
        writeln!(out, "{advice}")?;
    }
    let args = test.args.as_deref().unwrap_or(&exercise.args);
    if !args.is_empty() {
        let args = args.join(" ");
        writeln!(out, "{}", tr!("show-args", args = args))?;
    }
    writeln!(out, "\n{}", tr!("show-steps"))?;
    let grader_is_server = exercise.role.grader_is_server();
    for (index, step) in test.steps.iter().enumerate() {
        let line = tr!("show-spec-line", line = step.line);
        writeln!(
            out,
            "  {:>2}. {}  {DIM}{line}{DIM:#}",
            index + 1,
            describe_step(step, grader_is_server)
        )?;
    }
    Ok(Conclusion::Passed)
}

/// What a robustness check means for the student, when the test is one.
fn robustness(test: &TestPlan) -> Option<String> {
    let robustness = test.robustness.as_ref()?;
    let why = robustness.why.text();
    Some(if robustness.counts {
        tr!("show-robustness-counts", why = why)
    } else {
        tr!("show-robustness-advice", why = why)
    })
}

/// `hint: …`, with no space after a full-width colon (which has its own).
fn labelled(label: &str, text: &str) -> String {
    let gap = if label.ends_with('：') { "" } else { " " };
    format!("{label}{gap}{text}")
}
