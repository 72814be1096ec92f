//! Output is data: what a program printed, sent or named (its output, its bytes, its file
//! names, a compiler's messages) is shown, never obeyed — [`escape_controls`] makes control
//! characters visible (`\x1b[2J` instead of a cleared screen, `\r` instead of an overwritten
//! line), and [`csv_cell`] keeps a spreadsheet from running a cell as a formula.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal as it is: C0 controls (but tab and newline), DEL,
/// C1 controls, and the invisible characters that reorder or hide text (bidirectional
/// overrides and isolates, zero-width marks).
fn is_dangerous(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{061c}' | '\u{feff}')
}

/// `text` with every dangerous character written as an escape (`\x1b`, `\r`, `\u{202e}`).
/// Tabs and newlines stay.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_dangerous) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\r' => escaped.push_str("\\r"),
            c if is_dangerous(c) && (c as u32) < 0x100 => {
                let _ = write!(escaped, "\\x{:02x}", c as u32);
            }
            c if is_dangerous(c) => {
                let _ = write!(escaped, "\\u{{{:x}}}", c as u32);
            }
            c => escaped.push(c),
        }
    }
    Cow::Owned(escaped)
}

/// `text` as one line: [`escape_controls`], with newlines shown as `\n` too.
pub fn one_line(text: &str) -> String {
    escape_controls(text)
        .replace('\n', "\\n")
        .replace('\t', " ")
}

/// A CSV cell that a spreadsheet shows as text: control characters escaped, and a cell that
/// would start a formula (`=`, `+`, `-`, `@`) prefixed with `'`.
pub fn csv_cell(text: &str) -> String {
    let line = one_line(text);
    match line.chars().next() {
        Some('=' | '+' | '-' | '@') => format!("'{line}"),
        _ => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_shown_not_obeyed() {
        assert_eq!(escape_controls("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(escape_controls("\u{1b}[2Jhi"), "\\x1b[2Jhi");
        assert_eq!(escape_controls("ok\r✓ 14/14"), "ok\\r✓ 14/14");
        assert_eq!(escape_controls("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(escape_controls("\u{9b}31m"), "\\x9b31m");
        assert_eq!(escape_controls("你好：Thanks"), "你好：Thanks");
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@SUM"), "'@SUM");
        assert_eq!(csv_cell("alice"), "alice");
        assert_eq!(csv_cell("two\nlines"), "two\\nlines");
    }
}
