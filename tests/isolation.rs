//! Isolation: two gradings of port-8888 servers at the same time both pass (each test has its
//! own network namespace), and the host-loopback fallback works and says so.

mod common;

use common::{netgrade, repo};

#[test]
fn two_gradings_of_port_8888_servers_at_once_both_pass() {
    let servers = [
        "exercises/tcp-server/solutions/good/server_loopback.py",
        "exercises/tcp-server/solutions/good/server_any_address.py",
    ];
    let children: Vec<_> = servers
        .iter()
        .map(|server| {
            netgrade()
                .args(["test", "tcp-server", server, "--format", "json"])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("netgrade starts")
        })
        .collect();
    for (server, child) in servers.iter().zip(children) {
        let output = child.wait_with_output().unwrap();
        let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(output.status.code(), Some(0), "{server}: {document:#}");
        assert_eq!(document["isolation"], "namespace");
    }
}

#[test]
fn the_host_loopback_fallback_grades_and_says_so() {
    let output = netgrade()
        .args(["test", "tcp-server", "--isolation", "none"])
        .arg(repo().join("exercises/tcp-server/solutions/good/server_loopback.py"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(
        out.contains("isolation: host loopback, tests run one at a time"),
        "{out}"
    );
}

#[test]
fn no_program_is_left_running_after_grading() {
    let marker = "netgrade-leftover-check";
    let dir = tempfile::tempdir().unwrap();
    let server = dir.path().join(format!("{marker}.py"));
    std::fs::copy(
        repo().join("exercises/tcp-server/solutions/good/server_loopback.py"),
        &server,
    )
    .unwrap();
    let status = netgrade()
        .args(["test", "tcp-server"])
        .arg(&server)
        .status()
        .unwrap();
    assert!(status.success());
    let leftovers: Vec<String> = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
        .map(|cmdline| String::from_utf8_lossy(&cmdline).replace('\0', " "))
        .filter(|cmdline| cmdline.contains(marker))
        .collect();
    assert!(leftovers.is_empty(), "still running: {leftovers:?}");
}
