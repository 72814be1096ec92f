//! The references' golden transcripts: every reference solution is graded on its exercise and
//! the normalised transcript of each test is an insta snapshot (`tests/snapshots/`). A change
//! in a reference's behaviour fails here with a diff; accept it with `cargo insta review`.

mod common;

use netgrade::pack::ExercisePack;
use netgrade::report::SilentReporter;
use netgrade::run::{RunSettings, grade};
use netgrade::submission;
use netgrade::transcript::Normalizer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_transcripts() {
    let pack = ExercisePack::Folder(common::repo().join("exercises"));
    let references = common::references();
    let mut checked = 0;
    for (exercise, _) in pack.exercises().expect("the bundled exercises are valid") {
        let Some(name) = &exercise.reference else {
            continue;
        };
        let binary = &references[name];
        let program = submission::resolve(Some(binary), &[])
            .expect("reference exists")
            .build(netgrade::sandbox::Isolation::Namespace)
            .await
            .expect("reference is ready");
        let result = grade(
            &exercise,
            &program,
            // Generated inputs from a fixed seed, so the transcript is the same every time.
            &RunSettings {
                seed: Some(2026),
                ..RunSettings::default()
            },
            &mut SilentReporter,
        )
        .await
        .expect("grading runs");
        let normalizer = Normalizer {
            fixed_ports: exercise.fixed_ports(),
        };
        let mut golden = String::new();
        for test in &result.tests {
            assert!(
                test.passed(),
                "{}: reference fails test {}",
                exercise.id,
                test.number
            );
            golden.push_str(&format!("── test {}: {}\n", test.number, test.name));
            // The command line holds the build path of the binary: name it instead.
            golden.push_str(
                &test
                    .transcript
                    .render(Some(&normalizer))
                    .replace(&program.display, &format!("<reference {name}>")),
            );
        }
        insta::assert_snapshot!(exercise.id.clone(), golden);
        checked += 1;
    }
    assert_eq!(checked, 13, "every bundled exercise has a reference");
}
