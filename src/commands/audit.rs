//! `netgrade audit`: every fixture gets the verdict it declares.

use std::io::Write;

use anyhow::{Result, bail};
use netgrade::pack::ExercisePack;

use super::{Conclusion, selected, settings};
use crate::cli::AuditArgs;

pub async fn audit(pack: &ExercisePack, args: AuditArgs) -> Result<Conclusion> {
    let Some(folder) = pack.folder() else {
        bail!(
            "the bundled exercises carry no fixtures (a known-good program inside the binary is one a student's program could read); audit a pack folder: netgrade --exercises exercises audit"
        );
    };
    let exercises = selected(pack, &args.only)?;
    let settings = settings(&args.run)?;
    let mut out = anstream::stdout();
    writeln!(
        out,
        "{:<20} {:>12} {:>12}  misses",
        "exercise", "good passed", "bad caught"
    )?;
    let mut misses = Vec::new();
    for (exercise, _) in &exercises {
        let dir = folder.join(&exercise.id);
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
