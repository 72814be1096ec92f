//! `netgrade verify` is honest: a reference in any language (a file of the exercise's folder)
//! is graded like a submission; an exercise without a reference is "not verified" and fails
//! the run unless `--allow-unverified`; a reference that is not there is a clear error.

mod common;

use common::{netgrade, repo};

/// A pack with tcp-server's spec, its `reference:` line replaced by `reference` (or removed).
fn pack(reference: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("tcp-server");
    std::fs::create_dir(&folder).unwrap();
    let spec = std::fs::read_to_string(repo().join("exercises/tcp-server/exercise.yaml")).unwrap();
    let line = match reference {
        Some(reference) => format!("reference: {reference}"),
        None => String::new(),
    };
    std::fs::write(
        folder.join("exercise.yaml"),
        spec.replace("reference: tcp-server", &line),
    )
    .unwrap();
    dir
}

fn verify(pack: &tempfile::TempDir, extra: &[&str]) -> (i32, String) {
    let output = netgrade()
        .arg("--exercises")
        .arg(pack.path())
        .arg("verify")
        .args(extra)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

#[test]
fn a_python_reference_in_the_exercise_folder_is_verified() {
    let pack = pack(Some("reference.py"));
    std::fs::copy(
        repo().join("exercises/tcp-server/solutions/good/server_asyncio.py"),
        pack.path().join("tcp-server/reference.py"),
    )
    .unwrap();
    let (code, out) = verify(&pack, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("✓ tcp-server"), "{out}");
    assert!(out.contains("14/14"), "{out}");
    assert!(out.contains("verified 1 exercise in"), "{out}");
    // cargo is not needed for a pack of file references.
    assert!(!out.contains("cargo build"), "{out}");
}

#[test]
fn a_reference_that_fails_fails_verify() {
    let pack = pack(Some("reference.py"));
    std::fs::copy(
        repo().join("exercises/tcp-server/solutions/bad/one_client_then_exit.py"),
        pack.path().join("tcp-server/reference.py"),
    )
    .unwrap();
    let (code, out) = verify(&pack, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("✗ tcp-server"), "{out}");
}

#[test]
fn an_exercise_without_a_reference_is_not_verified() {
    let pack = pack(None);
    let (code, out) = verify(&pack, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("not verified: the spec names no reference"),
        "{out}"
    );
    assert!(
        out.contains("verified 0 of 1 exercises")
            && out.contains("not verified (no reference): tcp-server"),
        "{out}"
    );
    let (code, out) = verify(&pack, &["--allow-unverified"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_missing_reference_file_is_a_clear_error() {
    let pack = pack(Some("nowhere.py"));
    let (code, out) = verify(&pack, &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("nowhere.py does not exist"), "{out}");
    assert!(!out.contains("panicked"), "{out}");
}
