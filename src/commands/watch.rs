//! `netgrade watch`: grade a program, then grade it again each time it is saved — the
//! student's loop of edit, save, read the verdict.
//!
//! [`Watched`] is what is watched: a program file — through its folder, so an editor that
//! saves by writing a new file and renaming it over the old one is seen like one that writes
//! in place — or a submission folder, recursively, without what grading never takes (hidden
//! files such as editor swap files, `__pycache__` and build folders, backups ending in `~`,
//! netgrade's own results). File-system events come through notify's mini debouncer, so an
//! editor's save (several events) is one batch.
//!
//! A batch only wakes the loop; whether to grade is decided by a [`Fingerprint`] of what
//! grading takes (each file's size, times and inode), taken just before a round stages the
//! program: a round runs when it differs from the last one graded. So a file an editor makes
//! and removes again grades nothing, and rounds never overlap: saves during a round leave one
//! wake-up in a channel of one place, which is exactly one more round after it.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use anstyle::Style;
use anyhow::{Context, Result, bail};
use netgrade::pack::ExercisePack;
use netgrade::plan::Exercise;
use netgrade::program::ProgramCommand;
use netgrade::report::{Rerun, SilentReporter, TextReporter, one_line};
use netgrade::run::{RunSettings, grade};
use netgrade::submission::{self, MAX_ENTRIES, NotRunnable};
use netgrade::tr;
use notify_debouncer_mini::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};
use tokio::sync::mpsc;

use super::{Conclusion, settings};
use crate::cli::WatchArgs;

/// How long the folder must be quiet before a batch of events is handed on: an editor's save
/// (a backup, a new file, a rename, a chmod) takes a few milliseconds.
const QUIET: Duration = Duration::from_millis(200);

/// Folders whose changes never call for a round: grading skips them (caches, build output,
/// virtual environments) or netgrade writes them (`netgrade grade`'s results).
const IGNORED_FOLDERS: [&str; 5] = [
    "__pycache__",
    "target",
    "node_modules",
    "venv",
    "netgrade-results",
];

/// Clears a terminal and puts the cursor at the top.
const CLEAR: &str = "\x1b[H\x1b[2J";

const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

pub async fn watch(pack: &ExercisePack, args: WatchArgs) -> Result<Conclusion> {
    let (exercise, _) = pack.find(&args.exercise)?;
    for number in &args.tests {
        if !exercise.tests.iter().any(|t| t.number == *number) {
            bail!(
                "{}",
                tr!(
                    "no-such-test",
                    number = number.to_string(),
                    id = exercise.id.as_str(),
                    count = exercise.tests.len()
                )
            );
        }
    }
    let watched = Watched::new(&args.program)?;
    if let Watched::File { .. } = watched {
        // A file netgrade cannot run as named (a link, not executable, no python3) is a
        // mistake in the command, said now with exit 2, as `netgrade test` does.
        submission::resolve(Some(&args.program), &[])?;
    }
    let mut settings = settings(&args.run)?;
    settings.only_tests = args.tests.clone();
    if exercise.uses_seed() && settings.seed.is_none() {
        // The same generated inputs every round: a fix is judged on the inputs it fixes.
        settings.seed = Some(netgrade::differential::random_seed());
    }
    let rerun = Rerun::new(
        pack.folder(),
        &exercise.id,
        vec![args.program.display().to_string()],
    );
    let round = Round {
        exercise: &exercise,
        args: &args,
        settings: &settings,
        rerun: &rerun,
    };
    let (wake, mut woken) = mpsc::channel(1);
    let _debouncer = start_watching(&watched, wake)?;
    let shown = args.program.display().to_string();
    let mut graded: Option<Fingerprint> = None;
    let mut gone = false;
    let mut number = 0;
    loop {
        match watched.fingerprint() {
            None if !gone => {
                gone = true;
                graded = None;
                let gone = tr!("watch-gone", path = one_line(&shown));
                writeln!(anstream::stdout(), "\n{DIM}{gone}{DIM:#}")?;
            }
            Some(now) if graded.as_ref() != Some(&now) => {
                gone = false;
                number += 1;
                round.run(number, &watched).await?;
                graded = Some(now);
                let waiting = tr!("watch-waiting", path = one_line(&shown));
                writeln!(anstream::stdout(), "\n{DIM}{waiting}{DIM:#}")?;
            }
            _ => {} // nothing grading takes has changed
        }
        anstream::stdout().flush()?;
        if woken.recv().await.is_none() {
            bail!("{}", tr!("watch-stopped"));
        }
    }
}

/// What one round needs: the exercise, the flags, how to rerun a test.
struct Round<'a> {
    exercise: &'a Exercise,
    args: &'a WatchArgs,
    settings: &'a RunSettings,
    rerun: &'a Rerun,
}

impl Round<'_> {
    /// Clears the screen (on a terminal), grades, and shows the brief report.
    async fn run(&self, number: usize, watched: &Watched) -> Result<()> {
        if std::io::stdout().is_terminal() {
            // Straight to the terminal: anstream would strip it with colour off.
            let mut raw = std::io::stdout();
            raw.write_all(CLEAR.as_bytes())?;
            raw.flush()?;
        }
        let mut out = anstream::stdout();
        let title = tr!(
            "report-title",
            id = self.exercise.id.as_str(),
            title = one_line(self.exercise.title.text())
        );
        writeln!(out, "{BOLD}{title}{BOLD:#}")?;
        let program = self.args.program.display().to_string();
        let line = tr!("watch-round", round = number, program = one_line(&program));
        writeln!(out, "{DIM}{line}{DIM:#}")?;
        out.flush()?;
        let result = match self.program(watched).await {
            Ok(program) => {
                grade(self.exercise, &program, self.settings, &mut SilentReporter).await?
            }
            Err(Unrunnable::Said(message)) => {
                writeln!(out, "\n✗ {}", one_line(&message))?;
                return Ok(());
            }
            Err(Unrunnable::Verdict(shown, reason)) => {
                let mut result = netgrade::batch::not_run(self.exercise, &shown, &reason);
                result.tests.retain(|t| self.settings.selects(t.number));
                result
            }
        };
        TextReporter::new(out, self.rerun.clone()).brief(&result)?;
        Ok(())
    }

    /// The program as it is now: staged afresh (and compiled, for Rust).
    async fn program(&self, watched: &Watched) -> Result<ProgramCommand, Unrunnable> {
        let resolved = match watched {
            Watched::Folder(dir) => {
                submission::find_entry(dir, self.args.entry.as_deref(), &self.exercise.entry)
                    .map_err(|reason| {
                        let shown = self.args.program.display().to_string();
                        if reason.no_program_chosen() {
                            Unrunnable::Said(format!("{shown}: {reason}"))
                        } else {
                            Unrunnable::Verdict(shown, reason)
                        }
                    })?
            }
            Watched::File { .. } => submission::resolve(Some(&self.args.program), &[])
                .map_err(|error| Unrunnable::Said(error.to_string()))?,
        };
        let shown = resolved.display().to_owned();
        resolved
            .build(self.settings.isolation)
            .await
            .map_err(|reason| Unrunnable::Verdict(shown, reason))
    }
}

/// Why a round has no program to grade.
enum Unrunnable {
    /// Nothing to grade (no program chosen in the folder, the file unusable): one line.
    Said(String),
    /// The student's verdict (does not compile, too large): every test fails with the reason.
    Verdict(String, NotRunnable),
}

/// What is watched.
#[derive(Debug, Clone)]
enum Watched {
    /// A program file: its folder is watched, for events on its name.
    File {
        /// The file.
        path: PathBuf,
        /// Its folder, absolute.
        folder: PathBuf,
        /// Its name.
        name: OsString,
    },
    /// A submission folder (absolute), watched with everything in it.
    Folder(PathBuf),
}

/// What grading would take, as the file system describes it: a path, its size, times and
/// inode for each file. Equal fingerprints grade the same.
type Fingerprint = Vec<(PathBuf, [i64; 6])>;

impl Watched {
    /// The file or folder named; a missing one is an error (netgrade cannot run: exit 2).
    fn new(path: &Path) -> Result<Watched> {
        let metadata = match path.metadata() {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                bail!(
                    "{}",
                    tr!("watch-missing", path = path.display().to_string())
                )
            }
            Err(error) => {
                return Err(error).with_context(|| path.display().to_string());
            }
        };
        let absolute = std::path::absolute(path)
            .with_context(|| format!("{}: cannot make it absolute", path.display()))?;
        if metadata.is_dir() {
            return Ok(Watched::Folder(absolute));
        }
        let (Some(folder), Some(name)) = (absolute.parent(), absolute.file_name()) else {
            bail!(
                "{}",
                tr!("watch-missing", path = path.display().to_string())
            );
        };
        Ok(Watched::File {
            path: absolute.clone(),
            folder: folder.to_owned(),
            name: name.to_owned(),
        })
    }

    /// The folder notify watches, and how.
    fn root(&self) -> (&Path, RecursiveMode) {
        match self {
            Watched::File { folder, .. } => (folder, RecursiveMode::NonRecursive),
            Watched::Folder(dir) => (dir, RecursiveMode::Recursive),
        }
    }

    /// Whether an event on `path` may change what grading takes.
    fn is_relevant(&self, path: &Path) -> bool {
        match self {
            Watched::File { name, .. } => path.file_name() == Some(name.as_os_str()),
            Watched::Folder(dir) => path.strip_prefix(dir).is_ok_and(|relative| {
                relative.components().all(|part| match part {
                    Component::Normal(name) => !ignored(name),
                    _ => true,
                })
            }),
        }
    }

    /// What grading would take now; `None` when the file or folder is gone.
    fn fingerprint(&self) -> Option<Fingerprint> {
        match self {
            Watched::File { path, .. } => {
                let metadata = path.symlink_metadata().ok()?;
                Some(vec![(PathBuf::new(), stamp(&metadata))])
            }
            Watched::Folder(dir) => {
                dir.symlink_metadata().ok().filter(|m| m.is_dir())?;
                Some(folder_fingerprint(dir))
            }
        }
    }
}

/// Names whose changes never call for a round: hidden files (editor swap and lock files:
/// `.server.py.swp`, `.#server.py`), backups (`server.py~`), Emacs auto-saves (`#server.py#`),
/// netgrade's packet captures (`--pcap`), and the folders grading skips.
fn ignored(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".pcap")
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        || IGNORED_FOLDERS.contains(&name.as_ref())
}

/// A file's size, modification and change times, and inode (a rename-save makes a new one).
fn stamp(metadata: &std::fs::Metadata) -> [i64; 6] {
    [
        metadata.size() as i64,
        metadata.mtime(),
        metadata.mtime_nsec(),
        metadata.ctime(),
        metadata.ctime_nsec(),
        metadata.ino() as i64,
    ]
}

/// Every file of `dir` grading may take, bounded by staging's own [`MAX_ENTRIES`] (past it,
/// grading says the submission is too large).
fn folder_fingerprint(dir: &Path) -> Fingerprint {
    let mut found = Vec::new();
    let mut folders = vec![PathBuf::new()];
    let mut budget = MAX_ENTRIES;
    while let Some(relative) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(dir.join(&relative)) else {
            continue;
        };
        for entry in entries.flatten() {
            if budget == 0 {
                break;
            }
            budget -= 1;
            let name = entry.file_name();
            if ignored(&name) {
                continue;
            }
            let path = relative.join(&name);
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            if metadata.is_dir() {
                // A folder counts by its name only: its times change with any file made and
                // removed in it, an editor's probe file too.
                folders.push(path.clone());
                found.push((path, [0; 6]));
            } else {
                found.push((path, stamp(&metadata)));
            }
        }
    }
    found.sort();
    found
}

/// Starts notify on what is watched; each batch with a relevant event wakes the loop (one
/// wake-up waits at most: the channel has one place).
fn start_watching(
    watched: &Watched,
    wake: mpsc::Sender<()>,
) -> Result<Debouncer<RecommendedWatcher>> {
    let filter = watched.clone();
    let mut debouncer = new_debouncer(QUIET, move |batch: DebounceEventResult| match batch {
        Ok(events) => {
            if events.iter().any(|event| filter.is_relevant(&event.path)) {
                let _ = wake.try_send(());
            }
        }
        Err(error) => {
            // Events may have been lost (an overflowing queue): look again.
            eprintln!(
                "netgrade: {}",
                tr!("watch-error", error = error.to_string())
            );
            let _ = wake.try_send(());
        }
    })
    .context(tr!("watch-cannot-watch"))?;
    let (root, mode) = watched.root();
    debouncer
        .watcher()
        .watch(root, mode)
        .with_context(|| format!("{}: {}", root.display(), tr!("watch-cannot-watch")))?;
    Ok(debouncer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_files_and_caches_do_not_call_for_a_round() {
        let folder = Watched::Folder(PathBuf::from("/s"));
        for path in [
            "/s/.server.py.swp",
            "/s/.#server.py",
            "/s/server.py~",
            "/s/#server.py#",
            "/s/__pycache__/helper.cpython-312.pyc",
            "/s/netgrade-results/summary.csv",
            "/s/.git/index",
            "/s/captures/test-4.pcap",
            "/elsewhere/server.py",
        ] {
            assert!(!folder.is_relevant(Path::new(path)), "{path}");
        }
        for path in ["/s/server.py", "/s/lib/helper.py", "/s/4913", "/s"] {
            assert!(folder.is_relevant(Path::new(path)), "{path}");
        }
        let file = Watched::File {
            path: PathBuf::from("/s/server.py"),
            folder: PathBuf::from("/s"),
            name: OsString::from("server.py"),
        };
        assert!(file.is_relevant(Path::new("/s/server.py")));
        assert!(!file.is_relevant(Path::new("/s/server.py~")));
        assert!(!file.is_relevant(Path::new("/s/.server.py.swp")));
    }
}
