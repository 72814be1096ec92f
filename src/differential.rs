//! Differential testing: seeded input generators and the references' answers (oracles).
//!
//! For the line-answer exercises (a line in, one answer out) a fixed list of cases cannot
//! cover every edge a student's parser gets wrong, so a `differential` step types many
//! generated inputs and expects, for each, what the reference answers. The references are
//! compiled into netgrade from the very files in `reference/src/bin/` (their `answer`
//! function), so the oracle is the reference. Generators are seeded; the seed is printed in
//! the report and `--seed` replays a run exactly.

#[allow(dead_code)]
#[path = "../reference/src/bin/inet_conversions.rs"]
mod inet_conversions;
#[allow(dead_code)]
#[path = "../reference/src/bin/port_ranges.rs"]
mod port_ranges;
#[allow(dead_code)]
#[path = "../reference/src/bin/service_lookup.rs"]
mod service_lookup;
#[allow(dead_code)]
#[path = "../reference/src/bin/special_addresses.rs"]
mod special_addresses;

/// A reference built into netgrade, with the inputs it is tested on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oracle {
    /// Dotted quads and 8-hex-digit words, valid and not.
    InetConversions,
    /// Port numbers around every range edge, and non-numbers.
    PortRanges,
    /// IPv4 addresses ending in the special numbers, and malformed ones.
    SpecialAddresses,
    /// Service names and aliases of the run's services file, and unknown names.
    ServiceLookup,
}

/// One generated case: what to type and the reference's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The input line (no newline).
    pub input: String,
    /// The expected answer.
    pub answer: String,
}

impl Oracle {
    /// Every oracle.
    pub const ALL: [Oracle; 4] = [
        Oracle::InetConversions,
        Oracle::PortRanges,
        Oracle::SpecialAddresses,
        Oracle::ServiceLookup,
    ];

    /// The oracle a spec names (`port-ranges`), if there is one by that name.
    pub fn from_name(name: &str) -> Option<Oracle> {
        Oracle::ALL.into_iter().find(|oracle| oracle.name() == name)
    }

    /// The name used in specs.
    pub fn name(self) -> &'static str {
        match self {
            Oracle::InetConversions => "inet-conversions",
            Oracle::PortRanges => "port-ranges",
            Oracle::SpecialAddresses => "special-addresses",
            Oracle::ServiceLookup => "service-lookup",
        }
    }

    /// The reference's answer to `input`; `services` is the services file the run sees.
    pub fn answer(self, input: &str, services: &str) -> String {
        match self {
            Oracle::InetConversions => inet_conversions::answer(input),
            Oracle::PortRanges => port_ranges::answer(input),
            Oracle::SpecialAddresses => special_addresses::answer(input),
            Oracle::ServiceLookup => service_lookup::answer(input, services),
        }
    }

    /// The inputs every run includes, whatever the seed: each range edge and each leniency of
    /// the library call a student is likely to trust, so the classic bugs are caught every
    /// time, not by chance.
    fn edge_cases(self) -> &'static [&'static str] {
        match self {
            Oracle::InetConversions => &[
                "192.168.1.2",
                "c0a80102",
                "C0A80102",
                "0.0.0.0",
                "255.255.255.255",
                "00000000",
                "ffffffff",
                "1.2.3",
                "1.2",
                "16909060",
                "010.1.1.1",
                "0x7f.0.0.1",
                "256.1.1.1",
                "1.2.3.4.",
                "a.b.c.d",
                "c0a801",
                "c0a8010g",
            ],
            Oracle::PortRanges => &[
                "0",
                "1",
                "255",
                "256",
                "1023",
                "1024",
                "65535",
                "65536",
                "-1",
                "80a",
                "abc",
                "99999999999",
            ],
            Oracle::SpecialAddresses => &[
                "127.0.0.1",
                "0.0.0.0",
                "127.0.0.2",
                "192.168.1.0",
                "192.168.1.1",
                "192.168.1.255",
                "10.20.30.11",
                "172.16.0.100",
                "1.2.3",
                "256.1.1.1",
                "192.168.1.1.1",
                "localhost",
            ],
            Oracle::ServiceLookup => &[
                "mysql",
                "http",
                "www",
                "tftp",
                "snmptrap",
                "postgres",
                "nosuchservice",
            ],
        }
    }

    /// `count` cases from `seed` — the edge cases and generated ones, in a seeded order: the
    /// same seed gives the same cases.
    pub fn cases(self, seed: u64, count: usize, services: &str) -> Vec<Case> {
        self.inputs(seed, count, services)
            .into_iter()
            .map(|input| {
                let answer = self.answer(&input, services);
                Case { input, answer }
            })
            .collect()
    }

    /// `count` inputs from this oracle's generator: its edge cases first, then random ones,
    /// shuffled by `seed`.
    pub fn inputs(self, seed: u64, count: usize, services: &str) -> Vec<String> {
        let mut rng = fastrand::Rng::with_seed(seed);
        let names = service_names(services);
        let edges = self.edge_cases().iter().map(|edge| (*edge).to_owned());
        let generated = std::iter::repeat_with(|| match self {
            Oracle::InetConversions => inet_input(&mut rng),
            Oracle::PortRanges => port_input(&mut rng),
            Oracle::SpecialAddresses => address_input(&mut rng),
            Oracle::ServiceLookup => service_input(&mut rng, &names),
        });
        let mut inputs: Vec<String> = edges.chain(generated).take(count).collect();
        fastrand::Rng::with_seed(seed ^ 0x5eed).shuffle(&mut inputs);
        inputs
    }
}

/// The oracle name that means the exercise's own reference program.
pub const REFERENCE_ORACLE: &str = "reference";

/// Where a `differential` step's inputs and answers come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseSource {
    /// A reference built into netgrade generates `count` inputs and answers them.
    Builtin { oracle: Oracle, count: usize },
    /// The exercise's own reference program (`reference: reference.py`) answers the inputs.
    Reference(ReferenceInputs),
}

/// The inputs an exercise's own reference answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceInputs {
    /// `count` inputs from a built-in oracle's generator (`generate: port-ranges`).
    Generated { like: Oracle, count: usize },
    /// These lines, in order (`inputs: [80, 1023, http]`).
    Listed(Vec<String>),
}

impl ReferenceInputs {
    /// The lines to type, for `seed` and the services file the run sees.
    pub fn lines(&self, seed: u64, services: &str) -> Vec<String> {
        match self {
            ReferenceInputs::Generated { like, count } => like.inputs(seed, *count, services),
            ReferenceInputs::Listed(lines) => lines.clone(),
        }
    }
}

/// A fresh seed for a run that was not given one.
pub fn random_seed() -> u64 {
    fastrand::u64(1..1_000_000_000)
}

/// A byte, biased towards the values parsers get wrong.
fn edgy_byte(rng: &mut fastrand::Rng) -> u16 {
    match rng.u8(0..10) {
        0 => 0,
        1 => 1,
        2 => 255,
        3 => 256,
        4 => rng.u16(256..1000),
        _ => rng.u16(0..256),
    }
}

fn dotted_quad(rng: &mut fastrand::Rng) -> String {
    let parts: Vec<String> = (0..4).map(|_| edgy_byte(rng).to_string()).collect();
    parts.join(".")
}

/// Malformed addresses a student's parser must refuse, half of them forms the C library's
/// lenient `inet_aton` accepts (three, two or one part; leading zeros read as octal; hex
/// parts), so a program that only calls `socket.inet_aton` shows it within a few inputs.
fn malformed_address(rng: &mut fastrand::Rng) -> String {
    let shape = rng.u8(0..12);
    let (small, byte, number) = (rng.u8(1..8), rng.u8(..), u32::from(rng.u16(..)) * 997);
    let mut good = || format!("{}", rng.u8(..));
    match shape {
        0 => format!("{}.{}.{}", good(), good(), good()),
        1 => format!("{}.{}", good(), good()),
        2 => format!("{number}"),
        3 => format!("0{small}.{}.{}.{}", good(), good(), good()),
        4 => format!("0x{byte:x}.{}.{}.{}", good(), good(), good()),
        5 => format!("{}.{}.{}.0{small}", good(), good(), good()),
        6 => format!("{}.{}.{}.{}.{}", good(), good(), good(), good(), good()),
        7 => format!("{}.{}..{}", good(), good(), good()),
        8 => format!("{}.{}.{}.x", good(), good(), good()),
        9 => "a.b.c.d".to_owned(),
        10 => format!("{}.{}.{}.-1", good(), good(), good()),
        _ => format!("{}.{}.{}.{}.", good(), good(), good(), good()),
    }
}

fn inet_input(rng: &mut fastrand::Rng) -> String {
    match rng.u8(0..10) {
        0..=2 => dotted_quad(rng),
        3..=5 => format!("{:08x}", rng.u32(..)),
        6 => malformed_address(rng),
        7 => {
            let digits = [6, 7, 9, 10][rng.usize(0..4)];
            (0..digits)
                .map(|_| char::from_digit(rng.u32(0..16), 16).unwrap_or('0'))
                .collect()
        }
        8 => format!("{:07x}g", rng.u32(0..0x1000_0000)),
        _ => malformed_address(rng),
    }
}

fn port_input(rng: &mut fastrand::Rng) -> String {
    const EDGES: [u32; 10] = [0, 1, 254, 255, 256, 1022, 1023, 1024, 65535, 65536];
    match rng.u8(0..10) {
        0..=2 => EDGES[rng.usize(0..EDGES.len())].to_string(),
        3 => rng.u32(1..256).to_string(),
        4 => rng.u32(256..1024).to_string(),
        5 => rng.u32(1024..65536).to_string(),
        6 => rng.u64(65536..100_000_000_000).to_string(),
        7 => format!("-{}", rng.u32(1..70000)),
        8 => ["http", "port", "eighty", "8o", "80a", "1.5", "0x50"][rng.usize(0..7)].to_owned(),
        _ => rng.u32(0..70000).to_string(),
    }
}

fn address_input(rng: &mut fastrand::Rng) -> String {
    let shape = rng.u8(0..12);
    let network = format!("{}.{}.{}", rng.u8(1..=223), rng.u8(..), rng.u8(..));
    match shape {
        0 => "127.0.0.1".to_owned(),
        1 => "0.0.0.0".to_owned(),
        2 => format!("{network}.0"),
        3 => format!("{network}.1"),
        4 => format!("{network}.255"),
        5 => format!("127.0.0.{}", rng.u8(..)),
        6 => format!("0.0.0.{}", rng.u8(..)),
        7 | 8 => dotted_quad(rng),
        9 => malformed_address(rng),
        _ => format!("{network}.{}", rng.u8(2..255)),
    }
}

fn service_input(rng: &mut fastrand::Rng, names: &ServiceNames) -> String {
    const UNKNOWN: [&str; 6] = ["mysq", "nosuchservice", "http2", "sshd", "web", "xyz"];
    // Each kind of name a lookup can get wrong, often enough that a bug shows every time.
    let pool = match rng.u8(0..5) {
        0 => return UNKNOWN[rng.usize(0..UNKNOWN.len())].to_owned(),
        1 => &names.aliases,
        2 => &names.udp_only,
        _ => &names.primary,
    };
    if pool.is_empty() {
        return "http".to_owned();
    }
    pool[rng.usize(0..pool.len())].clone()
}

/// The names of a services file, by kind.
#[derive(Debug, Default)]
struct ServiceNames {
    /// First word of an entry.
    primary: Vec<String>,
    /// Other names of an entry.
    aliases: Vec<String>,
    /// Names found only on `/udp` entries.
    udp_only: Vec<String>,
}

fn service_names(services: &str) -> ServiceNames {
    let mut names = ServiceNames::default();
    let mut tcp = std::collections::BTreeSet::new();
    let mut udp = std::collections::BTreeSet::new();
    for line in services.lines() {
        let mut words = line.split('#').next().unwrap_or("").split_whitespace();
        let (Some(name), Some(port)) = (words.next(), words.next()) else {
            continue;
        };
        let protocol_names = if port.ends_with("/udp") {
            &mut udp
        } else {
            &mut tcp
        };
        protocol_names.insert(name.to_owned());
        if !names.primary.iter().any(|n| n == name) {
            names.primary.push(name.to_owned());
        }
        for alias in words {
            protocol_names.insert(alias.to_owned());
            names.aliases.push(alias.to_owned());
        }
    }
    names.udp_only = udp.difference(&tcp).cloned().collect();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::RUN_SERVICES;

    #[test]
    fn the_course_examples_are_answered() {
        assert_eq!(
            Oracle::InetConversions.answer("192.168.1.2", ""),
            "c0 a8 01 02"
        );
        assert_eq!(
            Oracle::InetConversions.answer("c0a80102", ""),
            "192.168.1.2"
        );
        assert_eq!(Oracle::InetConversions.answer("1.2.3", ""), "error");
        assert_eq!(Oracle::InetConversions.answer("256.1.1.1", ""), "error");
        assert_eq!(Oracle::PortRanges.answer("255", ""), "well-known");
        assert_eq!(Oracle::PortRanges.answer("256", ""), "system");
        assert_eq!(Oracle::PortRanges.answer("65536", ""), "invalid");
        assert_eq!(Oracle::SpecialAddresses.answer("127.0.0.1", ""), "loopback");
        assert_eq!(
            Oracle::SpecialAddresses.answer("192.168.1.1", ""),
            "gateway"
        );
        assert_eq!(Oracle::ServiceLookup.answer("mysql", RUN_SERVICES), "3306");
        assert_eq!(Oracle::ServiceLookup.answer("www", RUN_SERVICES), "80");
        assert_eq!(
            Oracle::ServiceLookup.answer("nope", RUN_SERVICES),
            "unknown"
        );
    }

    #[test]
    fn a_seed_replays_the_same_cases_and_covers_every_answer() {
        for oracle in [
            Oracle::InetConversions,
            Oracle::PortRanges,
            Oracle::SpecialAddresses,
            Oracle::ServiceLookup,
        ] {
            let cases = oracle.cases(42, 300, RUN_SERVICES);
            assert_eq!(cases, oracle.cases(42, 300, RUN_SERVICES));
            assert_ne!(cases, oracle.cases(43, 300, RUN_SERVICES));
            let answers: std::collections::BTreeSet<_> =
                cases.iter().map(|c| c.answer.as_str()).collect();
            assert!(answers.len() >= 3, "{}: {answers:?}", oracle.name());
            assert!(cases.iter().all(|c| !c.input.is_empty()));
            for edge in oracle.edge_cases() {
                assert!(
                    cases.iter().any(|c| c.input == *edge),
                    "{edge} is always typed"
                );
            }
        }
    }
}
