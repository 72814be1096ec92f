//! The Python package: `pip install .` from a checkout, into a fresh virtual environment, gives
//! a `netgrade` command that works. Students get netgrade with `pip install netgrade`; maturin
//! (pyproject.toml, `bindings = "bin"`) puts the one binary in a wheel, as ruff and uv do.
//!
//! The test does what a student with a checkout would: makes a virtual environment, runs its
//! pip on the repository (pip fetches the build backend, maturin, into an isolated build
//! environment and builds the wheel), then lists and grades with the installed command.
//!
//! Prerequisites, which CI installs (without them the test fails and says which is missing):
//! a python3 with the venv module — Debian's `/usr/bin/python3` needs the `python3-venv`
//! package; another one can be named in `NETGRADE_WHEEL_PYTHON` — and PyPI reachable for pip
//! (or a pip cache that already holds maturin).
//!
//! Cost: the wheel is built in the dev profile, reusing this test build's compiled
//! dependencies (cargo's build-dir), so only what differs from the test build compiles: the
//! netgrade crate and a few dependencies whose features the dev-dependencies widen. The built
//! binary goes to a target dir of its own, so `target/debug/netgrade`, which the other tests
//! run, is never replaced.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A python3 to make the virtual environment with; Debian's unless this names another.
const PYTHON_VARIABLE: &str = "NETGRADE_WHEEL_PYTHON";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> PathBuf {
    std::env::var_os(PYTHON_VARIABLE)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/python3"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `command`; panics, with everything it printed, unless it succeeds.
fn succeed(what: &str, hint: &str, command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: could not start {command:?}: {e}\n{hint}"));
    assert!(
        output.status.success(),
        "{what} failed ({}): {command:?}\n--- stdout\n{}\n--- stderr\n{}\n{hint}",
        output.status,
        text(&output.stdout),
        text(&output.stderr),
    );
    output
}

/// The cargo build-dir of this test build and the profile it was built in, read off this test
/// binary's own path (`<build-dir>/<profile dir>/deps/wheel-<hash>`), or None when the layout
/// is not the expected one (then the wheel is built from scratch: slower, equally real).
fn test_build() -> Option<(PathBuf, String)> {
    let exe = std::env::current_exe().ok()?;
    let deps = exe.parent()?;
    let profile_dir = deps.parent()?;
    if deps.file_name()? != "deps" || !profile_dir.join(".fingerprint").is_dir() {
        return None;
    }
    let profile = match profile_dir.file_name()?.to_str()? {
        "debug" => "dev".to_owned(),
        other => other.to_owned(),
    };
    Some((profile_dir.parent()?.to_owned(), profile))
}

/// `netgrade` from the virtual environment, as a student whose environment is activated runs
/// it: its bin folder first on PATH, started in an empty folder (no exercise pack beside it).
fn installed(venv: &Path, cwd: &Path) -> Command {
    let bin = venv.join("bin");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin.clone()];
    paths.extend(std::env::split_paths(&path));
    let mut command = Command::new(bin.join("netgrade"));
    command
        .current_dir(cwd)
        .env("PATH", std::env::join_paths(paths).expect("PATH joins"))
        .env("VIRTUAL_ENV", venv)
        .env("NO_COLOR", "1")
        .env_remove("NETGRADE_SLOW");
    command
}

#[test]
fn pip_install_from_the_checkout_gives_a_working_netgrade() {
    let scratch = tempfile::tempdir().expect("a temporary folder");
    let venv = scratch.path().join("venv");
    let elsewhere = scratch.path().join("student");
    std::fs::create_dir(&elsewhere).unwrap();

    // A fresh virtual environment.
    let python = python();
    succeed(
        "making a virtual environment",
        &format!(
            "This test needs a python3 with the venv module: on Debian `apt-get install \
             python3-venv` (for /usr/bin/python3), or name another python3 in {PYTHON_VARIABLE}."
        ),
        Command::new(&python).arg("-m").arg("venv").arg(&venv),
    );
    let pip = venv.join("bin").join("pip");
    assert!(
        pip.is_file(),
        "the new virtual environment has no pip at {}",
        pip.display()
    );

    // `pip install <checkout>`: pip fetches maturin into an isolated build environment and
    // builds the wheel in place. Dev profile, this test build's compiled dependencies.
    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wheel-target");
    let mut install = Command::new(&pip);
    install
        .args(["install", "--no-input", "--disable-pip-version-check"])
        .arg(repo())
        .current_dir(scratch.path())
        .env("CARGO_TARGET_DIR", &artifacts)
        .env_remove("PYTHONPATH")
        .env_remove("PYTHONHOME");
    let profile = match test_build() {
        Some((build_dir, profile)) => {
            install.env("CARGO_BUILD_BUILD_DIR", build_dir);
            profile
        }
        None => {
            eprintln!("note: this test build's cargo build-dir was not found; building afresh");
            install.env("CARGO_BUILD_BUILD_DIR", &artifacts);
            "dev".to_owned()
        }
    };
    install.env("MATURIN_PEP517_ARGS", format!("--profile {profile}"));
    let started = std::time::Instant::now();
    succeed(
        "pip install of the checkout",
        "pip needs PyPI (or its cache) for the build backend maturin, and cargo on PATH.",
        &mut install,
    );
    eprintln!("pip install took {:.0?}", started.elapsed());

    // What pip installed: the distribution netgrade, at the crate's version, with one
    // command, `netgrade` (not the reference solutions' binaries, not the examples).
    let show = succeed(
        "pip show",
        "",
        Command::new(&pip).args(["show", "--files", "netgrade"]),
    );
    let show = text(&show.stdout);
    assert!(
        show.lines()
            .any(|l| l == format!("Version: {}", env!("CARGO_PKG_VERSION"))),
        "pip shows another version than the crate's {}:\n{show}",
        env!("CARGO_PKG_VERSION")
    );
    let commands: BTreeSet<&str> = show
        .lines()
        .filter_map(|l| l.trim().strip_prefix("../../../bin/"))
        .collect();
    assert_eq!(
        commands,
        BTreeSet::from(["netgrade"]),
        "the wheel must install exactly one command, netgrade:\n{show}"
    );

    let version = succeed(
        "netgrade --version",
        "",
        installed(&venv, &elsewhere).arg("--version"),
    );
    assert_eq!(
        text(&version.stdout).trim(),
        format!("netgrade {}", env!("CARGO_PKG_VERSION"))
    );

    // The bundled exercise pack travels inside the binary.
    let list = succeed(
        "netgrade list",
        "",
        installed(&venv, &elsewhere).arg("list"),
    );
    let list = text(&list.stdout);
    let listed: BTreeSet<&str> = list
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert!(
        listed.contains("tcp-server") && listed.contains("udp-client"),
        "the installed netgrade does not list the bundled exercises:\n{list}"
    );

    // And grades: a known-good student program gets every point.
    let program = repo().join("exercises/tcp-server/solutions/good/server_loopback.py");
    assert!(program.is_file(), "fixture missing: {}", program.display());
    let graded = installed(&venv, &elsewhere)
        .args(["test", "tcp-server"])
        .arg(&program)
        .args(["--format", "json"])
        .output()
        .expect("the installed netgrade runs");
    let document: serde_json::Value = serde_json::from_slice(&graded.stdout).unwrap_or_else(|e| {
        panic!(
            "the installed netgrade printed no JSON ({e}); {}\n--- stdout\n{}\n--- stderr\n{}",
            graded.status,
            text(&graded.stdout),
            text(&graded.stderr)
        )
    });
    let (score, max) = (&document["score"], &document["max_score"]);
    assert!(
        max.as_f64().is_some_and(|m| m > 0.0) && score == max,
        "a good program should get every point from the installed netgrade: {score} of {max}\n\
         {document:#}\n--- stderr\n{}",
        text(&graded.stderr)
    );
    assert!(
        graded.status.success(),
        "exit {} for a full score",
        graded.status
    );
}
