//! The spec language's features for instructors' own exercises, each proven on a real
//! program: a required bind address, program arguments, data files in the run's folder, a file
//! the program writes, reading until the program closes, the time now.

mod common;

use std::path::Path;

use common::{netgrade, repo};

/// A pack with one exercise `feature` whose spec is `yaml`; `files` are written beside it.
fn pack(yaml: &str, files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("feature");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("exercise.yaml"), yaml).unwrap();
    for (name, bytes) in files {
        std::fs::write(folder.join(name), bytes).unwrap();
    }
    dir
}

/// Grades `program` on the pack's exercise; returns the exit code and the JSON result.
fn grade(pack: &tempfile::TempDir, program: &Path) -> (i32, serde_json::Value) {
    let output = netgrade()
        .arg("--exercises")
        .arg(pack.path())
        .args(["test", "feature", "--format", "json"])
        .arg(program)
        .output()
        .unwrap();
    let code = output.status.code().unwrap();
    let document = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (code, document)
}

fn first_failure(document: &serde_json::Value) -> &serde_json::Value {
    &document["tests"][0]["failure"]
}

const BIND_ANY: &str = "id: feature
title: Bind every address
program: { listens: { tcp: 8888, address: 0.0.0.0 } }
tests:
  - name: thanks
    steps:
      - connect: a
      - send: { to: a, text: hi }
      - expect: { from: a, reply: Thanks }
      - close: a
";

#[test]
fn a_required_bind_address_fails_a_server_bound_elsewhere() {
    let pack = pack(BIND_ANY, &[]);
    let (code, document) = grade(
        &pack,
        &repo().join("exercises/tcp-server/solutions/good/server_any_address.py"),
    );
    assert_eq!(code, 0, "{document:#}");
    let (code, document) = grade(
        &pack,
        &repo().join("exercises/tcp-server/solutions/good/server_loopback.py"),
    );
    assert_eq!(code, 1, "{document:#}");
    assert_eq!(first_failure(&document)["kind"], "wrong_bind_address");
    assert_eq!(
        first_failure(&document)["message"],
        "your program is bound to 127.0.0.1:8888, but this exercise asks for 0.0.0.0 (port 8888): bind((\"0.0.0.0\", 8888))"
    );
}

#[test]
fn an_address_under_connects_is_refused() {
    let yaml = BIND_ANY.replace(
        "listens: { tcp: 8888, address: 0.0.0.0 }",
        "connects: { tcp: 8888, address: 0.0.0.0 }",
    );
    let text = validation(&yaml);
    assert!(text.contains("`address` goes with `listens`"), "{text}");
}

/// A submission folder holding one program `name` with `source`.
fn program(name: &str, source: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, source).unwrap();
    (dir, path)
}

fn kinds(document: &serde_json::Value) -> Vec<String> {
    document["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|test| match test["failure"]["kind"].as_str() {
            Some(kind) => kind.to_owned(),
            None => test["status"].as_str().unwrap_or("?").to_owned(),
        })
        .collect()
}

const ARGUMENTS: &str = "id: feature
title: Arguments
program: { args: [alpha, two words] }
tests:
  - name: the exercise's arguments
    steps:
      - expect_output: { contains: \"['alpha', 'two words']\" }
  - name: this test's own
    args: [beta]
    steps:
      - expect_output: { contains: \"['beta']\" }
";

#[test]
fn program_arguments_come_from_the_exercise_or_the_test() {
    let pack = pack(ARGUMENTS, &[]);
    let (_dir, path) = program("args.py", "import sys\nprint(sys.argv[1:])\n");
    let (code, document) = grade(&pack, &path);
    assert_eq!(code, 0, "{document:#}");
    let (_dir, path) = program("args.py", "print(['alpha', 'two words'])\n");
    let (code, document) = grade(&pack, &path);
    assert_eq!(code, 1, "{document:#}");
    assert_eq!(kinds(&document), ["passed", "wrong_output"], "{document:#}");
}

/// 1000 bytes, none of them a line end.
fn hello() -> Vec<u8> {
    (0..1000u32).map(|i| b'a' + (i % 26) as u8).collect()
}

const FILE_SERVER: &str = "id: feature
title: File server
files: [hello.txt]
program: { listens: { tcp: 8888 } }
tests:
  - name: sends the file asked for, then closes
    steps:
      - connect: a
      - send: { to: a, text: \"hello.txt\\n\" }
      - expect_all: { from: a, file: hello.txt }
";

/// A server that sends the file a client names, in `chunk`-byte pieces, then `ending`.
fn file_server(chunk: usize, ending: &str) -> String {
    format!(
        "import socket, time
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('', 8888))
server.listen()
while True:
    connection, _ = server.accept()
    name = connection.recv(1024).decode().strip()
    with open(name, 'rb') as f:
        data = f.read()
    for start in range(0, len(data), {chunk}):
        connection.send(data[start:start + {chunk}])
        time.sleep(0.01)
{ending}
"
    )
}

#[test]
fn expect_all_reads_a_file_sent_in_pieces_until_the_close() {
    let pack = pack(FILE_SERVER, &[("hello.txt", &hello())]);
    let cases = [
        (file_server(100, "    connection.close()"), "passed"),
        (
            file_server(100, "    connection.send(b'EOF')\n    connection.close()"),
            "wrong_reply",
        ),
        (file_server(1000, "    time.sleep(30)"), "not_closed"),
    ];
    for (source, kind) in cases {
        let (_dir, path) = program("server.py", &source);
        let (_, document) = grade(&pack, &path);
        assert_eq!(kinds(&document), [kind], "{source}\n{document:#}");
    }
}

const FILE_CLIENT: &str = "id: feature
title: Download client
grader_files: [hello.txt]
program: { connects: { tcp: 8888 }, args: [saved.txt] }
tests:
  - name: saves what the server sends
    steps:
      - accept: server
      - send: { to: server, file: hello.txt }
      - close: server
      - expect_file: { path: saved.txt, file: hello.txt }
";

/// A client that saves everything the server sends under the name it is given.
const SAVING_CLIENT: &str = "import socket, sys
client = socket.create_connection(('127.0.0.1', 8888))
data = b''
while True:
    piece = client.recv(4096)
    if not piece:
        break
    data += piece
client.close()
with open(sys.argv[1], 'wb') as f:
    f.write(data)
";

#[test]
fn expect_file_checks_the_file_a_client_saved() {
    let pack = pack(FILE_CLIENT, &[("hello.txt", &hello())]);
    let cases = [
        (SAVING_CLIENT.to_owned(), "passed"),
        // Saved under another name: the file the test asks for is never there.
        (
            SAVING_CLIENT.replace("sys.argv[1]", "'download.txt'"),
            "file_missing",
        ),
        // Text mode with a line end added: not the same bytes.
        (
            SAVING_CLIENT.replace("f.write(data)", "f.write(data + b'\\n')"),
            "wrong_file",
        ),
    ];
    for (source, kind) in cases {
        let (_dir, path) = program("client.py", &source);
        let (_, document) = grade(&pack, &path);
        assert_eq!(kinds(&document), [kind], "{source}\n{document:#}");
    }
}

#[test]
fn a_grader_file_is_not_given_to_the_program() {
    let pack = pack(FILE_CLIENT, &[("hello.txt", &hello())]);
    // A client that copies the file from its folder instead of downloading it.
    let copier = "import shutil, socket, sys
socket.create_connection(('127.0.0.1', 8888))
shutil.copy('hello.txt', sys.argv[1])
";
    let (_dir, path) = program("client.py", copier);
    let (code, document) = grade(&pack, &path);
    assert_eq!(code, 1, "{document:#}");
    assert_eq!(kinds(&document), ["file_missing"], "{document:#}");
    let stderr = document["tests"][0]["transcript"]
        .as_str()
        .unwrap_or_default();
    assert!(stderr.contains("FileNotFoundError"), "{document:#}");
}

const TIME_SERVER: &str = "id: feature
title: Time server
program: { listens: { tcp: 8888 } }
tests:
  - name: says the time now
    steps:
      - connect: a
      - expect: { from: a, contains: \"time {now}\" }
";

/// A server that sends `time <the Python expression time>` to each client, then `after`.
fn time_server(time: &str, after: &str) -> String {
    format!(
        "import socket, time
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('', 8888))
server.listen()
while True:
    connection, _ = server.accept()
    connection.send(('time ' + {time} + '\\n').encode())
{after}
"
    )
}

#[test]
fn now_accepts_the_current_time_and_not_another() {
    let pack = pack(TIME_SERVER, &[]);
    let server = |time: &str| time_server(time, "    connection.close()");
    let (_dir, path) = program("server.py", &server("time.strftime('%H:%M:%S')"));
    let (_, document) = grade(&pack, &path);
    assert_eq!(kinds(&document), ["passed"], "{document:#}");
    let an_hour_ago = "time.strftime('%H:%M:%S', time.localtime(time.time() - 3600))";
    let (_dir, path) = program("server.py", &server(an_hour_ago));
    let (_, document) = grade(&pack, &path);
    // The server closes after its one reply, which never matched.
    assert_eq!(kinds(&document), ["connection_ended"], "{document:#}");
    let expected = first_failure(&document)["expected"].as_str().unwrap_or("");
    assert!(expected.contains("{now} is the time now"), "{document:#}");
}

/// Validation messages for a pack whose spec is `yaml`.
fn validation(yaml: &str) -> String {
    let pack = pack(yaml, &[("hello.txt", b"hello\n")]);
    let output = netgrade()
        .arg("validate")
        .arg(pack.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stderr).into_owned()
        + &String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{yaml}\n{text}");
    text
}

#[test]
fn data_file_mistakes_are_spec_errors_at_their_line() {
    let unlisted = FILE_SERVER.replace("files: [hello.txt]\n", "");
    let text = validation(&unlisted);
    assert!(
        text.contains("`file: hello.txt` is not one of the exercise's data files"),
        "{text}"
    );
    assert!(text.contains(":9:"), "{text}");
    let missing = FILE_SERVER.replace("files: [hello.txt]", "files: [hello.txt, gone.txt]");
    let text = validation(&missing);
    assert!(
        text.contains("`gone.txt` is not in the exercise's folder"),
        "{text}"
    );
    let escaping = FILE_CLIENT.replace("path: saved.txt", "path: ../saved.txt");
    let text = validation(&escaping);
    assert!(text.contains("expect_file"), "{text}");
    let now_in_text = TIME_SERVER.replace("contains: \"time {now}\"", "text: \"{now}\"");
    let text = validation(&now_in_text);
    assert!(
        text.contains("`{now}` works in `contains` and `line`"),
        "{text}"
    );
}

const PORT_KIND: &str = "id: feature
title: Which kind of port?
reference: reference.py
answers: [system, user, dynamic, invalid]
tests:
  - name: the range edges
    steps:
      - differential: { oracle: reference, inputs: ['0', '1023', '1024', '49151', '49152', '65535', '65536', x] }
  - name: generated ports
    steps:
      - differential: { oracle: reference, generate: port-ranges, count: 40 }
";

/// A port classifier; `system_below` is where user ports start (1024 is right).
fn port_kind(prompt: &str, label: &str, system_below: u32) -> String {
    format!(
        "while True:
    try:
        text = input({prompt:?})
    except EOFError:
        break
    if not text.isdigit() or int(text) > 65535:
        print({label:?} + 'invalid')
    elif int(text) < {system_below}:
        print({label:?} + 'system')
    elif int(text) < 49152:
        print({label:?} + 'user')
    else:
        print({label:?} + 'dynamic')
"
    )
}

#[test]
fn an_instructors_reference_is_the_oracle_of_a_differential_test() {
    // The reference prompts and labels its answers; the answer is what follows the label.
    let pack = pack(
        PORT_KIND,
        &[(
            "reference.py",
            port_kind("port> ", "kind: ", 1024).as_bytes(),
        )],
    );
    let verified = netgrade()
        .args(["verify", "--exercises"])
        .arg(pack.path())
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    // A student without prompt or label who agrees passes; one off by one at 1024 fails both.
    let (_dir, path) = program("ports.py", &port_kind("", "", 1024));
    let (_, document) = grade(&pack, &path);
    assert_eq!(kinds(&document), ["passed", "passed"], "{document:#}");
    let (_dir, path) = program("ports.py", &port_kind("", "", 1025));
    let (_, document) = grade(&pack, &path);
    assert_eq!(kinds(&document)[0], "wrong_output", "{document:#}");
    // Every candidate for every input: one answer per input, so not a pass.
    let every = "while True:\n    input()\n    print('system\\nuser\\ndynamic\\ninvalid')\n";
    let (_dir, path) = program("ports.py", every);
    let (_, document) = grade(&pack, &path);
    assert_eq!(
        kinds(&document),
        ["several_answers", "several_answers"],
        "{document:#}"
    );
}

#[test]
fn a_reference_that_does_not_answer_is_the_graders_error_not_the_students() {
    let pack = pack(
        PORT_KIND,
        &[("reference.py", b"import time\ntime.sleep(60)\n")],
    );
    let (_dir, path) = program("ports.py", &port_kind("", "", 1024));
    let output = netgrade()
        .arg("--exercises")
        .arg(pack.path())
        .args(["test", "feature", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(2), "{document:#}");
    let error = document["tests"][0]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("reference program could not answer"),
        "{document:#}"
    );
}

#[test]
fn differential_mistakes_are_spec_errors() {
    let without_file = PORT_KIND.replace("reference: reference.py\n", "");
    let text = validation(&without_file);
    assert!(
        text.contains("needs the exercise's reference program in its folder"),
        "{text}"
    );
    let both = PORT_KIND.replace(
        "generate: port-ranges, count: 40",
        "generate: port-ranges, inputs: ['1']",
    );
    let text = validation(&both);
    assert!(text.contains("give exactly one of `inputs`"), "{text}");
    let builtin_with_inputs = PORT_KIND.replace(
        "oracle: reference, generate: port-ranges",
        "oracle: port-ranges, generate: port-ranges",
    );
    let text = validation(&builtin_with_inputs);
    assert!(text.contains("go with `oracle: reference`"), "{text}");
    let unknown = PORT_KIND.replace("generate: port-ranges", "generate: port-range");
    let text = validation(&unknown);
    assert!(text.contains("did you mean `port-ranges`"), "{text}");
}

#[test]
fn a_link_in_the_path_of_an_expected_file_is_not_followed() {
    // The program makes `received` a link to the machine's /etc: the grader, reading
    // `received/passwd` outside the run's view, would show the host's file in the report.
    let yaml = "id: feature
title: Saves a file
tests:
  - name: saves received/passwd
    steps:
      - expect_file: { path: received/passwd, contains: 'root:' }
";
    let pack = pack(yaml, &[]);
    let linker = "import os\nos.symlink('/etc', 'received')\n";
    let (_dir, path) = program("saver.py", linker);
    let (code, document) = grade(&pack, &path);
    assert_eq!(code, 1, "{document:#}");
    assert_eq!(kinds(&document), ["file_missing"], "{document:#}");
    assert!(!document.to_string().contains("root:x:0"), "{document:#}");
}

#[test]
fn a_file_handed_in_ready_made_does_not_pass_expect_file() {
    let pack = pack(FILE_CLIENT, &[("hello.txt", &hello())]);
    // The submission brings saved.txt with the right bytes and never downloads anything.
    let submission = tempfile::tempdir().unwrap();
    std::fs::write(
        submission.path().join("client.py"),
        "import socket\nsocket.create_connection(('127.0.0.1', 8888))\n",
    )
    .unwrap();
    std::fs::write(submission.path().join("saved.txt"), hello()).unwrap();
    let (code, document) = grade(&pack, submission.path());
    assert_eq!(code, 1, "{document:#}");
    assert_eq!(kinds(&document), ["file_missing"], "{document:#}");
}

#[test]
fn a_wrong_time_line_fails_at_once_and_the_time_zone_is_the_graders() {
    let yaml = TIME_SERVER.replace("contains: \"time {now}\"", "line: \"time {now}\"");
    let pack = pack(&yaml, &[]);
    let server = |time: &str| time_server(time, "");
    // The connection stays open: a wrong line must fail on its own, not at a close.
    let an_hour_ago = "time.strftime('%H:%M:%S', time.localtime(time.time() - 3600))";
    let (_dir, path) = program("server.py", &server(an_hour_ago));
    let started = std::time::Instant::now();
    let (_, document) = grade(&pack, &path);
    assert_eq!(kinds(&document), ["wrong_reply"], "{document:#}");
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
    // Under another time zone the program's clock and the expectation still agree.
    let (_dir, path) = program("server.py", &server("time.strftime('%H:%M:%S')"));
    let output = netgrade()
        .env("TZ", "Asia/Shanghai")
        .arg("--exercises")
        .arg(pack.path())
        .args(["test", "feature", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(kinds(&document), ["passed"], "{document:#}");
}

#[test]
fn a_reference_oracle_needs_the_possible_answers() {
    let text = validation(&PORT_KIND.replace("answers: [system, user, dynamic, invalid]\n", ""));
    assert!(
        text.contains("list every possible answer in `answers:`"),
        "{text}"
    );
}

#[test]
fn a_slow_reference_that_talks_before_its_answer_is_read_right() {
    // It says what it does, thinks for longer than a second, then answers.
    let slow = port_kind("", "", 1024).replace(
        "    if not text.isdigit()",
        "    print('checking ' + text + '...')\n    import time; time.sleep(1.2)\n    if not text.isdigit()",
    );
    let yaml = PORT_KIND.replace("count: 40", "count: 2");
    let pack = pack(&yaml, &[("reference.py", slow.as_bytes())]);
    let (_dir, path) = program("ports.py", &port_kind("", "", 1024));
    let (_, document) = grade(&pack, &path);
    assert_eq!(kinds(&document), ["passed", "passed"], "{document:#}");
}

#[test]
fn data_files_cannot_be_the_exercises_own() {
    let text = validation(&FILE_SERVER.replace("files: [hello.txt]", "files: [exercise.yaml]"));
    assert!(text.contains("is the exercise's own"), "{text}");
    let text = validation(&FILE_SERVER.replace(
        "files: [hello.txt]",
        "files: [hello.txt]\ngrader_files: [hello.txt]",
    ));
    assert!(text.contains("is also in `files:`"), "{text}");
    let text = validation(&FILE_SERVER.replace(
        "files: [hello.txt]",
        "entry: [hello.txt, server.py]\nfiles: [hello.txt]",
    ));
    assert!(
        text.contains("would replace the student's program"),
        "{text}"
    );
    let text = validation(
        &FILE_CLIENT
            .replace("grader_files: [hello.txt]", "files: [hello.txt]")
            .replace("path: saved.txt", "path: hello.txt"),
    );
    assert!(
        text.contains("is a data file the program is given"),
        "{text}"
    );
}

/// The bundled exercise's fixture `file` graded on test `number`: its JSON failure.
fn bundled_failure(exercise: &str, number: &str, file: &str) -> serde_json::Value {
    let output = netgrade()
        .args(["test", exercise, "--test", number, "--format", "json"])
        .arg(repo().join("exercises").join(exercise).join(file))
        .output()
        .unwrap();
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    document["tests"][0]["failure"].clone()
}

#[test]
fn a_whole_file_that_does_not_come_says_why() {
    // Text mode on a binary file: the crash is the headline, not "received nothing".
    let failure = bundled_failure("file-server", "3", "solutions/bad/text_mode.py");
    let cause = failure["cause"].as_str().unwrap_or_default();
    assert!(cause.contains("crashed: UnicodeDecodeError"), "{failure:#}");
    // One byte too many in a saved file: the detail shows it.
    let failure = bundled_failure("file-client", "4", "solutions/bad/text_mode_print.py");
    assert_eq!(failure["kind"], "wrong_file", "{failure:#}");
    let detail = failure["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("then 1 more: \"\\n\""), "{failure:#}");
}
