//! A documented default must be the code's default. Every "(default X)" in `netgrade schema`
//! and the defaults the README states are compared with what the plan of a spec that leaves
//! those keys out actually uses.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::netgrade;
use netgrade::plan::{Action, ConsoleAction, Exercise, TcpAction, TcpVerb, TestPlan, parse_size};

/// A spec that gives no optional key, so every value in its plan is a default.
const BARE: &str = "id: bare
title: Bare
program: { listens: { tcp: 8888 } }
tests:
  - name: t
    steps:
      - connect: a
      - send: { to: a, text: hi, piece_size: 1 }
      - expect: { from: a, text: x }
      - wait_accepted: { client: a }
";

const CONSOLE: &str = "id: console
title: Console
tests:
  - name: t
    steps:
      - expect_output: { answer: x }
";

const ADVICE: &str = "id: advice
title: Advice
tests:
  - name: t
    robustness: { why: x }
    steps:
      - expect_output: { answer: x }
";

fn tcp_verbs(test: &TestPlan) -> Vec<&TcpVerb> {
    test.steps
        .iter()
        .filter_map(|step| match &step.action {
            Action::Tcp(TcpAction { verb, .. }) => Some(verb),
            _ => None,
        })
        .collect()
}

/// The code's defaults, by `Definition.key` as the schema names them, as comparable text.
fn code_defaults() -> BTreeMap<&'static str, String> {
    let bare = Exercise::from_yaml(BARE, "bare.yaml").unwrap();
    let console = Exercise::from_yaml(CONSOLE, "console.yaml").unwrap();
    let test = &bare.tests[0];
    let duration = |d: Duration| humantime::format_duration(d).to_string();
    let mut defaults = BTreeMap::new();
    defaults.insert("TimeoutsSpec.start", duration(bare.start_timeout));
    defaults.insert("TimeoutsSpec.test", duration(test.timeout));
    for verb in tcp_verbs(test) {
        match verb {
            TcpVerb::Expect { timeout, .. } => {
                defaults.insert("TimeoutsSpec.step", duration(*timeout));
            }
            TcpVerb::Send {
                pieces: Some((_, pause)),
                ..
            } => {
                defaults.insert("SendSpec.pause", duration(*pause));
            }
            TcpVerb::WaitAccepted { up_to } => {
                defaults.insert("WaitAcceptedSpec.up_to", duration(*up_to));
            }
            _ => {}
        }
    }
    let limits = bare.limits;
    defaults.insert("LimitsSpec.cpu", duration(limits.cpu()));
    defaults.insert("LimitsSpec.memory", limits.memory_bytes.to_string());
    defaults.insert("LimitsSpec.processes", limits.processes.to_string());
    defaults.insert("LimitsSpec.file_size", limits.file_bytes.to_string());
    defaults.insert("LimitsSpec.open_files", limits.open_files.to_string());
    defaults.insert("TestSpec.points", test.points.to_string());
    defaults.insert("TestSpec.visibility", test.visibility.as_str().to_owned());
    let advice = Exercise::from_yaml(ADVICE, "advice.yaml").unwrap();
    let robustness = advice.tests[0].robustness.as_ref().unwrap();
    defaults.insert("RobustnessSpec.counts", robustness.counts.to_string());
    defaults.insert(
        "ProgramSpec.traceback",
        format!("{:?}", bare.traceback).to_lowercase(),
    );
    if let Action::Console(ConsoleAction::ExpectOutput { stream, .. }) =
        &console.tests[0].steps[0].action
    {
        defaults.insert("ExpectOutputSpec.stream", stream.name().to_owned());
    }
    defaults
}

/// A documented default in the code's comparable form: durations and sizes normalised.
fn comparable(key: &str, documented: &str) -> String {
    let word = documented
        .trim()
        .trim_matches('`')
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .trim_matches('`');
    if key.ends_with(".memory") || key.ends_with(".file_size") {
        return parse_size(word).map_or_else(|e| e, |bytes| bytes.to_string());
    }
    match humantime::parse_duration(word) {
        Ok(duration) if word.ends_with('s') => humantime::format_duration(duration).to_string(),
        _ => word.to_owned(),
    }
}

#[test]
fn every_default_in_the_schema_is_the_code_s() {
    let output = netgrade().arg("schema").output().unwrap();
    assert!(output.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let code = code_defaults();
    let pattern = regex::Regex::new(r"\(default ([^)]*)\)").unwrap();
    let mut checked = 0;
    for (definition, body) in schema["$defs"].as_object().unwrap() {
        let Some(properties) = body["properties"].as_object() else {
            continue;
        };
        for (property, value) in properties {
            let description = value["description"].as_str().unwrap_or_default();
            for found in pattern.captures_iter(description) {
                let key = format!("{definition}.{property}");
                let Some(expected) = code.get(key.as_str()) else {
                    panic!(
                        "the schema documents a default for {key} that this test does not know: add it to code_defaults()"
                    );
                };
                assert_eq!(
                    &comparable(&key, &found[1]),
                    expected,
                    "{key}: the schema says {:?}",
                    &found[1]
                );
                checked += 1;
            }
        }
    }
    assert_eq!(
        checked,
        code.len(),
        "every default of the code is documented in the schema"
    );
}

#[test]
fn the_defaults_the_readme_states_are_the_code_s() {
    let readme = std::fs::read_to_string(common::repo().join("README.md")).unwrap();
    let code = code_defaults();
    let statement =
        regex::Regex::new(r"(?s)`(limits|timeouts): \{([^}]*)\}`\s*\(these are the defaults")
            .unwrap();
    let mut checked = 0;
    for found in statement.captures_iter(&readme) {
        let definition = if &found[1] == "limits" {
            "LimitsSpec"
        } else {
            "TimeoutsSpec"
        };
        for pair in found[2].split(',') {
            let (name, value) = pair.split_once(':').expect("key: value");
            let key = format!("{definition}.{}", name.trim());
            let expected = code
                .get(key.as_str())
                .unwrap_or_else(|| panic!("README states a default for unknown {key}"));
            assert_eq!(&comparable(&key, value), expected, "README: {key}");
            checked += 1;
        }
    }
    assert_eq!(
        checked, 8,
        "the README states the 5 limits and 3 timeouts as defaults"
    );
}
