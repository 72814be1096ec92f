//! Spec → plan: [`Exercise::from_spec`], the one place where a spec's fields are checked
//! against each other. Every problem is reported, not only the first: each names the spec
//! file and the line and column of the value at fault, and validation goes on after it
//! (every key, every test, every step), so one run of `netgrade validate` lists them all.

use std::time::Duration;

use serde_saphyr::Spanned;

use super::action::{Action, ConsoleAction};
use super::answers::AnswerSet;
use super::matchers::OutputMatcher;
use super::peer_checks::PeerState;
use super::steps::{StepDefaults, plan_action, regex_problem};
use super::values::{check_duration, check_entry, check_id, plan_limits};
use super::{
    DEFAULT_START_TIMEOUT, DEFAULT_STEP_TIMEOUT, DEFAULT_TEST_TIMEOUT, Exercise, ProgramRole,
    Robustness, Step, TestPlan,
};
use crate::i18n::Localized;
use crate::spec::{
    AnswersSpec, ExerciseSpec, PortSpec, ProgramSpec, SpecError, SpecPositions, TestSpec, TextSpec,
    parse_spec,
};

impl Exercise {
    /// Parses and validates a spec. `source` names the file in every error; the error holds
    /// every problem found ([`SpecError::problems`]).
    pub fn from_yaml(text: &str, source: &str) -> Result<Exercise, SpecError> {
        load(text, source, None)
    }

    /// [`Exercise::from_yaml`] for the spec of an exercise folder: its `id` must also be the
    /// folder's name, so `list` (the id) and `show` (the folder) name it alike.
    pub fn from_yaml_in_folder(
        text: &str,
        source: &str,
        folder: &str,
    ) -> Result<Exercise, SpecError> {
        load(text, source, Some(folder))
    }

    /// Validates a parsed spec into a plan. Without the spec's text, the few values the
    /// schema keeps no position for are reported at their mapping (or at 1:1).
    pub fn from_spec(spec: ExerciseSpec, source: &str) -> Result<Exercise, SpecError> {
        plan_exercise(spec, source, &SpecPositions::default(), None)
    }
}

fn load(text: &str, source: &str, folder: Option<&str>) -> Result<Exercise, SpecError> {
    let spec = parse_spec(text, source)?;
    let positions = SpecPositions::read(text);
    plan_exercise(spec, source, &positions, folder).map_err(|error| error.with_snippets(text))
}

/// The problems found so far in one spec file.
struct Problems<'a> {
    source: &'a str,
    found: Vec<SpecError>,
}

impl Problems<'_> {
    fn add(&mut self, at: (u64, u64), message: impl Into<String>) {
        self.found
            .push(SpecError::invalid(self.source, at, message));
    }

    /// The value of `result`, or `None` with its problem recorded at `at`.
    fn check<T>(&mut self, at: (u64, u64), result: Result<T, String>) -> Option<T> {
        result.map_err(|message| self.add(at, message)).ok()
    }
}

fn plan_exercise(
    spec: ExerciseSpec,
    source: &str,
    positions: &SpecPositions,
    folder: Option<&str>,
) -> Result<Exercise, SpecError> {
    let mut problems = Problems {
        source,
        found: Vec::new(),
    };
    let (timeouts_at, limits_at, entry_at) =
        (at(&spec.timeouts), at(&spec.limits), at(&spec.entry));
    problems.check(positions.id().unwrap_or((1, 1)), check_id(&spec.id, folder));
    let role = role(&spec.program)
        .map_err(|(place, message)| problems.add(place, message))
        .ok();
    if spec.tests.is_empty() {
        problems.add(
            positions.tests().unwrap_or((1, 1)),
            "the exercise has no tests",
        );
    }
    let timeouts = spec.timeouts.map(|s| s.value).unwrap_or_default();
    let start_timeout = timeouts.start.unwrap_or(DEFAULT_START_TIMEOUT);
    let step_timeout = timeouts.step.unwrap_or(DEFAULT_STEP_TIMEOUT);
    let test_timeout = timeouts.test.unwrap_or(DEFAULT_TEST_TIMEOUT);
    for (key, value) in [
        ("start", start_timeout),
        ("step", step_timeout),
        ("test", test_timeout),
    ] {
        let place = positions.timeout(key).unwrap_or(timeouts_at);
        problems.check(place, check_duration(&format!("timeouts.{key}"), value));
    }
    let (limits, limit_problems) = plan_limits(&spec.limits.map(|s| s.value).unwrap_or_default());
    for (key, message) in limit_problems {
        problems.add(positions.limit(key).unwrap_or(limits_at), message);
    }
    let entry = spec.entry.map(|s| s.value).unwrap_or_default();
    for (index, name) in entry.iter().enumerate() {
        problems.check(
            positions.entry(index).unwrap_or(entry_at),
            check_entry(name),
        );
    }
    let context = TestContext {
        defaults: StepDefaults {
            step_timeout,
            start_timeout,
        },
        test_timeout,
        role,
        reference: spec.reference.as_deref(),
        positions,
    };
    let answers_at = at(&spec.answers);
    let tests: Vec<TestPlan> = spec
        .tests
        .into_iter()
        .enumerate()
        .map(|(index, test)| plan_test(index, test, &context, &mut problems))
        .collect();
    let answers = match spec.answers.map(|s| s.value) {
        Some(AnswersSpec::Words(words)) => AnswerSet::Words(words),
        Some(AnswersSpec::Pattern { pattern }) => {
            let set = AnswerSet::pattern(&pattern)
                .map_err(|e| format!("answers: invalid pattern: {}", regex_problem(&e)));
            problems
                .check(answers_at, set)
                .unwrap_or(AnswerSet::Words(Vec::new()))
        }
        None => AnswerSet::Words(expected_answers(&tests)),
    };
    if let Some(error) = SpecError::from_problems(problems.found) {
        return Err(error);
    }
    Ok(Exercise {
        id: spec.id,
        title: localized(spec.title),
        source: source.to_owned(),
        reference: spec.reference,
        entry,
        role: role.unwrap_or(ProgramRole::Console),
        stop: spec.program.stop,
        traceback: spec.program.traceback,
        start_timeout,
        typing_timeout: DEFAULT_STEP_TIMEOUT,
        limits,
        answers,
        bind_address: spec
            .program
            .listens
            .and_then(|listens| listens.value.address),
        tests,
    })
}

/// Every `answer` the tests expect: the possible answers when the spec does not list them.
fn expected_answers(tests: &[TestPlan]) -> Vec<String> {
    let mut answers: Vec<String> = Vec::new();
    for step in tests.iter().flat_map(|test| &test.steps) {
        if let Action::Console(ConsoleAction::ExpectOutput {
            matcher: OutputMatcher::Answer(answer),
            ..
        }) = &step.action
            && !answers.contains(answer)
        {
            answers.push(answer.clone());
        }
    }
    answers
}

/// The program's role from `listens` / `connects` (at most one of them).
fn role(program: &ProgramSpec) -> Result<ProgramRole, ((u64, u64), String)> {
    match (&program.listens, &program.connects) {
        (Some(_), Some(connects)) => Err((
            position(connects),
            "program: give `listens` (a server) or `connects` (a client), not both".into(),
        )),
        (Some(listens), None) => Ok(match listens.value.port {
            PortSpec::Tcp(port) => ProgramRole::TcpServer { port },
            PortSpec::Udp(port) => ProgramRole::UdpServer { port },
        }),
        (None, Some(connects)) => Ok(match connects.value {
            PortSpec::Tcp(port) => ProgramRole::TcpClient { port },
            PortSpec::Udp(port) => ProgramRole::UdpClient { port },
        }),
        (None, None) => Ok(ProgramRole::Console),
    }
}

/// A text of the spec, in every language it gives.
pub(super) fn localized(text: TextSpec) -> Localized {
    match text {
        TextSpec::Plain(text) => Localized::plain(text),
        TextSpec::ByLanguage { en, zh } => Localized { en, zh },
    }
}

fn position<T>(spanned: &Spanned<T>) -> (u64, u64) {
    (spanned.referenced.line(), spanned.referenced.column())
}

/// Where an optional spanned value is written (line 1, column 1 when it is absent).
fn at<T>(spanned: &Option<Spanned<T>>) -> (u64, u64) {
    spanned.as_ref().map_or((1, 1), position)
}

/// What every test of an exercise is planned against.
struct TestContext<'a> {
    defaults: StepDefaults,
    test_timeout: Duration,
    /// The program's role; `None` when `program` itself is wrong (then the steps' peers are
    /// not checked against it, which would only repeat that problem at every step).
    role: Option<ProgramRole>,
    reference: Option<&'a str>,
    positions: &'a SpecPositions,
}

/// Plans the test at `index` (0-based), recording every problem of it and of its steps.
fn plan_test(
    index: usize,
    test: Spanned<TestSpec>,
    context: &TestContext<'_>,
    problems: &mut Problems<'_>,
) -> TestPlan {
    let number = index + 1;
    let test_at = position(&test);
    let key_at = |key: &str| context.positions.test_key(index, key).unwrap_or(test_at);
    let test = test.value;
    let mut peers = context
        .role
        .map(|role| PeerState::new(role, context.reference));
    let mut steps = Vec::with_capacity(test.steps.len());
    let mut peer_problems: Vec<String> = Vec::new();
    for spanned in test.steps {
        let step_at = position(&spanned);
        let Some(mut action) =
            problems.check(step_at, plan_action(spanned.value, &context.defaults))
        else {
            continue;
        };
        for (what, duration) in action.durations_mut() {
            problems.check(step_at, check_duration(what, *duration));
        }
        if let Some(peers) = &mut peers
            && let Err(message) = peers.check(&action)
            && !peer_problems.contains(&message)
        {
            // Said once per test: a connection never opened is one mistake, however many
            // steps then use it.
            problems.add(step_at, message.clone());
            peer_problems.push(message);
        }
        steps.push(Step {
            line: step_at.0,
            action,
        });
    }
    let timeout = test.timeout.unwrap_or(context.test_timeout);
    if let Err(message) = check_duration("timeout", timeout) {
        problems.add(key_at("timeout"), format!("test {number}: {message}"));
    }
    let robustness = test.robustness.map(|spec| Robustness {
        why: localized(spec.why),
        counts: spec.counts,
    });
    let advice_only = robustness.as_ref().is_some_and(|r| !r.counts);
    let points = match (test.points, advice_only) {
        (Some(points), true) if points > 0 => {
            problems.add(
                key_at("points"),
                format!(
                    "test {number}: a robustness check that does not count gives no points; add `counts: true` to `robustness`, or remove `points`"
                ),
            );
            points
        }
        (Some(points), _) => points,
        (None, true) => 0,
        (None, false) => 1,
    };
    TestPlan {
        number,
        name: localized(test.name),
        points,
        hint: test.hint.map(localized),
        robustness,
        visibility: test.visibility,
        tags: test.tags,
        timeout,
        steps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Matcher;
    use crate::plan::action::{Action, ConsoleAction, TcpAction, TcpVerb, UdpAction, UdpVerb};

    const HEADER: &str =
        "id: t\ntitle: T\nprogram: { listens: { tcp: 8888 } }\ntests:\n  - name: n\n    steps:\n";

    fn plan(steps: &str) -> Result<Exercise, SpecError> {
        Exercise::from_yaml(&format!("{HEADER}{steps}"), "t.yaml")
    }

    fn plan_with(program: &str, steps: &str) -> Result<Exercise, SpecError> {
        let yaml = format!(
            "id: t\ntitle: T\nreference: port-ranges\nprogram: {program}\ntests:\n  - name: n\n    steps:\n{steps}"
        );
        Exercise::from_yaml(&yaml, "t.yaml")
    }

    fn error_with(program: &str, steps: &str) -> String {
        plan_with(program, steps).unwrap_err().to_string()
    }

    /// The problem's first line (`file:line:column: message`), without its snippet.
    fn first_line(error: SpecError) -> String {
        error
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn absurd_timeouts_and_limits_are_refused() {
        let err = plan("      - connect: a\n      - expect: { from: a, text: x, timeout: 3h }\n")
            .unwrap_err();
        assert!(
            err.to_string().contains("timeout: 3h is out of range"),
            "{err}"
        );
        let spec = HEADER.replace("tests:", "limits: { memory: 1KiB }\ntests:");
        let err =
            Exercise::from_yaml(&format!("{spec}      - connect: a\n"), "t.yaml").unwrap_err();
        assert!(err.to_string().contains("limits.memory"), "{err}");
    }

    #[test]
    fn a_test_timeout_out_of_range_is_reported_at_its_value() {
        let yaml = "id: t\ntitle: T\nprogram: { listens: { tcp: 8888 } }\ntests:\n  - name: n\n    timeout: 2h\n    steps:\n      - connect: a\n";
        let err = Exercise::from_yaml(yaml, "t.yaml").unwrap_err().to_string();
        assert!(err.starts_with("t.yaml:6:14: test 1: timeout"), "{err}");
    }

    #[test]
    fn entries_outside_the_submission_are_refused_at_their_line() {
        let spec = HEADER.replace("tests:", "entry: [../../etc/passwd]\ntests:");
        let err =
            Exercise::from_yaml(&format!("{spec}      - connect: a\n"), "t.yaml").unwrap_err();
        assert!(err.to_string().contains("no `..`"), "{err}");
    }

    #[test]
    fn a_client_must_connect_before_sending() {
        let err = plan("      - send: { to: a, text: hi }\n").unwrap_err();
        assert_eq!(
            first_line(err),
            "t.yaml:7:9: connection `a` is not open here; add `- connect: a` before this step"
        );
    }

    #[test]
    fn send_needs_exactly_one_payload() {
        let err =
            plan("      - connect: a\n      - send: { to: a, text: hi, hex: '00' }\n").unwrap_err();
        assert_eq!(
            first_line(err),
            "t.yaml:8:9: send: give `text` or `hex`, not both"
        );
    }

    #[test]
    fn expect_needs_exactly_one_matcher() {
        let err = plan("      - connect: a\n      - expect: { from: a }\n").unwrap_err();
        assert!(err.to_string().contains("found 0"), "{err}");
    }

    #[test]
    fn bad_regex_is_reported_at_its_step() {
        let err =
            plan("      - connect: a\n      - expect: { from: a, regex: '(' }\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("t.yaml:8:9: expect: `regex` does not compile")
        );
    }

    #[test]
    fn repeat_multiplies_the_payload() {
        let exercise =
            plan("      - connect: a\n      - send: { to: a, text: ab, repeat: 3 }\n").unwrap();
        match &exercise.tests[0].steps[1].action {
            Action::Tcp(TcpAction {
                verb: TcpVerb::Send { bytes, .. },
                ..
            }) => assert_eq!(bytes, b"ababab"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn reconnecting_after_close_is_allowed_but_not_twice_open() {
        assert!(plan("      - connect: a\n      - close: a\n      - connect: a\n").is_ok());
        let err = plan("      - connect: a\n      - connect: a\n").unwrap_err();
        assert!(err.to_string().contains("already open"), "{err}");
    }

    #[test]
    fn console_steps_parse_including_a_bare_close_stdin() {
        let exercise = plan_with(
            "{}",
            "      - type: hello\n      - close_stdin\n      - expect_output: { answer: x }\n      - expect_exit: { code: 0 }\n",
        )
        .unwrap();
        assert_eq!(exercise.role, ProgramRole::Console);
        let actions: Vec<_> = exercise.tests[0].steps.iter().map(|s| &s.action).collect();
        assert!(
            matches!(actions[0], Action::Console(ConsoleAction::Type { bytes }) if bytes == b"hello\n")
        );
        assert!(matches!(
            actions[1],
            Action::Console(ConsoleAction::CloseStdin)
        ));
        assert!(matches!(
            actions[3],
            Action::Console(ConsoleAction::ExpectExit { code: Some(0), .. })
        ));
    }

    #[test]
    fn typing_after_stdin_is_closed_is_refused() {
        let err = error_with("{}", "      - close_stdin\n      - type: more\n");
        assert!(err.contains("stdin is already closed"), "{err}");
    }

    #[test]
    fn expect_output_needs_exactly_one_matcher() {
        let err = error_with("{}", "      - expect_output: { answer: a, contains: b }\n");
        assert!(err.contains("found 2"), "{err}");
        let err = error_with("{}", "      - expect_output: { contains: \"  \" }\n");
        assert!(err.contains("more than whitespace"), "{err}");
    }

    #[test]
    fn accept_needs_the_grader_to_be_a_server() {
        let err = error_with("{ listens: { tcp: 8888 } }", "      - accept: s\n");
        assert!(
            err.contains("`accept` needs `program.connects.tcp`"),
            "{err}"
        );
        assert!(
            plan_with(
                "{ connects: { tcp: 8888 } }",
                "      - accept: s\n      - send: { to: s, text: hi }\n"
            )
            .is_ok()
        );
        let err = error_with(
            "{ connects: { tcp: 8888 } }",
            "      - send: { to: s, text: hi }\n",
        );
        assert!(err.contains("add `- accept: s`"), "{err}");
    }

    #[test]
    fn udp_peers_are_checked() {
        let err = error_with(
            "{ connects: { udp: 8888 } }",
            "      - datagram: { from: a, text: hi }\n",
        );
        assert!(err.contains("add `program.listens.udp`"), "{err}");
        let err = error_with(
            "{ listens: { udp: 8888 } }",
            "      - expect_datagram: { at: a, text: hi }\n",
        );
        assert!(err.contains("has sent nothing yet"), "{err}");
        let err = error_with(
            "{ listens: { udp: 8888 } }",
            "      - expect_datagram: { at: server, text: hi }\n",
        );
        assert!(err.contains("needs `program.connects.udp`"), "{err}");
        let ok = plan_with(
            "{ listens: { udp: 8888 } }",
            "      - datagram: { from: a, text: \"\" }\n      - expect_datagram: { at: a, text: Thanks }\n",
        )
        .unwrap();
        assert!(matches!(
            &ok.tests[0].steps[0].action,
            Action::Udp(UdpAction { verb: UdpVerb::Send { bytes }, .. }) if bytes.is_empty()
        ));
        assert!(matches!(
            &ok.tests[0].steps[1].action,
            Action::Udp(UdpAction {
                verb: UdpVerb::Expect {
                    matcher: Matcher::Exact(_),
                    ..
                },
                ..
            })
        ));
        let err = error_with(
            "{ listens: { udp: 8888 } }",
            "      - datagram: { from: a, text: abcd, repeat: 20000 }\n",
        );
        assert!(err.contains("do not fit in one UDP datagram"), "{err}");
    }

    #[test]
    fn a_bad_mix_of_roles_is_an_error_at_its_own_line() {
        let yaml = "id: t\ntitle: T\nprogram:\n  stop: kill\n  listens: { tcp: 8888, udp: 8888 }\ntests:\n  - name: n\n    steps: [ { type: x } ]\n";
        let err = Exercise::from_yaml(yaml, "t.yaml").unwrap_err().to_string();
        assert!(err.starts_with("t.yaml:5:"), "{err}");
        assert!(err.contains("not both"), "{err}");
        let yaml = "id: t\ntitle: T\nprogram:\n  listens: { tcp: 8888 }\n  connects: { tcp: 8888 }\ntests:\n  - name: n\n    steps: [ { type: x } ]\n";
        let err = Exercise::from_yaml(yaml, "t.yaml").unwrap_err().to_string();
        assert!(err.starts_with("t.yaml:5:"), "{err}");
        assert!(err.contains("`listens` (a server) or `connects`"), "{err}");
        let err = error_with("{ connects: {} }", "      - type: x\n");
        assert!(err.contains("give the port"), "{err}");
        let err = error_with("{ listens: { tcp: 0 } }", "      - type: x\n");
        assert!(err.contains("port 0"), "{err}");
    }

    #[test]
    fn a_differential_oracle_must_be_the_exercise_s_reference() {
        assert!(
            plan_with(
                "{}",
                "      - differential: { oracle: port-ranges, count: 10 }\n"
            )
            .is_ok()
        );
        let err = error_with(
            "{}",
            "      - differential: { oracle: service-lookup, count: 10 }\n",
        );
        assert!(err.contains("needs `reference: service-lookup`"), "{err}");
        let err = error_with(
            "{}",
            "      - differential: { oracle: port-ranges, count: 0 }\n",
        );
        assert!(err.contains("`count` must be 1 to 1000"), "{err}");
        let err = error_with(
            "{}",
            "      - differential: { oracle: port-range, count: 5 }\n",
        );
        assert!(err.contains("unknown oracle `port-range` — did you mean `port-ranges`?"));
    }

    #[test]
    fn the_slow_factor_scales_every_time_limit_once() {
        let exercise = plan(
            "      - connect: a\n      - expect: { from: a, text: x, timeout: 2s }\n      - expect_nothing: { from: a, for: 100ms }\n",
        )
        .unwrap();
        let slow = exercise.with_time_factor(3.0);
        assert_eq!(slow.start_timeout, exercise.start_timeout * 3);
        assert_eq!(slow.tests[0].timeout, exercise.tests[0].timeout * 3);
        let mut original = exercise.tests[0].steps[1].action.clone();
        let mut scaled = slow.tests[0].steps[1].action.clone();
        assert_eq!(
            *scaled.durations_mut()[0].1,
            *original.durations_mut()[0].1 * 3
        );
    }
}
