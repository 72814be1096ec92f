//! The `ci/` templates instructors copy, each run against a fake layout in a temp folder:
//! Gradescope's set-up and run_autograder with `/autograder` replaced by a temp root, the CI
//! matrix scripts over every part of a class, and the workflow files' wiring.

mod common;

use std::path::Path;
use std::process::Command;

use common::repo;

fn netgrade_binary() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("netgrade")
}

/// A fake `/autograder`: source/ holds the template, config.env and a netgrade binary.
fn autograder(config: &str, submission: &[(&str, &str)]) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let source = root.path().join("source");
    std::fs::create_dir_all(&source).unwrap();
    for file in ["setup.sh", "run_autograder"] {
        std::fs::copy(repo().join("ci/gradescope").join(file), source.join(file)).unwrap();
    }
    std::fs::write(source.join("config.env"), config).unwrap();
    std::fs::copy(netgrade_binary(), source.join("netgrade")).unwrap();
    let submitted = root.path().join("submission");
    std::fs::create_dir_all(&submitted).unwrap();
    for (name, from) in submission {
        std::fs::copy(repo().join(from), submitted.join(name)).unwrap();
    }
    // setup.sh installs netgrade under PREFIX.
    let status = Command::new("bash")
        .arg(source.join("setup.sh"))
        .env("PREFIX", root.path().join("prefix"))
        .status()
        .unwrap();
    assert!(status.success());
    root
}

fn run_autograder(root: &Path) -> serde_json::Value {
    let status = Command::new("bash")
        .arg(root.join("source/run_autograder"))
        .env("AUTOGRADER_ROOT", root)
        .env("NETGRADE", root.join("prefix/bin/netgrade"))
        .status()
        .unwrap();
    assert!(status.success(), "run_autograder must always exit 0");
    let results = std::fs::read_to_string(root.join("results/results.json")).unwrap();
    serde_json::from_str(&results).unwrap()
}

#[test]
fn gradescope_grades_a_submission_into_results_json() {
    let root = autograder(
        "EXERCISE=tcp-server\n",
        &[(
            "server.py",
            "exercises/tcp-server/solutions/bad/one_recv_per_client.py",
        )],
    );
    let results = run_autograder(root.path());
    assert_eq!(results["score"], 12);
    let tests = results["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 9);
    assert_eq!(tests[1]["status"], "failed");
    assert_eq!(tests[1]["max_score"], 2);
    assert!(
        tests[1]["output"]
            .as_str()
            .unwrap()
            .contains("closed the connection")
    );
}

#[test]
fn gradescope_scores_an_empty_submission_zero_with_the_reason() {
    let root = autograder("EXERCISE=tcp-server\n", &[]);
    let results = run_autograder(root.path());
    assert_eq!(results["score"], 0);
    let output = results["tests"][0]["output"].as_str().unwrap();
    assert!(output.contains("the submission is empty"), "{output}");
}

#[test]
fn gradescope_says_so_when_misconfigured() {
    let root = autograder(
        "EXERCISE=no-such-exercise\n",
        &[(
            "server.py",
            "exercises/tcp-server/solutions/good/server_loopback.py",
        )],
    );
    let results = run_autograder(root.path());
    assert_eq!(results["score"], 0);
    assert!(
        results["output"]
            .as_str()
            .unwrap()
            .contains("could not run")
    );
}

#[test]
fn the_matrix_scripts_grade_every_student_once_and_merge() {
    let work = tempfile::tempdir().unwrap();
    let class = work.path().join("submissions");
    for student in ["amy", "bo", "cy", "di", "ed"] {
        std::fs::create_dir_all(class.join(student)).unwrap();
    }
    std::fs::copy(
        repo().join("exercises/tcp-server/solutions/good/server_loopback.py"),
        class.join("cy/server.py"),
    )
    .unwrap();
    for part in 1..=3 {
        let status = Command::new("bash")
            .arg(repo().join("ci/grade-part.sh"))
            .current_dir(work.path())
            .env("NETGRADE", netgrade_binary())
            .env("SUBMISSIONS", &class)
            .env("EXERCISE", "tcp-server")
            .env("PART", part.to_string())
            .env("PARTS", "3")
            .status()
            .unwrap();
        assert!(status.success());
    }
    let status = Command::new("bash")
        .arg(repo().join("ci/merge-summaries.sh"))
        .current_dir(work.path())
        .status()
        .unwrap();
    assert!(status.success());
    let mut reader = csv::Reader::from_path(work.path().join("class-summary.csv")).unwrap();
    let mut rows: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_owned(), r[1].to_owned())
        })
        .collect();
    rows.sort();
    let students: Vec<&str> = rows.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(students, ["amy", "bo", "cy", "di", "ed"]);
    assert_eq!(rows[2], ("cy".to_owned(), "14".to_owned()));
    // JUnit files for GitLab's and GitHub's test reports.
    assert!(
        work.path()
            .join("results-1/submissions/amy.junit.xml")
            .is_file()
    );
}

fn yaml(path: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(repo().join(path)).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn runs(steps: &serde_json::Value) -> String {
    steps
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|step| step["run"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_github_workflows_are_wired_to_netgrade() {
    let student = yaml("ci/github-actions/student.yml");
    let steps = &student["jobs"]["autograding"]["steps"];
    assert!(runs(steps).contains("--format classroom"));
    let reporter = steps
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.contains("grading-reporter"))
        })
        .expect("the Classroom reporter step");
    // The reporter reads <RUNNER>_RESULTS for each runner named.
    assert_eq!(reporter["with"]["runners"], "netgrade");
    assert!(
        reporter["env"]["NETGRADE_RESULTS"]
            .as_str()
            .unwrap()
            .contains("steps.netgrade.outputs.result")
    );

    let class = yaml("ci/github-actions/class.yml");
    let grade = &class["jobs"]["grade"];
    assert_eq!(
        grade["strategy"]["matrix"]["part"],
        serde_json::json!([1, 2, 3, 4])
    );
    assert!(runs(&grade["steps"]).contains("ci/grade-part.sh"));
    assert!(runs(&class["jobs"]["summary"]["steps"]).contains("ci/merge-summaries.sh"));
}

#[test]
fn the_gitlab_pipeline_is_wired_to_netgrade() {
    let pipeline = yaml("ci/gitlab/.gitlab-ci.yml");
    let grade = &pipeline["grade"];
    assert_eq!(grade["parallel"], 4);
    assert!(
        grade["script"][0]
            .as_str()
            .unwrap()
            .contains("ci/grade-part.sh")
    );
    assert!(
        grade["script"][0]
            .as_str()
            .unwrap()
            .contains("CI_NODE_INDEX")
    );
    assert_eq!(
        grade["artifacts"]["reports"]["junit"],
        "results-*/submissions/**/*.junit.xml"
    );
    assert!(
        pipeline["summary"]["script"][0]
            .as_str()
            .unwrap()
            .contains("merge-summaries")
    );
}
