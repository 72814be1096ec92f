//! Parsing an exercise YAML into an [`ExerciseSpec`], and [`SpecError`]: what is wrong with a
//! spec, every problem at its own file:line:column with the lines around it.
//!
//! The parser stops at its first error, so a spec that does not fit the schema gets one
//! (worded by `words.rs`); a spec that fits gets every problem the plan finds.
//! [`SpecPositions`] reads where the values the schema keeps without a position are written,
//! so those problems point at the value too.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_saphyr::{Budget, MessageFormatter, Options, Spanned};
use unicode_width::UnicodeWidthChar;

use super::ExerciseSpec;
use super::words::{SpecWords, plain_words};

/// A spec that could not be read or parsed, or that says something impossible. The message
/// is complete (file, line, column, what was expected) and ready to show to an instructor.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The YAML itself is broken or does not fit the schema.
    #[error("{message}")]
    Parse {
        /// Rendered message, starting with `file:line:column`.
        message: String,
    },
    /// The YAML fits the schema but says something impossible (e.g. `send` to an unknown client).
    #[error("{file}:{line}:{column}: {message}{snippet}")]
    Invalid {
        /// The spec file.
        file: String,
        /// 1-based line.
        line: u64,
        /// 1-based column.
        column: u64,
        /// What is wrong and how to fix it.
        message: String,
        /// The lines around the place, the value marked (starting with a line end), or empty.
        snippet: String,
    },
    /// The file could not be read.
    #[error("{file}: {message}")]
    Unreadable {
        /// The spec file.
        file: String,
        /// Why.
        message: String,
    },
    /// Several problems in one spec, in the order of the file, each printed on its own.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Many(Vec<SpecError>),
}

impl SpecError {
    /// A problem at `line:column` of `file` (the snippet is added by [`Self::with_snippets`]).
    pub fn invalid(file: &str, (line, column): (u64, u64), message: impl Into<String>) -> Self {
        SpecError::Invalid {
            file: file.to_owned(),
            line,
            column,
            message: printable(&message.into()),
            snippet: String::new(),
        }
    }

    /// The problems found, as one error: `None` when there are none, the problem itself when
    /// there is one, and [`SpecError::Many`] in the order of the file otherwise.
    pub fn from_problems(problems: Vec<SpecError>) -> Option<SpecError> {
        let mut problems: Vec<SpecError> = problems
            .into_iter()
            .flat_map(SpecError::into_problems)
            .collect();
        problems.sort_by_key(|problem| match problem {
            SpecError::Invalid { line, column, .. } => (*line, *column),
            _ => (0, 0),
        });
        match problems.len() {
            0 => None,
            1 => problems.pop(),
            _ => Some(SpecError::Many(problems)),
        }
    }

    /// Each problem on its own (one, unless this is [`SpecError::Many`]).
    pub fn problems(&self) -> Vec<&SpecError> {
        match self {
            SpecError::Many(problems) => problems.iter().flat_map(SpecError::problems).collect(),
            single => vec![single],
        }
    }

    /// Each problem on its own, owned.
    pub fn into_problems(self) -> Vec<SpecError> {
        match self {
            SpecError::Many(problems) => problems
                .into_iter()
                .flat_map(SpecError::into_problems)
                .collect(),
            single => vec![single],
        }
    }

    /// The same problems, each [`SpecError::Invalid`] showing the lines of `text` around it.
    #[must_use]
    pub fn with_snippets(self, text: &str) -> SpecError {
        self.with_lines(&text.lines().collect::<Vec<_>>())
    }

    fn with_lines(self, lines: &[&str]) -> SpecError {
        match self {
            SpecError::Invalid {
                file,
                line,
                column,
                message,
                snippet: _,
            } => {
                let snippet = snippet(lines, &file, (line, column), &message);
                SpecError::Invalid {
                    file,
                    line,
                    column,
                    message,
                    snippet,
                }
            }
            SpecError::Many(problems) => SpecError::Many(
                problems
                    .into_iter()
                    .map(|problem| problem.with_lines(lines))
                    .collect(),
            ),
            other => other,
        }
    }
}

/// The lines around `line:column` with the column marked, as the parser shows its own errors:
///
/// ```text
///  --> exercise.yaml:3:28
///   |
/// 3 | program: { listens: { tcp: 0 } }
///   |                            ^ port 0 is not a real port
///   |
/// ```
fn snippet(lines: &[&str], file: &str, (line, column): (u64, u64), message: &str) -> String {
    let Some(at) = usize::try_from(line)
        .ok()
        .filter(|l| (1..=lines.len()).contains(l))
    else {
        return String::new();
    };
    let (first, last) = (at.saturating_sub(2).max(1), (at + 2).min(lines.len()));
    let width = last.to_string().len();
    let pad = " ".repeat(width);
    let mut out = format!("\n{pad}--> {file}:{line}:{column}\n{pad} |");
    let before = usize::try_from(column).unwrap_or(1).saturating_sub(1);
    // A long line is shown in a window around the column.
    let skip = before.saturating_sub(WINDOW / 2);
    for number in first..=last {
        let line = printable(lines[number - 1].trim_end());
        let mut code: String = line.chars().skip(skip).take(WINDOW).collect();
        if skip > 0 {
            code.insert(0, '…');
        }
        if line.chars().count() > skip + WINDOW {
            code.push('…');
        }
        out.push_str(format!("\n{number:>width$} | {code}").trim_end());
        if number == at {
            let before = before - skip + usize::from(skip > 0);
            // Keep a tab a tab and a wide character two columns, so the mark stands under
            // the value.
            let indent: String = code
                .chars()
                .take(before)
                .map(|c| match c {
                    '\t' => "\t".to_owned(),
                    c => " ".repeat(c.width().unwrap_or(0)),
                })
                .collect();
            let message = message.lines().next().unwrap_or_default();
            out.push_str(&format!("\n{pad} | {indent}^ {message}"));
        }
    }
    out.push_str(&format!("\n{pad} |"));
    out
}

/// Widest part of a line a snippet shows.
const WINDOW: usize = 160;

/// Largest spec file accepted: a real exercise is a few KiB.
pub const MAX_SPEC_BYTES: usize = 1024 * 1024;

/// The options every spec is parsed with.
fn options() -> Options {
    // Budgets bound what a hostile file can make the parser do (deep nesting, alias bombs).
    let mut budget = Budget::default();
    budget.max_depth = 64;
    let mut options = Options::default();
    options.budget = Some(budget);
    // YAML 1.2 booleans only: a test named `n` or a hint `no` is text, not `false`.
    options.strict_booleans = true;
    options
}

/// Parses one spec. `source_name` (usually the path) is used in every error message.
pub fn parse_spec(text: &str, source_name: &str) -> Result<ExerciseSpec, SpecError> {
    if text.len() > MAX_SPEC_BYTES {
        return Err(SpecError::Unreadable {
            file: source_name.to_owned(),
            message: format!(
                "spec is {} bytes; the limit is {MAX_SPEC_BYTES} (an exercise is a few KiB)",
                text.len()
            ),
        });
    }
    // The parser stops at the first value that does not fit; to report every one, the
    // entry holding it is blanked out (its lines kept, empty, so positions stay) and the
    // rest parsed again. An error at or above the last one is a consequence of the blanking
    // (a list left empty, a field now missing) and ends the search.
    let mut errors: Vec<SpecError> = Vec::new();
    let mut current = text.to_owned();
    let mut last_line = 0;
    while errors.len() < MOST_PARSE_ERRORS {
        let error = match serde_saphyr::from_str_with_options(&current, options()) {
            Ok(spec) if errors.is_empty() => return Ok(spec),
            Ok(_) => break,
            Err(error) => error,
        };
        let words = SpecWords { text: &current };
        let place = words.place(&error);
        if !errors.is_empty() && place.is_none_or(|(line, _)| line <= last_line) {
            break;
        }
        let message = printable(&plain_words(&words.format_message(&error)));
        // After the first error, only a value or a key that does not fit is surely the
        // student's own: a missing key, a broken construct or an anchor gone may be what the
        // blanking left behind.
        let about_a_value = ["unknown ", "expected ", "invalid "]
            .iter()
            .any(|start| message.starts_with(start));
        if !errors.is_empty() && !about_a_value {
            break;
        }
        let message = match place {
            Some((line, column)) => {
                let lines: Vec<&str> = text.lines().collect();
                let snippet = snippet(&lines, source_name, (line, column), &message);
                format!("{source_name}:{line}:{column}: {message}{snippet}")
            }
            None => format!("{source_name}: {message}"),
        };
        errors.push(SpecError::Parse { message });
        match place.and_then(|(line, _)| blank_entry(&current, line)) {
            Some(blanked) => {
                last_line = place.map_or(0, |(line, _)| line);
                current = blanked;
            }
            None => break,
        }
    }
    Err(match errors.len() {
        1 => errors.remove(0),
        _ => SpecError::Many(errors),
    })
}

/// At most this many shape errors are reported for one spec.
const MOST_PARSE_ERRORS: usize = 20;

/// `text` with the entry that starts on `line` (1-based) blanked: that line and the lines
/// below it indented deeper (its value), each left empty. `None` for a line not there.
fn blank_entry(text: &str, line: u64) -> Option<String> {
    let index = usize::try_from(line).ok()?.checked_sub(1)?;
    let lines: Vec<&str> = text.split('\n').collect();
    let first = lines.get(index)?;
    let indent = |line: &str| line.len() - line.trim_start().len();
    // A list item's value is indented deeper than its dash.
    let own = indent(first);
    // A key's list may sit at the key's own indent (`steps:` then `- connect: a` below it).
    let is_item = |line: &str| line.trim_start().starts_with("- ") || line.trim() == "-";
    let key_of_a_list = !is_item(first) && first.trim_end().ends_with(':');
    let mut blanked: Vec<&str> = lines.clone();
    blanked[index] = "";
    for (at, line) in lines.iter().enumerate().skip(index + 1) {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            blanked[at] = "";
            continue;
        }
        let deeper = indent(line) > own;
        let its_list = key_of_a_list && indent(line) == own && is_item(line);
        if !deeper && !its_list {
            break;
        }
        blanked[at] = "";
    }
    Some(blanked.join("\n"))
}

/// `text` with control characters shown as `�`, so a message cannot drive the terminal.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// Where a value is written.
type Place = Spanned<IgnoredAny>;
/// Where each key's value of a mapping is written.
type Places = BTreeMap<String, Place>;

/// Where the values the schema keeps without a position are written (the `id`, each key of
/// `timeouts` and `limits`, each `entry`, each test's `timeout` and `points`), so that a
/// problem with one of them points at it. Read from a spec that parsed; empty otherwise.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SpecPositions {
    id: Option<Place>,
    tests: Option<Spanned<Vec<Places>>>,
    timeouts: Option<Places>,
    limits: Option<Places>,
    entry: Option<Vec<Place>>,
}

fn place(spanned: &Spanned<impl Sized>) -> (u64, u64) {
    (spanned.referenced.line(), spanned.referenced.column())
}

impl SpecPositions {
    /// Reads the positions in `text` (none when it does not parse).
    pub fn read(text: &str) -> SpecPositions {
        serde_saphyr::from_str_with_options(text, options()).unwrap_or_default()
    }

    /// The `id` value.
    pub fn id(&self) -> Option<(u64, u64)> {
        self.id.as_ref().map(place)
    }

    /// The `tests` list.
    pub fn tests(&self) -> Option<(u64, u64)> {
        self.tests.as_ref().map(place)
    }

    /// The value of `timeouts.<key>`.
    pub fn timeout(&self, key: &str) -> Option<(u64, u64)> {
        self.timeouts.as_ref()?.get(key).map(place)
    }

    /// The value of `limits.<key>`.
    pub fn limit(&self, key: &str) -> Option<(u64, u64)> {
        self.limits.as_ref()?.get(key).map(place)
    }

    /// The `index`th (0-based) name of `entry`.
    pub fn entry(&self, index: usize) -> Option<(u64, u64)> {
        self.entry.as_ref()?.get(index).map(place)
    }

    /// The value of `key` in the `index`th (0-based) test.
    pub fn test_key(&self, index: usize, key: &str) -> Option<(u64, u64)> {
        self.tests.as_ref()?.value.get(index)?.get(key).map(place)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_point_at_the_values() {
        let text = "id:  hello\ntitle: T\nentry: [a.py, b.py]\ntimeouts:\n  start: 2h\n\
                    tests:\n  - name: n\n    timeout: 2h\n    steps: []\n";
        let positions = SpecPositions::read(text);
        assert_eq!(positions.id(), Some((1, 6)));
        assert_eq!(positions.entry(1), Some((3, 15)));
        assert_eq!(positions.timeout("start"), Some((5, 10)));
        assert_eq!(positions.timeout("step"), None);
        assert_eq!(positions.test_key(0, "timeout"), Some((8, 14)));
        assert_eq!(positions.tests(), Some((7, 3)));
        assert!(SpecPositions::read("[").id().is_none());
    }

    #[test]
    fn several_problems_come_in_the_order_of_the_file_each_with_its_lines() {
        let text = "a: 1\nb: 2\nc: 3\n";
        let many = SpecError::from_problems(vec![
            SpecError::invalid("f.yaml", (3, 4), "third"),
            SpecError::invalid("f.yaml", (1, 4), "first"),
        ])
        .unwrap()
        .with_snippets(text);
        assert_eq!(many.problems().len(), 2);
        let shown = many.to_string();
        assert!(shown.starts_with("f.yaml:1:4: first\n --> f.yaml:1:4\n  |\n1 | a: 1\n  |    ^ first\n2 | b: 2\n3 | c: 3\n  |\nf.yaml:3:4: third"), "{shown}");
        let one = SpecError::from_problems(vec![SpecError::invalid("f.yaml", (2, 1), "x")]);
        assert!(matches!(one, Some(SpecError::Invalid { .. })));
        assert!(SpecError::from_problems(Vec::new()).is_none());
    }
}
