//! `netgrade verify`: every exercise's reference solution passes it, and an exercise without a
//! reference is said to be not verified (a failure unless `--allow-unverified`).
//!
//! A reference is a program file in the exercise's folder (any language, run as a submission
//! is) or a binary of netgrade's own `reference/` crate, built with cargo only when one is
//! needed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use netgrade::pack::ExercisePack;
use netgrade::plan::Exercise;
use netgrade::reference::{self, Profile};
use netgrade::report::{GradeEvent, Reporter, Rerun, SilentReporter, TextReporter};
use netgrade::run::grade;
use netgrade::{submission, tr};

use super::{Conclusion, selected, settings};
use crate::cli::VerifyArgs;

/// Where an exercise's reference program is.
enum ReferenceProgram {
    /// No reference in the spec.
    Missing,
    /// A program to grade.
    At(PathBuf),
}

pub async fn verify(pack: &ExercisePack, args: VerifyArgs) -> Result<Conclusion> {
    let exercises = selected(pack, &args.only)?;
    let needs_cargo = exercises
        .iter()
        .any(|(e, _)| e.reference.is_some() && e.reference_file().is_none());
    let binaries: BTreeMap<String, PathBuf> = match (&args.reference_dir, needs_cargo) {
        (Some(dir), _) => reference::from_dir(dir),
        (None, true) => {
            eprintln!("{}", tr!("verify-building"));
            reference::build(&reference::source_workspace(), Profile::Release)?
        }
        (None, false) => BTreeMap::new(),
    };
    let settings = settings(&args.run)?;
    let mut out = anstream::stdout();
    let mut failed = false;
    let mut unverified = Vec::new();
    let started = std::time::Instant::now();
    for (exercise, _) in &exercises {
        let path = match reference_program(exercise, &binaries)? {
            ReferenceProgram::Missing => {
                writeln!(
                    out,
                    "  - {:<20} {}",
                    exercise.id,
                    tr!("verify-no-reference")
                )?;
                unverified.push(exercise.id.clone());
                continue;
            }
            ReferenceProgram::At(path) => path,
        };
        let shown = path.display().to_string();
        let program = match submission::resolve(Some(&path), &[])?
            .build(settings.isolation)
            .await
        {
            Ok(program) => program,
            Err(reason) => {
                writeln!(out, "  ✗ {:<20} {shown}: {reason}", exercise.id)?;
                failed = true;
                continue;
            }
        };
        let result = grade(exercise, &program, &settings, &mut SilentReporter).await?;
        let mark = if result.all_passed() { "✓" } else { "✗" };
        writeln!(
            out,
            "  {mark} {:<20} {:>3}/{:<3} {:>6.2}s  {}",
            exercise.id,
            result.score(),
            result.max_score(),
            result.duration.as_secs_f64(),
            tr!("verify-reference", reference = shown.as_str())
        )?;
        if !result.all_passed() {
            failed = true;
            let rerun = Rerun::new(pack.folder(), &exercise.id, vec![shown.clone()]);
            let mut reporter = TextReporter::new(anstream::stdout(), rerun);
            for test in result.tests.iter().filter(|t| !t.passed()) {
                reporter.write_event(&GradeEvent::TestFinished(test))?;
            }
        }
    }
    let verified = exercises.len() - unverified.len();
    let line = if unverified.is_empty() {
        tr!(
            "verify-summary",
            verified = verified,
            seconds = format!("{:.2}", started.elapsed().as_secs_f64())
        )
    } else {
        tr!(
            "verify-summary-unverified",
            verified = verified,
            total = exercises.len(),
            unverified = unverified.join(", "),
            seconds = format!("{:.2}", started.elapsed().as_secs_f64())
        )
    };
    writeln!(out, "{line}")?;
    Ok(
        if failed || (!unverified.is_empty() && !args.allow_unverified) {
            Conclusion::Failed
        } else {
            Conclusion::Passed
        },
    )
}

/// The program that is `exercise`'s reference.
fn reference_program(
    exercise: &Exercise,
    binaries: &BTreeMap<String, PathBuf>,
) -> Result<ReferenceProgram> {
    let Some(name) = &exercise.reference else {
        return Ok(ReferenceProgram::Missing);
    };
    if let Some(file) = exercise.reference_file() {
        if !file.is_file() {
            bail!(
                "{}: {}",
                exercise.source,
                tr!(
                    "verify-reference-missing",
                    reference = file.display().to_string()
                )
            );
        }
        return Ok(ReferenceProgram::At(file));
    }
    match binaries.get(name) {
        Some(binary) => Ok(ReferenceProgram::At(binary.clone())),
        None => bail!(
            "{}: {}",
            exercise.source,
            tr!("verify-binary-missing", name = name.as_str())
        ),
    }
}
