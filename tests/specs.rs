//! Bad exercise specs: every error of a spec is reported, each at the file:line:column of the
//! value at fault with the lines around it, in words (never a Rust type), with a "did you
//! mean" for a typo; `validate` exits 2 and never panics. A good custom pack is graded with
//! `--exercises DIR`.

mod common;

use std::path::Path;

use common::netgrade;

const GOOD: &str = "id: hello
title: Says hello
program: { listens: { tcp: 8888 } }
tests:
  - name: hello back
    steps:
      - connect: a
      - send: { to: a, text: hi }
      - expect: { from: a, text: Thanks }
      - close: a
";

/// A pack with one exercise `hello` whose spec is `yaml`.
fn pack(yaml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("hello")).unwrap();
    std::fs::write(dir.path().join("hello/exercise.yaml"), yaml).unwrap();
    dir
}

/// Runs `netgrade validate` on the pack; returns exit code and all output.
fn validate(dir: &Path) -> (i32, String) {
    let output = netgrade().arg("validate").arg(dir).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap(), text)
}

fn error_for(yaml: &str) -> String {
    let dir = pack(yaml);
    let (code, text) = validate(dir.path());
    assert_eq!(code, 2, "{text}");
    assert!(!text.contains("panicked"), "{text}");
    text.replace(&dir.path().display().to_string(), "<pack>")
}

#[test]
fn a_good_spec_validates() {
    let dir = pack(GOOD);
    let (code, text) = validate(dir.path());
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("(1 tests)"), "{text}");
}

#[test]
fn an_unknown_key_names_its_place_and_the_expected_keys() {
    let text = error_for(&GOOD.replace("      - close: a", "      - close: a\n    pionts: 3"));
    assert!(
        text.contains(
            "<pack>/hello/exercise.yaml:11:5: unknown key `pionts` — did you mean `points`?"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "expected one of name, points, hint, robustness, visibility, tags, timeout, args, steps"
        ),
        "{text}"
    );
}

#[test]
fn an_unknown_step_lists_the_step_kinds() {
    let text = error_for(&GOOD.replace("- close: a", "- hangup: a"));
    assert!(
        text.contains("exercise.yaml:10:9: unknown step `hangup` (the steps are: connect"),
        "{text}"
    );
    assert!(text.contains("connect, send, expect"), "{text}");
}

#[test]
fn a_wrong_type_names_its_place() {
    let text = error_for(&GOOD.replace("tcp: 8888", "tcp: eighty"));
    assert!(
        text.contains("exercise.yaml:3:28: expected a port number from 1 to 65535, found `eighty`"),
        "{text}"
    );
}

#[test]
fn a_missing_field_is_named() {
    let text = error_for(&GOOD.replace("title: Says hello\n", ""));
    assert!(text.contains("missing key `title`"), "{text}");
}

#[test]
fn a_client_used_before_connecting_is_named_at_its_step() {
    let text = error_for(&GOOD.replace("      - connect: a\n", ""));
    assert!(
        text.contains("exercise.yaml:7:9: connection `a` is not open here; add `- connect: a`"),
        "{text}"
    );
}

#[test]
fn duplicate_keys_and_bad_durations_are_errors() {
    let text = error_for(&GOOD.replace("title: Says hello", "title: Says hello\ntitle: again"));
    assert!(
        text.contains("exercise.yaml:3:1: duplicate key `title`: a key may appear once"),
        "{text}"
    );
    let text = error_for(&format!("{GOOD}timeouts: {{ step: 5 parsecs }}\n"));
    assert!(text.contains("expected a duration"), "{text}");
}

#[test]
fn binary_junk_and_deep_nesting_get_a_clear_error() {
    let text = error_for("\u{0}\u{1}\u{2}garbage");
    assert!(text.contains("exercise.yaml:1:1"), "{text}");
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let text = error_for(&deep);
    assert!(text.contains("exercise.yaml"), "{text}");
}

#[test]
fn grading_against_a_bad_pack_exits_2_with_the_location() {
    let dir = pack(&GOOD.replace("- close: a", "- hangup: a"));
    let output = netgrade()
        .arg("--exercises")
        .arg(dir.path())
        .args([
            "test",
            "hello",
            "exercises/tcp-server/solutions/good/server_loopback.py",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("exercise.yaml:10:9"), "{err}");
}

#[test]
fn a_custom_pack_grades_a_program() {
    let dir = pack(GOOD);
    let output = netgrade()
        .arg("--exercises")
        .arg(dir.path())
        .args([
            "test",
            "hello",
            "exercises/tcp-server/solutions/good/server_loopback.py",
        ])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(out.contains("score: 1/1"), "{out}");
}

#[test]
fn a_missing_pack_folder_is_named() {
    let output = netgrade()
        .args(["--exercises", "no/such/pack", "list"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no/such/pack: no such folder"));
}

#[test]
fn texts_are_text_in_one_language_or_both() {
    use netgrade::plan::Exercise;
    // YAML 1.1 would read `n` as false and `1` as a number: here each is the text written.
    let spec = GOOD
        .replace("  - name: hello back", "  - name: n\n    hint: no")
        .replace("title: Says hello", "title: { en: Says hello, zh: 打招呼 }");
    let exercise = Exercise::from_yaml(&spec, "t.yaml").unwrap();
    assert_eq!(exercise.tests[0].name.en, "n");
    assert_eq!(exercise.tests[0].hint.as_ref().unwrap().en, "no");
    assert_eq!(exercise.title.en, "Says hello");
    assert_eq!(exercise.title.zh.as_deref(), Some("打招呼"));
    let numbered = Exercise::from_yaml(&GOOD.replace("name: hello back", "name: 1"), "t.yaml");
    assert_eq!(numbered.unwrap().tests[0].name.en, "1");
    // A language netgrade does not know is an error at its place.
    let text = error_for(&GOOD.replace("title: Says hello", "title: { en: Hi, fr: Salut }"));
    assert!(text.contains("exercise.yaml:2:"), "{text}");
    assert!(text.contains("fr"), "{text}");
}

/// The first line of each reported problem (`…/exercise.yaml:L:C: message`).
fn problems(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with("error ")).collect()
}

#[test]
fn every_problem_of_a_spec_is_reported_each_at_its_place() {
    let spec = GOOD
        .replace("id: hello", "id: helo")
        .replace("    steps:", "    timeout: 2h\n    steps:")
        .replace("{ to: a, text: hi }", "{ to: b, text: hi }");
    let text = error_for(&spec);
    let found = problems(&text);
    assert_eq!(found.len(), 3, "{text}");
    assert!(found[0].contains("exercise.yaml:1:5: id `helo` must be the folder's name, `hello`"));
    assert!(found[1].contains("exercise.yaml:6:14: test 1: timeout: 2h is out of range"));
    assert!(found[2].contains("exercise.yaml:9:9: connection `b` is not open here"));
    // Each with the lines around it, the value marked.
    assert_eq!(text.matches("^ ").count(), 3, "{text}");
    assert!(
        text.contains("6 |     timeout: 2h\n  |              ^ test 1"),
        "{text}"
    );
    assert!(text.contains("3 errors in 1 spec"), "{text}");
}

#[test]
fn every_test_and_every_step_is_checked() {
    let spec = format!(
        "{GOOD}  - name: second\n    steps:\n      - connect: c\n      - expect: {{ from: c, regex: '(' }}\n      - expect_nothing: {{ from: c, for: 3h }}\n"
    )
    .replace("      - connect: a\n", "");
    let text = error_for(&spec);
    let found = problems(&text);
    // `a` is never opened: said once for its test, not at each step that uses it.
    assert_eq!(found.len(), 3, "{text}");
    assert!(
        found[0].contains("exercise.yaml:7:9: connection `a` is not open"),
        "{text}"
    );
    assert!(found[1].contains(":13:9: expect: `regex` does not compile: unclosed group"));
    assert!(
        found[2].contains(":14:9: for: 3h is out of range"),
        "{text}"
    );
}

#[test]
fn a_wrong_program_is_one_problem_not_one_per_step() {
    let text = error_for(&GOOD.replace(
        "program: { listens: { tcp: 8888 } }",
        "program:\n  listens: { tcp: 8888 }\n  connects: { tcp: 9999 }",
    ));
    let found = problems(&text);
    assert_eq!(found.len(), 1, "{text}");
    assert!(
        found[0].contains("exercise.yaml:5:13: program: give `listens` (a server) or `connects`"),
        "{text}"
    );
}

#[test]
fn an_unknown_key_gets_a_did_you_mean() {
    let text = error_for(&GOOD.replace("    steps:", "    hnit: reply\n    steps:"));
    assert!(
        text.contains("exercise.yaml:6:5: unknown key `hnit` — did you mean `hint`? (expected one of name, points, hint,"),
        "{text}"
    );
    let text = error_for(&GOOD.replace("{ to: a, text: hi }", "{ to: a, txet: hi }"));
    assert!(
        text.contains("exercise.yaml:8:24: unknown key `txet` — did you mean `text`?"),
        "{text}"
    );
    // Nothing near: no guess, the keys there are.
    let text = error_for(&GOOD.replace("    steps:", "    colour: red\n    steps:"));
    assert!(
        text.contains("unknown key `colour` (expected one of name,"),
        "{text}"
    );
}

#[test]
fn an_unknown_step_or_value_gets_a_did_you_mean() {
    let text = error_for(&GOOD.replace("- close: a", "- clsoe: a"));
    assert!(
        text.contains("exercise.yaml:10:9: unknown step `clsoe` — did you mean `close`? (the steps are: connect, send,"),
        "{text}"
    );
    let text = error_for(&GOOD.replace("    steps:", "    visibility: hiden\n    steps:"));
    assert!(
        text.contains("exercise.yaml:6:17: unknown value `hiden` — did you mean `hidden`? (expected one of visible, hidden,"),
        "{text}"
    );
}

#[test]
fn a_duration_without_its_unit_gets_a_guess() {
    let with_timeout = |value: &str| {
        error_for(&GOOD.replace(
            "text: Thanks }",
            &format!("text: Thanks, timeout: {value} }}"),
        ))
    };
    let text = with_timeout("200");
    assert!(
        text.contains("exercise.yaml:9:51: expected a duration such as 200ms or 2s, found the number 200 — did you mean 200ms?"),
        "{text}"
    );
    assert!(with_timeout("2").contains("found the number 2 — did you mean 2s?"));
    let text = with_timeout("200mS");
    assert!(
        text.contains("exercise.yaml:9:51: expected a duration such as 200ms or 2s, found `200mS`: unknown unit `mS` (the units are ms, s, m and h) — did you mean 200ms?"),
        "{text}"
    );
    let text = with_timeout("2 sek");
    assert!(
        text.contains("unknown unit `sek` (the units are ms, s, m and h) — did you mean 2sec?"),
        "{text}"
    );
    let text = error_for(&format!("{GOOD}timeouts: {{ step: 5 parsecs }}\n"));
    assert!(text.contains("exercise.yaml:11:19: expected a duration such as 200ms or 2s, found `5 parsecs`: unknown unit `parsecs`"), "{text}");
}

#[test]
fn numbers_out_of_range_are_said_in_words() {
    let text = error_for(&GOOD.replace("tcp: 8888", "tcp: 70000"));
    assert!(
        text.contains("exercise.yaml:3:28: expected a port number from 1 to 65535, found 70000"),
        "{text}"
    );
    let text = error_for(&GOOD.replace("    steps:", "    points: -3\n    steps:"));
    assert!(
        text.contains("exercise.yaml:6:13: expected a whole number (0 or more), found -3"),
        "{text}"
    );
    let text = error_for(&GOOD.replace(
        "{ to: a, text: hi }",
        "{ to: a, text: hi, piece_size: many }",
    ));
    assert!(
        text.contains("exercise.yaml:8:46: expected a whole number (0 or more), found `many`"),
        "{text}"
    );
    let text = error_for(&format!("{GOOD}limits: {{ memory: 1KiB, processes: 0 }}\n"));
    assert!(
        text.contains("exercise.yaml:11:19: limits.memory: 1KiB is out of range (16MiB to 16GiB)"),
        "{text}"
    );
    assert!(
        text.contains("exercise.yaml:11:36: limits.processes: 0 is out of range (1 to 4096)"),
        "{text}"
    );
}

#[test]
fn the_id_must_be_the_folder_s_name() {
    let dir = pack(&GOOD.replace("id: hello", "id: tcp-servr"));
    let folder = dir.path().join("hello");
    let expected = "exercise.yaml:1:5: id `tcp-servr` must be the folder's name, `hello`";
    // A pack, one exercise folder, its spec file: the same check.
    for target in [
        dir.path().to_owned(),
        folder.clone(),
        folder.join("exercise.yaml"),
    ] {
        let output = netgrade().arg("validate").arg(&target).output().unwrap();
        let out = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(2), "{out}");
        assert!(out.contains(expected), "{out}");
    }
    // Named from inside its folder, too.
    let output = netgrade()
        .current_dir(&folder)
        .args(["validate", "exercise.yaml"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains(expected));
    // Loading the pack refuses it, so `list` and `show` never disagree.
    let output = netgrade()
        .arg("--exercises")
        .arg(dir.path())
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains(expected));
    // A spec file that is not an exercise folder's may have any id.
    let loose = tempfile::tempdir().unwrap();
    std::fs::write(
        loose.path().join("draft.yaml"),
        GOOD.replace("id: hello", "id: other"),
    )
    .unwrap();
    let (code, text) = validate(&loose.path().join("draft.yaml"));
    assert_eq!(code, 0, "{text}");
}

#[test]
fn problems_that_pointed_at_1_1_point_at_their_value() {
    let at = |spec: &str, place: &str, words: &str| {
        let text = error_for(spec);
        assert!(
            text.contains(&format!("exercise.yaml:{place}: {words}")),
            "{text}"
        );
    };
    at(
        &GOOD.replace("id: hello", "id: Hello"),
        "1:5",
        "exercise id `Hello` must be lowercase",
    );
    let no_tests = "id: hello\ntitle: T\ntests: []\n";
    at(no_tests, "3:8", "the exercise has no tests");
    at(
        &format!("{GOOD}timeouts:\n  start: 1s\n  step: 0s\n"),
        "13:9",
        "timeouts.step: 0s is out of range",
    );
    at(
        &format!("{GOOD}limits: {{ cpu: 1h }}\n"),
        "11:16",
        "limits.cpu: 1h is out of range",
    );
    at(
        &format!("{GOOD}entry: [server.py, ../x.py]\n"),
        "11:20",
        "entry `../x.py` must be a file name",
    );
    let advice = GOOD.replace(
        "    steps:",
        "    robustness: { why: fragile }\n    points: 2\n    steps:",
    );
    at(
        &advice,
        "7:13",
        "test 1: a robustness check that does not count gives no points",
    );
}

/// Rust's words a message must never use (whole words).
const RUST_WORDS: [&str; 14] = [
    "i32",
    "u32",
    "u16",
    "u64",
    "usize",
    "f64",
    "Duration",
    "Option",
    "Vec",
    "String",
    "struct",
    "enum",
    "unit value",
    "invalid type",
];

fn rust_words_in(message: &str) -> Vec<&'static str> {
    let words: Vec<&str> = message
        .split(|c: char| !c.is_ascii_alphanumeric() && c != ' ')
        .flat_map(|part| std::iter::once(part).chain(part.split(' ')))
        .collect();
    RUST_WORDS
        .into_iter()
        .filter(|rust| {
            words
                .iter()
                .any(|w| w == rust || (rust.contains(' ') && w.contains(rust)))
        })
        .collect()
}

#[test]
fn no_rust_type_name_reaches_a_message() {
    use netgrade::plan::Exercise;
    // Every key of the schema, each in a spec of its own with `VALUE` to replace.
    let head = "id: t\ntitle: T\n";
    let test = "tests:\n  - name: n\n    steps:\n      - connect: a\n";
    let places = [
        format!("id: VALUE\ntitle: T\n{test}"),
        format!("id: t\ntitle: VALUE\n{test}"),
        format!("{head}reference: VALUE\n{test}"),
        format!("{head}entry: VALUE\n{test}"),
        format!("{head}entry: [VALUE]\n{test}"),
        format!("{head}program: VALUE\n{test}"),
        format!("{head}program: {{ listens: VALUE }}\n{test}"),
        format!("{head}program: {{ listens: {{ tcp: VALUE }} }}\n{test}"),
        format!("{head}program: {{ connects: {{ udp: VALUE }} }}\n{test}"),
        format!("{head}program: {{ traceback: VALUE }}\n{test}"),
        format!("{head}program: {{ stop: VALUE }}\n{test}"),
        format!("{head}timeouts: VALUE\n{test}"),
        format!("{head}timeouts: {{ start: VALUE }}\n{test}"),
        format!("{head}limits: VALUE\n{test}"),
        format!("{head}limits: {{ cpu: VALUE }}\n{test}"),
        format!("{head}limits: {{ memory: VALUE }}\n{test}"),
        format!("{head}limits: {{ processes: VALUE }}\n{test}"),
        format!("{head}limits: {{ file_size: VALUE }}\n{test}"),
        format!("{head}limits: {{ open_files: VALUE }}\n{test}"),
        format!("{head}answers: VALUE\n{test}"),
        format!("{head}answers: {{ pattern: VALUE }}\n{test}"),
        format!("{head}tests: VALUE\n"),
        format!("{head}tests: [VALUE]\n"),
        format!(
            "{head}{}",
            test.replace("    steps:", "    points: VALUE\n    steps:")
        ),
        format!(
            "{head}{}",
            test.replace("    steps:", "    hint: VALUE\n    steps:")
        ),
        format!(
            "{head}{}",
            test.replace("    steps:", "    robustness: VALUE\n    steps:")
        ),
        format!(
            "{head}{}",
            test.replace(
                "    steps:",
                "    robustness: {{ why: w, counts: VALUE }}\n    steps:"
            )
        ),
        format!(
            "{head}{}",
            test.replace("    steps:", "    visibility: VALUE\n    steps:")
        ),
        format!(
            "{head}{}",
            test.replace("    steps:", "    tags: VALUE\n    steps:")
        ),
        format!(
            "{head}{}",
            test.replace("    steps:", "    timeout: VALUE\n    steps:")
        ),
        format!("{head}tests:\n  - name: n\n    steps: VALUE\n"),
        format!("{head}tests:\n  - name: n\n    steps: [VALUE]\n"),
    ];
    let steps = [
        "connect: VALUE",
        "close_stdin: VALUE",
        "type: VALUE",
        "send: VALUE",
        "send: { to: a, text: VALUE }",
        "send: { to: a, text: x, repeat: VALUE }",
        "send: { to: a, text: x, piece_size: VALUE }",
        "send: { to: a, text: x, piece_size: 1, pause: VALUE }",
        "expect: { from: a, bytes: VALUE }",
        "expect: { from: a, text: x, timeout: VALUE }",
        "expect_nothing: { from: a, for: VALUE }",
        "expect_closed: { from: a, timeout: VALUE }",
        "wait_accepted: { client: a, up_to: VALUE }",
        "datagram: { from: a, text: x, repeat: VALUE }",
        "expect_datagram: { at: a, text: x, timeout: VALUE }",
        "expect_no_datagram: { at: a, for: VALUE }",
        "expect_output: { answer: x, stream: VALUE }",
        "expect_output: { keywords: VALUE }",
        "expect_exit: { code: VALUE }",
        "differential: { oracle: VALUE, count: 1 }",
        "differential: { oracle: port-ranges, count: VALUE }",
    ];
    let places = places.into_iter().chain(
        steps
            .iter()
            .map(|step| format!("{head}{test}      - {step}\n")),
    );
    let values = [
        "x",
        "-1",
        "2.5",
        "0",
        "70000",
        "99999999999999999999",
        "[1]",
        "{ a: 1 }",
        "~",
        "true",
        "''",
        "200",
        "200mS",
        "[[[1]]]",
    ];
    let mut checked = 0;
    for place in places {
        for value in values {
            let spec = place.replace("VALUE", value);
            let Err(error) = Exercise::from_yaml(&spec, "t.yaml") else {
                continue;
            };
            for problem in error.problems() {
                let message = problem.to_string();
                assert!(message.starts_with("t.yaml:"), "{message}");
                let rust = rust_words_in(&message);
                assert!(rust.is_empty(), "{rust:?} in:\n{message}\nfor:\n{spec}");
                checked += 1;
            }
        }
    }
    assert!(checked > 300, "only {checked} messages");
}

#[test]
fn every_shape_error_of_a_file_is_reported_at_its_own_line() {
    let yaml = "id: hello
title: T
timeouts: { step: 200 }
program: { listens: { tcp: 8888 } }
tests:
  - name: a
    hnit: hello
    points: -1
    steps:
      - conect: a
      - connect: a
      - expect: { from: a, text: hi, timeout: 2 }
";
    let text = error_for(yaml);
    for expected in [
        "exercise.yaml:3:19: expected a duration such as 200ms or 2s, found the number 200 — did you mean 200ms?",
        "exercise.yaml:7:5: unknown key `hnit` — did you mean `hint`?",
        "exercise.yaml:8:13: expected a whole number (0 or more), found -1",
        "exercise.yaml:10:9: unknown step `conect` — did you mean `connect`?",
        "exercise.yaml:12:47: expected a duration such as 200ms or 2s, found the number 2 — did you mean 2s?",
    ] {
        assert!(text.contains(expected), "{expected}\n{text}");
    }
    assert!(text.contains("5 errors in 1 spec"), "{text}");
}

#[test]
fn a_blanked_error_does_not_cause_another() {
    // The only step is wrong: blanking it leaves `steps` empty, which is not a second error.
    let yaml = "id: hello
title: T
program: { listens: { tcp: 8888 } }
tests:
  - name: a
    steps:
      - conect: a
";
    let text = error_for(yaml);
    assert!(text.contains("unknown step `conect`"), "{text}");
    assert!(text.contains("1 error in 1 spec"), "{text}");
}

#[test]
fn what_the_blanking_leaves_behind_is_not_reported() {
    // A wrong value of a required key: no "missing key `title`" after it.
    let text = error_for(
        "id: hello
title: [T]
program: { listens: { tcp: 8888 } }
tests:
  - name: a
    steps:
      - connect: a
",
    );
    assert!(
        text.contains("exercise.yaml:2:8: expected a text"),
        "{text}"
    );
    assert!(!text.contains("missing key"), "{text}");
    // An unknown key whose list sits at its own indent (PyYAML's style): no syntax error after.
    let text = error_for(
        "id: hello
title: T
program: { listens: { tcp: 8888 } }
tests:
- name: a
  stepz:
  - connect: a
",
    );
    assert!(text.contains("unknown key `stepz`"), "{text}");
    assert!(text.contains("1 error in 1 spec"), "{text}");
}
