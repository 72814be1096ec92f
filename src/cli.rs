//! Command-line arguments: [`Cli`] and its subcommands (clap derive).

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use netgrade::report::Format;

/// Grades network-programming exercises: runs a student's program against scripted TCP
/// clients and tells, test by test, what worked and what did not.
///
/// Exit codes: 0 every test passed, 1 some test failed, 2 netgrade could not run (bad spec,
/// bad flag, missing program), 130 interrupted.
#[derive(Debug, Parser)]
#[command(name = "netgrade", version, max_term_width = 100)]
pub struct Cli {
    /// Use the exercise pack in DIR instead of the bundled one.
    #[arg(long, global = true, value_name = "DIR")]
    pub exercises: Option<PathBuf>,

    /// When to use colour.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,

    /// The language of reports and messages (default: from LC_ALL, LC_MESSAGES or LANG;
    /// English unless the locale is Chinese).
    #[arg(long, global = true, value_enum, value_name = "LANG")]
    pub lang: Option<LangChoice>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Grade one program on one exercise.
    ///
    /// Examples: `netgrade test tcp-server server.py`,
    /// `netgrade test tcp-server -- ./my_server --port 8888`.
    Test(TestArgs),
    /// Grade a whole class: every sub-folder of SUBMISSIONS is one student's submission.
    ///
    /// Results go to --output (one file per submission, written as each finishes, plus
    /// summary.csv and summary.json). Exits 0 once every submission has a verdict.
    Grade(GradeArgs),
    /// Grade one program, then again each time it is saved, until Ctrl-C.
    ///
    /// Shows the score, the first failure in full and the other failed tests in one line
    /// each. Example: `netgrade watch tcp-server server.py`.
    Watch(WatchArgs),
    /// Check that every reference solution passes its exercise.
    Verify(VerifyArgs),
    /// Run every known-good and known-bad fixture of each exercise and check its declared
    /// verdict: are the tests strong enough?
    Audit(AuditArgs),
    /// List the exercises.
    List,
    /// Show an exercise's statement, or one test's steps with their spec lines (--test N).
    Show {
        /// Exercise id.
        exercise: String,

        /// Show this test: its points, hint and steps, each with its line in the spec.
        #[arg(long = "test", short = 't', value_name = "N")]
        test: Option<usize>,
    },
    /// Check exercise specs and report every error with file:line:column.
    Validate {
        /// Spec files or exercise folders (default: the pack in use).
        paths: Vec<PathBuf>,
    },
    /// Print the JSON Schema of exercise specs (for editor completion).
    Schema,
}

/// How a program is run and graded.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Network isolation of each test run.
    #[arg(long, value_enum, default_value_t = IsolationChoice::Auto)]
    pub isolation: IsolationChoice,

    /// Tests run at the same time (default: one per CPU core).
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,

    /// Multiply every time limit by this factor (for slow machines).
    #[arg(long, env = "NETGRADE_SLOW", value_name = "FACTOR", default_value_t = 1.0, value_parser = parse_slow)]
    pub slow: f64,

    /// Seed of the generated inputs of differential tests (printed in every report; the same
    /// seed replays the same inputs). Default: a fresh seed per grading.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Write each test's traffic (every TCP segment and UDP datagram on the run's loopback:
    /// handshake, data, close) to DIR/test-<N>.pcap, for Wireshark or tshark; with `grade`,
    /// to DIR/<submission>/test-<N>.pcap. Needs the per-test network namespace.
    #[arg(long, value_name = "DIR")]
    pub pcap: Option<PathBuf>,
}

/// `netgrade test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Exercise id (see `netgrade list`).
    pub exercise: String,

    /// The program: a .py file runs with python3, an executable as it is; a folder is searched
    /// for the program (see --entry).
    pub program: Option<PathBuf>,

    /// Any command, after `--` (e.g. `-- java Server`).
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<OsString>,

    /// When PROGRAM is a folder: the program's file name or glob inside it (default: the
    /// exercise's entry names, then the only .py file, the only executable, main.rs).
    #[arg(long, value_name = "NAME|GLOB")]
    pub entry: Option<String>,

    /// Run only this test number (repeatable).
    #[arg(long = "test", short = 't', value_name = "N")]
    pub tests: Vec<usize>,

    /// Show what happened in passing tests too.
    #[arg(long, short = 'v')]
    pub verbose: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: netgrade::report::Format,

    /// Write the report to FILE instead of standard output (written whole, atomically).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub run: RunArgs,
}

/// `netgrade watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Exercise id (see `netgrade list`).
    pub exercise: String,

    /// The program file (a .py file runs with python3, an executable as it is), or a
    /// submission folder: every file in it is watched.
    pub program: PathBuf,

    /// When PROGRAM is a folder: the program's file name or glob inside it.
    #[arg(long, value_name = "NAME|GLOB")]
    pub entry: Option<String>,

    /// Run only this test number (repeatable).
    #[arg(long = "test", short = 't', value_name = "N")]
    pub tests: Vec<usize>,

    #[command(flatten)]
    pub run: RunArgs,
}

/// `netgrade grade`.
#[derive(Debug, Args)]
pub struct GradeArgs {
    /// The folder holding one sub-folder per submission.
    pub submissions: PathBuf,

    /// Exercise id.
    #[arg(long, short = 'e')]
    pub exercise: String,

    /// The program's file name or glob inside each submission.
    #[arg(long, value_name = "NAME|GLOB")]
    pub entry: Option<String>,

    /// Grade only part K of N (1-based): for spreading a class over a CI matrix.
    #[arg(long, value_name = "K/N", value_parser = parse_partition)]
    pub partition: Option<(usize, usize)>,

    /// Also write each result in this format (the JSON result is always written).
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,

    /// Folder for the result files.
    #[arg(
        long,
        short = 'o',
        value_name = "DIR",
        default_value = "netgrade-results"
    )]
    pub output: PathBuf,

    /// Keep results already in the output folder; grade only the rest.
    #[arg(long)]
    pub resume: bool,

    #[command(flatten)]
    pub run: RunArgs,
}

fn parse_partition(text: &str) -> Result<(usize, usize), String> {
    let (part, parts) = text
        .split_once('/')
        .ok_or_else(|| format!("`{text}` is not K/N (for example 2/4)"))?;
    let part: usize = part
        .trim()
        .parse()
        .map_err(|_| format!("`{part}` is not a number"))?;
    let parts: usize = parts
        .trim()
        .parse()
        .map_err(|_| format!("`{parts}` is not a number"))?;
    if parts == 0 || part == 0 || part > parts {
        return Err(format!("{part}/{parts}: K must be between 1 and N"));
    }
    Ok((part, parts))
}

/// `netgrade verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Only these exercises (default: all).
    #[arg(value_name = "EXERCISE")]
    pub only: Vec<String>,

    /// Use reference binaries already built in DIR instead of building them with cargo.
    #[arg(long, value_name = "DIR")]
    pub reference_dir: Option<PathBuf>,

    /// Exit 0 even when some exercise has no reference (they are still listed as not
    /// verified).
    #[arg(long)]
    pub allow_unverified: bool,

    #[command(flatten)]
    pub run: RunArgs,
}

/// `netgrade audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only these exercises (default: all).
    #[arg(value_name = "EXERCISE")]
    pub only: Vec<String>,

    #[command(flatten)]
    pub run: RunArgs,
}

/// `--isolation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IsolationChoice {
    /// A network namespace per test when possible, otherwise host loopback.
    Auto,
    /// A network namespace per test; fail if that is not possible.
    Namespace,
    /// The machine's loopback, one test at a time.
    None,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour on terminals, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

fn parse_slow(text: &str) -> Result<f64, String> {
    let factor: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if !(0.1..=100.0).contains(&factor) {
        return Err("the factor must be between 0.1 and 100".into());
    }
    Ok(factor)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }

    /// Parsing turns arguments into the typed structs; a clash between argument ids (a
    /// global flag and a subcommand's argument of the same name) panics only here.
    #[test]
    fn every_subcommand_parses_with_the_global_flags() {
        use clap::Parser;
        for line in [
            "netgrade --exercises p --color never test tcp-server s.py -t 1 --format json",
            "netgrade --exercises p test tcp-server -- python3 s.py",
            "netgrade --exercises p grade subs -e tcp-server --partition 1/2 --resume",
            "netgrade --exercises p verify tcp-server --reference-dir d",
            "netgrade --exercises p audit tcp-server tcp-echo-server",
            "netgrade --exercises p list",
            "netgrade --exercises p show tcp-server",
            "netgrade --exercises p show tcp-server --test 4",
            "netgrade --exercises p watch tcp-server s.py -t 4 --seed 1 --entry s.py",
            "netgrade --exercises p validate a.yaml",
            "netgrade --exercises p schema",
        ] {
            let parsed = super::Cli::try_parse_from(line.split_whitespace());
            assert!(parsed.is_ok(), "{line}: {:?}", parsed.err());
        }
    }
}

/// `--lang`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangChoice {
    /// English.
    En,
    /// Simplified Chinese (简体中文).
    Zh,
}

impl From<LangChoice> for netgrade::i18n::Language {
    fn from(choice: LangChoice) -> Self {
        match choice {
            LangChoice::En => netgrade::i18n::Language::En,
            LangChoice::Zh => netgrade::i18n::Language::Zh,
        }
    }
}
