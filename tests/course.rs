//! The bundled pack is one world with the course: the course's own programs (one `recv(1024)`
//! per reply, `send(b"Thanks")`, `recvfrom(1024)`) get full marks, and the clients and servers
//! the pack passes talk to each other outside netgrade. The pairs run on a private loopback
//! (`unshare -rn`, a new user and network namespace) through `tests/course/talk.py`.

mod common;

use std::process::Command;

use common::{grade_json, repo};

/// The course's programs, as it writes them.
const COURSE_TCP_SERVER: &str = "exercises/tcp-server/solutions/good/server_loopback.py";
const COURSE_TCP_CLIENT: &str = "exercises/tcp-client/solutions/good/course_client_one_recv.py";
const COURSE_UDP_SERVER: &str = "exercises/udp-server/solutions/good/course_server_small_buffer.py";
const COURSE_UDP_CLIENT: &str = "exercises/udp-client/solutions/good/udp_client.py";

#[test]
fn the_course_s_own_programs_get_full_marks() {
    for (exercise, program) in [
        ("tcp-server", COURSE_TCP_SERVER),
        ("tcp-client", COURSE_TCP_CLIENT),
        ("udp-server", COURSE_UDP_SERVER),
        ("udp-client", COURSE_UDP_CLIENT),
    ] {
        let (code, document) = grade_json(exercise, &repo().join(program), &[]);
        assert_eq!(code, 0, "{program}\n{document:#}");
        assert_eq!(
            document["score"], document["max_score"],
            "{program}\n{document:#}"
        );
    }
}

/// Runs `server` and `client` against each other; returns the client's output.
fn talk(server: &str, client: &str, transport: &str) -> String {
    let output = Command::new("unshare")
        .args(["--user", "--map-root-user", "--net", "python3"])
        .arg(repo().join("tests/course/talk.py"))
        .arg(repo().join(server))
        .arg(repo().join(client))
        .args([transport, "hello", "你好"])
        .output()
        .expect("unshare and python3 run");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{client} against {server}: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn the_course_s_client_and_server_talk_to_each_other() {
    let tcp = talk(COURSE_TCP_SERVER, COURSE_TCP_CLIENT, "tcp");
    assert_eq!(tcp.matches("Server: Thanks").count(), 2, "{tcp}");
    let udp = talk(COURSE_UDP_SERVER, COURSE_UDP_CLIENT, "udp");
    assert_eq!(udp.matches("从服务器收到： Thanks").count(), 2, "{udp}");
}

/// A client that receives until the reply's line end (full marks, not fragile) and a server
/// that ends its reply with one (full marks, not fragile) talk too: robust meets robust.
#[test]
fn robust_clients_and_servers_talk_to_each_other() {
    for server in [
        "exercises/tcp-server/solutions/good/server_asyncio.py",
        "exercises/tcp-server/solutions/good/server_any_address.py",
    ] {
        for client in [
            "exercises/tcp-client/solutions/good/tcp_client.py",
            "exercises/tcp-client/solutions/good/lazy_connect_any_address.py",
            COURSE_TCP_CLIENT,
        ] {
            let output = talk(server, client, "tcp");
            assert_eq!(
                output.matches("Thanks").count(),
                2,
                "{client} × {server}: {output}"
            );
        }
    }
}
