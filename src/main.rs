//! The `netgrade` binary: parses arguments, runs one command, maps the outcome to an exit code.
//!
//! Exit codes: 0 every test passed, 1 some test failed, 2 netgrade could not run, 130 interrupted.

mod cli;

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Parser;
use netgrade::pack::ExercisePack;
use netgrade::program::kill_all_live_groups;
use netgrade::reference::{self, Profile};
use netgrade::report::{GradeEvent, Reporter, SilentReporter, TextReporter};
use netgrade::run::{RunSettings, grade};
use netgrade::sandbox::{Isolation, NetNamespace};
use netgrade::{spec, submission};

use crate::cli::{
    AuditArgs, Cli, ColorWhen, Command, GradeArgs, IsolationChoice, RunArgs, TestArgs, VerifyArgs,
};

/// What a command concluded.
enum Conclusion {
    /// Everything passed / worked.
    Passed,
    /// Some test failed.
    Failed,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return match error.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    match cli.color {
        ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
        ColorWhen::Auto => {}
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("netgrade: cannot start: {error}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(async {
        tokio::select! {
            outcome = run(cli) => match outcome {
                Ok(Conclusion::Passed) => ExitCode::SUCCESS,
                Ok(Conclusion::Failed) => ExitCode::from(1),
                Err(error) => {
                    let _ = anstream::stdout().flush();
                    eprintln!("netgrade: {error:#}");
                    ExitCode::from(2)
                }
            },
            signal = interrupted() => {
                // Programs run in their own process groups and do not get the terminal's
                // Ctrl-C: stop them ourselves before leaving.
                kill_all_live_groups();
                eprintln!("\nnetgrade: interrupted by {signal}; stopped every program it had started");
                ExitCode::from(130)
            }
        }
    })
}

/// Resolves on Ctrl-C or SIGTERM, naming which.
async fn interrupted() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "Ctrl-C",
        _ = async {
            match terminate.as_mut() {
                Some(stream) => { stream.recv().await; }
                None => std::future::pending::<()>().await,
            }
        } => "SIGTERM",
    }
}

async fn run(cli: Cli) -> Result<Conclusion> {
    let pack = match &cli.exercises {
        Some(dir) => {
            if !dir.is_dir() {
                bail!("--exercises {}: no such folder", dir.display());
            }
            ExercisePack::Folder(dir.clone())
        }
        None => ExercisePack::Bundled,
    };
    match cli.command {
        Command::Test(args) => test(&pack, args).await,
        Command::Grade(args) => grade_class(&pack, args).await,
        Command::Verify(args) => verify(&pack, args).await,
        Command::Audit(args) => audit(&pack, args).await,
        Command::List => list(&pack),
        Command::Show { exercise } => show(&pack, &exercise),
        Command::Validate { paths } => validate(&pack, &paths),
        Command::Schema => {
            let schema = schemars::schema_for!(spec::ExerciseSpec);
            println!("{}", serde_json::to_string_pretty(&schema)?);
            Ok(Conclusion::Passed)
        }
    }
}

/// Turns `--isolation` and friends into run settings, saying so when falling back.
fn settings(args: &RunArgs) -> Result<RunSettings> {
    let isolation = match args.isolation {
        IsolationChoice::None => Isolation::HostLoopback,
        IsolationChoice::Namespace => {
            NetNamespace::create().context(
                "--isolation namespace: cannot create a network namespace (needs root or CAP_SYS_ADMIN)",
            )?;
            Isolation::Namespace
        }
        IsolationChoice::Auto => {
            let (isolation, why) = Isolation::detect();
            if let Some(why) = why {
                eprintln!(
                    "netgrade: {why}; using the host loopback, one test at a time (a busy port 8888 will fail tests)"
                );
            }
            isolation
        }
    };
    let mut settings = RunSettings {
        isolation,
        slow: args.slow,
        seed: args.seed,
        ..RunSettings::default()
    };
    if let Some(jobs) = args.jobs {
        settings.jobs = usize::from(jobs);
    }
    Ok(settings)
}

async fn test(pack: &ExercisePack, args: TestArgs) -> Result<Conclusion> {
    let (exercise, _) = pack.find(&args.exercise)?;
    let scratch = tempfile::tempdir().context("cannot make a scratch folder")?;
    // A folder is a submission: its program is searched for. Finding none is the student's
    // verdict (every test fails with the reason), not a grader error.
    let program = match &args.program {
        Some(dir) if dir.is_dir() => {
            netgrade::batch::find_entry(dir, args.entry.as_deref(), &exercise.entry, scratch.path())
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
    let rerun = format!("netgrade test {} {}", exercise.id, rerun_program(&args));
    // With --output the report is built in memory and written at the end, whole.
    let mut buffer = Vec::new();
    let result = {
        let sink: Box<dyn Write + Send> = match &args.output {
            Some(_) => Box::new(&mut buffer),
            None => Box::new(anstream::stdout()),
        };
        let mut reporter = args.format.reporter(sink, rerun, args.verbose);
        match &program {
            Ok(program) => grade(&exercise, program, &settings, reporter.as_mut()).await?,
            Err((shown, reason)) => {
                let mut result = netgrade::batch::not_run(&exercise, shown, reason);
                if !settings.only_tests.is_empty() {
                    result
                        .tests
                        .retain(|t| settings.only_tests.contains(&t.number));
                }
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
        }
    };
    if let Some(path) = &args.output {
        netgrade::batch::write_atomically(path, &buffer)
            .with_context(|| format!("cannot write {}", path.display()))?;
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

fn rerun_program(args: &TestArgs) -> String {
    match &args.program {
        Some(path) => path.display().to_string(),
        None => {
            let parts: Vec<String> = args
                .command
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            format!("-- {}", parts.join(" "))
        }
    }
}

async fn grade_class(pack: &ExercisePack, args: GradeArgs) -> Result<Conclusion> {
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
            let line = format!(
                "{}: {}/{} — {}",
                row.student, row.score, row.max_score, row.reason
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
    let not_run = rows
        .iter()
        .filter(|r| r.reason.contains("could not be run"))
        .count();
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

async fn verify(pack: &ExercisePack, args: VerifyArgs) -> Result<Conclusion> {
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
        let program = submission::resolve(Some(binary), &[])?;
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
                format!("netgrade test {} {}", exercise.id, binary.display()),
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

/// Exercises selected by id (all when `ids` is empty); unknown ids are errors.
fn selected(
    pack: &ExercisePack,
    ids: &[String],
) -> Result<Vec<(netgrade::plan::Exercise, netgrade::pack::ExerciseSource)>> {
    let mut exercises = pack.exercises()?;
    for id in ids {
        if !exercises.iter().any(|(e, _)| &e.id == id) {
            pack.find(id)?;
        }
    }
    if !ids.is_empty() {
        exercises.retain(|(e, _)| ids.contains(&e.id));
    }
    Ok(exercises)
}

async fn audit(pack: &ExercisePack, args: AuditArgs) -> Result<Conclusion> {
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
        let row = netgrade::audit::audit(exercise, &dir, &settings, scratch.path()).await?;
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

fn list(pack: &ExercisePack) -> Result<Conclusion> {
    let mut out = anstream::stdout();
    let exercises = pack.exercises()?;
    let id_width = exercises
        .iter()
        .map(|(e, _)| e.id.chars().count())
        .max()
        .unwrap_or(0);
    let title_width = exercises
        .iter()
        .map(|(e, _)| e.title.chars().count())
        .max()
        .unwrap_or(0);
    for (exercise, _) in exercises {
        let points: u32 = exercise.tests.iter().map(|t| t.points).sum();
        writeln!(
            out,
            "{:<id_width$}  {:<title_width$}  {:>2} tests, {:>2} points",
            exercise.id,
            exercise.title,
            exercise.tests.len(),
            points
        )?;
    }
    Ok(Conclusion::Passed)
}

fn show(pack: &ExercisePack, id: &str) -> Result<Conclusion> {
    let (exercise, source) = pack.find(id)?;
    let mut out = anstream::stdout();
    match source.statement {
        Some(statement) => write!(out, "{statement}")?,
        None => writeln!(
            out,
            "{}: {}\n(no statement.md)",
            exercise.id, exercise.title
        )?,
    }
    writeln!(out, "\nTests:")?;
    for test in &exercise.tests {
        writeln!(
            out,
            "  {:>2}. {} ({} pts)",
            test.number, test.name, test.points
        )?;
    }
    Ok(Conclusion::Passed)
}

fn validate(pack: &ExercisePack, paths: &[std::path::PathBuf]) -> Result<Conclusion> {
    use netgrade::pack::{SPEC_FILE, read_source};
    use netgrade::plan::Exercise;
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
