//! The README's walkthrough "From an empty folder to a verified exercise", run as written: its
//! spec and its Python reference are taken from the README's code blocks (named by their info
//! string, `yaml time-server/exercise.yaml`), validated and verified; a server bound to the
//! wrong address fails it.

mod common;

use common::{netgrade, repo};

/// The code block of the README whose info string is `info`.
fn block(readme: &str, info: &str) -> String {
    let fence = format!("```{info}\n");
    let start = readme
        .find(&fence)
        .unwrap_or_else(|| panic!("the README has no block ```{info}"))
        + fence.len();
    let length = readme[start..].find("```\n").expect("the block is closed");
    readme[start..start + length].to_owned()
}

#[test]
fn the_walkthrough_verifies_a_python_reference_from_an_empty_folder() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let pack = tempfile::tempdir().unwrap();
    let folder = pack.path().join("time-server");
    std::fs::create_dir(&folder).unwrap();
    let reference = block(&readme, "python time-server/reference.py");
    std::fs::write(
        folder.join("exercise.yaml"),
        block(&readme, "yaml time-server/exercise.yaml"),
    )
    .unwrap();
    std::fs::write(folder.join("reference.py"), &reference).unwrap();

    let validated = netgrade()
        .arg("validate")
        .arg(pack.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&validated.stdout);
    assert!(validated.status.success(), "{text}");
    assert!(text.contains("(3 tests)"), "{text}");

    let verified = netgrade()
        .arg("verify")
        .arg("--exercises")
        .arg(pack.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success(), "{text}");
    assert!(text.contains("3/3"), "{text}");
    assert!(text.contains("verified 1 exercise"), "{text}");

    // A student's server bound to 127.0.0.1 where the spec asks for 0.0.0.0 fails every test.
    let submission = tempfile::tempdir().unwrap();
    let server = submission.path().join("server.py");
    std::fs::write(&server, reference.replace("\"0.0.0.0\"", "\"127.0.0.1\"")).unwrap();
    let graded = netgrade()
        .arg("--exercises")
        .arg(pack.path())
        .args(["test", "time-server", "--format", "json"])
        .arg(&server)
        .output()
        .unwrap();
    assert_eq!(graded.status.code(), Some(1));
    let document: serde_json::Value = serde_json::from_slice(&graded.stdout).unwrap();
    for test in document["tests"].as_array().unwrap() {
        assert_eq!(test["failure"]["kind"], "wrong_bind_address", "{test:#}");
    }
}
