//! `netgrade list`: the exercises of the pack.

use std::io::Write;

use anyhow::Result;
use netgrade::pack::ExercisePack;

use super::Conclusion;

pub fn list(pack: &ExercisePack) -> Result<Conclusion> {
    let mut out = anstream::stdout();
    let exercises = pack.exercises()?;
    let id_width = exercises
        .iter()
        .map(|(e, _)| e.id.chars().count())
        .max()
        .unwrap_or(0);
    let title_width = exercises
        .iter()
        .map(|(e, _)| e.title.chars().count())
        .max()
        .unwrap_or(0);
    for (exercise, _) in exercises {
        let points: u32 = exercise.tests.iter().map(|t| t.points).sum();
        writeln!(
            out,
            "{:<id_width$}  {:<title_width$}  {:>2} tests, {:>2} points",
            exercise.id,
            exercise.title,
            exercise.tests.len(),
            points
        )?;
    }
    Ok(Conclusion::Passed)
}
