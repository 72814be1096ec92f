//! The text report a student reads, pinned as an insta snapshot for a failing fixture.

mod common;

use common::netgrade;

#[test]
fn text_report_of_a_server_that_serves_one_client() {
    let output = netgrade()
        .args([
            "test",
            "tcp-server",
            "exercises/tcp-server/solutions/bad/one_client_then_exit.py",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report = String::from_utf8(output.stdout).unwrap();
    insta::assert_snapshot!(report);
}

#[test]
fn colour_only_when_asked() {
    let args = [
        "test",
        "tcp-server",
        "exercises/tcp-server/solutions/good/server_loopback.py",
        "-t",
        "1",
    ];
    let plain = netgrade().args(args).output().unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains('\u{1b}'));
    let coloured = netgrade()
        .env_remove("NO_COLOR")
        .args(args)
        .args(["--color", "always"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&coloured.stdout).contains("\u{1b}["));
}
