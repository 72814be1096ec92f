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
        .env_remove("NETGRADE_SLOW")
        // Messages are asserted in English whatever the machine's locale.
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8");
    command
}

pub use netgrade::audit::Fixture;

/// Every fixture of an exercise (`exercises/<id>/solutions/{good,bad}/*`).
pub fn fixtures(exercise: &str) -> Vec<Fixture> {
    netgrade::audit::fixtures(&repo().join("exercises").join(exercise)).expect("fixtures are valid")
}

/// The program path for `netgrade test`: a .py file as it is, a .rs file compiled first
/// (once per test binary).
pub fn program_for(source: &Path) -> PathBuf {
    static BUILT: Mutex<BTreeMap<PathBuf, PathBuf>> = Mutex::new(BTreeMap::new());
    if source.extension().is_none_or(|e| e != "rs") {
        return source.to_owned();
    }
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    built
        .entry(source.to_owned())
        .or_insert_with(|| compile_fixture(source))
        .clone()
}

/// Compiles a Rust fixture the way netgrade compiles a submission (rustc in the sandbox) and
/// keeps the executable in the test's temporary folder.
fn compile_fixture(source: &Path) -> PathBuf {
    use netgrade::program::ProgramArg;
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let command = runtime
        .block_on(
            netgrade::submission::resolve(Some(source), &[])
                .expect("the fixture resolves")
                .build(netgrade::sandbox::Isolation::Namespace),
        )
        .expect("the fixture compiles");
    let (Some(ProgramArg::InFolder(binary)), Some(files)) = (command.argv.first(), &command.files)
    else {
        panic!("a compiled program is a file of its snapshot: {command:?}");
    };
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "{}-{}",
        binary.display(),
        std::process::id()
    ));
    std::fs::copy(files.path().join(binary), &kept).expect("the executable is kept");
    kept
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
        .filter(|t| t["status"] != "passed" && t["status"] != "fragile")
        .map(|t| t["number"].as_u64().expect("number") as usize)
        .collect()
}

/// The numbers of the tests with `status` ("passed", "failed", "fragile", "error").
pub fn tests_with_status(document: &serde_json::Value, status: &str) -> BTreeSet<usize> {
    document["tests"]
        .as_array()
        .expect("tests is a list")
        .iter()
        .filter(|t| t["status"] == status)
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
