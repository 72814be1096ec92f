//! `netgrade list`: the exercises of the pack.

use std::io::Write;

use anyhow::Result;
use netgrade::pack::ExercisePack;
use netgrade::tr;
use unicode_width::UnicodeWidthStr;

use super::Conclusion;

pub fn list(pack: &ExercisePack) -> Result<Conclusion> {
    let mut out = anstream::stdout();
    let exercises = pack.exercises()?;
    let id_width = exercises
        .iter()
        .map(|(e, _)| e.id.width())
        .max()
        .unwrap_or(0);
    // Columns by display width: a Chinese character takes two.
    let title_width = exercises
        .iter()
        .map(|(e, _)| e.title.text().width())
        .max()
        .unwrap_or(0);
    for (exercise, _) in exercises {
        let points: u32 = exercise.tests.iter().map(|t| t.points).sum();
        let title = exercise.title.text();
        let padding = " ".repeat(title_width - title.width());
        writeln!(
            out,
            "{:<id_width$}  {title}{padding}  {}",
            exercise.id,
            tr!("list-size", tests = exercise.tests.len(), points = points)
        )?;
    }
    Ok(Conclusion::Passed)
}
