//! The `netgrade` binary: parses arguments, runs one command ([`commands`]), maps the outcome
//! to an exit code.
//!
//! Exit codes: 0 every test passed, 1 some test failed, 2 netgrade could not run, 130
//! interrupted.

mod cli;
mod commands;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use netgrade::program::kill_all_live_groups;

use crate::cli::{Cli, ColorWhen};
use crate::commands::Conclusion;

fn main() -> ExitCode {
    // First, while the process has one thread: the kernel gives user and mount namespaces
    // only to single-threaded processes.
    netgrade::sandbox::prepare_process();
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
    netgrade::i18n::set_language(netgrade::i18n::Language::choose(
        cli.lang.map(Into::into),
        |key| std::env::var(key).ok(),
    ));
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
            outcome = commands::run(cli) => match outcome {
                Ok(Conclusion::Passed) => ExitCode::SUCCESS,
                Ok(Conclusion::Failed) => ExitCode::from(1),
                // The reader went away (`netgrade test … | head`): stop quietly, with the
                // status a shell gives a program that SIGPIPE ended.
                Err(error) if is_broken_pipe(&error) => ExitCode::from(141),
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

/// Whether `error` comes from writing to a pipe nobody reads any more.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
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
