//! Reference solution of the `special-addresses` exercise: which special IPv4 address is it?
//!
//! As in the course, a local network is a /24 (`192.168.1.x`: the first three numbers name
//! the network, the last one a machine on it). Checked in this order:
//!
//! 1. `127.0.0.1` → `loopback` (this machine, for testing)
//! 2. `0.0.0.0` → `any` (every address of this machine, for `bind`)
//! 3. last number 0 → `network` (`192.168.1.0` names the network itself)
//! 4. last number 1 → `gateway` (`192.168.1.1`, by convention the router)
//! 5. last number 255 → `broadcast` (`192.168.1.255` reaches every machine of the network)
//! 6. any other address → `host`
//!
//! Not a dotted quad (four decimal numbers 0–255, no leading zeros) → `invalid`. One answer
//! per line typed; an empty line (or the end of input) ends the program.
//!
//! netgrade also compiles this file into itself: [`answer`] is the exercise's oracle.

use std::io::{BufRead, Write};

/// The answer to one input line.
pub fn answer(line: &str) -> String {
    let Some([a, b, c, d]) = parse_dotted_quad(line) else {
        return "invalid".to_string();
    };
    let kind = match ([a, b, c], d) {
        ([127, 0, 0], 1) => "loopback",
        ([0, 0, 0], 0) => "any",
        (_, 0) => "network",
        (_, 1) => "gateway",
        (_, 255) => "broadcast",
        _ => "host",
    };
    kind.to_string()
}

/// `192.168.1.2` → `[192, 168, 1, 2]`: exactly four decimal parts, each 0–255, no leading zeros.
fn parse_dotted_quad(text: &str) -> Option<[u8; 4]> {
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut bytes = [0u8; 4];
    for (byte, part) in bytes.iter_mut().zip(parts) {
        let digits_only =
            !part.is_empty() && part.len() <= 3 && part.bytes().all(|b| b.is_ascii_digit());
        let leading_zero = part.len() > 1 && part.starts_with('0');
        if !digits_only || leading_zero {
            return None;
        }
        *byte = part.parse().ok()?; // fails above 255
    }
    Some(bytes)
}

#[allow(dead_code)] // unused where netgrade includes this file as its oracle
fn main() -> std::io::Result<()> {
    let mut stdout = std::io::stdout();
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let line = line.trim();
        if line.is_empty() {
            break;
        }
        writeln!(stdout, "{}", answer(line))?;
    }
    Ok(())
}
