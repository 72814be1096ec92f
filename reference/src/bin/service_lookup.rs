//! Reference solution of the `service-lookup` exercise: `getservbyname` by hand.
//!
//! Which port does a service use? The answer is in the services database, `/etc/services`:
//! one service per line, `name  port/protocol  aliases…`, `#` starts a comment.
//! `getservbyname(name)` returns the port of the first line whose name — or one of whose
//! aliases — is `name`. For every line typed:
//!
//! 1. a known service name (or alias) → print its port (`mysql` → `3306`);
//! 2. an unknown name → print `unknown`;
//! 3. an empty line (or the end of input) → exit.
//!
//! netgrade also compiles this file into itself: [`answer`] is the exercise's oracle, given
//! the services file every graded run sees.

use std::io::{BufRead, Write};

/// The answer to one input line, looked up in `services` (the text of `/etc/services`).
pub fn answer(line: &str, services: &str) -> String {
    match port_of(line, services) {
        Some(port) => port.to_string(),
        None => "unknown".to_string(),
    }
}

/// The port of service `name`: the first entry whose name or alias matches exactly.
fn port_of(name: &str, services: &str) -> Option<u16> {
    for entry in services.lines() {
        // Drop the comment, then split into words: name, port/protocol, aliases.
        let entry = entry.split('#').next().unwrap_or("");
        let mut words = entry.split_whitespace();
        let (Some(service), Some(port_protocol)) = (words.next(), words.next()) else {
            continue;
        };
        let mut names = std::iter::once(service).chain(words);
        if names.any(|n| n == name) {
            let port = port_protocol.split('/').next()?;
            return port.parse().ok();
        }
    }
    None
}

#[allow(dead_code)] // unused where netgrade includes this file as its oracle
fn main() -> std::io::Result<()> {
    let services = std::fs::read_to_string("/etc/services")?;
    let mut stdout = std::io::stdout();
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let line = line.trim();
        if line.is_empty() {
            break;
        }
        writeln!(stdout, "{}", answer(line, &services))?;
    }
    Ok(())
}
