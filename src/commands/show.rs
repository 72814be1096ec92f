//! `netgrade show`: an exercise's statement and tests.

use std::io::Write;

use anyhow::Result;
use netgrade::pack::ExercisePack;

use super::Conclusion;

pub fn show(pack: &ExercisePack, id: &str) -> Result<Conclusion> {
    let (exercise, source) = pack.find(id)?;
    let mut out = anstream::stdout();
    match source.statement {
        Some(statement) => write!(out, "{statement}")?,
        None => writeln!(
            out,
            "{}: {}\n(no statement.md)",
            exercise.id, exercise.title
        )?,
    }
    writeln!(out, "\nTests:")?;
    for test in &exercise.tests {
        writeln!(
            out,
            "  {:>2}. {} ({} pts)",
            test.number, test.name, test.points
        )?;
    }
    Ok(Conclusion::Passed)
}
