//! `netgrade validate`: check specs and list every problem of each, each at its
//! file:line:column with the lines around it. A spec in an exercise folder must have the
//! folder's name as its `id`.

use std::io::Write;

use anyhow::{Result, bail};
use netgrade::pack::{ExercisePack, PackError, SPEC_FILE, read_source};

use super::Conclusion;

pub fn validate(pack: &ExercisePack, paths: &[std::path::PathBuf]) -> Result<Conclusion> {
    let mut sources = Vec::new();
    if paths.is_empty() {
        sources.extend(pack.sources()?.into_iter().map(Ok));
    }
    for path in paths {
        if path.is_dir() && path.join(SPEC_FILE).is_file() {
            sources.push(read_source(&path.join(SPEC_FILE)));
        } else if path.is_dir() {
            sources.extend(
                ExercisePack::Folder(path.clone())
                    .sources()?
                    .into_iter()
                    .map(Ok),
            );
        } else if path.is_file() {
            sources.push(read_source(path));
        } else {
            bail!("no such file or folder: {}", path.display());
        }
    }
    let mut out = anstream::stdout();
    let (mut problems, mut bad_specs) = (0, 0);
    for source in sources {
        let checked = source.and_then(|source| {
            let exercise = source.exercise()?;
            Ok((source, exercise))
        });
        match checked {
            Ok((source, exercise)) => writeln!(
                out,
                "ok    {} ({} tests)",
                source.name,
                exercise.tests.len()
            )?,
            Err(PackError::Spec(error)) => {
                bad_specs += 1;
                for problem in error.problems() {
                    problems += 1;
                    writeln!(out, "error {problem}")?;
                }
            }
            Err(error) => {
                bad_specs += 1;
                problems += 1;
                writeln!(out, "error {:#}", anyhow::Error::from(error))?;
            }
        }
    }
    if problems > 0 {
        let errors = if problems == 1 { "error" } else { "errors" };
        let specs = if bad_specs == 1 { "spec" } else { "specs" };
        bail!("{problems} {errors} in {bad_specs} {specs}");
    }
    Ok(Conclusion::Passed)
}
