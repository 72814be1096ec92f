//! `netgrade audit`: every fixture gets the verdict it declares.

use std::io::Write;

use anyhow::{Context, Result};
use netgrade::pack::ExercisePack;

use super::{Conclusion, selected, settings};
use crate::cli::AuditArgs;

pub async fn audit(pack: &ExercisePack, args: AuditArgs) -> Result<Conclusion> {
    let exercises = selected(pack, &args.only)?;
    let settings = settings(&args.run)?;
    let scratch = tempfile::tempdir().context("cannot make a scratch folder")?;
    let mut out = anstream::stdout();
    writeln!(
        out,
        "{:<20} {:>12} {:>12}  misses",
        "exercise", "good passed", "bad caught"
    )?;
    let mut misses = Vec::new();
    for (exercise, _) in &exercises {
        let dir = pack.exercise_dir(&exercise.id, scratch.path())?;
        let row = netgrade::audit::audit(exercise, &dir, &settings).await?;
        writeln!(
            out,
            "{:<20} {:>12} {:>12}  {}",
            row.exercise,
            format!("{}/{}", row.good_passed, row.good),
            format!("{}/{}", row.bad_caught, row.bad),
            row.misses.len()
        )?;
        misses.extend(row.misses.iter().map(|m| format!("{}: {m}", row.exercise)));
    }
    for miss in &misses {
        writeln!(out, "  miss: {miss}")?;
    }
    Ok(if misses.is_empty() {
        Conclusion::Passed
    } else {
        Conclusion::Failed
    })
}
