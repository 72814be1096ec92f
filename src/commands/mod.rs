//! One file per subcommand: each resolves its arguments, calls the library and prints. The
//! shared pieces live here: what a command concludes, the pack in use, run settings from
//! flags, and exercise selection.

mod audit;
mod grade;
mod list;
mod show;
mod test;
mod validate;
mod verify;
mod watch;

use std::io::Write;

use anyhow::{Context, Result, bail};
use netgrade::pack::{ExercisePack, ExerciseSource};
use netgrade::plan::Exercise;
use netgrade::run::RunSettings;
use netgrade::sandbox::{Isolation, NetNamespace};

use crate::cli::{Cli, Command, IsolationChoice, RunArgs};

/// What a command concluded.
pub enum Conclusion {
    /// Everything passed / worked.
    Passed,
    /// Some test failed.
    Failed,
}

/// Runs the command `cli` names.
pub async fn run(cli: Cli) -> Result<Conclusion> {
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
        Command::Test(args) => test::test(&pack, args).await,
        Command::Grade(args) => grade::grade(&pack, args).await,
        Command::Watch(args) => watch::watch(&pack, args).await,
        Command::Verify(args) => verify::verify(&pack, args).await,
        Command::Audit(args) => audit::audit(&pack, args).await,
        Command::List => list::list(&pack),
        Command::Show { exercise, test } => show::show(&pack, &exercise, test),
        Command::Validate { paths } => validate::validate(&pack, &paths),
        Command::Schema => {
            let schema = schemars::schema_for!(netgrade::spec::ExerciseSpec);
            writeln!(
                anstream::stdout(),
                "{}",
                serde_json::to_string_pretty(&schema)?
            )?;
            Ok(Conclusion::Passed)
        }
    }
}

/// Turns `--isolation` and friends into run settings, saying so when falling back.
pub fn settings(args: &RunArgs) -> Result<RunSettings> {
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
    if args.pcap.is_some() && isolation == Isolation::HostLoopback {
        eprintln!(
            "netgrade: --pcap: nothing is captured on the host loopback; capturing needs the per-test network namespace"
        );
    }
    let mut settings = RunSettings {
        isolation,
        slow: args.slow,
        seed: args.seed,
        pcap: args.pcap.clone(),
        ..RunSettings::default()
    };
    if let Some(jobs) = args.jobs {
        settings.jobs = usize::from(jobs);
    }
    Ok(settings)
}

/// Exercises selected by id (all when `ids` is empty); unknown ids are errors.
pub fn selected(pack: &ExercisePack, ids: &[String]) -> Result<Vec<(Exercise, ExerciseSource)>> {
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
