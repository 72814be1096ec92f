//! `netgrade test`: grade one program on one exercise.

use std::io::Write;

use anyhow::{Context, Result, bail};
use netgrade::pack::ExercisePack;
use netgrade::report::{Format, GradeEvent, Reporter, Rerun, SilentReporter, TextReporter, render};
use netgrade::run::grade;
use netgrade::submission;

use super::{Conclusion, settings};
use crate::cli::TestArgs;

pub async fn test(pack: &ExercisePack, args: TestArgs) -> Result<Conclusion> {
    let (exercise, _) = pack.find(&args.exercise)?;
    // A folder is a submission: its program is searched for. Finding none, or a program that
    // does not compile, is the student's verdict (every test fails with the reason), not a
    // grader error; a path or command netgrade cannot use is netgrade's error (exit 2).
    let resolved = match &args.program {
        Some(dir) if dir.is_dir() => {
            submission::find_entry(dir, args.entry.as_deref(), &exercise.entry)
                .map_err(|reason| (dir.display().to_string(), reason))
        }
        _ => Ok(submission::resolve(args.program.as_deref(), &args.command)?),
    };
    for number in &args.tests {
        if !exercise.tests.iter().any(|t| t.number == *number) {
            bail!(
                "--test {number}: exercise {} has tests 1 to {}",
                exercise.id,
                exercise.tests.len()
            );
        }
    }
    let mut settings = settings(&args.run)?;
    settings.only_tests = args.tests.clone();
    let program = match resolved {
        Ok(resolved) => {
            let shown = resolved.display().to_owned();
            resolved
                .build(settings.isolation)
                .await
                .map_err(|reason| (shown, reason))
        }
        Err(not_found) => Err(not_found),
    };
    let rerun = Rerun::new(pack.folder(), &exercise.id, rerun_program(&args));
    // Text is shown live on the terminal, test by test (with no program chosen, the one
    // message below is all); every other format, and any report written to --output, is
    // rendered whole from the final result.
    let no_program = matches!(&program, Err((_, reason)) if reason.no_program_chosen());
    let on_terminal = args.format == Format::Text && args.output.is_none();
    let live = on_terminal && !no_program;
    let written = !on_terminal;
    let mut reporter: Box<dyn Reporter + Send> = if live {
        let mut text = TextReporter::new(anstream::stdout(), rerun.clone());
        text.verbose = args.verbose;
        Box::new(text)
    } else {
        Box::new(SilentReporter)
    };
    let result = match &program {
        Ok(program) => grade(&exercise, program, &settings, reporter.as_mut()).await?,
        Err((shown, reason)) => {
            let mut result = netgrade::batch::not_run(&exercise, shown, reason);
            result.tests.retain(|t| settings.selects(t.number));
            reporter.write_event(&GradeEvent::Started {
                exercise: &exercise,
                program: shown,
                isolation: settings.isolation,
                slow: settings.slow,
                seed: None,
            })?;
            for test in &result.tests {
                reporter.write_event(&GradeEvent::TestFinished(test))?;
            }
            reporter.write_event(&GradeEvent::Finished(&result))?;
            result
        }
    };
    if written {
        let rendered = render(args.format, &result, &rerun)?;
        match &args.output {
            Some(path) => netgrade::batch::write_atomically(path, &rendered)
                .with_context(|| format!("cannot write {}", path.display()))?,
            None => anstream::stdout().write_all(&rendered)?,
        }
    }
    if let Err((shown, reason)) = &program
        && reason.no_program_chosen()
    {
        // Nothing to grade was found: a usage error, said once (any result file asked for is
        // written above, so a course platform still shows the reason).
        bail!("{shown}: {reason}");
    }
    if result.has_errors() {
        bail!("some tests could not be run (see above)");
    }
    Ok(if result.all_passed() {
        Conclusion::Passed
    } else {
        Conclusion::Failed
    })
}

/// The program's words on a rerun line: its path, or `--` and its command.
fn rerun_program(args: &TestArgs) -> Vec<String> {
    match &args.program {
        Some(path) => vec![path.display().to_string()],
        None => std::iter::once("--".to_owned())
            .chain(
                args.command
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned()),
            )
            .collect(),
    }
}
