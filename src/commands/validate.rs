//! `netgrade validate`: check specs, every error with file:line:column.

use std::io::Write;

use anyhow::{Result, bail};
use netgrade::pack::{ExercisePack, SPEC_FILE, read_source};
use netgrade::plan::Exercise;

use super::Conclusion;

pub fn validate(pack: &ExercisePack, paths: &[std::path::PathBuf]) -> Result<Conclusion> {
    let mut sources = Vec::new();
    let mut problems = 0;
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
    for source in sources {
        let checked = source.map_err(anyhow::Error::from).and_then(|source| {
            let exercise = Exercise::from_yaml(&source.yaml, &source.name)?;
            Ok((source, exercise))
        });
        match checked {
            Ok((source, exercise)) => writeln!(
                out,
                "ok    {} ({} tests)",
                source.name,
                exercise.tests.len()
            )?,
            Err(error) => {
                problems += 1;
                writeln!(out, "error {error:#}")?;
            }
        }
    }
    if problems > 0 {
        bail!("{problems} spec(s) have errors");
    }
    Ok(Conclusion::Passed)
}
