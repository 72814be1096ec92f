//! `netgrade show EXERCISE --test N`: one test's points, hint and steps, each step with the
//! line of the spec it came from — so the "spec line 73" of a report leads to the step.

mod common;

use common::{netgrade, repo};

fn run(args: &[&str]) -> (i32, String, String) {
    let output = netgrade().args(args).output().expect("netgrade runs");
    (
        output.status.code().expect("exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The steps `show --test` lists: (step number, words, spec line).
fn steps(shown: &str) -> Vec<(usize, String, usize)> {
    shown
        .lines()
        .filter_map(|line| {
            let (number, rest) = line.trim_start().split_once(". ")?;
            let (words, spec) = rest.rsplit_once("  (spec line ")?;
            Some((
                number.parse().ok()?,
                words.to_owned(),
                spec.strip_suffix(')')?.parse().ok()?,
            ))
        })
        .collect()
}

#[test]
fn a_test_is_shown_with_its_points_hint_and_steps_at_their_spec_lines() {
    let (code, out, err) = run(&["show", "tcp-server", "--test", "4"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("tcp-server — test 4: a second client is served after the first leaves"),
        "{out}"
    );
    assert!(out.contains("2 points"), "{out}");
    assert!(out.contains("hint: put accept() in an outer loop"), "{out}");
    let listed = steps(&out);
    assert_eq!(listed.len(), 8, "eight steps with their spec lines:\n{out}");
    assert_eq!(listed[4].1, "client b connects", "{out}");

    // Each spec line is the step's own line in the exercise file.
    let spec = std::fs::read_to_string(repo().join("exercises/tcp-server/exercise.yaml")).unwrap();
    let spec: Vec<&str> = spec.lines().collect();
    let written: Vec<&str> = listed
        .iter()
        .map(|(_, _, line)| spec[line - 1].trim())
        .collect();
    assert_eq!(
        written,
        [
            "- connect: a",
            "- send: { to: a, text: \"first\" }",
            "- expect: { from: a, reply: \"Thanks\" }",
            "- close: a",
            "- connect: b",
            "- send: { to: b, text: \"second\" }",
            "- expect: { from: b, reply: \"Thanks\" }",
            "- close: b",
        ]
    );
}

#[test]
fn the_spec_line_of_a_report_is_a_step_show_lists() {
    let bad = repo().join("exercises/tcp-server/solutions/bad/one_client_then_exit.py");
    let report = netgrade()
        .args(["test", "tcp-server", "--test", "4"])
        .arg(&bad)
        .output()
        .expect("netgrade runs");
    let report = String::from_utf8_lossy(&report.stdout);
    let (step, line) = report
        .lines()
        .find_map(|l| {
            let rest = l.trim().strip_prefix("at step ")?;
            let (step, rest) = rest.split_once(" (spec line ")?;
            let (line, _) = rest.split_once(')')?;
            Some((step.parse::<usize>().ok()?, line.parse::<usize>().ok()?))
        })
        .unwrap_or_else(|| panic!("no \"at step N (spec line L)\" in the report:\n{report}"));
    let (code, out, _) = run(&["show", "tcp-server", "--test", "4"]);
    assert_eq!(code, 0);
    assert!(
        steps(&out).iter().any(|(n, _, l)| (*n, *l) == (step, line)),
        "step {step} at spec line {line} is not in:\n{out}"
    );
}

#[test]
fn a_robustness_test_says_what_it_is() {
    let (code, out, _) = run(&["show", "tcp-server", "--test", "9"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("robustness check, advice only") && out.contains("byte stream"),
        "{out}"
    );
}

#[test]
fn a_test_is_shown_in_chinese() {
    let (code, out, _) = run(&["--lang", "zh", "show", "tcp-server", "--test", "4"]);
    assert_eq!(code, 0);
    assert!(out.contains("测试 4"), "{out}");
    assert!(out.contains("步骤："), "{out}");
    assert!(out.contains("测试规格第"), "{out}");
}

#[test]
fn a_test_out_of_range_is_an_error_naming_the_range() {
    for number in ["0", "10"] {
        let (code, out, err) = run(&["show", "tcp-server", "--test", number]);
        assert_eq!(code, 2, "--test {number}: {out}");
        assert!(
            err.contains(&format!(
                "--test {number}: exercise tcp-server has tests 1 to 9"
            )),
            "{err}"
        );
    }
    // Without --test, the statement as before.
    let (code, out, _) = run(&["show", "tcp-server"]);
    assert_eq!(code, 0);
    assert!(out.contains("How it is tested"), "{out}");
}
