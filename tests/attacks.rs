//! Issue #10, attack by attack: what a cheating or careless student tries against the sandbox
//! (programs in `tests/hostile/attacks/`), each test proving the attack fails and a correct
//! program graded the same way still passes.
//!
//! Where an attack gets through, the test collects it as a HOLE and fails naming every one:
//! those failures are real and must stay until the sandbox is fixed, not be worked around here.

mod common;

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{netgrade, processes_mentioning, repo};
use netgrade::report::Format;

/// Host loopback gradings (`--isolation none`) all need the machine's port 8888: one at a time.
static HOST_PORT: Mutex<()> = Mutex::new(());
/// Tests that measure time or starve the CPU on purpose do not overlap.
static CPU: Mutex<()> = Mutex::new(());

fn lock(mutex: &'static Mutex<()>) -> std::sync::MutexGuard<'static, ()> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Text nothing else on the machine contains.
fn unique(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{tag}-{}-{nanos}", std::process::id())
}

fn attack(name: &str) -> PathBuf {
    repo().join("tests/hostile/attacks").join(name)
}

const GOOD_SERVER: &str = "exercises/tcp-server/solutions/good/server_loopback.py";
const GOOD_PORTS: &str = "exercises/port-ranges/solutions/good/port_ranges.py";
/// Ends at once (a syntax error): fails every test.
const BAD_SERVER: &str = "exercises/tcp-server/solutions/bad/syntax_error.py";

/// A folder anyone can read and enter, as a class folder must be for a grader without root.
fn open_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    chmod(dir.path(), 0o755);
    dir
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn write(path: &Path, text: impl AsRef<[u8]>, mode: u32) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
    chmod(path, mode);
}

/// A pack of one exercise, `thanks`: the first two tests of tcp-server (enough for every
/// attack, and quick).
fn small_pack() -> tempfile::TempDir {
    let pack = open_dir();
    write(
        &pack.path().join("thanks/exercise.yaml"),
        r#"id: thanks
title: two tests of the course's TCP server
entry: [server.py]
program:
  listens: { tcp: 8888 }
  stop: interrupt
timeouts: { start: 10s, step: 5s, test: 30s }
tests:
  - name: one message gets "Thanks"
    points: 2
    steps:
      - connect: a
      - send: { to: a, text: "hello" }
      - expect: { from: a, text: "Thanks" }
      - close: a
  - name: a second client is served after the first leaves
    points: 2
    steps:
      - connect: a
      - send: { to: a, text: "first" }
      - expect: { from: a, text: "Thanks" }
      - close: a
      - connect: b
      - send: { to: b, text: "second" }
      - expect: { from: b, text: "Thanks" }
      - close: b
"#,
        0o644,
    );
    chmod(&pack.path().join("thanks"), 0o755);
    pack
}

/// Full marks of the small pack.
const THANKS_MAX: u64 = 4;

/// A submission folder `dir` whose `server.py` is `program` (a repository path), with the
/// shared server module and, when given, the attack's targets (`attack_targets.TARGETS`).
fn submission(dir: &Path, program: &Path, targets: Option<&serde_json::Value>) {
    std::fs::create_dir_all(dir).unwrap();
    chmod(dir, 0o755);
    program_beside(dir, program, "server.py", targets);
}

/// `program` copied into `dir` as `name`, with the shared server module and the targets.
fn program_beside(dir: &Path, program: &Path, name: &str, targets: Option<&serde_json::Value>) {
    write(&dir.join(name), std::fs::read(program).unwrap(), 0o644);
    write(
        &dir.join("_thanks_server.py"),
        std::fs::read(repo().join("tests/hostile/_thanks_server.py")).unwrap(),
        0o644,
    );
    if let Some(targets) = targets {
        // JSON of strings, numbers and lists is a Python literal too.
        write(
            &dir.join("attack_targets.py"),
            format!("TARGETS = {targets}\n"),
            0o644,
        );
    }
}

/// `netgrade grade CLASS --exercises PACK -e thanks -o OUT` with `extra`, by `binary` (default:
/// the one built for this test run).
fn grade_class(
    binary: Option<&Path>,
    pack: &Path,
    exercise: &str,
    class: &Path,
    out: &Path,
    extra: &[&str],
) -> Output {
    let mut command = match binary {
        Some(binary) => {
            let mut command = Command::new(binary);
            command.current_dir(repo()).env("NO_COLOR", "1");
            command
        }
        None => netgrade(),
    };
    if exercise != "port-ranges" {
        command.arg("--exercises").arg(pack);
    }
    command
        .arg("grade")
        .arg(class)
        .args(["-e", exercise, "-o"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

fn read_json(path: &Path) -> serde_json::Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A student's JSON result in a class's output folder.
fn class_result(out: &Path, name: &OsStr) -> serde_json::Value {
    read_json(&out.join(netgrade::batch::result_file(name, Format::Json)))
}

/// Every test's transcript of a JSON result, joined.
fn transcripts(document: &serde_json::Value) -> String {
    document["tests"]
        .as_array()
        .expect("tests is a list")
        .iter()
        .map(|t| t["transcript"].as_str().unwrap_or_default().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The lines a probe printed to say it reached something it must not.
fn found_lines(document: &serde_json::Value) -> Vec<String> {
    transcripts(document)
        .lines()
        .filter(|line| line.contains("FOUND"))
        .map(|line| line.trim().trim_start_matches("| ").to_owned())
        .collect()
}

fn score(document: &serde_json::Value) -> u64 {
    document["score"].as_u64().expect("score")
}

fn max_score(document: &serde_json::Value) -> u64 {
    document["max_score"].as_u64().expect("max_score")
}

fn assert_full_marks(document: &serde_json::Value, who: &str) {
    assert_eq!(
        score(document),
        max_score(document),
        "{who} is correct and must keep full marks: {document:#}"
    );
}

fn assert_no_holes(holes: &[String]) {
    let mut holes = holes.to_vec();
    holes.sort();
    holes.dedup();
    assert!(
        holes.is_empty(),
        "HOLES ({}), attacks that got through:\n  {}",
        holes.len(),
        holes.join("\n  ")
    );
}

fn text(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Every file under `dir`, read.
fn all_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                found.push((path, bytes));
            }
        }
    }
    found
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// A single-file Rust server replying `reply`, printing what the compiler let it see of the
/// grader's environment.
fn rust_server(reply: &str) -> String {
    format!(
        r#"use std::io::{{Read, Write}};
use std::net::TcpListener;
fn main() {{
    eprintln!("compile-time NETGRADE_SECRET={{:?}} ANY_SECRET={{:?}}",
        option_env!("NETGRADE_SECRET"), option_env!("ANY_SECRET"));
    let listener = TcpListener::bind("127.0.0.1:8888").unwrap();
    for stream in listener.incoming() {{
        let mut stream = stream.unwrap();
        let mut buffer = [0u8; 1024];
        while let Ok(n) = stream.read(&mut buffer) {{
            if n == 0 {{ break; }}
            stream.write_all(b"{reply}").unwrap();
        }}
    }}
}}
"#
    )
}

/// A file only root can read (in a folder only root can enter), holding `content`.
fn root_only_file(content: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    chmod(dir.path(), 0o700);
    let file = dir.path().join("root-only.txt");
    write(&file, content, 0o600);
    (dir, file)
}

/// Issue #10, class 1: Compiling outside the sandbox: what rustc reads and the environment it sees are the
/// sandbox's, and two submissions compiled at once keep their own binaries.
#[test]
fn compiling_stays_in_the_sandbox_and_binaries_stay_apart() {
    let netgrade_secret = unique("netgrade-secret");
    let any_secret = unique("any-secret");
    let file_secret = unique("root-only-content");
    let (_private, secret_file) = root_only_file(&file_secret);
    let pack = small_pack();
    let class = open_dir();
    let out = tempfile::tempdir().unwrap();
    let sources = [
        ("a_correct", rust_server("Thanks")),
        ("b_wrong", rust_server("Nope!!")),
        (
            "c_reads_secrets",
            format!(
                "const SHADOW: &str = include_str!({:?});\nconst ETC: &str = include_str!(\"/etc/shadow\");\nconst TOKEN: &str = env!(\"ANY_SECRET\");\nfn main() {{ println!(\"{{SHADOW}}{{ETC}}{{TOKEN}}\"); }}\n",
                secret_file.display().to_string()
            ),
        ),
        ("d_correct_prints_env", rust_server("Thanks")),
    ];
    for (name, source) in &sources {
        write(&class.path().join(name).join("main.rs"), source, 0o644);
    }
    let output = netgrade()
        .env("NETGRADE_SECRET", &netgrade_secret)
        .env("ANY_SECRET", &any_secret)
        .arg("--exercises")
        .arg(pack.path())
        .arg("grade")
        .arg(class.path())
        .args(["-e", "thanks", "--jobs", "2", "-o"])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let result = |name: &str| class_result(out.path(), OsStr::new(name));
    // Compiled side by side, each runs its own binary.
    assert_full_marks(&result("a_correct"), "a_correct");
    assert_full_marks(&result("d_correct_prints_env"), "d_correct_prints_env");
    let wrong = result("b_wrong");
    assert_eq!(score(&wrong), 0, "the wrong server scored: {wrong:#}");
    // Reading secrets at compile time does not compile, and shows none of them.
    let reader = result("c_reads_secrets");
    assert_eq!(score(&reader), 0, "{reader:#}");
    assert!(
        reader.to_string().contains("does not compile"),
        "{reader:#}"
    );
    let shadow_line = std::fs::read_to_string("/etc/shadow")
        .ok()
        .and_then(|text| text.lines().next().map(str::to_owned));
    let mut leaked = Vec::new();
    for (path, bytes) in all_files(out.path()).into_iter().chain([(
        PathBuf::from("netgrade's output"),
        [output.stdout.clone(), output.stderr.clone()].concat(),
    )]) {
        for secret in [&netgrade_secret, &any_secret, &file_secret]
            .into_iter()
            .chain(shadow_line.as_ref())
        {
            if contains(&bytes, secret) {
                leaked.push(format!("{} holds {secret:?}", path.display()));
            }
        }
    }
    let d = transcripts(&result("d_correct_prints_env"));
    assert!(
        d.contains("compile-time NETGRADE_SECRET=None ANY_SECRET=None"),
        "{d}"
    );
    assert_no_holes(&leaked);
}

/// Installs the grader the way the Gradescope template does (`install -m 0755 … /usr/local/…`):
/// under `/usr`, which every run sees read-only.
fn install_under_usr() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix("netgrade-attacks-")
        .tempdir_in("/usr/local/lib")
        .expect("a folder under /usr/local/lib (root)");
    chmod(dir.path(), 0o755);
    let binary = dir.path().join("netgrade");
    std::fs::copy(assert_cmd::cargo::cargo_bin("netgrade"), &binary).unwrap();
    chmod(&binary, 0o755);
    (dir, binary)
}

/// In the child, before exec: `fd` also at descriptor 7 (as a caller's open file would be), and
/// a session keyring of its own holding a key whose payload is `key`.
fn with_inherited_secrets(command: &mut Command, fd: i32, key: String) {
    let payload = key.into_bytes();
    // SAFETY: only dup2 and the keyctl/add_key system calls on memory owned by the closure.
    unsafe {
        command.pre_exec(move || {
            let kept = if fd == 7 {
                libc::fcntl(7, libc::F_SETFD, 0)
            } else {
                libc::dup2(fd, 7)
            };
            if kept < 0 {
                return Err(std::io::Error::last_os_error());
            }
            // KEYCTL_JOIN_SESSION_KEYRING (1) with no name: a fresh anonymous session keyring.
            if libc::syscall(libc::SYS_keyctl, 1, std::ptr::null::<libc::c_char>()) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            // KEY_SPEC_SESSION_KEYRING is -3.
            if libc::syscall(
                libc::SYS_add_key,
                c"user".as_ptr(),
                c"grader-token".as_ptr(),
                payload.as_ptr(),
                payload.len(),
                -3 as libc::c_long,
            ) < 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Issue #10, class 2: Everything readable: the checkout, the exercise pack (also inside the grader's binary),
/// references, a classmate's staged copy, the class folder's path, a root-only file (through a
/// descriptor the grader inherited, or a link named as the program), the grader's session
/// keyring; and staging a single `server.py` brings neither its folder's private nor hidden
/// files.
#[test]
#[cfg_attr(
    not(netgrade_root),
    ignore = "needs root: installs the grader under /usr/local as the Gradescope template does"
)]
fn nothing_outside_the_submission_is_readable() {
    let mut holes = Vec::new();
    let (_installed, binary) = install_under_usr();
    let pack = small_pack();
    let root_secret = unique("root-only-content");
    let (_private, secret_file) = root_only_file(&root_secret);
    let class = open_dir();
    let classmate_marker = unique("classmate-staged-copy");
    let key = unique("session-keyring-token");
    let class_path = class.path().display().to_string();
    // Where each grading writes its results (the classmate's among them).
    let outs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let targets = serde_json::json!({
        "paths": [
            repo(), repo().join("exercises"), repo().join("reference"), repo().join("target"),
            pack.path(), class.path(), class.path().join("bob"), &secret_file,
            outs[0].path(), outs[1].path(),
        ],
        "secrets": [&class_path, &classmate_marker, &root_secret, &key],
        "grader_binary": &binary,
    });
    submission(
        &class.path().join("alice"),
        &attack("probe_everything.py"),
        Some(&targets),
    );
    submission(&class.path().join("bob"), &repo().join(GOOD_SERVER), None);
    write(
        &class.path().join("bob/notes.txt"),
        &classmate_marker,
        0o644,
    );
    for (isolation, out) in ["auto", "none"].into_iter().zip(&outs) {
        let _port = (isolation == "none").then(|| lock(&HOST_PORT));
        let output = grade_class(
            Some(&binary),
            pack.path(),
            "thanks",
            class.path(),
            out.path(),
            &["--jobs", "2", "--isolation", isolation],
        );
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        let alice = class_result(out.path(), OsStr::new("alice"));
        assert_full_marks(&alice, "the probe");
        assert_full_marks(&class_result(out.path(), OsStr::new("bob")), "bob");
        holes.extend(
            found_lines(&alice)
                .into_iter()
                .map(|line| format!("class grading, --isolation {isolation}: {line}")),
        );
    }

    // A single server.py: its private and hidden neighbours stay behind, links are not
    // followed; the grader's caller left a root-only file open and a key in its session
    // keyring.
    let single = open_dir();
    let folder = single.path();
    program_beside(
        folder,
        &attack("probe_everything.py"),
        "server.py",
        Some(&targets),
    );
    write(&folder.join("private.py"), "SECRET = 1\n", 0o600);
    write(&folder.join("notes.txt"), "not code\n", 0o644);
    write(&folder.join(".env"), "TOKEN=1\n", 0o644);
    write(&folder.join(".ssh/id_rsa"), "KEY\n", 0o600);
    std::os::unix::fs::symlink(&secret_file, folder.join("linked.py")).unwrap();
    let open_secret = std::fs::File::open(&secret_file).unwrap();
    let mut command = Command::new(&binary);
    command
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .arg("--exercises")
        .arg(pack.path())
        .args(["test", "thanks"])
        .arg(folder.join("server.py"))
        .args(["--test", "1", "--format", "json"]);
    with_inherited_secrets(
        &mut command,
        std::os::fd::AsRawFd::as_raw_fd(&open_secret),
        key.clone(),
    );
    let output = command.output().unwrap();
    let document: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&output)));
    assert_eq!(output.status.code(), Some(0), "{document:#}");
    let transcript = transcripts(&document);
    assert!(
        transcript.contains("FILES ['_thanks_server.py', 'attack_targets.py', 'server.py']"),
        "staging a single server.py brought more than its public modules: {transcript}"
    );
    holes.extend(
        found_lines(&document)
            .into_iter()
            .map(|line| format!("single server.py, inherited descriptor and keyring: {line}")),
    );

    // A link to a root-only file, named as the program: its content must not reach the report.
    let output = Command::new(&binary)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .arg("--exercises")
        .arg(pack.path())
        .args(["test", "thanks"])
        .arg(folder.join("linked.py"))
        .args(["--test", "1"])
        .output()
        .unwrap();
    if contains(
        &[output.stdout.clone(), output.stderr.clone()].concat(),
        &root_secret,
    ) {
        holes.push(format!(
            "a link to a root-only file, named as the program, is followed: its content is in the report ({})",
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .find(|l| l.contains(&root_secret))
                .unwrap_or_default()
                .trim()
        ));
    }
    assert_no_holes(&holes);
}

/// Issue #10, class 3: Not private: unix sockets and files in /tmp, /var/tmp, /dev/shm connect no two runs
/// graded side by side, and none outlives its run.
#[test]
fn runs_share_no_sockets_and_leave_no_files() {
    let pack = small_pack();
    let mark = unique("netgrade-attack-left");
    let class = open_dir();
    let lingering = serde_json::json!({ "mark": &mark, "linger": 2.5 });
    submission(
        &class.path().join("a_leaves"),
        &attack("leaves_sockets_and_files.py"),
        Some(&lingering),
    );
    submission(
        &class.path().join("b_connects"),
        &attack("connects_to_classmate.py"),
        Some(&lingering),
    );
    let mut holes = Vec::new();
    let out = tempfile::tempdir().unwrap();
    let output = grade_class(
        None,
        pack.path(),
        "thanks",
        class.path(),
        out.path(),
        &["--jobs", "2"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    for name in ["a_leaves", "b_connects"] {
        let document = class_result(out.path(), OsStr::new(name));
        assert_full_marks(&document, name);
        holes.extend(
            found_lines(&document)
                .into_iter()
                .map(|l| format!("{name}: {l}")),
        );
    }
    // The connector really looked while its classmate held its sockets: both were graded at
    // once, the first one lingering 2.5 s before listening in each test.
    let leaves = class_result(out.path(), OsStr::new("a_leaves"));
    assert!(
        !transcripts(&leaves).contains("cannot listen")
            && !transcripts(&leaves).contains("cannot write"),
        "in its own sandbox the program may use /tmp and unix sockets: {}",
        transcripts(&leaves)
    );
    {
        // On the host loopback (fenced): nothing either.
        let _port = lock(&HOST_PORT);
        let single = open_dir();
        let quick = serde_json::json!({ "mark": &mark, "linger": 0 });
        program_beside(
            single.path(),
            &attack("leaves_sockets_and_files.py"),
            "server.py",
            Some(&quick),
        );
        let output = netgrade()
            .arg("--exercises")
            .arg(pack.path())
            .args(["test", "thanks"])
            .arg(single.path().join("server.py"))
            .args(["--isolation", "none", "--format", "json"])
            .output()
            .unwrap();
        let document: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", text(&output)));
        assert_full_marks(&document, "the program on the host loopback");
        holes.extend(
            found_lines(&document)
                .into_iter()
                .map(|l| format!("--isolation none: {l}")),
        );
    }
    for folder in ["/tmp", "/var/tmp", "/dev/shm"] {
        for name in [mark.clone(), format!("{mark}.sock")] {
            let path = Path::new(folder).join(name);
            if path.symlink_metadata().is_ok() {
                holes.push(format!("{} outlived the run", path.display()));
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    assert_no_holes(&holes);
}

/// Issue #10, class 4: Unfair verdicts: a CPU hog beside correct classmates does not cost them marks, and on the
/// host loopback four identical port-8888 servers all get full marks.
#[test]
fn a_hog_or_a_shared_port_costs_no_classmate_marks() {
    let _cpu = lock(&CPU);
    let pack = small_pack();
    let class = open_dir();
    submission(&class.path().join("a_hog"), &attack("cpu_hog.py"), None);
    for name in ["b_good", "c_good", "d_good"] {
        submission(&class.path().join(name), &repo().join(GOOD_SERVER), None);
    }
    let out = tempfile::tempdir().unwrap();
    // The default --jobs: one per core.
    let output = grade_class(None, pack.path(), "thanks", class.path(), out.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    for name in ["b_good", "c_good", "d_good"] {
        assert_full_marks(&class_result(out.path(), OsStr::new(name)), name);
    }

    let _port = lock(&HOST_PORT);
    let class = open_dir();
    let names = ["s1", "s2", "s3", "s4"];
    for name in names {
        submission(&class.path().join(name), &repo().join(GOOD_SERVER), None);
    }
    let out = tempfile::tempdir().unwrap();
    let output = grade_class(
        None,
        pack.path(),
        "thanks",
        class.path(),
        out.path(),
        &["--isolation", "none"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    for name in names {
        let document = class_result(out.path(), OsStr::new(name));
        assert_eq!(document["isolation"], "host-loopback", "{document:#}");
        assert_full_marks(&document, name);
    }
}

/// Control characters a terminal would obey (C0 but tab and newline, DEL, bidi overrides).
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t') || ('\u{202a}'..='\u{202e}').contains(&c)
        })
        .collect()
}

/// Issue #10, class 5: Output is data: escapes a program prints (and its traceback's last line, and its folder's
/// name) are shown escaped in the text report, the progress lines and summary.csv, whose cells
/// never start a formula.
#[test]
fn escapes_and_formulas_are_shown_not_obeyed() {
    let class = open_dir();
    let evil = "evil\u{1b}[2J\u{1b}]0;pwned\u{7}\r";
    let formulas = ["=HYPERLINK(\"evil.example\")", "+1", "-1", "@SUM(A1)"];
    let folder = class.path().join(evil);
    std::fs::create_dir(&folder).unwrap();
    write(
        &folder.join("port_ranges.py"),
        std::fs::read(attack("prints_escapes.py")).unwrap(),
        0o644,
    );
    for name in formulas {
        let dir = class.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        write(
            &dir.join("port_ranges.py"),
            std::fs::read(repo().join(GOOD_PORTS)).unwrap(),
            0o644,
        );
    }
    let out = tempfile::tempdir().unwrap();
    let output = grade_class(
        None,
        Path::new(""),
        "port-ranges",
        class.path(),
        out.path(),
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    for name in formulas {
        assert_full_marks(&class_result(out.path(), OsStr::new(name)), name);
    }
    let evil_result = class_result(out.path(), OsStr::new(evil));
    assert!(
        transcripts(&evil_result).contains("ValueError"),
        "the program crashed with its traceback: {evil_result:#}"
    );
    let progress = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        raw_controls(&progress),
        [] as [char; 0],
        "progress lines: {progress:?}"
    );
    assert!(progress.contains("evil\\x1b[2J"), "{progress}");
    let summary = std::fs::read_to_string(out.path().join("summary.csv")).unwrap();
    assert_eq!(
        raw_controls(&summary),
        [] as [char; 0],
        "summary.csv: {summary:?}"
    );
    assert!(summary.contains("evil\\x1b[2J"), "{summary}");
    assert!(
        summary.contains("ValueError: \\x1b[2J"),
        "the traceback's last line is the reason, escaped: {summary}"
    );
    let mut reader = csv::Reader::from_reader(summary.as_bytes());
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a cell starts a formula: {cell:?}"
            );
        }
    }
    // The text report of the same program.
    let output = netgrade()
        .args(["test", "port-ranges"])
        .arg(folder.join("port_ranges.py"))
        .args(["--test", "1", "--color", "never"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert_eq!(
        raw_controls(&report),
        [] as [char; 0],
        "text report: {report:?}"
    );
    for shown in [
        "evil\\x1b[2J\\x1b]0;pwned\\x07\\r",
        "\\x1b[2J\\x1b[31mHACKED",
        "ValueError: \\x1b[2J\\x1b[1;32mall tests passed",
    ] {
        assert!(
            report.contains(shown),
            "{shown} is not shown escaped: {report}"
        );
    }
    let good = netgrade()
        .args(["test", "port-ranges", GOOD_PORTS, "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(good.status.code(), Some(0), "{}", text(&good));
}

/// Issue #10, class 6: Result files: names that could collide (`s1` and `s1.gradescope`, `summary`, two names
/// that differ only in a byte that is not UTF-8, a 250-byte name) each get their own files,
/// with their own verdict.
#[test]
fn every_folder_name_gets_its_own_result_files() {
    let pack = small_pack();
    let class = open_dir();
    let names: Vec<(OsString, bool)> = vec![
        ("s1".into(), true),
        ("s1.gradescope".into(), false),
        ("summary".into(), true),
        (OsString::from_vec(b"s2\xff".to_vec()), true),
        (OsString::from_vec(b"s2\xfe".to_vec()), false),
        ("x".repeat(250).into(), true),
    ];
    for (name, good) in &names {
        let program = if *good { GOOD_SERVER } else { BAD_SERVER };
        submission(&class.path().join(name), &repo().join(program), None);
    }
    let out = tempfile::tempdir().unwrap();
    let output = grade_class(
        None,
        pack.path(),
        "thanks",
        class.path(),
        out.path(),
        &["--format", "gradescope"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    for (name, good) in &names {
        let shown = String::from_utf8_lossy(name.as_bytes()).into_owned();
        let json = class_result(out.path(), name);
        let expected = if *good { THANKS_MAX } else { 0 };
        assert_eq!(score(&json), expected, "{shown}: {json:#}");
        let gradescope = read_json(
            &out.path()
                .join(netgrade::batch::result_file(name, Format::Gradescope)),
        );
        assert_eq!(
            gradescope["score"].as_f64(),
            Some(expected as f64),
            "{shown}: {gradescope:#}"
        );
    }
    let files: Vec<PathBuf> = all_files(&out.path().join("submissions"))
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    assert_eq!(files.len(), 2 * names.len(), "{files:#?}");
    let summary = read_json(&out.path().join("summary.json"));
    assert_eq!(
        summary["schema"], "netgrade/class-summary/v1",
        "{summary:#}"
    );
    let rows = summary["submissions"].as_array().unwrap();
    assert_eq!(rows.len(), names.len(), "{summary:#}");
    let results: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r["result"].as_str().unwrap()).collect();
    assert_eq!(
        results.len(),
        names.len(),
        "shared result files: {summary:#}"
    );
}

/// Issue #10, class 7: Staging budget: 28,000 empty folders (with or without a program among them) get a clear
/// verdict at once, and a correct classmate still passes.
#[test]
fn a_staging_bomb_gets_a_clear_verdict_fast() {
    let _cpu = lock(&CPU);
    let pack = small_pack();
    let class = open_dir();
    for name in ["empty_folders", "folders_and_server"] {
        let dir = class.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        for index in 0..28_000 {
            std::fs::create_dir(dir.join(format!("d{index}"))).unwrap();
        }
    }
    write(
        &class.path().join("folders_and_server/server.py"),
        std::fs::read(repo().join(GOOD_SERVER)).unwrap(),
        0o644,
    );
    submission(&class.path().join("good"), &repo().join(GOOD_SERVER), None);
    let out = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let output = grade_class(None, pack.path(), "thanks", class.path(), out.path(), &[]);
    let elapsed = started.elapsed();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(elapsed < Duration::from_secs(5), "grading took {elapsed:?}");
    assert_full_marks(&class_result(out.path(), OsStr::new("good")), "good");
    let summary = read_json(&out.path().join("summary.json"));
    let row = |student: &str| {
        summary["submissions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["student"] == student)
            .unwrap_or_else(|| panic!("no row {student}: {summary:#}"))
            .clone()
    };
    let mut holes = Vec::new();
    for name in ["empty_folders", "folders_and_server"] {
        let row = row(name);
        assert_eq!(row["score"], 0, "{row:#}");
        assert_eq!(row["not_runnable"], true, "{row:#}");
    }
    let empty = row("empty_folders");
    let reason = empty["reason"].as_str().unwrap();
    assert!(
        reason.contains("too large") || reason.contains("empty"),
        "{reason}"
    );
    // With a program among the folders the submission is not empty: the verdict must name
    // the budget it is over.
    let bomb = row("folders_and_server");
    let reason = bomb["reason"].as_str().unwrap();
    if !reason.contains("too large") {
        holes.push(format!(
            "28,000 folders and a server.py: the verdict does not name the staging budget, it says {reason:?}"
        ));
    }
    assert_no_holes(&holes);
}

/// `setpriv` to nobody (uid and gid 65534, no groups), as in tests/isolation.rs.
fn as_nobody(binary: &Path) -> Command {
    let mut command = Command::new("setpriv");
    command
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(binary)
        .current_dir("/")
        .env("NO_COLOR", "1");
    command
}

/// Issue #10, class 8: Without root: the program cannot read the grader's environment (nor its session keyring),
/// trace, signal or re-limit it; a daemon it leaves cannot rewrite results.json after the grader
/// exits; the process limit holds.
#[test]
#[cfg_attr(
    not(netgrade_root),
    ignore = "needs root: it grades as another user (setpriv)"
)]
fn without_root_the_grader_and_its_results_are_out_of_reach() {
    assert!(
        rustix::process::geteuid().is_root(),
        "built as root but run as another user: rebuild the tests"
    );
    let binary = assert_cmd::cargo::cargo_bin("netgrade");
    let pack = small_pack();
    let secret = unique("grader-secret");
    let dir = open_dir();
    let out = dir.path().join("results");
    std::fs::create_dir(&out).unwrap();
    std::os::unix::fs::chown(&out, Some(65534), Some(65534)).unwrap();
    let results = out.join("results.json");
    let targets = serde_json::json!({ "secret": &secret, "results": &results });
    program_beside(
        dir.path(),
        &attack("spies_without_root.py"),
        "spies_without_root.py",
        Some(&targets),
    );
    program_beside(
        dir.path(),
        &attack("forks_past_the_limit.py"),
        "forks_past_the_limit.py",
        None,
    );
    let mut holes = Vec::new();
    for isolation in ["auto", "none"] {
        let _port = (isolation == "none").then(|| lock(&HOST_PORT));
        let _ = std::fs::remove_file(&results);
        let mut command = as_nobody(&binary);
        command
            .env("NETGRADE_SECRET", &secret)
            .arg("--exercises")
            .arg(pack.path())
            .args(["test", "thanks"])
            .arg(dir.path().join("spies_without_root.py"))
            .args([
                "--test",
                "1",
                "--isolation",
                isolation,
                "--format",
                "json",
                "--output",
            ])
            .arg(&results);
        let key_holder = std::fs::File::open("/dev/null").unwrap();
        with_inherited_secrets(
            &mut command,
            std::os::fd::AsRawFd::as_raw_fd(&key_holder),
            secret.clone(),
        );
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        let written = std::fs::read(&results).unwrap();
        let document: serde_json::Value = serde_json::from_slice(&written)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&written)));
        assert_full_marks(&document, "the spy (it serves correctly)");
        assert!(
            transcripts(&document).contains("daemon left"),
            "{document:#}"
        );
        holes.extend(
            found_lines(&document)
                .into_iter()
                .map(|l| format!("nobody, --isolation {isolation}: {l}")),
        );
        // A while after the grader exits, the results are still its own and no daemon is left.
        std::thread::sleep(Duration::from_secs(2));
        let later = std::fs::read(&results).unwrap();
        if later != written {
            holes.push(format!(
                "nobody, --isolation {isolation}: results.json rewritten after the grader exited: {}",
                String::from_utf8_lossy(&later)
            ));
        }
        let left = processes_mentioning("spies_without_root");
        if !left.is_empty() {
            holes.push(format!(
                "nobody, --isolation {isolation}: left running: {left:?}"
            ));
        }

        let output = as_nobody(&binary)
            .arg("--exercises")
            .arg(pack.path())
            .args(["test", "thanks"])
            .arg(dir.path().join("forks_past_the_limit.py"))
            .args(["--test", "1", "--isolation", isolation, "--format", "json"])
            .output()
            .unwrap();
        let document: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", text(&output)));
        assert_full_marks(&document, "the forking server");
        let transcript = transcripts(&document);
        let children: u32 = transcript
            .split("children ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count: {transcript}"));
        if children >= 64 {
            holes.push(format!(
                "nobody, --isolation {isolation}: no process limit, {children} processes forked (limit 64)"
            ));
        }
    }
    assert_no_holes(&holes);
}
