//! A program in a folder only its owner can enter (a `mktemp -d` folder, root's home, a 0700
//! home) is graded all the same: netgrade hands the program a copy of its files, so the run
//! (another user, in its own view) never needs to reach the original. What netgrade itself
//! cannot read is netgrade's error (exit 2, naming the file), never the student's failure.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{netgrade, repo};

/// A private folder (mode 0700), a few levels deep, holding a good server.
fn private_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let private = tempfile::tempdir().unwrap();
    std::fs::set_permissions(private.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let deep = private
        .path()
        .join("netgrade/exercises/tcp-server/solutions/good");
    std::fs::create_dir_all(&deep).unwrap();
    let server = deep.join("server_loopback.py");
    std::fs::copy(
        repo().join("exercises/tcp-server/solutions/good/server_loopback.py"),
        &server,
    )
    .unwrap();
    std::fs::set_permissions(&server, std::fs::Permissions::from_mode(0o600)).unwrap();
    (private, server)
}

fn score(output: &std::process::Output) -> (i32, String) {
    let document: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}): {}", String::from_utf8_lossy(&output.stderr)));
    (
        output.status.code().unwrap(),
        format!("{}/{}", document["score"], document["max_score"]),
    )
}

#[test]
fn a_program_in_a_private_folder_is_graded_as_a_path() {
    let (_private, server) = private_copy();
    let output = netgrade()
        .args(["test", "tcp-server", "--test", "1", "--format", "json"])
        .arg(&server)
        .output()
        .unwrap();
    assert_eq!(score(&output), (0, "2/2".to_owned()));
}

#[test]
fn a_program_in_a_private_folder_is_graded_after_double_dash() {
    let (_private, server) = private_copy();
    let output = netgrade()
        .args([
            "test",
            "tcp-server",
            "--test",
            "1",
            "--format",
            "json",
            "--",
        ])
        .arg("python3")
        .arg(&server)
        .output()
        .unwrap();
    assert_eq!(score(&output), (0, "2/2".to_owned()));
}

#[test]
#[cfg_attr(
    not(netgrade_root),
    ignore = "needs root: it grades as another user (setpriv)"
)]
fn a_file_netgrade_cannot_read_is_netgrade_s_error_not_the_student_s() {
    let (_private, server) = private_copy();
    let binary = assert_cmd::cargo::cargo_bin("netgrade");
    for command in [
        vec![server.clone().into_os_string()],
        vec![
            "--".into(),
            "python3".into(),
            server.clone().into_os_string(),
        ],
    ] {
        let output = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(&binary)
            .args(["test", "tcp-server", "--test", "1"])
            .args(&command)
            .current_dir(Path::new("/"))
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("netgrade cannot read") && stderr.contains("server_loopback.py"),
            "{stderr}"
        );
        assert!(stderr.contains("permission"), "{stderr}");
    }
}
