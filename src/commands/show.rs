//! `netgrade show`: an exercise's statement and tests, in the reader's language.

use std::io::Write;

use anyhow::Result;
use netgrade::pack::ExercisePack;
use netgrade::tr;

use super::Conclusion;

pub fn show(pack: &ExercisePack, id: &str) -> Result<Conclusion> {
    let (exercise, source) = pack.find(id)?;
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
