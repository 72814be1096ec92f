//! "See the handshake and the close": each test's traffic on the run's loopback is captured
//! (`packets` in the JSON result, with Wireshark's relative numbers) and, with `--pcap DIR`,
//! written as `DIR/test-<N>.pcap`, which tshark reads frame for frame the same.
//!
//! Capturing needs the run's own network namespace, so these tests run as root only (as CI
//! does; `.ci/run` installs tshark).

mod common;

use std::path::Path;
use std::process::Command;

use common::{netgrade, repo};
use serde_json::Value;

/// One packet of the JSON result, as the tests compare it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    kind: String,
    flags: Vec<String>,
    seq: Option<u64>,
    ack: Option<u64>,
    len: u64,
    from: String,
    to: String,
    at_us: u64,
}

impl Seen {
    fn has(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }
}

/// Grades `program` on test 1 of `exercise` with `--pcap dir`; returns the test's packets.
fn graded_packets(exercise: &str, program: &Path, dir: &Path) -> Vec<Seen> {
    let output = netgrade()
        .args([
            "test", exercise, "--test", "1", "--format", "json", "--pcap",
        ])
        .arg(dir)
        .arg(program)
        .output()
        .expect("netgrade runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: Value = serde_json::from_str(&stdout).expect("a JSON result");
    assert_eq!(result["isolation"], "namespace", "{stdout}");
    let test = &result["tests"][0];
    assert_eq!(test["status"], "passed", "{stdout}");
    let number = |value: &Value| value.as_u64();
    test["packets"]
        .as_array()
        .expect("the test has packets")
        .iter()
        .map(|p| Seen {
            kind: p["kind"].as_str().unwrap_or_default().to_owned(),
            flags: p["flags"]
                .as_array()
                .map(|f| {
                    f.iter()
                        .map(|f| f.as_str().unwrap_or_default().to_owned())
                        .collect()
                })
                .unwrap_or_default(),
            seq: number(&p["seq"]),
            ack: number(&p["ack"]),
            len: number(&p["len"]).expect("len"),
            from: p["from"].as_str().expect("from").to_owned(),
            to: p["to"].as_str().expect("to").to_owned(),
            at_us: number(&p["at_us"]).expect("at_us"),
        })
        .collect()
}

/// What tshark decodes of each frame of `file`, as a [`Seen`] (its time since the first
/// frame).
fn tshark(file: &Path) -> Vec<Seen> {
    let fields = [
        "tcp.flags.fin",
        "tcp.flags.syn",
        "tcp.flags.reset",
        "tcp.flags.push",
        "tcp.flags.ack",
        "tcp.seq",
        "tcp.ack",
        "tcp.len",
        "udp.length",
        "ip.src",
        "tcp.srcport",
        "udp.srcport",
        "ip.dst",
        "tcp.dstport",
        "udp.dstport",
        "frame.time_relative",
    ];
    let output = Command::new("tshark")
        .arg("-r")
        .arg(file)
        .args(["-T", "fields", "-E", "separator=,"])
        .args(fields.iter().flat_map(|field| ["-e", field]))
        .output()
        .expect("tshark is installed (apt-get install tshark; .ci/run does)");
    assert!(
        output.status.success(),
        "tshark cannot read {}: {}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), fields.len(), "{line}");
            let int = |s: &str| s.parse::<u64>().ok();
            let port = |tcp: &str, udp: &str| if tcp.is_empty() { udp } else { tcp }.to_owned();
            let tcp = !f[7].is_empty();
            let flags: Vec<String> = ["FIN", "SYN", "RST", "PSH", "ACK"]
                .iter()
                .zip(&f[..5])
                .filter(|(_, set)| **set == "1")
                .map(|(name, _)| (*name).to_owned())
                .collect();
            let seconds: f64 = f[15].parse().expect("a time");
            Seen {
                kind: if tcp { "tcp" } else { "udp" }.to_owned(),
                // tshark shows 0 as the ack of a segment without ACK; the JSON leaves it out.
                ack: int(f[6]).filter(|_| f[4] == "1"),
                seq: int(f[5]),
                flags,
                len: int(f[7])
                    .or(int(f[8]).map(|udp| udp - 8))
                    .expect("a length"),
                from: format!("{}:{}", f[9], port(f[10], f[11])),
                to: format!("{}:{}", f[12], port(f[13], f[14])),
                at_us: (seconds * 1e6).round() as u64,
            }
        })
        .collect()
}

/// Checks that the pcap file holds the same packets as the JSON result, as tshark reads it.
fn same_as_tshark(packets: &[Seen], file: &Path) {
    let frames = tshark(file);
    assert_eq!(frames.len(), packets.len(), "{frames:#?}\n{packets:#?}");
    let first = packets.first().map_or(0, |p| p.at_us);
    for (frame, packet) in frames.iter().zip(packets) {
        let since_first = packet.at_us - first;
        assert!(
            frame.at_us.abs_diff(since_first) <= 2,
            "pcap time {} µs vs JSON {since_first} µs",
            frame.at_us
        );
        let packet = Seen {
            at_us: frame.at_us,
            ..packet.clone()
        };
        assert_eq!(frame, &packet);
    }
}

/// Checks the conversation of one TCP connection with one message each way and an orderly
/// close: exactly the handshake, the data with its ACKs, and FIN both ways, in order, every
/// number as Wireshark shows it. A pure ACK may ride on the next segment (delayed ACKs depend
/// on timing), so ACKs are checked by what they acknowledge, not by being separate.
fn one_exchange_and_close(packets: &[Seen], sent: u64, replied: u64) {
    let show = format!("{packets:#?}");
    assert!(packets.iter().all(|p| p.kind == "tcp"), "{show}");
    let client = packets[0].from.clone();
    let server = packets[0].to.clone();
    assert!(server.ends_with(":8888"), "{show}");
    let flags = |p: &Seen| p.flags.join(",");
    // The handshake.
    let handshake: Vec<String> = packets[..3]
        .iter()
        .map(|p| {
            let side = if p.from == client { "client" } else { "server" };
            format!(
                "{side} {} seq={:?} ack={:?} len={}",
                flags(p),
                p.seq,
                p.ack,
                p.len
            )
        })
        .collect();
    assert_eq!(
        handshake,
        [
            "client SYN seq=Some(0) ack=None len=0",
            "server SYN,ACK seq=Some(0) ack=Some(1) len=0",
            "client ACK seq=Some(1) ack=Some(1) len=0",
        ],
        "{show}"
    );
    // After it: every segment acknowledges, and everything that is not a pure ACK comes in
    // this order: the message, the reply, the client's FIN, the server's FIN.
    let rest = &packets[3..];
    assert!(
        rest.iter()
            .all(|p| p.has("ACK") && !p.has("RST") && !p.has("SYN")),
        "{show}"
    );
    let meaningful: Vec<(bool, u64, u64, bool)> = rest
        .iter()
        .filter(|p| p.len > 0 || p.has("FIN"))
        .map(|p| (p.from == client, p.seq.unwrap_or(0), p.len, p.has("FIN")))
        .collect();
    assert_eq!(
        meaningful,
        [
            (true, 1, sent, false),
            (false, 1, replied, false),
            (true, 1 + sent, 0, true),
            (false, 1 + replied, 0, true),
        ],
        "{show}"
    );
    // Sequence numbers follow the bytes sent; acknowledgements only grow, and each side ends
    // having acknowledged everything of the other's (its data and its FIN).
    let mut next = [1u64, 1u64]; // client's, server's
    let mut acked = [1u64, 1u64]; // by the client, by the server
    for p in rest {
        let side = usize::from(p.from != client);
        assert_eq!(p.seq, Some(next[side]), "{show}");
        next[side] += p.len + u64::from(p.has("FIN"));
        let ack = p.ack.expect("an ACK");
        assert!(ack >= acked[side], "{show}");
        acked[side] = ack;
        assert_eq!(&p.to, if side == 0 { &server } else { &client }, "{show}");
    }
    assert_eq!(acked, [next[1], next[0]], "{show}");
    assert_eq!(next, [2 + sent, 2 + replied], "{show}");
    // The last one is the client's ACK of the server's FIN.
    let last = packets.last().expect("packets");
    assert_eq!(
        (flags(last), last.from == client),
        ("ACK".into(), true),
        "{show}"
    );
    // Times: from the program's start, in order.
    assert!(
        packets.windows(2).all(|w| w[0].at_us <= w[1].at_us),
        "{show}"
    );
}

#[test]
#[cfg_attr(
    not(netgrade_root),
    ignore = "needs root: capturing needs the run's own network namespace"
)]
fn a_tcp_exchange_is_captured_from_handshake_to_close() {
    let dir = tempfile::tempdir().unwrap();
    let program = repo().join("exercises/tcp-server/solutions/good/server_loopback.py");
    let packets = graded_packets("tcp-server", &program, dir.path());
    // "hello" (5 bytes) and "Thanks" (6 bytes).
    one_exchange_and_close(&packets, 5, 6);
    same_as_tshark(&packets, &dir.path().join("test-1.pcap"));
}

#[test]
#[cfg_attr(
    not(netgrade_root),
    ignore = "needs root: capturing needs the run's own network namespace"
)]
fn a_udp_exchange_is_captured_datagram_by_datagram() {
    let dir = tempfile::tempdir().unwrap();
    let program = repo().join("exercises/udp-server/solutions/good/udp_server.py");
    let packets = graded_packets("udp-server", &program, dir.path());
    let show = format!("{packets:#?}");
    assert_eq!(packets.len(), 2, "{show}");
    let (request, reply) = (&packets[0], &packets[1]);
    assert_eq!((request.kind.as_str(), request.len), ("udp", 5), "{show}"); // "hello"
    assert_eq!((reply.kind.as_str(), reply.len), ("udp", 6), "{show}"); // "Thanks"
    assert!(request.to.ends_with(":8888"), "{show}");
    assert_eq!(
        (&reply.from, &reply.to),
        (&request.to, &request.from),
        "{show}"
    );
    assert!(request.flags.is_empty() && request.seq.is_none(), "{show}");
    assert!(request.at_us <= reply.at_us, "{show}");
    same_as_tshark(&packets, &dir.path().join("test-1.pcap"));
}

#[test]
#[cfg_attr(
    not(netgrade_root),
    ignore = "needs root: capturing needs the run's own network namespace"
)]
fn a_class_gets_one_capture_folder_per_submission() {
    let class = tempfile::tempdir().unwrap();
    let program = repo().join("exercises/udp-server/solutions/good/udp_server.py");
    for student in ["alice", "bob smith"] {
        let folder = class.path().join(student);
        std::fs::create_dir(&folder).unwrap();
        std::fs::copy(&program, folder.join("udp_server.py")).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let caps = out.path().join("caps");
    let output = netgrade()
        .args(["grade", "--exercise", "udp-server", "--output"])
        .arg(out.path().join("results"))
        .arg("--pcap")
        .arg(&caps)
        .arg(class.path())
        .output()
        .expect("netgrade runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for folder in ["alice", "bob%20smith"] {
        let file = caps.join(folder).join("test-1.pcap");
        assert!(file.is_file(), "{} is missing", file.display());
        assert_eq!(tshark(&file).len(), 2, "{}", file.display());
    }
}

#[test]
fn on_the_host_loopback_pcap_says_it_captures_nothing() {
    let out = tempfile::tempdir().unwrap();
    let caps = out.path().join("caps");
    // A console exercise: it uses no port of the machine.
    let program = repo().join("exercises/port-ranges/solutions/good/port_ranges.py");
    let output = netgrade()
        .args(["test", "port-ranges", "--isolation", "none", "--test", "1"])
        .args(["--format", "json", "--pcap"])
        .arg(&caps)
        .arg(&program)
        .output()
        .expect("netgrade runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("--pcap: nothing is captured on the host loopback"),
        "{stderr}"
    );
    let result: Value = serde_json::from_slice(&output.stdout).expect("a JSON result");
    assert!(result["tests"][0].get("packets").is_none());
    assert!(!caps.exists());
}
