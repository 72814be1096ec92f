//! Stage 3, run: [`grade`] executes an [`Exercise`]'s tests against a program.
//!
//! Each test gets a fresh [`crate::sandbox::Sandbox`] and a fresh start of the program
//! ([`test_run`]); the grader waits until the program is ready, plays the test's steps with
//! scripted peers ([`session`], one file per step family), records a
//! [`crate::transcript::Transcript`], stops the program and turns what happened into a
//! [`TestResult`]. Tests run in parallel (each in its own network namespace, so port 8888 never
//! collides) and are reported in order, as soon as a test and all before it are done.

mod console_steps;
mod problems;
mod session;
mod tcp_steps;
mod test_run;
#[cfg(test)]
mod tests;
mod udp_steps;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::plan::Exercise;
use crate::program::ProgramCommand;
use crate::report::{GradeEvent, Reporter};
use crate::sandbox::Isolation;
use crate::verdict::{ExerciseResult, TestResult};

/// Held by the test that uses the machine's loopback (see [`Isolation::HostLoopback`]).
static HOST_LOOPBACK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// How a grading run is carried out.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// Isolation of each test run.
    pub isolation: Isolation,
    /// Tests run at once (forced to 1 on host loopback).
    pub jobs: usize,
    /// Every time limit is multiplied by this (for slow machines).
    pub slow: f64,
    /// Only these test numbers (all when empty).
    pub only_tests: Vec<usize>,
    /// Seed of the differential tests' inputs (a fresh one per grading when absent).
    pub seed: Option<u64>,
    /// Write each test's captured traffic to `<folder>/test-<N>.pcap` (`--pcap`); only runs
    /// in a network namespace of their own are captured.
    pub pcap: Option<PathBuf>,
}

impl RunSettings {
    /// Whether test `number` is to be run.
    pub fn selects(&self, number: usize) -> bool {
        self.only_tests.is_empty() || self.only_tests.contains(&number)
    }
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            isolation: Isolation::Namespace,
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            slow: 1.0,
            only_tests: Vec::new(),
            seed: None,
            pcap: None,
        }
    }
}

/// Grades `program` on every (selected) test of `exercise`, reporting each result in test
/// order as soon as it and all before it are known.
pub async fn grade(
    exercise: &Exercise,
    program: &ProgramCommand,
    settings: &RunSettings,
    reporter: &mut (dyn Reporter + Send),
) -> std::io::Result<ExerciseResult> {
    let started = Instant::now();
    let seed = exercise.uses_seed().then(|| {
        settings
            .seed
            .unwrap_or_else(crate::differential::random_seed)
    });
    reporter.write_event(&GradeEvent::Started {
        exercise,
        program: &program.display,
        isolation: settings.isolation,
        slow: settings.slow,
        seed,
    })?;
    let jobs = match settings.isolation {
        Isolation::Namespace => settings.jobs.max(1),
        Isolation::HostLoopback => 1,
    };
    let permits = Arc::new(Semaphore::new(jobs));
    let mut run = test_run::TestRun {
        // Every time limit is scaled here, once.
        exercise: exercise.with_time_factor(settings.slow),
        command: with_exercise_inputs(program, exercise),
        isolation: settings.isolation,
        seed: seed.unwrap_or_default(),
        pcap: settings.pcap.clone(),
        reference_answers: BTreeMap::new(),
    };
    let selected =
        |number: usize| settings.only_tests.is_empty() || settings.only_tests.contains(&number);
    run.reference_answers = ask_reference(&run, selected).await;
    let run = Arc::new(run);
    let order: Vec<usize> = (0..exercise.tests.len())
        .filter(|&index| selected(exercise.tests[index].number))
        .collect();
    let mut running = JoinSet::new();
    for &index in &order {
        let permits = Arc::clone(&permits);
        let run = Arc::clone(&run);
        running.spawn(async move {
            let _permit = permits.acquire_owned().await;
            // On the host loopback every test of every grading in this process needs the
            // machine's port: one at a time, across the whole class.
            let _host_port = match run.isolation {
                Isolation::HostLoopback => Some(HOST_LOOPBACK.lock().await),
                Isolation::Namespace => None,
            };
            (index, run.run(index).await)
        });
    }
    let mut finished = BTreeMap::new();
    let mut next_to_report = 0;
    let mut results: Vec<TestResult> = Vec::with_capacity(order.len());
    while let Some(joined) = running.join_next().await {
        let (index, result) = joined.map_err(std::io::Error::other)?;
        finished.insert(index, result);
        while let Some(result) = order
            .get(next_to_report)
            .and_then(|index| finished.remove(index))
        {
            reporter.write_event(&GradeEvent::TestFinished(&result))?;
            results.push(result);
            next_to_report += 1;
        }
    }
    let result = ExerciseResult {
        exercise: exercise.id.clone(),
        title: exercise.title.text().to_owned(),
        program: program.display.clone(),
        isolation: settings.isolation,
        tests: results,
        duration: started.elapsed(),
        seed,
        role: exercise.role,
    };
    reporter.write_event(&GradeEvent::Finished(&result))?;
    Ok(result)
}

/// The command as every test runs it, before its arguments: the exercise's data files
/// written into the run's folder.
fn with_exercise_inputs(program: &ProgramCommand, exercise: &Exercise) -> ProgramCommand {
    let mut command = program.clone();
    command.data_files = exercise
        .files
        .iter()
        .map(|(name, bytes)| (name.clone(), bytes.clone()))
        .collect();
    command.written_files = exercise.written_files();
    command
}

/// The exercise's own reference's answers for each selected test whose `differential` steps
/// ask it (`oracle: reference`): the reference is built once and started afresh for each such
/// test, with that test's arguments, as the student's program is.
async fn ask_reference(
    run: &test_run::TestRun,
    selected: impl Fn(usize) -> bool,
) -> BTreeMap<usize, session::ReferenceAnswers> {
    let exercise = &run.exercise;
    let asking: Vec<&crate::plan::TestPlan> = exercise
        .tests
        .iter()
        .filter(|test| selected(test.number) && test.asks_reference())
        .collect();
    let mut answers = BTreeMap::new();
    if asking.is_empty() {
        return answers;
    }
    let command = match reference_command(exercise, run.isolation).await {
        Ok(command) => command,
        Err(error) => {
            let failed = Arc::new(Err(crate::tr!("reference-failed", error = error)));
            for test in asking {
                answers.insert(test.number, Arc::clone(&failed));
            }
            return answers;
        }
    };
    let reference = test_run::TestRun {
        exercise: exercise.clone(),
        command: with_exercise_inputs(&command, exercise),
        isolation: run.isolation,
        seed: run.seed,
        pcap: None,
        reference_answers: BTreeMap::new(),
    };
    for test in asking {
        let asked = reference.ask_reference(test).await;
        answers.insert(test.number, Arc::new(asked));
    }
    answers
}

/// The command that runs the exercise's own reference program file.
async fn reference_command(
    exercise: &Exercise,
    isolation: Isolation,
) -> Result<ProgramCommand, String> {
    let path = exercise
        .reference_file()
        .ok_or_else(|| crate::tr!("reference-not-a-file"))?;
    let found = crate::submission::resolve(Some(&path), &[]).map_err(|error| error.to_string())?;
    found
        .build(isolation)
        .await
        .map_err(|reason| reason.to_string())
}
