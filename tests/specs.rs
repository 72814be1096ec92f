//! Bad exercise specs: each error names file:line:column and what was expected, exits 2,
//! and never panics. A good custom pack is graded with `--exercises DIR`.

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
        text.contains("<pack>/hello/exercise.yaml:11:5: unknown field `pionts`"),
        "{text}"
    );
    assert!(
        text.contains(
            "expected one of name, points, hint, robustness, visibility, tags, timeout, steps"
        ),
        "{text}"
    );
}

#[test]
fn an_unknown_step_lists_the_step_kinds() {
    let text = error_for(&GOOD.replace("- close: a", "- hangup: a"));
    assert!(
        text.contains("exercise.yaml:10:9: unknown variant `hangup`"),
        "{text}"
    );
    assert!(text.contains("connect, send, expect"), "{text}");
}

#[test]
fn a_wrong_type_names_its_place() {
    let text = error_for(&GOOD.replace("tcp: 8888", "tcp: eighty"));
    assert!(
        text.contains("exercise.yaml:3:28: expected a port number (1 to 65535)"),
        "{text}"
    );
}

#[test]
fn a_missing_field_is_named() {
    let text = error_for(&GOOD.replace("title: Says hello\n", ""));
    assert!(text.contains("missing field `title`"), "{text}");
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
    assert!(text.contains("duplicate mapping key"), "{text}");
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
