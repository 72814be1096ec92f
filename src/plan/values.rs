//! Single values of a spec, checked and converted: durations, sizes, limits, entry names,
//! identifiers, payloads (`text`/`hex`/`file` with `repeat`) and texts in each language.

use std::time::Duration;

use super::MAX_PAYLOAD_BYTES;
use crate::i18n::Localized;
use crate::sandbox::Limits;
use crate::spec::{LimitsSpec, TextSpec};

/// Longest time limit a spec may set: a test that needs longer is not a beginner's exercise,
/// and an absurd value would let one submission hold a grading slot for hours.
pub const MAX_DURATION: Duration = Duration::from_secs(600);

/// A time limit must be more than zero and at most [`MAX_DURATION`].
pub(super) fn check_duration(what: &str, value: Duration) -> Result<(), String> {
    if value.is_zero() || value > MAX_DURATION {
        return Err(format!(
            "{what}: {} is out of range (more than 0, at most 10m)",
            humantime::format_duration(value)
        ));
    }
    Ok(())
}

/// An entry name must stay inside the submission: relative, no `..`, a valid glob.
pub fn check_entry(entry: &str) -> Result<(), String> {
    let path = std::path::Path::new(entry);
    if entry.is_empty()
        || path.is_absolute()
        || path
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Err(format!(
            "entry `{entry}` must be a file name inside the submission folder (no `..`, not absolute)"
        ));
    }
    globset::Glob::new(entry)
        .map(|_| ())
        .map_err(|e| format!("entry `{entry}` is not a valid pattern: {e}"))
}

/// Parses "256MiB", "1GiB", "64KiB", "1000000" into bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size like 256MiB"))?;
    let factor = match unit.trim() {
        "" | "B" => 1,
        "KiB" | "K" | "KB" => 1 << 10,
        "MiB" | "M" | "MB" => 1 << 20,
        "GiB" | "G" | "GB" => 1 << 30,
        other => return Err(format!("unknown size unit `{other}` (use KiB, MiB or GiB)")),
    };
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// The limits a spec sets, over the defaults, each within its range; and every one that is
/// not, named by its key (`memory`) with what is wrong.
pub(super) fn plan_limits(spec: &LimitsSpec) -> (Limits, Vec<(&'static str, String)>) {
    let mut limits = Limits::default();
    let mut problems = Vec::new();
    let in_range = |what: &str, value: u64, low: u64, high: u64| {
        if (low..=high).contains(&value) {
            Ok(value)
        } else {
            Err(format!(
                "limits.{what}: {value} is out of range ({low} to {high})"
            ))
        }
    };
    let size_in_range = |what: &str, value: u64, low: u64, high: u64| {
        in_range(what, value, low, high).map_err(|_| {
            let (value, low, high) = (size_words(value), size_words(low), size_words(high));
            format!("limits.{what}: {value} is out of range ({low} to {high})")
        })
    };
    let mut check = |key: &'static str, result: Result<u64, String>, into: &mut u64| match result {
        Ok(value) => *into = value,
        Err(message) => problems.push((key, message)),
    };
    if let Some(cpu) = spec.cpu {
        let seconds = check_duration("limits.cpu", cpu).map(|()| cpu.as_secs().max(1));
        check("cpu", seconds, &mut limits.cpu_seconds);
    }
    if let Some(memory) = &spec.memory {
        let bytes = parse_size(memory)
            .map_err(|e| format!("limits.memory: {e}"))
            .and_then(|bytes| size_in_range("memory", bytes, 16 << 20, 16 << 30));
        check("memory", bytes, &mut limits.memory_bytes);
    }
    if let Some(processes) = spec.processes {
        let processes = in_range("processes", processes, 1, 4096);
        check("processes", processes, &mut limits.processes);
    }
    if let Some(size) = &spec.file_size {
        let bytes = parse_size(size)
            .map_err(|e| format!("limits.file_size: {e}"))
            .and_then(|bytes| size_in_range("file_size", bytes, 1, 4 << 30));
        check("file_size", bytes, &mut limits.file_bytes);
    }
    if let Some(files) = spec.open_files {
        let files = in_range("open_files", files, 16, 65536);
        check("open_files", files, &mut limits.open_files);
    }
    (limits, problems)
}

/// A size as a spec writes it: `16MiB`, `4GiB`, `1KiB`, `100 bytes`.
fn size_words(bytes: u64) -> String {
    for (unit, shift) in [("GiB", 30), ("MiB", 20), ("KiB", 10)] {
        if bytes >= 1 << shift && bytes.is_multiple_of(1 << shift) {
            return format!("{}{unit}", bytes >> shift);
        }
    }
    match bytes {
        1 => "1 byte".into(),
        n => format!("{n} bytes"),
    }
}

/// An exercise id: lowercase letters, digits and dashes, and the name of the exercise's
/// folder when it has one (so `list`, which shows ids, and `show`, which finds folders, agree).
pub(super) fn check_id(id: &str, folder: Option<&str>) -> Result<(), String> {
    if !is_identifier(id) {
        return Err(format!(
            "exercise id `{id}` must be lowercase letters, digits and dashes"
        ));
    }
    match folder {
        Some(folder) if folder != id => Err(format!(
            "id `{id}` must be the folder's name, `{folder}` (rename one of them)"
        )),
        _ => Ok(()),
    }
}

/// Lowercase letters, digits and dashes.
fn is_identifier(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Builds the bytes of a `text`/`hex` payload, repeated.
pub(super) fn payload(
    text: Option<String>,
    hex: Option<String>,
    file: Option<Vec<u8>>,
    repeat: Option<u32>,
    step: &str,
) -> Result<Vec<u8>, String> {
    let unit = match (text, hex, file) {
        (Some(text), None, None) => text.into_bytes(),
        (None, Some(hex), None) => parse_hex(&hex).map_err(|e| format!("{step}: `hex`: {e}"))?,
        (None, None, Some(file)) => file,
        (None, None, None) => {
            return Err(format!("{step}: give the bytes as `text`, `hex` or `file`"));
        }
        _ => {
            return Err(format!(
                "{step}: give exactly one of `text`, `hex` and `file`"
            ));
        }
    };
    let times = repeat.unwrap_or(1);
    if times == 0 {
        return Err(format!("{step}: `repeat` must be at least 1"));
    }
    let total = unit.len().saturating_mul(times as usize);
    if unit.is_empty() {
        return Err(format!(
            "{step}: the payload is empty (TCP has no empty messages)"
        ));
    }
    if total > MAX_PAYLOAD_BYTES {
        return Err(format!(
            "{step}: payload of {total} bytes is over the {MAX_PAYLOAD_BYTES}-byte limit"
        ));
    }
    Ok(unit.repeat(times as usize))
}

/// Parses hex digits, ignoring whitespace: `"c0 a8 01 02"` → `[0xc0, 0xa8, 1, 2]`.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return Err(format!("odd number of hex digits in `{text}`"));
    }
    digits
        .chunks(2)
        .map(|pair| {
            let pair = std::str::from_utf8(pair).map_err(|_| format!("not hex: `{text}`"))?;
            u8::from_str_radix(pair, 16).map_err(|_| format!("`{pair}` is not a hex byte"))
        })
        .collect()
}

/// A text of the spec, in every language it gives.
pub(super) fn localized(text: TextSpec) -> Localized {
    match text {
        TextSpec::Plain(text) => Localized::plain(text),
        TextSpec::ByLanguage { en, zh } => Localized { en, zh },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("256MiB"), Ok(256 << 20));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5 parsecs").is_err());
    }

    #[test]
    fn entries_cannot_leave_the_submission() {
        assert!(check_entry("server.py").is_ok());
        assert!(check_entry("*.py").is_ok());
        assert!(check_entry("../../etc/passwd").is_err());
        assert!(check_entry("/etc/passwd").is_err());
    }

    #[test]
    fn hex_parses_with_spaces() {
        assert_eq!(parse_hex("c0 a8 01 02"), Ok(vec![0xc0, 0xa8, 1, 2]));
        assert!(parse_hex("c0a").is_err());
        assert!(parse_hex("zz").is_err());
    }
}
