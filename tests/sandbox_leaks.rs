//! The sandbox, proven on real programs (Python) started the way the grader starts them: what
//! the grader's process holds (a descriptor its caller left open, a session keyring, its
//! command line, its own executable) does not reach the program, in either isolation.
//!
//! Namespaces need root here (this test process does not enter a user namespace first, as the
//! netgrade binary does): without it those cases are skipped.

use std::io;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::time::Duration;

use netgrade::program::RunningProgram;
use netgrade::sandbox::*;
use netgrade::spec::StopSpec;
use netgrade::submission;

/// The isolations this process can make.
fn isolations() -> Vec<Isolation> {
    if rustix::process::geteuid().is_root() {
        vec![Isolation::Namespace, Isolation::HostLoopback]
    } else {
        vec![Isolation::HostLoopback]
    }
}

/// Runs `python3 -c code args…` in `sandbox` until it ends; returns its stdout and stderr.
async fn python(sandbox: &Sandbox, code: &str, args: &[&str]) -> String {
    let argv: Vec<std::ffi::OsString> = ["python3", "-c", code]
        .iter()
        .chain(args)
        .map(Into::into)
        .collect();
    let command = match submission::resolve(None, &argv).unwrap() {
        submission::Resolved::Ready(command) => command,
        other => panic!("{other:?}"),
    };
    let program = RunningProgram::spawn(&command, sandbox).unwrap();
    let ended = program.wait_for_end(Duration::from_secs(20)).await;
    let finished = program.stop(StopSpec::Kill, sandbox).await;
    assert!(ended.is_some(), "the program did not end");
    if let Some(error) = sandbox.setup_error() {
        panic!("{error}");
    }
    format!("{}{}", finished.stdout.text(), finished.stderr.text())
}

/// A descriptor of this process without close-on-exec, as a caller's `7<file` would be; only
/// `close_range`/close-on-exec marking in the program's process keeps it from the program.
#[tokio::test(flavor = "multi_thread")]
async fn descriptors_the_grader_inherited_do_not_reach_the_program() {
    let file = tempfile::tempfile().unwrap();
    // SAFETY: F_DUPFD makes a new descriptor (without FD_CLOEXEC) of an open file.
    let inherited = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_DUPFD, 700) };
    assert!(inherited >= 700);
    let code = format!(
        "import os\n\
         try:\n    os.fstat({inherited}); print('open')\n\
         except OSError: print('closed')\n\
         print('FDS', sorted(int(f) for f in os.listdir('/proc/self/fd')))\n"
    );
    for isolation in isolations() {
        let sandbox = Sandbox::create(isolation, Limits::default()).unwrap();
        let output = python(&sandbox, &code, &[]).await;
        assert!(output.contains("closed"), "{isolation:?}: {output}");
        // 0, 1, 2 and the folder listing them.
        assert!(
            output.contains("FDS [0, 1, 2, 3]"),
            "{isolation:?}: {output}"
        );
    }
    // SAFETY: closes the descriptor made above.
    unsafe { libc::close(inherited) };
}

/// What a program sees of the session keyring it was started with, and what keyctl says.
const KEYRING_PROBE: &str = r#"
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
marker = sys.argv[1].encode()
buffer = ctypes.create_string_buffer(4096)
found = False
length = libc.syscall(250, 11, ctypes.c_long(-3), buffer, 4096)
for index in range(0, max(0, min(length, 4096)), 4):
    key = int.from_bytes(buffer.raw[index:index + 4], "little")
    payload = ctypes.create_string_buffer(4096)
    size = libc.syscall(250, 11, ctypes.c_long(key), payload, 4096)
    if size > 0 and marker in payload.raw[:size]:
        found = True
print("FOUND" if found else "no key")
search = libc.syscall(250, 10, ctypes.c_long(-3), b"user", b"netgrade-test", 0)
print("search", search, ctypes.get_errno())
# Not a key call: the keys this process possesses or may view (where /proc has the file).
try:
    with open("/proc/keys") as handle:
        print("listed", "netgrade-test" in handle.read())
except OSError:
    print("no /proc/keys")
"#;

/// The keyring joined here is this thread's own (credentials are per thread), so the test
/// starts its programs from a thread of its own with a runtime of its own.
#[test]
fn the_session_keyring_the_grader_was_started_with_is_not_the_programs() {
    let marker = format!("netgrade-keyring-test-{}", std::process::id());
    std::thread::spawn(move || {
        // SAFETY: keyctl and add_key on buffers alive for the calls; they change this
        // thread's credentials only.
        unsafe {
            assert!(
                libc::syscall(libc::SYS_keyctl, 1, std::ptr::null::<libc::c_char>()) >= 0,
                "{}",
                io::Error::last_os_error()
            );
            let key = libc::syscall(
                libc::SYS_add_key,
                c"user".as_ptr(),
                c"netgrade-test".as_ptr(),
                marker.as_ptr(),
                marker.len(),
                -3 as libc::c_long,
            );
            assert!(key > 0, "{}", io::Error::last_os_error());
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            for isolation in isolations() {
                let sandbox = Sandbox::create(isolation, Limits::default()).unwrap();
                let output = python(&sandbox, KEYRING_PROBE, &[&marker]).await;
                assert!(output.contains("no key"), "{isolation:?}: {output}");
                // Not even listed: the program's session keyring is a fresh one.
                assert!(!output.contains("listed True"), "{isolation:?}: {output}");
                // Refused by a filter (the fence's on the host, the key filter in namespaces).
                let refused = format!("search -1 {}", libc::EPERM);
                assert!(
                    output.lines().any(|line| line == refused),
                    "{isolation:?}: {output}"
                );
            }
        });
    })
    .join()
    .unwrap();
}

/// On the host loopback the program sees the machine's /proc: init, the relay and the grader
/// show nothing of the grader's arguments.
#[tokio::test(flavor = "multi_thread")]
async fn on_the_host_the_graders_command_line_does_not_show() {
    let code = r#"
import os
def parent(pid):
    with open(f"/proc/{pid}/stat") as handle:
        return int(handle.read().rsplit(")", 1)[1].split()[1])
init = os.getppid()
relay = parent(init)
grader = parent(relay)
for name, pid in (("init", init), ("relay", relay), ("grader", grader)):
    with open(f"/proc/{pid}/cmdline", "rb") as handle:
        words = [w.decode() for w in handle.read().split(b"\0") if w]
    print(name, pid, words)
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            if handle.read().strip(b"\0"):
                print("ENVIRON", name)
    except OSError:
        pass
"#;
    let sandbox = Sandbox::create(Isolation::HostLoopback, Limits::default()).unwrap();
    let output = python(&sandbox, code, &[]).await;
    let grader = std::process::id();
    assert!(output.contains("init "), "{output}");
    for line in output.lines().filter(|l| !l.is_empty()) {
        let allowed = line.ends_with(" []") || line == format!("grader {grader} ['netgrade']");
        assert!(allowed, "a command line shows: {line}\n{output}");
    }
}

/// The grader's executable, seen through a bound folder, is an empty file no one may read;
/// its neighbours stay readable.
#[tokio::test(flavor = "multi_thread")]
async fn the_graders_own_executable_is_covered_in_the_view() {
    if !rustix::process::geteuid().is_root() {
        return;
    }
    let exe = std::fs::read_link("/proc/self/exe").unwrap();
    let folder = exe.parent().unwrap().to_owned();
    let neighbour = std::fs::read_dir(&folder)
        .unwrap()
        .flatten()
        .find(|entry| {
            entry.path() != exe
                && entry.file_type().is_ok_and(|t| t.is_file())
                && entry.metadata().is_ok_and(|m| {
                    use std::os::unix::fs::PermissionsExt;
                    m.permissions().mode() & 0o004 != 0
                })
        })
        .expect("another file beside the test binary")
        .file_name();
    let inside = Path::new("/opt/netgrade-own");
    let sandbox = Sandbox::create_with(
        Isolation::Namespace,
        Limits::default(),
        vec![(folder, inside.to_owned())],
    )
    .unwrap();
    let code = r#"
import sys
for path in sys.argv[1:]:
    try:
        with open(path, "rb") as handle:
            print("read", len(handle.read(4096)))
    except OSError as error:
        print("refused", error.errno)
"#;
    let own = inside.join(exe.file_name().unwrap());
    let other = inside.join(neighbour);
    let output = python(
        &sandbox,
        code,
        &[own.to_str().unwrap(), other.to_str().unwrap()],
    )
    .await;
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.first(), Some(&"refused 13"), "{output}");
    assert!(
        lines.get(1).is_some_and(|l| l.starts_with("read ")),
        "{output}"
    );
}
