//! Helpers shared by the integration tests: the repository's paths, the fixture programs and
//! what each declares, Rust fixtures compiled on demand, and the reference binaries.
#![allow(dead_code)] // each test binary uses its own part of these helpers

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use assert_cmd::cargo::CommandCargoExt;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `netgrade` as built for this test run, started in the repository root.
pub fn netgrade() -> Command {
    let mut command = Command::cargo_bin("netgrade").expect("the netgrade binary is built");
    command
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .env_remove("NETGRADE_SLOW");
    command
}

/// What a fixture declares on its `netgrade-expect:` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expectation {
    /// Every test passes.
    Pass,
    /// Exactly these tests fail.
    Fail(BTreeSet<usize>),
    /// Every test fails.
    FailAll,
}

/// A known-good or known-bad program beside an exercise.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// The exercise it solves.
    pub exercise: String,
    /// Its source file.
    pub path: PathBuf,
    /// Its declared verdict.
    pub expectation: Expectation,
}

/// Reads `# netgrade-expect: fail 2 4` (or `// ...`, `pass`, `fail all`).
pub fn expectation_of(source: &Path) -> Expectation {
    let text = std::fs::read_to_string(source).expect("fixture is readable");
    let line = text
        .lines()
        .find_map(|line| {
            line.split_once("netgrade-expect:")
                .map(|(_, rest)| rest.trim())
        })
        .unwrap_or_else(|| panic!("{} has no `netgrade-expect:` line", source.display()));
    let mut words = line.split_whitespace();
    match (words.next(), words.clone().next()) {
        (Some("pass"), None) => Expectation::Pass,
        (Some("fail"), Some("all")) => Expectation::FailAll,
        (Some("fail"), Some(_)) => Expectation::Fail(
            words
                .map(|w| w.parse().unwrap_or_else(|_| panic!("bad test number {w}")))
                .collect(),
        ),
        _ => panic!(
            "{}: cannot read `netgrade-expect: {line}`",
            source.display()
        ),
    }
}

/// Every fixture of an exercise (`exercises/<id>/solutions/{good,bad}/*`).
pub fn fixtures(exercise: &str) -> Vec<Fixture> {
    let mut found = Vec::new();
    for kind in ["good", "bad"] {
        let dir = repo()
            .join("exercises")
            .join(exercise)
            .join("solutions")
            .join(kind);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if !matches!(path.extension().and_then(|e| e.to_str()), Some("py" | "rs")) {
                continue;
            }
            let expectation = expectation_of(&path);
            assert_eq!(
                kind == "good",
                expectation == Expectation::Pass,
                "{}: good fixtures pass, bad ones fail",
                path.display()
            );
            found.push(Fixture {
                exercise: exercise.to_owned(),
                path,
                expectation,
            });
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

/// The program arguments for `netgrade test`: a .py file as it is, a .rs file compiled first.
pub fn program_for(source: &Path) -> PathBuf {
    if source.extension().is_some_and(|e| e == "rs") {
        compile_rust(source)
    } else {
        source.to_owned()
    }
}

/// Compiles a single-file Rust fixture with rustc (once per test binary).
pub fn compile_rust(source: &Path) -> PathBuf {
    static BUILT: Mutex<BTreeMap<PathBuf, PathBuf>> = Mutex::new(BTreeMap::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(binary) = built.get(source) {
        return binary.clone();
    }
    let relative = source.strip_prefix(repo()).unwrap_or(source);
    let name = relative.to_string_lossy().replace(['/', '.'], "_");
    let binary = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let status = Command::new(rustc)
        .args(["--edition", "2021", "-O", "-o"])
        .arg(&binary)
        .arg(source)
        .status()
        .expect("rustc runs");
    assert!(status.success(), "{} does not compile", source.display());
    built.insert(source.to_owned(), binary.clone());
    binary
}

/// The reference binaries (built once per test binary with cargo).
pub fn references() -> &'static BTreeMap<String, PathBuf> {
    static BUILT: OnceLock<BTreeMap<String, PathBuf>> = OnceLock::new();
    BUILT.get_or_init(|| {
        netgrade::reference::build(&repo(), netgrade::reference::Profile::Dev)
            .expect("the reference crate builds")
    })
}

/// Runs `netgrade test EXERCISE PROGRAM --format json` and returns the exit code and document.
pub fn grade_json(exercise: &str, program: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let output = netgrade()
        .args(["test", exercise])
        .arg(program)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .expect("netgrade runs");
    let code = output.status.code().expect("netgrade exits normally");
    let document = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "netgrade printed no JSON ({e}); exit {code}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (code, document)
}

/// Numbers of the failed tests in a JSON result.
pub fn failed_tests(document: &serde_json::Value) -> BTreeSet<usize> {
    document["tests"]
        .as_array()
        .expect("tests is a list")
        .iter()
        .filter(|t| t["status"] != "passed")
        .map(|t| t["number"].as_u64().expect("number") as usize)
        .collect()
}

/// The JSON of test `number`.
pub fn test_json(document: &serde_json::Value, number: usize) -> &serde_json::Value {
    document["tests"]
        .as_array()
        .expect("tests is a list")
        .iter()
        .find(|t| t["number"] == number)
        .unwrap_or_else(|| panic!("no test {number}"))
}

/// Command lines of running processes that mention `marker`, except netgrade itself (whose
/// arguments name the program it grades).
pub fn processes_mentioning(marker: &str) -> Vec<String> {
    std::fs::read_dir("/proc")
        .expect("/proc is readable")
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().parse::<u32>().is_ok())
        .filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
        .filter(|cmdline| {
            let argv0 = cmdline.split(|b| *b == 0).next().unwrap_or_default();
            !argv0.ends_with(b"/netgrade") && argv0 != b"netgrade"
        })
        .map(|cmdline| String::from_utf8_lossy(&cmdline).replace('\0', " "))
        .filter(|cmdline| cmdline.contains(marker))
        .collect()
}
