//! Stress: grades every reference and every known-good / known-bad fixture N times, optionally
//! with a CPU hog on every core, and reports every verdict that differed from the expected one.
//!
//! `cargo run --release --example stress -- --rounds 200 --load` (or `scripts/stress`).
//! Exit code 0 when every verdict matched, 1 otherwise.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use netgrade::pack::ExercisePack;
use netgrade::plan::Exercise;
use netgrade::program::ProgramCommand;
use netgrade::reference::{self, Profile};
use netgrade::report::SilentReporter;
use netgrade::run::{RunSettings, grade};
use netgrade::sandbox::Isolation;
use netgrade::submission;
use netgrade::verdict::Outcome;

/// One program to grade and the tests it must fail (empty: it must pass).
struct Case {
    label: String,
    exercise: Arc<Exercise>,
    program: ProgramCommand,
    must_fail: BTreeSet<usize>,
}

struct Options {
    rounds: usize,
    load: bool,
    concurrency: usize,
    slow: f64,
}

fn parse_options() -> Options {
    let mut options = Options {
        rounds: 10,
        load: false,
        concurrency: 8,
        slow: 1.0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().and_then(|v| v.parse::<f64>().ok());
        match arg.as_str() {
            "--rounds" | "-n" => options.rounds = value().map_or(10, |v| v as usize),
            "--concurrency" | "-c" => options.concurrency = value().map_or(8, |v| v as usize),
            "--slow" => options.slow = value().unwrap_or(1.0),
            "--load" => options.load = true,
            other => {
                eprintln!(
                    "stress: unknown argument {other}; use --rounds N --concurrency C --load --slow F"
                );
                std::process::exit(2);
            }
        }
    }
    options
}

async fn cases(root: &Path, isolation: Isolation) -> Vec<Case> {
    let pack = ExercisePack::Folder(root.join("exercises"));
    // The references' speed does not matter here: build them like this binary was built.
    let profile = if cfg!(debug_assertions) {
        Profile::Dev
    } else {
        Profile::Release
    };
    let references = reference::build(root, profile).expect("the references build");
    let mut cases = Vec::new();
    for (exercise, _) in pack.exercises().expect("the exercises are valid") {
        let exercise = Arc::new(exercise);
        if let Some(binary) = exercise.reference.as_ref().and_then(|r| references.get(r)) {
            cases.push(Case {
                label: format!("{} reference", exercise.id),
                exercise: Arc::clone(&exercise),
                program: submission::resolve(Some(binary), &[])
                    .expect("reference exists")
                    .build(isolation)
                    .await
                    .expect("reference is ready"),
                must_fail: BTreeSet::new(),
            });
        }
        let fixtures = netgrade::audit::fixtures(&root.join("exercises").join(&exercise.id))
            .expect("the fixtures are valid");
        for fixture in fixtures {
            let program = netgrade::audit::program_for(&fixture, isolation)
                .await
                .expect("fixture builds");
            cases.push(Case {
                label: format!("{} {}", exercise.id, fixture.label()),
                exercise: Arc::clone(&exercise),
                // Fragile tests do not pass either: the set of tests not passed is what must not change.
                must_fail: fixture
                    .expectation
                    .failing_tests(&exercise)
                    .union(&fixture.expectation.fragile_tests(&exercise))
                    .copied()
                    .collect(),
                program,
            });
        }
    }
    cases
}

/// Spins one thread per core until `stop` is set.
fn start_load(stop: Arc<AtomicBool>) -> Vec<std::thread::JoinHandle<()>> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    (0..cores)
        .map(|_| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut x: u64 = 1;
                while !stop.load(Ordering::Relaxed) {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                    std::hint::black_box(x);
                }
            })
        })
        .collect()
}

fn main() {
    // As the netgrade binary does: namespaces first, while there is one thread.
    netgrade::sandbox::prepare_process();
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(stress());
}

async fn stress() {
    let options = parse_options();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (isolation, why) = Isolation::detect();
    let cases = Arc::new(cases(&root, isolation).await);
    if let Some(why) = why {
        eprintln!("stress: {why}; host loopback, one grading at a time");
    }
    let concurrency = if isolation == Isolation::Namespace {
        options.concurrency.max(1)
    } else {
        1
    };
    let settings = Arc::new(RunSettings {
        isolation,
        slow: options.slow,
        ..RunSettings::default()
    });
    let stop = Arc::new(AtomicBool::new(false));
    let hogs = if options.load {
        start_load(Arc::clone(&stop))
    } else {
        Vec::new()
    };
    println!(
        "stress: {} programs × {} rounds, {} at a time, CPU hogs: {}",
        cases.len(),
        options.rounds,
        concurrency,
        if options.load { "one per core" } else { "none" }
    );
    let started = Instant::now();
    let permits = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let mut tasks = tokio::task::JoinSet::new();
    for round in 1..=options.rounds {
        for index in 0..cases.len() {
            let (cases, settings, permits) = (
                Arc::clone(&cases),
                Arc::clone(&settings),
                Arc::clone(&permits),
            );
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let case = &cases[index];
                let began = Instant::now();
                let result = grade(
                    &case.exercise,
                    &case.program,
                    &settings,
                    &mut SilentReporter,
                )
                .await
                .expect("grading runs");
                let failed: BTreeSet<usize> = result
                    .tests
                    .iter()
                    .filter(|t| !t.passed())
                    .map(|t| t.number)
                    .collect();
                let why: Vec<String> = result
                    .tests
                    .iter()
                    .filter_map(|t| match &t.outcome {
                        Outcome::Failed(f) => {
                            Some(format!("test {}: {}", t.number, f.problem.explain()))
                        }
                        Outcome::Fragile(f) => Some(format!(
                            "test {} (fragile): {}",
                            t.number,
                            f.problem.explain()
                        )),
                        Outcome::Error(e) => Some(format!("test {}: grader error: {e}", t.number)),
                        Outcome::Passed => None,
                    })
                    .collect();
                (round, index, failed, why, began.elapsed())
            });
        }
    }
    let mut changed = Vec::new();
    let mut gradings = 0;
    let mut time_per_case: BTreeMap<usize, Duration> = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        let (round, index, failed, why, took) = joined.expect("a grading task");
        gradings += 1;
        *time_per_case.entry(index).or_default() += took;
        if failed != cases[index].must_fail {
            println!(
                "CHANGED round {round}: {} failed {:?}, expected {:?}\n    {}",
                cases[index].label,
                failed,
                cases[index].must_fail,
                why.join("\n    ")
            );
            changed.push(index);
        }
        if gradings % 100 == 0 {
            println!(
                "  … {gradings} gradings, {} changed, {:.0}s",
                changed.len(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    stop.store(true, Ordering::Relaxed);
    for hog in hogs {
        let _ = hog.join();
    }
    let wall = started.elapsed();
    println!(
        "stress: {gradings} gradings in {:.1}s, verdict changes: {}",
        wall.as_secs_f64(),
        changed.len()
    );
    for (index, total) in &time_per_case {
        println!(
            "  {:<48} {:>6.2}s per grading",
            cases[*index].label,
            total.as_secs_f64() / options.rounds as f64
        );
    }
    let failed = changed.len();
    println!("{} passed, {failed} failed", gradings - failed);
    std::process::exit(if failed == 0 { 0 } else { 1 });
}
