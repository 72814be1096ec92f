//! Spec → plan: [`Exercise::from_spec`], the one place where a spec's fields are checked
//! against each other. Every problem is reported, not only the first: each names the spec
//! file and the line and column of the value at fault, and validation goes on after it
//! (every key, every test, every step), so one run of `netgrade validate` lists them all.

use std::time::Duration;

use serde_saphyr::Spanned;

use super::action::{Action, ConsoleAction};
use super::answers::{AnswerSet, expected_answers};
use super::data::{DataFiles, DataReader, is_exercise_own, load as load_data};
use super::peer_checks::PeerState;
use super::steps::{StepDefaults, plan_action, regex_problem};
use super::values::{check_duration, check_entry, check_id, localized, plan_limits};
use super::{
    DEFAULT_START_TIMEOUT, DEFAULT_STEP_TIMEOUT, DEFAULT_TEST_TIMEOUT, Exercise, ProgramRole,
    Robustness, Step, TestPlan,
};
use crate::differential::CaseSource;
use crate::spec::{
    AnswersSpec, ExerciseSpec, PortSpec, ProgramSpec, SpecError, SpecPositions, TestSpec,
    parse_spec,
};

impl Exercise {
    /// Parses and validates a spec. `source` names the file in every error; the error holds
    /// every problem found ([`SpecError::problems`]).
    pub fn from_yaml(text: &str, source: &str) -> Result<Exercise, SpecError> {
        load(text, source, None, &beside(source))
    }

    /// [`Exercise::from_yaml`] for the spec of an exercise folder: its `id` must also be the
    /// folder's name, so `list` (the id) and `show` (the folder) name it alike.
    pub fn from_yaml_in_folder(
        text: &str,
        source: &str,
        folder: &str,
    ) -> Result<Exercise, SpecError> {
        load(text, source, Some(folder), &beside(source))
    }

    /// [`Exercise::from_yaml_in_folder`] with the exercise's data files read by `read`
    /// (the bundled pack's are in the binary).
    pub fn from_yaml_with_data(
        text: &str,
        source: &str,
        folder: Option<&str>,
        read: DataReader<'_>,
    ) -> Result<Exercise, SpecError> {
        load(text, source, folder, read)
    }

    /// Validates a parsed spec into a plan. Without the spec's text, the few values the
    /// schema keeps no position for are reported at their mapping (or at 1:1).
    pub fn from_spec(spec: ExerciseSpec, source: &str) -> Result<Exercise, SpecError> {
        plan_exercise(
            spec,
            source,
            &SpecPositions::default(),
            None,
            &beside(source),
        )
    }
}

/// Reads a data file from the folder the spec file `source` is in.
fn beside(source: &str) -> impl Fn(&str) -> Option<Vec<u8>> + '_ {
    move |name| {
        let folder = std::path::Path::new(source).parent()?;
        std::fs::read(folder.join(name)).ok()
    }
}

fn load(
    text: &str,
    source: &str,
    folder: Option<&str>,
    read: DataReader<'_>,
) -> Result<Exercise, SpecError> {
    let spec = parse_spec(text, source)?;
    let positions = SpecPositions::read(text);
    plan_exercise(spec, source, &positions, folder, read).map_err(|error| error.with_snippets(text))
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
    read: DataReader<'_>,
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
    let files_at = at(&spec.files);
    let (files, file_problems) = load_data(&spec.files.map(|s| s.value).unwrap_or_default(), read);
    for (_, message) in file_problems {
        problems.add(files_at, message);
    }
    let grader_files_at = at(&spec.grader_files);
    let (mut payloads, file_problems) = load_data(
        &spec.grader_files.map(|s| s.value).unwrap_or_default(),
        read,
    );
    for (_, message) in file_problems {
        problems.add(grader_files_at, format!("grader_{message}"));
    }
    for name in files.keys().chain(payloads.keys()) {
        if is_exercise_own(name, spec.reference.as_deref()) {
            problems.add(
                files_at,
                format!("files: `{name}` is the exercise's own (its spec, statement or reference), not data: the program would get it"),
            );
        }
    }
    for name in files.keys().filter(|name| entry.contains(*name)) {
        problems.add(
            files_at,
            format!("files: `{name}` is also an `entry` name: the data file would replace the student's program"),
        );
    }
    for name in files.keys().filter(|name| payloads.contains_key(*name)) {
        problems.add(
            grader_files_at,
            format!("grader_files: `{name}` is also in `files:`; list it in one of them"),
        );
    }
    payloads.extend(
        files
            .iter()
            .map(|(name, bytes)| (name.clone(), bytes.clone())),
    );
    let context = TestContext {
        defaults: StepDefaults {
            step_timeout,
            start_timeout,
            data: &payloads,
        },
        test_timeout,
        role,
        reference: spec.reference.as_deref(),
        lists_answers: spec.answers.is_some(),
        given: &files,
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
        bind_address: spec.program.listens.and_then(|l| l.value.address),
        args: spec.program.args,
        files,
        tests,
    })
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

fn position<T>(spanned: &Spanned<T>) -> (u64, u64) {
    (spanned.referenced.line(), spanned.referenced.column())
}

/// Where an optional spanned value is written (line 1, column 1 when it is absent).
fn at<T>(spanned: &Option<Spanned<T>>) -> (u64, u64) {
    spanned.as_ref().map_or((1, 1), position)
}

/// What every test of an exercise is planned against.
struct TestContext<'a> {
    defaults: StepDefaults<'a>,
    test_timeout: Duration,
    /// The program's role; `None` when `program` itself is wrong (then the steps' peers are
    /// not checked against it, which would only repeat that problem at every step).
    role: Option<ProgramRole>,
    reference: Option<&'a str>,
    /// Whether the spec lists its possible answers (`answers:`).
    lists_answers: bool,
    /// The data files given to the program (`files:`).
    given: &'a DataFiles,
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
        if let Action::Console(ConsoleAction::ExpectFile { path, .. }) = &action
            && context.given.contains_key(path)
        {
            problems.add(
                step_at,
                format!("expect_file: `{path}` is a data file the program is given (`files:`), so it is there before the program writes anything; expect a file it writes under another name"),
            );
        }
        if !context.lists_answers
            && let Action::Console(ConsoleAction::Differential {
                source: CaseSource::Reference(_),
                ..
            }) = &action
        {
            problems.add(
                step_at,
                "differential: with `oracle: reference`, list every possible answer in `answers:` ([system, user, invalid] or { pattern: ... }): the reference's answer to each input is read by it, and a student who prints several is caught".to_owned(),
            );
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
        args: test.args,
        steps,
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
