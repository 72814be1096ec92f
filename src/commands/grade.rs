//! `netgrade grade`: grade a whole class.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use netgrade::pack::ExercisePack;
use netgrade::report::one_line;

use super::{Conclusion, settings};
use crate::cli::GradeArgs;

pub async fn grade(pack: &ExercisePack, args: GradeArgs) -> Result<Conclusion> {
    use netgrade::batch::{self, ClassSettings};
    use std::io::IsTerminal;
    let (exercise, _) = pack.find(&args.exercise)?;
    if let Some(entry) = &args.entry {
        netgrade::plan::check_entry(entry).map_err(|e| anyhow::anyhow!("--entry: {e}"))?;
    }
    let mut class = batch::submissions(&args.submissions).with_context(|| {
        format!(
            "cannot read the submissions folder {}",
            args.submissions.display()
        )
    })?;
    if let Some((part, parts)) = args.partition {
        class = batch::partition(class, part, parts);
    }
    let settings = ClassSettings {
        run: settings(&args.run)?,
        entry: args.entry.clone(),
        output: args.output.clone(),
        format: args.format,
        resume: args.resume,
        exercises: pack.folder().map(Path::to_path_buf),
    };
    let total = class.len();
    let (progress, mut updates) = tokio::sync::mpsc::unbounded_channel();
    let show = tokio::spawn(async move {
        let bar = std::io::stderr()
            .is_terminal()
            .then(|| indicatif::ProgressBar::new(total as u64));
        if let Some(bar) = &bar {
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
        }
        while let Some(update) = updates.recv().await {
            let netgrade::batch::Progress { done, total, row } = update;
            // Folder names and reasons are the students': shown, never obeyed.
            let line = format!(
                "{}: {}/{} — {}",
                one_line(&row.student),
                row.score,
                row.max_score,
                one_line(&row.reason)
            );
            match &bar {
                Some(bar) => {
                    bar.set_position(done as u64);
                    bar.set_message(line);
                }
                None => eprintln!("[{done}/{total}] {line}"),
            }
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
    });
    let exercise = std::sync::Arc::new(exercise);
    let rows = batch::grade_class(
        std::sync::Arc::clone(&exercise),
        class,
        std::sync::Arc::new(settings),
        progress,
    )
    .await?;
    let _ = show.await;
    batch::write_summary(&exercise, &rows, &args.output)?;
    let perfect = rows.iter().filter(|r| r.score == r.max_score).count();
    let not_run = rows.iter().filter(|r| r.not_runnable).count();
    let mean = if rows.is_empty() {
        0.0
    } else {
        rows.iter().map(|r| f64::from(r.score)).sum::<f64>() / rows.len() as f64
    };
    let mut out = anstream::stdout();
    writeln!(
        out,
        "graded {} submissions of {}: {perfect} with full marks, {not_run} could not be run, mean {mean:.1}/{}",
        rows.len(),
        exercise.id,
        exercise.tests.iter().map(|t| t.points).sum::<u32>()
    )?;
    writeln!(
        out,
        "results in {}/ (summary.csv, summary.json)",
        args.output.display()
    )?;
    Ok(Conclusion::Passed)
}
