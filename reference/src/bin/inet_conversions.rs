//! Reference solution of the `inet-conversions` exercise: `inet_aton` and `inet_ntoa` by hand.
//!
//! An IPv4 address is 4 bytes. People write it as a dotted quad (`192.168.1.2`, each part
//! 0–255 in decimal); on the network it travels as the 4 bytes in order, "network byte order"
//! (`c0 a8 01 02`). For every line typed:
//!
//! 1. a dotted quad → print its 4 bytes in hex (what `inet_aton` does, but strictly: the C
//!    library's `inet_aton` also takes `1.2.3`, `010.1.1.1` or `0x7f.0.0.1`, which are not
//!    dotted quads — that leniency is what this exercise catches);
//! 2. 8 hex digits → print the dotted quad they stand for (`inet_ntoa`);
//! 3. anything else → print `error` (and keep going);
//! 4. an empty line (or the end of input) → exit.
//!
//! netgrade also compiles this file into itself and uses [`answer`] as the oracle of the
//! exercise's differential test, so the program and the oracle can never disagree.

use std::io::{BufRead, Write};

/// The answer to one input line (without the newline).
pub fn answer(line: &str) -> String {
    if let Some(bytes) = parse_dotted_quad(line) {
        let hex: Vec<String> = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
        return hex.join(" ");
    }
    if let Some(bytes) = parse_hex(line) {
        return inet_ntoa(bytes);
    }
    "error".to_string()
}

/// `192.168.1.2` → `[192, 168, 1, 2]`: exactly four decimal parts, each 0–255, no leading zeros.
/// (Stricter than `inet_aton`, on purpose.)
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

/// `c0a80102` → `[0xc0, 0xa8, 0x01, 0x02]`: exactly eight hex digits.
fn parse_hex(text: &str) -> Option<[u8; 4]> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut bytes = [0u8; 4];
    for (index, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * index..2 * index + 2], 16).ok()?;
    }
    Some(bytes)
}

/// `[192, 168, 1, 2]` → `192.168.1.2`.
fn inet_ntoa(bytes: [u8; 4]) -> String {
    let parts: Vec<String> = bytes.iter().map(|byte| byte.to_string()).collect();
    parts.join(".")
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
