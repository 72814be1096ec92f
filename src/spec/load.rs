//! Parsing an exercise YAML into an [`ExerciseSpec`], with errors that name file:line:column.

use serde_saphyr::{Budget, Options};

use super::ExerciseSpec;

/// A spec that could not be read or parsed. The message is complete (file, line, column, what
/// was expected) and ready to show to an instructor.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The YAML itself is broken or does not fit the schema.
    #[error("{message}")]
    Parse {
        /// Rendered message, starting with `file:line:column`.
        message: String,
    },
    /// The YAML fits the schema but says something impossible (e.g. `send` to an unknown client).
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        /// The spec file.
        file: String,
        /// 1-based line.
        line: u64,
        /// 1-based column.
        column: u64,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The file could not be read.
    #[error("{file}: {message}")]
    Unreadable {
        /// The spec file.
        file: String,
        /// Why.
        message: String,
    },
}

/// Largest spec file accepted: a real exercise is a few KiB.
pub const MAX_SPEC_BYTES: usize = 1024 * 1024;

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
    // Budgets bound what a hostile file can make the parser do (deep nesting, alias bombs).
    let mut budget = Budget::default();
    budget.max_depth = 64;
    let mut options = Options::default();
    options.budget = Some(budget);
    // YAML 1.2 booleans only: a test named `n` or a hint `no` is text, not `false`.
    options.strict_booleans = true;
    serde_saphyr::from_str_with_options(text, options).map_err(|error| {
        let rendered = error.render_with_options(serde_saphyr::render_options! {
            source_name: Some(source_name),
        });
        SpecError::Parse {
            message: compiler_style(&rendered, source_name, error.location()),
        }
    })
}

/// Turns serde-saphyr's `error: line 7 column 9: unknown field ...` + snippet into
/// `file:7:9: unknown field ...` + snippet, the form editors and terminals make clickable.
fn compiler_style(
    rendered: &str,
    source_name: &str,
    location: Option<serde_saphyr::Location>,
) -> String {
    let (first, rest) = rendered.split_once('\n').unwrap_or((rendered, ""));
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let first = plain_words(first);
    match location.filter(|loc| loc.line() > 0) {
        Some(loc) => {
            let prefix = format!("line {} column {}: ", loc.line(), loc.column());
            let short = first.strip_prefix(&prefix).unwrap_or(&first);
            let rest = plain_words(rest);
            format!(
                "{source_name}:{}:{}: {short}\n{rest}",
                loc.line(),
                loc.column()
            )
        }
        None => format!("{source_name}: {first}\n{rest}"),
    }
    .trim_end()
    .to_owned()
}

/// Rewords the parser's Rust vocabulary for spec authors.
fn plain_words(text: &str) -> String {
    text
        // Advice meant for Rust programmers, not for spec authors.
        .replace(", set DuplicateKeyPolicy in Options if acceptable", "")
        .replace("invalid u16", "expected a port number (1 to 65535)")
        .replace("invalid u32", "expected a whole number")
        .replace("invalid usize", "expected a whole number")
}
