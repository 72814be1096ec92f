//! `netgrade verify`: every reference solution passes its exercise.

use std::io::Write;

use anyhow::{Result, bail};
use netgrade::pack::ExercisePack;
use netgrade::reference::{self, Profile};
use netgrade::report::{GradeEvent, Reporter, Rerun, SilentReporter, TextReporter};
use netgrade::run::grade;
use netgrade::submission;

use super::{Conclusion, selected, settings};
use crate::cli::VerifyArgs;

pub async fn verify(pack: &ExercisePack, args: VerifyArgs) -> Result<Conclusion> {
    let exercises = selected(pack, &args.only)?;
    let binaries = match &args.reference_dir {
        Some(dir) => reference::from_dir(dir),
        None => {
            eprintln!("netgrade: building the reference solutions (cargo build --release)…");
            reference::build(&reference::source_workspace(), Profile::Release)?
        }
    };
    let settings = settings(&args.run)?;
    let mut out = anstream::stdout();
    let mut all_passed = true;
    let started = std::time::Instant::now();
    for (exercise, _) in &exercises {
        let Some(name) = &exercise.reference else {
            writeln!(
                out,
                "  - {:<20} no reference named in the spec",
                exercise.id
            )?;
            continue;
        };
        let Some(binary) = binaries.get(name) else {
            bail!(
                "{}: reference binary `{name}` was not built; is it a [[bin]] of reference/Cargo.toml?",
                exercise.source
            );
        };
        let program = submission::resolve(Some(binary), &[])?
            .build(settings.isolation)
            .await?;
        let result = grade(exercise, &program, &settings, &mut SilentReporter).await?;
        let mark = if result.all_passed() { "✓" } else { "✗" };
        writeln!(
            out,
            "  {mark} {:<20} {:>3}/{:<3} {:>6.2}s  reference `{name}`",
            exercise.id,
            result.score(),
            result.max_score(),
            result.duration.as_secs_f64()
        )?;
        if !result.all_passed() {
            all_passed = false;
            let mut reporter = TextReporter::new(
                anstream::stdout(),
                Rerun::new(
                    pack.folder(),
                    &exercise.id,
                    vec![binary.display().to_string()],
                ),
            );
            for test in result.tests.iter().filter(|t| !t.passed()) {
                reporter.write_event(&GradeEvent::TestFinished(test))?;
            }
        }
    }
    writeln!(
        out,
        "verified {} exercises in {:.2}s",
        exercises.len(),
        started.elapsed().as_secs_f64()
    )?;
    Ok(if all_passed {
        Conclusion::Passed
    } else {
        Conclusion::Failed
    })
}
