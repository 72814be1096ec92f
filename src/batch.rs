//! Grading a whole class: [`grade_class`] over the [`Submission`]s in a folder.
//!
//! Every sub-folder is one student's submission. Its program is found by name
//! ([`crate::submission::find_entry`]), graded like `netgrade test` (each test in its own sandbox), and its result
//! written at once, atomically, to the output folder, so an interrupted batch loses nothing
//! and `--resume` skips what is done. A submission that cannot be run (empty, no program, does
//! not compile) gets its own verdict with the reason; it never stops the batch.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::plan::Exercise;
use crate::report::{Format, Rerun, SilentReporter, csv_cell, render};
use crate::run::{RunSettings, grade};
use crate::sandbox::Isolation;
use crate::submission::{NotRunnable, find_entry};
use crate::tr;
use crate::transcript::Transcript;
use crate::verdict::{ExerciseResult, Failure, Outcome, Problem, TestResult};

/// One student's submission folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The folder's name, as shown (lossy where it is not UTF-8).
    pub student: String,
    /// The folder's name, exactly (any bytes).
    pub name: OsString,
    /// The folder.
    pub dir: PathBuf,
}

/// The sub-folders of `root`, sorted by name (by its bytes: the same order on every machine
/// of a CI matrix), hidden ones skipped.
pub fn submissions(root: &Path) -> io::Result<Vec<Submission>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(root)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.as_bytes().starts_with(b".") || !entry.file_type()?.is_dir() {
            continue;
        }
        found.push(Submission {
            student: name.to_string_lossy().into_owned(),
            name,
            dir: entry.path(),
        });
    }
    found.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    Ok(found)
}

/// Where a submission's result files go, relative to the output folder:
/// `submissions/<name>.json`, `submissions/<name>.gradescope.json`, … — one file per format,
/// never shared by two submissions, whatever their folders are called.
///
/// The name is the folder's name with every character but a Unicode letter or digit, `_`
/// and `-` written as `%XX` per byte (`.` too, so a folder `s1.gradescope` cannot take the
/// place of `s1`'s Gradescope file; bytes that are not UTF-8 too, so `s2\xff` and `s2\xfe`
/// stay apart). Encoded names longer than [`NAME_CHUNK`] bytes are split into folders of
/// that length (a legal 250-byte name still fits the file system's 255-byte limit with its
/// extension). The summary files sit beside `submissions/`, apart from every student's.
pub fn result_file(name: &OsStr, format: Format) -> PathBuf {
    let mut path = PathBuf::from("submissions");
    let mut part = String::new();
    for token in encoded_tokens(name) {
        if part.len() + token.len() > NAME_CHUNK {
            path.push(std::mem::take(&mut part));
        }
        part.push_str(&token);
    }
    path.push(format!("{part}.{}", format.extension()));
    path
}

/// The folder of a submission's capture files under `--pcap DIR`: `DIR/<name>/`, the folder
/// name encoded as in [`result_file`] (so two submissions never share a folder).
pub fn pcap_folder(dir: &Path, name: &OsStr) -> PathBuf {
    let mut path = dir.to_owned();
    let mut part = String::new();
    for token in encoded_tokens(name) {
        if part.len() + token.len() > NAME_CHUNK {
            path.push(std::mem::take(&mut part));
        }
        part.push_str(&token);
    }
    path.push(part);
    path
}

/// Longest part of an encoded name in one file or folder name.
pub const NAME_CHUNK: usize = 200;

/// A folder name as pieces that are safe and unambiguous in a file name (see
/// [`result_file`]): kept characters, and `%XX` for each byte of the others.
fn encoded_tokens(name: &OsStr) -> Vec<String> {
    let mut tokens = Vec::new();
    for chunk in name.as_bytes().utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                tokens.push(c.to_string());
            } else {
                let mut bytes = [0u8; 4];
                tokens.extend(
                    c.encode_utf8(&mut bytes)
                        .bytes()
                        .map(|byte| format!("%{byte:02X}")),
                );
            }
        }
        tokens.extend(chunk.invalid().iter().map(|byte| format!("%{byte:02X}")));
    }
    tokens
}

/// Part `part` (1-based) of `parts`: every `parts`-th submission of the sorted list, so
/// machines of a CI matrix together grade each submission exactly once.
pub fn partition(all: Vec<Submission>, part: usize, parts: usize) -> Vec<Submission> {
    all.into_iter()
        .enumerate()
        .filter(|(index, _)| index % parts == part - 1)
        .map(|(_, submission)| submission)
        .collect()
}

/// A result for a submission that could not be run: every test fails with the reason.
pub fn not_run(exercise: &Exercise, program: &str, reason: &NotRunnable) -> ExerciseResult {
    ExerciseResult {
        exercise: exercise.id.clone(),
        title: exercise.title.text().to_owned(),
        program: program.to_owned(),
        isolation: Isolation::Namespace,
        tests: exercise
            .tests
            .iter()
            .map(|test| TestResult {
                number: test.number,
                name: test.name.text().to_owned(),
                points: 0,
                max_points: test.points,
                outcome: Outcome::Failed(Failure {
                    step: None,
                    problem: Problem::NotRun {
                        reason: reason.clone(),
                    },
                    detail: None,
                }),
                transcript: Transcript::default(),
                hint: None,
                robustness: None,
                visibility: test.visibility,
                tags: test.tags.clone(),
                duration: Duration::ZERO,
            })
            .collect(),
        duration: Duration::ZERO,
        seed: None,
        role: exercise.role,
    }
}

/// One line of the class summary.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ClassRow {
    /// Submission folder name.
    pub student: String,
    /// Points earned.
    pub score: u32,
    /// Points available.
    pub max_score: u32,
    /// Numbers of the failed tests.
    pub failed_tests: Vec<usize>,
    /// Numbers of the tests that "work here, but are fragile" (no points lost).
    #[serde(default)]
    pub fragile_tests: Vec<usize>,
    /// The first cause of failure in one line (with the tests it fails), or "all tests
    /// passed".
    pub reason: String,
    /// The submission could not be run at all (empty, no program, does not compile).
    pub not_runnable: bool,
    /// Whether this run graded it (false: its result was kept from an earlier run).
    pub graded_now: bool,
    /// Its JSON result file, relative to the output folder (see [`result_file`]).
    pub result: PathBuf,
}

impl ClassRow {
    fn from_result(submission: &Submission, result: &ExerciseResult) -> ClassRow {
        let failed: Vec<&TestResult> = result.tests.iter().filter(|t| t.failed()).collect();
        let grader_error = result.tests.iter().find_map(|t| match &t.outcome {
            Outcome::Error(message) => Some((t.number, message)),
            _ => None,
        });
        let reason = match (result.causes().first(), grader_error) {
            (_, Some((number, message))) => {
                tr!("summary-grader-error", test = number, error = message)
            }
            (Some(cause), None) => tr!(
                "summary-cause",
                tests = tr!(
                    "report-tests",
                    count = cause.tests.len(),
                    list = cause
                        .tests
                        .iter()
                        .map(|t| t.number.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                headline = cause.diagnosis.headline.clone()
            ),
            (None, None) => tr!("summary-all-passed"),
        };
        ClassRow {
            student: submission.student.clone(),
            score: result.score(),
            max_score: result.max_score(),
            failed_tests: failed.iter().map(|t| t.number).collect(),
            fragile_tests: result
                .tests
                .iter()
                .filter(|t| t.fragile())
                .map(|t| t.number)
                .collect(),
            reason,
            not_runnable: result.not_runnable(),
            graded_now: true,
            result: result_file(&submission.name, Format::Json),
        }
    }

    /// Rebuilds a row from a result file written by an earlier run (`--resume`).
    fn from_json(submission: &Submission, document: &serde_json::Value) -> Option<ClassRow> {
        let tests = document["tests"].as_array()?;
        let with_status = |status: &str| -> Vec<&serde_json::Value> {
            tests.iter().filter(|t| t["status"] == status).collect()
        };
        let mut failed = with_status("failed");
        failed.extend(with_status("error"));
        failed.sort_by_key(|t| t["number"].as_u64());
        let fragile = with_status("fragile");
        let reason = match failed.first() {
            None => tr!("summary-all-passed"),
            Some(test) => tr!(
                "summary-cause",
                tests = tr!("report-tests", count = 1, list = test["number"].to_string()),
                headline = test["failure"]["cause"]
                    .as_str()
                    .or(test["error"].as_str())
                    .unwrap_or_default()
            ),
        };
        Some(ClassRow {
            student: submission.student.clone(),
            score: u32::try_from(document["score"].as_u64()?).ok()?,
            max_score: u32::try_from(document["max_score"].as_u64()?).ok()?,
            failed_tests: failed
                .iter()
                .filter_map(|t| t["number"].as_u64().map(|n| n as usize))
                .collect(),
            fragile_tests: fragile
                .iter()
                .filter_map(|t| t["number"].as_u64().map(|n| n as usize))
                .collect(),
            reason,
            not_runnable: failed
                .iter()
                .any(|test| test["failure"]["kind"] == "not_run"),
            graded_now: false,
            result: result_file(&submission.name, Format::Json),
        })
    }
}

/// How a class is graded.
#[derive(Debug, Clone)]
pub struct ClassSettings {
    /// Settings of each grading (its `jobs` is the number of submissions graded at once).
    pub run: RunSettings,
    /// `--entry`.
    pub entry: Option<String>,
    /// Where result files go.
    pub output: PathBuf,
    /// Extra format written beside each submission's JSON result.
    pub format: Format,
    /// Keep results already in `output`.
    pub resume: bool,
    /// The exercise pack's folder, when not the bundled pack (for rerun lines).
    pub exercises: Option<PathBuf>,
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// reader (or a crash) never sees half a file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    io::Write::write_all(&mut file, bytes)?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn result_path(settings: &ClassSettings, submission: &Submission, format: Format) -> PathBuf {
    settings.output.join(result_file(&submission.name, format))
}

/// Grades one submission and writes its result files; returns its summary row.
async fn grade_one(
    exercise: &Exercise,
    submission: &Submission,
    settings: &ClassSettings,
) -> io::Result<ClassRow> {
    let rerun = Rerun::new(
        settings.exercises.as_deref(),
        &exercise.id,
        vec![submission.dir.display().to_string()],
    );
    let program = match find_entry(&submission.dir, settings.entry.as_deref(), &exercise.entry) {
        Ok(resolved) => resolved.build(settings.run.isolation).await,
        Err(reason) => Err(reason),
    };
    let result = match program {
        Ok(program) => {
            let run = RunSettings {
                jobs: 1,
                pcap: settings
                    .run
                    .pcap
                    .as_deref()
                    .map(|dir| pcap_folder(dir, &submission.name)),
                ..settings.run.clone()
            };
            grade(exercise, &program, &run, &mut SilentReporter).await?
        }
        Err(reason) => not_run(exercise, &submission.dir.display().to_string(), &reason),
    };
    let json = render(Format::Json, &result, &rerun)?;
    if !matches!(settings.format, Format::Json | Format::Text) {
        let extra = render(settings.format, &result, &rerun)?;
        write_atomically(&result_path(settings, submission, settings.format), &extra)?;
    }
    // The JSON result is written last: its presence marks the submission as done.
    write_atomically(&result_path(settings, submission, Format::Json), &json)?;
    Ok(ClassRow::from_result(submission, &result))
}

/// Progress of a batch, for a progress bar or log lines.
#[derive(Debug, Clone)]
pub struct Progress {
    /// Submissions done so far.
    pub done: usize,
    /// Submissions in this batch.
    pub total: usize,
    /// The row just finished.
    pub row: ClassRow,
}

/// Grades every submission, `settings.run.jobs` at a time; sends progress as rows finish and
/// returns the rows in submission order. Summary files are written by [`write_summary`].
pub async fn grade_class(
    exercise: Arc<Exercise>,
    class: Vec<Submission>,
    settings: Arc<ClassSettings>,
    progress: mpsc::UnboundedSender<Progress>,
) -> io::Result<Vec<ClassRow>> {
    std::fs::create_dir_all(&settings.output)?;
    let total = class.len();
    let mut rows: Vec<Option<ClassRow>> = vec![None; total];
    let mut done = 0;
    // Submissions start in class order (a queue, not a race for permits), `jobs` at a time.
    let mut queue = std::collections::VecDeque::new();
    for (index, submission) in class.into_iter().enumerate() {
        let json = result_path(&settings, &submission, Format::Json);
        if settings.resume
            && let Some(row) = std::fs::read(&json)
                .ok()
                .and_then(|bytes| serde_json::from_slice(&bytes).ok())
                .and_then(|doc| ClassRow::from_json(&submission, &doc))
        {
            done += 1;
            let _ = progress.send(Progress {
                done,
                total,
                row: row.clone(),
            });
            rows[index] = Some(row);
            continue;
        }
        queue.push_back((index, submission));
    }
    let queue = Arc::new(Mutex::new(queue));
    let (finished, mut results) = mpsc::unbounded_channel();
    let mut running = JoinSet::new();
    for _ in 0..settings.run.jobs.max(1) {
        let (exercise, settings, queue, finished) = (
            Arc::clone(&exercise),
            Arc::clone(&settings),
            Arc::clone(&queue),
            finished.clone(),
        );
        running.spawn(async move {
            loop {
                let next = queue
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .pop_front();
                let Some((index, submission)) = next else {
                    break;
                };
                let row = grade_one(&exercise, &submission, &settings).await;
                if finished.send((index, submission, row)).is_err() {
                    break;
                }
            }
        });
    }
    drop(finished);
    while let Some((index, submission, row)) = results.recv().await {
        // A grading that failed for the grader's own reasons is that submission's error,
        // not the end of the batch.
        let row = row.unwrap_or_else(|error| ClassRow {
            student: submission.student.clone(),
            result: result_file(&submission.name, Format::Json),
            score: 0,
            max_score: exercise.tests.iter().map(|t| t.points).sum(),
            failed_tests: exercise.tests.iter().map(|t| t.number).collect(),
            fragile_tests: Vec::new(),
            reason: tr!("summary-could-not-grade", error = error.to_string()),
            not_runnable: false,
            graded_now: true,
        });
        done += 1;
        let _ = progress.send(Progress {
            done,
            total,
            row: row.clone(),
        });
        rows[index] = Some(row);
    }
    // Every worker has ended (the channel closed); a panic in one is the grader's error.
    while let Some(joined) = running.join_next().await {
        joined.map_err(io::Error::other)?;
    }
    Ok(rows.into_iter().flatten().collect())
}

/// Writes `summary.csv` and `summary.json` into the output folder.
pub fn write_summary(exercise: &Exercise, rows: &[ClassRow], output: &Path) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "student",
        "score",
        "max_score",
        "failed_tests",
        "reason",
        // Last, so scripts reading the older columns by position keep working.
        "fragile_tests",
    ])?;
    let numbers = |tests: &[usize]| {
        tests
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    };
    for row in rows {
        // Names and reasons come from students' folders and programs: shown, never run.
        csv.write_record([
            csv_cell(&row.student),
            row.score.to_string(),
            row.max_score.to_string(),
            numbers(&row.failed_tests),
            csv_cell(&row.reason),
            numbers(&row.fragile_tests),
        ])?;
    }
    let csv = csv
        .into_inner()
        .map_err(|e| io::Error::other(e.to_string()))?;
    write_atomically(&output.join("summary.csv"), &csv)?;
    let json = serde_json::json!({
        "schema": "netgrade/class-summary/v1",
        "exercise": exercise.id,
        "submissions": rows,
    });
    let json = serde_json::to_vec_pretty(&json).map_err(io::Error::other)?;
    write_atomically(&output.join("summary.json"), &json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(names: &[&str]) -> Vec<Submission> {
        names
            .iter()
            .map(|n| Submission {
                student: (*n).into(),
                name: (*n).into(),
                dir: PathBuf::from(n),
            })
            .collect()
    }

    #[test]
    fn partitions_cover_every_submission_exactly_once() {
        let all = class(&["a", "b", "c", "d", "e", "f", "g"]);
        for parts in 1..=5 {
            let mut seen: Vec<String> = (1..=parts)
                .flat_map(|part| partition(all.clone(), part, parts))
                .map(|s| s.student)
                .collect();
            seen.sort();
            assert_eq!(seen, ["a", "b", "c", "d", "e", "f", "g"], "{parts} parts");
        }
    }

    #[test]
    fn every_folder_name_has_files_of_its_own() {
        use std::os::unix::ffi::OsStringExt;
        let names: Vec<OsString> = vec![
            "s1".into(),
            "s1.gradescope".into(),
            "summary".into(),
            "..".into(),
            "a b".into(),
            "张三".into(),
            "a%2Eb".into(),
            "a.b".into(),
            OsString::from_vec(vec![b's', b'2', 0xff]),
            OsString::from_vec(vec![b's', b'2', 0xfe]),
            "x".repeat(250).into(),
            "é".repeat(125).into(),
            "\u{1b}[2J".into(),
        ];
        let mut seen = std::collections::BTreeSet::new();
        for name in &names {
            for format in [
                Format::Json,
                Format::Gradescope,
                Format::Junit,
                Format::Classroom,
            ] {
                let file = result_file(name, format);
                assert!(file.starts_with("submissions"), "{}", file.display());
                for part in file.iter() {
                    assert!(part.len() <= 255, "{}", file.display());
                    assert!(part != ".." && part != ".", "{}", file.display());
                }
                assert!(seen.insert(file.clone()), "{} is shared", file.display());
            }
        }
        assert_eq!(
            result_file(OsStr::new("张三"), Format::Json),
            Path::new("submissions/张三.json")
        );
        assert_eq!(
            result_file(OsStr::new("s1.gradescope"), Format::Json),
            Path::new("submissions/s1%2Egradescope.json")
        );
    }

    #[test]
    fn every_submission_has_a_capture_folder_of_its_own() {
        let dir = Path::new("caps");
        assert_eq!(
            pcap_folder(dir, OsStr::new("alice")),
            Path::new("caps/alice")
        );
        assert_eq!(pcap_folder(dir, OsStr::new("..")), Path::new("caps/%2E%2E"));
        assert_eq!(
            pcap_folder(dir, OsStr::new("a/b c")),
            Path::new("caps/a%2Fb%20c")
        );
        let long = pcap_folder(dir, OsStr::new(&"x".repeat(250)));
        assert_eq!(long.components().count(), 3, "{}", long.display());
        assert!(long.iter().all(|part| part.len() <= NAME_CHUNK));
    }
}
