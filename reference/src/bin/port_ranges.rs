//! Reference solution of the `port-ranges` exercise: what kind of port is this?
//!
//! The course divides the port numbers 1–65535 into three ranges:
//!
//! | ports        | answer       | meaning                                  |
//! |--------------|--------------|------------------------------------------|
//! | 1–255        | `well-known` | well-known services everyone agrees on   |
//! | 256–1023     | `system`     | the operating system's applications      |
//! | 1024–65535   | `user`       | for your own programs (> 10000 advised)  |
//!
//! Anything else — 0, a number above 65535, a negative number, a word — is `invalid`.
//! One answer per line typed; an empty line (or the end of input) ends the program.
//!
//! netgrade also compiles this file into itself: [`answer`] is the exercise's oracle.

use std::io::{BufRead, Write};

/// The answer to one input line.
pub fn answer(line: &str) -> String {
    // Only decimal digits make a port number; u32 is wide enough to tell "too big" apart
    // (a longer string of digits does not fit and is too big as well).
    if line.is_empty() || !line.bytes().all(|b| b.is_ascii_digit()) {
        return "invalid".to_string();
    }
    let port: u32 = line.parse().unwrap_or(u32::MAX);
    let kind = match port {
        1..=255 => "well-known",
        256..=1023 => "system",
        1024..=65535 => "user",
        _ => "invalid",
    };
    kind.to_string()
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
