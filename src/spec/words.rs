//! [`SpecWords`]: the parser's errors said in the words of a spec author, never in Rust's
//! (`invalid u16`, `expected struct TestSpec`, `unit value`), with a "did you mean" for a
//! misspelt key, step or value ([`closest`]) and for a duration without its unit
//! ([`duration_advice`]).

use std::borrow::Cow;

use serde_saphyr::{Error, MessageFormatter, UserMessageFormatter};

/// Renders serde-saphyr's errors for the spec at hand; `text` is the spec, read to quote the
/// value at fault where the parser only says where it is.
pub(super) struct SpecWords<'a> {
    /// The spec's text.
    pub text: &'a str,
}

impl MessageFormatter for SpecWords<'_> {
    fn format_message<'a>(&self, err: &'a Error) -> Cow<'a, str> {
        Cow::Owned(plain_words(&self.message(err)))
    }
}

impl SpecWords<'_> {
    /// Whether `err` is about a value (of the wrong type, out of range), rather than a key
    /// or the file's structure.
    pub(super) fn is_about_a_value(&self, err: &Error) -> bool {
        match err {
            Error::WithSnippet { error, .. } | Error::AliasError { error, .. } => {
                self.is_about_a_value(error)
            }
            _ => matches!(
                err,
                Error::SerdeInvalidType { .. }
                    | Error::SerdeInvalidValue { .. }
                    | Error::InvalidScalar { .. }
                    | Error::InvalidBooleanStrict { .. }
                    | Error::NullIntoString { .. }
                    | Error::Unexpected { .. }
                    | Error::ExternallyTaggedEnumExpectedScalarOrMapping { .. }
            ),
        }
    }

    /// The position of the value after the key written at `line:column` (`timeout: 200`
    /// → `200`), when a key and its value are there on one line.
    pub(super) fn value_after_key(&self, line: u64, column: u64) -> Option<(u64, u64)> {
        let rest = rest_of_line(self.text, line, column)?;
        let key = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .filter(|end| *end > 0 && rest[*end..].starts_with(": "))?;
        let after = &rest[key + 1..];
        let value = after.trim_start();
        if value.is_empty() || value.starts_with('#') {
            return None;
        }
        let space = &after[..after.len() - value.len()];
        let offset = rest[..key + 1].chars().count() + space.chars().count();
        Some((line, column + offset as u64))
    }

    /// Where `err` is, as `line:column`: at the value at fault when it is about a value (the
    /// parser places some at the value's key: `timeout: 200` at `timeout`).
    pub(super) fn place(&self, err: &Error) -> Option<(u64, u64)> {
        let at = err
            .location()
            .filter(|l| l.line() > 0)
            .map(|l| (l.line(), l.column()))?;
        if !self.is_about_a_value(err) {
            return Some(at);
        }
        Some(self.value_after_key(at.0, at.1).unwrap_or(at))
    }

    /// `, found a list` (or a mapping, a single value) for what is written at `location`.
    fn found_shape(&self, location: Option<(u64, u64)>) -> String {
        match location.map_or("", |(line, column)| shape_at(self.text, line, column)) {
            "" => String::new(),
            shape => format!(", found {shape}"),
        }
    }

    fn message(&self, err: &Error) -> String {
        let location = self.place(err);
        let found = || location.and_then(|(line, column)| scalar_at(self.text, line, column));
        match err {
            Error::WithSnippet { error, .. } | Error::AliasError { error, .. } => {
                self.message(error)
            }
            Error::ExternallyTaggedEnumExpectedScalarOrMapping { .. } => format!(
                "expected a name (as `kill`), or a step (as `- connect: a`){}",
                self.found_shape(location)
            ),
            Error::SerdeUnknownField {
                field, expected, ..
            } => unknown("key", field, expected),
            Error::SerdeUnknownVariant {
                variant, expected, ..
            } if expected.contains(&"connect") => unknown("step", variant, expected),
            Error::SerdeUnknownVariant {
                variant, expected, ..
            } => unknown("value", variant, expected),
            Error::SerdeMissingField { field, .. } => {
                format!("missing key `{field}` (this mapping needs it)")
            }
            Error::SerdeInvalidType {
                unexpected,
                expected,
                ..
            }
            | Error::SerdeInvalidValue {
                unexpected,
                expected,
                ..
            } => mismatch(expected, unexpected),
            Error::InvalidScalar { ty, .. } => {
                let found = found().map_or_else(String::new, |f| match f.parse::<f64>() {
                    Ok(_) => format!(", found {f}"),
                    Err(_) => format!(", found `{f}`"),
                });
                format!("expected {}{found}", expected_words(ty))
            }
            Error::InvalidBooleanStrict { .. } => {
                let found = found().map_or_else(String::new, |f| format!(", found `{f}`"));
                format!("expected true or false{found}")
            }
            Error::Unexpected { expected, .. } => format!(
                "expected {}{}",
                expected_shape(expected),
                self.found_shape(location)
            ),
            Error::Eof { .. } => "the file ends before the spec does (a spec needs at least \
                 `id`, `title` and `tests`)"
                .into(),
            Error::NullIntoString { .. } => "expected a text, found nothing".into(),
            Error::UnexpectedValueForUnitEnumVariant { .. } => {
                "this step takes no value: write its name alone (`- close_stdin`)".into()
            }
            Error::DuplicateMappingKey { key: Some(key), .. } => {
                format!("duplicate key `{key}`: a key may appear once in each mapping")
            }
            Error::DuplicateMappingKey { key: None, .. } => {
                "duplicate key: a key may appear once in each mapping".into()
            }
            Error::Budget { .. }
            | Error::AliasReplayLimitExceeded { .. }
            | Error::AliasExpansionLimitExceeded { .. }
            | Error::AliasReplayStackDepthExceeded { .. }
            | Error::AliasReplayCounterOverflow { .. } => {
                "the YAML is nested too deeply or repeats \
                 anchors too often; a spec is a few plain lists and mappings"
                    .into()
            }
            Error::Message { msg, .. } if msg.contains("did not match any variant") => {
                untagged(msg).into()
            }
            other => UserMessageFormatter.format_message(other).into_owned(),
        }
    }
}

/// `unknown key `hnit` — did you mean `hint`? expected one of name, points, hint, ...`.
fn unknown(what: &str, name: &str, expected: &[&str]) -> String {
    let guess = closest(name, expected.iter().copied())
        .map_or_else(String::new, |guess| format!(" — did you mean `{guess}`?"));
    if expected.is_empty() {
        return format!("unknown {what} `{name}`: nothing goes here");
    }
    if name.is_empty() {
        return format!(
            "expected one of {}, found an empty text",
            expected.join(", ")
        );
    }
    let list = if what == "step" {
        "the steps are:"
    } else {
        "expected one of"
    };
    format!(
        "unknown {what} `{name}`{guess} ({list} {})",
        expected.join(", ")
    )
}

/// An `invalid type` / `invalid value` in words.
fn mismatch(expected: &str, unexpected: &str) -> String {
    if expected == "a duration" {
        if let Some(text) = unexpected.strip_prefix("string ") {
            return duration_advice(&unquote(text));
        }
        return format!(
            "expected a duration such as 200ms or 2s, found {}",
            found_words(unexpected)
        );
    }
    format!(
        "expected {}, found {}",
        expected_words(expected),
        found_words(unexpected)
    )
}

/// What serde's visitors expect, in words.
fn expected_words(expected: &str) -> Cow<'_, str> {
    Cow::Borrowed(match expected {
        "u8" | "u16" => "a port number from 1 to 65535",
        "u32" | "u64" | "usize" | "u128" => "a whole number (0 or more)",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number",
        "f32" | "f64" => "a number",
        "a string" | "string" | "str" => "a text",
        "a boolean" | "bool" => "true or false",
        "a sequence" => "a list",
        "a map" => "a mapping (`key: value`)",
        other if other.starts_with("struct ") || other.starts_with("a map") => {
            "a mapping (`key: value`)"
        }
        other if other.starts_with("enum ") => "one of the names listed in the README",
        other => return Cow::Owned(other.to_owned()),
    })
}

/// What serde saw (`integer `200``, `string "x"`, `unit value`), in words.
fn found_words(unexpected: &str) -> String {
    let quoted = |prefix: &str| {
        unexpected
            .strip_prefix(prefix)
            .map(|rest| rest.trim_matches('`').to_owned())
    };
    if let Some(number) = quoted("integer ").or_else(|| quoted("floating point ")) {
        return format!("the number {number}");
    }
    if let Some(text) = unexpected.strip_prefix("string ") {
        return format!("the text `{}`", unquote(text));
    }
    if let Some(value) = quoted("boolean ") {
        return format!("`{value}`");
    }
    match unexpected {
        "unit value" | "unit" => "nothing (an empty value)".into(),
        "sequence" => "a list".into(),
        "map" => "a mapping".into(),
        other => other.to_owned(),
    }
}

/// The parser's `expected sequence start` and friends, in words.
fn expected_shape(expected: &str) -> &str {
    match expected {
        "string scalar" => "a single value (a text or a number)",
        "sequence start" => "a list (`[a, b]`, or one `- item` per line)",
        "mapping start" => "a mapping (`key: value`)",
        other => other,
    }
}

/// What starts at `line:column`: a list, a mapping or a single value (for "found ...").
fn shape_at(text: &str, line: u64, column: u64) -> &'static str {
    let Some(rest) = rest_of_line(text, line, column) else {
        return "";
    };
    let rest = rest.trim_start();
    let dash_item = rest == "-" || rest.starts_with("- ");
    match rest.chars().next() {
        Some('[') => "a list",
        Some('-') if dash_item => "a list",
        Some('{') => "a mapping",
        None => "nothing",
        Some(_) if plain_scalar(rest).is_some_and(|s| s.ends_with(':') || s.contains(": ")) => {
            "a mapping"
        }
        Some(_) => "a single value",
    }
}

/// The untagged `answers`' "data did not match any variant", in words.
fn untagged(message: &str) -> &'static str {
    if message.contains("AnswersSpec") {
        "expected the list of answers (`[yes, no]`) or `{ pattern: '...' }`"
    } else {
        "this value has none of the forms accepted here"
    }
}

/// The line's text from `column` (both 1-based) on.
fn rest_of_line(text: &str, line: u64, column: u64) -> Option<&str> {
    let line = text
        .lines()
        .nth(usize::try_from(line).ok()?.checked_sub(1)?)?;
    let skip = usize::try_from(column).ok()?.checked_sub(1)?;
    let start = line.char_indices().nth(skip).map(|(i, _)| i)?;
    Some(&line[start..])
}

/// The plain or quoted scalar written at `line:column`, to quote it in a message.
fn scalar_at(text: &str, line: u64, column: u64) -> Option<String> {
    plain_scalar(rest_of_line(text, line, column)?)
        .filter(|s| !s.is_empty() && s.chars().count() <= 40)
        .map(str::to_owned)
}

/// A scalar at the start of `rest`: up to its closing quote, or to `,`, `}`, `]` or ` #`.
fn plain_scalar(rest: &str) -> Option<&str> {
    let rest = rest.trim_start();
    if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let end = rest[1..].find(quote)?;
        return Some(&rest[..end + 2]);
    }
    let end = rest
        .find([',', '}', ']'])
        .into_iter()
        .chain(rest.find(" #"))
        .min()
        .unwrap_or(rest.len());
    Some(rest[..end].trim_end())
}

/// `"200"` as serde's `Unexpected` prints it → `200`.
fn unquote(text: &str) -> String {
    let inner = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    inner.replace("\\\"", "\"").replace("\\\\", "\\")
}

/// The units a duration may have, with the name each is best written as.
const UNITS: [&str; 11] = [
    "ms", "s", "sec", "secs", "m", "min", "mins", "h", "hours", "seconds", "minutes",
];

/// Why `found` is not a duration, and what was probably meant: `200` → `200ms`, `2` → `2s`,
/// `200mS` → `200ms`, `1.5s` → `1500ms`.
pub fn duration_advice(found: &str) -> String {
    let found = found.trim();
    let expected = "expected a duration such as 200ms or 2s";
    let units = "the units are ms, s, m and h";
    if found.is_empty() {
        return format!("{expected}, found nothing");
    }
    let split = found
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(found.len());
    let (number, unit) = (&found[..split], found[split..].trim());
    let Ok(value) = number.parse::<f64>() else {
        return format!("{expected}, found `{found}`");
    };
    if unit.is_empty() {
        // A bare number: milliseconds when it is large, seconds when it is small.
        let guess = if value == 0.0 {
            None
        } else if value >= 50.0 {
            whole(value, "ms")
        } else {
            whole(value * 1000.0, "ms").map(|ms| seconds_if_whole(&ms))
        };
        let guess = guess.map_or_else(String::new, |g| format!(" — did you mean {g}?"));
        return format!("{expected}, found the number {found}{guess}");
    }
    let lower = unit.to_lowercase();
    if UNITS.contains(&unit) && !number.contains('.') {
        return format!("{expected}, found `{found}`: that is too long");
    }
    let unit_guess = if UNITS.contains(&lower.as_str()) {
        Some(lower.as_str())
    } else {
        closest(unit, UNITS)
    };
    let guess = unit_guess.and_then(|unit| {
        let factor = humantime::parse_duration(&format!("1{unit}")).ok()?;
        let ms = value * factor.as_millis() as f64;
        if number.contains('.') {
            whole(ms, "ms").map(|ms| seconds_if_whole(&ms))
        } else {
            Some(format!("{number}{unit}"))
        }
    });
    let guess = guess.map_or_else(String::new, |g| format!(" — did you mean {g}?"));
    if UNITS.contains(&lower.as_str()) && unit == lower {
        // A known unit after a fraction: humantime takes whole numbers only.
        return format!("{expected}, found `{found}`: a duration is a whole number{guess}");
    }
    format!("{expected}, found `{found}`: unknown unit `{unit}` ({units}){guess}")
}

/// `value unit` when `value` is whole.
fn whole(value: f64, unit: &str) -> Option<String> {
    (value.fract() == 0.0 && value.is_finite() && value < 1e12)
        .then(|| format!("{}{unit}", value as u64))
}

/// `2000ms` → `2s`; other millisecond counts as they are.
fn seconds_if_whole(ms: &str) -> String {
    match ms.strip_suffix("ms").and_then(|n| n.parse::<u64>().ok()) {
        Some(n) if n > 0 && n % 1000 == 0 => format!("{}s", n / 1000),
        _ => ms.to_owned(),
    }
}

/// The candidate nearest `word` (case aside), if it is near enough to be a typo: at most two
/// edits, and fewer edits than `word` has letters.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    let length = word.chars().count();
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(&word, &candidate.to_lowercase()), candidate))
        .filter(|(distance, _)| *distance <= 2 && *distance < length)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// A last pass over any message: the parser's words for Rust programmers, in plain words.
pub(super) fn plain_words(text: &str) -> String {
    text.replace(", set DuplicateKeyPolicy in Options if acceptable", "")
        .replace("; use Option<String>", "")
        .replace("invalid u16", "expected a port number from 1 to 65535")
        .replace("invalid u32", "expected a whole number")
        .replace("invalid u64", "expected a whole number")
        .replace("invalid usize", "expected a whole number")
        .replace("invalid i32", "expected a whole number")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_is_recognised_and_a_different_word_is_not() {
        let keys = ["name", "points", "hint", "steps", "timeout"];
        assert_eq!(closest("hnit", keys), Some("hint"));
        assert_eq!(closest("pionts", keys), Some("points"));
        assert_eq!(closest("Steps", keys), Some("steps"));
        assert_eq!(closest("colour", keys), None);
        assert_eq!(closest("x", keys), None);
        assert_eq!(
            closest("clsoe", ["connect", "close", "send"]),
            Some("close")
        );
    }

    #[test]
    fn a_duration_without_its_unit_gets_a_guess() {
        let advice = duration_advice("200");
        assert_eq!(
            advice,
            "expected a duration such as 200ms or 2s, found the number 200 — did you mean 200ms?"
        );
        assert!(duration_advice("2").ends_with("did you mean 2s?"));
        assert!(duration_advice("0.5").ends_with("did you mean 500ms?"));
        assert!(duration_advice("200mS").ends_with("did you mean 200ms?"));
        assert!(duration_advice("200mS").contains("the units are ms, s, m and h"));
        assert!(duration_advice("2 sek").ends_with("did you mean 2sec?"));
        assert!(duration_advice("1.5s").ends_with("did you mean 1500ms?"));
        assert!(duration_advice("5 parsecs").contains("unknown unit `parsecs`"));
        assert!(duration_advice("soon").ends_with("found `soon`"));
    }

    #[test]
    fn serde_s_words_become_plain_words() {
        assert_eq!(
            mismatch("u16", "integer `70000`"),
            "expected a port number from 1 to 65535, found the number 70000"
        );
        assert_eq!(
            mismatch("struct TestSpec", "sequence"),
            "expected a mapping (`key: value`), found a list"
        );
        assert_eq!(
            mismatch("a string", "unit value"),
            "expected a text, found nothing (an empty value)"
        );
    }

    #[test]
    fn the_value_at_a_place_is_quoted() {
        let text = "a: { tcp: 70000, udp: 'x y' }\nb: 5 # five\n";
        assert_eq!(scalar_at(text, 1, 11).as_deref(), Some("70000"));
        assert_eq!(scalar_at(text, 1, 23).as_deref(), Some("'x y'"));
        assert_eq!(scalar_at(text, 2, 4).as_deref(), Some("5"));
        assert_eq!(scalar_at(text, 9, 1), None);
        assert_eq!(shape_at("a: [1]\n", 1, 4), "a list");
    }
}
