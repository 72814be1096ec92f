//! The fence, end to end: Python starts and works under it, and cannot step out.

use std::ffi::CString;
use std::os::fd::FromRawFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::Fence;

fn c(text: &str) -> CString {
    CString::new(text).unwrap()
}

fn path_c(path: &Path) -> CString {
    CString::new(path.as_os_str().as_bytes()).unwrap()
}

#[test]
fn python_starts_and_works_in_its_folder_under_the_fence() {
    let python = Path::new("/usr/bin/python3");
    assert!(
        python.exists(),
        "/usr/bin/python3 is missing on this machine"
    );
    let folder = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, "other student's result").unwrap();
    let fence = Fence::prepare(folder.path()).unwrap();
    let script = r#"
import asyncio, json, os, socket, subprocess, sys, tempfile, threading
results = []
def attempt(name, action):
    try:
        action()
        results.append((name, "ok"))
    except OSError as error:
        results.append((name, str(error.errno)))
def loopback():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    client = socket.create_connection(server.getsockname())
    peer, _ = server.accept()
    client.sendall(b"ping")
    assert peer.recv(4) == b"ping"
def write_folder():
    with open("out.txt", "w") as f:
        f.write("hello")
    with open("out.txt") as f:
        assert f.read() == "hello"
def thread():
    t = threading.Thread(target=lambda: None)
    t.start()
    t.join()
attempt("read_outside", lambda: open(sys.argv[1]).read())
attempt("list_outside", lambda: os.listdir(os.path.dirname(sys.argv[1])))
attempt("write_tmp", lambda: open("/tmp/netgrade-fence-e2e-%d" % os.getpid(), "w"))
attempt("write_folder", write_folder)
attempt("tempfile", lambda: tempfile.mkstemp())
attempt("kill_parent", lambda: os.kill(os.getppid(), 0))
attempt("kill_group", lambda: os.kill(0, 0))
attempt("loopback", loopback)
attempt("asyncio", lambda: asyncio.run(asyncio.sleep(0)))
attempt("thread", thread)
attempt("subprocess", lambda: subprocess.run(["/bin/true"], check=True))
attempt("unix_socket", lambda: socket.socket(socket.AF_UNIX))
for name, result in results:
    print(name, result)
"#;
    let argv_owned = [c("/usr/bin/python3"), c("-c"), c(script), path_c(&secret)];
    let mut argv: Vec<*const libc::c_char> = argv_owned.iter().map(|a| a.as_ptr()).collect();
    argv.push(std::ptr::null());
    let env_owned = [
        c("PATH=/usr/local/bin:/usr/bin:/bin"),
        c("LANG=C.UTF-8"),
        c("PYTHONDONTWRITEBYTECODE=1"),
        CString::new([b"HOME=".as_slice(), folder.path().as_os_str().as_bytes()].concat()).unwrap(),
        CString::new([b"TMPDIR=".as_slice(), folder.path().as_os_str().as_bytes()].concat())
            .unwrap(),
    ];
    let mut envp: Vec<*const libc::c_char> = env_owned.iter().map(|e| e.as_ptr()).collect();
    envp.push(std::ptr::null());
    let folder_c = path_c(folder.path());
    let python_c = c("/usr/bin/python3");

    let mut pipe = [0; 2];
    // SAFETY: pipe2 writes two descriptors into the array.
    assert_eq!(
        unsafe { libc::pipe2(pipe.as_mut_ptr(), libc::O_CLOEXEC) },
        0
    );
    let [read_end, write_end] = pipe;
    // SAFETY: the children make only async-signal-safe system calls, then exec or _exit.
    let leader = unsafe { libc::fork() };
    assert!(leader >= 0);
    if leader == 0 {
        unsafe {
            libc::setpgid(0, 0);
            let group = libc::getpid();
            let program = libc::fork();
            if program == 0 {
                libc::dup2(write_end, 1);
                libc::dup2(write_end, 2);
                libc::chdir(folder_c.as_ptr());
                if fence.apply(group).is_err() {
                    libc::_exit(99);
                }
                libc::execve(python_c.as_ptr(), argv.as_ptr(), envp.as_ptr());
                libc::_exit(98);
            }
            libc::close(write_end);
            let mut status = 0;
            libc::waitpid(program, &mut status, 0);
            libc::_exit(if libc::WIFEXITED(status) {
                libc::WEXITSTATUS(status)
            } else {
                100 + libc::WTERMSIG(status)
            });
        }
    }
    let mut output = Vec::new();
    // SAFETY: our copy of the write end, and a read end we own from here on.
    unsafe {
        libc::close(write_end);
        use std::io::Read;
        std::fs::File::from_raw_fd(read_end)
            .read_to_end(&mut output)
            .unwrap();
    }
    let mut status = 0;
    // SAFETY: reaps our child.
    unsafe { libc::waitpid(leader, &mut status, 0) };
    let output = String::from_utf8_lossy(&output);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "python under the fence failed (status {status:#x}):\n{output}"
    );
    let results: std::collections::HashMap<&str, &str> = output
        .lines()
        .filter_map(|line| line.split_once(' '))
        .collect();
    let eacces = libc::EACCES.to_string();
    let eperm = libc::EPERM.to_string();
    let mut expected = vec![
        ("write_folder", "ok"),
        ("tempfile", "ok"),
        ("kill_parent", eperm.as_str()),
        ("kill_group", "ok"),
        ("loopback", "ok"),
        ("asyncio", "ok"),
        ("thread", "ok"),
        ("subprocess", "ok"),
        ("unix_socket", eperm.as_str()),
    ];
    assert!(fence.restricts_files(), "this kernel offers no Landlock");
    expected.extend([
        ("read_outside", eacces.as_str()),
        ("list_outside", eacces.as_str()),
        ("write_tmp", eacces.as_str()),
    ]);
    for (name, want) in expected {
        assert_eq!(
            results.get(name).copied(),
            Some(want),
            "{name}; python printed:\n{output}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(folder.path().join("out.txt")).unwrap(),
        "hello"
    );
}
