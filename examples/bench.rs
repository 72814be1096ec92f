//! Benchmark: `cargo run --release --example bench` (or `scripts/bench`).
//!
//! 1. `verify` of the whole pack (every reference on its exercise, tests in parallel).
//! 2. Harness overhead: the references' tests one at a time through netgrade, against the same
//!    exchanges done by a minimal baseline with no harness (start the program, retry connecting
//!    until it listens, do the exchange with plain blocking sockets — split sends keep the
//!    spec's pauses — kill it). `wait_accepted` has no baseline equivalent (it is a bounded
//!    wait for a program state a plain client cannot see), so the baseline skips it.
//! 3. `grade` of a 50-submission class at jobs = 1 and jobs = 2.
//!
//! Each figure is the median of `--repeat` runs (default 3).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use netgrade::batch::{ClassSettings, Submission, grade_class, write_summary};
use netgrade::pack::ExercisePack;
use netgrade::plan::{Action, Exercise, Matcher, ProgramRole, TcpAction, TcpVerb};
use netgrade::reference::{self, Profile};
use netgrade::report::{Format, SilentReporter};
use netgrade::run::{RunSettings, grade};
use netgrade::sandbox::Isolation;
use netgrade::submission;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Plays a test's steps with plain blocking sockets: what a hand-written checker would do.
fn baseline_test(binary: &Path, exercise: &Exercise, test: usize) {
    let ProgramRole::TcpServer { port } = exercise.role else {
        panic!("the baseline covers TCP server exercises only");
    };
    let child = std::process::Command::new(binary)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("the reference starts");
    // Killed however this ends, a panic included: a reference left behind holds the port.
    let _reference = KillOnDrop(child);
    let address = format!("127.0.0.1:{port}");
    let mut clients: std::collections::BTreeMap<String, TcpStream> = Default::default();
    for step in &exercise.tests[test].steps {
        let Action::Tcp(TcpAction { connection, verb }) = &step.action else {
            panic!("the baseline covers TCP steps only: {:?}", step.action);
        };
        match verb {
            TcpVerb::Connect { .. } => {
                // A baseline's readiness: retry until the connection is accepted.
                let stream = loop {
                    match TcpStream::connect(&address) {
                        Ok(stream) => break stream,
                        Err(_) => std::thread::sleep(Duration::from_millis(1)),
                    }
                };
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                clients.insert(connection.clone(), stream);
            }
            TcpVerb::Send { bytes, pieces } => {
                let stream = clients.get_mut(connection).unwrap();
                stream.set_nodelay(true).unwrap();
                match pieces {
                    // The spec's own spacing of the pieces is part of the exchange.
                    Some((size, pause)) => {
                        for (index, piece) in bytes.chunks(*size).enumerate() {
                            if index > 0 {
                                std::thread::sleep(*pause);
                            }
                            stream.write_all(piece).unwrap();
                        }
                    }
                    None => stream.write_all(bytes).unwrap(),
                }
            }
            TcpVerb::Expect { matcher, .. } => {
                let wanted = match matcher {
                    Matcher::Exact(bytes) => bytes.len(),
                    // The references end a reply with "\n".
                    Matcher::Reply(bytes) => bytes.len() + 1,
                    _ => 1,
                };
                let mut got = vec![0u8; wanted];
                clients
                    .get_mut(connection)
                    .unwrap()
                    .read_exact(&mut got)
                    .unwrap();
            }
            TcpVerb::ExpectClosed { .. } | TcpVerb::ExpectAll { .. } => {
                let mut rest = Vec::new();
                clients
                    .get_mut(connection)
                    .unwrap()
                    .read_to_end(&mut rest)
                    .unwrap();
            }
            TcpVerb::ExpectNothing { during } => std::thread::sleep(*during),
            TcpVerb::Shutdown => {
                clients
                    .get_mut(connection)
                    .unwrap()
                    .shutdown(Shutdown::Write)
                    .unwrap();
            }
            TcpVerb::Close | TcpVerb::Reset => {
                clients.remove(connection);
            }
            // A plain script cannot see the server accept: it gives it a moment, as a
            // hand-written test of a concurrent server would.
            TcpVerb::WaitAccepted { .. } => std::thread::sleep(Duration::from_millis(20)),
            TcpVerb::Accept { .. } => panic!("the baseline covers TCP server exercises only"),
        }
    }
    drop(clients);
}

/// A child process killed and reaped when dropped.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn class_of_50(root: &Path, into: &Path) -> Vec<Submission> {
    let programs = [
        "tcp-server/solutions/good/server_loopback.py",
        "tcp-server/solutions/good/server_any_address.py",
        "tcp-server/solutions/bad/one_recv_per_client.py",
        "tcp-server/solutions/bad/one_client_then_exit.py",
        "tcp-server/solutions/bad/forgets_listen.py",
    ];
    (0..50)
        .map(|index| {
            let dir = into.join(format!("student-{index:02}"));
            std::fs::create_dir_all(&dir).unwrap();
            let source = root
                .join("exercises")
                .join(programs[index % programs.len()]);
            std::fs::copy(source, dir.join("server.py")).unwrap();
            Submission {
                student: format!("student-{index:02}"),
                name: format!("student-{index:02}").into(),
                dir,
            }
        })
        .collect()
}

fn main() {
    // As the netgrade binary does: namespaces first, while there is one thread.
    netgrade::sandbox::prepare_process();
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(bench());
}

async fn bench() {
    let repeat: usize = std::env::args()
        .skip_while(|a| a != "--repeat")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let pack = ExercisePack::Folder(root.join("exercises"));
    let exercises = pack.exercises().expect("valid pack");
    let binaries = reference::build(&root, Profile::Release).expect("references build");
    let references: Vec<(&Exercise, PathBuf)> = exercises
        .iter()
        .filter_map(|(e, _)| Some((e, binaries.get(e.reference.as_ref()?)?.clone())))
        .collect();
    println!("benchmark: median of {repeat} runs");

    // 1. verify
    let mut samples = Vec::new();
    for _ in 0..repeat {
        let started = Instant::now();
        for (exercise, binary) in &references {
            let program = submission::resolve(Some(binary), &[])
                .unwrap()
                .build(Isolation::Namespace)
                .await
                .unwrap();
            let result = grade(
                exercise,
                &program,
                &RunSettings::default(),
                &mut SilentReporter,
            )
            .await
            .unwrap();
            assert!(result.all_passed(), "{} reference fails", exercise.id);
        }
        samples.push(started.elapsed());
    }
    println!(
        "verify (whole pack, tests in parallel): {:.2}s",
        median(samples).as_secs_f64()
    );

    // 2. harness vs baseline, one test at a time
    let sequential = RunSettings {
        jobs: 1,
        ..RunSettings::default()
    };
    // The baseline speaks only TCP to a server: compare on the server exercises.
    for (exercise, binary) in references
        .iter()
        .filter(|(e, _)| matches!(e.role, ProgramRole::TcpServer { .. }))
    {
        let program = submission::resolve(Some(binary), &[])
            .unwrap()
            .build(Isolation::Namespace)
            .await
            .unwrap();
        let mut harness = Vec::new();
        let mut baseline = Vec::new();
        for _ in 0..repeat {
            let started = Instant::now();
            grade(exercise, &program, &sequential, &mut SilentReporter)
                .await
                .unwrap();
            harness.push(started.elapsed());
            let started = Instant::now();
            for test in 0..exercise.tests.len() {
                baseline_test(binary, exercise, test);
            }
            baseline.push(started.elapsed());
        }
        let (harness, baseline) = (median(harness), median(baseline));
        let tests = exercise.tests.len() as f64;
        println!(
            "{:<16} harness {:.3}s, baseline {:.3}s, ratio {:.2}; overhead {:.1} ms per test ({} tests, one at a time)",
            exercise.id,
            harness.as_secs_f64(),
            baseline.as_secs_f64(),
            harness.as_secs_f64() / baseline.as_secs_f64(),
            (harness.as_secs_f64() - baseline.as_secs_f64()) * 1000.0 / tests,
            exercise.tests.len()
        );
    }

    // 3. a class of 50 at jobs 1 and 2
    let (exercise, _) = pack.find("tcp-server").unwrap();
    let exercise = Arc::new(exercise);
    let scratch = tempfile::tempdir().unwrap();
    let class = class_of_50(&root, &scratch.path().join("class"));
    let mut per_jobs = Vec::new();
    for jobs in [1, 2] {
        let mut samples = Vec::new();
        for round in 0..repeat {
            let output = scratch.path().join(format!("out-{jobs}-{round}"));
            let settings = Arc::new(ClassSettings {
                run: RunSettings {
                    jobs,
                    ..RunSettings::default()
                },
                entry: None,
                output: output.clone(),
                format: Format::Json,
                resume: false,
                exercises: None,
            });
            let (progress, _updates) = tokio::sync::mpsc::unbounded_channel();
            let started = Instant::now();
            let rows = grade_class(Arc::clone(&exercise), class.clone(), settings, progress)
                .await
                .unwrap();
            write_summary(&exercise, &rows, &output).unwrap();
            samples.push(started.elapsed());
            assert_eq!(rows.len(), 50);
        }
        let time = median(samples);
        println!(
            "grade 50 submissions, jobs={jobs}: {:.2}s",
            time.as_secs_f64()
        );
        per_jobs.push(time);
    }
    println!(
        "speed-up jobs=2 over jobs=1: {:.2}x",
        per_jobs[0].as_secs_f64() / per_jobs[1].as_secs_f64()
    );
}
